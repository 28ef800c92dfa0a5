"""The reflector loop against a scripted server: paging, decoding, reconnects, relists."""

from __future__ import annotations

import threading

import orjson
import pytest
import urllib3
from scripted_server import Answer, ScriptedServer, json_answer, pod, pod_list, watch_line, write_kubeconfig

from podtui.clock import ManualClock
from podtui.errors import ConnectError, StillWaiting
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.lifecycle.store import Store, synthetic_current_as_of
from podtui.sources.base import ITEM_OVERHEAD
from podtui.sources.decode import PodDecoder
from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
from podtui.sources import live
from podtui.sources.live import Backoff, BodyReader, LineDecoder, LiveSource, MalformedLine, drain_until

WAIT = 20.0  # generous: only a failing test ever waits this long


class Script:
    """Answers lists from `lists` and watches from `watches`, in order; then holds."""

    def __init__(self, lists: list[Answer], watches: list[Answer]) -> None:
        self.lists = list(lists)
        self.watches = list(watches)
        self.release = threading.Event()
        self.last_list = lists[-1] if lists else pod_list([], 1)

    def __call__(self, request):
        if request.is_watch:
            if self.watches:
                return self.watches.pop(0)
            return Answer(body=[self.release.wait])
        if self.lists:
            self.last_list = self.lists.pop(0)
        return self.last_list


@pytest.fixture
def harness(tmp_path):
    made = []

    def make(script: Script, **kw) -> tuple[LiveSource, ScriptedServer]:
        server = ScriptedServer(script).start()
        cfg = tmp_path / "config"
        write_kubeconfig(cfg, server.url, token=kw.pop("token", "t0"))
        conn = resolve_connection(ConnectionOptions(kubeconfig=str(cfg), all_namespaces=True), {})
        kw.setdefault("read_timeout", 5.0)
        kw.setdefault("backoff_initial", 0.01)
        kw.setdefault("backoff_max", 0.05)
        source = LiveSource(conn, clock=ManualClock(500.0), events=False, **kw)
        made.append((source, server, script))
        return source, server

    yield make
    for source, server, script in made:
        script.release.set()
        source.stop()
        server.stop()


def changes(items):
    return [(i.type, i.obj["metadata"]["name"], i.obj["metadata"]["resourceVersion"], i.synthetic) for i in items if isinstance(i, Change)]


def statuses(items):
    return [(i.state, i.detail) for i in items if isinstance(i, SourceStatus)]


def collect(source, predicate):
    sink: list = []
    assert drain_until(source, predicate, WAIT, sink), f"timed out; got {sink}"
    return sink


def n_watches(server, n):
    return lambda _items: len(server.watches()) >= n


# ------------------------------------------------------------------------------ units


def test_line_decoder_handles_split_and_batched_events():
    d = LineDecoder()
    a = watch_line("ADDED", pod("a", 1))
    b = watch_line("MODIFIED", pod("a", 2))
    assert d.feed(a[:10]) == []
    assert d.feed(a[10:20]) == []
    out = d.feed(a[20:] + b + b"\n  \n" + b[:5])
    assert [e["type"] for e in out] == ["ADDED", "MODIFIED"]
    assert d.raw == [a.strip(), b.strip()]  # the exact lines, for the recorder
    assert d.pending == 5
    (last,) = d.feed(b[5:])
    assert last["object"]["metadata"]["resourceVersion"] == "2"
    assert d.raw == [b.strip()]
    assert d.pending == 0


def test_line_decoder_keeps_malformed_lines_in_order():
    d = LineDecoder()
    out = d.feed(watch_line("ADDED", pod("a", 1)) + b"{not json\n" + b"[1,2]\n" + watch_line("ADDED", pod("b", 2)))
    assert [type(x).__name__ for x in out] == ["dict", "MalformedLine", "MalformedLine", "dict"]
    assert isinstance(out[1], MalformedLine) and out[1].text == b"{not json"


class _FakeResponse:
    """What BodyReader reaches into: urllib3's response over http.client's, over a
    buffered reader that returns the given pieces one read at a time."""

    def __init__(self, pieces: list[bytes], chunked: bool = True, encoding: str | None = None) -> None:
        pieces = list(pieces)

        class Buffer:
            def read1(self, n):
                return pieces.pop(0) if pieces else b""

        class Inner:
            fp = Buffer()
            chunk_left = None

        Inner.chunked = chunked
        self._fp = Inner()
        self.headers = {"content-encoding": encoding} if encoding else {}


def _chunked(payloads: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in payloads) + b"0\r\n\r\n"


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 7, 11, 64, 1000])
def test_body_reader_undoes_chunking_whatever_the_reads_cut(cut):
    payloads = [watch_line("MODIFIED", pod("a", i)) for i in range(5)]
    payloads[2] = payloads[2][:30]  # an event spread over two chunks, as Go's writer may do
    payloads.insert(3, watch_line("MODIFIED", pod("a", 2))[30:])
    wire = _chunked(payloads) + b"ignored after the last chunk"
    reader = BodyReader(_FakeResponse([wire[i:i + cut] for i in range(0, len(wire), cut)]))
    assert reader.taken_over
    got = b""
    while data := reader.read():
        got += data
    assert got == b"".join(payloads) and reader.done
    d = LineDecoder()
    assert [e["object"]["metadata"]["resourceVersion"] for e in d.feed(got)] == ["0", "1", "2", "3", "4"]


