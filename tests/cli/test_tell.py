"""Notices before the screen opens: one line each; a wait counted further rewrites its
line on a terminal (it stood still at "3s so far" for the whole wait) and is not said
again anywhere else (a log keeps the first line, then the outcome)."""

from __future__ import annotations

import io
import sys

import pytest

from podtui.errors import StillWaiting, tell

URL = "https://10.0.0.1:6443"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _terminal(monkeypatch) -> _Tty:
    # In the test, not a fixture: pytest puts its own sys.stderr back after setting one up.
    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("TERM", "xterm-256color")
    return err


def test_a_wait_counted_further_rewrites_its_line_on_a_terminal_wrapped_or_not(monkeypatch):
    terminal = _terminal(monkeypatch)
    tell(f"waiting for the API server at {URL} (3s so far)")  # 66 cells: 2 rows of 40
    tell(StillWaiting(f"waiting for the API server at {URL} (4s so far)"))
    tell(StillWaiting("waiting for it (10s so far)"))  # 35 cells: 1 row
    tell(StillWaiting("waiting for it (11s so far)"))
    assert terminal.getvalue() == (
        f"podtui: waiting for the API server at {URL} (3s so far)\n"
        f"\x1b[2A\r\x1b[Jpodtui: waiting for the API server at {URL} (4s so far)\n"
        "\x1b[2A\r\x1b[Jpodtui: waiting for it (10s so far)\n"
        "\x1b[1A\r\x1b[Jpodtui: waiting for it (11s so far)\n")


def test_a_new_notice_after_a_count_goes_on_its_own_line(monkeypatch):
    terminal = _terminal(monkeypatch)
    tell("waiting (3s so far)")
    tell(StillWaiting("waiting (4s so far)"))
    tell("the API server answered 429 Too Many Requests: waiting 2s as its Retry-After asks")
    assert terminal.getvalue().endswith("(4s so far)\npodtui: the API server answered 429 Too Many Requests: "
                                        "waiting 2s as its Retry-After asks\n")


@pytest.mark.parametrize("term", ["dumb", None])
def test_elsewhere_a_wait_is_said_once(monkeypatch, term):
    err = io.StringIO() if term is None else _Tty()  # a log, or a terminal that cannot move the cursor
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setenv("TERM", term or "xterm-256color")
    tell("waiting (3s so far)")
    tell(StillWaiting("waiting (4s so far)"))
    assert err.getvalue() == "podtui: waiting (3s so far)\n"


def test_an_unset_term_rewrites_the_count_as_the_screen_draws_there(monkeypatch):
    """No TERM (Windows' terminals): podtui's screen draws there (terminal.check_terminal
    leaves it to Textual), so the count moves the cursor too; it was said once, as on TERM=dumb."""
    terminal = _terminal(monkeypatch)
    monkeypatch.delenv("TERM")
    tell("waiting (3s so far)")
    tell(StillWaiting("waiting (4s so far)"))
    assert terminal.getvalue() == "podtui: waiting (3s so far)\n\x1b[1A\r\x1b[Jpodtui: waiting (4s so far)\n"
