"""Ages the way kubectl prints them.

`human_duration` is apimachinery's HumanDuration
(staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go) and `format_age` is the
printers' translateTimestampSince (pkg/printers/internalversion/printers.go). Both work
on integer nanoseconds like Go's time.Duration, so the boundaries (119s -> 2m,
9m59s -> 10m, 7d23h -> 8d, ...) fall exactly where kubectl's do.
"""

from __future__ import annotations

import math

_NS_PER_S = 1_000_000_000
_NS_PER_MIN = 60 * _NS_PER_S
_NS_PER_HOUR = 60 * _NS_PER_MIN

# time.Time.Sub saturates at the limits of time.Duration (about 292 years).
_MAX_NS = 2**63 - 1
_MIN_NS = -(2**63)
_MAX_SECONDS = _MAX_NS / _NS_PER_S

# Go's zero time.Time (0001-01-01T00:00:00Z) as epoch seconds: metav1.Time.IsZero().
GO_ZERO_TIME = -62135596800.0

UNKNOWN = "<unknown>"
INVALID = "<invalid>"


def human_duration(seconds: float) -> str:
    """HumanDuration: "45s", "3m10s", "70m", "7h59m", "47h", "2d1h", "367d", "2y1d", "8y".

    More than a second in the future (below -1.999...s) is "<invalid>": HumanDuration
    tolerates clock skew of less than 2 seconds as "0s".
    """
    if not isinstance(seconds, (int, float)) or seconds != seconds:  # not a number, NaN
        return INVALID
    if seconds >= _MAX_SECONDS:
        return _human_ns(_MAX_NS)
    if seconds <= -_MAX_SECONDS:
        return _human_ns(_MIN_NS)
    return _human_ns(round(seconds * _NS_PER_S))


def format_age(ts: float | None, now: float) -> str:
    """translateTimestampSince: the age of an epoch timestamp at `now`.

    None (or Go's zero time) is "<unknown>". The difference is rounded to microseconds
    first: API timestamps carry at most microseconds, and float epoch subtraction would
    otherwise turn an exact 120s into 119.99999s ("119s" instead of "2m").
    """
    if ts is None or ts <= GO_ZERO_TIME:
        return UNKNOWN
    try:
        ns = round((now - ts) * 1_000_000) * 1000
    except (TypeError, ValueError, OverflowError):  # NaN / inf / not a number
        return INVALID
    if ns > _MAX_NS:
        ns = _MAX_NS
    elif ns < _MIN_NS:
        ns = _MIN_NS
    return _human_ns(ns)


def _human_ns(ns: int) -> str:
    # int(d.Seconds()) truncates toward zero; Python's // floors, so negate around it.
    seconds = -(-ns // _NS_PER_S) if ns < 0 else ns // _NS_PER_S
    if seconds < -1:
        return INVALID
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = ns // _NS_PER_MIN
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = ns // _NS_PER_HOUR
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if dy == 0 else f"{years}y{dy}d"
    return f"{hours // 24 // 365}y"


def whole_second(t: float) -> int:
    """The whole second a time is shown as: floored after rounding to microseconds, as
    AGE (format_age, which counts microseconds) and the clock round. Floored alone, a
    replay position of 43.9999998 (eight 0.35 s steps at x8) said 0:43 beside rows aged
    to 44 s. The replay bar and a recording's length both count by it."""
    return math.floor(round(t, 6))
