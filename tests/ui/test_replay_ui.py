"""`podtui replay` in the UI: a real ReplayFeed over the shipped demo recording, with a
fake wall clock so that playing moves only when a test says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, item_time
from podtui.sources.recording import read_recording
from podtui.sources.replay import ReplayFeed
from podtui.ui.app import PodtuiApp
from podtui.ui.panes.fmt import clock_time
from tests.ui.conftest import notices
from tests.ui.harness import TEST_ENV, settle

RECORDING = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"


class Wall:
    """The replay's wall clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def replay_app(*, autoplay: bool = False) -> tuple[PodtuiApp, ReplayFeed, Wall]:
    recording = read_recording(RECORDING)
    clock = ManualClock(recording.header.started)
    wall = Wall()
    feed = ReplayFeed(recording, clock, wall=wall, autoplay=autoplay)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, environ=TEST_ENV, replay=feed)
    return app, feed, wall


async def test_the_bar_says_where_in_the_recording_on_80_columns():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.pods_screen.status_bar
        # Before: "⏸ replay at 10:00:00": no position, no length, so no telling how far
        # an incident's recording runs or how much of it is left.
        assert "⏸ replay 10:00:00 0:00/14:51" in bar.text
        await pilot.press("right_curly_bracket", "right_curly_bracket", "plus", "plus", "space")
        await settle(pilot)
        # Pods deleted by now: "all namespaces" gives way to -A to keep their count
        assert "-A │ ▶ replay 10:02:00 2:00/14:51 ×4 │ 24 pods (5 deleted)" in bar.text and len(bar.text) <= 78
        feed.seek(feed.end_time)
        await settle(pilot)
        assert bar.text == "podtui-demo │ -A │ ■ replay 10:14:51 14:51/14:51 end ×4 │ 19 pods (1 deleted)"
        assert "UTC" not in bar.text  # the recorded clock is said once


@pytest.fixture
def one_chunk_a_pump(monkeypatch):
    """A rebuild then takes many pumps: a test sees it under way."""
    import podtui.ui.app as app_module

    monkeypatch.setattr(app_module, "PUMP_BUDGET", 0.0)


def uid_of(app: PodtuiApp, name: str) -> str:
    return next(r.uid for r in app.store.pods.values() if r.name == name)


async def detail_at_14m(pilot, feed: ReplayFeed, pane: str):
    """At 10:14:00, the detail of web-b8tpmz2776-wd4vd (first seen at 10:00:52)."""
    feed.seek(feed.start_time + 14 * 60)
    await settle(pilot)
    pilot.app.open_detail(uid_of(pilot.app, "web-b8tpmz2776-wd4vd"), pane)
    await pilot.pause()
    return pilot.app.screen


async def test_seeking_back_to_before_a_pod_was_seen_does_not_show_its_future():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await detail_at_14m(pilot, feed, "timeline")
        feed.seek(feed.start_time)
        await settle(pilot)
        # Before: "(expired from podtui's memory)", and the timeline went on with the
        # pod's changes "in 58s", "in 53s": what the recording holds after 10:00:00.
        title = str(screen.query_one("#detail-title").render())
        assert "not seen yet: first seen at 10:00:52, > goes there" in title
        assert "expired" not in title
        assert not screen.query_one("#panes").display
        await pilot.press("greater_than_sign")  # to its first change
        await settle(pilot)
        assert screen.query_one("#panes").display
        assert "not seen yet" not in str(screen.query_one("#detail-title").render())
        assert " in " not in screen.panes["timeline"].text


