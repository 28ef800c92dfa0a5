"""The `:` command line and tab: k9s users complete with it, and the line must keep
the focus and close with esc whatever happened."""

from __future__ import annotations

from podtui.ui.pods_screen import PodsScreen, namespace_completions
from tests.ui.harness import fixture_app, settle


def test_ns_completes_known_namespaces_and_all():
    assert namespace_completions("ns ba", ["batch", "shop"]) == ("ns ", ["batch"])
    assert namespace_completions("ns ", ["shop", "batch"]) == ("ns ", ["all", "batch", "shop"])
    assert namespace_completions("help ", ["batch"])[1] == []


async def test_tab_completes_a_namespace_and_enter_switches_to_it():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.pods_screen
        await pilot.press("colon", *"ns ba", "tab")
        # Before: tab moved the focus to the table, with ":ns ba" left on screen.
        assert app.focused is screen.command_input and screen.command_input.value == "ns batch"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PodsScreen) and not screen.command_line.has_class("-shown")
        table = app.table
        shown = [table.records[uid].namespace for uid in table.index.uids(0, len(table.index))]
        assert shown and set(shown) == {"batch"}


async def test_tab_with_nothing_to_complete_keeps_the_line_and_esc_closes_it():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.pods_screen
        await pilot.press("colon", *"ns de", "tab")
        assert app.focused is screen.command_input and screen.command_input.value == "ns de"
        await pilot.press("escape")
        # Before: esc cleared the filter instead, and the half-typed ":ns de" stayed.
        assert not screen.command_line.has_class("-shown") and app.focused is app.table
        await pilot.press("colon", *"ns de", "tab", "enter")
        await settle(pilot)
        # Before: enter opened the selected pod's detail.
        assert isinstance(app.screen, PodsScreen)


async def test_tab_again_steps_through_the_names_and_shift_tab_back():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = app.pods_screen.command_input
        await pilot.press("colon", *"ns ", "tab")
        assert line.value == "ns all"
        await pilot.press("tab")
        assert line.value == "ns batch"
        await pilot.press("tab")
        assert line.value == "ns shop"
        await pilot.press("shift+tab")
        assert line.value == "ns batch" and app.focused is line


async def test_esc_closes_a_command_line_the_focus_left():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.pods_screen
        await pilot.press("slash", *"shop", "enter", "colon", *"ns sh")
        await pilot.click(screen.table)  # the focus goes to the list
        await pilot.pause()
        assert app.focused is app.table
        await pilot.press("escape")
        assert not screen.command_line.has_class("-shown")
        assert screen.filter_input.value == "shop"  # the filter stays


async def test_tab_in_the_filter_keeps_the_focus_there():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sh", "tab", *"op")
        # Before: tab moved the focus to the list, which took "o" and "p" as keys.
        assert app.focused is app.pods_screen.filter_input and app.pods_screen.filter_input.value == "shop"
