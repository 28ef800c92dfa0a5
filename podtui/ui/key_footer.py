"""The screens' key footer, fitted to the terminal's width.

Textual's Footer scrolls its keys sideways under the command palette's hint, so on a
narrow terminal a key is cut mid-word (`? H▏^p palette`) or leaves a stray cell past
the hint. This one leaves out, whole, the keys that don't fit, last first, but `? Help`
(which lists them all), so what is shown can be read and what is missing is one key away.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"  # kept to the last: it lists what was left out


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
        # Keep keys in order while they fit, the help key first of all.
        helps = [key for key in keys if getattr(key, "action", None) == HELP_ACTION]
        room -= sum(_width(key) for key in helps)
        full = False
        for key in keys:
            if key in helps:
                continue
            need = _width(key)
            full = full or need > room
            key.display = not full
            if not full:
                room -= need
        for key in helps:
            key.display = room >= 0
