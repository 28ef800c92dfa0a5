"""NEXT while the kubelet runs a postStart hook.

startContainer (pkg/kubelet/kuberuntime/kuberuntime_container.go) records the Started
Event, then runs the hook synchronously inside the pod's sync; the status written at
that sync's start still shows the old state (ContainerCreating, CrashLoopBackOff) until
the hook returns. A Started Event newer than the container's last end while its status
says it isn't running is what a client can see of it: NEXT says the hook runs, not
"restart due" for the hook's whole length.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle import explain
from podtui.lifecycle.columns import pod_row
from podtui.lifecycle.hooks import PostStartHook, post_start_hook
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.store import Store
from podtui.lifecycle.times import format_ts, parse_ts
from tests.explain.timer_accuracy import record_scenario

T0 = 1_714_557_600.0
HOOK = {"postStart": {"exec": {"command": ["/bin/sh", "-c", "/app/warmup.sh"]}}}


def ts(offset: float) -> str:
    return format_ts(T0 + offset)


def event(reason: str, last: float, container: str = "app", count: int = 1) -> EventRecord:
    return EventRecord(uid=f"ev-{reason}", namespace="demo", name=f"p.{reason}", type="Normal", reason=reason,
                       message="", first=T0 - 300, last=T0 + last, count=count,
                       field_path=f"spec.containers{{{container}}}", container=container, source="kubelet",
                       involved_kind="Pod", involved_namespace="demo", involved_name="p", involved_uid="u1")


def pod(state: dict, last_finished: float | None = -25, restarts: int = 2, hook: bool = True) -> dict:
    cs = {"name": "app", "ready": False, "started": False, "restartCount": restarts, "state": state}
    if last_finished is not None:
        cs["lastState"] = {"terminated": {"exitCode": 137, "reason": "Error", "startedAt": ts(last_finished - 2),
                                          "finishedAt": ts(last_finished)}}
    container = {"name": "app", "image": "app:1", **({"lifecycle": HOOK} if hook else {})}
    return {"metadata": {"name": "p", "namespace": "demo", "uid": "u1"},
            "spec": {"restartPolicy": "Always", "containers": [container]},
            "status": {"phase": "Running", "startTime": ts(-600), "containerStatuses": [cs]}}


BACKING_OFF = {"waiting": {"reason": "CrashLoopBackOff",
                           "message": "back-off 20s restarting failed container=app pod=p_demo(u1)"}}
CREATING = {"waiting": {"reason": "ContainerCreating"}}


def text(obj: dict, events=(), now: float = T0):
    step = next_step(SimpleNamespace(obj=obj, row=pod_row(obj), events=list(events), deleted_at=None, ladders={},
                                     uid=None), now)
    return (step.text, step.severity) if step is not None else None


@pytest.mark.parametrize("obj, events, want", [
    # The back-off (20s from -25) was served at -5; started at -3, the status still says CrashLoopBackOff.
    (pod(BACKING_OFF), [event("Started", -3, count=3)], ("postStart hook running for 3s", "warning")),
    # The hook failed: the kubelet kills the container; its exit is not in the status yet.
    (pod(BACKING_OFF), [event("Started", -3, count=3), event("FailedPostStartHook", -1, count=3)],
     ("postStart hook failed", "error")),
    # The first start: ContainerCreating until the hook returns (a hook that hangs, for as long).
    (pod(CREATING, last_finished=None, restarts=0), [event("Started", -75)], ("postStart hook running for 75s", "info")),
    # The controls: no start since the last end, or no hook, or no word of when it last ended.
    (pod(BACKING_OFF), [event("Started", -27, count=2)], ("restart due", "error")),
    (pod(BACKING_OFF, hook=False), [event("Started", -3, count=3)], ("restart due", "error")),
    (pod(BACKING_OFF, last_finished=None), [event("Started", -3, count=3)], ("crash loop", "error")),
    (pod(BACKING_OFF), [event("Started", -3, container="other")], ("restart due", "error")),
    (pod({"running": {"startedAt": ts(-3)}}), [event("Started", -3, count=3)], None),
])
def test_a_hook_under_way_is_said_not_the_restart_it_follows(obj, events, want):
    assert text(obj, events) == want


HOOK_ERROR = {"waiting": {"reason": "PostStartHookError", "message": "Exec lifecycle hook ... exited with 1"}}


def ran(obj: dict, seconds: float) -> dict:
    """The instance in lastState as having run `seconds` before it ended."""
    term = obj["status"]["containerStatuses"][0]["lastState"]["terminated"]
    term["startedAt"] = format_ts(parse_ts(term["finishedAt"]) - seconds)
    return obj


@pytest.mark.parametrize("obj, events, want", [
    # The first crash is restarted at once (no back-off yet), in the second the killed
    # instance ended: the new instance's hook runs while the status shows the old one's error.
    (ran(pod(HOOK_ERROR, last_finished=-2, restarts=0), 3),
     [event("FailedPostStartHook", -3), event("Started", -2, count=2)], ("postStart hook running for 2s", "warning")),
    (ran(pod(HOOK_ERROR, last_finished=-2, restarts=0), 3),
     [event("Started", -2, count=2), event("FailedPostStartHook", -1, count=2)], ("postStart hook failed", "error")),
    # No newer start: the hook failed and the kubelet killed the container; it restarts it.
    (ran(pod(HOOK_ERROR, last_finished=-2, restarts=0), 3), [event("Started", -5), event("FailedPostStartHook", -3)],
     ("postStart hook failed", "error")),
    # An instance that ran under 2s: the Started Event of its second may be its own.
    (ran(pod(HOOK_ERROR, last_finished=-2, restarts=0), 1), [event("Started", -2)], ("postStart hook failed", "error")),
    # In back-off the restart comes 10s after the end at least: a Started Event in the
    # second of the end is the ended instance's own.
    (ran(pod(BACKING_OFF, last_finished=-2), 0), [event("Started", -2, count=3)], ("restart in 18s", "error")),
])
def test_a_restart_in_the_second_its_last_instance_ended_is_seen(obj, events, want):
    assert text(obj, events) == want


def test_a_failure_before_the_start_is_an_earlier_instances():
    # FailedPostStartHook of the instance that ended at -25; the new start's hook runs.
    events = [event("FailedPostStartHook", -27, count=2), event("Started", -3, count=3)]
    assert text(pod(BACKING_OFF), events) == ("postStart hook running for 3s", "warning")


def test_the_one_check_names_the_container_when_it_started_and_failed():
    """What NEXT, the Containers line and the Back-off pane all word the hook from."""
    rec = SimpleNamespace(obj=pod(BACKING_OFF), events=[event("Started", -3, count=3),
                                                       event("FailedPostStartHook", -1, count=3)])
    assert post_start_hook(rec) == post_start_hook(rec, "app") == PostStartHook("app", T0 - 3, T0 - 1, restart=True)
    assert post_start_hook(rec, "sidecar") is None


SCENARIO = """
pods:
  - name: poststart-fail
    namespace: demo
    spec:
      containers:
        - name: app
          image: ghcr.io/example/app:3.0.2
          lifecycle:
            postStart:
              exec: {command: [/bin/sh, -c, /app/warmup.sh]}
    behavior:
      app: {pull: 2s, post_start: 2s, post_start_error: "warmup: cannot reach cache"}
