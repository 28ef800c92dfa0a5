"""The selection kept as Esc keeps it (see test_selection_kept): leaving a detail by the
command palette selects its pod too, the palette's pod commands from a detail act on
that pod, and the bar says which pod is selected while the list does not show it."""

from __future__ import annotations

from podtui.lifecycle.changes import SourceStatus
from podtui.ui.detail_screen import DetailScreen
from podtui.ui.help_screen import HelpScreen
from podtui.ui.status_bar import BarState, status_line
from tests.ui.conftest import notices
from tests.ui.harness import settle
from tests.ui.test_selection_kept import (T0, crashing_app, filtered, highlighted, oom_opened_off_its_row, phase,
                                          selected)


async def _palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*command)
    await pilot.pause(0.3)  # the palette's search runs as a worker
    await pilot.press("enter")
    await pilot.pause()


async def test_leaving_a_detail_by_the_palette_selects_its_pod_as_esc_does():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await oom_opened_off_its_row(app, pilot, feed)
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
        await oom_opened_off_its_row(app, pilot, feed)
        await _palette(pilot, "Copy pod name")
        assert app.clipboard == "oom"  # was: bad-image, the list's row
        await pilot.press("question_mark")  # the palette from Help over the detail: still its pod
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await _palette(pilot, "Pod YAML")
        assert isinstance(app.screen, DetailScreen) and app.screen.uid == "uid-default-oom"  # was: bad-image's
        assert [s.uid for s in app.screen_stack if isinstance(s, DetailScreen)] == ["uid-default-oom"]


def test_the_bar_says_which_pod_is_selected_while_not_shown():
    state = BarState(context="podtui-demo", scope="all namespaces", total=20, shown=4, filter_text="!Running",
                     source=SourceStatus("live", T0, "", "pods"), events_per_s=3, held="demo/crashloop")
    assert status_line(state, T0).plain == ("podtui-demo │ all namespaces │ ● live │ 4/20 pods │ 3 ev/s │ /!Running"
                                            " │ selected: demo/crashloop, not shown │ 10:00:00 UTC")
    assert status_line(state, T0, 80).plain == \
        "podtui-demo │ -A │ ● live │ 4/20 pods │ selected: demo/crashloop, not shown"



def test_a_bar_without_room_for_the_held_pods_name_still_says_one_is_selected():
    # 80 columns, a real cluster's context and pod name: the whole note takes 38 cells,
    # and the bar dropped it (was: "prod-eu-west-1 │ -A │ ● live │ 6/2300 pods (3 deleted)").
    state = BarState(context="prod-eu-west-1", scope="all namespaces", total=2300, shown=6, deleted=3,
                     filter_text="web", source=SourceStatus("live", T0, "", "pods"), events_per_s=12,
                     held="shop/web-7d9f8c6b5-x2x7q")
    assert status_line(state, T0, 80).plain == \
        "prod-eu-west-1 │ -A │ ● live │ 6/2300 pods (3 deleted) │ selection not shown"
    assert status_line(state, T0, 78).plain == status_line(state, T0, 80).plain  # the bar's cells at 80


async def test_the_bar_shows_a_held_selection_until_the_pod_is_shown_again():
    app, feed = crashing_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await filtered(pilot, feed, "j")
        assert "not shown" not in app.pods_screen.status_bar.text
        await phase(pilot, feed, "crashloop", "Running", 1)
        assert "│ selected: default/crashloop, not shown │" in app.pods_screen.status_bar.text
        await phase(pilot, feed, "crashloop", "Pending", 4)
        assert "not shown" not in app.pods_screen.status_bar.text


async def test_esc_to_a_held_pod_says_so_in_one_notice():
    # The table's CursorMoved and the screen's resume both said it in one frame: the
    # second took back the first before it was shown, which did nothing, and two stood.
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, feed)
        app.open_detail("uid-default-crashloop")  # not the list's selection: Esc moves it
        await pilot.pause()
        await phase(pilot, feed, "crashloop", "Running", 1)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert [m for m in notices(app) if "not shown" in m] == [
            "default/crashloop is not shown now: still selected, the keys act on it and the cursor goes back to "
            "it when it is shown (j/k: a pod shown)"]


async def test_j_and_k_on_an_empty_list_keep_the_held_pod():
    # Before: the empty list's j dropped the selection (cursor_uid None, held False), and
    # crashloop, shown again at its next restart, came back unselected.
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.start()
        await settle(pilot)
        await pilot.press("slash", *"crashloop !Running", "enter", "j")
        assert selected(app) == "crashloop" and not app.table.held
        await phase(pilot, feed, "crashloop", "Running", 1)  # the list is empty
        assert app.table.visible_count == 0 and selected(app) == "crashloop" and app.table.held
        await pilot.press("j", "k")
        assert selected(app) == "crashloop" and app.table.held
        await phase(pilot, feed, "crashloop", "Pending", 2)  # shown again: selected
        assert selected(app) == "crashloop" and not app.table.held and highlighted(app) == ["crashloop"]
