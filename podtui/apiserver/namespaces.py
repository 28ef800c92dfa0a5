"""Namespaces, read-only: the four every cluster has and any that holds a pod or event.

Namespaces exist here by use, so they are derived at request time rather than stored;
they never change once they exist, hence get and list but no watch (discovery says
so, and a watch is refused as a kube-apiserver refuses it on a resource without one).
Shapes follow pkg/registry/core/namespace and printers.go (NAME STATUS AGE).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import orjson

from podtui.apiserver import endpoints
from podtui.apiserver.selectors import combine, parse_field_selector, parse_label_selector
from podtui.apiserver.status import APIError, expired_continue, not_found
from podtui.apiserver.storage import Storage
from podtui.apiserver.tables import AGE_DOC, NAME_DOC
from podtui.lifecycle.duration import format_age
from podtui.lifecycle.times import format_ts

SYSTEM = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
_UID_SPACE = uuid.UUID("5b0f6a4e-9a3c-4a43-9d87-6a2f4f1b7c10")

COLUMNS = [
    {"name": "Name", "type": "string", "format": "name", "description": NAME_DOC, "priority": 0},
    {"name": "Status", "type": "string", "format": "", "description": "The status of the namespace", "priority": 0},
    {"name": "Age", "type": "string", "format": "", "description": AGE_DOC, "priority": 0},
]


def names(storage: Storage) -> list[str]:
    return sorted(SYSTEM | storage.namespaces())


def exists(storage: Storage, name: str) -> bool:
    return name in SYSTEM or storage.has_namespace(name)


def namespace(storage: Storage, name: str) -> dict:
    # Created with the cluster (nothing here is older), never modified since.
    return {
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "uid": str(uuid.uuid5(_UID_SPACE, name)),
            "resourceVersion": "1",
            "creationTimestamp": format_ts(storage.created),
            "labels": {"kubernetes.io/metadata.name": name},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def get_body(storage: Storage, name: str, table: bool, now: datetime) -> bytes:
    if not exists(storage, name):
        raise not_found("namespaces", name)
    obj = namespace(storage, name)
    return orjson.dumps(_table(storage, [obj], now, str(storage.resource_version), "") if table else obj)


def list_body(storage: Storage, query: dict[str, str], table: bool, now: datetime) -> bytes:
    predicate = combine(parse_label_selector(query.get("labelSelector", "")), parse_field_selector(query.get("fieldSelector", ""), "namespaces"))
    limit = endpoints.parse_int(query, "limit") or 0
    rv = storage.resource_version
    after = ""
    token = query.get("continue", "")
    if token:
        at, after = endpoints.decode_continue(token)
        if at < storage.oldest_resource_version:
            raise expired_continue()
        rv = at
    objects = [namespace(storage, n) for n in names(storage) if n > after]
    if predicate is not None:
        objects = [o for o in objects if predicate(o)]
    next_token = ""
    if limit and len(objects) > limit:
        objects = objects[:limit]
        next_token = endpoints.encode_continue(rv, objects[-1]["metadata"]["name"])
    if table:
        return orjson.dumps(_table(storage, objects, now, str(rv), next_token))
    meta: dict = {"resourceVersion": str(rv)}
    if next_token:
        meta["continue"] = next_token
    items = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in objects]  # as list items go
    return orjson.dumps({"kind": "NamespaceList", "apiVersion": "v1", "metadata": meta, "items": items})


def _table(storage: Storage, objects: list[dict], now: datetime, rv: str, token: str) -> dict:
    meta: dict = {"resourceVersion": rv}
    if token:
        meta["continue"] = token
    aware = now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)
    age = format_age(storage.created, aware.timestamp())
    rows = []
    for obj in objects:
        meta_obj = obj["metadata"]
        rows.append({"cells": [meta_obj["name"], obj["status"]["phase"], age],
                     "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta_obj}})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": COLUMNS, "rows": rows}


def watch_refused() -> APIError:
    # NewMethodNotSupported(namespaces, "watch") from ListResource.
    return APIError(405, 'watch is not supported on resources of kind "namespaces"', details={"kind": "namespaces"})
