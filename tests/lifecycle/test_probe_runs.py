"""Probe streaks through the Store: each write of a repeating Unhealthy Event says only
its latest count and time, so the store keeps the earlier ones (store._carry) and
probes._exact_run places every failure podtui saw written."""

from __future__ import annotations

import random

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import probe_states
from podtui.lifecycle.store import EARLIER_LIMIT, Store
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0


def pod(period=10, threshold=3, started=-100.0, restarts=0, ptype="liveness") -> dict:
    field = {"liveness": "livenessProbe", "readiness": "readinessProbe", "startup": "startupProbe"}[ptype]
    return {"metadata": {"uid": "u1", "name": "web-0", "namespace": "shop"},
            "spec": {"containers": [{"name": "app", field: {"httpGet": {"port": 8080}, "periodSeconds": period,
                                                            "failureThreshold": threshold}}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "ready": True, "started": True, "restartCount": restarts,
                 "state": {"running": {"startedAt": format_ts(T0 + started)}}}]}}


def event(api: str, uid: str, message: str, first: float, last: float, count: int, reason="Unhealthy") -> dict:
    """The Event as the API holds it after `count` occurrences, the first at `first`."""
    meta = {"uid": uid, "name": f"web-0.{uid}", "namespace": "shop"}
    ref = {"kind": "Pod", "name": "web-0", "namespace": "shop", "uid": "u1", "fieldPath": "spec.containers{app}"}
    if api == "v1":
        return {"metadata": meta, "involvedObject": ref, "reason": reason, "message": message, "type": "Warning",
                "count": count, "firstTimestamp": format_ts(T0 + first), "lastTimestamp": format_ts(T0 + last),
                "source": {"component": "kubelet"}}
    obj = {"metadata": meta, "regarding": ref, "reason": reason, "note": message, "type": "Warning",
           "eventTime": format_ts(T0 + first, micro=True), "reportingController": "kubelet"}
    if count > 1:
        obj["series"] = {"count": count, "lastObservedTime": format_ts(T0 + last, micro=True)}
    return obj


class Kubelet:
    """Writes Events as the kubelet's recorder does: the first occurrence creates the
    Event, each repeat updates it with count+1 and the new time (events_cache.go)."""

    def __init__(self, store: Store, api: str = "v1") -> None:
        self.store, self.api = store, api
        self.seen: dict[str, tuple[float, int]] = {}  # message -> (first, count)

    def write(self, message: str, at: float, reason: str = "Unhealthy", *, shown: bool = True,
              key: str | None = None) -> None:
        """`key`: the Event the write goes to (its message's own by default)."""
        key = key or message
        first, count = self.seen.get(key, (at, 0))
        self.seen[key] = (first, count + 1)
        if shown:  # False: the write is held back (spam filter) or podtui wasn't watching
            obj = event(self.api, key, message, first, at, count + 1, reason)
            self.store.apply(Change(EVENTS, MODIFIED if count else ADDED, obj, T0 + at + 0.3))


class Aggregating(Kubelet):
    """The recorder's EventAggregator too (events_cache.go): once 10 different messages
    of one reason came within 10 minutes, a message not among the last 9 goes to one
    Event, "(combined from similar events): <the latest message>", its count shared by
    them all; one among them still goes to its own. Which of the 10 is forgotten is
    Go's map order (PopAny): a seeded draw here."""

    def __init__(self, store: Store, api: str = "v1", seed: int = 0) -> None:
        super().__init__(store, api)
        self.similar: list[str] = []
        self.similar_at = float("-inf")
        self.draw = random.Random(seed)

    def write(self, message: str, at: float, reason: str = "Unhealthy", *, shown: bool = True,
              key: str | None = None) -> None:
        if at - self.similar_at > 600:
            self.similar = []
        if message not in self.similar:
            self.similar.append(message)
        self.similar_at = at
        if len(self.similar) < 10:
            super().write(message, at, reason, shown=shown)
            return
        self.similar.pop(self.draw.randrange(len(self.similar)))
        super().write("(combined from similar events): " + message, at, reason, shown=shown, key="combined")


def new_store(p: dict) -> Store:
    store = Store(ManualClock(T0))
    store.apply(Change(PODS, ADDED, p, T0 - 100))
    return store


