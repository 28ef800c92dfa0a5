"""How fast a large watch is ingested, side by side: podtui's source+model, the official
client's typed `watch.Watch().stream`, and `kubectl get pods -A -w -o json`.

Every client gets the same stream over loopback from podtui's API server, which runs
in its own process (so it does not share a GIL with the client measured):

    N pods (5 KB each, bench_apiserver.five_kb_pod) are created, then M MODIFIED
    versions stored (restartCount climbs). LIST answers as of the resourceVersion
    before the updates (a consistent snapshot the server rebuilds), so a client that
    does LIST then WATCH from the list's resourceVersion - all three do - receives the
    M events as a backlog, as fast as the server writes them.

Figures are events/s over the watch phase only (from the end of the list to the M-th
event), so client start-up and discovery don't count. podtui's figure includes the
model: each batch goes through Store.apply_batch (rows, history, back-off), as in the
UI. A raw socket reader gives the server's ceiling. initial_list_s_10k is LIST of
10,000 pods (pages of 500) into the Store.

Targets: podtui >= 8x the typed client, and >= kubectl.

Run on demand (not collected by pytest):
    .venv/bin/python tests/benchmarks/bench_watch.py [--events M] [--pods N]
Importable: measure_all() returns the keys tests/benchmarks/run.py reads.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DEFAULT_EVENTS = 30_000
DEFAULT_PODS = 1_000
LIST_PODS = 10_000
TIMEOUT = 300.0


# ------------------------------------------------------------------ server process


def bench_pod(i: int) -> dict:
    """bench_apiserver's 5 KB pod, with the status fields every real kubelet fills in
    (the typed client's models reject a containerStatus without image/imageID)."""
    from bench_apiserver import five_kb_pod

    pod = five_kb_pod(i)
    for status in pod["status"]["containerStatuses"]:
        status.update(
            image="registry.example.com/team/api:1.42.0",
            imageID="registry.example.com/team/api@sha256:" + "0" * 64,
            containerID=f"containerd://{i:064x}",
            started=True,
        )
    return pod


def preload(storage, pods: int, events: int) -> int:
    """Create `pods` pods, then store `events` MODIFIED versions (restartCount climbs).
    Returns the resourceVersion before the updates."""
    import orjson

    templates = [orjson.dumps(bench_pod(i)) for i in range(pods)]
    for t in templates:
        storage.create("pods", orjson.loads(t))
    start = storage.resource_version
    for k in range(events):
        pod = orjson.loads(templates[k % pods])
        pod["status"]["containerStatuses"][0]["restartCount"] = k
        storage.update("pods", pod)
    return start


def serve(pods: int, events: int, kubeconfig: str) -> None:
    """The server side (a child process): preload, serve, stop when stdin closes."""
    from podtui.apiserver.server import APIServer
    from podtui.apiserver.storage import Storage
    from podtui.clock import ManualClock

    class SnapshotStorage(Storage):
        """Lists as of `list_at` (a real past snapshot), so watches start at the backlog."""

        list_at: int | None = None

        def page(self, *args, at=None, **kw):
            return super().page(*args, at=self.list_at if at is None else at, **kw)

    storage = SnapshotStorage(ManualClock(1_714_557_600), window=events + pods + 10)
    start = preload(storage, pods, events)
    storage.list_at = start
    server = APIServer(storage, bookmark_interval=3600).start()
    server.write_kubeconfig(kubeconfig, context="bench")
    print(f"ready {server.url} {start}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


@contextlib.contextmanager
def server_process(script: str, pods: int, events: int) -> Iterator[tuple[list[str], str]]:
    """Run `script --serve` in a child process until the block ends; yields the words of
    its "ready ..." line and the kubeconfig it wrote."""
    tmp = tempfile.mkdtemp(prefix="podtui-bench-")
    kubeconfig = os.path.join(tmp, "config")
    proc = subprocess.Popen(
        [sys.executable, script, "--serve", "--pods", str(pods), "--events", str(events), "--kubeconfig", kubeconfig],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().split()
        if not line or line[0] != "ready":
            raise RuntimeError(f"bench server {Path(script).name} did not start (said {line!r})")
        yield line, kubeconfig
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def bench_server(pods: int, events: int) -> Iterator[tuple[str, str, int]]:
    """Start the server process; yields (url, kubeconfig path, list resourceVersion)."""
    with server_process(__file__, pods, events) as (line, kubeconfig):
        yield line[1], kubeconfig, int(line[2])


# ------------------------------------------------------------------------ clients


def raw_socket_events_per_s(url: str, rv: int, events: int) -> float:
    """The server's ceiling: a reader that only counts lines."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    path = f"/api/v1/pods?watch=1&resourceVersion={rv}"
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    buf = bytearray(1 << 20)
    seen = 0
    last = 0
    t0 = time.perf_counter()
    while seen < events:
        n = sock.recv_into(buf)
        if not n:
            break
        chunk = bytes(buf[:n])
        seen += chunk.count(b"}\n") + (1 if last == 0x7D and chunk[0] == 0x0A else 0)
        last = chunk[-1]
    elapsed = time.perf_counter() - t0
    sock.close()
    return seen / elapsed


def podtui_events_per_s(kubeconfig: str, pods: int, events: int, wrap=None, cpu: list[float] | None = None) -> float:
    """LiveSource (LIST + raw WATCH) feeding Store.apply_batch, like the UI does (with its
    GC policy: the heap settled every SETTLE_INTERVAL).

    `wrap(source)` may return a Feed around the source (run.py records through it);
    `cpu` gets the process's CPU seconds over the watch phase appended."""
    from podtui.clock import SystemClock
    from podtui.heap import SETTLE_INTERVAL, settle_heap
    from podtui.lifecycle.changes import Change, Relist
    from podtui.lifecycle.store import Store
    from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
    from podtui.sources.live import LiveSource

    clock = SystemClock()
    source = LiveSource(resolve_connection(ConnectionOptions(kubeconfig=kubeconfig, all_namespaces=True), {}), clock=clock, events=False)
    store = Store(clock)
    feed = wrap(source) if wrap is not None else source
    feed.start()
    listed = False
    seen = 0
    net = 0  # pods the watch added minus pods it deleted
    started = started_cpu = 0.0
    settled = time.perf_counter()
    deadline = time.monotonic() + TIMEOUT
    try:
        while seen < events and time.monotonic() < deadline:
            source.wait(0.05)
            items = feed.poll()
            store.apply_batch(items)
            if time.perf_counter() - settled >= SETTLE_INTERVAL:
                settle_heap()  # as the UI does after each repaint
                settled = time.perf_counter()
            for item in items:
                if not listed:
                    if isinstance(item, Relist) and item.phase == "end":
                        listed = True
                        started = time.perf_counter()
                        started_cpu = time.process_time()
                elif type(item) is Change:
                    seen += 1
                    net += (item.type == "ADDED") - (item.type == "DELETED")
        elapsed = time.perf_counter() - started
        cpu_spent = time.process_time() - started_cpu
    finally:
        feed.stop()
    if seen < events:
        raise RuntimeError(f"podtui saw {seen} of {events} events")
    # A stream with replacements (the scale scenario) may stop between a pod's DELETED
    # and its successor's ADDED; tombstones don't count.
    live = sum(1 for rec in store.pods.values() if not rec.is_tombstone)
    if live != pods + net:
        raise RuntimeError(f"store holds {live} live pods, expected {pods + net}")
    if cpu is not None:
        cpu.append(cpu_spent)
    return seen / elapsed


def typed_client_events_per_s(kubeconfig: str, events: int, cpu: list[float] | None = None) -> float:
    """kubernetes.watch.Watch().stream over list_pod_for_all_namespaces: typed models.
    `cpu` gets the process's CPU seconds over the watch appended."""
    from kubernetes import client, config, watch

    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    listing = api.list_pod_for_all_namespaces(limit=500)
    while listing.metadata._continue:
        listing = api.list_pod_for_all_namespaces(limit=500, _continue=listing.metadata._continue)
    rv = listing.metadata.resource_version
    seen = 0
    w = watch.Watch()
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _event in w.stream(api.list_pod_for_all_namespaces, resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=int(TIMEOUT)):
        seen += 1
        if seen >= events:
            break
    elapsed = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(time.process_time() - c0)
    w.stop()
    api.api_client.close()
    return seen / elapsed


def kubectl_events_per_s(kubeconfig: str, pods: int, events: int, chunk_size: int = 500) -> float | None:
    """`kubectl get pods -A -w -o json`: counts printed objects. kubectl prints each
    list chunk as one PodList, so the watch phase starts after ceil(pods/chunk_size)
    objects. None when kubectl is not installed."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    list_objects = -(-pods // chunk_size)
    proc = subprocess.Popen(
        [kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-A", "-w", "-o", "json", f"--chunk-size={chunk_size}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    # A watchdog: os.read blocks, so a kubectl that stops printing is killed instead.
    watchdog = threading.Timer(TIMEOUT, proc.kill)
    watchdog.start()
    objects = 0
    started = None
    tail = b""
    try:
        fd = proc.stdout.fileno()
        while objects < list_objects + events:
            data = os.read(fd, 1 << 20)
            if not data:
                break
            # Each object is pretty-printed; its closing brace is alone on a line.
            data = tail + data
            objects += data.count(b"\n}\n")
            tail = data[-2:]
            if started is None and objects >= list_objects:
                started = time.perf_counter()
                watch_base = objects
        elapsed = time.perf_counter() - (started or time.perf_counter())
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()
    if started is None or objects < list_objects + events:
        raise RuntimeError(f"kubectl printed {objects} of {list_objects + events} objects")
    return (objects - watch_base) / elapsed


def initial_list_seconds(pods: int = LIST_PODS) -> float:
    """LIST `pods` pods in pages of 500 into the Store, from start() to the last applied."""
    with bench_server(pods, 1) as (_url, kubeconfig, _rv):
        return list_seconds(kubeconfig, pods)


def list_seconds(kubeconfig: str, pods: int) -> float:
    """LIST every pod the server holds (pages of 500) into the Store; expects `pods`."""
    from podtui.clock import SystemClock
    from podtui.lifecycle.changes import Relist
    from podtui.lifecycle.store import Store
    from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
    from podtui.sources.live import LiveSource

    clock = SystemClock()
    source = LiveSource(resolve_connection(ConnectionOptions(kubeconfig=kubeconfig, all_namespaces=True), {}), clock=clock, events=False)
    store = Store(clock)
    t0 = time.perf_counter()
    source.start()
    done = False
    deadline = time.monotonic() + TIMEOUT
    try:
        while not done and time.monotonic() < deadline:
            source.wait(0.05)
            items = source.poll()
            store.apply_batch(items)
            done = any(isinstance(i, Relist) and i.phase == "end" for i in items)
        elapsed = time.perf_counter() - t0
    finally:
        source.stop()
    if len(store.pods) != pods:
        raise RuntimeError(f"store holds {len(store.pods)} pods, expected {pods}")
    return elapsed


def measure_all(events: int = DEFAULT_EVENTS, pods: int = DEFAULT_PODS) -> dict[str, float | None]:
    """The figures tests/benchmarks/run.py reads, plus the server's ceiling.

    The process's GC is set as `podtui` sets it (relax_gc) for both Python clients."""
    from podtui.heap import relax_gc

    relax_gc()
    with bench_server(pods, events) as (url, kubeconfig, rv):
        figures: dict[str, float | None] = {
            "server_ceiling_events_per_s": raw_socket_events_per_s(url, rv, events),
            "ingest_events_per_s": podtui_events_per_s(kubeconfig, pods, events),
            "typed_client_events_per_s": typed_client_events_per_s(kubeconfig, events),
            "kubectl_events_per_s": kubectl_events_per_s(kubeconfig, pods, events),
        }
    figures["initial_list_s_10k"] = initial_list_seconds()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--pods", type=int, default=DEFAULT_PODS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.pods, args.events, args.kubeconfig)
        return
    f = measure_all(args.events, args.pods)
    podtui, typed, kubectl = f["ingest_events_per_s"], f["typed_client_events_per_s"], f["kubectl_events_per_s"]
    print(f"watch of {args.events:,} MODIFIED events (5 KB pods, {args.pods:,} pods), loopback, events/s:")
    print(f"  server ceiling (raw socket, count lines)   {f['server_ceiling_events_per_s']:>10,.0f}")
    print(f"  podtui source + model (ingest)             {podtui:>10,.0f}")
    print(f"  official client, typed Watch().stream      {typed:>10,.0f}   podtui is {podtui / typed:.1f}x (target >= 8x)")
    if kubectl is None:
        print("  kubectl get pods -A -w -o json             (kubectl not installed)")
    else:
        print(f"  kubectl get pods -A -w -o json             {kubectl:>10,.0f}   podtui is {podtui / kubectl:.2f}x (target >= 1x)")
    print(f"initial list of {LIST_PODS:,} pods into the store: {f['initial_list_s_10k']:.2f} s")


if __name__ == "__main__":
    main()
