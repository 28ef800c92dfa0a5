"""In-memory object storage with etcd-like resourceVersions and a watch history.

One global resourceVersion counter, as in etcd: every create/update/delete of any
resource takes the next integer and appends one entry to the history log. Watchers
read the log from their own cursor, so a slow reader never holds up writers, and the
log's length (`window`) bounds both memory and how far back a watch or a paged list
can start before the server answers 410 Expired. With `retention`, entries older than
that many seconds go too, as etcd's periodic compaction (kube-apiserver's
--etcd-compaction-interval, 5 minutes) forgets old revisions: a quiet cluster then
holds minutes of history, not days of it.

Every object version is encoded to JSON once, here, and those bytes are shared by all
lists and watches that send it.
"""

from __future__ import annotations

import bisect
import heapq
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter

import orjson

from podtui.apiserver.status import APIError, already_exists, not_found, too_large_resource_version, too_old_resource_version
from podtui.clock import Clock
from podtui.lifecycle.times import format_ts

_AT = attrgetter("at")  # sort key: a WatchEvent's time


def _encode(obj: object) -> bytes:
    """JSON bytes to keep: orjson's own sit in the buffer it wrote them to (64 KiB, its
    written pages resident), so kept they cost a 5 KB pod 9 KB of RSS and a 1 KB Event
    8 KB; a copy costs what it holds (0.2 us for a pod)."""
    return memoryview(orjson.dumps(obj)).tobytes()

PODS = "pods"
EVENTS = "events"
RESOURCES = (PODS, EVENTS)
KINDS = {PODS: "Pod", EVENTS: "Event"}
# Kept as JSON only, current versions too (Entry): a busy cluster holds an hour of
# Events (--event-ttl), 350,000 at the scale demo's churn, each dict 2 KB beside its
# 0.8 KB of JSON; read seldom (a list, a selector's watch), they are decoded then.
BYTES_ONLY = frozenset({EVENTS})

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"


class Entry:
    """One stored version of one object: its JSON bytes, and the dict while current
    (not for BYTES_ONLY resources).

    A superseded version lets go of its dict and keeps only the bytes: the history
    then holds no Python object graphs, so a window of 50,000 pod versions does not
    turn every full garbage collection into a second-long pause. Reading `obj` of a
    version without its dict decodes a fresh copy.
    """

    __slots__ = ("key", "namespace", "name", "_obj", "data", "rv", "views")

    def __init__(self, key: str, namespace: str, name: str, obj: dict, rv: int) -> None:
        self.key = key
        self.namespace = namespace
        self.name = name
        self._obj: dict | None = obj
        self.rv = rv
        self.data = _encode(obj)
        # Other encodings of this version (e.g. events.k8s.io/v1), filled lazily by
        # whoever needs them; racing fills compute the same bytes, so no lock.
        self.views: dict[str, bytes] | None = None

    @property
    def obj(self) -> dict:
        obj = self._obj
        return obj if obj is not None else orjson.loads(self.data)

    def release(self) -> None:
        self._obj = None

    def view(self, name: str, render: Callable[[dict], dict]) -> bytes:
        views = self.views
        if views is None:
            views = self.views = {}
        data = views.get(name)
        if data is None:
            data = views[name] = _encode(render(self.obj))
        return data


class WatchEvent:
    """One entry of the history log."""

    __slots__ = ("rv", "resource", "type", "entry", "prev", "at")

    def __init__(self, rv: int, resource: str, type: str, entry: Entry, prev: Entry | None) -> None:
        self.at = 0.0  # when it was written (Storage._append)
        self.rv = rv
        self.resource = resource
        self.type = type
        self.entry = entry  # the object as of this event (for DELETED: the final object)
        self.prev = prev  # the version before this event (None for ADDED)


@dataclass(slots=True)
class Page:
    entries: list[Entry]
    resource_version: int
    next_key: str | None  # continue after this key; None when the list is complete
    # With next_key and no predicate: how many objects the later pages hold (etcd's
    # count, as remainingItemCount reports it); None otherwise.
    remaining: int | None = None


