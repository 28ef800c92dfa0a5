"""How the UI holds up with 10,000 pods and 1,000 watch events per second.

Run on demand:  .venv/bin/python tests/benchmarks/bench_ui.py [--pods N] [--rate N] [--seconds S]

The real app runs in a child process under a pseudo-terminal (200x50, as on a big
terminal), fed by a synthetic source: realistic ~5 KB pods (bench_model.make_pod),
changed the way a kubelet changes them (bench_model.kubelet_step) and decoded with
orjson on a producer thread, as the live source does. The parent counts every byte the
app writes to its terminal and times keypresses from the moment they are written to
the terminal until the repainted row comes back.

Figures (targets from issue 5):
  ui_tick_ms_median             one drain of the feed: apply ~100 events + repaint what changed  (<= 20 ms)
  ui_key_latency_ms_p95         `j` written to the pty -> the new cursor row on the wire      (<= 100 ms)
  terminal_bytes_per_s          bytes/s written while every change is off-screen, pods       (<= 20 KB/s)
                                coming and going among them (the pod count changes)
  terminal_bytes_per_s_visible  bytes/s when the changes hit the rows on screen (for comparison)

`measure_ui()` returns them as a dict; tests/benchmarks/run.py can import it.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import random
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

SIZE = (200, 50)
WARMUP_S = 4.0  # after the initial list is on screen
CHURN_EVERY = 50  # off-screen runs: one event in this many is a pod deleted and another created


# ----------------------------------------------------------------------------- child side


class SyntheticFeed:
    """A Feed that lists `pods` pods, then sends `rate` MODIFIED events/s, decoding each
    watch line with orjson on its own thread like the live source."""

    def __init__(self, pods: int, rate: int, seconds: float, targets: str, seed: int = 7) -> None:
        import orjson
        from bench_model import T0, kubelet_step, make_pod

        from podtui.sources.base import ItemQueue, Scope

        self.scope = Scope(context="bench", server="https://127.0.0.1:6443")
        self._queue = ItemQueue()
        self._stop = threading.Event()
        self.rate = rate
        rng = random.Random(seed)
        live = [make_pod(i) for i in range(pods)]
        self.initial = [orjson.dumps(p) for p in live]
        # Sorted by namespace then name, pod i is row i: rows 0-45 are on screen.
        pool = list(range(0, 40) if targets == "visible" else range(min(1000, pods // 2), pods))
        rv = 2000
        now = T0
        self.lines: list[tuple[str, bytes]] = []
        born = pods
        for k in range(int(rate * seconds)):
            now += 1.0 / rate
            rv += 1
            if targets != "visible" and k % CHURN_EVERY == CHURN_EVERY - 1:
                # A pod deleted and another created, both sorting off-screen: the count
                # changes, as with any rollout or Job churn.
                gone = live[pool.pop(rng.randrange(len(pool)))]
                self.lines.append(("DELETED", orjson.dumps(gone)))
                live.append(make_pod(born))
                pool.append(born)
                born += 1
                live[-1]["metadata"]["resourceVersion"] = str(rv)
                self.lines.append(("ADDED", orjson.dumps(live[-1])))
                continue
            pod = live[rng.choice(pool)]
            kubelet_step(pod, now, rng)
            pod["metadata"]["resourceVersion"] = str(rv)
            self.lines.append(("MODIFIED", orjson.dumps(pod)))

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="bench-feed").start()

    def _run(self) -> None:
        import orjson

        from podtui.lifecycle.changes import Change, SourceStatus

        clock_now = time.time
        self._queue.put(SourceStatus("live", clock_now()))
        self._queue.extend(Change("pods", "ADDED", orjson.loads(b), clock_now()) for b in self.initial)
        batch = max(1, self.rate // 10)
        started = time.monotonic()
        for i in range(0, len(self.lines), batch):
            if self._stop.is_set():
                return
            due = started + WARMUP_S + i / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t = clock_now()
            self._queue.extend(Change("pods", kind, orjson.loads(b), t) for kind, b in self.lines[i:i + batch])

    def poll(self, limit=None):
        return self._queue.poll(limit)

    def stop(self) -> None:
        self._stop.set()


def child(args: argparse.Namespace) -> int:
    from bench_model import T0

    from podtui.clock import ScaledClock
    from podtui.ui.app import PodtuiApp

    if os.environ.get("PODTUI_BENCH_NO_FREEZE"):  # to compare memory with CPython's own GC policy
        import podtui.ui.app

        podtui.ui.app.settle_heap = lambda: None
    feed = SyntheticFeed(args.pods, args.rate, args.seconds + WARMUP_S + 2, args.targets)
    env = {"PODTUI_THEME_DIR": "/nonexistent", "COLORTERM": "truecolor", "TERM": "xterm-256color"}
    app = PodtuiApp(feed, ScaledClock(1.0, start=T0 + 3600), theme=args.theme, environ=env)
    ticks: list[tuple[float, float, int]] = []  # (when, seconds, items)
    frames: list[float] = []
    pump = app.pump

    def timed_pump() -> int:
        t = time.perf_counter()
        n = pump()
        if n:
            ticks.append((time.monotonic(), time.perf_counter() - t, n))
        return n

    display = app._display

    keys: list[float] = []

    def timed_display(screen, renderable):
        t = time.perf_counter()
        display(screen, renderable)
        frames.append(time.perf_counter() - t)

    down = app.table.action_cursor_down

    def timed_down() -> None:
        keys.append(time.monotonic())
        down()

    app.table.action_cursor_down = timed_down

    clock_ticks: list[tuple[float, float]] = []
    tick = app.tick

    def timed_tick() -> None:
        t = time.perf_counter()
        tick()
        clock_ticks.append((time.monotonic(), time.perf_counter() - t))

    import gc

    gc_pauses: list[tuple[float, int, float]] = []
    gc_start = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        elif info["generation"] == 2:
            gc_pauses.append((time.monotonic(), info["generation"], time.perf_counter() - gc_start[0]))

    gc.callbacks.append(on_gc)
    app.pump = timed_pump  # the poll timer is set up on mount and picks these up
    app.tick = timed_tick
    app._display = timed_display

    def finish() -> None:
        Path(args.out).write_text(json.dumps({"ticks": ticks, "frames": frames, "clock_ticks": clock_ticks, "keys": keys, "gc": gc_pauses}))
        app.exit()

    timer = threading.Timer(args.seconds + WARMUP_S + 2 + 5, lambda: app.call_from_thread(finish))
    timer.daemon = True
    timer.start()
    app.run()
    return 0


# ----------------------------------------------------------------------------- parent side


class PtyApp:
    """The app in a child process on a pty; records every byte it writes."""

    def __init__(self, pods: int, rate: int, seconds: float, targets: str, theme: str) -> None:
        self.out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--child", "--pods", str(pods), "--rate", str(rate),
             "--seconds", str(seconds), "--targets", targets, "--theme", theme, "--out", self.out],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.chunks: list[tuple[float, bytes]] = []
        self._lock = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.5)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.chunks.append((time.monotonic(), data))
                self._lock.notify_all()

    def send(self, data: bytes) -> float:
        t = time.monotonic()
        os.write(self.master, data)
        return t

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(len(c) for t, c in self.chunks if start <= t < end)

    def wait_for(self, needle: bytes, after: float, timeout: float) -> float | None:
        """When the output after `after` first contained `needle` (the arrival time of
        the chunk that completed it), or None. Sleeps until output arrives, so the
        measuring side takes no CPU from the app while it waits."""
        deadline = time.monotonic() + timeout
        acc = b""
        seen = 0
        with self._lock:
            while True:
                for t, c in self.chunks[seen:]:
                    seen += 1
                    if t < after:
                        continue
                    acc = acc[-len(needle):] + c if acc else c
                    if needle in acc:
                        return t
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._lock.wait(left)

    def wait_for_exit(self, timeout: float) -> dict:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise RuntimeError("the UI did not exit in time") from None
        self._reader.join(2)
        try:
            return json.loads(Path(self.out).read_text())
        finally:
            os.close(self.master)
            os.unlink(self.out)


def _pod_name(i: int) -> bytes:
    return f"web-7d4b9c8f6d-{i:05d}".encode()


def run_mode(pods: int, rate: int, seconds: float, targets: str, theme: str = "podtui-dark",
             keys: int = 0) -> dict:
    """One child run; bytes/s over the steady window, tick times, optional key latencies."""
    app = PtyApp(pods, rate, seconds, targets, theme)
    started = time.monotonic()
    if app.wait_for(f"{pods} pods".encode(), started, 120) is None:  # the whole list is in
        app.proc.kill()
        raise RuntimeError("the pod list never appeared")
    time.sleep(WARMUP_S)
    window_start = time.monotonic()
    latencies = []
    sends: list[float] = []
    if keys:
        interval = seconds / (keys + 1)
        for k in range(1, keys + 1):
            t = app.send(b"j")
            sends.append(t)
            seen = app.wait_for(_pod_name(k), t, 2.0)
            latencies.append((seen - t) * 1000 if seen is not None else 2000.0)
            time.sleep(max(0.0, interval - (time.monotonic() - t)))
    else:
        time.sleep(seconds)
    window_end = time.monotonic()
    stats = app.wait_for_exit(timeout=60)
    if keys and os.environ.get("BENCH_DEBUG"):  # where the time went, when a figure looks wrong
        print("gc2", [(round(w, 3), round(d * 1000)) for w, g, d in stats["gc"]])
        print("sent", [round(t, 3) for t in sends], "\nhandled", [round(t, 3) for t in stats["keys"]],
              "\nticks", [(round(w, 3), round(s * 1000)) for w, s, n in stats["ticks"] if w > sends[0] - 1][:40])
    in_window = [s for (w, s, n) in stats["ticks"] if window_start <= w < window_end]
    return {
        "bytes_per_s": app.bytes_between(window_start, window_end) / (window_end - window_start),
        "tick_ms": [s * 1000 for s in in_window],
        "frame_ms": [f * 1000 for f in stats["frames"]],
        "gc_ms": [d * 1000 for w, g, d in stats["gc"] if window_start <= w < window_end],
        "key_ms": latencies,
        "applied_per_s": sum(n for (w, s, n) in stats["ticks"] if window_start <= w < window_end)
        / (window_end - window_start),
    }


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))] if values else float("nan")


def measure_ui(pods: int = 10_000, rate: int = 1_000, seconds: float = 10.0, keys: int = 30) -> dict:
    """The four figures of issue 5 (see the module docstring), plus a few more."""
    quiet = run_mode(pods, rate, seconds, "offscreen")
    typing = run_mode(pods, rate, seconds, "offscreen", keys=keys)
    visible = run_mode(pods, rate, seconds, "visible")
    return {
        "ui_tick_ms_median": statistics.median(quiet["tick_ms"]),
        "ui_tick_ms_p95": p95(quiet["tick_ms"]),
        "ui_key_latency_ms_p95": p95(typing["key_ms"]),
        "ui_key_latency_ms_median": statistics.median(typing["key_ms"]),
        "terminal_bytes_per_s": quiet["bytes_per_s"],
        "terminal_bytes_per_s_visible": visible["bytes_per_s"],
        "ui_tick_ms_median_visible": statistics.median(visible["tick_ms"]),
        "ui_frame_write_ms_median": statistics.median(quiet["frame_ms"]),
        "gc_full_collection_ms_max": max(quiet["gc_ms"], default=0.0),
        "events_applied_per_s": quiet["applied_per_s"],  # keeps up when ~ the arrival rate
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--targets", default="offscreen", help=argparse.SUPPRESS)
    parser.add_argument("--theme", default="podtui-dark")
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    print(f"podtui UI: {args.pods} pods, {args.rate} events/s, {SIZE[0]}x{SIZE[1]} pty, {args.seconds:g}s per run")
    figures = measure_ui(args.pods, args.rate, args.seconds, args.keys)
    targets = {"ui_tick_ms_median": ("<=", 20), "ui_key_latency_ms_p95": ("<=", 100),
               "terminal_bytes_per_s": ("<=", 20_000)}
    for key, value in figures.items():
        goal = targets.get(key)
        verdict = ""
        if goal:
            verdict = f"   target {goal[0]} {goal[1]:g}: {'ok' if value <= goal[1] else 'MISSED'}"
        print(f"  {key:<32} {value:>10.1f}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
