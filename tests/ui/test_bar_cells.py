"""The status bar's clock turns each second: over a slow link it writes the digits that
changed, not its line (200 bytes at 200 columns), and the terminal then reads what a
full repaint would show."""

from __future__ import annotations

import pytest

from tests.ui.harness import fixture_app, settle
from tests.ui.test_table_cells import Terminal, changed, each_second, hull, ticking


def bar_row(app) -> int:
    return app.screen.status_bar.region.y


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_each_second_the_bar_writes_the_cells_that_changed_not_its_line(size):
    async with ticking(size) as (app, pilot, term):
        y = bar_row(app)
        async for before, after in each_second(app, pilot, term):
            diff = changed(before, after, y)
            assert diff, term.row(y)  # the clock's second did turn
            sent = {x for row, x in term.written if row == y}
            assert sent <= hull(diff), (sorted(sent), sorted(diff), term.row(y))  # was the whole line


async def test_a_bar_that_changes_width_is_written_whole_and_reads_right():
    # A pod count a digit longer moves everything after it: the cells that moved are
    # written, and nothing of the old line is left behind.
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        term = Terminal(app)
        bar = app.screen.status_bar
        state = app.bar_state()
        state.total, state.shown = 12345, 12345
        bar.show(state, app.clock.time())
        await pilot.pause()
        assert "12345 pods" in term.row(bar_row(app))
        assert term.cells == term.shows()
        state.total, state.shown = 7, 7
        bar.show(state, app.clock.time())
        await pilot.pause()
        assert "7 pods" in term.row(bar_row(app)) and "12345" not in term.row(bar_row(app))
        assert term.cells == term.shows()

