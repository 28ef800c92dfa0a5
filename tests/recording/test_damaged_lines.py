"""A damaged line says which line and that it is not JSON; the load warnings are short
enough for the screen's toast (about 36 columns at 80) and `podtui history` prints them
the same."""

from __future__ import annotations

import gzip

import orjson
import pytest

from podtui import cli
from podtui.errors import RecordingError
from podtui.sources.recording import read_recording

RECORDING = "tests/recordings/demo-default.jsonl.gz"


def _lines() -> list[bytes]:
    with gzip.open(RECORDING, "rb") as f:
        return f.read().splitlines(keepends=True)


def _cut_and_run_on(line: bytes, junk: bytes) -> bytes:
    # What a crash mid-write then more writing leaves: half a line, then other bytes.
    return line[: len(line) // 2] + junk + b"\n"


@pytest.mark.parametrize(("junk", "why"), [
    (b"\x00\x00\x00\x17", "unexpected control character in string"),
    (b'"}, "t": 3}', None),  # another line's tail: no control character, still no JSON
])
def test_a_line_cut_short_and_run_into_junk_is_not_json(tmp_path, junk, why):
    lines = _lines()
    lines[4] = _cut_and_run_on(lines[4], junk)
    path = tmp_path / "rec.jsonl"
    path.write_bytes(b"".join(lines))
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    message = str(err.value)
    # It read "line 5 is corrupt (unexpected control character in string: line 1 column
    # 548 (char 547))": a line 1 in a message about line 5, and no word of JSON.
    assert message.startswith(f"{path}: line 5 is not JSON (")
    assert message.endswith("): the recording is damaged there (use --skip-bad-lines to go on without it)")
    assert "line 1 column" not in message
    if why:
        assert f"({why} at column " in message
    # What the reader already did with the rest: go on past it when asked.
    recording = read_recording(path, skip_bad_lines=True)
    assert recording.skipped == 1 and len(recording.log) == len(lines) - 2
    assert recording.warnings == [message.removesuffix(" (use --skip-bad-lines to go on without it)")]


def test_a_value_json_cannot_hold_is_still_named_as_such(tmp_path):
    # Well-formed JSON with bad UTF-8 inside: the line is whole, one value is wrong.
    line = orjson.dumps({"t": 1.0, "status": "live", "detail": "x"}).replace(b'"x"', b'"\xff"')
    path = tmp_path / "rec.jsonl"
    path.write_bytes(_lines()[0] + line + b"\n")
    with pytest.raises(RecordingError, match=r"line 2 is corrupt \(str is not valid UTF-8"):
        read_recording(path)


def test_history_prints_the_short_truncation_warning(tmp_path, capsys):
    cut = tmp_path / "cut.jsonl.gz"
    data = open(RECORDING, "rb").read()
    cut.write_bytes(data[: len(data) // 2])
    assert cli.main(["history", str(cut)]) == 0
    (warning,) = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    number = int(warning.split("after line ")[1].split()[0])
    # history reads the file, it replays nothing: the reader's own verb.
    assert warning == (f"podtui: warning: {cut} is cut short after line {number} (compressed data ends "
                       "mid-stream): reading what is there")
    # Without the file name it takes three lines of a toast at 80 columns, at most.
    assert len(warning.removeprefix(f"podtui: warning: {cut}")) <= 3 * 36


def test_history_says_reading_up_to_the_line_before_a_cut_one(tmp_path, capsys):
    cut = tmp_path / "cut.jsonl"
    with gzip.open(RECORDING, "rb") as f:
        lines = f.read().splitlines(keepends=True)[:8]
    lines[-1] = lines[-1][:20]  # killed mid-write: no newline
    cut.write_bytes(b"".join(lines))
    assert cli.main(["history", str(cut)]) == 0
    (warning,) = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warning == f"podtui: warning: {cut} is cut short in line 8: reading up to line 7"
