"""Events: the pod's Events newest first, as the end of `kubectl describe pod` shows them."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.lifecycle.duration import format_age
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import indented, join_lines, s, table


def event_age(first: float | None, last: float | None, count: int, now: float) -> str:
    """kubectl describe's AGE: `3m`, or `10s (x12 over 5m)` for a repeated Event."""
    last = last if last is not None else first
    if count > 1 and first is not None and last is not None:
        return f"{format_age(last, now)} (x{count} over {format_age(first, now)})"
    return format_age(last, now) if last is not None else "<unknown>"


def newest_first(events: list) -> list:
    def when(e: Any) -> float:
        t = e.last if e.last is not None else e.first
        return t if t is not None else float("-inf")
    return sorted(events, key=when, reverse=True)


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    events = newest_first(list(record.events or ()))
    if not events:
        return Content.styled("No Events seen for this pod (Events expire after an hour).", "$text-muted")
    rows = []
    for e in events:
        warning = e.type == "Warning"
        rows.append([
            (s(e.type) or "-", "$text-warning" if warning else ""),
            (s(e.reason), "bold" if warning else ""),
            event_age(e.first, e.last, e.count if isinstance(e.count, int) else 1, now),
            s(e.source) or "-",
        ])
    lines = table(rows, header=["TYPE", "REASON", "AGE", "FROM"], max_widths={1: 28, 3: 24},
                  wrap=ctx.width if ctx is not None else None)
    out = [lines[0]]
    for text, e in zip(lines[1:], events):
        out.append(text)
        if e.message:
            out.append(indented(s(e.message), wrap=ctx.width if ctx is not None else None))
    return join_lines(out)


class EventsPane(Pane):
    KEY = "events"
    TITLE = "Events"
    SHORT = "Events"
    TICKS = True  # ages
    RENDER = staticmethod(render)
