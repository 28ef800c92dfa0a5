"""YAML text the way `kubectl get -o yaml` prints it.

kubectl marshals through sigs.k8s.io/yaml: JSON, decoded by go-yaml v2 into maps,
encoded again by go-yaml v2. So every mapping's keys come out in go-yaml's key order
(letters after other characters, digit runs compared as numbers), a string that would
read back as another type (a number, "true", a timestamp, "") is double-quoted, a
multi-line string is a literal block, and long lines fold at 80 columns. PyYAML's
emitter is a port of the same libyaml emitter, so only the choices above need teaching.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from decimal import Decimal

import yaml
from yaml.nodes import ScalarNode

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_WORDS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
                     "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), _BOOL),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), _NULL),
    **dict.fromkeys((".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                     "-.inf", "-.Inf", "-.INF"), _FLOAT),
}
# strconv.ParseInt(s, 0, 64) spellings (underscores are stripped before)
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"
                   r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[-+](\d\d):(\d\d))"
                   r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)?\Z")
_INT64 = 1 << 63


def _go_int(text: str) -> bool:
    m = _GO_INT.match(text)
    if not m:
        return False
    sign, digits = m.groups()
    base = {"x": 16, "o": 8, "b": 2}.get(digits[1:2].lower(), 8 if digits[:1] == "0" and len(digits) > 1 else 10)
    value = int(digits[2:] if base != 10 and digits[1:2].isalpha() else digits, base)
    return value < _INT64 or (sign == "-" and value == _INT64) or (not sign and value < 1 << 64)


def _go_float(text: str) -> bool:
    return math.isfinite(float(text))  # out of range is an error to strconv.ParseFloat


def _go_timestamp(text: str) -> bool:
    m = _TIME.match(text)
    if not m:
        return False
    year, month, day, h, mi, s, tzh, tzm, h2, mi2, s2 = (int(g) if g else 0 for g in m.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    h, mi, s = (h, mi, s) if m.group(4) else (h2, mi2, s2)
    return h < 24 and mi < 60 and s < 60 and tzh <= 24 and tzm <= 60


def go_tag(text: str) -> str:
    """What go-yaml v2 reads `text` as when it is written plain (its resolve())."""
    if text in _WORDS:
        return _WORDS[text]
    head = text[0]
    if head == ".":
        return _FLOAT if _DOT_FLOAT.match(text) else _STR
    if head in "+-0123456789":
        if _go_timestamp(text):
            return _TIMESTAMP
        plain = text.replace("_", "")
        if _go_int(plain):
            return _INT
        if _YAML_FLOAT.match(plain) and _go_float(plain):
            return _FLOAT
        for prefix, sign in (("0b", ""), ("-0b", "-")):
            if plain.startswith(prefix) and re.fullmatch("[01]+", plain[len(prefix):]):
                return _INT if _go_int(sign + "0b" + plain[len(prefix):]) else _STR
    return _STR


def _go_letter_digit_less(a: str, b: str) -> bool:
    """go-yaml v2's keyList.Less for two strings."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        xl, yl = x.isalpha(), y.isalpha()
        if xl and yl:
            return x < y
        if xl or yl:
            return yl
        an = bn = 0
        if x == "0" or y == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an, ai = an * 10 + ord(a[ai]) - 48, ai + 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn, bi = bn * 10 + ord(b[bi]) - 48, bi + 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return x < y
    return len(a) < len(b)


@functools.cmp_to_key
def _key_order(a: tuple, b: tuple) -> int:
    x, y = a[0], b[0]
    if not (isinstance(x, str) and isinstance(y, str)):  # JSON keys are strings; be safe
        x, y = str(x), str(y)
    return -1 if _go_letter_digit_less(x, y) else 1 if _go_letter_digit_less(y, x) else 0


def _go_float_text(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64): how go-yaml writes a float."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    exp = len(digits) + exponent - 1  # of the first digit
    if exp < -4 or exp >= 6:  # 'g' at the shortest precision decides at 6
        out = f"{text[0]}{'.' + text[1:] if text[1:] else ''}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    elif exp < 0:
        out = "0." + "0" * (-exp - 1) + text
    else:
        out = text[:exp + 1].ljust(exp + 1, "0") + ("." + text[exp + 1:] if text[exp + 1:] else "")
    return ("-" if sign else "") + out


class _Dumper(yaml.SafeDumper):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            return go_tag(value)
        return super().resolve(kind, value, implicit)


def _mapping(dumper: _Dumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", sorted(data.items(), key=_key_order))


def _string(dumper: _Dumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else '"' if go_tag(data) != _STR or _BASE60.match(data) else None
    return dumper.represent_scalar(_STR, data, style=style)


def _float(dumper: _Dumper, data: float) -> yaml.Node:
    # kubectl's JSON text of a whole float has no point, so go-yaml reads it back as an int
    if data.is_integer() and abs(data) < _INT64:
        return dumper.represent_scalar(_INT, str(int(data)))
    return dumper.represent_scalar(_FLOAT, _go_float_text(data))


_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(str, _string)
_Dumper.add_representer(float, _float)


def kubectl_yaml(obj: object) -> str:
    """`obj` (decoded JSON) as `kubectl get -o yaml` would print it."""
    return yaml.dump(obj, Dumper=_Dumper, default_flow_style=False, allow_unicode=True, width=80)