async def test_the_detail_screen_says_where_in_the_recording():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 60)
        await settle(pilot)
        app.open_detail(uid_of(app, "crashloop"))
        await pilot.pause()
        # Before: no bar on the detail screen; `>` and the seek keys moved the replay
        # with nothing to say to when, and the footer's "space Play" to what.
        bar = app.screen.query_one("#status-bar")
        assert "⏸ replay 10:01:00 1:00/14:51 │ 23 pods (2 deleted)" in bar.text  # at 80 columns, with -A
        await pilot.press("greater_than_sign")  # no tick: said at once
        await pilot.pause()
        assert f"⏸ replay {clock_time(feed.position)} " in bar.text and feed.position > feed.start_time + 60
        # A seek over a quiet stretch changes no pod, and was said only at the next tick.
        times = [item_time(i) for i in feed.recording.items]
        quiet = next(a for a, b in zip(times, times[1:]) if b - a > 11 and a > feed.position)
        feed.seek(quiet)
        app.pump()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert f"⏸ replay {clock_time(quiet + 10)} " in bar.text
        assert app.screen.query_one("#detail-title").region.y == 1  # the bar above the title


def recorded_rate(feed: ReplayFeed) -> float:
    """Changes per second in the two recorded seconds up to the position."""
    pos = feed.position
    return sum(1 for i in feed.recording.items if isinstance(i, Change) and pos - 2 < i.observed <= pos) / 2


async def test_events_per_second_are_the_recorded_rate_not_the_seeks():
    app, feed, wall = replay_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*["right_curly_bracket"] * 5, "space")  # the wall stands still: so does the position
        await settle(pilot)
        await settle(pilot)
        expected = recorded_rate(feed)
        # Before: the five minutes' 700 changes a seek applied counted as one wall
        # second's: "351 ev/s", falling by half each second even while paused.
        assert feed.playing and app.events_per_s == expected < 20
        assert f"{expected:.0f} ev/s" in app.pods_screen.status_bar.text
        await pilot.press("left_curly_bracket")  # back: the store is rebuilt
        await settle(pilot)
        assert feed.playing and app.events_per_s == recorded_rate(feed)


async def test_a_paused_replay_has_no_events_per_second():
    app, feed, wall = replay_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*["full_stop"] * 3)
        await settle(pilot)
        bar = app.pods_screen.status_bar
        # Before: "⏸ replay … │ 19 pods │ 88 ev/s" after steps: what a step applied at once
        # counted as a rate, while recorded time stood still.
        assert not feed.playing and app.events_per_s == 0 and "ev/s" not in bar.text and "pods" in bar.text
        await pilot.press("right_curly_bracket", "right_curly_bracket", "left_curly_bracket")  # and a seek back
        await settle(pilot)
        assert recorded_rate(feed) > 0  # there was a rate then: it is not said while paused
        assert app.events_per_s == 0 and "ev/s" not in bar.text and "pods" in bar.text
        await pilot.press("space")  # playing, it is said at once
        await pilot.pause()
        assert f"│ {recorded_rate(feed):.0f} ev/s" in bar.text
        await pilot.press("space")
        await pilot.pause()
        assert "ev/s" not in bar.text


async def play_to_the_end(pilot, feed: ReplayFeed, wall: Wall) -> None:
    await settle(pilot)
    wall.t += feed.end_time - feed.start_time + 1
    await settle(pilot)
    assert not feed.playing and feed.at_end


def end_notices(app: PodtuiApp) -> list[str]:
    return [m for m in notices(app) if "end of the recording: space plays it again" in m]


async def test_play_at_the_end_plays_again_from_the_start():
    app, feed, wall = replay_app(autoplay=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_the_end(pilot, feed, wall)
        assert end_notices(app)
        # Before: space at the end did nothing; the footer offered "Play" all the same.
        await pilot.press("space")
        await settle(pilot)
        # From where a paused replay opens (0.5 s in): the initial list, not an empty table.
        assert feed.playing and feed.position == feed.opening_time() > feed.start_time
        assert "▶ replay 10:00:00 0:00/14:51" in app.pods_screen.status_bar.text
        assert all(r.deleted_at is None for r in app.store.pods.values())  # rebuilt from the start


async def test_help_in_a_replay_opens_on_the_replay_keys():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = [line.strip() for line in str(app.screen.help_text.render()).splitlines()]
        # Before: the replay keys came last, 60 lines down, below every list and detail
        # key, and said "Step", "Next change of pod" with no word of pausing.
        assert lines[0] == "Replay"
        first_screen = "\n".join(lines[:18])  # what the box shows at 80x24 without scrolling
        for text in ("Play/pause (at the end: again from the start)", "Step to the next recorded change (pauses)",
                     "Next change of the selected pod (pauses)", "Back 1m", "Slower (÷2, down to ×0.125)"):
            assert text in first_screen
        assert any(line.startswith("click the progress bar") and "seek there" in line for line in lines)


async def test_a_long_context_gives_way_to_the_position_on_80_columns():
    from dataclasses import replace

    app, feed, wall = replay_app()
    feed.scope = replace(feed.scope, context="arn:aws:eks:eu-west-1:123456789012:cluster/prod")
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 125)
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        # Before: the context took the line and the edge cut the position:
        # "arn:aws:eks:eu-west-1:123456789012:cluster/prod │ all namespaces │ ⏸ replay 10:02:0…"
        # Then the pod count went too; now it stays, "replay" and "all namespaces" go.
        assert text.endswith("│ -A │ ⏸ 10:02:05 2:05/14:51 │ 24 pods (5 deleted)") and len(text) <= 78
        assert text.startswith("arn:aws:eks:") and "cluster/prod" in text


