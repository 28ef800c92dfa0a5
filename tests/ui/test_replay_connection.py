"""A replay says the recorded connection state at its position: a gap with no data read
as a quiet cluster to whoever reviewed an incident."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.sources.recording import Header, Recording
from podtui.sources.replay import ReplayFeed
from podtui.ui.app import PodtuiApp
from tests.ui.harness import TEST_ENV, settle

T0 = 1714557600.0  # 10:00:00 UTC


def _pod(i: int, t: float) -> Change:
    return Change("pods", "ADDED", {
        "metadata": {"name": f"web-{i}", "namespace": "shop", "uid": f"u{i}", "creationTimestamp": "2024-05-01T09:00:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, t)


def outage_recording() -> Recording:
    """Live from 10:00:01, the server gone at 10:00:10 (its last read at 10:00:05),
    retried until the recording stopped at 10:00:19."""
    items = [
        SourceStatus("connecting", T0, "", "pods"),
        Relist("pods", T0, "start"),
        _pod(1, T0 + 0.5), _pod(2, T0 + 0.5),
        Relist("pods", T0 + 0.5, "end", "100"),
        SourceStatus("live", T0 + 1, "", "pods"),
        _pod(3, T0 + 5),
        SourceStatus("reconnecting", T0 + 10, "connection refused", "pods", retry_at=T0 + 11, current_as_of=T0 + 5),
        SourceStatus("reconnecting", T0 + 11, "connection refused", "pods", retry_at=T0 + 15, current_as_of=T0 + 5),
        SourceStatus("stopped", T0 + 19),
    ]
    return Recording(None, Header(context="podtui-demo", started=T0), items)


def replay_app(recording: Recording) -> tuple[PodtuiApp, ReplayFeed]:
    clock = ManualClock(T0)
    feed = ReplayFeed(recording, clock, wall=lambda: 0.0, autoplay=False)
    return PodtuiApp(feed, clock, theme="podtui-dark", timers=False, environ=TEST_ENV, replay=feed), feed


async def test_the_replay_says_the_recorded_outage_and_how_old_the_data_is():
    app, feed = replay_app(outage_recording())
    async with app.run_test(size=(160, 24)) as pilot:
        feed.seek(T0 + 8)
        await settle(pilot)
        bar = app.pods_screen.status_bar
        assert "reconnecting" not in bar.text and "old" not in bar.text  # live then
        feed.seek(T0 + 12)
        await settle(pilot)
        # Before: "⏸ replay 10:00:12 0:12/0:11 │ 3 pods": nothing about the outage.
        assert "⏸ replay 10:00:12 0:12/0:19 " in bar.text  # then the scrubber, on 160 columns
        assert "│ reconnecting in 3s: connection refused │ data 7s old │ 3 pods" in bar.text
        # The end is when the recording stopped, and the outage lasts to it.
        feed.seek(feed.end_time)
        await settle(pilot)
        assert "■ replay 10:00:19 0:19/0:19 end " in bar.text
        assert "│ reconnecting now: connection refused │ data 14s old │ 3 pods" in bar.text
        # Back before the outage: live again, nothing left over from the later state.
        feed.seek(T0 + 3)
        await settle(pilot)
        assert "reconnecting" not in bar.text and "old" not in bar.text
        # Back from the outage to before the stream was live: no age anchored in the outage.
        feed.seek(feed.end_time)
        await settle(pilot)
        feed.seek(T0 + 0.7)
        await settle(pilot)
        assert (app.source_status.state, app.stale_since) == ("connecting", None)


async def test_on_80_columns_the_state_and_age_outlast_the_context():
    app, feed = replay_app(outage_recording())
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(T0 + 12)
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert text == "⏸ 10:00:12 0:12/0:19 │ reconnecting in 3s: connection … │ data 7s old │ 3 pods"
