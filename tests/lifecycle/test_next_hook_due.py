"""A crash-looping pod whose restarted instance runs its postStart hook keeps a due time
(when the restart came), as its back-off had: without one a NEXT sort moved it to the
bottom for the hook's seconds and back at each restart (as a running pull retry did)."""

from __future__ import annotations

from podtui.lifecycle.nextstep import next_due, next_step
from tests.lifecycle.test_next_post_start import replay_poststart_fail


def test_a_running_hook_keeps_a_due_time_near_the_restart_it_follows():
    seen, before = 0, None
    for t, rec in replay_poststart_fail(seconds=50):
        if rec is None:
            continue
        step = next_step(rec, t)
        due = next_due(rec, t)
        if step is not None and step.text.startswith("postStart hook running"):
            assert due is not None and due <= t, (t, step.text, due)
            if before is not None:  # the back-off's due time just before: the restart came at it
                assert abs(due - before) <= 1, (t, due, before)
            seen += 1
        before = due if step is not None and step.text.startswith("restart") else before
    assert seen >= 10
