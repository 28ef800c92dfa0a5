"""Every podtui benchmark in one run, side by side: one table, optionally one JSON file.

    .venv/bin/python tests/benchmarks/run.py [--quick] [--json FILE]

These machines are noisy (2 cores, shared), so the figures are only comparable when
they come from the same run: podtui, the official client's typed watch and kubectl read
the same stream from the same server process, one after another, and the recorder's
overhead comes from interleaved repeats. The full run streams 30,000 events past
10,000 pods, in under 10 minutes on the machine in the README; `--quick` streams 4,000
past 1,000 in under 2 (the list, memory and UI figures use 10,000 pods in both).
Not collected by pytest.

What runs against what
----------------------
The demo cluster's `scale` scenario (podtui/demo/scale.py: running pods over 20
namespaces, churn of readiness flips, restarts and replacements; each pod about 4.5 KB
of JSON with what a real cluster's pods carry: managedFields, the token volume, env,
resources, probes) runs in a child
process, on a ManualClock, and its API server serves it on loopback. The child creates
the pods, then runs the churn until it has written the backlog of pod watch events,
and lists as of the resourceVersion before the churn (a real past snapshot). Every
client then does what it always does - a paged LIST, then WATCH from the list's
resourceVersion - and receives the churn as a backlog, as fast as the server sends it.

Why a backlog and not the live churn: a throughput figure needs more events than the
client can take. The scale scenario's churn is paced (2,000 events/s by default), so a
client that keeps up would only measure the pace. Preloading what the same scenario
would have produced over the next simulated seconds gives the same objects and the
same mix (about 80% MODIFIED, 10% ADDED, 10% DELETED: a replacement takes a pod
through Terminating and a new one through Pending, scheduled, ContainerCreating,
Running and Ready), with no ceiling but the
server's; the server runs in its own process so it doesn't share a GIL with the
client measured.

  model_events_per_s         the backlog's watch lines, decoded by the pod decoder in
                             batches of 500 outside the timer, applied to a Store holding
                             the listed pods (diff, history, kubectl row): the model alone,
                             per CPU-second of its thread (the wall-clock rate is in "extra").
  ingest_events_per_s        LiveSource (LIST + raw WATCH) feeding Store.apply_batch, which
                             decodes each change as it applies it
                             (bench_watch.podtui_events_per_s), from the end of the list to
                             the last backlog event; the median of every unrecorded run.
  typed_client_events_per_s  kubernetes.watch.Watch().stream over list_pod_for_all_namespaces;
                             three runs alternating with podtui's, the median
  kubectl_events_per_s       kubectl get pods -A -w -o json, counting printed objects
  initial_list_s_10k         another child: 10,000 scale pods and no churn; start() to the
                             last pod in the Store, pages of 500. The typed client's and
                             kubectl's LIST of the same pods are timed beside it.
  rss_mb_10k                 a fresh process (imports textual, like the app) lists those
                             10,000 pods into a Store: VmRSS with the source still watching.
  rss_mb_per_1k_history      then readiness flips (the scale scenario's most common write)
                             are applied as watch lines through the same pod decoder; RSS
                             growth per 1,000 history entries added.
  record_overhead_pct        ingest with the recorder on (RecordingFeed, its writer thread)
                             vs off, plain and gzip files, interleaved, medians of whole
                             runs (list, watch, writer drained); the key is for gzip. The
                             writer's CPU per item, measured alone, is reported beside it;
                             bench_recorder.py splits the recorder process's CPU by stage.
  ui_*, terminal_*           bench_ui.measure_ui: the real app on a 200x50 pty with 10,000
                             pods under 1,000 events/s.

The UI figures are the exception: bench_ui feeds the app from a paced synthetic feed
(bench_model's 5 KB pods changed the way a kubelet changes them), not from the scale
scenario, because the measurement needs control the scenario does not give: exactly
1,000 events/s for seconds on end after a warm-up, every change aimed at rows that are
off-screen (terminal_bytes_per_s) or on screen (..._visible), and known row names for
the keypress probe. The scale churn picks pods at random, so it would mix both.

The process's garbage collector is set the way `podtui` sets it (podtui/heap.py:
relax_gc; podtui's consumers also settle the heap as the UI does), which helps the
typed client as much as podtui.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

SIM_START = 1_714_557_600.0  # 2024-05-01T10:00:00Z, the scale cluster's ManualClock
SEED = 1
CHURN = 2000.0  # the scale scenario's default, watch events per simulated second
PAGE = 500
MODEL_BATCH = 500  # as the UI drains its queue: decoded a batch at a time
# record_overhead_pct is for `--record FILE.gz`: a plain file takes ~10x the disk
# (about 10 MB/s at 1,000 events/s of scale pods), which no one should leave running.
RECOMMENDED_RECORDING = "gzip"


@dataclass(frozen=True, slots=True)
class Plan:
    pods: int  # pods behind the watch benchmarks
    events: int  # backlog of pod watch events every client reads
    list_pods: int  # initial list / RSS
    model_repeats: int
    record_repeats: int
    history_events: int  # MODIFIED events applied for rss_mb_per_1k_history
    ui_seconds: float
    ui_keys: int
    side_extras: bool  # also: the typed client's and kubectl's LIST, the model on 5 KB pods


QUICK = Plan(pods=1_000, events=4_000, list_pods=10_000, model_repeats=2, record_repeats=3,
             history_events=10_000, ui_seconds=3.0, ui_keys=12, side_extras=False)
FULL = Plan(pods=10_000, events=30_000, list_pods=10_000, model_repeats=3, record_repeats=7,
            history_events=50_000, ui_seconds=10.0, ui_keys=30, side_extras=True)
MODEL_5KB_EVENTS = 15_000
TYPED_REPEATS = 3

# key -> (comparison, bound, how the target reads)
TARGETS: dict[str, tuple[str, float, str]] = {
    "model_events_per_s": (">=", 40_000, ">= 40,000/s"),
    "initial_list_s_10k": ("<=", 3.0, "<= 3 s"),
    "rss_mb_10k": ("<=", 300.0, "<= 300 MB"),
    "ui_tick_ms_median": ("<=", 20.0, "<= 20 ms"),
    "ui_key_latency_ms_p95": ("<=", 100.0, "<= 100 ms"),
    "terminal_bytes_per_s": ("<=", 20_000, "<= 20 KB/s"),
    "record_overhead_pct": ("<=", 10.0, "<= 10 %"),
}
RATIO_TARGETS = {"podtui/typed": 8.0, "podtui/kubectl": 1.0}

KEYS = (
    "model_events_per_s", "ingest_events_per_s", "typed_client_events_per_s", "kubectl_events_per_s",
    "initial_list_s_10k", "rss_mb_10k", "rss_mb_per_1k_history", "ui_tick_ms_median",
    "ui_key_latency_ms_p95", "terminal_bytes_per_s", "terminal_bytes_per_s_visible", "record_overhead_pct",
)


# ---------------------------------------------------------------- the scale server (child)


def serve(pods: int, events: int, kubeconfig: str) -> None:
    """Child process: the scale scenario with `events` pod writes of churn stored as a
    backlog, listed as of before the churn; serves until stdin closes."""
    from podtui.clock import ManualClock
    from podtui.demo.cluster import DemoCluster
    from podtui.demo.scenario import ScaleSettings

    cluster = DemoCluster("scale", clock=ManualClock(SIM_START), seed=SEED,
                          scale=ScaleSettings(pods=pods, churn=CHURN),
                          storage_window=pods + 2 * events + 10_000)
    cluster.advance(0.01)  # the pods; churn starts a tick later
    storage = cluster.storage
    list_at = storage.resource_version
    before = cluster.world.writes
    while cluster.world.writes - before < events:
        cluster.advance(0.5)
    backlog = cluster.world.writes - before
    page = storage.page
    # A LIST without resourceVersion answers as of list_at, so every client's WATCH
    # (from the list's resourceVersion) starts with the whole backlog.
    storage.page = lambda *a, at=None, **kw: page(*a, at=list_at if at is None else at, **kw)
    cluster.start(drive=False)
    cluster.server.bookmark_interval = 3600.0  # a bookmark would count as an event in the typed client
    cluster.write_kubeconfig(kubeconfig, context="bench")
    print(f"ready {cluster.url} {list_at} {backlog} {cluster.elapsed:.3f}", flush=True)
    sys.stdin.read()
    cluster.stop()


@dataclass(frozen=True, slots=True)
class ScaleServer:
    url: str
    kubeconfig: str
    list_rv: int
    backlog: int  # pod watch events after list_rv
    sim_seconds: float  # simulated time the backlog spans (plus the 0.01 s of creation)


@contextlib.contextmanager
def scale_server(pods: int, events: int) -> Iterator[ScaleServer]:
    import bench_watch

    with bench_watch.server_process(__file__, pods, events) as (line, kubeconfig):
        if len(line) != 5:
            raise RuntimeError(f"the scale server did not start (said {line!r})")
        yield ScaleServer(line[1], kubeconfig, int(line[2]), int(line[3]), float(line[4]))


# ------------------------------------------------------------------------ model


def fetch_stream(server: ScaleServer, events: int) -> tuple[list[bytes], list[bytes]]:
    """The listed pods (each as its own line, as the live source wraps list items) and
    the first `events` watch lines, raw, as served."""
    import orjson
    import urllib3

    from podtui.sources.decode import decode_list, wrap_item

    http = urllib3.PoolManager()
    pods: list[bytes] = []
    token = ""
    while True:
        query = f"limit={PAGE}" + (f"&continue={token}" if token else "")
        page = http.request("GET", f"{server.url}/api/v1/pods?{query}").data
        pods.extend(wrap_item(item, "Pod") for item in decode_list(page)["items"])
        token = orjson.loads(page)["metadata"].get("continue") or ""
        if not token:
            break
    resp = http.request("GET", f"{server.url}/api/v1/pods?watch=1&resourceVersion={server.list_rv}",
                        preload_content=False)
    lines: list[bytes] = []
    tail = b""
    for chunk in resp.stream(1 << 16):
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        lines.extend(p for p in parts if p)
        if len(lines) >= events:
            break
    resp.release_conn()
    http.clear()
    if len(lines) < events:
        raise RuntimeError(f"the watch gave {len(lines)} of {events} lines")
    return pods, lines[:events]


def model_rate(listed: list[bytes], lines: list[bytes], t0: float, step: float) -> tuple[float, float, int]:
    """Store.apply on decoded watch events: events per CPU-second of this thread,
    events per wall-clock second, and history entries built.

    Decoding (the pod decoder, as the live source's consumer runs it) happens per batch
    just outside the timer, so each batch is as warm in the cache as the consumer
    would have it. The GC runs podtui's policy (podtui/heap.py). CPU time is the
    headline: the model is one thread in this process, and on a shared machine the
    wall clock also counts the time other processes had the core."""
    import orjson

    from podtui.clock import ManualClock
    from podtui.heap import SETTLE_INTERVAL, settle_heap
    from podtui.lifecycle.changes import ADDED, DELETED, PODS, Change
    from podtui.lifecycle.store import Store
    from podtui.sources.decode import PodDecoder

    decoder = PodDecoder()
    store = Store(ManualClock(t0))
    for line in listed:
        store.apply(Change(PODS, ADDED, decoder.object(line), t0, raw=line))
    store.take_dirty()
    before = sum(len(r.history) for r in store.pods.values())
    settle_heap()
    settled = time.perf_counter()
    apply = store.apply
    elapsed = cpu = 0.0
    for start in range(0, len(lines), MODEL_BATCH):
        batch = []
        for k, line in enumerate(lines[start:start + MODEL_BATCH], start):
            kind = orjson.loads(line)["type"]
            obj = (decoder.object_gone if kind == DELETED else decoder.object)(line)
            batch.append(Change(PODS, kind, obj, t0 + k * step, raw=line))
        c = time.thread_time()
        t = time.perf_counter()
        for change in batch:
            apply(change)
        if t - settled >= SETTLE_INTERVAL:
            settle_heap()  # as the UI does after each repaint; its cost counts
            settled = time.perf_counter()
        elapsed += time.perf_counter() - t
        cpu += time.thread_time() - c
    if store.problems:
        raise RuntimeError(f"the model reported problems: {list(store.problems)[:3]}")
    built = sum(len(r.history) for r in store.pods.values()) - before
    return len(lines) / cpu, len(lines) / elapsed, built


def measure_model(server: ScaleServer, plan: Plan, out: dict, extra: dict) -> None:
    listed, lines = fetch_stream(server, plan.events)
    step = server.sim_seconds / server.backlog
    rates, wall = [], []
    for _ in range(plan.model_repeats):
        rate, wall_rate, built = model_rate(listed, lines, SIM_START + 0.01, step)
        rates.append(rate)
        wall.append(wall_rate)
    out["model_events_per_s"] = statistics.median(rates)
    extra["model_events_per_s_wall_clock"] = statistics.median(wall)
    extra["model_history_entries_per_event"] = built / len(lines)
    extra["scale_watch_line_bytes_mean"] = sum(map(len, lines)) / len(lines)


def measure_model_5kb(plan: Plan, extra: dict) -> None:
    """bench_model's stream (5 KB pods, 3 containers with probes) through the same loop."""
    from bench_model import T0, build_stream

    initial, lines = build_stream(2_000, MODEL_5KB_EVENTS)
    rates = [model_rate(initial, lines, T0, 0.01)[0] for _ in range(plan.model_repeats)]
    extra["model_events_per_s_5kb_pods"] = statistics.median(rates)


# ------------------------------------------------------------------- watch clients


def measure_watch(server: ScaleServer, plan: Plan, out: dict, extra: dict, notes: list[str],
                  ingest_runs: list[float], ingest_cpu: list[float]) -> None:
    """The three clients on the same backlog. Besides events/s, the two Python clients'
    events per CPU-second of this process (watch phase): a ratio that load from other
    processes disturbs less than the wall clock."""
    import bench_watch

    events = plan.events
    extra["server_ceiling_events_per_s"] = bench_watch.raw_socket_events_per_s(server.url, server.list_rv, events)
    # podtui and the typed client alternate, three runs each, medians: one slow spell
    # on this shared machine must not decide the ratio.
    typed_runs: list[float] = []
    typed_cpu: list[float] = []
    for _ in range(TYPED_REPEATS):
        ingest_runs.append(bench_watch.podtui_events_per_s(server.kubeconfig, plan.pods, events, cpu=ingest_cpu))
        typed_runs.append(bench_watch.typed_client_events_per_s(server.kubeconfig, events, cpu=typed_cpu))
    out["ingest_events_per_s"] = statistics.median(ingest_runs)
    out["typed_client_events_per_s"] = statistics.median(typed_runs)
    extra["typed_client_events_per_s_runs"] = typed_runs
    extra["typed_client_events_per_cpu_s"] = events / statistics.median(typed_cpu)
    extra["ingest_events_per_cpu_s"] = events / statistics.median(ingest_cpu)
    out["kubectl_events_per_s"] = bench_watch.kubectl_events_per_s(server.kubeconfig, plan.pods, events, PAGE)
    if out["kubectl_events_per_s"] is None:
        notes.append("kubectl_events_per_s: null because kubectl is not on PATH")


WRITER_ITEMS = 5_000


def writer_cpu_per_item(server: ScaleServer, tmp: Path, repeats: int) -> dict[str, float]:
    """CPU seconds the RecordingWriter spends per item, alone in the process (the
    steady figure: the end-to-end overhead swings with the machine's load)."""
    import orjson

    from podtui.lifecycle.changes import PODS, Change
    from podtui.sources.recording import Header, RecordingWriter

    _listed, lines = fetch_stream(server, min(WRITER_ITEMS, server.backlog))
    items = []
    for k, line in enumerate(lines):
        ev = orjson.loads(line)
        # As the live source hands them over: with the line read off the wire.
        items.append(Change(PODS, ev["type"], ev["object"], SIM_START + k * 0.001, raw=line.rstrip(b"\n")))
    gc.collect()
    costs: dict[str, list[float]] = {"plain": [], "gzip": []}  # podtui's process: what ingest pays
    recorder: dict[str, list[float]] = {"plain": [], "gzip": []}  # the recorder process, on another core
    for r in range(repeats):
        for mode, runs in costs.items():
            path = tmp / (f"writer-{r}.jsonl" + (".gz" if mode == "gzip" else ""))
            c = time.process_time()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            writer = RecordingWriter(path, Header())
            for start in range(0, len(items), PAGE):
                writer.write(items[start:start + PAGE])
            writer.close()
            runs.append((time.process_time() - c) / len(items))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            recorder[mode].append((after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) / len(items))
            path.unlink()
    out = {mode: statistics.median(runs) for mode, runs in costs.items()}
    out.update({f"{mode}_recorder_process": statistics.median(runs) for mode, runs in recorder.items()})
    return out


def measure_record(server: ScaleServer, plan: Plan, out: dict, extra: dict, ingest_runs: list[float],
                   ingest_cpu: list[float]) -> None:
    """Ingest with the recorder off / plain / gzip, interleaved; medians.

    Each run is timed whole, from the source's start through the list and the watch
    backlog to stop(), which waits for the writer to have written everything: the
    writer batches in the background (up to 2,048 items or a second), so timing only
    the watch phase would count the tail of the list's writes in it and leave the
    last batch of events outside. The slowdown is wall-clock time, as the user waits
    it; the CPU time of the process (writer thread included) is reported beside it:
    on a busy 2-core machine there is no idle core to hide the writer in, so the two
    differ less than they would on a workstation."""
    import bench_watch

    from podtui.clock import SystemClock
    from podtui.sources.recording import start_recording

    tmp = Path(tempfile.mkdtemp(prefix="podtui-bench-rec-"))
    rates: dict[str, list[float]] = {"off": [], "plain": [], "gzip": []}  # watch phase, events/s
    wall: dict[str, list[float]] = {mode: [] for mode in rates}  # whole runs, seconds
    cpu: dict[str, list[float]] = {mode: [] for mode in rates}
    watch_cpu: list[float] = []
    sizes: dict[str, int] = {}
    try:
        for r in range(plan.record_repeats):
            for mode in rates:
                feeds = []

                def wrap(source, mode=mode, r=r, feeds=feeds):
                    if mode == "off":
                        return source
                    name = f"rec-{r}.jsonl" + (".gz" if mode == "gzip" else "")
                    feed = start_recording(source, tmp / name, SystemClock())
                    feeds.append(feed)
                    return feed

                t, c = time.perf_counter(), time.process_time()
                rates[mode].append(bench_watch.podtui_events_per_s(server.kubeconfig, plan.pods, plan.events, wrap=wrap,
                                                                   cpu=watch_cpu if mode == "off" else None))
                wall[mode].append(time.perf_counter() - t)
                cpu[mode].append(time.process_time() - c)
                for feed in feeds:  # stop() closed the writer: everything must be on disk
                    if feed.writer.error or feed.writer.items_written < plan.events + plan.pods:
                        raise RuntimeError(f"the {mode} recording is incomplete: {feed.writer.items_written} "
                                           f"items written, {feed.writer.error or 'no error'}")
                    sizes[mode] = feed.writer.path.stat().st_size
        writer_cpu = writer_cpu_per_item(server, tmp, plan.record_repeats)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    off_wall = statistics.median(wall["off"])
    off_cpu = statistics.median(cpu["off"])
    for mode in ("plain", "gzip"):
        extra[f"record_overhead_pct_{mode}"] = (statistics.median(wall[mode]) / off_wall - 1) * 100
        extra[f"record_cpu_overhead_pct_{mode}"] = (statistics.median(cpu[mode]) / off_cpu - 1) * 100
        extra[f"record_bytes_per_item_{mode}"] = sizes[mode] / (plan.events + plan.pods)
    extra["record_runs_s"] = {mode: [round(t, 2) for t in runs] for mode, runs in wall.items()}
    ingest_runs.extend(rates["off"])
    ingest_cpu.extend(watch_cpu)
    out["ingest_events_per_s"] = statistics.median(ingest_runs)
    extra["ingest_runs_events_per_s"] = [round(r) for r in ingest_runs]
    extra["ingest_events_per_cpu_s"] = plan.events / statistics.median(ingest_cpu)
    for mode, seconds in writer_cpu.items():
        extra[f"record_writer_cpu_us_per_item_{mode}"] = seconds * 1e6
        if not mode.endswith("_recorder_process"):
            # What the writer adds to ingest's CPU per event, each measured on its own.
            extra[f"record_writer_cpu_pct_of_ingest_{mode}"] = seconds * extra["ingest_events_per_cpu_s"] * 100
    off_runs = wall["off"]
    extra["record_off_runs_spread_pct"] = (max(off_runs) / min(off_runs) - 1) * 100
    out["record_overhead_pct"] = extra[f"record_overhead_pct_{RECOMMENDED_RECORDING}"]


# ---------------------------------------------------------------------- initial list


def typed_list_seconds(kubeconfig: str) -> float:
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    t0 = time.perf_counter()
    listing = api.list_pod_for_all_namespaces(limit=PAGE)
    while listing.metadata._continue:
        listing = api.list_pod_for_all_namespaces(limit=PAGE, _continue=listing.metadata._continue)
    elapsed = time.perf_counter() - t0
    api.api_client.close()
    return elapsed


def kubectl_list_seconds(kubeconfig: str) -> float | None:
    """`kubectl get pods -A -o json`, process start to exit (output discarded)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    t0 = time.perf_counter()
    subprocess.run([kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", "json", f"--chunk-size={PAGE}"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=300)
    return time.perf_counter() - t0


def measure_list(server: ScaleServer, plan: Plan, out: dict, extra: dict) -> None:
    import bench_watch

    out["initial_list_s_10k"] = bench_watch.list_seconds(server.kubeconfig, plan.list_pods)
    if plan.side_extras:
        extra["initial_list_s_10k_typed_client"] = typed_list_seconds(server.kubeconfig)
        extra["initial_list_s_10k_kubectl"] = kubectl_list_seconds(server.kubeconfig)


# ------------------------------------------------------------------------ memory (child)


def vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def flipped(obj: dict, at: float, rv: int) -> dict:
    """A fresh copy of a scale pod with its readiness flipped, as ScaleWorld writes it."""
    import orjson

    from podtui.lifecycle.times import format_ts

    pod = orjson.loads(orjson.dumps(obj))
    status = pod["status"]
    container = status["containerStatuses"][0]
    ready = not container["ready"]
    container["ready"] = ready
    stamp = format_ts(at)
    for cond in status["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond["status"] = "True" if ready else "False"
            cond["lastTransitionTime"] = stamp
            if ready:
                cond.pop("reason", None)
                cond.pop("message", None)
            else:
                cond["reason"] = "ContainersNotReady"
                cond["message"] = f"containers with unready status: [{container['name']}]"
    pod["metadata"]["resourceVersion"] = str(rv)
    return pod


def rss_child(kubeconfig: str, pods: int, history_events: int) -> None:
    """Child process: prints the memory figures as one JSON line."""
    import orjson
    import textual.app  # noqa: F401 - the app's process carries textual; count it

    from podtui.clock import SystemClock
    from podtui.lifecycle.changes import MODIFIED, PODS, Change, Relist
    from podtui.lifecycle.store import Store
    from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
    from podtui.heap import relax_gc
    from podtui.sources.live import LiveSource
    from podtui.ui.app import PodtuiApp  # noqa: F401

    relax_gc()
    gc.collect()
    baseline = vm_rss_mb()
    clock = SystemClock()
    source = LiveSource(resolve_connection(ConnectionOptions(kubeconfig=kubeconfig, all_namespaces=True), {}),
                        clock=clock, events=False)
    store = Store(clock)
    source.start()
    done = False
    deadline = time.monotonic() + 300
    while not done and time.monotonic() < deadline:
        source.wait(0.05)
        items = source.poll()
        store.apply_batch(items)
        done = any(isinstance(i, Relist) and i.phase == "end" for i in items)
    if len(store.pods) != pods:
        raise SystemExit(f"store holds {len(store.pods)} pods, expected {pods}")
    store.take_dirty()
    gc.collect()
    with_pods = vm_rss_mb()
    source.stop()
    decode = source.reflectors[0].decode_object  # the pod decoder the list went through
    del source, items
    gc.collect()
    before_rss = vm_rss_mb()
    records = list(store.pods.values())
    before_entries = sum(len(r.history) for r in records)
    at = SIM_START + 60.0
    rv = 10_000_000
    for k in range(history_events):
        rec = records[k % len(records)]
        at += 0.01
        rv += 1
        # As a watch delivers it: a line, decoded as the live source's consumer does.
        line = orjson.dumps({"type": MODIFIED, "object": flipped(rec.obj, at, rv)})
        store.apply(Change(PODS, MODIFIED, None, at, raw=line, decode=decode))
    store.take_dirty()
    gc.collect()
    after_rss = vm_rss_mb()
    added = sum(len(r.history) for r in records) - before_entries
    print(json.dumps({
        "rss_mb_baseline": baseline,
        "rss_mb_10k": with_pods,
        "rss_mb_per_1k_history": (after_rss - before_rss) / (added / 1000) if added else None,
        "history_entries_added": added,
        "problems": len(store.problems),
    }))


def measure_rss(server: ScaleServer, plan: Plan, out: dict, extra: dict) -> None:
    done = subprocess.run(
        [sys.executable, __file__, "--rss", "--kubeconfig", server.kubeconfig, "--pods", str(plan.list_pods),
         "--events", str(plan.history_events)],
        capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the memory child failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["problems"]:
        raise RuntimeError(f"the model reported {figures['problems']} problems in the memory child")
    out["rss_mb_10k"] = figures["rss_mb_10k"]
    out["rss_mb_per_1k_history"] = figures["rss_mb_per_1k_history"]
    extra["rss_mb_baseline_imports"] = figures["rss_mb_baseline"]
    extra["rss_history_entries_added"] = figures["history_entries_added"]


# ------------------------------------------------------------------------------- UI


def measure_ui(plan: Plan, out: dict, extra: dict) -> None:
    import bench_ui

    figures = bench_ui.measure_ui(pods=10_000, rate=1_000, seconds=plan.ui_seconds, keys=plan.ui_keys)
    for key in ("ui_tick_ms_median", "ui_key_latency_ms_p95", "terminal_bytes_per_s", "terminal_bytes_per_s_visible"):
        out[key] = figures[key]
    for key, value in figures.items():
        if key not in out:
            extra[key] = value


# --------------------------------------------------------------------------- report


def machine(load_start: tuple[float, float, float]) -> dict:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "commit": git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def git_commit() -> str | None:
    """HEAD, marked "+dirty" when the working tree differs (the tree is shared)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def ratios(out: dict) -> dict[str, float | None]:
    ingest = out.get("ingest_events_per_s")

    def over(key: str) -> float | None:
        other = out.get(key)
        return ingest / other if ingest and other else None

    return {"podtui/typed": over("typed_client_events_per_s"), "podtui/kubectl": over("kubectl_events_per_s")}


def verdicts(out: dict, side: dict) -> dict[str, str]:
    result = {}
    for key, (op, bound, _text) in TARGETS.items():
        value = out.get(key)
        if value is not None:
            result[key] = "PASS" if (value >= bound if op == ">=" else value <= bound) else "MISS"
    for name, bound in RATIO_TARGETS.items():
        if side.get(name) is not None:
            result[name] = "PASS" if side[name] >= bound else "MISS"
    return result


UNITS = {
    "model_events_per_s": "{:,.0f} /s", "ingest_events_per_s": "{:,.0f} /s",
    "typed_client_events_per_s": "{:,.0f} /s", "kubectl_events_per_s": "{:,.0f} /s",
    "initial_list_s_10k": "{:.2f} s", "rss_mb_10k": "{:.0f} MB", "rss_mb_per_1k_history": "{:.2f} MB",
    "ui_tick_ms_median": "{:.1f} ms", "ui_key_latency_ms_p95": "{:.0f} ms",
    "terminal_bytes_per_s": "{:,.0f} B/s", "terminal_bytes_per_s_visible": "{:,.0f} B/s",
    "record_overhead_pct": "{:+.1f} %",
}


def fmt(key: str, value: float | None) -> str:
    return "n/a" if value is None else UNITS.get(key, "{:,.2f}").format(value)


def table(out: dict, side: dict, verdict: dict, extra: dict) -> str:
    rows = [("metric", "value", "target", "verdict")]
    for key in KEYS:
        target = TARGETS.get(key)
        if target:
            op, bound, text = target
            value = out.get(key)
            ratio = ""
            if value:
                ratio = f" ({value / bound:.2f}x)" if op == ">=" else f" ({value / bound:.0%} of it)"
            rows.append((key, fmt(key, value), text, verdict.get(key, "n/a") + ratio))
        elif key == "ingest_events_per_s":
            rows.append((key, fmt(key, out.get(key)), ">= 8x typed, >= kubectl",
                         " ".join(verdict.get(n, "n/a") for n in RATIO_TARGETS)))
        else:
            rows.append((key, fmt(key, out.get(key)), "-", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) if i != 1 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("side by side (same stream, same run):")
    for name, bound in RATIO_TARGETS.items():
        value = side.get(name)
        shown = f"{value:.1f}x" if value is not None else "n/a"
        lines.append(f"  {name:<16} {shown:>8}   target >= {bound:g}x  {verdict.get(name, 'n/a')}")
    if extra.get("ingest_events_per_cpu_s") and extra.get("typed_client_events_per_cpu_s"):
        cpu_ratio = extra["ingest_events_per_cpu_s"] / extra["typed_client_events_per_cpu_s"]
        lines.append(f"  {'per CPU-second':<16} {cpu_ratio:>7.1f}x  podtui/typed ({extra['ingest_events_per_cpu_s']:,.0f} vs "
                     f"{extra['typed_client_events_per_cpu_s']:,.0f} events per CPU-second of the process)")
    if extra.get("server_ceiling_events_per_s"):
        lines.append(f"  {'server ceiling':<16} {extra['server_ceiling_events_per_s']:>8,.0f}/s (raw socket, counts lines)")
    for label, key in (("list 10k: typed", "initial_list_s_10k_typed_client"), ("list 10k: kubectl", "initial_list_s_10k_kubectl")):
        if extra.get(key) is not None:
            lines.append(f"  {label:<16} {extra[key]:>8.2f} s (podtui {fmt('initial_list_s_10k', out.get('initial_list_s_10k'))})")
    for mode in ("plain", "gzip"):
        key = f"record_overhead_pct_{mode}"
        if extra.get(key) is not None:
            lines.append(f"  record {mode:<9} {extra[key]:>+7.1f} %  wall clock, {extra[f'record_cpu_overhead_pct_{mode}']:+.1f} % CPU, "
                         f"{extra[f'record_bytes_per_item_{mode}']:,.0f} B/item on disk")
    if extra.get("record_writer_cpu_us_per_item_gzip"):
        lines.append(f"  writer alone     {extra['record_writer_cpu_us_per_item_plain']:.0f} us plain, "
                     f"{extra['record_writer_cpu_us_per_item_gzip']:.0f} us gzip CPU per item = "
                     f"{extra['record_writer_cpu_pct_of_ingest_plain']:.0f} % / {extra['record_writer_cpu_pct_of_ingest_gzip']:.0f} % "
                     f"of ingest's CPU per event; unrecorded runs spread {extra['record_off_runs_spread_pct']:.0f} %")
        if "record_writer_cpu_us_per_item_gzip_recorder_process" in extra:
            lines.append(f"  recorder process {extra['record_writer_cpu_us_per_item_plain_recorder_process']:.0f} us plain, "
                         f"{extra['record_writer_cpu_us_per_item_gzip_recorder_process']:.0f} us gzip CPU per item, "
                         "in its own process (decode, redact, encode, compress)")
    if extra.get("model_events_per_s_5kb_pods"):
        lines.append(f"  model, 5 KB pods {extra['model_events_per_s_5kb_pods']:>8,.0f}/s (bench_model's 3-container pods)")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def attempt(name: str, keys: tuple[str, ...], fn: Callable[[], None], out: dict, notes: list[str], log) -> None:
    """Run one part; on failure its keys become null and the reason goes to notes."""
    t0 = time.monotonic()
    log(f"- {name} ...")
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
        for key in keys:
            out.setdefault(key, None)
        reason = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
        notes.append(f"{', '.join(keys)}: null because {name} failed: {reason}")
        log(traceback.format_exc())
    log(f"  {name}: {time.monotonic() - t0:.0f} s")


def run(plan: Plan, log) -> dict:
    from podtui.heap import relax_gc

    relax_gc()
    load_start = os.getloadavg()
    started = time.monotonic()
    out: dict[str, float | None] = {}
    extra: dict[str, float | None] = {}
    notes: list[str] = []
    watch_keys = ("model_events_per_s", "ingest_events_per_s", "typed_client_events_per_s", "kubectl_events_per_s",
                  "record_overhead_pct")
    ingest_runs: list[float] = []  # podtui without the recorder, every run on the same stream
    ingest_cpu: list[float] = []

    def watch_part() -> None:
        with scale_server(plan.pods, plan.events) as server:
            extra["stream"] = (f"scale scenario: {plan.pods:,} pods, backlog of {server.backlog:,} pod watch events "
                               f"over {server.sim_seconds:.1f} simulated s; each client reads the first {plan.events:,}")
            attempt("model", ("model_events_per_s",), lambda: measure_model(server, plan, out, extra), out, notes, log)
            attempt("watch clients", watch_keys[1:4], lambda: measure_watch(server, plan, out, extra, notes, ingest_runs, ingest_cpu), out, notes, log)
            attempt("recording", ("record_overhead_pct",), lambda: measure_record(server, plan, out, extra, ingest_runs, ingest_cpu), out, notes, log)

    def list_part() -> None:
        with scale_server(plan.list_pods, 0) as server:
            attempt("initial list", ("initial_list_s_10k",), lambda: measure_list(server, plan, out, extra), out, notes, log)
            attempt("memory", ("rss_mb_10k", "rss_mb_per_1k_history"), lambda: measure_rss(server, plan, out, extra),
                    out, notes, log)

    attempt("scale server for the watch stream", watch_keys, watch_part, out, notes, log)
    attempt("scale server for the 10k list", ("initial_list_s_10k", "rss_mb_10k", "rss_mb_per_1k_history"), list_part,
            out, notes, log)
    if plan.side_extras:
        attempt("model on 5 KB pods", (), lambda: measure_model_5kb(plan, extra), out, notes, log)
    attempt("UI", ("ui_tick_ms_median", "ui_key_latency_ms_p95", "terminal_bytes_per_s", "terminal_bytes_per_s_visible"),
            lambda: measure_ui(plan, out, extra), out, notes, log)

    if out.get("ui_tick_ms_median") is not None:
        notes.append("ui_*, terminal_*: bench_ui's paced synthetic feed (5 KB pods), not the scale scenario; "
                     "run.py's docstring says why")
    side = ratios(out)
    verdict = verdicts(out, side)
    for key, v in verdict.items():
        if v == "MISS":
            target = TARGETS[key][2] if key in TARGETS else f">= {RATIO_TARGETS[key]:g}x"
            value = fmt(key, out.get(key)) if key in out else f"{side[key]:.2f}x"
            notes.append(f"{key}: MISS, {value} against {target} (README, Benchmarks, says what limits it)")
    return {
        **{key: out.get(key) for key in KEYS},
        "ratios": side,
        "verdicts": verdict,
        "extra": extra,
        "mode": "quick" if plan is QUICK else "full",
        "plan": {f: getattr(plan, f) for f in plan.__dataclass_fields__},
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine(load_start),
        "notes": notes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller streams and shorter UI runs (under 2 minutes)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures, the machine and notes to FILE")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rss", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pods", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.pods, args.events, args.kubeconfig)
        return 0
    if args.rss:
        rss_child(args.kubeconfig, args.pods, args.events)
        return 0

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    plan = QUICK if args.quick else FULL
    result = run(plan, log)
    m = result["machine"]
    print(f"podtui benchmarks ({result['mode']}, {result['seconds']:.0f} s) at {m['commit']} on {m['cpu']}, "
          f"{m['cores']} cores, Python {m['python']}, {m['date']}, "
          f"load {m['load_average_start'][0]:.2f} -> {m['load_average_end'][0]:.2f}")
    print(result["extra"].get("stream", ""))
    print()
    print(table(result, result["ratios"], result["verdicts"], result["extra"]))
    if result["notes"]:
        print("\nnotes:")
        for note in result["notes"]:
            print(f"  - {note}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