def test_body_reader_reports_a_cut_body_and_bad_framing():
    wire = _chunked([watch_line("ADDED", pod("a", 1))])
    reader = BodyReader(_FakeResponse([wire[:-7]]))  # the last chunk never comes
    assert reader.read()
    with pytest.raises(urllib3.exceptions.ProtocolError):
        reader.read()
    for size in (b"zz", b"-5", b"+5", b"0x5", b""):  # int(x, 16) alone would take three of these
        reader = BodyReader(_FakeResponse([size + b"\r\n{}\r\n"]))
        with pytest.raises(Exception, match="malformed chunked encoding"):
            reader.read()


def test_body_reader_knows_when_a_chunk_is_only_partly_in():
    # What makes a silence a mid-event stall even before a byte of the line came.
    line = watch_line("ADDED", pod("a", 1))
    wire = _chunked([line])
    size = b"%x" % len(line)
    for cut, partial in ((size, True), (size + b"\r\n", True), (wire[:-7], True), (wire[:-5], False)):
        reader = BodyReader(_FakeResponse([cut]))
        with pytest.raises(urllib3.exceptions.ProtocolError):
            while True:
                reader.read()
        assert reader.in_chunk is partial, cut


def test_body_reader_leaves_compressed_or_plain_bodies_to_urllib3():
    assert not BodyReader(_FakeResponse([], encoding="gzip")).taken_over
    plain = _FakeResponse([b"never read here"], chunked=False)
    plain.read1 = lambda n: b"abc"  # a Content-Length body: urllib3 knows where it ends
    reader = BodyReader(plain)
    assert not reader.taken_over and reader.read() == b"abc"


def test_backoff_doubles_with_jitter_caps_and_resets():
    lo = Backoff(0.5, 30.0, rng=lambda: 0.0)
    hi = Backoff(0.5, 30.0, rng=lambda: 1.0)
    assert [lo.next_delay() for _ in range(4)] == [0.375, 0.75, 1.5, 3.0]
    assert [hi.next_delay() for _ in range(4)] == [0.625, 1.25, 2.5, 5.0]
    for _ in range(20):
        assert hi.next_delay() <= 30.0
    assert hi.next_delay() == 30.0
    hi.reset()
    assert hi.next_delay() == 0.625


# -------------------------------------------------------------------- list and watch


def test_paged_list_then_watch_from_its_resource_version(harness):
    # List items come without kind/apiVersion, as from a real server; podtui puts them back.
    bare = [{"metadata": p["metadata"], "status": p["status"]} for p in (pod("a", 5), pod("b", 6), pod("c", 7))]
    pages = [pod_list(bare[:2], 10, cont="p2"), pod_list(bare[2:], 10)]
    watch = Answer(body=[watch_line("MODIFIED", pod("a", 11)) + watch_line("ADDED", pod("d", 12)), watch_line("DELETED", pod("b", 13))])
    source, server = harness(Script(pages, [watch]), page_size=2)
    source.start()
    items = collect(source, lambda it: ("DELETED", "b", "13", False) in changes(it))
    assert changes(items) == [
        ("ADDED", "a", "5", False),
        ("ADDED", "b", "6", False),
        ("ADDED", "c", "7", False),
        ("MODIFIED", "a", "11", False),
        ("ADDED", "d", "12", False),
        ("DELETED", "b", "13", False),
    ]
    relists = [i for i in items if isinstance(i, Relist)]
    assert [(r.phase, r.resource_version, r.deleted) for r in relists] == [("start", "", 0), ("end", "10", 0)]
    assert [s for s, _ in statuses(items)][:3] == ["connecting", "listing", "live"]
    lists = server.lists()
    assert [(r.path, r.query.get("limit"), r.query.get("continue")) for r in lists] == [("/api/v1/pods", "2", None), ("/api/v1/pods", "2", "p2")]
    w = server.watches()[0].query
    assert w["resourceVersion"] == "10" and w["allowWatchBookmarks"] == "true"
    assert 300 <= int(w["timeoutSeconds"]) < 600
    assert all(c.observed == 500.0 for c in items if isinstance(c, Change))
    assert {(c.obj["kind"], c.obj["apiVersion"]) for c in items if isinstance(c, Change)} == {("Pod", "v1")}
    assert server.requests[0].headers["Authorization"] == "Bearer t0"
    # Each change carries its own bytes, the object as served, for the recorder and YAML.
    first = next(c for c in items if isinstance(c, Change))
    assert orjson.loads(first.raw)["object"] == {"kind": "Pod", "apiVersion": "v1", **bare[0]}


def test_changes_are_decoded_where_they_are_read_and_only_once():
    line = watch_line("MODIFIED", {**pod("a", 3), "metadata": {**pod("a", 3)["metadata"], "managedFields": [{"manager": "k"}]}})
    calls = []

    def decode(raw):
        calls.append(raw)
        return PodDecoder().object(raw)

    change = Change("pods", "MODIFIED", None, 1.0, raw=line, decode=decode)
    assert "not decoded" in repr(change) and calls == []  # repr may run on any thread: it never decodes
    assert change.obj["metadata"]["resourceVersion"] == "3" and "managedFields" not in change.obj["metadata"]
    assert change.obj is change.obj and len(calls) == 1
    assert change == Change("pods", "MODIFIED", change.obj, 1.0)
    assert orjson.loads(change.raw)["object"]["metadata"]["managedFields"] == [{"manager": "k"}]


