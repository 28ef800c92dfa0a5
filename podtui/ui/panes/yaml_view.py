"""YAML: the pod as `kubectl get -o yaml` prints it, env values masked (like k9s's `y`)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from textual.content import Content

from podtui.sources.recording import redact
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import hang
from podtui.ui.panes.kubectl_yaml import kubectl_yaml

_KEY = re.compile(r"^(\s*(?:- )?)([^:\s][^:]*?):(\s|$)")
_LEAD = re.compile(r"\s*(?:- )?")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*")


def pod_yaml(obj: object) -> str:
    """YAML text of a pod with env values, managedFields and last-applied config removed."""
    try:
        return kubectl_yaml(redact(obj) if isinstance(obj, dict) else obj)
    except yaml.YAMLError as exc:  # non-serialisable odd data
        return f"# cannot show this object as YAML: {exc}\n{obj!r}"


def highlight(text: str, wrap: int | None = None) -> Content:
    """Keys coloured: cheap enough for a big pod, readable in every theme. Given the
    width, a long value wraps under its own first character: wrapped to the left edge,
    its tail read as a top-level key ("pod=crashloop_demo(...)"). So does the rest of
    a value kubectl folded at 80 columns, when the pane wrapped its first line."""
    lines = []
    block_key_column = None  # inside a multi-line string: its "a: b" lines are text, not keys
    folded = None  # (key column, value column) of a wrapped value whose folded lines follow
    for raw in text.splitlines():
        indent = len(raw) - len(raw.lstrip(" "))
        if block_key_column is not None and (indent > block_key_column or not raw.strip()):
            m = None
        else:
            block_key_column = None
            m = _KEY.match(raw)
        if m:
            head = Content.assemble(m.group(1), (m.group(2), "$text-primary"), ":" + m.group(3))
            body = raw[m.end():]
            if _BLOCK_SCALAR.fullmatch(body):
                block_key_column = len(m.group(1))
            folded = (len(m.group(1)), m.end()) if wrap and body and len(raw) > wrap else None
        elif folded and indent > folded[0] and block_key_column is None:
            head, body = Content(" " * folded[1]), raw.lstrip(" ")
        else:
            folded = None
            lead = _LEAD.match(raw)
            head, body = Content(lead.group(0)), raw[lead.end():]
        lines.append(hang(head, body, wrap) if wrap else head + body)
    return Content("\n").join(lines)


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    return highlight(pod_yaml(record.obj), ctx.width if ctx is not None else None)


class YamlPane(Pane):
    KEY = "yaml"
    TITLE = "YAML"
    SHORT = "YAML"
    RENDER = staticmethod(render)
