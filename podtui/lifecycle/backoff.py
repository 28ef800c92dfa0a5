"""Where each container stands on the kubelet's restart and image-pull back-off.

The kubelet (kuberuntime_manager.go doBackOff, client-go flowcontrol.Backoff) keeps one
entry per container: the first crash restarts at once, then each crash waits
initial, 2x, 4x ... up to a cap (10s..300s by default), measured from the crashed
instance's finishedAt. An instance that ran longer than 10 minutes resets the ladder.
While it waits, the container's state says `back-off 40s restarting failed
container=...`: that figure is ground truth (measured). Otherwise the delay is
estimated from restartCount and what podtui learned from earlier transitions
(a Ladder per container, fed by learn() as the store applies each version).

Nodes may run a shorter curve (feature gates ReduceDefaultCrashLoopBackOffDecay: 1s
to 60s; KubeletCrashLoopBackOffMax: a per-node cap). A monitor can't read kubelet
config, so infer_curve() reads it off measured delays and observed restart gaps.

None of it counts once the pod's life is ending (restarts_over): the kubelet restarts
no container of a pod being deleted (container/helpers.go ShouldContainerBeRestarted),
finished (phase Succeeded/Failed) or past its activeDeadlineSeconds, nor a sidecar once
the main containers are done for good (kuberuntime_manager.go computePodActions).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from podtui.lifecycle.history import container_kinds
from podtui.lifecycle.records import CONTAINER_STATE, RESTART, BackoffInfo, Transition
from podtui.lifecycle.termination import active_deadline, deletion_request
from podtui.lifecycle.times import parse_go_duration, parse_ts
from podtui.lifecycle.read import as_dict as _d, as_list as _l, container_statuses

DEFAULT_INITIAL = 10.0
DEFAULT_CAP = 300.0
REDUCED_INITIAL = 1.0  # ReduceDefaultCrashLoopBackOffDecay
REDUCED_CAP = 60.0
RESET_AFTER = 600.0  # an instance that ran longer than this resets the ladder
# flowcontrol.Backoff hasExpired: an image-pull entry left alone for twice its cap starts over
PULL_RESET_AFTER = 2 * DEFAULT_CAP
# Failed pulls are at least DEFAULT_INITIAL apart: an Event last written this long before
# a failure podtui saw can't be that failure's (its time is the kubelet's, whole seconds).
PULL_EVENT_LAG = DEFAULT_INITIAL / 2
_MAX_DOUBLINGS = 40

# "not passed": a caller that has restarts_over's answer, or the pod's active_deadline,
# passes it down (NEXT asks both of every pod); None is an answer of its own.
ASK = object()

_CRASH_MESSAGE = re.compile(r"back-off (\S+) restarting failed container")
IMAGE_WAITING = ("ImagePullBackOff", "ErrImagePull")


class Ladder:
    """What podtui learned about one container's back-off from the versions it saw."""

    __slots__ = ("reset_count", "anchor", "measured", "gaps", "pull_failures", "last_pull_failure", "pull_seen_at")

    def __init__(self) -> None:
        # restartCount of the instance whose crash started the current chain (ran
        # > 10 min, or the first instance): its crash restarted at once.
        self.reset_count = 0
        self.anchor: tuple[int, float] | None = None  # (restartCount, measured delay)
        self.measured: deque[tuple[int, float]] = deque(maxlen=8)
        self.gaps: deque[tuple[int, float]] = deque(maxlen=8)  # (restartCount of the dead instance, wait)
        self.pull_failures = 0
        self.last_pull_failure: float | None = None
        self.pull_seen_at: float | None = None  # the newest failed pull podtui saw happen (not reconstructed)


def crash_message_delay(message: str) -> float | None:
    """`back-off 1m20s restarting failed container=app pod=...` -> 80.0."""
    m = _CRASH_MESSAGE.search(message or "")
    return parse_go_duration(m.group(1)) if m else None


