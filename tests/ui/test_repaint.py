"""The table repaints only what changed on screen; countdowns repaint only themselves."""

from __future__ import annotations

import copy

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.lifecycle.times import format_ts
from tests.ui.harness import make_app, settle

T0 = 1714557600.0


def pod(i: int, *, created: float = T0 - 7200, ready: bool = True, deleting_at: float | None = None) -> dict:
    p = {"metadata": {"name": f"pod-{i:04d}", "namespace": "default", "uid": f"uid-{i}",
                      "creationTimestamp": format_ts(created), "resourceVersion": "1"},
         "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "img"}]},
         "status": {"phase": "Running", "containerStatuses": [
             {"name": "c", "ready": ready, "restartCount": 0, "state": {"running": {"startedAt": format_ts(created)}}}]}}
    if deleting_at is not None:
        p["metadata"]["deletionTimestamp"] = format_ts(deleting_at)
        p["metadata"]["deletionGracePeriodSeconds"] = 30
    return p


class Spy:
    """Records what the table asks Textual to repaint: the lines (as refresh_line counts
    them, the header 0) of its region refreshes, and the regions (cells of a line)."""

    def __init__(self, table) -> None:
        self.lines: list[int] = []
        self.regions: list = []
        self.full = 0
        full = table.refresh

        def refresh(*args, **kwargs):
            if not args:
                self.full += 1
            else:  # refresh_line's too
                self.lines += sorted({region.y + int(table.scroll_y) for region in args})
                self.regions += args
            return full(*args, **kwargs)

        table.refresh = refresh

    def reset(self) -> None:
        self.lines.clear()
        self.regions.clear()
        self.full = 0


async def test_an_offscreen_change_repaints_nothing_and_a_visible_one_one_line():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(500)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        spy = Spy(app.table)
        changed = pod(400, ready=False)
        changed["metadata"]["resourceVersion"] = "2"
        app.feed._queue.put(Change("pods", "MODIFIED", changed, T0))
        app.drain()
        assert app.store.pods["uid-400"].row.ready == "0/1"
        assert spy.lines == [] and spy.full == 0
        changed = pod(3, ready=False)
        changed["metadata"]["resourceVersion"] = "2"
        app.feed._queue.put(Change("pods", "MODIFIED", changed, T0))
        app.drain()
        assert spy.lines == [4] and spy.full == 0  # row 3 is screen line 4 (the header is line 0)
        await pilot.pause()
        assert "0/1" in app.table.render_line(4).text


async def test_rendered_lines_are_cached_by_pod_version():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(100)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        before = app.table.lines_rendered
        for y in range(1, app.table.size.height):
            app.table.render_line(y)
        assert app.table.lines_rendered == before  # nothing changed: every line from the cache


async def test_the_clock_tick_repaints_only_rows_whose_time_text_changed():
    clock = ManualClock(T0)
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(50)]
    items.append(Change("pods", "ADDED", pod(50, created=T0 - 30), T0))  # young: AGE moves every second
    items.append(Change("pods", "ADDED", pod(51, deleting_at=T0 + 20), T0))  # SIGKILL countdown
    app = make_app(items, clock)
    async with app.run_test(size=(120, 70)) as pilot:
        await settle(pilot)
        spy = Spy(app.table)
        clock.advance(1)
        app.tick()
        assert sorted(spy.lines) == [51, 52] and spy.full == 0  # the young pod's AGE and the countdown
        # "30s" -> "31s", "in 20s" -> "in 19s": their digits, not their rows
        assert sorted(region.width for region in spy.regions) == [1, 2]
        await pilot.pause()
        assert "SIGKILL in 19s" in app.table.render_line(52).text and "31s" in app.table.render_line(51).text


async def test_the_tick_counts_a_changed_rows_time_cells_once_not_again_as_it_draws_them():
    clock = ManualClock(T0)
    items = [Change("pods", "ADDED", pod(0), T0), Change("pods", "ADDED", pod(1, created=T0 - 30), T0)]
    app = make_app(items, clock)
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        counted: list[str] = []
        count = app.table._count_dynamic

        def counting(uid, version, dynamic):
            counted.append(uid)
            return count(uid, version, dynamic)

        app.table._count_dynamic = counting
        clock.advance(1)
        app.tick()
        await pilot.pause()
        assert "31s" in app.table.render_line(2).text  # the young pod's AGE moved and is drawn
        assert counted == ["uid-1"]  # by the tick; was twice (the tick, then render_line)


