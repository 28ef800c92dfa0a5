"""Quitting `podtui --record FILE` (and `podtui demo --record FILE`) says in one line what
was recorded where; the screen had given no sign, and the terminal said nothing."""

from __future__ import annotations

import os

import pytest

from podtui import live_command
from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.live_command import watch
from podtui.sources.base import Scope, StaticFeed
from podtui.sources.kubeconfig import ConnectionOptions
from podtui.sources.recording import file_size, read_recording
from podtui.ui import app as app_module

T0 = 1714557600.0


def _pod(i: int) -> Change:
    return Change("pods", "ADDED", {"metadata": {"name": f"web-{i}", "namespace": "shop", "uid": f"u{i}"},
                                    "spec": {"containers": [{"name": "c"}]}}, T0 + i)


def _event(i: int) -> Change:
    return Change("events", "ADDED", {"metadata": {"name": f"e{i}", "namespace": "shop", "uid": f"e{i}"}}, T0 + i)


def _session(monkeypatch, items, *, ends=None, took: float = 12):
    """watch() as `podtui --record` runs it, with a source of `items` and a screen
    that takes everything from the feed for `took` seconds and quits, as the real one
    does (feed.stop()), or raises `ends` (a crash, Ctrl-C) after feed.stop() as run_ui does."""
    monkeypatch.setattr(live_command, "connect", lambda *a, **kw: StaticFeed(items, Scope(context="kind")))

    def screen(feed, clock, **kw):
        feed.start()
        try:
            while feed.poll(500):
                pass
            clock.advance(took)
        finally:
            feed.stop()
        if ends is not None:
            raise ends
        return 0

    monkeypatch.setattr(app_module, "run", screen)


def test_quitting_says_how_many_changes_went_to_which_file_its_size_and_how_long(tmp_path, monkeypatch, capsys):
    # As `podtui record` says it (recording_summary, for both).
    path = tmp_path / "session.jsonl.gz"
    items = [SourceStatus("live", T0, "", "pods"), *(_pod(i) for i in range(1234)), *(_event(i) for i in range(56))]
    _session(monkeypatch, items, took=190)
    assert watch(ConnectionOptions(), ManualClock(T0), record=str(path)) == 0
    size = file_size(path.stat().st_size)
    assert capsys.readouterr().err == f"podtui: recorded 1,234 pod and 56 event changes to {path} ({size}) in 3m10s\n"
    written = read_recording(path).items
    assert len(written) == len(items) + 1 and written[-1].state == "stopped"  # all of it, and when it stopped


def test_one_change(tmp_path, monkeypatch, capsys):
    path = tmp_path / "one.jsonl"
    _session(monkeypatch, [_pod(1)])
    watch(ConnectionOptions(), ManualClock(T0), record=str(path))
    assert capsys.readouterr().err == f"podtui: recorded 1 pod and 0 event changes to {path} ({path.stat().st_size} B) in 12s\n"


@pytest.mark.parametrize("ends", [RuntimeError("a bug in a pane"), KeyboardInterrupt()], ids=["crash", "ctrl-c"])
def test_a_session_that_crashed_or_was_interrupted_still_says_what_reached_the_file(tmp_path, monkeypatch, capsys, ends):
    path = tmp_path / "crashed.jsonl"
    _session(monkeypatch, [_pod(i) for i in range(3)], ends=ends)
    with pytest.raises(type(ends)):
        watch(ConnectionOptions(), ManualClock(T0), record=str(path))
    assert capsys.readouterr().err == \
        f"podtui: recorded 3 pod and 0 event changes to {path} ({path.stat().st_size} B) in 12s\n"
    assert [type(i).__name__ for i in read_recording(path).items] == ["Change"] * 3 + ["SourceStatus"]  # and its end


def test_no_terminal_is_refused_without_a_summary(tmp_path, monkeypatch, capsys):
    # Nothing was shown or recorded: the one-line usage error says it all.
    from podtui.ui.app import NoTerminal

    path = tmp_path / "never.jsonl"
    monkeypatch.setattr(live_command, "connect", lambda *a, **kw: StaticFeed([_pod(1)], Scope(context="kind")))

    def screen(feed, clock, **kw):
        feed.stop()
        raise NoTerminal("no terminal to draw on: standard error is not a terminal")

    monkeypatch.setattr(app_module, "run", screen)
    with pytest.raises(NoTerminal):
        watch(ConnectionOptions(), ManualClock(T0), record=str(path))
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to fill a disk")
def test_a_recorder_that_stopped_says_why_instead(monkeypatch, capsys):
    # The screen went on without it (as before); the line says the recording is short.
    _session(monkeypatch, [_pod(i) for i in range(20000)])
    assert watch(ConnectionOptions(), ManualClock(T0), record="/dev/full") == 0
    assert capsys.readouterr().err == (
        "podtui: recording to /dev/full stopped: No space left on device (what it wrote before still replays)\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to fill a disk")
