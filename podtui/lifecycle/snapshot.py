"""Checkpoints of a Store: taken while a recording replays, restored on a seek backwards.

A seek backwards cannot un-apply changes. Without a checkpoint the store is rebuilt from
the recording's first item, which costs more the further the replay has got; from the
newest checkpoint at or before the target it costs the items between the two.

freeze() copies what a store holds into immutable form; thaw() makes a new, independent
store of it, as often as asked. What is never written after it is made is shared, not
copied: pod objects (the decoder's dicts, shared by contract), rows, Transitions,
Problems, a probe memo. Everything a later apply() may write (histories, Event lists and
the Events themselves, back-off ladders, families, the tombstone and name maps, counters)
is copied on the way in and again on the way out, so that neither the store a checkpoint
was taken of nor one restored from it can change the checkpoint.

freeze(store, previous, changed) reuses `previous`'s copy of each pod not in `changed`
(the pods the store marked dirty since `previous` was taken: it marks every pod it
writes, which is what the UI repaints by too): a checkpoint then costs a pass over the
pod UIDs plus a copy of the pods that changed, not a copy of every history.

A pod's object is what a checkpoint holds most of (a changed pod's object of the time is
kept alive by it alone). Given `sources` (where each pod's object can be had again: a
replay's item index), freeze() notes it beside the object, and release() lets go of the
objects of pods changed since, which thaw() then has its `load` make again.

The *_FIELDS sets name every attribute this module handles; tests/lifecycle/test_snapshot.py
fails when a class gains one, so that a new field is not silently shared between copies.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from operator import attrgetter

from podtui.clock import Clock
from podtui.lifecycle.backoff import Ladder
from podtui.lifecycle.history import History
from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.store import Family, PodRecord, Store

STORE_FIELDS = frozenset({
    "clock", "tombstone_ttl", "tombstone_limit", "tombstones_dropped", "history_limit", "events_per_pod", "pending_events_limit", "pods", "problems",
    "resource_versions", "stats", "_dirty", "_live", "_last_tombstone", "_tombstones", "_pending",
    "_pending_count", "_families",
})
RECORD_FIELDS = frozenset({
    "uid", "namespace", "name", "obj", "row", "version", "history", "events", "first_seen", "deleted_at",
    "replaces", "replaced_by", "ladders", "event_index", "probe_memo", "family", "family_key",
})
HISTORY_FIELDS = frozenset({"entries", "dropped"})
FAMILY_FIELDS = frozenset({"key", "kind", "name", "version", "_chunks", "_maxes"})
LADDER_FIELDS = frozenset({"reset_count", "anchor", "measured", "gaps", "pull_failures", "last_pull_failure",
                           "pull_seen_at"})
# An Event is copied field by field: every field must hold an immutable value.
EVENT_FIELDS = tuple(f.name for f in fields(EventRecord))
_IMMUTABLE = (str, int, float, bool, tuple, type(None))

_event_values = attrgetter(*EVENT_FIELDS)
_ladder_slots = tuple(Ladder.__slots__)
_ladder_values = attrgetter(*_ladder_slots)
# The rest hold immutable values (tests/lifecycle/test_snapshot.py checks).
_LADDER_DEQUES = frozenset(i for i, name in enumerate(_ladder_slots) if type(getattr(Ladder(), name)) is deque)

# A frozen record: a tuple, fields at these places.
(_UID, _NAMESPACE, _NAME, _OBJ, _ROW, _VERSION, _ENTRIES, _MAXLEN, _DROPPED, _EVENTS, _INDEX, _FIRST_SEEN,
 _DELETED_AT, _REPLACES, _REPLACED_BY, _LADDERS, _PROBE_MEMO, _FAMILY, _FAMILY_KEY) = range(19)


class Obj:
    """A frozen pod's object, or once released (obj None), its source to load it from.
    Mutable, and shared by every checkpoint that shares the frozen record: a release
    holds for all of them."""

    __slots__ = ("obj", "source")

    def __init__(self, obj: object, source: object) -> None:
        self.obj, self.source = obj, source


class Checkpoint:
    """A store's state, immutable: thaw() it into as many stores as wanted."""

    __slots__ = ("options", "pods", "problems", "resource_versions", "stats", "live", "last_tombstone",
                 "tombstones", "tombstones_dropped", "pending", "pending_count", "families", "records_copied")

    def __init__(self, **values) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    def __len__(self) -> int:
        return len(self.pods)


