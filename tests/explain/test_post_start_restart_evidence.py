"""A restart the status does not show yet, in explain's evidence, says what the headline
says: started, when the kubelet runs its postStart hook (the status shows the ended
instance until the hook returns), else when it comes. The first crash's restart comes at
once: no back-off (was: "restart #1 pending: the kubelet restarts it after the back-off"
under "restart #1 started, postStart hook running")."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from podtui.lifecycle import explain
from podtui.lifecycle.explain import last_restart, last_restart_line, timeline_entries
from tests.lifecycle.test_next_post_start import T0, replay_poststart_fail


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch):
    # Each replay's pod has the demo's uid and version numbers: explanations cached for
    # another replay (other Events) must not answer for this one.
    monkeypatch.setattr(explain, "_CACHE", OrderedDict())


def _said(seconds: float = 50, spam_burst: int | None = None):
    """(seconds in, headline, the pending restart's evidence line, its Timeline text) at
    each step with a restart pending."""
    for t, rec in replay_poststart_fail(seconds=seconds, spam_burst=spam_burst):
        ex = last_restart(rec, "app", t) if rec is not None else None
        if ex is None or not ex.pending:
            continue
        [line] = [item for item in ex.evidence if item.startswith(f"restart #{ex.number} ")]
        [entry] = [e.text for e in timeline_entries(rec, t) if e.kind == "restart" and e.at == ex.at]
        yield t - T0, ex.number, last_restart_line(rec, t), line, entry


def test_a_started_restart_is_said_started_in_the_evidence_and_the_timeline():
    started: dict[int, str] = {}
    for t, number, head, line, entry in _said():
        where = (t, head, line, entry)
        if f"; restart #{number} started, " in head:
            assert line.startswith(f"restart #{number} started "), where
            assert f"restart #{number} started" in entry and "pending" not in entry, where
            started.setdefault(number, line)
        else:
            assert line.startswith(f"restart #{number} pending: "), where
            assert f"restart #{number} pending" in entry, where
    assert set(started) >= {1, 2, 3}, started
    # The demo's kubelet: the first crash's restart at once, then 10s after, 20s after.
    assert ", at once (Event Started)" in started[1] and "back-off" not in started[1], started
    assert ", 10s after the crash (Event Started)" in started[2], started
    assert ", 20s after the crash (Event Started)" in started[3], started


def test_the_first_crash_is_restarted_at_once_when_no_event_says_it_started():
    """The kubelet's spam filter let no second Started Event through: nothing says the
    restart started, and the first crash's restart comes with no back-off."""
    lines = {number: line for _, number, _, line, _ in _said(seconds=25, spam_burst=1)}
    assert lines[1] == "restart #1 pending: the kubelet restarts it at once (no back-off after a first crash)"
    assert lines[2] == "restart #2 pending: the kubelet restarts it after the back-off"
