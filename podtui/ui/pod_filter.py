"""The `/` filter of the pod table, k9s style.

    web            name, namespace, status, node or a label (k=v) contains "web"
    web api        both words match (anywhere, any field)
    !Running       hide what matches "running"
    web !err       both: "web" and not "err" (each !word hides on its own)
    -l app=web     label selector: k=v, k==v, k!=v, k (exists), !k (absent), comma = and

Matching is case-insensitive except label selectors, which follow Kubernetes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PodFilter:
    text: str = ""
    words: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # !words: what contains any of them is hidden
    selector: tuple[tuple[str, str, str], ...] = ()  # (key, op, value); op in = != exists absent
    error: str = ""  # a selector podtui could not parse: shown, and nothing is hidden

    @property
    def active(self) -> bool:
        return bool(self.words or self.hidden or self.selector)

    def matches(self, haystack: str, labels: dict) -> bool:
        if self.selector:
            return _selector_matches(self.selector, labels)
        return all(w in haystack for w in self.words) and not any(h in haystack for h in self.hidden)


def narrows(old: PodFilter, new: PodFilter) -> bool:
    """Whether every pod `new` shows is one `old` shows: then `new` need only look at
    what `old` shows. True when each old word lies inside a new word ("ap" -> "api",
    "web" -> "web db") and each old !word is still one ("!er" -> "!err" shows more)."""
    if not old.active:
        return True
    if old.selector or new.selector or not new.active:
        return False
    return (all(any(w in w2 for w2 in new.words) for w in old.words)
            and all(h in new.hidden for h in old.hidden))


def parse_filter(text: str) -> PodFilter:
    stripped = text.strip()
    if not stripped:
        return PodFilter(text=text)
    if stripped.startswith("-l"):
        body = stripped[2:].strip()
        try:
            return PodFilter(text=text, selector=_parse_selector(body))
        except ValueError as exc:
            return PodFilter(text=text, error=str(exc))
    tokens = stripped.lower().split()
    # A lone "!" is a !word still being typed: it hides nothing yet.
    return PodFilter(text=text, words=tuple(w for w in tokens if not w.startswith("!")),
                     hidden=tuple(w[1:] for w in tokens if w.startswith("!") and len(w) > 1))


def _parse_selector(body: str) -> tuple[tuple[str, str, str], ...]:
    if not body:
        raise ValueError("empty label selector")
    out = []
    for part in body.split(","):
        part = part.strip()
        if not part:
            raise ValueError("empty term in label selector")
        if "!=" in part:
            key, _, value = part.partition("!=")
            out.append((key.strip(), "!=", value.strip()))
        elif "==" in part:
            key, _, value = part.partition("==")
            out.append((key.strip(), "=", value.strip()))
        elif "=" in part:
            key, _, value = part.partition("=")
            out.append((key.strip(), "=", value.strip()))
        elif part.startswith("!"):
            out.append((part[1:].strip(), "absent", ""))
        else:
            out.append((part, "exists", ""))
        if not out[-1][0]:
            raise ValueError(f"label selector term {part!r} has no key")
    return tuple(out)


def _selector_matches(selector: tuple[tuple[str, str, str], ...], labels: dict) -> bool:
    for key, op, value in selector:
        present = key in labels
        if op == "=" and (not present or str(labels[key]) != value):
            return False
        if op == "!=" and present and str(labels[key]) == value:
            return False
        if op == "exists" and not present:
            return False
        if op == "absent" and present:
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

