"""Graceful deletion, finalizers, evictions and activeDeadlineSeconds."""

from __future__ import annotations

import pytest
from demo_helpers import EPOCH, cluster_from, condition, container_status, events_about, rel, timeline

WORKER = """
pods:
  - name: worker
    namespace: demo
    finalizers: {finalizers}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: worker
          image: worker:5.1
          lifecycle:
            preStop:
              exec: {{command: [/bin/sh, -c, "sleep 10"]}}
    behavior:
      worker: {{pre_stop: 10s, stop: {stop}, stop_exit_code: {code}}}
"""


def deleted_at(cluster, namespace, name):
    return next(t for t, verb, _ in timeline(cluster, namespace, name) if verb == "delete")


@pytest.mark.parametrize(
    "stop, code, exit_code, phase, gone_after",
    [
        # Ignores SIGTERM: SIGKILL at the deadline (exit 137).
        ("60s", 0, 137, "Failed", 30),
        # Exits 5s after SIGTERM, which comes after the 10s preStop hook.
        ("5s", 143, 143, "Failed", 15),
        ("5s", 0, 0, "Succeeded", 15),
    ],
)
def test_graceful_deletion(stop, code, exit_code, phase, gone_after):
    cluster = cluster_from(WORKER.format(finalizers="[]", stop=stop, code=code))
    cluster.advance(20)
    cluster.delete_pod("demo", "worker")
    requested = cluster.now - EPOCH
    pod = cluster.storage.get("pods", "demo", "worker")
    assert rel(pod["metadata"]["deletionTimestamp"]) == int(requested) + 30
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30
    killing = next(e for e in events_about(cluster, "worker") if e["reason"] == "Killing")
    assert killing["message"] == "Stopping container worker"
    cluster.advance(gone_after - 0.5)
    assert cluster.storage.get("pods", "demo", "worker") is not None
    cluster.advance(1)
    assert cluster.storage.get("pods", "demo", "worker") is None
    assert deleted_at(cluster, "demo", "worker") == requested + gone_after
    writes = timeline(cluster, "demo", "worker")
    # The terminal phase is written before the object goes.
    (_, last_verb, _last), (_, verb_before, before) = writes[-1], writes[-2]
    assert last_verb == "delete" and verb_before == "update"
    assert before["status"]["phase"] == phase
    terminated = container_status(before, "worker")["state"]["terminated"]
    assert terminated["exitCode"] == exit_code
    assert rel(terminated["finishedAt"]) == int(requested + gone_after)
    assert condition(before, "Ready")["status"] == "False"


def test_finalizer_holds_the_pod_after_its_containers_stopped():
    cluster = cluster_from(WORKER.format(finalizers="[example.com/protect]", stop="1s", code=0))
    cluster.advance(20)
    cluster.delete_pod("demo", "worker")
    requested = int(cluster.now - EPOCH)
    cluster.advance(300)
    pod = cluster.storage.get("pods", "demo", "worker")
    assert pod is not None
    assert pod["status"]["phase"] == "Succeeded"
    # The kubelet's own DELETE (grace 0) moved the deadline back to the request time.
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 0
    assert rel(pod["metadata"]["deletionTimestamp"]) == requested
    assert pod["metadata"]["finalizers"] == ["example.com/protect"]
    cluster.world.remove_finalizers("demo", "worker")
    assert cluster.storage.get("pods", "demo", "worker") is None


def test_a_second_delete_may_only_shorten_the_grace_period():
    cluster = cluster_from(WORKER.format(finalizers="[]", stop="60s", code=0))
    cluster.advance(20)
    cluster.delete_pod("demo", "worker")
    requested = cluster.now - EPOCH
    cluster.advance(2)
    cluster.delete_pod("demo", "worker", grace=60)
    pod = cluster.storage.get("pods", "demo", "worker")
    assert rel(pod["metadata"]["deletionTimestamp"]) == int(requested) + 30
    cluster.delete_pod("demo", "worker", grace=5)
    pod = cluster.storage.get("pods", "demo", "worker")
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 5
    assert rel(pod["metadata"]["deletionTimestamp"]) == int(requested) + 5
    # The kubelet starts the kill over with the new grace from when it hears of it
    # (pod_workers.go wasGracePeriodShortened), 2 s after the first request.
    cluster.advance(4)
    assert cluster.storage.get("pods", "demo", "worker") is not None
    cluster.advance(6)
    assert cluster.storage.get("pods", "demo", "worker") is None
    assert deleted_at(cluster, "demo", "worker") == requested + 2 + 5