def test_expired_continue_token_restarts_the_list(harness):
    gone = json_answer({"kind": "Status", "code": 410, "reason": "Expired", "message": "The provided continue parameter is too old"}, 410)
    lists = [pod_list([pod("a", 5)], 10, cont="old"), gone, pod_list([pod("a", 5)], 20, cont="new"), pod_list([pod("b", 8)], 20)]
    source, server = harness(Script(lists, []), page_size=1)
    source.start()
    items = collect(source, n_watches(server, 1))
    assert changes(items) == [("ADDED", "a", "5", False), ("ADDED", "b", "8", False)]  # no duplicate for a
    assert [r.query.get("continue") for r in server.lists()] == [None, "old", None, "new"]
    assert server.watches()[0].query["resourceVersion"] == "20"


def test_bookmarks_advance_the_resource_version_silently(harness):
    bookmark = {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "99"}}
    watches = [Answer(body=[watch_line("BOOKMARK", bookmark)])]  # then the server ends the watch cleanly
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches))
    source.start()
    items = collect(source, n_watches(server, 2))
    assert changes(items) == [("ADDED", "a", "5", False)]
    assert [w.query["resourceVersion"] for w in server.watches()] == ["10", "99"]
    assert "reconnecting" not in [s for s, _ in statuses(items)]  # a clean end is not a failure


def test_cut_mid_event_reconnects_from_the_last_resource_version(harness):
    line = watch_line("MODIFIED", pod("a", 12))
    watches = [Answer(body=[watch_line("MODIFIED", pod("a", 11)), line[:15]], cut=True), Answer(body=[line])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches))
    source.start()
    items = collect(source, lambda it: ("MODIFIED", "a", "12", False) in changes(it))
    assert changes(items) == [("ADDED", "a", "5", False), ("MODIFIED", "a", "11", False), ("MODIFIED", "a", "12", False)]
    assert [w.query["resourceVersion"] for w in server.watches()][:2] == ["10", "11"]
    reconnecting = [(s, d) for s, d in statuses(items) if s == "reconnecting"]
    assert len(reconnecting) == 1 and reconnecting[0][1] in ("connection closed by the server", "the watch stream ended in the middle of an event")
    st = next(i for i in items if isinstance(i, SourceStatus) and i.state == "reconnecting")
    assert st.retry_at is not None and st.retry_at >= st.at and st.resource == "pods"


def test_malformed_line_keeps_the_good_events_and_reconnects(harness):
    watches = [Answer(body=[watch_line("MODIFIED", pod("a", 11)) + b"{garbage\n" + watch_line("MODIFIED", pod("a", 12))]), Answer(body=[watch_line("MODIFIED", pod("a", 12))])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches))
    source.start()
    items = collect(source, lambda it: ("MODIFIED", "a", "12", False) in changes(it))
    assert changes(items) == [("ADDED", "a", "5", False), ("MODIFIED", "a", "11", False), ("MODIFIED", "a", "12", False)]
    assert [w.query["resourceVersion"] for w in server.watches()][:2] == ["10", "11"]
    assert any(s == "reconnecting" and d.startswith("malformed line in the pods watch stream") for s, d in statuses(items))


def test_a_list_item_that_is_not_json_after_all_is_retried_not_fatal(harness):
    # A page msgspec accepts as a whole (items kept as raw bytes) with an item that
    # fails on its own: a number out of range in its metadata. The list is retried,
    # and the next good page goes through.
    bad = orjson.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "10"},
                        "items": [pod("a", 5), {"metadata": {}}]}).replace(b'{"metadata":{}}', b'{"metadata":{"name":1e400}}')
    source, server = harness(Script([Answer(200, bad, {"Content-Type": "application/json"}), pod_list([pod("a", 5)], 10)], []))
    source.start()
    items = collect(source, lambda it: ("ADDED", "a", "5", False) in changes(it))
    assert ("reconnecting", "malformed pods list item from the server") in statuses(items)
    assert not any(s == "failed" for s, _ in statuses(items))


def test_bytes_that_are_not_utf8_read_as_u_fffd_like_kubectl(harness):
    # Go's JSON decoder (kubectl's) reads each such byte as U+FFFD. msgspec refused
    # them only where it decoded: a bad label got past the watch thread, then failed
    # in the consumer (the pod never reached the table) and in the recorder (which
    # stopped). In a list item's name the whole page was retried forever.
    listed = orjson.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "10"},
                           "items": [pod("b", 5)]}).replace(b'"name":"b"', b'"name":"b\xff"')
    watched = watch_line("MODIFIED", {**pod("a", 11), "metadata": {**pod("a", 11)["metadata"], "labels": {"x": "LABEL"}}})
    watched = watched.replace(b"LABEL", b"v\xe2\x82!")  # a 3-byte character cut after 2
    source, server = harness(Script([Answer(200, listed, {"Content-Type": "application/json"})], [Answer(body=[watched])]))
    source.start()
    items = collect(source, lambda it: any(i.type == "MODIFIED" for i in it if isinstance(i, Change)))
    got = [i for i in items if isinstance(i, Change)]
    assert changes(got) == [("ADDED", "b\ufffd", "5", False), ("MODIFIED", "a", "11", False)]
    assert got[1].obj["metadata"]["labels"] == {"x": "v\ufffd\ufffd!"}
    assert [orjson.loads(i.raw)["object"]["metadata"]["name"] for i in got] == ["b\ufffd", "a"]  # what the recorder reads
    assert not any(s == "reconnecting" for s, _ in statuses(items))


