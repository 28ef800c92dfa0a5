"""How right podtui's timers are: replay a recording through the model and hold every
due time it predicts against what the recording shows happened later.

    /tmp/v/bin/python tests/explain/timer_accuracy.py [RECORDING ...]

At each observed instant the Store is brought up to date (its ManualClock set to that
instant) and every live pod is asked what is due: backoffs() (crash restarts, image
pull retries), probe_states() (liveness/startup kills, readiness turning a container
unready), termination() (the SIGKILL deadline, the activeDeadlineSeconds deadline).
The truth is read off the raw watch stream, not off the model:

- restart: the first version observed after the prediction whose restartCount is
  higher; the new instance's startedAt (kubelet clock, whole seconds);
- pull: the next `Pulling` Event write for the container; its lastTimestamp;
- liveness/startup: the next `Killing ... failed <type> probe` write; its lastTimestamp
  (void if the instance ended otherwise first);
- readiness: the container's ready going false; ContainersReady's lastTransitionTime;
- sigkill: a container of the deleted pod that ended with 137 (not OOMKilled) after
  the deletion; its finishedAt. A pod whose containers all stopped before the
  deadline is a kept promise ("bound"): the deadline was not passed;
- deadline: the DeadlineExceeded Event's firstTimestamp (status.reason is set then).

Probe predictions are "measured" while every write of the probe's failure Events so far
came one failure at a time (each first seen at count 1, each write one more): podtui then
has each failure's own time. A write that jumped (the Event spam filter held some back, or
the recording began mid-run) makes them "estimated" from then on.

Error = actual - predicted, in seconds: positive means it happened later than said.
Every distinct (target, due time, measured) prediction counts once.
"""

from __future__ import annotations

import copy
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from podtui.clock import ManualClock  # noqa: E402
from podtui.lifecycle.backoff import backoffs, just_crashed  # noqa: E402
from podtui.lifecycle.changes import DELETED, EVENTS, PODS, Change  # noqa: E402
from podtui.lifecycle.hooks import post_start_hook  # noqa: E402
from podtui.lifecycle.nextstep import next_step  # noqa: E402
from podtui.lifecycle.probes import probe_states  # noqa: E402
from podtui.lifecycle.read import container_statuses  # noqa: E402
from podtui.lifecycle.store import Store  # noqa: E402
from podtui.lifecycle.termination import termination  # noqa: E402
from podtui.lifecycle.times import parse_ts  # noqa: E402
from podtui.sources.recording import read_recording  # noqa: E402

KINDS = ("restart", "pull", "liveness", "startup", "readiness", "sigkill", "deadline")
PROBES = ("liveness", "startup", "readiness")


@dataclass(slots=True)
class Outcome:
    kind: str
    pod: str  # namespace/name
    uid: str
    container: str
    measured: bool
    first_said: float  # when podtui first gave this due time
    due: float
    actual: float | None  # None: it did not happen (void, or still to come at the end)
    note: str = ""
    period: int = 0  # probes: periodSeconds and failureThreshold, for their error bound
    threshold: int = 0

    @property
    def error(self) -> float | None:
        return None if self.actual is None else self.actual - self.due


# ---- the truth, from the raw stream ------------------------------------------------------


@dataclass
class Truth:
    # (uid, container) -> [(observed, restartCount, startedAt of the instance it counts to)]
    restarts: dict = field(default_factory=lambda: defaultdict(list))
    # (uid, container, reason-marker) -> [(observed, kubelet time)] one per Event write
    writes: dict = field(default_factory=lambda: defaultdict(list))
    # (uid, container) -> [(observed, lastTransitionTime)] ready true -> false
    unready: dict = field(default_factory=lambda: defaultdict(list))
    # uid -> {container: (finishedAt, exitCode, reason)} ended after deletionTimestamp appeared
    stops: dict = field(default_factory=lambda: defaultdict(dict))
    deleting: dict = field(default_factory=dict)  # uid -> observed when deletionTimestamp first seen
    # uid -> [(observed, deletionTimestamp, deletionGracePeriodSeconds)] each time it changed
    deletion: dict = field(default_factory=lambda: defaultdict(list))
    deadline: dict = field(default_factory=dict)  # uid -> kubelet time the deadline acted
    # (uid, container, probe type) -> observed when a failure write first skipped a count
    unseen: dict = field(default_factory=dict)


