"""DemoCluster as a whole: same seed same run, --stop-after, the real-time driver,
the engine's ordering, and the scale scenario."""

from __future__ import annotations

import logging
import time

import orjson

from demo_helpers import EPOCH, cluster_from, record_writes

from podtui.clock import ManualClock, ScaledClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.engine import Engine
from podtui.demo.scenario import ScaleSettings, load_scenario


def served_log(cluster: DemoCluster) -> list[tuple[str, str, bytes]]:
    return [(e.type, e.resource, e.entry.data) for e in cluster.storage.events_since(cluster.storage.oldest_resource_version, 10_000_000)]


def test_same_seed_same_run_different_seed_different_names():
    runs = []
    for seed in (7, 7, 8):
        cluster = DemoCluster("default", clock=ManualClock(EPOCH), seed=seed)
        cluster.advance(300)
        runs.append(served_log(cluster))
    assert runs[0] == runs[1]
    assert len(runs[0]) > 500
    uids = [{line for _, r, line in run if r == "pods"} for run in runs]
    assert uids[0] != uids[2]


def test_stop_after_freezes_the_cluster_but_it_keeps_answering():
    cluster = DemoCluster("default", clock=ManualClock(EPOCH), seed=1, stop_after=45)
    cluster.advance(100)
    assert cluster.elapsed == 45 and cluster.frozen
    version = cluster.storage.resource_version
    cluster.advance(100)
    assert cluster.storage.resource_version == version
    assert cluster.delete_pod("demo", "crashloop") is None
    assert cluster.storage.get("pods", "demo", "crashloop") is not None
    assert cluster.clock.time() == EPOCH + 45


def test_stop_after_freezes_a_scaled_clock():
    clock = ScaledClock(speed=1000.0)
    cluster = DemoCluster("default", clock=clock, seed=1, stop_after=30)
    cluster.run_until(clock.time() + 10_000)
    assert clock.frozen and clock.time() == cluster.start_time + 30
    assert cluster.elapsed == 30


def test_real_time_driver_follows_the_scaled_clock():
    cluster = DemoCluster("default", seed=1, speed=50.0)
    cluster.start(serve=False)
    try:
        deadline = time.monotonic() + 30
        while cluster.elapsed < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        pod = cluster.storage.get("pods", "demo", "gated")
        assert pod is not None and pod["status"]["phase"] == "Running"
    finally:
        cluster.stop()
    assert cluster.elapsed >= 20


def test_a_failing_simulation_is_logged_not_a_silently_dead_driver(caplog):
    # Under the UI, stderr is the screen: the driver's traceback must go to the log.
    cluster = DemoCluster("default", seed=1, speed=50.0)

    def broken(t):
        raise KeyError("the-missing-key")

    cluster.world.engine.run_until = broken
    with caplog.at_level(logging.ERROR, logger="podtui.demo"):
        cluster.start(serve=False)
        driver = cluster._driver
        driver.join(10)
        cluster.stop()
    assert not driver.is_alive()
    [record] = caplog.records
    assert record.getMessage().startswith("the simulation failed at ") and record.exc_info[0] is KeyError


def test_engine_runs_in_time_order_ties_in_scheduling_order_and_settles_per_instant():
    engine = Engine(0.0)
    seen = []
    settles = []
    engine.on_settle = lambda: settles.append(engine.now)
    engine.at(5, seen.append, "b")
    engine.at(1, seen.append, "a")
    engine.at(5, seen.append, "c")
    cancelled = engine.at(3, seen.append, "never")
    cancelled.cancel()
    engine.at(2, lambda: engine.after(0, seen.append, "same-instant"))
    engine.run_until(4)
    assert seen == ["a", "same-instant"] and engine.now == 4
    engine.run_until(10)
    assert seen == ["a", "same-instant", "b", "c"]
    assert 1 in settles and 2 in settles and settles.count(5) == 1


