"""NEXT while the kubelet retries an image pull.

The status keeps saying ImagePullBackOff while the retry's pull runs (the kubelet writes
ErrImagePull only when it fails), so from the back-off's end to the pull's failure NEXT
said "pull retry due" (2 s of the demo's bad-image pod, a slow registry's minutes). What
a client can see of the pull: the kubelet's Pulling Event, newer than the failure that
started the back-off and than its last BackOff Event. NEXT then says the pull runs, and
for how long, as it says a postStart hook runs.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.backoff import backoffs
from podtui.lifecycle.columns import pod_row
from podtui.lifecycle.nextstep import next_due, next_step
from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.store import Store
from tests.explain.timer_accuracy import record_scenario

T0 = 1_714_557_600.0
IMAGE = "registry.example.com/shop/api:v9.9.9"


def event(reason: str, last: float, container: str = "api", count: int = 1, message: str = "") -> EventRecord:
    return EventRecord(uid=f"ev-{reason}-{message[:6]}", namespace="demo", name=f"p.{reason}", type="Normal",
                       reason=reason, message=message, first=T0 - 60, last=T0 + last, count=count,
                       field_path=f"spec.containers{{{container}}}", container=container, source="kubelet",
                       involved_kind="Pod", involved_namespace="demo", involved_name="p", involved_uid="u1")


def failed(last: float, count: int = 1) -> EventRecord:
    return event("Failed", last, count=count, message=f'Failed to pull image "{IMAGE}": not found')


def backoff(last: float, count: int = 1) -> EventRecord:
    return event("BackOff", last, count=count, message=f'Back-off pulling image "{IMAGE}"')


def pulling(last: float, count: int = 2, container: str = "api") -> EventRecord:
    return event("Pulling", last, container=container, count=count, message=f'Pulling image "{IMAGE}"')


POD = {"metadata": {"name": "p", "namespace": "demo", "uid": "u1"},
       "spec": {"restartPolicy": "Always", "containers": [{"name": "api", "image": IMAGE}]},
       "status": {"phase": "Pending", "startTime": "2024-05-01T09:59:00Z", "containerStatuses": [
           {"name": "api", "image": IMAGE, "ready": False, "started": False, "restartCount": 0,
            "state": {"waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{IMAGE}"'}}}]}}


def record_of(events) -> SimpleNamespace:
    return SimpleNamespace(obj=POD, row=pod_row(POD), events=list(events), deleted_at=None, ladders={}, uid="u1",
                           namespace="demo", name="p", version=1)


def text(events, now: float = T0):
    step = next_step(record_of(events), now)
    return (step.text, step.severity) if step is not None else None


@pytest.mark.parametrize("events, want", [
    # The first pull failed at -12: the retry was due at -2; its Pulling Event came at -1.
    ([pulling(-14, 1), failed(-12), backoff(-11), pulling(-1)], ("pull retry running for 1s", "error")),
    # ... and after the BackOff the kubelet repeats while it waits (-3): the retry's Pulling is newer.
    ([failed(-12), backoff(-3, 2), pulling(-1)], ("pull retry running for 1s", "error")),
    # The controls: the Pulling of the pull that failed, one older than a BackOff, another container's.
    ([pulling(-14, 1), failed(-12), backoff(-11)], ("pull retry due", "error")),
    ([failed(-12), pulling(-5), backoff(-3, 2)], ("pull retry due", "error")),
    ([failed(-12), backoff(-11), pulling(-1, container="sidecar")], ("pull retry due", "error")),
    ([failed(-5), backoff(-4)], ("pull retry in 5s", "error")),
])
def test_a_pull_under_way_is_said_not_the_retry_it_follows(events, want):
    assert text(events) == want


def test_a_running_pull_keeps_the_back_offs_due_time_and_colour():
    # Part of the back-off: NEXT keeps its place in a NEXT sort and its error colour
    # through every retry (was: never due, a warning, for the pull's seconds).
    before = record_of([failed(-12), backoff(-11)])
    during = record_of([failed(-12), backoff(-11), pulling(-1)])
    assert next_due(before, T0) == next_due(during, T0) == T0 - 2
    assert next_step(before, T0).severity == next_step(during, T0).severity == "error"


def test_the_back_off_says_when_the_running_pull_began():
    record = SimpleNamespace(obj=POD, events=[failed(-12), backoff(-11), pulling(-1)], ladders={}, uid="u1")
    (info,) = backoffs(record, T0)
    assert info.kind == "image" and info.pulling_since == T0 - 1
    record.events = [failed(-12), backoff(-11)]
    assert backoffs(record, T0)[0].pulling_since is None


SCENARIO = f"""
pods:
  - name: bad-image
    namespace: demo
    spec:
      containers:
        - name: api
          image: {IMAGE}
    behavior:
      api:
        pull: 2s
        pull_error: 'rpc error: code = NotFound desc = {IMAGE}: not found'
"""


def test_the_demo_bad_image_pod_reads_its_pull_not_pull_retry_due():
    """The demo kubelet's 2s pulls, watched with a quarter second's lag: "pull retry due"
    only until the Pulling Event arrives (was: until the pull's failure reached the status)."""
    step = 0.25
    changes = record_scenario(SCENARIO, 80, step=step, start=T0)
    clock = ManualClock(T0)
    store = Store(clock)
    runs: list[tuple[str | None, float]] = []  # (text, how long it showed)
    i, t = 0, T0
    while t < T0 + 80:
        t += step
        clock.set(t)
        while i < len(changes) and changes[i].observed <= t:
            store.apply(changes[i])
            i += 1
        rec = store.by_name("demo", "bad-image")
        got = next_step(rec, t) if rec is not None else None
        said = got.text if got is not None else None
        if runs and runs[-1][0] == said:
            runs[-1] = (said, runs[-1][1] + step)
        else:
            runs.append((said, step))
    assert sum(1 for said, _ in runs if said == "pull retry running for 0s") >= 3, runs  # 10s, 20s, 40s back-offs
    assert any(said == "pull retry running for 2s" for said, _ in runs), runs
    assert max((long for said, long in runs if said == "pull retry due"), default=0) <= 2 * step, runs
