"""Errors shown to the user as one line: what went wrong and what to do."""

from __future__ import annotations

import sys


class PodtuiError(Exception):
    """A fatal, explained error. The CLI prints `podtui: <message>` and exits non-zero."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(PodtuiError):
    exit_code = 2


class ConfigError(PodtuiError):
    """kubeconfig missing, unknown context, bad scenario or theme file."""


class ConnectError(PodtuiError):
    """Server unreachable, TLS, 401/403."""


class RecordingError(PodtuiError):
    """Corrupt or unsupported recording."""


class StillWaiting(str):
    """A notice that is the last one's wait counted further ("(4s so far)" after "(3s so
    far)"): tell() rewrites that line on a terminal, and says it nowhere else."""


_last_line: list[str] = []  # what say() wrote last, for a StillWaiting to rewrite


def tell(message: str) -> None:
    """A one-line notice on stderr before the screen opens (or with no screen), in the
    same voice as the CLI's errors."""
    line = f"podtui: {message}"
    if not isinstance(message, StillWaiting) or not _last_line:
        say(line)
    elif _can_move_up(sys.stderr):
        # Up over the rows the last line took (it may have wrapped), to erase it.
        rows = max(1, -(-len(_last_line[0]) // _columns(sys.stderr)))
        sys.stderr.write(f"\x1b[{rows}A\r\x1b[J")
        say(line)


def say(line: str) -> None:
    """`line` on stderr, or nowhere when stderr is closed (`2>&-`): print() with no
    sys.stderr writes to stdout, where a recording or a pipe's data may be."""
    if sys.stderr is not None:
        print(line, file=sys.stderr, flush=True)
        _last_line[:] = [line]


def _can_move_up(stream) -> bool:
    import os

    from podtui.ui.terminal import DUMB  # here: terminal.py imports this module

    # An unset TERM (Windows) moves the cursor as terminal.py takes it: Textual draws there.
    return stream is not None and stream.isatty() and os.environ.get("TERM", "") not in DUMB


def _columns(stream) -> int:
    import os
    import shutil

    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError):  # not a real file (a test's): $COLUMNS, else 80
        return shutil.get_terminal_size().columns or 80
