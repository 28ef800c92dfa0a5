"""Probes: their effective settings, and how close each is to making the kubelet act.

The kubelet's probe worker (pkg/kubelet/prober/worker.go) acts only after
failureThreshold consecutive failures, and records a Warning `Unhealthy` Event
("Liveness probe failed: ...") on every failed attempt, below the threshold too.
Those Events are the only outside view of a streak. The worker lives as long as the pod
and keeps its run across restarts: only its own liveness/startup kill starts it over (a
success too, and readiness turning ready). A streak is taken as broken when no attempt
arrived for about a period and a half, or across a restart when a tick probed the old
instance after its last failure or the new one before its first (_Dead; "~" where the
whole seconds can't tell): an errored attempt ("probe errored", thrown away by the
worker) neither counts nor breaks it. A repeat updates the Event (count+1, a new last
time); each message has its own Event (and past 10 different ones in 10 minutes the
recorder merges the new ones into one "(combined from similar events)" Event). The store
keeps a few earlier writes of each and the evenly spaced stretch the probe's writes end,
whichever Events they went to (store._carry), so failures podtui saw written one by one
are placed exactly (_exact_run), however long the run. The rest (from before podtui
watched, or held back by the Event spam filter, which still counts them) are estimated
from each Event's first and last times and count (_estimated_streak).
"""

from __future__ import annotations

import math

from podtui.lifecycle.backoff import ASK, restarts_over
from podtui.lifecycle.records import READY, EventRecord, ProbeSettings, ProbeState
from podtui.lifecycle.times import parse_ts
from podtui.lifecycle.read import as_dict as _d, container_statuses

PROBE_TYPES = ("startup", "liveness", "readiness")
_FIELDS = {"startup": "startupProbe", "liveness": "livenessProbe", "readiness": "readinessProbe"}
_PREFIX = {t: t + " probe" for t in PROBE_TYPES}  # "Liveness probe failed: ...", matched case-blind
_KILLING = {t: f"failed {t} probe" for t in ("liveness", "startup")}  # "Container app failed liveness probe, ..."


def _n(value: object, default: int, minimum: int = 0) -> int:
    """A probe's integer field: Kubernetes' default when unset (or nonsense)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return default


def _port(value: object) -> str:
    return str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else "?"


def handler_text(probe: dict) -> str:
    """kubectl describe's wording, shortened: "http GET :8080/healthz", "exec [cat /tmp/ok]"."""
    if isinstance(probe.get("httpGet"), dict):
        h = probe["httpGet"]
        scheme = h.get("scheme") if isinstance(h.get("scheme"), str) else "HTTP"
        host = h.get("host") if isinstance(h.get("host"), str) else ""
        path = h.get("path") if isinstance(h.get("path"), str) else "/"
        return f"{scheme.lower()} GET {host}:{_port(h.get('port'))}{path}"
    if isinstance(probe.get("exec"), dict):
        cmd = probe["exec"].get("command")
        words = [str(w) for w in cmd] if isinstance(cmd, list) else []
        return f"exec [{' '.join(words)}]"
    if isinstance(probe.get("tcpSocket"), dict):
        t = probe["tcpSocket"]
        host = t.get("host") if isinstance(t.get("host"), str) else ""
        return f"tcp {host}:{_port(t.get('port'))}"
    if isinstance(probe.get("grpc"), dict):
        g = probe["grpc"]
        service = g.get("service") if isinstance(g.get("service"), str) and g.get("service") else ""
        return f"grpc :{_port(g.get('port'))}" + (f" {service}" if service else "")
    return "unknown handler"


def effective_probes(pod: dict) -> list[ProbeSettings]:
    """Every probe of the pod's containers (sidecars included), with defaults filled in:
    initialDelaySeconds 0, timeoutSeconds 1, periodSeconds 10, successThreshold 1,
    failureThreshold 3 (core/v1 types.go, SetDefaults_Probe)."""
    spec = _d(pod.get("spec")) if isinstance(pod, dict) else {}
    out: list[ProbeSettings] = []
    for key in ("initContainers", "containers"):
        containers = spec.get(key)
        if not isinstance(containers, list):
            continue
        for c in containers:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str):
                continue
            for ptype in PROBE_TYPES:
                probe = c.get(_FIELDS[ptype])
                if isinstance(probe, dict):
                    out.append(_settings(c["name"], ptype, probe))
    return out


