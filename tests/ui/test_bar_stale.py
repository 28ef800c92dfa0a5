"""Stale data said: once the pods stream has been live and is not, the bar (and an open
pod's title) says how old what is shown is. The table's AGE and NEXT keep counting on
the clock as if the cluster still agreed; nothing else said they no longer did."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope
from podtui.ui.status_bar import BarState, status_line
from tests.ui.harness import make_app, settle

T0 = 1714557600.0  # 10:00:00 UTC


def _pod(i: int) -> Change:
    return Change("pods", "ADDED", {
        "metadata": {"name": f"web-{i}", "namespace": "shop", "uid": f"u{i}", "creationTimestamp": "2024-05-01T09:00:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, T0)


def _down(at: float, retry_in: float = 4) -> SourceStatus:
    return SourceStatus("reconnecting", at, "connection refused", "pods", retry_at=at + retry_in)


def _bar(**kw) -> BarState:
    return BarState(context="podtui-demo", scope="all namespaces", total=18, shown=18, **kw)


def test_the_bar_says_how_old_the_data_is_next_to_the_state():
    # Down since T0, now T0+12: the next attempt at T0+16.
    state = _bar(source=_down(T0, 16), stale_since=T0)
    assert status_line(state, T0 + 12).plain == \
        "podtui-demo │ all namespaces │ reconnecting in 4s: connection refused │ data 12s old │ 18 pods │ 0 ev/s │ 10:00:12 UTC"
    # 80 and 60 columns: the scope goes, then the context, before the reason is cut; the
    # age and the count stay.
    assert status_line(state, T0 + 12, 78).plain == \
        "podtui-demo │ reconnecting in 4s: connection refused │ data 12s old │ 18 pods"
    assert status_line(state, T0 + 12, 58).plain == "reconnecting in 4s: connection r… │ data 12s old │ 18 pods"
    assert "data 3m10s old" in status_line(state, T0 + 190, 58).plain  # as AGE says a duration


def test_a_drop_within_the_second_is_no_news():
    assert "old" not in status_line(_bar(source=_down(T0), stale_since=T0), T0 + 0.9, 78).plain


def test_a_drop_noticed_long_after_the_last_read_is_still_no_news_within_the_second():
    # A quiet watch read nothing for 30 s before it was cut: a reconnect at once is
    # still no news; past the second, the age counts from the last read.
    state = _bar(source=_down(T0), stale_since=T0 - 30, stale_noticed=T0)
    assert "old" not in status_line(state, T0 + 0.9, 78).plain
    assert "│ data 31s old │" in status_line(state, T0 + 1, 78).plain


def test_relisting_after_the_drop_is_still_stale():
    state = _bar(source=SourceStatus("relisting", T0 + 5, "410 Gone", "pods"), stale_since=T0)
    assert status_line(state, T0 + 7, 78).plain == "podtui-demo │ -A │ relisting pods: 410 Gone │ data 7s old │ 18 pods"


async def test_on_the_screen_the_age_grows_then_goes_when_live_again():
    clock = ManualClock(T0)
    items = [SourceStatus("live", T0, "", "pods"), *(_pod(i) for i in range(18)), _down(T0 + 3, 20)]
    app = make_app(items, clock, Scope(context="podtui-demo"))
    async with app.run_test(size=(80, 10)) as pilot:
        clock.set(T0 + 15)
        await settle(pilot)
        assert app.pods_screen.status_bar.text == \
            "podtui-demo │ reconnecting in 8s: connection refused │ data 12s old │ 18 pods"
        clock.set(T0 + 16)
        await settle(pilot)
        assert "data 13s old" in app.pods_screen.status_bar.text
        app.feed._queue.extend([SourceStatus("listing", T0 + 23, "", "pods")])
        clock.set(T0 + 23)
        await settle(pilot)
        assert "listing… │ data 20s old │ 18 pods" in app.pods_screen.status_bar.text  # not current yet
        app.feed._queue.extend([SourceStatus("live", T0 + 24, "", "pods")])
        clock.set(T0 + 24)
        await settle(pilot)
        assert "● live" in app.pods_screen.status_bar.text and "old" not in app.pods_screen.status_bar.text


async def test_never_live_is_not_stale():
    # Nothing was shown as current: "connecting…", "reconnecting" say all there is.
    clock = ManualClock(T0 + 30)
    items = [SourceStatus("connecting", T0, "", "pods"), _down(T0 + 1, 60)]
    app = make_app(items, clock, Scope(context="podtui-demo"))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert "reconnecting" in app.pods_screen.status_bar.text
        assert "old" not in app.pods_screen.status_bar.text


async def test_only_the_events_stream_down_leaves_the_pods_current():
    clock = ManualClock(T0 + 30)
    items = [SourceStatus("live", T0, "", "pods"), SourceStatus("live", T0, "", "events"), _pod(1),
             SourceStatus("reconnecting", T0 + 1, "connection reset", "events", retry_at=T0 + 60)]
    app = make_app(items, clock, Scope(context="podtui-demo"))
    async with app.run_test(size=(120, 10)) as pilot:
        await settle(pilot)
        assert "reconnecting" in app.pods_screen.status_bar.text
        assert "old" not in app.pods_screen.status_bar.text


async def test_an_open_pod_says_it_too():
    # The detail screen has no bar in a live session: its title says it, its next step counting on.
    clock = ManualClock(T0)
    items = [SourceStatus("live", T0, "", "pods"), _pod(1), _down(T0 + 3, 60)]
    app = make_app(items, clock, Scope(context="podtui-demo"))
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        app.open_detail("u1")
        await pilot.pause()
        clock.set(T0 + 15)
        await settle(pilot)
        title = str(app.screen.query_one("#detail-title").render())
        assert title.startswith("shop/web-1  Running  data 12s old")
        app.feed._queue.extend([SourceStatus("live", T0 + 16, "", "pods")])
        clock.set(T0 + 16)
        await settle(pilot)
        assert "old" not in str(app.screen.query_one("#detail-title").render())


async def test_a_replayed_drop_is_said_stale_at_its_position_and_not_after_a_seek_back_before_it():
    # The recording's own reconnect says how old the data was then (it said nothing: a
    # gap with no data read as a quiet cluster); a seek back to before it leaves no anchor.
    from podtui.sources.recording import Header, Recording
    from podtui.sources.replay import ReplayFeed
    from podtui.ui.app import PodtuiApp
    from tests.ui.harness import TEST_ENV

    items = [SourceStatus("live", T0, "", "pods"), _pod(1), _down(T0 + 3, 60), Change("pods", "MODIFIED", _pod(1).obj, T0 + 30)]
    clock = ManualClock(T0)
    feed = ReplayFeed(Recording(None, Header(started=T0), items), clock, wall=lambda: 0.0, autoplay=False)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, environ=TEST_ENV, replay=feed)
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        feed.seek(T0 + 15)
        await settle(pilot)
        app.open_detail("u1")
        await pilot.pause()
        await settle(pilot)
        # The drop has no current_as_of (older recordings): the last pods item before it
        # (web-1 at T0) says how old, not the drop's own time (12s under-stated it).
        assert str(app.screen.query_one("#detail-title").render()).startswith("shop/web-1  Running  data 15s old")
        feed.seek(T0 + 2)
        await settle(pilot)
        assert "old" not in str(app.screen.query_one("#detail-title").render())
        assert app.stale_since is None


async def test_the_age_counts_from_the_streams_last_read_not_from_when_the_drop_was_noticed():
    # A silently dead watch is noticed at its read timeout (90 s): the last line it read,
    # at T0+5, is when the table was last current, not the T0+95 it was given up at.
    clock = ManualClock(T0)
    down = SourceStatus("reconnecting", T0 + 95, "no data within the read timeout", "pods", retry_at=T0 + 200,
                        current_as_of=T0 + 5)
    items = [SourceStatus("live", T0, "", "pods"), *(_pod(i) for i in range(18)), down]
    app = make_app(items, clock, Scope(context="podtui-demo"))
    async with app.run_test(size=(120, 10)) as pilot:
        clock.set(T0 + 95.5)
        await settle(pilot)
        assert "old" not in app.pods_screen.status_bar.text  # a reconnect at once would be no news
        clock.set(T0 + 100)
        await settle(pilot)
        assert app.stale_since == T0 + 5
        assert "│ data 95s old │" in app.pods_screen.status_bar.text


async def test_quitting_is_no_staleness():
    # Stopped: the feed closing as podtui quits says nothing of the cluster.
    clock = ManualClock(T0)
    items = [SourceStatus("live", T0, "", "pods"), _pod(1), SourceStatus("stopped", T0 + 3)]
    app = make_app(items, clock, Scope(context="podtui-demo"))
    async with app.run_test(size=(120, 10)) as pilot:
        clock.set(T0 + 15)
        await settle(pilot)
        assert app.stale_since is None
        assert "old" not in app.pods_screen.status_bar.text
