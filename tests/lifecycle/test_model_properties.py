"""Property tests: random watch-event sequences, malformed objects included.

The store must never raise, never fall back on its catch-all (every bad input is
handled by an explicit check and reported as a Problem), keep every history in time
order and within its bound, and the timers must read any record it holds.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podtui.clock import ManualClock
from podtui.lifecycle.backoff import backoffs
from podtui.lifecycle.changes import ADDED, BOOKMARK, DELETED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle.history import History, diff, reconstruct
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import effective_probes, probe_states
from podtui.lifecycle.records import Transition
from podtui.lifecycle.store import Store
from podtui.lifecycle.termination import termination

T0 = 1_714_557_600.0  # 2024-05-01T10:00:00Z

garbage = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def maybe(strategy, bad_rate: int = 8):
    """Usually `strategy`, sometimes garbage or missing (None)."""
    return st.sampled_from([False] * bad_rate + [True]).flatmap(lambda bad: garbage if bad else strategy)


def _ts(seconds: int) -> str:
    from podtui.lifecycle.times import format_ts

    return format_ts(T0 + seconds)


timestamps = maybe(st.integers(-600, 3600).map(_ts)) | st.sampled_from(["", "yesterday", "2024-13-45T99:99:99Z"])
names = st.sampled_from(["app", "side", "init", "dbg"])
reasons = st.sampled_from(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ContainerCreating",
                           "PodInitializing", "Error", "OOMKilled", "Completed", "Weird", ""])
messages = st.sampled_from(["", "back-off 40s restarting failed container=app pod=p_ns(u)", "back-off 5m0s restarting",
                            "back-off nonsense restarting failed container", 'Back-off pulling image "x"'])

waiting = st.fixed_dictionaries({"reason": maybe(reasons)}, optional={"message": maybe(messages)})
running = st.fixed_dictionaries({}, optional={"startedAt": timestamps})
terminated = st.fixed_dictionaries({}, optional={
    "exitCode": maybe(st.integers(0, 255)), "signal": maybe(st.integers(0, 15)), "reason": maybe(reasons),
    "startedAt": timestamps, "finishedAt": timestamps, "containerID": maybe(st.sampled_from(["c://1", "c://2"])),
    "message": maybe(messages)})
state = maybe(st.one_of(st.fixed_dictionaries({"waiting": waiting}), st.fixed_dictionaries({"running": running}),
                        st.fixed_dictionaries({"terminated": terminated}), st.just({})))
container_status = maybe(st.fixed_dictionaries({
    "name": maybe(names), "state": state, "restartCount": maybe(st.integers(0, 12)), "ready": maybe(st.booleans()),
}, optional={"lastState": state, "started": maybe(st.booleans()),
             "containerID": maybe(st.sampled_from(["c://1", "c://2", "c://3"]))}))
condition = maybe(st.fixed_dictionaries({"type": maybe(st.sampled_from(
    ["Ready", "ContainersReady", "Initialized", "PodScheduled", "DisruptionTarget", "example.com/gate"])),
    "status": maybe(st.sampled_from(["True", "False", "Unknown"]))},
    optional={"reason": maybe(reasons), "message": maybe(messages), "lastTransitionTime": timestamps}))
probe = maybe(st.fixed_dictionaries({}, optional={
    "httpGet": maybe(st.fixed_dictionaries({"port": maybe(st.integers(1, 9000))})),
    "exec": maybe(st.fixed_dictionaries({"command": maybe(st.lists(st.text(max_size=3), max_size=2))})),
    "periodSeconds": maybe(st.integers(-1, 30)), "failureThreshold": maybe(st.integers(-1, 5)),
    "initialDelaySeconds": maybe(st.integers(0, 30))}))
container_spec = maybe(st.fixed_dictionaries({"name": maybe(names)}, optional={
    "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe,
    "restartPolicy": maybe(st.just("Always")),
    "lifecycle": maybe(st.fixed_dictionaries({"preStop": maybe(st.fixed_dictionaries({}))}))}))
status = maybe(st.fixed_dictionaries({
    "phase": maybe(st.sampled_from(["Pending", "Running", "Succeeded", "Failed", "Unknown"])),
    "conditions": maybe(st.lists(condition, max_size=4)),
    "containerStatuses": maybe(st.lists(container_status, min_size=1, max_size=3)),
}, optional={
    "reason": maybe(st.sampled_from(["Evicted", "NodeLost", "DeadlineExceeded"])),
    "initContainerStatuses": maybe(st.lists(container_status, max_size=2)),
    "podIP": maybe(st.sampled_from(["10.0.0.1", "10.0.0.2"])),
    "podIPs": maybe(st.lists(st.fixed_dictionaries({"ip": maybe(st.sampled_from(["10.0.0.1", "fd00::1"]))}), max_size=2)),
    "startTime": timestamps, "nominatedNodeName": maybe(st.sampled_from(["n1", "n2"]))}))
spec = maybe(st.fixed_dictionaries({}, optional={
    "containers": maybe(st.lists(container_spec, max_size=3)), "initContainers": maybe(st.lists(container_spec, max_size=2)),
    "nodeName": maybe(st.sampled_from(["n1", "n2"])), "activeDeadlineSeconds": maybe(st.integers(-5, 900)),
    "readinessGates": maybe(st.lists(st.fixed_dictionaries({"conditionType": maybe(st.just("example.com/gate"))}),
                                     max_size=1))}))
metadata = maybe(st.fixed_dictionaries({
    "uid": maybe(st.sampled_from(["u1", "u2", "u3", "u4"]), bad_rate=10),
    "name": maybe(st.sampled_from(["web-0", "web-1"])), "namespace": maybe(st.just("shop")),
}, optional={
    "creationTimestamp": timestamps, "deletionTimestamp": timestamps,
    "deletionGracePeriodSeconds": maybe(st.integers(0, 60)),
    "finalizers": maybe(st.lists(st.sampled_from(["a/b", "c/d"]), max_size=2)),
    "resourceVersion": maybe(st.integers(1, 999).map(str))}), bad_rate=12)
pod = maybe(st.fixed_dictionaries({"metadata": metadata, "status": status}, optional={"spec": spec}), bad_rate=15)

involved = st.fixed_dictionaries({"kind": st.sampled_from(["Pod", "Pod", "Node"]),
                                   "name": maybe(st.sampled_from(["web-0", "web-1"])), "namespace": maybe(st.just("shop"))},
                                  optional={"uid": maybe(st.sampled_from(["u1", "u2", "u9"])),
    "fieldPath": maybe(st.sampled_from(["spec.containers{app}", "spec.initContainers{init}", "spec.containers{"]))})
event_meta = maybe(st.fixed_dictionaries({"uid": maybe(st.sampled_from(["e1", "e2", "e3"]))}, optional={
    "name": maybe(st.sampled_from(["x.1", "x.2"])), "resourceVersion": maybe(st.integers(1, 99).map(str))}))
core_event = st.fixed_dictionaries({"metadata": event_meta, "involvedObject": involved,
                                    "lastTimestamp": timestamps}, optional={
    "reason": maybe(st.sampled_from(["Unhealthy", "Killing", "BackOff", "Failed", "ProbeWarning"])),
    "message": maybe(st.sampled_from(["Liveness probe failed: x", "Readiness probe failed: y",
                                      "Container app failed liveness probe, will be restarted",
                                      "(combined from similar events): Startup probe failed: z",
                                      'Failed to pull image "x": nope'])),
    "count": maybe(st.integers(-1, 50)), "firstTimestamp": timestamps,
    "series": maybe(st.fixed_dictionaries({}, optional={"count": maybe(st.integers(0, 9)),
                                                        "lastObservedTime": timestamps}))})
v1_event = st.fixed_dictionaries({"metadata": event_meta, "regarding": involved}, optional={
    "note": maybe(st.sampled_from(["Liveness probe failed: x", "Back-off restarting failed container app"])),
    "reason": maybe(st.sampled_from(["Unhealthy", "BackOff"])), "eventTime": timestamps,
    "series": maybe(st.fixed_dictionaries({}, optional={"count": maybe(st.integers(0, 9)),
                                                        "lastObservedTime": timestamps}))})
event = maybe(st.one_of(core_event, v1_event), bad_rate=12)

change_types = st.sampled_from([ADDED, MODIFIED, MODIFIED, MODIFIED, DELETED, BOOKMARK, "ERROR"])
pod_change = st.tuples(st.just(PODS), change_types, pod)
event_change = st.tuples(st.just(EVENTS), change_types, event)
other_change = st.tuples(st.sampled_from(["nodes", "pods"]), st.sampled_from([ADDED, BOOKMARK]), garbage)
changes = st.lists(st.one_of(pod_change, pod_change, event_change, other_change), min_size=1, max_size=40)
steps = st.lists(st.one_of(st.floats(0, 120), st.just(math.nan), st.just(-30.0)), min_size=40, max_size=40)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(seq, gaps, **kwargs) -> Store:
    clock = ManualClock(T0)
    store = Store(clock, **kwargs)
    t = T0
    for (resource, kind, obj), gap in zip(seq, gaps):
        if not math.isnan(gap):
            t += gap
            clock.set(max(t, T0))
        store.apply(Change(resource, kind, obj, t if not math.isnan(gap) else math.nan))
    return store


def assert_sound(store: Store, now: float, history_limit: int) -> None:
    crashes = [p.text for p in store.problems if p.text.startswith("could not apply")]
    assert crashes == [], crashes
    for rec in store.pods.values():
        times = [e.at for e in rec.history.entries]
        assert times == sorted(times), f"{rec}: history out of order"
        assert all(isinstance(x, float) and math.isfinite(x) for x in times)
        assert len(rec.history.entries) <= history_limit
        lasts = [e.last for e in rec.events]
        assert all(isinstance(x, float) for x in lasts)
        assert lasts == sorted(lasts)
        # The timers read any record the store holds.
        backoffs(rec, now)
        probe_states(rec, now)
        termination(rec, now)
        step = next_step(rec, now)
        assert step is None or isinstance(step.text, str) and step.text


@PROPERTY
@given(changes, steps, st.integers(1, 8))
def test_random_sequences_never_break_the_store(seq, gaps, limit):
    store = run(seq, gaps, history_limit=limit, events_per_pod=5, pending_events_limit=3)
    assert_sound(store, T0 + 4000, limit)
    assert store.pending_events <= 3
    store.expire(T0 + 10_000)
    assert all(not r.is_tombstone for r in store.pods.values())


@PROPERTY
@given(changes, steps)
def test_bad_objects_are_reported(seq, gaps):
    """Every pod change that can't be used (not a mapping, no metadata, no uid) is a
    Problem; everything usable lands in the store."""
    store = run(seq, gaps)
    unusable = 0
    for resource, kind, obj in seq:
        if resource != PODS:
            continue
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        if not isinstance(meta, dict):
            unusable += 1  # not a mapping, or no metadata (a BOOKMARK needs it too)
            continue
        if kind == BOOKMARK:
            continue
        uid = meta.get("uid")
        if not isinstance(uid, str) or not uid or kind not in (ADDED, MODIFIED, DELETED):
            unusable += 1
    pod_problems = [p for p in store.problems if p.resource == PODS]
    assert len(pod_problems) == unusable, [p.text for p in pod_problems]


@PROPERTY
@given(changes, steps)
def test_dirty_and_versions(seq, gaps):
    clock = ManualClock(T0)
    store = Store(clock)
    versions: dict[str, int] = {}
    t = T0
    for (resource, kind, obj), gap in zip(seq, gaps):
        t += 0 if math.isnan(gap) else gap
        store.apply(Change(resource, kind, obj, t))
        dirty = store.take_dirty()
        for uid, rec in store.pods.items():
            old = versions.get(uid)
            assert old is None or rec.version >= old
            if old is not None and rec.version != old:
                assert uid in dirty, "a changed record must be reported dirty"
            versions[uid] = rec.version
        assert store.take_dirty() == set()


@PROPERTY
@given(pod, pod, st.floats(T0, T0 + 5000))
def test_diff_and_reconstruct_take_anything(old, new, observed):
    for entries in (diff(old, new, observed), reconstruct(new, observed)):
        assert all(isinstance(e, Transition) for e in entries)
        times = [e.at for e in entries]
        assert times == sorted(times)
    assert diff(new, new, observed) == []
    effective_probes(new if isinstance(new, dict) else {})


@PROPERTY
@given(st.lists(st.floats(0, 1000), max_size=60), st.integers(1, 10))
def test_history_stays_ordered_and_bounded(times, limit):
    h = History(limit)
    for i, at in enumerate(times):
        h.add(Transition(at=at, kind="phase", new=str(i)))
    entries = list(h.entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert len(entries) == min(limit, len(times))
    assert len(entries) + h.dropped == len(times)
    # What is kept is the newest by time.
    assert sorted(e.at for e in entries) == sorted(times)[len(times) - len(entries):]


def _simple_pod(uid: str, name: str) -> dict:
    return {"metadata": {"uid": uid, "name": name, "namespace": "shop", "creationTimestamp": _ts(0)},
            "spec": {"containers": [{"name": "app", "livenessProbe": {"httpGet": {"port": 8080}}}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 0, "state": {"running": {"startedAt": _ts(5)}}}]}}


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from([ADDED, MODIFIED, DELETED]), event), min_size=1, max_size=40),
       st.booleans())
def test_events_attach_deduplicated_and_ordered(evs, pods_first):
    store = Store(ManualClock(T0), events_per_pod=4, pending_events_limit=5)
    pods = [Change(PODS, ADDED, _simple_pod("u1", "web-0"), T0), Change(PODS, ADDED, _simple_pod("u2", "web-1"), T0)]
    if pods_first:
        store.apply_batch(pods)
    for i, (kind, obj) in enumerate(evs):
        store.apply(Change(EVENTS, kind, obj, T0 + i))
    if not pods_first:
        store.apply_batch(pods)
    assert_sound(store, T0 + 100, 500)
    assert store.pending_events <= 5
    for rec in store.pods.values():
        assert len(rec.events) <= 4
        uids = [e.uid for e in rec.events]
        assert len(uids) == len(set(uids)), "one record per Event"
        assert set(rec.event_index) == set(uids)
        for e in rec.events:
            assert e.involved_uid in ("", rec.uid)


@PROPERTY
@given(pod, status, st.one_of(st.none(), st.just(_ts(10))), st.one_of(st.none(), st.just("n2")))
def test_the_row_is_kept_only_when_nothing_it_reads_changed(old, new_status, deletion, node):
    """The store reuses the row when diff_versions reports nothing touched: that must
    never hide a change in kubectl's columns (spec and metadata stay immutable here,
    as the API keeps them, except deletionTimestamp and nodeName)."""
    from podtui.lifecycle.columns import pod_row
    from podtui.lifecycle.history import diff_versions

    if not isinstance(old, dict):
        return
    new = dict(old, status=new_status)
    if deletion and isinstance(old.get("metadata"), dict):
        new["metadata"] = dict(old["metadata"], deletionTimestamp=deletion)
    if node and isinstance(old.get("spec"), dict):
        new["spec"] = dict(old["spec"], nodeName=node)
    _, touched = diff_versions(old, new, T0)
    if not touched:
        assert pod_row(old) == pod_row(new)
