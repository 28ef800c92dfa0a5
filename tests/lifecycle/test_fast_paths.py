"""The apply path's fast paths (an unchanged status compared in one step, the row kept
when nothing it reads changed) never make the model say less than a fresh look would.

Each property checks the cached answer against one computed from scratch: the row the
store keeps against pod_row() of the object it holds, a diff against the diff of
freshly copied objects, history against what each step's diff produced.

Random pods alone rarely share sub-structures, so most inputs here are a pod and
versions derived from it by a few edits (the shape of real watch traffic, where one
container or condition moves and the rest is equal but freshly decoded), plus the
kubelet-like stream the benchmark applies.
"""

from __future__ import annotations

import copy
from collections import Counter
import json
import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, DELETED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle.columns import pod_row
from podtui.lifecycle.history import diff_versions
from podtui.lifecycle.store import Store
from tests.lifecycle.test_model_properties import T0, event, pod

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_model  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "columns"
SEED_PODS = [c["pod"] for name in ("pods_upstream.json", "pods_podtui.json")
             for c in json.loads((FIXTURES / name).read_text())["cases"]]


def _bench_pods() -> list[dict]:
    saved = random.getstate()  # bench_model draws container IDs from the global generator
    random.seed(1)
    try:
        return [bench_model.make_pod(i) for i in range(5)]
    finally:
        random.setstate(saved)


SEED_PODS += _bench_pods()

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- deriving versions: a pod with a few of its pieces replaced by another pod's


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside `node` (dict keys and list indexes)."""
    out = [prefix]
    if type(node) is dict:
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif type(node) is list:
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _get(node: object, path: tuple) -> tuple[bool, object]:
    for key in path:
        if type(node) is dict and type(key) is str and key in node:
            node = node[key]
        elif type(node) is list and type(key) is int and key < len(node):
            node = node[key]
        else:
            return False, None
    return True, node


def derive(old: object, donor: object, rnd: random.Random, edits: int) -> object:
    """A copy of `old` with `edits` pieces changed: replaced by the donor's piece at the
    same path (or another of its pieces), deleted, or a container/condition moved."""
    new = copy.deepcopy(old)
    donor_paths = _paths(donor)
    for _ in range(edits):
        paths = _paths(new)
        path = rnd.choice(paths)
        if not path:
            new = copy.deepcopy(donor)
            continue
        found, parent = _get(new, path[:-1])
        key = path[-1]
        roll = rnd.random()
        if roll < 0.5:
            ok, value = _get(donor, path)
            if not ok:
                _, value = _get(donor, rnd.choice(donor_paths))
            parent[key] = copy.deepcopy(value)
        elif roll < 0.7:
            del parent[key]
        elif roll < 0.85 and type(parent) is list and len(parent) > 1:
            parent.insert(rnd.randrange(len(parent)), parent.pop(key))
        elif type(parent[key]) is bool:
            parent[key] = not parent[key]
        elif type(parent[key]) is int:
            parent[key] += rnd.choice([-1, 1, 2])
        else:
            parent[key] = copy.deepcopy(parent[key])  # equal but not the same object
    return new


seed_pod = st.one_of(pod, st.integers(0, len(SEED_PODS) - 1).map(SEED_PODS.__getitem__))
versions = st.tuples(seed_pod, st.lists(st.tuples(seed_pod, st.integers(1, 4)),
                                        min_size=1, max_size=6), st.randoms(use_true_random=False))


def chain(start: object, steps: list, rnd: random.Random) -> list[object]:
    out = [start]
    for donor, edits in steps:
        out.append(derive(out[-1], donor, rnd, edits))
    return out


def kubelet_chain(seed: int, n: int) -> list[dict]:
    """The benchmark's stream for one pod: readiness flips, crashes, back-off, restarts."""
    rnd = random.Random(seed)
    saved = random.getstate()  # bench_model draws container IDs from the global generator
    random.seed(seed)
    try:
        p = bench_model.make_pod(seed % 100)
        out = [copy.deepcopy(p)]
        now = bench_model.T0
        for _ in range(n):
            now += rnd.choice([0.01, 1.0, 30.0])
            bench_model.kubelet_step(p, now, rnd)
            out.append(copy.deepcopy(p))
        return out
    finally:
        random.setstate(saved)