def state_of(store: Store, now: float):
    (state,) = probe_states(store.by_name("shop", "web-0"), T0 + now)
    return state


# "F"/"G": a failure (two different messages), "S": a success.
RUNS = ["FFFF", "FSF", "FSFF", "FSSFF", "FFSFFF", "FGFG", "GSFF", "FFSGGG", "FFFSFFFFSFF", "FGSGFFSFGGF"]


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("results", RUNS)
def test_every_failure_podtui_saw_written_is_placed(results, api):
    """With every write seen, the streak is the worker's resultRun after each failure,
    whatever earlier failures the same Event holds (without the earlier writes podtui
    said 1 as soon as an Event held failures from before the current run)."""
    assert_every_streak(results, api, threshold=10)


def assert_every_streak(results: str, api: str, threshold: int, period: int = 10, kubelet=Kubelet) -> None:
    """Each failure of `results`, a tick apart, written and seen: the streak and the kill
    are the worker's after each, and the streak is exact."""
    store = new_store(pod(period, threshold))
    writer = kubelet(store, api)
    run = 0
    for tick, result in enumerate(results):
        if result == "S":
            run = 0
            continue
        at = tick * period
        writer.write(f"Liveness probe failed: {result}", at)
        run += 1
        state = state_of(store, at + 1)
        assert (state.streak, state.acts_at, state.exact) == (run, T0 + at + (threshold - run) * period, True), \
            results[:tick + 1]


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_a_run_after_a_kill_counts_from_the_kill_though_the_event_runs_on(api):
    """demo/liveness-fail: one Event's count runs on across kills and restarts. Second
    failure of the new instance: "liveness 2/3", the kill a period away (was 1/3, a
    period late)."""
    store = new_store(pod(period=5, threshold=3, started=0))
    kubelet = Kubelet(store, api)
    for at in (30, 35, 40):
        kubelet.write("Liveness probe failed: HTTP probe failed with statuscode: 500", at)
    kubelet.write("Container app failed liveness probe, will be restarted", 40, reason="Killing")
    store.apply(Change(PODS, MODIFIED, pod(period=5, threshold=3, started=51, restarts=1), T0 + 51.3))
    for at, streak in ((70, 1), (75, 2)):
        kubelet.write("Liveness probe failed: HTTP probe failed with statuscode: 500", at)
        state = state_of(store, at + 0.5)
        assert (state.streak, state.acts_at) == (streak, T0 + 80)
    assert next_step(store.by_name("shop", "web-0"), T0 + 75.5).text == "liveness 2/3, kill in ~5s"


def test_failures_not_seen_one_by_one_are_estimated_and_no_fewer_than_those_seen():
    """A write that skipped counts (podtui started watching mid-run, or the spam filter
    held writes back) leaves those failures somewhere between two writes: the streak is
    then estimated from the Event's span as before, but never below the failures placed."""
    store = new_store(pod(period=10, threshold=10))
    kubelet = Kubelet(store)
    for at in (0, 10, 20, 30):
        kubelet.write("Liveness probe failed: a", at, shown=at == 30)  # seen first at count 4
    assert state_of(store, 31).streak == 4  # they fill their span: a run, as before
    kubelet.write("Liveness probe failed: a", 40)
    assert state_of(store, 41).streak == 5

    store = new_store(pod(period=10, threshold=10))
    kubelet = Kubelet(store)
    for at in (-600, -300, 0, 10):
        kubelet.write("Liveness probe failed: a", at, shown=at >= 0)  # seen first at count 3
    # The span (count 3 over ten minutes) says scattered; the writes seen say 0 and 10.
    assert state_of(store, 11).streak == 2
    kubelet.write("Liveness probe failed: a", 20)
    assert state_of(store, 21).streak == 3


def _earlier(store: Store, uid: str) -> tuple:
    return store.by_name("shop", "web-0").event_index[uid].earlier


def test_the_store_keeps_a_few_earlier_writes_of_probe_failures_only():
    store = new_store(pod())
    kubelet = Kubelet(store)
    for k in range(20):
        kubelet.write("Liveness probe failed: a", 10 * k)
        kubelet.write("Back-off restarting failed container app in pod web-0", 10 * k, reason="BackOff")
    kept = _earlier(store, "Liveness probe failed: a")
    assert len(kept) == 2 * EARLIER_LIMIT
    assert kept[:2] == (20 - EARLIER_LIMIT, T0 + 10 * (19 - EARLIER_LIMIT))  # (count, time), the newest 8
    assert kept[-2:] == (19, T0 + 180)
    # Nothing reads a back-off Event's past: it keeps none.
    assert _earlier(store, "Back-off restarting failed container app in pod web-0") == ()


