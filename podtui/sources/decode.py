"""Watch lines -> the dicts the model reads, sharing what didn't change.

A pod's watch event repeats the whole pod to say that one condition or one container
changed. Decoding all of it every time, and freeing the previous copy, costs more than
the model's own work. So the pod decoder reads each line into typed shapes that hand
back, as raw bytes, the pieces that tend to stay the same (labels, owner references,
the spec, host and pod IPs, each condition and each container status), and keeps per
pod UID a copy of those bytes next to what they decoded to. A piece whose bytes are
unchanged is not decoded again: the new version holds the very object the previous
version held, and the diff finds it unchanged by identity. A new spec also shares
whatever equals the spec of the previous pod of the same controller, so ten thousand
replicas hold one copy of their containers' env, probes and volumes.

The model sees plain JSON dicts as the API serves them, less what it never reads:
`metadata.managedFields` (kubectl hides them too) and status fields this podtui does
not know. Nothing downstream may mutate them: they are shared.

Compiled, the decoder also takes what it decoded out of the cyclic garbage collector's
view (`untrack`): a store of pods is most of the process's containers, and the
collector kept walking them to find cycles that JSON can't make.

Anything that doesn't fit the expected shape (a status that is not an object, an
ERROR event) is decoded generically instead, so malformed objects reach the model
as they are and are reported there.

The live source's thread reads only each line's envelope (`envelope`); the consumer
decodes the object when it applies the change (Change.obj), in order.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, TypedDict

import msgspec
from msgspec import Raw

from podtui.lifecycle.read import controller_ref

DecodeError = msgspec.DecodeError  # also raised for malformed JSON

try:
    import cython

    _COMPILED = cython.compiled
except ImportError:  # Cython is only needed to build: a pure install runs without it
    _COMPILED = False


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
    # Shared whole with the previous version when unchanged.
    labels: Raw
    annotations: Raw
    ownerReferences: Raw
    finalizers: Raw


class _Status(TypedDict, total=False):
    # PodStatus (Kubernetes 1.33); the lists are shared element by element.
    observedGeneration: Any
    phase: Any
    conditions: list[Raw]
    message: Any
    reason: Any
    nominatedNodeName: Any
    hostIP: Any
    hostIPs: Raw
    podIP: Any
    podIPs: Raw
    startTime: Any
    initContainerStatuses: list[Raw]
    containerStatuses: list[Raw]
    qosClass: Any
    ephemeralContainerStatuses: list[Raw]
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
    # A watch event (a list item is wrapped as {"object": ...}).
    type: Any
    object: _Pod


# Shared pieces and their places in a pod's slots: [bytes, value] for a piece shared
# whole; [bytes of each element, decoded elements] for a list shared element-wise.
_WHOLE_META = (("labels", 0), ("annotations", 2), ("ownerReferences", 4), ("finalizers", 6))
_SPEC = 8
_WHOLE_STATUS = (("hostIPs", 10), ("podIPs", 12))
_SHARED_LISTS = (("conditions", 14), ("initContainerStatuses", 16), ("containerStatuses", 18),
                 ("ephemeralContainerStatuses", 20))
_OWNER = 22  # the controller uid whose template counts this pod among its users
_SLOTS = 23
_TEMPLATES_LIMIT = 100_000
_ENCODED_LIMIT = 64  # template parts whose JSON is kept, per controller
_decode_pod_line = msgspec.json.Decoder(_PodLine).decode
decode_any = msgspec.json.Decoder().decode


class PodDecoder:
    """Decodes one stream of pods (a reflector's). Not thread-safe: one consumer.

    Per pod UID it keeps, for each shared piece, its bytes and what they decoded to (for
    the status lists, each element's). The bytes are copies of just the piece: nothing
    keeps a whole line alive, and an unchanged piece costs one comparison, no
    allocation.
    """

    def __init__(self) -> None:
        self._seen: dict[str, list] = {}  # uid -> slots (see _WHOLE_META ...)
        # controller uid -> the last spec of its pods, and the JSON of its parts (_same_json)
        self._templates: dict[str, tuple[dict, dict]] = {}
        # controller uid -> how many pods in _seen it has: a template goes with its last
        # pod (a CronJob makes a new controller a minute: kept, they grew without end)
        self._users: dict[str, int] = {}

    def line(self, data: bytes) -> Any:
        """A watch line -> its dict, the object decoded for the model."""
        try:
            event = _decode_pod_line(data)
        except msgspec.ValidationError:
            return decode_any(data)  # not shaped like a pod event: let the caller judge it
        obj = event.get("object")
        if obj is not None:
            if event.get("type") == "ERROR":
                return decode_any(data)  # a Status, not a pod
            self._share(obj)
            untrack(event)
        return event

    def object(self, data: bytes) -> Any:
        """The object of a line (Change's decode for pods)."""
        event = self.line(data)
        return event.get("object") if type(event) is dict else None

    def object_gone(self, data: bytes) -> Any:
        """The object of a DELETED line; forgets the pod."""
        obj = self.object(data)
        if type(obj) is dict:
            meta = obj.get("metadata")
            if type(meta) is dict:
                self.forget(meta.get("uid"))
        return obj

    def forget(self, uid: object) -> None:
        """The pod is gone: drop what was kept for it."""
        if type(uid) is str:
            seen = self._seen.pop(uid, None)
            if seen is not None:
                self._release(seen[_OWNER])

    def _release(self, owner: str | None) -> None:
        if owner is None:
            return
        users = self._users[owner] - 1
        if users:
            self._users[owner] = users
        else:
            del self._users[owner]
            self._templates.pop(owner, None)

    def _share(self, obj: dict) -> None:
        """Replace obj's Raw pieces with decoded values, reusing the previous version's."""
        meta = obj.get("metadata")
        uid = meta.get("uid") if meta is not None else None
        tracked = type(uid) is str and uid != ""  # kept in _seen, so forgotten one day
        seen = self._seen.get(uid) if tracked else None
        if seen is None:
            seen = [None] * _SLOTS
            if tracked:
                self._seen[uid] = seen
        if meta:
            _share_whole(meta, _WHOLE_META, seen)
        raw = obj.get("spec")
        if raw is not None:
            if raw == seen[_SPEC]:
                obj["spec"] = seen[_SPEC + 1]
            else:
                # Decode before keeping the bytes: if it raises, seen must not pair
                # these bytes with the previous value.
                spec = obj["spec"] = decode_any(raw)
                seen[_SPEC], seen[_SPEC + 1] = raw.copy(), spec
                ref = controller_ref(meta) if type(spec) is dict else None
                owner = ref.get("uid") if ref is not None else None
                if type(owner) is not str:
                    owner = None
                if owner != seen[_OWNER] and tracked:
                    if owner is not None:
                        self._users[owner] = self._users.get(owner, 0) + 1
                    self._release(seen[_OWNER])
                    seen[_OWNER] = owner
                if owner is not None:
                    template = self._templates.get(owner)
                    if template is not None:
                        encoded = template[1]
                        if len(encoded) > _ENCODED_LIMIT:
                            encoded.clear()
                        _share_equal(spec, template[0], 3, encoded)
                    else:
                        if len(self._templates) >= _TEMPLATES_LIMIT:
                            self._templates.clear()
                        encoded = {}
                    # What it shares is the old template's very objects: their JSON carries over.
                    if tracked:  # a pod without a uid is never forgotten: it must not hold one
                        self._templates[owner] = (spec, encoded)
        status = obj.get("status")
        if not status:
            return
        _share_whole(status, _WHOLE_STATUS, seen)
        for key, i in _SHARED_LISTS:
            parts = status.get(key)
            if parts is None:
                continue
            old_parts = seen[i]
            if old_parts is None:
                items = status[key] = [decode_any(part) for part in parts]
                seen[i], seen[i + 1] = [part.copy() for part in parts], items
                continue
            if parts == old_parts:
                status[key] = seen[i + 1]  # the very list: the diff skips it by identity
                continue
            # Lists keep the spec's order: compare each element with the same position.
            old_items = seen[i + 1]
            n = len(old_parts)
            kept = []
            items = []
            for j, part in enumerate(parts):
                if j < n and old_parts[j] == part:
                    kept.append(old_parts[j])
                    items.append(old_items[j])
                else:
                    kept.append(part.copy())
                    items.append(decode_any(part))
            seen[i] = kept
            status[key] = seen[i + 1] = items


def _share_whole(mapping: dict, pieces: tuple[tuple[str, int], ...], seen: list) -> None:
    """Pieces shared whole: the previous value where the bytes match, else decoded.
    (A Raw never equals None: a piece seen for the first time is decoded.)"""
    for key, i in pieces:
        raw = mapping.get(key)
        if raw is not None:
            if raw == seen[i]:
                mapping[key] = seen[i + 1]
            else:
                value = mapping[key] = decode_any(raw)
                seen[i], seen[i + 1] = raw.copy(), value


def _share_equal(new: Any, old: Any, depth: int, encoded: dict) -> None:
    """Make new's parts that equal old's the very same objects, `depth` levels down.

    Pods of one workload have the same spec but for the node and the token volume's
    name: sharing what is equal with the workload's previous pod keeps one copy of
    the containers' env, probes, resources, volumes and tolerations for all of them.
    The comparisons run in C; only the levels above an unequal part are walked.
    """
    if type(new) is dict:
        get = old.get
        for key, value in new.items():
            other = get(key)
            if other is None or other is value:
                continue
            if value == other and _same_json(value, other, encoded):
                new[key] = other
            elif depth and type(value) is type(other) and (type(value) is dict or type(value) is list):
                _share_equal(value, other, depth - 1, encoded)
    else:
        for i, (value, other) in enumerate(zip(new, old)):
            if other is value:
                continue
            if value == other and _same_json(value, other, encoded):
                new[i] = other
            elif depth and type(value) is type(other) and (type(value) is dict or type(value) is list):
                _share_equal(value, other, depth - 1, encoded)


_encode = msgspec.json.encode


def untrack(value: Any) -> None:
    """Take a decoded JSON tree out of the cyclic collector's view (compiled only).

    JSON can't make a cycle, and nothing mutates decoded objects (see above), so the
    collector has nothing to find in them, yet walked them all again and again.
    The walk (untrack_tree, in decode.pxd) stops at what was untracked before.
    """
    if _COMPILED:
        untrack_tree(value)  # noqa: F821 - decode.pxd


def _same_json(a: Any, b: Any, encoded: dict) -> bool:
    """Of two values that are ==, whether they are also the same JSON: == holds for
    true and 1, 1 and 1.0, and dicts in another key order, which must not be shared.
    b is a template's part, compared again for each pod: its JSON is kept in
    `encoded` (by id, with the object, so a reused id can't match)."""
    kind = type(a)
    if kind is not dict and kind is not list:
        return kind is type(b) and (kind is not float or repr(a) == repr(b))  # 0.0 == -0.0
    known = encoded.get(id(b))
    if known is None or known[0] is not b:
        known = encoded[id(b)] = (b, _encode(b))
    return _encode(a) == known[1]


class _EnvelopeMeta(TypedDict, total=False):
    name: Any
    namespace: Any
    uid: Any
    resourceVersion: Any


class _EnvelopeObject(TypedDict, total=False):
    metadata: _EnvelopeMeta
    # An ERROR event's Status
    kind: Any
    code: Any
    reason: Any
    message: Any


class _Envelope(TypedDict, total=False):
    type: Any
    object: _EnvelopeObject


_decode_envelope = msgspec.json.Decoder(_Envelope).decode


def _go_replacement(err: UnicodeError) -> tuple[str, int]:
    # One U+FFFD per byte that is not UTF-8, as Go's utf8.DecodeRune steps over them.
    return "\ufffd" * (err.end - err.start), err.end  # type: ignore[attr-defined]


codecs.register_error("podtui.go-utf8", _go_replacement)


def valid_utf8(data: bytes) -> bytes:
    """`data`, or a copy where each byte that is not UTF-8 is U+FFFD.

    Go's JSON decoder (so kubectl, and the API server itself) reads such bytes as
    U+FFFD; msgspec refuses them, but only where it decodes: in a piece the envelope
    skips they got past the reflector, then failed in the consumer (the pod never
    reached the table) and killed the recorder. Checked once per line, on the wire:
    nearly every line is ASCII, which costs one scan.
    """
    if data.isascii():
        return data
    try:
        data.decode()
    except UnicodeDecodeError:
        return data.decode("utf-8", "podtui.go-utf8").encode()
    return data


def envelope(data: bytes) -> Any:
    """A watch line's type and its object's name, namespace, uid and resourceVersion
    (or an ERROR's Status fields): what the source's own bookkeeping needs, without
    building the object. Checks the whole line is JSON (DecodeError if not); a line of
    another shape comes back decoded in full, for the caller to judge."""
    try:
        return _decode_envelope(data)
    except msgspec.ValidationError:
        return decode_any(data)


def object_of(data: bytes) -> Any:
    """The object of a line, decoded in full (Change's decode for anything but pods)."""
    line = decode_any(data)
    return line.get("object") if type(line) is dict else None


class _List(TypedDict, total=False):
    metadata: Any
    items: list[Raw]


_decode_list = msgspec.json.Decoder(_List).decode
_ITEM_HEAD, _ITEM_TAIL = b'{"object":', b"}"
_HAS_MEMBERS = re.compile(rb'\{\s*"').match


def decode_list(data: bytes) -> dict | None:
    """A list response -> {"metadata": ..., "items": [raw item, ...]}; None if it isn't one."""
    try:
        body = _decode_list(data)
    except msgspec.ValidationError:
        return None
    return body if "items" in body and type(body.get("metadata")) is dict else None


def wrap_item(raw: Raw | bytes, kind: str = "") -> bytes:
    """A list item as a line of its own, {"object": ...}: what Change.raw holds for it,
    so each pod keeps only its own bytes alive, not the whole page. The API leaves
    kind and apiVersion out of list items; with `kind` they are put back (core/v1)."""
    view = memoryview(raw)
    if kind and _HAS_MEMBERS(view):  # "{ }" is empty too: no comma may follow the head
        head = b'{"object":{"kind":"%s","apiVersion":"v1",' % kind.encode()
        return b"".join((head, view[1:], _ITEM_TAIL))
    return b"".join((_ITEM_HEAD, raw, _ITEM_TAIL))