# -- the pieces


def _same_as_fresh(versions_: list[object], observed: float) -> None:
    for old, new in zip(versions_, versions_[1:]):
        transitions, touched = diff_versions(old, new, observed)
        # Shared sub-objects (the fast path's `is` checks) must not change the answer.
        assert (transitions, touched) == diff_versions(copy.deepcopy(old), copy.deepcopy(new), observed)
        if not touched and type(old) is dict and type(new) is dict:
            assert pod_row(old) == pod_row(new), "row kept although a column changed"
        assert diff_versions(new, copy.deepcopy(new), observed)[0] == []


@SETTINGS
@given(versions, st.floats(T0, T0 + 5000))
def test_diff_is_the_same_on_derived_versions_as_on_fresh_copies(v, observed):
    start, steps, rnd = v
    _same_as_fresh(chain(start, steps, rnd), observed)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_diff_is_the_same_on_the_kubelet_stream_as_on_fresh_copies(seed):
    _same_as_fresh(kubelet_chain(seed, 30), bench_model.T0 + 5)


def test_the_kubelet_stream_is_told_apart():
    """A guard on the generator itself: it yields readiness flips and crashes."""
    pods = kubelet_chain(3, 12)
    kinds = {t.kind for old, new in zip(pods, pods[1:]) for t in diff_versions(old, new, T0)[0]}
    assert {"ready", "condition", "container-state"} <= kinds


def test_pod_row_is_the_same_on_a_copy_for_every_fixture():
    for p in SEED_PODS:
        assert pod_row(p) == pod_row(copy.deepcopy(p))


# -- the whole store


def _with_uid(p: object, uid: str) -> object:
    if type(p) is dict and type(p.get("metadata")) is dict:
        p = dict(p, metadata=dict(p["metadata"], uid=uid, name="web-0", namespace="shop"))
    return p


def assert_store_matches_fresh(changes: list[Change]) -> None:
    """After every change, the row the store keeps is pod_row() of the object it holds,
    and a modified pod's history grew by exactly what the diff of its two versions said."""
    store = Store(ManualClock(T0), history_limit=1000)
    for change in changes:
        before = {uid: (rec.obj, Counter(map(repr, rec.history.entries)), rec.history.newest())
                  for uid, rec in store.pods.items()}
        store.apply(change)
        for uid, rec in store.pods.items():
            if type(rec.obj) is dict and rec.row.status != "Unknown":
                assert rec.row == pod_row(rec.obj), f"stale row after {change.type} {rec.obj!r} before {before.get(uid, (None,))[0]!r}"
            if (uid in before and change.resource == PODS and change.type == MODIFIED and rec.obj is change.obj
                    and rec.deleted_at is None):
                old_obj, seen, floor = before[uid]
                grew = Counter(map(repr, rec.history.entries)) - seen
                assert grew == Counter(map(repr, diff_versions(old_obj, rec.obj, change.observed, floor)[0]))


@SETTINGS
@given(versions, st.lists(st.sampled_from([MODIFIED, MODIFIED, MODIFIED, ADDED, DELETED]), min_size=8, max_size=8),
       st.lists(event, max_size=4))
def test_store_matches_fresh_on_derived_versions(v, kinds, evs):
    start, steps, rnd = v
    changes = [Change(PODS, ADDED if i == 0 else kinds[i % len(kinds)], _with_uid(p, "u1"), T0 + i)
               for i, p in enumerate(chain(start, steps, rnd))]
    for i, e in enumerate(evs):
        changes.insert(rnd.randrange(len(changes) + 1), Change(EVENTS, MODIFIED, e, T0 + 0.5 + i))
    assert_store_matches_fresh(changes)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_store_matches_fresh_on_the_kubelet_stream(seed):
    pods = kubelet_chain(seed, 60)
    assert_store_matches_fresh([Change(PODS, ADDED if i == 0 else MODIFIED, p, bench_model.T0 + i * 0.5)
                                for i, p in enumerate(pods)])


# -- NEXT's cached probe settings