def _instance_start(cs: dict) -> float | None:
    """startedAt of the instance restartCount counts to: running, or already ended."""
    state = cs.get("state") or {}
    for key in ("running", "terminated"):
        if isinstance(state.get(key), dict):
            return parse_ts(state[key].get("startedAt"))
    return parse_ts(((cs.get("lastState") or {}).get("terminated") or {}).get("startedAt"))


def _event_marker(obj: dict) -> str | None:
    reason, msg = obj.get("reason"), obj.get("message") or ""
    if reason == "Pulling":
        return "pull"
    if reason == "Killing":
        for t in ("liveness", "startup"):
            if f"failed {t} probe" in msg:
                return t
    if reason == "DeadlineExceeded":
        return "deadline"
    return None


def _failed_probe(obj: dict) -> str | None:
    """The probe type of an Unhealthy "... probe failed" Event (not "errored": not counted)."""
    msg = (obj.get("message") or "").removeprefix("(combined from similar events): ")
    if obj.get("reason") != "Unhealthy" or " probe failed" not in msg[:24]:
        return None
    return next((t for t in ("liveness", "startup", "readiness") if msg.lower().startswith(t)), None)


def _container_of(field_path: str) -> str:
    if "{" in field_path and field_path.endswith("}"):
        return field_path[field_path.index("{") + 1:-1]
    return ""


def read_truth(changes: list[Change]) -> Truth:
    truth = Truth()
    seen_counts: dict[str, int] = {}
    last_ready: dict[tuple[str, str], bool] = {}
    for ch in changes:
        obj = ch.obj if isinstance(ch.obj, dict) else {}
        if ch.resource == EVENTS:
            marker = _event_marker(obj)
            involved = obj.get("involvedObject") or {}
            uid = involved.get("uid")
            count = obj.get("count") or 1
            key = obj.get("metadata", {}).get("uid")
            probe = _failed_probe(obj)
            if probe and uid and ch.type != DELETED:
                if count > seen_counts.get(key, 0) + 1:
                    where = (uid, _container_of(involved.get("fieldPath") or ""), probe)
                    truth.unseen.setdefault(where, ch.observed)
                seen_counts[key] = max(count, seen_counts.get(key, 0))
                continue
            if marker is None or not uid or ch.type == DELETED:
                continue
            if count <= seen_counts.get(key, 0):
                continue  # not a new occurrence
            seen_counts[key] = count
            at = parse_ts(obj.get("lastTimestamp") or obj.get("firstTimestamp"))
            if marker == "deadline":
                truth.deadline.setdefault(uid, at)
                continue
            truth.writes[(uid, _container_of(involved.get("fieldPath") or ""), marker)].append((ch.observed, at))
            continue
        if ch.resource != PODS:
            continue
        meta, status = obj.get("metadata") or {}, obj.get("status") or {}
        uid = meta.get("uid")
        if not uid:
            continue
        if meta.get("deletionTimestamp"):
            truth.deleting.setdefault(uid, ch.observed)
            dts = parse_ts(meta["deletionTimestamp"])
            series = truth.deletion[uid]
            if not series or series[-1][1] != dts:
                series.append((ch.observed, dts, meta.get("deletionGracePeriodSeconds")))
        for name, cs in container_statuses(obj).items():
            rc = cs.get("restartCount") or 0
            series = truth.restarts[(uid, name)]
            if not series or series[-1][1] != rc:
                series.append((ch.observed, rc, _instance_start(cs)))
            ready = cs.get("ready") is True
            if last_ready.get((uid, name)) and not ready and (cs.get("state") or {}).get("running"):
                cond = next((c for c in status.get("conditions") or [] if c.get("type") == "ContainersReady"), {})
                truth.unready[(uid, name)].append((ch.observed, parse_ts(cond.get("lastTransitionTime"))))
            last_ready[(uid, name)] = ready
            term = (cs.get("state") or {}).get("terminated")
            if uid in truth.deleting and isinstance(term, dict) and name not in truth.stops[uid]:
                truth.stops[uid][name] = (parse_ts(term.get("finishedAt")), term.get("exitCode"), term.get("reason"))
    return truth


