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

from collections import deque
from dataclasses import dataclass
from weakref import ref

from podtui.lifecycle.records import DELETION, REMOVED, TerminationInfo
from podtui.lifecycle.times import parse_ts
from podtui.lifecycle.read import as_dict as _d, as_int as _int, containers_stopped

_TERMINAL = ("Succeeded", "Failed")
MIN_GRACE = 2  # kuberuntime_container.go minimumGracePeriodInSeconds


def _shortened_kill_at(deadline: float, seen: float, grace: int) -> float:
    """SIGKILL after a second, shorter DELETE: the kubelet starts the kill over with the
    new grace from when it hears (podtui: when it saw it), never before deletionTimestamp."""
    return max(deadline, seen + max(grace, MIN_GRACE))


def _shortened(record) -> tuple[float, int] | None:
    """(when podtui saw it, the new grace) if the latest change to the deletion request
    was a shorter grace period (a DELETION transition with an earlier timestamp)."""
    history = getattr(record, "history", None)
    for t in reversed(getattr(history, "entries", ())):
        if t.kind == DELETION:
            grace = (t.data or {}).get("grace") if t.old is not None else None
            return (t.at, grace) if isinstance(grace, int) else None
    return None


@dataclass(slots=True, frozen=True)
class Removal:
    """When a tombstone went from the API, and how podtui learnt it (removal())."""

    at: float  # read off the watch: when it went; found on relist: when, the latest it can have gone
    on_relist: bool = False  # a relist found it missing: `at` is a bound (an elapsed time from it too)
    after: float | None = None  # found on relist: the watch's last read, the earliest it can have gone

    @property
    def window(self) -> tuple[float | None, float]:
        """(after, at), as removal_words takes a window found on relist."""
        return self.after, self.at


def removal(record) -> Removal | None:
    """When and how a tombstone went; None while the pod exists. Its REMOVED entry's
    `relist` flag (store._delete_pod) says it was found on relist, not the window's
    width: a relist can read at the very time the watch last did (a manual clock, a
    replay). O(entries after its removal): it is among the newest."""
    at = getattr(record, "deleted_at", None)
    if at is None:
        return None
    history = getattr(record, "history", None)
    for t in reversed(getattr(history, "entries", ())):
        if t.kind == REMOVED:
            data = t.data
            if isinstance(data, dict) and data.get("relist"):
                return Removal(at, True, data.get("gone_after"))
            break
    return Removal(at)


# removal() read for one fact, for the modules that ask only that (pod_table's ≥ in
# NEXT, store.py's replacement window).
def removed_on_relist(record) -> bool:
    gone = removal(record)
    return gone is not None and gone.on_relist


def gone_after(record) -> float | None:
    gone = removal(record)
    return gone.after if gone is not None else None


def removal_words(window: tuple, fmt, ago: str = "", offset: str = "", alone: bool = False) -> str:
    """When a pod found missing from a relist went (a Removal's window, on_relist):
    `between A and B (found on relist)`, `at B (found on relist)` when A and B read the
    same, or with A unknown `by B (found on relist)`; `alone` (a detail with no verb
    before it) then reads `found gone on relist at B`. `ago` gives `(found on relist
    26s ago)`, `offset` `(+3m20s, found on relist)`. `fmt` formats a window's time."""
    after, at = window
    if after is None and alone:
        return f"found gone on relist at {fmt(at)}"
    found = f"found on relist {ago} ago" if ago else "found on relist"
    if offset:
        found = f"{offset}, {found}"
    if after is None:
        return f"by {fmt(at)} ({found})"
    start, end = fmt(after), fmt(at)
    # The watch's last read and the relist in one instant (a manual clock, a replay),
    # or one second as shown: no window to speak of.
    return f"at {end} ({found})" if start == end else f"between {start} and {end} ({found})"


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
            info.kill_at = _shortened_kill_at(info.kill_at, seen, grace)
        done = (
            (info.kill_at is not None and now >= info.kill_at)
            or info.grace == 0
            or status.get("phase") in _TERMINAL
            or containers_stopped(status)
        )
        # The DELETED event carries the last stored object, finalizers and all; once it
        # came, nothing is holding the pod any more.
        if info.finalizers and done:
            info.held_since = _held_since(record, info, now)
        info.waiting_on_finalizers = bool(info.finalizers) and done and info.removed_at is None
    conditions = status.get("conditions")
    for c in conditions if isinstance(conditions, list) else ():
        if isinstance(c, dict) and c.get("type") == "DisruptionTarget" and c.get("status") == "True":
            info.disruption_reason = c.get("reason") if isinstance(c.get("reason"), str) else ""
            info.disruption_message = c.get("message") if isinstance(c.get("message"), str) else ""
    reason = status.get("reason")
    info.status_reason = reason if isinstance(reason, str) else ""
    info.active_deadline = _int(spec.get("activeDeadlineSeconds"))
    ended = info.deletion_requested or info.removed_at is not None or status.get("phase") in _TERMINAL
    # The kubelet enforces the deadline only on a live pod: one that ended otherwise has
    # none left to run out. One the deadline ended keeps when it passed.
    if not ended or info.status_reason == "DeadlineExceeded":
        info.deadline_at = active_deadline(pod)
    return info


