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


def _labels(obj: dict) -> dict:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


# ---- label selectors -------------------------------------------------------------
#
# A port of labels.Parse: its lexer, its recursive descent and NewRequirement's
# checks, so a bad selector gets the very message a kube-apiserver sends.

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME = re.compile(f"^{_QNAME_FMT}$")
_DNS1123_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_DNS1123 = re.compile(f"^{_DNS1123_FMT}$")
_VALUE_FMT = f"({_QNAME_FMT})?"
_VALUE = re.compile(f"^{_VALUE_FMT}$")
_QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # validation.RegexError
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def _qualified_name_errors(value: str) -> list[str]:
    # validation.IsQualifiedName
    errs = []
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a qualified name " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errs.append("prefix part must be no more than 253 characters")
            if not _DNS1123.match(prefix):
                msg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                errs.append("prefix part " + _regex_error(msg, _DNS1123_FMT, "example.com"))
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    if not _QNAME.match(name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _label_value_errors(value: str) -> list[str]:
    # validation.IsValidLabelValue
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _VALUE.match(value):
        msg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        errs.append(_regex_error(msg, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def go_quote(text: str) -> str:
    """Go's %q of a string (strconv.Quote)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _invalid(path: str, value: object, detail: str) -> str:
    # field.Invalid(...).Error(); a []string value prints as Go's %#v does.
    shown = go_quote(value) if isinstance(value, str) else "[]string{" + ", ".join(map(go_quote, value)) + "}"  # type: ignore[arg-type]
    return f"{path}: Invalid value: {shown}: {detail}"


def _aggregate(errs: list[str]) -> str:
    # utilerrors.NewAggregate(...).Error(): duplicates dropped, several in brackets.
    unique = list(dict.fromkeys(errs))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


class _LabelSyntaxError(Exception):
    pass


_ERROR, _END, _CLOSE, _COMMA, _NOT, _EQ2, _EQ, _GT, _IDENT, _IN, _LT, _NE, _NOTIN, _OPEN = range(14)
_TOKENS = {")": _CLOSE, ",": _COMMA, "!": _NOT, "==": _EQ2, "=": _EQ, ">": _GT, "in": _IN, "<": _LT, "!=": _NE, "notin": _NOTIN, "(": _OPEN}
_SPECIAL = frozenset("=!(),><")
_SPACE = frozenset(" \t\r\n")
_BINARY = "in, notin, =, ==, !=, gt, lt"
_OPERATORS = {_IN: "in", _NOTIN: "notin", _EQ: "=", _EQ2: "==", _NE: "!=", _GT: "gt", _LT: "lt"}


def _lex(text: str) -> list[tuple[int, str]]:
    items: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            items.append((_END, ""))
            return items
        if text[i] in _SPECIAL:
            # The longest run of symbols that is still a token ("!=", "==").
            j, last = i, None
            while j < n and text[j] in _SPECIAL:
                tok = _TOKENS.get(text[i : j + 1])
                if tok is None and last is not None:
                    break
                if tok is not None:
                    last = (tok, text[i : j + 1])
                j += 1
            if last is None:
                items.append((_ERROR, f"error expected: keyword found '{text[i:j]}'"))
                i = j
            else:
                items.append(last)
                i += len(last[1])
            continue
        j = i
        while j < n and text[j] not in _SPECIAL and text[j] not in _SPACE:
            j += 1
        word = text[i:j]
        items.append((_TOKENS.get(word, _IDENT), word))
        i = j


class _LabelParser:
    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def lookahead(self, values: bool = True) -> tuple[int, str]:
        tok, lit = self.items[self.pos]
        return (_IDENT if values and tok in (_IN, _NOTIN) else tok), lit

    def consume(self, values: bool = True) -> tuple[int, str]:
        item = self.lookahead(values)
        self.pos += 1
        return item

    def parse(self) -> list[Predicate]:
        reqs = []
        while True:
            tok, lit = self.lookahead()
            if tok == _END:
                return reqs
            if tok not in (_IDENT, _NOT):
                raise _LabelSyntaxError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                reqs.append(self.requirement())
            except _LabelSyntaxError as err:
                raise _LabelSyntaxError(f"unable to parse requirement: {err}") from None
            tok, lit = self.consume()
            if tok == _END:
                return reqs
            if tok != _COMMA:
                raise _LabelSyntaxError(f"found '{lit}', expected: ',' or 'end of string'")
            tok2, lit2 = self.lookahead()
            if tok2 not in (_IDENT, _NOT):
                raise _LabelSyntaxError(f"found '{lit2}', expected: identifier after ','")

    def requirement(self) -> Predicate:
        absent = False
        tok, key = self.consume()
        if tok == _NOT:
            absent = True
            tok, key = self.consume()
        if tok != _IDENT:
            raise _LabelSyntaxError(f"found '{key}', expected: identifier")
        if errs := _qualified_name_errors(key):
            raise _LabelSyntaxError(_invalid("<nil>", key, "; ".join(errs)))
        if self.lookahead()[0] in (_END, _COMMA):
            return (lambda obj: key not in _labels(obj)) if absent else (lambda obj: key in _labels(obj))
        tok, lit = self.consume(values=False)
        op = _OPERATORS.get(tok)
        if op is None:
            raise _LabelSyntaxError(f"found '{lit}', expected: {_BINARY}")
        values = sorted(self.set_values() if op in ("in", "notin") else self.exact_value())
        return _requirement(key, op, values)

    def set_values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _OPEN:
            raise _LabelSyntaxError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok == _CLOSE:
            self.consume()
            return {""}
        if tok not in (_IDENT, _COMMA):
            raise _LabelSyntaxError(f"found '{lit}', expected: ',', ')' or identifier")
        values: set[str] = set()
        while True:
            tok, word = self.consume()
            if tok == _IDENT:
                values.add(word)
                tok2, lit2 = self.lookahead()
                if tok2 == _CLOSE:
                    break
                if tok2 != _COMMA:
                    raise _LabelSyntaxError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not values:
                    values.add("")
                tok2, _ = self.lookahead()
                if tok2 == _CLOSE:
                    values.add("")
                    break
                if tok2 == _COMMA:
                    values.add("")
            else:
                raise _LabelSyntaxError(f"found '{word}', expected: ',', or identifier")
        if self.consume()[0] != _CLOSE:  # what follows the list was checked above
            raise _LabelSyntaxError(f"found '{lit}', expected: ')'")
        return values

    def exact_value(self) -> set[str]:
        if self.lookahead()[0] in (_END, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise _LabelSyntaxError(f"found '{lit}', expected: identifier")


def _requirement(key: str, op: str, values: list[str]) -> Predicate:
    # labels.NewRequirement's checks for the values, then Requirement.Matches.
    errs = []
    if op in ("gt", "lt"):
        errs += [
            _invalid(f"values[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer")
            for i, v in enumerate(values)
            if _go_int(v) is None
        ]
    errs += [_invalid(f"values[{i}][{key}]", v, "; ".join(e)) for i, v in enumerate(values) if (e := _label_value_errors(v))]
    if errs:
        raise _LabelSyntaxError(_aggregate(errs))
    if op in ("gt", "lt"):
        bound = _go_int(values[0])
        assert bound is not None
        return _numeric(key, bound, op == "gt")
    wanted = frozenset(values)
    present = op in ("in", "=", "==")

    def match(obj: dict) -> bool:
        labels = _labels(obj)
        if key not in labels:
            return not present
        value = labels[key]
        return (isinstance(value, str) and value in wanted) == present

    return match


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), or None."""
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _numeric(key: str, bound: int, greater: bool) -> Predicate:
    def match(obj: dict) -> bool:
        have = _labels(obj).get(key)
        number = _go_int(have) if isinstance(have, str) else None
        if number is None:
            return False
        return number > bound if greater else number < bound

    return match


def parse_label_selector(text: str) -> Predicate | None:
    """A predicate over objects, or None when the selector selects everything."""
    try:
        preds = _LabelParser(text).parse()
    except _LabelSyntaxError as err:
        raise bad_request(str(err)) from None
    return _all(preds) if preds else None


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

