"""An open pod's moving times write their digits to the terminal, not the line up to
them, in its title and panes (a slow SSH link pays for each byte), and the terminal
then reads what a full repaint would show."""

from __future__ import annotations

import pytest

from tests.ui.harness import fixture_app, settle
from tests.ui.test_table_cells import Terminal, changed, hull, ticks


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])  # tabs, the grid
@pytest.mark.parametrize("key, seconds", [("phase", 30), ("timeline", 1)])  # Phase's times move by the minute
async def test_each_second_an_open_pod_writes_the_cells_that_changed(size, key, seconds):
    app = fixture_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f8c6b5-x2x7q", key)
        await settle(pilot)
        await ticks(app, pilot)
        term = Terminal(app)
        moved = 0
        for _ in range(3):
            before = term.shows()
            term.reset()
            await ticks(app, pilot, seconds)
            after = term.shows()
            assert term.cells == after  # the terminal reads what a full repaint shows
            for y in range(size[1]):
                sent = {x for row, x in term.written if row == y}
                diff = changed(before, after, y)
                # "(49m ago)" -> "(50m ago)": the digits, not the line from the pane's edge
                assert sent <= hull(diff), (y, sorted(sent), sorted(diff), term.row(y))
                moved += bool(diff)
        assert moved  # something did move with the clock


async def test_the_titles_countdown_writes_its_digits():
    # "next: restart in 12s" -> 11s: the digit, not the title's line
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        now = app.clock.time()
        steps = [uid for uid, record in app.store.pods.items()
                 if record.deleted_at is None and app.next_step(record, now) is not None]
        moved = 0
        for uid in steps:
            app.open_detail(uid, "yaml")  # a pane that does not move with the clock
            await settle(pilot)
            term = Terminal(app)
            before = term.shows()
            await ticks(app, pilot)
            after = term.shows()
            assert term.cells == after
            diff = changed(before, after, 0)
            sent = {x for row, x in term.written if row == 0}
            assert sent <= hull(diff), (uid, sorted(sent), sorted(diff), term.row(0))
            moved += bool(diff)
            await pilot.press("escape")
            await pilot.pause()
        assert moved, steps
