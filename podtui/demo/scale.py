"""The scale scenario: many pods and a steady churn of watch events, cheaply.

For benchmarks of podtui (and of the API server) the point is volume, not kubelet
fidelity in every detail: N running pods over M namespaces and K nodes, then `churn`
watch events per simulated second made of readiness flips, container restarts (with
their BackOff events) and pod replacements. Every pod is a compact record rendered to
a fresh dict per write; what pods of one workload share (labels, owner references,
the container template, managedFields trees) is shared.

The pods carry what a real cluster's pods carry, so a watch of them costs what a real
one does: managedFields (the controller's and the kubelet's), the service account's
projected kube-api-access volume and its mount, env, resources and two probes (about
4.5 KB of JSON per pod). A replacement goes the way a ReplicaSet and a kubelet take
it: the old pod turns Terminating, its container exits, then it is deleted; the new
pod is created Pending, scheduled, ContainerCreating, Running, then Ready.
"""

from __future__ import annotations

import random
import uuid

from podtui.demo.engine import Engine
from podtui.demo.events import EventRecorder
from podtui.demo.ids import controller_ref, random_suffix, random_uid
from podtui.demo.scenario import Scenario, ScaleSettings, apply_spec_defaults, kube_api_access
from podtui.demo.state import ts

TICK = 0.05  # simulated seconds between churn batches
APPS = ("api", "web", "worker", "cache", "search", "auth", "billing", "queue")
# A replacement pod's steps after its creation (simulated seconds).
SCHEDULE_DELAY = 0.05
CREATE_DELAY = 0.3
START_DELAY = 2.0  # Running (not ready yet)
READY_DELAY = 3.0
# A deleted pod's container exits this long after SIGTERM; the kubelet then deletes it.
EXIT_DELAY = 0.5
REMOVE_DELAY = 0.1
DEFAULT_GRACE = 30

# Stages of a pod's start.
PENDING, SCHEDULED, CREATING, RUNNING = range(4)


class ScalePod:
    __slots__ = (
        "namespace",
        "name",
        "uid",
        "workload",
        "node",
        "ip",
        "created",
        "stage",
        "ready",
        "ready_since",
        "started",
        "restarts",
        "last",
        "container_id",
        "deleting",
        "grace",
        "exited",
        "spec",
        "spec_on_node",
        "status_at",
    )

    @property
    def running(self) -> bool:
        return self.stage == RUNNING and self.exited is None