def test_stall_longer_than_the_read_timeout_is_noticed(harness):
    watches = [Answer(body=[watch_line("MODIFIED", pod("a", 11)), 3.0])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches), read_timeout=0.5)
    source.start()
    items = collect(source, n_watches(server, 2))
    assert ("reconnecting", "no data within the read timeout") in statuses(items)
    assert [w.query["resourceVersion"] for w in server.watches()][:2] == ["10", "11"]


def test_410_mid_stream_relists_and_diffs(harness):
    expired = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410, "reason": "Expired", "message": "too old resource version: 11 (40)"}
    first = pod_list([pod("a", 5), pod("b", 6), pod("c", 7), pod("d", 8)], 10)
    # While away: a unchanged, b modified, c deleted, d deleted and recreated (new uid), e added.
    second = pod_list([pod("a", 5), pod("b", 30), pod("d", 31, uid="uid-d2"), pod("e", 32)], 40)
    watches = [Answer(body=[watch_line("MODIFIED", pod("a", 5)), watch_line("ERROR", expired)])]
    source, server = harness(Script([first, second], watches))
    source.start()
    items = collect(source, lambda it: sum(1 for i in it if isinstance(i, Relist) and i.phase == "end") == 2)
    after = items[next(n for n, i in enumerate(items) if isinstance(i, Relist) and i.phase == "end") + 1 :]
    assert sorted(changes(after)) == sorted(
        [
            ("MODIFIED", "a", "5", False),  # from the watch, before the error
            ("MODIFIED", "b", "30", False),
            ("DELETED", "d", "8", True),
            ("ADDED", "d", "31", False),
            ("ADDED", "e", "32", False),
            ("DELETED", "c", "7", True),
        ]
    )
    end = [i for i in after if isinstance(i, Relist)][-1]
    assert (end.resource_version, end.deleted) == ("40", 1)
    assert ("relisting", "410 Expired: too old resource version: 11 (40)") in statuses(after)
    collect(source, n_watches(server, 2))
    assert server.watches()[1].query["resourceVersion"] == "40"


def test_http_410_on_watch_request_also_relists(harness):
    gone = json_answer({"kind": "Status", "code": 410, "reason": "Gone", "message": "gone"}, 410)
    source, server = harness(Script([pod_list([pod("a", 5)], 10), pod_list([], 50)], [gone]))
    source.start()
    items = collect(source, n_watches(server, 2))
    assert changes(items) == [("ADDED", "a", "5", False), ("DELETED", "a", "5", True)]
    assert server.watches()[1].query["resourceVersion"] == "50"


def test_429_honours_retry_after(harness):
    slow = json_answer({"kind": "Status", "code": 429, "message": "slow down"}, 429, **{"Retry-After": "1"})
    source, server = harness(Script([pod_list([], 10)], [slow]))
    source.start()
    items = collect(source, n_watches(server, 2))
    st = next(i for i in items if isinstance(i, SourceStatus) and i.state == "reconnecting")
    assert st.detail.startswith("429 Too Many Requests")
    assert st.retry_at - st.at >= 1.0


def fresh_token_only():
    """A Script (one pod, then one MODIFIED) that answers 401 to any token but "fresh"."""
    def script(request):
        if request.headers.get("Authorization") != "Bearer fresh":
            return json_answer({"kind": "Status", "code": 401, "message": "Unauthorized"}, 401)
        return base(request)

    base = Script([pod_list([pod("a", 5)], 10)], [Answer(body=[watch_line("MODIFIED", pod("a", 11))])])
    script.release = base.release
    return script


def test_401_reloads_credentials_from_the_kubeconfig(harness, tmp_path):
    script = fresh_token_only()
    source, server = harness(script, token="stale")
    write_kubeconfig(tmp_path / "config", server.url, token="fresh")  # someone logged in again
    source.start()
    items = collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    assert ("reconnecting", "401 Unauthorized: reloaded credentials from the kubeconfig") in statuses(items)
    assert source.connection.generation == 1
    assert "failed" not in [s for s, _ in statuses(items)]


def test_403_repeated_mid_session_fails_with_one_line(harness):
    forbidden = json_answer({"kind": "Status", "code": 403, "message": 'pods is forbidden: User "bob" cannot watch resource "pods" in API group "" at the cluster scope'}, 403)
    source, server = harness(Script([pod_list([], 10)], [forbidden] * 5), max_forbidden=3)
    source.start()
    items = collect(source, lambda it: any(isinstance(i, SourceStatus) and i.state == "failed" for i in it))
    failed = [d for s, d in statuses(items) if s == "failed"]
    assert failed == ['pods is forbidden at the cluster scope for user "bob" (watch pods): try -n NAMESPACE']
    assert len(server.watches()) == 3


