"""Containers: init, sidecar, main and ephemeral containers in the order they start,
each with why it last restarted (or why it can't start) in one line; `x` adds the
evidence for the pod's last restart and scrolls to it."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.lifecycle.explain import (
    KIND_MISSED,
    KIND_START_FAILURE,
    RestartExplanation,
    container_line,
    last_restart,
    pod_summary,
    restart_explanations,
)
from podtui.lifecycle.history import terminated_exit_text
from podtui.lifecycle.messages import headline
from podtui.lifecycle.times import go_duration
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import clock_time, d, hang, join_lines, kv, line, lst, relative, s, ts_of

_RECENT = 600.0  # a restart this recent is painted as an error, an older one as a warning
_KIND_STYLE = {"init": "$text-secondary", "sidecar": "$text-accent", "main": "$text-primary",
               "ephemeral": "$text-warning"}


def containers_in_start_order(pod: dict) -> list[tuple[str, str, dict, dict | None]]:
    """(name, kind, spec, status) for every container: init containers in spec order
    (restartPolicy Always makes one a sidecar), then main, then ephemeral."""
    spec, status = d(pod.get("spec")), d(pod.get("status"))
    out = []
    groups = (
        ("initContainers", "initContainerStatuses"),
        ("containers", "containerStatuses"),
        ("ephemeralContainers", "ephemeralContainerStatuses"),
    )
    for spec_key, status_key in groups:
        statuses = {s(d(cs).get("name")): d(cs) for cs in lst(status.get(status_key))}
        for c in lst(spec.get(spec_key)):
            c = d(c)
            name = s(c.get("name")) or "<unnamed>"
            if spec_key == "initContainers":
                kind = "sidecar" if c.get("restartPolicy") == "Always" else "init"
            elif spec_key == "containers":
                kind = "main"
            else:
                kind = "ephemeral"
            out.append((name, kind, c, statuses.pop(name, None)))
        # Statuses for containers the spec doesn't list (odd data): show them anyway.
        for name, cs in statuses.items():
            kind = {"initContainers": "init", "containers": "main"}.get(spec_key, "ephemeral")
            out.append((name or "<unnamed>", kind, {}, cs))
    return out


def crashed_container(pod: dict) -> str | None:
    """The container whose previous instance's logs are the ones to read: waiting to be
    restarted after a crash (lastState.terminated). The kubelet serves a container's
    logs from its running instance, else the one just terminated, else lastState's
    (validateContainerLogStatus): --previous is wrong while the crashed instance is
    the current one (the Error before CrashLoopBackOff) and names the wrong instance
    once the container runs again. None when no container waits so."""
    for name, _kind, _spec, cs in containers_in_start_order(pod):
        if not isinstance(cs, dict) or not isinstance(cs.get("restartCount"), int) or cs["restartCount"] <= 0:
            continue
        if "waiting" in d(cs.get("state")) and d(d(cs.get("lastState")).get("terminated")):
            return name
    return None


_MESSAGE_LINE = 300  # characters of a termination message's telling line


def state_lines(label: str, state: dict, now: float, wrap: int | None = None) -> list[Content]:
    head = Content.styled(f"{label:<12}", "$text-muted")
    if not state:
        return [head + Content.styled("<none>", "$text-muted")]
    if "running" in state:
        started = ts_of(d(state["running"]).get("startedAt"))
        return [head + line(("Running", "$phase-running"), f"  since {clock_time(started)} ({relative(started, now)})")]
    if "terminated" in state:
        t = d(state["terminated"])
        reason = s(t.get("reason")) or "Terminated"
        started, finished = ts_of(t.get("startedAt")), ts_of(t.get("finishedAt"))
        style = "$phase-succeeded" if t.get("exitCode") == 0 else "$phase-failed"
        out = [hang(head, line((f"Terminated: {reason}", style), f"  {terminated_exit_text(t)}"), wrap)]
        ran = f", ran {int(finished - started)}s" if started is not None and finished is not None else ""
        out.append(kv("", f"{clock_time(started)} → {clock_time(finished)} (finished {relative(finished, now)}{ran})",
                      wrap=wrap))
        message = t.get("message")
        if isinstance(message, str) and message.strip():
            # A stack trace of up to 4 KB, flattened, buried the pane: the line that
            # says what went wrong here, the message's end in `x`'s evidence.
            lines = sum(1 for text in message.splitlines() if text.strip())
            more = f"  (1 of {lines} lines; x shows the end)" if lines > 1 else ""
            out.append(kv("", (s(headline(message, _MESSAGE_LINE)) + more, "$text-muted"), wrap=wrap))
        return out
    if "waiting" in state:
        w = d(state["waiting"])
        reason = s(w.get("reason")) or "Waiting"
        out = [head + Content.styled(f"Waiting: {reason}", "$phase-pending")]
        if w.get("message"):
            out.append(kv("", (s(w.get("message")), "$text-muted"), wrap=wrap))
        return out
    return [head + Content.styled("<unknown state>", "$text-warning")]


def _no_status(pod: dict) -> str:
    """Why a container has no status: usually that the pod is not on a node yet."""
    for c in lst(d(pod.get("status")).get("conditions")):
        c = d(c)
        if c.get("type") == "PodScheduled" and c.get("status") == "False":
            why = ": ".join(x for x in (s(c.get("reason")), s(c.get("message"))) if x)
            return "no status yet: the pod is not scheduled" + (f" ({why})" if why else "")
    return "no status reported yet"


def _flag(value: object) -> tuple[str, str]:
    if value is True:
        return ("true", "$text-success")
    if value is False:
        return ("false", "$text-error")
    return ("-", "$text-muted")


def explained(record: Any, now: float) -> RestartExplanation | None:
    """What `x` explains: the pod's last restart; failing that, the newest failure to
    start, final termination or disruption."""
    ex = last_restart(record, None, now)
    if ex is not None:
        return ex
    for other in reversed(restart_explanations(record, now)):
        if other.kind != KIND_MISSED:
            return other
    return None


def _behind_line(record: Any, container: str, now: float) -> RestartExplanation | None:
    """The explanation container_line() words: the last restart, else a start failure."""
    ex = last_restart(record, container, now)
    if ex is not None:
        return ex
    return next((e for e in reversed(restart_explanations(record, now))
                 if e.kind == KIND_START_FAILURE and e.container == container and e.end is None), None)


def _severity_style(ex: RestartExplanation | None, now: float) -> str:
    if ex is None:
        return "$next-warning"
    if ex.pending or (ex.kind == KIND_START_FAILURE and ex.end is None):
        return "bold $next-error"  # still failing
    if ex.at is not None and now - ex.at < _RECENT:
        return "$next-error"
    return "$next-warning"


def evidence_lines(ex: RestartExplanation, wrap: int | None = None) -> list[Content]:
    """What the explanation rests on, oldest first: the container's last state, the
    kubelet's Events, the memory limit, the restart and the back-off that followed."""
    bar = Content.styled("  ┃ ", "$accent")
    out = [bar + Content.styled("evidence", "bold $accent")]
    items = [item if isinstance(item, str) else s(item) for item in ex.evidence]
    if ex.backoff_after is not None:
        basis = "the kubelet's message" if ex.backoff_measured else "the gap podtui saw"
        if ex.cut_short_by:  # it never restarted: the pod ended in (or after) the back-off
            items.append(f"back-off it was in: {go_duration(ex.backoff_after)} (from {basis})")
        else:
            items.append("restarted at once, no back-off" if ex.backoff_after < 1 else
                         f"back-off before the restart: {go_duration(ex.backoff_after)} (from {basis})")
    bullet, under = bar + Content.styled("· ", "$accent"), bar + Content("  ")
    block = under + Content("  ")
    for item in items:
        # A termination message's lines stay lines (a stack trace flattened into one
        # paragraph could not be read), each made safe as s() makes one-liners.
        first, *rest = item.split("\n")
        out.append(hang(bullet, Content.styled(s(first), "$text-muted"), wrap, continuation=under))
        for text in rest:
            out.append(hang(block, Content.styled(s(text).rstrip(), "$text-muted"), wrap, continuation=block))
    return out


