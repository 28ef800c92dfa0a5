"""Textual's private parts podtui leans on, where Textual has no public way: each fails
here, by name, if an upgrade changes its shape, rather than as a notice that silently
stays on screen or a test that reads nothing."""

from __future__ import annotations

import inspect

from textual.app import App
from textual.notifications import Notification, Notifications

from tests.ui.conftest import notices
from tests.ui.harness import fixture_app, settle


def test_app_unnotify_still_takes_a_notification():
    # PodtuiApp.take_back_notice calls App._unnotify(notification).
    params = list(inspect.signature(App._unnotify).parameters)
    assert params[:2] == ["self", "notification"], f"Textual's App._unnotify is now {params}: see take_back_notice"


async def test_a_notice_taken_back_leaves_the_app_and_its_toasts():
    app = fixture_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:  # toasts shown
        await settle(pilot)
        kept = app._post_notice("kept", timeout=30)
        gone = app._post_notice("taken back", timeout=30)
        await pilot.pause()
        # notices(app) reads App._notifications: Notification objects, oldest first.
        assert isinstance(app._notifications, Notifications), "Textual's App._notifications changed: see notices()"
        assert isinstance(kept, Notification) and notices(app) == ["kept", "taken back"]
        assert len(app.screen.query("Toast")) == 2
        app.take_back_notice(gone)
        await pilot.pause()
        assert notices(app) == ["kept"]
        assert len(app.screen.query("Toast")) == 1  # off the screen too, not only out of the list


async def test_the_list_below_an_opaque_detail_still_counts_as_showing_through():
    # DetailScreen.refresh drops region refreshes while it is opaque because Textual
    # (8.2, App._background_screens) repaints on the top screen every region the screen
    # below refreshes, opaque or not. When this fails, Textual stopped counting it: the
    # override can go (or must change, if the property is gone).
    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        below = app.screen
        app.open_detail(app.table.cursor_uid)
        await pilot.pause()
        assert app.screen is not below and app.screen.styles.background.a == 1
        assert below in app._background_screens, "Textual no longer shows the list through the detail: see DetailScreen.refresh"


def test_a_partial_update_is_still_written_from_each_widgets_left_edge():
    # PodsScreen's CellCompositor writes a refreshed region's cells only, because Textual
    # 8.2's ChopsUpdate writes each widget's part of a line from its left edge to the
    # region's end ("TODO: crop to x extents"), and builds it as (chops, spans,
    # chop_ends). When this fails, Textual crops itself: podtui.ui.cell_writes can go.
    from rich.console import Console
    from rich.segment import Segment
    from textual._compositor import ChopsUpdate, Compositor
    from textual.strip import Strip

    assert "render_partial_update" in vars(Compositor), "Textual's Compositor changed: see cell_writes"
    chops = [{0: Strip([Segment("x" * 80)])}]
    data = ChopsUpdate(chops, [(0, 70, 72)], [[80]]).render_segments(Console(width=80, force_terminal=True))
    assert data.endswith("x" * 72), "Textual writes the cells of a span only now: see podtui.ui.cell_writes"


def test_a_footer_key_still_says_its_action_and_renders_its_text():
    # podtui.ui.key_footer reads textual.widgets._footer.FooterKey (no public name) for
    # the width each key takes (render()) and which keys to keep (action).
    from textual.widgets._footer import FooterKey

    key = FooterKey("question_mark", "?", "Help", "help")
    assert key.action == "help", "Textual's FooterKey changed: see podtui.ui.key_footer"
    assert "render" in vars(FooterKey), "Textual's FooterKey changed: see podtui.ui.key_footer._width"


async def test_static_update_still_refreshes_the_whole_widget_through_refresh():
    # podtui.ui.cell_writes.CellStatic narrows the refresh that Static.update asks for
    # (refresh() with no region) to the cells that changed. When Textual updates another
    # way, the bar and the detail's title would repaint nothing or everything.
    from textual.app import App as _App
    from textual.widgets import Static

    calls = []

    class Spy(Static):
        def refresh(self, *regions, **options):
            calls.append((regions, options.get("layout", False)))
            return super().refresh(*regions, **options)

    class One(_App):
        def compose(self):
            yield Spy("a")

    async with One().run_test() as pilot:
        spy = pilot.app.query_one(Spy)
        calls.clear()
        spy.update("b", layout=False)
        assert calls and calls[0] == ((), False), f"Static.update now refreshes as {calls}: see CellStatic.refresh"


def test_a_screen_still_paints_through_its_own_compositor_attribute():
    # PodsScreen and DetailScreen put a CellCompositor in Screen._compositor: if Textual
    # renamed it, or stopped painting through it, the override would do nothing and only
    # byte counts would show it, without the cause.
    from textual._compositor import Compositor
    from textual.screen import Screen

    assert isinstance(Screen().__dict__.get("_compositor"), Compositor), "Screen._compositor changed: see cell_writes"
    source = inspect.getsource(Screen._compositor_refresh)
    assert "self._compositor.render_update(" in source, "Screen paints otherwise now: see cell_writes.CellCompositor"
