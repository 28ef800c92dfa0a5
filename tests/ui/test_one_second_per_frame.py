"""Every row on screen shows the same second: a row a change repaints is drawn at the
clock's now, so the others follow as soon as the whole second turns, not on the tick's
own phase (pods made in the same second read 118s and 119s in one frame)."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from tests.ui.harness import make_app, settle
from tests.ui.test_repaint import T0, pod


def ages(app) -> set[str]:
    """The AGE values on the screen as drawn (a screenshot, not a fresh render)."""
    shot = app.export_screenshot()
    return {age for age in ("117s", "118s", "119s", "120s") if age in shot}


async def test_a_change_after_the_second_turned_leaves_no_row_a_second_behind():
    created = T0 - 118
    app = make_app([Change("pods", "ADDED", pod(i, created=created), T0) for i in range(3)], ManualClock(T0 + 0.5))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)  # the tick at T0+0.5: every AGE 118s
        assert ages(app) == {"118s"}
        app.clock.advance(0.7)  # the second has turned; the next tick is 0.3 s away
        changed = pod(1, created=created, ready=False)
        app.feed._queue.put(Change("pods", "MODIFIED", changed, app.clock.time()))
        app.pump()
        await pilot.pause()
        assert ages(app) == {"119s"}  # before: {"118s", "119s"} until the tick
