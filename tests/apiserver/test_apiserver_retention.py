"""History retention: a long-running server keeps minutes of watch history, not days."""

from __future__ import annotations

import pytest

from podtui.apiserver.status import APIError
from podtui.apiserver.storage import Storage
from podtui.clock import ManualClock


def pod(name: str, n: int) -> dict:
    return {"metadata": {"name": name, "namespace": "default"}, "status": {"n": n}}


def test_entries_older_than_the_retention_are_forgotten_and_410():
    clock = ManualClock(1_000)
    storage = Storage(clock, retention=60.0)
    storage.create("pods", pod("a", 0))
    marks = {}
    for i in range(1, 5_000):
        clock.advance(1.0)
        storage.update("pods", pod("a", i))
        marks[i] = storage.resource_version
    assert len(storage._log) <= 60 + 15 + 1  # trimmed every retention / 4
    assert [e.entry.obj["status"]["n"] for e in storage.events_since(marks[4_950])] == list(range(4_951, 5_000))
    with pytest.raises(APIError) as gone:
        storage.events_since(marks[4_000])
    assert gone.value.code == 410



def test_a_stored_version_holds_no_more_memory_than_its_bytes():
    # orjson hands back bytes inside the buffer it wrote them to (64 KiB at first, the
    # pages written resident): kept, a 5 KB pod cost 9 KB of RSS and a 1 KB Event 8 KB,
    # and a history window of 50,000 versions held twice what it says.
    import tracemalloc

    storage = Storage(ManualClock(1_000))
    big = {"metadata": {"name": "p", "namespace": "default"}, "spec": {"note": "x" * 5000}}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        storage.create("pods", big)
        entry = storage.get_entry("pods", "default", "p")
        held = tracemalloc.get_traced_memory()[0] - before
        view = entry.view("copy", lambda obj: obj)
        held_view = tracemalloc.get_traced_memory()[0] - before - held
    finally:
        tracemalloc.stop()
    assert len(entry.data) > 5000 and held < 2 * len(entry.data)
    assert held_view < 2 * len(view)
