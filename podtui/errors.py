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


def tell(message: str) -> None:
    """A one-line notice on stderr before the screen opens (or with no screen), in the
    same voice as the CLI's errors."""
    say(f"podtui: {message}")


def say(line: str) -> None:
    """`line` on stderr, or nowhere when stderr is closed (`2>&-`): print() with no
    sys.stderr writes to stdout, where a recording or a pipe's data may be."""
    if sys.stderr is not None:
        print(line, file=sys.stderr, flush=True)
