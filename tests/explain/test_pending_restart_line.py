"""A restart the kubelet has not made yet is no `last restart 7s ago`: the container
crashed then, and the restart comes when its back-off is out."""

from __future__ import annotations

import pytest

from explain_helpers import DEFAULT, fold, pod
from podtui.lifecycle.backoff import backoffs
from podtui.lifecycle.explain import container_line, last_restart_line


@pytest.mark.parametrize("until, name, container, line", [
    # in back-off: the crash and when the restart comes, as NEXT counts it
    (30, "crashloop", "app", "crashed 8s ago, restart #3 in 12s: exit 1, reason Error"),
    (100, "oom", "cruncher", "crashed 16s ago, restart #4 in 24s: OOMKilled (memory limit 64Mi), exit 137"),
    (200, "crashloop", "app", "crashed 26s ago, restart #6 in 2m14s: exit 1, reason Error"),
    # running again: that restart happened
    (30, "oom", "cruncher", "last restart 12s ago: OOMKilled (memory limit 64Mi), exit 137"),
    (400, "oom", "cruncher", "last restart 2m47s ago: OOMKilled (memory limit 64Mi), exit 137"),
])
def test_a_pending_restart_reads_as_a_crash_and_a_countdown(until, name, container, line):
    store, now = fold(DEFAULT, until=until)
    rec = pod(store, name)
    assert container_line(rec, container, now) == line
    assert last_restart_line(rec, now) == line
    if line.startswith("crashed"):
        [b] = [b for b in backoffs(rec, now) if b.container == container]
        assert f" in {line.split(' in ', 1)[1].split(':')[0]}" == f" in {_countdown(b.next_at - now)}"


def _countdown(seconds: float) -> str:
    from podtui.lifecycle.nextstep import countdown

    return countdown(seconds, 0.0)
