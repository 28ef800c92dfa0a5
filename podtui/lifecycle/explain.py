"""Why did this container restart? Every ended container instance, every container that
could not start, and every disruption of the pod as a whole, each with a cause and the
evidence it rests on.

The container status is ground truth for what ended and how (exit code, signal,
reason, finishedAt); Events say who did it (the kubelet's Killing `failed liveness
probe`, FailedPostStartHook, Evicted, Preempted). Events are lossy (rate-limited,
expired after an hour), so a kill nobody explains is "unknown", with what the status
still tells. Order of belief: OOMKilled in the status; a probe kill or a failed
postStart hook named by the kubelet; a disruption of the whole pod (deletion,
eviction, preemption, node shutdown or loss) under way when the instance ended; the
exit code itself.

Everything here is a pure function of a PodRecord (obj, history, events); results are
cached per (uid, version), so the detail pane can ask every second.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from functools import lru_cache
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from podtui.lifecycle.backoff import (
    RESET_AFTER,
    crash_message_delay,
    crash_wait,
    infer_curve,
    restart_waits,
    restarts_over,
    will_restart,
)
from podtui.lifecycle.columns import pod_ready
from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.hooks import post_start_hook
from podtui.lifecycle.probes import probe_type_of, uncombined
from podtui.lifecycle.records import (
    CONTAINER_STATE,
    DELETION,
    DISRUPTION,
    REASON,
    REMOVED,
    RESTART,
    EventRecord,
    Transition,
)
from podtui.lifecycle.termination import active_deadline, removal, removal_words
from podtui.lifecycle.times import format_ts, go_duration, parse_ts
from podtui.lifecycle.history import CRASH_SIGNALS, container_kinds, ended_text, exit_signal, exit_text, signal_name
from podtui.lifecycle.messages import SUMMARY_MESSAGE as _SUMMARY_MESSAGE, first_line as _first_line, headline as _headline
from podtui.lifecycle.read import container_statuses, containers_stopped
from podtui.lifecycle.read import as_dict as _d, as_list as _l, as_str as _s, as_int as _i

# RestartExplanation.cause values
LIVENESS = "liveness"
STARTUP = "startup"
OOM = "oom"
EXIT = "exit"  # the application exited on its own
SIGNAL = "signal"  # the application died of a crash signal (SIGSEGV, SIGABRT...)
START_ERROR = "start-error"  # the runtime could not start the process (StartError, RunContainerError)
POST_START_HOOK = "post-start-hook"
CONFIG = "config"
IMAGE = "image"
EVICTION = "eviction"
PREEMPTION = "preemption"
NODE_SHUTDOWN = "node-shutdown"
NODE_LOST = "node-lost"
DEADLINE = "deadline"  # activeDeadlineSeconds
DELETED = "deleted"
UNKNOWN = "unknown"

# RestartExplanation.kind values
KIND_RESTART = "restart"  # an instance ended and the kubelet restarted it (or will)
KIND_TERMINATION = "termination"  # an instance ended for good
KIND_START_FAILURE = "start-failure"  # the kubelet could not start a container
KIND_DISRUPTION = "disruption"  # the pod as a whole was deleted, evicted, preempted...
KIND_MISSED = "missed"  # restarts counted in restartCount that podtui never saw


CONFIG_WAITING = ("CreateContainerConfigError", "CreateContainerError")
IMAGE_WAITING = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
START_WAITING = ("RunContainerError", "StartError")

EVENT_TTL = 3600.0  # kube-apiserver --event-ttl default
_SLACK = 2.0  # seconds between a kubelet action and the status/Event that reports it
_OBSERVED_SLACK = 10.0  # podtui's observation of a pod-level change may lag the cause
# A termination message in the evidence: its last lines (a stack trace ends with what
# was thrown), within the kubelet's own 4096-byte cap on one.
_MESSAGE_LINES = 20
_MESSAGE_BYTES = 4096
_DEFAULT_GRACE = 30

_MISSING = (
    (re.compile(r'secrets? "([^"]+)" not found'), "Secret"),
    (re.compile(r'configmaps? "([^"]+)" not found'), "ConfigMap"),
    (re.compile(r"couldn't find key (\S+) in Secret (\S+)"), "Secret key"),
    (re.compile(r"couldn't find key (\S+) in ConfigMap (\S+)"), "ConfigMap key"),
)


@dataclass(slots=True)
class RestartExplanation:
    """One restart (or final termination, failed start, pod disruption) and its cause."""

    kind: str  # KIND_* above
    container: str  # "" for the pod as a whole
    container_kind: str  # "init" / "sidecar" / "main" / "ephemeral"; "" for the pod
    cause: str  # one of the cause constants above
    summary: str  # "liveness probe failed (HTTP probe failed with statuscode: 500), exit 137"
    at: float | None  # the instance's finishedAt; a failure's or disruption's first sign
    number: int | None = None  # the restartCount this crash led to
    started_at: float | None = None  # the ended instance's startedAt
    exit_code: int | None = None
    signal: int | None = None
    reason: str = ""  # terminated / waiting reason (OOMKilled, Error, CreateContainerConfigError...)
    message: str = ""  # terminated / waiting message (termination log excerpt)
    memory_limit: str = ""  # spec resources.limits.memory, for OOM
    missing: str = ""  # for config errors: 'Secret "db-credentials"'
    evidence: list[str] = field(default_factory=list)  # what the cause rests on, oldest first
    events: list[EventRecord] = field(default_factory=list)  # the Events among the evidence
    restarted_at: float | None = None  # when the next instance started
    pending: bool = False  # the kubelet will restart it (back-off) but has not yet
    # A pending restart the kubelet has started (its Started Event's time): the status
    # shows the ended instance until the new one's postStart hook returns.
    hook_started: float | None = None
    backoff_after: float | None = None  # the back-off that followed, seconds
    backoff_measured: bool = False  # read from the kubelet's message (else the observed gap)
    end: float | None = None  # start failures: when the container left that waiting state
    # A back-off that ended with the pod, not a restart: what ended it ("the pod was
    # removed") and when; backoff_after is then the restart that never came.
    cut_short_by: str = ""
    cut_short_at: float | None = None
    cut_short_first: bool = False  # before the restart was due (else it may have come, unseen)
    # Removed while the watch was down (found gone on relist): its Removal's window,
    # (after, at), cut_short_at being `at`, the latest it can have gone; None otherwise.
    cut_short_window: tuple[float | None, float] | None = None
    exact: bool = True  # `at` comes from the object, not from when podtui saw it


# ------------------------------------------------------------------------------ helpers


@lru_cache(maxsize=8192)
def _ts(at: float | None) -> str:
    return format_ts(at) if at is not None else "?"


def event_line(ev: EventRecord) -> str:
    """`Killing 2024-05-01T10:03:12Z: Container web failed liveness probe, will be restarted`."""
    when = _ts(ev.last)
    if ev.count > 1 and ev.first is not None and ev.first != ev.last:
        when = f"x{ev.count} {_ts(ev.first)} .. {_ts(ev.last)}"
    elif ev.count > 1:
        when = f"x{ev.count} {when}"
    return f"Event {ev.type} {ev.reason} {when}: {ev.message}"


def _container_specs(pod: dict) -> dict[str, dict]:
    spec = _d(pod.get("spec"))
    out: dict[str, dict] = {}
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in _l(spec.get(key)):
            if isinstance(c, dict) and isinstance(c.get("name"), str):
                out[c["name"]] = c
    return out


def memory_limit(pod: dict, container: str) -> str:
    c = _container_specs(pod).get(container, {})
    value = _d(_d(c.get("resources")).get("limits")).get("memory")
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def missing_object(message: str) -> str:
    """The Secret/ConfigMap a config error names: 'Secret "db-credentials"'."""
    for pattern, what in _MISSING:
        m = pattern.search(message)
        if m:
            if m.lastindex == 2:
                return f'{what} {m.group(1)} in {m.group(2)}'
            return f'{what} "{m.group(1)}"'
    return ""


def _occurrences(ev: EventRecord) -> tuple[float | None, float | None]:
    first = ev.first if ev.first is not None else ev.last
    last = ev.last if ev.last is not None else ev.first
    return first, last


def _exact_in(ev: EventRecord, lo: float, hi: float) -> bool:
    """An occurrence of `ev` whose time is known (its first or last) falls in [lo, hi]."""
    first, last = _occurrences(ev)
    return any(t is not None and lo <= t <= hi for t in (first, last))


def _spans(ev: EventRecord, lo: float, hi: float) -> bool:
    """A repeated Event whose unknown middle occurrences may fall in [lo, hi]."""
    first, last = _occurrences(ev)
    return ev.count > 2 and first is not None and last is not None and first <= hi and last >= lo


def _overlaps(ev: EventRecord, lo: float, hi: float) -> bool:
    first, last = _occurrences(ev)
    return first is not None and last is not None and first <= hi and last >= lo


# ------------------------------------------------------------------------------ instances


@dataclass(slots=True)
class _Instance:
    container: str
    container_kind: str
    started: float | None
    finished: float | None
    exit_code: int | None
    signal: int | None
    reason: str
    message: str
    container_id: str
    exact: bool


@dataclass(slots=True)
class _Restart:
    number: int | None
    old: int | None
    at: float
    exact: bool
    finished: float | None  # finishedAt of the instance it followed, when the status said
    started: float | None = None  # startedAt of that instance: restarts missed before it happened earlier


def _instances(entries: list[Transition], pod: dict, kinds: dict[str, str]) -> list[_Instance]:
    """Every ended instance the history knows of (plus any the object holds that the
    history lost to its size limit), deduplicated, oldest first."""
    seen: dict[tuple, _Instance] = {}
    out: list[_Instance] = []

    def add(inst: _Instance) -> None:
        key = (inst.container, inst.container_id) if inst.container_id else \
            (inst.container, inst.started, inst.finished)
        known = seen.get(key)
        if known is not None:
            # The history keeps 4 KB of a message, the kubelet's cap; an object from
            # elsewhere (a recording edited, another runtime) may hold more.
            if len(inst.message) > len(known.message):
                known.message = inst.message
            return
        seen[key] = inst
        out.append(inst)

    for t in entries:
        if t.kind != CONTAINER_STATE or not (t.new or "").startswith("terminated") or not t.data:
            continue
        data = t.data
        add(_Instance(
            container=t.subject, container_kind=t.container_kind or kinds.get(t.subject, "main"),
            started=data.get("startedAt"), finished=data.get("finishedAt"),
            exit_code=_i(data.get("exitCode")), signal=_i(data.get("signal")) or None,
            reason=_s(data.get("reason")), message=_s(data.get("message")),
            container_id=_s(data.get("containerID")), exact=data.get("finishedAt") is not None,
        ))
    status = _d(pod.get("status"))
    for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        for cs in _l(status.get(key)):
            if not isinstance(cs, dict) or not isinstance(cs.get("name"), str):
                continue
            for holder in (_d(cs.get("lastState")), _d(cs.get("state"))):
                term = _d(holder.get("terminated"))
                if not term:
                    continue
                add(_Instance(
                    container=cs["name"], container_kind=kinds.get(cs["name"], "main"),
                    started=parse_ts(term.get("startedAt")), finished=parse_ts(term.get("finishedAt")),
                    exit_code=_i(term.get("exitCode")), signal=_i(term.get("signal")) or None,
                    reason=_s(term.get("reason")), message=_s(term.get("message")),
                    container_id=_s(term.get("containerID")) or _s(cs.get("containerID")),
                    exact=term.get("finishedAt") is not None,
                ))
    out.sort(key=lambda i: (i.finished if i.finished is not None else float("inf")))
    return out


def _restarts(entries: list[Transition]) -> dict[str, list[_Restart]]:
    out: dict[str, list[_Restart]] = {}
    for t in entries:
        if t.kind != RESTART:
            continue
        data = t.data or {}
        number = _int_text(t.new)
        restarted = data.get("restartedAt")
        out.setdefault(t.subject, []).append(_Restart(
            number=number, old=_int_text(t.old),
            at=restarted if isinstance(restarted, (int, float)) else t.at,
            exact=isinstance(restarted, (int, float)),
            finished=data.get("finishedAt") if isinstance(data.get("finishedAt"), (int, float)) else None,
            started=data.get("startedAt") if isinstance(data.get("startedAt"), (int, float)) else None,
        ))
    return out


def _int_text(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _will_restart(pod: dict, statuses: dict[str, dict], inst: _Instance) -> bool:
    """Whether the kubelet restarts this instance, by the restart policy."""
    return will_restart(pod, statuses, inst.container_kind, inst.exit_code, inst.reason)


# ------------------------------------------------------------------------------ the pod


@dataclass(slots=True)
class _Disruption:
    cause: str
    at: float | None
    summary: str
    evidence: list[str]
    events: list[EventRecord]
    reason: str = ""
    message: str = ""
    exact: bool = True
    kill_at: float | None = None  # the SIGKILL deadline of the deletion, when one was asked for


def _disruption(entries: list[Transition], pod: dict, events: list[EventRecord]) -> _Disruption | None:
    """What ended the pod as a whole, if anything did: the strongest sign wins."""
    meta, status = _d(pod.get("metadata")), _d(pod.get("status"))
    dt_reason, dt_message, dt_at, dt_exact = "", "", None, True
    status_reason, status_message, reason_at = _s(status.get("reason")), _s(status.get("message")), None
    deletion_at, deletion_exact, grace, kill_at, confirmed = None, True, None, None, False
    evidence: list[str] = []
    for t in entries:
        if t.kind == DISRUPTION and t.new:
            dt_reason, dt_message, dt_at, dt_exact = t.new, t.detail, t.at, t.exact
        elif t.kind == REASON and t.new:
            status_reason, reason_at = t.new, t.at
            status_message = t.detail or status_message
        elif t.kind == DELETION and deletion_at is None:
            deletion_at, deletion_exact = t.at, t.exact
            grace = _i(_d(t.data).get("grace"))
            if _d(t.data).get("confirmed"):  # met after the kubelet's grace-0 DELETE: 0 was not asked for
                grace, confirmed = None, True
            kill_at = _d(t.data).get("deletionTimestamp")
            kill_at = kill_at if isinstance(kill_at, (int, float)) and grace else None
        elif t.kind == DELETION and not _d(t.data).get("confirmed"):
            kill_at = None  # a second, shorter DELETE: the kubelet kills on its own clock then
    for c in _l(status.get("conditions")):
        if isinstance(c, dict) and c.get("type") == "DisruptionTarget" and c.get("status") == "True" and not dt_reason:
            dt_reason, dt_message = _s(c.get("reason")), _s(c.get("message"))
            dt_at = parse_ts(c.get("lastTransitionTime"))
    if meta.get("deletionTimestamp") and deletion_at is None:
        kill_at = parse_ts(meta.get("deletionTimestamp"))
        grace = _i(meta.get("deletionGracePeriodSeconds"))
        deletion_at = kill_at - grace if kill_at is not None and grace is not None else kill_at
        kill_at = kill_at if grace else None
        if grace == 0 and containers_stopped(status):
            grace, confirmed = None, True
    pod_events = {ev.reason: ev for ev in events if ev.container is None and ev.reason in
                  ("Evicted", "Preempted", "NodeNotReady", "TaintManagerEviction", "Preempting", "DeadlineExceeded")}

    cause = ""
    lowered = (dt_message + " " + status_message).lower()
    if status_reason == "Evicted" or "Evicted" in pod_events or (
            dt_reason == "TerminationByKubelet" and "low on resource" in lowered):
        cause = EVICTION
    elif dt_reason == "EvictionByEvictionAPI":
        cause = EVICTION
    elif dt_reason == "PreemptionByScheduler" or "Preempted" in pod_events or status_reason == "Preempting" \
            or "Preempting" in pod_events:
        cause = PREEMPTION
    elif status_reason in ("Terminated", "Shutdown", "NodeShutdown") and "shut" in lowered or (
            dt_reason == "TerminationByKubelet" and "shutdown" in lowered):
        cause = NODE_SHUTDOWN
    elif status_reason == "NodeLost" or dt_reason in ("DeletionByTaintManager", "DeletionByPodGC") \
            or "NodeNotReady" in pod_events or "TaintManagerEviction" in pod_events:
        cause = NODE_LOST
    elif status_reason == "DeadlineExceeded" or "DeadlineExceeded" in pod_events:
        cause = DEADLINE
    elif deletion_at is not None:
        cause = DELETED
    if not cause:
        return None

    used: list[EventRecord] = [ev for name, ev in pod_events.items()
                               if not (cause == EVICTION and name in ("NodeNotReady",))
                               and (name == "DeadlineExceeded") == (cause == DEADLINE)]
    deadline_at = active_deadline(pod) if cause == DEADLINE else None
    if deadline_at is not None:
        # The kubelet acts at startTime + activeDeadlineSeconds, whenever podtui saw the
        # reason (at first sight: long after).
        reason_at = deadline_at
        evidence.append(f"activeDeadlineSeconds {_i(_d(pod.get('spec')).get('activeDeadlineSeconds'))} from "
                        f"startTime: deadline {_ts(deadline_at)}")
    times = [x for x in (dt_at, reason_at, deletion_at) if x is not None]
    times += [ev.first for ev in used if ev.first is not None]
    at = min(times) if times else None
    if dt_reason:
        evidence.append(f"condition DisruptionTarget=True {_ts(dt_at)}: {dt_reason}"
                        + (f": {dt_message}" if dt_message else ""))
    if status_reason:
        evidence.append(f"status.reason {status_reason}" + (f": {status_message}" if status_message else ""))
    if deletion_at is not None:
        evidence.append(f"deletion requested {_ts(deletion_at)}" + (f", grace {grace}s" if grace is not None else "")
                        + ("; its containers have since stopped and the kubelet confirmed it (grace now 0s)"
                           if confirmed else ""))
    evidence.extend(event_line(ev) for ev in used)
    message = dt_message or status_message
    ev_message = next((ev.message for ev in used), "")
    # An eviction's message ends with the container that used the most and how much: keep it.
    detail = _first_line(status_message or ev_message or dt_message, 200 if cause == EVICTION else _SUMMARY_MESSAGE)
    if cause == EVICTION:
        how = "by the kubelet" if status_reason == "Evicted" or dt_reason == "TerminationByKubelet" \
            else "through the Eviction API" if dt_reason == "EvictionByEvictionAPI" else ""
        if detail.startswith("Eviction API"):
            detail = ""  # the condition's stock message adds nothing to "through the Eviction API"
        summary = "evicted" + (f" {how}" if how else "") + (f": {detail}" if detail else "")
    elif cause == PREEMPTION:
        summary = "preempted" + (f": {_first_line(ev_message or message)}" if ev_message or message else "")
    elif cause == NODE_SHUTDOWN:
        summary = "node shutdown" + (f": {detail}" if detail else "")
    elif cause == NODE_LOST:
        summary = "node lost" + (f": {_first_line(message or ev_message)}" if message or ev_message else "")
    elif cause == DEADLINE:
        summary = "activeDeadlineSeconds passed" + (f": {detail}" if detail else "")
    else:
        summary = "pod deleted" + (f" (grace {grace}s)" if grace is not None else "")
    exact = dt_exact if dt_at is not None else deletion_exact
    if cause == DEADLINE:
        exact = deadline_at is not None and at == deadline_at
    return _Disruption(cause, at, summary, evidence, used, dt_reason or status_reason, message,
                       exact=exact, kill_at=kill_at)




# ------------------------------------------------------------------------------ causes


def _probe_kill(inst: _Instance, events: list[EventRecord]) -> tuple[str, EventRecord, bool] | None:
    """A Killing `failed liveness|startup probe` Event for this instance: (type, event, exact)."""
    if inst.finished is None:
        return None
    # The kubelet records Killing before it stops the container: within the instance's life.
    lo = inst.started if inst.started is not None else inst.finished - 3600.0
    hi = inst.finished + _SLACK
    killed_looking = inst.exit_code in (137, 143) or inst.signal in (9, 15)
    ranged = None
    for ev in events:
        if ev.reason != "Killing" or ev.container != inst.container:
            continue
        ptype = probe_type_of(ev)
        if ptype not in ("liveness", "startup"):
            continue
        if _exact_in(ev, lo, hi):
            return ptype, ev, True
        if ranged is None and killed_looking and _spans(ev, lo, hi):
            ranged = (ptype, ev, False)
    return ranged


def _unhealthy_before(inst: _Instance, ptype: str, kill: EventRecord, events: list[EventRecord]) -> list[EventRecord]:
    lo = inst.started if inst.started is not None else float("-inf")
    hi = (kill.last if kill.last is not None else inst.finished or float("inf")) + _SLACK
    out = [ev for ev in events if ev.container == inst.container and ev.reason == "Unhealthy"
           and probe_type_of(ev) == ptype]
    return in_window(out, lo, hi)


def in_window(events: list[EventRecord], lo: float, hi: float) -> list[EventRecord]:
    """The Events among `events` that occurred in [lo, hi], one record per Event, with
    count, first and last narrowed to the window where its versions allow.

    Given only the latest version of a repeated Event (live), it is returned whole.
    Given every version (a recording), each version's `last` is one occurrence, so the
    repeats inside the window can be counted and dated."""
    by_uid: dict[str, list[EventRecord]] = {}
    for ev in events:
        by_uid.setdefault(ev.uid, []).append(ev)
    out: list[EventRecord] = []
    for versions in by_uid.values():
        if not any(_overlaps(v, lo, hi) for v in versions):
            continue
        inside = [v for v in versions if v.last is not None and lo <= v.last <= hi]
        if not inside:
            out.append(max(versions, key=lambda v: (v.count, v.last or 0.0)))
            continue
        top = max(inside, key=lambda v: (v.count, v.last or 0.0))
        before = [v for v in versions if v.last is not None and v.last < lo]
        if before:
            prior = max(before, key=lambda v: (v.count, v.last or 0.0))
            first = min(v.last for v in inside)
            out.append(replace(top, count=max(1, top.count - prior.count), first=first))
        else:
            out.append(top)
    return sorted(out, key=lambda e: e.last if e.last is not None else 0.0)


def latest_versions(events: Iterable[EventRecord], until: float = math.inf) -> list[EventRecord]:
    """One version per Event (by uid, else namespace/name), oldest first: the newest
    whose last occurrence is not after `until`, else the earliest. Versions written in
    one second share a lastTimestamp: the higher count is the later one."""
    best: dict[str, tuple[tuple, EventRecord]] = {}
    for ev in events:
        last = ev.last if ev.last is not None else -math.inf
        rank = (1, last, ev.count) if last <= until else (0, -last, -ev.count)
        key = ev.uid or f"{ev.namespace}/{ev.name}"
        old = best.get(key)
        if old is None or rank > old[0]:
            best[key] = (rank, ev)
    return sorted((ev for _, ev in best.values()), key=lambda e: e.last if e.last is not None else 0.0)


def _probe_output(ev: EventRecord) -> str:
    """`Liveness probe failed: HTTP probe failed with statuscode: 500` -> the part after ': '."""
    msg = uncombined(ev.message)
    head, sep, rest = msg.partition(": ")
    return rest.strip() if sep and "probe" in head.lower() else msg.strip()


def probe_kill_output(ex: RestartExplanation) -> str:
    """What the probe that killed the instance said last, from the Unhealthy Events among
    the explanation's evidence ("HTTP probe failed with statuscode: 500"); "" when none
    was kept (rate-limited, expired) or the cause was no probe kill."""
    unhealthy = [ev for ev in ex.events if ev.reason == "Unhealthy"] if ex.cause in (LIVENESS, STARTUP) else []
    return _first_line(_probe_output(max(unhealthy, key=lambda e: e.last or 0.0))) if unhealthy else ""


def _post_start_failure(inst: _Instance, entries: list[Transition], events: list[EventRecord]) \
        -> tuple[list[str], list[EventRecord], str] | None:
    if inst.finished is None:
        return None
    lo = (inst.started if inst.started is not None else inst.finished - 3600.0) - _SLACK
    hi = inst.finished + _SLACK
    evs = [ev for ev in events if ev.container == inst.container and (
        ev.reason == "FailedPostStartHook" or (ev.reason == "Killing" and "PostStartHook" in ev.message))
        and _exact_in(ev, lo, hi)]
    evs = latest_versions(evs, hi)
    waiting = None
    for t in entries:
        if t.kind == CONTAINER_STATE and t.subject == inst.container and t.new == "waiting:PostStartHookError" \
                and inst.finished - _SLACK <= t.at <= inst.finished + 600.0:
            waiting = t
            break
    if not evs and waiting is None:
        return None
    evidence = [event_line(ev) for ev in evs]
    if waiting is not None:
        evidence.append(f"state waiting PostStartHookError {_ts(waiting.at)}"
                        + (f": {waiting.detail}" if waiting.detail else ""))
    return evidence, evs, _hook_error(waiting.detail if waiting is not None else "")


_HOOK_OUTPUT = re.compile(r', message: "(.+)"\s*$')
_HOOK_ERROR = re.compile(r"failed - error: (.+?)(?:, message: .*)?$")


def _hook_error(detail: str) -> str:
    """What a failed hook said: the kubelet keeps it out of the FailedPostStartHook Event
    (secrets) and puts it in the waiting state's message, `... failed - error: <err>,
    message: "<output>"`; the output, else the error."""
    m = _HOOK_OUTPUT.search(detail) or _HOOK_ERROR.search(detail)
    return _first_line(m.group(1).replace('\\"', '"')) if m else ""


def _terminated_line(inst: _Instance) -> str:
    text = f"container {inst.container} terminated: {ended_text(inst.exit_code, inst.signal, inst.reason)}"
    text += f", started {_ts(inst.started)}, finished {_ts(inst.finished)}"
    lines, cut = message_tail(inst.message)
    if len(lines) == 1 and not cut:
        text += f", message: {lines[0].strip()}"
    elif lines:
        text += ", message" + (f", its last {len(lines)} of {len(lines) + cut} lines" if cut else "") \
            + ":\n" + "\n".join(lines)
    return text


def message_tail(text: str) -> tuple[list[str], int]:
    """A termination message's last lines, at most 20 and 4096 bytes (a single longer
    line: its end, after "…"), and how many lines came before them."""
    lines = text.rstrip().splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    kept = lines[-_MESSAGE_LINES:]
    while len(kept) > 1 and len("\n".join(kept).encode()) > _MESSAGE_BYTES:
        kept = kept[1:]
    if kept and len(kept[0].encode()) > _MESSAGE_BYTES:
        kept[0] = "…" + kept[0].encode()[-(_MESSAGE_BYTES - len("…".encode())):].decode(errors="ignore")
    return kept, len(lines) - len(kept)


def _classify(inst: _Instance, pod: dict, entries: list[Transition], events: list[EventRecord],
              disruption: _Disruption | None, now: float | None) -> RestartExplanation:
    ex = RestartExplanation(
        kind=KIND_TERMINATION, container=inst.container, container_kind=inst.container_kind, cause=UNKNOWN,
        summary="", at=inst.finished, started_at=inst.started, exit_code=inst.exit_code, signal=inst.signal,
        reason=inst.reason, message=inst.message, exact=inst.exact,
    )
    code = exit_text(inst.exit_code, inst.signal)
    ex.evidence.append(_terminated_line(inst))

    if inst.reason == "OOMKilled":
        ex.cause = OOM
        ex.memory_limit = memory_limit(pod, inst.container)
        limit = f"memory limit {ex.memory_limit}" if ex.memory_limit else "no memory limit set: the node ran out of memory"
        ex.evidence.append(f"spec: resources.limits.memory {ex.memory_limit}" if ex.memory_limit
                           else "spec: no memory limit")
        ex.summary = f"OOMKilled ({limit}), {code}"
        return ex

    kill = _probe_kill(inst, events)
    if kill is not None:
        ptype, kill_ev, exact = kill
        if exact and inst.started is not None and inst.finished is not None:
            same = [ev for ev in events if ev.uid == kill_ev.uid]
            kill_ev = next(iter(in_window(same, inst.started, inst.finished + _SLACK)), kill_ev)
        unhealthy = _unhealthy_before(inst, ptype, kill_ev, events)
        ex.cause = LIVENESS if ptype == "liveness" else STARTUP
        ex.events = unhealthy + [kill_ev]
        ex.evidence.extend(event_line(ev) for ev in unhealthy)
        ex.evidence.append(event_line(kill_ev) + ("" if exact else " (one of these kills; its time is not kept)"))
        output = probe_kill_output(ex)
        ex.summary = f"{ptype} probe failed" + (f" ({output})" if output else "") + f", {code}"
        return ex

    hook = _post_start_failure(inst, entries, events)
    if hook is not None:
        ex.cause = POST_START_HOOK
        ex.evidence.extend(hook[0])
        ex.events = hook[1]
        ex.summary = "postStart hook failed" + (f" ({hook[2]})" if hook[2] else "") + f", {code}"
        return ex

    if disruption is not None and (inst.finished is None or disruption.at is None
                                   or inst.finished >= disruption.at - _OBSERVED_SLACK):
        ex.cause = disruption.cause
        ex.evidence.extend(disruption.evidence)
        ex.events = list(disruption.events)
        lo = (disruption.at if disruption.at is not None else inst.started or float("-inf")) - _OBSERVED_SLACK
        hi = (inst.finished if inst.finished is not None else float("inf")) + _SLACK
        stopping = [ev for ev in events if ev.container == inst.container and ev.reason == "Killing"
                    and ev.message.startswith("Stopping container") and _exact_in(ev, lo, hi)]
        stopping = latest_versions(stopping, hi)
        ex.evidence.extend(event_line(ev) for ev in stopping)
        ex.events.extend(stopping)
        ex.summary = f"{disruption.summary.rstrip('.')}, {code}"  # "memory., exit 143" reads as a typo
        if disruption.kill_at is not None and inst.finished is not None \
                and inst.finished >= disruption.kill_at - _SLACK and (inst.exit_code == 137 or inst.signal == 9):
            # Killed at the deadline: neither preStop nor SIGTERM made it exit in time.
            ex.evidence.append(f"finished {_ts(inst.finished)}, at the SIGKILL deadline {_ts(disruption.kill_at)} "
                               "(deletionTimestamp): still running when the grace period ran out, so SIGKILL")
        return ex

    if inst.reason == "StartError" or inst.exit_code == 128:
        ex.cause = START_ERROR
        ex.summary = "could not start" + (f": {_headline(inst.message)}" if inst.message else f", {code}")
        return ex

    sig = exit_signal(inst.exit_code, inst.signal)
    if sig in CRASH_SIGNALS:
        ex.cause = SIGNAL
        ex.summary = f"crashed with {signal_name(sig)}, " + (
            f"exit {inst.exit_code}" if inst.exit_code is not None else f"signal {sig}")
        return ex
    if sig is None and inst.exit_code is not None and inst.reason != "ContainerStatusUnknown":
        ex.cause = EXIT
        # The history's words for the same end ("exit 1, reason Error"), which the Timeline shows right above it.
        ex.summary = ended_text(inst.exit_code, inst.signal, inst.reason)
        if inst.message:
            ex.summary += f": {_headline(inst.message)}"
        return ex

    # Killed from outside (SIGKILL, SIGTERM) or lost, and no Event says by whom.
    ex.cause = UNKNOWN
    old = now is not None and inst.finished is not None and now - inst.finished > EVENT_TTL
    why = "its Events have expired" if old else "no Event explains it (Events are rate-limited and expire after 1h)"
    what = f"killed by {signal_name(sig) or f'signal {sig}'}" if sig else (inst.reason or "ended")
    ex.summary = f"cause unknown ({what}; {why}), {code}, finished {_ts(inst.finished)}"
    if inst.reason == "ContainerStatusUnknown" and inst.message:
        ex.summary += f": {_headline(inst.message)}"
    ex.evidence.append(why)
    return ex


def _backoff(ex: RestartExplanation, inst: _Instance, entries: list[Transition], next_finished: float | None) -> None:
    """The back-off that followed: the kubelet's `back-off 40s` message if one was seen
    between this crash and the next instance, else the observed gap."""
    if inst.finished is None:
        return
    until = ex.restarted_at if ex.restarted_at is not None else next_finished
    for t in entries:
        if t.kind != CONTAINER_STATE or t.subject != inst.container or t.new != "waiting:CrashLoopBackOff":
            continue
        if t.at < inst.finished - _SLACK or (until is not None and t.at > until + _SLACK):
            continue
        delay = crash_message_delay(_s(_d(t.data).get("message")) or t.detail)
        if delay is not None:
            ex.backoff_after, ex.backoff_measured = delay, True
            return
    if ex.restarted_at is not None:
        ex.backoff_after = max(0.0, ex.restarted_at - inst.finished)


def _start_failures(entries: list[Transition], kinds: dict[str, str], events: list[EventRecord]) \
        -> list[RestartExplanation]:
    """Episodes of a container stuck waiting on a config, image or start error."""
    out: list[RestartExplanation] = []
    open_: dict[str, RestartExplanation] = {}
    ended: dict[int, str] = {}  # id(explanation) -> the state that ended the episode
    # id(explanation) -> the state the episode is in last: a pull episode goes back and
    # forth between ErrImagePull and ImagePullBackOff, each back-off with its own start.
    latest: dict[int, Transition] = {}
    opening: dict[int, Transition] = {}
    for t in entries:
        if t.kind != CONTAINER_STATE:
            continue
        new = t.new or ""
        reason = new.split(":", 1)[1] if new.startswith("waiting:") else ""
        category = CONFIG if reason in CONFIG_WAITING else IMAGE if reason in IMAGE_WAITING \
            else START_ERROR if reason in START_WAITING else ""
        current = open_.get(t.subject)
        if current is not None and category != current.cause:
            current.end = t.at
            ended[id(current)] = new
            del open_[t.subject]
            current = None
        if not category or current is not None:
            if current is not None:
                if t.new != latest[id(current)].new:
                    latest[id(current)] = t
                if t.detail:
                    current.message = t.detail  # the latest wording
            continue
        ex = RestartExplanation(
            kind=KIND_START_FAILURE, container=t.subject,
            container_kind=t.container_kind or kinds.get(t.subject, "main"), cause=category, summary="",
            at=t.at, reason=reason, message=t.detail, exact=t.exact,
        )
        open_[t.subject] = ex
        latest[id(ex)] = opening[id(ex)] = t
        out.append(ex)
    for ex in out:
        lo, hi = ex.at - _OBSERVED_SLACK, (ex.end if ex.end is not None else float("inf")) + _SLACK
        evs = [ev for ev in events if ev.container == ex.container and ev.type == "Warning"
               and ev.reason in ("Failed", "BackOff", "InspectFailed", "ErrImageNeverPull") and _overlaps(ev, lo, hi)
               and not ev.message.startswith("Back-off restarting")]
        ex.events = evs
        last = latest[id(ex)]
        state = last.new.split(":", 1)[1] if last.new else ex.reason
        # A waiting state has no timestamp of its own: met at first sight, its start is unknown.
        when = f", first seen {_ts(last.at)}" if not last.observed else f" {_ts(last.at)}"
        ex.evidence.append(f"state waiting {state}{when}" + (f": {ex.message}" if ex.message else ""))
        if last.at > ex.at:
            opened = f"first {ex.reason}" if opening[id(ex)].observed else f"{ex.reason} when first seen"
            ex.evidence.append(f"waiting since {_ts(ex.at)} ({opened})")
        ex.evidence.extend(event_line(ev) for ev in evs)
        if ex.end is not None:
            then = ended.get(id(ex), "")
            ex.evidence.append(f"{'started' if then == 'running' else 'then ' + then} at {_ts(ex.end)}")
        failed = next((ev.message for ev in evs if ev.reason == "Failed"), "")
        message = ex.message or failed
        if ex.cause == CONFIG:
            ex.missing = missing_object(message) or missing_object(failed)
            ex.summary = f"config error ({ex.reason})" + (f": {_first_line(message)}" if message else "")
        elif ex.cause == IMAGE:
            pull = next((ev.message for ev in evs if ev.message.startswith("Failed to pull image")), "")
            ex.summary = f"image problem ({ex.reason}): {_first_line(pull or message, 160)}" if pull or message \
                else f"image problem ({ex.reason})"
        else:
            ex.summary = f"could not start ({ex.reason})" + (f": {_first_line(message)}" if message else "")
    return out


# ------------------------------------------------------------------------------ entry points


_CACHE: OrderedDict[tuple, list[RestartExplanation]] = OrderedDict()
_CACHE_SIZE = 512


def restart_explanations(record, now: float | None = None,
                         events: Iterable[EventRecord] | None = None) -> list[RestartExplanation]:
    """Every restart, final termination, failed start and pod disruption of `record`,
    oldest first, each with its cause and evidence.

    `events` replaces record.events (the history export passes every version of every
    Event it read, so each repeat of a Killing Event keeps its own time). `now` only
    words the "unknown" case (Events older than an hour are gone). Never raises.
    """
    uid, version = getattr(record, "uid", None), getattr(record, "version", None)
    key = (uid, version, None if now is None else int(now // 60)) if events is None and uid is not None else None
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    try:
        result = _explain(record, now, list(events) if events is not None else list(getattr(record, "events", ())))
    except Exception as exc:  # noqa: BLE001 - a malformed object must not take the UI down
        result = [RestartExplanation(kind=KIND_TERMINATION, container="", container_kind="", cause=UNKNOWN,
                                     summary=f"could not explain: {type(exc).__name__}: {exc}", at=None)]
    if key is not None:
        _CACHE[key] = result
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _explain(record, now: float | None, events: list[EventRecord]) -> list[RestartExplanation]:
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    history = getattr(record, "history", None)
    entries = list(getattr(history, "entries", history or ()))
    kinds = container_kinds(pod)
    disruption = _disruption(entries, pod, events)
    restarts = _restarts(entries)
    instances = _instances(entries, pod, kinds)
    # Back-off messages and hook errors live in waiting states: scan those, not everything.
    waits = [t for t in entries if t.kind == CONTAINER_STATE and (t.new or "").startswith("waiting:")]
    # Without a `now` a passed activeDeadlineSeconds can't be told; the kubelet's Failed phase follows it.
    terminal = restarts_over(record, now if now is not None else -math.inf) is not None
    gone = removal(record)
    removed_at = gone.at if gone is not None else next((t.at for t in entries if t.kind == REMOVED), None)
    window = gone.window if gone is not None and gone.on_relist else None

    out: list[RestartExplanation] = []
    by_container: dict[str, list[_Instance]] = {}
    for inst in instances:
        by_container.setdefault(inst.container, []).append(inst)
    explained: dict[str, set[int]] = {}
    statuses = container_statuses(pod)
    for name, insts in by_container.items():
        cs = statuses.get(name, {})
        own = _instance_counts(insts, restarts.get(name, []), cs)
        current_start = parse_ts(_d(_d(cs.get("state")).get("running")).get("startedAt"))
        by_number = {r.number: r for r in restarts.get(name, []) if r.number is not None}
        for i, inst in enumerate(insts):
            later = insts[i + 1] if i + 1 < len(insts) else None
            ex = _classify(inst, pod, waits, events, disruption, now)
            number = own[i] + 1 if own[i] is not None else None
            restart = by_number.get(number) if number is not None else None
            if later is not None:
                ex.restarted_at = later.started
            elif current_start is not None and inst.finished is not None and current_start >= inst.finished - _SLACK:
                ex.restarted_at = current_start
            if ex.restarted_at is None and restart is not None:
                ex.restarted_at = restart.at
            if later is not None or ex.restarted_at is not None or restart is not None:
                ex.kind = KIND_RESTART
                ex.number = number
            elif not terminal and _will_restart(pod, statuses, inst):
                ex.kind = KIND_RESTART
                ex.pending = True
                ex.number = number
            elif inst.exit_code == 0 and inst.reason in ("", "Completed") and ex.cause == EXIT:
                continue  # a normal completion: nothing to explain
            if ex.kind == KIND_RESTART:
                if ex.pending:
                    ex.evidence.append(_pending_line(record, ex, inst, cs))
                elif ex.restarted_at is not None:
                    what = f"restart #{number}" if number is not None else "restarted"
                    ex.evidence.append(f"{what} at {_ts(ex.restarted_at)}")
            _backoff(ex, inst, waits, later.finished if later is not None else None)
            if ex.kind != KIND_RESTART and ex.backoff_after is not None:
                _cut_short(ex, inst, disruption, removed_at, window)
            if ex.pending:
                waiting_delay = _current_backoff(cs)
                if waiting_delay is not None:
                    ex.backoff_after, ex.backoff_measured = waiting_delay, True
            if ex.number is not None:
                explained.setdefault(name, set()).add(ex.number)
            out.append(ex)
    out.extend(_missed(restarts, explained, kinds))
    out.extend(_start_failures(entries, kinds, events))
    if disruption is not None:
        out.append(RestartExplanation(
            kind=KIND_DISRUPTION, container="", container_kind="", cause=disruption.cause,
            summary=disruption.summary, at=disruption.at, reason=disruption.reason, message=disruption.message,
            evidence=list(disruption.evidence), events=list(disruption.events), exact=disruption.exact,
        ))
    out.sort(key=lambda e: e.at if e.at is not None else float("inf"))
    return out


_ENDED_BY = {
    DELETED: "the pod's deletion was requested", EVICTION: "the pod was evicted", PREEMPTION: "the pod was preempted",
    NODE_SHUTDOWN: "its node shut down", NODE_LOST: "its node was lost",
    DEADLINE: "the pod's activeDeadlineSeconds passed",
}


def _cut_short(ex: RestartExplanation, inst: _Instance, disruption: _Disruption | None,
               removed_at: float | None, window: tuple[float | None, float] | None = None) -> None:
    """An instance that ended in a back-off and never ran again: the pod ended first
    (deleted, evicted, or gone in a relist while crashlooping). Without this its
    back-off read as one it "ran again after". `window`: the removal's, when a relist
    found it (removed_at is then only the latest it can have been)."""
    ends = []
    if disruption is not None and disruption.at is not None and disruption.cause in _ENDED_BY \
            and (inst.finished is None or disruption.at >= inst.finished - _SLACK):
        ends.append((disruption.at, _ENDED_BY[disruption.cause], None))
    if removed_at is not None:
        ends.append((removed_at, "the pod was removed", window))
    if not ends:
        return
    ex.cut_short_at, ex.cut_short_by, ex.cut_short_window = min(ends, key=lambda e: e[0])
    when = removal_words(ex.cut_short_window, _ts) if ex.cut_short_window else f"at {_ts(ex.cut_short_at)}"
    due = inst.finished + ex.backoff_after if inst.finished is not None and ex.backoff_after is not None else None
    # By the window's end: a removal found on relist before the restart was due came first.
    ex.cut_short_first = due is not None and ex.cut_short_at < due + _SLACK
    if ex.cut_short_first:
        ex.evidence.append(f"{ex.cut_short_by} {when}, in the back-off before the restart "
                           f"due {_ts(due)}: it never ran again")
    else:
        # A relist sees a removal late: the restart may have come, unseen, while the watch was down.
        ex.evidence.append(f"{ex.cut_short_by} {when}: not seen running again before that")


def _pending_line(record, ex: RestartExplanation, inst: _Instance, cs: dict) -> str:
    """What the evidence says of a restart the status does not show yet, from the check
    the headline words a postStart hook from: started, its hook under way; else when
    the kubelet makes it (the first crash's comes at once, with no back-off)."""
    what = _restart_name(ex)
    hook = post_start_hook(record, inst.container)
    if hook is not None and hook.restart:
        ex.hook_started = hook.started
        gap = hook.started - inst.finished if inst.finished is not None else None
        # Event times and finishedAt have whole seconds.
        when = "" if gap is None else ", at once" if gap < 1 else f", {go_duration(round(gap))} after the crash"
        head = f"{what} started {_ts(hook.started)}{when} (Event Started): "
        if hook.failed_at is None:
            return head + "its postStart hook runs, and until it returns the status shows the instance that ended"
        return head + (f"its postStart hook failed {_ts(hook.failed_at)} (Event FailedPostStartHook) and the "
                       "kubelet kills it; until then the status shows the instance that ended")
    if ex.number is not None and _current_backoff(cs) is None:
        ladder = (getattr(record, "ladders", None) or {}).get(inst.container)
        delay, ran_long = crash_wait(ladder, ex.number - 1, inst.started, inst.finished, *infer_curve(ladder)[:2])
        if delay == 0:
            why = f": it ran over {human_duration(RESET_AFTER)}" if ran_long else " after a first crash"
            return f"{what} pending: the kubelet restarts it at once (no back-off{why})"
    return f"{what} pending: the kubelet restarts it after the back-off"


def _restart_name(ex: RestartExplanation) -> str:
    return f"restart #{ex.number}" if ex.number is not None else "restart"


def _current_backoff(cs: dict) -> float | None:
    waiting = _d(_d(cs.get("state")).get("waiting"))
    if waiting.get("reason") != "CrashLoopBackOff":
        return None
    return crash_message_delay(_s(waiting.get("message")))


def _instance_counts(insts: list[_Instance], rs: list[_Restart], cs: dict) -> list[int | None]:
    """Each ended instance's own restartCount (0 for the first instance).

    Anchored where the status says so (a restart whose data names the instance's
    finishedAt; the latest instance against the current restartCount) and counted
    from the anchors in between: consecutive instances differ by one.
    """
    n = len(insts)
    own: list[int | None] = [None] * n
    named = {round(r.finished, 3): r.number for r in rs if r.finished is not None and r.number is not None}
    for i, inst in enumerate(insts):
        if inst.finished is not None:
            number = named.get(round(inst.finished, 3))
            if number is not None:
                own[i] = number - 1
    rc = _i(cs.get("restartCount"))
    if n and rc is not None and own[-1] is None:
        last, state = insts[-1], _d(cs.get("state"))
        term = _d(state.get("terminated"))
        running = _d(state.get("running"))
        if term and parse_ts(term.get("finishedAt")) == last.finished:
            own[-1] = rc  # it is the current state
        elif running:
            started = parse_ts(running.get("startedAt"))
            if started is None or last.finished is None or started >= last.finished - _SLACK:
                own[-1] = rc - 1  # the running instance came after it
        elif isinstance(state.get("waiting"), dict):
            own[-1] = rc  # waiting to restart it: the count still names it
    for i in range(n - 2, -1, -1):  # backwards from anchors
        if own[i] is None and own[i + 1] is not None:
            own[i] = own[i + 1] - 1
    for i in range(1, n):  # forwards where no later anchor reached
        if own[i] is None and own[i - 1] is not None:
            own[i] = own[i - 1] + 1
    return [x if x is None or x >= 0 else None for x in own]


def _missed(restarts: dict[str, list[_Restart]], explained: dict[str, set[int]], kinds: dict[str, str]) \
        -> list[RestartExplanation]:
    """Restarts the count shows but no version of the pod did: several between two
    updates, or before podtui first saw the pod (its status keeps only the last)."""
    out = []
    for name, rs in restarts.items():
        done = explained.get(name, set())
        for r in rs:
            before = 0 if r.old is None else r.old
            if r.number is None or r.number <= before:
                continue
            # At first sight, up to and with restart #number itself: the instance in
            # lastState caused it only if the container runs again; waiting in back-off
            # that instance leads to the next restart, and nothing seen explains #number.
            # Between updates #number is the step podtui saw, cause known or not.
            last = r.number if r.old is None else r.number - 1
            lost = [n for n in range(before + 1, last + 1) if n not in done]
            if not lost:
                continue
            if r.old is None:
                which = f"restarts #{lost[0]}–#{lost[-1]}" if len(lost) > 1 else f"restart #{lost[0]}"
                summary = f"{which} came before podtui first saw the pod (its status keeps only the last one)"
                evidence = [f"restartCount {r.number} when podtui first saw the pod"]
            else:
                summary = (f"{len(lost)} restart{'s' if len(lost) > 1 else ''} not seen "
                           f"(restartCount went {r.old} -> {r.number} between two updates)")
                evidence = [f"restartCount {r.old} -> {r.number} at {_ts(r.at)}"]
            out.append(RestartExplanation(
                kind=KIND_MISSED, container=name, container_kind=kinds.get(name, "main"), cause=UNKNOWN,
                summary=summary, at=r.started if r.started is not None else r.at, number=lost[-1], exact=False,
                evidence=evidence,
            ))
    return out


def last_restart(record, container: str | None = None, now: float | None = None) -> RestartExplanation | None:
    """The newest restart (pending ones included) of one container, or of any container."""
    for ex in reversed(restart_explanations(record, now)):
        if ex.kind == KIND_RESTART and (container is None or ex.container == container):
            return ex
    return None


def last_restart_line(record, now: float, container: str | None = None) -> str | None:
    """`last restart 3m ago: liveness probe failed (HTTP probe failed with statuscode: 500), exit 137`."""
    ex = last_restart(record, container, now)
    if ex is None:
        return None
    when = f"{human_duration(max(0.0, now - ex.at))} ago" if ex.at is not None else "at an unknown time"
    head, started = f"last restart {when}", ""
    if ex.pending:  # it has not happened: the crash it follows has
        hook = post_start_hook(record, ex.container)
        if hook is not None and hook.restart:
            # The kubelet has started it (the status shows the served back-off until its
            # postStart hook returns): the hook as NEXT says it, after the crash's cause,
            # which read as the hook's put after it ("hook failed: postStart hook failed (...)").
            again = hook.failed_at is not None and ex.cause == POST_START_HOOK
            head = f"crashed {when}"
            started = f"; {_restart_name(ex)} started, {'its hook failed again' if again else hook.text(now)}"
        else:
            head = f"crashed {when}, {_coming_restart(record, ex, now)}"
    if container is None and len({e.container for e in restart_explanations(record, now)
                                  if e.kind == KIND_RESTART}) > 1:
        head += f" ({ex.container})"
    return f"{head}: {ex.summary}{started}"


def _coming_restart(record, ex: RestartExplanation, now: float) -> str:
    """`restart #5 in 13s` when the back-off says when; the same due time the Back-off
    pane and NEXT count down to."""
    what = _restart_name(ex)
    waits, crashed = restart_waits(record, now)
    b = next((b for b in waits + crashed
              if b.container == ex.container and b.kind == "crash" and b.next_at is not None), None)
    due = b.next_at if b is not None else None
    # Before CrashLoopBackOff the delay is podtui's estimate, "~" as NEXT marks it.
    about = "~" if b is not None and b in crashed else ""
    if due is None and ex.at is not None and ex.backoff_after is not None:
        due = ex.at + ex.backoff_after
    if due is None:
        return f"{what} pending"
    return f"{what} in {about}{human_duration(math.ceil(due - now))}" if due > now else f"{what} due"


def unready_explanation(record, now: float) -> str | None:
    """What `x` says of a pod with no restart to explain that is not ready: the Phase
    pane's line (how long, why, the probe's last message), then per cause what keeps it
    so: a failing readiness probe's streak, a readiness gate's unmet condition. None
    when the pod is ready, or deleted."""
    # unready builds on this module's restart explanations: imported when asked
    from podtui.lifecycle.probes import probe_states
    from podtui.lifecycle.unready import CONTAINER, GATE, unready_line, unready_periods

    if getattr(record, "deleted_at", None) is not None:
        return None
    head = unready_line(record, now)
    if head is None:
        return None
    lines = [head]
    ongoing = [p for p in unready_periods(record, now) if p.ongoing]
    probing = {p.subject for p in ongoing if p.subject_kind == CONTAINER and p.probe_messages}
    for state in probe_states(record, now):
        s = state.settings
        if s.type != "readiness" or s.container not in probing or not state.streak:
            continue
        text = (f"{s.container}'s readiness probe ({s.handler}, every {s.period}s): "
                f"{'' if state.exact else '~'}{state.streak} failure{'s' if state.streak > 1 else ''} in a row "
                f"(threshold {s.failure_threshold})")
        if state.last_failure_at is not None:
            text += f", the last {human_duration(max(0.0, now - state.last_failure_at))} ago"
        lines.append(text)
    for p in ongoing:
        if p.subject_kind == GATE:
            lines.append(f"readiness gate {p.subject}: {p.reason} for {human_duration(p.duration)} "
                         "(a controller sets it, not the kubelet)")
    return "\n".join(lines)


def steady_line(record) -> str:
    """What `x` says of a pod with nothing to explain: running and ready, when it is."""
    pod = _d(getattr(record, "obj", None))
    status = _d(pod.get("status"))
    if getattr(record, "deleted_at", None) is None and not _d(pod.get("metadata")).get("deletionTimestamp") \
            and status.get("phase") == "Running" and pod_ready(_l(status.get("conditions"))):
        return "running and ready; no restarts seen"
    return "no restarts seen for this pod"


def container_line(record, container: str, now: float) -> str | None:
    """One line for a container in the Containers pane: its last restart, else its
    first start's postStart hook under way, else an ongoing failure to start it."""
    line = last_restart_line(record, now, container)
    if line is not None:
        return line
    hook = post_start_hook(record, container)
    if hook is not None:  # its first start: ContainerCreating until the hook returns
        return hook.text(now)
    for ex in reversed(restart_explanations(record, now)):
        if ex.kind == KIND_START_FAILURE and ex.container == container and ex.end is None:
            start = not_started_since(record, container)
            start = ex.at if start is None or (ex.at is not None and ex.at < start) else start
            since = f" for {human_duration(max(0.0, now - start))}" if start is not None else ""
            return f"not started{since}: {ex.summary}"
    return None


