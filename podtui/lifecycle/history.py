"""A pod's lifecycle history: what changed between two versions of it, and what its own
timestamps say about its past when podtui first sees it.

diff() compares small pieces (phase, each condition, each container status) and skips
every piece that is equal, so an unchanged container costs one dict comparison.
Entries carry the object's own time (lastTransitionTime, startedAt, finishedAt) when it
has one (exact=True), else the time podtui observed the change (exact=False).

Between two versions podtui may miss whole container instances (a crash and restart in
under a second, or a gap in the watch). The instance that moved into lastState still
tells when it started and ended, so those steps are filled in as entries with
observed=False: known from timestamps, not seen happening.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterable
from itertools import zip_longest
from operator import attrgetter

import msgspec

from podtui.lifecycle.records import (
    CONDITION,
    CONTAINER_STATE,
    CREATED,
    DELETION,
    DISRUPTION,
    FINALIZER,
    IP,
    NOMINATED,
    PHASE,
    READY,
    REASON,
    RESTART,
    SCHEDULED,
    STARTED,
    Transition,
)
from podtui.lifecycle.columns import terminated_reason as _terminated_reason
from podtui.lifecycle.messages import headline
from podtui.lifecycle.times import format_ts, parse_ts
from podtui.lifecycle.read import as_dict as _d, as_list as _l, as_str as _s, as_int as _i, container_statuses, \
    containers_stopped, controller_ref

STATUS_LISTS = (
    ("initContainerStatuses", "init"),
    ("containerStatuses", "main"),
    ("ephemeralContainerStatuses", "ephemeral"),
)
# Bounds what one history entry holds. Kubelet messages run long (an exec hook's failure
# repeats its command and output: 300+ characters), so the limit is generous.
_MESSAGE_LIMIT = 1024
_EMPTY: dict = {}  # shared stand-in for a missing mapping; never written to
_NO_LIST: list = []  # likewise for a missing list


# A container's termination message is capped by the kubelet at 4096 bytes (2048 when
# taken from the log); a stack trace's cause is at its end, so it is kept whole.
_TERMINATION_LIMIT = 4096
_TERMINATION_MESSAGES: dict[str, str] = {}  # one copy of each: a crash loop repeats its message
_TERMINATION_MESSAGES_LIMIT = 4096


def _mapping(value: object) -> dict:
    """`value` if it is a JSON object, else _EMPTY. (columns.py has its twin: compiled,
    each is inlined where it is read; one imported would be a Python call each time.)"""
    return value if type(value) is dict else _EMPTY


def _clip(text: str) -> str:
    """`text` whole, or cut to the limit with an ellipsis: cut silently, it read as whole."""
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT - 1] + "\u2026"


def _termination_message(text: str) -> str:
    if len(text) > _TERMINATION_LIMIT:
        text = text[:_TERMINATION_LIMIT - 1] + "\u2026"
    kept = _TERMINATION_MESSAGES.get(text)
    if kept is None:
        if len(_TERMINATION_MESSAGES) >= _TERMINATION_MESSAGES_LIMIT:
            _TERMINATION_MESSAGES.clear()
        kept = _TERMINATION_MESSAGES[text] = text
    return kept


_AT = attrgetter("at")  # sort key: a Transition's time


class History:
    """Transitions oldest -> newest, bounded; `dropped` counts what fell off the front."""

    __slots__ = ("entries", "dropped")

    def __init__(self, limit: int = 500) -> None:
        self.entries: deque[Transition] = deque(maxlen=max(1, int(limit)))
        self.dropped = 0

    def add(self, t: Transition) -> None:
        entries = self.entries
        full = len(entries) == entries.maxlen
        if not entries or entries[-1].at <= t.at:
            if full:
                self.dropped += 1  # append pushes the oldest out
            entries.append(t)
            return
        # Older than the newest entry (an object timestamp behind podtui's clock):
        # insert in time order, normally a step or two from the end.
        if full:
            self.dropped += 1
            if t.at < entries[0].at:
                return  # it would be the oldest: it is the one to drop
            entries.popleft()
        entries.insert(bisect.bisect_right(entries, t.at, key=_AT), t)

    def extend(self, ts: list[Transition]) -> None:
        """Add a version's transitions, oldest first (as diff() returns them)."""
        entries = self.entries
        if ts and (not entries or entries[-1].at <= ts[0].at):
            # The usual case: all newer than what is held. One C-level extend.
            over = len(entries) + len(ts) - entries.maxlen
            if over > 0:
                self.dropped += over
            entries.extend(ts)
            return
        for t in ts:
            self.add(t)

    def newest(self) -> float | None:
        """The time of the newest entry (None when empty): what a step podtui dates by
        its own clock must not precede (not_before)."""
        entries = self.entries
        return entries[-1].at if entries else None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)


# -- container states


SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
           8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
           15: "SIGTERM", 31: "SIGSYS"}
