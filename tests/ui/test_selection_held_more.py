"""The selection kept as Esc keeps it (see test_selection_kept): leaving a detail by the
command palette selects its pod too, and the palette's pod commands from a detail act
on that pod."""

from __future__ import annotations

from podtui.ui.detail_screen import DetailScreen
from tests.ui.harness import settle
from tests.ui.test_selection_kept import crashing_app, filtered, highlighted, phase, selected


async def _palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*command)
    await pilot.pause(0.3)  # the palette's search runs as a worker
    await pilot.press("enter")
    await pilot.pause()


async def test_leaving_a_detail_by_the_palette_selects_its_pod_as_esc_does():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.start()
        await settle(pilot)
        assert selected(app) == "bad-image"
        app.open_detail("uid-default-oom")  # opened not from its row
        await pilot.pause()
        await _palette(pilot, "Filter pods")
        assert not isinstance(app.screen, DetailScreen)
        await pilot.press("escape")  # out of the filter prompt
        await pilot.pause()
        assert selected(app) == "oom" and highlighted(app) == ["oom"]  # was: bad-image


async def test_leaving_a_hidden_pods_detail_by_the_palette_holds_it():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, feed)
        assert selected(app) == "bad-image"
        app.open_detail("uid-default-crashloop")
        await pilot.pause()
        await phase(pilot, feed, "crashloop", "Running", 1)  # hidden by /!Running
        app.back_to_pods(lambda: None)
        await pilot.pause()
        assert selected(app) == "crashloop" and app.table.held and highlighted(app) == []


async def test_the_palettes_pod_commands_on_a_detail_act_on_its_pod():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.start()
        await settle(pilot)
        app.open_detail("uid-default-oom")
        await pilot.pause()
        await _palette(pilot, "Copy pod name")
        assert app.clipboard == "oom"  # was: bad-image, the list's row
