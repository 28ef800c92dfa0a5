"""How fast kubectl's pod row is computed: the store calls pod_row on every watch event,
the view formats AGE/RESTARTS on every repaint.

Run on demand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_columns.py
"""

from __future__ import annotations

import timeit

from podtui.lifecycle import event_columns, format_age, format_restarts, kubectl_columns, pod_row
from podtui.lifecycle.times import parse_ts

NOW = parse_ts("2024-05-01T12:00:00Z")


def realistic_pod() -> dict:
    """A Deployment pod as the API serves it: 1 init container, 2 containers, one of
    them in CrashLoopBackOff; only the fields printPod reads matter, but the rest is
    there so dict lookups see a real-sized object."""
    probe = {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10,
             "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3}
    container = {"image": "registry.example.com/team/api:1.42.0", "imagePullPolicy": "IfNotPresent",
                 "ports": [{"containerPort": 8080, "protocol": "TCP"}], "livenessProbe": probe, "readinessProbe": probe,
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "api-7d9f8c6b5-x2k4q", "generateName": "api-7d9f8c6b5-", "namespace": "prod",
            "uid": "0b9c7e3e-3f5e-4d7e-9a8c-2f1e6d5c4b3a", "resourceVersion": "123456789",
            "creationTimestamp": "2024-04-29T08:30:00Z",
            "labels": {"app": "api", "pod-template-hash": "7d9f8c6b5"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7d9f8c6b5",
                                 "uid": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {
            "initContainers": [dict(container, name="init-config")],
            "containers": [dict(container, name="app"), dict(container, name="log-shipper")],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "api", "nodeName": "worker-2", "schedulerName": "default-scheduler",
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                             "tolerationSeconds": 300}],
        },
        "status": {
            "phase": "Running", "hostIP": "192.168.1.12", "podIP": "10.244.2.9", "podIPs": [{"ip": "10.244.2.9"}],
            "startTime": "2024-04-29T08:30:01Z", "qosClass": "Burstable",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2024-04-29T08:30:03Z"},
                {"type": "Initialized", "status": "True", "lastTransitionTime": "2024-04-29T08:30:09Z"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "lastTransitionTime": "2024-05-01T11:58:25Z",
                 "message": "containers with unready status: [app]"},
                {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady",
                 "lastTransitionTime": "2024-05-01T11:58:25Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-04-29T08:30:00Z"},
            ],
            "initContainerStatuses": [{
                "name": "init-config", "ready": True, "restartCount": 0, "started": False,
                "image": "registry.example.com/team/api:1.42.0", "imageID": "sha256:abc", "containerID": "containerd://1",
                "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": "2024-04-29T08:30:05Z",
                                         "finishedAt": "2024-04-29T08:30:08Z", "containerID": "containerd://1"}},
                "lastState": {},
            }],
            "containerStatuses": [
                {"name": "app", "ready": False, "restartCount": 5, "started": False,
                 "image": "registry.example.com/team/api:1.42.0", "imageID": "sha256:abc", "containerID": "containerd://2",
                 "state": {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": "back-off 2m40s restarting failed container=app pod=api-7d9f8c6b5-x2k4q"}},
                 "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2024-05-01T11:58:20Z",
                                              "finishedAt": "2024-05-01T11:58:25Z", "containerID": "containerd://2"}}},
                {"name": "log-shipper", "ready": True, "restartCount": 0, "started": True,
                 "image": "registry.example.com/team/shipper:3.1", "imageID": "sha256:def", "containerID": "containerd://3",
                 "state": {"running": {"startedAt": "2024-04-29T08:30:10Z"}}, "lastState": {}},
            ],
        },
    }


def realistic_event() -> dict:
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "api-7d9f8c6b5-x2k4q.17c9a1e2", "namespace": "prod"},
        "involvedObject": {"kind": "Pod", "namespace": "prod", "name": "api-7d9f8c6b5-x2k4q",
                           "fieldPath": "spec.containers{app}"},
        "reason": "BackOff", "message": "Back-off restarting failed container app", "type": "Warning",
        "source": {"component": "kubelet", "host": "worker-2"},
        "firstTimestamp": "2024-05-01T11:40:00Z", "lastTimestamp": "2024-05-01T11:58:30Z", "count": 14,
        "eventTime": None, "reportingComponent": "kubelet", "reportingInstance": "worker-2",
    }


def measure(label: str, fn, number: int) -> None:
    best = min(timeit.repeat(fn, number=number, repeat=5)) / number
    print(f"{label:<42} {best * 1e6:8.2f} us/call {1 / best:>12,.0f} calls/s")


def main() -> None:
    pod = realistic_pod()
    row = pod_row(pod)
    print(f"row: ready={row.ready} status={row.status} restarts={format_restarts(row, NOW)} "
          f"age={format_age(row.created, NOW)} ip={row.ip} node={row.node}")
    measure("pod_row (2 containers + 1 init)", lambda: pod_row(pod), 50_000)
    measure("format_age", lambda: format_age(row.created, NOW), 200_000)
    measure("format_restarts", lambda: format_restarts(row, NOW), 200_000)
    measure("kubectl_columns (row + formatting)", lambda: kubectl_columns(pod, NOW), 50_000)
    event = realistic_event()
    measure("event_columns", lambda: event_columns(event, NOW), 50_000)


if __name__ == "__main__":
    main()
