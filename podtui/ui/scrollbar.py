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
    """Scroll keys that move where the key says, for a Widget with vertical scrolling.

    Textual animates home/end/page and line scrolls. A key pressed while one is still
    running starts from wherever it has got to: `G` then `g j j` lands a few lines above
    the end instead of on line 3. Without animation a scroll still waits for the next
    refresh, each from where the view was when its key came: ten `j` read at once (a
    held key, a slow link) moved one line. Nor can it be done at once: right after a
    pane switch (`9 G` read together) the new text is not laid out and its end is not
    known. So the keys add up here, and the sum is applied after the refresh."""

    _scroll_base: str | None = None  # "home", "end" or None: from where the view is
    _scroll_lines = 0
    _scroll_queued = False

    def _scroll_by(self, lines: int, base: str | None = None) -> None:
        if base is not None:
            self._scroll_base, self._scroll_lines = base, 0
        self._scroll_lines += lines
        if not self._scroll_queued:
            self._scroll_queued = True
            self.call_after_refresh(self._apply_scroll)  # type: ignore[attr-defined]
            self.refresh()  # type: ignore[attr-defined]  # or it waits for whatever repaints next

    def _apply_scroll(self) -> None:
        base, lines = self._scroll_base, self._scroll_lines
        self._scroll_base, self._scroll_lines, self._scroll_queued = None, 0, False
        start = {"home": 0, "end": self.max_scroll_y}.get(base, self.scroll_target_y)  # type: ignore[attr-defined]
        self.scroll_to(y=start + lines, animate=False, immediate=True)  # type: ignore[attr-defined]

    def _page(self) -> int:
        return self.scrollable_content_region.height  # type: ignore[attr-defined]

    def action_scroll_up(self) -> None:
        self._scroll_by(-1)

    def action_scroll_down(self) -> None:
        self._scroll_by(1)

    def action_page_up(self) -> None:
        self._scroll_by(-self._page())

    def action_page_down(self) -> None:
        self._scroll_by(self._page())

    def action_scroll_home(self) -> None:
        self._scroll_by(0, "home")

    def action_scroll_end(self) -> None:
        self._scroll_by(0, "end")


def thumb_cells(bar: ScrollBar, virtual_size: int) -> tuple[int, ...]:
    """The cells of a vertical scrollbar its thumb covers were its content
    `virtual_size` high, drawn as `bar` draws itself (ScrollBar._render_bar)."""
    window = bar.window_size if bar.window_size < virtual_size else 0
    segments = bar.renderer.render_bar(size=bar.size.height, virtual_size=ceil(virtual_size),
                                       window_size=ceil(window), position=bar.position).segments
    return tuple(i for i, s in enumerate(segments) if s.style is not None and (s.style.reverse or s.text.strip()))