def not_started_since(record, container: str) -> float | None:
    """Since when the container has been waiting, None when it is not: its waiting
    reason may flip (ContainerCreating, ErrImagePull, ImagePullBackOff and back) and it
    is one stretch still, from when it stopped running or was first to start.

    Met already waiting, the wait began when its last instance finished, else (it
    never ran) when the kubelet took the pod (status.startTime): not at first sight."""
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    history = getattr(record, "history", None)
    since: Transition | None = None
    before: Transition | None = None  # the state the stretch followed
    for t in getattr(history, "entries", history or ()):
        if t.kind != CONTAINER_STATE or t.subject != container:
            continue
        if not (t.new or "").startswith("waiting"):
            since, before = None, t
        elif since is None:
            since = t
    if since is None:
        return None
    if since.observed:
        return since.at
    if before is not None and (before.new or "").startswith("terminated"):
        finished = _d(before.data).get("finishedAt")
        return min(since.at, finished) if isinstance(finished, (int, float)) else since.at
    last = _d(_d(container_statuses(pod).get(container)).get("lastState")).get("terminated")
    began = parse_ts(_d(last).get("finishedAt")) if last else parse_ts(_d(pod.get("status")).get("startTime"))
    return min(since.at, began) if began is not None else since.at


# ------------------------------------------------------------------------------ timeline


