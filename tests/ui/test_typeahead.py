"""Keys that arrive together: over a slow SSH link, what was typed during a stall
comes in one read, and the app queues it all before acting on the first key."""

from __future__ import annotations

import pytest
from textual import events
from textual.screen import Screen

from tests.ui.conftest import notices
from tests.ui.harness import fixture_app, settle
from tests.ui.test_pilot import visible_names

_CHARACTERS = {"slash": "/", "colon": ":", "enter": "\r", "escape": "\x1b", "backspace": "\x7f",
               "left": None, "delete": None}


def burst(app, keys: list[str]) -> None:
    """Queue every key before the app handles any, as one read from the terminal does."""
    for key in keys:
        app.post_message(events.Key(key, _CHARACTERS.get(key, key)))


async def test_a_filter_typed_in_one_burst_reaches_the_input():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        burst(app, ["slash", *"crashy", "enter"])
        await settle(pilot)
        # Before: "crashy" went to the table (its keys sorting and moving), the
        # filter opened empty, and enter opened the first pod.
        assert visible_names(app) == ["crashy-5c6b9d-kq8zt"]
        assert app.pods_screen.filter_input.value == "crashy"
        assert app.focused is app.table


async def test_a_slash_typed_into_the_filter_is_text():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "a", "slash", "b")
        assert app.focused is app.pods_screen.filter_input
        assert app.pods_screen.filter_input.value == "a/b"
        await pilot.press("escape")
        assert app.focused is app.table and app.pods_screen.filter_input.value == ""


@pytest.mark.parametrize("auto_focus", [True, False], ids=["auto-focus", "no-auto-focus"])
async def test_a_namespace_typed_in_one_burst_after_n_is_picked(auto_focus, monkeypatch):
    # Textual's auto-focus gives the picker's input focus as the screen composes, but
    # the picker must not depend on it (a screen's AUTO_FOCUS, a Textual upgrade).
    if not auto_focus:
        monkeypatch.setattr(Screen, "_update_auto_focus", lambda self: None)
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        burst(app, ["n", *"bat", "enter"])
        await settle(pilot)
        # Before: "bat" reached no one and enter took the first option, all namespaces;
        # without auto-focus, the input's focus() was queued behind "bat" and enter,
        # which went to the picker screen and were lost.
        assert app.view_namespace == "batch"
        assert app.screen is app.pods_screen
        assert {app.table.records[u].namespace for u in app.table.index.uids(0, 99)} == {"batch"}


async def test_n_typed_into_the_filter_is_text():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nginx")
        assert app.pods_screen.filter_input.value == "nginx"
        assert app.screen is app.pods_screen



async def test_a_pane_key_typed_right_after_enter_picks_the_pane():
    from podtui.ui.detail_screen import PANE_KEYS, DetailScreen

    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        burst(app, ["enter", "7"])
        await settle(pilot)
        # Before: the 7 reached the list before the detail opened, and was lost.
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.active == PANE_KEYS[6]


async def test_a_k9s_command_typed_in_one_burst_after_colon_runs():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        burst(app, ["colon", *"ns batch", "enter"])
        await settle(pilot)
        # Before: ":" did nothing and "ns batch" went to the table (n opened the picker).
        assert app.view_namespace == "batch"
        assert app.screen is app.pods_screen and app.focused is app.table
        burst(app, ["colon", *"ns all", "enter"])
        await settle(pilot)
        assert app.view_namespace is None


async def test_a_command_line_is_left_with_esc_and_a_wrong_one_says_what_works():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"web", "enter", "colon", *"ns /x")
        assert app.pods_screen.command_input.value == "ns /x"  # "/" and "n" are text here
        await pilot.press("escape")
        assert app.focused is app.table and app.pods_screen.filter_input.value == "web"
        await pilot.press("colon", *"deploy", "enter")
        assert "unknown command :deploy; try :ns NAME" in notices(app)[-1]
        await pilot.press("colon", "q", "enter")
        await pilot.pause()
        assert app.return_code == 0


async def scrolled(pilot) -> None:
    """Settle, then one more turn: scroll keys are applied after the refresh that
    settle's pause ends with (see InstantKeyScroll)."""
    await settle(pilot)
    await pilot.pause()


