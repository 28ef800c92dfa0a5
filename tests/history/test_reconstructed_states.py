"""A history entry marked observed names states podtui saw the API publish. An instance
podtui never saw end (its postStart hook failed, or it crashed between two versions) is
known from the lastState it left: its `running` and `terminated` entries are
reconstructed, and so is the step from that `terminated` to the state the API did
publish next (the kubelet publishes PostStartHookError or CrashLoopBackOff with the
ended instance in lastState, never `terminated` itself)."""

from __future__ import annotations

from podtui.lifecycle.changes import PODS
from podtui.lifecycle.history import diff
from podtui.lifecycle.read import container_statuses
from podtui.lifecycle.records import CONTAINER_STATE
from podtui.lifecycle.times import format_ts
from tests.lifecycle.test_next_post_start import SCENARIO, T0
from tests.explain.timer_accuracy import record_scenario

HOOK_ERROR = {"waiting": {"reason": "PostStartHookError", "message": "Exec lifecycle hook ... exited with 1"}}
BACKING_OFF = {"waiting": {"reason": "CrashLoopBackOff",
                           "message": "back-off 10s restarting failed container=app pod=p_demo(u1)"}}


def _ended(started: float, finished: float, cid: str) -> dict:
    return {"terminated": {"exitCode": 143, "reason": "Error", "startedAt": format_ts(T0 + started),
                           "finishedAt": format_ts(T0 + finished), "containerID": cid}}


def _pod(state: dict, last: dict, restarts: int) -> dict:
    cs = {"name": "app", "ready": False, "started": False, "restartCount": restarts, "state": state,
          "lastState": last, "containerID": last["terminated"]["containerID"]}
    return {"metadata": {"name": "p", "namespace": "demo", "uid": "u1"},
            "spec": {"containers": [{"name": "app", "image": "app:1"}]},
            "status": {"phase": "Running", "containerStatuses": [cs]}}


def _states(transitions) -> list[tuple]:
    return [(t.old, t.new, t.observed, t.exact) for t in transitions if t.kind == CONTAINER_STATE]


def test_the_step_from_a_reconstructed_end_is_reconstructed():
    # Restart #2 ran its hook from 20s to 23s and was killed; podtui saw CrashLoopBackOff, then this.
    before = _pod(BACKING_OFF, _ended(7, 10, "c://1"), 1)
    after = _pod(HOOK_ERROR, _ended(20, 23, "c://2"), 2)
    assert _states(diff(before, after, T0 + 23.8)) == [
        ("waiting:CrashLoopBackOff", "running", False, True),  # restart #2's startedAt
        ("running", "terminated:Error", False, True),  # its finishedAt: from lastState
        # Seen: PostStartHookError, where podtui last saw CrashLoopBackOff. The step
        # from the ended instance's `terminated` was never published: not seen happening.
        ("terminated:Error", "waiting:PostStartHookError", False, False),
    ]


def test_a_step_between_two_published_states_stays_observed():
    before = _pod(HOOK_ERROR, _ended(20, 23, "c://2"), 2)
    after = _pod(BACKING_OFF, _ended(20, 23, "c://2"), 2)
    assert _states(diff(before, after, T0 + 24.8)) == [
        ("waiting:PostStartHookError", "waiting:CrashLoopBackOff", True, False)]


def _key(state: dict) -> str:
    """history's name of a published state (this scenario's reasons are all set)."""
    (kind, body), = state.items()
    return kind if kind == "running" else f"{kind}:{body['reason']}"


def test_every_observed_entry_of_the_demo_poststart_fail_pod_names_published_states():
    """kubectl -w shows ContainerCreating, PostStartHookError 0, PostStartHookError 1,
    CrashLoopBackOff 1, PostStartHookError 2, ...: `terminated` never. Was:
    `terminated:Error -> waiting:PostStartHookError` marked observed (≈) at each end."""
    from podtui.clock import ManualClock
    from podtui.lifecycle.store import Store

    changes = record_scenario(SCENARIO, 60, step=0.25, start=T0)
    published = {_key(cs["state"]) for ch in changes if ch.resource == PODS
                 for cs in container_statuses(ch.obj).values() if cs.get("state")}
    assert not any(key.startswith("terminated") for key in published), published
    store = Store(ManualClock(T0))
    for ch in changes:
        store.apply(ch)
    entries = [t for t in store.by_name("demo", "poststart-fail").history if t.kind == CONTAINER_STATE]
    seen = [(t.old, t.new) for t in entries if t.observed]
    assert ("waiting:PostStartHookError", "waiting:CrashLoopBackOff") in seen, seen
    assert all(new in published and old in published | {None} for old, new in seen), seen
    # The ends themselves are in the history, reconstructed from lastState: one an instance.
    ends = [t for t in entries if t.new == "terminated:Error"]
    assert len(ends) >= 4 and not any(t.observed for t in ends) and all(t.exact for t in ends), ends