def counting_next_steps(table) -> list[str]:
    """The uids PodTable asks NEXT of, in order (its next_step wrapped)."""
    asked: list[str] = []
    step = table._next_step

    def counting(record, now):
        asked.append(record.uid)
        return step(record, now)

    table._next_step = counting
    return asked


async def test_the_tick_works_out_a_changed_rows_next_once_not_again_as_it_draws_it():
    clock = ManualClock(T0)
    items = [Change("pods", "ADDED", pod(0), T0), Change("pods", "ADDED", pod(1, deleting_at=T0 + 20), T0)]
    app = make_app(items, clock)
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        asked = counting_next_steps(app.table)
        clock.advance(1)
        app.tick()
        await pilot.pause()  # draws the changed row
        # Once per visible row, by the tick; the changed row was asked again as drawn.
        assert sorted(asked) == ["uid-0", "uid-1"]
        assert "SIGKILL in 19s" in app.table.render_line(2).text


async def test_a_row_drawn_after_its_pod_changed_or_the_clock_moved_on_is_worked_out_afresh():
    """What the tick worked out is drawn only for the pod version and the second it was
    worked out for: NEXT never shows an older pod, nor an older second than a fresh draw."""
    clock = ManualClock(T0)
    items = [Change("pods", "ADDED", pod(0), T0), Change("pods", "ADDED", pod(1, deleting_at=T0 + 20), T0)]
    app = make_app(items, clock)
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        clock.advance(1)
        app.tick()  # SIGKILL in 19s worked out, not drawn yet
        clock.advance(1)
        assert "SIGKILL in 18s" in app.table.render_line(2).text
        clock.advance(1)
        app.tick()  # in 17s
        changed = pod(1, deleting_at=T0 + 40)
        changed["metadata"]["resourceVersion"] = "2"
        app.feed._queue.put(Change("pods", "MODIFIED", changed, T0 + 3))
        app.drain()
        assert "SIGKILL in 37s" in app.table.render_line(2).text


async def test_detail_countdown_ticks_without_rebuilding_other_panes():
    clock = ManualClock(T0)
    # Seen an hour ago, so "ago" texts in other panes read in minutes and stay put.
    app = make_app([Change("pods", "ADDED", pod(1, created=T0 - 3600, deleting_at=T0 + 20), T0 - 3600)], clock)
    async with app.run_test(size=(160, 48)) as pilot:  # grid: every pane on screen
        await settle(pilot)
        app.open_detail("uid-1", pane="termination")
        await pilot.pause()
        screen = app.screen
        paints = {k: p.paints for k, p in screen.panes.items()}
        texts = {k: p.text for k, p in screen.panes.items()}
        clock.advance(1)
        app.tick()
        await pilot.pause()
        repainted = {k for k, p in screen.panes.items() if p.paints != paints[k]}
        changed = {k for k, p in screen.panes.items() if p.text != texts[k]}
        assert repainted == changed  # a pane repaints exactly when its text changed
        assert "termination" in repainted and "in 19s" in screen.panes["termination"].text
        assert not repainted & {"conditions", "containers", "backoff", "probes", "events"}


async def test_a_burst_is_applied_in_slices_and_all_of_it_arrives():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(3000)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(100, 30)) as pilot:
        first = app.pump()
        assert 0 < first < 3000  # a budget per pump: input and painting get their turn
        app.drain()
        await pilot.pause()
        assert app.table.visible_count == 3000


@pytest.mark.parametrize("value", ["1", ""])
async def test_no_color_is_respected(monkeypatch, value):
    monkeypatch.setenv("NO_COLOR", value)
    app = make_app([Change("pods", "ADDED", pod(1), T0)], ManualClock(T0))
    assert app.no_color
    # The terminal's own colours, which Textual's NO_COLOR filter then strips (with
    # truecolor themes it greyed them instead: 256-colour greys on a dark background).
    assert app.native_ansi_color
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert app.table.visible_count == 1


