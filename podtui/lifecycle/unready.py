"""When was this pod not serving? Every period a container, the pod, or one of its
readiness gates was not ready: start, end, duration, why, and the readiness probe
messages seen meanwhile.

Sources, in the pod's history: a container's `ready` flips (READY entries, dated when
podtui saw them; sharpened to the ContainersReady condition's lastTransitionTime when
that changed with it), the Ready condition (lastTransitionTime: exact), the readiness
gates' own conditions, and the Ready condition's ReadinessGatesNotReady message for a
gate whose condition does not exist yet. A pod that finished or was removed closes its
open periods then.

A pure function of a PodRecord, cached per (uid, version); the duration of a period
still open is computed against the `now` passed in.
"""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.explain import (
    KIND_RESTART,
    KIND_TERMINATION,
    LIVENESS,
    STARTUP,
    in_window,
    probe_kill_output,
    restart_explanations,
)
from podtui.lifecycle.history import container_kinds
from podtui.lifecycle.probes import probe_type_of
from podtui.lifecycle.records import CONDITION, CONTAINER_STATE, DELETION, PHASE, READY, REMOVED, EventRecord
from podtui.lifecycle.times import parse_ts
from podtui.lifecycle.read import as_dict as _d, as_list as _l, as_str as _s

POD = "pod"
CONTAINER = "container"
GATE = "readiness-gate"

FLAP_WINDOW = 3600.0
_SLACK = 2.0
_SHARPEN = 10.0  # a condition change this close before podtui saw a ready flip dates it
_UNREADY_LIST = re.compile(r"\[([^\]]*)\]")
_COUNT = re.compile(r" \(x\d+\)$")
_PROBE_PREFIX = re.compile(r"^(?:[^:]+: )?(?:\(combined from similar events\): )?Readiness probe failed: ", re.I)


@dataclass(slots=True)
class UnreadyPeriod:
    subject: str  # container name, "pod", or the readiness gate's conditionType
    subject_kind: str  # CONTAINER / POD / GATE
    start: float
    end: float | None  # None while it lasts
    duration: float  # end - start, or now - start while it lasts
    # "readiness probe failed", "killed by its liveness probe (...)", "container stopped
    # (terminated:Error)", the Ready condition's reason...
    reason: str
    probe_messages: list[str] = field(default_factory=list)  # readiness probe failures seen during it
    ongoing: bool = False
    starting: bool = False  # the spell before the first ready: a start, not a flap
    exact: bool = True  # start comes from the object, not from when podtui saw it
    container_kind: str = ""


@dataclass(slots=True)
class _Open:
    start: float
    exact: bool
    starting: bool
    reasons: list[str] = field(default_factory=list)
    container_kind: str = ""


_CACHE: OrderedDict[tuple, list[UnreadyPeriod]] = OrderedDict()
_CACHE_SIZE = 512


def unready_periods(record, now: float, events: Iterable[EventRecord] | None = None) -> list[UnreadyPeriod]:
    """Every unready period of the pod, its containers and its readiness gates, oldest
    first. `events` replaces record.events (every version of each Event, from a
    recording, narrows each period's probe messages to its own repeats). Never raises."""
    uid, version = getattr(record, "uid", None), getattr(record, "version", None)
    key = (uid, version)
    cached = uid is not None and events is None
    base = _CACHE.get(key) if cached else None
    if base is None:
        try:
            base = _periods(record, None if events is None else list(events))
        except Exception:  # noqa: BLE001 - malformed data must not take the UI down
            base = []
        if cached:
            _CACHE[key] = base
            if len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return [p if not p.ongoing else replace(p, duration=max(0.0, now - p.start)) for p in base]


