"""The pod table at 80 columns as a k9s user met it: `w w` at 200 columns left the wide
columns forced on after a resize to 80; scrolled sideways, the screen's edge cut IP to
"10.244" with no "…"; and a cut STATUS read "CreateContainer…" (…ConfigError or …Error)."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from tests.ui.harness import fixture_app, make_app, settle
from tests.ui.test_repaint import T0, pod


def lines(app) -> list[str]:
    table = app.table
    return [table.render_line(y).text for y in range(len(table.index) + 1)]


def wide_shown(app) -> bool:
    return any(c.wide for c, _, _ in app.table._current_layout().columns)


async def test_w_twice_on_a_wide_terminal_leaves_the_wide_columns_to_the_width():
    app = fixture_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert wide_shown(app)
        await pilot.press("w")
        assert not wide_shown(app)
        await pilot.press("w")
        assert wide_shown(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not wide_shown(app)  # before: still on, the row scrolling sideways


async def test_a_column_the_right_edge_cuts_is_blank_not_a_shorter_value():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        table = app.table
        layout = table._current_layout()
        room = table._row_width()
        assert layout.width > room
        for _ in range(len(layout.columns)):  # scrolled until the edge cuts a column
            pinned, start = table._scrolled(layout, room)
            cut = [x - start for _, x, w in layout.columns if pinned <= x - start < room < x - start + w]
            if cut:
                break
            await pilot.press("l")
        assert cut, "no column ends past the edge in this fixture"
        x = cut[0]
        rows = lines(app)[1:]
        # Before: "10.244" for "10.244.1.23", read as an address.
        assert all(row[x:room].strip() == "" for row in rows), [row[x:room] for row in rows]
        assert lines(app)[0].endswith("→")


async def test_a_long_kubelet_reason_cut_at_80_columns_keeps_its_tail():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(3)]
    stuck = pod(3)
    stuck["metadata"]["name"] = "payments-api-x7k2p-stuck"
    stuck["status"]["phase"] = "Pending"
    stuck["status"]["containerStatuses"][0].update(
        ready=False, state={"waiting": {"reason": "CreateContainerConfigError"}})
    items.append(Change("pods", "ADDED", stuck, T0))
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = "\n".join(lines(app))
        assert "payments-api-x7k2p-stuck" in shown  # NAME whole first
        assert "CreateC…figError" in shown and "CreateContainer…" not in shown


async def test_countdowns_losing_digits_move_no_column():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.table
        first = {c.key: w for c, _, w in table._current_layout().columns}
        for _ in range(20):
            app.clock.advance(1)
            await settle(pilot)
            now = {c.key: w for c, _, w in table._current_layout().columns}
            assert now == first
