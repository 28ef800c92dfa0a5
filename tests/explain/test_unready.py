"""Unready periods from demo-cluster recordings: readiness flaps, crash loops, a
readiness gate, finished pods; the live one-liner while a period lasts."""

from __future__ import annotations

import pytest

from podtui.lifecycle.unready import CONTAINER, GATE, POD, flaps, unready_line, unready_periods

from explain_helpers import DEFAULT, EPOCH, EXTRA, fold, pod


@pytest.fixture(scope="module")
def default():
    return fold(DEFAULT)


def periods_of(rec, now, subject):
    return [p for p in unready_periods(rec, now) if p.subject == subject]


def test_readiness_flaps(default):
    store, now = default
    rec = pod(store, "readiness-flap")
    api = periods_of(rec, now, "api")
    start, flapping = api[0], api[1:]
    assert start.starting and start.reason == "starting"
    # Passing 25s, failing 15s; two failures 5s apart make it unready: 10s of every 40s.
    assert [p.start - EPOCH for p in flapping[:3]] == [35, 75, 115]
    assert all(p.duration == 10 and not p.ongoing and p.exact for p in flapping)
    # The kubelet's spam filter lets 25 Unhealthy Events through, then one per 5 minutes:
    # the Event's last repeat is at 630s, and later flips have no witness.
    witnessed = [p for p in flapping if p.start < EPOCH + 630]
    assert len(witnessed) == 15
    assert all(p.reason == "readiness probe failed" for p in witnessed)
    assert all(any("HTTP probe failed with statuscode: 503" in m for m in p.probe_messages) for p in witnessed)
    assert all(p.reason == "not ready (no Event says why)" and not p.probe_messages
               for p in flapping[len(witnessed):])
    # The pod is unready exactly when its only container is.
    pod_periods = periods_of(rec, now, POD)
    assert [(p.start, p.end) for p in pod_periods[1:]] == [(p.start, p.end) for p in flapping]
    assert pod_periods[1].reason == "containers not ready (api: readiness probe failed)"
    recent = [p for p in flapping if p.start >= now - 3600]
    assert flaps(unready_periods(rec, now), now, POD) == len(recent) == len(flapping)


def test_unready_line_while_it_lasts():
    store, now = fold(DEFAULT, until=40)
    rec = pod(store, "readiness-flap")
    assert now == EPOCH + 40
    assert unready_line(rec, now) == "unready for 5s: readiness probe failed (HTTP probe failed with statuscode: 503)"
    assert unready_line(rec, now, "api") == unready_line(rec, now)
    store, now = fold(DEFAULT, until=160)
    assert now == EPOCH + 159.5  # the last change seen by then
    line = unready_line(pod(store, "readiness-flap"), now)
    assert line == "unready for 4s: readiness probe failed (HTTP probe failed with statuscode: 503); " \
                   "4 unready spells in the last hour"
    store, now = fold(DEFAULT, until=50)
    assert unready_line(pod(store, "readiness-flap"), now) is None  # ready again


def test_crash_loop_unready_while_backing_off(default):
    store, now = default
    rec = pod(store, "crashloop")
    app = [p for p in periods_of(rec, now, "app") if not p.starting]
    assert all(p.reason == "container stopped (terminated:Error)" for p in app)
    # Unready from each crash until the restart: the back-off ladder.
    assert [p.duration for p in app[:-1]] == [10, 20, 40, 80, 160, 300]
    assert app[-1].ongoing and app[-1].duration == now - app[-1].start
    assert unready_line(rec, now).startswith("unready for 4m14s: containers not ready (app: container stopped")


LIVENESS_KILL = "killed by its liveness probe (HTTP probe failed with statuscode: 500)"
REFUSED = 'Get "http://10.244.1.7:8080/started": dial tcp 10.244.1.7:8080: connect: connection refused'


def test_a_liveness_kill_is_named_with_what_the_probe_said(default):
    # "container stopped (terminated:Error)" left the operator to guess who stopped it.
    store, now = default
    web = [p for p in periods_of(pod(store, "liveness-fail"), now, "web") if not p.starting]
    assert len(web) == 6 and all(p.reason == LIVENESS_KILL for p in web)
    store, now = fold(DEFAULT, until=210)  # backing off 40s after the kill at 191s
    assert unready_line(pod(store, "liveness-fail"), now) == \
        f"unready for {now - EPOCH - 191:.0f}s: containers not ready (web: {LIVENESS_KILL}); 3 unready spells in the last hour"


