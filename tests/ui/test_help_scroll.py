"""The help is several screens long at 80x24: its scrollbar shows, its footer says how
to page it; and it says how kubectl reaches the cluster podtui shows (the demo's too)."""

from __future__ import annotations

from textual.color import Color

from tests.ui.harness import fixture_app, settle
from tests.ui.test_pilot import own_footer_keys


async def open_help(app, pilot):
    await settle(pilot)
    await pilot.press("question_mark")
    await pilot.pause()
    return app.screen


async def test_the_help_footer_says_how_to_page_it_and_the_keys_do():
    # Before: the footer said only "esc Close help", over 3½ screens of help.
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_help(app, pilot)
        shown = own_footer_keys(app)
        assert shown == ["Page up", "Page down", "Close help"]
        scroller = screen.scroller
        assert scroller.max_scroll_y > scroller.scrollable_content_region.height  # more than a screen more
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroller.scroll_y == scroller.scrollable_content_region.height
        await pilot.press("pageup")
        await pilot.pause()
        assert scroller.scroll_y == 0


async def test_the_help_scrollbar_stands_out_from_its_track():
    # Before: the theme's thumb (#005f5f-ish on #1c1c1c) read as no scrollbar at all.
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_help(app, pilot)
        styles = screen.scroller.styles
        thumb, track = styles.scrollbar_color, styles.scrollbar_background
        assert track.a == 1 and abs(Color.from_rich_color(thumb.rich_color).brightness - track.brightness) > 0.3
        assert screen.scroller.show_vertical_scrollbar


async def test_the_help_says_how_kubectl_reaches_this_cluster():
    # Before: the demo's kubeconfig was named only in the pop-up after c.
    flags = ("--kubeconfig", "/tmp/podtui-demo-x1/kubeconfig", "--context", "podtui-demo")
    app = fixture_app(kubectl_flags=flags)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(app, pilot)
        lines = str(screen.help_text.render()).splitlines()
        assert lines[0] == "This cluster"
        assert lines[1].split() == ["for", "kubectl", *flags]
    app = fixture_app()  # no flags to give (a replay, in a pod): nothing said
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_help(app, pilot)
        assert "This cluster" not in str(screen.help_text.render())
