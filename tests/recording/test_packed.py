"""A recording held packed: replay and history decode each change when it is applied,
sharing what a pod's versions have in common, and every line is still checked at load."""

from __future__ import annotations

import gzip

import orjson
import pytest

from podtui.clock import ManualClock
from podtui.errors import RecordingError
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.sources import recording as recording_module
from podtui.sources.history_command import Folded
from podtui.sources.recording import Header, read_recording, write_recording
from podtui.sources.replay import ReplayFeed


def pod(name, uid, rv, ready="True", node="n1"):
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": "shop", "uid": uid, "resourceVersion": str(rv),
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d",
                                          "uid": "rs1", "controller": True}]},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx:1.25",
                                                    "resources": {"limits": {"cpu": "1"}},
                                                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 80}}}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": ready}]},
    }


def write(tmp_path, items, name="rec.jsonl.gz"):
    path = tmp_path / name
    write_recording(path, Header(started=100.0, redacted=False), items)
    return path


def feed_of(path):
    clock = ManualClock(0)
    return ReplayFeed(read_recording(path), clock, autoplay=False)


def test_a_replay_shares_what_a_pods_versions_have_in_common(tmp_path):
    path = write(tmp_path, [Change("pods", "ADDED", pod("web-1", "a", 1), 100.0),
                            Change("pods", "MODIFIED", pod("web-1", "a", 2, ready="False"), 110.0)])
    feed = feed_of(path)
    feed.seek(feed.end_time)
    added, modified = feed.poll()
    assert modified.obj["status"]["conditions"][0]["status"] == "False"
    # Before: every version a whole tree of its own, all held from the load on.
    assert modified.obj["spec"] is added.obj["spec"]


def test_each_pass_from_the_start_makes_and_decodes_its_items_anew(tmp_path):
    path = write(tmp_path, [Change("pods", "ADDED", pod("web-1", "a", 1), 100.0),
                            Change("pods", "MODIFIED", pod("web-1", "a", 2), 110.0)])
    feed = feed_of(path)
    feed.seek(feed.end_time)
    first = feed.poll()
    feed.seek(feed.start_time)  # back: a new epoch, from the beginning
    again = feed.poll()
    assert again == first[:1]
    # Before: the feed handed out the very items it held, decoded once and kept for good.
    assert again[0] is not first[0]
    # A fresh decoder for the new pass: the rebuilt store shares nothing with the old one.
    assert again[0].obj["spec"] is not first[0].obj["spec"]


def test_history_keeps_one_copy_of_a_workloads_pod_template(tmp_path):
    path = write(tmp_path, [Change("pods", "ADDED", pod("web-1", "a", 1, node="n1"), 100.0),
                            Change("pods", "ADDED", pod("web-2", "b", 2, node="n2"), 101.0)])
    folded = Folded(path)
    one, two = folded.records()
    assert one.obj["spec"]["nodeName"] != two.obj["spec"]["nodeName"]
    # Before: each pod its own copy of the containers, for every pod of every workload.
    assert one.obj["spec"]["containers"] is two.obj["spec"]["containers"]


ODD = [
    Relist("pods", 100.0, "start"),
    Change("pods", "ADDED", pod("web-1", "a", 1), 100.0),
    Relist("pods", 100.0, "end", resource_version="7", deleted=1),
    SourceStatus("live", 100.5, resource="pods"),
    Change("events", "ADDED", {"metadata": {"name": "e", "uid": "e1"}, "reason": "Started",
                               "involvedObject": {"kind": "Pod", "uid": "a"}}, 101.0),
    Change("pods", "MODIFIED", pod("web-1", "a", 2, ready="False"), 102.0),
    Change("nodes", "ADDED", {"metadata": {"name": "n1"}}, 103.0),  # a kind with no code: kept decoded
    Change("pods", "ERROR", {"kind": "Status", "code": 410}, 104.0),
    Change("pods", "MODIFIED", {"metadata": "not an object"}, 105.0),  # the envelope can't read it
    Change("pods", "ADDED", {"metadata": {"name": "no-uid"}}, 106.0),
    Change("pods", "DELETED", pod("web-1", "a", 3), 107.0, synthetic=True),
    SourceStatus("reconnecting", 108.0, "connection reset", "pods", retry_at=109.0),
    Change("pods", "ADDED", pod("web-3", "c", 4), 110.0),
]


