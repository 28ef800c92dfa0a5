"""RecordingWriter's bound: a recorder that cannot keep up (a pipe's reader that stalls)
holds whoever writes to it, instead of the items piling up in memory; and every way
the recording can end lets a waiting write() go."""

from __future__ import annotations

import os
import signal
import threading
import time

import orjson

from podtui.lifecycle.changes import ADDED, PODS, Change
from podtui.sources.base import StaticFeed
from podtui.sources.recording import Header, RecordingFeed, RecordingWriter, iter_recording

BOUND = 256 << 10
# Well past what the pipes and the recorder's read buffer hold before the writer's
# own queue has to take the rest.
BATCHES, PER_BATCH = 100, 10


def change(i: int) -> Change:
    raw = orjson.dumps({"type": ADDED, "object": {"metadata": {"name": f"p{i}", "namespace": "ns", "uid": f"u{i}"},
                                                  "status": {"message": "x" * 10_000}}})
    return Change(PODS, ADDED, None, 1.0 + i, raw=raw, decode=lambda line: orjson.loads(line)["object"])


def batches() -> list[list[Change]]:
    return [[change(b * PER_BATCH + k) for k in range(PER_BATCH)] for b in range(BATCHES)]


def stalled_writer(tmp_path) -> tuple[RecordingWriter, int]:
    """A writer into a pipe nobody reads yet, and the pipe's read end."""
    r, w = os.pipe()
    return RecordingWriter(tmp_path / "piped.jsonl", Header(started=1.0), fd=w, max_pending_bytes=BOUND), r


def until(condition, timeout: float = 30.0) -> None:
    """Wait for a state another thread or process brings about (not a timing check)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the state waited for never came")
        time.sleep(0.01)


def producer(writer: RecordingWriter) -> threading.Thread:
    thread = threading.Thread(target=lambda: [writer.write(b) for b in batches()], daemon=True)
    thread.start()
    return thread


def drain(r: int, into: bytearray) -> threading.Thread:
    def read() -> None:
        while chunk := os.read(r, 1 << 16):
            into.extend(chunk)
        os.close(r)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def held(writer: RecordingWriter, thread: threading.Thread) -> bool:
    until(lambda: writer.held > 0 or not thread.is_alive())
    return writer.held > 0


def test_a_stalled_reader_holds_write_and_nothing_is_dropped_once_it_reads(tmp_path):
    writer, r = stalled_writer(tmp_path)
    thread = producer(writer)
    assert held(writer, thread)
    assert writer._pending_bytes < BOUND + PER_BATCH * 11_000  # the bound, passed by one batch at most
    out = bytearray()
    reader = drain(r, out)
    thread.join()
    writer.close()
    reader.join()
    assert writer.error is None
    path = tmp_path / "copy.jsonl"
    path.write_bytes(bytes(out))
    _, items = iter_recording(path)
    assert [i.obj["metadata"]["name"] for i in items] == [f"p{i}" for i in range(BATCHES * PER_BATCH)]


def test_a_reader_that_goes_away_ends_the_wait(tmp_path):
    writer, r = stalled_writer(tmp_path)
    thread = producer(writer)
    assert held(writer, thread)
    os.close(r)  # `| head -3`
    thread.join()
    writer.close()
    assert writer.output_closed and writer.error is None


def test_release_from_a_signal_handler_ends_a_wait_on_the_same_thread(tmp_path):
    # `podtui record` waits in write() on its main thread, where SIGTERM's handler runs.
    writer, r = stalled_writer(tmp_path)
    threading.Thread(target=lambda: (until(lambda: writer.held > 0), os.kill(os.getpid(), signal.SIGUSR1)),
                     daemon=True).start()
    handled = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: (handled.append(writer.held), writer.release()))
    try:
        for batch in batches():
            writer.write(batch)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert handled == [1] and writer.held == 0
    out = bytearray()
    reader = drain(r, out)
    writer.close()
    reader.join()
    assert writer.error is None and out.count(b"\n") == 1 + BATCHES * PER_BATCH


def test_a_writer_thread_that_died_ends_the_wait_and_says_why_in_one_line(tmp_path):
    writer, r = stalled_writer(tmp_path)
    writer.write([object()])  # not an item: the thread cannot frame it
    until(lambda: not writer._thread.is_alive())
    thread = producer(writer)
    thread.join()
    assert writer.error is not None and writer.error.startswith(f"recording to {writer.path} stopped: TypeError: ")
    assert "\n" not in writer.error
    reader = drain(r, bytearray())
    writer.close()
    reader.join()


def test_the_screens_feed_never_waits_it_leaves_the_items_queued_until_the_recorder_catches_up(tmp_path):
    writer, r = stalled_writer(tmp_path)
    items = [c for b in batches() for c in b]
    feed = RecordingFeed(StaticFeed(items), writer)
    feed.start()
    taken: list = []
    while polled := feed.poll(PER_BATCH):  # on this thread: a wait would hang the test
        taken += polled
    assert writer.held == 0 and len(taken) < len(items)
    out = bytearray()
    reader = drain(r, out)
    until(lambda: bool(taken.extend(feed.poll(PER_BATCH))) or len(taken) == len(items))
    assert taken == items
    feed.stop()
    reader.join()
    assert writer.error is None and out.count(b"\n") == 1 + len(items)
