"""The simulated cluster's shared state and its bridge to the API server's Storage.

World owns the discrete-event engine, the seeded random source, the nodes and pods,
and the simulated components (scheduler, kubelet, controllers). Components mark pods
as changed; once all callbacks of an instant have run the world recomputes their
conditions and writes each one to Storage a single time. It also plays the API
server's part in a DELETE: deletionTimestamp = now + grace, grace 0 for pods that never
reached a node or already finished, a later DELETE may only shorten it, and finalizers
keep the object after the kubelet is done with it.
"""

from __future__ import annotations

import random

from podtui.apiserver.endpoints import delete_grace
from podtui.demo.conditions import refresh_conditions
from podtui.demo.controllers import DeploymentController
from podtui.demo.engine import Engine
from podtui.demo.events import EventRecorder
from podtui.demo.ids import controller_ref, random_uid, suffix_of
from podtui.demo.kubelet import Kubelet, get_phase
from podtui.demo.scenario import Action, PodPlan, Scenario, with_service_account_token
from podtui.demo.scheduler import Scheduler
from podtui.demo.state import NodeSim, PodSim


class World:
    def __init__(self, scenario: Scenario, storage, start: float, seed: int | None) -> None:
        self.scenario = scenario
        self.storage = storage
        self.start = start
        self.rng = random.Random(seed if seed is not None else scenario.seed)
        self.engine = Engine(start)
        self.engine.on_settle = self.settle
        self.events = EventRecorder(storage, self.engine, scenario.events, self.new_uid)
        self.nodes = [NodeSim(plan, i) for i, plan in enumerate(scenario.nodes)]
        self.secrets = scenario.secrets
        self.pods: dict[tuple[str, str], PodSim] = {}
        self.kubelet = Kubelet(self)
        self.scheduler = Scheduler(self)
        self.deployments: dict[tuple[str, str], DeploymentController] = {}
        self._dirty: list[PodSim] = []
        self._owner_uids: dict[tuple[str, str, str], str] = {}

    # ---- seeded identities ------------------------------------------------------

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def new_uid(self) -> str:
        return random_uid(self.rng)

    # ---- scenario ----------------------------------------------------------------

    def load(self) -> None:
        """Schedule everything the scenario asks for, relative to the start."""
        for plan in self.scenario.pods:
            self.engine.at(self.start + plan.at, self._create_planned, plan)
        for plan in self.scenario.deployments:
            controller = DeploymentController(self, plan)
            self.deployments[(plan.namespace, plan.name)] = controller
            self.engine.at(self.start + plan.at, controller.start)
        for action in self.scenario.actions:
            self.engine.at(self.start + action.at, self._act, action)

    def _create_planned(self, plan: PodPlan) -> None:
        labels = dict(plan.labels)
        owner_refs = []
        if plan.owner is not None:
            key = (plan.owner["kind"], plan.namespace, plan.owner["name"])
            uid = self._owner_uids.setdefault(key, self.new_uid())
            owner_refs.append(controller_ref(plan.owner["apiVersion"], plan.owner["kind"], plan.owner["name"], uid))
            if plan.owner["kind"] == "Job":
                labels.setdefault("batch.kubernetes.io/controller-uid", uid)
                labels.setdefault("batch.kubernetes.io/job-name", plan.owner["name"])
                labels.setdefault("controller-uid", uid)
                labels.setdefault("job-name", plan.owner["name"])
        pod = self.create_pod(
            plan.namespace,
            plan.name,
            plan.spec,
            plan.behavior,
            labels=labels,
            annotations=dict(plan.annotations),
            owner_refs=owner_refs,
            finalizers=list(plan.finalizers),
        )
        pod.gate_plan = dict(plan.gates)

    def _act(self, action: Action) -> None:
        key = (action.namespace, action.name)
        if action.verb == "rollout":
            controller = self.deployments.get(key)
            if controller is not None:
                controller.rollout(action.images, action.behavior)
            return
        pod = self.pods.get(key)
        if pod is None and action.verb == "evict" and key in self.deployments:
            pod = self.deployments[key].pick_for_eviction()
        if pod is None:
            return
        if action.verb == "delete":
            self.request_delete(pod.namespace, pod.name, action.grace)
        elif action.verb == "evict":
            self.evict(pod.namespace, pod.name, action.grace)
        elif action.verb == "node_pressure":
            self.kubelet.evict_for_pressure(pod, action.resource)
        elif action.verb == "remove_finalizers":
            self.remove_finalizers(pod.namespace, pod.name)

    # ---- pods in storage ---------------------------------------------------------------

    def create_pod(
        self,
        namespace: str,
        name: str,
        spec: dict,
        behavior: dict,
        *,
        labels: dict | None = None,
        annotations: dict | None = None,
        owner_refs: list | None = None,
        finalizers: list | None = None,
        generate_name: str = "",
        owner=None,
    ) -> PodSim:
        uid = self.new_uid()
        spec = with_service_account_token(spec, f"kube-api-access-{suffix_of(uid)}")
        pod = PodSim(namespace, name, uid, spec, behavior, self.engine.now)
        pod.labels = labels or {}
        pod.annotations = annotations or {}
        pod.owner_refs = owner_refs or []
        pod.finalizers = finalizers or []
        pod.generate_name = generate_name
        pod.owner = owner
        self.pods[(namespace, name)] = pod
        self.storage.create("pods", pod.to_dict())
        self.scheduler.enqueue(pod)
        return pod

    def changed(self, pod: PodSim) -> None:
        if not pod.dirty and not pod.removed:
            pod.dirty = True
            self._dirty.append(pod)

    def settle(self) -> None:
        """Write every pod changed at this instant, once."""
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, []
        now = self.engine.now
        for pod in dirty:
            pod.dirty = False
            if pod.removed:
                continue
            self._publish(pod, now)

    def _publish(self, pod: PodSim, now: float) -> None:
        if not pod.terminal and pod.start_time is not None:
            pod.phase = get_phase(pod, terminal=False)
        refresh_conditions(pod, now)
        self.storage.update("pods", pod.to_dict())
        ready = pod.condition("Ready") == "True"
        if ready != pod.was_ready:
            pod.was_ready = ready
            if pod.owner is not None:
                pod.owner.pod_changed(pod)

    def remove(self, pod: PodSim) -> dict | None:
        """The object leaves the API (a final status write first, if one is pending)."""
        if pod.removed:
            return None
        self.settle_one(pod)
        pod.removed = True
        self._release(pod)
        self.pods.pop((pod.namespace, pod.name), None)
        final = self.storage.delete("pods", pod.namespace, pod.name)
        if pod.owner is not None:
            pod.owner.pod_changed(pod)
        return final

    def _release(self, pod: PodSim) -> None:
        node = pod.node
        if node is not None and pod.requests is not None:
            node.cpu_used -= pod.requests[0]
            node.memory_used -= pod.requests[1]
            node.pods_used -= 1
            cpu, memory = pod.scored
            node.scored_cpu -= cpu
            node.scored_memory -= memory
            pod.requests = None  # released once
            self.scheduler.released()

    def kubelet_done(self, pod: PodSim) -> None:
        """The kubelet stopped everything: free the node, then the kubelet's own final
        DELETE (grace 0) for a pod being deleted; finalizers keep it."""
        self._release(pod)
        if pod.owner is not None:
            pod.owner.pod_changed(pod)
        if pod.deletion_ts is None:
            return
        if pod.finalizers:
            if pod.deletion_grace:
                # BeforeDelete shortening to 0: the timestamp moves back to the request time.
                pod.deletion_ts = pod.deletion_ts - pod.deletion_grace
                pod.deletion_grace = 0
                self.changed(pod)
            return
        self.remove(pod)

    # ---- the API server's side of DELETE and eviction ------------------------------------

    def request_delete(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        """DELETE of a pod: returns the object as it is after the request, or None."""
        pod = self.pods.get((namespace, name))
        if pod is None or pod.removed:
            return None
        now = self.engine.now
        grace = delete_grace(grace, pod.grace, pod.node is not None, pod.phase)
        if pod.deletion_ts is not None:
            if not pod.deletion_grace or grace >= pod.deletion_grace:
                return pod.to_dict()
            pod.deletion_ts = pod.deletion_ts - pod.deletion_grace + grace
            pod.deletion_grace = grace
            self.kubelet.shorten(pod, grace)
        else:
            pod.deletion_ts = now + grace
            pod.deletion_grace = grace
        if grace == 0:
            if pod.finalizers:
                pod.terminal = pod.terminal or pod.start_time is None
                self.changed(pod)
                if not pod.terminal:
                    self.kubelet.terminate(pod, 0, "deleted")
                self.settle_one(pod)
                return pod.to_dict()
            pod.terminal = True  # the kubelet may still be stopping containers; nobody sees it
            return self.remove(pod)
        self.changed(pod)
        self.kubelet.terminate(pod, grace, "deleted")
        self.settle_one(pod)
        return pod.to_dict()

    def settle_one(self, pod: PodSim) -> None:
        if pod.dirty and not pod.removed:
            pod.dirty = False
            # Out of the batch too: settle() would write it again, and list.remove() fails
            # for a pod of the batch settle() is writing now (it has already taken the list).
            self._dirty = [p for p in self._dirty if p is not pod]
            self._publish(pod, self.engine.now)

    def evict(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        """The Eviction API: DisruptionTarget, then a graceful delete."""
        pod = self.pods.get((namespace, name))
        if pod is None or pod.removed:
            return None
        if pod.deletion_ts is None and pod.phase not in ("Succeeded", "Failed"):
            pod.set_condition("DisruptionTarget", "True", self.engine.now, "EvictionByEvictionAPI", "Eviction API: evicting")
            self.changed(pod)
        return self.request_delete(namespace, name, grace)

    def remove_finalizers(self, namespace: str, name: str) -> None:
        pod = self.pods.get((namespace, name))
        if pod is None or pod.removed or not pod.finalizers:
            return
        pod.finalizers = []
        if pod.deletion_ts is not None and (pod.terminal or pod.node is None):
            self.remove(pod)
        else:
            self.changed(pod)