# A probe's settings by the identity of its dict (held, so the id stays its own). The
# pod decoder hands every replica of a workload the very same probe dicts, and objects
# are never changed in place: one entry serves them all. Bounded, emptied when full.
_SETTINGS: dict[tuple[int, str, str], tuple[dict, ProbeSettings]] = {}
_SETTINGS_LIMIT = 4096


def _settings(container: str, ptype: str, probe: dict) -> ProbeSettings:
    key = (id(probe), container, ptype)
    hit = _SETTINGS.get(key)
    if hit is not None and hit[0] is probe:
        return hit[1]
    settings = probe_settings(container, ptype, probe)
    if len(_SETTINGS) >= _SETTINGS_LIMIT:
        _SETTINGS.clear()
    _SETTINGS[key] = (probe, settings)
    return settings


def probe_settings(container: str, ptype: str, probe: dict) -> ProbeSettings:
    """One probe's settings, defaults filled in, read afresh (effective_probes caches)."""
    grace = probe.get("terminationGracePeriodSeconds")
    return ProbeSettings(
        container=container,
        type=ptype,
        handler=handler_text(probe),
        initial_delay=_n(probe.get("initialDelaySeconds"), 0),
        timeout=_n(probe.get("timeoutSeconds"), 1, 1),
        period=_n(probe.get("periodSeconds"), 10, 1),
        # must be 1 for liveness and startup (validation), whatever is sent
        success_threshold=1 if ptype != "readiness" else _n(probe.get("successThreshold"), 1, 1),
        failure_threshold=_n(probe.get("failureThreshold"), 3, 1),
        termination_grace=grace if isinstance(grace, int) and not isinstance(grace, bool) else None,
    )


def record_probes(record, pod: dict) -> list[ProbeSettings]:
    """effective_probes of the record's pod, kept on the record while its spec is the
    same object (a pod's spec does not change, and the decoder keeps the object while
    its bytes don't): the table asks for every pod on each NEXT sort."""
    spec = pod.get("spec") if isinstance(pod, dict) else None
    memo = getattr(record, "probe_memo", None)
    if memo is not None and memo[0] is spec:
        return memo[1]
    settings = effective_probes(pod)
    try:
        record.probe_memo = (spec, settings)
    except AttributeError:
        pass  # a record without the slot: nothing kept
    return settings


_COMBINED = "(combined from similar events): "


def is_combined(message: str) -> bool:
    """Whether the event recorder wrote the message to its "(combined from similar events)" Event."""
    return message.startswith(_COMBINED)


def uncombined(message: str) -> str:
    """An Event message without the prefix the event recorder adds when it merges similar ones."""
    return message[len(_COMBINED):] if message.startswith(_COMBINED) else message


def probe_type_of(ev: EventRecord) -> str | None:
    """Which probe an Event is about, from its reason and message prefix."""
    msg = uncombined(ev.message)
    if ev.reason in ("Unhealthy", "ProbeWarning"):
        head = msg[:16].lower()
        for ptype, prefix in _PREFIX.items():
            if head.startswith(prefix):
                return ptype
    elif ev.reason == "Killing":
        for ptype, marker in _KILLING.items():
            if marker in msg:
                return ptype
    return None


def stopped_probes(record, now: float, over=ASK) -> tuple[str, frozenset[str]]:
    """(why, the probe types) the kubelet no longer runs for the pod (worker.go): none once
    its phase is final (past activeDeadlineSeconds the kubelet makes it Failed), liveness
    and startup once its deletion is requested (readiness goes on while it terminates).
    `over`: restarts_over's answer, if known."""
    if over is ASK:
        over = restarts_over(record, now)
    if over is None:
        return "", frozenset()
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    if getattr(record, "deleted_at", None) is None and _d(pod.get("status")).get("phase") not in ("Succeeded", "Failed") \
            and _d(pod.get("metadata")).get("deletionTimestamp"):
        return over.why, frozenset(("liveness", "startup"))
    return over.why, frozenset(PROBE_TYPES)


