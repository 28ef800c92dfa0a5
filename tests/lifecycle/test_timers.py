"""The timer rules on their own: back-off ladder and curve inference, probe event
reading, Event normalisation, termination and the NEXT column's priorities."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from podtui.lifecycle.backoff import Ladder, backoffs, crash_delay, crash_message_delay, infer_curve, just_crashed, learn
from podtui.lifecycle.events import container_from_field_path, normalize_event
from podtui.lifecycle.nextstep import countdown, next_step
from podtui.lifecycle.probes import counts_as_failure, effective_probes, handler_text, probe_states, probe_type_of
from podtui.lifecycle.history import History, diff
from podtui.lifecycle.records import CONTAINER_STATE, READY, RESTART, EventRecord, Transition
from podtui.lifecycle.termination import termination
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0


def ts(offset: float) -> str:
    return format_ts(T0 + offset)


def record(pod: dict, events=(), deleted_at=None, ladders=None):
    return SimpleNamespace(obj=pod, events=list(events), deleted_at=deleted_at, ladders=ladders or {})


# -- back-off


@pytest.mark.parametrize("message, seconds", [
    ("back-off 10s restarting failed container=app pod=web-0_shop(u1)", 10.0),
    ("back-off 1m20s restarting failed container=app pod=web-0_shop(u1)", 80.0),
    ("back-off 5m0s restarting failed container=app pod=web-0_shop(u1)", 300.0),
    ("back-off 500ms restarting failed container=app pod=p_ns(u)", 0.5),
    ("Back-off restarting failed container app in pod web-0_shop(u1)", None),  # the Event's text: no figure
    ("back-off soon restarting failed container=app", None),
    ("", None),
])
def test_crash_message_delay(message, seconds):
    assert crash_message_delay(message) == seconds


def ladder(reset_count=0, anchor=None, measured=(), gaps=()):
    lad = Ladder()
    lad.reset_count, lad.anchor = reset_count, anchor
    lad.measured.extend(measured)
    lad.gaps.extend(gaps)
    return lad


@pytest.mark.parametrize("lad, restart_count, initial, cap, delay", [
    (None, 0, 10, 300, 0.0),        # the first crash restarts at once
    (None, 1, 10, 300, 10.0),
    (None, 3, 10, 300, 40.0),
    (None, 6, 10, 300, 300.0),      # 320 capped
    (None, 60, 10, 300, 300.0),
    (ladder(reset_count=5), 5, 10, 300, 0.0),   # the instance that ran > 10 min: immediate
    (ladder(reset_count=5), 7, 10, 300, 20.0),
    (ladder(anchor=(2, 40.0)), 4, 10, 300, 160.0),  # measured 40s at 2 -> 80 -> 160
    (ladder(anchor=(2, 40.0), reset_count=3), 4, 10, 300, 10.0),  # the reset voids the older anchor
    (None, 4, 1, 60, 8.0),
    (None, 9, 1, 60, 60.0),
])
def test_crash_delay(lad, restart_count, initial, cap, delay):
    assert crash_delay(lad, restart_count, initial, cap) == delay


@pytest.mark.parametrize("lad, curve", [
    (None, (10.0, 300.0, False)),
    (ladder(measured=[(1, 10.0), (2, 20.0)]), (10.0, 300.0, False)),
    (ladder(measured=[(3, 4.0)]), (1.0, 60.0, True)),             # ReduceDefaultCrashLoopBackOffDecay
    (ladder(measured=[(5, 60.0), (6, 60.0)]), (10.0, 60.0, True)),  # repeated below 300: a per-node cap
    (ladder(measured=[(5, 100.0)]), (10.0, 100.0, True)),          # off the ladder: a clamp
    (ladder(measured=[(4, 80.0)]), (10.0, 300.0, False)),
    (ladder(gaps=[(3, 2.5)]), (1.0, 60.0, True)),                  # a wait too short for the 10s curve
    (ladder(gaps=[(4, 30.4), (5, 30.1)]), (10.0, 30.0, True)),     # two equal waits: the cap
    (ladder(gaps=[(4, 40.2), (6, 41.0)]), (10.0, 300.0, False)),   # not consecutive: no conclusion
])
def test_infer_curve(lad, curve):
    assert infer_curve(lad) == curve


def test_learn_reads_restarts_and_backoff_messages():
    ladders: dict[str, Ladder] = {}
    learn(ladders, [
        Transition(at=T0, kind=CONTAINER_STATE, subject="app", new="waiting:CrashLoopBackOff",
                   data={"message": "back-off 20s restarting failed container=app pod=p_ns(u)", "restartCount": 2}),
        Transition(at=T0 + 30, kind=RESTART, subject="app", old="2", new="3",
                   data={"restartCount": 3, "startedAt": T0 - 5, "finishedAt": T0, "restartedAt": T0 + 21}),
        Transition(at=T0 + 40, kind=RESTART, subject="app", old="3", new="4",
                   data={"restartCount": 4, "startedAt": T0 + 21, "finishedAt": T0 + 900, "restartedAt": T0 + 901}),
        Transition(at=T0 + 50, kind=CONTAINER_STATE, subject="img", new="waiting:ErrImagePull"),
        Transition(at=T0 + 60, kind=CONTAINER_STATE, subject="img", new="waiting:ErrImagePull"),
    ])
    app = ladders["app"]
    assert list(app.measured) == [(2, 20.0)] and list(app.gaps) == [(2, 21.0)]
    assert app.reset_count == 3 and app.anchor is None  # instance 3 ran 879s: the ladder starts over
    assert ladders["img"].pull_failures == 2 and ladders["img"].last_pull_failure == T0 + 60


def _waiting_pod(reason, message=None, restarts=0, last=None):
    state = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
    cs = {"name": "app", "restartCount": restarts, "state": state}
    if last:
        cs["lastState"] = {"terminated": last}
    return {"spec": {"containers": [{"name": "app"}]}, "status": {"containerStatuses": [cs]}}


def test_image_backoff_resets_after_ten_quiet_minutes():
    lad = ladder()
    lad.pull_failures, lad.last_pull_failure = 5, T0
    rec = record(_waiting_pod("ImagePullBackOff", 'Back-off pulling image "x"'), ladders={"app": lad})
    (b,) = backoffs(rec, T0 + 30)
    assert (b.kind, b.delay, b.next_at) == ("image", 160.0, T0 + 160)
    (b,) = backoffs(rec, T0 + 700)
    assert b.delay == 10.0


@pytest.mark.parametrize("quiet, failures", [(300, 4), (601, 1)])
def test_image_backoff_chain_starts_over_after_twice_the_cap(quiet, failures):
    """flowcontrol.Backoff.Next: an entry not updated for more than 2 x 300s starts again at
    10s, however many failures came before."""
    ladders: dict[str, Ladder] = {}
    pulls = [T0, T0 + 10, T0 + 30, T0 + 30 + quiet]
    learn(ladders, [Transition(at=at, kind=CONTAINER_STATE, subject="app", new="waiting:ErrImagePull") for at in pulls])
    assert ladders["app"].pull_failures == failures
    (b,) = backoffs(record(_waiting_pod("ImagePullBackOff", 'Back-off pulling image "x"'), ladders=ladders), pulls[-1] + 1)
    assert b.delay == 10.0 * 2 ** (failures - 1)

def test_crash_backoff_without_a_finish_time_has_no_due_time():
    rec = record(_waiting_pod("CrashLoopBackOff", None, restarts=2))
    (b,) = backoffs(rec, T0)
    assert (b.delay, b.next_at, b.measured) == (20.0, None, False)
    assert next_step(rec, T0).text == "crash loop"


# -- probes


@pytest.mark.parametrize("probe, text", [
    ({"httpGet": {"path": "/healthz", "port": 8080}}, "http GET :8080/healthz"),
    ({"httpGet": {"path": "/", "port": "https", "scheme": "HTTPS", "host": "10.0.0.1"}}, "https GET 10.0.0.1:https/"),
    ({"exec": {"command": ["sh", "-c", "test -f /ok"]}}, "exec [sh -c test -f /ok]"),
    ({"tcpSocket": {"port": 5432}}, "tcp :5432"),
    ({"grpc": {"port": 9000, "service": "health"}}, "grpc :9000 health"),
    ({}, "unknown handler"),
])
def test_handler_text(probe, text):
    assert handler_text(probe) == text


def test_effective_probes_fill_defaults_and_ignore_nonsense():
    pod = {"spec": {"initContainers": [{"name": "side", "restartPolicy": "Always",
                                        "readinessProbe": {"tcpSocket": {"port": 1}}}],
                    "containers": [{"name": "app", "livenessProbe": {
                        "exec": {"command": ["true"]}, "periodSeconds": 0, "failureThreshold": -2,
                        "timeoutSeconds": True, "initialDelaySeconds": 15, "terminationGracePeriodSeconds": 5}}]}}
    side, app = effective_probes(pod)
    assert (side.container, side.type, side.period, side.failure_threshold) == ("side", "readiness", 10, 3)
    assert (app.period, app.failure_threshold, app.timeout, app.initial_delay, app.termination_grace) == (10, 3, 1, 15, 5)


def ev(reason, message, last=T0, first=None, count=1, container="app", uid=None):
    return EventRecord(uid=uid or f"{reason}{last}", namespace="shop", name="x", type="Warning", reason=reason,
                       message=message, first=first if first is not None else last, last=last, count=count,
                       field_path=f"spec.containers{{{container}}}", container=container, source="kubelet",
                       involved_kind="Pod", involved_namespace="shop", involved_name="web-0", involved_uid="u1")


@pytest.mark.parametrize("event, ptype, counted", [
    (ev("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"), "liveness", True),
    (ev("Unhealthy", "Readiness probe failed: connection refused"), "readiness", True),
    (ev("Unhealthy", "Startup probe errored: rpc error"), "startup", False),
    (ev("Unhealthy", "(combined from similar events): Readiness probe failed: x"), "readiness", True),
    (ev("Unhealthy", "liveness probe failed: old lowercase kubelet"), "liveness", True),
    (ev("ProbeWarning", "Readiness probe warning: redirect"), "readiness", False),
    (ev("Killing", "Container app failed startup probe, will be restarted"), "startup", False),
    (ev("Killing", "Stopping container app"), None, False),
    (ev("BackOff", "Back-off restarting failed container app"), None, False),
])
def test_probe_event_reading(event, ptype, counted):
    assert probe_type_of(event) == ptype
    assert counts_as_failure(event) == counted


def _probed_pod(started_at=T0 - 100, period=10, threshold=3):
    return {"spec": {"containers": [{"name": "app", "livenessProbe": {
        "httpGet": {"port": 8080}, "periodSeconds": period, "failureThreshold": threshold}}]},
        "status": {"containerStatuses": [{"name": "app", "ready": True, "started": True, "restartCount": 0,
                                          "state": {"running": {"startedAt": format_ts(started_at)}}}]}}


@pytest.mark.parametrize("events, now, streak, acts_at", [
    ([ev("Unhealthy", "Liveness probe failed: a", last=T0)], T0 + 1, 1, T0 + 20),
    # A failure half a minute ago and none since: the probe passed in between.
    ([ev("Unhealthy", "Liveness probe failed: a", last=T0)], T0 + 30, 0, None),
    # Two separate Events ten seconds apart join into one streak.
    ([ev("Unhealthy", "Liveness probe failed: a", last=T0, uid="1"),
      ev("Unhealthy", "Liveness probe failed: b", last=T0 + 10, uid="2")], T0 + 12, 2, T0 + 20),
    # ...but not across a gap of a minute.
    ([ev("Unhealthy", "Liveness probe failed: a", last=T0 - 60, uid="1"),
      ev("Unhealthy", "Liveness probe failed: b", last=T0 + 10, uid="2")], T0 + 12, 1, T0 + 30),
    # The threshold reached: the kill is due; the streak shows no more than the threshold.
    ([ev("Unhealthy", "Liveness probe failed: a", first=T0 - 40, last=T0, count=5)], T0 + 2, 3, T0),
    # Repeats spread far apart (one Event, count 3 over ten minutes): only the latest is current.
    ([ev("Unhealthy", "Liveness probe failed: a", first=T0 - 600, last=T0, count=3)], T0 + 2, 1, T0 + 20),
    # Failures from before the current instance started don't count.
    ([ev("Unhealthy", "Liveness probe failed: a", first=T0 - 300, last=T0 - 200, count=10)], T0 - 195, 0, None),
])
def test_liveness_streaks(events, now, streak, acts_at):
    (state,) = probe_states(record(_probed_pod(started_at=T0 - 150), events), now)
    assert (state.streak, state.acts_at) == (streak, acts_at)


# The kubelet's side, simulated: its probe worker (prober/worker.go) gets one result per
# period; resultRun counts failures in a row and a success resets it. Each failure adds an
# occurrence to the Unhealthy Event of its message (tools/record events_cache.go: count+1
# and a new lastTimestamp on core/v1; series.count and lastObservedTime on events.k8s.io/v1).
# "F"/"G": a failure (two different messages), "S": a success.
PROBE_RUNS = ["FFFF", "FSF", "FSFF", "FSSFF", "FFSFFF", "FGFG", "GSFF", "FFSGGG"]


def _unhealthy(api: str, message: str, times: list[float]) -> dict:
    """The Event the API holds after failures at `times` (seconds after T0)."""
    meta = {"uid": message, "name": f"web-0.{message}", "namespace": "shop"}
    ref = {"kind": "Pod", "name": "web-0", "uid": "u1", "fieldPath": "spec.containers{app}"}
    text = f"Liveness probe failed: {message}"
    if api == "v1":
        return {"metadata": meta, "involvedObject": ref, "reason": "Unhealthy", "message": text, "type": "Warning",
                "count": len(times), "firstTimestamp": ts(times[0]), "lastTimestamp": ts(times[-1]),
                "source": {"component": "kubelet"}}
    obj = {"metadata": meta, "regarding": ref, "reason": "Unhealthy", "note": text, "type": "Warning",
           "eventTime": format_ts(T0 + times[0], micro=True), "reportingController": "kubelet"}
    if len(times) > 1:
        obj["series"] = {"count": len(times), "lastObservedTime": format_ts(T0 + times[-1], micro=True)}
    return obj


@pytest.mark.parametrize("api", ["v1", "events.k8s.io/v1"])
@pytest.mark.parametrize("results", PROBE_RUNS)
def test_streak_of_growing_unhealthy_events(results, api):
    """After every failure the streak never exceeds the worker's resultRun, and equals it
    whenever each Event's occurrences all belong to the current run (else it can't be told)."""
    period, took = 10, 0.6  # an Event's time is the end of its probe
    occurrences: dict[str, list[float]] = {}
    run: list[str] = []
    for tick, result in enumerate(results):
        at = tick * period + took
        if result == "S":
            run = []
            continue
        occurrences.setdefault(result, []).append(at)
        run.append(result)
        events = [normalize_event(_unhealthy(api, m, times)) for m, times in occurrences.items()]
        pod = _probed_pod(started_at=T0 - 100, period=period, threshold=10)
        (state,) = probe_states(record(pod, events), T0 + at + 1)
        where = f"{results[:tick + 1]} via {api}"
        assert 1 <= state.streak <= len(run), f"{where}: streak {state.streak}, kubelet {len(run)}"
        if all(len(occurrences[m]) == run.count(m) for m in set(run)):
            assert state.streak == len(run), f"{where}: streak {state.streak}, kubelet {len(run)}"


@pytest.mark.parametrize("ready, flips, streak", [
    (True, [], 1),
    (False, [(None, "true"), ("true", "false")], 3),  # seen turning unready: the run reached the threshold
    (False, [], 1),  # never ready since it started: the run may still be short
    (False, [("true", "false"), ("false", "true"), ("true", "false")], 3),
    (False, [("false", "true")], 1),  # the latest flip was to ready: nothing to go on
])
def test_a_container_seen_turning_unready_is_at_the_readiness_threshold(ready, flips, streak):
    """Five readiness failures spread over 32 s at a 5 s period can't be one run by their
    span alone; but a container the kubelet turned unready has reached the threshold."""
    pod = {"spec": {"containers": [{"name": "app", "readinessProbe": {"httpGet": {"port": 8080}, "periodSeconds": 5}}]},
           "status": {"containerStatuses": [{"name": "app", "ready": ready, "started": True, "restartCount": 0,
                                             "state": {"running": {"startedAt": format_ts(T0 - 100)}}}]}}
    events = [ev("Unhealthy", "Readiness probe failed: a", first=T0 - 32, last=T0, count=5)]
    rec = record(pod, events)
    rec.history = History()
    rec.history.extend([Transition(T0 - 90 + k, READY, "app", old, new) for k, (old, new) in enumerate(flips)])
    (state,) = probe_states(rec, T0 + 1)
    assert state.settings.type == "readiness" and state.streak == streak


def test_a_ready_flip_seen_with_the_restart_is_not_the_new_instance_turning_unready():
    # Killed while ready and restarted at once: podtui's next version has the new instance,
    # unready as every new one is. One readiness failure since: the kubelet's run is one.
    def version(ready: bool, started: float, restarts: int, last: dict) -> dict:
        return {"spec": {"containers": [{"name": "app", "readinessProbe": {"httpGet": {"port": 8080}, "periodSeconds": 5}}]},
                "status": {"containerStatuses": [{"name": "app", "ready": ready, "started": True, "restartCount": restarts,
                                                  "containerID": f"containerd://{restarts}", "lastState": last,
                                                  "state": {"running": {"startedAt": format_ts(started)}}}]}}
    old = version(True, T0 - 300, 0, {})
    new = version(False, T0 - 20, 1, {"terminated": {"exitCode": 137, "reason": "Error", "containerID": "containerd://0",
                                                     "startedAt": format_ts(T0 - 300), "finishedAt": format_ts(T0 - 21)}})
    rec = record(new, [ev("Unhealthy", "Readiness probe failed: a", last=T0 - 14)])
    rec.history = History()
    rec.history.extend(diff({}, old, T0 - 290))
    rec.history.extend(diff(old, new, T0 - 15))
    (state,) = probe_states(rec, T0 - 13)
    assert state.streak == 1


@pytest.mark.parametrize("flips, streak", [
    ([], 2),  # podtui saw no flip: the failures may be the current run
    ([("false", "true")], 0),  # it turned ready after them: a success ended that run
])
def test_failures_before_a_container_turned_ready_are_not_a_streak(flips, streak):
    # Two readiness failures while warming up, then ready (the demo's web pods at start).
    pod = {"spec": {"containers": [{"name": "app", "readinessProbe": {"httpGet": {"port": 80}, "periodSeconds": 2}}]},
           "status": {"containerStatuses": [{"name": "app", "ready": True, "started": True, "restartCount": 0,
                                             "state": {"running": {"startedAt": format_ts(T0 - 6)}}}]}}
    rec = record(pod, [ev("Unhealthy", "Readiness probe failed: 503", first=T0 - 4, last=T0 - 2, count=2)])
    rec.history = History()
    rec.history.extend([Transition(T0 - 1, READY, "app", old, new) for old, new in flips])
    (state,) = probe_states(rec, T0)
    assert state.streak == streak


@pytest.mark.parametrize("started, streak", [(False, 2), (True, 0)])
def test_a_startup_probe_has_no_streak_once_the_container_started(started, streak):
    # Two failures while starting, then it started: worker.go probes startup no more.
    pod = {"spec": {"containers": [{"name": "app", "startupProbe": {"httpGet": {"port": 80}, "periodSeconds": 2}}]},
           "status": {"containerStatuses": [{"name": "app", "ready": started, "started": started, "restartCount": 0,
                                             "state": {"running": {"startedAt": format_ts(T0 - 6)}}}]}}
    events = [ev("Unhealthy", "Startup probe failed: connection refused", first=T0 - 4, last=T0 - 2, count=2)]
    (state,) = probe_states(record(pod, events), T0)
    assert state.settings.type == "startup" and state.streak == streak and (state.acts_at is None) == started


def test_a_kill_event_starts_the_streak_over():
    events = [ev("Unhealthy", "Liveness probe failed: a", first=T0 - 20, last=T0, count=3, uid="f"),
              ev("Killing", "Container app failed liveness probe, will be restarted", last=T0 + 1, uid="k")]
    (state,) = probe_states(record(_probed_pod(), events), T0 + 3)
    assert state.streak == 0 and state.last_failure_at == T0



@pytest.mark.parametrize("started_at", [T0 - 100, T0 + 20])  # the restart not seen yet / within the kill's second
@pytest.mark.parametrize("after_kill", [1, 2])
def test_an_event_growing_across_a_kill(started_at, after_kill):
    """Failures at 0, 10 and 20 brought the kill (worker.go sets resultRun = 0); the same
    message's Event counts on into the next instance, so only the failures after it are a run."""
    last = 20 + after_kill * 10
    events = [ev("Unhealthy", "Liveness probe failed: a", first=T0, last=T0 + last, count=3 + after_kill, uid="f"),
              ev("Killing", "Container app failed liveness probe, will be restarted", last=T0 + 20, uid="k")]
    (state,) = probe_states(record(_probed_pod(started_at=started_at), events), T0 + last + 1)
    assert state.streak == after_kill


