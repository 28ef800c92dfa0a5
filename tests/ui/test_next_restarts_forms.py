"""RESTARTS and NEXT on a narrow terminal: one form per column, elapsed times that never
read as countdowns, and digits never cut (a k9s user's findings at 80x24 and 50x12)."""

from __future__ import annotations

import re

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope
from podtui.ui.next_text import compact
from podtui.ui.pod_table import compact_restarts, keep_count
from podtui.ui.table_layout import layout_columns
from tests.ui.harness import make_app, settle

T0 = 1714557600.0  # 10:00:00 UTC
ISO = "2024-05-01T{}Z"


def _crashing(name: str, restarts: int, finished: str) -> dict:
    """A container in back-off after `restarts` restarts, the last one ended at `finished`."""
    return {
        "metadata": {"name": name, "namespace": "demo", "uid": f"u-{name}", "creationTimestamp": ISO.format("09:00:00")},
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "c", "ready": False, "restartCount": restarts, "image": "x", "imageID": "",
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ISO.format("09:59:00"),
                                         "finishedAt": ISO.format(finished)}}}]},
    }


def _app(clock: ManualClock):
    items = [SourceStatus("live", T0, "", "pods"),
             Change("pods", "ADDED", _crashing("crash-a", 1, "09:59:58"), T0),  # "1 (2s ago)"
             Change("pods", "ADDED", _crashing("crash-b", 2, "09:59:50"), T0),  # "2 (10s ago)"
             Change("pods", "ADDED", _crashing("crash-c", 5, "09:58:00"), T0)]  # "5 (2m ago)"
    return make_app(items, clock, Scope(context="podtui-demo", namespace="demo"))


def _cells(table, key: str) -> list[str]:
    layout = table._current_layout()
    x, w = next((x, w) for c, x, w in layout.columns if c.key == key)
    return [table.render_line(y).text[x:x + w].strip() for y in range(1, 1 + len(table.index))]


@pytest.mark.parametrize("columns", [60, 66, 70, 80, 200])
async def test_restarts_has_one_form_per_column_every_second(columns):
    clock = ManualClock(T0)
    app = _app(clock)
    async with app.run_test(size=(columns, 10)) as pilot:
        await settle(pilot)
        forms = set()
        for _ in range(8):  # "5 (2m ago)" grows to "5 (2m1s ago)", "2 (10s ago)" ...
            cells = _cells(app.table, "restarts")
            with_ago = {c.endswith(" ago)") for c in cells}
            # Before, at 80x24: "1 (2s ago)" above "2 (10s)"; "5 (2m ago)" then "5 (2m1s)".
            assert len(with_ago) == 1, cells
            forms |= with_ago
            clock.advance(1)
            await settle(pilot)
        if columns == 200:  # kubectl's own text where there is room
            assert forms == {True} and "5 (2m7s ago)" in cells


def test_an_elapsed_next_keeps_its_ago():
    for width in range(8, 18):
        for text in ("deleted 2m19s ago", "deleted 2m4s ago", "deleted 45s ago"):
            shown = keep_count(compact(text, width), width)
            assert len(shown) <= width
            # Before: "deleted 2m19s" at 16 cells, which reads as a timer.
            assert shown == "…" or shown.endswith(" ago"), (width, shown)
    # One wording for every deleted row at a width, whatever its time's length.
    assert {compact(t, 16).split()[0] for t in ("deleted 2m19s ago", "deleted 2m4s ago", "deleted 9s ago")} == {"gone"}


@pytest.mark.parametrize("text", ["pull retry in 62s", "restart in 72s", "restart in 3m55s", "liveness ~2/3",
                                  "waiting on finalizer for 7m35s", "deleted 2m19s ago", "SIGKILL in 18s"])
@pytest.mark.parametrize("width", range(1, 17))
def test_next_never_cuts_a_count(text, width):
    count = re.search(r"(~?\d\S*)(?: ago)?$", text).group(0)
    shown = keep_count(compact(text, width), width)
    assert len(shown) <= width
    # Before: "pull 6", "res… 7" (the screen's edge cut "62s", "72s").
    assert shown == "…" or shown.endswith(count), shown


def test_restarts_too_narrow_for_its_time_keeps_the_count():
    assert compact_restarts("12 (4m14s ago)", 8) == "12"  # not "12 (4m1…"
    assert compact_restarts("12 (4m14s ago)", 10) == "12 (4m14s)"


def test_at_50_columns_next_keeps_its_countdown_whole():
    # The screen's edge used to cut the last column: at 50x12, "pull 6" for "pull in 62s".
    layout = layout_columns(49, {"namespace": 5, "name": 20, "ready": 3, "status": 22, "restarts": 11,
                                 "restarts:compact": 7, "age": 3, "next": 16}, namespace=True, wide=None)
    total = sum(w for _, _, w in layout.columns) + layout.gap * (len(layout.columns) - 1)
    assert total <= 49
    next_width = dict((c.key, w) for c, _, w in layout.columns)["next"]
    assert keep_count(compact("pull retry in 62s", next_width), next_width) in ("62s", "pull 62s", "pu… 62s")


@pytest.mark.parametrize("text", ["waiting on finalizer for 7m35s", "readiness fails", "deleted 4m59s ago",
                                  "restart in 4m59s", "pull retry in 4m59s",
                                  "past grace by 30s", "deadline in 4m59s", "waiting on readiness gate"])
def test_the_short_forms_fit_the_15_cells_next_has_at_80_columns(text):
    demo = {"namespace": 5, "name": 26, "ready": 3, "status": 26, "restarts": 11, "restarts:compact": 7, "age": 3,
            "next": 25}
    width = dict((c.key, w) for c, _, w in layout_columns(79, demo, namespace=True, wide=None).columns)["next"]
    assert width >= 15  # before: 14, and "finali… 7m35s", "readiness fai…"
    shown = compact(text, width)
    assert len(shown) <= width and "…" not in keep_count(shown, width), shown


def _fixture_cells(table, key: str) -> list[str]:
    layout = table._current_layout()
    x, w = next((x, w) for c, x, w in layout.columns if c.key == key)
    return [table.render_line(y).text[x:x + w].strip() for y in range(1, table.size.height)]


@pytest.mark.parametrize("how", ["as is", "sorted by restarts", "with a scrollbar"])
async def test_at_80_columns_next_stays_whole_as_restarts_grows_with_the_clock(how):
    # The fixture at 80 columns: at t+0 "finalizer 3m50s"; at t+40s indexer-0's
    # "2 (95s)" read "2 (2m15s)", took a cell from NEXT and left "finaliz… 4m30s";
    # sorted by RESTARTS its arrow did the same, and with a scrollbar NAME went to 13.
    from tests.ui.harness import fixture_app
    app = fixture_app()
    async with app.run_test(size=(80, 12 if how == "with a scrollbar" else 24)) as pilot:
        if how == "sorted by restarts":
            app.table.sort_by("restarts")
        await settle(pilot)
        at_first = {c.key: w for c, _, w in app.table._current_layout().columns}
        for _ in range(4):
            app.clock.advance(10)
            await settle(pilot)
            widths = {c.key: w for c, _, w in app.table._current_layout().columns}
            assert widths["next"] >= at_first["next"] and widths["name"] >= at_first["name"], widths
            assert all("…" not in c for c in _fixture_cells(app.table, "next"))
            # RESTARTS gave up its time's seconds ("2 (2m)"), not NEXT its words.
            restarts = _fixture_cells(app.table, "restarts")
            assert all("…" not in c for c in restarts), restarts
