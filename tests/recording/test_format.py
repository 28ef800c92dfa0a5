"""The recording format: round trips, redaction, and every kind of bad file."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os

import orjson
import pytest

from podtui.errors import RecordingError
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.sources.base import Scope
from podtui.sources.recording import (
    LAST_APPLIED,
    REDACTED,
    Header,
    RecordingWriter,
    decode_item,
    encode_item,
    header_for,
    read_recording,
    redact,
    scope_from_header,
    write_recording,
)


def pod(name="web-1", uid="u1", rv="1", phase="Running", env=True):
    containers = [{"name": "app", "image": "nginx"}]
    if env:
        containers[0]["env"] = [
            {"name": "PASSWORD", "value": "hunter2"},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        ]
    return {
        "metadata": {
            "name": name, "namespace": "default", "uid": uid, "resourceVersion": rv,
            "annotations": {LAST_APPLIED: '{"env": "hunter2"}', "keep": "me"},
            "managedFields": [{"manager": "kubectl"}],
        },
        "spec": {"containers": containers, "initContainers": [{"name": "init", "env": [{"name": "X", "value": "y"}]}]},
        "status": {"phase": phase},
    }


ITEMS = [
    Relist("pods", 10.0, "start"),
    Change("pods", "ADDED", pod(), 10.5),
    Relist("pods", 10.5, "end", resource_version="7", deleted=1),
    SourceStatus("live", 11.0, resource="pods"),
    Change("pods", "MODIFIED", pod(rv="2", phase="Failed"), 12.25),
    SourceStatus("reconnecting", 13.0, "connection reset", "pods", retry_at=14.0),
    Change("pods", "DELETED", pod(rv="3"), 15.0, synthetic=True),
    Change("events", "ADDED", {"metadata": {"name": "e", "uid": "e1"}, "reason": "Started"}, 15.5),
]


def test_items_round_trip_unredacted():
    for item in ITEMS:
        assert decode_item(orjson.loads(orjson.dumps(encode_item(item, redacted=False)))) == item


def test_redact_masks_env_values_and_drops_managed_fields_without_touching_the_original():
    original = pod()
    before = orjson.dumps(original)
    out = redact(original)
    assert orjson.dumps(original) == before
    env = out["spec"]["containers"][0]["env"]
    assert env[0] == {"name": "PASSWORD", "value": REDACTED}
    assert env[1]["valueFrom"]["secretKeyRef"]["name"] == "s"  # a reference, not a secret
    assert out["spec"]["initContainers"][0]["env"][0]["value"] == REDACTED
    assert "managedFields" not in out["metadata"]
    assert out["metadata"]["annotations"] == {"keep": "me"}
    assert out["status"] is original["status"]  # shared, not copied
    assert "hunter2" not in orjson.dumps(out).decode()


def test_redact_returns_the_same_object_when_there_is_nothing_to_hide():
    clean = {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "a"}]}}
    assert redact(clean) is clean
    assert redact("not a dict") == "not a dict"


@pytest.mark.parametrize("name", ["rec.jsonl", "rec.jsonl.gz"])
def test_write_then_read(tmp_path, name):
    path = tmp_path / name
    header = header_for(Scope(context="ctx", server="https://h:6443", namespace="ns"), 10.0, redacted=True)
    write_recording(path, header, ITEMS)
    rec = read_recording(path)
    assert rec.warnings == []
    assert rec.header.context == "ctx" and rec.header.server == "https://h:6443"
    assert scope_from_header(rec.header).namespace == "ns"
    assert [type(i) for i in rec.items] == [type(i) for i in ITEMS]
    assert rec.items[4].obj["spec"]["containers"][0]["env"][0]["value"] == REDACTED
    assert rec.items[6].synthetic is True
    assert (rec.start, rec.end) == (10.0, 15.5)
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"


def test_writer_thread_records_everything_on_close(tmp_path):
    path = tmp_path / "live.jsonl.gz"
    writer = RecordingWriter(path, Header(started=1.0, redacted=False), flush_interval=0.05)
    for item in ITEMS:
        writer.write([item])
    writer.close()
    assert writer.error is None and writer.items_written == len(ITEMS)
    assert read_recording(path).items == ITEMS


def test_writer_reports_an_unwritable_path(tmp_path):
    # Both used to end "(check the path and free disk space)", whatever the cause.
    with pytest.raises(RecordingError) as err:
        RecordingWriter(tmp_path / "missing-dir" / "x.jsonl", Header())
    assert str(err.value) == (f"cannot write recording {tmp_path}/missing-dir/x.jsonl: No such file or directory "
                              f"(create {tmp_path}/missing-dir first, or check the path)")
    with pytest.raises(RecordingError) as err:
        RecordingWriter(tmp_path, Header())
    assert str(err.value) == f"cannot write recording {tmp_path}: Is a directory (name a file, e.g. {tmp_path}/podtui.jsonl.gz)"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to fill a disk")
def test_a_full_disk_is_said_as_the_recorder_saw_it():
    # It read "recording to /dev/full stopped: the recorder process ended": the broken
    # pipe podtui saw, not the recorder's own "No space left on device".
    writer = RecordingWriter("/dev/full", Header(), flush_interval=0.01)
    writer._proc.wait(30)  # the header alone fills it: the recorder has stopped
    for item in ITEMS * 2000:  # past the pipe's buffer: podtui sees the pipe break
        writer.write([item])
    writer.close()
    assert writer.error == "recording to /dev/full stopped: No space left on device (what it wrote before still replays)"


def _write_lines(path, lines):
    path.write_bytes(b"".join(lines))


def _good_lines():
    head = orjson.dumps(Header(started=1.0, redacted=False).to_line()) + b"\n"
    return [head] + [orjson.dumps(encode_item(i, False)) + b"\n" for i in ITEMS]


def test_truncated_last_line_replays_up_to_there_with_a_warning(tmp_path):
    lines = _good_lines()
    lines[-1] = lines[-1][:20]  # killed mid-write: no newline
    path = tmp_path / "cut.jsonl"
    _write_lines(path, lines)
    rec = read_recording(path)
    assert rec.items == ITEMS[:-1]
    # Not "(the recorder was stopped)": a file --record is still writing reads the same.
    assert rec.warnings == [f"{path} is cut short in line 9: replaying up to line 8"]


def test_truncated_gzip_stream_replays_what_was_flushed(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    with gzip.open(path, "wb") as f:
        for line in _good_lines()[:5]:
            f.write(line)
        f.flush()  # what the recorder does about once a second
        for line in _good_lines()[5:]:
            f.write(line)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])
    rec = read_recording(path)
    assert 4 <= len(rec.items) < len(ITEMS)
    assert rec.items == ITEMS[: len(rec.items)]
    (warning,) = rec.warnings
    # Short enough for the screen's toast, where the longer one wrapped mid-phrase.
    assert warning == (f"{path} is cut short after line {len(rec.items) + 1} (compressed data ends mid-stream): "
                       "replaying what is there")


def test_corrupt_line_names_file_and_line(tmp_path):
    lines = _good_lines()
    lines[3] = b"{this is not json\n"
    path = tmp_path / "bad.jsonl"
    _write_lines(path, lines)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value).startswith(f"{path}: line 4 is not JSON (unexpected character, expected a string key at "
                                     "column 2): the recording is damaged there")
    assert "--skip-bad-lines" in str(err.value)
    rec = read_recording(path, skip_bad_lines=True)
    assert rec.skipped == 1 and len(rec.items) == len(ITEMS) - 1
    assert "line 4" in rec.warnings[0]


def test_a_well_formed_line_of_the_wrong_shape_is_corrupt_too(tmp_path):
    lines = _good_lines()
    lines[2] = b'{"t": "soon", "type": "ADDED"}\n'
    path = tmp_path / "shape.jsonl"
    _write_lines(path, lines)
    with pytest.raises(RecordingError, match="line 3 is corrupt"):
        read_recording(path)


@pytest.mark.parametrize("bad", [b"[1, 2]", b"7", b'"text"', b'{"t": 1e300, "status": "live"}',
                                 b'{"t": -1e18, "status": "live"}'])
def test_json_that_is_no_item_or_no_time_is_a_corrupt_line(tmp_path, bad):
    # Valid JSON, but not an object, or a time no calendar can show.
    lines = _good_lines()
    lines[2] = bad + b"\n"
    path = tmp_path / "odd.jsonl"
    _write_lines(path, lines)
    with pytest.raises(RecordingError, match="line 3 is corrupt"):
        read_recording(path)
    assert len(read_recording(path, skip_bad_lines=True).items) == len(ITEMS) - 1


def test_a_header_start_that_is_no_time_reads_as_unknown(tmp_path):
    lines = _good_lines()
    lines[0] = lines[0].replace(b'"started":1.0', b'"started":1e300')
    assert b"1e300" in lines[0]
    path = tmp_path / "start.jsonl"
    _write_lines(path, lines)
    rec = read_recording(path)
    assert rec.header.started == 0.0 and rec.items == ITEMS


@pytest.mark.parametrize("cut", [2, 10, 30])
def test_gzip_broken_before_the_header_says_so(tmp_path, cut):
    path = tmp_path / "early.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(_good_lines()))[:cut])
    with pytest.raises(RecordingError, match="gzip data is corrupt or ends before the header line"):
        read_recording(path)


@pytest.mark.parametrize("cut", [3, 20, 60])
@pytest.mark.parametrize("gz", [False, True])
def test_a_header_line_cut_off_says_the_recording_is_cut_short(tmp_path, cut, gz):
    # It read "is not a podtui recording (line 1 has no podtui-recording header)".
    head = _good_lines()[0][:cut]
    path = tmp_path / ("cut.jsonl.gz" if gz else "cut.jsonl")
    path.write_bytes(gzip.compress(head) if gz else head)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value) == (f"{path} is cut short in line 1, its header: it holds nothing to replay "
                              "(record again, or check it is the right file)")


def test_a_line_cut_off_that_was_no_header_is_not_a_recording(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_bytes(b'{"kind": "PodList", "items": [')
    with pytest.raises(RecordingError, match="line 1 has no podtui-recording header"):
        read_recording(path)


def test_newer_format_version_names_both_versions(tmp_path):
    path = tmp_path / "future.jsonl"
    path.write_bytes(b'{"format": "podtui-recording", "version": 9, "podtui": "7.0"}\n')
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert "version 9" in str(err.value) and "up to 1" in str(err.value) and "7.0" in str(err.value)


@pytest.mark.parametrize("version", [b"true", b"0", b"-5", b'"1"'])
def test_a_header_version_that_is_no_version_is_refused(tmp_path, version):
    # true read as version 1, and 0 or -5 as versions this podtui can read.
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b'{"format": "podtui-recording", "version": ' + version + b"}\n")
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value).startswith(f"{path}: line 1: the header has no format version (version: {version.decode()})")


def test_two_recordings_joined_say_so_and_the_second_replays_when_skipped(tmp_path):
    # The second header read as 'missing or non-numeric "t"'.
    lines = _good_lines()
    path = tmp_path / "joined.jsonl"
    _write_lines(path, lines + lines)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert f"line {len(lines) + 1} is corrupt (a second recording header: two recordings joined into one file?)" in str(err.value)
    assert read_recording(path, skip_bad_lines=True).items == ITEMS + ITEMS


@pytest.mark.parametrize(("compress", "said"), [
    (lzma.compress, "is xz-compressed; podtui reads plain or gzip recordings (xz -d it first"),
    (bz2.compress, "is bzip2-compressed; podtui reads plain or gzip recordings (bunzip2 it first"),
])
def test_a_recording_in_another_compression_says_which(tmp_path, compress, said):
    # It read "is not a podtui recording (line 1 has no podtui-recording header)".
    path = tmp_path / "rec.jsonl.x"
    path.write_bytes(compress(b"".join(_good_lines())))
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value).startswith(f"{path} {said}")


def test_a_byte_order_mark_before_the_header_is_read_past(tmp_path):
    path = tmp_path / "bom.jsonl"
    _write_lines(path, [b"\xef\xbb\xbf"] + _good_lines())
    assert read_recording(path).items == ITEMS


@pytest.mark.parametrize("content", [b"", b"hello\n", b'{"kind": "PodList"}\n'])
def test_not_a_recording(tmp_path, content):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match="not a podtui recording"):
        read_recording(path)


def test_missing_file(tmp_path):
    with pytest.raises(RecordingError, match="cannot open recording"):
        read_recording(tmp_path / "nope.jsonl")


def test_recorder_frames_survive_any_split_and_redact_on_the_recorder_side():
    from podtui.sources.recorder import decode_frames
    from podtui.sources.recording import encode_j, encode_r

    raw = orjson.dumps({"type": "MODIFIED", "object": pod(rv="9")})
    stream = (encode_j(b'{"t": 1.0, "status": "live", "detail": ""}')
              + encode_r(2.5, "pods", "MODIFIED", False, raw) + encode_r(3.0, "events", "MODIFIED", True, raw)
              # A list item's line carries no type of its own: the frame's counts.
              + encode_r(4.0, "pods", "ADDED", False, b'{"object": ' + orjson.dumps(pod(rv="10")) + b"}"))
    for cut in range(0, len(stream) + 1, 97):
        buf = bytearray(stream[:cut])
        lines, used = decode_frames(buf, redacted=True)
        rest = bytearray(stream[used:])
        more, used2 = decode_frames(rest, redacted=True)
        assert used + used2 == len(stream)
        got = [orjson.loads(x) for x in (lines + more).splitlines()]
        assert [x.get("type") for x in got] == [None, "MODIFIED", "MODIFIED", "ADDED"]
        assert got[1]["t"] == 2.5 and got[1]["resource"] == "pods" and "synthetic" not in got[1]
        assert got[2]["resource"] == "events" and got[2]["synthetic"] is True
        assert got[1]["object"]["spec"]["containers"][0]["env"][0]["value"] == REDACTED
        assert got[3]["t"] == 4.0 and got[3]["object"]["metadata"]["resourceVersion"] == "10"


def test_a_recorder_that_dies_is_reported_and_the_feed_keeps_going(tmp_path):
    path = tmp_path / "dies.jsonl"
    writer = RecordingWriter(path, Header(started=1.0), flush_interval=0.05)
    writer.write(ITEMS[:2])
    writer._proc.kill()
    writer._proc.wait()
    for _ in range(50):  # enough to fill the pipe if nobody noticed
        writer.write(ITEMS)
    writer.close()
    assert writer.error is not None and str(path) in writer.error


def test_damaged_gzip_data_is_not_called_a_stopped_recorder(tmp_path):
    # A failed CRC read "ends abruptly after line 7 (the recorder was stopped)": the
    # file was whole, and what was read from it may be wrong.
    path = tmp_path / "rec.jsonl.gz"
    write_recording(path, Header(started=1.0, redacted=False), ITEMS)
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # the gzip trailer's CRC-32
    path.write_bytes(bytes(data))
    rec = read_recording(path)
    assert rec.items == ITEMS
    (warning,) = rec.warnings
    assert warning.startswith(f"{path} is damaged after line {len(ITEMS) + 1} (CRC check failed ")
    assert warning.endswith("): replaying what is there, which may be wrong too")


def test_a_directory_is_no_recording(tmp_path):
    with pytest.raises(RecordingError) as err:
        read_recording(tmp_path)
    assert str(err.value) == f"cannot open recording {tmp_path}: Is a directory (name a recording file in it)"


@pytest.mark.parametrize(("exc", "writing", "advice"), [
    (IsADirectoryError(21, "Is a directory"), True, "name a file, e.g. /r/x.gz/podtui.jsonl.gz"),
    (IsADirectoryError(21, "Is a directory"), False, "name a recording file in it"),
    (FileNotFoundError(2, "No such file or directory"), True, "create /r first, or check the path"),
    (FileNotFoundError(2, "No such file or directory"), False, "check the path"),
    (PermissionError(13, "Permission denied"), True, "choose a path you may write to"),
    (PermissionError(13, "Permission denied"), False, "check its permissions"),
    (OSError(28, "No space left on device"), True, "check the path and free disk space"),
    (OSError(5, "Input/output error"), False, "check the path"),
])
def test_one_advice_for_each_cause_said_for_writing_or_reading(exc, writing, advice):
    from pathlib import Path

    from podtui.sources.recording import _cannot_open

    verb = "write" if writing else "open"
    assert str(_cannot_open(exc, Path("/r/x.gz"), writing=writing)) == f"cannot {verb} recording /r/x.gz: {exc.strerror} ({advice})"


def test_a_directory_that_takes_no_new_files_is_not_said_missing():
    # /proc exists: "create /proc first" was advice no one could follow.
    from pathlib import Path

    from podtui.sources.recording import _open_for_recording

    with pytest.raises(RecordingError) as err:
        _open_for_recording(Path("/proc/x.jsonl"), False)
    assert str(err.value) == ("cannot write recording /proc/x.jsonl: No such file or directory "
                              "(/proc takes no new files: choose another directory)")


def test_a_link_to_a_missing_directory_names_where_it_points(tmp_path):
    from pathlib import Path

    from podtui.sources.recording import _open_for_recording

    link = tmp_path / "link.jsonl"
    link.symlink_to("/missing/x.jsonl")
    with pytest.raises(RecordingError) as err:
        _open_for_recording(Path(link), False)
    # Was "(/tmp/... takes no new files: choose another directory)".
    assert str(err.value) == (f"cannot write recording {link}: No such file or directory "
                              "(it links to /missing/x.jsonl: create /missing first, or check the link)")
    braces = tmp_path / "braces.jsonl"
    braces.symlink_to("/missing{x}/x.jsonl")  # a name with braces is text, not a format field
    with pytest.raises(RecordingError, match=r"create /missing\{x\} first"):
        _open_for_recording(Path(braces), False)