# Signals a process raises on itself when it crashes; SIGKILL/SIGTERM come from outside.
CRASH_SIGNALS = frozenset({3, 4, 5, 6, 7, 8, 11, 31})


def signal_name(sig: int) -> str | None:
    """"SIGTERM", or None for a number without a name here ("signal 40 (signal 40)" said nothing twice)."""
    return SIGNALS.get(sig)


def exit_signal(exit_code: int | None, signal: int | None) -> int | None:
    """The signal that ended a process: the status's own, else the runtime's 128+N."""
    if signal is not None and signal > 0:
        return signal
    return exit_code - 128 if exit_code is not None and 128 < exit_code < 160 else None


def exit_text(exit_code: int | None, signal: int | None) -> str:
    """"exit 137", "exit 139 (SIGSEGV)", "signal 9 (SIGKILL)": the one wording of how an
    instance ended, in every pane, report and history entry (here, below explain, so
    the history's own entries can use it). 128+N is how the runtime reports a death by
    signal N, so the signal is named without a doubt mark; a number without a name
    gets no brackets."""
    sig = exit_signal(exit_code, signal)
    name = signal_name(sig) if sig is not None else None
    if exit_code is None:
        if sig is None:
            return "exit code unknown"
        return f"signal {sig}" + (f" ({name})" if name else "")
    if name and exit_code != 137:  # 137 is common enough to read without help
        return f"exit {exit_code} ({name})"
    return f"exit {exit_code}"


def ended_text(exit_code: int | None, signal: int | None, reason: str) -> str:
    """"exit 1, reason Error": exit_text() and the kubelet's reason, as the history's
    entries, explain's evidence and its summaries say how an instance ended."""
    text = exit_text(exit_code, signal)
    return f"{text}, reason {reason}" if reason else text


def _exit_facts(terminated: dict) -> tuple[int | None, int | None]:
    """A `terminated` state's exitCode and signal, None where the API gave no number."""
    code, sig = terminated.get("exitCode"), terminated.get("signal")
    return (code if type(code) is int else None), (sig if type(sig) is int else None)


def terminated_exit_text(terminated: dict) -> str:
    """exit_text() of a container status's `terminated` state, as the API gives it."""
    return exit_text(*_exit_facts(terminated))


def _terminated(t: dict, restart_count: int | None) -> tuple[str, dict]:
    """A terminated instance in words ("exit 137, reason OOMKilled", as explain's
    evidence says it) and as plain facts, for Transition.detail and Transition.data."""
    code, signal = _exit_facts(t)
    reason, message = t.get("reason"), t.get("message")
    if type(reason) is not str:
        reason = ""
    message = _termination_message(message) if type(message) is str else ""
    text = ended_text(code, signal, reason)
    if message:
        # One line, the one that says what went wrong (a traceback's last): the whole
        # message is in data, and the Timeline showed a stack trace as one long paragraph.
        line = headline(message, _MESSAGE_LIMIT)
        if line:
            text += ": " + line
    container_id = t.get("containerID")
    return text, {
        "exitCode": code,
        "signal": signal,
        "reason": reason,
        "message": message,
        "startedAt": parse_ts(t.get("startedAt")),
        "finishedAt": parse_ts(t.get("finishedAt")),
        "containerID": container_id if type(container_id) is str else "",
        "restartCount": restart_count,
    }


def container_kinds(pod: dict) -> dict[str, str]:
    """name -> "init" / "sidecar" (init with restartPolicy Always) / "main" / "ephemeral"."""
    spec = _d(pod.get("spec"))
    kinds: dict[str, str] = {}
    for c in _l(spec.get("initContainers")):
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            kinds[c["name"]] = "sidecar" if c.get("restartPolicy") == "Always" else "init"
    for key, kind in (("containers", "main"), ("ephemeralContainers", "ephemeral")):
        for c in _l(spec.get(key)):
            if isinstance(c, dict) and isinstance(c.get("name"), str):
                kinds[c["name"]] = kind
    return kinds


def _same_instance(a: dict, a_id: str, b: dict, b_id: str) -> bool:
    """Two states describe the same container instance (by startedAt, else containerID)."""
    sa, sb = a.get("startedAt"), b.get("startedAt")
    if sa and sb:
        return sa == sb
    return bool(a_id) and a_id == b_id


