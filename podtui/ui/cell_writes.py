"""A refresh of a few cells writes those cells to the terminal, not the line up to them.

Textual 8.2 writes a partial update (ChopsUpdate.render_segments) widget by widget, each
from the widget's left edge on a screen line to the end of the region refreshed there
(its "TODO: crop to x extents"): the pod list's countdown digit at column 70 rewrote the
70 cells before it, and a line with two changed cells was written twice from column 0.
Over a slow SSH link (8 KB/s) every cell is latency. CellUpdate writes each span's cells
and no more; CellCompositor makes its partial updates so (PodsScreen uses it).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate, Compositor
from textual.strip import Strip


def _one_cell_each(strip: Strip) -> bool:
    """Whether every character of the strip is one cell wide: a cut inside a two-cell
    character would write half of it, which a terminal draws as neither."""
    text = strip.text
    return text.isascii() or all(cell_len(ch) == 1 for ch in text)


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
