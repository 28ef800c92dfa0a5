"""The `/` filter of the pod table, k9s style.

    web            name, namespace, status, node or a label (k=v) contains "web"
    web api        both words match (anywhere, any field)
    !Running       hide what matches "running"
    web !err       both: "web" and not "err" (each !word hides on its own)
    -l app=web     label selector, kubectl's syntax: k=v, k==v, k!=v, k (exists), !k
                   (absent), k in (a,b), k notin (a,b), k>1, k<1; comma = and
    shop -l app=web !deleted    a selector is one token: words go before or after it

Matching is case-insensitive except label selectors, which follow Kubernetes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A selector term: (key, op, value); op in = != in notin exists ! gt lt; value a str,
# a frozenset for in/notin, an int for gt/lt, None for exists and !.
Term = tuple


@dataclass(frozen=True, slots=True)
class PodFilter:
    text: str = ""
    words: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # !words: what contains any of them is hidden
    selector: tuple[Term, ...] = ()
    error: str = ""  # a selector podtui could not parse: shown, and nothing is hidden

    @property
    def active(self) -> bool:
        return bool(self.words or self.hidden or self.selector)

    def selects(self, labels: dict | None) -> bool:
        """The selector's part alone (True without one)."""
        return not self.selector or _selector_matches(self.selector, labels or {})

    def matches(self, haystack: str, labels: dict | None) -> bool:
        """Both parts: the selector on the labels, the words on the haystack."""
        if not self.selects(labels):
            return False
        return all(w in haystack for w in self.words) and not any(h in haystack for h in self.hidden)


def narrows(old: PodFilter, new: PodFilter) -> bool:
    """Whether every pod `new` shows is one `old` shows: then `new` need only look at
    what `old` shows. True when each old word lies inside a new word ("ap" -> "api",
    "web" -> "web db") and each old !word is still one ("!er" -> "!err" shows more)."""
    if not old.active:
        return True
    if old.selector != new.selector or not new.active:  # the same selector: the words decide
        return False
    return (all(any(w in w2 for w2 in new.words) for w in old.words)
            and all(h in new.hidden for h in old.hidden))


def parse_filter(text: str) -> PodFilter:
    words: list[str] = []
    hidden: list[str] = []
    selector: list[Term] = []
    i, n = 0, len(text)
    try:
        while True:
            i = _skip_space(text, i)
            if i >= n:
                break
            if text.startswith("-l", i):  # also "-lapp=web", as kubectl takes it
                i = _skip_space(text, i + 2)
                if i >= n:
                    raise ValueError("empty label selector")
                terms, i = _parse_selector(text, i)
                selector.extend(terms)  # several -l: all must hold
                continue
            end = i
            while end < n and not text[end].isspace():
                end += 1
            word, i = text[i:end].lower(), end
            if word.startswith("!"):
                if len(word) > 1:  # a lone "!" is a !word still being typed: it hides nothing yet
                    hidden.append(word[1:])
            else:
                words.append(word)
    except ValueError as exc:
        return PodFilter(text=text, error=str(exc))
    return PodFilter(text=text, words=tuple(words), hidden=tuple(hidden), selector=tuple(selector))


# k8s.io/apimachinery's rules: a key is [prefix/]name, a value a name or empty.
_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_KEY = re.compile(rf"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?{_NAME}")
_VALUE = re.compile(_NAME)
_SET_OP = re.compile(r"\s+(in|notin)(?=[\s(]|$)\s*")
_SPECIAL = "=!<>(),"


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _read(text: str, i: int, stop: str) -> tuple[str, int]:
    end = i
    while end < len(text) and not text[end].isspace() and text[end] not in stop:
        end += 1
    return text[i:end], end


def _check_key(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if not _KEY.fullmatch(key) or len(name) > 63 or len(prefix) > 253:
        raise ValueError(f"invalid label key {key!r} in label selector")
    return key


def _check_value(value: str) -> str:
    if value and (len(value) > 63 or not _VALUE.fullmatch(value)):
        raise ValueError(f"invalid label value {value!r} in label selector")
    return value


def _parse_selector(text: str, i: int) -> tuple[list[Term], int]:
    """kubectl's selector from text[i:]: terms joined by commas, no spaces but inside
    `in (...)`/`notin (...)`. Returns the terms and where the selector ends."""
    terms = []
    while True:
        term, i = _parse_term(text, i)
        terms.append(term)
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        if i < len(text) and not text[i].isspace():
            raise ValueError(f"unexpected {text[i]!r} in label selector")
        return terms, i


def _parse_term(text: str, i: int) -> tuple[Term, int]:
    n = len(text)
    if i >= n or text[i] == "," or text[i].isspace():
        raise ValueError("empty term in label selector")
    if text[i] == "!":
        key, i = _read(text, i + 1, _SPECIAL)
        if not key:
            raise ValueError("label selector term '!' has no key")
        return (_check_key(key), "!", None), i
    key, i = _read(text, i, _SPECIAL)
    if not key:
        word, _ = _read(text, i, ",")
        raise ValueError(f"label selector term {word!r} has no key")
    _check_key(key)
    for token, op in (("==", "="), ("!=", "!="), ("=", "="), (">", "gt"), ("<", "lt")):
        if text.startswith(token, i):
            value, i = _read(text, i + len(token), _SPECIAL)
            if op in ("gt", "lt"):
                if not re.fullmatch(r"-?[0-9]+", value):
                    raise ValueError(f"{key}{token}{value}: {token} needs a whole number")
                return (key, op, int(value)), i
            return (key, op, _check_value(value)), i
    m = _SET_OP.match(text, i)
    if m is None:
        return (key, "exists", None), i
    op, i = m.group(1), m.end()
    if i >= n or text[i] != "(":
        raise ValueError(f"{key} {op}: a list in parentheses must follow, e.g. {key} {op} (a,b)")
    close = text.find(")", i)
    if close < 0:
        raise ValueError(f"{key} {op} (...: missing ')' in label selector")
    values = [v.strip() for v in text[i + 1:close].split(",")]
    if values == [""]:
        raise ValueError(f"{key} {op} (): the list of values is empty")
    for v in values:
        if not v or any(c.isspace() or c in _SPECIAL for c in v):
            raise ValueError(f"invalid value {v!r} in {key} {op} (...)")
        _check_value(v)
    return (key, op, frozenset(values)), close + 1


def _selector_matches(selector: tuple[Term, ...], labels: dict) -> bool:
    """As labels.Selector.Matches: != and notin hold for a pod without the key."""
    for key, op, value in selector:
        present = key in labels
        have = str(labels[key]) if present else ""
        if op == "=" and not (present and have == value):
            return False
        if op == "!=" and present and have == value:
            return False
        if op == "in" and not (present and have in value):
            return False
        if op == "notin" and present and have in value:
            return False
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
        if op in ("gt", "lt"):
            if not (present and re.fullmatch(r"-?[0-9]+", have)):
                return False
            if (int(have) <= value) if op == "gt" else (int(have) >= value):
                return False
    return True


def pod_labels(obj: dict) -> dict:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


def haystack(name: str, namespace: str, status: str, node: str, labels: dict) -> str:
    """What a plain filter word is looked for in, lower-cased once per pod version."""
    parts = [name, namespace, status, node]
    parts.extend(f"{k}={v}" for k, v in labels.items())
    return "\n".join(parts).lower()