class _Emitter:
    """Collects a diff's transitions with the flags they share.

    Hot paths append Transition(...) to `out` themselves (one call less per entry);
    `seen` is every entry's observed flag (False when reconstructing at first sight)."""

    __slots__ = ("out", "observed", "first_sight", "seen", "touched", "ip_at", "phase_at", "ready_by", "last_ready",
                 "delays")

    def __init__(self, observed: float, first_sight: bool) -> None:
        self.out: list[Transition] = []
        self.observed = observed
        self.first_sight = first_sight
        self.seen = not first_sight
        self.touched = False  # some piece kubectl's row reads differed (even with no transition)
        self.ip_at: float | None = None  # at first sight: when the sandbox's network came up
        self.phase_at = observed  # the phase's date: at first sight of a finished pod, about when it finished
        # At first sight: the pod's probes' initial delays by (container, probe type), and since
        # when all its containers were ready (ContainersReady's, else Ready's,
        # lastTransitionTime while True): see _flag_time.
        self.ready_by: float | None = None
        self.last_ready = ""  # the container whose readiness made them all ready then
        self.delays: dict[tuple[str, str], float] = {}

    def add(self, kind: str, subject: str, old: str | None, new: str | None, at: float | None = None,
            detail: str = "", container_kind: str = "", data: dict | None = None) -> None:
        if at is None:
            self.out.append(Transition(self.observed, kind, subject, old, new, detail, self.seen, False,
                                       container_kind, data))
        else:
            self.out.append(Transition(at, kind, subject, old, new, detail, self.seen, True, container_kind, data))


def _state(status: dict, state: dict) -> tuple[str, tuple[str, dict, str] | None]:
    """"waiting:Reason" / "running" / "terminated:Reason" / "unknown", and the current
    instance the state names, if any: (kind, state body, container id)."""
    waiting, terminated, running = state.get("waiting"), state.get("terminated"), state.get("running")
    if type(terminated) is dict:
        cid = terminated.get("containerID")
        if type(cid) is not str or not cid:
            cid = status.get("containerID")
            if type(cid) is not str:
                cid = ""
        current: tuple[str, dict, str] | None = ("terminated", terminated, cid)
    elif type(running) is dict and type(waiting) is not dict:
        cid = status.get("containerID")
        current = ("running", running, cid if type(cid) is str else "")
    else:
        current = None
    if type(waiting) is dict:
        reason = waiting.get("reason")
        return ("waiting:" + reason if type(reason) is str and reason else "waiting"), current
    if type(terminated) is dict:
        return "terminated:" + _terminated_reason(terminated, ""), current
    return ("running" if type(running) is dict else "unknown"), current


def _container(em: _Emitter, name: str, kind: str, o: dict | None, n: dict) -> None:
    """Transitions of one container between its status `o` (None: not seen) and `n`."""
    rc_new = n.get("restartCount")
    if type(rc_new) is not int:
        rc_new = None
    nstate = n.get("state")
    if o is not None:
        rc_old = o.get("restartCount")
        if type(rc_old) is not int:
            rc_old = None
        ostate = o.get("state")
        olast, nlast = o.get("lastState"), n.get("lastState")
        if (ostate is nstate or ostate == nstate) and (olast is nlast or olast == nlast):
            # The common case (a readiness flip): no instance changed. A count the old
            # status lacked (a partial object) and this one has is no restart then.
            if rc_new != rc_old and rc_old is not None:
                _restart(em, name, kind, o, n, _state(n, nstate if type(nstate) is dict else _EMPTY)[1],
                         rc_old, rc_new, False)
            oready, nready = o.get("ready"), n.get("ready")
            if oready is not nready and type(oready) is bool and type(nready) is bool:
                em.out.append(Transition(em.observed, READY, name, "true" if oready else "false",
                                         "true" if nready else "false", "", em.seen, False, kind, None))
                if o.get("started") is not n.get("started"):
                    _started(em, name, kind, o, n)
            elif oready is not nready or o.get("started") is not n.get("started"):
                _flags(em, name, kind, o, n)
            return
        okey, ocur = _state(o, ostate if type(ostate) is dict else _EMPTY)
        olast = o.get("lastState")
        olast = olast.get("terminated") if type(olast) is dict else None
    else:
        rc_old = okey = ocur = olast = None
    if type(nstate) is not dict:
        nstate = _EMPTY
    nkey, ncur = _state(n, nstate)
    out, observed = em.out, em.observed

    # 1. An instance that moved into lastState since `o`: fill in what was missed.
    nlast = n.get("lastState")
    nlast = nlast.get("terminated") if type(nlast) is dict else None
    new_last = False
    if type(nlast) is dict and nlast:
        nlast_id = nlast.get("containerID")
        if type(nlast_id) is not str:
            nlast_id = ""
        if type(olast) is dict and olast:
            olast_id = olast.get("containerID")
            new_last = not _same_instance(nlast, nlast_id, olast, olast_id if type(olast_id) is str else "")
        else:
            new_last = True
    if new_last:
        seen = ocur is not None and _same_instance(ocur[1], ocur[2], nlast, nlast_id)
        if not seen:
            started = parse_ts(nlast.get("startedAt"))
            if started is not None:
                out.append(Transition(started, CONTAINER_STATE, name, okey, "running", "", False, True, kind, None))
                okey = "running"
        if not (seen and ocur[0] == "terminated"):  # type: ignore[index]
            last_key = "terminated:" + _terminated_reason(nlast, "")
            detail, data = _terminated(nlast, rc_new)
            finished = parse_ts(nlast.get("finishedAt"))
            out.append(Transition(observed if finished is None else finished, CONTAINER_STATE, name, okey, last_key,
                                  detail, False, finished is not None, kind, data))
            okey = last_key

    # 2. The current state.
    if ncur is not None:
        ckind, body, cid = ncur
        same = ocur is not None and _same_instance(ocur[1], ocur[2], body, cid)
        if ckind == "running":
            if not same or okey != "running":
                at = parse_ts(body.get("startedAt"))
                out.append(Transition(observed if at is None else at, CONTAINER_STATE, name, okey, "running", "",
                                      em.seen, at is not None, kind, None))
        else:
            if not same and okey != "running":
                started = parse_ts(body.get("startedAt"))
                if started is not None:  # it ran between two versions: podtui never saw it running
                    out.append(Transition(started, CONTAINER_STATE, name, okey, "running", "", False, True, kind,
                                          None))
                    okey = "running"
            if okey != nkey or not same:
                detail, data = _terminated(body, rc_new)
                at = parse_ts(body.get("finishedAt"))
                out.append(Transition(observed if at is None else at, CONTAINER_STATE, name, okey, nkey, detail,
                                      em.seen, at is not None, kind, data))
    elif okey != nkey:
        waiting = nstate.get("waiting")
        message = waiting.get("message") if type(waiting) is dict else None
        message = _clip(message) if type(message) is str else ""
        out.append(Transition(observed, CONTAINER_STATE, name, okey, nkey, message, em.seen, False, kind,
                              {"message": message, "restartCount": rc_new} if type(waiting) is dict and waiting
                              else None))

    if rc_new != rc_old and (rc_old is not None or o is None
                             or _started_since(ocur, ncur, nlast if new_last else None)):
        # A count back after a status that lacked it (3, missing, 3) is a restart only if
        # an instance started meanwhile; at first sight the count alone says so.
        _restart(em, name, kind, o, n, ncur, rc_old, rc_new, new_last)
    _flags(em, name, kind, o, n)


