"""What the UI needs from a replay to offer play/pause/step/seek (podtui.sources.replay's
ReplayFeed provides it), and the keys for it."""

from __future__ import annotations

from typing import Protocol

from textual.binding import Binding
from textual.widgets import Footer

from podtui.sources.replay import MAX_SPEED, MIN_SPEED
from podtui.ui.key_footer import KeyFooter


class ReplayControls(Protocol):
    """The app also uses, when the replay has them (a ReplayFeed does), epoch_store(new),
    apply(store, items), expire(store) and change_times_since(t): they let a seek backwards
    start over from a checkpoint (see podtui.sources.replay)."""

    epoch: int  # bumped when the consumer must start over (from epoch_store(), else an empty store)
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

    def toggle(self) -> None: ...  # at the end: plays again from the start

    def step(self) -> None: ...

    def seek(self, t: float) -> None: ...

    def seek_next_change(self, uid: str) -> bool: ...

    def set_speed(self, speed: float) -> None: ...


REPLAY_BINDINGS = [
    # One key, two bindings: the footer says what space will do ("Play/pause" does
    # not fit on 80 columns); the app's check_action offers the one that applies.
    Binding("space", "replay_toggle('pause')", "Pause", tooltip="Play/pause (at the end: again from the start)"),
    Binding("space", "replay_toggle('play')", "Play", tooltip="Play/pause (at the end: again from the start)"),
    Binding("full_stop", "replay_step", "Step", show=False, tooltip="Step to the next recorded change (pauses)"),
    Binding("greater_than_sign", "replay_next_change", "Next change of pod", show=False,
            tooltip="Next change of the selected pod (pauses)"),
    Binding("left_square_bracket", "replay_seek(-10)", "Back 10s", show=False),
    Binding("right_square_bracket", "replay_seek(10)", "Forward 10s", show=False),
    Binding("left_curly_bracket", "replay_seek(-60)", "Back 1m", show=False),
    Binding("right_curly_bracket", "replay_seek(60)", "Forward 1m", show=False),
    Binding("plus", "replay_speed(2.0)", "Faster", show=False, tooltip=f"Faster (×2, up to ×{MAX_SPEED:g})"),
    Binding("minus", "replay_speed(0.5)", "Slower", show=False, tooltip=f"Slower (÷2, down to ×{MIN_SPEED:g})"),
]


def key_footer(replaying: bool) -> Footer:
    """The screens' key footer: compact, so that every key fits on 80 columns. In a
    replay, its Play/Pause takes the place of the command palette's hint (? lists ctrl+p)."""
    return KeyFooter(compact=True, show_command_palette=not replaying)
