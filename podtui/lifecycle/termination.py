"""Termination and deadlines: the SIGKILL countdown, what holds a deleted pod, why it
was disrupted, and the activeDeadlineSeconds countdown.

A DELETE sets deletionTimestamp = request time + grace (staging apiserver
pkg/registry/rest/delete.go), so the SIGKILL deadline is deletionTimestamp itself;
the kubelet runs preStop and SIGTERM inside that window. A second DELETE may only
shorten it: the apiserver moves deletionTimestamp to the first request + the new grace,
but the kubelet cancels the kill under way and starts it again with the new grace
from when it hears (pod_workers.go UpdatePod wasGracePeriodShortened, then
killContainer, at least 2 s), so SIGKILL comes then, estimated from when podtui saw it.
Once the containers are gone the kubelet deletes the pod with grace 0; finalizers can
still keep the object, which is "waiting on finalizers". activeDeadlineSeconds counts
from status.startTime.
"""

from __future__ import annotations

from podtui.lifecycle.records import DELETION, TerminationInfo
from podtui.lifecycle.times import parse_ts
from podtui.lifecycle.read import as_dict as _d, as_int as _int

_TERMINAL = ("Succeeded", "Failed")
MIN_GRACE = 2  # kuberuntime_container.go minimumGracePeriodInSeconds


def _shortened(record) -> tuple[float, int] | None:
    """(when podtui saw it, the new grace) if the latest change to the deletion request
    was a shorter grace period (a DELETION transition with an earlier timestamp)."""
    history = getattr(record, "history", None)
    for t in reversed(getattr(history, "entries", ())):
        if t.kind == DELETION:
            grace = (t.data or {}).get("grace") if t.old is not None else None
            return (t.at, grace) if isinstance(grace, int) else None
    return None


def _containers_stopped(status: dict) -> bool:
    """Every container status reports terminated (and there is at least one)."""
    seen = False
    for key in ("initContainerStatuses", "containerStatuses"):
        items = status.get(key)
        if not isinstance(items, list):
            continue
        for cs in items:
            if not isinstance(cs, dict):
                continue
            state = _d(cs.get("state"))
            if isinstance(state.get("running"), dict):
                return False
            if key == "containerStatuses":
                if not isinstance(state.get("terminated"), dict):
                    return False
                seen = True
    return seen


def active_deadline(pod: dict) -> float | None:
    """status.startTime + spec.activeDeadlineSeconds, when both are set."""
    if not isinstance(pod, dict):
        return None
    seconds = _int(_d(pod.get("spec")).get("activeDeadlineSeconds"))
    start = parse_ts(_d(pod.get("status")).get("startTime"))
    return start + seconds if seconds is not None and start is not None else None


def termination(record, now: float) -> TerminationInfo:
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    meta, spec, status = _d(pod.get("metadata")), _d(pod.get("spec")), _d(pod.get("status"))
    info = TerminationInfo(removed_at=getattr(record, "deleted_at", None))
    finalizers = meta.get("finalizers")
    info.finalizers = [f for f in finalizers if isinstance(f, str)] if isinstance(finalizers, list) else []
    for key in ("initContainers", "containers"):
        containers = spec.get(key)
        if isinstance(containers, list):
            info.prestop.extend(
                c["name"] for c in containers
                if isinstance(c, dict) and isinstance(c.get("name"), str)
                and isinstance(_d(c.get("lifecycle")).get("preStop"), dict)
            )
    if meta.get("deletionTimestamp"):
        info.deletion_requested = True
        info.kill_at = parse_ts(meta.get("deletionTimestamp"))
        info.grace = _int(meta.get("deletionGracePeriodSeconds"))
        shortened = _shortened(record) if info.kill_at is not None and info.grace else None
        if shortened is not None:
            seen, grace = shortened
            info.kill_at = max(info.kill_at, seen + max(grace, MIN_GRACE))
        done = (
            (info.kill_at is not None and now >= info.kill_at)
            or info.grace == 0
            or status.get("phase") in _TERMINAL
            or _containers_stopped(status)
        )
        # The DELETED event carries the last stored object, finalizers and all; once it
        # came, nothing is holding the pod any more.
        info.waiting_on_finalizers = bool(info.finalizers) and done and info.removed_at is None
    conditions = status.get("conditions")
    for c in conditions if isinstance(conditions, list) else ():
        if isinstance(c, dict) and c.get("type") == "DisruptionTarget" and c.get("status") == "True":
            info.disruption_reason = c.get("reason") if isinstance(c.get("reason"), str) else ""
            info.disruption_message = c.get("message") if isinstance(c.get("message"), str) else ""
    reason = status.get("reason")
    info.status_reason = reason if isinstance(reason, str) else ""
    info.active_deadline = _int(spec.get("activeDeadlineSeconds"))
    info.deadline_at = active_deadline(pod)
    return info
