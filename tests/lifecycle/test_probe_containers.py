"""Two containers' probe failures in one "(combined from similar events)" Event. The
recorder's aggregate key (events_cache.go EventAggregatorByReasonFunc) is the source,
the involved object without its field path, type and reason: every Unhealthy of the pod
counts toward the 10 different messages, and the combined Event, once created, keeps the
field path of the write that created it (later writes patch only count, time and
message), whichever container each later write is about."""

from __future__ import annotations

from podtui.lifecycle.changes import ADDED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle.probes import probe_states, streak_fraction
from tests.lifecycle.test_probe_runs import T0, ManualClock, Store, event, pod


def two_containers(side_probe: str) -> dict:
    p = pod(period=10, threshold=40)
    (app,) = p["spec"]["containers"]
    side = {"name": "side", side_probe: {"httpGet": {"port": 9090}, "periodSeconds": 10, "failureThreshold": 40}}
    p["spec"]["containers"].append(side)
    p["status"]["containerStatuses"].append({**p["status"]["containerStatuses"][0], "name": "side"})
    return p


class Recorder:
    """The kubelet's recorder for one pod: each message its own Event until 10 different
    ones came, then a new one goes to the combined Event (its field path the first's)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, tuple[float, int, str]] = {}  # Event -> (first, count, its container)
        self.messages: set[str] = set()

    def write(self, container: str, message: str, at: float) -> None:
        key = message
        if message not in self.messages:
            self.messages.add(message)
            if len(self.messages) >= 10:
                key = "combined"
                message = "(combined from similar events): " + message
        first, count, owner = self.seen.get(key, (at, 0, container))
        self.seen[key] = (first, count + 1, owner)
        obj = event("v1", key.replace(" ", "-"), message, first, at, count + 1)
        obj["involvedObject"]["fieldPath"] = f"spec.containers{{{owner}}}"
        self.store.apply(Change(EVENTS, MODIFIED if count else ADDED, obj, T0 + at + 0.3))


def _run(side_probe: str, side_type: str):
    """app's liveness fails with 10 different messages (the 10th creates the combined
    Event, its field path app's), then passes; side's probe fails 20 times in a row, each
    message new: all written to the combined Event."""
    store = Store(ManualClock(T0))
    store.apply(Change(PODS, ADDED, two_containers(side_probe), T0 - 100))
    recorder = Recorder(store)
    for tick in range(10):
        recorder.write("app", f"Liveness probe failed: HTTP probe failed with statuscode: {500 + tick}", 10 * tick)
    for tick in range(11, 31):
        recorder.write("side", f"{side_type} probe failed: Get http://10.0.0.7:9090/: dial tcp {tick}", 10 * tick)
    states = probe_states(store.by_name("shop", "web-0"), T0 + 301)
    return {(s.settings.container, s.settings.type): s for s in states}


def test_a_combined_event_created_by_one_container_counts_the_others_failures():
    """side's readiness failures all went to the Event whose field path names app (which
    has no readiness probe): podtui read side as 0/40 and dropped them. Only side has a
    readiness probe, so they are side's; app's liveness write in the same Event leaves
    it an estimate."""
    states = _run("readinessProbe", "Readiness")
    side = states[("side", "readiness")]
    assert side.streak >= 20 and side.exact is False
    assert streak_fraction(side).startswith("~")


def test_a_combined_event_two_containers_liveness_could_be_is_an_estimate_for_both():
    """Both have a liveness probe: the combined Event's writes can't be told apart. podtui
    said side 0/40 exactly, and app 20/40 exactly, though app's probe passes."""
    states = _run("livenessProbe", "Liveness")
    app, side = states[("app", "liveness")], states[("side", "liveness")]
    assert (app.exact, side.exact) == (False, False)
    assert side.streak >= 20
