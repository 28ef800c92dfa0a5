"""Probes on their real timing: the worker's period grid, initialDelaySeconds,
failure/success thresholds, startup gating liveness and readiness."""

from __future__ import annotations

import re

from demo_helpers import EPOCH, cluster_from, container_status, events_about, rel, timeline

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.scenario import load_scenario

# Created at 0.75s: bound and admitted at 1s (the probe workers' grid starts there),
# sandbox at 2s, a 4s pull: the container starts at 6s, on the 5s grid.
LIVENESS = """
pods:
  - name: probed
    namespace: demo
    at: 0.75s
    spec:
      containers:
        - name: web
          image: nginx:1.27
          livenessProbe:
            httpGet: {{path: /healthz, port: 80}}
            initialDelaySeconds: {delay}
            periodSeconds: 5
            failureThreshold: 3
    behavior:
      web:
        pull: 4s
        probes:
          liveness: {{fail_after: {fail_after}, output: "HTTP probe failed with statuscode: 500"}}
"""


def first_start(cluster, name, container):
    for t, _, pod in timeline(cluster, "demo", name):
        if "running" in container_status(pod, container)["state"]:
            return t
    raise AssertionError("never ran")


def test_liveness_kill_after_initial_delay_and_failure_threshold():
    cluster = cluster_from(LIVENESS.format(delay=10, fail_after="0s"))
    cluster.advance(40)
    start = first_start(cluster, "probed", "web")
    assert start == 6
    events = {e["reason"]: e for e in events_about(cluster, "probed")}
    killing = events["Killing"]
    assert killing["message"] == "Container web failed liveness probe, will be restarted"
    assert killing["involvedObject"]["fieldPath"] == "spec.containers{web}"
    # Probes at 16, 21, 26 (the first tick at least initialDelaySeconds after the
    # start), the third failure in a row kills: initialDelay + period * (threshold - 1),
    # within initialDelay + period * threshold however the grid falls.
    assert rel(killing["firstTimestamp"]) - start == 10 + 5 * (3 - 1)
    unhealthy = events["Unhealthy"]
    assert unhealthy["type"] == "Warning"
    assert unhealthy["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 500"
    assert rel(unhealthy["firstTimestamp"]) - start == 10
    # The container exits 1s after SIGTERM and restarts at once (first restart).
    pod = cluster.storage.get("pods", "demo", "probed")
    status = container_status(pod, "web")
    assert status["restartCount"] >= 1
    last = [container_status(p, "web")["lastState"].get("terminated") for _, _, p in timeline(cluster, "demo", "probed")]
    first_kill = next(t for t in last if t)
    assert rel(first_kill["finishedAt"]) - start == 21
    assert first_kill["exitCode"] == 143 and first_kill["reason"] == "Error"


def test_liveness_counts_failures_only_in_a_row_and_each_failure_is_an_event():
    cluster = cluster_from(LIVENESS.format(delay=0, fail_after="12s"))
    cluster.advance(26)
    start = first_start(cluster, "probed", "web")
    unhealthy = next(e for e in events_about(cluster, "probed") if e["reason"] == "Unhealthy")
    # Probes at 5s, 10s, ... into the run (the tick at the very start of the run comes
    # before the container is up); passing until 12s: failures at 15s and 20s, below
    # the threshold.
    assert unhealthy["count"] == 2
    assert rel(unhealthy["firstTimestamp"]) - start == 15
    assert not [e for e in events_about(cluster, "probed") if e["reason"] == "Killing"]
    cluster.advance(5)
    killing = next(e for e in events_about(cluster, "probed") if e["reason"] == "Killing")
    assert rel(killing["firstTimestamp"]) - start == 25


def test_readiness_flaps_with_thresholds():
    cluster = cluster_from(
        """
        pods:
          - name: flappy
            namespace: demo
            at: 0.75s
            spec:
              containers:
                - name: api
                  image: api:1
                  readinessProbe:
                    tcpSocket: {port: 8080}
                    periodSeconds: 5
                    failureThreshold: 2
                    successThreshold: 2
            behavior:
              api:
                pull: 4s
                probes:
                  readiness: {flap: [30s, 20s]}
        """
    )
    cluster.advance(120)
    changes = []
    for t, _, pod in timeline(cluster, "demo", "flappy"):
        ready = container_status(pod, "api")["ready"]
        if not changes or changes[-1][1] != ready:
            changes.append((t, ready))
    start = 6
    # Ready after two passing probes (5s, 10s into the run); not ready after two failing
    # ones (30s, 35s); ready again after two passing (50s, 55s); ...
    assert [(t - start, ready) for t, ready in changes[1:]] == [(10, True), (35, False), (55, True), (85, False), (105, True)]
    pod = cluster.storage.get("pods", "demo", "flappy")
    ready_condition = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready_condition["status"] == "True"
    failed = next(e for e in events_about(cluster, "flappy") if e["reason"] == "Unhealthy")
    ip = pod["status"]["podIP"]
    assert failed["message"] == f"Readiness probe failed: dial tcp {ip}:8080: connect: connection refused"


def test_startup_probe_holds_liveness_and_readiness_back():
    cluster = cluster_from(
        """
        pods:
          - name: slow
            namespace: demo
            at: 0.75s
            spec:
              containers:
                - name: jvm
                  image: temurin:21
                  startupProbe:
                    httpGet: {path: /started, port: 8080}
                    periodSeconds: 5
                    failureThreshold: 30
                  livenessProbe:
                    httpGet: {path: /healthz, port: 8080}
                    periodSeconds: 5
                  readinessProbe:
                    httpGet: {path: /ready, port: 8080}
                    periodSeconds: 5
            behavior:
              jvm:
                pull: 4s
                probes:
                  startup: {pass_after: 32s}
                  liveness: {pass_after: 20s}
                  readiness: {pass_after: 20s}
        """
    )
    cluster.advance(80)
    start = 6
    started_at = ready_at = None
    for t, _, pod in timeline(cluster, "demo", "slow"):
        status = container_status(pod, "jvm")
        if status.get("started") and started_at is None:
            started_at = t
        if status["ready"] and ready_at is None:
            ready_at = t
    assert started_at - start == 35  # first passing startup probe on the grid after 32s
    # Readiness is not probed before; its worker ticks right after the startup one.
    assert ready_at == started_at
    messages = [e["message"] for e in events_about(cluster, "slow") if e["reason"] == "Unhealthy"]
    # Liveness would have failed before 20s; it never ran then, so it never failed.
    assert messages and all(m.startswith("Startup probe failed: ") for m in messages)
    assert container_status(cluster.storage.get("pods", "demo", "slow"), "jvm")["restartCount"] == 0


def test_startup_probe_failure_threshold_restarts_the_container():
    cluster = cluster_from(
        """
        pods:
          - name: never-starts
            namespace: demo
            at: 0.75s
            spec:
              containers:
                - name: app
                  image: app:1
                  startupProbe:
                    exec: {command: [cat, /tmp/started]}
                    periodSeconds: 5
                    failureThreshold: 4
            behavior:
              app:
                pull: 4s
                probes:
                  startup: {pass_after: 1h, output: "cat: can't open '/tmp/started': No such file or directory"}
        """
    )
    cluster.advance(30)
    killing = next(e for e in events_about(cluster, "never-starts") if e["reason"] == "Killing")
    assert killing["message"] == "Container app failed startup probe, will be restarted"
    assert rel(killing["firstTimestamp"]) - 6 == 20  # failures at 5, 10, 15, 20s into the run
    unhealthy = next(e for e in events_about(cluster, "never-starts") if e["reason"] == "Unhealthy")
    assert unhealthy["message"] == "Startup probe failed: cat: can't open '/tmp/started': No such file or directory"


def test_probe_warning_event():
    cluster = cluster_from(
        """
        pods:
          - name: redirects
            namespace: demo
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  readinessProbe:
                    httpGet: {path: /, port: 80}
                    periodSeconds: 5
            behavior:
              web:
                probes:
                  readiness: {warning: "Probe terminated redirects, Response body: "}
        """
    )
    cluster.advance(20)
    warning = next(e for e in events_about(cluster, "redirects") if e["reason"] == "ProbeWarning")
    assert warning["type"] == "Warning"
    assert warning["message"] == "Readiness probe warning: Probe terminated redirects, Response body: "
    assert container_status(cluster.storage.get("pods", "demo", "redirects"), "web")["ready"] is True


REFUSED = """
pods:
  - name: other
    namespace: demo
    spec: {{containers: [{{name: a, image: nginx:1.27}}]}}
  - name: slow
    namespace: demo
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports: [{{name: http, containerPort: 8080}}]
          startupProbe:
            {handler}
            periodSeconds: 3
            failureThreshold: 30
    behavior:
      app:
        probes:
          startup: {{pass_after: 20s, refused: true}}
"""


def test_a_refused_probe_names_its_own_pods_ip():
    # A scenario cannot know the pod's IP: `refused` has the kubelet write the
    # connection error from the probe and this pod's podIP, as kubectl shows it.
    handler = "httpGet: {path: /started, port: http}"
    cluster = cluster_from(REFUSED.format(handler=handler))
    cluster.advance(15)
    ip = cluster.storage.get("pods", "demo", "slow")["status"]["podIP"]
    other = cluster.storage.get("pods", "demo", "other")["status"]["podIP"]
    assert ip and other and ip != other
    unhealthy = next(e for e in events_about(cluster, "slow") if e["reason"] == "Unhealthy")
    assert unhealthy["message"] == (
        f'Startup probe failed: Get "http://{ip}:8080/started": dial tcp {ip}:8080: connect: connection refused'
    )
    cluster = cluster_from(REFUSED.format(handler="tcpSocket: {port: 8080}"))
    cluster.advance(15)
    ip = cluster.storage.get("pods", "demo", "slow")["status"]["podIP"]
    unhealthy = next(e for e in events_about(cluster, "slow") if e["reason"] == "Unhealthy")
    assert unhealthy["message"] == f"Startup probe failed: dial tcp {ip}:8080: connect: connection refused"


def test_the_default_scenarios_probe_events_name_their_own_pods_ip():
    cluster = DemoCluster(load_scenario("default"), clock=ManualClock(EPOCH), seed=1)
    cluster.advance(60)
    ips = {p["metadata"]["name"]: p["status"].get("podIP") for p in cluster.storage.list("pods")}
    own = 0
    for name, ip in ips.items():
        for e in events_about(cluster, name):
            for other, other_ip in ips.items():
                if other != name and other_ip and re.search(rf"\b{re.escape(other_ip)}\b", e["message"]):
                    raise AssertionError(f"{name}'s event names {other}'s IP: {e['message']}")
            own += e["reason"] == "Unhealthy" and bool(ip) and ip in e["message"]
    assert own  # slow-startup's refused startup probe names its own IP
