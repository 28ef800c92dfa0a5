"""`not started for …` counts the whole stretch a container has been waiting: its
waiting reason flips (ContainerCreating, ErrImagePull, ImagePullBackOff) and the count
did not start again with each flip; met already waiting, it began before first sight."""

from __future__ import annotations

import copy

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, MODIFIED, PODS, Change
from podtui.lifecycle.explain import container_line, not_started_since
from podtui.lifecycle.store import Store
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0
PULL = 'Back-off pulling image "registry.example.com/shop/api:v9.9.9"'


def _pod(waiting: str | None, started: float = 0.0, last: dict | None = None, restarts: int = 0) -> dict:
    cs = {"name": "api", "ready": False, "started": False, "restartCount": restarts, "image": "x",
          "state": {"waiting": {"reason": waiting, "message": PULL}} if waiting else
          {"running": {"startedAt": format_ts(T0 + 1)}}}
    if last:
        cs["lastState"] = {"terminated": last}
    return {"metadata": {"name": "bad-image", "namespace": "demo", "uid": "u1", "resourceVersion": "1",
                         "creationTimestamp": format_ts(T0)},
            "spec": {"restartPolicy": "Always", "nodeName": "n1", "containers": [{"name": "api", "image": "x"}]},
            "status": {"phase": "Pending", "startTime": format_ts(T0 + started), "containerStatuses": [cs]}}


def _line(steps: list[tuple[float, dict]], now: float) -> str | None:
    store = Store(ManualClock(T0 + now))
    for i, (at, obj) in enumerate(steps):
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(i + 1)
        store.apply(Change(PODS, ADDED if i == 0 else MODIFIED, obj, T0 + at))
    return container_line(store.by_name("demo", "bad-image"), "api", T0 + now)


FLIPS = [(0.5, _pod("ContainerCreating")), (4, _pod("ErrImagePull")), (5, _pod("ImagePullBackOff")),
         (16, _pod("ErrImagePull")), (17, _pod("ImagePullBackOff")), (250, _pod("ErrImagePull")),
         (251, _pod("ImagePullBackOff"))]
CRASHED = {"exitCode": 1, "reason": "Error", "startedAt": format_ts(T0 + 10), "finishedAt": format_ts(T0 + 40)}


@pytest.mark.parametrize("steps, now, since", [
    # seen from ContainerCreating: its flips between ErrImagePull and ImagePullBackOff are one stretch
    (FLIPS, 330.5, "5m30s"),
    # a pull that passes through ContainerCreating again between back-offs
    (FLIPS[:3] + [(80, _pod("ContainerCreating")), (82, _pod("ErrImagePull")), (83, _pod("ImagePullBackOff"))],
     330.5, "5m30s"),
    # met already waiting, never ran: since the kubelet took the pod, not since first sight
    ([(249, _pod("ImagePullBackOff", started=0.5)), (250, _pod("ErrImagePull", started=0.5))], 330.5, "5m30s"),
    # a stretch seen to start after the container ran: from then, not from the pod's start
    ([(0.5, _pod(None)), (100, _pod("ErrImagePull")), (101, _pod("ImagePullBackOff"))], 160, "60s"),
])
def test_not_started_counts_from_the_start_of_the_wait(steps, now, since):
    line = container_line_or_fail(steps, now)
    assert line.startswith(f"not started for {since}: "), line


def container_line_or_fail(steps, now) -> str:
    line = _line(steps, now)
    assert line is not None
    return line


def test_met_waiting_after_a_crash_it_has_waited_since_that_instance_finished():
    store = Store(ManualClock(T0 + 340))
    store.apply(Change(PODS, ADDED, _pod("CreateContainerConfigError", last=CRASHED, restarts=1), T0 + 249))
    assert not_started_since(store.by_name("demo", "bad-image"), "api") == T0 + 40
