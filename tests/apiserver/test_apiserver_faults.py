"""Every Faults method, observed from the client side of the wire."""

from __future__ import annotations

import orjson
import pytest
from apiserver_wire import RawWatch, names, pod, request


def open_watch(server, storage, **kw) -> RawWatch:
    return RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={storage.resource_version}", **kw)


def test_cut_watches_drops_every_open_watch(server, storage):
    a, b = open_watch(server, storage), open_watch(server, storage)
    assert server.faults.cut_watches() == 2
    assert not a.end().clean and not b.end().clean
    a.close(), b.close()
    with open_watch(server, storage) as fresh:  # the server itself carries on
        storage.create("pods", pod("x"))
        assert names(fresh.events(1)) == [("ADDED", "x")]


def test_cut_watches_after_n_events(server, storage):
    server.faults.cut_watches_after(3)
    with open_watch(server, storage) as w:
        for i in range(5):
            storage.create("pods", pod(f"p{i}"))
        assert names(w.events(3)) == [("ADDED", "p0"), ("ADDED", "p1"), ("ADDED", "p2")]
        assert not w.end().clean
    rv = storage.resource_version - 2
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}") as again:  # applies to new watches too
        storage.create("pods", pod("p5"))
        assert names(again.events(3)) == [("ADDED", "p3"), ("ADDED", "p4"), ("ADDED", "p5")]
        assert not again.end().clean
    server.faults.clear()
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv}&timeoutSeconds=1") as calm:
        assert len(calm.events(3)) == 3
        assert calm.end().clean


def test_fail_next_by_verb(server, storage):
    server.faults.fail_next(2, 500, verbs=["list"])
    with open_watch(server, storage) as w:  # a watch is not a list
        assert w.status == 200
    for _ in range(2):
        resp = request(server.url, "/api/v1/pods")
        assert resp.status == 500
        assert resp.json()["reason"] == "InternalError" and resp.json()["code"] == 500
    assert request(server.url, "/api/v1/pods").status == 200


def test_fail_next_by_path(server, storage):
    server.faults.fail_next(1, 500, path="/events")
    assert request(server.url, "/api/v1/pods").status == 200
    assert request(server.url, "/api/v1/events").status == 500
    assert request(server.url, "/api/v1/events").status == 200


def test_fail_next_watch_gets_the_http_status(server, storage):
    server.faults.fail_next(1, 410, verbs=["watch"])
    storage.create("pods", pod("a"))
    rv = storage.resource_version
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={rv - 1}") as w:
        assert w.status == 410 and b'"reason":"Expired"' in w.body
        assert orjson.loads(w.body)["message"] == f"too old resource version: {rv - 1} ({rv})"  # not "0 (0)"


def test_forbidden_message_is_the_real_one(server):
    server.faults.fail_next(2, 403)
    cluster = request(server.url, "/api/v1/pods?watch=1").json()
    assert cluster["message"] == 'pods is forbidden: User "system:anonymous" cannot watch resource "pods" in API group "" at the cluster scope'
    assert cluster["reason"] == "Forbidden" and cluster["code"] == 403
    namespaced = request(server.url, "/api/v1/namespaces/shop/events").json()
    assert namespaced["message"] == 'events is forbidden: User "system:anonymous" cannot list resource "events" in API group "" in the namespace "shop"'


def test_too_many_requests_has_retry_after(server):
    server.faults.fail_next(1, 429, retry_after=7)
    resp = request(server.url, "/api/v1/pods")
    assert resp.status == 429 and resp.headers["retry-after"] == "7"
    assert resp.json()["details"] == {"retryAfterSeconds": 7} and resp.json()["reason"] == "TooManyRequests"


@pytest.mark.parametrize("code, reason", [(401, "Unauthorized"), (410, "Expired"), (503, "ServiceUnavailable")])
def test_other_statuses(server, code, reason):
    server.faults.fail_next(1, code, message="custom words")
    resp = request(server.url, "/api/v1/pods")
    assert resp.status == code
    assert resp.json()["reason"] == reason and resp.json()["message"] == "custom words"