async def test_replay_keys_drive_the_replay_controls():
    from tests.ui.harness import load_fixture

    items, clock, scope = load_fixture()

    class Controls:
        epoch = 0
        playing = True
        speed = 1.0
        position = clock.time()
        start_time = position - 3600
        end_time = position
        at_end = False

        def __init__(self):
            self.calls = []

        def toggle(self):
            self.calls.append("toggle")
            self.playing = not self.playing

        def step(self):
            self.calls.append("step")

        def seek(self, t):
            self.calls.append(("seek", round(t - self.position)))

        def seek_next_change(self, uid):
            self.calls.append(("next", uid))
            return True

        def set_speed(self, speed):
            self.speed = speed

    controls = Controls()
    app = make_app(items, clock, scope, replay=controls)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "▶ replay 10:00:00 1:00:00/1:00:00" in app.pods_screen.status_bar.text
        await pilot.press("space")
        assert "⏸ replay" in app.pods_screen.status_bar.text
        await pilot.press("full_stop", "right_square_bracket", "left_curly_bracket", "plus", "plus")
        assert controls.speed == 4.0 and "×4" in app.pods_screen.status_bar.text
        await pilot.press("greater_than_sign")
        assert controls.calls == ["toggle", "step", ("seek", 10), ("seek", -60), ("next", app.table.cursor_uid)]
        controls.epoch = 1  # a backwards seek: the app starts from an empty store
        app.pump()
        assert app.table.visible_count == 0


async def test_replay_keys_do_nothing_without_a_replay():
    app = make_app([Change("pods", "ADDED", pod(1), T0)], ManualClock(T0))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert app.check_action("replay_toggle", ()) is False
        await pilot.press("space")
        assert "replay" not in app.pods_screen.status_bar.text


async def test_a_tick_that_brings_a_pod_change_builds_each_detail_pane_once():
    clock = ManualClock(T0)
    app = make_app([Change("pods", "ADDED", pod(1, created=T0 - 3600, deleting_at=T0 + 20), T0 - 3600)], clock)
    async with app.run_test(size=(160, 48)) as pilot:  # grid: every pane but the YAML on screen
        await settle(pilot)
        app.open_detail("uid-1", pane="termination")
        await pilot.pause()
        screen = app.screen
        builds = {k: p.builds for k, p in screen.panes.items()}
        changed = copy.deepcopy(app.store.pods["uid-1"].obj)
        changed["metadata"]["resourceVersion"] = "2"
        changed["metadata"]["labels"] = {"new": "label"}
        clock.advance(1)
        app.store.apply_batch([Change("pods", "MODIFIED", changed, clock.time())])
        app.tick()  # the change and the clock reach the panes in the same tick
        await pilot.pause()
        rebuilt = {k: p.builds - builds[k] for k, p in screen.panes.items()}
        assert rebuilt == {k: 0 if k == "yaml" else 1 for k in screen.panes}
        assert "in 19s" in screen.panes["termination"].text
        screen.refresh_panes()  # again within the same second: nothing to rebuild
        assert {k: p.builds - builds[k] for k, p in screen.panes.items()} == rebuilt


async def test_a_pane_without_clock_is_not_rebuilt_by_the_tick():
    clock = ManualClock(T0)
    app = make_app([Change("pods", "ADDED", pod(1, deleting_at=T0 + 20), T0)], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("uid-1", pane="yaml")
        await pilot.pause()
        pane = app.screen.panes["yaml"]
        builds = pane.builds
        for _ in range(3):
            clock.advance(1)
            app.tick()
        await pilot.pause()
        assert pane.builds == builds and "name: pod-0001" in pane.text


async def test_the_table_forgets_the_pods_that_left_the_store():
    clock = ManualClock(T0)
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(3)]
    items.append(Change("pods", "DELETED", pod(1), T0))
    app = make_app(items, clock, store_options={"tombstone_ttl": 10})
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        table = app.table
        assert "uid-1" in table._static_cells and "uid-1" in table._shown_dynamic
        clock.advance(11)
        app.tick()
        await pilot.pause()
        assert "uid-1" not in app.store.pods
        for cache in (table._static_cells, table._shown_dynamic):
            assert "uid-1" not in cache and "uid-0" in cache


async def test_rows_scrolled_sideways_are_cached_too():
    # The -o wide columns on a narrow terminal make a layout wider than the table: it
    # was taken for a stale one at every line drawn, and every row was built again.
    from tests.ui.harness import fixture_app

    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        table = app.table
        assert table._current_layout().width > table._row_width()
        for y in range(1, 10):
            table.render_line(y)
        built = table.lines_rendered
        await pilot.press("l")  # scrolled a column sideways: the same rows, cropped elsewhere
        assert table.x_offset > 0
        for y in range(1, 10):
            table.render_line(y)
        assert table.lines_rendered == built