def test_force_delete_and_unscheduled_pods_go_at_once():
    cluster = cluster_from(
        """
        pods:
          - name: running
            namespace: demo
            spec: {containers: [{name: app, image: app:1}]}
          - name: too-big
            namespace: demo
            spec:
              containers:
                - name: app
                  image: app:1
                  resources: {requests: {cpu: "64"}}
        """
    )
    cluster.advance(10)
    assert cluster.delete_pod("demo", "too-big") is not None
    assert cluster.storage.get("pods", "demo", "too-big") is None
    assert cluster.delete_pod("demo", "running", grace=0) is not None
    assert cluster.storage.get("pods", "demo", "running") is None
    assert cluster.delete_pod("demo", "running") is None
    # The kubelet keeps no timers alive for the vanished pod.
    cluster.advance(60)
    assert cluster.storage.list("pods") == []


def test_sidecar_stops_after_the_app_container():
    cluster = cluster_from(
        """
        pods:
          - name: with-sidecar
            namespace: demo
            spec:
              terminationGracePeriodSeconds: 30
              initContainers:
                - name: proxy
                  image: envoy:1.30
                  restartPolicy: Always
              containers:
                - name: app
                  image: app:1
            behavior:
              proxy: {stop: 1s}
              app: {stop: 6s}
        """
    )
    cluster.advance(20)
    cluster.delete_pod("demo", "with-sidecar")
    requested = int(cluster.now - EPOCH)
    cluster.advance(20)
    last = timeline(cluster, "demo", "with-sidecar")[-2][2]
    app = container_status(last, "app")["state"]["terminated"]
    proxy = container_status(last, "proxy")["state"]["terminated"]
    assert rel(app["finishedAt"]) == requested + 6
    assert rel(proxy["finishedAt"]) == requested + 7  # SIGTERM only after the app exited


def test_node_pressure_eviction():
    cluster = cluster_from(
        """
        pods:
          - name: hog
            namespace: demo
            spec: {containers: [{name: cache, image: "redis:7.2"}]}
        actions:
          - {at: 30s, node_pressure: demo/hog, resource: memory}
        """
    )
    cluster.advance(60)
    pod = cluster.storage.get("pods", "demo", "hog")
    assert pod is not None  # evicted pods stay, Failed
    status = pod["status"]
    assert status["phase"] == "Failed"
    assert status["reason"] == "Evicted"
    assert status["message"].startswith("The node was low on resource: memory. ")
    disruption = condition(pod, "DisruptionTarget")
    assert disruption["status"] == "True" and disruption["reason"] == "TerminationByKubelet"
    assert rel(disruption["lastTransitionTime"]) == 30
    evicted = next(e for e in events_about(cluster, "hog") if e["reason"] == "Evicted")
    assert evicted["type"] == "Warning" and evicted["message"] == status["message"]


def test_eviction_api_marks_disruption_target_then_deletes():
    cluster = cluster_from(
        """
        pods:
          - name: web
            namespace: demo
            spec:
              terminationGracePeriodSeconds: 10
              containers: [{name: nginx, image: "nginx:1.27"}]
        actions:
          - {at: 30s, evict: demo/web}
        """
    )
    cluster.advance(30.5)
    pod = cluster.storage.get("pods", "demo", "web")
    disruption = condition(pod, "DisruptionTarget")
    assert (disruption["status"], disruption["reason"], disruption["message"]) == (
        "True",
        "EvictionByEvictionAPI",
        "Eviction API: evicting",
    )
    assert rel(pod["metadata"]["deletionTimestamp"]) == 40
    cluster.advance(20)
    assert cluster.storage.get("pods", "demo", "web") is None


def test_active_deadline_seconds():
    cluster = cluster_from(
        """
        pods:
          - name: report
            namespace: batch
            owner: {kind: Job, name: nightly}
            spec:
              restartPolicy: Never
              activeDeadlineSeconds: 60
              containers: [{name: report, image: "report:1"}]
        """
    )
    cluster.advance(90)
    pod = cluster.storage.get("pods", "batch", "report")
    assert pod["status"]["phase"] == "Failed"
    assert pod["status"]["reason"] == "DeadlineExceeded"
    assert pod["status"]["message"] == "Pod was active on the node longer than the specified deadline"
    event = next(e for e in events_about(cluster, "report") if e["reason"] == "DeadlineExceeded")
    assert rel(event["firstTimestamp"]) - rel(pod["status"]["startTime"]) == 60
    owner = pod["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["apiVersion"]) == ("Job", "nightly", "batch/v1")
    assert pod["metadata"]["labels"]["job-name"] == "nightly"
