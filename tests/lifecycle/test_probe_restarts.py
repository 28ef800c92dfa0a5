"""Probe runs across a container restart. The kubelet's probe worker lives as long as
the pod (pkg/kubelet/prober/worker.go): a new container ID clears onHold and the cached
result but not resultRun, which only a liveness/startup kill sets to 0. A container that
crashed on its own mid-run therefore goes on with the same run."""

from __future__ import annotations

import pytest

from podtui.lifecycle.changes import MODIFIED, PODS, Change
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import probe_states
from podtui.lifecycle.times import format_ts

from tests.lifecycle.test_probe_runs import T0, Kubelet, new_store, pod, state_of

FAIL = "Liveness probe failed: HTTP probe failed with statuscode: 500"
KILL = "Container app failed liveness probe, will be restarted"


def restarted(started: float, finished: float, *, delay=15, ptype="liveness", exit_code=1, threshold=3,
              restarts=1, prev_started=-100) -> dict:
    """pod() after the container's first restart: it ran until `finished`, the new one from `started`."""
    p = pod(period=10, threshold=threshold, started=started, restarts=restarts, ptype=ptype)
    field = {"liveness": "livenessProbe", "readiness": "readinessProbe"}[ptype]
    p["spec"]["containers"][0][field]["initialDelaySeconds"] = delay
    (cs,) = p["status"]["containerStatuses"]
    cs["lastState"] = {"terminated": {"exitCode": exit_code, "reason": "Error" if exit_code else "Completed",
                                      "startedAt": format_ts(T0 + prev_started), "finishedAt": format_ts(T0 + finished)}}
    if ptype == "readiness":
        cs["ready"] = False
    return p


def first_run(store, kubelet, *fails: float, ptype="liveness") -> None:
    msg = FAIL if ptype == "liveness" else "Readiness probe failed: HTTP probe failed with statuscode: 503"
    for at in fails:
        kubelet.write(msg, at)


def starts_over(store, kubelet, started: float, finished: float, **kw) -> None:
    """The restart at `started` began the run again: the new instance's first failure, at 50, is 1/3."""
    store.apply(Change(PODS, MODIFIED, restarted(started=started, finished=finished, **kw), T0 + started + 0.3))
    assert state_of(store, started + 1).streak == 0
    kubelet.write(FAIL, 50)
    state = state_of(store, 50.5)
    assert (state.streak, state.acts_at) == (1, T0 + 70)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("finished, exact", [(15, True), (20, False)])
def test_a_run_goes_on_after_a_crash_that_was_not_the_kill(api, finished, exact):
    """Liveness failing 2/3 at 0 and 10, the app exits 1 at 15, back at 25 with a 15 s
    initial delay: the worker's ticks go on at 40, 50, ... and its first failure at 40 is
    the third (was: nothing before it, then "liveness 1/3", the kill placed two periods
    late). A crash at 20, about when the next tick was due: whether that tick probed the
    old instance (and passed) or found it gone, the whole seconds can't tell; the run is
    taken to go on, marked "~"."""
    store = new_store(pod(period=10, threshold=3))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 0, 10)
    store.apply(Change(PODS, MODIFIED, restarted(started=25, finished=finished), T0 + 25.3))
    state = state_of(store, 26)
    assert (state.streak, state.acts_at, state.exact) == (2, T0 + 40, exact)
    assert next_step(store.by_name("shop", "web-0"), T0 + 26).text == f"liveness {'' if exact else '~'}2/3, kill in ~14s"
    kubelet.write(FAIL, 40)
    state = state_of(store, 40.5)
    assert (state.streak, state.acts_at, state.exact) == (3, T0 + 40, exact)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("killing_seen", [True, False])
