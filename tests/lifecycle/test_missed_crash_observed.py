"""A crash podtui saw only in lastState: the state it saw published next is still an
observed entry (the one Transition.observed speaks of), and what reads that flag keeps
its anchor: the image back-off's first seen failed pull, explain's "first" wording."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, MODIFIED, PODS, Change
from podtui.lifecycle.explain import restart_explanations
from podtui.lifecycle.records import CONTAINER_STATE
from podtui.lifecycle.store import Store
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0


def pod(state: dict, last: dict | None = None, rc: int = 0, cid: str = "containerd://1") -> dict:
    cs = {"name": "app", "ready": False, "started": False, "restartCount": rc, "state": state,
          "containerID": cid, "image": "app:1", "imageID": ""}
    if last:
        cs["lastState"] = last
    return {"metadata": {"name": "p", "namespace": "demo", "uid": "u1", "creationTimestamp": format_ts(T0)},
            "spec": {"containers": [{"name": "app", "image": "app:1"}], "restartPolicy": "Always"},
            "status": {"phase": "Running", "startTime": format_ts(T0), "containerStatuses": [cs]}}


def crashed_into_pull_failure() -> Store:
    store = Store(ManualClock(T0))
    store.apply(Change(PODS, ADDED, pod({"running": {"startedAt": format_ts(T0 + 1)}}), T0 + 2))
    # Watched from T0+2; the crash at T0+100 is seen only in lastState, beside the
    # failed pull of the restart at T0+103.
    last = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": format_ts(T0 + 1),
                           "finishedAt": format_ts(T0 + 100), "containerID": "containerd://1"}}
    store.apply(Change(PODS, MODIFIED, pod({"waiting": {"reason": "ErrImagePull", "message": "pull failed"}},
                                           last, 1, ""), T0 + 103))
    return store


def test_the_state_seen_after_a_crash_missed_in_lastState_is_observed():
    rec = crashed_into_pull_failure().by_name("demo", "p")
    states = [(t.old, t.new, t.observed) for t in rec.history if t.kind == CONTAINER_STATE]
    assert ("running", "terminated:Error", False) in states  # from lastState: reconstructed
    assert ("terminated:Error", "waiting:ErrImagePull", True) in states  # published: seen
    assert rec.ladders["app"].pull_seen_at == T0 + 103


def test_explain_dates_the_wait_from_the_first_failure_it_saw():
    store = crashed_into_pull_failure()
    last = store.by_name("demo", "p").obj["status"]["containerStatuses"][0]["lastState"]
    store.apply(Change(PODS, MODIFIED, pod({"waiting": {"reason": "ImagePullBackOff", "message": "Back-off"}},
                                           last, 1, ""), T0 + 110))
    evidence = [e for ex in restart_explanations(store.by_name("demo", "p"), T0 + 200) for e in ex.evidence]
    assert any("(first ErrImagePull)" in e for e in evidence), evidence
