"""The history report of a pod whose restarts ended while it waited out a back-off: the
restart it waited for is recorded, and marked as never coming."""

from __future__ import annotations

import copy

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.lifecycle.report import pod_report, render_markdown, report
from podtui.lifecycle.store import Store
from tests.lifecycle.test_ending_pods import CRASHLOOPING as ENDING_CRASHLOOPING
from tests.lifecycle.test_ending_pods import T0, merge, ts

# tests/lifecycle/test_ending_pods.py's crash-looping pod (restart due at T0 + 35),
# with what a report reads besides: its version, age and node.
CRASHLOOPING = merge(ENDING_CRASHLOOPING, {"metadata": {"resourceVersion": "1", "creationTimestamp": ts(-900)},
                                           "spec": {"nodeName": "n1"}})


def _deleting() -> dict:
    pod = copy.deepcopy(CRASHLOOPING)
    pod["metadata"].update(deletionTimestamp=ts(20), deletionGracePeriodSeconds=30)
    return pod


def _evicted() -> dict:
    pod = copy.deepcopy(CRASHLOOPING)
    pod["status"].update(phase="Failed", reason="Evicted")
    return pod


@pytest.mark.parametrize("make, because, summary", [
    (lambda: copy.deepcopy(CRASHLOOPING), None, "in back-off at the end"),
    (_deleting, "the pod's deletion was requested first", "back-off cut short"),
    (_evicted, "the pod has finished (phase Failed, Evicted)", "back-off cut short"),
])
def test_a_back_off_the_pod_ended_in_is_never_made(make, because, summary):
    store = Store(ManualClock(T0))
    store.apply(Change("pods", "ADDED", make(), T0))
    data = pod_report(store.pods["u1"], T0)
    (wait,) = data["back_off_now"]
    assert (wait["next_attempt"], wait.get("next_attempt_never_made"), wait.get("never_made_because")) == (
        "2024-05-01T10:00:35Z", True if because else None, because)
    other = {**data, "pod": "shop/web-1", "uid": "u2"}  # the summary table needs two pods
    text = render_markdown(report([data, other], source="test"))
    row = next(line for line in text.splitlines() if line.startswith("| app | restart |"))
    assert row.endswith("2024-05-01T10:00:35Z (never made: " + because + ") |" if because else "2024-05-01T10:00:35Z |")
    assert next(line for line in text.splitlines() if line.startswith("| shop/web-0 |")).endswith(f"{summary} |")
