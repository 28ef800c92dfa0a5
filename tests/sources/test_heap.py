"""settle_heap over a long run: it may pin cyclic garbage a while, never for good."""

from __future__ import annotations

import gc

from podtui import heap


class Node:
    def __init__(self) -> None:
        self.other = Node.__new__(Node)
        self.other.other = self  # a cycle: only the cyclic collector frees it


def test_cyclic_garbage_that_outlives_a_freeze_is_collected_in_the_end(monkeypatch):
    # Keep each cycle alive across a call, as a rendered line that dies a few repaints
    # later: frozen, then garbage.
    monkeypatch.setattr(heap, "CHECK_EVERY", 1, raising=False)
    # A full collection once 10,000 more objects are frozen, whatever this process holds.
    monkeypatch.setattr(heap, "FULL_GROWTH", 0.0, raising=False)
    monkeypatch.setattr(heap, "FULL_MIN_GROWTH", 10_000, raising=False)
    gc.collect()
    try:
        for _ in range(1_000):
            alive = [Node() for _ in range(25)]  # 50 tracked objects
            heap.settle_heap()
            del alive
        gc.unfreeze()
        pinned = gc.collect()  # what was frozen though it was garbage
    finally:
        gc.unfreeze()
    assert pinned < 12_000  # of 50,000 made; all of them before
