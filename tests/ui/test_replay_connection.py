"""A replay says the recorded connection state at its position: a gap with no data read
as a quiet cluster to whoever reviewed an incident."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.sources.recording import Header, Recording
from podtui.sources.replay import ReplayFeed
from podtui.ui.app import PodtuiApp
from tests.ui.conftest import notices
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


def _recording(items: list) -> Recording:
    return Recording(None, Header(context="podtui-demo", started=T0), items)


async def test_a_recorded_failure_is_toasted_once_however_often_it_is_seeked_over():
    # Each new epoch (a seek back) says the statuses before it again: each toasted anew,
    # three seeks back and forth gave four identical toasts.
    app, feed = replay_app(_recording([
        SourceStatus("live", T0, "", "pods"), _pod(1, T0),
        SourceStatus("failed", T0 + 5, "403 events forbidden", "events"),
        SourceStatus("failed", T0 + 6, "403 pods forbidden: try -n NAMESPACE", "pods"),
        _pod(2, T0 + 30),
    ]))
    async with app.run_test(size=(160, 24)) as pilot:
        for t in (T0 + 20, T0 + 2, T0 + 20, T0 + 10, T0 + 2, T0 + 25):
            feed.seek(t)
            await settle(pilot)
        assert notices(app) == ["403 events forbidden", "403 pods forbidden: try -n NAMESPACE"]
        assert app.events_unavailable and app.source_status.state == "failed"  # the state still said
        feed.seek(T0 + 2)
        await settle(pilot)
        assert not app.events_unavailable  # before the 403: events were there


def joined_recordings() -> Recording:
    """Two recordings joined with cat (the second's header a bad line skipped): the
    first stopped at 10:00:10, the second live again from 10:01:00."""
    return _recording([
        SourceStatus("live", T0, "", "pods"), _pod(1, T0), _pod(1, T0 + 4),
        SourceStatus("stopped", T0 + 10),
        SourceStatus("connecting", T0 + 58, "", "pods"), _pod(1, T0 + 59),
        SourceStatus("live", T0 + 60, "", "pods"), _pod(2, T0 + 70),
        SourceStatus("stopped", T0 + 80),
    ])


async def test_a_stop_before_the_end_is_said_not_recorded_until_live_again():
    app, feed = replay_app(joined_recordings())
    async with app.run_test(size=(160, 24)) as pilot:
        feed.seek(T0 + 40)
        await settle(pilot)
        bar = app.pods_screen.status_bar
        # Before: "⏸ replay 10:00:40 0:40/1:20 │ 1 pod": a quiet live cluster.
        assert "│ not recorded │ data 30s old │ 1 pod" in bar.text
        feed.seek(T0 + 59)  # the second recording connecting: still none of it live
        await settle(pilot)
        assert "│ not recorded │ data 49s old │ 1 pod" in bar.text
        feed.seek(T0 + 65)
        await settle(pilot)
        assert "not recorded" not in bar.text and "old" not in bar.text
        # The recording's own last stop is its end, not a gap: the bar as it was.
        feed.seek(feed.end_time)
        await settle(pilot)
        assert "not recorded" not in bar.text and "old" not in bar.text and app.source_status.state == "live"


async def test_a_drop_recorded_without_current_as_of_is_as_old_as_the_last_pods_item():
    # Older recordings: no current_as_of. The drop's own time under-stated the age
    # ("data 10s old" when the last pod change was 15 s before).
    app, feed = replay_app(_recording([
        SourceStatus("live", T0, "", "pods"), _pod(1, T0), _pod(1, T0 + 2),
        SourceStatus("live", T0 + 10, "", "events"),  # not the pods stream's data
        SourceStatus("reconnecting", T0 + 17, "connection refused", "pods", retry_at=T0 + 60),
        _pod(2, T0 + 60),
    ]))
    async with app.run_test(size=(160, 24)) as pilot:
        feed.seek(T0 + 27)
        await settle(pilot)
        assert "│ reconnecting in 33s: connection refused │ data 25s old │ 1 pod" in app.pods_screen.status_bar.text
