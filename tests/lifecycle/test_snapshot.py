"""Checkpoints of a Store (podtui.lifecycle.snapshot): a thawed copy holds what the store
held, shares nothing either may write, and a new field is not silently left shared."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import fields

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle import snapshot
from podtui.lifecycle.backoff import Ladder
from podtui.lifecycle.changes import ADDED, DELETED, EVENTS, MODIFIED, PODS, Change, SourceStatus
from podtui.lifecycle.history import History
from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.store import Family, PodRecord, Store

T0 = 1_714_557_600.0
# Small bounds, so that a few hundred changes reach every one of them.
OPTIONS = {"tombstone_ttl": 45.0, "tombstone_limit": 20, "history_limit": 8, "events_per_pod": 4,
           "pending_events_limit": 5}


# -- what a store holds, as plain values to compare


def store_state(store: Store) -> dict:
    """Everything a store holds that a reader can see, as plain values."""
    families = {}
    for key, family in store._families.items():
        families[key] = (family.kind, family.name, [k for chunk in family._chunks for k in chunk],
                         [chunk[-1] for chunk in family._chunks] == family._maxes)
    return {
        "order": list(store.pods),
        "pods": {uid: record_state(store, rec) for uid, rec in store.pods.items()},
        "problems": [(p.at, p.resource, p.text) for p in store.problems],
        "resource_versions": dict(store.resource_versions),
        "stats": {resource: dict(counters) for resource, counters in store.stats.items()},
        "live": dict(store._live),
        "last_tombstone": dict(store._last_tombstone),
        "tombstones": list(store._tombstones.items()),
        "pending": {key: [_event(e) for e in bucket.values()] for key, bucket in store._pending.items()},
        "pending_count": store._pending_count,
        "families": families,
        "tombstones_dropped": store.tombstones_dropped,
        "options": (store.tombstone_ttl, store.tombstone_limit, store.history_limit, store.events_per_pod,
                    store.pending_events_limit),
    }


def record_state(store: Store, rec: PodRecord) -> dict:
    return {
        "id": (rec.uid, rec.namespace, rec.name, rec.version, rec.first_seen, rec.deleted_at),
        "obj": rec.obj, "row": rec.row,
        "history": (list(rec.history.entries), rec.history.dropped, rec.history.entries.maxlen),
        "events": [_event(e) for e in rec.events],
        "event_index": {k: _event(e) for k, e in rec.event_index.items()},
        "index_is_events": all(any(e is x for x in rec.events) for e in rec.event_index.values()),
        "replaces": (rec.replaces, rec.replaced_by),
        "ladders": {name: {s: (list(v) if isinstance(v, deque) else v) for s in Ladder.__slots__
                           for v in [getattr(ladder, s)]} for name, ladder in rec.ladders.items()},
        "family": (None if rec.family is None else rec.family.key, rec.family_key,
                   rec.family is None or store._families.get(rec.family.key) is rec.family),
        "siblings": store.siblings(rec.uid),
        "replacement": store.replacement(rec.uid),
    }


def _event(e: EventRecord) -> tuple:
    return tuple(getattr(e, f.name) for f in fields(EventRecord))  # earlier and run included


# -- a changing cluster, drawn at random


def _pod(uid: str, name: str, rv: int, *, owner: tuple | None, restarts: int = 0, waiting: str | None = None,
         ready: bool = True, deleting: float | None = None, finalizers: bool = False) -> dict:
    meta = {"uid": uid, "name": name, "namespace": "shop", "resourceVersion": str(rv),
            "creationTimestamp": "2024-05-01T10:00:00Z"}
    if owner is not None:
        kind, oname, hash_ = owner
        meta["ownerReferences"] = [{"kind": kind, "name": oname, "uid": "owner-" + oname, "controller": True}]
        if hash_:
            meta["labels"] = {"pod-template-hash": hash_}
    if deleting is not None:
        meta["deletionTimestamp"] = _ts(deleting)
        meta["deletionGracePeriodSeconds"] = 30
    if finalizers:
        meta["finalizers"] = ["example.com/hold"]
    if waiting:
        state = {"waiting": {"reason": waiting,
                             "message": f"back-off {10 * 2 ** min(restarts, 5)}s restarting failed container=app"}}
    else:
        state = {"running": {"startedAt": "2024-05-01T10:00:03Z"}}
    last = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2024-05-01T10:00:03Z",
                           "finishedAt": _ts(T0 + 5 * restarts)}} if restarts else {}
    return {"metadata": meta,
            "spec": {"nodeName": "n1", "containers": [{"name": "app", "livenessProbe": {
                "httpGet": {"path": "/", "port": 80}, "periodSeconds": 10}}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "ready": ready, "restartCount": restarts, "state": state, "lastState": last}]}}


def _ts(t: float) -> str:
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _event_obj(uid: str, pod_uid: str, pod_name: str, count: int, last: float, rv: int) -> dict:
    return {"metadata": {"uid": uid, "name": f"{pod_name}.{uid}", "namespace": "shop", "resourceVersion": str(rv)},
            "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": "shop", "uid": pod_uid,
                               "fieldPath": "spec.containers{app}"},
            "reason": "Unhealthy", "message": "Liveness probe failed: HTTP probe failed with statuscode: 500",
            "type": "Warning", "count": count, "source": {"component": "kubelet"},
            "firstTimestamp": _ts(last - 10 * (count - 1)), "lastTimestamp": _ts(last)}


def random_items(seed: int, n: int = 300) -> list:
    """A cluster's changes: pods of a few controllers (names reused: recreated pods, a
    tombstone's name taken after it expired), restarts and back-off, deletions (some seen
    only in a relist, some revived), probe Events before, on and after their pod, objects
    the store cannot use, and status items."""
    rng = random.Random(seed)
    t, rv = T0, 0
    owners = [("ReplicaSet", "web-5d8f", "5d8f"), ("ReplicaSet", "web-77aa", "77aa"), ("Job", "batch", ""),
              ("StatefulSet", "db", ""), None]
    pods: dict[str, dict] = {}  # uid -> {"name", "owner", "restarts", "deleted"}
    events: dict[str, tuple[str, str, int]] = {}  # event uid -> (pod uid, pod name, count)
    items: list = []
    next_uid = 0
    for _ in range(n):
        t += rng.choice([0.0, 0.5, 1.0, 3.0, 10.0, 40.0])
        rv += 1
        live = [u for u, p in pods.items() if not p["deleted"]]
        dead = [u for u, p in pods.items() if p["deleted"]]
        roll = rng.random()
        if roll < 0.2 or not live:
            uid, next_uid = f"uid-{next_uid}", next_uid + 1
            owner = rng.choice(owners)
            name = f"{owner[1] if owner else 'solo'}-{rng.randrange(4)}"
            pods[uid] = {"name": name, "owner": owner, "restarts": 0, "deleted": False}
            items.append(Change(PODS, ADDED, _pod(uid, name, rv, owner=owner), t))
        elif roll < 0.55:
            uid = rng.choice(live)
            p = pods[uid]
            if rng.random() < 0.5:
                p["restarts"] += 1
            waiting = rng.choice([None, "CrashLoopBackOff", "ErrImagePull"])
            deleting = t if rng.random() < 0.1 else None
            items.append(Change(PODS, MODIFIED, _pod(uid, p["name"], rv, owner=p["owner"], restarts=p["restarts"],
                                                     waiting=waiting, ready=rng.random() < 0.5, deleting=deleting,
                                                     finalizers=deleting is not None), t))
        elif roll < 0.65:
            uid = rng.choice(live)
            p = pods[uid]
            p["deleted"] = True
            items.append(Change(PODS, DELETED, _pod(uid, p["name"], rv, owner=p["owner"], restarts=p["restarts"],
                                                    deleting=t, finalizers=rng.random() < 0.5), t,
                                synthetic=rng.random() < 0.3))
        elif roll < 0.68 and dead:
            uid = rng.choice(dead)  # a relist shows a pod given up on
            p = pods[uid]
            p["deleted"] = False
            items.append(Change(PODS, ADDED, _pod(uid, p["name"], rv, owner=p["owner"], restarts=p["restarts"]), t))
        elif roll < 0.9:
            if events and rng.random() < 0.6:
                ev_uid = rng.choice(list(events))
                pod_uid, pod_name, count = events[ev_uid]
                count += rng.choice([1, 1, 2])
            else:
                ev_uid = f"ev-{rv}"
                if rng.random() < 0.2:
                    pod_uid, pod_name = f"uid-{next_uid}", f"solo-{rng.randrange(4)}"  # before its pod
                else:
                    pod_uid = rng.choice(list(pods))
                    pod_name = pods[pod_uid]["name"]
                count = 1
            events[ev_uid] = (pod_uid, pod_name, count)
            items.append(Change(EVENTS, MODIFIED if count > 1 else ADDED,
                                _event_obj(ev_uid, pod_uid, pod_name, count, t, rv), t))
        elif roll < 0.95:
            items.append(Change(PODS, MODIFIED, ["not", "a", "pod"], t))  # a problem
        else:
            items.append(SourceStatus(rng.choice(["live", "reconnecting"]), t, "", PODS))
    return items


def fed(items: list, clock: ManualClock, **options) -> Store:
    store = Store(clock, **{**OPTIONS, **options})
    for item in items:
        store.apply_batch([item])
    return store


# -- tests


def test_snapshot_knows_every_field_of_what_it_copies():
    # A field added to one of these classes must be copied (or shared on purpose) by
    # snapshot.py: otherwise a checkpoint and the stores thawed from it would share it.
    assert set(vars(Store(ManualClock(T0)))) == snapshot.STORE_FIELDS
    assert set(PodRecord.__slots__) == snapshot.RECORD_FIELDS
    assert set(History.__slots__) == snapshot.HISTORY_FIELDS
    assert set(Family.__slots__) == snapshot.FAMILY_FIELDS
    assert set(Ladder.__slots__) == snapshot.LADDER_FIELDS
    # Events are copied field by field, and ladders but for their deques: each of those
    # fields must hold an immutable value.
    store = fed(random_items(3, 400), ManualClock(T0))
    values = [v for rec in store.pods.values() for e in rec.events for v in snapshot._event_values(e)]
    assert values and all(isinstance(v, snapshot._IMMUTABLE) for v in values)
    ladders = [ladder for rec in store.pods.values() for ladder in rec.ladders.values()]
    values = [v for ladder in ladders for i, v in enumerate(snapshot._ladder_values(ladder))
              if i not in snapshot._LADDER_DEQUES]
    assert ladders and all(isinstance(v, snapshot._IMMUTABLE) for v in values)


def test_a_thawed_store_holds_what_was_frozen():
    dropped = 0
    for seed in range(6):
        clock = ManualClock(T0)
        store = fed(random_items(seed), clock)
        copy = snapshot.thaw(snapshot.freeze(store), clock)
        assert store_state(copy) == store_state(store)
        assert copy.take_dirty() == set()
        dropped += store.tombstones_dropped
    assert dropped  # the tombstone limit was reached, and its count carried over


def test_a_checkpoint_does_not_change_whatever_its_store_or_its_copies_do_next():
    for seed in range(6):
        items = random_items(seed, 400)
        clock = ManualClock(T0)
        store = fed(items[:200], clock)
        checkpoint = snapshot.freeze(store)
        before = store_state(store)
        first = snapshot.thaw(checkpoint, clock)
        for s in (store, first):  # the store it was taken of and a copy go on changing
            for item in items[200:]:
                s.apply_batch([item])
            s.expire(items[300].observed if isinstance(items[300], Change) else items[300].at)
        assert store_state(first) == store_state(store) != before
        assert store_state(snapshot.thaw(checkpoint, clock)) == before


def test_a_checkpoint_after_another_shares_what_did_not_change_and_holds_what_did():
    for seed in range(6):
        items = random_items(seed, 400)
        clock = ManualClock(T0)
        store = fed(items[:150], clock)
        first = snapshot.freeze(store)
        store.take_dirty()
        for item in items[150:250]:
            store.apply_batch([item])
        store.expire(T0 + 600)  # expiry removes pods: the next checkpoint must not have them
        second = snapshot.freeze(store, first, snapshot.dirty(store))
        assert second.records_copied < len(second) or not len(second)
        assert store_state(snapshot.thaw(second, clock)) == store_state(store)
        assert store_state(snapshot.thaw(second, clock)) == store_state(snapshot.thaw(snapshot.freeze(store), clock))


def test_an_event_the_store_writes_again_in_place_is_not_the_checkpoints():
    # A probe failure written out of time order clears the run of the Event before it,
    # in place (store._run_after): the checkpoint's copy of that Event must keep its own.
    clock = ManualClock(T0)
    store = Store(clock)
    store.apply(Change(PODS, ADDED, _pod("uid-1", "web-0", 1, owner=None), T0))
    store.apply(Change(EVENTS, ADDED, _event_obj("ev-1", "uid-1", "web-0", 1, T0 + 100, 2), T0 + 100))
    (event,) = store.pods["uid-1"].events
    assert event.run
    checkpoint = snapshot.freeze(store)
    store.apply(Change(EVENTS, ADDED, _event_obj("ev-2", "uid-1", "web-0", 1, T0 + 50, 3), T0 + 101))
    assert event.run == ()
    (kept,) = snapshot.thaw(checkpoint, clock).pods["uid-1"].events
    assert kept.run and kept.uid == "ev-1"


def test_a_checkpoint_lets_go_of_the_objects_of_pods_changed_since_and_a_thaw_loads_them():
    import copy

    for seed in range(4):
        items = random_items(seed, 400)
        clock = ManualClock(T0)
        store = Store(clock, **OPTIONS)
        made = {}  # where each pod's object came from: the item's index, as a replay knows it
        for i, item in enumerate(items[:200]):
            store.apply_batch([item])
            obj = item.obj if isinstance(item, Change) and item.resource == PODS else None
            meta = obj.get("metadata") if isinstance(obj, dict) else None
            rec = store.pods.get(meta.get("uid")) if isinstance(meta, dict) else None
            if rec is not None and rec.obj is obj:
                made[rec.uid] = i
        first = snapshot.freeze(store, sources=made)
        state = store_state(store)
        objects = {uid: rec.obj for uid, rec in store.pods.items()}
        assert snapshot.sources(first) == {uid: made[uid] for uid in store.pods}
        store.take_dirty()
        for item in items[200:]:
            store.apply_batch([item])
        released = snapshot.release(first, store, snapshot.dirty(store))
        # Before: the checkpoint kept every changed pod's old object alive.
        replaced = {uid for uid, obj in objects.items() if uid not in store.pods or store.pods[uid].obj is not obj}
        assert released == len(replaced) > 0
        assert {uid for uid, f in first.pods.items() if f[snapshot._OBJ].obj is None} == replaced
        asked = []

        def load(sources):
            asked.append(sorted(sources))
            return {i: copy.deepcopy(items[i].obj) for i in sources}  # equal, not the same

        assert store_state(snapshot.thaw(first, clock, load)) == state
        assert len(asked[0]) == released
        with pytest.raises(ValueError):
            snapshot.thaw(first, clock)
