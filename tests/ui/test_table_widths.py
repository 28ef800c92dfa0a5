"""Column widths follow the pods shown now, as k9s sizes its columns to its rows: a long
value that went (deleted and expired, filtered out, changed) gives its width back, on
the tick or the keypress, not with every countdown, and without a walk over every pod."""

from __future__ import annotations

import copy
import re

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.ui.pod_table import NARROW_AFTER
from tests.ui.harness import fixture_app, make_app, settle
from tests.ui.test_repaint import T0, pod

LONG = "a-pod-with-a-name-much-longer-than-the-others-x7k2p"  # 51


def named(i: int, name: str) -> dict:
    p = pod(i)
    p["metadata"]["name"] = name
    return p


def widths(table) -> dict[str, int]:
    return {c.key: w for c, _, w in table._current_layout().columns}


def modified(p: dict, rv: int) -> dict:
    p = copy.deepcopy(p)
    p["metadata"]["resourceVersion"] = str(rv)
    return p


async def test_a_long_name_filtered_out_or_expired_gives_its_width_back():
    long = named(9, LONG)
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(3)] + [Change("pods", "ADDED", long, T0)]
    clock = ManualClock(T0)
    app = make_app(items, clock)
    async with app.run_test(size=(200, 12)) as pilot:
        await settle(pilot)
        table = app.table
        assert widths(table)["name"] == len(LONG)
        table.set_filter("pod-000")
        await pilot.pause()
        assert widths(table)["name"] == 10  # pod-0000 (8) under NAME's minimum
        assert all(LONG not in table.render_line(y).text for y in range(table.size.height))
        table.set_filter("")
        await pilot.pause()
        assert widths(table)["name"] == len(LONG)

        app.feed._queue.put(Change("pods", "DELETED", modified(long, 2), T0 + 1))
        clock.advance(1)
        await settle(pilot)
        assert app.store.pods["uid-9"].deleted_at is not None
        assert widths(table)["name"] == len(LONG)  # a tombstone shown is a row like any other
        # Its NEXT ("deleted 119s ago" -> "deleted 2m ago") loses cells as the clock
        # moves: no column narrows with the clock alone.
        before = widths(table)
        seen = set()
        for _ in range(125):
            clock.advance(1)
            await settle(pilot)
            now = widths(table)
            assert all(now[key] >= w for key, w in before.items()), (before, now)
            before = now
            seen.update(re.findall(r"deleted \S+ ago", table.render_line(1).text))
        assert {"deleted 119s ago", "deleted 2m ago"} <= seen
        clock.set(T0 + 1 + app.table.tombstone_ttl + 1)
        await settle(pilot)
        assert "uid-9" not in app.store.pods
        assert widths(table)["name"] == 10


async def test_at_80_columns_a_long_status_gone_gives_name_its_room_back():
    # CreateContainerConfigError (26) squeezed NAME for good, long after the pod went.
    items = [Change("pods", "ADDED", named(i, f"payments-api-7d4b9c8f6d-x{i}x7q"), T0) for i in range(4)]
    stuck = named(4, "payments-api-7d4b9c8f6d-stuck")
    stuck["status"]["phase"] = "Pending"
    stuck["status"]["containerStatuses"][0].update(
        ready=False, state={"waiting": {"reason": "CreateContainerConfigError"}})
    items.append(Change("pods", "ADDED", stuck, T0))
    clock = ManualClock(T0)
    app = make_app(items, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.table
        squeezed = widths(table)
        fixed = copy.deepcopy(stuck)
        fixed["metadata"]["resourceVersion"] = "2"
        fixed["status"]["phase"] = "Running"
        fixed["status"]["containerStatuses"][0].update(
            ready=True, state={"running": {"startedAt": "2024-05-01T08:00:00Z"}})
        app.feed._queue.put(Change("pods", "MODIFIED", fixed, T0))
        await settle(pilot)
        # The same pods: the column holds its width a while (a pod flipping state moved
        # NAME a cell every second or two), then narrows.
        assert widths(table) == squeezed
        clock.advance(NARROW_AFTER - 1)
        await settle(pilot)
        assert widths(table) == squeezed
        clock.advance(1)
        await settle(pilot)
        roomy = widths(table)
        assert roomy["status"] < squeezed["status"] and roomy["status"] == len("STATUS") + 1
        assert roomy["name"] == len("payments-api-7d4b9c8f6d-x0x7q") > squeezed["name"]
        lines = [table.render_line(y).text for y in range(2, 7)]
        assert any("payments-api-7d4b9c8f6d-x0x7q" in line for line in lines), lines


async def test_narrowing_costs_what_changed_not_the_pods_held():
    n = 3000
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(n)]
    long = named(n, LONG)
    items.append(Change("pods", "ADDED", long, T0))
    clock = ManualClock(T0)
    app = make_app(items, clock)
    async with app.run_test(size=(200, 12)) as pilot:
        await settle(pilot)
        table = app.table
        assert widths(table)["name"] == len(LONG)
        statics: list[str] = []
        static = table._static
        table._static = lambda record: (statics.append(record.uid), static(record))[1]
        app.feed._queue.put(Change("pods", "DELETED", modified(long, 2), T0))
        await settle(pilot)
        clock.advance(table.tombstone_ttl + 1)
        await settle(pilot)
        assert f"uid-{n}" not in app.store.pods
        assert widths(table)["name"] == 10
        # The deleted pod and the rows repainted on screen (each row at most three times:
        # the tick's repaint, built then to find its changed cells, the rows moved up as
        # the tombstone went, and the narrower layout's), never the 3,000 others.
        assert len(statics) <= 1 + 3 * table.size.height, len(statics)


