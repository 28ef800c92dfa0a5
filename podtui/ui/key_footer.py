"""The screens' key footer, fitted to the terminal's width.

Textual's Footer scrolls its keys sideways under the command palette's hint, so on a
narrow terminal a key is cut mid-word (`? H▏^p palette`) or leaves a stray cell past
the hint. This one leaves out, whole, the keys that don't fit, last first, but `? Help`
(which lists them all) and a replay's play/pause, so what is shown can be read and what
is missing is one key away.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Kept to the last: help lists what was left out; a replay's play/pause stands where
# the palette's hint would.
KEPT_ACTIONS = ("help", "replay_toggle")


def _width(widget: Widget) -> int:
    """Cells the widget takes in the footer's row, worked out before layout places it."""
    styles = widget.styles
    if isinstance(widget, FooterKey):
        return widget.render().cell_len + styles.margin.width + styles.gutter.width
    return widget.outer_size.width


class KeyFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.size.width
        if not width:
            return
        keys = list(self.children)
        room = width - sum(_width(key) for key in keys if key.has_class("-command-palette"))
        keys = [key for key in keys if not key.has_class("-command-palette")]
        # The last key's right margin may lie under the palette's hint.
        room += max((key.styles.margin.right for key in keys), default=0)
        # Room for the kept keys first; the rest in order while they fit, none after
        # the first that does not: the footer reads left to right as the bindings rank.
        kept = [key for key in keys if str(getattr(key, "action", "")).split("(")[0] in KEPT_ACTIONS]
        room -= sum(_width(key) for key in kept)
        full = False
        for key in keys:
            if key in kept:
                continue
            need = _width(key)
            full = full or need > room
            key.display = not full
            if not full:
                room -= need
        for key in kept:
            key.display = room >= 0
