"""The discrete-event core of the demo cluster.

Every action of the simulated scheduler, kubelet and controllers is a callback due at
a simulated time, kept in a heap with a sequence number so ties run in the order they
were scheduled. Nothing here reads a clock: tests call run_until() and get the
same run every time, instantly; the real-time driver (cluster.py) calls run_until()
with the simulated clock's time a few tens of times per second.

After all callbacks due at one instant have run, `on_settle` is called once: the
cluster uses it to write each changed pod to storage a single time, the way the
kubelet's status manager batches several container changes into one update.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any


class Timer:
    """A scheduled callback; cancel() makes it a no-op (it stays in the heap)."""

    __slots__ = ("at", "fn", "args", "cancelled")

    def __init__(self, at: float, fn: Callable[..., Any], args: tuple) -> None:
        self.at = at
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Engine:
    def __init__(self, start: float) -> None:
        self.now = start
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = 0
        self.on_settle: Callable[[], None] | None = None
        self.processed = 0  # callbacks run so far (for benchmarks and tests)

    def at(self, when: float, fn: Callable[..., Any], *args: Any) -> Timer:
        """Run fn(*args) at simulated time `when` (never earlier than now)."""
        timer = Timer(max(when, self.now), fn, args)
        self._seq += 1
        heapq.heappush(self._heap, (timer.at, self._seq, timer))
        return timer

    def after(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        return self.at(self.now + delay, fn, *args)

    def run_until(self, t: float) -> int:
        """Run everything due at or before `t`, in order; leaves now == t. Returns the count."""
        heap = self._heap
        ran = 0
        settle = self.on_settle
        while heap and heap[0][0] <= t:
            when, _, timer = heapq.heappop(heap)
            if timer.cancelled:
                continue
            self.now = when
            timer.fn(*timer.args)
            ran += 1
            # Settle once per instant: when the next callback is later (or none is due).
            if settle is not None and (not heap or heap[0][0] > when or heap[0][0] > t):
                settle()
        if t > self.now:
            self.now = t
        if settle is not None:
            settle()
        self.processed += ran
        return ran