def test_a_recorder_that_stopped_before_writing_anything_does_not_say_what_it_wrote_still_replays(monkeypatch, capsys):
    _session(monkeypatch, [])
    watch(ConnectionOptions(), ManualClock(T0), record="/dev/full")
    assert capsys.readouterr().err == "podtui: recording to /dev/full stopped: No space left on device\n"


def test_a_watch_without_record_says_nothing(monkeypatch, capsys):
    _session(monkeypatch, [_pod(1)])
    watch(ConnectionOptions(), ManualClock(T0))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("n", "said"), [(0, "0 B"), (812, "812 B"), (1000, "1.0 kB"), (9499, "9.5 kB"),
                                         (9960, "10 kB"), (35869, "36 kB"), (999_999, "1.0 MB"),
                                         (2_100_000, "2.1 MB"), (12_345_678_901, "12 GB"),
                                         (999_499_999_999, "999 GB"), (999_500_000_000, "1.0 TB"),
                                         (5_000_000_000_000, "5.0 TB"), (12_000_000_000_000, "12 TB")])
def test_file_size(n, said):
    assert file_size(n) == said


def test_how_long_is_the_recording_s_own_start_to_stop_for_both_commands(tmp_path):
    # `podtui record` timed itself on time.monotonic(), quitting a --record on the
    # injected clock: one duration now, the recording's own, on the clock it was made with.
    from podtui.sources.recording import recording_summary, start_recording

    path = tmp_path / "rec.jsonl"
    clock = ManualClock(T0)
    feed = start_recording(StaticFeed([_pod(1)], Scope()), path, clock)
    feed.start()
    feed.poll()
    clock.advance(190)
    feed.stop()
    assert recording_summary(feed.writer, "; trouble") == \
        f"podtui: recorded 1 pod and 0 event changes to {path} ({path.stat().st_size} B) in 3m10s; trouble"
    replay_length = read_recording(path).items[-1].at - read_recording(path).header.started
    assert replay_length == 190  # what the summary says is what a replay runs for


def test_the_summary_says_the_length_the_replay_bar_shows(tmp_path):
    # Recorded from 10:00:00.7 to 10:01:03.3: the summary said "in 62s" (62.6 s, truncated)
    # where the replay bar said 1:03/1:03, counting whole seconds of the clock.
    from types import SimpleNamespace

    from podtui.sources.recording import recording_summary, start_recording
    from podtui.ui.status_bar import replay_text

    path = tmp_path / "rec.jsonl"
    clock = ManualClock(T0 + 0.7)
    feed = start_recording(StaticFeed([_pod(1)], Scope()), path, clock)
    feed.start()
    feed.poll()
    clock.advance(62.6)
    feed.stop()
    recording = read_recording(path)
    end = recording.items[-1].at
    bar = replay_text(SimpleNamespace(start_time=recording.header.started, end_time=end, position=end,
                                      at_end=True, playing=False, speed=1.0), end)
    assert "1:03/1:03" in " ".join(bar), bar
    assert recording_summary(feed.writer).endswith(" in 63s"), recording_summary(feed.writer)


def test_no_terminal_is_refused_before_recording(tmp_path):
    """`podtui demo --record FILE 2>log` (or TERM=dumb): refused before FILE is begun (a
    second try with a terminal then refused to overwrite it)."""
    import subprocess
    import sys

    from podtui.ui.terminal import NO_TERMINAL_HINT

    path = tmp_path / "r.jsonl"
    out = subprocess.run([sys.executable, "-m", "podtui", "demo", "--record", str(path)], capture_output=True,
                         text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert (out.returncode, out.stderr) == (
        2, f"podtui: no terminal to draw on: standard error is not a terminal ({NO_TERMINAL_HINT})\n")
    assert not path.exists()