def freeze(store: Store, previous: Checkpoint | None = None, changed: set[str] | None = None,
           sources: Mapping[str, object] | None = None) -> Checkpoint:
    """The store's state now. With `previous`, an earlier checkpoint of this store (or of
    the one it was thawed from), and `changed`, the UIDs the store marked dirty since then,
    the other pods' copies are shared with `previous`. `sources`: by UID, where the pod's
    object now can be loaded from again (see release())."""
    store_pods = store.pods
    sources = sources or {}
    if previous is None or changed is None:
        pods = {uid: _freeze_record(rec, sources) for uid, rec in store_pods.items()}
        copied = len(pods)
    else:
        pods = dict.fromkeys(store_pods)  # in the store's order
        pods.update(previous.pods)
        for uid in previous.pods.keys() - store_pods.keys():  # gone since (expired)
            del pods[uid]
        copied = 0
        before = previous.pods
        for uid in changed:
            rec = store_pods.get(uid)
            if rec is not None:
                pods[uid] = _freeze_record(rec, sources, before.get(uid))
                copied += 1
        if None in pods.values():  # not marked dirty since, yet not in `previous`: a caller's mistake
            for uid, frozen in pods.items():
                if frozen is None:
                    pods[uid] = _freeze_record(store_pods[uid], sources)
                    copied += 1
    return Checkpoint(
        options=(store.tombstone_ttl, store.tombstone_limit, store.history_limit, store.events_per_pod,
                 store.pending_events_limit),
        pods=pods,
        problems=(store.problems.maxlen, tuple(store.problems)),
        resource_versions=dict(store.resource_versions),
        stats={resource: dict(counters) for resource, counters in store.stats.items()},
        live=dict(store._live),
        last_tombstone=dict(store._last_tombstone),
        tombstones=dict(store._tombstones),
        tombstones_dropped=store.tombstones_dropped,
        pending={key: tuple(map(_event_values, bucket.values())) for key, bucket in store._pending.items()},
        pending_count=store._pending_count,
        families=tuple(_freeze_family(f) for f in store._families.values()),
        records_copied=copied,
    )


def thaw(checkpoint: Checkpoint, clock: Clock,
         load: Callable[[list], Mapping[object, object]] | None = None) -> Store:
    """A new store in the checkpoint's state, sharing nothing it may write with it. Nothing
    is marked dirty: whoever takes a new store shows all of it (and a checkpoint-taker
    shares the copies of every pod not written since). `load` makes the released objects
    again: given their sources, it returns the objects by source."""
    ttl, tombstone_limit, history_limit, events_per_pod, pending_limit = checkpoint.options
    store = Store(clock, tombstone_ttl=ttl, tombstone_limit=tombstone_limit, history_limit=history_limit,
                  events_per_pod=events_per_pod, pending_events_limit=pending_limit)
    families = {}
    for key, kind, name, version, chunks in checkpoint.families:
        family = families[key] = Family(key, kind, name)
        family.version = version
        family._chunks = [list(chunk) for chunk in chunks]
        family._maxes = [chunk[-1] for chunk in chunks]
    store._families = families
    released = [frozen[_OBJ].source for frozen in checkpoint.pods.values() if frozen[_OBJ].obj is None]
    if released and load is None:
        raise ValueError("the checkpoint's objects were released: thaw() needs their load")
    loaded = load(released) if released else {}
    store.pods = {uid: _thaw_record(frozen, families, loaded) for uid, frozen in checkpoint.pods.items()}
    maxlen, problems = checkpoint.problems
    store.problems = deque(problems, maxlen=maxlen)
    store.resource_versions = dict(checkpoint.resource_versions)
    store.stats = {resource: dict(counters) for resource, counters in checkpoint.stats.items()}
    store._live = dict(checkpoint.live)
    store._last_tombstone = dict(checkpoint.last_tombstone)
    store._tombstones = OrderedDict(checkpoint.tombstones)
    store.tombstones_dropped = checkpoint.tombstones_dropped
    store._pending = {key: {values[0]: EventRecord(*values) for values in bucket}
                      for key, bucket in checkpoint.pending.items()}
    store._pending_count = checkpoint.pending_count
    return store


def copy_store(store: Store) -> Store:
    """An independent copy of `store` (on its clock)."""
    return thaw(freeze(store), store.clock)


def release(checkpoint: Checkpoint, store: Store, uids: Iterable[str]) -> int:
    """Let go of the checkpoint's objects of `uids` that `store` (taken on from it) no
    longer holds, where they have a source to be loaded from again; how many. Their
    pods changed since: otherwise only the checkpoint would keep those versions alive."""
    pods, frozen_pods = store.pods, checkpoint.pods
    released = 0
    for uid in uids:
        frozen = frozen_pods.get(uid)
        if frozen is None:
            continue
        held = frozen[_OBJ]
        rec = pods.get(uid)
        if held.obj is not None and held.source is not None and (rec is None or rec.obj is not held.obj):
            held.obj = None
            released += 1
    return released


def sources(checkpoint: Checkpoint) -> dict[str, object]:
    """By UID, the sources the checkpoint noted (freeze()'s `sources`, for its pods)."""
    return {uid: frozen[_OBJ].source for uid, frozen in checkpoint.pods.items() if frozen[_OBJ].source is not None}


def dirty(store: Store) -> set[str]:
    """The UIDs the store marked changed and nobody has taken yet (take_dirty() would
    return them), left in place: what a checkpoint-taker must know to share copies."""
    return store._dirty