def test_403_after_a_watch_was_open_retries_until_the_right_comes_back(harness):
    # A revoked right may be restored (a RoleBinding re-applied): a restart would lose
    # the history, so once a watch was open a 403 is retried however often it repeats.
    forbidden = json_answer({"kind": "Status", "code": 403, "message": 'pods is forbidden: User "bob" cannot watch resource "pods" in API group "" at the cluster scope'}, 403)
    first = Answer(body=[watch_line("ADDED", pod("a", 11))])
    back = Answer(body=[watch_line("ADDED", pod("b", 12))])
    source, server = harness(Script([pod_list([], 10)], [first] + [forbidden] * 5 + [back]), max_forbidden=3)
    source.start()
    items = collect(source, lambda it: ("ADDED", "b", "12", False) in changes(it))
    states = statuses(items)
    assert "failed" not in [s for s, _ in states]
    assert [d for s, d in states if s == "reconnecting" and d.startswith("403")] == [
        '403 Forbidden: pods is forbidden: User "bob" cannot watch resource "pods" in API group "" at the cluster scope'
    ] * 5
    assert states[-1][0] == "live"
    assert len(server.watches()) == 7


def test_an_object_without_a_name_is_passed_on_to_the_store(harness):
    # Dropped here, it vanished without a word: the list ended with no pod and no problem.
    # The store files pods by uid and reports what it can't use (test_model_properties).
    nameless = {"kind": "Pod", "metadata": {"name": 5, "uid": "u-5", "resourceVersion": "6"}, "status": {}}
    source, server = harness(Script([pod_list([pod("a", 5), nameless], 10)],
                                    [Answer(body=[watch_line("MODIFIED", dict(nameless, metadata={"uid": "u-5"}))])]))
    source.start()
    items = collect(source, lambda it: sum(isinstance(i, Change) for i in it) >= 3)
    objs = [(i.type, i.obj["metadata"]) for i in items if isinstance(i, Change)]
    assert objs[1:] == [("ADDED", nameless["metadata"]), ("MODIFIED", {"uid": "u-5"})]
    store = Store(ManualClock(600.0))
    store.apply_batch(items)
    assert "u-5" in store.pods and not store.problems


def test_server_error_backs_off_then_recovers(harness):
    boom = json_answer({"kind": "Status", "code": 500, "message": "etcd unavailable"}, 500)
    source, server = harness(Script([pod_list([], 10)], [boom, boom, Answer(body=[watch_line("ADDED", pod("z", 12))])]))
    source.start()
    items = collect(source, lambda it: ("ADDED", "z", "12", False) in changes(it))
    details = [d for s, d in statuses(items) if s == "reconnecting"]
    assert details == ["HTTP 500: etcd unavailable", "HTTP 500: etcd unavailable"]
    states = [s for s, _ in statuses(items)]
    assert states[-1] == "live"


