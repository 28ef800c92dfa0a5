"""labelSelector and fieldSelector, parsed and matched as a kube-apiserver does.

Label selectors are podtui.lifecycle.labels' (labels.Parse), which the `/` filter
shares; field selectors from pkg/fields/selector.go (`f=v`, `f==v`, `f!=v`, with `\\`
escapes) over the selectable fields of pkg/registry/core/pod/strategy.go and
pkg/registry/core/event/strategy.go. A bad selector raises APIError 400.
"""

from __future__ import annotations

from collections.abc import Callable

from podtui.apiserver.status import bad_request
from podtui.lifecycle.labels import SelectorError, go_quote, parse_selector, selector_matches

__all__ = [  # go_quote: endpoints.py's too
    "EVENTS_V1_FIELD_ALIASES", "FIELDS", "FIELD_LABELS", "Predicate", "combine", "go_quote",
    "parse_field_selector", "parse_label_selector", "requires_exact_match",
]

Predicate = Callable[[dict], bool]


def _labels(obj: dict) -> dict:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


# ---- label selectors -------------------------------------------------------------


def parse_label_selector(text: str) -> Predicate | None:
    """A predicate over objects, or None when the selector selects everything."""
    try:
        selector = parse_selector(text)
    except SelectorError as err:
        raise bad_request(str(err)) from None
    if not selector:
        return None
    return lambda obj: selector_matches(selector, _labels(obj))


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


def _first_pod_ip(obj: dict) -> str:
    # PodToSelectableFields: status.podIPs[0].ip, not status.podIP.
    ips = _get(obj, "status", "podIPs")
    first = ips[0] if isinstance(ips, list) and ips else None
    return _text(first.get("ip")) if isinstance(first, dict) else ""


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
        "status.podIP": _first_pod_ip,
        "status.nominatedNodeName": lambda o: _text(_get(o, "status", "nominatedNodeName")),
    },
    "namespaces": {
        "metadata.name": lambda o: _text(_get(o, "metadata", "name")),
        "status.phase": lambda o: _text(_get(o, "status", "phase")),
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

# Field labels each API version accepts -> the selectable field they select on
# (AddFieldLabelConversionFunc in pkg/apis/core/v1 and pkg/apis/events/v1/conversion.go).
# An accepted label with no selectable field behind it (status.podIPs) selects on "".
_POD_LABELS = {
    **{f: f for f in ("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                      "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
                      "status.nominatedNodeName")},
    "spec.host": "spec.nodeName",  # what old v1 clients send
}
_EVENT_LABELS = {f: f for f in FIELDS["events"]}
EVENTS_V1_FIELD_ALIASES = {
    "reason": "reason",
    "regarding.kind": "involvedObject.kind",
    "regarding.namespace": "involvedObject.namespace",
    "regarding.name": "involvedObject.name",
    "regarding.uid": "involvedObject.uid",
    "regarding.apiVersion": "involvedObject.apiVersion",
    "regarding.resourceVersion": "involvedObject.resourceVersion",
    "regarding.fieldPath": "involvedObject.fieldPath",
    "reportingController": "reportingComponent",
    "source": "source",
    "type": "type",
    "metadata.namespace": "metadata.namespace",
    "metadata.name": "metadata.name",
}
FIELD_LABELS = {"pods": _POD_LABELS, "events": _EVENT_LABELS, "namespaces": {"metadata.name": "metadata.name", "status.phase": "status.phase"}}


def _split_terms(text: str) -> list[str]:
    # fields.splitTerms: split on commas not escaped by a backslash.
    terms, start, escaped = [], 0, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    # fields.splitTerm: the first operator anywhere, "!=" before "==" before "=".
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op) :]
    return None


def _unescape_value(value: str) -> str:
    # fields.UnescapeValue; Go prints the offending rune with %v, i.e. as a number.
    out, escaped = [], False
    for ch in value:
        if escaped:
            if ch not in "\\,=":
                raise bad_request(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise bad_request(f"invalid field selector: unescaped character in value: {ord(ch)}")
        else:
            out.append(ch)
    if escaped:
        raise bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def parse_field_selector(text: str, resource: str, *, aliases: dict[str, str] | None = None) -> Predicate | None:
    """fields.ParseSelector, then the API version's field label conversion; `aliases`
    replaces the accepted labels (events.k8s.io/v1 names)."""
    if not text:
        return None
    terms = []
    # Upstream parses the terms in sorted order, so that order picks which error is told.
    for term in sorted(_split_terms(text)):
        if not term:
            continue
        split = _split_term(term)
        if split is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        label, op, raw = split
        terms.append((label, op, _unescape_value(raw)))
    accepted = aliases if aliases is not None else FIELD_LABELS.get(resource, {f: f for f in _META_FIELDS})
    selectable = FIELDS.get(resource, _META_FIELDS)
    preds = []
    for label, op, value in terms:
        field = accepted.get(label)
        if field is None:
            raise bad_request(f"field label not supported: {label}")
        getter = selectable.get(field, lambda obj: "")
        if op == "!=":
            preds.append(lambda obj, g=getter, v=value: g(obj) != v)
        else:
            preds.append(lambda obj, g=getter, v=value: g(obj) == v)
    return _all(preds) if preds else None


def requires_exact_match(text: str, field: str) -> str | None:
    """The value a field selector pins `field` to with = or == (Selector.RequiresExactMatch),
    or None. Call on a selector parse_field_selector() accepted."""
    for term in sorted(_split_terms(text)):
        split = _split_term(term) if term else None
        if split is not None and split[0] == field and split[1] != "!=":
            return _unescape_value(split[2])
    return None


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

