"""The pod decoder: the same dicts as a plain JSON decode (less managedFields), with
unchanged pieces shared between versions, and the same model on top."""

from __future__ import annotations

import copy
import gc
import gzip
from pathlib import Path

import msgspec
import orjson
import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import DELETED, PODS, Change
from podtui.lifecycle.store import Store
from podtui.sources import decode as decode_module
from podtui.sources.decode import DecodeError, PodDecoder, decode_list, valid_utf8, wrap_item
from tests.lifecycle.model_fixtures import Run, check, fixture_paths, load

RECORDINGS = Path(__file__).parents[1] / "recordings"


def pod(rv: str = "1", ready: bool = True, restarts: int = 0, node: str = "node-a") -> dict:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "shop", "uid": "u-1", "resourceVersion": rv,
                     "creationTimestamp": "2024-05-01T10:00:00Z", "labels": {"app": "web"},
                     "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {}}}]},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "web:1"}, {"name": "log", "image": "log:1"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "PodScheduled", "status": "True"},
                           {"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [
                {"name": "app", "ready": ready, "restartCount": restarts, "state": {"running": {"startedAt": "2024-05-01T10:00:01Z"}}},
                {"name": "log", "ready": True, "restartCount": 0, "state": {"running": {"startedAt": "2024-05-01T10:00:01Z"}}},
            ],
            "podIP": "10.0.0.7",
        },
    }


def line(obj: object, kind: str = "MODIFIED") -> bytes:
    return orjson.dumps({"type": kind, "object": obj})


def without_managed_fields(obj: dict) -> dict:
    out = copy.deepcopy(obj)
    out["metadata"].pop("managedFields", None)
    return out


def test_a_pod_decodes_to_the_plain_json_without_managed_fields():
    event = PodDecoder().line(line(pod()))
    assert event == {"type": "MODIFIED", "object": without_managed_fields(pod())}


def test_unchanged_pieces_are_the_previous_versions_objects():
    dec = PodDecoder()
    first = dec.line(line(pod(rv="1")))["object"]
    second = dec.line(line(pod(rv="2", ready=False)))["object"]
    assert second == without_managed_fields(pod(rv="2", ready=False))
    assert second["spec"] is first["spec"]
    conds, old_conds = second["status"]["conditions"], first["status"]["conditions"]
    assert conds[0] is old_conds[0] and conds[1] is not old_conds[1]
    statuses, old_statuses = second["status"]["containerStatuses"], first["status"]["containerStatuses"]
    assert statuses[0] is not old_statuses[0] and statuses[1] is old_statuses[1]
    # A whole list that didn't change is the same list.
    third = dec.line(line(pod(rv="3", ready=False)))["object"]
    assert third["status"]["conditions"] is conds and third["status"]["containerStatuses"] is statuses


def test_a_changed_spec_is_decoded_again_and_forget_stops_sharing():
    dec = PodDecoder()
    first = dec.line(line(pod(node="node-a")))["object"]
    moved = dec.line(line(pod(node="node-b")))["object"]
    assert moved["spec"] is not first["spec"] and moved["spec"]["nodeName"] == "node-b"
    dec.forget("u-1")
    again = dec.line(line(pod(node="node-b")))["object"]
    assert again == moved and again["spec"] is not moved["spec"]


def test_pods_of_one_controller_share_the_equal_parts_of_their_specs():
    def replica(uid: str, node: str, owner: str = "rs-1") -> dict:
        obj = pod(node=node)
        obj["metadata"] = {**obj["metadata"], "uid": uid, "name": f"web-{uid}",
                           "ownerReferences": [{"kind": "ReplicaSet", "name": "web", "uid": owner, "controller": True}]}
        obj["spec"]["containers"][0]["env"] = [{"name": "LEVEL", "value": "info"}]
        obj["spec"]["volumes"] = [{"name": f"token-{uid}", "projected": {"sources": [{"serviceAccountToken": {}}]}}]
        return obj

    dec = PodDecoder()
    a = dec.line(line(replica("a", "node-a")))["object"]["spec"]
    b = dec.line(line(replica("b", "node-b")))["object"]["spec"]
    other = dec.line(line(replica("c", "node-a", owner="rs-2")))["object"]["spec"]
    assert b == without_managed_fields(replica("b", "node-b"))["spec"]  # still exactly what was served
    assert b["containers"] is a["containers"] and b["volumes"] is not a["volumes"]
    assert b["volumes"][0]["projected"] is a["volumes"][0]["projected"] and b["nodeName"] == "node-b"
    assert other["containers"] == a["containers"] and other["containers"] is not a["containers"]


