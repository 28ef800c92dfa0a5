"""Conditions: every pod condition, readiness gates and DisruptionTarget included."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import clock_time, d, indented, join_lines, lst, relative, s, table, ts_of

# The kubelet's order; anything else (readiness gates, DisruptionTarget, resize) follows.
_ORDER = ("PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready")
_STATUS_STYLE = {"True": "$text-success", "False": "$text-error", "Unknown": "$text-warning"}


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    obj = d(record.obj)
    spec, status = d(obj.get("spec")), d(obj.get("status"))
    conditions = [c for c in lst(status.get("conditions")) if isinstance(c, dict)]
    gates = [s(d(g).get("conditionType")) for g in lst(spec.get("readinessGates"))]
    gates = [g for g in gates if g]

    def order(c: dict) -> tuple:
        t = s(c.get("type"))
        return (_ORDER.index(t) if t in _ORDER else len(_ORDER), t)

    # Two lines per condition (facts, then the message) read well at any width;
    # a wide table would wrap into a mess on a small terminal.
    rows = []
    messages = []
    seen = set()
    for c in sorted(conditions, key=order):
        ctype = s(c.get("type")) or "<no type>"
        seen.add(ctype)
        st = s(c.get("status")) or "<none>"
        note = ""
        if ctype in gates:
            note = " (readiness gate)"
        elif ctype == "DisruptionTarget":
            note = " (disruption)"
        ts = ts_of(c.get("lastTransitionTime"))
        type_style = "bold $text-warning" if ctype == "DisruptionTarget" and st == "True" else "bold"
        rows.append([(ctype + note, type_style), (st, _STATUS_STYLE.get(st, "")), s(c.get("reason")) or "-"])
        since = f"since {clock_time(ts)} ({relative(ts, now)})" if ts is not None else "since: unknown"
        message = s(c.get("message"))
        messages.append(f"{since} · {message}" if message else since)
    for gate in gates:
        if gate not in seen:
            rows.append([(f"{gate} (readiness gate)", "bold"), ("<not set>", "$text-warning"), "-"])
            messages.append("no controller has set this condition yet")
    if not rows:
        return Content.styled("No conditions reported yet.", "$text-muted")
    lines = table(rows, header=["TYPE", "STATUS", "REASON"], max_widths={0: 44},
                  wrap=ctx.width if ctx is not None else None)
    out = [lines[0]]
    for text, message in zip(lines[1:], messages):
        out.append(text)
        if message:
            out.append(indented(message, wrap=ctx.width if ctx is not None else None))
    return join_lines(out)


class ConditionsPane(Pane):
    KEY = "conditions"
    TITLE = "Conditions"
    SHORT = "Cond"
    TICKS = True  # the AGE column
    RENDER = staticmethod(render)
