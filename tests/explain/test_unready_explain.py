"""What `x` says of a pod with no restart to explain: why it is unready (a failing
readiness probe's last message and streak, a readiness gate's unmet condition), or
that it is running and ready."""

from __future__ import annotations

from podtui.lifecycle.explain import steady_line, unready_explanation

from explain_helpers import DEFAULT, fold, pod


def test_a_failing_readiness_probe_says_its_last_message_and_its_streak():
    store, now = fold(DEFAULT, until=40.5)  # the first flap: unready from 35s
    rec = pod(store, "readiness-flap")
    assert rec.row.ready == "0/1" and rec.row.status == "Running"
    assert unready_explanation(rec, now) == (
        "unready for 5s: readiness probe failed (HTTP probe failed with statuscode: 503)\n"
        "api's readiness probe (http GET :8080/ready, every 5s): 3 failures in a row (threshold 2), the last 0s ago")
    assert steady_line(rec) == "no restarts seen for this pod"  # not "running and ready"


def test_an_unmet_readiness_gate_is_named_with_its_condition():
    store, now = fold(DEFAULT, until=20)  # the gate's condition comes at 50s
    rec = pod(store, "gated")
    assert rec.row.ready == "1/1"  # kubectl's READY counts containers: the gate holds the pod
    text = unready_explanation(rec, now)
    assert text is not None
    head, gate = text.split("\n")
    assert head.startswith("unready for 19s: ") and head.endswith("readiness gate example.com/lb-registered not True")
    assert gate == ("readiness gate example.com/lb-registered: condition not set yet for 16s "
                    "(a controller sets it, not the kubelet)")


def test_a_ready_pod_has_nothing_unready_and_says_running_and_ready():
    store, now = fold(DEFAULT, until=60)
    for name in ("gated", "with-sidecar"):
        rec = pod(store, name)
        assert unready_explanation(rec, now) is None
        assert steady_line(rec) == "running and ready; no restarts seen"
    gone = next(r for r in fold(DEFAULT)[0].pods.values() if r.deleted_at is not None)
    assert unready_explanation(gone, now) is None and steady_line(gone) == "no restarts seen for this pod"


def test_ready_is_read_by_kubectl_s_rule_any_ready_condition_true():
    # kubectl's STATUS (hasPodReadyCondition) calls a pod ready when any Ready condition
    # is True; `x` said "running and ready" only when the first one was.
    from types import SimpleNamespace

    conditions = [{"type": "Ready", "status": "False"}, {"type": "Ready", "status": "True"}]
    obj = {"metadata": {"name": "p", "namespace": "n", "uid": "u"},
           "spec": {"containers": [{"name": "app"}]},
           "status": {"phase": "Running", "conditions": conditions,
                      "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                             "state": {"running": {"startedAt": "2024-05-01T10:00:00Z"}}}]}}
    rec = SimpleNamespace(obj=obj, deleted_at=None)
    assert steady_line(rec) == "running and ready; no restarts seen"
    obj["status"]["conditions"] = conditions[:1]
    assert steady_line(rec) == "no restarts seen for this pod"
