"""The demo cluster runs for days: what it keeps per pod must go with the pod."""

from __future__ import annotations

from itertools import count

from demo_helpers import EPOCH

from podtui.apiserver.storage import Storage
from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.engine import Engine
from podtui.demo.events import LRU_SIZE, EventRecorder
from podtui.demo.scenario import EventSettings


def _recorder(settings: EventSettings) -> tuple[Engine, EventRecorder]:
    engine = Engine(EPOCH)
    uids = count()
    return engine, EventRecorder(Storage(ManualClock(EPOCH)), engine, settings, lambda: f"{next(uids):08x}")


def _back_off(events: EventRecorder, i: int, host: str = "n1") -> None:
    pod = {"kind": "Pod", "namespace": "demo", "name": f"p-{i}", "uid": f"u-{i}", "apiVersion": "v1"}
    events.record(pod, "Warning", "BackOff", f"Back-off restarting failed container app in pod p-{i}",
                  host=host, field_path="spec.containers{app}")


def _cached(caches: dict) -> int:
    return sum(len(cache) for cache in caches.values())


def test_the_correlator_forgets_pods_once_their_buckets_and_windows_lapse():
    # One new pod a second, each with one event: all but the last minutes' are the same as none.
    engine, events = _recorder(EventSettings(spam_burst=25, spam_interval=1.0, ttl=120.0))
    for i in range(3000):
        engine.run_until(EPOCH + i)
        _back_off(events, i)
    assert _cached(events._buckets) <= 120
    assert _cached(events._similar) <= 120 + 660  # the aggregation window is 10 minutes
    assert len(events._stored) <= 200


def test_the_correlator_caches_are_lrus_per_source_as_client_gos():
    # A bucket that never refills never lapses: the LRU bounds it.
    engine, events = _recorder(EventSettings(spam_burst=25, spam_interval=0.0, ttl=0.0))
    for i in range(LRU_SIZE + 1000):
        _back_off(events, i, host="n1")
        _back_off(events, i, host="n2")
    assert [len(cache) for cache in events._buckets.values()] == [LRU_SIZE, LRU_SIZE]
    assert [len(cache) for cache in events._similar.values()] == [LRU_SIZE, LRU_SIZE]


def test_a_quiet_demo_left_running_keeps_minutes_of_watch_history():
    # The default scenario writes ~700 versions an hour for ever (crash loops, probes):
    # a watch window of 50,000 would hold three days of them.
    cluster = DemoCluster("default", clock=ManualClock(EPOCH), seed=1)
    for _ in range(6 * 60):
        cluster.advance(60.0)
    assert len(cluster.storage._log) < 300
    assert len(cluster.storage.events_since(cluster.storage.oldest_resource_version, 10_000)) < 300


def test_an_events_hour_costs_little_more_than_its_json():
    # The scale demo writes 100 new Events a second, each kept an hour (--event-ttl):
    # 350,000. The recorder's copy of each and Storage's dict beside the JSON made them
    # 3.6 KB each here (3.9 KB in the demo, 1.4 GB an hour); now 2.2 KB, of which the
    # correlator's LRUs (bounded apart) hold 0.7 KB.
    import tracemalloc

    engine, events = _recorder(EventSettings())
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2_000):
            _back_off(events, i, host=f"n{i % 50}")
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(events.storage._objects["events"]) == 2_000
    assert held / 2_000 < 3_000  # 630 B of it JSON