# ---- the predictions, from the model -----------------------------------------------------


def _predictions(rec, now: float):
    """(kind, container, measured, due, key-extra) for everything the model says is due."""
    pod = rec.obj if isinstance(rec.obj, dict) else {}
    statuses = container_statuses(pod)
    for b in backoffs(rec, now):
        if b.next_at is None:
            continue
        if b.kind == "crash":
            rc = (statuses.get(b.container) or {}).get("restartCount") or 0
            yield "restart", b.container, b.measured, b.next_at, rc
        else:
            yield "pull", b.container, b.measured, b.next_at, None
    for p in probe_states(rec, now):
        if p.acts_at is not None and p.streak > 0:
            cs = statuses.get(p.settings.container) or {}
            started = (cs.get("state") or {}).get("running", {}).get("startedAt")
            if p.settings.type == "readiness" and cs.get("ready") is not True:
                continue  # already unready: nothing left to happen
            yield p.settings.type, p.settings.container, False, p.acts_at, (started, p.settings.period,
                                                                             p.settings.failure_threshold)
    term = termination(rec, now)
    if term.deletion_requested and term.kill_at is not None and not term.waiting_on_finalizers:
        phase = (pod.get("status") or {}).get("phase")
        if phase not in ("Succeeded", "Failed") and (term.grace or 0) > 0:
            yield "sigkill", "", True, term.kill_at, term.kill_at
    if term.deadline_at is not None and not term.deletion_requested:
        if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            yield "deadline", "", True, term.deadline_at, None


def _first_after(series, t: float):
    for observed, at in series:
        if observed > t:
            return observed, at
    return None


def _resolve(kind, uid, container, extra, said: float, truth: Truth, end: float):
    """(actual kubelet time or None, note)."""
    if kind == "restart":
        for observed, rc, started in truth.restarts.get((uid, container), ()):
            if observed > said and rc > extra:
                return started, ""
        return None, "pending at end"
    # The instance the probe prediction is about must still be the one that dies.
    next_restart = next((o for o, rc, _ in truth.restarts.get((uid, container), ()) if o > said), end)
    if kind in ("liveness", "startup", "pull"):
        hit = _first_after(truth.writes.get((uid, container, kind), ()), said)
        if kind != "pull" and (hit is None or hit[0] > next_restart):
            return None, "void: the instance ended otherwise"
        return (hit[1], "") if hit else (None, "pending at end")
    if kind == "readiness":
        hit = _first_after(truth.unready.get((uid, container), ()), said)
        if hit is None or hit[0] > next_restart:
            return None, "void: streak broken or instance ended"
        return hit[1], ""
    if kind == "sigkill":
        changes = truth.deletion.get(uid, ())
        superseded = any(o > said and dts < extra for o, dts, _ in changes)
        graces = [g for o, _, g in changes if o <= said]
        if len(graces) > 1 and graces[-1] < graces[0]:
            # A second DELETE shortened the grace period: podtui's time is then an
            # estimate, from when it saw that (test_timer_accuracy.bounds).
            note = "shortened"
        else:
            note = ""
        stops = truth.stops.get(uid, {})
        killed = [f for f, code, reason in stops.values() if code == 137 and reason != "OOMKilled" and f is not None]
        if killed:
            return (None, "void: superseded by a shorter grace period") if superseded else (max(killed), note)
        done = [f for f, _, _ in stops.values() if f is not None]
        return None, f"bound: stopped {max(done):.0f}" if done else "void: never stopped"
    if kind == "deadline":
        at = truth.deadline.get(uid)
        return at, "" if at is not None else "pending at end"
    raise AssertionError(kind)


