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