@dataclass(slots=True)
class TimelineEntry:
    """A restart, failed start, disruption or unready period, ready for the Timeline pane."""

    at: float
    end: float | None  # periods and start failures: when it ended (None: still going)
    kind: str  # KIND_* above, or "unready"
    subject: str  # container name, "pod", or a readiness gate
    container_kind: str
    cause: str  # the explanation's cause, or the unready period's reason
    text: str  # one line
    severity: str  # "error" / "warning" / "info"
    exact: bool = True


def pod_summary(ex) -> str:
    """A pod-wide explanation as a headline: "pod evicted ...". A plain deletion's
    summary names the pod already ("pod deleted", so a container's reads "pod deleted
    (grace 30s), exit 137")."""
    return ex.summary if ex.summary.startswith("pod ") else f"pod {ex.summary}"


def timeline_entries(record, now: float) -> list[TimelineEntry]:
    """Each restart (with its cause and back-off), failed start, disruption and unready
    period of the pod, oldest first."""
    from podtui.lifecycle.unready import unready_periods  # one-way: unready needs nothing here

    out: list[TimelineEntry] = []
    for ex in restart_explanations(record, now):
        if ex.at is None:
            continue
        if ex.kind == KIND_RESTART:
            what = f"{ex.container} restart #{ex.number}" if ex.number is not None else f"{ex.container} restarted"
            if ex.pending:
                # Started, its postStart hook under way: the status shows it once the hook returns.
                step = "started" if ex.hook_started is not None else "pending"
                what = f"{ex.container} crashed, restart{f' #{ex.number}' if ex.number is not None else ''} {step}"
            text = f"{what}: {ex.summary}"
            if ex.backoff_after is not None:
                # as the kubelet states it ("1m20s"), the same as the Back-off pane and reports
                text += f"; back-off {go_duration(ex.backoff_after)}" if ex.backoff_after >= 1 \
                    else "; restarted at once"
            severity = "error"
        elif ex.kind == KIND_TERMINATION:
            text, severity = f"{ex.container} ended: {ex.summary}", "warning"
        elif ex.kind == KIND_START_FAILURE:
            text, severity = f"{ex.container} cannot start: {ex.summary}", "error"
            if ex.end is not None:
                text += f" (for {human_duration(max(0.0, ex.end - ex.at))})"
        elif ex.kind == KIND_MISSED:
            text, severity = f"{ex.container}: {ex.summary}", "warning"
        else:
            text, severity = pod_summary(ex), "warning"
        out.append(TimelineEntry(at=ex.at, end=ex.end, kind=ex.kind, subject=ex.container or "pod",
                                 container_kind=ex.container_kind, cause=ex.cause, text=text,
                                 severity=severity, exact=ex.exact))
    for p in unready_periods(record, now):
        who = p.subject
        span = f"for {human_duration(p.duration)}" + (" so far" if p.ongoing else "")
        text = f"{who} not ready {span}: {p.reason}"
        if p.probe_messages:
            text += f" [{p.probe_messages[-1]}]"
        out.append(TimelineEntry(at=p.start, end=p.end, kind="unready", subject=p.subject,
                                 container_kind=p.container_kind, cause=p.reason, text=text,
                                 severity="info" if p.starting else "warning", exact=p.exact))
    out.sort(key=lambda e: e.at)
    return out
