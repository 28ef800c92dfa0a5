"""Restarts as the kubelet does them: the crash back-off ladder, its reset, the
waiting message and the BackOff event, image-pull back-off, OOMKilled."""

from __future__ import annotations

import pytest
from demo_helpers import cluster_from, container_status, events_about, rel, timeline, versions

from podtui.lifecycle.times import go_duration, parse_go_duration

CRASHLOOP = """
pods:
  - name: crash
    namespace: demo
    spec:
      containers:
        - name: app
          image: busybox:1.36
    behavior:
      app: {{pull: 2s, run: {run}, exit_code: 1}}
"""


def restart_gaps(cluster, name: str, container: str = "app") -> list[float]:
    """For each restart: its startedAt minus the previous run's finishedAt."""
    gaps: dict[int, float] = {}
    for _, pod in versions(cluster, "demo", name):
        status = container_status(pod, container)
        running = status["state"].get("running")
        last = status["lastState"].get("terminated")
        if running and last and status["restartCount"] not in gaps:
            gaps[status["restartCount"]] = rel(running["startedAt"]) - rel(last["finishedAt"])
    return [gaps[k] for k in sorted(gaps)]


def test_crash_loop_back_off_ladder_from_finished_at():
    cluster = cluster_from(CRASHLOOP.format(run="3s"))
    cluster.advance(1000)
    assert restart_gaps(cluster, "crash") == [0, 10, 20, 40, 80, 160, 300, 300]


def test_crash_loop_waiting_message_names_the_delay_of_the_next_restart():
    cluster = cluster_from(CRASHLOOP.format(run="3s"))
    cluster.advance(1000)
    seen = []
    uid = None
    for _, pod in versions(cluster, "demo", "crash"):
        uid = pod["metadata"]["uid"]
        waiting = container_status(pod, "app")["state"].get("waiting")
        if waiting and waiting["reason"] == "CrashLoopBackOff" and waiting["message"] not in seen:
            seen.append(waiting["message"])
    delays = [parse_go_duration(m.split()[1]) for m in seen]
    assert delays == [10, 20, 40, 80, 160, 300]
    assert seen[-1] == f"back-off 5m0s restarting failed container=app pod=crash_demo({uid})"
    assert seen[0].startswith(f"back-off {go_duration(10)} ")


def test_the_exit_shows_for_a_moment_before_crash_loop_back_off():
    cluster = cluster_from(CRASHLOOP.format(run="3s"))
    cluster.advance(40)
    states = []
    for t, _, pod in timeline(cluster, "demo", "crash"):
        status = container_status(pod, "app")
        state = status["state"]
        if not state:
            continue
        kind = next(iter(state))
        label = kind if kind == "running" else f"{kind}:{state[kind]['reason']}"
        label += f"#{status['restartCount']}"
        if not states or states[-1][1] != label:
            states.append((t, label))
    start = states[1][0]  # first running
    assert [(round(t - start, 3), label) for t, label in states[1:7]] == [
        (0, "running#0"),
        (3, "running#1"),  # first exit: restarted at once
        (6, "terminated:Error#1"),  # second exit shows ...
        (7, "waiting:CrashLoopBackOff#1"),  # ... until the next sync, then back-off
        (16, "running#2"),  # 10s after the exit
        (19, "terminated:Error#2"),
    ]


def test_back_off_resets_after_ten_minutes_of_running():
    cluster = cluster_from(CRASHLOOP.format(run="700s"))
    cluster.advance(2200)
    assert restart_gaps(cluster, "crash") == [0, 0, 0]
    cluster = cluster_from(CRASHLOOP.format(run="590s"))
    cluster.advance(2000)
    assert restart_gaps(cluster, "crash") == [0, 10, 20]


def test_back_off_event_and_restart_events():
    cluster = cluster_from(CRASHLOOP.format(run="3s"))
    cluster.advance(200)
    pod = cluster.storage.get("pods", "demo", "crash")
    uid = pod["metadata"]["uid"]
    events = {e["reason"]: e for e in events_about(cluster, "crash")}
    backoff = events["BackOff"]
    assert backoff["type"] == "Warning"
    assert backoff["message"] == f"Back-off restarting failed container app in pod crash_demo({uid})"
    assert backoff["involvedObject"]["fieldPath"] == "spec.containers{app}"
    assert backoff["source"] == {"component": "kubelet", "host": pod["spec"]["nodeName"]}
    assert backoff["count"] > 1 and rel(backoff["lastTimestamp"]) > rel(backoff["firstTimestamp"])
    assert events["Created"]["message"] == "Created container: app"
    assert events["Started"]["message"] == "Started container app"
    pulled = [e["message"] for e in events_about(cluster, "crash") if e["reason"] == "Pulled"]
    assert 'Successfully pulled image "busybox:1.36" in 2s (2s including waiting). Image size: ' in pulled[0]
    assert 'Container image "busybox:1.36" already present on machine' in pulled


