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

from podtui.lifecycle.changes import Item


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
    """A thread-safe FIFO of Items: producers append from any thread, poll() drains."""

    def __init__(self) -> None:
        self._items: deque[Item] = deque()
        self._lock = threading.Lock()
        self._ready = threading.Event()

    def put(self, item: Item) -> None:
        self._items.append(item)  # deque.append is atomic
        self._ready.set()

    def extend(self, items: Iterable[Item]) -> None:
        self._items.extend(items)
        self._ready.set()

    def poll(self, limit: int | None = None) -> list[Item]:
        items = self._items
        out: list[Item] = []
        with self._lock:
            n = len(items) if limit is None else min(limit, len(items))
            popleft = items.popleft
            for _ in range(n):
                out.append(popleft())
            if not items:
                self._ready.clear()
        return out

    def wait(self, timeout: float | None = None) -> bool:
        """Block until something is queued (for headless consumers)."""
        return self._ready.wait(timeout)

    def __len__(self) -> int:
        return len(self._items)


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