def test_scale_scenario_sustains_its_churn_rate():
    settings = ScaleSettings(pods=300, namespaces=3, nodes=5, churn=400)
    cluster = DemoCluster(load_scenario("scale"), clock=ManualClock(EPOCH), seed=3, scale=settings)
    record_writes(cluster)
    cluster.advance(0.01)  # the initial pods
    assert len(cluster.storage.list("pods")) == 300
    assert {p["metadata"]["namespace"] for p in cluster.storage.list("pods")} == {"scale-00", "scale-01", "scale-02"}
    before = len(cluster.writes)
    cluster.advance(10)
    made = len(cluster.writes) - before
    assert abs(made - 4000) <= 50  # 400 watch events per simulated second
    kinds = {(verb, resource) for _, verb, resource, _ in cluster.writes}
    assert {("update", "pods"), ("create", "pods"), ("delete", "pods"), ("create", "events")} <= kinds
    # The ReplicaSets keep 300 pods; the ones on their way out are Terminating.
    pods = cluster.storage.list("pods")
    assert sum(1 for p in pods if "deletionTimestamp" not in p["metadata"]) == 300
    restarted = [p for p in pods if p["status"].get("containerStatuses", [{}])[0].get("restartCount")]
    assert restarted and all(p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 1 for p in restarted)


def test_scale_pods_look_like_a_real_clusters():
    settings = ScaleSettings(pods=10, namespaces=1, nodes=2, churn=0)
    cluster = DemoCluster(load_scenario("scale"), clock=ManualClock(EPOCH), seed=3, scale=settings)
    cluster.advance(0.01)
    pod = cluster.storage.list("pods")[0]
    assert [m["manager"] for m in pod["metadata"]["managedFields"]] == ["kube-controller-manager", "kubelet"]
    volume = pod["spec"]["volumes"][0]["name"]
    assert volume.startswith("kube-api-access-")
    assert pod["spec"]["containers"][0]["volumeMounts"][0]["name"] == volume
    assert 3500 < len(orjson.dumps(pod)) < 6000


def test_a_scale_replacement_goes_through_a_kubelets_steps():
    settings = ScaleSettings(pods=1, namespaces=1, nodes=2, churn=0)
    cluster = DemoCluster(load_scenario("scale"), clock=ManualClock(EPOCH), seed=3, scale=settings)
    record_writes(cluster)
    cluster.advance(0.01)
    world = cluster.world
    old = next(iter(world.pods.values()))
    world._replace(old)
    cluster.advance(5)
    by_name: dict[str, list] = {}
    for _, verb, resource, obj in cluster.writes[1:]:
        if resource == "pods":
            by_name.setdefault(obj["metadata"]["name"], []).append((verb, obj))
    old_steps = by_name.pop(old.name)
    assert [verb for verb, _ in old_steps] == ["update", "update", "delete"]
    assert "deletionTimestamp" in old_steps[0][1]["metadata"]
    assert old_steps[1][1]["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    (new_steps,) = by_name.values()
    assert [verb for verb, _ in new_steps] == ["create", "update", "update", "update", "update"]
    created, scheduled, creating, running, ready = (obj for _, obj in new_steps)
    assert "nodeName" not in created["spec"] and created["status"] == {"phase": "Pending", "qosClass": "Burstable"}
    assert scheduled["spec"]["nodeName"] and scheduled["status"]["conditions"][0]["type"] == "PodScheduled"
    assert creating["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert running["status"]["phase"] == "Running" and not running["status"]["containerStatuses"][0]["ready"]
    assert ready["status"]["containerStatuses"][0]["ready"] is True
    assert len(cluster.storage.list("pods")) == 1


def test_scale_deletes_through_the_api_path():
    settings = ScaleSettings(pods=10, namespaces=1, nodes=2, churn=0)
    cluster = DemoCluster(load_scenario("scale"), clock=ManualClock(EPOCH), seed=3, scale=settings)
    cluster.advance(1)
    victim = cluster.storage.list("pods")[0]["metadata"]
    cluster.delete_pod(victim["namespace"], victim["name"])
    assert "deletionTimestamp" in cluster.storage.get("pods", victim["namespace"], victim["name"])["metadata"]
    cluster.advance(2)
    assert cluster.storage.get("pods", victim["namespace"], victim["name"]) is None


def test_cluster_from_inline_yaml_starts_at_its_clock():
    cluster = cluster_from("pods: [{name: a, spec: {containers: [{name: a, image: 'busybox:1.36'}]}}]")
    assert cluster.start_time == EPOCH
    cluster.advance(5)
    pod = cluster.storage.get("pods", "default", "a")
    assert pod["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z"


def test_a_cluster_started_again_gives_out_versions_past_the_last_ones():
    # `podtui demo --serve` killed and started again: a client's old resourceVersion must
    # be too old for the new process (410, relist), never a future one its watch waits on.
    first = DemoCluster("default", clock=ManualClock(EPOCH), seed=1)
    first.advance(600)
    again = DemoCluster("default", clock=ManualClock(EPOCH + 601), seed=1)
    assert again.storage.oldest_resource_version > first.storage.resource_version
