"""The bar's scope keeps the form it was cut to at a width: "all namespaces" read "-A"
at 999 pods and "all namespaces" again at 1000, or the other way round, on every
count change near the edge (a seek, a growing cluster)."""

from __future__ import annotations

from textual.app import App

from podtui.lifecycle.changes import SourceStatus
from podtui.ui.status_bar import BarState, StatusBar, status_line

T0 = 1714557600.0


def state(pods: int, scope: str = "") -> BarState:
    return BarState(context="podtui-demo", scope=scope, source=SourceStatus("live", T0, "", "pods"),
                    shown=pods, total=pods)


class BarApp(App):
    def compose(self):
        yield StatusBar(id="bar")


def test_the_edge_case_this_is_about():
    # At 48 cells "999 pods" leaves room for "all namespaces", "1000 pods" does not.
    assert "all namespaces" in status_line(state(999), T0, 48).plain
    assert "-A" in status_line(state(1000), T0, 48).plain


async def test_once_cut_to_minus_a_the_scope_stays_so_at_that_width():
    app = BarApp()
    async with app.run_test(size=(50, 3)) as pilot:  # 48 cells inside the bar's padding
        bar = app.query_one(StatusBar)
        assert bar.content_size.width == 48
        bar.show(state(999), T0)
        assert "all namespaces" in bar.text
        seen = []
        for pods in (1000, 999, 1000, 998):
            bar.show(state(pods), T0)
            seen.append(bar.text.split(" │ ")[1])
        assert seen == ["-A"] * 4
        bar.show(state(999, "shop"), T0)  # another scope: its own form
        assert "shop" in bar.text
        await pilot.resize_terminal(100, 3)
        await pilot.pause()
        bar.show(state(999), T0)
        assert "all namespaces" in bar.text  # a new width: decided again


async def test_a_kept_minus_a_grows_back_once_the_room_has_stayed_free():
    app = BarApp()
    async with app.run_test(size=(50, 3)) as pilot:  # 48 cells: "all namespaces" fits 999 pods, not 1000
        bar = app.query_one(StatusBar)
        await pilot.pause()
        bar.show(state(1000), T0)
        assert "-A" in bar.text
        for t in range(1, 31):  # the count at the edge: still no flipping
            bar.show(state(999 if t % 3 else 1000), T0 + t)
            assert bar.text.split(" │ ")[1] == "-A", t
        for t in range(31, 40):
            bar.show(state(999), T0 + t)
            assert "-A" in bar.text
        # Before: -A for good, whatever room there was later.
        bar.show(state(999), T0 + 41)
        assert "all namespaces" in bar.text


async def test_a_kept_minus_a_grows_back_at_once_when_the_clock_goes_back():
    app = BarApp()
    async with app.run_test(size=(50, 3)) as pilot:
        bar = app.query_one(StatusBar)
        await pilot.pause()
        bar.show(state(1000), T0 + 60)
        assert "-A" in bar.text
        bar.show(state(20), T0 + 3)  # a replay sought back to 0:03: 20 pods
        assert "all namespaces" in bar.text


async def test_the_room_is_timed_afresh_for_a_minus_a_kept_again_after_another_scope():
    app = BarApp()
    async with app.run_test(size=(50, 3)) as pilot:
        bar = app.query_one(StatusBar)
        await pilot.pause()
        bar.show(state(1000), T0)
        bar.show(state(999), T0 + 1)  # kept -A, the room free since T0+1
        bar.show(state(999, "shop"), T0 + 2)  # another scope a while: nothing kept to time
        bar.show(state(1000), T0 + 8)  # -A again
        bar.show(state(999), T0 + 9)  # the room free since T0+9
        bar.show(state(999), T0 + 12)
        # Before: timed from T0+1, the first -A's, it grew back at T0+11.
        assert bar.text.split(" │ ")[1] == "-A"
        bar.show(state(999), T0 + 19)
        assert "all namespaces" in bar.text
