"""Timestamps and durations as Kubernetes writes them.

The model keeps times as float epoch seconds. Parsing is cached because the same
timestamp strings (creation, startedAt, lastTransitionTime) arrive again in every
MODIFIED event of a pod.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone


_PARSED: dict[str, float | None] = {}
_PARSED_LIMIT = 65536
_MISSING = object()


def parse_ts(value: object) -> float | None:
    """RFC 3339 (`2024-05-01T10:00:00Z`, with or without fraction) -> epoch seconds.

    Anything else (None, "", garbage, a number) gives None: a bad timestamp in an
    object must never break the model. The store parses a few on every watch event,
    mostly strings it has parsed before: one dict lookup answers those.
    """
    if type(value) is not str:
        return None
    ts = _PARSED.get(value, _MISSING)
    if ts is not _MISSING:
        return ts  # type: ignore[return-value]
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()  # bounded: a long session sees ever new timestamps
    ts = _PARSED[value] = _parse(value) if value else None
    return ts


def _parse(value: str) -> float | None:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def format_ts(ts: float, micro: bool = False) -> str:
    """Epoch seconds -> RFC 3339 as the API server writes it (UTC, `Z`)."""
    dt = datetime.fromtimestamp(ts, timezone.utc)
    if micro:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def clock_time(ts: float | None) -> str:
    """10:42:13, UTC: the time of day, short enough for a column; "-" for none."""
    if ts is None:
        return "-"
    return format_ts(ts)[11:19]


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for whole seconds: 40s, 1m20s, 5m0s, 1h0m0s."""
    s = int(round(seconds))
    if s == 0:
        return "0s"
    sign = "-" if s < 0 else ""
    s = abs(s)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{sign}{h}h{m}m{sec}s"
    if m:
        return f"{sign}{m}m{sec}s"
    return f"{sign}{sec}s"


_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_GO_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def parse_go_duration(text: str) -> float | None:
    """Parse a Go duration string ("1m20s", "300ms", "5m0s") -> seconds, or None."""
    if not text:
        return None
    if text == "0":  # time.ParseDuration's one unitless duration
        return 0.0
    pos = 0
    total = 0.0
    for m in _GO_PART.finditer(text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _GO_UNIT[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        return None
    return total
