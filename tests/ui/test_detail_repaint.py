"""The detail view writes to the terminal only what changed on it: each second, an
unchanged pod nothing, a countdown its own line (a slow SSH link pays for every row)."""

from __future__ import annotations

import pytest
from textual._compositor import ChopsUpdate, LayoutUpdate

from tests.ui.harness import fixture_app, settle


class Rows:
    """The screen rows the app sends to the terminal, by wrapping App._display (called
    headless too, with what a terminal would be sent)."""

    def __init__(self, app) -> None:
        self.rows: list[int] = []
        self.spans: list[tuple[int, int, int]] = []  # (row, first cell, past the last)
        display = app._display

        def spy(screen, renderable):
            if isinstance(renderable, ChopsUpdate):
                self.rows += [y for y, _x1, _x2 in renderable.spans]
                self.spans += renderable.spans
            elif isinstance(renderable, LayoutUpdate):
                region = renderable.region
                self.rows += list(range(region.y, region.bottom))
                self.spans += [(y, region.x, region.right) for y in range(region.y, region.bottom)]
            return display(screen, renderable)

        app._display = spy


async def ticks(app, pilot, seconds: int) -> None:
    for _ in range(seconds):
        app.clock.advance(1)
        app.tick()
        await pilot.pause()


def changed_rows(screen, pane, before: tuple[str, list[str]]) -> list[int]:
    """The screen rows whose text differs from `before` (the title's, the pane's lines)."""
    title, lines = before
    top, bottom = pane._body.region.y, pane.region.bottom
    rows = [0] if screen._title_content.plain != title else []
    return rows + [top + y for y, (a, b) in enumerate(zip(lines, pane.text.splitlines()))
                   if a != b and top + y < bottom]


def shown(screen, pane) -> tuple[str, list[str]]:
    return screen._title_content.plain, pane.text.splitlines()


@pytest.mark.parametrize("key", ["conditions", "yaml", "events", "phase", "containers", "timeline"])
async def test_each_second_writes_only_the_rows_whose_text_changed(key):
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f8c6b5-x2x7q", key)
        await settle(pilot)
        await ticks(app, pilot, 1)
        screen = app.screen
        pane = screen.panes[key]
        rows = Rows(app)
        written = []
        # The list below ticks too (its AGE column, its bar's clock): none of it shows here.
        for _ in range(3):
            before = shown(screen, pane)
            await ticks(app, pilot, 1)
            written.append(changed_rows(screen, pane, before))
            assert len(before[1]) == len(pane.text.splitlines())
        assert sorted(rows.rows) == sorted(sum(written, [])), f"{key}: changed {written}"
        if key == "yaml":
            assert rows.rows == []  # nothing in it moves with the clock
        if key in ("containers", "timeline"):
            assert 0 < len(set(rows.rows)) < pane.region.height  # their "…s ago": those lines
            # "(49m ago)" -> "(50m ago)": the digits are written, not the line.
            assert all(x2 - x1 <= 2 for _y, x1, x2 in rows.spans), rows.spans
        # And the screen reads the new text (no line left from before in a cache).
        strips = screen._compositor.render_strips()
        top, x = pane._body.region.y, pane._body.region.x
        for y, line in enumerate(pane.text.splitlines()[:pane.region.bottom - top]):
            assert strips[top + y].text[x:].rstrip(" ▁▔▇█▌▐│┃").rstrip() == line.rstrip()