def _started_since(ocur: tuple | None, ncur: tuple | None, new_last: dict | None) -> bool:
    """An instance started after the old status's current one `ocur`: the current
    instance is another, or (none current, waiting) a new lastState is."""
    cur = (ncur[1], ncur[2]) if ncur is not None else None
    if cur is None and new_last is not None:
        last_id = new_last.get("containerID")
        cur = (new_last, last_id if type(last_id) is str else "")
    if cur is None:
        return False
    return ocur is None or not _same_instance(ocur[1], ocur[2], cur[0], cur[1])


def _restart(em: _Emitter, name: str, kind: str, o: dict | None, n: dict, ncur: tuple | None,
             rc_old: int | None, rc_new: int | None, new_last: bool) -> None:
    if rc_new is None or (rc_old is None and rc_new == 0):
        return  # a count first read as 0 (unseen, or absent from the status before): the first start
    nlast = _d(_d(n.get("lastState")).get("terminated"))
    if ncur is not None:
        # The restart started the current instance, after the one now in lastState.
        at = parse_ts(ncur[1].get("startedAt"))
        if nlast:
            detail, data = _terminated(nlast, rc_new)
            detail = "after " + detail
        else:
            detail, data = "", {}
    else:
        # Waiting again: the restart started the instance now in lastState; what
        # ended the one before it is not in the object any more.
        at = parse_ts(nlast.get("startedAt")) if new_last else None
        detail, data = "", {}
    data["restartCount"] = rc_new
    data["restartedAt"] = at
    em.add(RESTART, name, None if rc_old is None else str(rc_old), str(rc_new), at, detail, kind, data)


def _flags(em: _Emitter, name: str, kind: str, o: dict | None, n: dict) -> None:
    oready, nready = (o.get("ready") if o is not None else None), n.get("ready")
    if oready is not nready:
        oready = ("true" if oready else "false") if type(oready) is bool else None
        nready = ("true" if nready else "false") if type(nready) is bool else None
        if nready != oready and (o is not None or nready == "true"):
            at = _flag_time(em, name, n, "readiness") if o is None and em.first_sight else em.observed
            em.out.append(Transition(at, READY, name, oready, nready, "", em.seen, False, kind, None))
    if (o.get("started") if o is not None else None) is not n.get("started"):
        _started(em, name, kind, o, n)


def _flag_time(em: _Emitter, name: str, n: dict, probe: str) -> float:
    """When a container met already started or ready (`probe`: "startup" or "readiness")
    most likely got there, rather than when podtui first saw it: the running instance's
    startedAt plus the probe's initialDelaySeconds (the earliest its first success could
    come; at once without a probe), and for readiness not before it started. No later
    than the pod's containers were all ready (ready_by: a container is ready before the
    conditions it makes true), nor than first sight. An init container the kubelet calls
    ready having exited 0 got ready as it finished."""
    observed = em.observed
    started = _running_since(n)
    if started is None:
        if probe == "readiness":
            finished = _finished_at(n)
            if finished is not None:
                return min(finished, observed)
        return observed
    if probe == "readiness":
        at = _ready_earliest(em.delays, name, started)
        if name == em.last_ready and em.ready_by is not None and em.ready_by >= at:
            at = em.ready_by  # the last to get ready made the pod's containers all ready
    else:
        at = started + _initial_delay(em.delays, name, probe)
    if em.ready_by is not None and started <= em.ready_by < at:
        at = em.ready_by
    return min(at, observed)


