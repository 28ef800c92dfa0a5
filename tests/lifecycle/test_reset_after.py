"""The kubelet starts the back-off ladder over when the instance ran LONGER than ten
minutes (kubernetes-lifecycle.md §2): exactly RESET_AFTER is not longer. The ladder
(learn), the estimate for a pending restart (crash_wait) and a running instance's
"resets at" (backoffs) must draw that line at the same place."""

from __future__ import annotations

from podtui.lifecycle.backoff import RESET_AFTER, Ladder, backoffs, crash_wait, learn
from podtui.lifecycle.records import RESTART, Transition
from tests.lifecycle.test_timers import T0, record, ts


def _restart(ran: float) -> Transition:
    started = T0 - 1000
    return Transition(at=started + ran + 10, kind=RESTART, subject="app", old="2", new="3", data={
        "restartCount": 3, "startedAt": started, "finishedAt": started + ran, "restartedAt": started + ran + 10})


def test_crash_wait_resets_only_after_more_than_ten_minutes():
    at_limit = crash_wait(Ladder(), 3, T0, T0 + RESET_AFTER, 10.0, 300.0)
    assert at_limit == (40.0, False)  # restart #3 after a run of exactly 10m: the ladder goes on
    assert crash_wait(Ladder(), 3, T0, T0 + RESET_AFTER + 1, 10.0, 300.0) == (0.0, True)


def test_learn_resets_only_after_more_than_ten_minutes():
    ladders: dict[str, Ladder] = {}
    learn(ladders, [_restart(RESET_AFTER)])
    assert ladders["app"].reset_count == 0 and list(ladders["app"].gaps) == [(2, 10)]
    ladders = {}
    learn(ladders, [_restart(RESET_AFTER + 1)])
    assert ladders["app"].reset_count == 2 and not ladders["app"].gaps


def _running_for(seconds: float) -> dict:
    cs = {"name": "app", "restartCount": 2, "state": {"running": {"startedAt": ts(-seconds)}},
          "lastState": {"terminated": {"exitCode": 1, "startedAt": ts(-seconds - 30), "finishedAt": ts(-seconds - 1)}}}
    return {"metadata": {}, "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [cs]}}


def test_a_running_instance_resets_the_ladder_only_after_ten_minutes():
    [at_limit] = backoffs(record(_running_for(RESET_AFTER)), T0)
    assert at_limit.reset_at == T0  # ran exactly 10m: the reset is due, not done
    assert backoffs(record(_running_for(RESET_AFTER + 1)), T0) == []