def learn(ladders: dict[str, Ladder], transitions: Iterable[Transition]) -> None:
    """Feed a version's transitions into the per-container ladders (O(transitions))."""
    for t in transitions:
        if t.kind == RESTART:
            _learn_restart(ladders, t)
        elif t.kind == CONTAINER_STATE and t.new:
            new = t.new
            if new == "waiting:CrashLoopBackOff":
                data = t.data or {}
                delay = crash_message_delay(data.get("message") or t.detail)
                rc = data.get("restartCount")
                if delay is not None and isinstance(rc, int):
                    ladder = _ladder(ladders, t.subject)
                    ladder.measured.append((rc, delay))
                    ladder.anchor = (rc, delay)
            elif new == "waiting:ErrImagePull":
                ladder = _ladder(ladders, t.subject)
                previous = ladder.last_pull_failure
                expired = previous is not None and t.at - previous > PULL_RESET_AFTER
                ladder.pull_failures = 1 if expired else ladder.pull_failures + 1
                ladder.last_pull_failure = t.at
                if t.observed:
                    ladder.pull_seen_at = t.at
            elif new == "running" and t.subject in ladders:
                ladders[t.subject].pull_failures = 0


def _ladder(ladders: dict[str, Ladder], name: str) -> Ladder:
    ladder = ladders.get(name)
    if ladder is None:
        ladder = ladders[name] = Ladder()
    return ladder


def _learn_restart(ladders: dict[str, Ladder], t: Transition) -> None:
    data = t.data or {}
    rc = data.get("restartCount")
    started, finished = data.get("startedAt"), data.get("finishedAt")
    if not isinstance(rc, int) or rc < 1 or started is None or finished is None:
        return
    ladder = _ladder(ladders, t.subject)
    dead = rc - 1  # the instance that ended before this restart
    if finished - started > RESET_AFTER:
        ladder.reset_count = dead
        if ladder.anchor is not None and ladder.anchor[0] <= dead:
            ladder.anchor = None
        return
    restarted = data.get("restartedAt")
    if restarted is not None and dead > ladder.reset_count:
        ladder.gaps.append((dead, restarted - finished))


def _on_ladder(delay: float, initial: float) -> bool:
    """delay == initial * 2**k for some k >= 0."""
    if delay < initial:
        return False
    ratio = delay / initial
    k = round(ratio).bit_length() - 1
    return abs(ratio - 2**k) < 0.01 * ratio


def infer_curve(ladder: Ladder | None) -> tuple[float, float, bool]:
    """(initial, cap, inferred): the node's curve as far as the evidence shows."""
    if ladder is None or (not ladder.measured and not ladder.gaps):
        return DEFAULT_INITIAL, DEFAULT_CAP, False
    delays = [d for _, d in ladder.measured]
    initial = DEFAULT_INITIAL
    # A wait that isn't the first of a chain can't be under `initial`; the kubelet
    # may add a second or two of sync latency to an observed gap, never subtract.
    short_gaps = [g for _, g in ladder.gaps if 0.0 <= g < DEFAULT_INITIAL * 0.7]
    if (delays and min(delays) < DEFAULT_INITIAL) or short_gaps:
        initial = REDUCED_INITIAL
    default_cap = DEFAULT_CAP if initial == DEFAULT_INITIAL else REDUCED_CAP
    cap = default_cap
    if delays:
        top = max(delays)
        repeated = sum(1 for d in delays if d == top) >= 2 and len({rc for rc, d in ladder.measured if d == top}) >= 2
        if not _on_ladder(top, initial) or repeated:
            cap = top  # a clamp: the node's maxContainerRestartPeriod
        else:
            cap = max(cap, top)
    elif len(ladder.gaps) >= 2:
        # Two consecutive waits of about the same length below the cap: the cap.
        (r1, g1), (r2, g2) = ladder.gaps[-2], ladder.gaps[-1]
        if r2 == r1 + 1 and g1 >= 2 * initial and abs(g2 - g1) <= 0.2 * g1 and g1 < 0.8 * default_cap:
            cap = float(round(g2))
    initial = min(initial, cap)
    return initial, cap, (initial, cap) != (DEFAULT_INITIAL, DEFAULT_CAP)


def _step(delay: float, initial: float) -> int:
    step = 0
    d = initial
    while d < delay and step < _MAX_DOUBLINGS:
        d *= 2
        step += 1
    return step


def crash_delay(ladder: Ladder | None, restart_count: int, initial: float, cap: float) -> float:
    """The estimated wait after the crash of the instance numbered `restart_count`."""
    r0 = ladder.reset_count if ladder is not None else 0
    anchor = ladder.anchor if ladder is not None else None
    if restart_count <= r0:
        return 0.0  # the first crash of a chain restarts at once
    if anchor is not None and r0 < anchor[0] <= restart_count:
        delay = anchor[1]
        doublings = restart_count - anchor[0]
    else:
        delay = initial
        doublings = restart_count - r0 - 1
    for _ in range(min(doublings, _MAX_DOUBLINGS)):
        delay = min(cap, delay * 2)
    return min(cap, delay)


