"""Where a replay opens, and what it shows on the way: a paused replay on the state right
after the recording's initial list, a replay opened further in (--at) built aside under
"seeking…", as a seek back is."""

from __future__ import annotations

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.lifecycle.store import Store
from podtui.replay_command import open_feed
from podtui.sources.recording import Header, Recording
from podtui.ui.app import PodtuiApp
from tests.ui.harness import TEST_ENV, settle
from tests.ui.test_replay_ui import Wall

T0 = 1714557600.0


def pod(i: int, rv: int, phase: str = "Running") -> dict:
    return {"metadata": {"uid": f"u{i}", "name": f"web-{i}", "namespace": f"ns{i % 20}",
                         "resourceVersion": str(rv), "creationTimestamp": "2024-05-01T09:00:00Z"},
            "spec": {"containers": [{"name": "web"}]}, "status": {"phase": phase}}


def listed(pods: int, changes: int = 0, list_pace: float = 1e-4) -> Recording:
    """As `podtui record` writes one: connecting, listing, the list's pods a little apart,
    its end, live; then `changes` pod changes, one every 0.05 s from T0 + 1."""
    items = [SourceStatus("connecting", T0, resource="pods"), SourceStatus("listing", T0 + 1e-5, resource="pods"),
             Relist("pods", T0 + 2e-5, "start")]
    items += [Change("pods", "ADDED", pod(i, i + 1), T0 + 0.001 + i * list_pace) for i in range(pods)]
    t = items[-1].observed if pods else T0
    items += [Relist("pods", t + 1e-4, "end", resource_version=str(pods)), SourceStatus("live", t + 2e-4, resource="pods")]
    items += [Change("pods", "MODIFIED", pod(k % pods, pods + k + 1, "Failed"), T0 + 1 + 0.05 * k) for k in range(changes)]
    return Recording(path=None, header=Header(started=T0), items=items)


def replay_of(recording: Recording, **options) -> PodtuiApp:
    clock = ManualClock(recording.header.started)
    feed = open_feed(recording, clock, wall=Wall(), **options)
    return PodtuiApp(feed, clock, theme="podtui-dark", timers=False, environ=TEST_ENV, replay=feed)


async def test_a_paused_replay_opens_after_the_initial_list_and_steps_to_what_can_be_seen():
    app = replay_of(listed(20, changes=3), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.pods_screen.status_bar
        # Before: "⏸ replay 10:00:00 0:00/0:01 │ 0 pods" and "no pods in any namespace",
        # and `.` went through the statuses first: nothing changed for the first ones.
        assert "⏸ replay 10:00:00 0:00/0:01" in bar.text and bar.text.endswith("│ 20 pods")
        assert app.table.empty_text == "" and app.store.pods["u0"].obj["status"]["phase"] == "Running"
        await pilot.press("full_stop")
        await settle(pilot)
        assert "0:01/0:01" in bar.text and app.store.pods["u0"].obj["status"]["phase"] == "Failed"
        await pilot.press("full_stop")
        await settle(pilot)
        assert app.store.pods["u1"].obj["status"]["phase"] == "Failed"


async def test_at_zero_opens_exactly_at_the_first_item():
    app = replay_of(listed(20, changes=3), paused=True, at="0")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # --at is exact: the first item, before the list came.
        assert "0:00/0:01" in app.pods_screen.status_bar.text and not app.store.pods
        assert app.pods_screen.status_bar.text.endswith("│ 0 pods")


@pytest.fixture
def one_chunk_a_pump(monkeypatch):
    import podtui.ui.app as app_module

    monkeypatch.setattr(app_module, "PUMP_BUDGET", 0.0)


@pytest.mark.parametrize("at", ["20s", "-5s"])
async def test_a_replay_opened_further_in_says_seeking_until_its_state_is_whole(one_chunk_a_pump, at):
    recording = listed(2000, changes=600)  # 2,000 pods, then changes to T0 + 31
    app = replay_of(recording, paused=True, at=at)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.pods_screen.status_bar
        seen = []
        while app._rebuilding is not None or not seen:
            seen.append((bar.text, app.table.visible_count))
            app.pump()  # a chunk at a time
            await pilot.pause()
        # Before: "184 pods", "1084 pods", "2052 pods (46 deleted)" as it was applied;
        # --at -5s "0:25/0:30 │ 0 pods" before the first pump.
        assert len(seen) > 10
        assert all(text.endswith("│ seeking…") and shown == 0 for text, shown in seen), seen[:3]
        await settle(pilot)
        fed = Store(ManualClock(app.replay.position))
        fed.apply_batch([i for i in recording.items if (i.observed if isinstance(i, Change) else i.at)
                         <= app.replay.position])
        assert app.table.visible_count == len(fed.pods) == 2000
        assert bar.text.endswith("│ 2000 pods") and "seeking" not in bar.text


async def test_seeking_back_to_the_start_shows_the_initial_list_not_an_empty_table(one_chunk_a_pump):
    app = replay_of(listed(2000, changes=600), paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.pods_screen.status_bar
        opened = bar.text
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "0:10/0:30" in bar.text
        await pilot.press("left_curly_bracket")  # one pump: built aside meanwhile
        seen = []
        while app._rebuilding is not None or not seen:
            seen.append(bar.text)
            app.pump()
            await pilot.pause()
        await settle(pilot)
        # Before: "0:00/0:30 │ 0 pods" and "no pods in any namespace", until `.` or play.
        assert bar.text == opened and bar.text.endswith("│ 2000 pods") and app.table.visible_count == 2000
        assert not any(text.endswith("│ 0 pods") for text in seen), seen


async def test_a_long_seek_forward_is_built_aside_as_the_opening_is(one_chunk_a_pump):
    recording = listed(2000, changes=600)
    app = replay_of(recording, paused=True, at="0")  # before the list: 0 pods
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.pods_screen.status_bar
        await pilot.press("right_square_bracket")  # one pump: the list's 2,000 pods and 180 changes ahead
        seen = []
        while app._rebuilding is not None or app._backlog or not seen:
            seen.append((bar.text, app.table.visible_count))
            app.pump()
            await pilot.pause()
        # Before: applied in place, the table grew pump by pump ("│ 184 pods", "│ 1084 pods").
        assert len(seen) > 10
        assert all(text.endswith("│ seeking…") and shown == 0 for text, shown in seen), seen[:3]
        await settle(pilot)
        fed = Store(ManualClock(app.replay.position))
        fed.apply_batch([i for i in recording.items if (i.observed if isinstance(i, Change) else i.at)
                         <= app.replay.position])
        assert "0:10/0:30" in bar.text and bar.text.endswith("│ 2000 pods")
        assert app.table.visible_count == 2000 and app.store.pods["u0"].obj == fed.pods["u0"].obj
        await pilot.press("right_square_bracket")  # a few items: in place, no "seeking…"
        assert "seeking" not in bar.text and app._rebuilding is None
