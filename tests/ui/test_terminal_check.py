"""A terminal that cannot draw the screen is refused in one line; one with no colours
is warned about on the screen. Textual draws the same escape codes whatever TERM says."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from podtui.ui.terminal import NoTerminal, capabilities, check_terminal


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _lookup(table):
    return lambda term: table.get(term)


def test_a_dumb_terminal_is_refused_naming_the_cause_and_the_way_out():
    # Emacs's M-x shell: the alternate screen, mouse modes and cursor moves came out as
    # text, and the screen waited for keys that never drive it.
    with pytest.raises(NoTerminal) as refused:
        check_terminal({"TERM": "dumb"}, _Tty(), lookup=_lookup({}))  # by name, with no terminfo to ask
    line = str(refused.value)
    assert line.startswith("TERM=dumb cannot show podtui's screen: it has no cursor addressing (")
    assert "TERM=xterm-256color" in line and "podtui record FILE" in line and "\n" not in line
    assert line.count("(") == line.count(")") == 1  # the hint's, none nested in it


def test_any_terminal_terminfo_gives_no_cursor_addressing_is_refused():
    with pytest.raises(NoTerminal, match=r"^TERM=glasstty cannot show podtui's screen"):
        check_terminal({"TERM": "glasstty"}, _Tty(), lookup=_lookup({"glasstty": (False, -1)}))


def test_no_terminal_on_stderr_is_said_first():
    with pytest.raises(NoTerminal, match="standard error is not a terminal"):
        check_terminal({"TERM": "dumb"}, io.StringIO(), lookup=_lookup({}))


def test_a_terminal_with_no_colours_opens_with_a_warning():
    warnings = check_terminal({"TERM": "vt100"}, _Tty(), lookup=_lookup({"vt100": (True, -1)}))
    assert warnings == ["TERM=vt100 declares no colours: if podtui's do not show, set TERM to your terminal's, "
                        "e.g. TERM=xterm-256color (STATUS and NEXT say the same in words)"]


@pytest.mark.parametrize("environ", [
    {"TERM": "xterm-256color"},
    {"TERM": "vt100", "NO_COLOR": ""},  # no colours asked for: nothing to warn of
    {"TERM": "no-such-terminal"},  # no terminfo entry: Textual needs none
    {},  # unset, as on Windows
])
def test_a_terminal_that_can_draw_opens_without_a_word(environ):
    table = {"xterm-256color": (True, 256), "vt100": (True, -1)}
    assert check_terminal(environ, _Tty(), lookup=_lookup(table)) == []


def test_terminfo_is_read_as_this_machine_has_it():
    # curses sets up one terminal a process, so each in its own.
    def looked_up(term):
        out = subprocess.run([sys.executable, "-c", "import sys; from podtui.ui.terminal import capabilities; "
                              "print(capabilities(sys.argv[1]))", term], capture_output=True, text=True, check=True)
        return out.stdout.strip()

    assert looked_up("dumb") == "(False, -1)"
    assert looked_up("vt100") == "(True, -1)"
    assert looked_up("xterm-256color") == "(True, 256)"
    assert looked_up("no-such-terminal") == "None"


def test_a_second_terminal_asked_of_one_process_is_unknown_not_the_first_ones_answer():
    out = subprocess.run([sys.executable, "-c", "from podtui.ui.terminal import capabilities; "
                          "print(capabilities('xterm-256color'), capabilities('dumb'), capabilities('xterm-256color'))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["(True,", "256)", "None", "(True,", "256)"]


def test_the_ui_refuses_a_dumb_terminal_before_drawing_and_warns_of_no_colours(monkeypatch):
    from podtui.sources.base import StaticFeed
    from podtui.clock import ManualClock
    from podtui.ui import app as app_module
    from podtui.ui import terminal

    monkeypatch.setattr(sys, "__stderr__", _Tty())
    monkeypatch.setattr(terminal, "capabilities", _lookup({"vt100": (True, -1)}).__call__)
    drawn = []
    monkeypatch.setattr(app_module.PodtuiApp, "run", lambda self: drawn.append(self.warnings))
    monkeypatch.setenv("TERM", "dumb")
    with pytest.raises(NoTerminal, match="^TERM=dumb cannot show"):
        app_module.run(StaticFeed([]), ManualClock(0))
    assert drawn == []
    monkeypatch.setenv("TERM", "vt100")
    app_module.run(StaticFeed([]), ManualClock(0), warnings=["a replay's warning"])
    assert drawn == [("a replay's warning", check_terminal({"TERM": "vt100"}, _Tty(),
                                                          lookup=_lookup({"vt100": (True, -1)}))[0])]