def copies(checkpoint: Checkpoint, before: Checkpoint | None, after: Checkpoint | None) -> tuple[int, int]:
    """How many of the checkpoint's pod copies `before` does not share (its own), and how
    many of those `after` does not share either and still hold their object: pods changed
    since, whose objects of the time only this checkpoint keeps alive (until released)."""
    theirs = before.pods if before is not None else {}
    later = after.pods if after is not None else None
    own = replaced = 0
    for uid, frozen in checkpoint.pods.items():
        if theirs.get(uid) is not frozen:
            own += 1
            if later is not None and later.get(uid) is not frozen and frozen[_OBJ].obj is not None:
                replaced += 1
    return own, replaced


def size_estimate(checkpoint: Checkpoint, own: int, replaced: int) -> int:
    """Bytes the checkpoint alone holds, roughly (see copies()): its maps, 64 bytes a pod;
    a copy of its own, 3,000 bytes (its history, ladders and Events, of which a copy
    taken soon after the one before shares much: 1.6 KB, long after: 3.4 KB); a pod
    object of a version the store has replaced since, 7,500 bytes. Measured as the
    objects only checkpoints held (sys.getsizeof, followed through) after a seek to the
    end of a tests/benchmarks/bench_replay.py recording (pods of 3 containers)."""
    return 64 * len(checkpoint.pods) + 3000 * own + 7500 * replaced


# -- records


def _freeze_record(rec: PodRecord, sources: Mapping[str, object], previous: tuple | None = None) -> tuple:
    entries = rec.history.entries
    events = rec.events
    index = rec.event_index
    frozen_events = tuple(map(_event_values, events)) if events else ()
    # The index is the events by uid (store._attach keeps it so): rebuilt, not kept, unless
    # it says something else.
    if len(index) == len(events) and (not events or all(index.get(e.uid) is e for e in events)):
        frozen_index = None
    else:
        position = {id(e): i for i, e in enumerate(events)}
        frozen_index = tuple((key, position.get(id(ev), _event_values(ev))) for key, ev in index.items())
    ladders = rec.ladders
    family = rec.family
    held = previous[_OBJ] if previous is not None else None
    if held is None or held.obj is not rec.obj:  # else one holder: a release lets go of it for both copies
        held = Obj(rec.obj, sources.get(rec.uid))
    return (rec.uid, rec.namespace, rec.name, held, rec.row, rec.version,
            tuple(entries), entries.maxlen,
            rec.history.dropped, frozen_events, frozen_index, rec.first_seen, rec.deleted_at, rec.replaces,
            rec.replaced_by, (tuple(ladders), tuple(map(_freeze_ladder, ladders.values()))) if ladders else None,
            rec.probe_memo, None if family is None else family.key, rec.family_key)


def _thaw_record(f: tuple, families: dict, loaded: Mapping[object, object]) -> PodRecord:
    rec = PodRecord.__new__(PodRecord)
    held = f[_OBJ]
    rec.obj = held.obj if held.obj is not None else loaded[held.source]
    rec.uid, rec.namespace, rec.name, rec.row, rec.version = f[_UID], f[_NAMESPACE], f[_NAME], f[_ROW], f[_VERSION]
    history = History.__new__(History)
    history.entries = deque(f[_ENTRIES], maxlen=f[_MAXLEN])
    history.dropped = f[_DROPPED]
    rec.history = history
    events = [EventRecord(*values) for values in f[_EVENTS]]
    rec.events = events
    if f[_INDEX] is None:
        rec.event_index = {e.uid: e for e in events}
    else:
        rec.event_index = {key: events[v] if type(v) is int else EventRecord(*v) for key, v in f[_INDEX]}
    rec.first_seen, rec.deleted_at, rec.replaces, rec.replaced_by = f[_FIRST_SEEN], f[_DELETED_AT], \
        f[_REPLACES], f[_REPLACED_BY]
    ladders = f[_LADDERS]
    rec.ladders = dict(zip(ladders[0], map(_thaw_ladder, ladders[1]))) if ladders is not None else {}
    rec.probe_memo = f[_PROBE_MEMO]
    key = f[_FAMILY]
    # A record's family is the store's under its key: a family goes only with its last pod.
    rec.family = families[key] if key is not None else None
    rec.family_key = f[_FAMILY_KEY]
    return rec


def _freeze_ladder(ladder: Ladder) -> tuple:
    values = _ladder_values(ladder)
    return tuple(tuple(v) if i in _LADDER_DEQUES else v for i, v in enumerate(values))


def _thaw_ladder(values: tuple) -> Ladder:
    ladder = Ladder()  # its deques, bounded as Ladder makes them
    for i, (name, value) in enumerate(zip(_ladder_slots, values)):
        if i in _LADDER_DEQUES:
            getattr(ladder, name).extend(value)
        else:
            setattr(ladder, name, value)
    return ladder


def _freeze_family(family: Family) -> tuple:
    return family.key, family.kind, family.name, family.version, tuple(map(tuple, family._chunks))