def _running_since(n: dict) -> float | None:
    running = _d(n.get("state")).get("running")
    return parse_ts(running.get("startedAt")) if type(running) is dict else None


def _finished_at(n: dict) -> float | None:
    return finished_at(_d(n.get("state")))


def finished_at(state: dict) -> float | None:
    """When the instance a container state (a status's state or lastState) names ended."""
    terminated = state.get("terminated")
    return parse_ts(terminated.get("finishedAt")) if type(terminated) is dict else None


def _ready_earliest(delays: dict, name: str, started: float) -> float:
    """The earliest a container started then can have got ready: its readiness probe's
    initial delay, and (readiness waits for it) its startup probe's."""
    return started + max(_initial_delay(delays, name, "readiness"), _initial_delay(delays, name, "startup"))


def _last_ready(delays: dict, status: dict) -> str:
    """Among the containers ready at first sight, the one that could get ready last."""
    best, best_at = "", -math.inf
    for key in ("initContainerStatuses", "containerStatuses"):
        for n in _l(status.get(key)):
            if type(n) is dict and n.get("ready") is True and type(n.get("name")) is str:
                started = _running_since(n)
                if started is not None:
                    at = _ready_earliest(delays, n["name"], started)
                    if at > best_at:
                        best, best_at = n["name"], at
    return best


def _initial_delay(delays: dict, name: str, probe: str) -> float:
    return delays.get((name, probe), 0.0)


def _probe_delays(pod: dict) -> dict[tuple[str, str], float]:
    """Each probe's initialDelaySeconds by (container, probe type), read once per pod."""
    # Imported on use: probes imports backoff, which imports this module.
    from podtui.lifecycle.probes import effective_probes
    # Reversed: a name given twice (an invalid pod) keeps its first probe, as a search would.
    return {(s.container, s.type): float(s.initial_delay) for s in reversed(effective_probes(pod))}


def _started(em: _Emitter, name: str, kind: str, o: dict | None, n: dict) -> None:
    ostarted, nstarted = (o.get("started") if o is not None else None), n.get("started")
    ostarted = ("true" if ostarted else "false") if type(ostarted) is bool else None
    nstarted = ("true" if nstarted else "false") if type(nstarted) is bool else None
    if nstarted != ostarted and (o is not None or nstarted == "true"):
        at = _flag_time(em, name, n, "startup") if o is None and em.first_sight else em.observed
        em.out.append(Transition(at, STARTED, name, ostarted, nstarted, "", em.seen, False, kind, None))


def _containers(em: _Emitter, pod: dict, old_status: dict, new_status: dict) -> None:
    for key, default_kind in STATUS_LISTS:
        olist, nlist = old_status.get(key), new_status.get(key)
        if type(nlist) is list:
            if olist is not nlist:
                _status_list(em, pod, default_kind, olist, nlist)
        elif olist:
            em.touched = True  # the statuses vanished: no transition, but the row changes


def _status_list(em: _Emitter, pod: dict, default_kind: str, olist: object, nlist: list) -> None:
    """One of the container status lists, matched by position, else by name."""
    if type(olist) is not list:
        olist = _NO_LIST
        if nlist:
            em.touched = True
    elif len(olist) != len(nlist):
        em.touched = True
    kinds: dict | None = None  # for init containers: sidecar or init, read when needed
    olds: dict | None = None
    # Status lists follow the spec's order: try the same position first. zip_longest
    # pads the shorter list with None; a None status is skipped like any non-mapping.
    for o, n in zip_longest(olist, nlist):
        if o is n or o == n:
            continue
        em.touched = True  # the row reads the list in order: any moved piece may count
        if type(n) is not dict:
            continue
        name = n.get("name")
        if type(name) is not str:
            continue
        if type(o) is not dict or o.get("name") != name:
            if olds is None:
                olds = {c["name"]: c for c in olist if type(c) is dict and type(c.get("name")) is str}
            o = olds.get(name)
            if o is n or o == n:
                continue
        if default_kind == "init":
            if kinds is None:
                kinds = container_kinds(pod)
            _container(em, name, kinds.get(name, "init"), o, n)
        else:
            _container(em, name, default_kind, o, n)


