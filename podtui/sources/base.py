"""The contract between a source and whoever consumes it (the UI, the recorder, tests).

A Feed produces Items (podtui.lifecycle.changes: Change, SourceStatus, Relist) in
order. Sources that do blocking I/O run it in their own thread and queue what they
read; the consumer drains with poll() on its own schedule (the UI on a timer, a few
times a second), so a burst of watch events costs one drain, not one message each.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from podtui.lifecycle.changes import Change, Item


@dataclass(slots=True)
class Scope:
    """What is being watched, for the status bar and recording headers."""

    context: str = ""
    server: str = ""  # URL, never credentials
    namespace: str | None = None  # None: all namespaces
    label_selector: str = ""
    field_selector: str = ""

    def describe(self) -> str:
        parts = [self.namespace or "all namespaces"]
        if self.label_selector:
            parts.append(f"-l {self.label_selector}")
        if self.field_selector:
            parts.append(f"--field-selector {self.field_selector}")
        return " ".join(parts)


class Feed(Protocol):
    scope: Scope

    def start(self) -> None:
        """Begin producing (starts the source's thread, if it has one)."""

    def poll(self, limit: int | None = None) -> list[Item]:
        """Everything queued so far (at most `limit` items), oldest first; never blocks."""

    def stop(self) -> None:
        """Stop producing and release connections; idempotent."""


class ItemQueue:
    """A thread-safe FIFO of Items: producers append from any thread, poll() drains.

    With `max_bytes`, a producer that finds that much queued (counting the bytes a
    Change was read as) waits until the consumer drains below it: a stalled consumer
    then holds the watch thread, and through it the TCP stream, instead of the process
    growing without limit. Nothing is dropped; a batch is never split, so the queue
    may pass the bound by one batch per producer. release() lets every wait go, for good.
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self._items: deque[Item] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._ready = threading.Event()
        self._bytes = 0
        self.max_bytes = max_bytes
        self._released = False
        self.held = 0  # producers waiting for room now: the consumer is behind

    def put(self, item: Item) -> None:
        self.extend((item,))

    def extend(self, items: Iterable[Item]) -> None:
        items = list(items)
        if not items:
            return
        size = queued_size(items)
        with self._cond:
            if self.max_bytes is not None and self._bytes >= self.max_bytes and not self._released:
                self.held += 1
                try:
                    self._cond.wait_for(lambda: self._bytes < self.max_bytes or self._released)
                finally:
                    self.held -= 1
            self._items.extend(items)
            self._bytes += size
        self._ready.set()

    def poll(self, limit: int | None = None) -> list[Item]:
        items = self._items
        out: list[Item] = []
        with self._cond:
            n = len(items) if limit is None else min(limit, len(items))
            popleft = items.popleft
            for _ in range(n):
                out.append(popleft())
            freed = queued_size(out)
            self._bytes -= freed
            if not items:
                self._ready.clear()
            if freed and self.held:
                self._cond.notify_all()
        return out

    def release(self) -> None:
        """Never make a producer wait again (the consumer is going away)."""
        with self._cond:
            self._released = True
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until something is queued (for headless consumers)."""
        return self._ready.wait(timeout)

    @property
    def queued_bytes(self) -> int:
        """What is queued, as counted against max_bytes."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


# What a queued item without bytes of its own (a status, a relist mark, a Change built
# in memory) counts for: about what it costs as Python objects.
ITEM_OVERHEAD = 200


def item_size(item: Item) -> int:
    """What one item counts for against a queue's bound (ItemQueue, the recording writer)."""
    return ITEM_OVERHEAD + len(item.raw) if type(item) is Change and item.raw else ITEM_OVERHEAD


def queued_size(items: Iterable[Item]) -> int:
    return sum(map(item_size, items))


class StaticFeed:
    """A Feed over items already in memory: tests, and the model of a finished recording."""

    def __init__(self, items: Iterable[Item], scope: Scope | None = None) -> None:
        self.scope = scope or Scope()
        self._queue = ItemQueue()
        self._pending = list(items)

    def start(self) -> None:
        self._queue.extend(self._pending)
        self._pending = []

    def poll(self, limit: int | None = None) -> list[Item]:
        return self._queue.poll(limit)

    def stop(self) -> None:
        self._pending = []