def test_lists_that_grow_shrink_or_reorder_still_decode_exactly():
    dec = PodDecoder()
    base = pod()
    dec.line(line(base))
    grown = copy.deepcopy(base)
    grown["status"]["containerStatuses"].insert(0, {"name": "init", "ready": False})
    assert dec.line(line(grown))["object"] == without_managed_fields(grown)
    swapped = copy.deepcopy(base)
    swapped["status"]["containerStatuses"].reverse()
    assert dec.line(line(swapped))["object"] == without_managed_fields(swapped)
    shrunk = copy.deepcopy(base)
    del shrunk["status"]["containerStatuses"][1]
    assert dec.line(line(shrunk))["object"] == without_managed_fields(shrunk)


@pytest.mark.parametrize("status", [None, [], "Running", 7, {"conditions": "bad", "containerStatuses": {"a": 1}}])
def test_malformed_pods_come_through_as_served(status):
    obj = pod()
    obj["status"] = status
    dec = PodDecoder()
    for _ in range(2):  # and again, with what the first decode kept
        # Odd shapes may fall back to a plain decode, managedFields included.
        assert without_managed_fields(dec.line(line(obj))["object"]) == without_managed_fields(obj)


def test_not_a_pod_event_error_events_and_bad_json():
    dec = PodDecoder()
    status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410, "reason": "Expired",
              "message": "too old resource version"}
    assert dec.line(orjson.dumps({"type": "ERROR", "object": status})) == {"type": "ERROR", "object": status}
    assert dec.line(b'{"type": "ADDED", "object": [1, 2]}') == {"type": "ADDED", "object": [1, 2]}
    assert dec.line(b"[1, 2]") == [1, 2]
    with pytest.raises(DecodeError):
        dec.line(b'{"type": "ADDED", "object": {')


def test_list_items_become_lines_of_their_own():
    page = orjson.dumps({"kind": "PodList", "metadata": {"resourceVersion": "9"}, "items": [pod(), pod(rv="2")]})
    body = decode_list(page)
    assert body is not None and body["metadata"] == {"resourceVersion": "9"}
    lines = [wrap_item(item) for item in body["items"]]
    assert [orjson.loads(x) for x in lines] == [{"object": pod()}, {"object": pod(rv="2")}]
    assert orjson.loads(lines[1])["object"] == pod(rv="2")  # managedFields and all
    assert decode_list(b'{"items": 3, "metadata": {}}') is None
    assert decode_list(b'{"items": []}') is None


