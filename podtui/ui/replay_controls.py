"""What the UI needs from a replay to offer play/pause/step/seek (podtui.sources.replay's
ReplayFeed provides it), and the keys for it."""

from __future__ import annotations

from typing import Protocol

from textual.binding import Binding


class ReplayControls(Protocol):
    epoch: int  # bumped when the consumer must start over from an empty store
    playing: bool
    speed: float

    @property
    def position(self) -> float: ...

    @property
    def start_time(self) -> float: ...

    @property
    def end_time(self) -> float: ...

    @property
    def at_end(self) -> bool: ...

    def toggle(self) -> None: ...

    def step(self) -> None: ...

    def seek(self, t: float) -> None: ...

    def seek_next_change(self, uid: str) -> bool: ...

    def set_speed(self, speed: float) -> None: ...


REPLAY_BINDINGS = [
    Binding("space", "replay_toggle", "Play/pause"),
    Binding("full_stop", "replay_step", "Step", show=False),
    Binding("greater_than_sign", "replay_next_change", "Next change of pod", show=False),
    Binding("left_square_bracket", "replay_seek(-10)", "Back 10s", show=False),
    Binding("right_square_bracket", "replay_seek(10)", "Forward 10s", show=False),
    Binding("left_curly_bracket", "replay_seek(-60)", "Back 1m", show=False),
    Binding("right_curly_bracket", "replay_seek(60)", "Forward 1m", show=False),
    Binding("plus", "replay_speed(2.0)", "Faster", show=False),
    Binding("minus", "replay_speed(0.5)", "Slower", show=False),
]
