"""What the status bar says about the source when one of its two streams is gone."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import REFRESHING, Change, SourceStatus
from podtui.sources.base import Scope, StaticFeed
from podtui.ui import app as app_module
from podtui.ui.app import PUMP_CHUNK, PodtuiApp
from tests.ui.conftest import notices
from tests.ui.harness import TEST_ENV, make_app, settle

T0 = 1714557600.0
FORBIDDEN = ('events not shown: events is forbidden in namespace "web" for user "dev" (list events): '
             "ask for access or try another -n NAMESPACE")


async def test_forbidden_events_stay_said_after_the_pods_stream_goes_live():
    # What LiveSource.preflight queues when events are forbidden: the events failure
    # first, then the pods stream's own states. The notice must outlive them.
    items = [
        SourceStatus("failed", T0, FORBIDDEN, "events"),
        SourceStatus("connecting", T0, "", "pods"),
        SourceStatus("listing", T0, "", "pods"),
        SourceStatus("live", T0, "", "pods"),
    ]
    app = make_app(items, ManualClock(T0), Scope(context="prod", namespace="web"))
    async with app.run_test(size=(160, 10)) as pilot:
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert "● live" in text and "no events" in text
        assert notices(app) == [FORBIDDEN]


async def test_a_fatal_pods_failure_is_not_hidden_by_the_events_stream():
    items = [
        SourceStatus("failed", T0, 'pods is forbidden in namespace "web"', "pods"),
        SourceStatus("reconnecting", T0, "connection reset", "events", retry_at=T0 + 1),
        SourceStatus("live", T0 + 1, "", "events"),
    ]
    app = make_app(items, ManualClock(T0), Scope(context="prod", namespace="web"))
    async with app.run_test(size=(160, 10)) as pilot:
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert 'failed: pods is forbidden in namespace "web"' in text
        assert "no events" not in text


async def test_a_pods_watch_waiting_to_reconnect_is_not_hidden_by_live_events():
    # The API server restarted: both watches drop, the events one comes back first.
    # "● live" then would show frozen pods as current.
    items = [
        SourceStatus("live", T0, "", "pods"),
        SourceStatus("live", T0, "", "events"),
        SourceStatus("reconnecting", T0, "connection refused", "pods", retry_at=T0 + 25),
        SourceStatus("reconnecting", T0, "connection refused", "events", retry_at=T0 + 1),
        SourceStatus("live", T0 + 1, "", "events"),
    ]
    app = make_app(items, ManualClock(T0 + 1), Scope(context="prod", namespace="web"))
    async with app.run_test(size=(160, 10)) as pilot:
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert "reconnecting in 24s: connection refused" in text and "live" not in text
        app.feed._queue.extend([SourceStatus("live", T0 + 25, "", "pods")])  # the pods watch back
        await settle(pilot)
        assert "● live" in app.pods_screen.status_bar.text


async def test_at_80_columns_the_bar_cuts_the_reason_not_the_pod_count_and_a_failure_is_said_whole():
    cluster_scope = ('pods is forbidden at the cluster scope for user "podtui" (watch/list pods): '
                     "try -n NAMESPACE")
    items = [SourceStatus("failed", T0, cluster_scope, "pods")]
    app = make_app(items, ManualClock(T0), Scope(context="prod"))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        # As README says: the clock and ev/s (nothing comes while failed) go first, then
        # "all namespaces" reads -A and the reason is cut; the notification has it whole.
        # Before, the pod count went instead.
        assert app.pods_screen.status_bar.text == \
            'prod │ -A │ failed: pods is forbidden at the cluster scope for user … │ 0 pods'
        assert notices(app) == [cluster_scope]
        await pilot.resize_terminal(160, 10)
        await pilot.pause()
        assert app.pods_screen.status_bar.text.endswith("try -n NAMESPACE │ 0 pods │ 0 ev/s │ 10:00:00 UTC")


async def test_a_live_bar_at_80_columns_drops_the_clocks_utc_first():
    items = [SourceStatus("live", T0, "", "pods")]
    app = make_app(items, ManualClock(T0), Scope(context="prod-eu-west-1-cluster"))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert app.pods_screen.status_bar.text == \
            "prod-eu-west-1-cluster │ all namespaces │ ● live │ 0 pods │ 0 ev/s │ 10:00:00"


async def test_one_pod_is_one_pod():
    items = [SourceStatus("live", T0, "", "pods"), Change("pods", "ADDED", {
        "metadata": {"name": "only", "namespace": "web", "uid": "u1", "creationTimestamp": "2024-05-01T09:00:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, T0)]
    app = make_app(items, ManualClock(T0), Scope(context="prod", namespace="web"))
    async with app.run_test(size=(160, 10)) as pilot:
        await settle(pilot)
        assert "│ 1 pod │" in app.pods_screen.status_bar.text


def test_a_narrow_bar_leaves_out_the_deleted_count_last_before_the_pod_count():
    from podtui.ui.status_bar import BarState, status_line

    state = BarState(context="prod", scope="all namespaces", total=25, shown=25, deleted=20,
                     source=SourceStatus("reconnecting", T0, "connection reset", "pods", retry_at=T0 + 4))
    wide = status_line(state, T0).plain
    assert "25 pods (20 deleted)" in wide
    room = len("prod │ all namespaces │ reconnecting in 4s: connection reset │ 25 pods") + 2
    # Scope and reason give way to the count with its bracket ...
    assert status_line(state, T0, room).plain == "prod │ -A │ reconnecting in 4s: connection reset │ 25 pods (20 deleted)"
    # ... and it goes only when nothing else is left to cut; the pod count never does.
    narrow = status_line(state, T0, len("reconnecting in 4s │ 25 pods") + 2).plain
    assert narrow == "reconnecting in 4s │ 25 pods"


class _HeldFeed(StaticFeed):
    """A feed whose producer waits for room (LiveSource.held_back) as the test says."""

    held_back = False


def _pod(i: int) -> Change:
    return Change("pods", "ADDED", {
        "metadata": {"name": f"p{i}", "namespace": "web", "uid": f"u{i}", "creationTimestamp": "2024-05-01T09:00:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, T0)


async def test_the_bar_says_catching_up_while_the_feed_is_held_back_until_the_backlog_is_applied(monkeypatch):
    # The bar said "● live" while the screen was a 64 MiB backlog behind the cluster.
    monkeypatch.setattr(app_module, "PUMP_BUDGET", -1.0)  # one chunk per pump: a backlog that outlasts a tick
    feed = _HeldFeed([SourceStatus("live", T0, "", "pods")] + [_pod(i) for i in range(2 * PUMP_CHUNK + 5)],
                     Scope(context="prod-eu-west-1-cluster"))
    app = PodtuiApp(feed, ManualClock(T0), theme="podtui-dark", timers=False, environ=TEST_ENV)
    async with app.run_test(size=(80, 10)) as pilot:
        bar = app.pods_screen.status_bar
        feed.held_back = True
        app.pump()
        app.tick()
        await pilot.pause()
        # At 80 columns the clock and the rate go before it.
        assert bar.text == "prod-eu-west-1-cluster │ all namespaces │ ● live, catching up │ 19 pods"
        feed.held_back = False  # the watch thread got room, but a chunk is still queued
        app.pump()
        app.tick()
        assert "● live, catching up" in bar.text
        app.pump()  # the last of it
        app.tick()
        assert bar.text.startswith("prod-eu-west-1-cluster │ all namespaces │ ● live │ 45 pods")
        feed.held_back = True  # behind again: said again
        app.tick()
        assert "● live, catching up" in bar.text


def test_catching_up_qualifies_whatever_state_the_bar_shows():
    from podtui.ui.status_bar import BarState, status_line

    state = BarState(context="prod", scope="web", behind=True, source=SourceStatus("listing", T0, "", "pods"))
    assert "│ listing, catching up │" in status_line(state, T0).plain


async def test_a_slow_token_refresh_is_said_over_the_other_streams_live():
    # The events watch is live; the pods watch waits on the exec plugin, and no pod
    # changes arrive meanwhile: "● live" would show them as current.
    items = [
        SourceStatus("live", T0, "", "pods"),
        SourceStatus("live", T0, "", "events"),
        SourceStatus(REFRESHING, T0, "gke-gcloud-auth-plugin", "pods"),
    ]
    app = make_app(items, ManualClock(T0), Scope(context="gke", namespace="web"))
    async with app.run_test(size=(160, 10)) as pilot:
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert "│ refreshing credentials (gke-gcloud-auth-plugin)… │" in text and "live" not in text
        app.feed._queue.extend([SourceStatus("reconnecting", T0, "connection reset", "events", retry_at=T0 + 2)])
        await settle(pilot)  # a break is worse than a wait
        assert "reconnecting in 2s: connection reset" in app.pods_screen.status_bar.text
        app.feed._queue.extend([SourceStatus("live", T0, "", "events"), SourceStatus("live", T0, "", "pods")])
        await settle(pilot)
        assert "● live" in app.pods_screen.status_bar.text


def test_catching_up_leaves_a_cut_reason_its_ellipsis():
    # Before: "reconnecting in 4s: connection r, catching up", as if the reason were whole.
    from podtui.ui.status_bar import BarState, status_line

    down = SourceStatus("reconnecting", T0, "connection refused by the load balancer at the edge", "pods", T0 + 4)
    state = BarState(context="prod", scope="web", behind=True, total=19, source=down)
    text = status_line(state, T0, 70).plain
    assert "…, catching up" in text and "19 pods" in text
    refreshing = BarState(context="prod", scope="web", behind=True, source=SourceStatus("refreshing", T0, "kubelogin", "pods"))
    assert "refreshing credentials (kubelogin), catching up" in status_line(refreshing, T0).plain
