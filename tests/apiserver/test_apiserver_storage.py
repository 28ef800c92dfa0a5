from __future__ import annotations

import gc
import threading

import pytest
from apiserver_wire import event, pod

from podtui.apiserver.status import APIError
from podtui.apiserver.storage import Storage


def test_create_fills_identity_and_versions(storage, clock):
    rv0 = storage.resource_version
    created = storage.create("pods", pod("a"))
    meta = created["metadata"]
    assert meta["resourceVersion"] == str(rv0 + 1)
    assert len(meta["uid"]) == 36
    assert meta["creationTimestamp"] == "2024-05-01T10:00:00Z"
    assert storage.resource_version == rv0 + 1
    assert storage.get("pods", "default", "a") is created


def test_create_keeps_given_uid_and_timestamp(storage):
    p = pod("a")
    p["metadata"].update(uid="u-1", creationTimestamp="2020-01-01T00:00:00Z")
    storage.create("pods", p)
    assert storage.get("pods", "default", "a")["metadata"]["uid"] == "u-1"
    assert storage.get("pods", "default", "a")["metadata"]["creationTimestamp"] == "2020-01-01T00:00:00Z"


def test_namespace_defaults_and_duplicate_is_409(storage):
    p = pod("a")
    del p["metadata"]["namespace"]
    storage.create("pods", p)
    assert storage.get("pods", "default", "a") is not None
    with pytest.raises(APIError) as err:
        storage.create("pods", pod("a"))
    assert err.value.code == 409 and err.value.reason == "AlreadyExists"


def test_same_name_in_other_namespace_or_resource_is_fine(storage):
    storage.create("pods", pod("a", "x"))
    storage.create("pods", pod("a", "y"))
    storage.create("events", event("a", "x"))
    assert [p["metadata"]["namespace"] for p in storage.list("pods")] == ["x", "y"]
    assert len(storage.list("events")) == 1


def test_nameless_object_and_unknown_resource_are_rejected(storage):
    with pytest.raises(APIError) as err:
        storage.create("pods", {"metadata": {}})
    assert err.value.code == 422
    with pytest.raises(ValueError):
        storage.create("nodes", pod("n"))


def test_update_bumps_rv_and_carries_identity(storage):
    first = storage.create("pods", pod("a"))
    new = pod("a", phase="Running")
    updated = storage.update("pods", new)
    assert int(updated["metadata"]["resourceVersion"]) == int(first["metadata"]["resourceVersion"]) + 1
    assert updated["metadata"]["uid"] == first["metadata"]["uid"]
    assert updated["metadata"]["creationTimestamp"] == first["metadata"]["creationTimestamp"]
    assert storage.get("pods", "default", "a")["status"]["phase"] == "Running"


def test_update_missing_is_404(storage):
    with pytest.raises(APIError) as err:
        storage.update("pods", pod("ghost"))
    assert err.value.code == 404


def test_delete_returns_final_object_at_new_rv_and_leaves_stored_dict_alone(storage):
    stored = storage.create("pods", pod("a"))
    old_rv = stored["metadata"]["resourceVersion"]
    final = storage.delete("pods", "default", "a")
    assert final["metadata"]["resourceVersion"] == str(storage.resource_version)
    assert final["metadata"]["resourceVersion"] != old_rv
    assert stored["metadata"]["resourceVersion"] == old_rv
    assert storage.get("pods", "default", "a") is None
    assert storage.delete("pods", "default", "a") is None


def test_list_is_sorted_by_namespace_then_name_and_filters_namespace(storage):
    for ns, name in [("b", "z"), ("a", "y"), ("b", "a"), ("a", "x")]:
        storage.create("pods", pod(name, ns))
    assert [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in storage.list("pods")] == [
        ("a", "x"),
        ("a", "y"),
        ("b", "a"),
        ("b", "z"),
    ]
    assert [p["metadata"]["name"] for p in storage.list("pods", "b")] == ["a", "z"]
    assert storage.list("pods", "nope") == []


def test_history_records_every_change_in_order(storage):
    start = storage.resource_version
    storage.create("pods", pod("a"))
    storage.update("pods", pod("a", phase="Running"))
    storage.create("events", event("e1"))
    storage.delete("pods", "default", "a")
    events = storage.events_since(start)
    assert [(e.type, e.resource, e.rv) for e in events] == [
        ("ADDED", "pods", start + 1),
        ("MODIFIED", "pods", start + 2),
        ("ADDED", "events", start + 3),
        ("DELETED", "pods", start + 4),
    ]
    assert storage.events_since(start + 2)[0].rv == start + 3
    assert storage.events_since(storage.resource_version) == []


