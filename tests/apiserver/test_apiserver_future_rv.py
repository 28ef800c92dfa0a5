"""Reads at a resourceVersion the server has not reached yet: wait briefly, else 504.

As the watch cache (apiserver/pkg/storage/cacher/watch_cache.go, waitUntilFreshAndBlock)
and the etcd store (storage/etcd3/store.go, GetList on ErrFutureRev) answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from apiserver_wire import WAIT, RawWatch, pod, request

from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage

CAUSES = [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]


class SeenWaiting(Storage):
    """A Storage that records the threads waiting on it for writes."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.waiting = threading.Event()
        self.waiters: list[threading.Thread] = []

    def wait_for_events(self, rv: int, timeout: float) -> None:
        self.waiters.append(threading.current_thread())
        self.waiting.set()
        super().wait_for_events(rv, timeout)


@pytest.fixture
def seen(clock) -> SeenWaiting:
    return SeenWaiting(clock, window=1000)


def start_waiting(seen: SeenWaiting, call: Callable[[], object]) -> Callable[[], object]:
    """Run `call` in a thread until it waits on `seen`; returns a function that joins
    that thread and gives what `call` returned."""
    result = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()
    assert seen.waiting.wait(WAIT), "the request did not wait"

    def finish() -> object:
        thread.join(WAIT)
        [value] = result
        return value

    return finish


def too_large(requested: int, current: int, **details) -> dict:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"Timeout: Too large resource version: {requested}, current: {current}",
        "reason": "Timeout",
        "details": {"causes": CAUSES, **details},
        "code": 504,
    }


@pytest.mark.parametrize("path", ["/api/v1/pods", "/api/v1/namespaces/ns1/pods", "/api/v1/events", "/apis/events.k8s.io/v1/events"])
@pytest.mark.parametrize("match", ["", "&resourceVersionMatch=NotOlderThan"])
def test_list_at_a_future_rv_times_out_with_504(storage, clock, path, match):
    storage.create("pods", pod("a", "ns1"))
    current = storage.resource_version
    with APIServer(storage, clock=clock, block_timeout=0.01) as server:
        resp = request(server.url, f"{path}?resourceVersion={current + 1000}{match}")
    assert resp.status == 504
    assert resp.headers["retry-after"] == "1"
    assert resp.json() == too_large(current + 1000, current, retryAfterSeconds=1)


def test_list_waits_for_a_future_rv_and_others_are_served_meanwhile(seen, clock):
    wanted = seen.resource_version + 2
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        finish = start_waiting(seen, lambda: request(server.url, f"/api/v1/pods?resourceVersion={wanted}"))
        assert request(server.url, "/api/v1/pods").status == 200  # another client, meanwhile
        seen.create("pods", pod("a"))
        seen.create("pods", pod("b"))
        resp = finish()
    assert resp.status == 200
    doc = resp.json()
    assert doc["metadata"]["resourceVersion"] == str(wanted)
    assert [p["metadata"]["name"] for p in doc["items"]] == ["a", "b"]


def test_stop_ends_a_waiting_list(seen, clock):
    server = APIServer(seen, clock=clock, block_timeout=3600).start()

    def waiting_list() -> None:
        try:
            request(server.url, "/api/v1/pods?resourceVersion=99")
        except OSError:  # the connection is shut down under it
            pass

    waiter = threading.Thread(target=waiting_list, daemon=True)
    waiter.start()
    assert seen.waiting.wait(WAIT)
    server.stop()
    waiter.join(WAIT)
    worker = seen.waiters[0]
    worker.join(WAIT)
    assert not worker.is_alive()


def test_exact_at_a_future_rv_is_504_at_once_without_retry_after(seen, clock):
    # Exact reads etcd (cacher/delegator.go shouldDelegateList), which has no waiting.
    current = seen.resource_version
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        resp = request(server.url, f"/api/v1/pods?resourceVersion={current + 5}&resourceVersionMatch=Exact")
    assert resp.status == 504
    assert "retry-after" not in resp.headers
    assert resp.json() == too_large(current + 5, current)
    assert not seen.waiting.is_set()


def test_past_and_zero_rv_lists_never_wait(seen, clock):
    seen.create("pods", pod("a"))
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        for rv in ("0", "1", str(seen.resource_version)):
            assert request(server.url, f"/api/v1/pods?resourceVersion={rv}").status == 200
    assert not seen.waiting.is_set()


