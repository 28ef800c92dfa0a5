"""A restart the kubelet has not made yet is no `last restart 7s ago`: the container
crashed then, and the restart comes when its back-off is out."""

from __future__ import annotations

import pytest

from explain_helpers import DEFAULT, EPOCH, fold, play, pod
from podtui.lifecycle.backoff import backoffs
from podtui.lifecycle.explain import container_line, last_restart, last_restart_line


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


def _ended(restarts: int, ran: float) -> dict:
    """A pod met running at restartCount `restarts` that ends after running `ran` seconds,
    its restart not made yet (no CrashLoopBackOff, no Started Event)."""
    from podtui.lifecycle.times import format_ts

    start, end = EPOCH + 5, EPOCH + 5 + ran
    status = {"name": "app", "ready": True, "started": True, "restartCount": restarts,
              "state": {"running": {"startedAt": format_ts(start)}}}
    ended = {**status, "ready": False, "started": False, "state": {"terminated": {
        "exitCode": 1, "reason": "Error", "startedAt": format_ts(start), "finishedAt": format_ts(end)}}}
    return {
        # A uid of its own: explain caches by uid and version.
        "pod": {"metadata": {"name": "worker", "namespace": "demo", "uid": f"u-w-{restarts}-{ran}",
                             "creationTimestamp": "2024-05-01T10:00:00Z"},
                "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "app:1"}]},
                "status": {"phase": "Running", "containerStatuses": [status]}},
        "t0": 6, "steps": [{"t": ran + 6, "status": {"phase": "Running", "containerStatuses": [ended]}}],
        "now": ran + 7,
    }


@pytest.mark.parametrize("restarts, ran, why", [
    (6, 900, "at once (no back-off: it ran over 10m)"),  # was "(no back-off after a first crash)"
    (0, 900, "at once (no back-off: it ran over 10m)"),  # a first crash too: the run says it, as backoff does
    (0, 30, "at once (no back-off after a first crash)"),
    (6, 599, "after the back-off"),
])
def test_a_pending_restart_says_why_it_comes_at_once(restarts, ran, why):
    rec, now = play(_ended(restarts, ran))
    ex = last_restart(rec, "app", now)
    assert ex is not None and ex.pending and ex.number == restarts + 1
    assert f"restart #{restarts + 1} pending: the kubelet restarts it {why}" in ex.evidence, ex.evidence
