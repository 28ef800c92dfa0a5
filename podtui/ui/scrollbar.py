"""Scrollbars drawn in whole cells.

Textual draws a scrollbar thumb's ends with partial-block glyphs (▁▂▃▄▅▆▇) for a
smoother look. Where the thumb colour barely differs from the track (ANSI themes, a
terminal that remaps colours) or in a copy of the screen (tmux capture-pane), all that
remains is a stray block glyph at the end of some line: "exit code 1 ▇▇" in the
Timeline. A thumb of whole cells in reverse video reads as a bar or not at all.
"""

from __future__ import annotations

from math import ceil
from typing import ClassVar

from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget


class WholeCellScrollBarRender(ScrollBarRender):
    # Blank ends: Textual then leaves the thumb's partial cells as track.
    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars(widget: Widget) -> None:
    """For this widget only (Textual's ScrollBar.renderer is per instance when set so)."""
    widget.vertical_scrollbar.renderer = WholeCellScrollBarRender
    widget.horizontal_scrollbar.renderer = WholeCellScrollBarRender


class InstantKeyScroll:
    """Scroll keys that move at once, for a Widget with vertical scrolling.

    Textual animates home/end/page and line scrolls. A key pressed while one is still
    running starts from wherever it has got to: `G` then `g j j` lands a few lines above
    the end instead of on line 3. And a scroll is put off until the next refresh unless
    immediate: ten `j` read at once (a held key, a slow link) each started from the same
    line and moved one line in all. A pager moves where the key says, now."""

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False, immediate=True)  # type: ignore[attr-defined]

    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False, immediate=True)  # type: ignore[attr-defined]

    def action_page_up(self) -> None:
        self._scroll_pages(-1)

    def action_page_down(self) -> None:
        self._scroll_pages(1)

    def _scroll_pages(self, pages: int) -> None:
        # Textual's scroll_page_* can't be made immediate.
        page = self.scrollable_content_region.height  # type: ignore[attr-defined]
        self.scroll_to(y=self.scroll_target_y + pages * page, animate=False, immediate=True)  # type: ignore[attr-defined]

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False, immediate=True)  # type: ignore[attr-defined]

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False, immediate=True)  # type: ignore[attr-defined]


def thumb_cells(bar: ScrollBar, virtual_size: int) -> tuple[int, ...]:
    """The cells of a vertical scrollbar its thumb covers were its content
    `virtual_size` high, drawn as `bar` draws itself (ScrollBar._render_bar)."""
    window = bar.window_size if bar.window_size < virtual_size else 0
    segments = bar.renderer.render_bar(size=bar.size.height, virtual_size=ceil(virtual_size),
                                       window_size=ceil(window), position=bar.position).segments
    return tuple(i for i, s in enumerate(segments) if s.style is not None and (s.style.reverse or s.text.strip()))
