"""Scrollbars drawn in whole cells.

Textual draws a scrollbar thumb's ends with partial-block glyphs (▁▂▃▄▅▆▇) for a
smoother look. Where the thumb colour barely differs from the track (ANSI themes, a
terminal that remaps colours) or in a copy of the screen (tmux capture-pane), all that
remains is a stray block glyph at the end of some line: "exit code 1 ▇▇" in the
Timeline. A thumb of whole cells in reverse video reads as a bar or not at all.
"""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBarRender
from textual.widget import Widget


class WholeCellScrollBarRender(ScrollBarRender):
    # Blank ends: Textual then leaves the thumb's partial cells as track.
    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars(widget: Widget) -> None:
    """For this widget only (Textual's ScrollBar.renderer is per instance when set so)."""
    widget.vertical_scrollbar.renderer = WholeCellScrollBarRender
    widget.horizontal_scrollbar.renderer = WholeCellScrollBarRender