def test_504_too_large_rv_on_a_relist_waits_retry_after_then_relists(harness):
    # What a kube-apiserver answers a LIST whose resourceVersion it has not reached.
    too_large = json_answer(
        {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Timeout", "code": 504,
         "message": "Timeout: Too large resource version: 60, current: 50",
         "details": {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}},
        504, **{"Retry-After": "1"},
    )
    gone = json_answer({"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}, 410)
    source, server = harness(Script([pod_list([pod("a", 5)], 10), too_large, pod_list([pod("b", 55)], 60)], [gone]))
    source.start()
    # The server counts the second watch before podtui has its answer and says "live".
    items = collect(source, lambda it: len(server.watches()) >= 2 and statuses(it)[-1][0] == "live")
    waits = [i for i in items if isinstance(i, SourceStatus) and i.state == "reconnecting"]
    assert [w.detail for w in waits] == ["HTTP 504: Timeout: Too large resource version: 60, current: 50"]
    assert waits[0].retry_at - waits[0].at >= 1.0
    assert ("ADDED", "b", "55", False) in changes(items) and ("DELETED", "a", "5", True) in changes(items)
    assert [s for s, _ in statuses(items)][-1] == "live"
    assert server.watches()[1].query["resourceVersion"] == "60"


def test_stop_interrupts_a_blocked_watch(harness):
    source, server = harness(Script([pod_list([], 10)], []))
    source.start()
    collect(source, n_watches(server, 1))
    source.stop()
    assert not any(t.is_alive() for t in source._threads)
    assert source.poll()[-1].state == "stopped"


def test_repeated_410_backs_off_instead_of_spinning(harness):
    gone = json_answer({"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}, 410)
    source, server = harness(Script([pod_list([], n) for n in range(10, 20)], [gone] * 3))
    source.start()
    items = collect(source, n_watches(server, 4))
    waits = [d for s, d in statuses(items) if s == "reconnecting"]
    # The first 410 relists at once; the next ones, with no progress between, wait first.
    assert waits == ["410 Gone: too old; relisting", "410 Gone: too old; relisting"]
    assert [s for s, _ in statuses(items)].count("relisting") == 3


def test_watches_the_server_ends_at_once_with_nothing_back_off_instead_of_spinning(harness):
    # A proxy or server that ends each watch cleanly straight away (client-go: "very
    # short watch ... Unexpected watch close") must not be re-watched in a hot loop.
    empty = Answer(body=[])
    source, server = harness(Script([pod_list([], 10)], [empty] * 3 + [Answer(body=[watch_line("ADDED", pod("z", 12))])]), short_watch=30.0)
    source.start()
    items = collect(source, lambda it: ("ADDED", "z", "12", False) in changes(it))
    waits = [d for s, d in statuses(items) if s == "reconnecting"]
    assert waits == ["the API server ended the watch at once, sending nothing"] * 3
    assert [w.query["resourceVersion"] for w in server.watches()] == ["10"] * 4
    assert [s for s, _ in statuses(items)][-1] == "live"


def test_a_stall_in_the_middle_of_an_event_is_noticed_long_before_the_read_timeout(harness):
    # A server writes each event whole; half a line and then silence is a stalled link,
    # not a quiet cluster, so it need not wait out the (bookmark-sized) read timeout.
    line = watch_line("MODIFIED", pod("a", 11))
    watches = [Answer(body=[line[:20], 30.0]), Answer(body=[line])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches), read_timeout=30.0, stall_timeout=0.3)
    source.start()
    items = collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    assert ("reconnecting", "stalled mid-event: no data for 0.3s") in statuses(items)
    # The stalled watch is watched again from where it was, not relisted. (A third
    # watch, from 11, may already follow the second's end by the time this looks.)
    assert [w.query["resourceVersion"] for w in server.watches()][:2] == ["10", "10"]


def test_a_line_that_never_ends_is_a_reconnect_not_a_heap_that_grows(harness, monkeypatch):
    # A body with no newline (a proxy's error page streamed on, a broken server) was
    # kept whole, and summed on every read.
    monkeypatch.setattr(live, "MAX_LINE", 1 << 20)
    endless = Answer(body=[b'{"type":"MODIFIED","object":{"x":"' + b"y" * 600_000, b"y" * 600_000, 30.0])
    watches = [endless, Answer(body=[watch_line("MODIFIED", pod("a", 11))])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches), read_timeout=30.0, stall_timeout=30.0)
    source.start()
    items = collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    assert ("reconnecting", "a watch line went past 1 MiB without ending: not a Kubernetes watch stream?") \
        in statuses(items)


def test_a_watch_the_server_ends_quietly_after_a_while_is_resumed_without_a_word(harness):
    # A server's --min-request-timeout or a proxy's cap ends watches cleanly every so
    # often, with nothing sent on a quiet cluster: resume from the same resourceVersion,
    # no relist, and no "reconnecting" flash on the status bar.
    quiet = Answer(body=[0.3])
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], [quiet, quiet, Answer(body=[watch_line("MODIFIED", pod("a", 11))])]), short_watch=0.1)
    source.start()
    items = collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    assert [s for s, _ in statuses(items)] == ["connecting", "listing", "live"]
    assert [w.query["resourceVersion"] for w in server.watches()] == ["10"] * 3
    assert len(server.lists()) == 1  # never relisted


def test_a_token_that_stays_rejected_keeps_retrying_with_one_clear_line(harness, tmp_path):
    # Token expired mid-session and the kubeconfig still holds it: say to log in again
    # and keep the session (and its history) retrying, re-reading the kubeconfig each
    # time, so that logging in elsewhere is enough; no give-up that needs a restart.
    script = fresh_token_only()
    source, server = harness(script, token="stale", backoff_max=0.01)
    source.start()
    items = collect(source, lambda it: len(server.requests) >= 12)
    assert "failed" not in [s for s, _ in statuses(items)]
    waits = {d for s, d in statuses(items) if s == "reconnecting"}
    assert waits == {"401 Unauthorized: log in again; the kubeconfig is re-read at each retry"}
    write_kubeconfig(tmp_path / "config", server.url, token="fresh")  # logged in again
    items = collect(source, lambda it: ("ADDED", "a", "5", False) in changes(it))
    assert ("reconnecting", "401 Unauthorized: reloaded credentials from the kubeconfig") in statuses(items)


def test_a_410_after_a_healthy_quiet_watch_relists_at_once(harness):
    # On a quiet cluster a watch may carry only bookmarks for its whole life. Expiring
    # after such a healthy one is not "expired again right after a relist": no wait.
    expired = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410, "reason": "Expired", "message": "too old"}
    bookmark = {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "20"}}
    healthy = Answer(body=[0.3, watch_line("BOOKMARK", bookmark), watch_line("ERROR", expired)])
    lists = [pod_list([pod("a", 5)], 10), pod_list([pod("a", 5)], 20), pod_list([pod("a", 5)], 30)]
    source, server = harness(Script(lists, [healthy, healthy]), healthy_after=0.2)
    source.start()
    items = collect(source, n_watches(server, 3))
    assert [s for s, _ in statuses(items)].count("relisting") == 2
    assert "reconnecting" not in [s for s, _ in statuses(items)]