def _periods(record, events: list[EventRecord] | None = None) -> list[UnreadyPeriod]:
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    history = getattr(record, "history", None)
    entries = list(getattr(history, "entries", history or ()))
    if events is None:
        events = list(getattr(record, "events", ()))
    spec, status = _d(pod.get("spec")), _d(pod.get("status"))
    # Containers whose readiness counts: main containers and sidecars.
    kinds = {n: k for n, k in container_kinds(pod).items() if k in ("main", "sidecar")}
    gates = [_s(_d(g).get("conditionType")) for g in _l(spec.get("readinessGates"))]
    gates = [g for g in gates if g]

    out: list[UnreadyPeriod] = []
    open_: dict[tuple[str, str], _Open] = {}
    ever_ready: set[tuple[str, str]] = set()
    deletion_at: float | None = None
    states: dict[str, list[tuple[float, str]]] = {}  # container -> its state changes, in order
    init_waits: list[tuple[float, list[str]]] = []  # Initialized=False: when, the init containers it names
    ended_at: float | None = None

    kills = _ProbeKills(record, events)

    def close(key: tuple[str, str], at: float) -> None:
        o = open_.pop(key)
        if ended_at is not None and o.start >= ended_at - _SLACK and key[0] != GATE:
            return  # the pod's own end, not a spell of unreadiness
        out.append(_finish(key, o, at, False, events, deletion_at, states, init_waits, kills))

    def open_period(key: tuple[str, str], at: float, exact: bool, reason: str = "", kind: str = "") -> None:
        if ended_at is not None:
            return
        if key in open_:
            if reason and reason not in open_[key].reasons:
                open_[key].reasons.append(reason)
            return
        open_[key] = _Open(at, exact, key not in ever_ready, [reason] if reason else [], kind)

    for i, t in enumerate(entries):
        kind = t.kind
        if kind == CONDITION:
            if t.subject == "Initialized" and t.new == "False":
                names = _UNREADY_LIST.search(t.detail or "")
                init_waits.append((t.at, names.group(1).split() if names else []))
            if t.subject == "Ready":
                key = (POD, POD)
                if t.new == "True":
                    ever_ready.add(key)
                    if key in open_:
                        close(key, t.at)
                elif t.new in ("False", "Unknown"):
                    open_period(key, t.at, t.exact, t.detail or f"Ready {t.new}")
                    for gate in gates:
                        if "ReadinessGatesNotReady" in t.detail and f'"{gate}"' in t.detail:
                            open_period((GATE, gate), t.at, t.exact, _gate_reason(t.detail))
            elif t.subject in gates:
                key = (GATE, t.subject)
                if t.new == "True":
                    ever_ready.add(key)
                    if key in open_:
                        close(key, t.at)
                elif t.new is not None:
                    open_period(key, t.at, t.exact, t.detail or f"{t.subject} {t.new}")
        elif kind == READY and t.subject in kinds:
            key = (CONTAINER, t.subject)
            at, exact = _sharpen(entries, i, t)
            if t.new == "true":
                ever_ready.add(key)
                if key in open_:
                    close(key, at)
            elif t.new == "false":
                open_period(key, at, exact, kind=kinds[t.subject])
        elif kind == CONTAINER_STATE and t.subject in kinds:
            states.setdefault(t.subject, []).append((t.at, t.new or ""))
            key = (CONTAINER, t.subject)
            if t.old is None and t.observed and key not in open_ and key not in ever_ready:
                # podtui saw the container appear: it starts unready.
                open_period(key, t.at, t.exact, kind=kinds[t.subject])
        elif kind == DELETION and deletion_at is None:
            deletion_at = t.at
        elif (kind == PHASE and t.new in ("Succeeded", "Failed")) or kind == REMOVED:
            if ended_at is None:
                ended_at = t.at
                for key in list(open_):
                    close(key, t.at)

    if ended_at is None and _s(status.get("phase")) not in ("Succeeded", "Failed") \
            and getattr(record, "deleted_at", None) is None:
        _first_sight_gaps(pod, kinds, gates, open_, ever_ready)
    for key, o in open_.items():
        out.append(_finish(key, o, None, True, events, deletion_at, states, init_waits, kills))
    _explain_pod_periods(out)
    out.sort(key=lambda p: (p.start, p.subject_kind != POD, p.subject))
    return out


