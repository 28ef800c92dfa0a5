"""The deployment rolling update, and how events reach the API (counts, the spam
filter, combined messages, expiry)."""

from __future__ import annotations

from demo_helpers import EPOCH, cluster_from, rel

from podtui.apiserver.storage import Storage
from podtui.clock import ManualClock
from podtui.demo.engine import Engine
from podtui.demo.events import EventRecorder
from podtui.demo.scenario import EventSettings

ROLLOUT = """
deployments:
  - name: web
    namespace: shop
    replicas: 3
    strategy: {maxSurge: 1, maxUnavailable: 0}
    template:
      metadata: {labels: {app: web}}
      spec:
        terminationGracePeriodSeconds: 5
        containers:
          - name: nginx
            image: "nginx:1.26"
            readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
    behavior:
      nginx: {pull: 3s, probes: {readiness: {pass_after: 4s}}}
actions:
  - {at: 60s, rollout: shop/web, images: {nginx: "nginx:1.27"}}
"""


def pods_of(cluster):
    return [p for p in cluster.storage.list("pods", "shop")]


def test_rolling_update_keeps_surge_and_availability():
    cluster = cluster_from(ROLLOUT)
    cluster.advance(59)
    before = pods_of(cluster)
    assert len(before) == 3 and all(p["spec"]["containers"][0]["image"] == "nginx:1.26" for p in before)
    old_hash = before[0]["metadata"]["labels"]["pod-template-hash"]
    assert all(p["metadata"]["name"].startswith(f"web-{old_hash}-") for p in before)
    worst_total = 0
    worst_ready = 3
    for _ in range(120):
        cluster.advance(0.5)
        alive = [p for p in pods_of(cluster) if "deletionTimestamp" not in p["metadata"]]
        ready = [
            p for p in alive if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))
        ]
        worst_total = max(worst_total, len(alive))
        worst_ready = min(worst_ready, len(ready))
    assert worst_total == 4  # replicas + maxSurge
    assert worst_ready == 3  # replicas - maxUnavailable
    after = pods_of(cluster)
    assert len(after) == 3
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.27" for p in after)
    new_hash = after[0]["metadata"]["labels"]["pod-template-hash"]
    assert new_hash != old_hash
    owner = after[0]["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("ReplicaSet", f"web-{new_hash}", True)
    scaling = sorted(
        (rel(e["firstTimestamp"]), e["message"]) for e in cluster.storage.list("events", "shop") if e["reason"] == "ScalingReplicaSet"
    )
    assert scaling[0][1] == f"Scaled up replica set web-{old_hash} from 0 to 3"
    assert scaling[1][1] == f"Scaled up replica set web-{new_hash} from 0 to 1"
    assert f"Scaled down replica set web-{old_hash} from 1 to 0" in [m for _, m in scaling]
    created = [e for e in cluster.storage.list("events", "shop") if e["reason"] == "SuccessfulCreate"]
    assert {e["involvedObject"]["kind"] for e in created} == {"ReplicaSet"}
    assert all(e["message"].startswith("Created pod: web-") for e in created)
    deleted = [e for e in cluster.storage.list("events", "shop") if e["reason"] == "SuccessfulDelete"]
    assert len(deleted) == 3


def test_replica_set_replaces_an_evicted_pod():
    cluster = cluster_from(ROLLOUT.replace("  - {at: 60s, rollout: shop/web, images: {nginx: \"nginx:1.27\"}}", "  - {at: 30s, evict: shop/web}"))
    cluster.advance(29)
    names = {p["metadata"]["name"] for p in pods_of(cluster)}
    cluster.advance(30)
    after = {p["metadata"]["name"] for p in pods_of(cluster)}
    assert len(after) == 3 and len(after - names) == 1 and len(names - after) == 1


def recorder(settings: EventSettings | None = None):
    clock = ManualClock(EPOCH)
    storage = Storage(clock)
    engine = Engine(EPOCH)
    counter = iter(range(10**6))
    return storage, engine, EventRecorder(storage, engine, settings or EventSettings(), lambda: f"{next(counter):08x}")


POD = {"kind": "Pod", "namespace": "demo", "name": "p", "uid": "u-1", "apiVersion": "v1"}


def test_repeats_update_count_and_last_timestamp():
    storage, engine, events = recorder()
    for i in range(3):
        engine.run_until(EPOCH + 10 * i)
        events.record(POD, "Warning", "BackOff", "Back-off restarting failed container app in pod p_demo(u-1)", host="n1", field_path="spec.containers{app}")
    [event] = storage.list("events")
    assert event["count"] == 3
    assert rel(event["firstTimestamp"]) == 0 and rel(event["lastTimestamp"]) == 20
    assert event["metadata"]["name"].startswith("p.")
    assert event["involvedObject"]["fieldPath"] == "spec.containers{app}"


def test_a_repeat_patches_the_stored_event():
    # client-go PATCHes a repeat's count, lastTimestamp and message onto the Event the
    # API holds: another writer's change stays. The recorder keeps no copy of its own.
    storage, engine, events = recorder()
    message = "Back-off restarting failed container app in pod p_demo(u-1)"
    events.record(POD, "Warning", "BackOff", message, host="n1", field_path="spec.containers{app}")
    [stored] = storage.list("events")
    storage.update("events", {**stored, "metadata": {**stored["metadata"], "labels": {"seen-by": "ops"}}})
    engine.run_until(EPOCH + 10)
    events.record(POD, "Warning", "BackOff", message, host="n1", field_path="spec.containers{app}")
    [event] = storage.list("events")
    assert event["count"] == 2 and rel(event["lastTimestamp"]) == 10
    assert event["metadata"]["labels"] == {"seen-by": "ops"}


def test_spam_filter_drops_writes_but_keeps_counting():
    storage, engine, events = recorder(EventSettings(spam_burst=5, spam_interval=300))
    for i in range(20):
        engine.run_until(EPOCH + i)
        events.record(POD, "Normal", "Pulled", 'Container image "x" already present on machine', host="n1")
    [event] = storage.list("events")
    assert event["count"] == 5  # five writes went through
    assert events.dropped == 15
    engine.run_until(EPOCH + 400)  # a token refilled
    events.record(POD, "Normal", "Pulled", 'Container image "x" already present on machine', host="n1")
    [event] = storage.list("events")
    assert event["count"] == 21  # the write carries every repeat, dropped ones too
    # Another reason has its own bucket (the spam key includes type and reason).
    events.record(POD, "Warning", "BackOff", "b", host="n1")
    assert {e["reason"] for e in storage.list("events")} == {"Pulled", "BackOff"}


def test_ten_different_messages_combine():
    storage, engine, events = recorder(EventSettings(spam_burst=0))
    for i in range(12):
        engine.run_until(EPOCH + i)
        events.record(POD, "Warning", "Unhealthy", f"Liveness probe failed: took {i}ms", host="n1")
    messages = sorted(e["message"] for e in storage.list("events"))
    combined = [m for m in messages if m.startswith("(combined from similar events): ")]
    assert len(messages) == 10  # nine on their own, then one combined event
    assert combined == ["(combined from similar events): Liveness probe failed: took 11ms"]
    [combined_event] = [e for e in storage.list("events") if e["message"].startswith("(combined")]
    assert combined_event["count"] == 3


def test_events_expire_after_the_ttl():
    storage, engine, events = recorder(EventSettings(ttl=600))
    events.record(POD, "Normal", "Pulled", "old", host="n1")
    engine.run_until(EPOCH + 500)
    events.record(POD, "Normal", "Pulled", "newer", host="n1")
    engine.run_until(EPOCH + 700)
    assert [e["message"] for e in storage.list("events")] == ["newer"]


def test_event_names_do_not_collide_at_the_same_instant():
    storage, engine, events = recorder(EventSettings(spam_burst=0))
    for reason in ("Pulling", "Pulled", "Created", "Started"):
        events.record(POD, "Normal", reason, reason, host="n1")
    assert len({e["metadata"]["name"] for e in storage.list("events")}) == 4


def test_default_scenario_emits_the_kubelets_events():
    cluster = cluster_from(open_default())
    cluster.advance(120)
    reasons = {e["reason"] for e in cluster.storage.list("events")}
    assert {
        "Scheduled",
        "FailedScheduling",
        "Pulling",
        "Pulled",
        "Failed",
        "BackOff",
        "Created",
        "Started",
        "Unhealthy",
        "Killing",
        "FailedPostStartHook",
        "Evicted",
        "DeadlineExceeded",
        "ScalingReplicaSet",
        "SuccessfulCreate",
        "SuccessfulDelete",
    } <= reasons
    assert cluster.now - EPOCH == 120


def open_default() -> str:
    from podtui.demo.scenario import SCENARIO_DIR

    return (SCENARIO_DIR / "default.yaml").read_text()
