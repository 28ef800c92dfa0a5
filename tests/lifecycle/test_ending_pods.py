"""Timers of pods whose lifecycle is ending: no countdown may promise what the kubelet
won't do.

pkg/kubelet/container/helpers.go ShouldContainerBeRestarted restarts nothing once
deletionTimestamp is set; a pod in phase Succeeded/Failed is done; past
activeDeadlineSeconds the kubelet fails the pod (active_deadline.go) and kills it;
computePodActions restarts no sidecar once every main container is done and won't be
restarted (restartPolicy Never, or OnFailure with exit 0). The probe worker
(prober/worker.go) exits on a terminal phase and stops liveness and startup once the
pod is being deleted; readiness goes on.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from podtui.lifecycle.backoff import backoffs, backoffs_left, restarts_over
from podtui.lifecycle.explain import KIND_RESTART, restart_explanations
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import probe_states
from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.termination import termination
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0


def ts(offset: float) -> str:
    return format_ts(T0 + offset)


def record(pod: dict, events=(), deleted_at=None):
    return SimpleNamespace(obj=pod, events=list(events), deleted_at=deleted_at, ladders={}, uid=None)


def merge(base: dict, patch: dict) -> dict:
    """`patch` laid over a deep copy of `base` (dicts merged, anything else replaced)."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


# A container crashed 5s before T0 and waits out "back-off 40s": the restart is due at T0 + 35.
CRASHLOOPING = {
    "metadata": {"name": "web-0", "namespace": "shop", "uid": "u1"},
    "spec": {"restartPolicy": "Always", "containers": [{"name": "app"}]},
    "status": {"phase": "Running", "startTime": ts(-600), "containerStatuses": [{
        "name": "app", "ready": False, "started": False, "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff",
                              "message": "back-off 40s restarting failed container=app pod=web-0_shop(u1)"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                     "startedAt": ts(-10), "finishedAt": ts(-5)}}}]},
}
DELETING = {"metadata": {"deletionTimestamp": ts(20), "deletionGracePeriodSeconds": 30}}
EVICTED = {"status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory.",
                      "conditions": [{"type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet",
                                      "lastTransitionTime": ts(-2)}]}}
# PodGC fails a pod left on an out-of-service node without touching its container statuses.
GC_FAILED = {"metadata": {"deletionTimestamp": ts(-1), "deletionGracePeriodSeconds": 0},
             "status": {"phase": "Failed", "conditions": [
                 {"type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC",
                  "lastTransitionTime": ts(-1)}]}}
PAST_DEADLINE = {"spec": {"activeDeadlineSeconds": 590}}  # startTime -600: passed at -10
DEADLINE_AHEAD = {"spec": {"activeDeadlineSeconds": 900}}


@pytest.mark.parametrize("patch, deleted_at, restarts, next_text", [
    ({}, None, ["app"], "restart in 35s"),  # the control: nothing is ending
    (DEADLINE_AHEAD, None, ["app"], "restart in 35s"),
    (DELETING, None, [], "SIGKILL in 20s"),
    (EVICTED, None, [], "evicted: memory"),  # no restart: why the pod ended
    (GC_FAILED, None, [], "past grace by 1s"),
    (PAST_DEADLINE, None, [], "deadline passed"),
    ({}, T0 - 1, [], "deleted"),
])
def test_no_restart_countdown_for_an_ending_pod(patch, deleted_at, restarts, next_text):
    rec = record(merge(CRASHLOOPING, patch), deleted_at=deleted_at)
    assert [b.container for b in backoffs(rec, T0)] == restarts
    step = next_step(rec, T0)
    assert (step.text if step is not None else None) == next_text
    assert (restarts_over(rec, T0) is None) == bool(restarts)


@pytest.mark.parametrize("patch, deleted_at, why, since", [
    (DELETING, None, "the pod's deletion was requested", T0 - 10),
    (EVICTED, None, "the pod has finished (phase Failed, Evicted)", None),
    (PAST_DEADLINE, None, "its activeDeadlineSeconds passed", T0 - 10),
    ({}, T0 - 1, "the pod was removed", T0 - 1),
])
def test_why_restarts_are_over_and_the_back_off_they_cut_short(patch, deleted_at, why, since):
    rec = record(merge(CRASHLOOPING, patch), deleted_at=deleted_at)
    over = restarts_over(rec, T0)
    assert (over.why, over.since) == (why, since)
    (left,) = backoffs_left(rec, T0)  # what it waited for, for the record
    assert (left.container, left.delay, left.next_at, left.measured) == ("app", 40.0, T0 + 35, True)