def probe_states(record, now: float, over=ASK) -> list[ProbeState]:
    """Per probe: its Events, last failure, current streak and when the kubelet acts.
    `over`: restarts_over's answer, if known."""
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    settings = record_probes(record, pod)
    if not settings:
        return []
    _, stopped = stopped_probes(record, now, over)
    by_probe: dict[tuple[str, str], list[EventRecord]] = {}
    unhealthy: set[tuple[str, str]] = set()
    combined = False
    for ev in getattr(record, "events", ()):
        if ev.container is None:
            continue
        ptype = probe_type_of(ev)
        if ptype is None:
            continue
        containers: tuple[str, ...] = (ev.container,)
        if ev.reason == "Unhealthy" and is_combined(ev.message):
            combined = True
            # The combined Event keeps the field path of the write that created it
            # (events_cache.go: the aggregate key leaves it out, later writes patch only
            # count, time and message): its latest write is the probe of that type, of
            # whichever container has one; with several, of any of them.
            containers = tuple(s.container for s in settings if s.type == ptype) or containers
        for container in containers:
            by_probe.setdefault((container, ptype), []).append(ev)
            if ev.reason == "Unhealthy":
                unhealthy.add((container, ptype))
    # One combined Event takes the failures of every probe of the pod (of every container),
    # read as the probe its latest message names. With two probes failing, neither's
    # failures can be told apart.
    mixed = combined and len(unhealthy) > 1
    statuses = container_statuses(pod)
    gated = {s.container for s in settings if s.type == "startup"}
    return [_state(s, by_probe.get((s.container, s.type), []), statuses.get(s.container, {}), now,
                   record if s.type == "readiness" else None, mixed, s.type != "startup" and s.container in gated,
                   s.type in stopped)
            for s in settings]


def streak_fraction(state: ProbeState) -> str:
    """`2/3`: the streak against failureThreshold; `~2/3` when it is estimated (exact False)."""
    return f"{'' if state.exact else '~'}{state.streak}/{state.settings.failure_threshold}"


def _ready_flip(record, container: str, since: float, before=None):
    """podtui's latest ready flip of `container` after `since` (a READY Transition), or
    None; with `before` (one such flip), the latest one before it."""
    history = getattr(record, "history", None)
    for t in reversed(getattr(history, "entries", ())):
        if t.at < since:
            break
        if before is not None:
            if t is before:
                before = None
            continue
        if t.kind == READY and t.subject == container:
            return t
    return None


def counts_as_failure(ev: EventRecord) -> bool:
    """A failed attempt the worker counts. "probe errored" results are thrown away
    (worker.go: "Prober error, throw away the result"), so they don't extend a streak."""
    attempt = probe_attempt(ev)
    return attempt is not None and not attempt[1]


def probe_attempt(ev: EventRecord) -> tuple[str, bool] | None:
    """An Unhealthy Event's latest write as a probe attempt: ("liveness", False) for
    "Liveness probe failed: ...", ("liveness", True) for "... probe errored ...", else
    None. An errored attempt is a tick the worker ran and threw away: it neither counts
    nor breaks a run, but it is no success either. One pass: the store asks it of every
    write of an Unhealthy Event."""
    if ev.reason != "Unhealthy":
        return None
    msg = ev.message
    if msg[:1] == "(":
        msg = uncombined(msg)
    head = msg[:25]
    cut = head.find(" probe failed")
    errored = cut < 0
    if errored:
        cut = head.find(" probe errored")
        if cut < 0:
            return None
    ptype = head[:cut].lower()
    return (ptype, errored) if ptype in _PREFIX else None


def _errored(e: EventRecord) -> bool:
    attempt = probe_attempt(e)
    return attempt is not None and attempt[1]


