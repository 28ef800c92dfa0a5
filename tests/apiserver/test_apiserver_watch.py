"""WATCH over a raw socket: framing, resourceVersion semantics, bookmarks, timeouts, 410."""

from __future__ import annotations

import threading

import orjson
import pytest
from apiserver_wire import RawWatch, event, names, pod, request

from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage


def test_watch_from_rv_streams_changes_in_order(server, storage):
    storage.create("pods", pod("old"))
    rv = storage.resource_version
    with RawWatch(server.url, f"/api/v1/pods?watch=true&resourceVersion={rv}") as w:
        assert w.status == 200 and w.chunked and w.headers["content-type"] == "application/json"
        storage.create("pods", pod("a"))
        storage.update("pods", pod("a", phase="Running"))
        storage.create("events", event("ignored"))  # another resource: not in this stream
        storage.delete("pods", "default", "a")
        evs = w.events(3)
    assert names(evs) == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
    assert rvs == [rv + 1, rv + 2, rv + 4]
    assert evs[0]["object"]["kind"] == "Pod" and evs[1]["object"]["status"]["phase"] == "Running"


def test_watch_replays_history_after_an_old_rv(server, storage):
    rv = storage.resource_version
    for i in range(5):
        storage.create("pods", pod(f"p{i}"))
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv + 2}") as w:
        assert names(w.events(3)) == [("ADDED", "p2"), ("ADDED", "p3"), ("ADDED", "p4")]


@pytest.mark.parametrize("rv", ["", "0"])
def test_watch_without_rv_sends_current_state_first(server, storage, rv):
    storage.create("pods", pod("a"))
    storage.create("pods", pod("b"))
    with RawWatch(server.url, f"/api/v1/pods?watch=true&resourceVersion={rv}") as w:
        assert names(w.events(2)) == [("ADDED", "a"), ("ADDED", "b")]
        storage.update("pods", pod("a", phase="Running"))
        assert names(w.events(1)) == [("MODIFIED", "a")]


def test_old_watch_path_and_namespace_and_name(server, storage):
    rv = storage.resource_version
    with RawWatch(server.url, f"/api/v1/watch/namespaces/ns1/pods?resourceVersion={rv}") as ns_watch, RawWatch(
        server.url, f"/api/v1/watch/namespaces/ns1/pods/b?resourceVersion={rv}"
    ) as name_watch:
        storage.create("pods", pod("a", "ns2"))
        storage.create("pods", pod("a", "ns1"))
        storage.create("pods", pod("b", "ns1"))
        assert names(ns_watch.events(2)) == [("ADDED", "a"), ("ADDED", "b")]
        assert names(name_watch.events(1)) == [("ADDED", "b")]


def test_selector_watch_turns_moves_into_added_and_deleted(server, storage):
    storage.create("pods", pod("a"))
    rv = storage.resource_version
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}&fieldSelector=status.phase%3DRunning") as w:
        storage.update("pods", pod("a", phase="Running"))  # enters the selection
        storage.update("pods", pod("a", phase="Running", metadata={"name": "a", "namespace": "default", "labels": {"x": "1"}}))
        storage.update("pods", pod("a", phase="Failed"))  # leaves it
        storage.update("pods", pod("a", phase="Failed", metadata={"name": "a", "namespace": "default"}))  # still out
        storage.create("pods", pod("b", phase="Running"))
        evs = w.events(4)
    assert names(evs) == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a"), ("ADDED", "b")]
    assert evs[2]["object"]["status"]["phase"] == "Failed"


def test_events_are_their_own_stream_and_events_k8s_io_is_converted(server, storage):
    rv = storage.resource_version
    with RawWatch(server.url, f"/api/v1/events?watch=1&resourceVersion={rv}") as core, RawWatch(
        server.url, f"/apis/events.k8s.io/v1/events?watch=1&resourceVersion={rv}"
    ) as v1:
        storage.create("pods", pod("p"))
        storage.create("events", event("p.1", pod_name="p"))
        core_ev, v1_ev = core.next_event(), v1.next_event()
    assert core_ev["object"]["involvedObject"]["name"] == "p"
    assert v1_ev["object"]["apiVersion"] == "events.k8s.io/v1" and v1_ev["object"]["regarding"]["name"] == "p"


def test_bookmarks_carry_only_the_resource_version(storage, clock):
    with APIServer(storage, clock=clock, bookmark_interval=0.05) as server:
        storage.create("pods", pod("a"))
        rv = storage.resource_version
        with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}&allowWatchBookmarks=true") as w:
            first = w.next_event()
            assert first == {"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": str(rv)}}}
            storage.create("events", event("other"))  # moves the RV without a pod event
            later = w.until(lambda e: e["object"]["metadata"]["resourceVersion"] == str(rv + 1))
            assert {e["type"] for e in later} == {"BOOKMARK"}
        with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}&timeoutSeconds=1") as no_bookmarks:
            assert no_bookmarks.end().clean  # asked for none, got none


def test_timeout_seconds_ends_the_stream_cleanly_and_keeps_the_connection(server, storage):
    with RawWatch(server.url, f"/api/v1/pods?watch=1&timeoutSeconds=1&resourceVersion={storage.resource_version}") as w:
        closed = w.end()
        assert closed.clean
        # Keep-alive: the same connection serves the next request.
        w.sock.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
        assert w.sock.recv(100).startswith(b"HTTP/1.1 200")