def test_a_lost_node_has_no_sigkill_countdown():
    # NodeLost: no kubelet answers, so nothing sends SIGKILL at the deadline.
    pod = merge(CRASHLOOPING, {**DELETING, "status": {"reason": "NodeLost",
                                                      "message": "Node node-1 which was running pod web-0 is unresponsive"}})
    step = next_step(record(pod), T0)
    assert (step.text, step.due_at) == ("node unreachable", None)


# -- sidecars: restarted under restartPolicy Never too, until the main containers are done

def _with_sidecar(policy: str, main_state: dict) -> dict:
    crashing = copy.deepcopy(CRASHLOOPING["status"]["containerStatuses"][0])
    crashing["name"] = "proxy"
    return {"metadata": {"name": "job-0", "namespace": "shop", "uid": "u2"},
            "spec": {"restartPolicy": policy, "initContainers": [{"name": "proxy", "restartPolicy": "Always"}],
                     "containers": [{"name": "work"}]},
            "status": {"phase": "Running", "startTime": ts(-600), "initContainerStatuses": [crashing],
                       "containerStatuses": [{"name": "work", "ready": False, "restartCount": 0, "state": main_state}]}}


RUNNING = {"running": {"startedAt": ts(-500)}}
EXIT_0 = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": ts(-500), "finishedAt": ts(-3)}}
EXIT_1 = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts(-500), "finishedAt": ts(-3)}}


@pytest.mark.parametrize("policy, main_state, restarts", [
    ("Never", RUNNING, True),  # a sidecar restarts whatever the pod's policy
    ("Never", EXIT_0, False),  # the main container is done: the kubelet kills the pod instead
    ("Never", EXIT_1, False),
    ("OnFailure", EXIT_0, False),
    ("OnFailure", EXIT_1, True),  # the main container restarts, so does the sidecar
    ("Always", EXIT_0, True),
])
def test_a_sidecar_restarts_until_the_main_containers_are_done(policy, main_state, restarts):
    rec = record(_with_sidecar(policy, main_state))
    assert [b.container for b in backoffs(rec, T0)] == (["proxy"] if restarts else [])
    pending = [ex for ex in restart_explanations(rec, T0) if ex.container == "proxy" and ex.pending]
    assert bool(pending) == restarts


# -- x: a crash is a pending restart only while the kubelet still restarts

@pytest.mark.parametrize("patch, pending", [
    ({}, True),
    (DELETING, False),
    (EVICTED, False),
    (PAST_DEADLINE, False),
])
def test_explanations_promise_no_restart_to_an_ending_pod(patch, pending):
    rec = record(merge(CRASHLOOPING, patch))
    (crash,) = [ex for ex in restart_explanations(rec, T0) if ex.container == "app"]
    assert crash.pending == pending and (crash.kind == KIND_RESTART) == pending


@pytest.mark.parametrize("policy, state, pending", [
    ("Never", {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts(-9), "finishedAt": ts(-5)}}, False),
    ("OnFailure", {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts(-9), "finishedAt": ts(-5)}}, True),
])
def test_a_failed_init_container_restarts_only_under_a_restarting_policy(policy, state, pending):
    pod = {"metadata": {"name": "p", "namespace": "shop", "uid": "u3"},
           "spec": {"restartPolicy": policy, "initContainers": [{"name": "init"}], "containers": [{"name": "app"}]},
           "status": {"phase": "Pending", "initContainerStatuses": [{"name": "init", "restartCount": 0, "state": state}],
                      "containerStatuses": [{"name": "app", "restartCount": 0,
                                             "state": {"waiting": {"reason": "PodInitializing"}}}]}}
    rec = record(pod)
    assert backoffs(rec, T0) == []
    (ex,) = [ex for ex in restart_explanations(rec, T0) if ex.container == "init"]
    assert ex.pending == pending