async def test_keys_read_at_once_scroll_a_pane_and_the_help_each_time():
    app = fixture_app()
    async with app.run_test(size=(80, 12)) as pilot:
        await settle(pilot)
        burst(app, ["enter", "9", "j", "j"])
        await scrolled(pilot)
        pane = app.screen.panes["yaml"]
        # Before: a scroll made at once right after the pane switch found no text laid
        # out yet, and stayed at the top.
        assert pane.scroll_y == 2
        burst(app, ["j"] * 10)
        await scrolled(pilot)
        # Before: each scroll waited for the next refresh and started from the same
        # line: ten j (a held key) moved the YAML one line.
        assert pane.scroll_y == 12
        burst(app, ["g", "ctrl+f", "ctrl+f", "k"])
        await scrolled(pilot)
        assert pane.max_scroll_y > 2 * pane.scrollable_content_region.height
        assert pane.scroll_y == 2 * pane.scrollable_content_region.height - 1
        await pilot.press("question_mark")
        burst(app, ["j"] * 4)
        await scrolled(pilot)
        assert app.screen.scroller.scroll_y == 4

@pytest.mark.parametrize(("keys", "pane", "moved"), [(["y", "G"], "yaml", True), (["d", "7"], "timeline", False)])
async def test_keys_typed_right_after_y_or_d_reach_the_detail_screen(keys, pane, moved):
    from podtui.ui.detail_screen import DetailScreen

    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, keys)
        await scrolled(pilot)
        # Before: the second key reached the list before the detail opened (G moved the
        # list's cursor to the last pod; 7 was lost).
        assert isinstance(app.screen, DetailScreen) and app.screen.active == pane
        assert app.table.cursor == 0
        assert (app.screen.panes[pane].scroll_y > 0) is moved


async def test_d_y_and_x_typed_into_the_filter_are_text():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"dyx")
        assert app.pods_screen.filter_input.value == "dyx"
        assert app.screen is app.pods_screen


async def test_a_command_typed_in_one_burst_on_the_detail_screen_runs_on_the_list():
    from podtui.ui.detail_screen import DetailScreen

    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        burst(app, ["colon", *"ns batch", "enter"])
        await settle(pilot)
        # Before: ":" did nothing there, and "ns batch" went to the detail's keys.
        assert app.screen is app.pods_screen and app.view_namespace == "batch"


@pytest.mark.parametrize("keys", [["enter", "9", "G"], ["y", "G"]], ids=["enter-9-G", "y-G"])
async def test_G_read_with_the_pane_switch_reaches_the_end_of_wrapped_text(keys):
    app = fixture_app()
    async with app.run_test(size=(40, 20)) as pilot:
        await settle(pilot)
        burst(app, keys)
        await scrolled(pilot)
        pane = app.screen.panes["yaml"]
        # Before: the YAML was first built unwrapped (the pane had no width yet), G
        # scrolled that layout, and the re-wrap at 37 columns added lines below:
        # 24 of 27.
        assert pane.max_scroll_y > 0 and pane.scroll_y == pane.max_scroll_y
        assert pane.builds == 1


@pytest.mark.parametrize("key", ["enter", "y"])
async def test_a_pod_opened_right_after_moves_read_with_it_is_the_one_moved_to(key):
    from podtui.ui.detail_screen import DetailScreen

    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        third = app.table.index.uids(0, 3)[2]
        burst(app, ["j", "j", key])
        await settle(pilot)
        # Before: enter ran when the app read it, the j's after it: the first pod opened.
        assert isinstance(app.screen, DetailScreen) and app.screen.uid == third
        assert app.table.cursor == 2


async def test_a_filter_typed_and_left_in_one_burst_leaves_the_keys_after_it_to_the_list():
    from podtui.ui.detail_screen import DetailScreen

    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, ["slash", *"shpx", "backspace", "backspace", *"op", "enter", "j", "enter"])
        await settle(pilot)
        # Before: the backspaces acted after the text typed after them ("shpxop"...),
        # and enter moved the focus too late: "j" and the second enter went into the
        # filter, and no pod opened.
        assert app.pods_screen.filter_input.value == "shop"
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.uid == app.table.index.uids(0, 3)[1]
        assert app.table.records[app.screen.uid].namespace == "shop"


async def test_a_command_typed_in_one_burst_leaves_the_keys_after_it_to_the_list():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, ["colon", *"ns batch", "enter", "slash", *"x"])
        await settle(pilot)
        # Before: "/x" was typed on the command line, after the command had run.
        assert app.view_namespace == "batch"
        assert app.pods_screen.filter_input.value == "x" and app.focused is app.pods_screen.filter_input
