"""The scale scenario: many pods and a steady churn of watch events, cheaply.

For benchmarks of podtui (and of the API server) the point is volume, not kubelet
fidelity: N running pods over M namespaces and K nodes, then `churn` watch events per
simulated second made of readiness flips, container restarts (with their BackOff
events) and pod replacements (DELETED, ADDED, then Running). Every pod is a compact
record rendered to a fresh dict per write; specs, labels and owner references are
shared between pods of one workload, so a write costs a few small dicts.
"""

from __future__ import annotations

import random
import uuid

from podtui.demo.engine import Engine
from podtui.demo.events import EventRecorder
from podtui.demo.ids import controller_ref, random_suffix, random_uid
from podtui.demo.scenario import Scenario, ScaleSettings, apply_spec_defaults
from podtui.demo.state import ts

TICK = 0.05  # simulated seconds between churn batches
START_DELAY = 2.0  # a replacement pod is Running this long after it was created
APPS = ("api", "web", "worker", "cache", "search", "auth", "billing", "queue")


class ScalePod:
    __slots__ = (
        "namespace",
        "name",
        "uid",
        "workload",
        "node",
        "ip",
        "created",
        "running",
        "ready",
        "ready_since",
        "started",
        "restarts",
        "last",
        "container_id",
        "deleting",
    )


class Workload:
    """One deployment's shared parts: labels, owner reference, spec per node."""

    __slots__ = ("namespace", "app", "hash", "labels", "owner_refs", "spec", "specs", "image", "image_id", "pods")

    def __init__(self, namespace: str, app: str, template_hash: str, owner_uid: str) -> None:
        self.namespace = namespace
        self.app = app
        self.hash = template_hash
        self.image = f"registry.example.com/{app}:1.{len(app)}.0"
        self.image_id = f"registry.example.com/{app}@sha256:{uuid.UUID(owner_uid).hex * 2}"
        self.labels = {"app": app, "pod-template-hash": template_hash}
        self.owner_refs = [controller_ref("apps/v1", "ReplicaSet", f"{app}-{template_hash}", owner_uid)]
        self.spec = apply_spec_defaults(
            {
                "containers": [
                    {
                        "name": app,
                        "image": self.image,
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5},
                    }
                ]
            }
        )
        self.specs: dict[str, dict] = {}
        self.pods: list[ScalePod] = []

    def spec_on(self, node: str) -> dict:
        spec = self.specs.get(node)
        if spec is None:
            spec = self.specs[node] = {**self.spec, "nodeName": node}
        return spec


