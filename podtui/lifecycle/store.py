"""The store: every pod the source has shown, by UID, with its history and Events.

apply() takes one watch event and touches only the pod it names: a dict lookup, a
piece-by-piece comparison with the previous version (history.diff_versions), and a
new kubectl row only when something the row reads changed. Nothing is proportional
to the number of pods or the length of a history.

The store holds every pod as decoded JSON: a large heap of long-lived objects that
keeps being replaced. Under CPython's default GC thresholds that churn triggers full
collections every few hundred events; a long-running process should gc.freeze()
after the initial list and raise the gen-0 threshold (tests/benchmarks/bench_model.py
measures both).

Identity is the pod UID: a pod recreated under the same name is a new record that
remembers the one it replaced. Pods of one controller (a Deployment's successive
ReplicaSets, a Job, a StatefulSet) are also kept in creation order, so that a pod
whose replacement got a new name can still be followed to it (siblings, replacement).
A deleted pod stays as a tombstone with its final state until expire() drops it, or
until more than tombstone_limit pods are tombstones: then the oldest goes at once
(counted in tombstones_dropped). A tombstone costs what its pod did (15 KB in the scale
demo) and a churning cluster deletes faster than a ttl lets them go: the scale demo's
177 deletions a second kept 53,000 for 5 minutes, 5 for every live pod, and the
process grew to 2.4 GB.
Events may arrive before their pod (Scheduled precedes the first status): they wait
in a bounded pending area keyed by namespace/name.

apply() never raises: anything malformed is recorded in `problems` and skipped.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from podtui.clock import Clock
from podtui.lifecycle import backoff
from podtui.lifecycle.changes import ADDED, BOOKMARK, DELETED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle.columns import pod_row
from podtui.lifecycle.events import is_pod_event, normalize_event
from podtui.lifecycle.history import History, diff_versions, reconstruct
from podtui.lifecycle.probes import counts_as_failure, is_combined, probe_attempt
from podtui.lifecycle.read import as_dict
from podtui.lifecycle.read import as_str as _s
from podtui.lifecycle.termination import gone_after, removal_words
from podtui.lifecycle.times import clock_time
from podtui.lifecycle.records import DELETION, FINALIZER, PHASE, REMOVED, REPLACED, EventRecord, Row, Transition

PROBLEMS_LIMIT = 1000
# Tombstones kept at most (Store.tombstone_limit): about 150 MB of them; the last minute
# of deletions at the scale demo's churn, all of the ttl's below 33 deletions a second.
TOMBSTONE_LIMIT = 10_000
EARLIER_LIMIT = 8  # (count, last) observations kept per repeating probe failure Event
REPLACED_WITHIN = 10.0  # seconds: Store.replacement
RELIST_NOTE = "podtui/current-as-of"  # a synthetic deletion's note: synthetic_current_as_of


@dataclass(slots=True)
class Problem:
    """Something the store could not use, and why (shown in the UI's problems view)."""

    at: float
    resource: str
    text: str


class PodRecord:
    """One pod (one UID) as podtui knows it."""

    __slots__ = (
        "uid", "namespace", "name", "obj", "row", "version", "history", "events",
        "first_seen", "deleted_at", "replaces", "replaced_by", "ladders",
        "event_index", "probe_memo", "family", "family_key",
    )

    def __init__(self, uid: str, namespace: str, name: str, obj: dict, row: Row, observed: float,
                 history_limit: int) -> None:
        self.uid = uid
        self.namespace = namespace
        self.name = name
        self.obj = obj  # the latest object as served (a live source leaves out managedFields)
        self.row = row  # pod_row(obj)
        self.version = 0  # bumps on every change; the UI caches rendered lines by (uid, version)
        self.history = History(history_limit)
        self.events: list[EventRecord] = []  # one per Event uid, ordered by last time
        self.event_index: dict[str, EventRecord] = {}
        self.first_seen = observed
        self.deleted_at: float | None = None  # tombstone since
        self.replaces: str | None = None  # uid of the pod that had this name before
        self.replaced_by: str | None = None
        self.ladders: dict[str, backoff.Ladder] = {}  # per-container back-off memory
        self.probe_memo: tuple | None = None  # (spec, its probes' settings): probes.record_probes
        self.family: Family | None = None  # its controller's pods (Store.siblings)
        self.family_key: tuple = ()  # its place among them: (created, first_seen, uid)

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        state = " tombstone" if self.deleted_at is not None else ""
        return f"<PodRecord {self.namespace}/{self.name} {self.uid} v{self.version}{state}>"


class Family:
    """One controller's pods in creation order: sort keys (created, first_seen, uid) in
    chunks of at most 2 * CHUNK, so that adding, removing or finding one costs a
    bisection and a short list move however many pods the controller has (a 10,000
    replica Deployment included)."""

    CHUNK = 128
    __slots__ = ("key", "kind", "name", "version", "_chunks", "_maxes")

    def __init__(self, key: tuple, kind: str, name: str) -> None:
        self.key = key
        self.kind = kind  # "Deployment" (inferred from a ReplicaSet's name), "ReplicaSet", "Job", ...
        self.name = name
        self.version = 0  # bumps on every add and discard: what a reader may cache by
        self._chunks: list[list[tuple]] = []
        self._maxes: list[tuple] = []  # each chunk's last key

    def __len__(self) -> int:
        return sum(map(len, self._chunks))  # O(chunks): tests and debugging only

    def __bool__(self) -> bool:
        return bool(self._maxes)

    def add(self, key: tuple) -> None:
        self.version += 1
        chunks, maxes = self._chunks, self._maxes
        if not chunks:
            chunks.append([key])
            maxes.append(key)
            return
        i = min(bisect.bisect_left(maxes, key), len(maxes) - 1)  # pods mostly come newest last
        chunk = chunks[i]
        bisect.insort(chunk, key)
        maxes[i] = chunk[-1]
        if len(chunk) > 2 * self.CHUNK:
            half = chunk[self.CHUNK:]
            del chunk[self.CHUNK:]
            chunks.insert(i + 1, half)
            maxes[i] = chunk[-1]
            maxes.insert(i + 1, half[-1])

    def discard(self, key: tuple) -> None:
        chunks, maxes = self._chunks, self._maxes
        i = bisect.bisect_left(maxes, key)
        if i == len(maxes):
            return
        chunk = chunks[i]
        j = bisect.bisect_left(chunk, key)
        if j == len(chunk) or chunk[j] != key:
            return
        self.version += 1
        del chunk[j]
        if chunk:
            maxes[i] = chunk[-1]
        else:
            del chunks[i], maxes[i]

    def after(self, key: tuple) -> tuple | None:
        """The first key above `key` (a prefix such as (t,) sorts before every key at t)."""
        chunks, maxes = self._chunks, self._maxes
        i = bisect.bisect_right(maxes, key)
        if i == len(maxes):
            return None
        chunk = chunks[i]
        return chunk[bisect.bisect_right(chunk, key)]

    def before(self, key: tuple) -> tuple | None:
        """The last key below `key`."""
        chunks, maxes = self._chunks, self._maxes
        i = bisect.bisect_left(maxes, key)
        if i == len(maxes):
            return maxes[-1] if maxes else None
        chunk = chunks[i]
        j = bisect.bisect_left(chunk, key)
        if j:
            return chunk[j - 1]
        return maxes[i - 1] if i else None


    def backwards(self, key: tuple):
        """The keys below `key`, newest first."""
        chunks, maxes = self._chunks, self._maxes
        i = min(bisect.bisect_left(maxes, key), len(maxes) - 1)
        while i >= 0:
            chunk = chunks[i]
            j = bisect.bisect_left(chunk, key)
            yield from reversed(chunk[:j])
            i -= 1


def _family_of(meta: dict) -> tuple[tuple, str, str] | None:
    """(key, kind, name) of the controller whose pods take each other's place, or None.

    podtui does not watch ReplicaSets: a Deployment's is recognised by its name, the
    Deployment's plus "-<pod-template-hash>" (the pods' label), so that the pods of its
    successive ReplicaSets (a rollout) are one family. Read with type checks inline, not
    read.py's helpers: this runs for every new pod."""
    refs = meta.get("ownerReferences")
    if type(refs) is not list:
        return None
    for ref in refs:
        if type(ref) is dict and ref.get("controller"):
            break
    else:
        return None
    kind, name, uid = ref.get("kind"), ref.get("name"), ref.get("uid")
    if type(kind) is not str or not kind:
        return None
    name = name if type(name) is str else ""
    uid = uid if type(uid) is str else ""
    if not (uid or name):
        return None
    namespace = _s(meta.get("namespace"))
    if kind == "ReplicaSet":
        labels = meta.get("labels")
        suffix = labels.get("pod-template-hash") if type(labels) is dict else None
        if type(suffix) is str and suffix and len(name) > len(suffix) + 1 and name.endswith(suffix) \
                and name[-len(suffix) - 1] == "-":
            deployment = name[:-len(suffix) - 1]
            return (namespace, "Deployment", "", deployment), "Deployment", deployment
    return (namespace, kind, uid, name), kind, name


def _event_time(ev: EventRecord) -> float:
    return ev.last if ev.last is not None else 0.0


def _unknown_row() -> Row:
    return Row(ready="?", status="Unknown", restarts=0, last_restart=None, created=None, ip="<none>",
               node="<none>", nominated_node="<none>", readiness_gates="<none>")


class Store:
    def __init__(self, clock: Clock, *, tombstone_ttl: float = 300.0, tombstone_limit: int | None = TOMBSTONE_LIMIT,
                 history_limit: int = 500, events_per_pod: int = 200, pending_events_limit: int = 10_000) -> None:
        self.clock = clock
        self.tombstone_ttl = tombstone_ttl
        self.tombstone_limit = None if tombstone_limit is None else max(1, tombstone_limit)  # None: no limit
        self.tombstones_dropped = 0  # dropped before their ttl, to stay within tombstone_limit
        self.history_limit = history_limit
        self.events_per_pod = max(1, events_per_pod)
        self.pending_events_limit = max(0, pending_events_limit)
        self.pods: dict[str, PodRecord] = {}  # by uid, tombstones included
        self.problems: deque[Problem] = deque(maxlen=PROBLEMS_LIMIT)
        self.resource_versions: dict[str, str] = {}
        # resource -> counter name (ADDED, MODIFIED, DELETED, BOOKMARK, ignored, problems) -> n
        self.stats: dict[str, dict[str, int]] = {PODS: {}, EVENTS: {}}
        self._dirty: set[str] = set()
        self._live: dict[tuple[str, str], str] = {}  # (namespace, name) -> uid of the pod that exists
        self._last_tombstone: dict[tuple[str, str], str] = {}
        # uid -> deleted_at, in deletion order; ordered so that dropping the oldest is O(1)
        # (a dict's first key is found past the holes its earlier deletions left)
        self._tombstones: OrderedDict[str, float] = OrderedDict()
        self._pending: dict[tuple[str, str], dict[str, EventRecord]] = {}
        self._pending_count = 0
        self._families: dict[tuple, Family] = {}

    # -- applying

    def apply_batch(self, changes: Iterable[object]) -> None:
        """Apply the Changes among `changes`; SourceStatus and Relist items are ignored."""
        for item in changes:
            if isinstance(item, Change):
                self.apply(item)

    def apply(self, change: Change) -> None:
        """Apply one watch event. Never raises: bad input becomes a Problem."""
        resource = getattr(change, "resource", "?")
        try:
            self._apply(change)
        except Exception as exc:  # noqa: BLE001 - the model must outlive any object
            self._problem(str(resource), f"could not apply {getattr(change, 'type', '?')}: "
                                         f"{type(exc).__name__}: {exc}")

    def _apply(self, change: Change) -> None:
        resource, kind, obj = change.resource, change.type, change.obj
        observed = change.observed
        if type(observed) is not float or not math.isfinite(observed):
            observed = float(observed) if type(observed) is int else self.clock.time()
        counters = self.stats.get(resource)
        if counters is None:
            counters = self.stats[resource] = {}
        counters[kind] = counters.get(kind, 0) + 1
        if type(obj) is not dict:
            self._problem(resource, f"{kind} object is a {type(obj).__name__}, not a mapping: ignored")
            return
        if resource == PODS:
            meta = obj.get("metadata")
            if type(meta) is not dict:
                self._problem(PODS, f"{kind} pod without metadata: ignored")
                return
            rv = meta.get("resourceVersion")
            if type(rv) is str and rv:
                self.resource_versions[PODS] = rv
            if kind == BOOKMARK:
                return
            uid = meta.get("uid")
            if type(uid) is not str or not uid:
                self._problem(PODS, f"{kind} pod {_ns_name(meta)} without metadata.uid: ignored")
                return
            if kind == MODIFIED or kind == ADDED:
                rec = self.pods.get(uid)
                if rec is None:
                    self._new_pod(uid, meta, obj, observed)
                else:
                    if rec.deleted_at is not None:
                        self._revive(rec)
                    self._update_pod(rec, obj, observed)
            elif kind == DELETED:
                self._delete_pod(uid, meta, obj, observed, change.synthetic)
            else:
                self._problem(PODS, f"unexpected watch event type {kind!r} for pod {_ns_name(meta)}: ignored")
        elif kind == BOOKMARK:
            meta = obj.get("metadata")
            rv = meta.get("resourceVersion") if type(meta) is dict else None
            if type(rv) is str and rv:
                self.resource_versions[resource] = rv
        elif resource == EVENTS:
            self._apply_event(kind, obj, observed)
        else:
            counters["ignored"] = counters.get("ignored", 0) + 1

    def _row(self, obj: dict) -> Row:
        try:
            return pod_row(obj)
        except Exception as exc:  # noqa: BLE001
            self._problem(PODS, f"pod {_ns_name(obj.get('metadata'))}: row failed: {type(exc).__name__}: {exc}")
            return _unknown_row()

    def _new_pod(self, uid: str, meta: dict, obj: dict, observed: float, *, alive: bool = True) -> PodRecord:
        namespace, name = _s(meta.get("namespace")), _s(meta.get("name"))
        rec = PodRecord(uid, namespace, name, obj, self._row(obj), observed, self.history_limit)
        past = reconstruct(obj, observed)
        rec.history.extend(past)
        backoff.learn(rec.ladders, past)
        self._join_family(rec, meta)
        key = (namespace, name)
        if not alive:
            # Seen only in its deletion: it must not take the name from a live pod.
            self.pods[uid] = rec
            self._dirty.add(uid)
            self._attach_pending(rec, key)
            return rec
        previous_uid = self._live.get(key) or self._last_tombstone.get(key)
        self.pods[uid] = rec
        if previous_uid and previous_uid != uid:
            previous = self.pods.get(previous_uid)
            if previous is not None:
                rec.replaces = previous_uid
                previous.replaced_by = uid
                if previous.deleted_at is None:
                    # Two pods can't share a name: the old one's deletion was missed.
                    self._tombstone(previous, observed, "deletion not seen; a new pod took its name")
                previous.history.add(Transition(at=_after(previous.history, observed), kind=REPLACED, subject=uid,
                                                new=uid, exact=False, detail=f"new pod {uid} took the name"))
                self._touch(previous)
        self._live[key] = uid
        self._dirty.add(uid)
        self._attach_pending(rec, key)
        return rec

    def _join_family(self, rec: PodRecord, meta: dict) -> None:
        # By the first version's owner: a pod orphaned or adopted later stays where it was.
        found = _family_of(meta)
        if found is None:
            return
        key, kind, name = found
        family = self._families.get(key)
        if family is None:
            family = self._families[key] = Family(key, kind, name)
        created = rec.row.created
        rec.family = family
        rec.family_key = (created if created is not None else rec.first_seen, rec.first_seen, rec.uid)
        family.add(rec.family_key)

    def _update_pod(self, rec: PodRecord, obj: dict, observed: float) -> None:
        old = rec.obj
        if old is obj:
            return
        rec.obj = obj
        transitions, touched = diff_versions(old, obj, observed, rec.history.newest())
        if transitions:
            rec.history.extend(transitions)
            backoff.learn(rec.ladders, transitions)
        if touched:
            # Only then can the row differ: the rest of the spec that matters is
            # immutable and diff_versions compared everything else the row reads.
            rec.row = self._row(obj)
        self._touch(rec)

    def _delete_pod(self, uid: str, meta: dict, obj: dict, observed: float, synthetic: bool) -> None:
        rec = self.pods.get(uid)
        # Not in a relist: deleted at some time the watch did not show, after it last
        # read anything (the pod was there then) and before the relist found it gone.
        after = synthetic_current_as_of(obj) if synthetic else None
        if rec is None:
            if synthetic:
                obj = _without_note(obj)  # podtui's note, not the API's: not in the YAML
                meta = obj["metadata"]
            rec = self._new_pod(uid, meta, obj, observed, alive=False)  # deleted before podtui saw it alive
        elif rec.deleted_at is not None:
            return  # a repeated deletion (relist after a watch already said so)
        elif not synthetic:
            # A relist's deletion names the pod only: its last version stays the final state.
            self._update_pod(rec, obj, observed)
        if not synthetic:
            _finalizers_released(rec, meta, observed)
            self._tombstone(rec, observed, "")
            return
        if after is not None and after > observed:
            after = None  # a clock stepped back between the two: no bound
        # The interval first: a timeline row cuts a long detail short.
        detail = removal_words((after, observed), clock_time, alone=True)
        self._tombstone(rec, observed, detail, {"gone_after": after, "relist": True})

    def _tombstone(self, rec: PodRecord, observed: float, detail: str, data: dict | None = None) -> None:
        rec.deleted_at = observed
        rec.history.add(Transition(at=_after(rec.history, observed), kind=REMOVED, detail=detail, exact=False,
                                   data=data))
        tombstones = self._tombstones
        tombstones[rec.uid] = observed
        key = (rec.namespace, rec.name)
        if self._live.get(key) == rec.uid:
            del self._live[key]
        if key not in self._live:
            self._last_tombstone[key] = rec.uid
        self._touch(rec)
        limit = self.tombstone_limit
        if limit is not None and len(tombstones) > limit:
            # Here, not in expire(): what is kept must not depend on when expire() runs.
            self._drop_tombstone(next(iter(tombstones)))  # the oldest: never rec, the newest
            self.tombstones_dropped += 1

    def _revive(self, rec: PodRecord) -> None:
        # A relist can show a pod the store had given up on (a synthetic delete that
        # raced a slow list): trust the newer sighting.
        rec.deleted_at = None
        self._tombstones.pop(rec.uid, None)
        key = (rec.namespace, rec.name)
        if self._last_tombstone.get(key) == rec.uid:
            del self._last_tombstone[key]
        self._live[key] = rec.uid

    def _touch(self, rec: PodRecord) -> None:
        rec.version += 1
        self._dirty.add(rec.uid)

    # -- Events

    def _apply_event(self, kind: str, obj: dict, observed: float) -> None:
        if not is_pod_event(obj):
            counters = self.stats[EVENTS]
            counters["ignored"] = counters.get("ignored", 0) + 1
            return
        if kind == DELETED:
            return  # Events expire after an hour; what they said stays part of the pod's story
        if kind != ADDED and kind != MODIFIED:
            self._problem(EVENTS, f"unexpected watch event type {kind!r} for an Event: ignored")
            return
        why: list[str] = []
        ev = normalize_event(obj, why)
        if ev is None:
            self._problem(EVENTS, (why[0] if why else "unusable Event") + ": ignored")
            return
        if ev.last is None:
            ev.first = ev.last = observed
        rec = None
        if ev.involved_uid:
            rec = self.pods.get(ev.involved_uid)
        else:
            uid = self._live.get((ev.involved_namespace, ev.involved_name))
            rec = self.pods.get(uid) if uid else None
        if rec is not None:
            self._attach(rec, ev)
        else:
            self._park(ev)

    def _attach(self, rec: PodRecord, ev: EventRecord, carry: bool = True) -> None:
        """`carry` False: `ev` was carried while parked (_park) and is not a new write."""
        events, index = rec.events, rec.event_index
        old = index.get(ev.uid)
        if old is None:
            if carry:
                _carry(None, ev, events)
        else:
            if old == ev:
                return
            if old.resource_version and ev.resource_version and _rv_older(ev.resource_version, old.resource_version):
                return  # a stale copy (relist racing the watch)
            _carry(old, ev, events)
            pos = bisect.bisect_left(events, _event_time(old), key=_event_time)
            while pos < len(events) and events[pos] is not old:
                pos += 1
            if pos < len(events):
                del events[pos]
            else:
                events.remove(old)
        if events and _event_time(ev) < _event_time(events[-1]):
            events.insert(bisect.bisect_right(events, _event_time(ev), key=_event_time), ev)
        else:
            events.append(ev)
        index[ev.uid] = ev
        if len(events) > self.events_per_pod:
            dropped = events.pop(0)
            index.pop(dropped.uid, None)
        self._touch(rec)

    def _park(self, ev: EventRecord) -> None:
        if self.pending_events_limit == 0:
            return
        key = (ev.involved_namespace, ev.involved_name)
        bucket = self._pending.get(key)
        if bucket is None:
            bucket = self._pending[key] = {}
        old = bucket.get(ev.uid)
        if old is None:
            self._pending_count += 1
        _carry(old, ev, bucket.values())
        bucket[ev.uid] = ev
        while self._pending_count > self.pending_events_limit:
            oldest_key = next(iter(self._pending))
            oldest = self._pending[oldest_key]
            oldest.pop(next(iter(oldest)))
            self._pending_count -= 1
            if not oldest:
                del self._pending[oldest_key]

    def _attach_pending(self, rec: PodRecord, key: tuple[str, str]) -> None:
        bucket = self._pending.get(key)
        if not bucket:
            return
        keep: dict[str, EventRecord] = {}
        for ev in bucket.values():
            if not ev.involved_uid or ev.involved_uid == rec.uid:
                self._attach(rec, ev, carry=False)
                self._pending_count -= 1
            else:
                keep[ev.uid] = ev  # another incarnation of the name
        if keep:
            self._pending[key] = keep
        else:
            del self._pending[key]

    @property
    def pending_events(self) -> int:
        return self._pending_count

    # -- reading

    def by_name(self, namespace: str, name: str) -> PodRecord | None:
        """The pod that has this name now, else the latest tombstone under it."""
        key = (namespace, name)
        uid = self._live.get(key) or self._last_tombstone.get(key)
        return self.pods.get(uid) if uid else None

    def family_of(self, rec: PodRecord) -> Family | None:
        """rec's controller's pods as the store holds them now: its own family, or for
        a record the store no longer holds (a detail view keeps an expired pod's last
        one) that controller's under the same key (a family goes with its last pod, and
        a replay's seek makes new ones)."""
        family = rec.family
        return None if family is None else self._families.get(family.key)

    def _with_family(self, uid: str, held: PodRecord | None) -> tuple[PodRecord | None, Family | None]:
        rec = self.pods.get(uid) or held
        return rec, (None if rec is None else self.family_of(rec))

    def siblings(self, uid: str, held: PodRecord | None = None) -> tuple[str | None, str | None]:
        """The pods of its controller created just before and just after it (creation
        time, then first sighting, then uid), or None; O(log pods of the controller).
        held: its record, for a pod the store may have let go (replacement and replaced too)."""
        rec, family = self._with_family(uid, held)
        if family is None:
            return None, None
        key = rec.family_key
        before, after = family.before(key), family.after(key)
        return (before[2] if before else None), (after[2] if after else None)

    def replacement(self, uid: str, held: PodRecord | None = None) -> str | None:
        """For a pod that ended (deletion asked, Failed, gone from the API):
        the first pod its controller created from that second on, the one a ReplicaSet
        or Job makes to take its place. None for a pod still running, or none yet.
        O(its history + log pods of the controller).

        A ReplicaSet replaces at once: a pod made over REPLACED_WITHIN later is there
        for another reason (a rollout's last old pod is not replaced; a later eviction's
        replacement is not its). A Job waits its back-off (10s doubling to 6m) first,
        and runs its pods one after the other unless told otherwise: no limit."""
        rec, family = self._with_family(uid, held)
        if family is None:
            return None
        ended = ended_at(rec)
        if ended is None:
            return None
        # creationTimestamp has whole seconds: a replacement made in the same second counts.
        start = (float(math.floor(ended)),)
        key = rec.family_key
        found = family.after(key if start <= key else start)
        limit = ended + REPLACED_WITHIN
        if ended != rec.deleted_at and gone_after(rec) is not None:
            limit = max(limit, rec.deleted_at + REPLACED_WITHIN)  # made any time while the watch was down
        if found is None or (found[0] > limit and family.kind != "Job"):
            return None
        return found[2]

    def replaced(self, uid: str, held: PodRecord | None = None) -> str | None:
        """The pod this one was made to replace: the inverse of replacement(), the one
        that ended last among those whose replacement it is. O(pods of the controller
        created before it): for a title that caches it, not for every row."""
        rec, family = self._with_family(uid, held)
        if family is None:
            return None
        best, best_end = None, -math.inf
        for key in family.backwards(rec.family_key):
            other = self.pods.get(key[2])
            if other is None:
                continue
            ended = ended_at(other)
            if ended is not None and ended > best_end and self.replacement(key[2]) == uid:
                best, best_end = key[2], ended
        return best

    def take_dirty(self) -> set[str]:
        """UIDs added, changed, removed or expired since the last call."""
        dirty, self._dirty = self._dirty, set()
        return dirty

    def expire(self, now: float) -> list[str]:
        """Drop tombstones older than tombstone_ttl; O(expired)."""
        limit = now - self.tombstone_ttl
        gone: list[str] = []
        for uid, at in self._tombstones.items():
            if at > limit:
                break
            gone.append(uid)
        for uid in gone:
            self._drop_tombstone(uid)
        return gone

    def _drop_tombstone(self, uid: str) -> None:
        del self._tombstones[uid]
        rec = self.pods.pop(uid, None)
        if rec is not None:
            key = (rec.namespace, rec.name)
            if self._last_tombstone.get(key) == uid:
                del self._last_tombstone[key]
            family = rec.family
            if family is not None:
                family.discard(rec.family_key)
                if not family:
                    del self._families[family.key]
        self._dirty.add(uid)

    def _problem(self, resource: str, text: str) -> None:
        self.problems.append(Problem(at=self.clock.time(), resource=resource, text=text))
        counters = self.stats.get(resource)
        if counters is None:
            counters = self.stats[resource] = {}
        counters["problems"] = counters.get("problems", 0) + 1


def synthetic_current_as_of(obj: object) -> float | None:
    """The time a synthetic deletion (a pod missing from a relist) says the watch last
    read anything, the pod still there (SourceStatus.current_as_of): the live source
    notes it on the object it makes up, as the annotation RELIST_NOTE (the decoder
    keeps a pod's annotations, and recordings the line), in epoch seconds. None when
    absent (recordings made before it was)."""
    meta = obj.get("metadata") if type(obj) is dict else None
    notes = meta.get("annotations") if type(meta) is dict else None
    text = notes.get(RELIST_NOTE) if type(notes) is dict else None
    if type(text) is not str:
        return None
    try:
        at = float(text)
    except ValueError:
        return None
    return at if math.isfinite(at) else None


def _without_note(obj: dict) -> dict:
    """A synthetic deletion's object without RELIST_NOTE, copied if it had it: decoded
    objects are shared and never changed in place."""
    meta = obj["metadata"]
    notes = meta.get("annotations")
    if type(notes) is not dict or RELIST_NOTE not in notes:
        return obj
    notes = {k: v for k, v in notes.items() if k != RELIST_NOTE}
    meta = {k: v for k, v in meta.items() if k != "annotations"}
    if notes:
        meta["annotations"] = notes
    return {**obj, "metadata": meta}


def ended_at(rec: PodRecord) -> float | None:
    """When its controller had to replace the pod: its deletion requested, its phase
    Failed, or (neither seen) its removal; None while it runs. Not Succeeded: a Job's
    next pod after a success is its next completion, not a replacement."""
    obj = rec.obj
    if as_dict(obj.get("status")).get("phase") == "Succeeded":
        return None  # done, whatever came after: deleted or removed, it was not replaced
    ended = rec.deleted_at
    if (ended is None and not as_dict(obj.get("metadata")).get("deletionTimestamp")
            and as_dict(obj.get("status")).get("phase") != "Failed"):
        return None  # running: no need to read its history
    for t in rec.history:
        kind = t.kind
        if (kind == DELETION and t.old is None) or (kind == PHASE and t.new == "Failed") or kind == REMOVED:
            at = t.at
            if kind == REMOVED:
                # Found gone on relist: it went after the watch's last read, maybe long
                # before the relist, and its replacement was made while the watch was down.
                after = gone_after(rec)
                if after is not None and after < at:
                    at = after
            if ended is None or at < ended:
                ended = at
            break  # history is in time order: the first is the earliest
    return ended


def _ns_name(meta: object) -> str:
    if not isinstance(meta, dict):
        return "?"
    return f"{_s(meta.get('namespace')) or '?'}/{_s(meta.get('name')) or '?'}"


def _finalizers_released(rec: PodRecord, meta: dict, observed: float) -> None:
    """The API deletes a pod being deleted the moment its last finalizers go, without
    writing that update: the DELETED event still lists them. They went then."""
    finalizers = meta.get("finalizers")
    if not meta.get("deletionTimestamp") or type(finalizers) is not list:
        return
    at = _after(rec.history, observed)
    for name in finalizers:
        if type(name) is str:
            rec.history.add(Transition(at=at, kind=FINALIZER, subject=name, old="present", new="removed",
                                       detail="with the pod", exact=False))


def _after(history: History, observed: float) -> float:
    """`observed`, or the history's newest time if that is later (history.not_before)."""
    newest = history.newest()
    return newest if newest is not None and newest > observed else observed


def _carry(old: EventRecord | None, ev: EventRecord, events: Iterable[EventRecord]) -> None:
    """Let `ev`, a new write of an Event (`old` its version before, if seen), remember what
    the earlier writes of its probe attempts said: each write carries only the latest
    count and time, and a streak needs each failure's own (probes.py _exact_run). `events`
    are the pod's, `old` among them. Only probe failures and errored attempts (they fill
    a run's ticks): nothing else reads them, and there may be an Event or two per pod for
    10,000s of pods."""
    if old is not None and ev.count == old.count:
        ev.earlier, ev.run = old.earlier, old.run  # rewritten, not repeated
        return
    attempt = probe_attempt(ev) if ev.last is not None else None
    if attempt is None:
        return
    one = ev.count == 1  # new, or recreated under a reused name (a lower count): nothing earlier is known
    if old is not None and ev.count > old.count:
        one = old.last is not None and old.last <= ev.last
        if one:
            earlier = old.earlier
            if old.count > 1:  # the first failure is firstTimestamp
                earlier += (old.count, old.last)
                if len(earlier) > 2 * EARLIER_LIMIT:
                    earlier = earlier[2:]
            ev.earlier = earlier
            one = ev.count == old.count + 1
    # A write that skipped counts places its own attempt only; the skipped ones lie before it.
    ptype, errored = attempt
    ev.run = _run_after(_newest_write(events, ev, ptype), ev.last, errored) if one else _alone(ev.last, errored)


def _alone(at: float, errored: bool) -> tuple:
    return 1, at, math.inf, 0.0, None, None, int(errored)


def _newest_write(events: Iterable[EventRecord], ev: EventRecord, ptype: str) -> EventRecord | None:
    """The Event among `events` holding the newest attempt of `ev`'s probe (its container
    and probe type `ptype`, whatever the message): a run alternating between messages is
    written to several Events, each one repeat in two. A pod's events are ordered by last
    time: its failing probe's newest is found within a step or two."""
    if isinstance(events, list):
        for e in reversed(events):
            if _same_probe(e, ev, ptype):
                return e
        return None
    return max((e for e in events if _same_probe(e, ev, ptype)), key=_event_time, default=None)


def _same_probe(e: EventRecord, ev: EventRecord, ptype: str) -> bool:
    if e.message == ev.message and e.reason == ev.reason and e.container == ev.container:
        return True
    attempt = probe_attempt(e)
    # A combined Event keeps the field path of the write that created it, whichever
    # container each later write is about (the aggregate key leaves the field path out):
    # it is matched by probe type alone (probes.probe_states says when that is ambiguous).
    return (attempt is not None and attempt[0] == ptype
            and (e.container == ev.container or is_combined(e.message) or is_combined(ev.message)))


def _run_after(prev: EventRecord | None, at: float, errored: bool) -> tuple:
    """The probe's stretch after one more attempt (`errored`: thrown away, else a
    failure), at `at`, written one by one; `prev` holds the probe's newest attempt before
    it (of any message).

    A stretch is (attempts, the first's time, smallest gap, largest gap, the attempt
    before the first or None, the attempt before the newest or None, errored attempts
    among them), each attempt before as (time, 1 for a failure or 0 for an error): every
    attempt of the probe from the first (else from `before`) on was seen written, in time
    order. Attempts in a row come a period apart and a success between two makes it two:
    the stretch holds while its largest gap is within half its smallest and a second (the
    API cuts times to whole seconds), else a new one starts at the previous attempt. The
    period is the pod's and not known here; probes._exact_run checks the gaps."""
    if prev is None or prev.last is None:
        return _alone(at, errored)
    last = prev.last
    if at < last:
        # Written out of time order (a relist after a watch outage): the stretch `prev`
        # ends lacks this attempt. Neither is trusted; the Events' own writes remain.
        prev.run = ()
        return _alone(at, errored)
    gap = at - last
    prev_failed = counts_as_failure(prev)  # a combined Event's message is its latest write's
    if not prev.run:
        return 2, last, gap, gap, None, (last, int(prev_failed)), int(errored) + (not prev_failed)
    n, start, lo, hi, before, prior, errs = prev.run
    lo, hi = min(lo, gap), max(hi, gap)
    if hi <= 1.5 * lo + 1:
        return n + 1, start, lo, hi, before, (last, int(prev_failed)), errs + errored
    return 2, last, gap, gap, prior, (last, int(prev_failed)), int(errored) + (not prev_failed)


def _rv_older(a: str, b: str) -> bool:
    """resourceVersions are opaque, but etcd's are integers: compare when both are."""
    if a.isdigit() and b.isdigit():
        return int(a) < int(b)
    return False
