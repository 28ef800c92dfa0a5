"""The `/` filter of the pod table, k9s style.

    web            name, namespace, status, node or a label (k=v) contains "web"
    web api        both words match (anywhere, any field)
    !Running       hide what matches "running"
    web !err       both: "web" and not "err" (each !word hides on its own)
    -l app=web     label selector, kubectl's syntax: k=v, k==v, k!=v, k (exists), !k
                   (absent), k in (a,b), k notin (a,b), k>1, k<1; comma = and
    shop -l app=web !deleted    a selector is one token: words go before or after it

Matching is case-insensitive except label selectors, which are Kubernetes' own
(podtui.lifecycle.labels, as the demo API server parses them): a selector kubectl
rejects is rejected here with kubectl's message, and left out: the words still apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from podtui.lifecycle.labels import Requirement, SelectorError, parse_selector, selector_matches


@dataclass(frozen=True, slots=True)
class PodFilter:
    text: str = ""
    words: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # !words: what contains any of them is hidden
    selector: tuple[Requirement, ...] = ()
    # A selector labels.Parse rejects: not applied (the rest of the filter is), and
    # said in the bar while the filter holds it: what is left out, then why.
    error: str = ""
    left_out: str = ""  # error's first part ("-l 'app in (web' not applied"): the bar keeps it whole

    @property
    def active(self) -> bool:
        return bool(self.words or self.hidden or self.selector)

    def selects(self, labels: dict | None) -> bool:
        """The selector's part alone (True without one)."""
        return not self.selector or selector_matches(self.selector, labels or {})

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
    selector: list[Requirement] = []
    error = left_out = ""
    i, n = 0, len(text)
    while True:
        i = _skip_space(text, i)
        if i >= n:
            break
        if text.startswith("-l", i):  # also "-lapp=web", as kubectl takes it
            i = _skip_space(text, i + 2)
            if i >= n:
                if not error:
                    left_out = "-l not applied"
                    error = f"{left_out}: no selector after it"
                break
            end = _selector_end(text, i)
            try:
                selector.extend(parse_selector(text[i:end]))  # several -l: all must hold
            except SelectorError as exc:
                # Left out, the rest applied: the first such is said (PodFilter.error).
                if not error:
                    left_out = f"-l {text[i:end]!r} not applied"
                    error = f"{left_out}: {exc}"
            i = end
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
    return PodFilter(text=text, words=tuple(words), hidden=tuple(hidden), selector=tuple(selector), error=error,
                     left_out=left_out)


# Spaces then a set operator: the selector goes on ("app in (a,b)", "app notin(a)").
_SET_OP = re.compile(r"\s+(in|notin)(?=[\s(]|$)\s*")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _selector_end(text: str, i: int) -> int:
    """Where the selector that starts at text[i] ends: at a space, except a space
    before `in`/`notin` or inside parentheses, so that words may follow it."""
    n = len(text)
    while i < n:
        if text[i] == "(":
            close = text.find(")", i)
            if close < 0:
                return n  # unclosed: labels.Parse says what is missing
            i = close + 1
        elif text[i].isspace():
            m = _SET_OP.match(text, i)
            if m is None:
                return i
            i = m.end()
        else:
            i += 1
    return n


def pod_labels(obj: dict) -> dict:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


def haystack(name: str, namespace: str, status: str, node: str, labels: dict) -> str:
    """What a plain filter word is looked for in, lower-cased once per pod version."""
    parts = [name, namespace, status, node]
    parts.extend(f"{k}={v}" for k, v in labels.items())
    return "\n".join(parts).lower()

