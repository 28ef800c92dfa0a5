"""A simulated kube-scheduler: fit a pending pod on a node, or say why it cannot.

Filters are the ones a demo can trip (NodeResourcesFit, NodeAffinity via nodeSelector,
TaintToleration, the pod count); the FailedScheduling message is built the way the
scheduling framework builds it (pkg/scheduler/framework/types.go FitError.Error): the
per-reason node counts sorted as strings, then the preemption verdict. The scheduler
records through events.k8s.io/v1. An unschedulable pod is retried when a pod leaves a
node and at least every 5 minutes (podMaxInUnschedulablePodsDuration).
"""

from __future__ import annotations

from podtui.demo.state import NodeSim, PodSim

# Dyadic fractions keep simulated times exact in binary floating point.
BIND_DELAY = 0.125  # creation -> binding
ADMIT_DELAY = 0.125  # binding -> the kubelet's watch delivers the pod
UNSCHEDULABLE_RETRY = 300.0
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


def node_labels(node: NodeSim) -> dict[str, str]:
    return {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        **node.plan.labels,
    }


def _tolerates(tolerations: list[dict], taint: dict) -> bool:
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint["effect"]:
            continue
        operator = t.get("operator", "Equal")
        if operator == "Exists":
            if not t.get("key") or t["key"] == taint["key"]:
                return True
        elif t.get("key") == taint["key"] and t.get("value", "") == taint.get("value", ""):
            return True
    return False


class Scheduler:
    def __init__(self, world) -> None:
        self.world = world
        self.engine = world.engine
        self.waiting: dict[str, PodSim] = {}  # uid -> unschedulable pod
        self._retries: dict[str, object] = {}  # uid -> the pending 5-minute retry

    def enqueue(self, pod: PodSim) -> None:
        self.engine.after(BIND_DELAY, self._attempt, pod)

    def released(self) -> None:
        """A pod left a node: give the unschedulable ones another go."""
        for pod in list(self.waiting.values()):
            self.engine.after(0.0, self._attempt, pod)

    def _forget(self, pod: PodSim) -> None:
        self.waiting.pop(pod.uid, None)
        timer = self._retries.pop(pod.uid, None)
        if timer is not None:
            timer.cancel()

    def _why_not(self, pod: PodSim, node: NodeSim) -> tuple[list[str], bool]:
        """The filter failures of `node` for `pod`, and whether preemption could help."""
        spec = pod.spec
        selector = spec.get("nodeSelector") or {}
        if selector:
            labels = node_labels(node)
            if any(labels.get(k) != v for k, v in selector.items()):
                return ["node(s) didn't match Pod's node affinity/selector"], False
        tolerations = spec.get("tolerations") or []
        for taint in node.plan.taints:
            if taint["effect"] in ("NoSchedule", "NoExecute") and not _tolerates(tolerations, taint):
                value = taint.get("value", "")
                return [f"node(s) had untolerated taint {{{taint['key']}: {value}}}"], False
        reasons = []
        cpu, memory = pod.requests
        if node.pods_used + 1 > node.plan.pods:
            reasons.append("Too many pods")
        if cpu and node.cpu_used + cpu > node.plan.cpu_milli:
            reasons.append("Insufficient cpu")
        if memory and node.memory_used + memory > node.plan.memory:
            reasons.append("Insufficient memory")
        return reasons, True

    def _attempt(self, pod: PodSim) -> None:
        if pod.removed or pod.node is not None or pod.deletion_ts is not None:
            self._forget(pod)
            return
        now = self.engine.now
        fits: list[NodeSim] = []
        counts: dict[str, int] = {}
        preempt: dict[str, int] = {}
        for node in self.world.nodes:
            reasons, helpful = self._why_not(pod, node)
            if not reasons:
                fits.append(node)
                continue
            for reason in reasons:
                counts[reason] = counts.get(reason, 0) + 1
            verdict = NO_VICTIMS if helpful else NOT_HELPFUL
            preempt[verdict] = preempt.get(verdict, 0) + 1
        if not fits:
            total = len(self.world.nodes)
            message = (
                f"0/{total} nodes are available: "
                + ", ".join(sorted(f"{n} {r}" for r, n in counts.items()))
                + f". preemption: 0/{total} nodes are available: "
                + ", ".join(sorted(f"{n} {r}" for r, n in preempt.items()))
                + "."
            )
            pod.set_condition("PodScheduled", "False", now, "Unschedulable", message)
            self.world.events.record_v1(
                pod.ref,
                "Warning",
                "FailedScheduling",
                message,
                action="Scheduling",
                controller="default-scheduler",
                instance="default-scheduler-demo-control-plane",
            )
            self.world.changed(pod)
            self.waiting[pod.uid] = pod
            previous = self._retries.get(pod.uid)
            if previous is not None:
                previous.cancel()
            self._retries[pod.uid] = self.engine.after(UNSCHEDULABLE_RETRY, self._attempt, pod)
            return
        self._forget(pod)
        cpu, memory = pod.scored

        def load(node: NodeSim) -> tuple[float, int]:
            # LeastAllocated: the emptiest node after placing the pod wins.
            return (
                (node.scored_cpu + cpu) / max(node.plan.cpu_milli, 1)
                + (node.scored_memory + memory) / max(node.plan.memory, 1),
                node.index,
            )

        self.bind(pod, min(fits, key=load))

    def bind(self, pod: PodSim, node: NodeSim) -> None:
        now = self.engine.now
        node.cpu_used += pod.requests[0]
        node.memory_used += pod.requests[1]
        node.pods_used += 1
        cpu, memory = pod.scored
        node.scored_cpu += cpu
        node.scored_memory += memory
        pod.node = node
        pod.spec = {**pod.spec, "nodeName": node.name}
        pod.set_condition("PodScheduled", "True", now)
        self.world.events.record_v1(
            pod.ref,
            "Normal",
            "Scheduled",
            f"Successfully assigned {pod.namespace}/{pod.name} to {node.name}",
            action="Binding",
            controller="default-scheduler",
            instance="default-scheduler-demo-control-plane",
        )
        self.world.changed(pod)
        self.engine.after(ADMIT_DELAY, self.world.kubelet.admit, pod)
