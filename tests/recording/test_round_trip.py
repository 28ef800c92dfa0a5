"""Record the demo cluster through the live path, replay the file: the model folded from
the recording equals the one podtui had live, history entry for history entry."""

from __future__ import annotations

import time

import pytest

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.lifecycle.changes import Change
from podtui.lifecycle.store import Store
from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
from podtui.sources.live import LiveSource
from podtui.sources.recording import read_recording, redact, start_recording
from podtui.sources.replay import ReplayFeed

T0 = 1_714_557_600.0


def caught_up(store: Store, cluster: DemoCluster) -> bool:
    truth = {p["metadata"]["uid"]: p["metadata"]["resourceVersion"] for p in cluster.storage.list("pods")}
    mine = {uid: r.obj["metadata"]["resourceVersion"] for uid, r in store.pods.items() if not r.is_tombstone}
    events = {e["metadata"]["uid"] for e in cluster.storage.list("events") if e["involvedObject"]["kind"] == "Pod"}
    seen = {ev.uid for r in store.pods.values() for ev in r.events}
    return mine == truth and events <= seen


def lag(store: Store, cluster: DemoCluster) -> str:
    truth = {p["metadata"]["uid"]: p["metadata"]["resourceVersion"] for p in cluster.storage.list("pods")}
    mine = {uid: r.obj["metadata"]["resourceVersion"] for uid, r in store.pods.items() if not r.is_tombstone}
    seen = {ev.uid for r in store.pods.values() for ev in r.events}
    missing = [e for e in cluster.storage.list("events")
               if e["metadata"]["uid"] not in seen and e["involvedObject"]["kind"] == "Pod"]
    return (f"pods differing {set(truth.items()) ^ set(mine.items())}; events missing "
            f"{[(e['involvedObject'].get('name'), e['reason']) for e in missing][:5]}")


def state(store: Store) -> dict:
    return {uid: (r.namespace, r.name, r.row, list(r.history.entries), r.history.dropped,
                  [(e.uid, e.count, e.last, e.message) for e in r.events], r.deleted_at, r.replaces, r.replaced_by,
                  r.version)
            for uid, r in store.pods.items()}


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_replayed_model_equals_the_live_one(tmp_path, suffix):
    clock = ManualClock(T0)
    cluster = DemoCluster("default", clock=clock, seed=3).start(drive=False)
    try:
        kubeconfig = tmp_path / "kubeconfig"
        cluster.write_kubeconfig(kubeconfig)
        conn = resolve_connection(ConnectionOptions(kubeconfig=str(kubeconfig), all_namespaces=True), {})
        source = LiveSource(conn, clock=clock, read_timeout=5.0)
        path = tmp_path / f"rec{suffix}"
        feed = start_recording(source, path, clock)
        live = Store(clock, tombstone_ttl=1e9)
        feed.start()
        # Ten minutes of the default scenario in 5 s steps, each applied live before the next.
        for _ in range(120):
            cluster.advance(5)
            deadline = time.monotonic() + 30
            while not caught_up(live, cluster):
                assert time.monotonic() < deadline, f"the live store never caught up: {lag(live, cluster)}"
                source.wait(0.05)
                live.apply_batch(feed.poll())
        feed.stop()
    finally:
        cluster.stop()

    recording = read_recording(path)
    assert recording.warnings == []
    replayed = Store(ManualClock(T0), tombstone_ttl=1e9)
    replay = ReplayFeed(recording, ManualClock(T0))
    replay.seek(replay.end_time)
    replayed.apply_batch(replay.poll())

    assert len(live.pods) >= 20
    assert any(r.is_tombstone for r in live.pods.values())  # deletions went through too
    assert sum(len(r.history.entries) for r in live.pods.values()) > 500
    assert state(replayed) == state(live)
    for uid, rec in live.pods.items():
        assert replayed.pods[uid].obj == redact(rec.obj)
    changes = [i for i in recording.items if isinstance(i, Change)]
    assert len(changes) == sum(live.stats[r].get(k, 0) for r in live.stats for k in ("ADDED", "MODIFIED", "DELETED"))
