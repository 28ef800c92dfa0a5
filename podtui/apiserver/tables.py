"""Server-side printing: meta.k8s.io/v1 Table for `kubectl get`.

kubectl asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...` and
prints whatever rows come back, so these cells are the ones `kubectl get pods -o wide`
shows. The cells come from podtui.lifecycle.columns (a port of printers.go); the
shape follows staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go: every
cell (wide ones too: kubectl hides priority>0 columns itself), row objects as
PartialObjectMetadata unless includeObject says otherwise, and in a watch only the
first event carries columnDefinitions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import orjson

from podtui.apiserver.storage import PODS, Entry
from podtui.lifecycle.columns import EVENT_TABLE_COLUMNS, POD_TABLE_COLUMNS, event_columns, kubectl_columns

MEDIA_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"

INCLUDE_OBJECT = ("Metadata", "Object", "None")

# Column descriptions as printers.go sets them: three literal, the rest the swagger
# docs of the fields they show (ObjectMeta, PodSpec, PodStatus, Event, ObjectReference).
NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a "
    "client to request the generation of an appropriate name automatically. Name is primarily intended for creation "
    "idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed "
    "to be set in happens-before order across separate operations. Clients may not set this value. It is represented in "
    "RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
_DESCRIPTIONS = {
    ("pods", "Name"): NAME_DOC,
    ("pods", "Ready"): "The aggregate readiness state of this pod for accepting traffic.",
    ("pods", "Status"): "The aggregate status of the containers in this pod.",
    ("pods", "Restarts"): "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ("pods", "Age"): AGE_DOC,
    ("pods", "IP"): "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    ("pods", "Node"): (
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the "
        "scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the "
        "lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific "
        "node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename"
    ),
    ("pods", "Nominated Node"): (
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away "
        "as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will "
        "be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. "
        "Scheduler may also decide to give the resources on this node to a higher priority pod that is created after "
        "preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled."
    ),
    ("pods", "Readiness Gates"): (
        "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are "
        'ready AND all conditions specified in the readiness gates have status equal to "True" More info: '
        "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"
    ),
    ("events", "Last Seen"): "The time at which the most recent occurrence of this event was recorded.",
    ("events", "Type"): "Type of this event (Normal, Warning), new types could be added in the future",
    ("events", "Reason"): "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ("events", "Object"): "The object that this event is about.",
    ("events", "Subobject"): (
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field "
        "access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a "
        'container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name '
        'of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container '
        "with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object."
    ),
    ("events", "Source"): "The component reporting this event. Should be a short machine understandable string.",
    ("events", "Message"): "A human-readable description of the status of this operation.",
    ("events", "First Seen"): "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ("events", "Count"): "The number of times this event has occurred.",
    ("events", "Name"): NAME_DOC,
}

_POD_SUCCEEDED = [{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}]
_POD_FAILED = [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]


def _definitions(resource: str) -> list[dict]:
    columns = POD_TABLE_COLUMNS if resource == PODS else EVENT_TABLE_COLUMNS
    out = []
    for key, header, type_, priority in columns:
        col: dict = {"name": header, "type": type_, "format": "name" if key == "name" else ""}
        col["description"] = _DESCRIPTIONS.get((resource, header), "")
        col["priority"] = priority
        out.append(col)
    return out


COLUMN_DEFINITIONS = {res: _definitions(res) for res in ("pods", "events")}


def _name(obj: dict) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def cells(resource: str, obj: dict, now: datetime) -> list[str]:
    if resource == PODS:
        values = kubectl_columns(obj, now)
        values["name"] = _name(obj)
        keys = POD_TABLE_COLUMNS
    else:
        values = event_columns(obj, now)
        keys = EVENT_TABLE_COLUMNS
    return [values.get(key, "") for key, *_ in keys]


def _row_object(obj: dict, include: str, render: Callable[[dict], dict] | None) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return render(obj) if render else obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def row(resource: str, obj: dict, now: datetime, include: str, render: Callable[[dict], dict] | None = None) -> dict:
    out: dict = {"cells": cells(resource, obj, now)}
    if resource == PODS:
        status = obj.get("status")
        phase = status.get("phase") if isinstance(status, dict) else None
        if phase == "Succeeded":
            out["conditions"] = _POD_SUCCEEDED
        elif phase == "Failed":
            out["conditions"] = _POD_FAILED
    out["object"] = _row_object(obj, include, render)
    return out


def table(
    resource: str,
    entries: list[Entry],
    now: datetime,
    *,
    resource_version: str = "",
    continue_token: str = "",
    remaining: int | None = None,
    include: str = "Metadata",
    headers: bool = True,
    render: Callable[[dict], dict] | None = None,
) -> dict:
    meta: dict = {}
    if resource_version:
        meta["resourceVersion"] = resource_version
    if continue_token:
        meta["continue"] = continue_token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": COLUMN_DEFINITIONS[resource] if headers else None,
        "rows": [row(resource, e.obj, now, include, render) for e in entries],
    }


class WatchTables:
    """Renders each watch event's object as a one-row Table; headers only on the first."""

    def __init__(self, resource: str, clock_now: Callable[[], datetime], include: str, render: Callable[[dict], dict] | None) -> None:
        self.resource = resource
        self._now = clock_now
        self.include = include
        self._render = render
        self._headers = True

    def __call__(self, kind: str, entry: Entry) -> bytes:
        doc = table(self.resource, [entry], self._now(), include=self.include, headers=self._headers, render=self._render)
        self._headers = False
        return orjson.dumps(doc)
