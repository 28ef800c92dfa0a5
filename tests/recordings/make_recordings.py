"""Regenerate the demo-cluster recordings the explain and history tests read.

    .venv/bin/python tests/recordings/make_recordings.py

Each recording runs a scenario of podtui's demo cluster on a ManualClock with a fixed
seed and turns the API server's watch history into the Changes a watcher would have
delivered: every stored version of every pod and Event, in resourceVersion order,
observed at the end of the simulated step in which it was written (a watcher that
lags by up to STEP seconds). The output is byte-for-byte the same on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from podtui.clock import ManualClock  # noqa: E402
from podtui.demo.cluster import DemoCluster  # noqa: E402
from podtui.demo.scenario import load_scenario, parse_scenario  # noqa: E402
from podtui.lifecycle.changes import Change, Relist, SourceStatus  # noqa: E402
from podtui.sources.recording import Header, write_recording  # noqa: E402

EPOCH = 1_714_557_600.0  # 2024-05-01T10:00:00Z
STEP = 0.5
SEED = 7

# The default scenario covers crash loops, liveness kills, OOM, a failing postStart
# hook, a missing Secret, a bad image, init and sidecar containers, deletion, eviction
# (API and node pressure), a deadline and a readiness gate.
DEFAULT_SECONDS = 900.0

# Not in the default scenario: a startup probe that never passes (the kubelet kills
# the container after failureThreshold x periodSeconds, again and again), a container
# that dies of SIGSEGV, and a sidecar that crashes next to a healthy app.
EXTRA_SCENARIO = """
name: explain-extra
description: startup-probe kills, a crash signal and a crashing sidecar, for podtui's explain tests
pods:
  - name: startup-fail
    namespace: demo
    spec:
      containers:
        - name: jvm
          image: eclipse-temurin:21-jre
          startupProbe:
            httpGet: {path: /started, port: 8080}
            periodSeconds: 3
            failureThreshold: 5
    behavior:
      jvm:
        pull: 2s
        probes:
          startup: {pass_after: 1h, output: 'Get "http://10.244.1.7:8080/started": dial tcp 10.244.1.7:8080: connect: connection refused'}
  - name: segfault
    namespace: demo
    spec:
      containers:
        - name: native
          image: ghcr.io/example/native:0.3
    behavior:
      native: {pull: 2s, run: 8s, signal: 11}
  - name: sidecar-crash
    namespace: demo
    spec:
      initContainers:
        - name: proxy
          image: envoyproxy/envoy:v1.31
          restartPolicy: Always
      containers:
        - name: app
          image: nginx:1.27
    behavior:
      proxy: {pull: 2s, run: 20s, exit_code: 2}
      app: {pull: 2s}
"""
EXTRA_SECONDS = 300.0


def record(cluster: DemoCluster, seconds: float) -> list:
    """Run `seconds` of the cluster; the Changes a watcher would have seen."""
    items: list = [SourceStatus("live", cluster.now, resource="pods"),
                   Relist("pods", cluster.now, "start"), Relist("pods", cluster.now, "end")]
    rv = cluster.storage.resource_version
    end = cluster.now + seconds
    while cluster.now < end:
        cluster.advance(STEP)
        while True:
            batch = cluster.storage.events_since(rv, 4096)
            if not batch:
                break
            for event in batch:
                items.append(Change(event.resource, event.type, event.entry.obj, cluster.now))
            rv = batch[-1].rv
    return items


def make(name: str, cluster: DemoCluster, seconds: float, where: Path = HERE) -> Path:
    items = record(cluster, seconds)
    path = where / f"{name}.jsonl.gz"
    header = Header(context="podtui-demo", server="demo", scope={"namespace": None},
                    started=EPOCH, redacted=True)
    write_recording(path, header, items)
    return path


def make_all(where: Path = HERE) -> list[Path]:
    default = DemoCluster(load_scenario("default"), clock=ManualClock(EPOCH), seed=SEED)
    extra = DemoCluster(parse_scenario(EXTRA_SCENARIO, source="make_recordings.py"),
                        clock=ManualClock(EPOCH), seed=SEED)
    return [make("demo-default", default, DEFAULT_SECONDS, where), make("demo-extra", extra, EXTRA_SECONDS, where)]


def main() -> None:
    for path in make_all():
        print(path)


if __name__ == "__main__":
    main()