def measure(changes: list[Change], unexplained: list | None = None) -> list[Outcome]:
    """Replay `changes` through a Store; one Outcome per distinct prediction. NEXT column
    due times that none of the timer APIs gave go to `unexplained` (t, pod, text)."""
    unexplained = [] if unexplained is None else unexplained
    changes = [c for c in changes if isinstance(c, Change)]
    truth = read_truth(changes)
    end = max(c.observed for c in changes)
    clock = ManualClock(changes[0].observed)
    store = Store(clock, history_limit=100_000, events_per_pod=100_000)
    seen: dict[tuple, Outcome] = {}
    i = 0
    while i < len(changes):
        t = changes[i].observed
        j = i
        while j < len(changes) and changes[j].observed == t:
            j += 1
        clock.set(t)
        store.apply_batch(changes[i:j])
        i = j
        for rec in store.pods.values():
            if rec.deleted_at is not None:
                continue
            said = set()
            for kind, container, measured, due, extra in _predictions(rec, t):
                said.add(due)
                if kind in PROBES:
                    measured = t < truth.unseen.get((rec.uid, container, kind), float("inf"))
                key = (kind, rec.uid, container, extra, due, measured)
                if key in seen:
                    continue
                actual, note = _resolve(kind, rec.uid, container, extra, t, truth, end)
                period, threshold = extra[1:] if kind in ("liveness", "startup", "readiness") else (0, 0)
                seen[key] = Outcome(kind, f"{rec.namespace}/{rec.name}", rec.uid, container,
                                    measured and note != "shortened", t, due, actual, note, period, threshold)
            step = next_step(rec, t)
            if step is not None and step.due_at is not None and step.due_at not in said | _all_due(rec, t):
                unexplained.append((t, f"{rec.namespace}/{rec.name}", step.text))
    return list(seen.values())


def _all_due(rec, now: float) -> set[float]:
    """Every due time the timer APIs give, whatever the harness makes of it."""
    out = {b.next_at for b in (*backoffs(rec, now), *just_crashed(rec, now))} | {p.acts_at for p in probe_states(rec, now)}
    term = termination(rec, now)
    # Not a prediction: a running postStart hook is due when it started, the restart it
    # follows, so a NEXT sort keeps the pod in its place (nothing here to check it against).
    hook = post_start_hook(rec)
    return out | {term.kill_at, term.deadline_at} | ({hook.started} if hook is not None else set())


# Timers the recordings cover thinly or not at all: other probe periods and thresholds,
# a liveness kill with back-off after it, preStop inside the grace period, a second
# DELETE that shortens it, a deadline counted from before the init containers, an image
# pull that recovers.
TIMERS_SCENARIO = """
name: timer-accuracy
description: podtui's timers against the kubelet's, for tests/explain/test_timer_accuracy.py
pods:
  - name: liveness-p3
    namespace: t
    spec:
      containers:
        - name: app
          image: nginx:1.27
          livenessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 3, failureThreshold: 4}
    behavior:
      app: {pull: 1s, probes: {liveness: {fail_after: 17s}}}
  - name: startup-p2
    namespace: t
    spec:
      containers:
        - name: jvm
          image: eclipse-temurin:21-jre
          startupProbe: {tcpSocket: {port: 8080}, periodSeconds: 2, failureThreshold: 3}
    behavior:
      jvm: {pull: 1s, probes: {startup: {pass_after: 1h}}}
  - name: readiness-p3
    namespace: t
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:2.4.1
          readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 3, failureThreshold: 3}
    behavior:
      api: {pull: 1s, probes: {readiness: {flap: [20s, 13s]}}}
  - name: prestop-kill
    namespace: t
    spec:
      terminationGracePeriodSeconds: 20
      containers:
        - name: worker
          image: ghcr.io/example/worker:5.1
          lifecycle: {preStop: {exec: {command: [/bin/sh, -c, "sleep 5"]}}}
    behavior:
      worker: {pull: 1s, pre_stop: 5s, stop: 60s}
  - name: shortened
    namespace: t
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: worker
          image: ghcr.io/example/worker:5.1
    behavior:
      worker: {pull: 1s, stop: 120s}
  - name: deadline-init
    namespace: t
    spec:
      restartPolicy: Never
      activeDeadlineSeconds: 47
      initContainers:
        - name: prepare
          image: busybox:1.36
      containers:
        - name: job
          image: ghcr.io/example/report:1.2
    behavior:
      prepare: {pull: 2s, run: 9s}
      job: {pull: 3s}
  - name: pull-recovers
    namespace: t
    spec:
      containers:
        - name: api
          image: registry.example.com/shop/api:v1
    behavior:
      api: {pull: 3s, pull_failures: 4, pull_error: 'rpc error: code = Unavailable desc = connection reset'}
  - name: quick-crash
    namespace: t
    at: 7s
    spec:
      containers:
        - name: app
          image: busybox:1.36
    behavior:
      app: {pull: 1s, run: 1500ms, exit_code: 2}
actions:
  - {at: 30s, delete: t/prestop-kill}
  - {at: 40s, delete: t/shortened}
  - {at: 50s, delete: t/shortened, grace: 7}
"""
TIMERS_SECONDS = 900.0