def _conditions(em: _Emitter, old_list: object, new_list: object) -> None:
    old_list, new_list = _l(old_list), _l(new_list)
    olds: dict | None = None
    aligned = len(old_list) == len(new_list)  # same types at the same positions: nothing removed
    for o, item in zip_longest(old_list, new_list):
        if o is item or o == item:
            continue
        em.touched = True
        if type(item) is not dict:
            continue
        c = item
        ctype = c.get("type")
        if type(ctype) is not str:
            continue
        if type(o) is dict and o.get("type") == ctype:
            if o.get("status") == c.get("status") and o.get("reason") == c.get("reason"):
                continue  # only message/probe times moved
        else:
            aligned = False
            if olds is None:
                olds = {x["type"]: x for x in old_list if type(x) is dict and type(x.get("type")) is str}
            o = olds.get(ctype)
            if o is c or o == c:
                continue
        _condition(em, ctype, o, c)
    if not aligned:
        em.touched = True
    if not em.first_sight and not aligned and old_list:
        present = {x["type"] for x in new_list if type(x) is dict and type(x.get("type")) is str}
        for o in old_list:
            if type(o) is dict and type(o.get("type")) is str and o["type"] not in present:
                em.add(CONDITION, o["type"], _s(o.get("status")), None, detail="condition removed")


def _condition(em: _Emitter, ctype: str, o: dict | None, c: dict) -> None:
    """One condition that differs from `o` (None: not there before)."""
    status, reason = c.get("status"), c.get("reason")
    if type(status) is not str:
        status = ""
    if type(reason) is not str:
        reason = ""
    if o is not None:
        ostatus = o.get("status")
        if type(ostatus) is not str:
            ostatus = ""
        if ostatus == status:
            oreason = o.get("reason")
            if (oreason if type(oreason) is str else "") == reason:
                return  # only message/probe times moved
            ltt = None  # the reason changed without a transition: lastTransitionTime is older
        else:
            ltt = parse_ts(c.get("lastTransitionTime"))
    else:
        ostatus = None
        ltt = parse_ts(c.get("lastTransitionTime"))
    message = c.get("message")
    if type(message) is not str:
        message = ""
    if ctype == "DisruptionTarget" and status == "True":
        oreason = _s(o.get("reason")) or None if o is not None and ostatus == "True" else None
        em.add(DISRUPTION, "", oreason, reason or "True", ltt, _clip(message))
    else:
        detail = _clip(f"{reason}: {message}" if reason and message else (reason or message))
        em.out.append(Transition(em.observed if ltt is None else ltt, CONDITION, ctype, ostatus, status, detail,
                                 em.seen, ltt is not None, "", None))


def _ended_at(pod: dict) -> float | None:
    """About when a pod met already Succeeded or Failed got there: its Ready condition's
    turn to PodCompleted/PodFailed, else its containers' last end. Without it the phase
    was dated at first sight, and the pod read as unready until then."""
    status = _d(pod.get("status"))
    if _s(status.get("phase")) not in ("Succeeded", "Failed"):
        return None
    for c in _l(status.get("conditions")):
        if isinstance(c, dict) and c.get("type") == "Ready" and c.get("reason") in ("PodCompleted", "PodFailed"):
            at = parse_ts(c.get("lastTransitionTime"))
            if at is not None:
                return at
    ends = (_finished_at(cs) for cs in container_statuses(pod).values())
    return max((at for at in ends if at is not None), default=None)


def _condition_time(status: dict, ctype: str) -> float | None:
    for c in _l(status.get("conditions")):
        if isinstance(c, dict) and c.get("type") == ctype and c.get("status") == "True":
            return parse_ts(c.get("lastTransitionTime"))
    return None


def _deletion(em: _Emitter, old_meta: dict, new_meta: dict, new_status: dict) -> None:
    ots, nts = old_meta.get("deletionTimestamp"), new_meta.get("deletionTimestamp")
    if ots == nts or not nts:
        return
    kill_at = parse_ts(nts)
    grace = _i(new_meta.get("deletionGracePeriodSeconds"))
    data = {"deletionTimestamp": kill_at, "grace": grace}
    if grace == 0 and containers_stopped(new_status):
        # The kubelet's own DELETE with grace 0 once the containers are gone (status
        # manager), not a user cutting the grace short: no SIGKILL was brought forward.
        # Met that way at first sight, the grace that was asked for is lost.
        data["confirmed"] = True
    until = f"SIGKILL at {format_ts(kill_at)}" if kill_at is not None else "SIGKILL time unknown"
    if ots:
        em.add(DELETION, "", _s(ots), _s(nts), detail=f"grace shortened to {grace}s, {until}", data=data)
        return
    # deletionTimestamp = request time + grace, so the request time is exact.
    requested = kill_at - grace if kill_at is not None and grace is not None else None
    em.add(DELETION, "", None, _s(nts), at=requested, detail=f"grace {grace}s, {until}", data=data)


def _ips(status: dict) -> str | None:
    ips = [_s(_d(p).get("ip")) for p in _l(status.get("podIPs"))]
    ips = [ip for ip in ips if ip]
    if ips:
        return ",".join(ips)
    return _s(status.get("podIP")) or None