def _headline(text: str, style: str, highlighted: bool, wrap: int | None) -> Content:
    body = Content.styled(text, f"{style} reverse" if highlighted else style)
    return hang("  ", body, wrap)


def render_explained(record: Any, now: float, ctx: PaneContext | None = None, *,
                     explain: bool = False) -> tuple[Content, int | None]:
    """The pane's text and, with `explain`, the line where the explained restart's
    evidence starts (to scroll to)."""
    wrap = ctx.width if ctx is not None else None
    pod = d(record.obj)
    containers = containers_in_start_order(pod)
    if not containers:
        return Content.styled("The pod lists no containers.", "$text-muted"), None
    target = explained(record, now) if explain else None
    lines: list[Content] = []
    anchor: int | None = None

    def mark() -> int:
        return sum(c.plain.count("\n") + 1 for c in lines)

    if target is not None and not target.container:  # the pod as a whole
        anchor = mark()
        lines.append(_headline(pod_summary(target), _severity_style(target, now), True, wrap))
        lines += evidence_lines(target, wrap)
        lines.append(Content(""))
    for i, (name, kind, spec, cs) in enumerate(containers):
        if i:
            lines.append(Content(""))
        header = line((name, "bold"), "  ", (f"[{kind}]", _KIND_STYLE.get(kind, "")), "  ")
        lines.append(hang(header, Content.styled(s(spec.get("image")) or s(d(cs).get("image")), "$text-muted"), wrap))
        why = container_line(record, name, now)
        if why is not None:
            mine = target is not None and target.container == name
            if mine:
                anchor = mark()
            lines.append(_headline(why, _severity_style(_behind_line(record, name, now), now), mine, wrap))
            if mine:
                lines += evidence_lines(target, wrap)
        elif target is not None and target.container == name:  # a final termination: no one-liner
            anchor = mark()
            lines.append(_headline(f"{target.kind}: {target.summary}", _severity_style(target, now), True, wrap))
            lines += evidence_lines(target, wrap)
        if cs is None:
            lines.append(kv("", (_no_status(pod), "$text-muted"), wrap=wrap))
            continue
        lines += state_lines("State", d(cs.get("state")), now, wrap)
        last_state = d(cs.get("lastState"))
        if last_state:
            lines += state_lines("Last state", last_state, now, wrap)
        lines.append(kv("Ready", [_flag(cs.get("ready")), "   Started ", _flag(cs.get("started")),
                                  f"   Restarts {s(cs.get('restartCount')) or '0'}"]))
        if cs.get("imageID") and cs.get("image") != spec.get("image"):
            lines.append(kv("Image", s(cs.get("image")), wrap=wrap))
    return join_lines(lines), anchor


def render(record: Any, now: float, ctx: PaneContext | None = None, *, explain: bool = False) -> Content:
    return render_explained(record, now, ctx, explain=explain)[0]


class ContainersPane(Pane):
    KEY = "containers"
    TITLE = "Containers"
    SHORT = "Ctrs"
    TICKS = True  # "since 5m ago"

    def __init__(self) -> None:
        super().__init__()
        self.explain = False  # `x`: the last restart's evidence shown and scrolled to
        self._scroll_pending = False

    def options_key(self) -> tuple:
        return (self.explain,)

    def set_explain(self, on: bool) -> None:
        self.explain = on
        self._scroll_pending = on
        self.invalidate()

    def build(self, record: Any, now: float, ctx: PaneContext) -> Content:
        content, anchor = render_explained(record, now, ctx, explain=self.explain)
        if self._scroll_pending and anchor is not None:
            self.anchor = max(0, anchor - 1)  # the container's header stays in sight
            self._scroll_pending = ctx.width is None  # again once wrapped to its real width
        return content