async def test_a_backwards_seek_shows_no_half_built_state(one_chunk_a_pump):
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 14 * 60)
        await settle(pilot)
        uid = uid_of(app, "web-b8tpmz2776-wd4vd")
        await pilot.press("G", "enter")  # the last pod, as sorted
        await pilot.pause()
        screen = app.screen
        assert screen.uid == uid
        await pilot.press("left_square_bracket")  # one pump: the rebuild is under way
        await pilot.pause()
        # Before: the store was emptied at once and refilled pump by pump: meanwhile
        # "0 pods" and this pod "(expired from podtui's memory)".
        assert "expired" not in str(screen.query_one("#detail-title").render())
        assert " 0 pods" not in screen.status_bar.text and "13:50/14:51" in screen.status_bar.text
        app.drain()
        await pilot.pause()
        assert app.store.pods[uid] is screen.record and not screen.gone
        assert "expired" not in str(screen.query_one("#detail-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.table.cursor_uid == uid  # the list's cursor on it still


async def test_a_wide_bar_draws_the_progress():
    app, feed, wall = replay_app()
    async with app.run_test(size=(160, 48)) as pilot:
        feed.seek(feed.start_time + 300)
        await settle(pilot)
        # Before: only "5:00/14:51" on a bar with 80 cells to spare. Now a video
        # player's line too: 300 of 891 s is 13 of 40 cells.
        assert "⏸ replay 10:05:00 5:00/14:51 " + "━" * 13 + "─" * 27 + " │ 24 pods" in app.pods_screen.status_bar.text
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "━" not in app.pods_screen.status_bar.text  # no room: the pod count stays
        assert "5:00/14:51 │ 24 pods" in app.pods_screen.status_bar.text
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        bar = app.pods_screen.status_bar
        first = bar.text.index("━")  # the line's first cell: the start
        await pilot.click(bar, offset=(1 + first + 39, 0))  # its last: the end
        await settle(pilot)
        assert feed.position == feed.end_time and "━" * 40 in bar.text
        first = bar.text.index("━")  # moved on: "14:51/14:51 end"
        await pilot.click(bar, offset=(1 + first, 0))
        await settle(pilot)
        # The start: where the replay opens, the initial list applied (0.5 s in).
        assert feed.position == feed.opening_time() and "─" * 40 in bar.text


async def test_the_end_notice_goes_as_soon_as_a_seek_leaves_the_end():
    app, feed, wall = replay_app(autoplay=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_the_end(pilot, feed, wall)
        assert end_notices(app)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        # Before: "end of the recording" stayed up to 6 s over "⏸ replay 10:14:41".
        assert "14:41/14:51" in app.pods_screen.status_bar.text and not end_notices(app)
        assert not app.screen.query("Toast")


async def test_speed_keys_say_the_limit_once():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def said(word: str) -> list[str]:
            return [m for m in notices(app) if word in m]

        await pilot.press(*["plus"] * 8)
        await pilot.pause()
        # Before: the last two presses did nothing and said nothing.
        assert feed.speed == 64 and said("fastest") == ["×64 is the fastest"]
        await pilot.press(*["minus"] * 12)
        await pilot.pause()
        assert feed.speed == 0.125 and said("slowest") == ["×0.125 is the slowest"]
        assert "×0.125" in app.pods_screen.status_bar.text


async def test_speed_keys_never_go_the_wrong_way_from_a_speed_past_the_limits():
    app, feed, wall = replay_app()
    feed.speed = 100.0  # podtui replay --speed 100
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        # Before: + clamped ×100 to ×64, slowing it down.
        assert feed.speed == 100
        await pilot.press("minus")
        assert feed.speed == 50
        feed.speed = 0.01
        await pilot.press("minus")
        assert feed.speed == 0.01  # before: ×0.125, faster
        await pilot.press("plus")
        assert feed.speed == 0.02


async def test_the_bar_says_seeking_while_a_backwards_seek_is_rebuilt(one_chunk_a_pump):
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 80)
        await settle(pilot)
        assert "1:20/14:51 │ 23 pods" in app.pods_screen.status_bar.text
        await pilot.press("left_curly_bracket")
        await pilot.pause()
        # Before: "⏸ replay 10:00:20 0:20/14:51 │ 23 pods": the new position next to the
        # count of the pods still shown, 10:01:20's, until the rebuild was swapped in.
        text = app.pods_screen.status_bar.text
        # (The scrubber may come between, when -A leaves room for it.)
        assert "0:20/14:51 " in text and text.endswith(" │ seeking…") and "pods" not in text
        app.drain()
        await pilot.pause()
        text = app.pods_screen.status_bar.text
        assert "0:20/14:51 " in text and text.endswith(f" │ {app.table.visible_count} pods")
        # The rate of the whole window before 10:00:20, not of the part rebuilt at the
        # first pump: what ev/s says once it plays.
        await pilot.press("space")
        await pilot.pause()
        assert app.events_per_s == app._replay_rate() == recorded_rate(feed) > 0


async def test_a_seek_leaves_no_pod_deleted_longer_ago_than_tombstones_are_kept():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def overdue() -> list[str]:
            limit = feed.position - 300  # the default tombstone_ttl
            return [r.name for r in app.store.pods.values() if r.deleted_at is not None and r.deleted_at < limit]

        await pilot.press(*["right_curly_bracket"] * 15)  # to the end, no tick in between
        await pilot.pause()
        # Before: until the next tick, web-2ldz… "deleted 13m ago" and the rest: 24 pods, not 19.
        assert feed.at_end and not overdue() and "19 pods" in app.pods_screen.status_bar.text
        await pilot.press("left_square_bracket")  # rebuilt from the start
        app.drain()  # the rest of the rebuild, still no tick
        await pilot.pause()
        assert not overdue() and "19 pods" in app.pods_screen.status_bar.text


async def test_while_a_backwards_seek_is_rebuilt_the_old_state_is_not_aged_to_the_new_position(one_chunk_a_pump):
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = (await detail_at_14m(pilot, feed, "phase")).panes["phase"]
        before = pane.text
        assert "(13m ago)" in before  # Created 10:00:52
        await pilot.press("left_curly_bracket")
        app.tick()
        await pilot.pause()
        # Before: the 14:00 state, still shown, was aged to 13:00: "(12m ago)".
        assert pane.text == before and "seeking…" in app.screen.status_bar.text
        app.drain()
        await pilot.pause()
        assert "(12m ago)" in pane.text and f"13:00/14:51 │ {app.table.visible_count} pods" in app.screen.status_bar.text


async def test_next_change_with_none_left_says_so_once():
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.end_time)
        await settle(pilot)
        await pilot.press(*["greater_than_sign"] * 3)
        await pilot.pause()
        # Before: three stacked toasts saying the same, for 3 s.
        assert notices(app) == ["no later change of this pod in the recording"]


async def test_a_split_pane_keeps_the_length_and_speed_before_the_word_replay():
    app, feed, wall = replay_app()
    async with app.run_test(size=(60, 20)) as pilot:
        feed.seek(feed.start_time + 120)
        await pilot.press("plus", "plus", "plus")
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        # Before: "podtui-demo │ all namespaces │ ⏸ replay 10:02:00 2:00/14:…": the speed
        # and the length cut off by the edge.
        # Then the pod count went too; now the scope and the context's middle go instead.
        assert text == "podt…demo │ ⏸ 10:02:00 2:00/14:51 ×8 │ 24 pods (5 deleted)"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.pods_screen.status_bar.text == \
            "podtui-demo │ -A │ ⏸ replay 10:02:00 2:00/14:51 ×8 │ 24 pods (5 deleted)"
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        assert "⏸ replay 10:02:00 2:00/14:51 ×8 ━" in app.pods_screen.status_bar.text


def _fractional_recording():
    """Started at 10:00:07.6, a pod change every 0.25 s for two minutes, the last at 10:02:07.9."""
    from podtui.sources.recording import Header, Recording

    t0 = 1714557607.6
    items = [Change("pods", "ADDED" if i == 0 else "MODIFIED",
                    {"metadata": {"name": "web", "namespace": "shop", "uid": "u1", "resourceVersion": str(i)}},
                    t0 + i * 0.25) for i in range(481)]
    items.append(Change("pods", "MODIFIED", {"metadata": {"name": "web", "namespace": "shop", "uid": "u1"}},
                        t0 + 120.3))  # the end's fraction is not the start's
    return Recording(None, Header(started=t0), items), t0


def test_the_clock_shown_is_the_start_shown_plus_the_offset_shown():
    from podtui.ui.status_bar import replay_text

    recording, t0 = _fractional_recording()
    feed = ReplayFeed(recording, ManualClock(t0), wall=lambda: 0.0, autoplay=False)
    for offset, said in ((0, "10:00:07 0:00/2:00"), (2.5, "10:00:10 0:03/2:00"), (5.9, "10:00:13 0:06/2:00")):
        feed._move_to(t0 + offset)  # where playing may stop: not a whole second
        # Before: "10:00:10 0:02" then "10:00:13 0:05": the clock floored, the offset from the start's fraction.
        assert said in replay_text(feed, t0 + offset)[0]


def test_a_seek_lands_on_a_whole_second_so_one_position_is_one_state():
    recording, t0 = _fractional_recording()
    feed = ReplayFeed(recording, ManualClock(t0), wall=lambda: 0.0, autoplay=False)
    feed.seek(feed.start_time + 60)  # } from 0:00
    forward = feed.position
    feed.seek(feed.end_time)
    feed.seek(feed.position - 60)  # { from the end
    # Before: 10:01:07.6 and 10:01:07.9: one "1:00", two states.
    assert feed.position == forward == 1714557667.0
    feed.seek(feed.start_time + 0.2)  # within the first second: the start, not before it
    assert feed.position == feed.start_time



def test_a_seek_counts_seconds_as_the_bar_does():
    # A position a hair under a second (steps of 0.35 s at x8) is that second on the bar
    # (whole_second): a seek from it must land there too, not on the second before.
    recording, t0 = _fractional_recording()
    feed = ReplayFeed(recording, ManualClock(t0), wall=lambda: 0.0, autoplay=False)
    feed.seek(1714557667.0 - 2e-7)
    assert feed.position == 1714557667.0

def test_a_seek_within_the_last_second_lands_on_the_end():
    from podtui.ui.status_bar import replay_text

    recording, t0 = _fractional_recording()
    feed = ReplayFeed(recording, ManualClock(t0), wall=lambda: 0.0, autoplay=False)
    feed.seek(feed.end_time - 0.3)  # 10:02:07.6: the end's whole second, 10:02:07
    # Before: "⏸ replay 10:02:07 2:00/2:00", paused short of the end that it said.
    feed.poll()
    assert feed.position == feed.end_time and feed.at_end
    assert replay_text(feed, feed.position)[0] == "■ replay 10:02:07 2:00/2:00 end"
    feed.seek(feed.end_time - 1)  # the second before: a whole second as ever
    feed.poll()
    assert feed.position == 1714557726.0 and replay_text(feed, feed.position)[0] == "⏸ replay 10:02:06 1:59/2:00"


async def test_above_1x_every_visible_rows_age_is_the_bars_moment():
    from podtui.lifecycle.columns import format_age
    from podtui.lifecycle.duration import whole_second

    app, feed, wall = replay_app()
    feed.set_speed(8)
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 30)
        await settle(pilot)
        feed.resume()
        table, bar = app.table, app.pods_screen.status_bar
        checked = 0
        for _ in range(12):  # 0.35 s of wall time a pump: ~2.8 recorded seconds, a tick's worth of none
            wall.t += 0.35
            app.pump()
            await pilot.pause()
            second = whole_second(feed.position)
            # Before: the bar was said at a change only, the rows' AGE at the once-a-second tick.
            assert f"▶ replay {clock_time(second)} " in bar.text
            strips = app.screen._compositor.render_strips()
            top = int(table.scroll_y)
            for y, uid in enumerate(table.index.uids(top, top + table._visible_rows()), start=1):
                record = table.records[uid]
                cells = strips[table.region.y + y].text.split()
                assert format_age(record.row.created, second) in cells, (record.name, cells)
                checked += 1
        assert checked > 100