def test_restart_policy_on_failure_stops_after_success_and_never_does_not_restart():
    text = """
    pods:
      - name: job
        namespace: demo
        spec:
          restartPolicy: {policy}
          containers:
            - name: app
              image: busybox:1.36
        behavior:
          app: {{run: 5s, exit_code: {code}}}
    """
    done = cluster_from(text.format(policy="OnFailure", code=0))
    done.advance(60)
    pod = done.storage.get("pods", "demo", "job")
    assert pod["status"]["phase"] == "Succeeded"
    assert container_status(pod, "app")["state"]["terminated"]["reason"] == "Completed"
    assert container_status(pod, "app")["restartCount"] == 0

    failed = cluster_from(text.format(policy="Never", code=2))
    failed.advance(60)
    pod = failed.storage.get("pods", "demo", "job")
    assert pod["status"]["phase"] == "Failed"
    assert container_status(pod, "app")["state"]["terminated"]["exitCode"] == 2
    assert container_status(pod, "app")["restartCount"] == 0


def test_oom_killed():
    cluster = cluster_from(
        """
        pods:
          - name: oom
            namespace: demo
            spec:
              containers:
                - name: app
                  image: python:3.12
                  resources: {limits: {memory: 64Mi}}
            behavior:
              app: {run: 8s, oom: true}
        """
    )
    cluster.advance(30)
    lasts = [
        container_status(pod, "app")["lastState"].get("terminated")
        for _, pod in versions(cluster, "demo", "oom")
    ]
    last = next(t for t in lasts if t)
    assert last["reason"] == "OOMKilled" and last["exitCode"] == 137
    assert rel(last["finishedAt"]) - rel(last["startedAt"]) == 8
    assert cluster.storage.get("pods", "demo", "oom")["status"]["qosClass"] == "Burstable"


def test_image_pull_back_off_curve():
    cluster = cluster_from(
        """
        pods:
          - name: bad-image
            namespace: demo
            spec:
              containers:
                - name: api
                  image: registry.example.com/api:nope
            behavior:
              api: {pull: 2s, pull_error: 'rpc error: code = NotFound desc = not found'}
        """
    )
    cluster.advance(1200)
    failures = []
    backoff_messages = set()
    previous = None
    for t, _, pod in timeline(cluster, "demo", "bad-image"):
        waiting = container_status(pod, "api")["state"].get("waiting") or {}
        reason = waiting.get("reason")
        if reason == "ErrImagePull" and previous != "ErrImagePull":
            failures.append(t)
            assert waiting["message"] == "rpc error: code = NotFound desc = not found"
        if reason == "ImagePullBackOff":
            backoff_messages.add(waiting["message"])
        previous = reason
    gaps = [round(b - a, 3) for a, b in zip(failures, failures[1:])]
    # Each retry waits the back-off (10s doubling to 300s) after the failure, then pulls for 2s.
    assert gaps == [12, 22, 42, 82, 162, 302, 302]
    assert backoff_messages == {'Back-off pulling image "registry.example.com/api:nope"'}
    reasons = {(e["reason"], e["message"]) for e in events_about(cluster, "bad-image")}
    assert ("Failed", "Error: ErrImagePull") in reasons
    assert ("Failed", "Error: ImagePullBackOff") in reasons
    assert ("BackOff", 'Back-off pulling image "registry.example.com/api:nope"') in reasons
    assert (
        "Failed",
        'Failed to pull image "registry.example.com/api:nope": rpc error: code = NotFound desc = not found',
    ) in reasons


@pytest.mark.parametrize("failures", [1, 3])
def test_image_pull_recovers_after_transient_failures(failures):
    cluster = cluster_from(
        f"""
        pods:
          - name: flaky
            namespace: demo
            spec:
              containers:
                - name: api
                  image: registry.example.com/api:1.0
            behavior:
              api: {{pull: 1s, pull_error: 'i/o timeout', pull_failures: {failures}}}
        """
    )
    cluster.advance(120)
    pod = cluster.storage.get("pods", "demo", "flaky")
    status = container_status(pod, "api")
    assert "running" in status["state"]
    assert status["restartCount"] == 0
    pulling = [e for e in events_about(cluster, "flaky") if e["reason"] == "Pulling"]
    assert pulling[0]["count"] == failures + 1


def test_death_by_signal_has_no_reason():
    cluster = cluster_from(
        """
        pods:
          - name: segv
            namespace: demo
            spec:
              restartPolicy: Never
              containers: [{name: app, image: "app:1"}]
            behavior:
              app: {run: 4s, signal: 11}
        """
    )
    cluster.advance(20)
    terminated = container_status(cluster.storage.get("pods", "demo", "segv"), "app")["state"]["terminated"]
    assert terminated["exitCode"] == 139 and terminated["signal"] == 11 and "reason" not in terminated
