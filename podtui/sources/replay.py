"""Replaying a recording on its own timeline: play, pause, step, seek.

The replay drives a ManualClock, so everything that asks "now" (ages, countdowns)
sees the recorded time. Seeking backwards cannot un-apply changes: the feed starts
over and bumps `epoch`, and the consumer rebuilds its store when it sees a new epoch,
then applies what poll() returns (everything up to the target).

A consumer that applies through apply() gets checkpoints: apply() applies each item at
its recorded time (the clock set to it, tombstones expired up to it first), so that the
store after the first k items is the same whichever way the replay got there (played,
stepped, seeked forward, rebuilt), and every CHECKPOINT_EVERY items it keeps a copy of
the store (podtui.lifecycle.snapshot). A seek backwards then starts over from the newest
checkpoint at or before the target: epoch_store() is the consumer's new store, poll()
returns the status items before the checkpoint (what the bar shows) and then the items
from the checkpoint on. A long seek forward (BUILD_ASIDE) starts a new epoch too, from
a checkpoint further on, else from a copy of the consumer's store as it is: the consumer
builds it aside, as it does a seek back's, rather than growing its shown store in place.
A consumer that applies with Store.apply_batch() gets no checkpoints, and starts over
from an empty store and the first item, as before.

The recording stays packed (PackedItems): each item is made as it is released and its
object decoded when the consumer applies it, so what is held decoded is the consumer's
store, not every version of every pod.
"""

from __future__ import annotations

import bisect
import itertools
import time
from array import array
from collections.abc import Callable

from podtui.clock import ManualClock
from podtui.lifecycle import snapshot
from podtui.lifecycle.changes import BOOKMARK, PODS, Change, Item, Relist
from podtui.lifecycle.duration import whole_second
from podtui.lifecycle.store import Store
from podtui.sources.decode import PodDecoder
from podtui.sources.recording import Recording, scope_from_header

# Items between checkpoints, at least. Starting over from one costs a thaw (~6 µs a pod:
# 0.12 s for 20,000 pods, and ~80 µs to decode again each object it let go of) plus
# applying the items up to the target (~90 µs each, decoding included: up to 0.45 s for
# 5,000); taking one costs ~5 ms for 20,000 pods plus ~8 µs per pod changed since the
# last, whose objects of the time the last then lets go of (the recording has them). At
# 2,000 a seek to the end of 60,000 changes took ~20% more CPU; at 5,000 under 10%
# (tests/benchmarks/bench_replay.py).
CHECKPOINT_EVERY = 5000
CHECKPOINTS_MAX = 64
# What the checkpoints may hold together (snapshot.size_estimate). Past it, or past the
# count, the checkpoint whose neighbours are closest goes, so that they stay spread over
# what was played, and the spacing of the next ones grows to what the budget allows.
CHECKPOINTS_BYTES = 64 * 2**20
# A move forward over more items than this is built aside, as a seek back is: a new epoch
# from the consumer's store as it is (or a checkpoint further on). Applied in place, the
# table grew through the states between, paint by paint (the app paints every ~1,000
# items applied). Fewer are cheaper in place than the copy (~6 µs a pod to thaw).
BUILD_ASIDE = 1000


MIN_SPEED, MAX_SPEED = 0.125, 64.0  # what the replay's - and + reach, and --speed
SCAN_CHUNK = 256  # items looked at a time for the next change a user can see
# A list that has not ended this long (recorded seconds) after the first pod came (its
# stream failed mid-list) no longer holds up the opening: the pods' own list then does.
LIST_WAIT = 60.0


