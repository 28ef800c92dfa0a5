"""Deployment and ReplicaSet controllers, enough for a rolling update to look real.

The deployment controller (pkg/controller/deployment/rolling.go) scales a new
ReplicaSet up by at most maxSurge over the desired count and old ones down while at
least replicas - maxUnavailable pods stay Ready; the ReplicaSet controller
(pkg/controller/replicaset) creates and deletes pods to match each set's count, which
also replaces pods that were deleted or evicted. Both write their real events
(ScalingReplicaSet, SuccessfulCreate, SuccessfulDelete).
"""

from __future__ import annotations

import copy
import hashlib
import math

from podtui.demo.ids import SAFE_ALPHABET, controller_ref, random_suffix
from podtui.demo.scenario import ContainerBehavior, DeploymentPlan
from podtui.demo.state import PodSim


def template_hash(spec: dict, revision: int) -> str:
    digest = hashlib.sha256(repr((sorted(spec.items(), key=lambda kv: kv[0]), revision)).encode()).digest()
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:10])


def _resolve(value: int | str, replicas: int, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    fraction = int(value.rstrip("%")) * replicas / 100
    return math.ceil(fraction) if round_up else math.floor(fraction)


class ReplicaSetSim:
    def __init__(self, name: str, uid: str, template_hash: str, spec: dict, behavior: dict) -> None:
        self.name = name
        self.uid = uid
        self.hash = template_hash
        self.spec = spec
        self.behavior = behavior
        self.replicas = 0
        self.pods: list[PodSim] = []


def _alive(rs: ReplicaSetSim) -> list[PodSim]:
    return [p for p in rs.pods if not p.removed and p.deletion_ts is None and not p.terminal]


def _ready(pod: PodSim) -> bool:
    return pod.condition("Ready") == "True"


class DeploymentController:
    def __init__(self, world, plan: DeploymentPlan) -> None:
        self.world = world
        self.engine = world.engine
        self.plan = plan
        self.uid = ""
        self.sets: list[ReplicaSetSim] = []
        self._pending = False
        self.ref: dict = {}

    # ---- entry points ------------------------------------------------------------

    def start(self) -> None:
        self.uid = self.world.new_uid()
        self.ref = {
            "kind": "Deployment",
            "namespace": self.plan.namespace,
            "name": self.plan.name,
            "uid": self.uid,
            "apiVersion": "apps/v1",
        }
        self._new_set(self.plan.spec, self.plan.behavior)
        self.reconcile_soon()

    def rollout(self, images: dict[str, str], behavior: dict[str, ContainerBehavior] | None) -> None:
        if not self.sets:
            return
        current = self.sets[-1]
        spec = copy.deepcopy(current.spec)
        for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            if container["name"] in images:
                container["image"] = images[container["name"]]
        self._new_set(spec, behavior if behavior is not None else current.behavior)
        self.reconcile_soon()

    def pod_changed(self, pod: PodSim) -> None:
        self.reconcile_soon()

    def reconcile_soon(self) -> None:
        if not self._pending:
            self._pending = True
            self.engine.after(0.0, self._reconcile)

    def pick_for_eviction(self) -> PodSim | None:
        candidates = [p for rs in self.sets for p in _alive(rs)]
        candidates.sort(key=lambda p: (not _ready(p), p.name))
        return candidates[0] if candidates else None

    # ---- the two controllers ----------------------------------------------------------

    def _new_set(self, spec: dict, behavior: dict) -> None:
        revision = len(self.sets) + 1
        hash_ = template_hash(spec, revision)
        name = f"{self.plan.name}-{hash_}"
        self.sets.append(ReplicaSetSim(name, self.world.new_uid(), hash_, spec, behavior))

    def _reconcile(self) -> None:
        self._pending = False
        plan = self.plan
        replicas = plan.replicas
        surge = _resolve(plan.max_surge, replicas, round_up=True)
        unavailable = _resolve(plan.max_unavailable, replicas, round_up=False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        new, olds = self.sets[-1], self.sets[:-1]
        total = sum(rs.replicas for rs in self.sets)
        if new.replicas < replicas:
            step = min(replicas + surge - total, replicas - new.replicas)
            if step > 0:
                self._scale(new, new.replicas + step)
        elif new.replicas > replicas:
            self._scale(new, replicas)
        if olds:
            total = sum(rs.replicas for rs in self.sets)
            min_available = replicas - unavailable
            new_unavailable = new.replicas - sum(1 for p in _alive(new) if _ready(p))
            budget = total - min_available - new_unavailable
            # Unhealthy old pods go first, then ready ones while enough stay available.
            for rs in olds:
                if budget <= 0:
                    break
                unhealthy = min(rs.replicas - sum(1 for p in _alive(rs) if _ready(p)), budget)
                if unhealthy > 0:
                    self._scale(rs, rs.replicas - unhealthy)
                    budget -= unhealthy
            available = sum(1 for rs in self.sets for p in _alive(rs) if _ready(p))
            spare = available - min_available
            for rs in olds:
                if spare <= 0:
                    break
                take = min(rs.replicas, spare)
                if take > 0:
                    self._scale(rs, rs.replicas - take)
                    spare -= take
        for rs in self.sets:
            self._sync_set(rs)

    def _scale(self, rs: ReplicaSetSim, count: int) -> None:
        if count == rs.replicas:
            return
        direction = "up" if count > rs.replicas else "down"
        self.world.events.record(
            self.ref,
            "Normal",
            "ScalingReplicaSet",
            f"Scaled {direction} replica set {rs.name} from {rs.replicas} to {count}",
            component="deployment-controller",
        )
        rs.replicas = count

    def _sync_set(self, rs: ReplicaSetSim) -> None:
        alive = _alive(rs)
        ref = {"kind": "ReplicaSet", "namespace": self.plan.namespace, "name": rs.name, "uid": rs.uid, "apiVersion": "apps/v1"}
        for _ in range(rs.replicas - len(alive)):
            pod = self._create_pod(rs)
            self.world.events.record(ref, "Normal", "SuccessfulCreate", f"Created pod: {pod.name}", component="replicaset-controller")
        if len(alive) > rs.replicas:
            # controller.ActivePods ranking: not ready before ready, newer before older.
            doomed = sorted(alive, key=lambda p: (_ready(p), -p.created))[: len(alive) - rs.replicas]
            for pod in doomed:
                self.world.request_delete(pod.namespace, pod.name)
                self.world.events.record(ref, "Normal", "SuccessfulDelete", f"Deleted pod: {pod.name}", component="replicaset-controller")
        rs.pods = [p for p in rs.pods if not p.removed]

    def _create_pod(self, rs: ReplicaSetSim) -> PodSim:
        suffix = random_suffix(self.world.rng)
        labels = {**self.plan.template_labels, "pod-template-hash": rs.hash}
        owner = controller_ref("apps/v1", "ReplicaSet", rs.name, rs.uid)
        pod = self.world.create_pod(
            self.plan.namespace,
            f"{rs.name}-{suffix}",
            rs.spec,
            rs.behavior,
            labels=labels,
            annotations=dict(self.plan.template_annotations),
            owner_refs=[owner],
            generate_name=f"{rs.name}-",
            owner=self,
        )
        rs.pods.append(pod)
        return pod