def test_without_the_killing_event_a_stop_is_said_as_its_state():
    # The status alone (exit 143) does not prove a probe did it.
    store, now = fold(DEFAULT, drop_events=True)
    web = [p for p in periods_of(pod(store, "liveness-fail"), now, "web") if not p.starting]
    assert web and all(p.reason == "container stopped (terminated:Error)" for p in web)


def test_a_container_its_startup_probe_keeps_killing_says_so():
    store, now = fold(EXTRA, until=25)  # killed once, at 19s
    [jvm] = periods_of(pod(store, "startup-fail"), now, "jvm")
    assert jvm.starting and jvm.reason == f"killed by its startup probe ({REFUSED}), never ready yet"
    store, now = fold(EXTRA)
    rec = pod(store, "startup-fail")
    assert periods_of(rec, now, "jvm")[-1].reason == f"killed by its startup probe 6 times ({REFUSED}), never ready yet"
    assert unready_line(rec, now).endswith(f"(jvm: killed by its startup probe 6 times ({REFUSED}), never ready yet)")


def test_readiness_gate(default):
    store, now = default
    rec = pod(store, "gated")
    [gate] = [p for p in unready_periods(rec, now) if p.subject_kind == GATE]
    assert gate.subject == "example.com/lb-registered"
    assert gate.reason == "condition not set yet"
    assert gate.end == EPOCH + 50  # the controller sets it at 50s
    [whole] = periods_of(rec, now, POD)
    assert whole.end == EPOCH + 50
    assert whole.reason.endswith("then readiness gate example.com/lb-registered not True")
    [web] = periods_of(rec, now, "web")
    assert web.end < whole.end  # the container was ready long before the pod


def test_finished_pods_are_not_left_unready(default):
    store, now = default
    for name, ns in (("memory-hog", "demo"), ("graceful-stop", "demo"), ("stuck-finalizer", "demo"),
                     ("nightly-report-x7k2p", "batch")):
        rec = pod(store, name, ns)
        assert not any(p.ongoing for p in unready_periods(rec, now)), name
        assert unready_line(rec, now) is None


def test_starts_are_not_flaps(default):
    store, now = default
    rec = pod(store, "slow-startup")
    [p_pod] = periods_of(rec, now, POD)
    [p_jvm] = periods_of(rec, now, "jvm")
    assert p_pod.starting and p_jvm.starting and p_jvm.subject_kind == CONTAINER
    assert p_pod.end == EPOCH + 50  # startup probe passes at 40s, readiness soon after
    assert flaps(unready_periods(rec, now), now) == 0


def test_ongoing_duration_follows_now(default):
    store, now = default
    rec = pod(store, "missing-secret")
    a = periods_of(rec, now, POD)[-1]
    b = periods_of(rec, now + 60, POD)[-1]
    assert a.ongoing and b.duration == a.duration + 60


def test_a_container_that_cannot_start_is_not_called_starting(default):
    # Crash looping, an image that does not exist, a missing Secret: never ready, and
    # the kubelet's reason says why; "starting" read as if all were well.
    store, now = default
    assert unready_line(pod(store, "poststart-fail"), now) == \
        "unready for 14m: containers not ready (app: CrashLoopBackOff, never ready yet)"
    assert periods_of(pod(store, "bad-image"), now, "api")[-1].reason == "ImagePullBackOff, never ready yet"
    assert periods_of(pod(store, "missing-secret"), now, "api")[-1].reason == \
        "CreateContainerConfigError, never ready yet"


def test_unready_behind_init_containers_names_them(default):
    store, now = default
    # init-fail's check-config crash loops: the app waits on it, it is not "starting".
    assert unready_line(pod(store, "init-fail"), now) == \
        "unready for 14m: containers not ready (app: waiting for init container check-config)"
    [slow] = periods_of(pod(store, "init-slow"), now, POD)
    assert slow.reason == "containers not ready (app: waiting for init containers wait-for-db, migrate)"
    # A sidecar is an init container too, but it does not wait on itself.
    sidecar = [p.reason for p in periods_of(pod(store, "with-sidecar"), now, POD)]
    assert sidecar == ["containers not ready (log-shipper: starting: startup probe failed 2x before it passed; "
                       "app: waiting for init container log-shipper)"]


def test_a_slow_start_names_its_startup_probe(default):
    store, now = default
    [jvm] = periods_of(pod(store, "slow-startup"), now, "jvm")
    # periodSeconds 3, passing after 40s: 13 failures (failureThreshold 30 is far off).
    assert jvm.end - EPOCH == 50 and jvm.reason == "starting: startup probe failed 13x before it passed"