def _key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def _identity(obj: object, resource: str) -> tuple[str, str, dict]:
    if not isinstance(obj, dict):
        raise APIError(400, f"{resource}: object must be a JSON object")
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise APIError(422, f"{resource}: metadata.name: Required value: name is required")
    namespace = meta.get("namespace")
    if not isinstance(namespace, str) or not namespace:
        namespace = meta["namespace"] = "default"
    return namespace, name, meta


class Storage:
    """Thread-safe in-memory store for "pods" and "events" (core/v1)."""

    def __init__(self, clock: Clock, *, window: int = 50_000, first_rv: int = 1,
                 retention: float | None = None) -> None:
        """`first_rv`: where resourceVersions start. A cluster served again after a
        restart (a new process, as `podtui demo --serve` killed and started again) must
        start past every RV the last one gave out, as etcd's revisions carry on: then a
        client's old RV is too old (410, relist), not a future one its watch waits for.
        `retention`: seconds of history kept at least; older entries are forgotten
        (checked every `retention` / 4 seconds). None: only `window` bounds it."""
        if window < 1:
            raise ValueError("window must be at least 1")
        if first_rv < 1:
            raise ValueError("first_rv must be at least 1")
        self._clock = clock
        self.created = clock.time()  # epoch seconds: the cluster's birth, older than anything in it
        self._window = window
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._objects: dict[str, dict[str, Entry]] = {r: {} for r in RESOURCES}
        self._keys: dict[str, list[str]] = {r: [] for r in RESOURCES}  # sorted, like etcd keys
        self._rv = first_rv
        self._log: list[WatchEvent] = []
        self._log_base = self._rv + 1  # rv of _log[0]
        self._floor = self._rv  # compact(): RVs below this are forgotten
        self._retention = retention
        self._next_trim = self.created + retention / 4 if retention is not None else float("inf")

    # ---- writes ------------------------------------------------------------------

    def _prepare(self, resource: str, obj: dict) -> tuple[str, str, dict, str]:
        """Check a write: (namespace, name, metadata, key); fills kind and apiVersion."""
        self._check_resource(resource)
        namespace, name, meta = _identity(obj, resource)
        obj.setdefault("kind", KINDS[resource])
        obj.setdefault("apiVersion", "v1")
        return namespace, name, meta, _key(namespace, name)

    def create(self, resource: str, obj: dict) -> dict:
        """Store a new object; fills uid, creationTimestamp (when absent) and resourceVersion.

        Raises APIError 409 AlreadyExists when namespace/name is taken.
        """
        namespace, name, meta, key = self._prepare(resource, obj)
        with self._lock:
            if key in self._objects[resource]:
                raise already_exists(resource, name)
            if not meta.get("uid"):
                meta["uid"] = str(uuid.uuid4())
            if not meta.get("creationTimestamp"):
                meta["creationTimestamp"] = format_ts(self._clock.time())
            rv = self._rv + 1
            meta["resourceVersion"] = str(rv)
            entry = Entry(key, namespace, name, obj, rv)
            if resource in BYTES_ONLY:
                entry.release()
            self._objects[resource][key] = entry
            bisect.insort(self._keys[resource], key)
            self._append(WatchEvent(rv, resource, ADDED, entry, None))
        return obj

    def update(self, resource: str, obj: dict) -> dict:
        """Replace the object with the same namespace/name; watchers get MODIFIED.

        uid and creationTimestamp carry over from the stored object when the new one
        lacks them. Raises APIError 404 when there is no such object.
        """
        namespace, name, meta, key = self._prepare(resource, obj)
        with self._lock:
            prev = self._objects[resource].get(key)
            if prev is None:
                raise not_found(resource, name)
            prev_meta = prev.obj.get("metadata") or {}
            for field in ("uid", "creationTimestamp"):
                if not meta.get(field) and prev_meta.get(field):
                    meta[field] = prev_meta[field]
            rv = self._rv + 1
            meta["resourceVersion"] = str(rv)
            entry = Entry(key, namespace, name, obj, rv)
            if resource in BYTES_ONLY:
                entry.release()
            self._objects[resource][key] = entry
            prev.release()
            self._append(WatchEvent(rv, resource, MODIFIED, entry, prev))
        return obj

    def delete(self, resource: str, namespace: str, name: str) -> dict | None:
        """Remove now; watchers get DELETED with the final object at a new resourceVersion.

        Returns that final object, or None when there was no such object.
        """
        self._check_resource(resource)
        key = _key(namespace, name)
        with self._lock:
            prev = self._objects[resource].pop(key, None)
            if prev is None:
                return None
            keys = self._keys[resource]
            del keys[bisect.bisect_left(keys, key)]
            rv = self._rv + 1
            final = dict(prev.obj)  # the stored dict stays untouched for anyone holding it
            final["metadata"] = {**(prev.obj.get("metadata") or {}), "resourceVersion": str(rv)}
            entry = Entry(key, namespace, name, final, rv)
            entry.release()
            prev.release()
            self._append(WatchEvent(rv, resource, DELETED, entry, prev))
        return final

    def compact(self) -> None:
        """Forget the watch history: watches and continue tokens from older RVs get 410."""
        with self._lock:
            self._floor = self._rv
            self._log = []
            self._log_base = self._rv + 1
            self._changed.notify_all()

    # ---- reads -------------------------------------------------------------------

    def get(self, resource: str, namespace: str, name: str) -> dict | None:
        """The stored object (shared: treat it as read-only), or None."""
        self._check_resource(resource)
        entry = self._objects[resource].get(_key(namespace, name))
        return entry.obj if entry else None

    def get_entry(self, resource: str, namespace: str, name: str) -> Entry | None:
        self._check_resource(resource)
        return self._objects[resource].get(_key(namespace, name))

    def has_namespace(self, namespace: str) -> bool:
        """Whether any object lives in `namespace` (namespaces exist here by use only)."""
        prefix = _key(namespace, "")
        with self._lock:
            for keys in self._keys.values():
                i = bisect.bisect_left(keys, prefix)
                if i < len(keys) and keys[i].startswith(prefix):
                    return True
        return False

    def namespaces(self) -> set[str]:
        """The namespaces that hold an object, skipping from one to the next by bisection."""
        found: set[str] = set()
        with self._lock:
            for keys in self._keys.values():
                i = 0
                while i < len(keys):
                    namespace = keys[i].split("/", 1)[0]
                    found.add(namespace)
                    i = bisect.bisect_left(keys, namespace + "0", i)  # "0" sorts right after "/"
        return found

    def list(self, resource: str, namespace: str | None = None) -> list[dict]:
        """Current objects in key order (namespace, then name)."""
        return [e.obj for e in self.page(resource, namespace).entries]

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def oldest_resource_version(self) -> int:
        """The oldest RV a watch or a continue token may still start from."""
        with self._lock:
            return self._oldest_valid()

    def page(
        self,
        resource: str,
        namespace: str | None = None,
        *,
        predicate: Callable[[dict], bool] | None = None,
        at: int | None = None,
        after_key: str | None = None,
        limit: int | None = None,
    ) -> Page:
        """One page of a list, consistent as of resourceVersion `at` (default: now).

        A past `at` is rebuilt by undoing the history after it, which is how a paged
        list stays one consistent snapshot; `at` older than the history -> 410.
        """
        self._check_resource(resource)
        with self._lock:
            current = self._rv
            at = current if at is None else at
            if at < self._oldest_valid():
                raise too_old_resource_version(at, self._oldest_valid())
            if at > current:
                raise too_large_resource_version(at, current)
            overrides = self._undo_map(resource, at) if at < current else {}
            entries: list[Entry] = []
            next_key = None
            want = None if limit is None or limit <= 0 else limit
            for entry in self._iter_state(resource, namespace, after_key, overrides):
                if predicate is not None and not predicate(entry.obj):
                    continue
                if want is not None and len(entries) == want:
                    next_key = entries[-1].key
                    break
                entries.append(entry)
            remaining = None
            if next_key is not None and predicate is None:
                remaining = self._count_after(resource, namespace, next_key, overrides)
            return Page(entries, at, next_key, remaining)

    # ---- watch support -------------------------------------------------------------

    def events_since(self, rv: int, max_events: int = 1024) -> list[WatchEvent]:
        """History entries after `rv`, oldest first. Raises APIError 410 if `rv` is too old."""
        with self._lock:
            oldest = self._oldest_valid()
            if rv < oldest:
                raise too_old_resource_version(rv, oldest)
            start = rv + 1 - self._log_base
            if start >= len(self._log):
                return []
            return self._log[start : start + max_events]

    def wait_for_events(self, rv: int, timeout: float) -> None:
        """Block until something newer than `rv` exists, wake() is called, or timeout."""
        with self._lock:
            if self._rv <= rv:
                self._changed.wait(timeout)

    def wake(self) -> None:
        """Wake every wait_for_events() caller (fault injection, server shutdown)."""
        with self._lock:
            self._changed.notify_all()

    # ---- internals -----------------------------------------------------------------

    def _check_resource(self, resource: str) -> None:
        if resource not in self._objects:
            raise ValueError(f"unknown resource {resource!r}; expected one of {', '.join(RESOURCES)}")

    def _oldest_valid(self) -> int:
        return max(self._floor, self._rv - self._window, self._log_base - 1)

    def _append(self, event: WatchEvent) -> None:
        self._rv = event.rv
        now = event.at = self._clock.time()
        self._log.append(event)
        # Trim in chunks so appends stay O(1) amortised. Both bounds cut a prefix (the
        # log is in time order): the longer cut is both.
        excess = len(self._log) - self._window
        drop = excess if excess > max(1024, self._window // 4) else 0
        if now >= self._next_trim:
            self._next_trim = now + self._retention / 4
            drop = max(drop, bisect.bisect_left(self._log, now - self._retention, key=_AT))
        if drop:
            del self._log[:drop]
            self._log_base += drop
        self._changed.notify_all()

    def _count_after(self, resource: str, namespace: str | None, key: str, undo: dict[str, Entry | None]) -> int:
        """Objects after `key` (within `namespace`) in the snapshot `undo` rewinds to."""
        keys = self._keys[resource]
        end = bisect.bisect_left(keys, namespace + "0") if namespace else len(keys)  # "0" sorts right after "/"
        count = max(end - bisect.bisect_right(keys, key), 0)
        prefix = f"{namespace}/" if namespace else ""
        objects = self._objects[resource]
        for k, then in undo.items():
            if k > key and k.startswith(prefix):
                count += (then is not None) - (k in objects)
        return count

    def _undo_map(self, resource: str, at: int) -> dict[str, Entry | None]:
        """key -> the version it had at `at` (None: absent), for keys changed since."""
        undo: dict[str, Entry | None] = {}
        start = at + 1 - self._log_base
        for event in islice(self._log, max(start, 0), None):
            if event.resource == resource and event.entry.key not in undo:
                undo[event.entry.key] = event.prev
        return undo

    def _iter_state(
        self, resource: str, namespace: str | None, after_key: str | None, undo: dict[str, Entry | None]
    ) -> Iterator[Entry]:
        keys = self._keys[resource]
        objects = self._objects[resource]
        prefix = f"{namespace}/" if namespace else ""
        lo = bisect.bisect_left(keys, prefix) if prefix else 0
        if after_key is not None:
            lo = max(lo, bisect.bisect_right(keys, after_key))
        current = islice(keys, lo, None)
        if undo:
            # Keys deleted since `at` are back in that snapshot.
            revived = sorted(
                k
                for k, e in undo.items()
                if e is not None and k not in objects and k.startswith(prefix) and (after_key is None or k > after_key)
            )
            ordered: Iterator[str] = heapq.merge(current, revived)
        else:
            ordered = current
        for key in ordered:
            if prefix and not key.startswith(prefix):
                break
            if key in undo:
                entry = undo[key]
                if entry is None:
                    continue
            else:
                entry = objects[key]
            yield entry