def crash_wait(ladder: Ladder | None, restart_count: int, started: float | None, finished: float | None,
               initial: float, cap: float) -> tuple[float, bool]:
    """(delay, ran_long): the estimated wait before the kubelet restarts the instance
    numbered `restart_count` that ran from `started` to `finished`. ran_long: it ran
    longer than RESET_AFTER, which starts the ladder over, so it is restarted at once."""
    if started is not None and finished is not None and finished - started > RESET_AFTER:
        return 0.0, True
    return crash_delay(ladder, restart_count, initial, cap), False


def _pull_failure_events(record, container: str, newest: float | None) -> tuple[int, float | None]:
    """(failed pulls, time of the last) from the pod's Events for `container`, counting only
    the kubelet's current back-off: an Event quiet for PULL_RESET_AFTER before the next
    failure (newest: one podtui saw itself) tells of an entry that has started over since."""
    pulls = sorted((ev for ev in getattr(record, "events", ())
                    if ev.container == container and ev.reason == "Failed" and ev.last is not None
                    and ev.message.startswith("Failed to pull image")), key=lambda ev: ev.last, reverse=True)
    count = 0
    newer = max(newest, pulls[0].last) if newest is not None and pulls else newest
    for ev in pulls:
        if newer is not None and newer - ev.last > PULL_RESET_AFTER:
            break
        count = max(count, ev.count)
        first = ev.first if ev.first is not None else ev.last
        newer = first if newer is None else min(newer, first)
    return count, pulls[0].last if pulls else None


def _pull_started(record, container: str, failed: float | None) -> float | None:
    """When the retry of `container`'s pull that is under way began: its Pulling Event,
    if newer than the failure the back-off counts from and not older than the BackOff
    Events the kubelet repeats while it waits (a sync writes one or the other). The
    status says ImagePullBackOff until the pull fails. None: no pull runs that the
    Events tell of."""
    pulling = backing_off = None
    for ev in getattr(record, "events", ()):
        if ev.container != container or ev.last is None:
            continue
        if ev.reason == "Pulling":
            pulling = ev.last if pulling is None else max(pulling, ev.last)
        elif ev.reason == "BackOff" and ev.message.startswith("Back-off pulling image"):
            backing_off = ev.last if backing_off is None else max(backing_off, ev.last)
    if pulling is None or (failed is not None and pulling <= failed) or \
            (backing_off is not None and pulling < backing_off):
        return None
    return pulling


@dataclass(frozen=True, slots=True)
class RestartsOver:
    """Why the kubelet restarts none of the pod's containers any more, and since when."""

    why: str  # "the pod's deletion was requested"
    since: float | None  # None: not known (a phase reached between two versions)


def restarts_over(record, now: float, deadline=ASK) -> RestartsOver | None:
    """Why no restart or pull retry comes for any container of the pod, or None while
    the kubelet still restarts them. `deadline`: the pod's active_deadline, if known."""
    removed = getattr(record, "deleted_at", None)
    if removed is not None:
        return RestartsOver("the pod was removed", removed)
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    status = _d(pod.get("status"))
    if _d(pod.get("metadata")).get("deletionTimestamp"):
        req = deletion_request(record)
        return RestartsOver("the pod's deletion was requested", req.at if req is not None else None)
    phase = status.get("phase")
    if phase in ("Succeeded", "Failed"):
        reason = status.get("reason")
        return RestartsOver(f"the pod has finished (phase {phase}" + (f", {reason})" if isinstance(reason, str)
                                                                       and reason else ")"), None)
    if deadline is ASK:
        deadline = active_deadline(pod)
    if deadline is not None and now >= deadline:
        # active_deadline.go: the kubelet fails the pod and kills it, whenever its status says so.
        return RestartsOver("its activeDeadlineSeconds passed", deadline)
    return None


