"""The main table's NEXT column: the one thing that happens next to a pod, and when.

The most pressing fact wins, in this order: a tombstone; a deletion (held by
finalizers, or the SIGKILL countdown); a finished pod (a Failed one says why it ended,
a Succeeded one nothing); the scheduler's verdict; a passed activeDeadlineSeconds (the
kubelet fails the pod and restarts nothing); a postStart hook the kubelet is running; a
restart or image-pull back-off (or a postStart hook's failure, until the kubelet's next
sync restarts the container or backs off); a probe streak (and the kill a liveness or
startup one leads to); the activeDeadlineSeconds countdown; a readiness gate. Countdowns
round up, so "in 0s" never shows before the moment is due.
"""

from __future__ import annotations

import math
import re

from podtui.lifecycle import explain
from podtui.lifecycle.backoff import restart_waits, restarts_over
from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.history import exit_text
from podtui.lifecycle.hooks import post_start_failed, post_start_hook
from podtui.lifecycle.probes import counts_as_failure, probe_states, streak_fraction
from podtui.lifecycle.records import NextStep
from podtui.lifecycle.termination import active_deadline, termination
from podtui.lifecycle.read import as_dict as _d

INFO, WARNING, ERROR = "info", "warning", "error"
_DEADLINE_SOON = 300.0  # an activeDeadlineSeconds countdown under 5 minutes is a warning


def countdown(due: float, now: float) -> str:
    """Seconds until `due`, kubectl-style ("37s", "4m12s", "70m"), rounded up."""
    return human_duration(max(0, math.ceil(due - now)))


def _condition(status: dict, ctype: str) -> dict | None:
    conditions = status.get("conditions")
    for c in conditions if isinstance(conditions, list) else ():
        if isinstance(c, dict) and c.get("type") == ctype:
            return c
    return None


def _ready_containers(status: dict) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for key in ("initContainerStatuses", "containerStatuses"):
        items = status.get(key)
        for cs in items if isinstance(items, list) else ():
            if isinstance(cs, dict) and isinstance(cs.get("name"), str):
                out[cs["name"]] = cs.get("ready") is True
    return out


# Why a Failed pod ended, by explain's cause: a few words; the `x` command has the rest.
_ENDED = {explain.DEADLINE: "deadline passed", explain.PREEMPTION: "preempted",
          explain.NODE_SHUTDOWN: "node shutdown", explain.NODE_LOST: "node lost"}
_HOW = {explain.OOM: "OOMKilled", explain.LIVENESS: "liveness kill", explain.STARTUP: "startup kill",
        explain.POST_START_HOOK: "postStart failed"}
_POD_CAUSES = {*_ENDED, explain.EVICTION, explain.DELETED}  # the pod ended as a whole: not by a container
_LOW_ON = re.compile(r"low on resource: ([\w.-]*\w)")
# Over its own local storage limits (eviction_manager's local storage messages), not node pressure.
_OVER_STORAGE = re.compile(r"ephemeral local storage|ephemeral storage limit|EmptyDir volume")


def ended_step(record) -> NextStep | None:
    """Why a Failed pod ended ("evicted: memory", "deadline passed", "failed: app exit
    1"), as the `x` command explains it; None for a Succeeded pod, or a cause unknown.
    explain caches its answer per pod version (asked without a now, which only words its
    "unknown" case), so the NEXT column asks it once per ended pod version shown, not
    every second; a NEXT sort, wanting due times only, never asks it (next_due)."""
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    if _d(pod.get("status")).get("phase") != "Failed":
        return None
    exs = explain.restart_explanations(record)
    for ex in exs:
        if ex.kind != explain.KIND_DISRUPTION:
            continue
        if ex.cause == explain.EVICTION:
            # The kubelet's message names the pressure: "The node was low on resource: memory. ..."
            m = _LOW_ON.search(ex.message) or _LOW_ON.search(ex.summary)
            what = m.group(1) if m else "ephemeral-storage" if _OVER_STORAGE.search(ex.message) else ""
            return NextStep(f"evicted: {what}" if what else "evicted", severity=ERROR)
        if ex.cause in _ENDED:
            return NextStep(_ENDED[ex.cause], severity=ERROR)
    for ex in exs:  # oldest first: the container whose end failed the pod
        if ex.kind == explain.KIND_TERMINATION and ex.container and ex.cause not in _POD_CAUSES:
            how = _HOW.get(ex.cause) or exit_text(ex.exit_code, ex.signal)
            return NextStep(f"failed: {ex.container} {how}", severity=ERROR)
    return None


def next_due(record, now: float) -> float | None:
    """When the pod's next step is due, for a NEXT sort over every pod: next_step
    without the wording of an ended pod, which is never due (explain for each Failed pod
    took 0.4 s over 10,000 and thrashed its cache, the detail panes' too)."""
    step = next_step(record, now, due_only=True)
    return step.due_at if step is not None else None


def pull_running_text(b, now: float) -> str:
    """An image back-off's retry under way (BackoffInfo.pulling_since): "pull retry
    running for 2s", NEXT's words and the Back-off pane's."""
    return f"pull retry running for {human_duration(max(0.0, now - b.pulling_since))}"


