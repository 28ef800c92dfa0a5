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
