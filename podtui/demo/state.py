"""The simulation's compact state of nodes, pods and containers, and the Pod JSON
built from it.

The kubelet and controllers change these objects; the world renders a fresh Pod dict
from them once per simulated instant (Storage keeps each dict and encodes it once, so
nothing here is ever mutated after it was handed over: spec dicts are shared between
versions and replaced, never edited).
"""

from __future__ import annotations

from functools import lru_cache

from podtui.demo.scenario import DEFAULT_BEHAVIOR, ContainerBehavior, NodePlan, parse_quantity
from podtui.lifecycle.times import format_ts

WAITING = "waiting"
RUNNING = "running"
TERMINATED = "terminated"

# Condition types in the order the kubelet writes them.
CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


@lru_cache(maxsize=16384)
def _ts_second(second: int) -> str:
    return format_ts(second)


def ts(t: float) -> str:
    """RFC 3339 at the API's one-second resolution (cached: the same seconds recur)."""
    return _ts_second(int(t // 1))


class NodeSim:
    __slots__ = ("plan", "name", "ip", "index", "cpu_used", "memory_used", "pods_used", "scored_cpu", "scored_memory", "images", "_next_ip")

    def __init__(self, plan: NodePlan, index: int) -> None:
        self.plan = plan
        self.name = plan.name
        self.index = index
        self.ip = f"172.18.0.{index + 2}"
        self.cpu_used = 0
        self.memory_used = 0
        self.pods_used = 0
        # What the scheduler's scoring counts: requests with non-zero defaults.
        self.scored_cpu = 0
        self.scored_memory = 0
        self.images: set[str] = set()
        self._next_ip = 2

    def allocate_ip(self) -> str:
        host = self._next_ip
        self._next_ip = 2 + (self._next_ip - 1) % 250
        return f"10.244.{self.index + 1}.{host}"


class ProbeWorker:
    """pkg/kubelet/prober/worker.go's state for one probe of one container."""

    __slots__ = ("kind", "spec", "behavior", "container_id", "last", "run", "result", "on_hold")

    def __init__(self, kind: str, spec: dict, behavior) -> None:
        self.kind = kind
        self.spec = spec
        self.behavior = behavior
        self.container_id = ""
        self.last: bool | None = None  # last raw result
        self.run = 0  # how many times in a row
        # The worker's published result: readiness starts failed, liveness passed,
        # startup unknown (None).
        self.result: bool | None = {"readiness": False, "liveness": True}.get(kind)
        self.on_hold = False


class ContainerSim:
    __slots__ = (
        "name",
        "spec",
        "behavior",
        "init",
        "sidecar",
        "image",
        "field_path",
        "state",
        "reason",
        "message",
        "started_at",
        "run_started",
        "finished_at",
        "container_id",
        "image_id",
        "term",
        "last",
        "restarts",
        "ready",
        "started",
        "created",
        "busy",
        "epoch",
        "retry_at",
        "bo_delay",
        "bo_updated",
        "pull_delay",
        "pull_updated",
        "pulls",
        "hook_error",
        "shown",
        "probes",
        "awaiting_turn",
    )

    def __init__(self, spec: dict, behavior: ContainerBehavior | None, init: bool) -> None:
        self.name: str = spec["name"]
        self.spec = spec
        self.behavior = behavior or DEFAULT_BEHAVIOR
        self.init = init
        self.sidecar = init and spec.get("restartPolicy") == "Always"
        self.image: str = spec["image"]
        kind = "initContainers" if init else "containers"
        self.field_path = f"spec.{kind}{{{self.name}}}"
        self.state = WAITING
        self.reason = "ContainerCreating"
        self.message = ""
        self.started_at = 0.0
        self.run_started = 0.0
        self.finished_at = 0.0
        self.container_id = ""
        self.image_id = ""
        self.term: dict | None = None  # the latest termination
        self.last: dict | None = None  # lastState.terminated
        self.restarts = 0
        self.ready = False
        self.started = False
        self.created = False
        self.busy: str | None = None  # "pull", "poststart", "stopping"
        self.epoch = 0  # bumped on every transition; stale timers compare it
        self.retry_at: float | None = None
        self.bo_delay = 0.0
        self.bo_updated = 0.0
        self.pull_delay = 0.0
        self.pull_updated = 0.0
        self.pulls = 0
        self.hook_error: str | None = None
        self.shown: dict | None = None  # the status written before a postStart hook, shown until it returns
        self.probes: dict[str, ProbeWorker] = {}
        self.awaiting_turn = False

    @property
    def probed(self) -> bool:
        return not self.init or self.sidecar

    def has_probe(self, kind: str) -> bool:
        return f"{kind}Probe" in self.spec

    def status(self) -> dict:
        if self.shown is not None:
            return self.shown
        if self.state == RUNNING:
            state: dict = {"running": {"startedAt": ts(self.started_at)}}
        elif self.state == TERMINATED:
            state = {"terminated": self.term}
        else:
            waiting = {"reason": self.reason}
            if self.message:
                waiting["message"] = self.message
            state = {"waiting": waiting}
        out = {
            "name": self.name,
            "state": state,
            "lastState": {"terminated": self.last} if self.last else {},
            "ready": self.ready,
            "restartCount": self.restarts,
            "image": self.image,
            "imageID": self.image_id,
        }
        if self.container_id:
            out["containerID"] = self.container_id
        out["started"] = self.started
        return out


class PodSim:
    __slots__ = (
        "uid",
        "name",
        "namespace",
        "labels",
        "annotations",
        "finalizers",
        "owner_refs",
        "spec",
        "created",
        "generate_name",
        "node",
        "ip",
        "start_time",
        "phase",
        "reason",
        "message",
        "conditions",
        "init",
        "apps",
        "sandbox",
        "worker_busy",
        "initialized",
        "deletion_ts",
        "deletion_grace",
        "terminating",
        "terminal",
        "term_why",
        "kill_deadline",
        "gates",
        "gate_plan",
        "removed",
        "dirty",
        "sync_pending",
        "owner",
        "qos",
        "requests",
        "scored",
        "was_ready",
        "ref",
        "fmt",
    )

    def __init__(self, namespace: str, name: str, uid: str, spec: dict, behavior: dict, created: float) -> None:
        self.uid = uid
        self.name = name
        self.namespace = namespace
        self.labels: dict[str, str] = {}
        self.annotations: dict[str, str] = {}
        self.finalizers: list[str] = []
        self.owner_refs: list[dict] = []
        self.spec = spec
        self.created = created
        self.generate_name = ""
        self.node: NodeSim | None = None
        self.ip = ""
        self.start_time: float | None = None
        self.phase = "Pending"
        self.reason = ""
        self.message = ""
        # type -> [status, lastTransitionTime, reason, message]
        self.conditions: dict[str, list] = {}
        self.init = [ContainerSim(c, behavior.get(c["name"]), True) for c in spec.get("initContainers") or []]
        self.apps = [ContainerSim(c, behavior.get(c["name"]), False) for c in spec["containers"]]
        self.sandbox = False
        self.worker_busy: ContainerSim | None = None
        self.initialized = not self.init
        self.deletion_ts: float | None = None
        self.deletion_grace: int | None = None
        self.terminating = False
        self.terminal = False
        self.term_why = ""
        self.kill_deadline = 0.0
        self.gates: dict[str, str] = {}  # readiness-gate condition type -> status
        self.gate_plan: dict[str, float] = {}
        self.removed = False
        self.dirty = False
        self.sync_pending = False
        self.owner = None  # the controller that wants to hear about this pod
        self.qos = qos_class(spec)
        self.requests = pod_requests(spec)
        self.scored = scored_requests(spec)  # what the scheduler's scoring counts
        self.was_ready = False
        self.ref = {"kind": "Pod", "namespace": namespace, "name": name, "uid": uid, "apiVersion": "v1"}
        self.fmt = f"{name}_{namespace}({uid})"  # format.Pod(): how the kubelet names a pod in messages

    # ---- helpers ----------------------------------------------------------------------

    @property
    def containers(self) -> list[ContainerSim]:
        return self.init + self.apps

    @property
    def sidecars(self) -> list[ContainerSim]:
        return [c for c in self.init if c.sidecar]

    @property
    def grace(self) -> int:
        return int(self.spec.get("terminationGracePeriodSeconds", 30))

    @property
    def restart_policy(self) -> str:
        return self.spec.get("restartPolicy", "Always")

    def set_condition(self, type_: str, status: str, now: float, reason: str = "", message: str = "") -> None:
        current = self.conditions.get(type_)
        if current is None or current[0] != status:
            self.conditions[type_] = [status, now, reason, message]
        else:
            current[2] = reason
            current[3] = message

    def condition(self, type_: str) -> str | None:
        current = self.conditions.get(type_)
        return current[0] if current else None

    # ---- JSON ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        meta: dict = {"name": self.name}
        if self.generate_name:
            meta["generateName"] = self.generate_name
        meta["namespace"] = self.namespace
        meta["uid"] = self.uid
        meta["creationTimestamp"] = ts(self.created)
        if self.deletion_ts is not None:
            meta["deletionTimestamp"] = ts(self.deletion_ts)
            meta["deletionGracePeriodSeconds"] = self.deletion_grace
        if self.labels:
            meta["labels"] = self.labels
        if self.annotations:
            meta["annotations"] = self.annotations
        if self.owner_refs:
            meta["ownerReferences"] = self.owner_refs
        if self.finalizers:
            meta["finalizers"] = list(self.finalizers)
        status: dict = {"phase": self.phase}
        if self.conditions:
            status["conditions"] = self._conditions()
        if self.message:
            status["message"] = self.message
        if self.reason:
            status["reason"] = self.reason
        if self.node is not None and self.start_time is not None:
            status["hostIP"] = self.node.ip
            status["hostIPs"] = [{"ip": self.node.ip}]
        if self.ip:
            status["podIP"] = self.ip
            status["podIPs"] = [{"ip": self.ip}]
        if self.start_time is not None:
            status["startTime"] = ts(self.start_time)
            if self.init:
                status["initContainerStatuses"] = [c.status() for c in self.init]
            status["containerStatuses"] = [c.status() for c in self.apps]
        status["qosClass"] = self.qos
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": self.spec, "status": status}

    def _conditions(self) -> list[dict]:
        ordered = [t for t in CONDITION_ORDER if t in self.conditions]
        ordered += [t for t in self.conditions if t not in CONDITION_ORDER]
        out = []
        for type_ in ordered:
            status, at, reason, message = self.conditions[type_]
            cond = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": ts(at)}
            if reason:
                cond["reason"] = reason
            if message:
                cond["message"] = message
            out.append(cond)
        return out


# ---- resources --------------------------------------------------------------------


def _requests(container: dict) -> tuple[int, int]:
    resources = container.get("resources") or {}
    requests = dict(resources.get("limits") or {})  # requests default to limits
    requests.update(resources.get("requests") or {})
    cpu = parse_quantity(str(requests.get("cpu", "0"))) or 0.0
    memory = parse_quantity(str(requests.get("memory", "0"))) or 0.0
    return int(round(cpu * 1000)), int(memory)


DEFAULT_CPU_REQUEST = 100  # milli-CPU; pkg/scheduler/util: scoring treats unset as these
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024


def scored_requests(spec: dict) -> tuple[int, int]:
    cpu = memory = 0
    for c in spec.get("containers") or []:
        c_cpu, c_mem = _requests(c)
        cpu += c_cpu or DEFAULT_CPU_REQUEST
        memory += c_mem or DEFAULT_MEMORY_REQUEST
    return cpu, memory


def pod_requests(spec: dict) -> tuple[int, int]:
    """(milli-CPU, memory bytes) the scheduler reserves: the larger of the running set
    (containers plus sidecars) and the biggest regular init container."""
    cpu = memory = 0
    for c in spec.get("containers") or []:
        c_cpu, c_mem = _requests(c)
        cpu += c_cpu
        memory += c_mem
    init_cpu = init_mem = 0
    for c in spec.get("initContainers") or []:
        c_cpu, c_mem = _requests(c)
        if c.get("restartPolicy") == "Always":
            cpu += c_cpu
            memory += c_mem
        else:
            init_cpu = max(init_cpu, c_cpu)
            init_mem = max(init_mem, c_mem)
    return max(cpu, init_cpu), max(memory, init_mem)


def qos_class(spec: dict) -> str:
    """pkg/apis/core/helper/qos: BestEffort without requests/limits, Guaranteed when every
    container's limits equal its requests for cpu and memory, else Burstable."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    any_set = False
    guaranteed = True
    for c in containers:
        resources = c.get("resources") or {}
        limits = resources.get("limits") or {}
        requests = resources.get("requests") or {}
        if limits or requests:
            any_set = True
        for name in ("cpu", "memory"):
            limit = limits.get(name)
            request = requests.get(name, limit)
            if limit is None or parse_quantity(str(limit)) != parse_quantity(str(request)):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"
