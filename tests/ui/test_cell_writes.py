"""PodsScreen's partial updates write the cells refreshed, not the line up to them
(podtui.ui.cell_writes; that Textual still needs it: test_textual_private.py)."""

from __future__ import annotations

import re

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from podtui.ui.cell_writes import CellCompositor, CellUpdate
from tests.ui.harness import fixture_app, settle

STYLE = Style(color="red", bgcolor="black")


@pytest.fixture
def console() -> Console:
    return Console(color_system="truecolor", force_terminal=True, width=80)


def update(kind: type[ChopsUpdate], spans: list[tuple[int, int]], *chops: tuple[int, str]) -> ChopsUpdate:
    """An update of screen line 0, cut into chops (x, text): widgets side by side."""
    line = {x: Strip([Segment(text, STYLE)]) for x, text in chops}
    ends = [[x + len(text) for x, text in chops]]
    return kind([line], [(0, x1, x2) for x1, x2 in spans], ends)


def text_of(data: str) -> str:
    """The characters written, escapes left out."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data)


def test_a_span_writes_its_cells_in_each_widget_it_crosses(console):
    data = update(CellUpdate, [(70, 72)], (0, "a" * 80)).render_segments(console)
    assert text_of(data) == "aa" and "\x1b[1;71H" in data
    data = update(CellUpdate, [(38, 42)], (0, "a" * 40), (40, "b" * 40)).render_segments(console)
    assert text_of(data) == "aabb" and "\x1b[1;39H" in data and "\x1b[1;41H" in data
    # Two spans on one line: their cells (Textual wrote the line up to each, twice)
    data = update(CellUpdate, [(3, 4), (70, 71)], (0, "a" * 80)).render_segments(console)
    assert text_of(data) == "aa"
    assert text_of(update(ChopsUpdate, [(3, 4), (70, 71)], (0, "a" * 80)).render_segments(console)) == "a" * 75


def test_a_span_in_a_line_of_wide_characters_is_written_from_the_widgets_edge(console):
    # Half of a two-cell character can't be written: a terminal would draw neither half.
    data = update(CellUpdate, [(5, 6)], (0, "网" * 40)).render_segments(console)
    assert text_of(data) == "网网网"  # from the widget's edge to the span's end, as Textual does


async def test_the_pod_list_is_written_so():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.pods_screen._compositor, CellCompositor)
