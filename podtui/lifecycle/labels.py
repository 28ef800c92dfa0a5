"""Kubernetes label selectors: parsed as labels.Parse parses them, matched as
Requirement.Matches matches them.

A port of staging/src/k8s.io/apimachinery/pkg/labels/selector.go (`k=v`, `k==v`, `k!=v`,
`k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`; comma = and): its lexer, its
recursive descent and NewRequirement's checks. A bad selector raises SelectorError with
the very message a kube-apiserver answers it with, so the demo API server can send it
and the `/` filter can say what kubectl would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


class SelectorError(ValueError):
    """A selector labels.Parse rejects; str() is upstream's message."""


# selection.Operator's values.
EXISTS, DOES_NOT_EXIST = "exists", "!"
IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN = "in", "notin", "=", "==", "!=", "gt", "lt"


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...] = ()  # sorted, as sets.String.List() gives them

    def matches(self, labels: Mapping[str, object]) -> bool:
        """Requirement.Matches. A value that is not a string (never so in Kubernetes)
        equals no value and is no number."""
        op = self.operator
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if self.key not in labels:
            return op in (NOT_IN, NOT_EQUALS)  # "not this value" holds without the key
        have = labels[self.key]
        if op in (GREATER_THAN, LESS_THAN):
            number = go_int(have) if isinstance(have, str) else None
            bound = go_int(self.values[0])
            if number is None or bound is None:
                return False
            return number > bound if op == GREATER_THAN else number < bound
        found = isinstance(have, str) and have in self.values
        return found if op in (IN, EQUALS, DOUBLE_EQUALS) else not found


Selector = tuple[Requirement, ...]  # all must hold; () selects everything


def parse_selector(text: str) -> Selector:
    """labels.Parse: the requirements, sorted by key; raises SelectorError."""
    reqs = _Parser(text).parse()
    return tuple(sorted(reqs, key=lambda r: r.key))


def selector_matches(selector: Selector, labels: Mapping[str, object]) -> bool:
    return all(req.matches(labels) for req in selector)