def test_relisted_stale_and_recreated_copies_keep_the_writes_right():
    store = new_store(pod())
    msg = "Readiness probe failed: 503"
    for count, at in ((1, 0), (2, 10), (3, 20)):
        store.apply(Change(EVENTS, MODIFIED, {**event("v1", "e", msg, 0, at, count),
                                              "metadata": {"uid": "e", "name": "x", "namespace": "shop",
                                                           "resourceVersion": str(10 + count)}}, T0 + at))
    rec = store.by_name("shop", "web-0")
    before, version = rec.event_index["e"], rec.version
    assert before.earlier == (2, T0 + 10)
    # A relist's copy of the same write: nothing changes, nothing is repainted.
    store.apply(Change(EVENTS, ADDED, {**event("v1", "e", msg, 0, 20, 3),
                                       "metadata": {"uid": "e", "name": "x", "namespace": "shop",
                                                    "resourceVersion": "13"}}, T0 + 25))
    assert rec.event_index["e"] is before and rec.version == version
    # A stale copy (relist racing the watch) is ignored.
    store.apply(Change(EVENTS, MODIFIED, {**event("v1", "e", msg, 0, 10, 2),
                                          "metadata": {"uid": "e", "name": "x", "namespace": "shop",
                                                       "resourceVersion": "12"}}, T0 + 25))
    assert rec.event_index["e"] is before
    # A count that went down is another Event under the same identity (a name reused once
    # the old one expired, when there is no uid): what the old one said is not its past.
    for count, at in ((1, 100), (2, 110)):
        store.apply(Change(EVENTS, MODIFIED, {**event("v1", "e", msg, 100, at, count),
                                              "metadata": {"uid": "e", "name": "x", "namespace": "shop",
                                                           "resourceVersion": str(20 + count)}}, T0 + at))
    assert rec.event_index["e"].count == 2 and rec.event_index["e"].earlier == ()


def test_writes_before_the_pod_is_known_are_kept_too():
    """An Event may come before its pod (the events list finishing first)."""
    p = pod(period=10, threshold=5)
    store = Store(ManualClock(T0))
    kubelet = Kubelet(store)
    for at in (-200, 0, 10, 20):
        kubelet.write("Liveness probe failed: a", at)
    assert store.pending_events == 1
    store.apply(Change(PODS, ADDED, p, T0 + 20.5))
    state = state_of(store, 21)
    assert (state.streak, state.acts_at) == (3, T0 + 40)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("results", ["FFS" + "F" * 14, "FSSS" + "F" * 13, "FFFSF" + "F" * 12, "F" * 17])
def test_a_run_longer_than_the_writes_kept_keeps_counting(results, api):
    """The store keeps EARLIER_LIMIT earlier writes; a run past them whose Event also
    holds failures from before a success stalled at 9 (the kept writes and the newest),
    the Event's span saying 'scattered'. Every write was seen: the count keeps rising."""
    assert_every_streak(results, api, threshold=20)


def restarted_at(started: float, finished: float, **kw) -> dict:
    """pod() whose container ran until `finished` (lastState, as every restarted one has)
    and again from `started`."""
    p = pod(started=started, restarts=1, **kw)
    p["status"]["containerStatuses"][0]["lastState"] = {"terminated": {
        "exitCode": 1, "reason": "Error", "startedAt": format_ts(T0 - 100), "finishedAt": format_ts(T0 + finished)}}
    return p


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_an_even_stretch_across_a_crash_restart_is_one_run(api):
    """The old instance's failures, a period apart right up to its crash, and the new
    one's: the kubelet's worker outlives the container and only a probe's own kill starts
    its run again (worker.go), so a readiness run of 16 goes on at 17."""
    store = new_store(pod(period=10, threshold=30, started=-100, ptype="readiness"))
    kubelet = Kubelet(store, api)
    for at in range(0, 160, 10):
        kubelet.write("Readiness probe failed: 503", at)
    store.apply(Change(PODS, MODIFIED, restarted_at(155, 152, period=10, threshold=30, ptype="readiness"), T0 + 155.3))
    for run, at in enumerate(range(160, 280, 10), start=17):
        kubelet.write("Readiness probe failed: 503", at)
        assert state_of(store, at + 1).streak == run