def mains_done(pod: dict, statuses: dict[str, dict]) -> bool:
    """Every main container has ended and won't be restarted (restartPolicy Never, or
    OnFailure after exit 0): the kubelet kills the pod and restarts no sidecar.
    `statuses`: the pod's container_statuses(), read once by the caller."""
    spec = _d(pod.get("spec"))
    policy = spec.get("restartPolicy") or "Always"
    if policy == "Always":
        return False
    # A main container with no status yet has not even started: it is not done.
    mains = {c["name"] for c in _l(spec.get("containers")) if isinstance(c, dict) and isinstance(c.get("name"), str)}
    # statuses holds the init containers' too: any the spec doesn't declare as init is a main one.
    inits = {c.get("name") for c in _l(spec.get("initContainers")) if isinstance(c, dict)}
    mains.update(name for name in statuses if name not in inits)
    if not mains:
        return False
    for name in mains:
        cs = statuses.get(name)
        term = _d(_d(cs.get("state")).get("terminated")) if cs is not None else {}
        if not term or (policy == "OnFailure" and term.get("exitCode") != 0):
            return False
    return True


def will_restart(pod: dict, statuses: dict[str, dict], kind: str, exit_code: int | None, reason: str) -> bool:
    """Whether the kubelet restarts an instance of a `kind` container ("init", "sidecar",
    "main", "ephemeral") that ended so, by the pod's restart policy. `statuses`: the
    pod's container_statuses()."""
    policy = _d(pod.get("spec")).get("restartPolicy") or "Always"
    if kind == "sidecar":
        return not mains_done(pod, statuses)  # whatever the policy, until the main containers are done
    if kind == "ephemeral":
        return False
    if kind == "init":
        # kuberuntime_container.go isInitContainerFailed: a non-zero exit, or OOMKilled.
        return (exit_code != 0 or reason == "OOMKilled") and policy != "Never"
    # container/helpers.go ShouldContainerBeRestarted: under OnFailure, only the exit code counts.
    return policy == "Always" or (policy == "OnFailure" and exit_code != 0)


def backoffs(record, now: float, over=ASK) -> list[BackoffInfo]:
    """Containers in crash or image-pull back-off, and the recently restarted with
    their ladder position (delay = the wait a crash right now would bring). None once
    the pod's restarts are over (restarts_over; `over`: its answer, if known)."""
    if _over(record, now, over):
        return []
    pod = _pod(record)
    return _backoffs(record, now, True, pod, container_statuses(pod))


def backoffs_left(record, now: float) -> list[BackoffInfo]:
    """The back-offs the pod's containers were waiting out, whether or not the kubelet
    will still restart them: for the record of a pod whose restarts are over (whose
    next_at, then, never comes)."""
    pod = _pod(record)
    return _backoffs(record, now, False, pod, container_statuses(pod))


def restart_waits(record, now: float, over=ASK) -> tuple[list[BackoffInfo], list[BackoffInfo]]:
    """(backoffs(), just_crashed()) from one reading of the container statuses: NEXT
    asks both of every pod, and a pending restart's line both of its pod."""
    if _over(record, now, over):
        return [], []
    pod = _pod(record)
    statuses = container_statuses(pod)
    return _backoffs(record, now, True, pod, statuses), _just_crashed(record, now, None, pod, statuses)


def _pod(record) -> dict:
    return record.obj if isinstance(getattr(record, "obj", None), dict) else {}


def _over(record, now: float, over) -> bool:
    """The pod's restarts are over (`over`: restarts_over's answer, if known; else asked)."""
    return (restarts_over(record, now) if over is ASK else over) is not None


def _backoffs(record, now: float, running: bool, pod: dict, statuses: dict[str, dict]) -> list[BackoffInfo]:
    ladders: dict[str, Ladder] = getattr(record, "ladders", None) or {}
    ended_sidecars = {n for n, k in container_kinds(pod).items() if k == "sidecar"} \
        if mains_done(pod, statuses) else ()
    out: list[BackoffInfo] = []
    for cs in statuses.values():
        name = cs["name"]
        if name in ended_sidecars:
            continue
        state = _d(cs.get("state"))
        waiting = _d(state.get("waiting"))
        reason = waiting.get("reason")
        rc = cs.get("restartCount")
        rc = rc if isinstance(rc, int) and not isinstance(rc, bool) and rc >= 0 else 0
        ladder = ladders.get(name)
        last = _d(_d(cs.get("lastState")).get("terminated"))
        if reason == "CrashLoopBackOff":
            message = waiting.get("message") if isinstance(waiting.get("message"), str) else ""
            initial, cap, _ = infer_curve(ladder)
            delay = crash_message_delay(message)
            measured = delay is not None
            if delay is None:
                delay = crash_delay(ladder, rc, initial, cap)
            finished = parse_ts(last.get("finishedAt"))
            out.append(BackoffInfo(
                container=name, kind="crash", delay=delay,
                next_at=finished + delay if finished is not None else None,
                measured=measured, initial=initial, cap=cap, step=_step(delay, initial), message=message,
            ))
        elif reason in IMAGE_WAITING:
            out.append(_image_backoff(record, name, waiting, ladder, now))
        elif running and isinstance(state.get("running"), dict) and rc > 0 and last:
            started = parse_ts(state["running"].get("startedAt"))
            if started is None or now - started > RESET_AFTER:
                continue
            initial, cap, _ = infer_curve(ladder)
            delay = crash_delay(ladder, rc, initial, cap)
            out.append(BackoffInfo(
                container=name, kind="crash", delay=delay, next_at=None, measured=False,
                initial=initial, cap=cap, step=_step(delay, initial) if delay else 0,
                reset_at=started + RESET_AFTER,
            ))
    return out


