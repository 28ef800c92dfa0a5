"""Termination: the SIGKILL countdown over the grace period, preStop, finalizers,
disruption or eviction, and the activeDeadlineSeconds countdown."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.lifecycle import termination as model
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import clock_time, countdown, elapsed, join_lines, kv, line

BAR_WIDTH = 30


def countdown_bar(left: float, total: float, width: int = BAR_WIDTH) -> Content:
    """Elapsed part of the grace period filled: ██████████░░░░░░░░░░."""
    if total <= 0:
        filled = width
    else:
        filled = round(width * min(1.0, max(0.0, (total - left) / total)))
    return Content.assemble(("█" * filled, "$countdown-bar"), ("░" * (width - filled), "$countdown-bar-background"))


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    info = model.termination(record, now)
    wrap = ctx.width if ctx is not None else None
    lines: list[Content] = []
    gone = model.removal(record)
    # Found gone on relist: removed by removed_at, maybe well before, so spans to it are bounds.
    relist = gone is not None and gone.on_relist
    if info.deletion_requested:
        req = model.deletion_request(record)
        grace, kill_at = info.grace, info.kill_at
        if req is not None and req.confirmed:
            # deletionGracePeriodSeconds 0 is the kubelet's confirmation, not the request.
            grace, kill_at = req.grace, req.kill_at
        at = f" {clock_time(req.at)}" if req is not None and req.at is not None else ""
        lines.append(kv("deletion", line(("requested", "bold $status-terminating"),
                                         at + (f", grace period {grace}s" if grace is not None else "")), wrap=wrap))
        if req is not None and req.confirmed:
            when = f" at {clock_time(req.confirmed_at)}" if req.confirmed_at is not None else ""
            lines.append(kv("", (f"the containers stopped; the kubelet confirmed the deletion{when} "
                                 "(grace period now 0s)", "$text-muted"), wrap=wrap))
        stopped = req.stopped_at if req is not None else None
        if kill_at is not None and info.removed_at is not None and info.removed_at < kill_at:
            # Gone before the deadline: no countdown to a SIGKILL that won't come.
            lines.append(kv("SIGKILL", line(("not needed", "bold $text-muted"),
                                            f": gone {'at least ' if relist else ''}"
                                            f"{elapsed(kill_at - info.removed_at)} before the "
                                            f"deadline at {clock_time(kill_at)}"), wrap=wrap))
        elif kill_at is not None and stopped is not None and stopped < kill_at - 1 and not req.killed:
            lines.append(kv("SIGKILL", line(("not needed", "bold $text-muted"),
                                            f": the containers stopped at {clock_time(stopped)}, "
                                            f"{elapsed(kill_at - stopped)} before the deadline at "
                                            f"{clock_time(kill_at)}"), wrap=wrap))
        elif kill_at is not None:
            left = kill_at - now
            if left > 0:
                lines.append(kv("SIGKILL", line((f"in {countdown(left)}", "bold $next-error"),
                                                f" at {clock_time(kill_at)}"), wrap=wrap))
            else:
                killed = (": still running then, killed (exit 137)" if req is not None and req.killed
                          and stopped is not None and stopped >= kill_at - 1 else "")
                lines.append(kv("SIGKILL", line(("deadline passed", "bold $next-error"),
                                                f" {elapsed(-left)} ago at {clock_time(kill_at)}{killed}"),
                                wrap=wrap))
            lines.append(kv("", countdown_bar(left, float(grace or 0))))
        if info.prestop:
            lines.append(kv("preStop", ", ".join(info.prestop) + " (runs first, inside the grace period)", wrap=wrap))
        else:
            lines.append(kv("preStop", ("none", "$text-muted")))
    else:
        lines.append(kv("deletion", ("not requested", "$text-muted")))
    if gone is not None:
        ago = elapsed(now - gone.at)
        # Missing from a relist: deleted some time while the watch was down, not when found.
        when = (f" {model.removal_words(gone.window, clock_time, ago)}" if relist
                else f" {ago} ago at {clock_time(gone.at)}")
        lines.append(kv("removed", line(("gone from the API", "bold $status-terminating"), when), wrap=wrap))
    if info.finalizers:
        text = ", ".join(info.finalizers)
        if info.waiting_on_finalizers:
            lines.append(kv("finalizers", line((f"waiting on finalizers: {text}", "bold $next-warning")), wrap=wrap))
            held = (f"held {elapsed(now - info.held_since)} since {clock_time(info.held_since)}: "
                    if info.held_since is not None and now >= info.held_since else "")
            lines.append(kv("", (held + "the containers are done; the object stays until a controller removes them",
                                 "$text-muted"), wrap=wrap))
        elif info.held_since is not None and info.removed_at is not None and info.removed_at >= info.held_since:
            # Gone now, but they held it: the same figure as the history report's.
            bound = "at most " if relist else ""
            lines.append(kv("finalizers", line(text, (f"  held the pod {bound}"
                                                      f"{elapsed(info.removed_at - info.held_since)}"
                                                      f" until its removal", "$text-muted")), wrap=wrap))
        else:
            lines.append(kv("finalizers", text, wrap=wrap))
    if info.disruption_reason:
        detail = f": {info.disruption_message}" if info.disruption_message else ""
        lines.append(kv("disruption", line((info.disruption_reason, "bold $text-warning"), detail), wrap=wrap))
    if info.status_reason:
        lines.append(kv("reason", (info.status_reason, "$phase-failed")))
    if info.active_deadline is not None:
        # "deadline" in the label column that every line keeps; the field's name, longer
        # than the column, in the value (as "activeDeadlineSeconds 90s  deadline…" it
        # ran past the column, and so did its wrapped lines).
        if info.deadline_at is not None:
            left = info.deadline_at - now
            state = (line((f"in {countdown(left)}", "$next-warning"), f" at {clock_time(info.deadline_at)}")
                     if left > 0 else line(("passed", "$next-error"),
                                           f" {elapsed(-left)} ago at {clock_time(info.deadline_at)}"))
        elif model.active_deadline(record.obj if isinstance(getattr(record, "obj", None), dict) else {}) is not None:
            state = line(("no longer counts (the pod ended before it ran out)", "$text-muted"))
        else:
            state = line(("counts from status.startTime (not started yet)", "$text-muted"))
        lines.append(kv("deadline", line(f"activeDeadlineSeconds {info.active_deadline}s: ", state), wrap=wrap))
    return join_lines(lines)


class TerminationPane(Pane):
    KEY = "termination"
    TITLE = "Termination"
    SHORT = "Term"
    TICKS = True
    RENDER = staticmethod(render)
