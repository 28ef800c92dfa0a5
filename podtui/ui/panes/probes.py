"""Probes: settings in one line each, recent probe Events, the current failure streak and
when the kubelet acts on it."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.lifecycle import probes as model
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.events import event_age, newest_first
from podtui.ui.panes.fmt import clock_time, countdown, hang, join_lines, kv, line, s

# The kill ends the container; its restart then waits out the back-off like any exit.
_ACTION = {"liveness": "kills the container", "startup": "kills the container",
           "readiness": "marks it unready"}


def summary(p: Any) -> str:
    """kubectl describe's probe line: `http-get :8080/healthz delay=0s timeout=1s ...`."""
    text = (f"{p.handler} delay={p.initial_delay}s timeout={p.timeout}s period={p.period}s "
            f"#success={p.success_threshold} #failure={p.failure_threshold}")
    if p.termination_grace is not None:
        text += f" grace={p.termination_grace}s"
    return text


def streak_line(state: Any, now: float) -> Content:
    p = state.settings
    threshold = max(1, p.failure_threshold)
    if not state.streak:
        return line(("no failures in the current streak", "$text-success"))
    colour = "$next-error" if state.streak >= threshold else "$next-warning"
    about = "" if state.exact else "~"
    counted = (f"{about}{state.streak} failures in a row (threshold {threshold})" if state.streak > threshold
               else f"{model.streak_fraction(state)} failures")
    parts = [(counted, f"bold {colour}")]
    if state.acts_at is not None:
        left = state.acts_at - now
        action = _ACTION.get(p.type, "acts")
        when = f"in ~{countdown(left)}" if left > 0 else "now"
        parts.append(f"  kubelet {action} {when} (at {clock_time(state.acts_at)}, estimated)")
    if not state.exact:
        # A missed write, a run begun before podtui watched, the Event spam filter.
        parts.append(("  count estimated: not every failure was seen written", "$text-muted"))
    return line(*parts)


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    states = model.probe_states(record, now)
    if not states:
        return Content.styled("No liveness, readiness or startup probes defined.", "$text-muted")
    wrap = ctx.width if ctx is not None else None
    why, stopped = model.stopped_probes(record, now)
    blocks = []
    for state in states:
        p = state.settings
        lines = [hang(line((p.container, "bold"), "  ", (p.type, "$text-primary"), "  "),
                      Content.styled(summary(p), "$text-muted"), wrap)]
        if p.type in stopped:
            lines.append(kv("streak", line(("stopped", "bold $text-muted"), f": {why}; the kubelet no longer runs it"),
                            wrap=wrap))
        else:
            lines.append(kv("streak", streak_line(state, now), wrap=wrap))
        if p.type == "startup" and not state.streak and state.acts_at is not None and state.acts_at > now:
            lines.append(kv("budget", f"startup must succeed within {countdown(state.acts_at - now)}"
                                      f" (at {clock_time(state.acts_at)})"))
        if state.last_failure:
            age = event_age(None, state.last_failure_at, 1, now)
            lines.append(kv("last failed", line((s(state.last_failure), "$text-warning"), f"  ({age} ago)"),
                            wrap=wrap))
        for ev in newest_first(list(state.events))[:5]:
            lines.append(kv("", line((ev.reason, "bold" if ev.type == "Warning" else ""),
                                     f"  {event_age(ev.first, ev.last, ev.count, now)}  ",  # the age says "(xN over ...)"
                                     (s(ev.message), "$text-muted")), wrap=wrap))
        blocks.append(join_lines(lines))
    return Content("\n\n").join(blocks)


class ProbesPane(Pane):
    KEY = "probes"
    TITLE = "Probes"
    SHORT = "Probes"
    TICKS = True
    RENDER = staticmethod(render)
