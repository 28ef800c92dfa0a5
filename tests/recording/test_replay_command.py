"""`podtui replay`: a recording in the UI, with the recorded time as now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from podtui.clock import ManualClock
from podtui.errors import UsageError
from podtui.lifecycle.changes import Change
from podtui.sources.recording import read_recording
from podtui.sources.replay import ReplayFeed
from podtui.replay_command import open_feed, start_time
from podtui.ui.app import NO_TERMINAL_HINT, PodtuiApp
from tests.ui.conftest import notices_with_severity

RECORDING = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"


def test_at_accepts_offsets_and_times_inside_the_recording():
    assert start_time("90s", 1000.0, 2000.0) == 1090.0
    assert start_time("1970-01-01T00:20:00Z", 1000.0, 2000.0) == 1200.0
    with pytest.raises(UsageError, match="runs from"):
        start_time("2h", 1000.0, 2000.0)
    with pytest.raises(UsageError, match="RFC 3339"):
        start_time("tomorrow", 1000.0, 2000.0)


def test_an_at_outside_the_recording_says_what_would_fit():
    # It said only when the recording runs; an offset is what most people type.
    with pytest.raises(UsageError) as err:
        start_time("2h", 1000.0, 1999.5)
    assert str(err.value) == ("invalid --at '2h': the recording runs from 1970-01-01T00:16:40Z to "
                              "1970-01-01T00:33:19Z: give a time in between, or an offset up to 16m39s from the "
                              "start or -16m39s from the end")


def test_a_negative_at_counts_back_from_the_end():
    # `--at=-5m` was refused as no RFC 3339 time: five minutes before the end is what tail means.
    assert start_time("-5m", 1000.0, 2000.0) == 1700.0
    assert start_time("-0s", 1000.0, 2000.0) == 2000.0
    assert start_time("-16m40s", 1000.0, 2000.0) == 1000.0
    for nonsense in ("-", "--5m", "-5x", "-2024-05-01T10:00:00Z"):
        with pytest.raises(UsageError, match="from the end such as -5m"):
            start_time(nonsense, 1000.0, 2000.0)
    with pytest.raises(UsageError, match="runs from"):
        start_time("-17m", 1000.0, 2000.0)


def test_a_bare_zero_at_is_the_start_or_the_end():
    # "--at 0: use RFC 3339 ...": Go's durations take a bare 0, as `tail -n 0` does.
    assert start_time("0", 1000.0, 2000.0) == 1000.0
    assert start_time("-0", 1000.0, 2000.0) == 2000.0


def test_a_paused_replay_opens_after_the_initial_list_and_an_at_exactly_there():
    recording = read_recording(RECORDING)
    first_pod = min(i.observed for i in recording.items if isinstance(i, Change) and i.resource == "pods")
    # Paused: at the first moment with pods (the demo's list comes half a second in), not 0 pods.
    assert open_feed(recording, ManualClock(0), paused=True).position == first_pod > recording.start
    assert open_feed(recording, ManualClock(0), paused=True, at="0").position == recording.start
    assert open_feed(recording, ManualClock(0), paused=True, at="20s").position == recording.start + 20
    assert open_feed(recording, ManualClock(0)).position == recording.start  # playing: from the start


@pytest.mark.parametrize("argv", [["--at", "-3h"], ["--at=-3h"], ["--paused", "--at", "-3h", "--theme", "podtui-dark"]])
def test_at_takes_a_negative_offset_as_its_value_not_as_an_option(argv):
    # argparse read "-3h" as an unknown option: "argument --at: expected one argument".
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", str(RECORDING), *argv],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 2
    assert out.stderr.startswith("podtui: invalid --at '-3h': the recording runs from ") and out.stderr.count("\n") == 1


def test_replay_help_says_what_a_negative_at_means():
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert "from the end (-5m" in " ".join(out.stdout.split())


def test_an_empty_at_is_refused_not_read_as_the_start():
    # `--at "$T"` with T unset started the replay from its beginning, silently.
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", str(RECORDING), "--at", ""],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 2
    assert out.stderr == ("podtui: invalid --at '': use RFC 3339 (2024-05-01T10:00:00Z), an offset from the start "
                          "such as 90s or 5m, or from the end such as -5m\n")


@pytest.mark.parametrize("content, message", [
    (None, "cannot open recording"),
    (b"not json\n", "is not a podtui recording"),
    (b'{"format": "podtui-recording", "version": 1}\n{"t": 1, "resource": "pods", "type": "ADDED", "object": {}}\n{bad\n{"t": 2, "status": "live"}\n',
     "line 3 is not JSON"),
])
def test_bad_recordings_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "rec.jsonl"
    if content is not None:
        path.write_bytes(content)
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", str(path)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("speed", ["0", "-2", "nan", "inf"])
def test_a_speed_that_is_no_positive_number_is_a_usage_error(speed):
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", str(RECORDING), "--speed", speed],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith(f"podtui: invalid --speed '{speed}': use a number from") and "Traceback" not in out.stderr


async def test_replay_steps_and_seeks_through_the_recording():
    recording = read_recording(RECORDING)
    clock = ManualClock(0)
    feed = ReplayFeed(recording, clock, autoplay=False)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, replay=feed)
    async with app.run_test(size=(120, 40)) as pilot:
        app.drain()
        assert clock.time() == recording.start and not app.store.pods
        await pilot.press("right_curly_bracket", "right_curly_bracket")  # forward two minutes
        await pilot.pause()
        app.drain()  # a loaded machine's pump stops at its time budget: the rest is applied here
        assert clock.time() == pytest.approx(recording.start + 120)
        at_two = {uid: r.version for uid, r in app.store.pods.items()}
        assert at_two
        await pilot.press("left_curly_bracket")  # back a minute: the store is rebuilt aside
        await pilot.pause()
        app.drain()  # timers off: the pump that swaps the rebuilt store in runs here, whole
        assert clock.time() == pytest.approx(recording.start + 60) and feed.epoch == 1
        at_one = {uid: r.version for uid, r in app.store.pods.items()}
        assert at_one and sum(at_one.values()) < sum(at_two.values())
        before = clock.time()
        await pilot.press("full_stop")  # step to the next recorded item
        await pilot.pause()
        assert clock.time() > before and not feed.playing


def test_a_replay_with_no_terminal_to_draw_on_says_so():
    # Piped or redirected, the screen went into the pipe as escape codes and waited
    # there for keys forever.
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", str(RECORDING)], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 2
    assert out.stderr == f"podtui: no terminal to draw on: standard error is not a terminal ({NO_TERMINAL_HINT})\n"


def test_replay_of_standard_input_says_it_needs_a_file():
    # The screen reads its keys from stdin: it looked for a file named "-" instead.
    out = subprocess.run([sys.executable, "-m", "podtui", "replay", "-"], input=RECORDING.read_bytes(),
                         capture_output=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.decode() == ("podtui: replay needs a FILE, not standard input: the screen reads its keys from "
                                   "there (save the recording to a file first, or print it with `podtui history -`)\n")


@pytest.mark.parametrize("command", ["replay", "record"])
def test_an_empty_file_name_is_refused_not_read_as_the_current_directory(command, capsys):
    # `podtui replay "$REC"` with REC unset: "cannot open recording .: Is a directory".
    from podtui.cli import main

    with pytest.raises(SystemExit) as exited:
        main([command, ""])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (f"podtui {command}: error: argument FILE: "
                                       "the file name is empty (an unset variable?)\n")


@pytest.fixture
def truncated(tmp_path):
    """A recording cut off in the middle, as `head -c 70000 rec.jsonl.gz` leaves it."""
    path = tmp_path / "trunc.jsonl.gz"
    path.write_bytes(RECORDING.read_bytes()[:70000])
    warnings = read_recording(path).warnings
    assert len(warnings) == 1
    return path, warnings[0]


def test_a_load_warning_goes_to_the_screen_and_once_to_stderr_after_it(truncated, monkeypatch, capsys):
    from podtui import cli

    path, warning = truncated
    seen = {}

    def fake_ui(feed, clock, *, warnings=(), **_):
        seen["warnings"] = list(warnings)
        seen["stderr_before"] = capsys.readouterr().err
        return 0

    monkeypatch.setattr("podtui.ui.app.run", fake_ui)
    assert cli.main(["replay", str(path), "--paused"]) == 0
    assert seen["warnings"] == [warning]
    # Before: printed before the screen opened (which hid it) and again after it.
    assert seen["stderr_before"] == ""
    assert capsys.readouterr().err == f"podtui: warning: {warning}\n"


async def test_a_replay_opens_with_its_load_warnings_as_notifications(truncated):
    path, warning = truncated
    recording = read_recording(path)
    clock = ManualClock(0)
    feed = ReplayFeed(recording, clock, autoplay=False)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, replay=feed, warnings=recording.warnings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = notices_with_severity(app)
    assert shown == [(warning, "warning")]


def test_at_takes_every_offset_the_bar_shows_up_to_its_length():
    # 10:00:00.7 to 10:01:03.3: the bar counts whole seconds of the clock, 0:00 to 1:03;
    # --at 1m3s was refused ("up to 1m2s") though the bar showed 1:03/1:03 at the end.
    start, end = 1714557600.7, 1714557663.3
    assert start_time("1m3s", start, end) == end
    assert start_time("-1m3s", start, end) == start
    assert start_time("1m2s", start, end) == start + 62
    with pytest.raises(UsageError) as err:
        start_time("1m4s", start, end)
    assert "an offset up to 1m3s from the start or -1m3s from the end" in str(err.value)


def test_a_recording_cut_before_its_first_list_ended_is_an_error_not_an_empty_cluster(tmp_path, monkeypatch, capsys):
    import gzip

    from podtui import cli

    # As `gunzip -c rec.jsonl.gz | head -c 3000` left a `podtui demo --record`: up to
    # "listing" and the list's start, then the first pod's line cut off.
    lines = gzip.decompress(RECORDING.read_bytes()).split(b"\n")
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"\n".join([lines[0], b'{"t":1714557600.0,"status":"connecting","detail":"","resource":"pods"}',
                                 b'{"t":1714557600.0,"status":"listing","detail":"","resource":"pods"}',
                                 b'{"t":1714557600.0,"relist":"start","resource":"pods","resource_version":""}',
                                 lines[4][:500]]))
    opened = []
    monkeypatch.setattr("podtui.ui.app.run", lambda *a, **k: opened.append(1) or 0)
    # Before: the screen opened on "0 pods" and "No resources found", kubectl's words for
    # an empty cluster; `podtui history` said the recorder never listed the pods.
    assert cli.main(["replay", str(path)]) == 1
    assert not opened
    # One line, the cut in it: a load warning ("cut short in line 5: replaying up to line
    # 4") came first, for a replay that never began.
    assert capsys.readouterr().err.splitlines() == [
        f"podtui: {path} has no pods: it is cut short in line 5, before the recorder's first list ended "
        "(its last status: listing; check the file was copied whole, or record again)"]
    # A whole recording opens as before.
    assert cli.main(["replay", str(RECORDING), "--paused"]) == 0 and opened == [1]


def test_never_listed_reads_the_statuses_not_every_event(tmp_path, monkeypatch):
    import gzip

    from podtui.sources.history_command import never_listed
    from podtui.sources.recording import read_recording

    header = gzip.decompress(RECORDING.read_bytes()).split(b"\n")[0]
    path = tmp_path / "no-pods.jsonl"
    path.write_bytes(b"\n".join([header, b'{"t":1714557600.0,"status":"listing","detail":"","resource":"pods"}', b""]))
    recording = read_recording(path)
    # Without pods the rest are Events: decoding them all (orjson and decode_item each) was
    # the cost of a large recording of a namespace gone quiet; statuses are kept decoded.
    def decoded(self):
        raise AssertionError("every item decoded")

    monkeypatch.setattr(type(recording.log), "decoded", decoded)
    error = never_listed(recording)
    assert error is not None and "never listed them" in str(error)


def test_an_at_of_the_first_second_the_bar_shows_is_the_start():
    # Recorded from 10:00:00.4: the bar says 10:00:00 there, and `--at 10:00:00Z` was
    # refused as before the start ("runs from 2024-05-01T10:00:00Z ...").
    start, end = 1714557600.4, 1714558200.0
    assert start_time("2024-05-01T10:00:00Z", start, end) == start
    assert start_time("2024-05-01T10:00:00.2Z", start, end) == start
    assert start_time("2024-05-01T10:00:01Z", start, end) == 1714557601.0
    with pytest.raises(UsageError, match="runs from"):
        start_time("2024-05-01T09:59:59Z", start, end)
