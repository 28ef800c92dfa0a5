"""NEXT's timers against what happened: every due time podtui predicted while replaying
demo recordings (tests/explain/timer_accuracy.py says how each is measured) must come
true within the precision the API allows.

The bounds, from the code on both sides (error = actual - predicted):

- Times in the API are whole seconds, cut down (podtui/demo/state.py ts(); the real
  apiserver's RFC 3339 does the same). A kubelet time x shows as floor(x).
- restart, measured and estimated: podtui says finishedAt + delay, i.e.
  floor(f) + d; the kubelet restarts at f + d + its sync latency (the demo's: none,
  kubelet.py _retry_later at the expiry) and the new startedAt is floor(f + d + l),
  which for whole-second delays is floor(f) + d + floor(l) or one more: [0, +1].
- pull: podtui's clock for the failure (it saw the ErrImagePull version up to the
  recording's STEP after the kubelet's moment p) + delay, against the next Pulling
  Event's floor(p + d): -(frac(p) + lag) .. 0, so [-(1 + STEP), +1].
- sigkill: deletionTimestamp, floor(request + grace); the kubelet kills no earlier
  than that (demo: kill_deadline = request + grace): [0, +1]. A pod whose containers
  all stopped before must have stopped by the deadline (+1).
- deadline: floor(startTime) + activeDeadlineSeconds; the kubelet acts at the real
  start + the same: [0, +1].
- liveness, startup, readiness (from Unhealthy Events): failures and the kubelet's act
  share one ticker (worker.go, a time.Ticker of periodSeconds) and land on whole periods
  of each other: podtui says newest failure + (threshold - streak) * period, so a streak
  counted right is exact, +-1 for rounding (floor(x) + k*period against floor(x +
  k*period), and a probe's duration may vary by a second).
  "measured" (timer_accuracy.py): every failure write so far came one count at a time,
  so the store holds each failure's own time (store.py _carry; runs up to
  EARLIER_LIMIT + 2 long, and these recordings' thresholds are at most 5) and
  probes._exact_run counts the run failure by failure: [-1, +1].
  "estimated" (a write skipped counts: the spam filter, or a recording begun mid-run):
  podtui knows at least the newest failure, so it never says more than (threshold - 1)
  periods after it; the kubelet acts at least one period after it:
  [-(threshold - 2) * period - 1, +1].
  Saying the kill is due before it is (a positive error beyond rounding) means failures
  were counted that the kubelet did not count.
"""

from __future__ import annotations

import pytest

from types import SimpleNamespace

from podtui.lifecycle import backoff
from podtui.lifecycle.events import normalize_event
from podtui.lifecycle.probes import probe_states
from podtui.lifecycle.times import format_ts

from explain_helpers import DEFAULT, EXTRA
from timer_accuracy import (
    TIMERS_SCENARIO,
    TIMERS_SECONDS,
    measure,
    read_recording,
    record_scenario,
    without_backoff_messages,
)
from podtui.lifecycle.changes import Change

STEP = 0.5  # the recordings' watcher lag (make_recordings.py STEP, record_scenario's step)
PROBES = ("liveness", "startup", "readiness")


def bounds(o) -> tuple[float, float]:
    if o.kind in PROBES:
        return (-1, 1) if o.measured else (-max(o.threshold - 2, 0) * o.period - 1, 1)
    if o.kind == "pull":
        return -(1 + STEP), 1
    if o.note == "shortened":
        # SIGKILL comes the new grace after the kubelet hears of the second DELETE;
        # podtui counts from when it heard, up to the watcher lag after or before.
        return -(1 + STEP), 1 + STEP
    return 0, 1


def violations(outcomes) -> list[str]:
    out = []
    for o in outcomes:
        if o.error is not None:
            low, high = bounds(o)
            if not low <= o.error <= high:
                out.append(f"{o.kind} {o.pod} {o.container}: said {o.due:.1f}, happened {o.actual:.1f} "
                           f"({o.error:+.1f}s, allowed {low:+.1f}..{high:+.1f})")
        elif o.note.startswith("bound: stopped"):
            stopped = float(o.note.split()[-1])
            if stopped > o.due + 1:
                out.append(f"sigkill {o.pod}: containers ran until {stopped}, past the deadline {o.due}")
    return out


