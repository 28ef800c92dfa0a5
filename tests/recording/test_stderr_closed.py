"""With standard error closed (`2>&-`), a recording's warnings go nowhere: print() with
no sys.stderr writes to stdout, into the report a pipe or file is taking."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

RECORDING = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"


def cut_short(tmp_path) -> Path:
    """The shipped recording with its last line cut mid-write: a warning to read it."""
    data = gzip.decompress(RECORDING.read_bytes())
    path = tmp_path / "cut.jsonl"
    path.write_bytes(data[:-40])
    return path


def podtui(*argv: str, close_stderr: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    return subprocess.run([sys.executable, "-m", "podtui", *argv], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          stderr=None if close_stderr else subprocess.PIPE,
                          preexec_fn=(lambda: os.close(2)) if close_stderr else None, env=env, timeout=60)


def test_history_with_stderr_closed_prints_the_report_alone(tmp_path):
    path = cut_short(tmp_path)
    told = podtui("history", str(path), close_stderr=False)
    assert told.returncode == 0 and b"podtui: warning: " in told.stderr  # there is a warning to lose
    closed = podtui("history", str(path), close_stderr=True)
    assert (closed.returncode, closed.stdout) == (0, told.stdout)


def test_replay_with_stderr_closed_puts_no_warning_on_stdout(tmp_path):
    path = cut_short(tmp_path)
    told = podtui("replay", str(path), close_stderr=False)
    assert b"podtui: warning: " in told.stderr
    closed = podtui("replay", str(path), close_stderr=True)
    assert closed.stdout == b""
