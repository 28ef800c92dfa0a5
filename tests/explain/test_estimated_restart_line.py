"""Right after a crash, before the kubelet's sync says CrashLoopBackOff, the restart's
due time is podtui's estimate (backoff.just_crashed): the one-liner marks it "~" as
NEXT does, and drops it once the back-off message states the delay."""

from __future__ import annotations

import pytest

from explain_helpers import DEFAULT, fold, pod
from podtui.lifecycle.backoff import just_crashed
from podtui.lifecycle.explain import container_line, last_restart_line
from podtui.lifecycle.nextstep import next_step


@pytest.mark.parametrize("until, name, container, line, next_text", [
    (23, "crashloop", "app", "crashed 0s ago, restart #3 in ~20s: exit 1, reason Error", "restart in ~20s"),
    (53, "oom", "cruncher", "crashed 0s ago, restart #3 in ~20s: OOMKilled (memory limit 64Mi), exit 137",
     "restart in ~20s"),
    # in CrashLoopBackOff: the kubelet's own figure, no "~" on either
    (30, "crashloop", "app", "crashed 8s ago, restart #3 in 12s: exit 1, reason Error", "restart in 12s"),
])
def test_an_estimated_restart_reads_as_one_in_the_one_liner_as_in_next(until, name, container, line, next_text):
    store, now = fold(DEFAULT, until=until)
    rec = pod(store, name)
    assert bool(just_crashed(rec, now)) is ("~" in line)
    assert container_line(rec, container, now) == line
    assert last_restart_line(rec, now) == line
    assert next_step(rec, now).text == next_text
