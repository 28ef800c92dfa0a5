"""The one source of "now".

Everything that needs the current time takes a Clock, so tests, snapshots and replays
are deterministic and the demo cluster can run faster than real time. Inside podtui
times are float seconds since the epoch (UTC); datetimes appear only at the edges.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch, UTC."""

    def now(self) -> datetime:
        """The same instant as an aware UTC datetime."""


def to_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


class SystemClock:
    def time(self) -> float:
        return _time.time()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that moves only when told to: tests, snapshots, replay."""

    def __init__(self, start: float | datetime = 0.0) -> None:
        self._t = start.timestamp() if isinstance(start, datetime) else float(start)
        self._lock = threading.Lock()

    def time(self) -> float:
        return self._t

    def now(self) -> datetime:
        return to_datetime(self._t)

    def set(self, t: float | datetime) -> None:
        with self._lock:
            self._t = t.timestamp() if isinstance(t, datetime) else float(t)

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._t += seconds
            return self._t


class ScaledClock:
    """Simulated time running `speed` times faster than the wall clock.

    Starts at `start` (default: the wall clock) and can be frozen, which is how the
    demo cluster's --stop-after keeps serving a still picture.
    """

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin = _time.time() if start is None else start
        self._mono0 = _time.monotonic()
        self._frozen_at: float | None = None

    def time(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return self._origin + (_time.monotonic() - self._mono0) * self.speed

    def now(self) -> datetime:
        return to_datetime(self.time())

    def freeze(self, at: float | None = None) -> None:
        self._frozen_at = self.time() if at is None else at

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    @property
    def stopped_after(self) -> float | None:
        """How far past its start the clock stands still; None while it runs."""
        return None if self._frozen_at is None else self._frozen_at - self._origin