def _changes(path):
    return [i for i in read_recording(path).items if isinstance(i, Change)]


@pytest.fixture(scope="module")
def streams():
    return {"default": _changes(DEFAULT), "extra": _changes(EXTRA),
            "timers": record_scenario(TIMERS_SCENARIO, TIMERS_SECONDS)}


@pytest.fixture(scope="module")
def outcomes(streams):
    out, unexplained = {}, []
    for name, changes in streams.items():
        out[name] = measure(changes, unexplained)
        # The same kubelet without its "back-off 40s" message: every restart estimated.
        out[name] += [o for o in measure(without_backoff_messages(changes)) if o.kind == "restart"]
    out["unexplained"] = unexplained
    return out


@pytest.mark.parametrize("name", ["default", "extra", "timers"])
def test_every_timer_comes_true_within_the_api_precision(outcomes, name):
    assert violations(outcomes[name]) == []


def test_every_kind_of_timer_is_checked(outcomes):
    """The check is only as good as what it saw come true: each kind, and both bases of
    the restart timer, at least a few times."""
    hits: dict[tuple[str, bool], int] = {}
    for name in ("default", "extra", "timers"):
        for o in outcomes[name]:
            if o.error is not None:
                hits[(o.kind, o.measured)] = hits.get((o.kind, o.measured), 0) + 1
    assert hits.get(("restart", True), 0) >= 50 and hits.get(("restart", False), 0) >= 50
    assert hits.get(("pull", False), 0) >= 3
    for kind in PROBES:
        assert hits.get((kind, True), 0) >= 3, kind
    # A count that jumped (the demo's spam filter held writes back) leaves them estimated.
    assert sum(hits.get((kind, False), 0) for kind in PROBES) >= 1
    for kind in ("sigkill", "deadline"):
        assert hits.get((kind, True), 0) >= 2, kind


def test_the_next_column_shows_the_timers_checked_here(outcomes):
    assert outcomes["unexplained"] == []


def test_a_run_starting_in_an_event_carried_over_is_not_taken_for_a_whole_one(outcomes):
    """The liveness Event's count runs on across kills and restarts (same message). The
    new instance's first failure is one, not everything since the restart: before the
    fix podtui said "liveness 3/3", the kill due now, ten seconds early."""
    first_of_run = [o for o in outcomes["default"] if o.kind == "liveness" and o.error is not None and o.error > 1]
    assert first_of_run == []


T0 = 1_714_557_600.0


def _event(reason: str, message: str, first: float, last: float, count: int, uid: str) -> object:
    return normalize_event({
        "metadata": {"uid": uid, "name": f"p.{uid}", "namespace": "t"}, "type": "Warning", "reason": reason,
        "message": message, "count": count, "firstTimestamp": format_ts(T0 + first),
        "lastTimestamp": format_ts(T0 + last), "source": {"component": "kubelet"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "t", "uid": "u",
                           "fieldPath": "spec.containers{app}"}})


def _probe_after_restart(ptype: str, period: int, threshold: int, started: float, unhealthy, killing, now: float):
    field = {"liveness": "livenessProbe", "startup": "startupProbe"}[ptype]
    pod = {"spec": {"containers": [{"name": "app", field: {"httpGet": {"port": 80}, "periodSeconds": period,
                                                           "failureThreshold": threshold}}]},
           "status": {"containerStatuses": [{"name": "app", "ready": False, "started": False, "restartCount": 2,
                                             "state": {"running": {"startedAt": format_ts(T0 + started)}}}]}}
    name = ptype.capitalize()
    events = [_event("Unhealthy", f"{name} probe failed: HTTP probe failed with statuscode: 500", *unhealthy, "f"),
              _event("Killing", f"Container app failed {ptype} probe, will be restarted", *killing, "k")]
    (state,) = probe_states(SimpleNamespace(obj=pod, events=events, deleted_at=None, ladders={}), T0 + now)
    return state.streak, state.acts_at - T0