async def test_in_a_replay_the_once_a_second_tick_leaves_clocks_the_pump_already_moved():
    # The pump ticks the rows as the replay's second changes; the wall's once-a-second tick
    # worked out every visible row's NEXT again at the same second.
    app, feed, wall = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ticked = []
        real_tick = app.table.tick
        app.table.tick = lambda: (ticked.append(feed.position), real_tick())[1]
        app.tick()  # paused: the recorded clock has not moved
        assert ticked == []
        feed.seek(feed.start_time + 5)
        app.tick()
        assert ticked == [feed.position]


async def test_a_pump_with_changes_and_a_new_second_says_the_bar_once():
    app, feed, wall = replay_app()
    feed.set_speed(8)
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 30)
        await settle(pilot)
        feed.resume()
        said = []
        real = app.update_status_bar
        app.update_status_bar = lambda state=None: (said.append(1), real(state))[1]
        wall.t += 2.0  # 16 recorded seconds: changes applied and the second moved
        app.pump()
        await pilot.pause()
        # Before: after the changes, and again as the clock's second moved.
        assert said == [1]
        assert "▶ replay" in app.pods_screen.status_bar.text


async def test_at_high_speed_a_tombstone_goes_at_its_replay_time_not_at_the_next_tick():
    # Pods deleted 10 s apart, then nothing recorded for minutes: only the once-a-second
    # tick expired them, at ×8 up to 8 replayed seconds late, then several at once.
    import copy

    from podtui.sources.recording import Header, Recording
    from tests.ui.test_repaint import T0, pod

    items = [Change("pods", "ADDED", pod(i), T0) for i in range(4)]
    for i in range(1, 4):
        gone = copy.deepcopy(pod(i))
        gone["metadata"]["resourceVersion"] = "2"
        items.append(Change("pods", "DELETED", gone, T0 + 10 * i))
    items.append(Change("pods", "MODIFIED", pod(0), T0 + 600))
    clock, wall = ManualClock(T0), Wall()
    feed = ReplayFeed(Recording(None, Header(started=T0), items), clock, wall=wall, autoplay=False)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, environ=TEST_ENV, replay=feed)
    async with app.run_test(size=(100, 12)) as pilot:
        feed.seek(T0 + 305)
        await settle(pilot)
        feed.set_speed(8)
        feed.resume()
        ttl = app.store.tombstone_ttl
        while feed.position < T0 + 340:
            wall.t += 0.1  # a pump's interval: 0.8 replayed seconds
            app.pump()
            await pilot.pause()
            overdue = [r.name for r in app.store.pods.values()
                       if r.deleted_at is not None and r.deleted_at + ttl <= feed.position]
            assert not overdue, (feed.position - T0, overdue)
            assert f"│ {len(app.store.pods)} pod" in app.pods_screen.status_bar.text  # the count with it
        assert len(app.store.pods) == 1