def record_scenario(text: str, seconds: float, *, seed: int = 7, step: float = 0.5,
                    start: float = 1_714_557_600.0) -> list[Change]:
    """Run a demo scenario on a ManualClock; the Changes a watcher lagging up to `step`
    seconds would have seen (as tests/recordings/make_recordings.py does)."""
    from podtui.demo.cluster import DemoCluster
    from podtui.demo.scenario import parse_scenario

    cluster = DemoCluster(parse_scenario(text, source="timer_accuracy.py"), clock=ManualClock(start), seed=seed)
    items: list[Change] = []
    rv = cluster.storage.resource_version
    end = cluster.now + seconds
    while cluster.now < end:
        cluster.advance(step)
        while batch := cluster.storage.events_since(rv, 4096):
            items.extend(Change(e.resource, e.type, e.entry.obj, cluster.now) for e in batch)
            rv = batch[-1].rv
    return items


def without_backoff_messages(changes: list[Change]) -> list[Change]:
    """The same stream from a kubelet that doesn't say its back-off delay: every restart
    prediction is then podtui's estimate from restartCount and what it learned."""
    out = []
    for ch in changes:
        obj = ch.obj
        if ch.resource == PODS and isinstance(obj, dict) and "CrashLoopBackOff" in str(obj.get("status")):
            obj = copy.deepcopy(obj)
            for cs in container_statuses(obj).values():
                waiting = (cs.get("state") or {}).get("waiting") or {}
                if waiting.get("reason") == "CrashLoopBackOff":
                    waiting.pop("message", None)
        out.append(Change(ch.resource, ch.type, obj, ch.observed))
    return out


def measure_file(path: str | Path) -> list[Outcome]:
    return measure([i for i in read_recording(path).items if isinstance(i, Change)])


def summary(outcomes: list[Outcome]) -> str:
    rows = []
    groups: dict[tuple[str, bool], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.kind, o.measured)].append(o)
    rows.append(f"{'kind':<10} {'basis':<9} {'n':>4} {'hit':>4} {'min':>6} {'median':>6} {'max':>6}  other")
    for (kind, measured), items in sorted(groups.items(), key=lambda kv: (KINDS.index(kv[0][0]), not kv[0][1])):
        errs = sorted(o.error for o in items if o.error is not None)
        others = defaultdict(int)
        for o in items:
            if o.error is None:
                others[o.note.split(":")[0]] += 1
        med = errs[len(errs) // 2] if errs else None
        fmt = lambda v: "-" if v is None else f"{v:+.1f}"  # noqa: E731
        rows.append(f"{kind:<10} {'measured' if measured else 'estimated':<9} {len(items):>4} {len(errs):>4} "
                    f"{fmt(errs[0] if errs else None):>6} {fmt(med):>6} {fmt(errs[-1] if errs else None):>6}  "
                    + ", ".join(f"{k} {v}" for k, v in sorted(others.items())))
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    paths = argv or [str(HERE.parent / "recordings" / n) for n in ("demo-default.jsonl.gz", "demo-extra.jsonl.gz")] + ["timers"]
    for path in paths:
        changes = (record_scenario(TIMERS_SCENARIO, TIMERS_SECONDS) if path == "timers"
                   else [i for i in read_recording(path).items if isinstance(i, Change)])
        outcomes = measure(changes) + [o for o in measure(without_backoff_messages(changes)) if o.kind == "restart"]
        print(f"== {path}: {len(outcomes)} predictions")
        print(summary(outcomes))
        worst = sorted((o for o in outcomes if o.error is not None), key=lambda o: -abs(o.error))[:8]
        for o in worst:
            print(f"   {o.error:+6.1f}  {o.kind:<9} {o.pod} {o.container} said at +{o.first_said - outcomes[0].first_said:.1f}"
                  f" {'measured' if o.measured else 'estimated'}")


if __name__ == "__main__":
    main(sys.argv[1:])