def test_failures_before_a_restart_are_counted_off_by_the_kills():
    """demo/liveness-fail (period 5, threshold 3): killed at 40 and 80, restarted at 91
    after its back-off, one failure at 120. The Event (count 7 since 30) holds the six
    failures that brought the two kills: the streak is 1, the kill due at 130 (was 3/3, due
    now). Upper bound alone (a failure every 5 s since 91) would say 6."""
    assert _probe_after_restart("liveness", 5, 3, 91, (30, 120, 7), (40, 80, 2), 120.5) == (1, 130)


def test_a_probe_tick_may_follow_the_start_within_the_second():
    """demo/startup-fail (period 3, threshold 5): restarted at 44, failures at 45 and 48.
    Two ticks fit in 44..48 when the first comes within a second of the start (the old
    bound, made for a kill's second, allowed one): 2/5, the kill due at 57, not 60."""
    assert _probe_after_restart("startup", 3, 5, 44, (6, 48, 12), (18, 33, 2), 48.5) == (2, 57)


def _deleted_pod(stamps: list[tuple[float, float, int]]):
    """A running pod podtui saw at each (observed, deletionTimestamp, grace), after T0."""
    from podtui.clock import ManualClock
    from podtui.lifecycle.changes import ADDED, MODIFIED, PODS
    from podtui.lifecycle.store import Store

    pod = {"metadata": {"name": "p", "namespace": "t", "uid": "u", "creationTimestamp": format_ts(T0)},
           "spec": {"terminationGracePeriodSeconds": 60, "containers": [{"name": "app", "image": "x"}]},
           "status": {"phase": "Running", "startTime": format_ts(T0),
                      "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                             "state": {"running": {"startedAt": format_ts(T0)}}}]}}
    store = Store(ManualClock(T0))
    store.apply(Change(PODS, ADDED, pod, T0))
    for observed, dts, grace in stamps:
        pod = {**pod, "metadata": {**pod["metadata"], "deletionTimestamp": format_ts(T0 + dts),
                                   "deletionGracePeriodSeconds": grace}}
        store.apply(Change(PODS, MODIFIED, pod, T0 + observed))
    return store.by_name("t", "p")


def test_a_shortened_grace_period_counts_from_when_it_was_seen():
    """kubectl delete at 40 (grace 60), again at 50 with --grace-period=7: the apiserver
    says deletionTimestamp 47 (40 + 7), but the kubelet starts the kill over with 7 s when
    it hears of it (pod_workers.go, killContainer): SIGKILL about 57, not "past grace"."""
    from podtui.lifecycle.nextstep import next_step
    from podtui.lifecycle.termination import termination

    rec = _deleted_pod([(40.0, 100, 60), (50.0, 47, 7)])
    assert termination(rec, T0 + 50).kill_at == T0 + 57
    assert next_step(rec, T0 + 50).text == "SIGKILL in 7s"
    # Seen only once podtui started watching: nothing to go on but the timestamp.
    assert termination(_deleted_pod([(50.0, 47, 7)]), T0 + 50).kill_at == T0 + 47
    # Shortened a second after the first request: still counted from when it was seen.
    assert termination(_deleted_pod([(40.0, 100, 60), (41.0, 70, 30)]), T0 + 41).kill_at == T0 + 71


@pytest.mark.parametrize("step", [1, -1])
def test_the_check_fails_when_the_back_off_curve_is_one_step_off(streams, monkeypatch, step):
    """The bounds are tight enough to catch a ladder one doubling off, read (measured)
    or estimated."""
    measured, estimated = backoff.crash_message_delay, backoff.crash_delay

    def off(delay):
        return None if delay is None else delay * 2.0 ** step

    monkeypatch.setattr(backoff, "crash_message_delay", lambda message: off(measured(message)))
    monkeypatch.setattr(backoff, "crash_delay", lambda *a: off(estimated(*a)))
    changes = streams["default"]
    said = [o for o in measure(changes) + measure(without_backoff_messages(changes)) if o.kind == "restart"]
    wrong = violations(said)
    assert {o.measured for o in said} == {True, False}
    assert len(wrong) >= 10, wrong