def test_startup_waits_out_a_429_with_retry_after_like_kubectl(harness):
    # An API server starting up or shedding load answers 429 with Retry-After; kubectl's
    # client waits and asks again. Exiting with "check --context" was wrong advice.
    slow = json_answer({"kind": "Status", "code": 429, "reason": "TooManyRequests", "message": "Too many requests, please try again later."},
                       429, **{"Retry-After": "1"})
    source, server = harness(Script([slow, pod_list([pod("a", 5)], 10)], []))
    heard: list[str] = []
    source.preflight(heard.append)
    assert len(server.lists()) == 2
    # Up to 15 s before the screen opens: the user is told why nothing shows yet.
    assert heard == ["the API server answered 429 Too Many Requests: waiting 1s as its Retry-After asks"]


def _until(predicate) -> bool:
    """Wait, without draining, until predicate() holds; False only on a failure."""
    done = threading.Event()
    for _ in range(int(WAIT / 0.01)):
        if predicate():
            return True
        done.wait(0.01)
    return False


def _paged(n_pages: int, per_page: int) -> list[Answer]:
    names = [f"p{i:03d}" for i in range(n_pages * per_page)]
    items = [pod(name, 5) for name in names]
    return [pod_list(items[i:i + per_page], 10, cont="" if i + per_page >= len(items) else f"c{i}")
            for i in range(0, len(items), per_page)]


def test_a_stalled_consumer_holds_the_watch_thread_and_nothing_is_lost(harness):
    # The queue grew without limit: a 20,000-pod relist and the churn after it, while
    # the UI could not drain, took ~1 MiB a second more for as long as it lasted.
    pages = _paged(10, 10)
    watch = Answer(body=[watch_line("MODIFIED", pod("p000", 11)), watch_line("ADDED", pod("z", 12))])
    bound = 4000  # about one page
    source, server = harness(Script(pages, [watch]), page_size=10, max_queued_bytes=bound)
    source.start()
    assert _until(lambda: source.held_back or server.watches())
    assert not server.watches(), "the list ran on while nothing was drained"
    page = max(len(p.body) for p in pages) + 10 * ITEM_OVERHEAD
    assert source.queue.queued_bytes < bound + page  # past the bound by one page at most
    assert len(server.lists()) < len(pages)
    items = collect(source, lambda it: ("ADDED", "z", "12", False) in changes(it))
    assert changes(items) == [("ADDED", f"p{i:03d}", "5", False) for i in range(100)] + [
        ("MODIFIED", "p000", "11", False), ("ADDED", "z", "12", False)]
    assert not source.held_back


def test_stop_lets_a_thread_waiting_for_the_consumer_go(harness):
    source, server = harness(Script(_paged(10, 10), []), page_size=10, max_queued_bytes=4000)
    source.start()
    assert _until(lambda: source.held_back)
    source.stop()
    assert not any(t.is_alive() for t in source._threads)



class Silent(Script):
    """Accepts each request and answers nothing until released: a hung API server."""

    def __call__(self, request):
        self.release.wait(WAIT)
        return pod_list([pod("a", 5)], 10)


def test_a_server_that_never_answers_is_said_at_start_up_while_it_is_waited_for(harness):
    # It accepts the connection, then nothing: the terminal stayed blank and silent for
    # the whole read timeout. The server answers once the notice was given.
    script = Silent([], [])
    source, server = harness(script)
    heard: list[str] = []
    source.preflight(lambda text: (heard.append(text), script.release.set()), notice_after=0.01)
    assert heard[0] == f"waiting for the API server at {server.url} (0s so far; --request-timeout sets the limit)"


class SlowToAnswer(Silent):
    """Silent, on a clock that has moved 3 s when the request arrives."""

    clock: ManualClock

    def __call__(self, request):
        self.clock.advance(3.0)
        return super().__call__(request)


def test_the_wait_for_a_server_that_never_answers_counts_up_on_the_clock(harness):
    # "(3s so far)" stood still until the list gave up 27 s later: it read as hung.
    script = SlowToAnswer([], [])
    source, server = harness(script)
    script.clock = source.clock
    heard: list[str] = []

    def waiting(text: str) -> None:
        heard.append(text)
        if len(heard) == 3:
            script.release.set()  # and the clock stands: a later look says nothing new
        else:
            source.clock.advance(1.0 if len(heard) == 1 else 60.0)

    source.preflight(waiting, notice_after=0.01, notice_every=0.01)
    said = f"waiting for the API server at {server.url} (%s so far; --request-timeout sets the limit)"
    assert heard == [said % "3s", said % "4s", said % "64s"]
    assert [type(text) for text in heard] == [str, StillWaiting, StillWaiting]  # the same wait, counted further


def test_a_server_that_never_answers_fails_start_up_naming_the_list_timeout(harness):
    # The first list waited the watch's 90 s read timeout, then said only "no data
    # within the read timeout".
    source, server = harness(Silent([], []), read_timeout=60.0, list_timeout=0.2)
    with pytest.raises(ConnectError) as failed:
        source.preflight()
    assert str(failed.value) == (f"cannot reach the API server at {server.url}: no answer within 0.2s "
                                 "(is the cluster up? check --context; --request-timeout sets how long to wait)")


def test_lists_do_not_wait_the_watches_read_timeout(harness):
    source, _ = harness(Script([], []), read_timeout=90.0)
    assert source.reflectors[0].list_timeout == 30.0