@pytest.mark.parametrize("code, explained", [(0, False), (1, True)])
def test_on_failure_restarts_only_a_failed_container(code, explained):
    term = {"exitCode": code, "reason": "Completed" if code == 0 else "Error", "startedAt": ts(-9), "finishedAt": ts(-5)}
    pod = {"metadata": {"name": "p", "namespace": "shop", "uid": "u4"},
           "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "app"}]},
           "status": {"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 0,
                                                                 "state": {"terminated": term}}]}}
    rec = record(pod)
    assert backoffs(rec, T0) == []
    pending = [ex for ex in restart_explanations(rec, T0) if ex.pending]
    assert bool(pending) == explained


# -- probes: stopped probes count nothing down

def _probed(patch: dict) -> dict:
    probe = {"httpGet": {"port": 8080}, "periodSeconds": 10, "failureThreshold": 3}
    pod = {"metadata": {"name": "web-1", "namespace": "shop", "uid": "u5"},
           "spec": {"restartPolicy": "Always",
                    "containers": [{"name": "app", "livenessProbe": probe, "readinessProbe": dict(probe)}]},
           "status": {"phase": "Running", "startTime": ts(-600), "containerStatuses": [{
               "name": "app", "ready": True, "started": True, "restartCount": 0,
               "state": {"running": {"startedAt": ts(-500)}}}]}}
    return merge(pod, patch)


def _unhealthy(ptype: str) -> EventRecord:
    return EventRecord(uid=ptype, namespace="shop", name=f"web-1.{ptype}", type="Warning", reason="Unhealthy",
                       message=f"{ptype.capitalize()} probe failed: HTTP probe failed with statuscode: 500",
                       first=T0 - 10, last=T0, count=2, field_path="spec.containers{app}", container="app",
                       source="kubelet", involved_kind="Pod", involved_namespace="shop", involved_name="web-1",
                       involved_uid="u5")


@pytest.mark.parametrize("patch, deleted_at, live", [
    ({}, None, {"liveness", "readiness"}),
    (DELETING, None, {"readiness"}),  # readiness still runs while the pod terminates
    ({"status": {"phase": "Failed", "reason": "Evicted"}}, None, set()),
    ({"status": {"phase": "Succeeded"}}, None, set()),
    (PAST_DEADLINE, None, set()),
    ({}, T0 - 1, set()),
])
def test_stopped_probes_have_no_streak_and_no_due_time(patch, deleted_at, live):
    rec = record(_probed(patch), [_unhealthy("liveness"), _unhealthy("readiness")], deleted_at=deleted_at)
    states = {s.settings.type: s for s in probe_states(rec, T0 + 1)}
    for ptype, state in states.items():
        if ptype in live:
            assert (state.streak, state.acts_at) == (2, T0 + 10), ptype
        else:
            assert (state.streak, state.acts_at) == (0, None), ptype
            assert state.last_failure_at == T0  # what it said last is still shown


def test_a_liveness_streak_of_a_terminating_pod_is_not_next():
    step = next_step(record(_probed(DELETING), [_unhealthy("liveness")]), T0 + 1)
    assert step.text == "SIGKILL in 19s"


# -- the activeDeadlineSeconds countdown of a pod that has ended anyway

@pytest.mark.parametrize("patch, deadline_at", [
    ({"spec": {"activeDeadlineSeconds": 900}}, T0 + 300),
    ({"spec": {"activeDeadlineSeconds": 900}, "status": {"phase": "Succeeded"}}, None),
    ({"spec": {"activeDeadlineSeconds": 900}, "metadata": {"deletionTimestamp": ts(20)}}, None),
    # The deadline is what ended it: keep when it passed.
    ({"spec": {"activeDeadlineSeconds": 590}, "status": {"phase": "Failed", "reason": "DeadlineExceeded"}}, T0 - 10),
])
def test_no_deadline_countdown_for_a_pod_that_ended_otherwise(patch, deadline_at):
    info = termination(record(merge(_probed({}), patch)), T0)
    assert info.deadline_at == deadline_at and info.active_deadline is not None