def _explain_pod_periods(periods: list[UnreadyPeriod]) -> None:
    """"ContainersNotReady: containers with unready status: [app]" -> "app: container
    stopped (terminated:Error)", from the container periods that began with it."""
    by_container: dict[str, list[UnreadyPeriod]] = {}
    for c in sorted((p for p in periods if p.subject_kind == CONTAINER), key=lambda p: p.start):
        by_container.setdefault(c.subject, []).append(c)
    starts = {name: [c.start for c in cs] for name, cs in by_container.items()}
    for p in periods:
        if p.subject_kind != POD:
            continue
        steps = p.reason.split(_THEN)
        for i, step in enumerate(steps):
            if step.startswith("ContainersNotReady"):
                parts = []
                for name, cs in by_container.items():
                    # A container's periods don't overlap: the one that began last
                    # before (or just after) the pod's is the only candidate.
                    j = bisect.bisect_right(starts[name], p.start + _SLACK) - 1
                    if j < 0:
                        continue
                    c = cs[j]
                    if abs(c.start - p.start) <= _SLACK or c.end is None or c.end >= p.start:
                        text = f"{c.subject}: {c.reason}"
                        if text not in parts:
                            parts.append(text)
                if parts:
                    steps[i] = "containers not ready (" + "; ".join(parts) + ")"
            elif step.startswith("ReadinessGatesNotReady"):
                gates = re.findall(r'readiness gate "([^"]+)"', step)
                steps[i] = f"readiness gate {', '.join(gates)} not True" if gates else step
        p.reason = _THEN.join(steps)


_THEN = "; then "


def _gate_reason(detail: str) -> str:
    if "does not exist" in detail:
        return "condition not set yet"
    return detail


def _sharpen(entries: list, i: int, t) -> tuple[float, bool]:
    """A ready flip is dated when podtui saw it; ContainersReady changing with it (same
    direction, naming it or listing nobody) has the kubelet's own time."""
    if t.exact:
        return t.at, True
    want = "True" if t.new == "true" else "False"
    lo, hi = t.at - _SHARPEN, t.at + _SLACK
    for j in range(max(0, i - 12), min(len(entries), i + 12)):
        c = entries[j]
        if c.kind != CONDITION or c.subject != "ContainersReady" or c.new != want or not c.exact:
            continue
        if not lo <= c.at <= hi:
            continue
        if want == "False":
            names = _UNREADY_LIST.search(c.detail)
            if names is None or t.subject not in names.group(1).split():
                continue
        return c.at, True
    return t.at, False


def _first_sight_gaps(pod: dict, kinds: dict[str, str], gates: list[str], open_: dict, ever_ready: set) -> None:
    """Unready now but no flip seen (podtui met the pod that way): date the spell from
    the conditions' lastTransitionTime, else the container's start."""
    status = _d(pod.get("status"))
    conditions = {(_s(c.get("type"))): c for c in _l(status.get("conditions")) if isinstance(c, dict)}
    cready = conditions.get("ContainersReady", {})
    cready_at = parse_ts(cready.get("lastTransitionTime")) if cready.get("status") == "False" else None
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in _l(status.get(key)):
            if not isinstance(cs, dict) or cs.get("name") not in kinds or cs.get("ready") is True:
                continue
            k = (CONTAINER, cs["name"])
            if k in open_:
                continue
            running = _d(_d(cs.get("state")).get("running"))
            started = parse_ts(running.get("startedAt"))
            start = max(x for x in (cready_at, started) if x is not None) if (cready_at or started) else None
            if start is None:
                start = parse_ts(_d(pod.get("metadata")).get("creationTimestamp"))
            if start is not None:
                open_[k] = _Open(start, False, k not in ever_ready, [], kinds[cs["name"]])
    for gate in gates:
        k = (GATE, gate)
        c = conditions.get(gate)
        if k in open_ or (c is not None and c.get("status") == "True"):
            continue
        ready = conditions.get("Ready", {})
        if ready.get("reason") == "ReadinessGatesNotReady":
            at = parse_ts(ready.get("lastTransitionTime")) or parse_ts(_d(pod.get("metadata")).get("creationTimestamp"))
            if at is not None:
                open_[k] = _Open(at, False, k not in ever_ready,
                                 [_gate_reason(_s(ready.get("message")))] if c is None else [_s(c.get("reason"))])