def test_a_kill_starts_the_run_again_and_a_crash_after_it_does_not(api, killing_seen):
    """The worker sets resultRun to 0 when it kills: the new instance's first failure is
    1/3, with the Killing Event seen or not (three in a row before the restart were the
    kill). That instance crashing on its own then carries its 1/3 on (podtui said 0, then
    1/3 again)."""
    store = new_store(pod(period=10, threshold=3))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 0, 10, 20)
    kubelet.write(KILL, 20, reason="Killing", shown=killing_seen)
    starts_over(store, kubelet, started=31, finished=21, exit_code=137)
    store.apply(Change(PODS, MODIFIED, restarted(started=62, finished=52, restarts=2, prev_started=31), T0 + 62.3))
    state = state_of(store, 63)
    # Without the Killing Event, only the last restart's times tell what went before.
    assert (state.streak, state.acts_at, state.exact) == (1, T0 + 90, killing_seen)
    kubelet.write(FAIL, 80)
    assert state_of(store, 80.5).streak == 2


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_a_success_before_the_crash_ends_the_run(api):
    """Failures at 0 and 10, the tick at 20 passed (no Event), the crash at 28: the new
    instance starts a run of its own; failing at 50 and crashing at once, it carries 1/3
    into the next (podtui said 0 there)."""
    store = new_store(pod(period=10, threshold=3))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 0, 10)
    starts_over(store, kubelet, started=35, finished=28)
    store.apply(Change(PODS, MODIFIED, restarted(started=56, finished=51, restarts=2, prev_started=35), T0 + 56.3))
    state = state_of(store, 57)
    assert (state.streak, state.acts_at) == (1, T0 + 90)  # ticks at 80 and 90 probe it


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_a_success_in_the_new_instance_ends_the_carried_run(api):
    """The carried 2/3 stands until the new instance's first tick (40): no failure Event by
    the time it is surely in, it passed."""
    store = new_store(pod(period=10, threshold=3))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 0, 10)
    store.apply(Change(PODS, MODIFIED, restarted(started=25, finished=15), T0 + 25.3))
    assert state_of(store, 39).streak == 2
    assert state_of(store, 60).streak == 0
    kubelet.write(FAIL, 60)  # the tick at 50 passed too
    state = state_of(store, 60.5)
    assert (state.streak, state.acts_at) == (1, T0 + 80)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_a_readiness_run_goes_on_across_a_restart(api):
    """Readiness has no kill: its run goes on across any restart that came with no
    success in between."""
    store = new_store(pod(period=10, threshold=5, ptype="readiness"))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 0, 10, ptype="readiness")
    store.apply(Change(PODS, MODIFIED, restarted(started=25, finished=15, ptype="readiness", threshold=5), T0 + 25.3))
    first_run(store, kubelet, 40, ptype="readiness")
    state = state_of(store, 40.5)
    assert state.streak == 3


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_after_a_startup_probe_when_liveness_resumed_is_not_known(api):
    """With a startup probe, liveness waits for it to pass, at a time no status gives: a
    first failure two periods after the initial delay may still be the first tick that
    probed, so the carried run is marked "~" (podtui said an exact 1/3)."""
    store = new_store(pod(period=10, threshold=3))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 0, 10)
    p = restarted(started=25, finished=15)
    p["spec"]["containers"][0]["startupProbe"] = {"exec": {"command": ["true"]}, "periodSeconds": 5}
    store.apply(Change(PODS, MODIFIED, p, T0 + 25.3))
    kubelet.write(FAIL, 60)
    state = next(p for p in probe_states(store.by_name("shop", "web-0"), T0 + 60.5) if p.settings.type == "liveness")
    assert (state.streak, state.exact) == (3, False)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_a_run_that_may_reach_back_past_the_restart_before_is_an_estimate(api):
    """One failure in each of two containers, each at its first tick, each ending in a
    crash: the run may go on from the one before the previous container too (here it
    does: the third container's first failure kills), and only the last restart's times
    are in the status. "~1/3" (podtui said an exact 1/3)."""
    store = new_store(pod(period=10, threshold=3, started=-5))
    kubelet = Kubelet(store, api)
    first_run(store, kubelet, 10)
    store.apply(Change(PODS, MODIFIED, restarted(started=25, finished=15, prev_started=-5), T0 + 25.3))
    first_run(store, kubelet, 40)
    assert state_of(store, 41).exact is True  # the restart before it was the first
    store.apply(Change(PODS, MODIFIED, restarted(started=55, finished=45, prev_started=25, restarts=2), T0 + 55.3))
    state = state_of(store, 56)
    assert (state.streak, state.exact) == (1, False)
    assert next_step(store.by_name("shop", "web-0"), T0 + 56).text == "liveness ~1/3, kill in ~24s"
