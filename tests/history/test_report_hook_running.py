"""A report made while a restarted instance's postStart hook runs (a recording that ends
then, or `history` on a live pod) says the restart started, when, and that its hook
was still running: the status still shows the instance that ended, but the Started
Event says the kubelet restarted it (was labelled "(pending)", "to run again after the
back-off", and not counted among the restarts)."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from podtui.lifecycle import explain
from podtui.lifecycle.explain import last_restart
from podtui.lifecycle.report import pod_report, render_markdown, rfc3339
from tests.lifecycle.test_next_post_start import replay_poststart_fail


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch):
    monkeypatch.setattr(explain, "_CACHE", OrderedDict())


def _mid_hook():
    """(now, record, explanation) at each step where a restart started and its hook runs."""
    for t, rec in replay_poststart_fail(seconds=50):
        ex = last_restart(rec, "app", t) if rec is not None else None
        if ex is not None and ex.pending and ex.hook_started is not None:
            yield t, rec, ex


def test_a_restart_whose_hook_runs_is_reported_started_not_pending():
    seen = 0
    for t, rec, ex in _mid_hook():
        report = pod_report(rec, t)
        [entry] = [e for e in report["restarts_and_failures"] if e.get("restart") == ex.number]
        assert not entry.get("pending") and entry["restarted_at"] == rfc3339(ex.hook_started), entry
        assert entry["post_start_hook_running"] is True, entry
        text = render_markdown({"pods": [report]})
        assert f"restart #{ex.number}, stopped" in text and "(pending)" not in text, text
        assert "postStart hook still running" in text, text
        seen += 1
    assert seen >= 3
