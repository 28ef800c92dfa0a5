"""Whether the terminal podtui was started in can show its screen.

Textual draws alike whatever TERM says: the alternate screen, mouse modes, cursor moves
and colours. On a terminal that cannot move the cursor (TERM=dumb: Emacs's M-x shell)
they arrive as text, and the screen waits for keys that never drive it. tcell's
programs (k9s, lazygit) refuse such a terminal ("terminal not cursor addressable");
podtui does too, in one line that says what to do. A terminal that declares no colours
(TERM=vt100) can show the screen: it opens, with a warning on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO

from podtui.errors import UsageError

NO_SCREEN = "with no screen, `podtui record FILE` keeps what the cluster does and `podtui history FILE` prints a recording as text"
NO_TERMINAL_HINT = f"leave stderr on the terminal; {NO_SCREEN}"
DUMB = ("dumb",)  # refused by name too: a machine may lack its terminfo entry (Rich treats it so)

Capabilities = tuple[bool, int]  # (cursor addressing, colours: terminfo's, -1 if none)


class NoTerminal(UsageError):
    """Refused up front: nowhere to draw the screen."""


_asked: list[str] = []  # the one terminal curses has set up in this process


def capabilities(term: str) -> Capabilities | None:
    """What terminfo says `term` can do; None if it has no entry or cannot be asked.
    curses sets up one terminal a process (a second setupterm is ignored): another
    term asked later is unknown, not the first one's answer."""
    try:
        import curses
    except ImportError:  # Windows: no terminfo
        return None
    if _asked and _asked[0] != term:
        return None
    try:
        curses.setupterm(term, 2)  # stderr's size: Textual draws there; nothing is written
    except (curses.error, OSError, ValueError):
        return None
    _asked[:1] = [term]
    return curses.tigetstr("cup") is not None, curses.tigetnum("colors")


def preflight() -> None:
    """Raise NoTerminal when this process's terminal cannot show the screen. The live
    command asks before `--record FILE` begins FILE: refused after it, a second try
    refused to overwrite it. The screen asks again for its warnings (check_terminal)."""
    import os
    import sys

    check_terminal(os.environ, sys.__stderr__)


def check_terminal(environ: Mapping[str, str], stderr: IO[str] | None,
                   lookup: Callable[[str], Capabilities | None] | None = None) -> list[str]:
    """Raise NoTerminal when podtui's screen cannot be shown here; else the warnings to
    show on it. An unset TERM (Windows) or one terminfo does not know is left to Textual,
    which needs no terminfo."""
    if not (stderr and stderr.isatty()):
        # Textual draws on stderr: redirected, the screen went into the file as escape
        # codes and waited there for keys forever. (stdout may be piped: nothing uses it.)
        raise NoTerminal("no terminal to draw on: standard error is not a terminal", NO_TERMINAL_HINT)
    term = environ.get("TERM", "")
    if not term:
        return []
    from podtui.ui.themes import no_color

    found = (lookup or capabilities)(term)
    way_out = "set TERM to your terminal's, e.g. TERM=xterm-256color"
    if term in DUMB or (found is not None and not found[0]):
        raise NoTerminal(f"TERM={term} cannot show podtui's screen: it has no cursor addressing",
                         f"run podtui in a terminal emulator, or {way_out}; {NO_SCREEN}")
    if found is not None and found[1] < 8 and not no_color(environ):
        return [f"TERM={term} declares no colours: if podtui's do not show, {way_out} "
                "(STATUS and NEXT say the same in words)"]
    return []
