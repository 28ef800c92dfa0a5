"""NEXT for a failing probe: the kill a liveness or startup streak leads to, counted
down ("liveness 2/3, kill in ~5s"); and for a readiness probe already past its
threshold on an unready container, what comes next (a pass makes it ready), not the
present ("readiness fails")."""

from __future__ import annotations

import pytest

from podtui.lifecycle.history import History
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import probe_states

from test_timers import T0, ev, format_ts, record


def _pod(kind: str, ready: bool, started: bool = True, **probe) -> dict:
    spec = {"httpGet": {"port": 8080}, "periodSeconds": 5, **probe}
    return {"spec": {"containers": [{"name": "app", f"{kind}Probe": spec}]},
            "status": {"phase": "Running",
                       "containerStatuses": [{"name": "app", "ready": ready, "started": started, "restartCount": 0,
                                              "state": {"running": {"startedAt": format_ts(T0 - 100)}}}]}}


def _rec(pod, *events):
    rec = record(pod, list(events))
    rec.history = History()
    return rec


@pytest.mark.parametrize("threshold, text", [
    (1, "ready when readiness passes"),
    (3, "ready after 3 readiness passes in a row"),
])
def test_an_unready_containers_failing_readiness_says_what_makes_it_ready(threshold, text):
    rec = _rec(_pod("readiness", ready=False, successThreshold=threshold),
               ev("Unhealthy", "Readiness probe failed: a", first=T0 - 5, last=T0, count=2))
    step = next_step(rec, T0 + 1)
    # Before: "readiness fails", the state it is already in, read as what comes next.
    assert step.text == text and step.due_at is None and step.severity == "warning"


def test_a_liveness_streak_counts_down_to_the_kill_the_probes_pane_estimates():
    rec = _rec(_pod("liveness", ready=True),
               ev("Unhealthy", "Liveness probe failed: a", first=T0 - 5, last=T0, count=2))
    [state] = probe_states(rec, T0 + 1)
    assert state.streak == 2 and state.acts_at == T0 + 5
    step = next_step(rec, T0 + 1)
    assert step.text == "liveness 2/3, kill in ~4s" and step.due_at == T0 + 5
    assert next_step(rec, T0 + 4.5).text == "liveness 2/3, kill in ~1s"  # rounded up, never "in 0s" early
    assert next_step(rec, T0 + 6).text == "liveness 2/3, kill due"  # the third failure not seen yet


def test_a_startup_streak_counts_down_to_the_kill_and_keeps_its_estimate_mark():
    rec = _rec(_pod("startup", ready=False, started=False, failureThreshold=30, periodSeconds=10),
               ev("Unhealthy", "Startup probe failed: a", first=T0 - 90, last=T0, count=10))
    [state] = probe_states(rec, T0 + 1)
    assert state.acts_at == T0 + 200
    # "~10/30": the streak estimated from one Event's span; "~3m19s": the kill's time always is.
    assert next_step(rec, T0 + 1).text == "startup ~10/30, kill in ~3m19s"


def test_a_liveness_streak_at_its_threshold_is_a_kill_under_way():
    rec = _rec(_pod("liveness", ready=True),
               ev("Unhealthy", "Liveness probe failed: a", first=T0 - 10, last=T0, count=3))
    assert next_step(rec, T0 + 1).text == "liveness ~3/3, kill due"