def test_a_plain_watch_from_a_future_rv_just_waits_for_it(server, storage):
    # As the watch cache does (no error, no wait): events after that RV, whenever they come.
    rv = storage.resource_version
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv + 1}") as w:
        assert w.status == 200
        storage.create("pods", pod("skipped"))  # rv + 1: not after it
        storage.create("pods", pod("seen"))
        assert w.next_event()["object"]["metadata"]["name"] == "seen"


WATCH_LIST = "/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"


def test_watch_list_at_a_future_rv_opens_then_sends_one_504_error_event(storage, clock):
    current = storage.resource_version
    with APIServer(storage, clock=clock, block_timeout=0.01) as server, RawWatch(server.url, f"{WATCH_LIST}&resourceVersion={current + 9}") as w:
        assert w.status == 200 and w.chunked
        assert w.next_event() == {"type": "ERROR", "object": too_large(current + 9, current, retryAfterSeconds=1)}
        assert w.end().clean


def test_watch_list_waits_for_a_future_rv_then_sends_the_state(seen, clock):
    wanted = seen.resource_version + 1
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        finish = start_waiting(seen, lambda: RawWatch(server.url, f"{WATCH_LIST}&resourceVersion={wanted}"))
        seen.create("pods", pod("a"))
        with finish() as w:
            assert w.status == 200
            added, bookmark = w.events(2)
            assert added["type"] == "ADDED" and added["object"]["metadata"]["name"] == "a"
            assert bookmark["type"] == "BOOKMARK" and bookmark["object"]["metadata"]["resourceVersion"] == str(wanted)


def test_a_paged_list_at_an_rv_without_match_is_exact(seen, clock):
    seen.create("pods", pod("a"))
    then = seen.resource_version
    seen.delete("pods", "default", "a")
    current = seen.resource_version
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        past = request(server.url, f"/api/v1/pods?limit=10&resourceVersion={then}").json()
        future = request(server.url, f"/api/v1/pods?limit=10&resourceVersion={current + 5}")
    assert past["metadata"]["resourceVersion"] == str(then)
    assert [p["metadata"]["name"] for p in past["items"]] == ["a"]
    assert future.status == 504 and "retry-after" not in future.headers
    assert future.json() == too_large(current + 5, current)
    assert not seen.waiting.is_set()


# ---- single-object GET (cacher.go Get -> watchCache.WaitUntilFreshAndGet) ----------


@pytest.mark.parametrize("path", ["/api/v1/namespaces/default/pods/a", "/api/v1/namespaces/default/pods/missing"])
def test_get_at_a_future_rv_times_out_with_504(storage, clock, path):
    storage.create("pods", pod("a"))
    current = storage.resource_version
    with APIServer(storage, clock=clock, block_timeout=0.01) as server:
        resp = request(server.url, f"{path}?resourceVersion={current + 1000}")
    assert resp.status == 504
    assert resp.headers["retry-after"] == "1"
    assert resp.json() == too_large(current + 1000, current, retryAfterSeconds=1)


def test_get_waits_for_a_future_rv_and_sees_the_object_created_meanwhile(seen, clock):
    wanted = seen.resource_version + 1
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        finish = start_waiting(seen, lambda: request(server.url, f"/api/v1/namespaces/default/pods/a?resourceVersion={wanted}"))
        seen.create("pods", pod("a"))
        resp = finish()
    assert resp.status == 200
    assert resp.json()["metadata"]["resourceVersion"] == str(wanted)


def test_get_at_zero_or_a_past_rv_never_waits(seen, clock):
    seen.create("pods", pod("a"))
    with APIServer(seen, clock=clock, block_timeout=3600) as server:
        for rv in ("0", "1", str(seen.resource_version)):
            assert request(server.url, f"/api/v1/namespaces/default/pods/a?resourceVersion={rv}").status == 200
    assert not seen.waiting.is_set()


def test_get_with_a_malformed_rv_answers_as_a_cached_list_does(server, storage):
    storage.create("pods", pod("a"))
    resp = request(server.url, "/api/v1/namespaces/default/pods/a?resourceVersion=abc")
    listed = request(server.url, "/api/v1/pods?resourceVersion=abc")
    assert resp.status == listed.status == 500
    assert resp.json() == listed.json()
