"""Readers that never raise on malformed input: the API's JSON may hold anything, and
the model reads it field by field."""

from __future__ import annotations


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def controller_ref(meta: object) -> dict | None:
    """The ownerReference of the object's controller (a ReplicaSet, StatefulSet, Job...)."""
    if isinstance(meta, dict):
        for ref in as_list(meta.get("ownerReferences")):
            if isinstance(ref, dict) and ref.get("controller"):
                return ref
    return None


def container_statuses(pod: dict) -> dict[str, dict]:
    """Init and main container statuses by name (a later duplicate name wins)."""
    status = as_dict(pod.get("status"))
    out: dict[str, dict] = {}
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in as_list(status.get(key)):
            if isinstance(cs, dict) and isinstance(cs.get("name"), str):
                out[cs["name"]] = cs
    return out


def containers_stopped(status: dict) -> bool:
    """The pod's containers have all stopped: its phase is final, or no container
    (init or sidecar included) runs and every main one reports terminated (one at least).
    What the kubelet waits for before it confirms a deletion with grace 0."""
    if status.get("phase") in ("Succeeded", "Failed"):
        return True
    seen = False
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in as_list(status.get(key)):
            if not isinstance(cs, dict):
                continue
            state = as_dict(cs.get("state"))
            if isinstance(state.get("running"), dict):
                return False
            if key == "containerStatuses":
                if not isinstance(state.get("terminated"), dict):
                    return False
                seen = True
    return seen