def test_fault_rules_validate_their_arguments(server):
    with pytest.raises(ValueError):
        server.faults.fail_next(1, 500, verbs=["lst"])
    with pytest.raises(ValueError):
        server.faults.fail_next(0, 500)
    with pytest.raises(ValueError):
        server.faults.cut_watches_after(0)


def test_expire_watches_sends_410_error_then_ends(server, storage):
    with open_watch(server, storage) as w:
        storage.create("pods", pod("a"))
        assert names(w.events(1)) == [("ADDED", "a")]
        assert server.faults.expire_watches() == 1
        err = w.next_event()
        assert err["type"] == "ERROR" and err["object"]["code"] == 410 and err["object"]["reason"] == "Expired"
        assert w.end().clean


def test_stall_keeps_the_connection_open_but_silent(server, storage):
    with open_watch(server, storage) as w:
        assert server.faults.stall_watches(2.0) == 1
        storage.create("pods", pod("during-stall"))
        with pytest.raises(TimeoutError):
            w.next_line(timeout=0.3)  # what a client read timeout sees
        assert names(w.events(1)) == [("ADDED", "during-stall")]  # same connection, later


def test_corrupt_watches_writes_one_malformed_line(server, storage):
    with open_watch(server, storage) as w:
        assert server.faults.corrupt_watches() == 1
        storage.create("pods", pod("after"))
        bad = w.next_line()
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(bad)
        assert names(w.events(1)) == [("ADDED", "after")]


def test_rotate_token(tls_server, storage):
    old = "s3cret-token"
    with open_watch(tls_server, storage, token=old) as w:
        new = tls_server.faults.rotate_token()
        assert new != old
        assert request(tls_server.url, "/api/v1/pods", token=old).status == 401
        assert request(tls_server.url, "/api/v1/pods", token=new).status == 200
        storage.create("pods", pod("still-open"))
        assert names(w.events(1)) == [("ADDED", "still-open")]
    assert tls_server.faults.rotate_token("chosen") == "chosen"
    assert request(tls_server.url, "/api/v1/pods", token="chosen").status == 200


def test_stall_mid_event_sends_half_a_line_then_the_rest(server, storage):
    with open_watch(server, storage) as w:
        assert server.faults.stall_watches_mid_event(2.0) == 1
        storage.create("pods", pod("split"))
        w.sock.settimeout(0.5)
        first = w.sock.recv(1 << 16)
        with pytest.raises(TimeoutError):
            w.sock.recv(1 << 16)  # then silence
        assert b'{"type":"ADDED"' in first and not first.endswith(b"\n\r\n")  # a chunk header and part of a line
        w._buf = first
        assert names(w.events(1)) == [("ADDED", "split")]  # the same line, whole, later


def test_trickle_dribbles_the_same_bytes(server, storage):
    with open_watch(server, storage) as w:
        assert server.faults.trickle_watches(4000) == 1
        storage.create("pods", pod("slow"))
        assert names(w.events(1)) == [("ADDED", "slow")]
        server.faults.trickle_watches(0)


def test_reset_watches_aborts_with_a_tcp_reset(server, storage):
    with open_watch(server, storage) as w:
        assert server.faults.reset_watches() == 1
        with pytest.raises(ConnectionResetError):
            w.next_line()
    with open_watch(server, storage) as fresh:
        storage.create("pods", pod("x"))
        assert names(fresh.events(1)) == [("ADDED", "x")]


def test_end_watches_ends_them_cleanly(server, storage):
    with open_watch(server, storage) as w:
        assert server.faults.end_watches() == 1
        assert w.end().clean


def test_end_watches_after_caps_every_watch_whatever_its_timeout(server, storage):
    server.faults.end_watches_after(0.2)
    with RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={storage.resource_version}&timeoutSeconds=600") as w:
        assert w.end().clean
    server.faults.clear()
    with open_watch(server, storage) as w:
        with pytest.raises(TimeoutError):
            w.next_line(timeout=0.5)  # open as long as it likes again
    with pytest.raises(ValueError):
        server.faults.end_watches_after(-1)
