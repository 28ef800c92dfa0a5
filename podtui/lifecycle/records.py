"""The model's vocabulary: plain data the store derives and the UI, recorder and
history export read. No logic lives here; see store.py, history.py, backoff.py,
probes.py, termination.py, nextstep.py.

All times are float epoch seconds (UTC); None means unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec


class Row(msgspec.Struct, gc=False):
    """The time-independent part of kubectl's pod row, computed once per pod version.

    AGE and the "(5m ago)" of RESTARTS depend on now; columns.py formats them. A
    Struct for the same reasons as Transition: one is built on most watch events.
    """

    ready: str  # "1/2"
    status: str  # "CrashLoopBackOff", "Init:0/2", "Terminating", ...
    restarts: int
    last_restart: float | None  # newest lastState.terminated.finishedAt counted in restarts
    created: float | None
    ip: str  # "<none>" when absent
    node: str
    nominated_node: str
    readiness_gates: str


@dataclass(slots=True)
class EventRecord:
    """A core/v1 or events.k8s.io/v1 Event, read the way kubectl reads either API."""

    uid: str
    namespace: str
    name: str
    type: str  # Normal / Warning
    reason: str
    message: str
    first: float | None  # firstTimestamp or eventTime
    last: float | None  # series.lastObservedTime or lastTimestamp or first
    count: int  # series.count or count or 1
    field_path: str  # involvedObject.fieldPath / regarding.fieldPath
    container: str | None  # parsed from field_path: spec.containers{app} -> "app"
    source: str  # source.component or reportingController
    involved_kind: str
    involved_namespace: str
    involved_name: str
    involved_uid: str
    resource_version: str = ""
    # A repeating probe failure's earlier (count, last) observations, oldest first and
    # flattened (c1, t1, c2, t2, ...): the c-th failure was at t. probes.py places a
    # run's failures by them; store.py keeps at most EARLIER_LIMIT pairs. Not compared:
    # a relisted copy equal in what the API sends is the same Event.
    earlier: tuple = field(default=(), compare=False)
    # The evenly spaced stretch of its probe's attempts (failures, and errored attempts
    # the kubelet throws away) up to this write, of whichever Event (a probe failing
    # with alternating messages writes to two), every one seen written: (attempts, the
    # first's time, smallest gap, largest gap, the attempt before the first or None, the
    # attempt before this one or None, how many errored), each attempt before as (time,
    # 1 for a failure or 0 for an error); or () (store._run_after). A run longer than
    # `earlier` holds is told from one a success broke by its gaps, in seven fields
    # whatever its length.
    run: tuple = field(default=(), compare=False)


# Transition.kind values
CREATED = "created"
SCHEDULED = "scheduled"  # node assigned
PHASE = "phase"
REASON = "reason"  # status.reason
CONDITION = "condition"  # subject = condition type; old/new = status
CONTAINER_STATE = "container-state"  # subject = container; old/new = "waiting:X" / "running" / "terminated:Reason"
READY = "ready"  # subject = container; "true"/"false"
STARTED = "started"  # subject = container
RESTART = "restart"  # subject = container; old/new = restart counts
IP = "ip"
NOMINATED = "nominated"
DELETION = "deletion"  # deletionTimestamp set; detail = grace
DISRUPTION = "disruption"  # DisruptionTarget reason
FINALIZER = "finalizer"  # subject = the finalizer; new = "added" / "removed"
REMOVED = "removed"  # the object is gone from the API (DELETED)
REPLACED = "replaced"  # a new pod took this name; subject = the new uid


class Transition(msgspec.Struct, gc=False):
    """One observed (or reconstructed) change in a pod's lifecycle.

    Treat as immutable. A msgspec Struct, not a dataclass: a watch event makes three or
    four of these, and a Struct is built in C (about a third of a slots dataclass's
    __init__) and, with gc=False, never scanned by the cyclic collector: histories hold
    hundreds of thousands of them (tests/benchmarks/bench_model.py).
    """

    at: float  # best timestamp: the object's own where it has one, else observed
    kind: str
    subject: str = ""  # "" = the pod; else a container name or a condition type
    old: str | None = None
    new: str | None = None
    detail: str = ""  # reason/message, exit code and signal, grace seconds, ...
    observed: bool = True  # False: reconstructed from timestamps on first sight
    exact: bool = True  # `at` comes from the object, not from when podtui saw it
    container_kind: str = ""  # "init" / "sidecar" / "main" / "ephemeral" for container entries
    # Structured facts behind `detail` (exit code, signal, reason, startedAt/finishedAt of
    # a terminated instance, restartCount...) so later code needn't parse strings.
    data: dict | None = None


@dataclass(slots=True)
class BackoffInfo:
    """Where a container stands on the kubelet's restart (or image pull) back-off."""

    container: str
    kind: str  # "crash" (CrashLoopBackOff) or "image" (ImagePullBackOff)
    delay: float  # the current delay, seconds
    next_at: float | None  # when the kubelet tries again (finishedAt + delay)
    measured: bool  # True: read from the kubelet's message; False: estimated
    initial: float = 10.0  # the curve in use (10s doubling to 300s unless inferred)
    cap: float = 300.0
    step: int = 0  # position on the ladder: 0 -> initial, 1 -> 2x initial, ...
    reset_at: float | None = None  # running since t: back-off resets at t + 600s
    message: str = ""
    # An image back-off's retry under way: when its pull began (the kubelet's Pulling
    # Event), while the status still says ImagePullBackOff. None: no pull runs.
    pulling_since: float | None = None


