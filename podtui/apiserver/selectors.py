"""labelSelector and fieldSelector, parsed and matched as a kube-apiserver does.

Label grammar from staging/src/k8s.io/apimachinery/pkg/labels/selector.go
(`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`);
field selectors from pkg/fields/selector.go (`f=v`, `f==v`, `f!=v`, with `\\`
escapes) over the selectable fields of pkg/registry/core/pod/strategy.go and
pkg/registry/core/event/strategy.go. A bad selector raises APIError 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from podtui.apiserver.status import bad_request

Predicate = Callable[[dict], bool]

_LABEL_KEY = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def _labels(obj: dict) -> dict:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


# ---- label selectors -------------------------------------------------------------


def _split_requirements(text: str) -> list[str]:
    """Split on commas that are not inside `( )`."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise bad_request(f"unable to parse requirement: unexpected ')' in {text!r}")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth:
        raise bad_request(f"unable to parse requirement: unclosed '(' in {text!r}")
    parts.append(text[start:])
    return parts


_SET_OP = re.compile(r"^(?P<key>[^\s!=<>()]+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_CMP_OP = re.compile(r"^(?P<key>[^\s!=<>()]+)\s*(?P<op>==|!=|=|>|<)\s*(?P<value>[^\s!=<>()]*)$")


def _check_key(key: str, req: str) -> str:
    if not _LABEL_KEY.match(key) or len(key.rsplit("/", 1)[-1]) > 63:
        raise bad_request(f"unable to parse requirement: invalid label key {key!r} in {req!r}")
    return key


def _check_value(value: str, req: str) -> str:
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise bad_request(f"unable to parse requirement: invalid label value {value!r} in {req!r}")
    return value


def _label_requirement(req: str) -> Predicate:
    if m := _SET_OP.match(req):
        key = _check_key(m["key"], req)
        values = frozenset(_check_value(v.strip(), req) for v in m["values"].split(","))
        if m["op"] == "in":
            return lambda obj: _labels(obj).get(key) in values
        return lambda obj: _labels(obj).get(key) not in values
    if m := _CMP_OP.match(req):
        key = _check_key(m["key"], req)
        op, value = m["op"], m["value"]
        if op in (">", "<"):
            try:
                bound = int(value)
            except ValueError:
                raise bad_request(f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {req!r}") from None
            return _numeric(key, bound, op == ">")
        value = _check_value(value, req)
        if op == "!=":
            return lambda obj: _labels(obj).get(key) != value
        return lambda obj: _labels(obj).get(key) == value
    if req.startswith("!"):
        key = _check_key(req[1:].strip(), req)
        return lambda obj: key not in _labels(obj)
    key = _check_key(req, req)
    return lambda obj: key in _labels(obj)


def _numeric(key: str, bound: int, greater: bool) -> Predicate:
    def match(obj: dict) -> bool:
        try:
            have = int(_labels(obj).get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return have > bound if greater else have < bound

    return match


def parse_label_selector(text: str) -> Predicate | None:
    """A predicate over objects, or None when the selector selects everything."""
    text = text.strip()
    if not text:
        return None
    preds = []
    for raw in _split_requirements(text):
        req = raw.strip()
        if not req:
            raise bad_request(f"unable to parse requirement: empty requirement in {text!r}")
        preds.append(_label_requirement(req))
    return _all(preds)


# ---- field selectors -------------------------------------------------------------


def _get(obj: dict, *path: str) -> object:
    cur: object = obj
    for part in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pod_ips(obj: dict) -> str:
    ips = _get(obj, "status", "podIPs")
    if not isinstance(ips, list):
        return ""
    return ",".join(_text(ip.get("ip")) for ip in ips if isinstance(ip, dict))


def _event_source(obj: dict) -> str:
    # Newer servers fall back to reportingComponent when source.component is empty.
    return _text(_get(obj, "source", "component")) or _text(obj.get("reportingComponent"))


_META_FIELDS: dict[str, Callable[[dict], str]] = {
    "metadata.name": lambda o: _text(_get(o, "metadata", "name")),
    "metadata.namespace": lambda o: _text(_get(o, "metadata", "namespace")),
}

FIELDS: dict[str, dict[str, Callable[[dict], str]]] = {
    "pods": {
        **_META_FIELDS,
        "spec.nodeName": lambda o: _text(_get(o, "spec", "nodeName")),
        "spec.restartPolicy": lambda o: _text(_get(o, "spec", "restartPolicy")),
        "spec.schedulerName": lambda o: _text(_get(o, "spec", "schedulerName")),
        "spec.serviceAccountName": lambda o: _text(_get(o, "spec", "serviceAccountName")),
        "spec.hostNetwork": lambda o: _text(bool(_get(o, "spec", "hostNetwork"))),
        "status.phase": lambda o: _text(_get(o, "status", "phase")),
        "status.podIP": lambda o: _text(_get(o, "status", "podIP")),
        "status.podIPs": _pod_ips,
        "status.nominatedNodeName": lambda o: _text(_get(o, "status", "nominatedNodeName")),
    },
    "events": {
        **_META_FIELDS,
        **{
            f"involvedObject.{f}": (lambda f: lambda o: _text(_get(o, "involvedObject", f)))(f)
            for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
        },
        "reason": lambda o: _text(o.get("reason")),
        "reportingComponent": lambda o: _text(o.get("reportingComponent")),
        "source": _event_source,
        "type": lambda o: _text(o.get("type")),
    },
}

# events.k8s.io/v1 names for the same fields (pkg/apis/events/v1 conversion).
EVENTS_V1_FIELD_ALIASES = {
    "regarding.kind": "involvedObject.kind",
    "regarding.namespace": "involvedObject.namespace",
    "regarding.name": "involvedObject.name",
    "regarding.uid": "involvedObject.uid",
    "regarding.apiVersion": "involvedObject.apiVersion",
    "regarding.resourceVersion": "involvedObject.resourceVersion",
    "regarding.fieldPath": "involvedObject.fieldPath",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
}


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


_FIELD_REQ = re.compile(r"^(?P<field>(?:[^=!\\]|\\.)+?)(?P<op>!=|==|=)(?P<value>.*)$", re.S)


def parse_field_selector(text: str, resource: str, *, aliases: dict[str, str] | None = None) -> Predicate | None:
    text = text.strip()
    if not text:
        return None
    known = FIELDS.get(resource, _META_FIELDS)
    preds = []
    for req in _split_unescaped(text, ","):
        m = _FIELD_REQ.match(req.strip())
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{req}'")
        field = m["field"].strip()
        field = (aliases or {}).get(field, field)
        getter = known.get(field)
        if getter is None:
            raise bad_request(f'field label not supported: {m["field"].strip()}')
        value = _unescape(m["value"])
        if m["op"] == "!=":
            preds.append(lambda obj, g=getter, v=value: g(obj) != v)
        else:
            preds.append(lambda obj, g=getter, v=value: g(obj) == v)
    return _all(preds)


def _all(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    return lambda obj: all(p(obj) for p in preds)


def combine(*preds: Predicate | None) -> Predicate | None:
    """Both label and field selector must match; None means 'everything'."""
    real = [p for p in preds if p is not None]
    if not real:
        return None
    return _all(real)