def test_a_long_run_is_counted_in_bounded_memory():
    store = new_store(pod(period=10, threshold=500))
    kubelet = Kubelet(store)
    kubelet.write("Liveness probe failed: a", 0)
    for tick in range(2, 302):  # a success at tick 1, then 300 failures in a row
        kubelet.write("Liveness probe failed: a", 10 * tick)
    assert state_of(store, 3011).streak == 300
    ev = store.by_name("shop", "web-0").event_index["Liveness probe failed: a"]
    assert len(ev.earlier) == 2 * EARLIER_LIMIT and len(ev.run) == 7


# Longer than the writes kept per Event, after a success (so neither Event's own span says
# "a run"): alternating messages, each Event one repeat in two, or three in turn.
ALTERNATING = ["FGS" + "FG" * 12, "FGFGSS" + "GF" * 12, "FSGSFSG" + "FG" * 12, "FGHS" + "FGH" * 11,
               "FFGGS" + "FGFFG" * 5 + "SGF" * 3 + "FG" * 10]


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("results", ALTERNATING)
def test_failures_alternating_between_messages_are_placed_across_their_events(results, api):
    """"Get ...: context deadline exceeded" and "HTTP probe failed with statuscode: 500" in
    turn: two Events, each growing every other period. Each Event's writes alone are two
    periods apart, a success's gap; merged in time order they are one run. Podtui fell
    back to the Events' spans once a run outgrew the writes kept, and stalled at 18."""
    assert_every_streak(results, api, threshold=40)


def _flapping(seed: int, ticks: int = 90, messages: int = 14) -> str:
    """A probe whose output varies (an exec probe printing a figure): failures with one
    of `messages` messages, now and then a success."""
    draw = random.Random(seed)
    return "".join("S" if draw.random() < 0.08 else chr(ord("A") + draw.randrange(messages)) for _ in range(ticks))


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("seed", [0, 2, 3, 4])
def test_failures_split_between_the_combined_event_and_their_own_are_placed(seed, api):
    """Past 10 different messages in 10 minutes the recorder writes the new ones to one
    "(combined from similar events)" Event and the rest to their own: a run is spread over
    them in no fixed order, and each write is still one failure in time order."""
    assert_every_streak(_flapping(seed), api, threshold=100, kubelet=lambda store, api: Aggregating(store, api, seed))


def test_writes_relisted_out_of_time_order_are_not_taken_for_a_broken_run():
    """After a watch outage the relist may bring each Event's one missed write in name
    order, the newer first: the stretch the newer one ends lacks the older. Trusted, it
    would say 1 (the newer's gap from the newest before looks like a success's); the run
    is 32."""
    store = new_store(pod(period=10, threshold=40))
    kubelet = Kubelet(store)
    for tick in range(30):
        kubelet.write(f"Liveness probe failed: {'FG'[tick % 2]}", 10 * tick)
    kubelet.write("Liveness probe failed: F", 300, shown=False)
    kubelet.write("Liveness probe failed: G", 310)
    store.apply(Change(EVENTS, MODIFIED, event("v1", "Liveness probe failed: F", "Liveness probe failed: F",
                                                 0, 300, 16), T0 + 311))
    state = state_of(store, 311)
    assert (state.streak, state.acts_at) == (32, T0 + 310 + 8 * 10)


def test_alternating_writes_before_the_pod_is_known_are_merged_too():
    store = Store(ManualClock(T0))
    kubelet = Kubelet(store)
    kubelet.write("Liveness probe failed: F", -200)
    for tick in range(24):  # 24 failures in a row, after a success
        kubelet.write(f"Liveness probe failed: {'GF'[tick % 2]}", 10 * tick)
    store.apply(Change(PODS, ADDED, pod(period=10, threshold=30), T0 + 231))
    state = state_of(store, 231)
    assert (state.streak, state.acts_at) == (24, T0 + 230 + 6 * 10)