@dataclass(slots=True)
class DeletionRequest:
    """The deletion as it was asked for and carried out, which the object alone no longer
    says once the kubelet has confirmed it with grace 0 (deletionTimestamp then reads
    as the request time and deletionGracePeriodSeconds as 0)."""

    at: float | None  # when the DELETE came: deletionTimestamp - grace
    grace: int | None  # the grace period the kubelet worked to
    kill_at: float | None  # the SIGKILL deadline it worked to
    confirmed: bool = False  # the kubelet deleted it with grace 0 once the containers stopped
    confirmed_at: float | None = None  # when podtui saw that (None: met the pod that way)
    stopped_at: float | None = None  # the last container's finishedAt, all of them stopped
    killed: bool = False  # a container ended with SIGKILL (exit 137 / signal 9)


def _stopped(status: dict) -> tuple[float | None, bool]:
    """(when the last container stopped, whether one was SIGKILLed); (None, False) while
    any container still runs or none reported."""
    last, killed, seen = None, False, False
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in status.get(key) if isinstance(status.get(key), list) else ():
            if not isinstance(cs, dict):
                continue
            state = _d(cs.get("state"))
            if isinstance(state.get("running"), dict):
                return None, False
            term = _d(state.get("terminated"))
            if key == "containerStatuses":
                if not term:
                    return None, False
                seen = True
            if term:
                at = parse_ts(term.get("finishedAt"))
                if at is not None and (last is None or at > last):
                    last = at
                killed = killed or term.get("exitCode") == 137 or term.get("signal") == 9
    return (last, killed) if seen else (None, False)


def _held_since(record, info: TerminationInfo, now: float) -> float | None:
    """When the deletion would have completed but for the finalizers: the kubelet's
    grace-0 confirmation once the containers stopped; else their stop, the deadline
    that passed, or the request itself (a pod that never ran)."""
    req = deletion_request(record)
    if req is None:
        return None
    if req.confirmed_at is not None:
        return req.confirmed_at
    if req.stopped_at is not None:
        return req.stopped_at if req.at is None else max(req.stopped_at, req.at)
    if info.kill_at is not None and info.kill_at <= now:
        return info.kill_at
    return req.at


# deletion_request() per record, kept while its object and history are the same (an
# add grows len(entries) or `dropped`): it walks the whole history, and the table asks
# it of every finalizer-held pod on each repaint. Keyed by the id of the history's
# entries (a deque, one per record for its life; PodRecord and History take no weak
# reference, and a deque no hash), held weakly: one entry per live record, each
# version's replacing the last, dropped with the record (a replay's rebuild drops the
# old store's). The entry must hold nothing that holds the history.
_REQUESTS: dict[int, tuple[ref, dict, tuple[int, int], DeletionRequest]] = {}


def _forget(gone: ref, key: int) -> None:
    hit = _REQUESTS.get(key)
    if hit is not None and hit[0] is gone:
        del _REQUESTS[key]


def deletion_request(record) -> DeletionRequest | None:
    """The deletion request behind a pod's deletionTimestamp, from its history where
    podtui saw it (a user's shorter grace counts, the kubelet's grace-0 confirmation
    does not), else from the object. Callers must not change it (it is shared)."""
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    if not _d(pod.get("metadata")).get("deletionTimestamp"):
        return None
    history = getattr(record, "history", None)
    entries = getattr(history, "entries", None)
    if not isinstance(entries, deque):
        return _deletion_request(pod, history)  # not a store's record: nothing to key it by
    key = id(entries)
    stamp = (len(entries), getattr(history, "dropped", 0))
    hit = _REQUESTS.get(key)
    if hit is not None and hit[0]() is entries:
        if hit[1] is pod and hit[2] == stamp:
            return hit[3]
        owner = hit[0]
    else:
        owner = ref(entries, lambda gone, key=key: _forget(gone, key))
    req = _deletion_request(pod, history)
    _REQUESTS[key] = (owner, pod, stamp, req)
    return req


def _deletion_request(pod: dict, history) -> DeletionRequest:
    meta, status = _d(pod.get("metadata")), _d(pod.get("status"))
    req: DeletionRequest | None = None
    for t in getattr(history, "entries", ()):
        if t.kind != DELETION:
            continue
        data = t.data if isinstance(t.data, dict) else {}
        grace, kill_at = data.get("grace"), data.get("deletionTimestamp")
        grace = grace if isinstance(grace, int) else None
        kill_at = kill_at if isinstance(kill_at, (int, float)) else None
        if req is None or t.old is None:
            req = DeletionRequest(at=t.at, grace=grace, kill_at=kill_at)
        elif data.get("confirmed"):
            req.confirmed, req.confirmed_at = True, t.at
        elif grace is not None and kill_at is not None:  # a second DELETE, shorter
            req.grace, req.kill_at = grace, _shortened_kill_at(kill_at, t.at, grace)
    if req is None:
        kill_at = parse_ts(meta.get("deletionTimestamp"))
        grace = _int(meta.get("deletionGracePeriodSeconds"))
        at = kill_at - grace if kill_at is not None and grace is not None else None
        req = DeletionRequest(at=at, grace=grace, kill_at=kill_at)
    req.stopped_at, req.killed = _stopped(status)
    if req.grace == 0 and req.stopped_at is not None and req.confirmed_at is None and req.at is not None \
            and req.stopped_at > req.at:
        # Met after the kubelet's confirmation: the grace asked for is lost, only the
        # request time (deletionTimestamp) is left.
        req.confirmed, req.grace, req.kill_at = True, None, None
    return req