def just_crashed(record, now: float, over=ASK) -> list[BackoffInfo]:
    """Containers that have just ended (Error, OOMKilled) and that the kubelet will
    restart, before its next sync puts them in CrashLoopBackOff: the delay that follows
    is known already, counted from finishedAt (estimated: no message states it yet).
    `over`: restarts_over's answer, if known."""
    pod = _pod(record)
    return _just_crashed(record, now, over, pod, container_statuses(pod))


def _just_crashed(record, now: float, over, pod: dict, statuses: dict[str, dict]) -> list[BackoffInfo]:
    # Most pods have no terminated container: NEXT asks this of every pod, so those
    # return before restarts_over and the container kinds are worked out.
    ended = [(cs, term) for cs in statuses.values() if (term := _d(_d(cs.get("state")).get("terminated")))]
    if not ended or _over(record, now, over):
        return []
    ladders: dict[str, Ladder] = getattr(record, "ladders", None) or {}
    kinds = container_kinds(pod)
    out: list[BackoffInfo] = []
    for cs, term in ended:
        code, reason = term.get("exitCode"), term.get("reason")
        if not will_restart(pod, statuses, kinds.get(cs["name"], "main"), code if isinstance(code, int) else None,
                            reason if isinstance(reason, str) else ""):
            continue
        finished, started = parse_ts(term.get("finishedAt")), parse_ts(term.get("startedAt"))
        if finished is None:
            continue  # no time to count the delay from
        rc = cs.get("restartCount")
        rc = rc if isinstance(rc, int) and not isinstance(rc, bool) and rc >= 0 else 0
        ladder = ladders.get(cs["name"])
        initial, cap, _ = infer_curve(ladder)
        delay, _ = crash_wait(ladder, rc, started, finished, initial, cap)
        out.append(BackoffInfo(container=cs["name"], kind="crash", delay=delay, next_at=finished + delay,
                               measured=False, initial=initial, cap=cap, step=_step(delay, initial) if delay else 0))
    return out


def _image_backoff(record, name: str, waiting: dict, ladder: Ladder | None, now: float) -> BackoffInfo:
    """image_manager.go: after the n-th failed pull the next try waits initial * 2**(n-1)."""
    failures = ladder.pull_failures if ladder is not None else 0
    last = ladder.last_pull_failure if ladder is not None else None
    ev_count, ev_last = _pull_failure_events(record, name, last)
    failures = max(failures, ev_count, 1)
    seen = ladder.pull_seen_at if ladder is not None else None
    if seen is not None and ev_last is not None and seen - ev_last > PULL_EVENT_LAG:
        # A failed pull the Events don't count yet: the kubelet writes the status and
        # the Event separately, and podtui may see the status first.
        failures = max(failures, ev_count + 1)
    if ev_last is not None and (last is None or ev_last > last):
        last = ev_last  # the kubelet's own timestamp beats podtui's observation
    if last is not None and now - last > PULL_RESET_AFTER:
        failures = 1
    delay = DEFAULT_INITIAL
    for _ in range(min(failures - 1, _MAX_DOUBLINGS)):
        delay = min(DEFAULT_CAP, delay * 2)
    message = waiting.get("message") if isinstance(waiting.get("message"), str) else ""
    return BackoffInfo(
        container=name, kind="image", delay=delay,
        next_at=last + delay if last is not None else None,
        measured=False, step=_step(delay, DEFAULT_INITIAL), message=message,
        pulling_since=_pull_started(record, name, last),
    )
