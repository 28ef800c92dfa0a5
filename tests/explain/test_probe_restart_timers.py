"""Liveness kills across restarts the probe did not cause, held against the demo kubelet
(which keeps its run across a new container as worker.go does): podtui's due time for
the kill must come true within the API's precision (test_timer_accuracy.bounds)."""

from __future__ import annotations

import pytest

from test_timer_accuracy import violations
from timer_accuracy import measure, record_scenario

# The liveness probe waits 20 s into each run and fails from then on; the app exits 1
# after 28 s. The first run fails once or twice (by where the 5 s ticks fall) and
# crashes; the next one's first failure makes three and it is killed; the one after
# starts a run of its own, and so on.
CRASH_MID_RUN = """
name: probe-restart-timers
description: a liveness run cut short by a crash goes on in the next container
pods:
  - name: crash-mid-run
    namespace: t
    spec:
      containers:
        - name: app
          image: ghcr.io/example/api:2.4.1
          livenessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 20,
                          periodSeconds: 5, failureThreshold: 3}
    behavior:
      app: {pull: 1s, run: 28s, exit_code: 1, probes: {liveness: {fail_after: 0s}}}
"""


@pytest.fixture(scope="module")
def outcomes():
    return measure(record_scenario(CRASH_MID_RUN, 400.0))


def test_the_kill_after_a_crash_mid_run_comes_when_podtui_said(outcomes):
    """Before the fix podtui counted the new container's first failure as 1/3 and put the
    kill two periods after it: it came one period after it (-5 s, three times in 400 s)."""
    killed = [o for o in outcomes if o.kind == "liveness" and o.error is not None]
    assert len(killed) >= 3
    assert violations(outcomes) == []