class ReplayFeed:
    """A Feed over a recording, released as its recorded time passes on `clock`."""

    def __init__(self, recording: Recording, clock: ManualClock, *, speed: float = 1.0,
                 wall: Callable[[], float] = time.monotonic, autoplay: bool = True) -> None:
        self.recording = recording
        self.autoplay = autoplay  # False: start() leaves it paused until resume()
        self.scope = scope_from_header(recording.header)
        self.clock = clock
        self.speed = speed
        self.epoch = 0  # bumped when the consumer must start from an empty store
        self.playing = False
        self._wall = wall
        self._log = recording.log
        self._pods = PodDecoder()  # a new one for each pass from the start
        # Released in file order: an item stamped earlier than the one before it (the
        # recording host's clock stepped back) goes right after it. bisect needs this.
        self._times = array("d", itertools.accumulate(self._log.times, max))
        self._next = 0  # index of the first item not yet released
        # Checkpoints (apply() takes them) by the number of items applied, ascending.
        self._checkpoint_at: list[int] = []
        self._every = CHECKPOINT_EVERY  # a multiple of it
        self._checkpoints: list[snapshot.Checkpoint] = []
        self._sizes: list[int] = []  # snapshot.size_estimate of each, next to its neighbours
        self._restart: snapshot.Checkpoint | None = None  # the current epoch's start (None: empty)
        self._store: Store | None = None  # what the consumer applies this epoch into, once it has
        # By pod UID, the index of the item whose object the consumer's store holds: a
        # checkpoint notes it, and lets go of the object once the pod has changed since.
        self._sources: dict[str, int] = {}
        self._base: snapshot.Checkpoint | None = None  # the consumer's store was this, plus...
        self._changed: set[str] = set()  # ...the pods it marked dirty since
        # Items the store does not take (status, relist), by index: poll() says the ones
        # before a checkpoint again when starting over from it.
        self._marks: list[tuple[int, Item]] = []
        self._marked = 0  # the items up to here are in _marks
        self._owed: list[Item] = []  # marks the next poll() returns first
        self._polled = (0, 0, 0)  # the last poll: its first item's index, the end, marks before them
        self._position = self.start_time
        self._opening: float | None = None  # opening_time(), once scanned for
        self._wall_mark = 0.0
        clock.set(self._position)

    # -- what the UI shows
    @property
    def start_time(self) -> float:
        return self._times[0] if self._times else self.recording.header.started

    @property
    def end_time(self) -> float:
        return self._times[-1] if self._times else self.start_time

    @property
    def position(self) -> float:
        return self._position

    def pods_read_before(self, t: float) -> float | None:
        """The recorded time of the last pods change or bookmark at or before t: what the
        data was current as of, for a status recorded without current_as_of."""
        i = self._log.last_of(PODS, bisect.bisect_right(self._times, t))
        return None if i is None else self._times[i]

    @property
    def at_end(self) -> bool:
        return self._next >= len(self._log)

    # -- Feed
    def start(self) -> None:
        if self.autoplay:
            self.resume()

    def stop(self) -> None:
        self.playing = False

    def poll(self, limit: int | None = None) -> list[Item]:
        self._advance()
        owed, self._owed = self._owed, []
        start = self._next
        items = self._release_until(self._position, limit)
        self._polled = (start, self._next, len(owed))
        if self.playing and self.at_end:
            self.playing = False
        return owed + items if owed else items

    # -- the consumer's store
    def epoch_store(self, new: Callable[[], Store]) -> Store:
        """The store to start the current epoch from: the checkpoint a seek backwards
        started over from, thawed, else new() (empty)."""
        store = new()
        if self._restart is None:
            return store
        return snapshot.thaw(self._restart, store.clock, self._load)

    def apply(self, store: Store, items: list[Item]) -> None:
        """Apply to `store` what the last poll() returned, each item at its recorded time:
        the clock set to it and the tombstones expired up to it first, as playing through
        it would have. Takes a checkpoint every so many items. The consumer applies
        every poll() through here, in order, into the store the epoch started with."""
        start, end, owed = self._polled
        if len(items) != owed + end - start:
            raise ValueError("apply() takes what the last poll() returned, whole")
        self._polled = (end, end, 0)
        self._store = store
        if end == start:
            return
        clock, times, pods, sources = self.clock, self._times, store.pods, self._sources
        now = clock.time()
        i = start
        for item in itertools.islice(items, owed, None):
            t = times[i]  # when it was released: item times run back where the recording host's clock did
            clock.set(t)
            store.expire(t)
            if isinstance(item, Change):
                store.apply(item)
                if item.resource == PODS:
                    obj = item.obj
                    meta = obj.get("metadata") if type(obj) is dict else None
                    rec = pods.get(meta.get("uid")) if type(meta) is dict else None
                    if rec is not None and rec.obj is obj:
                        sources[rec.uid] = i
            i += 1
            if i % self._every == 0:
                self._checkpoint(store, i)
        self._changed |= snapshot.dirty(store)
        clock.set(now)

    def expire(self, store: Store) -> None:
        """Drop the consumer's tombstones up to the position, but not past an item it
        still has to apply: that one expires up to its own time first (apply)."""
        t = self._position
        if self._next < len(self._times):
            t = min(t, self._times[self._next])
        store.expire(t)

    def change_times_since(self, t: float) -> list[float]:
        """The recorded times after t of the changes released so far (the bar's events/s
        after a seek: the epoch's store may have started from a checkpoint since)."""
        lo = bisect.bisect_right(self._times, t, hi=self._next)
        return [item.observed for item in self._log.take(lo, self._next, PodDecoder())
                if isinstance(item, Change) and item.observed > t]

    def _checkpoint(self, store: Store, index: int) -> None:
        changed = self._changed | snapshot.dirty(store)
        at = bisect.bisect_left(self._checkpoint_at, index)
        taken = not (at < len(self._checkpoint_at) and self._checkpoint_at[at] == index)
        self._release(store, changed)  # first: the base's size below is then what it holds
        if not taken:
            checkpoint = self._checkpoints[at]  # the store is what it was then: the same items, applied alike
        else:
            checkpoint = snapshot.freeze(store, self._base, changed, self._sources)
            self._checkpoint_at.insert(at, index)
            self._checkpoints.insert(at, checkpoint)
            self._sizes.insert(at, 0)
            for i in (at - 1, at, at + 1):  # it and its neighbours, which it now shares with
                self._resize(i)
        self._base, self._changed = checkpoint, set()
        if taken:
            self._thin()

    def _release(self, store: Store, changed: set[str]) -> None:
        """The store's base lets go of the objects of the pods changed since: a checkpoint
        taken now holds their new ones, a thaw of the base loads the old ones again."""
        base = self._base
        if base is not None and snapshot.release(base, store, changed):
            for i, checkpoint in enumerate(self._checkpoints):
                if checkpoint is base:
                    self._resize(i)
        sources = self._sources  # in place: apply() holds it
        if len(sources) > 2 * len(store.pods) + 1000:  # pods expired since
            for uid in [uid for uid in sources if uid not in store.pods]:
                del sources[uid]

    def _load(self, indices: list[int]) -> dict[int, object]:
        """The objects of the items at `indices` (thaw()'s load), decoded again."""
        scratch = PodDecoder()  # in file order, as a pass would have: a controller's pods share their spec
        return {i: self._log.take(i, i + 1, scratch)[0].obj for i in sorted(set(indices))}

    def _thin(self) -> None:
        """Drop checkpoints while over CHECKPOINTS_MAX or CHECKPOINTS_BYTES: each time the
        one whose neighbours are closest (never the store's base, nor the newest)."""
        at, checkpoints, sizes = self._checkpoint_at, self._checkpoints, self._sizes
        thinned = False
        while len(at) > CHECKPOINTS_MAX or (len(at) > 2 and sum(sizes) > CHECKPOINTS_BYTES):
            ends = [0, *at, len(self._times)]
            candidates = [i for i in range(len(at) - 1) if checkpoints[i] is not self._base]
            if not candidates:
                break
            drop = min(candidates, key=lambda i: ends[i + 2] - ends[i])
            del at[drop], checkpoints[drop], sizes[drop]
            for i in (drop - 1, drop):  # what they shared with it is their own now
                self._resize(i)
            thinned = True
        if thinned:
            self._every = CHECKPOINT_EVERY * max(1, round(at[-1] / len(at) / CHECKPOINT_EVERY))

    def _resize(self, i: int) -> None:
        checkpoints = self._checkpoints
        if 0 <= i < len(checkpoints):
            before = checkpoints[i - 1] if i else None
            after = checkpoints[i + 1] if i + 1 < len(checkpoints) else None
            self._sizes[i] = snapshot.size_estimate(checkpoints[i], *snapshot.copies(checkpoints[i], before, after))

    # -- controls
    def pause(self) -> None:
        self.playing = False

    def resume(self) -> bool:
        """Play from the position. False at the end: nothing is left to play, it stays paused."""
        if self.at_end:
            return False
        self.playing = True
        self._wall_mark = self._wall()
        return True

    def toggle(self) -> None:
        """A player's play/pause button: at the end, play starts again from the start."""
        if self.playing:
            self.pause()
        elif not self.resume():
            self.seek(self.start_time)
            self.resume()

    def set_speed(self, speed: float) -> None:
        if speed > 0:
            self._advance()  # the time passed so far ran at the old speed
            self.speed = speed

    def step(self) -> None:
        """Pause and move to the time of the next change a user can see: a pod's or an
        Event's. Status and relist items up to it come along, but are no step of their
        own (a recording opens with a handful: connecting, listing, ...). With none
        left, to the end."""
        self.pause()
        # After the current position, not after what was released: a poll with a limit
        # may still owe items from before it.
        i = bisect.bisect_right(self._times, self._position)
        if i < len(self._times):
            j = self._next_visible(i)
            self._move_to(self._times[j if j is not None else -1])

    def opening_time(self) -> float:
        """Where a paused replay opens: right after the recording's initial list, the
        first moment with pods (the list's pods and its Events, not the first of them).
        That is, after the first pod change, once every list begun by then has ended
        (a list whose stream fails mid-way holds it up LIST_WAIT seconds at most). A
        recording with no pods opens at its end of lists, else its start."""
        if self._opening is None:
            self._opening = self._find_opening()
        return self._opening

    def _find_opening(self) -> float:
        lists: set[str] = set()  # begun, not ended
        pods_listed: int | None = None  # the index after the pods' first list and a pod
        first_pod: int | None = None  # the index after the first pod change
        scratch = PodDecoder()  # nothing is decoded: kinds and times only
        i, n = 0, len(self._log)
        while i < n:
            for item in self._log.take(i, min(i + SCAN_CHUNK, n), scratch):
                i += 1
                if isinstance(item, Relist):
                    if item.phase == "start":
                        lists.add(item.resource)
                    else:
                        lists.discard(item.resource)
                        if item.resource == PODS and first_pod is not None and pods_listed is None:
                            pods_listed = i
                elif first_pod is None and _visible(item) and item.resource == PODS:
                    first_pod = i
                if first_pod is not None:
                    if not lists:
                        return self._times[i - 1]
                    if self._times[i - 1] > self._times[first_pod - 1] + LIST_WAIT:
                        return self._times[(pods_listed or first_pod) - 1]
        end = pods_listed or first_pod
        return self._times[end - 1] if end else self.start_time

    def _next_visible(self, i: int) -> int | None:
        """The index of the first change a user can see from item i on."""
        scratch = PodDecoder()  # nothing is decoded: kinds only
        n = len(self._log)
        while i < n:
            for item in self._log.take(i, min(i + SCAN_CHUNK, n), scratch):
                if _visible(item):
                    return i
                i += 1
        return None

    def seek(self, t: float, *, whole: bool = True) -> None:
        """Jump to recorded time t (clamped to the recording; else, with `whole`, down to
        its whole second); keeps playing or paused.
        Back from the opening or later to before it lands on the opening (opening_time())."""
        if whole and self.start_time < t < self.end_time:
            # On the recorded clock's whole second, as the bar says it: `}` from 0:00 and
            # `{` from the end both at 1:00 landed a fraction apart, on two states.
            t = max(float(whole_second(t)), self.start_time)
            if t >= whole_second(self.end_time):
                # The end's whole second: the bar said "0:40/0:40" paused short of it, not ■ end.
                t = self.end_time
        t = min(max(t, self.start_time), self.end_time)
        if t < self._position:
            # Before the opening the initial list is half applied or not at all: "0 pods",
            # filled by the next step or play. From before it (--at 0), back is the start.
            opening = self.opening_time()
            if t < opening <= self._position:
                t = opening
        if t < self._position:
            self._start_over(bisect.bisect_right(self._times, t))
        else:
            self._leap(bisect.bisect_right(self._times, t))
        self._move_to(t)
        if self.playing:
            self._wall_mark = self._wall()

    def seek_next_change(self, uid: str) -> bool:
        """Jump to the next recorded change of pod `uid`; False when there is none."""
        i = self._log.find_pod(uid, self._next)
        if i is None:
            return False
        self.pause()
        self._leap(bisect.bisect_right(self._times, self._times[i]))
        self._move_to(self._times[i])
        return True

    def _start_over(self, end: int) -> None:
        """A new epoch from the newest checkpoint at or before item `end`, else the first item."""
        k = bisect.bisect_right(self._checkpoint_at, end) - 1
        self._restart = self._checkpoints[k] if k >= 0 else None
        self._next = self._checkpoint_at[k] if k >= 0 else 0
        self._base, self._changed = self._restart, set()
        self._sources = snapshot.sources(self._restart) if self._restart is not None else {}
        self._owed = [item for i, item in self._marks if i < self._next]
        self.epoch += 1
        self._store = None
        self._pods = PodDecoder()  # the checkpoint's objects were decoded by another: equal, not shared

    def _leap(self, end: int) -> None:
        """Before a move forward to item `end`: far enough (BUILD_ASIDE), a new epoch, which
        the consumer builds aside, from a checkpoint further on, else from its store as it
        is. Only for a consumer that applies through apply(), and has applied all it polled
        this epoch: its store is then the items before _next, which it starts from again."""
        if end - self._next <= BUILD_ASIDE:
            return
        k = bisect.bisect_right(self._checkpoint_at, end) - 1
        if k >= 0 and self._checkpoint_at[k] >= self._next:
            self._start_over(end)
            return
        store = self._store
        if store is None or self._polled[0] != self._next:
            return
        changed = self._changed | snapshot.dirty(store)
        self._restart = snapshot.freeze(store, self._base, changed, self._sources)
        self._release(store, changed)
        self._base, self._changed = self._restart, set()
        self._owed = [item for i, item in self._marks if i < self._next]  # as a start over says them
        self.epoch += 1
        self._store = None

    def _advance(self) -> None:
        """Fold the wall time passed since the last mark into the position, up to the end."""
        if self.playing:
            now = self._wall()
            target = self._position + (now - self._wall_mark) * self.speed
            self._wall_mark = now
            self._position = min(target, max(self.end_time, self._position))

    def _move_to(self, t: float) -> None:
        self._position = t
        self.clock.set(t)

    def _release_until(self, t: float, limit: int | None) -> list[Item]:
        self.clock.set(t)
        end = bisect.bisect_right(self._times, t, lo=self._next)
        if limit is not None:
            end = min(end, self._next + limit)
        start = self._next
        out = self._log.take(start, end, self._pods)
        self._next = end
        if end > self._marked:
            for i in range(max(start, self._marked), end):
                item = out[i - start]
                if not isinstance(item, Change):
                    self._marks.append((i, item))
            self._marked = end
        return out


def _visible(item: Item) -> bool:
    """A change of a pod or an Event, which the screens show; not a status, a relist's
    mark or a bookmark."""
    return isinstance(item, Change) and item.type != BOOKMARK
