"""Whether a probe streak is counted or estimated (ProbeState.exact), and how that shows:
failures podtui did not see written one by one (a watch outage, the spam filter, before
it watched) leave the streak an estimate from the Events' spans."""

from __future__ import annotations

import pytest

from podtui.lifecycle.changes import MODIFIED, PODS, Change
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import probe_states, streak_fraction
from podtui.lifecycle.records import NextStep
from podtui.lifecycle.report import pod_report
from podtui.ui.next_text import readable
from tests.lifecycle import test_probe_runs as runs


def test_a_missed_write_makes_the_streak_an_estimate_until_the_run_ends():
    """Count 6 -> 8: the 7th failure lies somewhere in between, so the run may or may not
    be unbroken there. The streak said 9/20 as if counted."""
    store = runs.new_store(runs.pod(period=10, threshold=20))
    kubelet = runs.Kubelet(store)
    for tick in range(12):
        kubelet.write("Liveness probe failed: a", 10 * tick, shown=tick != 6)
        state = runs.state_of(store, 10 * tick + 1)
        if tick != 6:
            assert (state.streak, state.exact) == (tick + 1, tick < 6), tick
    assert streak_fraction(state) == "~12/20"
    # A success, then failures seen one by one: counted again.
    for tick in range(13, 15):
        kubelet.write("Liveness probe failed: a", 10 * tick)
    state = runs.state_of(store, 141)
    assert (state.streak, state.exact, streak_fraction(state)) == (2, True, "2/20")


def test_a_run_begun_before_podtui_watched_is_an_estimate():
    store = runs.new_store(runs.pod(period=10, threshold=10))
    kubelet = runs.Kubelet(store)
    for at in (-600, -300, 0, 10):
        kubelet.write("Liveness probe failed: a", at, shown=at >= 0)  # seen first at count 3
    state = runs.state_of(store, 11)
    # The failure between -600 and 0 may have come at -10: 2 or 3.
    assert (state.streak, state.exact) == (2, False)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_an_even_stretch_across_a_crash_restart_is_counted_not_estimated(api):
    """The old instance's failures, a period apart right up to its crash between two
    ticks, and the new one's: one run, every failure seen written, so exact (podtui
    estimated from the spans, right only by luck of the spacing)."""
    store = runs.new_store(runs.pod(period=10, threshold=30, started=-100, ptype="readiness"))
    kubelet = runs.Kubelet(store, api)
    for at in range(0, 160, 10):
        kubelet.write("Readiness probe failed: 503", at)
    store.apply(Change(PODS, MODIFIED, runs.restarted_at(155, 152, period=10, threshold=30, ptype="readiness"),
                       runs.T0 + 155.3))
    for run, at in enumerate(range(160, 280, 10), start=17):
        kubelet.write("Readiness probe failed: 503", at)
        state = runs.state_of(store, at + 1)
        assert (state.streak, state.exact) == (run, True)


def test_next_keeps_the_tilde_of_an_estimated_streak_and_words_one_past_the_threshold():
    assert readable(NextStep("liveness ~2/3", due_at=5.0)).text == "liveness ~2/3"
    assert readable(NextStep("readiness ~5/3")).text == "readiness fails"  # was left as it came
    assert readable(NextStep("startup ~9/30")).text == "startup ~9/30"


def test_next_and_the_history_report_mark_an_estimated_streak():
    store = runs.new_store(runs.pod(period=10, threshold=20))
    kubelet = runs.Kubelet(store)
    for tick in range(12):
        kubelet.write("Liveness probe failed: a", 10 * tick, shown=tick != 6)  # count 6 -> 8 unseen
    record, now = store.by_name("shop", "web-0"), runs.T0 + 111
    assert next_step(record, now).text == "liveness ~12/20, kill in ~79s"
    (probe,) = pod_report(record, now)["probe_failures"]
    assert probe["current_streak"] == "~12/20"


def _both_probes(period: int = 10) -> dict:
    p = runs.pod(period=period, threshold=30)
    (c,) = p["spec"]["containers"]
    c["readinessProbe"] = {"httpGet": {"port": 8080}, "periodSeconds": period, "failureThreshold": 30}
    return p


def test_a_combined_event_holding_two_probes_failures_leaves_both_streaks_estimates():
    """The recorder's aggregate key leaves out the field path and the message: once 10
    different messages came, one "(combined from similar events)" Event takes the
    failures of every probe of the pod, its message the latest's. Read as the probe its
    latest message names, the other probe's failures in it go uncounted and its own are
    mixed with the other's: neither streak is a count."""
    store = runs.Store(runs.ManualClock(runs.T0))
    store.apply(Change(PODS, runs.ADDED, _both_probes(), runs.T0 - 100))
    kubelet = runs.Aggregating(store)
    for tick in range(30):
        kubelet.write(f"Liveness probe failed: HTTP probe failed with statuscode: {500 + tick}", 10 * tick)
        kubelet.write(f"Readiness probe failed: HTTP probe failed with statuscode: {500 + tick}", 10 * tick)
    assert "combined" in store.by_name("shop", "web-0").event_index
    live, ready = probe_states(store.by_name("shop", "web-0"), runs.T0 + 291)
    assert (live.exact, ready.exact) == (False, False)
