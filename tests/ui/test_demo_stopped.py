"""`podtui demo --stop-after`: the cluster stops and its clock stands still with it, so
the timers hold where they were (a countdown to a restart that never comes would run
out into "overdue"). The bar says so in place of "● live", whose frozen clock read as a
hung screen."""

from __future__ import annotations

from podtui.clock import ManualClock, ScaledClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope, StaticFeed
from podtui.ui.app import PodtuiApp
from podtui.ui.status_bar import BarState, status_line
from tests.ui.harness import TEST_ENV, settle

T0 = 1714557600.0  # 10:00:00 UTC


def _pod(i: int) -> Change:
    return Change("pods", "ADDED", {
        "metadata": {"name": f"web-{i}", "namespace": "shop", "uid": f"u{i}", "creationTimestamp": "2024-05-01T09:59:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, T0)


ITEMS = [SourceStatus("live", T0, "", "pods"), *(_pod(i) for i in range(20))]


def test_the_bar_says_stopped_after_in_place_of_live_and_keeps_it_narrow():
    state = BarState(context="podtui-demo", scope="all namespaces", total=20, shown=20,
                     source=SourceStatus("live", T0, "", "pods"), stopped_after=30.0)
    assert status_line(state, T0 + 30).plain == \
        "podtui-demo │ all namespaces │ ■ stopped after 30s │ 20 pods │ 0 ev/s │ 10:00:30 UTC"
    assert status_line(state, T0 + 30, 40).plain == "pod…demo │ ■ stopped after 30s │ 20 pods"  # kept whole
    # A connection in trouble is still the news: the frozen cluster is not what failed.
    down = BarState(context="podtui-demo", scope="all namespaces", total=20, shown=20, stopped_after=30.0,
                    source=SourceStatus("reconnecting", T0, "connection refused", "pods", retry_at=T0 + 34))
    assert "reconnecting in 4s: connection refused" in status_line(down, T0 + 30).plain


def test_a_scaled_clock_says_after_how_long_it_stood_still():
    clock = ScaledClock(speed=4, start=T0)
    assert clock.stopped_after is None
    clock.freeze(T0 + 90)
    assert clock.stopped_after == 90 and clock.time() == T0 + 90


class StoppingClock(ManualClock):
    """A ScaledClock's say, on a clock that moves only when told (no wall time in the test)."""

    stopped_after: float | None = None


async def test_a_demo_stopped_by_stop_after_says_so_on_the_bar_and_its_timers_hold():
    clock = StoppingClock(T0)
    app = PodtuiApp(StaticFeed(ITEMS, Scope(context="podtui-demo")), clock, theme="podtui-dark", timers=False,
                    environ=TEST_ENV)
    async with app.run_test(size=(100, 10)) as pilot:
        await settle(pilot)
        assert "│ ● live │ 20 pods" in app.pods_screen.status_bar.text
        clock.set(T0 + 30)
        clock.stopped_after = 30.0
        await settle(pilot)
        bar = app.pods_screen.status_bar.text
        assert bar.startswith("podtui-demo │ all namespaces │ ■ stopped after 30s │ 20 pods"), bar
        assert bar.endswith("10:00:30 UTC")