"""


def replay_poststart_fail(seconds: float = 70, step: float = 0.25, spam_burst: int | None = None):
    """The demo's poststart-fail pod (a 2s hook, failing), watched with a quarter
    second's lag: (now, its record) at every step. spam_burst: the kubelet's Event spam
    filter lets that many Events of a reason through, then one per 5 minutes."""
    scenario = SCENARIO if spam_burst is None else SCENARIO + f"events: {{spam_burst: {spam_burst}}}\n"
    changes = record_scenario(scenario, seconds, step=step, start=T0)
    clock = ManualClock(T0)
    store = Store(clock)
    i, t = 0, T0
    while t < T0 + seconds:
        t += step
        clock.set(t)
        while i < len(changes) and changes[i].observed <= t:
            store.apply(changes[i])
            i += 1
        yield t, store.by_name("demo", "poststart-fail")


def test_the_demo_poststart_fail_pod_reads_its_hook_not_restart_due():
    """The demo kubelet's 2s hook: "restart due" only until the Started Event arrives
    (was: until the hook's failure reached the status)."""
    step = 0.25
    shown: list[tuple[float, str | None]] = []
    for t, rec in replay_poststart_fail(step=step):
        got = next_step(rec, t) if rec is not None else None
        shown.append((t - T0, got.text if got is not None else None))
    runs: list[tuple[str | None, float]] = []  # (text, how long it showed)
    for _, said in shown:
        if runs and runs[-1][0] == said:
            runs[-1] = (said, runs[-1][1] + step)
        else:
            runs.append((said, step))
    assert sum(1 for said, _ in runs if said == "postStart hook failed") >= 3, runs  # the first start and two restarts
    assert any(said == "postStart hook running for 2s" for said, _ in runs), runs
    assert max(long for said, long in runs if said == "restart due") <= 2 * step, runs


def test_the_demo_poststart_fail_pod_always_has_a_next_once_its_hook_first_ran():
    """From the first Started Event on, NEXT always says something: the first crash's
    restart comes at once, its hook running while the status still shows the first
    instance's PostStartHookError (was blank ~4 s), and each PostStartHookError before
    the kubelet's next sync says CrashLoopBackOff (was blank ~1 s). A hook's running
    time never goes backwards but across a failure."""
    said: list[tuple[float, str | None]] = []
    for t, rec in replay_poststart_fail():
        got = next_step(rec, t) if rec is not None else None
        if said or got is not None:
            said.append((t - T0, got.text if got is not None else None))
    assert said and all(words is not None for _, words in said), [s for s in said if s[1] is None]
    running = re.compile(r"postStart hook running for (\d+)s$")
    for (_, a), (t, b) in zip(said, said[1:]):
        ma, mb = running.match(a), running.match(b)
        assert not (ma and mb) or int(mb.group(1)) >= int(ma.group(1)), (t, a, b)
    assert sum(1 for (_, a), (_, b) in zip(said, said[1:])
               if b == "postStart hook running for 0s" and a != b) >= 3, said  # first start, at once, the back-off's


def test_a_crash_loop_whose_events_the_spam_filter_stopped_claims_no_hook_for_longer_than_it_ran():
    """Once the spam filter lets no more Started or FailedPostStartHook Events through
    (here after the first of each), the check has only old Events: NEXT and the
    Containers pane's line must not word an earlier hook as one running or failing
    now, for the whole back-off. The demo's hook runs 2s and the kill 1s, and the first
    crash's restart comes at once: a hook wording lasts two of those (6s) at most."""
    step = 0.25
    runs: dict[str, list[list]] = {"NEXT": [], "pane": []}  # [hook wording or None, first seen, last seen]
    for t, rec in replay_poststart_fail(seconds=240, step=step, spam_burst=1):
        if rec is None:
            continue
        got = next_step(rec, t)
        for source, words in (("NEXT", got.text if got is not None else ""),
                              ("pane", explain.last_restart_line(rec, t) or "")):
            # The pane's line says the crash's cause ("...: postStart hook failed (...)") before a started
            # restart's hook ("; restart #2 started, postStart hook running for 1s"), else after its head.
            words = words.split(" started, ", 1)[1] if " started, " in words else words.split(": ")[0]
            hook = "hook running" if "hook running" in words else "hook failed" if "hook failed" in words else None
            seen = runs[source]
            if seen and seen[-1][0] == hook:
                seen[-1][2] = t
            else:
                seen.append([hook, t, t])
    hooks = {source: [round(last - first + step, 2) for hook, first, last in seen if hook] for source, seen in runs.items()}
    assert hooks["NEXT"] and max(hooks["NEXT"] + hooks["pane"]) <= 6.0, hooks
    assert sum(1 for hook, _, _ in runs["NEXT"] if hook is None) >= 4, runs  # the loop went on: back-offs of 10..80s
