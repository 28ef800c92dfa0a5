"""Errored probe attempts: the worker throws the result away (worker.go doProbe: "Prober
error, throw away the result"), keeping lastResult and resultRun, so an error neither
counts toward a streak nor breaks it. The kubelet still writes a Warning Unhealthy
"<Type> probe errored and resulted in unknown state: ..." Event for it (prober.go)."""

from __future__ import annotations

import pytest

from tests.lifecycle.test_probe_runs import Kubelet, T0, new_store, pod, state_of

ERRORED = "Liveness probe errored and resulted in unknown state: rpc error: code = DeadlineExceeded"


def _replay(results: str, api: str, threshold: int = 20, period: int = 10):
    """Each tick of `results` ("F" failure, "E" errored, "S" success) a period apart, every
    write seen; yields (tick, the worker's resultRun, podtui's state a second later)."""
    store = new_store(pod(period, threshold))
    kubelet = Kubelet(store, api)
    run = 0
    for tick, result in enumerate(results):
        at = tick * period
        if result == "S":
            run = 0
        elif result == "E":
            kubelet.write(ERRORED, at)
        else:
            kubelet.write("Liveness probe failed: HTTP probe failed with statuscode: 500", at)
            run += 1
        yield tick, run, state_of(store, at + 1)


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("results", ["FFEF", "FEEF", "FFEFEF", "FSFEFF", "FFESF", "EFEFEFEF", "FF" + "EF" * 12,
                                     "F" * 12 + "E" + "F" * 6])
def test_an_errored_attempt_between_failures_neither_counts_nor_breaks_the_run(results, api):
    """F F E F: the worker's run is 3. podtui took the error's gap for a success and said 1."""
    for tick, run, state in _replay(results, api):
        if results[tick] == "F":
            assert (state.streak, state.exact) == (run, True), results[:tick + 1]


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
def test_errors_after_the_last_failure_keep_the_run(api):
    """F F E E E: still 2, the kill due at the next tick if it fails; podtui said 0 once
    the last failure was a success's gap behind."""
    *_, (tick, run, state) = _replay("FFEEE", api, threshold=3)
    assert (state.streak, state.exact, state.acts_at) == (2, True, T0 + 40 + 10)

