"""What replaying a recording costs: memory held after loading it, and the time to load
it and to seek to its end, for this tree and (side by side) an older commit.

Run on demand:  .venv/bin/python tests/benchmarks/bench_replay.py [--pods N] [--changes N]
                                                                   [--baseline REV]

The recording is synthesized in the recording format (podtui/sources/recording.py),
gzip-compressed and redacted as `podtui record` writes it by default: bench_model's
realistic pods (3 containers, probes, env, volumes, conditions) listed, then changed
the way a kubelet changes them (readiness flips, crashes, restarts, metadata-only
updates), with 5% of the changes replacing a pod (DELETED, then a new pod ADDED) and
a Warning Event after one change in ten.

Times are CPU seconds of the child (the machine may be shared). Each figure comes from
a fresh child process per tree (`--baseline REV` is extracted
with `git archive` into a temporary directory; the work tree is not touched):

  load s          read_recording(), as `podtui replay` runs it
  held MB/1k      tracemalloc's bytes still allocated after the load, per 1,000 pod
                  changes (a second child: tracemalloc slows the load)
  peak MB/1k      tracemalloc's peak during the load, per 1,000 pod changes
  rss MB          VmRSS after the load, less VmRSS before it (one child: the first)
  seek end s      ReplayFeed.seek(end) and every item applied to a Store in the UI's
                  chunks of PUMP_CHUNK, as the UI catches up after a seek; decoding
                  included (before: done by the load)
  rss end MB      VmRSS after that, less VmRSS before the load
  max slice ms    the longest single poll-and-apply of PUMP_CHUNK items during that seek:
                  what one pump can hold the screen up by (a checkpoint is taken inside one)
  seek back s     then ReplayFeed.seek(end - 60 s), and the store rebuilt up to it as the
                  app does it (from an empty store; a tree with checkpoints, from the
                  newest one before the target: thawed, then the items after it applied),
                  its final expiry included; "to middle": the same to the recording's middle
  checkpoints     how many the seek to the end left, and snapshot.size_estimate's MB
  history s       `podtui history`'s fold of the same file (Folded: it streams the file
                  into a Store that keeps every pod); the report's rendering is left
                  out, it does not read the file
  history rss MB  VmHWM of that child, less VmRSS before
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TREE = os.environ.get("PODTUI_BENCH_TREE")  # a child measuring another tree
sys.path.insert(0, TREE or str(ROOT))
sys.path.insert(0, str(HERE))

import orjson  # noqa: E402

T0 = 1_714_550_400.0


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def hwm_mb() -> float:
    return _status_kb("VmHWM") / 1024


# ---------------------------------------------------------------------------- the file


def event_for(pod: dict, now: float, n: int) -> dict:
    meta = pod["metadata"]
    return {
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": f"{meta['name']}.{n:016x}", "namespace": meta["namespace"],
                     "uid": f"ev-{n:08x}", "resourceVersion": str(n), "creationTimestamp": ts(now)},
        "involvedObject": {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"],
                           "uid": meta["uid"], "apiVersion": "v1", "resourceVersion": meta["resourceVersion"],
                           "fieldPath": "spec.containers{app}"},
        "reason": "BackOff", "message": "Back-off restarting failed container app in pod " + meta["name"],
        "source": {"component": "kubelet", "host": pod["spec"]["nodeName"]},
        "firstTimestamp": ts(now), "lastTimestamp": ts(now), "count": 1, "type": "Warning",
        "eventTime": None, "reportingComponent": "kubelet", "reportingInstance": pod["spec"]["nodeName"],
    }


def ts(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def write_file(path: Path, pods: int, changes: int, seed: int = 7) -> tuple[int, int]:
    """The recording; returns (pod changes, bytes of JSON)."""
    import gzip

    from bench_model import kubelet_step, make_pod

    from podtui.sources.recording import Header, redact

    rng = random.Random(seed)
    random.seed(seed)
    live = [make_pod(i) for i in range(pods)]
    next_id = pods
    now = T0
    rv = 1000
    out: list[bytes] = [orjson.dumps(Header(context="bench", started=T0).to_line())]

    def line(**fields) -> None:
        out.append(orjson.dumps(fields))

    line(t=now, status="listing", detail="", resource="pods")
    line(t=now, relist="start", resource="pods", resource_version="")
    for p in live:
        line(t=now, resource="pods", type="ADDED", object=redact(p))
    line(t=now, relist="end", resource="pods", resource_version=str(rv), deleted=0)
    line(t=now, status="live", detail="", resource="pods")
    pod_changes = pods
    events = 0
    while pod_changes < changes:
        now += rng.expovariate(100.0)  # ~100 changes a second
        rv += 1
        k = rng.randrange(len(live))
        pod = live[k]
        if rng.random() < 0.05:
            line(t=now, resource="pods", type="DELETED", object=redact(pod))
            fresh = make_pod(next_id)
            next_id += 1
            fresh["metadata"]["resourceVersion"] = str(rv)
            live[k] = fresh
            line(t=now, resource="pods", type="ADDED", object=redact(fresh))
            pod_changes += 2
            continue
        kubelet_step(pod, now, rng)
        pod["metadata"]["resourceVersion"] = str(rv)
        line(t=now, resource="pods", type="MODIFIED", object=redact(pod))
        pod_changes += 1
        if rng.random() < 0.1:
            events += 1
            line(t=now, resource="events", type="ADDED", object=event_for(pod, now, events))
    data = b"\n".join(out) + b"\n"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(data)
    return pod_changes, len(data)


# ---------------------------------------------------------------------------- children


def child(what: str, path: str) -> dict:
    """One measurement in this process, of the tree on sys.path; a dict of figures."""
    import gc

    from podtui.clock import ManualClock
    from podtui.heap import relax_gc
    from podtui.lifecycle.store import Store

    gc.collect()
    base = rss_mb()
    out: dict[str, float] = {}
    if what == "history":
        from podtui.sources.history_command import Folded

        relax_gc()
        t = time.process_time()
        folded = Folded(path)
        out["history_s"] = time.process_time() - t
        out["history_rss_mb"] = hwm_mb() - base
        out["history_pods"] = len(folded.records())
        return out

    from podtui.sources.recording import read_recording

    if what == "traced":
        import tracemalloc

        tracemalloc.start()
        recording = read_recording(path)
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["held_mb"] = held / 2**20
        out["peak_mb"] = peak / 2**20
        del recording
        return out

    from podtui.sources.replay import ReplayFeed
    from podtui.ui.app import PUMP_CHUNK

    relax_gc()  # as `podtui replay` does after loading
    t = time.process_time()
    recording = read_recording(path)
    out["load_s"] = time.process_time() - t
    gc.collect()
    out["rss_mb"] = rss_mb() - base
    clock = ManualClock(recording.header.started)
    feed = ReplayFeed(recording, clock, autoplay=False)
    # As the app's pump: through the feed where it offers it (checkpoints), else apply_batch.
    apply = getattr(feed, "apply", None) or (lambda store, items: store.apply_batch(items))
    epoch_store = getattr(feed, "epoch_store", None) or (lambda new: new())
    expire = getattr(feed, "expire", None) or (lambda store: store.expire(clock.time()))

    from podtui.heap import SETTLE_INTERVAL, settle_heap

    def catch_up(store: Store) -> tuple[Store, float]:
        epoch, longest = feed.epoch, 0.0
        settled = time.process_time()
        while True:
            t = time.process_time()
            if t - settled >= SETTLE_INTERVAL:  # the app settles the heap after each repaint
                settle_heap()
                settled = t
            items = feed.poll(PUMP_CHUNK)
            if feed.epoch != epoch:
                epoch, store = feed.epoch, epoch_store(lambda: Store(clock))
            if not items:
                break
            apply(store, items)
            store.take_dirty()  # as the app does after each slice
            longest = max(longest, time.process_time() - t)
        expire(store)
        return store, longest

    store = Store(clock)
    t = time.process_time()
    feed.seek(feed.end_time)
    store, longest = catch_up(store)
    out["seek_end_s"] = time.process_time() - t
    out["max_slice_ms"] = longest * 1000
    out["pods_in_store"] = len(store.pods)
    gc.collect()
    out["rss_end_mb"] = rss_mb() - base
    checkpoints = getattr(feed, "_checkpoints", [])
    out["checkpoints"] = len(checkpoints)
    if checkpoints:
        out["checkpoints_mb"] = sum(feed._sizes) / 2**20
        out["records_copied"] = sum(c.records_copied for c in checkpoints)
    for key, back in (("seek_back_s", 60.0), ("seek_back_half_s", (feed.end_time - feed.start_time) / 2)):
        feed.seek(feed.end_time)
        store, _ = catch_up(store)
        t = time.process_time()
        feed.seek(feed.end_time - back)
        store, _ = catch_up(store)
        out[key] = time.process_time() - t
    return out


def run_child(tree: Path, what: str, path: Path) -> dict:
    env = dict(os.environ, PODTUI_BENCH_TREE=str(tree))
    proc = subprocess.run([sys.executable, __file__, "--child", what, str(path)], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{what} in {tree} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


def extract(rev: str, into: Path) -> Path:
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "podtui"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=20_000, help="pod changes in the recording, the list included")
    parser.add_argument("--baseline", metavar="REV", default="8fd1287",
                        help="the commit to compare with (default: the last one that kept a recording "
                             "whole, decoded); '' for this tree only")
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0

    with tempfile.TemporaryDirectory(prefix="rpl-bench-") as tmp:
        path = Path(tmp) / "bench.jsonl.gz"
        pod_changes, size = write_file(path, args.pods, args.changes)
        print(f"recording: {args.pods} pods listed, {pod_changes} pod changes, "
              f"{size / 2**20:.0f} MB of JSON ({size / pod_changes / 1024:.1f} KB a line), "
              f"{path.stat().st_size / 2**20:.1f} MB gzip")
        trees = {"this tree": ROOT}
        if args.baseline:
            trees = {args.baseline: extract(args.baseline, Path(tmp) / "baseline"), **trees}
        whats = ["replay", "traced"] + ([] if args.no_history else ["history"])
        results = {name: {} for name in trees}
        for what in whats:  # one tree after the other per figure: noise lands on both
            for name, tree in trees.items():
                results[name].update(run_child(tree, what, path))
        per_k = pod_changes / 1000
        rows = [
            ("load s", "load_s", 1, "{:.2f}"),
            ("held MB/1k changes", "held_mb", per_k, "{:.2f}"),
            ("peak MB/1k changes", "peak_mb", per_k, "{:.2f}"),
            ("rss after load MB", "rss_mb", 1, "{:.0f}"),
            ("seek to end s", "seek_end_s", 1, "{:.2f}"),
            ("  its max slice ms", "max_slice_ms", 1, "{:.1f}"),
            ("seek back 60s s", "seek_back_s", 1, "{:.2f}"),
            ("seek back to middle s", "seek_back_half_s", 1, "{:.2f}"),
            ("checkpoints", "checkpoints", 1, "{:.0f}"),
            ("checkpoints MB (est.)", "checkpoints_mb", 1, "{:.1f}"),
            ("  pod copies in them", "records_copied", 1, "{:.0f}"),
            ("rss after seek MB", "rss_end_mb", 1, "{:.0f}"),
            ("pods in store", "pods_in_store", 1, "{:.0f}"),
            ("history fold s", "history_s", 1, "{:.2f}"),
            ("history peak rss MB", "history_rss_mb", 1, "{:.0f}"),
            ("history pods", "history_pods", 1, "{:.0f}"),
        ]
        names = list(trees)
        print(f"{'':24}" + "".join(f"{n:>14}" for n in names))
        for label, key, div, fmt in rows:
            if any(key in results[n] for n in names):
                print(f"{label:24}" + "".join(f"{fmt.format(results[n][key] / div) if key in results[n] else '-':>14}"
                                              for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
