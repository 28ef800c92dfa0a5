"""YAML: the pod as the API served it, env values masked (like k9s's `y`)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from textual.content import Content

from podtui.sources.recording import redact
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import hang

_KEY = re.compile(r"^(\s*(?:- )?)([^:\s][^:]*?):(\s|$)")
_LEAD = re.compile(r"\s*(?:- )?")


def pod_yaml(obj: object) -> str:
    """YAML text of a pod with env values, managedFields and last-applied config removed."""
    try:
        return yaml.safe_dump(redact(obj) if isinstance(obj, dict) else obj, sort_keys=False,
                              default_flow_style=False, allow_unicode=True, width=1000)
    except yaml.YAMLError as exc:  # non-serialisable odd data
        return f"# cannot show this object as YAML: {exc}\n{obj!r}"


def highlight(text: str, wrap: int | None = None) -> Content:
    """Keys coloured: cheap enough for a big pod, readable in every theme. Given the
    width, a long value wraps under its own first character: wrapped to the left edge,
    its tail read as a top-level key ("pod=crashloop_demo(...)")."""
    lines = []
    for raw in text.splitlines():
        m = _KEY.match(raw)
        if m:
            head = Content.assemble(m.group(1), (m.group(2), "$text-primary"), ":" + m.group(3))
            body = raw[m.end():]
        else:
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
