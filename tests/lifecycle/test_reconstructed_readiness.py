"""At first sight of a pod mid-life, its containers' ready and started flags have no
timestamp of their own. Dated when podtui saw them, they read as coming after the pod's
Ready condition turned True, which they cause: `Ready True ~17:06:58` then `app ready →
true ~17:06:59`. They are dated from the container's start (and its probes' initial
delays), no later than the conditions that needed them."""

from __future__ import annotations

import pytest

from podtui.lifecycle.history import reconstruct
from podtui.lifecycle.records import CONDITION, CONTAINER_STATE, READY, STARTED
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0  # 2024-05-01T10:00:00Z


def _ts(seconds: float) -> str:
    return format_ts(T0 + seconds)


def with_sidecar(app_started: float = 8, ready_at: float = 8, readiness_delay: int | None = None,
                 sidecar_started: float = 3) -> dict:
    app = {"name": "app"}
    if readiness_delay is not None:
        app["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": readiness_delay}
    cond = [("PodReadyToStartContainers", 1), ("Initialized", 4), ("Ready", ready_at), ("ContainersReady", ready_at),
            ("PodScheduled", 0)]
    return {
        "metadata": {"uid": "u1", "name": "with-sidecar", "namespace": "demo", "creationTimestamp": _ts(0)},
        "spec": {"nodeName": "n1", "initContainers": [{"name": "log-shipper", "restartPolicy": "Always"}],
                 "containers": [app]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": t, "status": "True", "lastTransitionTime": _ts(at)} for t, at in cond],
            "initContainerStatuses": [{"name": "log-shipper", "ready": True, "started": True, "restartCount": 0,
                                       "state": {"running": {"startedAt": _ts(sidecar_started)}}}],
            "containerStatuses": [{"name": "app", "ready": True, "started": True, "restartCount": 0,
                                   "state": {"running": {"startedAt": _ts(app_started)}}}],
        },
    }


def _order(entries) -> list[str]:
    return [f"{t.kind} {t.subject}".strip() for t in entries]


@pytest.mark.parametrize("seen", [8.9, 9.25, 30.0])
def test_containers_are_ready_before_the_pod_is(seen):
    entries = reconstruct(with_sidecar(), T0 + seen)
    at = {f"{t.kind} {t.subject}": t for t in entries}
    ready = at[f"{CONDITION} Ready"]
    for name in ("app", "log-shipper"):
        flag = at[f"{READY} {name}"]
        assert flag.at <= ready.at and not flag.observed and not flag.exact
        assert _order(entries).index(f"{READY} {name}") < _order(entries).index(f"{CONDITION} Ready")
        assert _order(entries).index(f"{READY} {name}") < _order(entries).index(f"{CONDITION} ContainersReady")
        assert at[f"{STARTED} {name}"].at <= flag.at
    order = _order(entries)
    # Same second: started, then ready, then the conditions they make true.
    assert order.index(f"{CONTAINER_STATE} app") < order.index(f"{STARTED} app") < order.index(f"{READY} app")
    assert (at[f"{STARTED} log-shipper"].at, at[f"{READY} log-shipper"].at) == (T0 + 3, T0 + 3)
    assert (at[f"{STARTED} app"].at, at[f"{READY} app"].at) == (T0 + 8, T0 + 8)


def test_a_readiness_probe_delay_dates_ready_after_the_start():
    entries = reconstruct(with_sidecar(app_started=4, ready_at=9, readiness_delay=3, sidecar_started=9), T0 + 30)
    at = {f"{t.kind} {t.subject}": t.at for t in entries}
    assert (at[f"{STARTED} app"], at[f"{READY} app"]) == (T0 + 4, T0 + 7)
    assert at[f"{READY} log-shipper"] == T0 + 9


def test_the_container_ready_last_is_ready_when_the_pod_became_ready():
    # The kubelet writes ContainersReady a moment after the last container's readiness.
    entries = reconstruct(with_sidecar(app_started=8, ready_at=10), T0 + 30)
    at = {f"{t.kind} {t.subject}": t.at for t in entries}
    assert (at[f"{READY} log-shipper"], at[f"{READY} app"], at[f"{CONDITION} Ready"]) == (T0 + 3, T0 + 10, T0 + 10)
    assert _order(entries).index(f"{READY} app") < _order(entries).index(f"{CONDITION} ContainersReady")


def test_ready_is_never_dated_after_the_pod_turned_ready_nor_after_first_sight():
    # A delay past the condition (a probe that succeeded the moment it could): the condition bounds it.
    entries = reconstruct(with_sidecar(app_started=4, ready_at=6, readiness_delay=10), T0 + 30)
    assert next(t.at for t in entries if t.kind == READY and t.subject == "app") == T0 + 6
    pod = with_sidecar(app_started=4, readiness_delay=10)
    pod["status"]["conditions"] = [c for c in pod["status"]["conditions"] if c["type"] not in ("Ready", "ContainersReady")]
    entries = reconstruct(pod, T0 + 9.5)  # ready already, as first seen
    assert next(t.at for t in entries if t.kind == READY and t.subject == "app") == T0 + 9.5


@pytest.mark.parametrize("seen", [8.9, 60.0])
def test_a_completed_init_container_is_ready_when_it_finished(seen):
    # The kubelet sets ready on an init container that exited 0: it got ready as it
    # completed (before Initialized), not when podtui first saw it.
    pod = with_sidecar()
    pod["spec"]["initContainers"].append({"name": "init"})
    pod["status"]["initContainerStatuses"].append(
        {"name": "init", "ready": True, "started": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": _ts(3), "finishedAt": _ts(4)}}})
    entries = reconstruct(pod, T0 + seen)
    at = {f"{t.kind} {t.subject}": t for t in entries}
    flag = at[f"{READY} init"]
    assert flag.at == T0 + 4 and not flag.observed and not flag.exact
    order = _order(entries)
    assert order.index(f"{CONTAINER_STATE} init") < order.index(f"{READY} init") < order.index(f"{CONDITION} Initialized")
    assert [t.at for t in entries] == sorted(t.at for t in entries)


def test_a_pod_s_probes_are_read_once_per_reconstruct(monkeypatch):
    # Each ready or started flag dated at first sight looks up its probes' initial delays;
    # they come from one reading of the pod's probes, not one per lookup.
    from podtui.lifecycle import probes
    calls = []
    real = probes.effective_probes
    monkeypatch.setattr(probes, "effective_probes", lambda pod: calls.append(pod) or real(pod))
    pod = with_sidecar(app_started=4, ready_at=9, readiness_delay=3, sidecar_started=9)
    at = {f"{t.kind} {t.subject}": t.at for t in reconstruct(pod, T0 + 30)}
    assert at[f"{READY} app"] == T0 + 7
    assert calls == [pod]
