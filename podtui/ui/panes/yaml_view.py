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

# A key is plain or quoted whole: "- 'echo a: b'" is a quoted item, not the key "'echo a".
_KEY = re.compile(r"""^(\s*(?:- )*)('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|(?!- )[^:\s'"][^:]*?):(\s|$)""")
_LEAD = re.compile(r"\s*(?:- )*")
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
    a value kubectl folded at 80 columns, when the pane wrapped its first line.

    A line indented past a key or an item whose value began on the key's line is the
    rest of that value, folded by kubectl ("... from daemon:\n  OCI runtime create
    failed: exec"): text, never a key."""
    lines = []
    block_key_column = None  # inside a multi-line string: its "a: b" lines are text, not keys
    # (key column, value column, hang under the value) of a value whose folded lines may follow
    folded: tuple[int, int, bool] | None = None
    for raw in text.splitlines():
        indent = len(raw) - len(raw.lstrip(" "))
        if block_key_column is not None and (indent > block_key_column or not raw.strip()):
            head, body = Content(raw[:indent]), raw[indent:]
        elif folded and indent > folded[0]:
            column = folded[1] if folded[2] else indent
            head, body = Content(" " * column), raw[indent:]
        else:
            block_key_column = None
            m = _KEY.match(raw)
            lead = m.group(1) if m else _LEAD.match(raw).group(0)
            body = raw[m.end():] if m else raw[len(lead):]
            if m:
                head = Content.assemble(lead, (m.group(2), "$text-primary"), ":" + m.group(3))
            else:
                head = Content(lead)
            if m and _BLOCK_SCALAR.fullmatch(body):
                block_key_column, folded = len(lead), None
            elif body and (m or lead.endswith("- ")):
                # the key's column, or the dash's: what is indented past it continues the value
                key_column = len(lead) if m else len(lead) - 2
                folded = (key_column, len(raw) - len(body), bool(wrap) and len(raw) > wrap)
            else:
                folded = None
        lines.append(hang(head, body, wrap) if wrap else head + body)
    return Content("\n").join(lines)


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    return highlight(pod_yaml(record.obj), ctx.width if ctx is not None else None)


class YamlPane(Pane):
    KEY = "yaml"
    TITLE = "YAML"
    SHORT = "YAML"
    RENDER = staticmethod(render)