class ScaleWorld:
    def __init__(self, scenario: Scenario, storage, start: float, seed: int | None, settings: ScaleSettings | None = None) -> None:
        self.scenario = scenario
        self.settings = settings or scenario.scale or ScaleSettings()
        self.storage = storage
        self.start = start
        self.rng = random.Random(seed if seed is not None else scenario.seed)
        self.engine = Engine(start)
        self.events = EventRecorder(storage, self.engine, scenario.events, self.new_uid)
        self.nodes = [f"scale-node-{i:03d}" for i in range(self.settings.nodes)]
        self.node_ips = {name: f"172.18.{i // 250}.{i % 250 + 2}" for i, name in enumerate(self.nodes)}
        self.workloads: list[Workload] = []
        self.pods: dict[tuple[str, str], ScalePod] = {}
        self.live: list[ScalePod] = []  # pods the churn may pick, for O(1) random choice
        self._index: dict[int, int] = {}  # id(pod) -> position in live
        self.writes = 0
        self._churn_from: tuple[float, int] | None = None  # (time, writes) when churn began
        self._ip = 0

    # ---- identities ---------------------------------------------------------------

    def new_uid(self) -> str:
        return random_uid(self.rng)

    def _next_ip(self) -> str:
        self._ip += 1
        n = self._ip
        return f"10.{64 + (n >> 16) % 64}.{(n >> 8) & 255}.{n & 255}"

    # ---- setup ---------------------------------------------------------------------

    def load(self) -> None:
        settings = self.settings
        namespaces = [f"scale-{i:02d}" for i in range(settings.namespaces)]
        for ns in namespaces:
            for app in APPS:
                self.workloads.append(Workload(ns, app, random_suffix(self.rng, 10), self.new_uid()))
        self.engine.at(self.start, self._populate)
        if settings.churn > 0:
            self.engine.at(self.start + TICK, self._churn_tick)

    def _populate(self) -> None:
        for i in range(self.settings.pods):
            workload = self.workloads[i % len(self.workloads)]
            self._create(workload, running=True)

    def _create(self, workload: Workload, running: bool) -> ScalePod:
        now = self.engine.now
        pod = ScalePod()
        pod.namespace = workload.namespace
        pod.name = f"{workload.app}-{workload.hash}-{random_suffix(self.rng)}"
        while (pod.namespace, pod.name) in self.pods:
            pod.name = f"{workload.app}-{workload.hash}-{random_suffix(self.rng)}"
        pod.uid = self.new_uid()
        pod.workload = workload
        pod.node = self.nodes[self.rng.randrange(len(self.nodes))]
        pod.ip = self._next_ip()
        pod.created = now
        pod.running = running
        pod.ready = running
        pod.ready_since = now
        pod.started = now
        pod.restarts = 0
        pod.last = None
        pod.container_id = f"containerd://{self.rng.getrandbits(256):064x}"
        pod.deleting = None
        self.pods[(pod.namespace, pod.name)] = pod
        self._index[id(pod)] = len(self.live)
        self.live.append(pod)
        self.storage.create("pods", self.render(pod))
        self.writes += 1
        if not running:
            self.engine.after(START_DELAY, self._started, pod)
        return pod

    # ---- rendering -------------------------------------------------------------------

    def render(self, pod: ScalePod) -> dict:
        w = pod.workload
        created = ts(pod.created)
        meta = {
            "name": pod.name,
            "generateName": f"{w.app}-{w.hash}-",
            "namespace": pod.namespace,
            "uid": pod.uid,
            "creationTimestamp": created,
            "labels": w.labels,
            "ownerReferences": w.owner_refs,
        }
        if pod.deleting is not None:
            meta["deletionTimestamp"] = ts(pod.deleting)
            meta["deletionGracePeriodSeconds"] = 1
        started = ts(pod.started)
        ready = "True" if pod.ready else "False"
        ready_at = ts(pod.ready_since)
        if pod.running:
            state = {"running": {"startedAt": started}}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        container = {
            "name": w.app,
            "state": state,
            "lastState": {"terminated": pod.last} if pod.last else {},
            "ready": pod.ready,
            "restartCount": pod.restarts,
            "image": w.image,
            "imageID": w.image_id if pod.running else "",
            "containerID": pod.container_id,
            "started": pod.running,
        }
        not_ready = "" if pod.ready else f"containers with unready status: [{w.app}]"
        conditions = [
            {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None, "lastTransitionTime": created},
            {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": created},
            _ready_condition("Ready", ready, ready_at, not_ready),
            _ready_condition("ContainersReady", ready, ready_at, not_ready),
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": created},
        ]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta,
            "spec": w.spec_on(pod.node),
            "status": {
                "phase": "Running" if pod.running else "Pending",
                "conditions": conditions,
                "hostIP": self.node_ips[pod.node],
                "hostIPs": [{"ip": self.node_ips[pod.node]}],
                "podIP": pod.ip,
                "podIPs": [{"ip": pod.ip}],
                "startTime": created,
                "containerStatuses": [container],
                "qosClass": "BestEffort",
            },
        }

    def _write(self, pod: ScalePod) -> None:
        self.storage.update("pods", self.render(pod))
        self.writes += 1

    # ---- churn -------------------------------------------------------------------

    def _churn_tick(self) -> None:
        """Catch up with churn x elapsed writes since the churn began, counting every
        write (replacements turning Running, events) so the rate is what a watcher sees."""
        self.engine.after(TICK, self._churn_tick)
        now = self.engine.now
        if self._churn_from is None:
            self._churn_from = (now - TICK, self.writes + self.events.emitted)
        began, base = self._churn_from
        target = base + self.settings.churn * (now - began)
        rng = self.rng
        while self.writes + self.events.emitted < target and self.live:
            pod = self.live[rng.randrange(len(self.live))]
            roll = rng.random()
            if roll < 0.4:
                self._flip_ready(pod)
            elif roll < 0.7:
                self._restart(pod)
            else:
                self._replace(pod)

    def _flip_ready(self, pod: ScalePod) -> None:
        if not pod.running:
            return
        pod.ready = not pod.ready
        pod.ready_since = self.engine.now
        self._write(pod)

    def _restart(self, pod: ScalePod) -> None:
        if not pod.running:
            return
        now = self.engine.now
        pod.last = {
            "exitCode": 1,
            "reason": "Error",
            "startedAt": ts(pod.started),
            "finishedAt": ts(now),
            "containerID": pod.container_id,
        }
        pod.restarts += 1
        pod.started = now
        pod.container_id = f"containerd://{self.rng.getrandbits(256):064x}"
        self._write(pod)
        app = pod.workload.app
        ref = {"kind": "Pod", "namespace": pod.namespace, "name": pod.name, "uid": pod.uid, "apiVersion": "v1"}
        self.events.record(
            ref,
            "Warning",
            "BackOff",
            f"Back-off restarting failed container {app} in pod {pod.name}_{pod.namespace}({pod.uid})",
            host=pod.node,
            field_path=f"spec.containers{{{app}}}",
        )

    def _replace(self, pod: ScalePod) -> None:
        self._forget(pod)
        self.storage.delete("pods", pod.namespace, pod.name)
        self.writes += 1
        self._create(pod.workload, running=False)

    def _started(self, pod: ScalePod) -> None:
        if (pod.namespace, pod.name) not in self.pods or pod.deleting is not None:
            return
        pod.running = True
        pod.ready = True
        pod.started = self.engine.now
        pod.ready_since = self.engine.now
        self._write(pod)

    def _forget(self, pod: ScalePod) -> None:
        self.pods.pop((pod.namespace, pod.name), None)
        self._unpick(pod)

    def _unpick(self, pod: ScalePod) -> None:
        """Take a pod out of the churn's choices (swap with the last: O(1))."""
        i = self._index.pop(id(pod), None)
        if i is None:
            return
        last = self.live.pop()
        if last is not pod:
            self.live[i] = last
            self._index[id(last)] = i

    # ---- the API server's DELETE ------------------------------------------------------

    def request_delete(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        pod = self.pods.get((namespace, name))
        if pod is None:
            return None
        if pod.deleting is None:
            pod.deleting = self.engine.now + 1
            self._unpick(pod)
            self._write(pod)
            self.engine.after(1.0, self._deleted, pod)
        return None

    def _deleted(self, pod: ScalePod) -> None:
        self.pods.pop((pod.namespace, pod.name), None)
        self.storage.delete("pods", pod.namespace, pod.name)
        self.writes += 1

    def evict(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        return self.request_delete(namespace, name, grace)


def _ready_condition(type_: str, status: str, at: str, message: str) -> dict:
    cond = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": at}
    if message:
        cond["reason"] = "ContainersNotReady"
        cond["message"] = message
    return cond