def test_list_items_get_kind_only_when_they_have_members():
    for empty in (b"{}", b"{ }", b"{\n}"):
        assert orjson.loads(wrap_item(empty, "Pod")) == {"object": {}}
    assert orjson.loads(wrap_item(b'{ "metadata": {}}', "Pod")) == {
        "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {}}}


def test_pods_of_one_controller_share_only_what_is_the_same_json():
    # == holds for true and 1, 30 and 30.0, and dicts in another key order: sharing
    # those would hand one pod its sibling's value instead of what was served.
    def replica(uid: str, host_network: object, grace: object, selector: dict) -> dict:
        obj = pod()
        obj["metadata"] = {**obj["metadata"], "uid": uid,
                           "ownerReferences": [{"kind": "ReplicaSet", "name": "web", "uid": "rs-1", "controller": True}]}
        obj["spec"] = {**obj["spec"], "hostNetwork": host_network, "terminationGracePeriodSeconds": grace,
                       "nodeSelector": selector}
        return obj

    dec = PodDecoder()
    dec.line(line(replica("a", True, 30, {"zone": "a", "disk": "ssd"})))
    spec = dec.line(line(replica("b", 1, 30.0, {"disk": "ssd", "zone": "a"})))["object"]["spec"]
    assert spec["hostNetwork"] == 1 and type(spec["hostNetwork"]) is int
    assert type(spec["terminationGracePeriodSeconds"]) is float
    assert list(spec["nodeSelector"]) == ["disk", "zone"]


@pytest.mark.parametrize("piece", ["labels", "spec", "statuses"])
def test_a_piece_that_fails_to_decode_is_not_kept_next_to_the_old_value(piece):
    # msgspec's typed pass skips over the raw pieces; some bytes only fail when the
    # piece itself is decoded (invalid UTF-8, a number out of range).
    def raw_line(rv: bytes, labels=b'{"app":"web"}', spec=b'{"nodeName":"n1"}', cs=b'[{"name":"a"}]') -> bytes:
        return (b'{"type":"MODIFIED","object":{"metadata":{"uid":"u1","name":"p","resourceVersion":"' + rv
                + b'","labels":' + labels + b'},"spec":' + spec + b',"status":{"containerStatuses":' + cs + b"}}}")

    bad = {"labels": {"labels": b'{"app":"w\xffb"}'}, "spec": {"spec": b'{"x":1e400}'},
           "statuses": {"cs": b'[{"x":1e400}]'}}[piece]
    dec = PodDecoder()
    if piece == "labels":
        dec.line(raw_line(b"1"))
    for rv in (b"2", b"3"):  # the same bad bytes again must fail again, not read as the old value
        with pytest.raises(msgspec.DecodeError):
            dec.line(raw_line(rv, **bad))


def _through_the_decoder():
    """What the live source hands the store: each pod object as bytes on the wire,
    decoded by one PodDecoder (forgotten on DELETED)."""
    dec = PodDecoder()

    def wire(change: Change) -> Change:
        if change.resource != PODS:
            return change
        raw = orjson.dumps({"type": change.type, "object": change.obj})
        obj = dec.line(raw)["object"]
        if change.type == DELETED and isinstance(obj, dict) and isinstance(obj.get("metadata"), dict):
            dec.forget(obj["metadata"].get("uid"))
        return Change(change.resource, change.type, obj, change.observed, change.synthetic, raw=raw)

    return wire


PATHS = fixture_paths()


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_every_model_fixture_holds_through_the_decoder(path):
    check(Run(load(path), wire=_through_the_decoder()))


@pytest.mark.parametrize("name", ["demo-default.jsonl.gz", "demo-extra.jsonl.gz"])
def test_a_recorded_cluster_gives_the_same_model_either_way(name):
    """Every row, history and tombstone the same whether pods are decoded plainly or by
    the sharing decoder: sharing must change nothing the model says."""
    with gzip.open(RECORDINGS / name) as f:
        lines = [x for x in f.read().splitlines()[1:] if b'"resource":"pods"' in x and b'"type"' in x]
    assert len(lines) > 50
    plain, shared = Store(ManualClock(0.0)), Store(ManualClock(0.0))
    dec = PodDecoder()
    for raw in lines:
        item = orjson.loads(raw)
        plain.apply(Change(PODS, item["type"], item["object"], item["t"]))
        event = dec.line(raw)
        assert event["object"] == {**item["object"], "metadata": {
            k: v for k, v in item["object"]["metadata"].items() if k != "managedFields"}}
        shared.apply(Change(PODS, event["type"], event["object"], item["t"], raw=raw))
        if event["type"] == DELETED:
            dec.forget(event["object"]["metadata"]["uid"])
    assert plain.pods.keys() == shared.pods.keys()
    for uid, rec in plain.pods.items():
        other = shared.pods[uid]
        assert other.row == rec.row
        assert list(other.history) == list(rec.history)
        assert (other.deleted_at, other.replaces, other.replaced_by) == (rec.deleted_at, rec.replaces, rec.replaced_by)


def test_msgspec_raw_compares_by_bytes():
    # The decoder relies on this: equal bytes, equal Raw; one byte off, not equal.
    a, b, c = msgspec.json.decode(b'[{"a": 1}, {"a": 1}, {"a": 2}]', type=list[msgspec.Raw])
    assert a == b and a != c


@pytest.mark.parametrize(
    ("wire", "read"),
    [(b'"plain"', "plain"),
     (b'"caf\xc3\xa9"', "caf\u00e9"),  # UTF-8: kept as it is
     (b'"a\xffb"', "a\ufffdb"),
     (b'"\xe2\x82!"', "\ufffd\ufffd!"),  # a cut 3-byte character: one U+FFFD per byte, as Go
     (b'"\xed\xa0\x80"', "\ufffd\ufffd\ufffd"),  # an encoded surrogate
     (b'"\xc0\x80"', "\ufffd\ufffd")],  # an overlong NUL
)
def test_valid_utf8_reads_bad_bytes_as_go_json_does(wire, read):
    # Go's encoding/json: "invalid UTF-8 ... replaced by the Unicode replacement
    # character U+FFFD", stepping one byte at a time (utf8.DecodeRune).
    fixed = valid_utf8(wire)
    assert msgspec.json.decode(fixed) == read
    if wire.isascii():
        assert fixed is wire


def containers(value: object):
    """Every dict and list in a decoded tree."""
    if type(value) is dict:
        yield value
        for item in value.values():
            yield from containers(item)
    elif type(value) is list:
        yield value
        for item in value:
            yield from containers(item)


@pytest.mark.skipif(not decode_module._COMPILED, reason="only the compiled decoder can untrack (PODTUI_PURE, or no compiler)")
def test_the_compiled_decoder_keeps_decoded_pods_out_of_the_cycle_collector():
    dec = PodDecoder()
    first = dec.line(line(pod(rv="1")))
    # A changed status and a changed spec are decoded again; the rest is shared.
    second = dec.line(line(pod(rv="2", ready=False, node="node-b")))
    for event in (first, second):
        found = list(containers(event))
        assert len(found) > 10
        assert [c for c in found if gc.is_tracked(c)] == []
    # What isn't a pod is left as the generic decoder made it.
    error = dec.line(line({"kind": "Status", "code": 410, "details": {"causes": [{"reason": "Expired"}]}}, "ERROR"))
    assert gc.is_tracked(error)
