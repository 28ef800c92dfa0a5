"""Malformed pods and Events never break an explanation: hypothesis feeds the store
versions whose fields have the wrong types, missing pieces or nonsense values."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle import explain, unready
from podtui.lifecycle.explain import restart_explanations, timeline_entries
from podtui.lifecycle.report import pod_report, render_markdown, render_yaml, report
from podtui.lifecycle.store import Store
from podtui.lifecycle.unready import unready_line, unready_periods

EPOCH = 1_714_557_600.0

junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 300), st.text(max_size=8),
                 st.sampled_from(["2024-05-01T10:00:05Z", "not a time", "", "2024-05-01T09:00:00Z"]),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))

terminated = st.fixed_dictionaries({}, optional={
    "exitCode": st.one_of(st.integers(-1, 300), junk), "signal": st.one_of(st.integers(0, 40), junk),
    "reason": st.sampled_from(["Error", "OOMKilled", "Completed", "StartError", "ContainerStatusUnknown", ""]),
    "message": junk, "startedAt": junk, "finishedAt": junk, "containerID": junk,
})
state = st.one_of(
    st.fixed_dictionaries({"terminated": terminated}),
    st.fixed_dictionaries({"running": st.fixed_dictionaries({}, optional={"startedAt": junk})}),
    st.fixed_dictionaries({"waiting": st.fixed_dictionaries({}, optional={
        "reason": st.sampled_from(["CrashLoopBackOff", "CreateContainerConfigError", "ErrImagePull",
                                   "PostStartHookError", "RunContainerError", ""]),
        "message": junk})}),
    junk,
)
container_status = st.fixed_dictionaries({"name": st.sampled_from(["app", "side", "init"])}, optional={
    "state": state, "lastState": state, "restartCount": st.one_of(st.integers(0, 9), junk),
    "ready": st.one_of(st.booleans(), junk), "started": junk,
})
condition = st.fixed_dictionaries({"type": st.sampled_from(["Ready", "ContainersReady", "DisruptionTarget", "gate"]),
                                   "status": st.sampled_from(["True", "False", "Unknown"])},
                                  optional={"reason": st.sampled_from(["PreemptionByScheduler", "TerminationByKubelet",
                                                                       "ReadinessGatesNotReady", "x"]),
                                            "message": junk, "lastTransitionTime": junk})
status = st.fixed_dictionaries({}, optional={
    "phase": st.sampled_from(["Pending", "Running", "Failed", "Succeeded", 7]),
    "reason": st.sampled_from(["Evicted", "NodeLost", "Terminated", "DeadlineExceeded", ""]),
    "message": junk,
    "conditions": st.one_of(st.lists(condition, max_size=3), junk),
    "containerStatuses": st.one_of(st.lists(container_status, max_size=2), junk),
    "initContainerStatuses": st.one_of(st.lists(container_status, max_size=1), junk),
})
spec = st.fixed_dictionaries({}, optional={
    "containers": st.one_of(st.just([{"name": "app", "resources": {"limits": {"memory": "64Mi"}}}]), junk),
    "initContainers": st.one_of(st.just([{"name": "side", "restartPolicy": "Always"}, {"name": "init"}]), junk),
    "restartPolicy": st.sampled_from(["Always", "Never", "OnFailure", 3]),
    "readinessGates": st.one_of(st.just([{"conditionType": "gate"}]), junk),
})
meta_extra = st.fixed_dictionaries({}, optional={"deletionTimestamp": junk, "deletionGracePeriodSeconds": junk,
                                                 "creationTimestamp": junk})
event = st.fixed_dictionaries({
    "reason": st.sampled_from(["Killing", "Unhealthy", "FailedPostStartHook", "Evicted", "Preempted", "Failed"]),
    "message": st.sampled_from(["Container app failed liveness probe, will be restarted",
                                "Readiness probe failed: 503", "Liveness probe failed: x", "PostStartHook failed", ""]),
}, optional={"count": junk, "firstTimestamp": junk, "lastTimestamp": junk, "type": junk,
             "involvedObject": st.fixed_dictionaries({"kind": st.just("Pod"), "namespace": st.just("d"),
                                                      "name": st.just("p")},
                                                     optional={"fieldPath": st.sampled_from(["spec.containers{app}",
                                                                                             "x", ""])})})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions=st.lists(st.tuples(spec, status, meta_extra), min_size=1, max_size=4),
       events=st.lists(event, max_size=4))
def test_malformed_pods_never_break_explanations(versions, events):
    store = Store(ManualClock(EPOCH + 100))
    for i, (sp, stt, extra) in enumerate(versions):
        obj = {"metadata": {"name": "p", "namespace": "d", "uid": "u", **extra}, "spec": sp, "status": stt}
        store.apply(Change(PODS, ADDED if i == 0 else MODIFIED, obj, EPOCH + i))
    for j, ev in enumerate(events):
        ev = {**ev, "metadata": {"name": f"e{j}", "namespace": "d", "uid": f"e{j}"}}
        ev.setdefault("involvedObject", {"kind": "Pod", "namespace": "d", "name": "p"})
        store.apply(Change(EVENTS, ADDED, ev, EPOCH + 50 + j))
    rec = store.by_name("d", "p")
    now = EPOCH + 100
    # The entry points swallow exceptions (a UI must outlive bad data); call the
    # workers underneath so a crash shows here.
    explain._explain(rec, now, list(rec.events))
    unready._periods(rec)
    exs = restart_explanations(rec, now)
    assert not any(e.summary.startswith("could not explain") for e in exs), exs
    unready_periods(rec, now)
    unready_line(rec, now)
    timeline_entries(rec, now)
    data = report([pod_report(rec, now)], source="fuzz", start=EPOCH, end=now)
    assert yaml.safe_load(render_yaml(data))["pods"][0]["pod"] == "d/p"
    assert render_markdown(data).startswith("# Pod lifecycle history")