def _last(e: EventRecord) -> float:
    return e.last if e.last is not None else float("-inf")


def _points(e: EventRecord) -> list[tuple[int, float]]:
    """(c, t): the Event's c-th failure came at t. Its first, the writes podtui saw (at
    most store.EARLIER_LIMIT of them) and its latest."""
    if e.count <= 1:
        return [(1, _last(e))]
    out = [(1, e.first if e.first is not None else _last(e))]
    ear = e.earlier
    out.extend((ear[i], ear[i + 1]) for i in range(0, len(ear) - 1, 2))
    out.append((e.count, _last(e)))
    return out


def _exact_run(ticks: list[EventRecord], since: float, on_tick: bool, period: int,
               dead: _Dead | None = None) -> tuple[int, bool]:
    """The current run as far as the Events place its failures one by one: (n, exact).

    `ticks` are the probe's failure and errored Events, newest first. Each (c, t) of
    _points puts an attempt at t; between two c apart the c-1 in between lie somewhere in
    between, unplaced. The ticker doesn't drift, so attempts in a row are a period apart
    (the API cuts times to the second; a probe's duration may vary) and a success between
    two makes it two: the newest placed attempts after `since`, each within a period and
    a half of the next, are a run of at least n failures (an errored attempt is thrown
    away: it bridges, uncounted). Exact when no unplaced attempt could fall in it or
    within a period and a half before it.

    The newest write's `run` (store._run_after) places the attempts podtui saw written
    in order, of all the probe's Events (a probe failing with alternating messages writes
    each to its own) and however many: an evenly spaced stretch, its gaps within a period
    and a half, is a block of attempts in a row. Every attempt after its first (or the
    one before it) is in it, so the Events' own points there add nothing.

    `dead`: the stretch of a restart, when the worker ticked without probing; two
    attempts on either side of it are in a row when no tick probed between them
    (_Dead.row).
    """
    blocks: list[tuple[float, float, int, float, float, int]] = []  # (newest, oldest, failures, step, slack, errors)
    unplaced_before: list[float] = []  # unplaced attempts lie before each of these
    cover = math.inf  # every attempt from then on is in `blocks`
    if ticks and ticks[0].run:
        n, at, lo, hi, before, prior, errs = ticks[0].run
        last = _last(ticks[0])
        newest = 0 if _errored(ticks[0]) else 1
        if hi <= 1.5 * period:
            blocks.append((last, at, n - errs, (last - at) / (n - 1) if n > 1 else 0.0,
                           hi - lo + 1 if n > 1 else 0.0, errs))
            cover = at
        else:  # a success somewhere in the stretch: the newest and the one before are placed
            blocks.append((last, last, newest, 0.0, 0.0, 1 - newest))
            cover, before = last, prior
        if before is not None:
            blocks.append((before[0], before[0], before[1], 0.0, 0.0, 1 - before[1]))
            cover = before[0]
    for e in ticks:
        counted = 0 if _errored(e) else 1
        prev, prev_at = 0, -math.inf
        for c, t in _points(e):
            if t < cover:
                if c - prev > 1:
                    unplaced_before.append(t)
                blocks.append((t, t, counted, 0.0, 0.0, 1 - counted))
            elif c - prev > 1 and prev_at < cover:
                unplaced_before.append(cover)  # before the stretch: every attempt since is in it
            prev, prev_at = c, t
    blocks.sort(reverse=True)
    n, oldest, crossed = 0, None, False
    for newest, first, count, step, slack, errs in blocks:
        if newest < since or (on_tick and newest == since):
            break  # a kill or the success that made it ready came within that second
        if oldest is not None:
            if dead is not None and newest <= dead.end < oldest:
                row = dead.row(newest, oldest, oldest)
                if row is False:
                    break  # a tick probed in between: a success
                crossed = crossed or row is None  # whether a tick probed in between is not known
            elif oldest - newest > 1.5 * period:
                break
        if first < since or (on_tick and first == since):
            # A block reaching back past `since`: an even stretch's failures after it are
            # counted where its spacing tells them apart from the ones before (and no
            # errored attempt among them leaves doubt which side it fell).
            ticks_in = count + errs
            after = _after(newest, step, ticks_in, since + slack) if step else 0
            if step and not errs and after == _after(newest, step, ticks_in, since - slack):
                n, oldest = n + after, newest - (after - 1) * step
            else:
                crossed = True
            break
        n, oldest = n + count, first if oldest is None else min(oldest, first)
    reach = since if oldest is None else max(since, oldest - 1.5 * period)
    return n, not crossed and all(t <= reach for t in unplaced_before)


