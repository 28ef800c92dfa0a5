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


def event(name: str, count: int = 1) -> dict:
    return {"metadata": {"name": name, "namespace": "default"}, "reason": "BackOff", "type": "Warning",
            "message": f"Back-off restarting failed container app in pod {name}", "count": count,
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": name}}


def test_current_events_are_kept_as_their_json_only():
    # A busy cluster keeps an hour of Events (--event-ttl): 350,000 at the scale demo's
    # churn. Kept decoded as well, each cost its JSON and 2 KB of dict besides.
    import tracemalloc

    storage = Storage(ManualClock(1_000))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1_000):
            storage.create("events", event(f"p-{i}"))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    stored = sum(len(entry.data) for entry in storage._objects["events"].values())
    # Beside its JSON, an Event's entry, key, uid and history entry: 400 B (1,330 with its dict).
    assert held - stored < 500 * 1_000
    # Read, they are as written; a write over one carries its identity over as before.
    assert storage.get("events", "default", "p-7")["message"] == "Back-off restarting failed container app in pod p-7"
    uid = storage.get("events", "default", "p-7")["metadata"]["uid"]
    storage.update("events", event("p-7", count=2))
    assert storage.get("events", "default", "p-7")["metadata"]["uid"] == uid
    assert storage.get("events", "default", "p-7")["count"] == 2
