"""Which pods the table shows, in which order: kept up to date incrementally.

The table must stay cheap with tens of thousands of pods and a steady stream of
changes, so nothing here walks every pod on a change: each pod has a sort key (a tuple
ending in its uid, so keys are unique) and the visible pods are a sorted list of keys.
A changed pod is re-placed only when its key or its filter match changed; the common
MODIFIED event (a status flip when sorting by name) moves nothing. Sorting by another
column and namespace switches rebuild the list: O(N log N), on a keypress, not per
event. Reversing reads the list from the other end; a filter keystroke keeps the keys
of what stays shown (refilter).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from podtui.ui.pod_filter import PodFilter, haystack, narrows, parse_filter, pod_labels

# column -> descending by default? (k9s sorts restarts largest first)
SORT_COLUMNS: dict[str, bool] = {
    "namespace": False,
    "name": False,
    "ready": False,
    "status": False,
    "restarts": True,
    "age": False,  # youngest first
    "ip": False,
    "node": False,
    "next": False,  # soonest first
}

NextDue = Callable[[Any], "float | None"]

DELETED = "Deleted"


def table_status(record: Any) -> str:
    """STATUS as the table shows it: kubectl's, except for a pod gone from the API,
    which kubectl no longer lists and podtui keeps for a while with its final state.
    Its last STATUS ("Running" after a force delete) would read as if it still ran;
    the detail view keeps it."""
    if getattr(record, "deleted_at", None) is not None:
        return DELETED
    return str(getattr(record.row, "status", ""))


@dataclass(slots=True)
class IndexUpdate:
    """What a batch of changes did to the visible list."""

    moved: bool = False  # rows were inserted, removed or reordered
    first_moved: int | None = None  # lowest display position affected by a move
    changed: set[str] = field(default_factory=set)  # visible uids whose content changed


def _ready_fraction(ready: str) -> float:
    have, _, want = str(ready).partition("/")
    try:
        return int(have) / int(want) if int(want) else 0.0
    except ValueError:
        return 0.0


# A text's mirror: its UTF-8 bytes (in code point order) each b -> 0xFE - b, ended by
# 0xFF, never in UTF-8, so a prefix sorts after what extends it. Bytes, not characters
# mirrored one by one: reversing a sort turns every shown pod's key, 0.17 s at 40,000.
_MIRROR = bytes(range(0xFE, -1, -1)) + b"\xff"


def _mirrored(text: str | bytes) -> str | bytes:
    """The text in reverse order of strings, and back: "ab" > "abc" mirrored."""
    if isinstance(text, bytes):
        return text[:-1].translate(_MIRROR).decode("utf-8", "surrogatepass")
    return text.encode("utf-8", "surrogatepass").translate(_MIRROR) + b"\xff"


def _turned(key: tuple) -> tuple:
    """A sort key with its tie-breaking tail in the other order (and back again), so
    that read from the other end, as a descending sort is, ties still run A→Z and a
    live pod before its deleted namesake. The uid, for pods alike in all else, stays."""
    value, ns, name, deleted, uid = key
    return (value, _mirrored(ns), _mirrored(name), not deleted, uid)


def _reverse_runs(keys: list[tuple], same: Callable[[tuple, tuple], bool]) -> None:
    """Reverse in place each run of neighbours that are `same`."""
    start, n = 0, len(keys)
    for i in range(1, n + 1):
        if i == n or not same(keys[i - 1], keys[i]):
            if i - start > 1:
                keys[start:i] = keys[i - 1:start - 1 if start else None:-1]
            start = i


def _ip_key(ip: str) -> tuple:
    parts = str(ip).split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts), "")
    return (1, (), str(ip))


class PodIndex:
    def __init__(self, *, sort: str = "namespace", descending: bool | None = None,
                 next_due: NextDue | None = None) -> None:
        self.sort_column = sort if sort in SORT_COLUMNS else "namespace"
        self.descending = SORT_COLUMNS[self.sort_column] if descending is None else descending
        self.filter: PodFilter = parse_filter("")
        self.namespace: str | None = None  # None: every namespace the store holds
        self._next_due = next_due or (lambda record: None)
        self._order: list[tuple] = []  # ascending keys of visible pods
        self._keys: dict[str, tuple] = {}  # uid -> key, visible pods only
        self._haystacks: dict[str, tuple[int, str]] = {}  # uid -> (version, lowered text)
        self._texts_of: object = None  # the records (a store's pods) _haystacks were made from
        self.total = 0  # pods in the namespace view, filter ignored
        self._in_scope: set[str] = set()
        # Of those, the tombstones: kubectl no longer lists them, so the bar says so.
        self._deleted: set[str] = set()
        # Of the tombstones, those shown: kept as pods come and go, for the bar's
        # "(N deleted)" under a filter, asked for on every repaint (counting the shown
        # pods took 2 ms at 20,000).
        self._shown_deleted = 0

    # ------------------------------------------------------------------ reading
    @property
    def deleted(self) -> int:
        """Tombstones among the `total` pods."""
        return len(self._deleted)

    @property
    def shown_deleted(self) -> int:
        """Tombstones among the pods shown (the filter applied)."""
        return self._shown_deleted

    def __len__(self) -> int:
        return len(self._order)

    def uid_at(self, position: int) -> str | None:
        n = len(self._order)
        if not 0 <= position < n:
            return None
        i = n - 1 - position if self.descending else position
        return self._order[i][-1]

    def shows(self, uid: str) -> bool:
        return uid in self._keys

    def position(self, uid: str) -> int | None:
        key = self._keys.get(uid)
        if key is None:
            return None
        i = bisect_left(self._order, key)
        if i >= len(self._order) or self._order[i] != key:
            return None  # not reached: keys and order move together
        return len(self._order) - 1 - i if self.descending else i

    def uids(self, start: int, stop: int) -> list[str]:
        return [u for u in (self.uid_at(p) for p in range(max(0, start), min(stop, len(self)))) if u]

    # ------------------------------------------------------------------ settings
    def set_sort(self, column: str, descending: bool | None = None) -> bool:
        """Returns whether the order must be rebuilt: only for another column. The same
        column reversed reads the same sorted keys from the other end (keys of NEXT cost
        a model call per pod: 1.5 s for 20,000 pods)."""
        if column not in SORT_COLUMNS:
            raise ValueError(f"unknown sort column {column!r}")
        other = column != self.sort_column
        self.sort_column = column
        wanted = SORT_COLUMNS[column] if descending is None else descending
        flipped = wanted != self.descending
        self.descending = wanted
        if flipped and not other:
            # Ties keep name order A→Z either way: the keys' tails turn round, their
            # sort values (a model call each for NEXT) stay.
            # The keys were in order: turned, each run of one sort value is in reverse
            # order, but for pods alike in all but the uid (_turned keeps it). Two passes
            # over neighbours, no key ordered against another (a sort compared tails).
            order = [_turned(key) for key in self._order]
            _reverse_runs(order, lambda a, b: a[0] == b[0])
            _reverse_runs(order, lambda a, b: a[2] == b[2] and a[1] == b[1] and a[3] == b[3])
            self._order = order
            self._keys = {key[-1]: key for key in order}
        return other

    def set_filter(self, text: str) -> PodFilter:
        self.filter = parse_filter(text)
        return self.filter

    def set_namespace(self, namespace: str | None) -> None:
        self.namespace = namespace

    # ------------------------------------------------------------------ maintenance
    def visible(self) -> Iterable[str]:
        """The uids shown, in no particular order."""
        return self._keys.keys()

    def rebuild(self, records: Mapping[str, Any], keep_keys: bool = False) -> set[str]:
        """Recompute everything: after a sort or namespace change, or a new store.
        keep_keys: the same store and sort (a namespace switch), so a pod shown before
        keeps its key, as it would through update(); NEXT's keys are a model call each
        (back to all namespaces: 20,000 of them).
        Returns the uids shown now that were not before."""
        if records is not self._texts_of:
            # A new store counts versions from 0 again: a text cached at (uid, version)
            # may be another state's (a pod Pending then, Running now, both at v1).
            self._texts_of = records
            self._haystacks = {}
        before = self._keys
        ns = self.namespace
        in_scope = list(records) if ns is None else [u for u, r in records.items() if r.namespace == ns]
        self._in_scope = set(in_scope)
        self._deleted = {u for u in in_scope if records[u].deleted_at is not None}
        key = self._key
        kept = before if keep_keys else {}
        self._keys = {uid: kept.get(uid) or key(uid, records[uid]) for uid in self._shown_of(in_scope, records)}
        order = list(self._keys.values())
        order.sort()
        self._order = order
        self.total = len(self._in_scope)
        self._count_shown_deleted()
        live = set(records)
        self._haystacks = {u: h for u, h in self._haystacks.items() if u in live}
        return self._keys.keys() - before.keys()

    def refilter(self, records: Mapping[str, Any], text: str) -> set[str]:
        """A new filter over the same pods in the same order. Pods that stay shown keep
        their keys and their order; only pods that come into view are keyed, and merged
        in (two sorted runs: a linear sort). A filter that narrows the last one (typing
        on: "ap" -> "api") looks at the shown pods only. Each keystroke into a filter
        over 20,000 pods used to re-key and re-sort them all.

        Returns the uids shown now that were not before."""
        old, new = self.filter, parse_filter(text)
        self.filter = new
        shown = set(self._shown_of([key[-1] for key in self._order], records))
        # Gone from the store but not yet told (update): dropped, as a rebuild would.
        order = [key for key in self._order if key[-1] in shown]
        keys = {key[-1]: key for key in order}
        added = set()
        if not narrows(old, new):
            for uid in self._shown_of(list(self._in_scope - self._keys.keys()), records):
                key = self._key(uid, records[uid])
                order.append(key)
                keys[uid] = key
                added.add(uid)
            order.sort()
        self._order = order
        self._keys = keys
        self._count_shown_deleted()
        return added

    def _count_shown_deleted(self) -> None:
        keys = self._keys
        self._shown_deleted = sum(1 for uid in self._deleted if uid in keys)

    def update(self, records: Mapping[str, Any], dirty: Iterable[str]) -> IndexUpdate:
        """Apply a batch of changed uids (added, modified, removed)."""
        result = IndexUpdate()
        for uid in dirty:
            record = records.get(uid)
            old_key = self._keys.get(uid)
            self._shown_deleted -= old_key is not None and uid in self._deleted
            in_scope = record is not None and self._in_namespace(record)
            if in_scope:
                self._in_scope.add(uid)
            else:
                self._in_scope.discard(uid)
                self._haystacks.pop(uid, None)
            if in_scope and record.deleted_at is not None:
                self._deleted.add(uid)
            else:
                self._deleted.discard(uid)
            new_key = self._key(uid, record) if in_scope and self._matches(uid, record) else None
            self._shown_deleted += new_key is not None and uid in self._deleted
            if old_key == new_key:
                if new_key is not None:
                    result.changed.add(uid)
                continue
            if old_key is not None:
                self._note_move(result, old_key)
                del self._order[bisect_left(self._order, old_key)]
                del self._keys[uid]
            if new_key is not None:
                insort(self._order, new_key)
                self._keys[uid] = new_key
                self._note_move(result, new_key)
                result.changed.add(uid)
        self.total = len(self._in_scope)
        return result

    def _note_move(self, result: IndexUpdate, key: tuple) -> None:
        i = bisect_left(self._order, key)
        n = len(self._order)
        pos = max(0, n - 1 - i) if self.descending else i
        result.moved = True
        result.first_moved = pos if result.first_moved is None else min(result.first_moved, pos)

    # ------------------------------------------------------------------ keys
    def _in_namespace(self, record: Any) -> bool:
        return self.namespace is None or record.namespace == self.namespace

    def _matches(self, uid: str, record: Any) -> bool:
        f = self.filter
        if not f.active:
            return True
        labels = pod_labels(record.obj) if f.selector else None
        if not (f.words or f.hidden):
            return f.selects(labels)
        cached = self._haystacks.get(uid)
        if cached is None or cached[0] != record.version:
            cached = self._haystack(uid, record)
        return f.matches(cached[1], labels)

    def _haystack(self, uid: str, record: Any) -> tuple[int, str]:
        row = record.row
        text = haystack(record.name or "", record.namespace or "", table_status(record),
                        str(getattr(row, "node", "")), pod_labels(record.obj))
        cached = self._haystacks[uid] = (record.version, text)
        return cached

    def _shown_of(self, uids: list[str], records: Mapping[str, Any]) -> list[str]:
        """Which of `uids` (all in the namespace view) the filter shows; those not in
        the store are not. For words, one pass over the cached lower-cased texts: a
        keystroke that widens the filter tests every hidden pod, 20,000 of them."""
        f = self.filter
        present = [u for u in uids if u in records]
        if not f.active:
            return present
        if f.selector:  # then the words, if any, on what it selects
            present = [u for u in present if f.selects(pod_labels(records[u].obj))]
            if not (f.words or f.hidden):
                return present
        hay = self._haystacks
        for u in [u for u in present if (h := hay.get(u)) is None or h[0] != records[u].version]:
            self._haystack(u, records[u])
        words, hidden = f.words, f.hidden
        if len(words) == 1 and not hidden:
            word = words[0]
            return [u for u in present if word in hay[u][1]]
        return [u for u in present
                if (h := hay[u][1]) is not None and all(w in h for w in words) and not any(x in h for x in hidden)]

    def _key(self, uid: str, record: Any) -> tuple:
        """(sort value, namespace, name, deleted, uid). The tail breaks ties: by
        namespace and name A→Z, and a live pod before the deleted one of the same name it
        replaced (not by uid, which put one above and the next below). Descending reads
        the keys from the other end, so there the tail is turned round (_turned)."""
        ns = record.namespace or ""
        name = record.name or ""
        row = record.row
        column = self.sort_column
        if column == "name":
            value: Any = name
        elif column == "namespace":
            value = ns
        elif column == "status":
            value = table_status(record)
        elif column == "ready":
            value = _ready_fraction(row.ready)
        elif column == "restarts":
            value = row.restarts if isinstance(row.restarts, int) else 0
        elif column == "age":
            value = -(row.created if isinstance(row.created, (int, float)) else -math.inf)
        elif column == "ip":
            value = _ip_key(row.ip)
        elif column == "node":
            value = str(row.node)
        else:
            due = self._next_due(record)
            value = due if due is not None else math.inf
        key = (value, ns, name, record.deleted_at is not None, uid)
        return _turned(key) if self.descending else key
