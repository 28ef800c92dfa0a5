"""A refresh of a few cells writes those cells to the terminal, not the line up to them.

Textual 8.2 writes a partial update (ChopsUpdate.render_segments) widget by widget, each
from the widget's left edge on a screen line to the end of the region refreshed there
(its "TODO: crop to x extents"): the pod list's countdown digit at column 70 rewrote the
70 cells before it, and a line with two changed cells was written twice from column 0.
Over a slow SSH link (8 KB/s) every cell is latency. CellUpdate writes each span's cells
and no more; CellCompositor makes its partial updates so (PodsScreen and DetailScreen
use it). A widget must still refresh only the cells that changed: CellStatic is a
one-line Static that does (the status bar, the detail's title).
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.control import Control
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widgets import Static


def _one_cell_each(strip: Strip) -> bool:
    """Whether every character of the strip is one cell wide: a cut inside a two-cell
    character would write half of it, which a terminal draws as neither."""
    text = strip.text
    return text.isascii() or all(cell_len(ch) == 1 for ch in text)


# Unchanged cells between two changed runs of a line up to which the two are written as
# one: a second write costs a cursor move and the style again (20 to 40 bytes).
_JOIN = 6


def _cells(strip: Strip) -> list[tuple[str, Style | None]] | None:
    """Each cell's character and style; None if a character is not one cell wide."""
    if not _one_cell_each(strip):
        return None
    cells: list[tuple[str, Style | None]] = []
    for text, style, control in strip:
        if control:
            return None
        cells += zip(text, repeat(style))
    return cells


def changed_spans(old: Strip, new: Strip) -> list[tuple[int, int]] | None:
    """The runs of cells [x1, x2) in which `new` differs from `old`, in text or in style
    (runs fewer than _JOIN cells apart as one); None when the two can't be compared cell
    by cell (other widths, a character not one cell wide): then the whole line."""
    if old is new:
        return []
    if old.cell_length != new.cell_length:
        return None
    a, b = _cells(old), _cells(new)
    if a is None or b is None or len(a) != len(b):
        return None
    spans: list[list[int]] = []
    for x, (was, now) in enumerate(zip(a, b)):
        if was != now:
            if spans and x - spans[-1][1] <= _JOIN:
                spans[-1][1] = x + 1
            else:
                spans.append([x, x + 1])
    return [(x1, x2) for x1, x2 in spans]


class CellUpdate(ChopsUpdate):
    """A partial update that writes the cells of its spans only."""

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        append = sequences.append
        move_to = Control.move_to
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items()):
                if strip is None or x >= x2 or end <= x1:
                    continue
                start = x1 if x < x1 and _one_cell_each(strip) else x
                append(move_to(start, y).segment.text)
                append(strip.crop(start - x, min(end, x2) - x).render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


class CellCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | None:
        update = super().render_partial_update()
        if update is None:
            return None
        return CellUpdate(update.chops, update.spans, update.chop_ends)


# A Static's line is as long as its text; the screen pads it to the widget's width.
# Compared padded with a style of their own, a cell of text and one of padding differ.
_PAD = Style(meta={"podtui": "padding"})


def _padded(strip: Strip, width: int) -> Strip:
    return strip.extend_cell_length(width, _PAD)


class CellStatic(Static):
    """A one-line Static whose show_cells(content) refreshes only the cells that differ
    from the line last drawn: the clock's digit, not the line."""

    def __init__(self, content: Content | str = "", **kwargs: Any) -> None:
        super().__init__(content, markup=False, **kwargs)
        # The line as last drawn; the regions that update()'s refresh of the whole
        # widget narrows to; the line those were chosen for.
        self._drawn: Strip | None = None
        self._cells: list[Region] | None = None
        self._expected: Strip | None = None

    def show_cells(self, content: Content) -> None:
        """update(content) without a layout, refreshing the cells that changed."""
        width = self.content_size.width
        if self._drawn is not None and self._drawn.cell_length <= width:
            # As Widget._render_content draws it
            new = Visual.to_strips(self, visualize(self, content, markup=False), width, 1, self.visual_style)[0]
            if new.cell_length <= width:
                spans = changed_spans(_padded(self._drawn, width), _padded(new, width))
                if spans is not None:
                    self._cells = [Region(x1, 0, x2 - x1, 1) for x1, x2 in spans]
                    self._expected = new
        try:
            self.update(content, layout=False)
        finally:
            self._cells = None

    def refresh(self, *regions: Region, **options: Any) -> CellStatic:
        cells = self._cells
        if cells is not None and not regions and not options.get("layout") and not options.get("recompose"):
            self._cells = None
            if not cells:  # a new Content drawn as the old: nothing to write
                return super().refresh(**{**options, "repaint": False})
            # Any region marks the render stale, so the whole line is drawn afresh; the
            # screen writes the regions' cells only.
            return super().refresh(*cells, **options)
        return super().refresh(*regions, **options)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if y == 0:
            expected, self._expected = self._expected, None
            if expected is not None and strip != expected:
                # Drawn otherwise than the cells were chosen for: the rest may differ too.
                self.call_after_refresh(self.refresh)
            self._drawn = strip
        return strip
