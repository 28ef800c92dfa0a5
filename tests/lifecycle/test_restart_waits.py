"""NEXT and a pending restart's line read a pod's container statuses once
(backoff.restart_waits), with the same answers as backoffs() and just_crashed() apart."""

from __future__ import annotations

import copy

import pytest

from podtui.lifecycle.backoff import Ladder, backoffs, just_crashed, restart_waits, restarts_over
from podtui.lifecycle.nextstep import next_step
from tests.lifecycle.test_timers import T0, _crashed_pod, record, ts

LOOPING = {"name": "app", "restartCount": 3, "state": {"waiting": {
    "reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container=app pod=p_ns(u)"}},
    "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts(-20), "finishedAt": ts(-10)}}}
RESTARTED = {"name": "app", "restartCount": 2, "state": {"running": {"startedAt": ts(-5)}},
             "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts(-30), "finishedAt": ts(-6)}}}
PULLING = {"name": "app", "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff",
                                                                    "message": 'Back-off pulling image "x"'}}}


def _pod(*statuses, phase="Running", deleting=False):
    meta = {"deletionTimestamp": ts(30), "deletionGracePeriodSeconds": 30} if deleting else {}
    return {"metadata": meta, "spec": {"containers": [{"name": cs["name"]} for cs in statuses]},
            "status": {"phase": phase, "containerStatuses": list(statuses)}}


PODS = [
    _pod(LOOPING), _pod(RESTARTED), _pod(PULLING), _pod(LOOPING, phase="Failed"), _pod(LOOPING, deleting=True),
    _crashed_pod(1), _crashed_pod(0), _crashed_pod(1, kind="sidecar"), _crashed_pod(1, policy="Never"),
    _pod({**RESTARTED, "name": "side"}, {**LOOPING, "name": "main"}), {"status": "bad"}, {},
]


@pytest.mark.parametrize("pod", PODS)
def test_restart_waits_answers_as_backoffs_and_just_crashed_do(pod):
    rec = record(pod, ladders={"app": Ladder()})
    for now in (T0 - 1, T0 + 1, T0 + 100):
        assert restart_waits(rec, now) == (backoffs(rec, now), just_crashed(rec, now))
        over = restarts_over(rec, now)
        assert restart_waits(rec, now, over) == (backoffs(rec, now, over), just_crashed(rec, now, over))


class _CountedList(list):
    """A status list that counts the times it is read (iterated), by whatever code reads it."""

    def __init__(self, items, reads: list[str], key: str) -> None:
        super().__init__(items)
        self._reads, self._key = reads, key

    def __iter__(self):
        self._reads.append(self._key)
        return super().__iter__()


def _counted(pod: dict) -> tuple[dict, list[str]]:
    """A copy of `pod` whose container status lists count their reads."""
    reads: list[str] = []
    pod = copy.deepcopy(pod)
    status = pod.get("status")
    if isinstance(status, dict):
        for key in ("initContainerStatuses", "containerStatuses"):
            if isinstance(status.get(key), list):
                status[key] = _CountedList(status[key], reads, key)
    return pod, reads


# Sidecars of pods that don't always restart: mains_done and will_restart ask the statuses too.
SIDECAR_PODS = [_crashed_pod(1, kind="sidecar", policy=policy) for policy in ("Never", "OnFailure")]


@pytest.mark.parametrize("pod", PODS + SIDECAR_PODS)
def test_restart_waits_reads_each_status_list_once(pod):
    for now in (T0 - 1, T0 + 1, T0 + 100):
        counted, reads = _counted(pod)
        rec = record(counted, ladders={"app": Ladder()})
        over = restarts_over(rec, now)
        reads.clear()
        restart_waits(rec, now, over)
        lists = [k for k in ("initContainerStatuses", "containerStatuses") if isinstance(counted.get("status"), dict)
                 and isinstance(counted["status"].get(k), list)]
        assert sorted(reads) == (sorted(lists) if over is None else [])


@pytest.mark.parametrize("pod, text", [(_pod(LOOPING), "restart in 29s"), (_crashed_pod(2), "restart in ~19s"),
                                       (_pod(RESTARTED), None)] + [(p, "restart in ~9s") for p in SIDECAR_PODS])
def test_next_reads_the_container_statuses_once_per_row(pod, text):
    counted, reads = _counted(pod)
    step = next_step(record(counted), T0 + 1)
    assert (step.text if step is not None else None) == text
    assert reads.count("containerStatuses") == 1 and reads.count("initContainerStatuses") <= 1