# -- Events


@pytest.mark.parametrize("path, name", [
    ("spec.containers{app}", "app"), ("spec.initContainers{init-db}", "init-db"),
    ("spec.ephemeralContainers{debugger-x}", "debugger-x"), ("spec.containers{", None), ("", None),
    ("metadata.name", None),
])
def test_container_from_field_path(path, name):
    assert container_from_field_path(path) == name


def test_normalize_core_event_with_series_and_fallbacks():
    obj = {"metadata": {"name": "web-0.1", "namespace": "shop", "resourceVersion": "9"},
           "involvedObject": {"kind": "Pod", "name": "web-0", "uid": "u1", "fieldPath": "spec.containers{app}"},
           "reason": "Unhealthy", "message": "Readiness probe failed", "count": 3,
           "eventTime": ts(5), "series": {"count": 7, "lastObservedTime": ts(60)},
           "reportingComponent": "kubelet"}
    e = normalize_event(obj)
    assert (e.uid, e.first, e.last, e.count, e.container, e.source, e.type) == \
        ("shop/web-0.1", T0 + 5, T0 + 60, 7, "app", "kubelet", "Normal")
    assert e.involved_namespace == "shop"


def test_normalize_events_v1_with_deprecated_fields():
    obj = {"metadata": {"uid": "e1", "name": "x", "namespace": "shop"}, "regarding": {"kind": "Pod", "name": "web-0"},
           "note": "Started container app", "reason": "Started", "type": "Normal",
           "deprecatedFirstTimestamp": ts(1), "deprecatedLastTimestamp": ts(9), "deprecatedCount": 4,
           "deprecatedSource": {"component": "kubelet"}}
    e = normalize_event(obj)
    assert (e.message, e.first, e.last, e.count, e.source) == ("Started container app", T0 + 1, T0 + 9, 4, "kubelet")