def _records_spread() -> list[tuple[object, float]]:
    """Every pod of the model and column fixtures, and of both demo recordings (liveness
    kills, startup kills, readiness flaps, sidecars, init containers...) at moments when
    probes are failing and at the end."""
    from tests.explain.explain_helpers import DEFAULT, EXTRA, fold
    from tests.lifecycle.model_fixtures import Run, fixture_paths, load

    out = []
    for path in fixture_paths():
        run = Run(load(path))
        out += [(rec, run.now) for rec in run.store.pods.values()]
    store = Store(ManualClock(T0))
    for i, p in enumerate(SEED_PODS):
        if type(p) is dict and type(p.get("metadata")) is dict:
            p = dict(p, metadata=dict(p["metadata"], uid=f"seed-{i}", name=f"seed-{i}", namespace="shop"))
            store.apply(Change(PODS, ADDED, copy.deepcopy(p), T0))
    out += [(rec, T0 + 30) for rec in store.pods.values()]
    for recording in (DEFAULT, EXTRA):
        for until in (20, 38, 75, 120, 200, None):
            store, now = fold(recording, until=until)
            out += [(rec, now) for rec in store.pods.values()]
    return out


def test_next_step_and_probe_states_from_the_caches_equal_a_fresh_read():
    """Probe settings are kept per probe dict and per pod spec, by identity. What NEXT
    and the Probes pane say from them equals what a fresh copy of the pod, read with
    empty caches, says; and a pod without a failed-probe Event has no probe streak
    (next_step does not look at its probes)."""
    from types import SimpleNamespace

    from podtui.lifecycle import probes
    from podtui.lifecycle.nextstep import next_step
    from podtui.lifecycle.probes import counts_as_failure, effective_probes, probe_settings, probe_states

    spread = _records_spread()
    steps = {getattr(next_step(r, now), "text", "") for r, now in spread}
    assert {"liveness 1/3, kill in ~6s", "liveness 2/3, kill in ~5s", "ready when readiness passes"} <= steps, steps
    for rec, now in spread:
        cached = (probe_states(rec, now), next_step(rec, now))
        assert rec.probe_memo is not None and rec.probe_memo[0] is rec.obj.get("spec")
        again = (probe_states(rec, now), next_step(rec, now))  # from the memo
        probes._SETTINGS.clear()
        fresh_rec = SimpleNamespace(**{k: getattr(rec, k) for k in type(rec).__slots__ if k != "probe_memo"},
                                    probe_memo=None)
        fresh_rec.obj = copy.deepcopy(rec.obj)
        fresh = (probe_states(fresh_rec, now), next_step(fresh_rec, now))
        assert cached == again == fresh, rec.name
        if not any(counts_as_failure(ev) for ev in rec.events):
            assert all(p.streak == 0 for p in cached[0]), rec.name
    # One probe dict under two containers and two probe types is four settings.
    probe = {"httpGet": {"port": 80}, "successThreshold": 2}
    pod = {"spec": {"containers": [{"name": "a", "livenessProbe": probe, "readinessProbe": probe},
                                   {"name": "b", "livenessProbe": probe, "readinessProbe": probe}]}}
    assert effective_probes(pod) == [probe_settings(c, t, probe) for c in "ab" for t in ("liveness", "readiness")]
    assert [s.success_threshold for s in effective_probes(pod)] == [1, 2, 1, 2]


def test_a_new_spec_object_is_read_again():
    from podtui.lifecycle.probes import probe_states

    p = copy.deepcopy(SEED_PODS[-1])  # bench_model's pod: a liveness and a readiness probe
    store = Store(ManualClock(T0))
    store.apply(Change(PODS, ADDED, copy.deepcopy(p), T0))
    rec = next(iter(store.pods.values()))
    assert [s.settings.period for s in probe_states(rec, T0)] == [10, 5]
    # Another spec (its image updated, say): whatever it says is read, not the memo's.
    p["spec"]["containers"][0]["readinessProbe"]["periodSeconds"] = 7
    store.apply(Change(PODS, MODIFIED, copy.deepcopy(p), T0 + 1))
    assert [s.settings.period for s in probe_states(rec, T0 + 1)] == [10, 7]