def _spec_and_meta(em: _Emitter, old: dict, new: dict, new_status: dict) -> None:
    """The node assignment and the deletion request."""
    ospec, nspec = old.get("spec"), new.get("spec")
    onode = ospec.get("nodeName") if type(ospec) is dict else None
    nnode = nspec.get("nodeName") if type(nspec) is dict else None
    if onode != nnode:
        em.touched = True
        onode, nnode = _s(onode) or None, _s(nnode) or None
        if nnode and onode != nnode:
            em.add(SCHEDULED, "", onode, nnode, at=_condition_time(new_status, "PodScheduled"))
    ometa, nmeta = old.get("metadata"), new.get("metadata")
    if type(ometa) is not dict:
        ometa = _EMPTY
    if type(nmeta) is not dict:
        nmeta = _EMPTY
    if ometa.get("deletionTimestamp") != nmeta.get("deletionTimestamp"):
        em.touched = True
        _deletion(em, ometa, nmeta, new_status)


def _finalizers(em: _Emitter, old: object, new: object) -> None:
    """Each finalizer added or removed: what a pod stuck in Terminating waits on, and
    when each controller let go. The API gives no time for it: dated as observed."""
    before = [f for f in old if type(f) is str] if type(old) is list else []
    after = [f for f in new if type(f) is str] if type(new) is list else []
    for name in before:
        if name not in after:
            em.add(FINALIZER, name, "present", "removed")
    for name in after:
        if name not in before:
            em.add(FINALIZER, name, None, "added")


def _status(em: _Emitter, old_status: dict, new_status: dict) -> None:
    """Phase, reason, IPs, nominated node and conditions."""
    _pod_fields(em, old_status, new_status)
    oconditions, nconditions = old_status.get("conditions"), new_status.get("conditions")
    if oconditions or nconditions:
        _conditions(em, oconditions, nconditions)


def _pod_fields(em: _Emitter, old_status: dict, new_status: dict) -> None:
    oget, nget = old_status.get, new_status.get
    ophase, nphase = oget("phase"), nget("phase")
    if ophase != nphase:
        em.touched = True
        ophase, nphase = _s(ophase) or None, _s(nphase) or None
        if ophase != nphase:
            em.out.append(Transition(em.phase_at, PHASE, "", ophase, nphase, "", em.seen, False, "", None))
    oreason, nreason = oget("reason"), nget("reason")
    if oreason != nreason:
        em.touched = True
        oreason, nreason = _s(oreason) or None, _s(nreason) or None
        if oreason != nreason:
            # The kubelet sets a finished pod's reason with its phase: dated alike.
            em.out.append(Transition(em.phase_at, REASON, "", oreason, nreason, _clip(_s(nget("message"))), em.seen,
                                     False, "", None))
    if oget("podIPs") != nget("podIPs") or oget("podIP") != nget("podIP"):
        em.touched = True
        oip, nip = _ips(old_status), _ips(new_status)
        if oip != nip:
            if em.ip_at is None:
                em.add(IP, "", oip, nip)
            else:  # a better date than first sight, though not the IP's own timestamp
                em.out.append(Transition(em.ip_at, IP, "", oip, nip, "", em.seen, False, "", None))
    onom, nnom = oget("nominatedNodeName"), nget("nominatedNodeName")
    if onom != nnom:
        em.touched = True
        onom, nnom = _s(onom) or None, _s(nnom) or None
        if onom != nnom:
            em.add(NOMINATED, "", onom, nnom)


def diff(old: dict, new: dict, observed: float) -> list[Transition]:
    """Transitions from pod version `old` to `new`, oldest first. Never raises on bad input."""
    return diff_versions(old, new, observed)[0]