def _startup_failures(events: list[EventRecord], container: str, lo: float, hi: float) -> int:
    """How many failed startup probes of `container` the Events report in [lo, hi]."""
    mine = [ev for ev in events if ev.reason == "Unhealthy" and ev.container == container
            and probe_type_of(ev) == "startup"]
    return sum(ev.count for ev in in_window(mine, lo, hi))


def _readiness_events(events: list[EventRecord], container: str | None, lo: float, hi: float) -> list[EventRecord]:
    out = []
    for ev in events:
        if ev.reason != "Unhealthy" or (container is not None and ev.container != container):
            continue
        if probe_type_of(ev) == "readiness":
            out.append(ev)
    return in_window(out, lo, hi)  # every version counts: the ones before the window too


def _finish(key: tuple[str, str], o: _Open, end: float | None, ongoing: bool, events: list[EventRecord],
            deletion_at: float | None, states: dict[str, list[tuple[float, str]]],
            init_waits: list[tuple[float, list[str]]] = (), kills: _ProbeKills | None = None) -> UnreadyPeriod:
    kind, subject = key
    hi = end if end is not None else float("inf")
    probe_events = _readiness_events(events, subject if kind == CONTAINER else None, o.start - _SLACK, hi)
    messages: list[str] = []
    for ev in sorted(probe_events, key=lambda e: e.first or e.last or 0.0):
        text = ev.message + (f" (x{ev.count})" if ev.count > 1 else "")
        if kind != CONTAINER and ev.container:
            text = f"{ev.container}: {text}"
        if text not in messages:
            messages.append(text)
    if kind == CONTAINER:
        others = [(at, [n for n in names if n != subject]) for at, names in init_waits]  # a sidecar: not itself
        reason = _container_reason(o, end, probe_events, deletion_at, states.get(subject, []), others,
                                   _startup_failures(events, subject, o.start - _SLACK, hi),
                                   kills.of(subject) if kills is not None else [])
    elif deletion_at is not None and deletion_at <= o.start + _SLACK:
        reason = "pod terminating"
    else:
        reason = _THEN.join(o.reasons) if o.reasons else "not ready"
    return UnreadyPeriod(
        subject=subject, subject_kind=kind, start=o.start, end=end,
        duration=max(0.0, end - o.start) if end is not None else 0.0, reason=reason, probe_messages=messages,
        ongoing=ongoing, starting=o.starting, exact=o.exact, container_kind=o.container_kind,
    )


def _container_reason(o: _Open, end: float | None, probe_events: list[EventRecord], deletion_at: float | None,
                      states: list[tuple[float, str]], init_waits: Iterable[tuple[float, list[str]]] = (),
                      startup_failures: int = 0, kills: list[_Kill] = ()) -> str:
    if deletion_at is not None and deletion_at <= o.start + _SLACK:
        return "pod terminating"
    hi = end if end is not None else float("inf")
    during = [new for at, new in states if o.start - _SLACK <= at <= hi and not new.startswith("running")]
    stopped = next(((at, new) for at, new in states
                    if abs(at - o.start) <= _SLACK and new.startswith("terminated")), None)
    if stopped is not None and not o.starting:
        # The stop that made it unready: a probe kill is said as one, the rest by their state.
        kill = next((k for k in kills if abs(k.at - stopped[0]) <= _SLACK), None)
        return _kill_text([kill]) if kill is not None else f"container stopped ({stopped[1]})"
    if probe_events:
        return "readiness probe failed"
    waiting = [new for new in during if new.startswith("waiting:") and new not in _STARTING_WAITS]
    if o.starting:
        killed = [k for k in kills if o.start - _SLACK <= k.at <= hi]
        if killed:
            # Never ready because a probe keeps killing it: that, not the back-off it causes.
            return f"{_kill_text(killed)}, never ready yet" if end is None else f"starting, {_kill_text(killed)}"
        if waiting:
            # Not "starting": a container failing to start (crash loop, image, config) that
            # has not been ready once; said as the kubelet's reason, without the state's prefix.
            reason = waiting[-1].removeprefix("waiting:")
            return f"{reason}, never ready yet" if end is None else f"starting, held up by {reason}"
        names: list[str] = []
        if "waiting:PodInitializing" in during:
            for at, listed in init_waits:
                if o.start - _SLACK <= at <= hi or not names:
                    names += [n for n in listed if n not in names]
        if names:
            return f"waiting for init container{'s' if len(names) > 1 else ''} {', '.join(names)}"
        if startup_failures:
            return (f"starting: startup probe failed {startup_failures}x so far" if end is None
                    else f"starting: startup probe failed {startup_failures}x before it passed")
        return "starting"
    return f"container {waiting[-1]}" if waiting else NO_EVIDENCE