async def test_at_80_columns_a_long_kubelet_reason_shows_whole_and_next_keeps_its_countdowns():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.table
        rows = [table.render_line(y).text for y in range(table.size.height)]
        # Before: "ContainerStatusU…", NEXT keeping 16 cells, blank on most rows. Cut for
        # NAME's room, in the middle: its tail tells it apart.
        assert any(" ContainerStatusUnknown " in row or " Contain…sUnknown " in row for row in rows)
        assert any("CrashLoopBackOff" in row and row.rstrip().endswith(" restart 3m55s") for row in rows)
        assert any("Terminating" in row and row.rstrip().endswith(" SIGKILL 18s") for row in rows)


async def test_a_pod_cycling_through_its_states_keeps_its_columns_in_place():
    # The demo's liveness-fail alone under /liveness: its STATUS, RESTARTS and NEXT
    # changed with each restart, and a column narrowed NARROW_AFTER into each quieter
    # state and widened at the next restart: the row jumped sideways every cycle.
    clock = ManualClock(T0)
    calm = named(0, "liveness-fail")
    app = make_app([Change("pods", "ADDED", calm, T0)], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.table
        rv = 1
        seen: list[dict[str, int]] = []
        for cycle in range(4):
            for state in ("stuck", "calm"):
                rv += 1
                p = modified(calm, rv)
                if state == "stuck":
                    p["status"]["containerStatuses"][0].update(
                        ready=False, state={"waiting": {"reason": "CreateContainerConfigError"}})
                app.feed._queue.put(Change("pods", "MODIFIED", p, clock.time()))
                await settle(pilot)
                for _ in range(int(NARROW_AFTER) + 10):  # each state outlasts NARROW_AFTER
                    clock.advance(1)
                    await settle(pilot)
                    if cycle >= 1:  # the first cycle shows each column's widest value
                        seen.append({c.key: x for c, x, _ in table._current_layout().columns})
        assert all(xs == seen[0] for xs in seen), [xs for xs in seen if xs != seen[0]][:2]


async def test_another_pods_one_off_long_status_still_gives_its_cells_back():
    # The hold above is the cycling pod's: another pod's one-off long STATUS, after the
    # first pod's column narrowed once, still gives its cells back (NAME's, at 80
    # columns) after NARROW_AFTER (review: it held until the view changed).
    clock = ManualClock(T0)
    a, b = named(0, "aaa"), named(1, "bbb")
    app = make_app([Change("pods", "ADDED", a, T0), Change("pods", "ADDED", b, T0)], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.table
        calm = widths(table)
        rv = 1
        for p in (a, b):  # each pod once: a long status, then calm for good
            rv += 1
            stuck = modified(p, rv)
            stuck["status"]["containerStatuses"][0].update(
                ready=False, state={"waiting": {"reason": "CreateContainerConfigError"}})
            app.feed._queue.put(Change("pods", "MODIFIED", stuck, clock.time()))
            await settle(pilot)
            assert widths(table)["status"] > calm["status"]
            rv += 1
            app.feed._queue.put(Change("pods", "MODIFIED", modified(p, rv), clock.time()))
            await settle(pilot)
            for _ in range(int(NARROW_AFTER) + 10):
                clock.advance(1)
                await settle(pilot)
            assert widths(table) == calm, p["metadata"]["name"]
