"""A pod deleted from the API stays listed for a while with its final state. Its last
STATUS ("Running" after a force delete) read as if it still ran: the table says
"Deleted" (and sorts and filters it so), the detail view keeps the last STATUS."""

from __future__ import annotations

import copy

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from tests.ui.harness import make_app, settle
from tests.ui.test_repaint import T0, pod


def named(i: int, name: str) -> dict:
    p = pod(i)
    p["metadata"]["name"] = name
    return p


def rows(table) -> list[str]:
    return [table.render_line(y).text for y in range(1, len(table.index) + 1)]


def status_cell(table, position: int) -> tuple[str, object]:
    """The STATUS cell's text and its style, as drawn."""
    layout = table._current_layout()
    _, x, width = next(c for c in layout.columns if c[0].key == "status")
    strip = table.render_line(position + 1 - int(table.scroll_y)).crop(x, x + width)
    segments = [s for s in strip if s.text.strip()]
    return strip.text.strip(), segments[0].style if segments else None


async def test_a_force_deleted_running_pod_reads_deleted_not_running():
    gone = named(1, "b-gone")
    items = [Change("pods", "ADDED", named(0, "a-live"), T0), Change("pods", "ADDED", gone, T0),
             Change("pods", "ADDED", named(2, "c-live"), T0)]
    final = copy.deepcopy(gone)  # force-deleted: its last version still says Running
    final["metadata"]["resourceVersion"] = "2"
    items.append(Change("pods", "DELETED", final, T0 + 5))
    clock = ManualClock(T0 + 10)
    app = make_app(items, clock)
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        table = app.table
        assert app.store.pods["uid-1"].row.status == "Running"  # the model keeps kubectl's last
        names = [table.records[u].name for u in table.index.uids(0, 3)]
        live, deleted = status_cell(table, names.index("a-live")), status_cell(table, names.index("b-gone"))
        assert live[0] == "Running" and deleted[0] == "Deleted"
        assert deleted[1].color != live[1].color
        assert "deleted 5s ago" in rows(table)[names.index("b-gone")]

        await pilot.press("S")  # by STATUS: the deleted pod sorts as what it shows
        assert [table.records[u].name for u in table.index.uids(0, 3)] == ["b-gone", "a-live", "c-live"]
        for text, shown in [("deleted", ["b-gone"]), ("!deleted", ["a-live", "c-live"]),
                            ("running", ["a-live", "c-live"])]:
            table.set_filter(text)
            await pilot.pause()
            assert sorted(table.records[u].name for u in table.index.uids(0, 3)) == shown, text


async def test_the_detail_view_keeps_a_deleted_pods_last_status():
    gone = named(1, "b-gone")
    final = copy.deepcopy(gone)
    final["metadata"]["resourceVersion"] = "2"
    items = [Change("pods", "ADDED", gone, T0), Change("pods", "DELETED", final, T0 + 5)]
    app = make_app(items, ManualClock(T0 + 10))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.open_detail("uid-1", pane="phase")
        await pilot.pause()
        title = str(app.screen._title.render())
        assert "default/b-gone  Deleted  was Running" in title
        phase = app.screen.panes["phase"].text
        assert "Running  (kubectl's last)" in phase and "removed from the API 5s ago" in phase


async def test_a_pod_found_gone_on_relist_reads_deleted_at_least_that_long_ago():
    from podtui.lifecycle.store import RELIST_NOTE

    items = [Change("pods", "ADDED", named(0, "a-watched"), T0), Change("pods", "ADDED", named(1, "b-relisted"), T0)]
    watched = copy.deepcopy(named(0, "a-watched"))
    watched["metadata"]["resourceVersion"] = "2"
    items.append(Change("pods", "DELETED", watched, T0 + 5))
    # The watch last read at T0+2; the relist at T0+5 found b-relisted gone.
    relisted = copy.deepcopy(named(1, "b-relisted"))
    relisted["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(T0 + 2)
    items.append(Change("pods", "DELETED", relisted, T0 + 5, synthetic=True))
    app = make_app(items, ManualClock(T0 + 10))
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        shown = {row.split()[1]: row for row in rows(app.table)}
        # A DELETED the watch read: when it went, as before.
        assert "deleted 5s ago" in shown["a-watched"] and "≥" not in shown["a-watched"]
        # Before: "deleted 5s ago", as if it went when the relist found it.
        assert "deleted ≥5s ago" in shown["b-relisted"]


async def test_a_relist_at_the_instant_of_the_watchs_last_read_still_reads_at_least():
    from podtui.lifecycle.store import RELIST_NOTE

    # The watch last read at T0+5, the relist's own time (a manual clock, a replay): still
    # a relist's finding, not a DELETED the watch read (before: "deleted 5s ago").
    relisted = copy.deepcopy(named(1, "b-relisted"))
    relisted["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(T0 + 5)
    items = [Change("pods", "ADDED", named(1, "b-relisted"), T0),
             Change("pods", "DELETED", relisted, T0 + 5, synthetic=True)]
    app = make_app(items, ManualClock(T0 + 10))
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        assert "deleted ≥5s ago" in rows(app.table)[0]


async def test_a_relisted_tombstones_next_is_planned_as_wide_as_its_age_grows():
    # "≥" is not ASCII: its text was measured as it was ("deleted ≥9s ago", 15 cells),
    # not at its widest, so NEXT widened as the age gained a digit ("≥10s").
    from podtui.lifecycle.store import RELIST_NOTE
    from tests.ui.test_table_widths import widths

    relisted = copy.deepcopy(named(1, "b-relisted"))
    relisted["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(T0 + 2)
    items = [Change("pods", "ADDED", named(1, "b-relisted"), T0),
             Change("pods", "DELETED", relisted, T0 + 5, synthetic=True)]
    clock = ManualClock(T0 + 14)
    app = make_app(items, clock)
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        assert "deleted ≥9s ago" in rows(app.table)[0]
        before = widths(app.table)["next"]
        assert before == len("deleted ≥4m59s ago")
        clock.advance(1)
        await settle(pilot)
        assert "deleted ≥10s ago" in rows(app.table)[0] and widths(app.table)["next"] == before
