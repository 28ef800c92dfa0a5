"""A container's first start is not a restart, whichever way podtui first reads its count."""

from __future__ import annotations

import pytest

from podtui.lifecycle.history import diff, reconstruct
from podtui.lifecycle.records import RESTART

STARTED = "2024-05-01T10:00:00Z"
SEEN = 1714557700.0


def _pod(status: dict | None) -> dict:
    pod = {"metadata": {"name": "web-0", "creationTimestamp": STARTED}, "spec": {"containers": [{"name": "app"}]}}
    if status is not None:
        pod["status"] = {"phase": "Running", "containerStatuses": [{"name": "app", **status}]}
    return pod


RUNNING = {"restartCount": 0, "state": {"running": {"startedAt": STARTED}}}


@pytest.mark.parametrize("before", [
    None,  # no container statuses yet
    {"restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}},
    # A status without its count (a partial object): the count first read as 0 was
    # taken for a restart, "app restarted (→ 0)" at the container's first start.
    {"state": {"waiting": {"reason": "ContainerCreating"}}},
    {"restartCount": "0", "state": {"waiting": {"reason": "ContainerCreating"}}},
])
def test_a_first_start_records_no_restart(before):
    assert [t for t in diff(_pod(before), _pod(RUNNING), SEEN) if t.kind == RESTART] == []


def test_a_first_start_met_at_first_sight_records_no_restart():
    assert [t for t in reconstruct(_pod(RUNNING), SEEN) if t.kind == RESTART] == []


def test_a_count_that_rises_is_a_restart_dated_at_the_new_instance():
    before = {"restartCount": 0, "state": {"running": {"startedAt": STARTED}}}
    after = {"restartCount": 1, "state": {"running": {"startedAt": "2024-05-01T10:01:00Z"}},
             "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": STARTED,
                                          "finishedAt": "2024-05-01T10:00:50Z"}}}
    [t] = [t for t in diff(_pod(before), _pod(after), SEEN) if t.kind == RESTART]
    assert (t.old, t.new, t.at, t.detail) == ("0", "1", 1714557660.0, "after exit 1, reason Error")


LAST = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2024-05-01T09:58:00Z",
                       "finishedAt": "2024-05-01T09:59:50Z"}}
AT_3 = {"restartCount": 3, "state": {"running": {"startedAt": STARTED}}, "lastState": LAST}


@pytest.mark.parametrize("partial", [
    {k: v for k, v in AT_3.items() if k != "restartCount"},  # the same instance, its count dropped
    {"state": AT_3["state"]},  # its lastState dropped too
])
def test_a_count_dropped_by_a_partial_status_and_back_is_no_restart(partial):
    # 3 -> missing -> 3 with the same instance running: "restarted (→ 3)" came back with the count.
    assert [t for t in diff(_pod(AT_3), _pod(partial), SEEN) if t.kind == RESTART] == []
    assert [t for t in diff(_pod(partial), _pod(AT_3), SEEN) if t.kind == RESTART] == []


def test_a_count_back_with_a_new_instance_is_a_restart():
    partial = {k: v for k, v in AT_3.items() if k != "restartCount"}
    after = {"restartCount": 4, "state": {"running": {"startedAt": "2024-05-01T10:05:00Z"}},
             "lastState": {"terminated": {**LAST["terminated"], "startedAt": STARTED,
                                          "finishedAt": "2024-05-01T10:04:50Z"}}}
    [t] = [t for t in diff(_pod(partial), _pod(after), SEEN) if t.kind == RESTART]
    assert (t.old, t.new, t.at) == (None, "4", 1714557900.0)


def test_a_crash_read_after_a_status_without_its_count_is_no_restart_yet():
    # Waiting, the count is the crashed instance's (the one seen running): no new one started.
    partial = {k: v for k, v in AT_3.items() if k != "restartCount"}
    crashed = {"restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {
        **LAST["terminated"], "startedAt": STARTED, "finishedAt": "2024-05-01T10:04:50Z"}}}
    assert [t for t in diff(_pod(partial), _pod(crashed), SEEN) if t.kind == RESTART] == []
