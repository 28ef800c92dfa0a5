"""Which version of a repeated Event the evidence quotes, given every version a
recording kept (the kubelet rewrites an Event's count and lastTimestamp in place)."""

from __future__ import annotations

from types import SimpleNamespace

from podtui.lifecycle.explain import restart_explanations
from podtui.lifecycle.records import EventRecord

from explain_helpers import EPOCH


def _ts(offset: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(EPOCH + offset, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hook_failed(count: int, last: float) -> EventRecord:
    return EventRecord(uid="ev-1", namespace="demo", name="hook.1", type="Warning", reason="FailedPostStartHook",
                       message="PostStartHook failed", first=EPOCH + 5, last=EPOCH + last, count=count,
                       field_path="spec.containers{app}", container="app", source="kubelet", involved_kind="Pod",
                       involved_namespace="demo", involved_name="hook", involved_uid="pod-1")


def _record() -> SimpleNamespace:
    """A pod whose `app` ended at +6s after a failed postStart hook, running again since."""
    status = {"containerStatuses": [{
        "name": "app", "restartCount": 1, "containerID": "containerd://b",
        "state": {"running": {"startedAt": _ts(20)}},
        "lastState": {"terminated": {"exitCode": 137, "reason": "Error", "containerID": "containerd://a",
                                     "startedAt": _ts(4), "finishedAt": _ts(6)}},
    }]}
    obj = {"metadata": {"name": "hook", "namespace": "demo", "uid": "pod-1"},
           "spec": {"containers": [{"name": "app", "image": "app"}]}, "status": status}
    return SimpleNamespace(obj=obj, history=SimpleNamespace(entries=[]), events=[], uid=None, version=None)


def test_versions_written_in_one_second_quote_the_higher_count():
    # lastTimestamp has whole seconds: the kubelet's second failure within the same
    # second left two versions with one time, and the first one read (x1) was quoted.
    events = [_hook_failed(1, 6), _hook_failed(2, 6)]
    [ex] = restart_explanations(_record(), EPOCH + 30, events)
    assert ex.cause == "post-start-hook"
    quoted = [line for line in ex.evidence if "FailedPostStartHook" in line]
    assert quoted == [f"Event Warning FailedPostStartHook x{events[-1].count} {_ts(5)} .. {_ts(6)}: "
                      "PostStartHook failed"]