def _after(newest: float, step: float, count: int, bound: float) -> int:
    """How many of `count` failures `step` apart, the newest at `newest`, came after `bound`."""
    return min(count, max(0, math.ceil((newest - bound) / step)))


def _state(s: ProbeSettings, events: list[EventRecord], cs: dict, now: float, record=None,
           mixed: bool = False, gated: bool = False, stopped: bool = False) -> ProbeState:
    state = ProbeState(settings=s, events=events)
    running = _d(_d(cs.get("state")).get("running"))
    started_at = parse_ts(running.get("startedAt"))
    unhealthy = [e for e in events if e.reason == "Unhealthy" and e.last is not None]
    if unhealthy:
        newest = max(unhealthy, key=_last)
        state.last_failure = newest.message
        state.last_failure_at = newest.last
    # Attempts the worker ran without a success: failures, and errors (thrown away).
    ticks = sorted((e for e in unhealthy if probe_attempt(e) is not None), key=_last, reverse=True)
    failures = [e for e in ticks if not _errored(e)]
    if not running or stopped:
        return state  # no instance to probe, or no worker: nothing counts, nothing is due
    if s.type == "startup" and cs.get("started") is True:
        return state  # worker.go stops the startup probe once the container has started
    # First the run within this instance: from its start, a kill, and (readiness) the
    # container turning ready; then whether it goes on from before the restart.
    since = started_at if started_at is not None else float("-inf")
    kill_type = s.type in ("liveness", "startup")
    # Only with failures to judge: a history walk per probe per repaint is not free.
    flip = _ready_flip(record, s.container, since) if record is not None and failures else None
    # Whether `since` is no earlier than a probe tick (a kill, the success that made it
    # ready) rather than the container's start, which a tick may follow within the second.
    on_tick = False
    if flip is not None and flip.new == "true" and cs.get("ready") is True and flip.at > since:
        since, on_tick = flip.at, True  # the success that made it ready ended the run before
    for e in events:
        if e.reason == "Killing" and _last(e) > since:
            since, on_tick = _last(e), True
    streak, exact = _run(s, ticks, failures, events, since, on_tick, now, mixed)
    dead = _restart(s, cs, started_at, gated) if failures and not on_tick and started_at is not None else None
    if dead is not None:
        # No reset in this instance: the worker's run goes on from before the restart, back
        # to this probe's last kill (the only reset but a success) or readiness' last success.
        back, back_on_tick = _last_reset(record, s, events, dead.end)
        carried, carried_exact = _run(s, ticks, failures, events, back, back_on_tick, now, mixed, dead)
        # The worker kills at the threshold-th failure in a row: that many before the
        # restart were the kill (its Killing Event unseen) and the run began again.
        if carried > streak and not (kill_type and carried - streak >= s.failure_threshold):
            streak, exact = carried, exact and carried_exact and not dead.before_that(failures, back)
        else:
            dead = None
    if not exact:
        state.exact = False
    if kill_type:
        streak = min(streak, s.failure_threshold)
    elif (streak and cs.get("ready") is False and flip is not None and flip.new == "false"
          and getattr(_ready_flip(record, s.container, since, before=flip), "new", None) == "true"):
        # Ready, then unready in this instance with the probe failing: the kubelet's run
        # reached the threshold, whatever the Events' spans suggest (they are coarse and
        # merge). Never ready since it started says nothing: the run may still be short;
        # so is a flip seen with the restart (the old instance went, the new one is unready).
        if streak < s.failure_threshold:
            streak, state.exact = s.failure_threshold, False  # at least that
    state.streak = streak
    if streak:
        last_counted = _last(ticks[0])  # the next tick may be the one that acts
        if streak < s.failure_threshold:
            following = (dead.first_tick(last_counted) if dead is not None and last_counted <= dead.end
                         else last_counted + s.period)
            state.acts_at = following + (s.failure_threshold - streak - 1) * s.period
        elif kill_type:
            state.acts_at = last_counted  # due now: the kill is under way
    elif s.type == "startup" and started_at is not None:
        # No failure seen yet (and not started, see above): the budget runs out at the latest then.
        state.acts_at = started_at + s.initial_delay + s.failure_threshold * s.period
    return state