@pytest.mark.parametrize("obj, why", [
    ("x", "event is a str"), ({"metadata": {}}, "without metadata.uid or name"), ({}, "without metadata.uid"),
])
def test_unusable_events(obj, why):
    problems: list[str] = []
    assert normalize_event(obj, problems) is None
    assert why in problems[0]


# -- termination and the NEXT column


def test_termination_of_a_plain_running_pod():
    info = termination(record({"metadata": {}, "spec": {}, "status": {}}), T0)
    assert not info.deletion_requested and info.kill_at is None and info.deadline_at is None
    assert not info.waiting_on_finalizers


@pytest.mark.parametrize("pod, now, text, severity", [
    ({"metadata": {"deletionTimestamp": ts(0), "deletionGracePeriodSeconds": 30}, "status": {"phase": "Running"}},
     T0 + 5, "past grace by 5s", "error"),
    # Time since is elapsed, rounded down as AGE and the panes do: 5.8s past is "5s", not "6s".
    ({"metadata": {"deletionTimestamp": ts(0), "deletionGracePeriodSeconds": 30}, "status": {"phase": "Running"}},
     T0 + 5.8, "past grace by 5s", "error"),
    ({"metadata": {"deletionTimestamp": "garbage"}, "status": {}}, T0, "terminating", "warning"),
    ({"metadata": {"deletionTimestamp": ts(100), "finalizers": ["a", "b"]}, "status": {"phase": "Failed"}},
     T0, "waiting on 2 finalizers", "warning"),
    ({"status": {"conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}},
     T0, "scheduling gated", "warning"),
    ({"spec": {"activeDeadlineSeconds": 60}, "status": {"startTime": ts(0)}}, T0 + 61, "deadline passed", "error"),
    ({"spec": {"activeDeadlineSeconds": 60}, "status": {"startTime": ts(0)}}, T0 + 59.2, "deadline in 1s", "warning"),
    ({"status": {"phase": "Succeeded"}}, T0, None, None),
    ({}, T0, None, None),
])
def test_next_step_table(pod, now, text, severity):
    step = next_step(record(pod), now)
    if text is None:
        assert step is None
    else:
        assert (step.text, step.severity) == (text, severity)


def test_next_step_of_a_tombstone_and_an_overdue_restart():
    assert next_step(record({}, deleted_at=T0), T0).text == "deleted"
    pod = _waiting_pod("CrashLoopBackOff", "back-off 20s restarting failed container=app pod=p_ns(u)", 2,
                       last={"exitCode": 1, "finishedAt": ts(0)})
    assert next_step(record(pod), T0 + 25).text == "restart due"
    assert next_step(record(pod), T0 + 19.5).text == "restart in 1s"


@pytest.mark.parametrize("left, text", [(0.2, "1s"), (0, "0s"), (-5, "0s"), (119.5, "2m"), (601, "10m")])
def test_countdown_rounds_up(left, text):
    assert countdown(T0 + left, T0) == text


def test_a_failed_pull_seen_before_its_event_counts():
    """The kubelet writes the ErrImagePull status and the Failed Event separately: seen
    first, the status alone put the retry one back-off step short (10s, not 20s) until
    the Event caught up, and NEXT jumped."""
    from podtui.clock import ManualClock
    from podtui.lifecycle.changes import ADDED, EVENTS, MODIFIED, PODS, Change
    from podtui.lifecycle.store import Store

    def pod(reason, rv):
        return {"metadata": {"uid": "u", "name": "p", "namespace": "ns", "resourceVersion": rv,
                             "creationTimestamp": ts(-60)},
                "spec": {"containers": [{"name": "app", "image": "nope:1"}], "nodeName": "n"},
                "status": {"phase": "Pending", "containerStatuses": [
                    {"name": "app", "ready": False, "restartCount": 0, "image": "nope:1",
                     "state": {"waiting": {"reason": reason}}}]}}

    def failed(count, last, rv):
        return {"metadata": {"uid": "e1", "name": "p.1", "namespace": "ns", "resourceVersion": rv},
                "involvedObject": {"kind": "Pod", "name": "p", "namespace": "ns", "uid": "u",
                                   "fieldPath": "spec.containers{app}"},
                "reason": "Failed", "type": "Warning", "message": 'Failed to pull image "nope:1": not found',
                "count": count, "firstTimestamp": ts(-5), "lastTimestamp": ts(last), "source": {"component": "kubelet"}}

    store = Store(ManualClock(T0))
    store.apply(Change(PODS, ADDED, pod("ImagePullBackOff", "1"), T0))  # after failure 1, at -5
    store.apply(Change(EVENTS, ADDED, failed(1, -5, "2"), T0))
    rec = store.by_name("ns", "p")
    assert [(b.delay, b.next_at) for b in backoffs(rec, T0)] == [(10.0, T0 + 5)]
    store.apply(Change(PODS, MODIFIED, pod("ErrImagePull", "3"), T0 + 6))  # failure 2, at 5
    assert [(b.delay, b.next_at) for b in backoffs(rec, T0 + 6)] == [(20.0, T0 + 26)]
    store.apply(Change(EVENTS, MODIFIED, failed(2, 5, "4"), T0 + 6))
    assert [(b.delay, b.next_at) for b in backoffs(rec, T0 + 6)] == [(20.0, T0 + 26)]


@pytest.mark.parametrize("ready, text, due", [
    (True, "readiness 2/3", True),  # at 3/3 the kubelet marks it unready: a count and a time
    (False, "ready when readiness passes", False),  # already unready: 3/3 changes nothing
])
def test_next_counts_a_readiness_streak_only_while_its_threshold_would_change_something(ready, text, due):
    pod = {"spec": {"containers": [{"name": "app", "readinessProbe": {"httpGet": {"port": 8080}, "periodSeconds": 5}}]},
           "status": {"phase": "Running",
                      "containerStatuses": [{"name": "app", "ready": ready, "started": True, "restartCount": 0,
                                             "state": {"running": {"startedAt": format_ts(T0 - 100)}}}]}}
    rec = record(pod, [ev("Unhealthy", "Readiness probe failed: a", first=T0 - 5, last=T0, count=2)])
    rec.history = History()
    step = next_step(rec, T0 + 1)
    assert step.text == text and (step.due_at is not None) == due


def _crashed_pod(restarts, code=1, reason="Error", policy="Always", kind="containers", ran=3.0, phase="Running"):
    """Just crashed: state terminated, before the kubelet's sync says CrashLoopBackOff."""
    term = {"exitCode": code, "reason": reason, "startedAt": ts(-ran), "finishedAt": ts(0)}
    spec = {"restartPolicy": policy, kind: [{"name": "app", **({"restartPolicy": "Always"} if kind == "sidecar" else {})}]}
    if kind == "sidecar":
        spec = {"restartPolicy": policy, "initContainers": spec.pop("sidecar"), "containers": [{"name": "main"}]}
    status_key = "containerStatuses" if kind == "containers" else "initContainerStatuses"
    cs = {"name": "app", "restartCount": restarts, "state": {"terminated": term}}
    status = {"phase": phase, status_key: [cs]}
    if kind == "sidecar":
        status["containerStatuses"] = [{"name": "main", "restartCount": 0, "state": {"running": {"startedAt": ts(-9)}}}]
    return {"metadata": {}, "spec": spec, "status": status}


@pytest.mark.parametrize("pod, now, text", [
    # the restart the coming back-off brings, from finishedAt: 10s after the second crash
    (_crashed_pod(1), T0 + 1.5, "restart in ~9s"),
    (_crashed_pod(3), T0 + 1, "restart in ~39s"),
    (_crashed_pod(2, code=137, reason="OOMKilled"), T0 + 2, "restart in ~18s"),
    (_crashed_pod(1, kind="initContainers"), T0 + 1, "restart in ~9s"),
    (_crashed_pod(1, kind="sidecar"), T0 + 1, "restart in ~9s"),
    (_crashed_pod(0), T0 + 1, "restart due"),  # the first crash restarts at once
    (_crashed_pod(5, ran=700), T0 + 1, "restart due"),  # ran 10m: the ladder starts over
    (_crashed_pod(1, policy="OnFailure"), T0 + 1, "restart in ~9s"),
    # no restart to come: nothing next
    (_crashed_pod(1, policy="Never"), T0 + 1, None),
    (_crashed_pod(1, code=0, reason="Completed", policy="OnFailure"), T0 + 1, None),
    (_crashed_pod(1, code=0, reason="Completed", kind="initContainers"), T0 + 1, None),
])
def test_next_step_counts_down_to_the_restart_of_a_container_that_just_crashed(pod, now, text):
    step = next_step(record(pod), now)
    assert (step.text if step is not None else None) == text
    if text is not None:
        (b,) = [b for b in just_crashed(record(pod), now) if b.container == "app"]
        assert (b.kind, b.measured, step.due_at) == ("crash", False, b.next_at)
