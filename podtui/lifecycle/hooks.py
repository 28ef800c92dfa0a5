"""A postStart hook the kubelet is running, or has just seen fail, which the pod's status
does not show yet. NEXT, the detail title, the Containers line and the Back-off pane
all word it from the one check here, so none of them says "restart due" meanwhile.

startContainer (pkg/kubelet/kuberuntime/kuberuntime_container.go) records the Started
Event, then runs the hook synchronously inside the pod's sync; the status written at
that sync's start still shows the old state (ContainerCreating, CrashLoopBackOff, the
exit) until the hook returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.history import finished_at
from podtui.lifecycle.read import as_dict as _d, as_int as _i, as_list as _l, container_statuses
from podtui.lifecycle.times import parse_ts

# An instance's own Started Event is written as it starts: in its startedAt's second or
# the next. One in the second the instance ended, this long after its start, is a newer one's.
_OWN_START_SLACK = 2.0


@dataclass(frozen=True, slots=True)
class PostStartHook:
    container: str
    started: float  # the Started Event's time: the hook runs from then
    failed_at: float | None  # a FailedPostStartHook since: the kubelet is killing what it started
    restart: bool  # an earlier instance ended (a back-off's restart), else its first start

    def text(self, now: float) -> str:
        """What NEXT says: "postStart hook running for 3s", "postStart hook failed"."""
        if self.failed_at is not None:
            return "postStart hook failed"
        return f"postStart hook running for {human_duration(max(0.0, now - self.started))}"

    @property
    def severity(self) -> str:
        # A first start's hook is the pod coming up; a restart's follows a crash.
        return "error" if self.failed_at is not None else "warning" if self.restart else "info"


def _hooked(pod: dict) -> list[str]:
    """The containers with a lifecycle.postStart hook (sidecars may have one too)."""
    spec = _d(pod.get("spec"))
    return [c["name"] for key in ("initContainers", "containers") for c in _l(spec.get(key))
            if isinstance(c, dict) and isinstance(c.get("name"), str) and _d(c.get("lifecycle")).get("postStart")]


def post_start_hook(record, container: str | None = None) -> PostStartHook | None:
    """The hook under way of `container` (else of the first such container): a Started
    Event newer than the container's last end, while its status says it isn't running,
    is a start under way; a FailedPostStartHook after it, a kill under way.

    Event times have whole seconds. A restart in the second its last instance ended is
    one no back-off held (the first crash's, the kubelet's hook failure included, comes
    at once): its Started Event is told from the ended instance's own when that instance
    ran _OWN_START_SLACK or more, and never while the status says CrashLoopBackOff (that
    restart comes 10s after the end at least)."""
    events = getattr(record, "events", ())
    if not events:
        return None
    pod = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    hooked = _hooked(pod)
    if container is not None:
        hooked = [name for name in hooked if name == container]
    if not hooked:
        return None
    statuses = container_statuses(pod)
    for name in hooked:
        cs = statuses.get(name)
        state = _d(cs.get("state")) if cs is not None else {}
        if cs is None or isinstance(state.get("running"), dict):
            continue
        ends = [(e, s) for s in (state, _d(cs.get("lastState"))) if (e := finished_at(s)) is not None]
        ended, last = max(ends, key=lambda end: end[0], default=(None, None))
        if ended is None and (_i(cs.get("restartCount")) or 0) > 0:
            continue  # it ran before, and no status says when it ended: a Started Event may be old
        mine = [ev for ev in events if ev.container == name and ev.last is not None
                and (ended is None or ev.last > ended)]
        started = max((ev.last for ev in mine if ev.reason == "Started"), default=None)
        if started is None and ended is not None and _restarted_at_once(last, state, ended) and any(
                ev.container == name and ev.reason == "Started" and ev.last == ended for ev in events):
            started = ended
        if started is None:
            continue
        failed = max((ev.last for ev in mine if ev.reason == "FailedPostStartHook" and ev.last >= started),
                     default=None)
        return PostStartHook(name, started, failed, restart=ended is not None)
    return None


def _restarted_at_once(last: dict, state: dict, ended: float) -> bool:
    """Whether a Started Event in the second the instance `last` (a terminated state)
    ended can be a newer instance's (see post_start_hook)."""
    if _d(state.get("waiting")).get("reason") == "CrashLoopBackOff":
        return False
    began = parse_ts(_d(last.get("terminated")).get("startedAt"))
    return began is not None and ended - began >= _OWN_START_SLACK


def post_start_failed(record) -> bool:
    """A container killed for its failed hook and not yet restarted: the pod's STATUS
    (kubectl's, the row's) is PostStartHookError, a waiting reason the kubelet sets only
    on a container it will restart, until its next sync restarts it or backs off. From
    the row: NEXT asks this of every pod and reads the statuses once (restart_waits)."""
    return str(getattr(getattr(record, "row", None), "status", "")).endswith("PostStartHookError")