def diff_versions(old: dict, new: dict, observed: float, floor: float | None = None) -> tuple[list[Transition], bool]:
    """diff(), plus whether anything kubectl's row reads changed (phase, reason, IPs,
    nominated node, conditions, container statuses, node, deletion): when nothing did,
    the store keeps the row it has. `floor`: the newest time in the pod's history
    (see not_before)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [], old is not new
    em = _Emitter(observed, False)
    ospec, nspec = old.get("spec"), new.get("spec")
    ometa, nmeta = _mapping(old.get("metadata")), _mapping(new.get("metadata"))
    old_status, new_status = _mapping(old.get("status")), _mapping(new.get("status"))
    if ((ospec.get("nodeName") if type(ospec) is dict else None) != (nspec.get("nodeName") if type(nspec) is dict
                                                                     else None)
            or ometa.get("deletionTimestamp") != nmeta.get("deletionTimestamp")):
        _spec_and_meta(em, old, new, new_status)
    if type(ospec) is dict and type(nspec) is dict and ospec is not nspec:
        # The API keeps these immutable, so this costs a len() and two absent-key
        # lookups; but a row must never be kept on a spec it no longer describes.
        oc, nc = ospec.get("containers"), nspec.get("containers")
        if ((len(oc) if type(oc) is list else -1) != (len(nc) if type(nc) is list else -1)
                or ospec.get("initContainers") != nspec.get("initContainers")
                or ospec.get("readinessGates") != nspec.get("readinessGates")):
            em.touched = True
    elif (type(ospec) is dict) != (type(nspec) is dict):
        em.touched = True
    if ometa.get("creationTimestamp") != nmeta.get("creationTimestamp"):
        em.touched = True  # immutable in the API, read by the AGE column
    ofin, nfin = ometa.get("finalizers"), nmeta.get("finalizers")
    if ofin is not nfin and ofin != nfin:  # the decoder shares an unchanged list: identity settles it
        _finalizers(em, ofin, nfin)
    # One C-level comparison settles a status that didn't change (a metadata-only
    # update): every piece of it would compare equal and add nothing. Otherwise it
    # stops at the first difference.
    if old_status != new_status:
        _status(em, old_status, new_status)
        _containers(em, new, old_status, new_status)
    out = em.out
    if out:
        if len(out) > 1:
            out.sort(key=_AT)
        top = out[-1].at
        if top > observed or (floor is not None and floor > observed):
            out = not_before(out, observed, floor)
    return out, em.touched


def unscheduled_since(entries: Iterable[Transition], pod: dict) -> float | None:
    """Since when the scheduler has not placed the pod, if it has not: its last
    PodScheduled transition podtui saw, else (none seen, or the history dropped it)
    the condition's lastTransitionTime. None once scheduled."""
    last = None
    for t in entries:
        if t.kind == CONDITION and t.subject == "PodScheduled":
            last = t
    if last is not None:
        return last.at if last.new == "False" else None
    for c in _l(_d(pod.get("status")).get("conditions")):
        if isinstance(c, dict) and c.get("type") == "PodScheduled":
            return parse_ts(c.get("lastTransitionTime")) if c.get("status") == "False" else None
    return None


def not_before(ts: list[Transition], observed: float, floor: float | None) -> list[Transition]:
    """Steps dated by podtui's clock (`observed`), moved up to the newest time that must
    precede them: the object's own timestamps in the same version, and `floor` (the
    history before). podtui read the version after all of those, so when its clock is
    behind the cluster's, an observed step must not sort before them ("removed" before
    "deletion requested"). Moved steps go after the object's own at the same time."""
    top = -math.inf if floor is None else floor
    for t in ts:
        if t.exact and t.at > top:
            top = t.at
    if top <= observed:
        return ts
    kept = [t for t in ts if t.exact or t.at != observed]
    kept += [msgspec.structs.replace(t, at=top) for t in ts if not t.exact and t.at == observed]
    kept.sort(key=_AT)
    return kept


def reconstruct(pod: dict, observed: float) -> list[Transition]:
    """A pod's past as told by its own timestamps, at first sight (observed=False entries).

    Creation, scheduling, each condition's last transition, each container's current
    and previous instance (start, end, exit), the last restart and a requested
    deletion. What has no timestamp (phase, waiting reasons, IP) is dated `observed`.
    """
    if not isinstance(pod, dict):
        return []
    em = _Emitter(observed, first_sight=True)
    meta = _d(pod.get("metadata"))
    owner = controller_ref(meta)
    em.add(CREATED, "", None, _s(meta.get("name")) or None, at=parse_ts(meta.get("creationTimestamp")),
           detail=f"{_s(owner.get('kind'))}/{_s(owner.get('name'))}" if owner else "")
    status = pod.get("status")
    if type(status) is not dict:
        status = {}
    _spec_and_meta(em, _EMPTY, pod, status)
    if status:
        em.ip_at = _condition_time(status, "PodReadyToStartContainers")
        em.ready_by = _condition_time(status, "ContainersReady") or _condition_time(status, "Ready")
        em.delays = _probe_delays(pod)
        if em.ready_by is not None:
            em.last_ready = _last_ready(em.delays, status)
        ended = _ended_at(pod)
        if ended is not None:
            em.phase_at = ended
        _status(em, _EMPTY, status)
        _containers(em, pod, _EMPTY, status)
    em.out.sort(key=_causal)
    return not_before(em.out, observed, None)


# Entries met at first sight share a second often (the API's times have no fraction):
# within one, what causes comes first. Init and sidecar containers, then Initialized,
# then the main containers (started, then ready), then the conditions they make true.
_CONTAINER_STEP = {CONTAINER_STATE: 0.0, RESTART: 0.0, STARTED: 0.1, READY: 0.2}
_CONDITION_STEP = {"Initialized": 1.0, "ContainersReady": 3.0, "Ready": 3.0}


def _causal(t: Transition) -> tuple[float, float]:
    kind = t.kind
    if kind == CONDITION:
        return t.at, _CONDITION_STEP.get(t.subject, 0.0)
    step = _CONTAINER_STEP.get(kind)
    if step is None:
        return t.at, 0.0
    return t.at, step + (0.0 if t.container_kind in ("init", "sidecar") else 2.0)
