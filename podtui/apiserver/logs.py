"""pods/NAME/log: what `kubectl logs` gets, as far as a cluster without processes can say.

The demo's containers print nothing, so a log that exists is empty; everything else
is the apiserver's and the kubelet's own answer: the container check of
pkg/registry/core/pod/strategy.go (ValidateContainer, LogLocation: no node yet, an
empty 200) and the kubelet's validateContainerLogStatus (pkg/kubelet/kubelet_pods.go),
whose errors reach the client as 400 BadRequest with the kubelet's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from podtui.apiserver.status import APIError, bad_request

_IMAGE_WAITS = {
    "ErrImagePull": "image can't be pulled",
    "ImagePullBackOff": "trying and failing to pull image",
}


@dataclass(frozen=True, slots=True)
class LogTarget:
    container: str
    container_id: str  # the instance whose log this is; "" when the pod has no node yet
    running: bool  # that instance is still running (a follow stays open)


def _names(pod: dict, key: str) -> list[str]:
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    items = spec.get(key) if isinstance(spec.get(key), list) else []
    return [c.get("name", "") for c in items if isinstance(c, dict)]


def _status(pod: dict, name: str) -> dict | None:
    status = pod.get("status") if isinstance(pod.get("status"), dict) else {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for cs in status.get(key) or []:
            if isinstance(cs, dict) and cs.get("name") == name:
                return cs
    return None


def choose_container(pod: dict, container: str) -> str:
    """ValidateContainer: the named one, or the only app container."""
    name = (pod.get("metadata") or {}).get("name", "")
    if container:
        every = _names(pod, "initContainers") + _names(pod, "containers") + _names(pod, "ephemeralContainers")
        if container not in every:
            raise bad_request(f"container {container} is not valid for pod {name}")
        return container
    app = _names(pod, "containers")
    if len(app) == 1:
        return app[0]
    if not app:
        raise bad_request(f"pod {name} does not have a container")
    every = _names(pod, "initContainers") + app + _names(pod, "ephemeralContainers")
    raise bad_request(f"a container name must be specified for pod {name}, choose one of: [{' '.join(every)}]")


def log_target(pod: dict, container: str, previous: bool) -> LogTarget:
    """Which container instance's log a request reads, or the APIError it gets."""
    name = (pod.get("metadata") or {}).get("name", "")
    container = choose_container(pod, container)
    if not (pod.get("spec") or {}).get("nodeName"):
        return LogTarget(container, "", False)
    cs = _status(pod, container)
    if cs is None:
        raise _kubelet(f'container "{container}" in pod "{name}" is not available')
    state = cs.get("state") if isinstance(cs.get("state"), dict) else {}
    last = cs.get("lastState") if isinstance(cs.get("lastState"), dict) else {}
    last_terminated = last.get("terminated") if isinstance(last.get("terminated"), dict) else None
    last_id = (last_terminated or {}).get("containerID") or ""
    if previous:
        if not last_id:
            raise _kubelet(f'previous terminated container "{container}" in pod "{name}" not found')
        return LogTarget(container, last_id, False)
    if isinstance(state.get("running"), dict):
        return LogTarget(container, cs.get("containerID") or "", True)
    terminated = state.get("terminated")
    if isinstance(terminated, dict):
        instance = terminated.get("containerID") or last_id
        if not instance:
            raise _kubelet(f'container "{container}" in pod "{name}" is terminated')
        return LogTarget(container, instance, False)
    if last_terminated is not None:
        if not last_id:
            raise _kubelet(f'container "{container}" in pod "{name}" is terminated')
        return LogTarget(container, last_id, False)
    waiting = state.get("waiting")
    if isinstance(waiting, dict):
        reason = waiting.get("reason") or ""
        detail = _IMAGE_WAITS.get(reason, reason)
        raise _kubelet(f'container "{container}" in pod "{name}" is waiting to start: {detail}')
    raise _kubelet(f'container "{container}" in pod "{name}" is waiting to start - no logs yet')


def still_running(pod: dict | None, target: LogTarget) -> bool:
    """Whether a followed log goes on: the same instance is still running."""
    if pod is None or not target.running:
        return False
    cs = _status(pod, target.container)
    if cs is None or not isinstance((cs.get("state") or {}).get("running"), dict):
        return False
    return (cs.get("containerID") or "") == target.container_id


def _kubelet(message: str) -> APIError:
    # GenericHttpResponseChecker turns the kubelet's 400 into a BadRequest with its text.
    return bad_request(message)
