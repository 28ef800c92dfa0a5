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

# The descriptions printers.go spells out literally.
_DESCRIPTIONS = {
    ("pods", "Ready"): "The aggregate readiness state of this pod for accepting traffic.",
    ("pods", "Status"): "The aggregate status of the containers in this pod.",
    ("pods", "Restarts"): "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
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
    include: str = "Metadata",
    headers: bool = True,
    render: Callable[[dict], dict] | None = None,
) -> dict:
    meta: dict = {}
    if resource_version:
        meta["resourceVersion"] = resource_version
    if continue_token:
        meta["continue"] = continue_token
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
