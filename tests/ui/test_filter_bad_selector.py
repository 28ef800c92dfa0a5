"""A filter whose -l selector cannot be parsed: its words still filter the list, and
the bar says the selector is not applied for as long as the filter holds it (a toast
said it, then went, and the list showed every pod under `/shop -l app in (web`)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from podtui.lifecycle.changes import SourceStatus
from podtui.ui.pod_filter import parse_filter
from podtui.ui.status_bar import BarState, status_line
from tests.ui.harness import fixture_app, settle

T0 = 1714557600.0  # 10:00:00 UTC


def shown_namespaces(app) -> set[str]:
    table = app.table
    return {table.records[uid].namespace for uid in table.index.uids(0, len(table.index))}


async def test_a_bad_selector_is_said_in_the_bar_and_its_words_still_filter():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.pods_screen
        total = app.table.index.total
        await pilot.press("slash", *"shop -l app in (web", "enter")
        await settle(pilot)
        assert screen.filter_input.value == "shop -l app in (web"
        assert shown_namespaces(app) == {"shop"} and 0 < app.table.visible_count < total
        for _ in range(10):  # the toast's time and more: the bar still says it
            app.clock.advance(1)
            app.tick()
        await pilot.pause()
        bar = screen.status_bar.text
        assert f"{app.table.visible_count}/{total} pods" in bar
        assert "│ -l 'app in (web' not applied" in bar, bar
        await pilot.resize_terminal(160, 24)
        await pilot.pause()
        assert ("│ -l 'app in (web' not applied: unable to parse requirement: found '', expected: ',' or ')'"
                in screen.status_bar.text), screen.status_bar.text
        # Mended, the word goes.
        await pilot.press("slash", "end", ")", "enter")
        await settle(pilot)
        assert screen.filter_input.value == "shop -l app in (web)"
        assert "not applied" not in screen.status_bar.text
        assert [app.table.records[uid].name for uid in app.table.index.uids(0, len(app.table.index))] == [
            "web-7d9f8c6b5-x2x7q"]
        await pilot.press("escape")
        await settle(pilot)
        assert "not applied" not in screen.status_bar.text and app.table.visible_count == total


@pytest.mark.parametrize(("width", "selector"), [(80, "app in (web"), (60, "app in (web"),
                                                  (80, "app in (web not applied")])
def test_a_narrow_bar_keeps_not_applied_whole_where_the_cut_reaches_its_floor(width, selector):
    # At these widths the reason is cut down to its floor: what is left out stays whole,
    # also when the selector's own text says "not applied" (the bar cut the error there).
    f = parse_filter(f"shop -l {selector}")
    state = BarState(context="podtui-demo", scope="all namespaces", total=23, shown=6,
                     source=SourceStatus("live", T0, "", "pods"), filter_text=f.text,
                     filter_error=f.error, filter_left_out=f.left_out)
    text = status_line(state, T0, width).plain
    assert cell_len(text) <= width
    assert text.endswith(f"│ 6/23 pods │ -l '{selector}' not applied"), text
