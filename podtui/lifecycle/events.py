"""Reading Events (core/v1 and events.k8s.io/v1) the way kubectl does.

Both APIs describe the same thing with different field names; normalize_event turns
either into one EventRecord. Repeats arrive as updates of the same Event (count+1 or
series.count+1), so the record's identity is the Event's uid.
"""

from __future__ import annotations

import re

from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.times import parse_ts
from podtui.lifecycle.read import as_dict as _d, as_str as _s

_FIELD_PATH = re.compile(r"spec\.(containers|initContainers|ephemeralContainers)\{([^}]*)\}")
_container_cache: dict[str, str | None] = {}


def container_from_field_path(field_path: str) -> str | None:
    """`spec.containers{app}` -> "app"; also initContainers and ephemeralContainers."""
    if not field_path:
        return None
    hit = _container_cache.get(field_path, False)
    if hit is not False:
        return hit  # type: ignore[return-value]
    m = _FIELD_PATH.match(field_path)
    name = m.group(2) if m else None
    if len(_container_cache) < 4096:
        _container_cache[field_path] = name
    return name


def _count(*values: object) -> int:
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return 1


def event_key(obj: dict) -> str | None:
    """The identity of an Event: its uid, else namespace/name (unique per namespace)."""
    meta = _d(obj.get("metadata"))
    uid = meta.get("uid")
    if isinstance(uid, str) and uid:
        return uid
    name = meta.get("name")
    if isinstance(name, str) and name:
        return f"{_s(meta.get('namespace'))}/{name}"
    return None


def involved_object(obj: dict) -> dict:
    """involvedObject (core/v1) or regarding (events.k8s.io/v1)."""
    inv = obj.get("involvedObject")
    if isinstance(inv, dict):
        return inv
    return _d(obj.get("regarding"))


def normalize_event(obj: object, problems: list[str] | None = None) -> EventRecord | None:
    """An Event of either API -> EventRecord; None when it can't be identified.

    `problems`, when given, receives a one-line reason for a None.
    """
    if not isinstance(obj, dict):
        if problems is not None:
            problems.append(f"event is a {type(obj).__name__}, not an object")
        return None
    key = event_key(obj)
    if key is None:
        if problems is not None:
            problems.append("event without metadata.uid or name")
        return None
    meta = _d(obj.get("metadata"))
    inv = involved_object(obj)
    series = _d(obj.get("series"))
    if "regarding" in obj or "note" in obj:  # events.k8s.io/v1
        message = _s(obj.get("note"))
        first = parse_ts(obj.get("deprecatedFirstTimestamp")) or parse_ts(obj.get("eventTime"))
        last_ts = parse_ts(obj.get("deprecatedLastTimestamp"))
        count = _count(series.get("count"), obj.get("deprecatedCount"))
        source = _s(obj.get("reportingController")) or _s(_d(obj.get("deprecatedSource")).get("component"))
    else:
        message = _s(obj.get("message"))
        first = parse_ts(obj.get("firstTimestamp")) or parse_ts(obj.get("eventTime"))
        last_ts = parse_ts(obj.get("lastTimestamp"))
        count = _count(series.get("count"), obj.get("count"))
        source = _s(_d(obj.get("source")).get("component")) or _s(obj.get("reportingComponent"))
    last = parse_ts(series.get("lastObservedTime")) or last_ts or first
    if first is None:
        first = last
    field_path = _s(inv.get("fieldPath"))
    return EventRecord(
        uid=key,
        namespace=_s(meta.get("namespace")),
        name=_s(meta.get("name")),
        type=_s(obj.get("type")) or "Normal",
        reason=_s(obj.get("reason")),
        message=message,
        first=first,
        last=last,
        count=count,
        field_path=field_path,
        container=container_from_field_path(field_path),
        source=source,
        involved_kind=_s(inv.get("kind")),
        involved_namespace=_s(inv.get("namespace")) or _s(meta.get("namespace")),
        involved_name=_s(inv.get("name")),
        involved_uid=_s(inv.get("uid")),
        resource_version=_s(meta.get("resourceVersion")),
    )


def is_pod_event(obj: dict) -> bool:
    """Cheap pre-filter: Events about other kinds (Node, Deployment...) are ignored."""
    return involved_object(obj).get("kind") == "Pod"
