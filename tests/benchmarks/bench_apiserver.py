"""How fast podtui's API server streams a watch: N pre-stored 5 KB pod MODIFIED events
sent over one watch connection to a raw socket reader that only counts events.

The bar (the live source's fault suite and the big-cluster benchmarks rely on it):
at least 60,000 events/s to one reader, i.e. the server is never the bottleneck.
The reader runs in this process, so it competes with the server for the GIL: the
figures are a lower bound.

Run on demand (not collected by pytest):
    .venv/bin/python tests/benchmarks/bench_apiserver.py [N ...]
"""

from __future__ import annotations

import socket
import sys
import time

import orjson

from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage
from podtui.clock import ManualClock

EVENT_BYTES = 5 * 1024


def five_kb_pod(i: int) -> dict:
    container = {
        "name": f"app-{i % 3}",
        "image": "registry.example.com/team/api:1.42.0",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"api-{i:06d}",
            "namespace": f"team-{i % 20}",
            "labels": {"app": "api", "pod-template-hash": "7d9f8c6b5"},
            "annotations": {},
        },
        "spec": {"nodeName": f"node-{i % 50}", "containers": [container, dict(container, name="sidecar")]},
        "status": {
            "phase": "Running",
            "podIP": "10.1.2.3",
            "conditions": [{"type": t, "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z"} for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 0, "state": {"running": {"startedAt": "2024-05-01T10:00:00Z"}}}
            ],
        },
    }
    pad = EVENT_BYTES - len(orjson.dumps(pod)) - 80
    pod["metadata"]["annotations"]["bench/padding"] = "x" * max(pad, 0)
    return pod


def preload(storage: Storage, n: int, pods: int = 1000) -> tuple[int, float]:
    """Create `pods` pods, then store n MODIFIED versions.

    Returns the RV before the updates and the seconds Storage.update took (the fresh
    dicts are built beforehand: callers own that cost)."""
    templates = [orjson.dumps(five_kb_pod(i)) for i in range(pods)]
    for t in templates:
        storage.create("pods", orjson.loads(t))
    start = storage.resource_version
    fresh = []
    for k in range(n):
        pod = orjson.loads(templates[k % pods])
        pod["status"]["containerStatuses"][0]["restartCount"] = k
        fresh.append(pod)
    t0 = time.perf_counter()
    for pod in fresh:
        storage.update("pods", pod)
    return start, time.perf_counter() - t0


def read_events(url: str, path: str, expect: int) -> tuple[int, int, float]:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    started = time.perf_counter()
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode())
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    events = total = 0
    last = 0
    while events < expect:
        n = sock.recv_into(buf)
        if not n:
            break
        total += n
        chunk = view[:n]
        # Each event is one JSON object ending in "}\n"; count them across reads.
        events += bytes(chunk).count(b"}\n") + (1 if last == 0x7D and chunk[0] == 0x0A else 0)
        last = chunk[n - 1]
    elapsed = time.perf_counter() - started
    sock.close()
    return events, total, elapsed


def run(n: int) -> None:
    storage = Storage(ManualClock(1_714_557_600), window=n + 10)
    start, load = preload(storage, n)
    with APIServer(storage) as server:
        events, size, elapsed = read_events(server.url, f"/api/v1/pods?watch=1&resourceVersion={start}", n)
    print(
        f"{n:>8} events  {size / n:>6.0f} B/event  store {n / load:>9,.0f} updates/s  "
        f"watch {events / elapsed:>9,.0f} events/s  {size / elapsed / 1e6:>7.1f} MB/s  ({events} read in {elapsed:.2f}s)"
    )
    if events != n:
        print(f"  !! expected {n} events, read {events}")


def live_latency(samples: int = 300) -> None:
    """Storage.update() -> the event's last byte read by a raw socket client, one at a time."""
    storage = Storage(ManualClock(1_714_557_600), window=samples + 10)
    storage.create("pods", five_kb_pod(0))
    template = orjson.dumps(five_kb_pod(0))
    with APIServer(storage) as server:
        host, port = server.url.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)))
        path = f"/api/v1/pods?watch=1&resourceVersion={storage.resource_version}"
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        sock.recv(4096)  # response headers
        delays = []
        for k in range(samples):
            pod = orjson.loads(template)
            pod["status"]["containerStatuses"][0]["restartCount"] = k
            t0 = time.perf_counter()
            storage.update("pods", pod)
            got = b""
            while not got.endswith(b"}\n\r\n"):
                got += sock.recv(1 << 16)
            delays.append(time.perf_counter() - t0)
        sock.close()
    delays.sort()
    ms = [d * 1000 for d in (delays[len(delays) // 2], delays[int(len(delays) * 0.99)], delays[-1])]
    print(f"live update -> client: median {ms[0]:.2f} ms, p99 {ms[1]:.2f} ms, max {ms[2]:.2f} ms ({samples} updates)")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [20_000, 100_000]
    for n in sizes:
        run(n)
    live_latency()


if __name__ == "__main__":
    main()