def test_window_expires_old_resource_versions(clock):
    storage = Storage(clock, window=3)
    start = storage.resource_version
    for i in range(5):
        storage.create("pods", pod(f"p{i}"))
    with pytest.raises(APIError) as err:
        storage.events_since(start)
    assert err.value.code == 410 and err.value.reason == "Expired"
    assert "too old resource version" in err.value.message
    assert [e.rv for e in storage.events_since(storage.resource_version - 3)] == [start + 3, start + 4, start + 5]


def test_compact_forgets_history(storage):
    start = storage.resource_version
    storage.create("pods", pod("a"))
    storage.compact()
    with pytest.raises(APIError) as err:
        storage.events_since(start)
    assert err.value.code == 410
    assert storage.events_since(storage.resource_version) == []
    storage.create("pods", pod("b"))
    assert [e.entry.name for e in storage.events_since(storage.resource_version - 1)] == ["b"]


def test_page_at_a_past_rv_is_the_state_back_then(storage):
    storage.create("pods", pod("a"))
    storage.create("pods", pod("c"))
    snapshot = storage.resource_version
    storage.update("pods", pod("a", phase="Running"))
    storage.delete("pods", "default", "c")
    storage.create("pods", pod("b"))
    page = storage.page("pods", at=snapshot)
    assert [(e.name, e.obj["status"]["phase"]) for e in page.entries] == [("a", "Pending"), ("c", "Pending")]
    now = storage.page("pods")
    assert [(e.name, e.obj["status"]["phase"]) for e in now.entries] == [("a", "Running"), ("b", "Pending")]


def test_page_limit_and_after_key(storage):
    for name in "abcde":
        storage.create("pods", pod(name))
    first = storage.page("pods", limit=2)
    assert [e.name for e in first.entries] == ["a", "b"] and first.next_key == "default/b"
    rest = storage.page("pods", after_key=first.next_key, limit=3)
    assert [e.name for e in rest.entries] == ["c", "d", "e"] and rest.next_key is None


def test_concurrent_writers_get_unique_consecutive_versions(storage):
    start = storage.resource_version

    def writer(k: int) -> None:
        for i in range(200):
            storage.create("pods", pod(f"w{k}-{i}"))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rvs = [e.rv for e in storage.events_since(start, max_events=10_000)]
    assert rvs == list(range(start + 1, start + 801))
    assert sorted(int(p["metadata"]["resourceVersion"]) for p in storage.list("pods")) == rvs


def test_history_keeps_bytes_not_object_graphs(storage):
    # A full GC walks every dict the history holds: a 50k-version window of pods made
    # that a second-long pause. Superseded versions keep only their JSON bytes.
    start = storage.resource_version
    storage.create("pods", pod("a"))
    storage.update("pods", pod("a", phase="Running"))
    storage.delete("pods", "default", "a")
    added, modified, deleted = storage.events_since(start)
    for entry in (added.entry, modified.entry, deleted.entry):
        assert not any(isinstance(ref, dict) for ref in gc.get_referents(entry))
    # ...and still read back as objects when a selector or a past page needs them.
    assert added.entry.obj["status"]["phase"] == "Pending"
    assert modified.entry.obj["status"]["phase"] == "Running"
    assert deleted.entry.obj["metadata"]["resourceVersion"] == str(start + 3)


def test_pages_count_what_remains_when_unfiltered(storage):
    for ns, name in (("a", "p1"), ("a", "p2"), ("a", "p3"), ("b", "p1"), ("b", "p2")):
        storage.create("pods", pod(name, ns))
    assert storage.page("pods", limit=2).remaining == 3
    assert storage.page("pods", "a", limit=2).remaining == 1
    assert storage.page("pods", limit=5).remaining is None  # the last page
    assert storage.page("pods", limit=1, predicate=lambda o: True).remaining is None  # etcd's count is of keys
    then = storage.resource_version
    storage.delete("pods", "b", "p2")
    storage.create("pods", pod("p0", "b"))
    storage.create("pods", pod("p9", "a"))
    # A past snapshot counts as it was: b/p2 back, b/p0 and a/p9 not yet there.
    assert storage.page("pods", at=then, limit=2).remaining == 3
    assert storage.page("pods", limit=2).remaining == 4


def test_a_storage_served_again_carries_on_past_the_last_ones_versions(clock):
    # A restarted server: RVs continue, and the history before them is gone (410), as
    # a kube-apiserver's rebuilt watch cache answers a client's old RV.
    again = Storage(clock, first_rv=5000)
    assert again.resource_version == 5000
    assert again.create("pods", pod("a"))["metadata"]["resourceVersion"] == "5001"
    with pytest.raises(APIError) as expired:
        again.events_since(4000)
    assert expired.value.code == 410
    with pytest.raises(ValueError):
        Storage(clock, first_rv=0)
