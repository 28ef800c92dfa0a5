"""Helpers for the demo-cluster tests: build a cluster from inline YAML on a
ManualClock, and read back every version of an object the cluster served."""

from __future__ import annotations

import textwrap

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.scenario import parse_scenario
from podtui.lifecycle.times import parse_ts

EPOCH = 1_700_000_000.0  # a whole second, so served timestamps are exact offsets


def cluster_from(yaml_text: str, seed: int = 1, **kwargs) -> DemoCluster:
    scenario = parse_scenario(textwrap.dedent(yaml_text), source="test.yaml")
    cluster = DemoCluster(scenario, clock=ManualClock(EPOCH), seed=seed, **kwargs)
    record_writes(cluster)
    return cluster


def record_writes(cluster: DemoCluster) -> None:
    """Note the simulated time of every storage write in cluster.writes:
    (seconds after start, "create"/"update"/"delete", resource, object)."""
    storage = cluster.storage
    cluster.writes = []
    for verb in ("create", "update"):
        original = getattr(storage, verb)

        def write(resource, obj, _original=original, _verb=verb):
            result = _original(resource, obj)
            cluster.writes.append((cluster.now - EPOCH, _verb, resource, result))
            return result

        setattr(storage, verb, write)
    original_delete = storage.delete

    def delete(resource, namespace, name):
        result = original_delete(resource, namespace, name)
        if result is not None:
            cluster.writes.append((cluster.now - EPOCH, "delete", resource, result))
        return result

    storage.delete = delete


def timeline(cluster: DemoCluster, namespace: str, name: str) -> list[tuple[float, str, dict]]:
    """(seconds after start, verb, pod) for every write of one pod."""
    return [
        (t, verb, obj)
        for t, verb, resource, obj in cluster.writes
        if resource == "pods" and obj["metadata"]["namespace"] == namespace and obj["metadata"]["name"] == name
    ]


def versions(cluster: DemoCluster, namespace: str, name: str, resource: str = "pods") -> list[tuple[str, dict]]:
    """Every (watch event type, object) the storage recorded for one object, in order."""
    out = []
    for event in cluster.storage.events_since(cluster.storage.oldest_resource_version, 10_000_000):
        if event.resource != resource:
            continue
        meta = event.entry.obj["metadata"]
        if meta["namespace"] == namespace and meta["name"] == name:
            out.append((event.type, event.entry.obj))
    return out


NOT_ON_A_NODE = {"state": {}, "lastState": {}, "restartCount": 0, "ready": False, "started": False}


def container_status(pod: dict, name: str) -> dict:
    """The container's status; before the kubelet reported, an empty stand-in."""
    status = pod.get("status") or {}
    statuses = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
    if not statuses:
        return NOT_ON_A_NODE
    for c in statuses:
        if c["name"] == name:
            return c
    raise KeyError(name)


def events_about(cluster: DemoCluster, name: str) -> list[dict]:
    return [e for e in cluster.storage.list("events") if e["involvedObject"]["name"] == name]


def rel(ts: str | None) -> float | None:
    """A served timestamp as seconds after the cluster started."""
    value = parse_ts(ts)
    return None if value is None else value - EPOCH


def condition(pod: dict, type_: str) -> dict | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c["type"] == type_:
            return c
    return None