def _run(s: ProbeSettings, ticks: list[EventRecord], failures: list[EventRecord], events: list[EventRecord],
         since: float, on_tick: bool, now: float, mixed: bool, dead: _Dead | None = None) -> tuple[int, bool]:
    """The failures in a row since the worker's last reset at `since`: (n, exact). `mixed`:
    the Events may hold another probe's failures too."""
    row: bool | None = True
    if not failures:
        row = False
    elif dead is not None and _last(ticks[0]) <= dead.end:
        row = dead.row(_last(ticks[0]), None, now)
    elif now - _last(ticks[0]) > s.period * 1.5 + s.timeout + 1:
        row = False
    if row is False:
        streak, exact = 0, True  # a success (no Event) came after the newest attempt
    else:
        streak, exact = _exact_run(ticks, since, on_tick, s.period, dead)
        exact = exact and row is True
    if not exact or mixed:
        # Some failures that may belong to the run were not seen one by one (before podtui
        # watched, or in a watch outage) or may be another probe's: estimated from the
        # Events' spans, and no fewer than those placed.
        streak = max(streak, _estimated_streak(s, ticks, failures, events, since, on_tick, now))
    return streak, exact and not mixed


class _Dead:
    """A restart as the probe worker lives through it (it lasts as long as the pod): its
    ticker beats on, but probes nothing from the old instance's end (finishedAt) until
    the new one's start plus initialDelaySeconds; its run is kept. Times are API seconds."""

    __slots__ = ("end", "start", "period", "slack", "known", "old_start")

    def __init__(self, end: float, start: float, period: int, timeout: int, known: bool,
                 old_start: float | None) -> None:
        self.end, self.start, self.period, self.slack = end, start, period, timeout + 1
        self.known = known  # False: probing may begin later (after the startup probe passed)
        # When the old instance was first probed, if a restart came before it (else None):
        # only the last restart's times are in the status.
        self.old_start = old_start

    def before_that(self, failures: list[EventRecord], reset: float) -> bool:
        """Whether the run may go on from before the restart before this one: the old
        instance failed its first tick and failures came between the worker's last
        `reset` and the old instance (its start unknown: may have)."""
        if self.old_start is None:
            return False
        points = [t for e in failures for _, t in _points(e) if t > reset]
        if self.old_start == -math.inf:
            return bool(points)
        first = self.old_start + self.period + self.slack
        return (any(self.old_start <= t <= first for t in points)
                and any(t < self.old_start for t in points))

    def first_tick(self, at: float) -> float:
        """The first tick to probe the new instance, on the beat of an attempt at `at`."""
        return at + max(1, math.ceil((self.start - at) / self.period)) * self.period

    def row(self, at: float, after: float | None, now: float) -> bool | None:
        """Whether an attempt at `at` before the restart and the next one seen, at `after`
        in the new instance (None: none yet, by `now`), are in a row: no tick probed in
        between, which would have passed (no Event). None: the seconds can't tell."""
        p = self.period
        if at + p + 1 < self.end:
            return False  # the next tick probed the old instance
        verdict = True if at + p - self.slack > self.end + 1 else None  # it came after the end
        if after is None:
            if now > self.first_tick(at) + 0.5 * p + self.slack:
                return False if self.known else None
            return verdict
        if after + 1 - p < self.start:
            return verdict  # its tick was the first to probe the new instance
        if after - self.slack - p >= self.start + 1 and self.known:
            return False
        return None


