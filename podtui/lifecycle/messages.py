"""Messages from the cluster shortened to one line, for one-liners and history entries."""

from __future__ import annotations

import re

SUMMARY_MESSAGE = 100  # characters of a message in a one-liner

_NODE_LOCATION = re.compile(r"^(?:file://)?\S+\.[cm]?[jt]sx?:\d+$")  # "/app/server.js:12"
_NODE_ERROR = re.compile(r"^(?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)\b")  # "Error: x", "TypeError: x"


def first_line(text: str, limit: int = SUMMARY_MESSAGE) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:  # end on a whole word: "Container cach…" reads as a typo
        cut = cut[:space].rstrip(",;:")
    return cut + "…"


def headline(message: str, limit: int = SUMMARY_MESSAGE) -> str:
    """The line of a termination message that says what went wrong.

    Mostly the first; but a Python traceback says what it was on its last line (its
    first is "Traceback (most recent call last):"), and Node's uncaught error opens
    with the source location and code before "Error: ...".
    """
    lines = [line for line in message.strip().splitlines() if line.strip()]
    if len(lines) > 1:
        first = lines[0].strip()
        if first.startswith("Traceback (most recent call last)"):
            return first_line(lines[-1], limit)
        if _NODE_LOCATION.match(first):
            for line in lines[1:]:
                if _NODE_ERROR.match(line):
                    return first_line(line, limit)
    return first_line(message, limit)
