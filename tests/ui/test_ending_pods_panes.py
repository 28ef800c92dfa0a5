"""The Back-off, Probes and Termination panes of a pod whose life is ending promise no
restart, probe kill or deadline the kubelet won't bring."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from podtui.lifecycle.times import format_ts
from podtui.ui.panes import backoff, probes, termination

T0 = 1_714_557_600.0


def ts(offset: float) -> str:
    return format_ts(T0 + offset)


PROBE = {"httpGet": {"port": 8080}, "periodSeconds": 10, "failureThreshold": 3}
POD = {
    "metadata": {"name": "web-0", "namespace": "shop", "uid": "u1"},
    "spec": {"restartPolicy": "Always", "activeDeadlineSeconds": 900,
             "containers": [{"name": "app", "livenessProbe": PROBE}, {"name": "side", "readinessProbe": PROBE}]},
    "status": {"phase": "Running", "startTime": ts(-600), "containerStatuses": [
        {"name": "app", "ready": False, "started": False, "restartCount": 4,
         "state": {"waiting": {"reason": "CrashLoopBackOff",
                               "message": "back-off 40s restarting failed container=app pod=web-0_shop(u1)"}},
         "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts(-10), "finishedAt": ts(-5)}}},
        {"name": "side", "ready": True, "started": True, "restartCount": 0,
         "state": {"running": {"startedAt": ts(-500)}}}]},
}


def record(meta: dict | None = None, status: dict | None = None):
    pod = copy.deepcopy(POD)
    pod["metadata"].update(meta or {})
    pod["status"].update(status or {})
    return SimpleNamespace(obj=pod, events=[], deleted_at=None, ladders={}, history=None, uid=None)


DELETING = {"deletionTimestamp": ts(20), "deletionGracePeriodSeconds": 30}


@pytest.mark.parametrize("meta, status, says, never", [
    ({}, {}, "next restart in 35s", None),
    (DELETING, {}, "No restart or pull retry comes: the pod's deletion was requested; SIGKILL in 20s",
     "never: the back-off is moot"),
    ({}, {"phase": "Failed", "reason": "Evicted"},
     "No restart or pull retry comes: the pod has finished (phase Failed, Evicted)", "never: the back-off is moot"),
])
def test_backoff_pane(meta, status, says, never):
    text = backoff.render(record(meta, status), T0).plain
    assert says in text
    assert ("next restart" not in text) == (never is not None)
    if never:
        assert never in text


@pytest.mark.parametrize("meta, status, stopped", [
    ({}, {}, set()),
    (DELETING, {}, {"app"}),  # liveness stops; readiness goes on while the pod terminates
    ({}, {"phase": "Succeeded"}, {"app", "side"}),
])
def test_probes_pane_says_which_probes_stopped(meta, status, stopped):
    text = probes.render(record(meta, status), T0).plain
    blocks = {b.split()[0]: b for b in text.split("\n\n")}
    for name, block in blocks.items():
        assert ("stopped:" in block) == (name in stopped), block


@pytest.mark.parametrize("meta, status, says", [
    ({}, {}, "activeDeadlineSeconds 900s: in 5m"),
    ({}, {"phase": "Succeeded"}, "activeDeadlineSeconds 900s: no longer counts (the pod ended before it ran out)"),
    (DELETING, {}, "activeDeadlineSeconds 900s: no longer counts (the pod ended before it ran out)"),
])
def test_termination_pane_deadline(meta, status, says):
    assert says in termination.render(record(meta, status), T0).plain


@pytest.mark.parametrize("meta, status", [({}, {}), ({}, {"phase": "Succeeded"}), (DELETING, {})])
def test_termination_pane_keeps_its_label_column(meta, status):
    # "activeDeadlineSeconds 90s  deadline passed…" ran past the 12-cell label column
    # that every other line keeps, its wrapped lines too.
    for width in (None, 40):
        text = termination.render(record(meta, status), T0, SimpleNamespace(width=width)).plain
        for row in text.splitlines():
            assert len(row) <= 12 or row[11] == " " and row[12] != " ", row
        assert any(row.startswith("deadline    activeDeadlineSeconds 900s") for row in text.splitlines())