@pytest.mark.parametrize("limit", [None, 1, 3])
def test_a_replay_releases_every_line_as_the_file_has_it_across_chunks(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(recording_module, "CHUNK_BYTES", 600)  # a chunk every few lines
    path = write(tmp_path, ODD)
    recording = read_recording(path)
    assert len(recording.log._chunks) > 2
    assert recording.items == ODD
    feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
    feed.seek(feed.end_time)
    released = []
    while batch := feed.poll(limit):
        released += batch
    assert released == ODD
    feed.seek(feed.start_time)
    assert feed.seek_next_change("c") and feed.position == 110.0


def test_bad_utf8_deep_in_an_object_is_a_corrupt_line_at_load(tmp_path):
    # The envelope check skips the object's strings unread: such a line got past the
    # load and failed when the replay reached it.
    path = tmp_path / "rec.jsonl"
    good = orjson.dumps({"t": 101.0, "resource": "pods", "type": "ADDED", "object": pod("web-2", "b", 2)})
    bad = orjson.dumps({"t": 100.0, "resource": "pods", "type": "ADDED", "object": pod("web-1", "a", 1)})
    bad = bad.replace(b"nginx:1.25", b"nginx:\xff.25")
    path.write_bytes(orjson.dumps(Header(started=100.0).to_line()) + b"\n" + bad + b"\n" + good + b"\n")
    with pytest.raises(RecordingError, match=r"rec.jsonl: line 2 is corrupt \(str is not valid UTF-8"):
        read_recording(path)
    recording = read_recording(path, skip_bad_lines=True)
    assert recording.skipped == 1 and len(recording.log) == 1


def test_a_line_broken_deep_in_its_object_is_corrupt_at_load_not_when_replayed(tmp_path):
    path = tmp_path / "rec.jsonl.gz"
    line = orjson.dumps({"t": 100.0, "resource": "pods", "type": "ADDED", "object": pod("web-1", "a", 1)})
    broken = line.replace(b'"port":80}', b'"port":80,}')
    with gzip.open(path, "wb") as f:
        f.write(orjson.dumps(Header(started=100.0).to_line()) + b"\n" + broken + b"\n" + line + b"\n")
    with pytest.raises(RecordingError, match=r"line 2 is not JSON \(trailing comma is not allowed"):
        read_recording(path)
    with pytest.raises(RecordingError, match=r"line 2 is not JSON \(trailing comma is not allowed"):
        Folded(path)


@pytest.mark.parametrize("number", [b"1e999", b"2.5E+0400", b"-" + b"7" * 250 + b"e99"])
def test_a_number_beyond_a_double_deep_in_an_object_is_a_corrupt_line_at_load(tmp_path, number):
    line = orjson.dumps({"t": 100.0, "resource": "pods", "type": "ADDED", "object": pod("web-1", "a", 1)})
    path = tmp_path / "rec.jsonl"
    path.write_bytes(orjson.dumps(Header(started=100.0).to_line()) + b"\n"
                     + line.replace(b'"port":80}', b'"port":' + number + b"}") + b"\n" + line + b"\n")
    # The envelope check skips the number: decoding it as replayed would raise.
    with pytest.raises(RecordingError, match=r"line 2 is corrupt \(number is infinity"):
        read_recording(path)
    with pytest.raises(RecordingError, match=r"line 2 is corrupt \(number is infinity"):
        Folded(path)
    # The same characters in a string are no number: the line replays (decoded in full).
    path.write_bytes(orjson.dumps(Header(started=100.0).to_line()) + b"\n"
                     + line.replace(b'"nginx:1.25"', b'"nginx:' + number + b'"') + b"\n")
    feed = feed_of(path)
    feed.seek(feed.end_time)
    assert feed.poll()[0].obj["spec"]["containers"][0]["image"] == "nginx:" + number.decode()