class Workload:
    """One deployment's shared parts: labels, owner reference, container template."""

    __slots__ = ("namespace", "app", "hash", "labels", "owner_refs", "spec", "image", "image_id",
                 "controller_fields", "kubelet_fields")

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
                        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        "env": [
                            {"name": "LOG_LEVEL", "value": "info"},
                            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                           "fieldPath": "metadata.name"}}},
                            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                                "fieldPath": "metadata.namespace"}}},
                        ],
                        "resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5},
                    }
                ]
            }
        )
        # What the API server records of who wrote which fields (the same for every pod
        # of the workload but for the times).
        owner = f'k:{{"uid":"{owner_uid}"}}'
        self.controller_fields = {
            "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}},
                           "f:ownerReferences": {".": {}, owner: {}}},
            "f:spec": {"f:containers": {f'k:{{"name":"{app}"}}': {
                ".": {}, "f:env": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:livenessProbe": {}, "f:name": {},
                "f:ports": {}, "f:readinessProbe": {}, "f:resources": {}, "f:terminationMessagePath": {},
                "f:terminationMessagePolicy": {}}},
                "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}},
        }
        self.kubelet_fields = {
            "f:status": {"f:conditions": {f'k:{{"type":"{t}"}}': {".": {}, "f:lastProbeTime": {},
                                                                  "f:lastTransitionTime": {}, "f:status": {},
                                                                  "f:type": {}}
                                          for t in ("ContainersReady", "Initialized", "PodReadyToStartContainers",
                                                    "Ready")},
                         "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                         "f:podIPs": {".": {}, 'k:{"ip":"*"}': {".": {}, "f:ip": {}}}, "f:startTime": {}},
        }

    def pod_spec(self, volume: str) -> dict:
        """The spec the API server admits for one pod: the template plus its token volume."""
        mounts = [{"name": volume, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
        containers = [{**c, "volumeMounts": mounts} for c in self.spec["containers"]]
        return {**self.spec, "containers": containers, "volumes": [kube_api_access(volume)]}


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
        """A pod of the workload: Running and Ready at once (the initial population), or
        Pending, then taken through scheduling and start-up as a kubelet would."""
        now = self.engine.now
        rng = self.rng
        pod = ScalePod()
        pod.namespace = workload.namespace
        pod.name = f"{workload.app}-{workload.hash}-{random_suffix(rng)}"
        while (pod.namespace, pod.name) in self.pods:
            pod.name = f"{workload.app}-{workload.hash}-{random_suffix(rng)}"
        pod.uid = self.new_uid()
        pod.workload = workload
        pod.node = self.nodes[rng.randrange(len(self.nodes))]
        pod.spec = workload.pod_spec(f"kube-api-access-{random_suffix(rng)}")
        pod.spec_on_node = {**pod.spec, "nodeName": pod.node}
        pod.ip = self._next_ip()
        pod.created = now
        pod.stage = RUNNING if running else PENDING
        pod.ready = running
        pod.ready_since = now
        pod.started = now
        pod.status_at = now
        pod.restarts = 0
        pod.last = None
        pod.container_id = f"containerd://{rng.getrandbits(256):064x}"
        pod.deleting = None
        pod.grace = DEFAULT_GRACE
        pod.exited = None
        self.pods[(pod.namespace, pod.name)] = pod
        if running:
            self._pick(pod)
        else:
            engine = self.engine
            engine.after(SCHEDULE_DELAY, self._advance, pod, SCHEDULED)
            engine.after(CREATE_DELAY, self._advance, pod, CREATING)
            engine.after(START_DELAY, self._advance, pod, RUNNING)
            engine.after(READY_DELAY, self._became_ready, pod)
        self.storage.create("pods", self.render(pod))
        self.writes += 1
        return pod

    # ---- rendering -------------------------------------------------------------------

    def render(self, pod: ScalePod) -> dict:
        w = pod.workload
        created = ts(pod.created)
        fields = [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": created,
                   "fieldsType": "FieldsV1", "fieldsV1": w.controller_fields}]
        meta = {
            "name": pod.name,
            "generateName": f"{w.app}-{w.hash}-",
            "namespace": pod.namespace,
            "uid": pod.uid,
            "creationTimestamp": created,
            "labels": w.labels,
            "ownerReferences": w.owner_refs,
            "managedFields": fields,
        }
        if pod.deleting is not None:
            meta["deletionTimestamp"] = ts(pod.deleting)
            meta["deletionGracePeriodSeconds"] = pod.grace
        stage = pod.stage
        if stage == PENDING:
            return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod.spec,
                    "status": {"phase": "Pending", "qosClass": "Burstable"}}
        if stage == SCHEDULED:
            return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod.spec_on_node,
                    "status": {"phase": "Pending", "conditions": [_condition("PodScheduled", "True", created)],
                               "qosClass": "Burstable"}}
        fields.append({"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ts(pod.status_at),
                       "fieldsType": "FieldsV1", "fieldsV1": w.kubelet_fields, "subresource": "status"})
        node_ip = self.node_ips[pod.node]
        status: dict = {"phase": "Pending" if stage == CREATING else "Running"}
        container = {
            "name": w.app,
            "lastState": {"terminated": pod.last} if pod.last else {},
            "ready": pod.ready,
            "restartCount": pod.restarts,
            "image": w.image,
            "imageID": "" if stage == CREATING else w.image_id,
            "containerID": "" if stage == CREATING else pod.container_id,
            "started": stage == RUNNING and pod.exited is None,
        }
        if stage == CREATING:
            container["state"] = {"waiting": {"reason": "ContainerCreating"}}
        elif pod.exited is not None:
            container["state"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": ts(pod.started),
                                                 "finishedAt": ts(pod.exited), "containerID": pod.container_id}}
        else:
            container["state"] = {"running": {"startedAt": ts(pod.started)}}
        ready = "True" if pod.ready else "False"
        ready_at = ts(pod.ready_since)
        not_ready = "" if pod.ready else f"containers with unready status: [{w.app}]"
        status["conditions"] = [
            _condition("PodReadyToStartContainers", "False" if stage == CREATING else "True", created),
            _condition("Initialized", "True", created),
            _ready_condition("Ready", ready, ready_at, not_ready),
            _ready_condition("ContainersReady", ready, ready_at, not_ready),
            _condition("PodScheduled", "True", created),
        ]
        status["hostIP"] = node_ip
        status["hostIPs"] = [{"ip": node_ip}]
        if stage == RUNNING:
            status["podIP"] = pod.ip
            status["podIPs"] = [{"ip": pod.ip}]
        status["startTime"] = created
        status["containerStatuses"] = [container]
        status["qosClass"] = "Burstable"
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod.spec_on_node, "status": status}

    def _write(self, pod: ScalePod) -> None:
        pod.status_at = self.engine.now
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
        """The ReplicaSet's way: delete the pod and create its successor at once."""
        self._terminate(pod, DEFAULT_GRACE)
        self._create(pod.workload, running=False)

    def _advance(self, pod: ScalePod, stage: int) -> None:
        if not self._alive(pod):
            return
        pod.stage = stage
        if stage == RUNNING:
            pod.started = self.engine.now
            pod.ready_since = self.engine.now
            self._pick(pod)
        self._write(pod)

    def _became_ready(self, pod: ScalePod) -> None:
        if not self._alive(pod) or not pod.running or pod.ready:
            return
        pod.ready = True
        pod.ready_since = self.engine.now
        self._write(pod)

    def _alive(self, pod: ScalePod) -> bool:
        return pod.deleting is None and self.pods.get((pod.namespace, pod.name)) is pod

    def _terminate(self, pod: ScalePod, grace: int) -> None:
        """deletionTimestamp set (Terminating); the container exits on SIGTERM; the
        kubelet then has the pod removed."""
        now = self.engine.now
        pod.deleting = now + grace
        pod.grace = grace
        self._unpick(pod)
        self._write(pod)
        self.engine.after(min(EXIT_DELAY, grace), self._exited, pod)

    def _exited(self, pod: ScalePod) -> None:
        if self.pods.get((pod.namespace, pod.name)) is not pod:
            return
        if pod.stage == RUNNING:
            pod.exited = self.engine.now
            if pod.ready:
                pod.ready = False
                pod.ready_since = self.engine.now
            self._write(pod)
        self.engine.after(REMOVE_DELAY, self._deleted, pod)

    def _deleted(self, pod: ScalePod) -> None:
        if self.pods.get((pod.namespace, pod.name)) is not pod:
            return
        del self.pods[(pod.namespace, pod.name)]
        self.storage.delete("pods", pod.namespace, pod.name)
        self.writes += 1

    def _pick(self, pod: ScalePod) -> None:
        """Make a running pod one the churn may choose."""
        if id(pod) not in self._index:
            self._index[id(pod)] = len(self.live)
            self.live.append(pod)

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
            self._terminate(pod, DEFAULT_GRACE if grace is None else max(0, int(grace)))
        return None

    def evict(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        return self.request_delete(namespace, name, grace)


def _condition(type_: str, status: str, at: str) -> dict:
    return {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": at}


def _ready_condition(type_: str, status: str, at: str, message: str) -> dict:
    cond = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": at}
    if message:
        cond["reason"] = "ContainersNotReady"
        cond["message"] = message
    return cond
