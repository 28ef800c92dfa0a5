"""Restart back-off: where each container is on the kubelet's ladder and when it next
tries (measured from the kubelet's own message, or estimated)."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.lifecycle import backoff as model
from podtui.lifecycle.hooks import post_start_hook
from podtui.lifecycle.nextstep import pull_running_text
from podtui.lifecycle.termination import termination
from podtui.lifecycle.times import go_duration
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import clock_time, countdown, elapsed, join_lines, kv, line

_JUST_EXITED = "exited; crash loop back-off comes next (CrashLoopBackOff)"
_EXITED_AFTER_RESET = "exited after running 10m: restarted without back-off"
_KIND_TEXT = {"crash": "crash loop back-off (CrashLoopBackOff)", "image": "image pull back-off (ImagePullBackOff)"}


def ladder(initial: float, cap: float) -> list[float]:
    """10s 20s 40s 80s 160s 300s: the delays a container climbs through."""
    if initial <= 0 or cap <= 0:
        return []
    steps = [initial]
    while steps[-1] < cap and len(steps) < 40:
        steps.append(min(cap, steps[-1] * 2))
    return steps


def ladder_line(info: Any) -> Content:
    parts: list[Content] = []
    current = min(max(0, int(info.step)), 10_000)
    steps = ladder(float(info.initial), float(info.cap))
    for i, delay in enumerate(steps):
        text = go_duration(delay)
        on_it = i == current or (i == len(steps) - 1 and current >= len(steps))
        parts.append(Content.styled(f"[{text}]", "bold $status-backoff") if on_it
                     else Content.styled(text, "$text-muted"))
    return Content(" ").join(parts)


def next_try(info: Any, now: float) -> Content:
    what = "next restart" if info.kind == "crash" else "next pull"
    if getattr(info, "pulling_since", None) is not None:  # NEXT's words, from the same check
        return line((pull_running_text(info, now), "bold $next-error"),
                    (f"  since {clock_time(info.pulling_since)} (Event Pulling); the status says "
                     "ImagePullBackOff until it fails", "$text-muted"))
    if info.next_at is None:
        if info.reset_at is not None:
            return line(("running; a crash now would wait ", "$text-muted"), go_duration(info.delay))
        return line((f"{what}: unknown", "$text-muted"), " (no finish time seen)")
    left = info.next_at - now
    basis = ("measured", "$text-success") if info.measured else ("estimated", "$text-warning")
    if left > 0:
        return line((f"{what} in {countdown(left)}", "bold $next-warning"),
                    f" at {clock_time(info.next_at)}  ", basis)
    return line((f"{what} due now", "bold $next-error"), f" (overdue {elapsed(-left)})  ", basis)


def hook_line(hook: Any, now: float) -> Content:
    """The restart the back-off asked for, under way: the status shows the served
    back-off until its postStart hook returns (NEXT's words, from the same check)."""
    if hook.failed_at is not None:
        ran = f", ran {elapsed(hook.failed_at - hook.started)}" if hook.failed_at > hook.started else ""
        return line((hook.text(now), "bold $next-error"),
                    (f"  restarted {clock_time(hook.started)}{ran}; the kubelet kills it", "$text-muted"))
    return line((hook.text(now), "bold $next-warning"), (f"  restarted {clock_time(hook.started)}", "$text-muted"))


def reset_text(info: Any, now: float) -> Any:
    if info.reset_at is not None:
        left = info.reset_at - now
        return (f"if it keeps running: resets in {countdown(left)} (at {clock_time(info.reset_at)})"
                if left > 0 else "reset: ran long enough")
    if info.kind == "image":
        # client-go's Backoff starts over once an entry has gone 2 x cap without a failed pull.
        return (f"after {go_duration(2 * info.cap)} without a failed pull", "$text-muted")
    return ("after an instance runs 10m without crashing", "$text-muted")


def instead(record: Any, now: float) -> str:
    """What ends a pod whose restarts are over, as its own timer says: "SIGKILL in 12s"."""
    term = termination(record, now)
    if term.removed_at is not None:
        return ""
    if term.waiting_on_finalizers:
        return "the containers are done; finalizers hold the object"
    if term.status_reason == "NodeLost":
        return "its node is unreachable"
    if term.kill_at is not None:
        return f"SIGKILL in {countdown(term.kill_at - now)}" if term.kill_at > now else "its grace period has run out"
    return ""


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    over = model.restarts_over(record, now)
    crashed: list[Any] = []
    if over is None:
        # NEXT's own call: a container that just exited (Error, before the kubelet's sync
        # says CrashLoopBackOff) has its restart estimated there, so it is shown here too.
        infos, crashed = model.restart_waits(record, now, over)
        infos = infos + crashed
    else:
        infos = [b for b in model.backoffs_left(record, now) if b.reset_at is None]
    if not infos:
        return Content.styled("No container is in restart or image-pull back-off.", "$text-muted")
    blocks = []
    if over is not None:
        then = instead(record, now)
        # The kubelet restarts nothing once a pod's life is ending (ShouldContainerBeRestarted).
        blocks.append(line(("No restart or pull retry comes: ", "bold $next-error"),
                           over.why + (f"; {then}" if then else "")))
    for info in infos:
        kind = _KIND_TEXT.get(info.kind, info.kind)
        if info in crashed:
            # delay 0: the instance ran RESET_AFTER, so the ladder starts over with no wait.
            kind = _JUST_EXITED if info.delay else _EXITED_AFTER_RESET
        lines = [line((info.container, "bold"), "  ", (kind, "$status-backoff"))]
        if info.delay or info not in crashed:
            lines.append(kv("delay", line((go_duration(info.delay), "bold"),
                                          f"  (step {int(info.step) + 1}; curve {go_duration(info.initial)}"
                                          f" doubling to {go_duration(info.cap)})")))
            lines.append(kv("ladder", ladder_line(info)))
        if over is not None:
            lines.append(kv("when", ("never: the back-off is moot", "$text-muted")))
        else:
            hook = post_start_hook(record, info.container) if info.kind == "crash" else None
            if hook is not None and hook.restart:
                lines.append(kv("when", hook_line(hook, now), wrap=ctx.width if ctx is not None else None))
            else:
                # A running pull's line says why the status disagrees: long, wrapped as the hook's is.
                running = getattr(info, "pulling_since", None) is not None and ctx is not None
                lines.append(kv("when", next_try(info, now), wrap=ctx.width if running else None))
            lines.append(kv("reset", reset_text(info, now)))
        if info.message:
            lines.append(kv("kubelet", (info.message, "$text-muted"), wrap=ctx.width if ctx is not None else None))
        blocks.append(join_lines(lines))
    return Content("\n\n").join(blocks)


class BackoffPane(Pane):
    KEY = "backoff"
    TITLE = "Back-off"
    SHORT = "Backoff"
    TICKS = True
    RENDER = staticmethod(render)
