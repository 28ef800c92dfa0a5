"""The recorder process decodes only what redaction reads: it must hide exactly what
redacting the fully decoded object hides, and write lines replay reads the same."""

from __future__ import annotations

import gzip

import msgspec
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from podtui.lifecycle.changes import Change
from podtui.sources.recorder import decode_frames
from podtui.sources.recording import (
    LAST_APPLIED,
    REDACTED,
    encode_item,
    encode_r,
    unpack_raw,
    read_recording,
    redact,
)

from test_format import pod

# Keys redaction looks for, and some it doesn't, so that both meet at every level.
KEYS = st.sampled_from(["metadata", "spec", "annotations", "managedFields", LAST_APPLIED, "containers",
                        "initContainers", "ephemeralContainers", "env", "value", "valueFrom", "name", "status"])
SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=5)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=40)


def raw_redact(raw: bytes) -> object:
    return orjson.loads(msgspec.json.encode(redact(msgspec.Raw(raw), unpack_raw)))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_redacting_the_bytes_hides_what_redacting_the_object_hides(obj):
    raw = orjson.dumps(obj)
    assert raw_redact(raw) == redact(orjson.loads(raw))


def test_keys_are_compared_decoded_so_an_escaped_secret_still_goes():
    raw = orjson.dumps(pod())
    for plain, escaped in ((b'"managedFields"', b'"managed\\u0046ields"'), (b'"value"', b'"val\\u0075e"'),
                           (b'"env"', b'"\\u0065nv"'), (b'"spec"', b'"sp\\u0065c"')):
        assert plain in raw
        raw = raw.replace(plain, escaped)
    out = raw_redact(raw)
    assert out == redact(orjson.loads(raw))
    assert "managedFields" not in out["metadata"] and LAST_APPLIED not in out["metadata"]["annotations"]
    assert out["spec"]["containers"][0]["env"][0]["value"] == REDACTED
    assert b"hunter2" not in msgspec.json.encode(redact(msgspec.Raw(raw), unpack_raw))


def test_arrays_that_are_not_all_objects_are_opened_member_by_member():
    secret = {"name": "A", "value": "hunter2"}
    for containers in ([{"env": [secret, "junk", 1]}], [{"env": [secret]}, None, 3], [{"env": [None, secret]}, []]):
        raw = orjson.dumps({"spec": {"initContainers": containers}})
        out = msgspec.json.encode(redact(msgspec.Raw(raw), unpack_raw))
        assert b"hunter2" not in out and orjson.loads(out) == redact(orjson.loads(raw))


def test_a_duplicated_key_counts_once_as_the_decoder_reads_it():
    # The last one wins, in orjson as in msgspec: the secret under the first "spec" is not written.
    raw = b'{"spec": {"containers": [{"env": [{"name": "A", "value": "hunter2"}]}]}, "spec": {"containers": []}}'
    out = msgspec.json.encode(redact(msgspec.Raw(raw), unpack_raw))
    assert b"hunter2" not in out and orjson.loads(out) == redact(orjson.loads(raw))


def test_pieces_without_secrets_are_copied_as_they_came():
    raw = b'{"metadata": {"name": "a"}, "status": {"phase" : "Running",  "x": 1.50}}'
    assert msgspec.json.encode(redact(msgspec.Raw(raw), unpack_raw)) == (
        b'{"metadata":{"name": "a"},"status":{"phase" : "Running",  "x": 1.50}}')


def frames(changes: list[tuple[Change, bytes]]) -> bytearray:
    return bytearray(b"".join(encode_r(c.observed, c.resource, c.type, c.synthetic, raw) for c, raw in changes))


def test_the_recorder_writes_what_redacting_the_decoded_object_writes():
    # The shipped recordings' objects, as a live source hands them over (the wire's bytes).
    changes = []
    for name in ("demo-default.jsonl.gz", "demo-extra.jsonl.gz"):
        items = read_recording(f"tests/recordings/{name}").items
        changes += [(i, orjson.dumps({"type": i.type, "object": i.obj})) for i in items if isinstance(i, Change)]
    changes.append((Change("pods", "MODIFIED", pod(), 1.5, synthetic=True), orjson.dumps({"object": pod()})))
    for redacted in (True, False):
        lines, used = decode_frames(frames(changes), redacted)
        assert used == len(frames(changes))
        assert [orjson.loads(x) for x in lines.splitlines()] == [encode_item(c, redacted) for c, _ in changes]


def test_a_pretty_printed_or_odd_object_is_still_one_redacted_line():
    pretty = orjson.dumps({"type": "ADDED", "object": pod()}, option=orjson.OPT_INDENT_2)
    odd = [b'{"type": "ADDED", "object": null}', b'{"type": "ADDED", "object": [1, 2]}', pretty]
    lines, _ = decode_frames(bytearray(b"".join(encode_r(2.0, "pods", "ADDED", False, raw) for raw in odd)), True)
    got = [orjson.loads(x) for x in lines.splitlines()]
    assert [x["object"] for x in got[:2]] == [None, [1, 2]]
    assert got[2]["object"] == redact(pod()) and b"hunter2" not in lines


def test_a_gzip_recording_from_the_recorder_replays(tmp_path):
    from podtui.sources.recording import Header, RecordingWriter

    path = tmp_path / "r.jsonl.gz"
    writer = RecordingWriter(path, Header(started=1.0))
    items = [Change("pods", "ADDED", None, 2.0 + k, raw=orjson.dumps({"object": pod(rv=str(k))}),
                    decode=lambda raw: orjson.loads(raw)["object"]) for k in range(50)]
    writer.write(items)
    writer.close()
    assert writer.error is None and gzip.decompress(path.read_bytes()).count(b"\n") == 51
    assert [i.obj for i in read_recording(path).items] == [redact(pod(rv=str(k))) for k in range(50)]
