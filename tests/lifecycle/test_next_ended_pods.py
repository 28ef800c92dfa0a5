"""NEXT of a pod that has ended: a Failed pod says in a few words why, as the `x` command
explains it (its status.reason, its DisruptionTarget condition, the container whose end
failed it); a Succeeded pod says nothing: nothing comes next and nothing went wrong."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from podtui.lifecycle import explain
from podtui.lifecycle.nextstep import next_due, next_step
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0


def ts(offset: float) -> str:
    return format_ts(T0 + offset)


def ended(status: dict, policy: str = "Always", terminated: dict | None = None, init: bool = False) -> dict:
    term = {"exitCode": 143, "reason": "Error", "startedAt": ts(-100), "finishedAt": ts(-5), **(terminated or {})}
    cs = {"name": "app", "ready": False, "restartCount": 0, "state": {"terminated": term}}
    spec: dict = {"restartPolicy": policy, "containers": [{"name": "app", "image": "app:1"}]}
    st = {"phase": "Failed", "startTime": ts(-120), "containerStatuses": [cs], **status}
    if init:
        spec["initContainers"] = [{"name": "migrate", "image": "migrate:1"}]
        st["initContainerStatuses"] = [{"name": "migrate", "ready": False, "restartCount": 0, "state": {
            "terminated": {"exitCode": 2, "reason": "Error", "startedAt": ts(-110), "finishedAt": ts(-100)}}}]
        st["containerStatuses"] = [{"name": "app", "ready": False, "restartCount": 0,
                                    "state": {"waiting": {"reason": "PodInitializing"}}}]
    return {"metadata": {"name": "p", "namespace": "demo", "uid": "u1"}, "spec": spec, "status": st}


def disruption(reason: str, message: str) -> dict:
    return {"conditions": [{"type": "DisruptionTarget", "status": "True", "reason": reason, "message": message,
                            "lastTransitionTime": ts(-6)}]}


def step(pod: dict, now: float = T0):
    got = next_step(SimpleNamespace(obj=pod, events=[], deleted_at=None, ladders={}, uid=None, history=None), now)
    return (got.text, got.severity) if got is not None else None


@pytest.mark.parametrize("pod, want", [
    (ended({"reason": "DeadlineExceeded", "message": "Pod was active on the node longer than the specified deadline"},
           policy="Never"), "deadline passed"),
    (ended({"reason": "Evicted", "message": "The node was low on resource: memory. Threshold quantity: 100Mi, "
            "available: 50Mi. Container app was using 900Mi, request is 0, has larger consumption of memory.",
            **disruption("TerminationByKubelet", "The node was low on resource: memory.")}), "evicted: memory"),
    (ended({"reason": "Evicted", "message": "Pod ephemeral local storage usage exceeds the total limit of "
            "containers 1Gi. "}), "evicted: ephemeral-storage"),
    (ended({"reason": "Evicted", "message": ""}), "evicted"),
    (ended({"reason": "Terminated", "message": "Pod was terminated in response to imminent node shutdown.",
            **disruption("TerminationByKubelet", "Pod was terminated in response to imminent node shutdown.")}),
     "node shutdown"),
    (ended({"reason": "NodeShutdown", "message": "Pod was rejected as the node is shutting down."}), "node shutdown"),
    (ended(disruption("PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod")),
     "preempted"),
    # restartPolicy Never: the container whose end failed the pod, and how it ended.
    (ended({}, policy="Never", terminated={"exitCode": 1}), "failed: app exit 1"),
    (ended({}, policy="OnFailure", terminated={"exitCode": 137, "reason": "OOMKilled"}), "failed: app OOMKilled"),
    (ended({}, policy="Never", terminated={"exitCode": 139}), "failed: app exit 139 (SIGSEGV)"),
    (ended({}, policy="Never", init=True), "failed: migrate exit 2"),
])
def test_a_failed_pod_says_why_it_ended(pod, want):
    assert step(pod) == (want, "error")


def test_a_succeeded_pod_or_one_that_says_nothing_of_why_shows_nothing():
    done = ended({}, policy="Never", terminated={"exitCode": 0, "reason": "Completed"})
    done["status"]["phase"] = "Succeeded"
    assert step(done) is None
    # Failed with every container completed and no reason given: nothing to go on.
    quiet = ended({}, policy="Never", terminated={"exitCode": 0, "reason": "Completed"})
    assert step(quiet) is None


def test_a_pod_being_deleted_still_counts_down_its_sigkill():
    pod = ended({"reason": "Evicted", "message": "The node was low on resource: memory."})
    pod["metadata"].update(deletionTimestamp=ts(20), deletionGracePeriodSeconds=30)
    assert step(pod) == ("SIGKILL in 20s", "warning")


def test_a_next_sort_asks_explain_once_per_pod_version(monkeypatch):
    """explain is heavy; its answer is cached per (uid, version) when asked without a
    now, so NEXT, asked of every ended pod every second, reads it once per version."""
    calls = []
    real = explain._explain
    monkeypatch.setattr(explain, "_explain", lambda *a: calls.append(a) or real(*a))
    pod = ended({"reason": "DeadlineExceeded", "message": "deadline"}, policy="Never")
    rec = SimpleNamespace(obj=pod, events=[], deleted_at=None, ladders={}, uid="u-cache-1", version=1, history=None)
    texts = {next_step(rec, T0 + t).text for t in range(0, 300, 7)}
    assert texts == {"deadline passed"} and len(calls) == 1
    rec.obj, rec.version = copy.deepcopy(pod), 2
    next_step(rec, T0 + 400)
    assert len(calls) == 2


def test_the_due_time_of_an_ended_pod_asks_explain_nothing(monkeypatch):
    """A NEXT sort wants due times only, and an ended pod's step has none: asking explain
    for its wording thrashed explain's cache (512 pods) and took 0.4 s over 10,000."""
    calls = []
    real = explain._explain
    monkeypatch.setattr(explain, "_explain", lambda *a: calls.append(a) or real(*a))
    pods = [ended({"reason": "DeadlineExceeded", "message": "deadline"}, policy="Never"),
            ended({}, policy="Never", terminated={"exitCode": 1})]
    pods.append(copy.deepcopy(pods[0]))
    pods[-1]["metadata"].update(deletionTimestamp=ts(20), deletionGracePeriodSeconds=30)  # its SIGKILL is due
    for i, pod in enumerate(pods):
        rec = SimpleNamespace(obj=pod, events=[], deleted_at=None, ladders={}, uid=f"u-due-{i}", version=1,
                              history=None)
        assert next_due(rec, T0) == next_step(rec, T0).due_at
    assert [next_step(SimpleNamespace(obj=p, events=[], deleted_at=None, ladders={}, uid=None, history=None),
                      T0).due_at for p in pods] == [None, None, T0 + 20]
    calls.clear()
    for i, pod in enumerate(pods):
        next_due(SimpleNamespace(obj=pod, events=[], deleted_at=None, ladders={}, uid=f"u-due-x{i}", version=1,
                                 history=None), T0)
    assert calls == []
