"""Watch lines and list items -> the dicts the model reads, sharing what didn't change.

A pod's watch event repeats the whole pod to say that one condition or one container
changed. Decoding all of it every time, and freeing the previous copy, costs more than
the model's own work, and most of that cost is memory traffic over a heap of
thousands of pods. So the pod decoder keeps, per pod UID, the raw bytes of the pieces
that tend to stay the same (the spec; each condition and container status) next to
what they decoded to. A piece whose bytes are unchanged is not decoded again: the new
version holds the very object the previous version held. The model sees plain JSON
dicts as the API serves them, and an unchanged piece is the same object in both
versions (the diff compares it by identity). Nothing downstream may mutate them.

What the model doesn't read isn't decoded: `metadata.managedFields` (kubectl hides
it too) and status fields this podtui doesn't know. The line itself travels with
the Change (`raw`) for the recorder and the YAML view, which show the pod as served.

Anything that doesn't fit the expected shape (a status that is not an object, an
ERROR event) is decoded generically instead, so malformed objects reach the model
as they are and are reported there.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec
from msgspec import Raw

DecodeError = msgspec.DecodeError  # also raised for malformed JSON


class _Meta(TypedDict, total=False):
    # ObjectMeta without managedFields.
    name: Any
    generateName: Any
    namespace: Any
    selfLink: Any
    uid: Any
    resourceVersion: Any
    generation: Any
    creationTimestamp: Any
    deletionTimestamp: Any
    deletionGracePeriodSeconds: Any
    labels: Any
    annotations: Any
    ownerReferences: Any
    finalizers: Any


class _Status(TypedDict, total=False):
    # PodStatus (Kubernetes 1.33); the lists are shared element by element.
    observedGeneration: Any
    phase: Any
    conditions: Raw
    message: Any
    reason: Any
    nominatedNodeName: Any
    hostIP: Any
    hostIPs: Any
    podIP: Any
    podIPs: Any
    startTime: Any
    initContainerStatuses: Raw
    containerStatuses: Raw
    qosClass: Any
    ephemeralContainerStatuses: Raw
    resize: Any
    resourceClaimStatuses: Any
    extendedResourceClaimStatus: Any


class _Pod(TypedDict, total=False):
    kind: Any
    apiVersion: Any
    metadata: _Meta
    spec: Raw
    status: _Status


class _PodLine(TypedDict, total=False):
    # A watch event, or a recording line (which adds t/resource/synthetic).
    type: Any
    object: _Pod
    t: Any
    resource: Any
    synthetic: Any


_SHARED_LISTS = ("conditions", "initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
_decode_pod_line = msgspec.json.Decoder(_PodLine).decode
_decode_pod = msgspec.json.Decoder(_Pod).decode
_decode_raw_list = msgspec.json.Decoder(list[Raw]).decode
decode_any = msgspec.json.Decoder().decode


class _Seen:
    """What the previous version of one pod decoded its shared pieces to."""

    __slots__ = ("spec_raw", "spec", "lists")

    def __init__(self) -> None:
        self.spec_raw: Raw | None = None
        self.spec: object = None
        # key -> (raw of the whole list, raw of each element, decoded elements)
        self.lists: dict[str, tuple[Raw, list[Raw], list]] = {}


class PodDecoder:
    """Decodes one stream of pods (a reflector's, a replay's). Not thread-safe."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}

    def line(self, data: bytes) -> Any:
        """A watch line (or recording line) -> its dict, the object decoded for the model."""
        try:
            event = _decode_pod_line(data)
        except msgspec.ValidationError:
            return decode_any(data)  # not shaped like a pod event: let the caller judge it
        obj = event.get("object")
        if obj is not None:
            if event.get("type") == "ERROR":
                return decode_any(data)  # a Status, not a pod
            self._share(obj)
        return event

    def item(self, raw: bytes | Raw) -> Any:
        """One item of a list response."""
        try:
            obj = _decode_pod(raw)
        except msgspec.ValidationError:
            return decode_any(raw)
        self._share(obj)
        return obj

    def forget(self, uid: object) -> None:
        """The pod is gone: drop what was kept for it."""
        if type(uid) is str:
            self._seen.pop(uid, None)

    def clear(self) -> None:
        self._seen.clear()

    def _share(self, obj: dict) -> None:
        """Replace obj's Raw pieces with decoded values, reusing the previous version's."""
        meta = obj.get("metadata")
        uid = meta.get("uid") if meta is not None else None
        seen = self._seen.get(uid) if type(uid) is str else None
        if seen is None:
            seen = _Seen()
            if type(uid) is str and uid:
                self._seen[uid] = seen
        raw = obj.get("spec")
        if raw is not None:
            if seen.spec_raw is not None and seen.spec_raw == raw:
                obj["spec"] = seen.spec
            else:
                obj["spec"] = seen.spec = decode_any(raw)
            # Keep the newest bytes: the older line they point into can then be freed.
            seen.spec_raw = raw
        status = obj.get("status")
        if status:
            lists = seen.lists
            for key in _SHARED_LISTS:
                raw = status.get(key)
                if raw is None:
                    continue
                old = lists.get(key)
                if old is not None and old[0] == raw:
                    status[key] = old[2]
                    lists[key] = (raw, old[1], old[2])
                    continue
                try:
                    parts = _decode_raw_list(raw)
                except msgspec.ValidationError:
                    status[key] = decode_any(raw)  # not a list: the model reports it
                    lists.pop(key, None)
                    continue
                if old is None:
                    items = decode_any(raw)
                else:
                    # Lists keep the spec's order: compare each element with the same position.
                    old_parts, old_values = old[1], old[2]
                    n = len(old_parts)
                    items = [old_values[i] if i < n and old_parts[i] == part else decode_any(part)
                             for i, part in enumerate(parts)]
                lists[key] = (raw, parts, items)
                status[key] = items


class _List(TypedDict, total=False):
    metadata: Any
    items: list[Raw]


_decode_list = msgspec.json.Decoder(_List).decode
_ITEM_HEAD, _ITEM_TAIL = b'{"object":', b"}"


def decode_list(data: bytes) -> dict | None:
    """A list response -> {"metadata": ..., "items": [raw item, ...]}; None if it isn't one."""
    try:
        body = _decode_list(data)
    except msgspec.ValidationError:
        return None
    return body if "items" in body and type(body.get("metadata")) is dict else None


def wrap_item(raw: Raw | bytes) -> bytes:
    """A list item as a line of its own, {"object": ...}: what Change.raw holds for it,
    so each pod keeps only its own bytes alive, not the whole page."""
    return b"".join((_ITEM_HEAD, raw, _ITEM_TAIL))


def served_object(raw: bytes) -> Any:
    """The object inside a Change.raw line, whole, as the API served it."""
    try:
        line = decode_any(raw)
    except DecodeError:
        return None
    return line.get("object") if type(line) is dict else None
