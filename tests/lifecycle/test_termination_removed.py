"""A pod gone from the API is not "waiting on finalizers", even though its last object
(the one the DELETED event carries) still lists them."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.store import Store
from podtui.lifecycle.termination import termination

T0 = 1_714_557_600.0


def held_pod(rv: str) -> dict:
    return {"metadata": {"name": "db", "namespace": "ns", "uid": "u1", "resourceVersion": rv,
                         "creationTimestamp": "2024-05-01T09:00:00Z", "finalizers": ["example.com/backup"],
                         "deletionTimestamp": "2024-05-01T10:00:00Z", "deletionGracePeriodSeconds": 0},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Succeeded"}}


def test_removed_pod_is_not_waiting_on_its_finalizers():
    store = Store(ManualClock(T0))
    store.apply(Change("pods", "MODIFIED", held_pod("1"), T0))
    rec = store.pods["u1"]
    held = termination(rec, T0 + 60)
    assert held.waiting_on_finalizers and held.removed_at is None
    assert "finalizer" in next_step(rec, T0 + 60).text

    store.apply(Change("pods", "DELETED", held_pod("2"), T0 + 90))
    gone = termination(rec, T0 + 120)
    assert not gone.waiting_on_finalizers
    assert gone.removed_at == T0 + 90 and gone.finalizers == ["example.com/backup"]
    step = next_step(rec, T0 + 120)
    assert step is None or "finalizer" not in step.text


def test_a_held_pods_history_is_walked_once_per_change():
    """termination() is asked of every finalizer-held pod on each repaint: at the same
    history length the deletion request is not looked for in the history again."""
    from collections import deque

    from podtui.lifecycle.records import DELETION, Transition

    class Counted(deque):
        walks = 0

        def __iter__(self):
            Counted.walks += 1
            return super().__iter__()

    store = Store(ManualClock(T0))
    store.apply(Change("pods", "MODIFIED", held_pod("1"), T0))
    rec = store.pods["u1"]
    rec.history.entries = Counted(rec.history.entries, maxlen=rec.history.entries.maxlen)
    first = termination(rec, T0 + 60).held_since
    walks = Counted.walks
    for later in (61, 62, 63):
        assert termination(rec, T0 + later).held_since == first
    assert Counted.walks == walks
    rec.history.add(Transition(T0 + 64, DELETION, "", "x", "y", data={"confirmed": True}))
    assert termination(rec, T0 + 65).held_since == T0 + 64  # a change: read afresh
    assert Counted.walks > walks