def test_watch_from_a_compacted_rv_gets_one_410_error_event(server, storage):
    rv = storage.resource_version
    storage.create("pods", pod("a"))
    storage.compact()
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}") as w:
        assert w.status == 200
        err = w.next_event()
        assert err["type"] == "ERROR"
        assert err["object"]["kind"] == "Status" and err["object"]["code"] == 410 and err["object"]["reason"] == "Expired"
        assert "too old resource version" in err["object"]["message"]
        assert w.end().clean


def test_send_initial_events_ends_with_annotated_bookmark(server, storage):
    storage.create("pods", pod("a"))
    storage.create("pods", pod("b"))
    rv = storage.resource_version
    path = "/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion="
    with RawWatch(server.url, path) as w:
        evs = w.events(3)
        assert names(evs[:2]) == [("ADDED", "a"), ("ADDED", "b")]
        assert evs[2]["type"] == "BOOKMARK"
        assert evs[2]["object"]["metadata"] == {"resourceVersion": str(rv), "annotations": {"k8s.io/initial-events-end": "true"}}
        storage.create("pods", pod("c"))
        assert names(w.events(1)) == [("ADDED", "c")]


@pytest.mark.parametrize(
    "query, field",
    [
        ("sendInitialEvents=true&allowWatchBookmarks=true", "sendInitialEvents"),
        ("sendInitialEvents=true&resourceVersionMatch=NotOlderThan", "allowWatchBookmarks"),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=1", "resourceVersionMatch"),
    ],
)
def test_watch_list_options_are_validated(server, query, field):
    with RawWatch(server.url, f"/api/v1/pods?watch=1&{query}") as w:
        assert w.status == 422
        assert field in w.body.decode()


def test_bad_watch_parameters(server):
    with RawWatch(server.url, "/api/v1/pods?watch=1&timeoutSeconds=x") as w:
        assert w.status == 400
        assert orjson.loads(w.body)["message"] == 'strconv.ParseInt: parsing "x": invalid syntax'
    with RawWatch(server.url, "/api/v1/pods?watch=1&resourceVersion=abc") as w:
        assert w.status == 500  # the watch cache's unconverted InvalidError


@pytest.mark.parametrize("value", ["maybe", "", "TRUE", "yes"])
def test_any_watch_value_but_false_or_0_is_a_watch(server, value):
    # runtime.Convert_Slice_string_To_bool: only "false" and "0" (any case) are false.
    with RawWatch(server.url, f"/api/v1/pods?watch={value}&timeoutSeconds=1") as w:
        assert w.status == 200 and w.chunked
    for value in ("False", "0"):
        assert request(server.url, f"/api/v1/pods?watch={value}").json()["kind"] == "PodList"


def test_many_watchers_each_see_every_event_in_order(server, storage):
    rv = storage.resource_version
    watchers = [RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}") for _ in range(6)]
    try:

        def writer():
            for i in range(150):
                storage.create("pods", pod(f"p{i:03d}"))

        threads = [threading.Thread(target=writer)]
        threads[0].start()
        results = [w.events(150) for w in watchers]
        threads[0].join()
    finally:
        for w in watchers:
            w.close()
    expected = [("ADDED", f"p{i:03d}") for i in range(150)]
    for evs in results:
        assert names(evs) == expected


def test_a_reader_that_falls_behind_the_window_gets_410_and_writers_never_wait(clock):
    storage = Storage(clock, window=20)
    with APIServer(storage, clock=clock) as server:
        rv = storage.resource_version
        with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}") as w:
            big = "x" * 200_000
            # ~60 MB while nobody reads: far more than socket buffers hold. These
            # writes return (the test would hang otherwise): writers never wait.
            for i in range(300):
                storage.create("pods", pod(f"p{i:03d}", annotations={"pad": big}))
            seen = w.until(lambda e: e["type"] == "ERROR", timeout=30)
            assert seen[-1]["object"]["code"] == 410
            delivered = [e["object"]["metadata"]["name"] for e in seen[:-1]]
            assert delivered == [f"p{i:03d}" for i in range(len(delivered))]  # in order, no gaps
            assert len(delivered) < 300  # how many got out first depends on thread timing
            assert w.end().clean


def test_a_named_get_ignores_watch_as_get_resource_does(server, storage):
    storage.create("pods", pod("a"))
    for query in ("watch=1", "watch=maybe"):
        resp = request(server.url, f"/api/v1/namespaces/default/pods/a?{query}")
        assert resp.status == 200 and resp.json()["metadata"]["name"] == "a"


def test_watching_one_object_takes_only_its_own_name_as_field_selector(server, storage):
    storage.create("pods", pod("a"))
    path = "/api/v1/watch/namespaces/default/pods/a"
    with RawWatch(server.url, f"{path}?fieldSelector=status.phase%3DPending") as w:
        assert w.status == 400
        assert orjson.loads(w.body)["message"] == "fieldSelector metadata.name doesn't match requested name"
    with RawWatch(server.url, f"{path}?fieldSelector=metadata.name%3Da") as w:
        assert w.status == 200 and w.next_event()["object"]["metadata"]["name"] == "a"