def go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), or None."""
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


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


# ---- validation: the messages of k8s.io/apimachinery/pkg/util/validation ------------

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME = re.compile(f"^{_QNAME_FMT}$")
_DNS1123_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_DNS1123 = re.compile(f"^{_DNS1123_FMT}$")
_VALUE_FMT = f"({_QNAME_FMT})?"
_VALUE = re.compile(f"^{_VALUE_FMT}$")
_QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"


def _go_len(text: str) -> int:
    return len(text.encode())  # Go's len() counts bytes


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
            if _go_len(prefix) > 253:
                errs.append("prefix part must be no more than 253 characters")
            if not _DNS1123.match(prefix):
                msg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                errs.append("prefix part " + _regex_error(msg, _DNS1123_FMT, "example.com"))
    if not name:
        errs.append("name part must be non-empty")
    elif _go_len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    if not _QNAME.match(name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _label_value_errors(value: str) -> list[str]:
    # validation.IsValidLabelValue
    errs = []
    if _go_len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _VALUE.match(value):
        msg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        errs.append(_regex_error(msg, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _invalid(path: str, value: str) -> str:
    # field.Invalid(path, value, detail).Error() less the detail; labels.Parse gives no
    # path, which prints as "<nil>".
    return f"{path}: Invalid value: {go_quote(value)}: "


def _aggregate(errs: list[str]) -> str:
    # utilerrors.NewAggregate(...).Error(): duplicates dropped, several in brackets.
    unique = list(dict.fromkeys(errs))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _new_requirement(key: str, op: str, values: list[str]) -> Requirement:
    # NewRequirement's checks of the values (the key was checked as it was read, and
    # the parser gives each operator as many values as it takes).
    errs = []
    if op in (GREATER_THAN, LESS_THAN):
        errs += [_invalid(f"values[{i}]", v) + "for 'Gt', 'Lt' operators, the value must be an integer"
                 for i, v in enumerate(values) if go_int(v) is None]
    errs += [_invalid(f"values[{i}][{key}]", v) + "; ".join(e) for i, v in enumerate(values) if (e := _label_value_errors(v))]
    if errs:
        raise SelectorError(_aggregate(errs))
    return Requirement(key, op, tuple(values))


# ---- the lexer and parser of labels.Parse -----------------------------------------

_ERROR, _END, _CLOSE, _COMMA, _NOT, _EQ2, _EQ, _GT, _IDENT, _IN, _LT, _NE, _NOTIN, _OPEN = range(14)
_TOKENS = {")": _CLOSE, ",": _COMMA, "!": _NOT, "==": _EQ2, "=": _EQ, ">": _GT, "in": _IN, "<": _LT, "!=": _NE, "notin": _NOTIN, "(": _OPEN}
_SPECIAL = frozenset("=!(),><")
_SPACE = frozenset(" \t\r\n")
_BINARY = "in, notin, =, ==, !=, gt, lt"
_OPERATORS = {_IN: IN, _NOTIN: NOT_IN, _EQ: EQUALS, _EQ2: DOUBLE_EQUALS, _NE: NOT_EQUALS, _GT: GREATER_THAN, _LT: LESS_THAN}


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


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def lookahead(self, values: bool = True) -> tuple[int, str]:
        # Where values are read, "in" and "notin" are words like any other.
        tok, lit = self.items[self.pos]
        return (_IDENT if values and tok in (_IN, _NOTIN) else tok), lit

    def consume(self, values: bool = True) -> tuple[int, str]:
        item = self.lookahead(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        reqs = []
        while True:
            tok, lit = self.lookahead()
            if tok == _END:
                return reqs
            if tok not in (_IDENT, _NOT):
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                reqs.append(self.requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            tok, lit = self.consume()
            if tok == _END:
                return reqs
            if tok != _COMMA:
                raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
            tok2, lit2 = self.lookahead()
            if tok2 not in (_IDENT, _NOT):
                raise SelectorError(f"found '{lit2}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        tok, key = self.consume()
        absent = tok == _NOT
        if absent:
            tok, key = self.consume()
        if tok != _IDENT:
            raise SelectorError(f"found '{key}', expected: identifier")
        if errs := _qualified_name_errors(key):
            raise SelectorError(_invalid("<nil>", key) + "; ".join(errs))
        if absent:  # whatever follows "!k" is for parse() to judge ("!k=v" is an error)
            return Requirement(key, DOES_NOT_EXIST)
        if self.lookahead()[0] in (_END, _COMMA):
            return Requirement(key, EXISTS)
        tok, lit = self.consume(values=False)
        op = _OPERATORS.get(tok)
        if op is None:
            raise SelectorError(f"found '{lit}', expected: {_BINARY}")
        values = self.set_values() if op in (IN, NOT_IN) else self.exact_value()
        return _new_requirement(key, op, sorted(values))

    def set_values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _OPEN:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok == _CLOSE:
            self.consume()
            return {""}
        if tok not in (_IDENT, _COMMA):
            raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")
        values: set[str] = set()
        while True:
            tok, word = self.consume()
            if tok == _IDENT:
                values.add(word)
                tok2, lit2 = self.lookahead()
                if tok2 == _CLOSE:
                    break
                if tok2 != _COMMA:
                    raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                # "(,", ",," and ",)" each hold an empty value.
                if not values:
                    values.add("")
                tok2, _ = self.lookahead()
                if tok2 == _CLOSE:
                    values.add("")
                    break
                if tok2 == _COMMA:
                    values.add("")
            else:
                raise SelectorError(f"found '{word}', expected: ',', or identifier")
        self.consume()  # the ")" just seen
        return values

    def exact_value(self) -> set[str]:
        if self.lookahead()[0] in (_END, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")