def _restart(s: ProbeSettings, cs: dict, started_at: float, gated: bool) -> _Dead | None:
    """The container's last restart, from its status, if the old instance's end is known."""
    term = _d(_d(cs.get("lastState")).get("terminated"))
    end = parse_ts(term.get("finishedAt"))
    if end is None or end > started_at:
        return None
    # Liveness and readiness wait for the startup probe: from when, no status says.
    old_start = None
    if _n(cs.get("restartCount"), 0) >= 2:
        began = parse_ts(term.get("startedAt"))
        old_start = -math.inf if began is None else began + s.initial_delay
    return _Dead(end, started_at + s.initial_delay, s.period, s.timeout, not gated, old_start)


def _last_reset(record, s: ProbeSettings, events: list[EventRecord], before: float) -> tuple[float, bool]:
    """When the worker last started this probe's run over before `before`: its last kill
    (liveness, startup), or (readiness) the success that made the container ready."""
    since = float("-inf")
    for e in events:
        if e.reason == "Killing" and since < _last(e) <= before:
            since = _last(e)
    if s.type == "readiness":
        for t in reversed(getattr(getattr(record, "history", None), "entries", ())):
            if t.at <= since:
                break
            if t.kind == READY and t.subject == s.container and t.new == "true" and t.at <= before:
                since = t.at
                break
    return since, since != float("-inf")


def _estimated_streak(s: ProbeSettings, attempts: list[EventRecord], failures: list[EventRecord],
                      events: list[EventRecord], since: float, on_tick: bool, now: float) -> int:
    """The current run from the Events' first and last times and counts alone. `attempts`
    are the probe's failure and errored Events, newest first (errors fill time, uncounted),
    `failures` the failures among them."""
    carried = [e for e in failures if _last(e) > since and e.first is not None and e.first < since]
    # Failures surely before `since`: each kill of this probe ended a run of exactly
    # failureThreshold (worker.go acts on that failure), counted in the Events held when
    # the run began after the oldest of them. An Event growing across `since` keeps them.
    oldest = min((e.first for e in failures if e.first is not None), default=None)
    kills = sum(e.count for e in events if e.reason == "Killing" and _last(e) <= since and oldest is not None
                and (e.first if e.first is not None else _last(e)) - (s.failure_threshold - 1) * s.period >= oldest - 1)
    owed = kills * s.failure_threshold - sum(e.count for e in failures if _last(e) <= since)
    gap = s.period * 1.5 + s.timeout + 1
    recent: list[tuple[float, int, bool]] = []  # (first, count, failed) of each Event that may be in the run
    newer = now
    for e in attempts:
        last = _last(e)
        if last <= since or newer - last > gap:
            break  # before this instance, or a success (no Event) happened in between
        first = e.first if e.first is not None else last
        count, failed = e.count, not _errored(e)
        if first < since:
            # Its first attempt came before; after `since` at most one a period: none at a
            # kill's `since` itself (its failure came within the second; whole-second
            # times), but one may follow a start within the second. The earliest is taken
            # to be the next tick: a run only if they fill the time since.
            ticks = math.ceil((last - since - 1) / s.period) if on_tick else math.ceil((last - since + 1) / s.period)
            before = max(1, owed - sum(o.count - 1 for o in carried if o is not e)) if failed else 1
            count = max(1, min(count - before, ticks))
            first = since + s.period
        recent.append((first, count, failed))
        newer = min(newer, first)
    # The probe ticker doesn't drift: n attempts in a row span n-1 periods and each success
    # among them adds one more. The newest Events whose attempts fill their whole span are
    # one run; if none do, successes came in between and only the newest failure is surely
    # current.
    streak = 1 if any(failed for _, _, failed in recent) else 0
    total, counted, earliest = 0, 0, now
    for first, count, failed in recent:
        total += count
        counted += count if failed else 0
        earliest = min(earliest, first)
        if _last(attempts[0]) - earliest <= (total - 0.5) * s.period:
            streak = max(streak, counted)
    return streak
