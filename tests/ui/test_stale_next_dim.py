"""While the data is stale (the bar says "data 12s old"), NEXT's countdowns keep running
on the clock but on what was true then: the column is muted, so they read as estimates,
and takes its colours back when the stream is live again."""

from __future__ import annotations

from podtui.lifecycle.changes import SourceStatus
from tests.ui.harness import fixture_app, settle


def next_style(app, needle: str):
    """The style of the NEXT segment containing `needle`, on whichever visible row shows it."""
    for y in range(1, app.table.size.height):
        for segment in app.table.render_line(y):
            if needle in segment.text:
                return segment.style
    raise AssertionError(f"no row shows {needle!r}")


async def test_next_is_muted_while_the_data_is_stale_and_coloured_again_when_live():
    app = fixture_app()
    clock = app.clock
    t0 = clock.time()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        live = next_style(app, "deadline in")  # not the cursor's row: its colours win
        assert live == next_style(app, "deadline in")  # the same when drawn again
        app.feed._queue.put(SourceStatus("reconnecting", t0, "connection refused", "pods", retry_at=t0 + 30))
        clock.set(t0 + 0.5)
        await settle(pilot)
        assert "old" not in app.pods_screen.status_bar.text  # within the second: no news, NEXT as it was
        assert next_style(app, "deadline in") == live
        clock.set(t0 + 5)
        await settle(pilot)
        assert "data 5s old" in app.pods_screen.status_bar.text
        stale = next_style(app, "deadline in")
        assert stale != live and stale.dim and not live.dim
        assert next_style(app, "SIGKILL in") == stale  # every countdown, whatever its severity
        # A NEXT that did not change since it was drawn is repainted too (the line cache
        # keys on staleness), and so is a step with no countdown: it is as old.
        assert next_style(app, "waiting on readiness gate") == stale
        app.feed._queue.put(SourceStatus("live", t0 + 6, "", "pods"))
        clock.set(t0 + 6)
        await settle(pilot)
        assert "old" not in app.pods_screen.status_bar.text
        assert next_style(app, "deadline in") == live


async def test_rows_drawn_before_are_repainted_once_when_staleness_changes():
    # The line cache keys on staleness: an unchanged row drawn live is not reused stale.
    app = fixture_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        live = next_style(app, "waiting on readiness gate")
        drawn = app.table.lines_rendered
        app.table.set_stale(True)
        assert next_style(app, "waiting on readiness gate").dim and not live.dim
        assert app.table.lines_rendered > drawn
        drawn = app.table.lines_rendered
        app.table.set_stale(True)  # no change: nothing drawn again
        next_style(app, "waiting on readiness gate")
        assert app.table.lines_rendered == drawn
        app.table.set_stale(False)
        assert next_style(app, "waiting on readiness gate") == live
