"""A recording carries what its replay needs to say the connection as it was: when the
data was last current (current_as_of) and when the recording stopped (its real end)."""

from __future__ import annotations

import gzip

import pytest

from podtui.clock import ManualClock
from podtui.errors import RecordingError
from podtui.lifecycle.changes import STOPPED, Change, SourceStatus
from podtui.sources.base import Scope, StaticFeed
from podtui.sources.recording import Header, decode_item, encode_item, read_recording, start_recording, write_recording
from podtui.sources.replay import ReplayFeed

T0 = 1714557600.0


def _pod(t: float) -> Change:
    return Change("pods", "ADDED", {"metadata": {"name": "web", "namespace": "shop", "uid": "u1"}}, t)


def test_a_status_keeps_when_the_data_was_last_current():
    status = SourceStatus("reconnecting", T0 + 10, "connection refused", "pods", retry_at=T0 + 11, current_as_of=T0 + 5)
    line = encode_item(status)
    assert line["current_as_of"] == T0 + 5
    assert decode_item(line) == status
    # Recordings made before it was written still read, as not known.
    del line["current_as_of"]
    assert decode_item(line).current_as_of is None


def test_stopping_a_recording_writes_when_it_stopped(tmp_path):
    clock = ManualClock(T0)
    path = tmp_path / "rec.jsonl"
    feed = start_recording(StaticFeed([_pod(T0 + 1)], Scope()), path, clock)
    feed.start()
    assert len(feed.poll()) == 1
    clock.set(T0 + 19)  # quiet since T0 + 1: the server gone, say
    feed.stop()
    items = read_recording(path).items
    assert items[-1] == SourceStatus(STOPPED, T0 + 19)
    replay = ReplayFeed(read_recording(path), ManualClock(T0))
    assert replay.end_time - replay.start_time == 18  # not 0: the last change was its first


def test_random_bytes_named_gz_are_said_to_be_no_gzip(tmp_path):
    path = tmp_path / "rec.jsonl.gz"
    path.write_bytes(b"\x8e\x11 random bytes, no recording\n\x00\xff")
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value).startswith(f"{path} is not gzip-compressed, nor a podtui recording")


def test_gzip_that_is_no_recording_is_not_said_to_be_no_gzip(tmp_path):
    # A gzipped kubectl dump: gzip all right, just not a recording.
    path = tmp_path / "other.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"kind": "PodList", "items": []}\n'))
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value).startswith(f"{path} holds gzip data, but not a podtui recording (no header on line 1)")


def test_a_plain_recording_named_gz_still_reads(tmp_path):
    path = tmp_path / "rec.jsonl.gz"
    write_recording(tmp_path / "plain.jsonl", Header(started=T0), [_pod(T0)])
    path.write_bytes((tmp_path / "plain.jsonl").read_bytes())
    assert len(read_recording(path).items) == 1  # read by content, not by name