def test_off_live_the_status_says_when_the_watch_last_read_anything_not_when_the_drop_was_noticed(harness):
    # A silent watch is noticed dead only at the read timeout (90 s by default): the
    # bar's "data N old" counted from then, up to that much too young.
    read = threading.Event()
    watches = [Answer(body=[lambda: clock.set(510.0), watch_line("MODIFIED", pod("a", 11)), read.wait, 3.0])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10)], watches), read_timeout=0.5)
    clock = source.clock
    source.start()
    collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    clock.set(600.0)  # the watch goes quiet; its death is noticed at the read timeout
    read.set()
    items = collect(source, lambda it: "reconnecting" in [s for s, _ in statuses(it)])
    down = next(i for i in items if isinstance(i, SourceStatus) and i.state == "reconnecting")
    assert (down.at, down.current_as_of) == (600.0, 510.0)


def test_a_watch_that_ended_cleanly_counts_as_read_up_to_its_end(harness):
    # A watch closed at the server's timeout, then a 410 on the re-watch: the relist said
    # "data 50s old" from the last line, though the stream was healthy up to its close.
    gone = json_answer({"kind": "Status", "code": 410, "reason": "Gone", "message": "gone"}, 410)
    read = threading.Event()
    watches = [Answer(body=[lambda: clock.set(510.0), watch_line("MODIFIED", pod("a", 11)), read.wait,
                            lambda: clock.set(560.0)]), gone]
    source, server = harness(Script([pod_list([pod("a", 5)], 10), pod_list([pod("a", 12)], 50)], watches),
                             healthy_after=0.0)
    clock = source.clock
    source.start()
    collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    read.set()  # the server ends the watch at 560, cleanly
    items = collect(source, lambda it: "relisting" in [s for s, _ in statuses(it)])
    relisting = next(i for i in items if isinstance(i, SourceStatus) and i.state == "relisting")
    assert relisting.current_as_of == 560.0


def test_a_pod_missing_from_a_relist_carries_when_the_watch_last_read_anything(harness):
    # Deleted some time between the watch's last read (510) and the relist (600): the
    # synthetic deletion says both, not only when the relist found it gone.
    read = threading.Event()
    gone = json_answer({"kind": "Status", "code": 410, "reason": "Gone", "message": "gone"}, 410)
    watches = [Answer(body=[lambda: clock.set(510.0), watch_line("MODIFIED", pod("a", 11)), read.wait, 3.0]), gone]
    source, server = harness(Script([pod_list([pod("a", 5)], 10), pod_list([], 50)], watches), read_timeout=0.5)
    clock = source.clock
    source.start()
    collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    clock.set(600.0)
    read.set()
    items = collect(source, lambda it: any(isinstance(i, Change) and i.synthetic for i in it))
    deletion = next(i for i in items if isinstance(i, Change) and i.synthetic)
    assert deletion.observed == 600.0
    assert synthetic_current_as_of(deletion.obj) == 510.0


def _relisted_as_of(source) -> tuple:
    """When the relist after a 410 says the data was current: its status, and the note
    on its synthetic deletion of the pod it found gone."""
    items = collect(source, lambda it: any(isinstance(i, Change) and i.synthetic for i in it))
    relisting = next(i for i in items if isinstance(i, SourceStatus) and i.state == "relisting")
    deletion = next(i for i in items if isinstance(i, Change) and i.synthetic)
    return relisting.current_as_of, synthetic_current_as_of(deletion.obj)


def test_a_watch_error_is_no_read_of_current_data(harness):
    # The demo server restarted: the re-watch's first line was "410 Expired", read at
    # 560, and the relist dated the pods it found gone "between 560 and 560", as if the
    # watch had been current up to then; it was last at 510.
    expired = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410, "reason": "Expired",
               "message": "too old resource version: 11 (40)"}
    watches = [Answer(body=[lambda: clock.set(510.0), watch_line("MODIFIED", pod("a", 11))]),
               Answer(body=[lambda: clock.set(560.0), watch_line("ERROR", expired)])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10), pod_list([], 40)], watches), healthy_after=0.0)
    clock = source.clock
    source.start()
    assert _relisted_as_of(source) == (510.0, 510.0)


def test_a_bookmark_is_a_read_of_current_data_an_error_after_it_is_not(harness):
    # A quiet watch's bookmark at 530 says nothing changed up to then; the 410 Expired
    # read at 560 says the watch missed what came after: current as of 530.
    expired = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410, "reason": "Expired",
               "message": "too old resource version: 12 (40)"}
    bookmark = {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "12"}}
    read, bookmarked = threading.Event(), threading.Event()
    watches = [Answer(body=[lambda: clock.set(510.0), watch_line("MODIFIED", pod("a", 11)), read.wait,
                            watch_line("BOOKMARK", bookmark), bookmarked.wait, watch_line("ERROR", expired)])]
    source, server = harness(Script([pod_list([pod("a", 5)], 10), pod_list([], 40)], watches), healthy_after=0.0)
    clock = source.clock
    source.start()
    collect(source, lambda it: ("MODIFIED", "a", "11", False) in changes(it))
    clock.set(530.0)
    read.set()
    assert _until(lambda: source.reflectors[0].last_read == 530.0)
    clock.set(560.0)
    bookmarked.set()
    assert _relisted_as_of(source) == (530.0, 530.0)