@dataclass(slots=True, frozen=True)
class ProbeSettings:
    """A probe with Kubernetes' defaults filled in. Frozen: one is shared by every pod
    whose probe is the same object (probes._settings)."""

    container: str
    type: str  # liveness / readiness / startup
    handler: str  # "http GET :8080/healthz", "exec [cat /tmp/ok]", "tcp :5432", "grpc :9000"
    initial_delay: int = 0
    timeout: int = 1
    period: int = 10
    success_threshold: int = 1
    failure_threshold: int = 3
    termination_grace: int | None = None


@dataclass(slots=True)
class ProbeState:
    settings: ProbeSettings
    streak: int = 0  # failures in the current streak (from Unhealthy events)
    # True: every failure that may be in the streak was seen written one by one. False:
    # some were not (before podtui watched, a watch outage, the Event spam filter) and
    # `streak` is estimated from the Events' spans, no lower than the failures placed.
    exact: bool = True
    last_failure: str = ""  # last failure message
    last_failure_at: float | None = None
    acts_at: float | None = None  # estimated time the kubelet acts (kill / unready)
    events: list[EventRecord] = field(default_factory=list)


@dataclass(slots=True)
class TerminationInfo:
    deletion_requested: bool = False
    kill_at: float | None = None  # deletionTimestamp: SIGKILL deadline
    grace: int | None = None  # deletionGracePeriodSeconds
    prestop: list[str] = field(default_factory=list)  # containers with a preStop hook
    finalizers: list[str] = field(default_factory=list)
    waiting_on_finalizers: bool = False  # past the deadline, held only by finalizers
    held_since: float | None = None  # when the deletion would have completed but for the finalizers
    removed_at: float | None = None  # gone from the API (DELETED seen): nothing holds it any more
    disruption_reason: str = ""  # DisruptionTarget reason (EvictionByEvictionAPI, ...)
    disruption_message: str = ""
    status_reason: str = ""  # Evicted, NodeLost, DeadlineExceeded, ...
    deadline_at: float | None = None  # status.startTime + activeDeadlineSeconds
    active_deadline: int | None = None


@dataclass(slots=True)
class NextStep:
    """What happens next and when: the main table's NEXT column."""

    text: str  # "restart in 37s", "SIGKILL in 12s", "liveness 2/3", "waiting on finalizer"
    due_at: float | None = None
    severity: str = "info"  # info / warning / error