@dataclass(slots=True)
class _Kill:
    at: float  # when the killed instance finished
    probe: str  # "liveness" / "startup"
    output: str  # what the probe said last; "" when no Unhealthy Event was kept


class _ProbeKills:
    """The instances a liveness or startup probe killed, per container, as the restart
    explanations found them (the Killing Event, the Unhealthy ones before it); worked out
    only for a period that needs them."""

    __slots__ = ("_record", "_events", "_by_container")

    def __init__(self, record, events: list[EventRecord] | None) -> None:
        self._record, self._events = record, events
        self._by_container: dict[str, list[_Kill]] | None = None

    def of(self, container: str) -> list[_Kill]:
        if self._by_container is None:
            self._by_container = {}
            for ex in restart_explanations(self._record, None, self._events):
                if ex.kind in (KIND_RESTART, KIND_TERMINATION) and ex.at is not None \
                        and ex.cause in (LIVENESS, STARTUP):
                    self._by_container.setdefault(ex.container, []).append(
                        _Kill(ex.at, ex.cause, probe_kill_output(ex)))
        return self._by_container.get(container, [])


def _kill_text(kills: list[_Kill]) -> str:
    """`killed by its liveness probe (HTTP probe failed with statuscode: 500)`; several
    kills: how many, the latest's probe and output."""
    last = kills[-1]
    n = sum(1 for k in kills if k.probe == last.probe)
    text = f"killed by its {last.probe} probe" + (f" {n} times" if n > 1 else "")
    output = next((k.output for k in reversed(kills) if k.probe == last.probe and k.output), "")
    return text + (f" ({output})" if output else "")


# The kubelet's Unhealthy Events are rate-limited (and expire): a flip may have no witness.
NO_EVIDENCE = "not ready (no Event says why)"


_STARTING_WAITS = ("waiting:ContainerCreating", "waiting:PodInitializing")


# ------------------------------------------------------------------------------ summaries


def flaps(periods: list[UnreadyPeriod], now: float, subject: str = POD, window: float = FLAP_WINDOW) -> int:
    """Unready spells of `subject` that began in the last `window` seconds, starts excluded."""
    return sum(1 for p in periods if p.subject == subject and not p.starting and p.start >= now - window)


def unready_line(record, now: float, subject: str = POD) -> str | None:
    """`unready for 2m13s: readiness probe failed (HTTP probe failed with statuscode: 503); 4 unready spells in the last hour`
    while the pod (or a container, by name) is not ready; None when it is."""
    periods = unready_periods(record, now)
    current = next((p for p in reversed(periods) if p.subject == subject and p.ongoing), None)
    if current is None:
        return None
    text = f"unready for {human_duration(current.duration)}"
    why = current.reason
    if current.probe_messages:
        last = _PROBE_PREFIX.sub("", _COUNT.sub("", current.probe_messages[-1]))
        why = f"readiness probe failed ({last})"
    text += f": {why}"
    n = flaps(periods, now, subject)
    if n > 1:
        text += f"; {n} unready spells in the last hour"  # as the Phase pane words them
    return text
