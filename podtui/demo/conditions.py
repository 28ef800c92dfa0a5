"""The pod conditions the kubelet writes (pkg/kubelet/status/generate.go), recomputed
from container states whenever a pod changed."""

from __future__ import annotations

from podtui.demo.state import RUNNING, TERMINATED, PodSim


def _names(names: list[str]) -> str:
    return "[" + " ".join(names) + "]"


def refresh_conditions(pod: PodSim, now: float) -> None:
    if pod.start_time is None:
        return  # not on a kubelet yet: only the scheduler's PodScheduled applies
    pod.set_condition("PodReadyToStartContainers", "True" if pod.sandbox else "False", now)

    if pod.initialized:
        pod.set_condition("Initialized", "True", now)
    else:
        incomplete = []
        for c in pod.init:
            if c.sidecar:
                if not (c.state == RUNNING and c.started):
                    incomplete.append(c.name)
            elif not (c.state == TERMINATED and c.term and c.term["exitCode"] == 0):
                incomplete.append(c.name)
        if incomplete:
            pod.set_condition("Initialized", "False", now, "ContainersNotInitialized", f"containers with incomplete status: {_names(incomplete)}")
        else:
            pod.set_condition("Initialized", "True", now)

    if pod.phase == "Succeeded":
        ready, reason, message = "False", "PodCompleted", ""
    elif pod.phase == "Failed":
        ready, reason, message = "False", "PodFailed", ""
    else:
        unready = [c.name for c in pod.sidecars if not c.ready] + [c.name for c in pod.apps if not c.ready]
        if unready:
            ready, reason, message = "False", "ContainersNotReady", f"containers with unready status: {_names(unready)}"
        else:
            ready, reason, message = "True", "", ""
    pod.set_condition("ContainersReady", ready, now, reason, message)

    if ready == "True":
        gates = [g.get("conditionType") for g in pod.spec.get("readinessGates") or []]
        problems = []
        for gate in gates:
            status = pod.gates.get(gate)
            if status is None:
                problems.append(f'corresponding condition of pod readiness gate "{gate}" does not exist.')
            elif status != "True":
                problems.append(f'the status of pod readiness gate "{gate}" is not "True", but {status}')
        if problems:
            ready, reason, message = "False", "ReadinessGatesNotReady", ", ".join(problems)
    pod.set_condition("Ready", ready, now, reason, message)