def next_step(record, now: float, *, due_only: bool = False) -> NextStep | None:
    """due_only: only the step's due_at is read (next_due); the texts may be left out."""
    if getattr(record, "deleted_at", None) is not None:
        return NextStep("deleted", severity=INFO)
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    status = _d(pod.get("status"))

    # termination() reads the whole pod (preStop hooks, disruption, finalizers): only a
    # pod being deleted needs it here, and a NEXT sort asks this of every pod.
    if _d(pod.get("metadata")).get("deletionTimestamp"):
        term = termination(record, now)
        if term.waiting_on_finalizers:
            n = len(term.finalizers)
            text = "waiting on finalizer" if n == 1 else f"waiting on {n} finalizers"
            if term.held_since is not None and now >= term.held_since:
                # A controller's cleanup takes seconds; hours is a stuck pod.
                text += f" for {human_duration(now - term.held_since)}"
            return NextStep(text, severity=WARNING)
        if term.status_reason == "NodeLost":
            # No kubelet answers from that node: nothing sends the SIGKILL a countdown would promise.
            return NextStep("node unreachable", severity=ERROR)
        if term.kill_at is not None:
            if now < term.kill_at:
                return NextStep(f"SIGKILL in {countdown(term.kill_at, now)}", due_at=term.kill_at, severity=WARNING)
            # Time since, not until: rounded down, as AGE and the panes count it.
            return NextStep(f"past grace by {human_duration(now - term.kill_at)}", due_at=term.kill_at,
                            severity=ERROR)
        return NextStep("terminating", severity=WARNING)

    if status.get("phase") in ("Succeeded", "Failed"):
        return None if due_only else ended_step(record)

    scheduled = _condition(status, "PodScheduled")
    if scheduled is not None and scheduled.get("status") == "False":
        if scheduled.get("reason") == "SchedulingGated":
            return NextStep("scheduling gated", severity=WARNING)
        return NextStep("unschedulable", severity=ERROR)

    deadline_at = active_deadline(pod)
    if deadline_at is not None and now >= deadline_at:
        return NextStep("deadline passed", due_at=deadline_at, severity=ERROR)

    # The pod's worker waits for the hook: nothing else of the pod starts meanwhile, and
    # the back-off the status still shows has been served ("restart due" for seconds).
    hook = post_start_hook(record)
    if hook is not None:
        # Due when it started (the restart it follows came then): a NEXT sort keeps the pod
        # where its back-off had it, not at the bottom for the hook's seconds.
        return NextStep(hook.text(now), due_at=hook.started, severity=hook.severity)

    # Asked once for back-offs, the just crashed and the probes alike, with the deadline above.
    over = restarts_over(record, now, deadline_at)
    waits, crashed = restart_waits(record, now, over)
    pending = [b for b in waits if b.next_at is not None or b.reset_at is None] + crashed
    if pending:
        b = min(pending, key=lambda b: b.next_at if b.next_at is not None else math.inf)
        what = "restart" if b.kind == "crash" else "pull retry"
        if b.pulling_since is not None:  # the retry runs; the status says ImagePullBackOff until it fails
            # Still the back-off's step: its due time and colour, or a NEXT sort moved the
            # pod to the bottom and back, and its colour to a warning, at every retry.
            return NextStep(pull_running_text(b, now), due_at=b.next_at, severity=ERROR)
        if b.next_at is None:
            return NextStep("crash loop" if b.kind == "crash" else "image pull back-off", severity=ERROR)
        if now < b.next_at:
            # In the Error before CrashLoopBackOff the delay is podtui's estimate, not the kubelet's word.
            about = "~" if b in crashed else ""
            return NextStep(f"{what} in {about}{countdown(b.next_at, now)}", due_at=b.next_at, severity=ERROR)
        return NextStep(f"{what} due", due_at=b.next_at, severity=ERROR)
    # Killed for its hook, until the kubelet's next sync restarts it or says CrashLoopBackOff.
    if post_start_failed(record):
        return NextStep("postStart hook failed", severity=ERROR)

    # A streak is made of failed-probe Events only: without one, no probe is failing.
    failing = [p for p in probe_states(record, now, over) if p.streak > 0] \
        if any(counts_as_failure(ev) for ev in getattr(record, "events", ())) else []
    if failing:
        ready = _ready_containers(status)
        # Liveness and startup kill; readiness only matters while it changes something.
        order = {"liveness": 0, "startup": 1, "readiness": 2}
        failing.sort(key=lambda p: (order.get(p.settings.type, 3), -(p.streak / p.settings.failure_threshold)))
        p = failing[0]
        if p.settings.type == "readiness" and not ready.get(p.settings.container, False):
            # Already unready: reaching the threshold changes nothing, so no count and
            # no due time ("2/3" read as if something came at 3/3). The worker keeps
            # probing; successThreshold passes in a row make it ready, at no time known.
            n = p.settings.success_threshold
            return NextStep("ready when readiness passes" if n <= 1 else f"ready after {n} readiness passes in a row",
                            severity=WARNING)
        if p.settings.type != "readiness" or p.streak < p.settings.failure_threshold:
            text = f"{p.settings.type} {streak_fraction(p)}"
            if p.settings.type != "readiness" and p.acts_at is not None:
                # What the streak leads to, when: the probe's timing is podtui's estimate.
                text += f", kill in ~{countdown(p.acts_at, now)}" if now < p.acts_at else ", kill due"
            return NextStep(text, due_at=p.acts_at, severity=WARNING)

    if deadline_at is not None:
        left = deadline_at - now
        return NextStep(f"deadline in {countdown(deadline_at, now)}", due_at=deadline_at,
                        severity=WARNING if left < _DEADLINE_SOON else INFO)

    ready_cond = _condition(status, "Ready")
    if ready_cond is not None and ready_cond.get("reason") == "ReadinessGatesNotReady":
        return NextStep("waiting on readiness gate", severity=INFO)
    return None
