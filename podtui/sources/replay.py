"""Replaying a recording on its own timeline: play, pause, step, seek.

The replay drives a ManualClock, so everything that asks "now" (ages, countdowns)
sees the recorded time. Seeking backwards cannot un-apply changes: the feed starts
over from the beginning and bumps `epoch`, and the consumer rebuilds its store when
it sees a new epoch, then applies what poll() returns (everything up to the target).

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
from podtui.lifecycle.changes import Item
from podtui.sources.decode import PodDecoder
from podtui.sources.recording import Recording, scope_from_header


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
        self._position = self.start_time
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
        items = self._release_until(self._position, limit)
        if self.playing and self.at_end:
            self.playing = False
        return items

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
        """Pause and move to the time of the next recorded item."""
        self.pause()
        # After the current position, not after what was released: a poll with a limit
        # may still owe items from before it.
        i = bisect.bisect_right(self._times, self._position)
        if i < len(self._times):
            self._move_to(self._times[i])

    def seek(self, t: float) -> None:
        """Jump to recorded time t (clamped to the recording); keeps playing or paused."""
        t = min(max(t, self.start_time), self.end_time)
        if t < self._position:
            self._next = 0
            self.epoch += 1
            self._pods = PodDecoder()
        self._move_to(t)
        if self.playing:
            self._wall_mark = self._wall()

    def seek_next_change(self, uid: str) -> bool:
        """Jump to the next recorded change of pod `uid`; False when there is none."""
        i = self._log.find_pod(uid, self._next)
        if i is None:
            return False
        self.pause()
        self._move_to(self._times[i])
        return True

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
        out = self._log.take(self._next, end, self._pods)
        self._next = end
        return out
