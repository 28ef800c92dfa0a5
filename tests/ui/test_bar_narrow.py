"""The status bar at 80 and 60 columns: what a new user saw lose its pod count.

The bar keeps, longest, the connection's state and the pod count with its deleted
bracket; the scope and the reason are cut before them, ev/s, the clock and the
filter's echo go first (README: "it cuts the reason, not the pod count")."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope
from podtui.ui.status_bar import BarState, status_line
from tests.ui.harness import make_app, settle

T0 = 1714557600.0  # 10:00:00 UTC
WIDTHS = [78, 58]  # the bar's cells on an 80- and a 60-column terminal (it has a cell of padding each side)
SELECTED = "all namespaces -l app!=web --field-selector spec.nodeName=demo-worker-1"


def reconnecting() -> SourceStatus:
    return SourceStatus("reconnecting", T0, "connection refused", "pods", retry_at=T0 + 4)


def replay_at_12_45() -> SimpleNamespace:
    return SimpleNamespace(playing=False, speed=64, position=T0 + 765, start_time=T0, end_time=T0 + 961,
                           at_end=False)


CASES = {
    # (a) the API server down
    "server down": (BarState(context="podtui-demo", scope="all namespaces", total=18, shown=18,
                             source=reconnecting()), "reconnecting in 4s", "│ 18 pods"),
    # (b) a long scope: the state and the count were gone for the whole session
    "long scope": (BarState(context="podtui-demo", scope=SELECTED, total=3, shown=3,
                            source=SourceStatus("live", T0, "", "pods")), "● live", "│ 3 pods"),
    # (c) replay with a deleted pod
    "replay": (BarState(context="podtui-demo", scope="all namespaces", total=19, shown=19, deleted=1,
                        replay=replay_at_12_45()), "10:12:45 12:45/16:01 ×64", "│ 19 pods (1 deleted)"),
    # (d) a filter
    "filtered": (BarState(context="podtui-demo", scope="all namespaces", total=39, shown=4, deleted=2,
                          events_per_s=1, filter_text="crashloop", source=SourceStatus("live", T0, "", "pods")),
                 "● live", "│ 4/39 pods (2 deleted)"),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", list(CASES))
def test_the_state_and_the_pod_count_with_its_deleted_ones_fit(case, width):
    state, said, count = CASES[case]
    text = status_line(state, T0, width).plain
    assert len(text) <= width
    assert said in text
    assert count in text  # whole: "(N deleted)" included


def test_at_80_columns_the_scope_reads_minus_a_and_a_reconnect_keeps_its_reason():
    state = CASES["server down"][0]
    # Before: "podtui-demo │ all namespaces │ reconnecting in 4s: connection refused", no count
    assert status_line(state, T0, 78).plain == "podtui-demo │ -A │ reconnecting in 4s: connection refused │ 18 pods"
    # Narrower, the scope and the context go before a reconnect's reason (said only here)
    assert status_line(state, T0, 58).plain == "reconnecting in 4s: connection refused │ 18 pods"


def test_a_long_selector_is_cut_not_the_state():
    text = status_line(CASES["long scope"][0], T0, 78).plain
    # Before: "podtui-demo │ all namespaces -l app!=web --field-selector spec.nodeName=demo-…"
    assert text == "podtui-demo │ -A -l app!=web --field-selector spec.nodeName… │ ● live │ 3 pods"


def test_a_narrow_replay_leaves_out_the_word_replay_before_the_deleted_count():
    # Before: "podtui-demo │ all namespaces │ ⏸ replay 10:12:45 12:45/16:01 ×64 │ 19 pods"
    # "-A" first (it says what "all namespaces" does), then the word "replay".
    assert status_line(CASES["replay"][0], T0, 78).plain == \
        "podtui-demo │ -A │ ⏸ replay 10:12:45 12:45/16:01 ×64 │ 19 pods (1 deleted)"
    assert status_line(CASES["replay"][0], T0, 70).plain == \
        "podtui-demo │ -A │ ⏸ 10:12:45 12:45/16:01 ×64 │ 19 pods (1 deleted)"


def test_a_filtered_bar_drops_ev_s_and_then_the_filter_echo_before_the_deleted_count():
    state = CASES["filtered"][0]
    # Before: "... │ 4/39 pods │ 1 ev/s │ /crashloop"
    assert status_line(state, T0, 78).plain == "podtui-demo │ all namespaces │ ● live │ 4/39 pods (2 deleted) │ /crashloop"
    assert status_line(state, T0, 58).plain == "podtui-demo │ -A │ ● live │ 4/39 pods (2 deleted)"


def _pod(i: int) -> Change:
    return Change("pods", "ADDED", {
        "metadata": {"name": f"web-{i}", "namespace": "shop", "uid": f"u{i}", "creationTimestamp": "2024-05-01T09:00:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, T0)


@pytest.mark.parametrize("columns", [80, 60])
async def test_on_the_screen_a_server_down_keeps_the_pod_count(columns):
    items = [SourceStatus("live", T0, "", "pods"), *(_pod(i) for i in range(18)), reconnecting()]
    app = make_app(items, ManualClock(T0), Scope(context="podtui-demo"))
    async with app.run_test(size=(columns, 10)) as pilot:
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert text.startswith("podtui-demo │ -A │ reconnecting in 4s" if columns == 80 else "reconnecting in 4s")
        # The clock may stay: the scope read -A already at this width, and is not
        # widened back (test_bar_scope_steady.py).
        assert "connection refused" in text and text.removesuffix(" │ 10:00:00").endswith("│ 18 pods")
        assert len(text) <= columns - 2


def test_at_80_columns_a_reconnect_keeps_its_advice_and_the_age_of_the_data():
    reason = "401 Unauthorized: log in again; the kubeconfig is re-read at each retry"
    state = BarState(context="kind-kind", scope="all namespaces", shown=20, total=20, stale_since=T0 - 30,
                     stale_noticed=T0 - 2, source=SourceStatus("reconnecting", T0, reason, "pods", retry_at=T0 + 27))
    # Before: "kind-kind │ -A │ reconnecting in 27s: 401 Unauthoriz… │ data 30s old │ 20 pods"
    assert status_line(state, T0, 78).plain == \
        "reconnecting in 27s: 401 Unauthorized: log in again;… │ data 30s old │ 20 pods"
