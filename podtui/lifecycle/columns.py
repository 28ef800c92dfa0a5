"""kubectl's pod and event rows, to the character.

`kubectl get pods -o wide` does not compute its columns: the API server does, in
printPod and printEvent (kubernetes/kubernetes pkg/printers/internalversion/printers.go).
This module follows that code rule for rule, reading Pods and Events as the JSON dicts
the API serves (camelCase). It never raises on malformed input: a missing or mistyped
field reads as Go's zero value, which is what the printer would see.

The store calls `pod_row` on every watch event, so the pod is split into the
time-independent `Row` (computed once per pod version) and the two columns that move
with the clock, `format_age` and `format_restarts`, formatted per repaint.
"""

from __future__ import annotations

from datetime import datetime, timezone

from podtui.lifecycle.duration import GO_ZERO_TIME, format_age, human_duration
from podtui.lifecycle.records import Row
from podtui.lifecycle.times import parse_ts

__all__ = [
    "EVENT_TABLE_COLUMNS",
    "POD_TABLE_COLUMNS",
    "event_columns",
    "format_age",
    "format_restarts",
    "human_duration",
    "kubectl_columns",
    "pod_row",
]

# The Table columns printers.go declares, in cell order: (key in our dicts, header,
# type, priority). Priority 1 columns appear only with -o wide; the API server always
# sends all cells and kubectl drops the priority 1 ones itself.
POD_TABLE_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("name", "Name", "string", 0),
    ("ready", "Ready", "string", 0),
    ("status", "Status", "string", 0),
    ("restarts", "Restarts", "string", 0),
    ("age", "Age", "string", 0),
    ("ip", "IP", "string", 1),
    ("node", "Node", "string", 1),
    ("nominated_node", "Nominated Node", "string", 1),
    ("readiness_gates", "Readiness Gates", "string", 1),
)
EVENT_TABLE_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("last_seen", "Last Seen", "string", 0),
    ("type", "Type", "string", 0),
    ("reason", "Reason", "string", 0),
    ("object", "Object", "string", 0),
    ("subobject", "Subobject", "string", 1),
    ("source", "Source", "string", 1),
    ("message", "Message", "string", 0),
    ("first_seen", "First Seen", "string", 1),
    ("count", "Count", "string", 1),
    ("name", "Name", "string", 1),
)

_EMPTY: dict = {}
_NONE = "<none>"
_TERMINAL_PHASES = ("Succeeded", "Failed")
_NODE_LOST = "NodeLost"  # pkg/util/node NodeUnreachablePodReason
# Go's unicode.IsSpace set, for strings.TrimSpace (str.strip() also strips \x1c-\x1f).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _mapping(value: object) -> dict:
    """`value` if it is a JSON object, else an empty one (shared: never written to)."""
    return value if type(value) is dict else _EMPTY


def _str(value: object) -> str:
    return value if type(value) is str else ""


def _int(value: object) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    return 0


def _ts(value: object) -> float | None:
    """A metav1.Time field -> epoch seconds, None when zero or unreadable."""
    ts = parse_ts(value)
    if ts is None or ts <= GO_ZERO_TIME:
        return None
    return ts


def _finished_at(status: dict) -> float | None:
    last = status.get("lastState")
    if type(last) is dict:
        terminated = last.get("terminated")
        if type(terminated) is dict:
            return _ts(terminated.get("finishedAt"))
    return None


def terminated_reason(terminated: dict, prefix: str = "") -> str:
    """kubectl's word for a terminated state: its reason, else Signal:N / ExitCode:N."""
    reason = _str(terminated.get("reason"))
    if reason:
        return prefix + reason
    signal = _int(terminated.get("signal"))
    if signal != 0:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{_int(terminated.get('exitCode'))}"


def pod_row(pod: dict) -> Row:
    """printPod without the clock: READY, STATUS, restart count and times, wide columns."""
    # The store calls this on most watch events: small helpers are inlined where a
    # field is read per container or per condition (tests/lifecycle/test_columns.py
    # holds it to upstream's printPod cases).
    obj = _mapping(pod)
    meta, spec, status = _mapping(obj.get("metadata")), _mapping(obj.get("spec")), _mapping(obj.get("status"))
    conditions = status.get("conditions")
    if type(conditions) is not list:
        conditions = ()

    phase = status.get("phase")
    if type(phase) is not str:
        phase = ""
    status_reason = status.get("reason")
    if type(status_reason) is not str:
        status_reason = ""
    reason = status_reason or phase
    for condition in conditions:
        if (
            type(condition) is dict
            and condition.get("reason") == "SchedulingGated"
            and condition.get("type") == "PodScheduled"
        ):
            reason = "SchedulingGated"

    containers = spec.get("containers")
    total = len(containers) if type(containers) is list else 0
    init_specs = spec.get("initContainers")
    if type(init_specs) is not list:
        init_specs = ()
    # printPod maps init containers by name (the last of a duplicated name wins) and
    # counts every restartable one (a sidecar) toward the READY total.
    sidecar_by_name: dict[str, bool] = {}
    for container in init_specs:
        if type(container) is dict:
            sidecar = container.get("restartPolicy") == "Always"
            sidecar_by_name[_str(container.get("name"))] = sidecar
            if sidecar:
                total += 1
        else:
            sidecar_by_name[""] = False

    ready = 0
    restarts = 0
    last_restart: float | None = None
    sidecar_restarts = 0
    sidecar_last_restart: float | None = None
    initializing = False
    init_statuses = status.get("initContainerStatuses")
    if type(init_statuses) is not list:
        init_statuses = ()
    for index, item in enumerate(init_statuses):
        cs = _mapping(item)
        count = cs.get("restartCount")
        if type(count) is not int:
            count = _int(count)
        restarts += count
        finished = _finished_at(cs) if cs.get("lastState") else None
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished
        is_sidecar = sidecar_by_name.get(_str(cs.get("name")), False)
        if is_sidecar:
            sidecar_restarts += count
            if finished is not None and (sidecar_last_restart is None or finished > sidecar_last_restart):
                sidecar_last_restart = finished
        state = _mapping(cs.get("state"))
        terminated = state.get("terminated")
        if type(terminated) is not dict:
            terminated = None
        if terminated is not None and _int(terminated.get("exitCode")) == 0:
            continue
        if is_sidecar and cs.get("started") is True:
            if cs.get("ready") is True:
                ready += 1
            continue
        if terminated is not None:
            reason = terminated_reason(terminated, "Init:")
        else:
            waiting = state.get("waiting")
            waiting_reason = _str(waiting.get("reason")) if type(waiting) is dict else ""
            if waiting_reason and waiting_reason != "PodInitializing":
                reason = "Init:" + waiting_reason
            else:
                reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _initialized(conditions):
        # Regular init containers' restarts stop counting once the pod is initialized.
        restarts = sidecar_restarts
        last_restart = sidecar_last_restart
        has_running = False
        statuses = status.get("containerStatuses")
        if type(statuses) is not list:
            statuses = ()
        # Walked in reverse so that the first listed container's reason wins.
        for item in reversed(statuses):
            cs = _mapping(item)
            count = cs.get("restartCount")
            restarts += count if type(count) is int else _int(count)
            if cs.get("lastState"):  # {} and absent: no finishedAt to read
                finished = _finished_at(cs)
                if finished is not None and (last_restart is None or finished > last_restart):
                    last_restart = finished
            state = _mapping(cs.get("state"))
            if not state:
                continue  # an empty state: neither a reason nor ready
            waiting = state.get("waiting")
            if type(waiting) is dict and _str(waiting.get("reason")):
                reason = waiting["reason"]
                continue
            terminated = state.get("terminated")
            if type(terminated) is dict:
                reason = terminated_reason(terminated, "")
            elif cs.get("ready") is True and type(state.get("running")) is dict:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if pod_ready(conditions) else "NotReady"

    if meta.get("deletionTimestamp"):
        if status_reason == _NODE_LOST:
            reason = "Unknown"
        elif phase not in _TERMINAL_PHASES:
            reason = "Terminating"

    created = meta.get("creationTimestamp")
    ip = status.get("podIP")
    if type(ip) is not str or not ip:
        ip = _pod_ip(status)
    node = spec.get("nodeName")
    if type(node) is not str or not node:
        node = _NONE
    nominated = status.get("nominatedNodeName")
    if type(nominated) is not str or not nominated:
        nominated = _NONE
    return Row(
        f"{ready}/{total}",
        reason,
        restarts,
        last_restart,
        _ts(created) if created else None,
        ip,
        node,
        nominated,
        _readiness_gates(spec, conditions) if spec.get("readinessGates") else _NONE,
    )


def _initialized(conditions) -> bool:
    # isPodInitializedConditionTrue: the first Initialized condition decides.
    for condition in conditions:
        if type(condition) is dict and condition.get("type") == "Initialized":
            return condition.get("status") == "True"
    return False


def pod_ready(conditions) -> bool:
    """The pod is ready (kubectl's hasPodReadyCondition): any Ready=True condition."""
    for condition in conditions:
        if type(condition) is dict and condition.get("type") == "Ready" and condition.get("status") == "True":
            return True
    return False


def _pod_ip(status: dict) -> str:
    # The v1 -> internal conversion makes status.podIP authoritative when set, else
    # podIPs[0]; printPod then prints PodIPs[0].
    ip = _str(status.get("podIP"))
    if not ip:
        ips = status.get("podIPs")
        if type(ips) is list and ips and type(ips[0]) is dict:
            ip = _str(ips[0].get("ip"))
    return ip or _NONE


def _readiness_gates(spec: dict, conditions) -> str:
    gates = spec.get("readinessGates")
    if type(gates) is not list or not gates:
        return _NONE
    true_conditions = 0
    for gate in gates:
        wanted = _str(gate.get("conditionType")) if type(gate) is dict else ""
        for condition in conditions:
            if type(condition) is not dict:
                condition = _EMPTY  # a null decodes to the zero condition: Type "" can match
            if _str(condition.get("type")) == wanted:
                if condition.get("status") == "True":
                    true_conditions += 1
                break
    return f"{true_conditions}/{len(gates)}"


def format_restarts(row: Row, now: float) -> str:
    """RESTARTS: "3", or "3 (5m ago)" once a restarted container has a finishedAt."""
    if row.restarts != 0 and row.last_restart is not None:
        return f"{row.restarts} ({format_age(row.last_restart, now)} ago)"
    return str(row.restarts)


def _epoch(now: datetime | float) -> float:
    if isinstance(now, datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        return now.timestamp()
    return float(now)


def kubectl_columns(pod: dict, now: datetime | float) -> dict:
    """The columns of `kubectl get pods -o wide` for one pod at `now`, as strings."""
    row = pod_row(pod)
    t = _epoch(now)
    return {
        "ready": row.ready,
        "status": row.status,
        "restarts": format_restarts(row, t),
        "age": format_age(row.created, t),
        "ip": row.ip,
        "node": row.node,
        "nominated_node": row.nominated_node,
        "readiness_gates": row.readiness_gates,
    }


# core/v1 Event field -> events.k8s.io/v1 field, after pkg/apis/events/v1/conversion.go
# (the API server converts either to the internal Event before printEvent sees it).
_CORE_KEYS = {
    "involved": "involvedObject",
    "message": "message",
    "source": "source",
    "first": "firstTimestamp",
    "last": "lastTimestamp",
    "count": "count",
    "controller": "reportingComponent",
}
_EVENTS_V1_KEYS = {
    "involved": "regarding",
    "message": "note",
    "source": "deprecatedSource",
    "first": "deprecatedFirstTimestamp",
    "last": "deprecatedLastTimestamp",
    "count": "deprecatedCount",
    "controller": "reportingController",
}


def _is_events_v1(event: dict) -> bool:
    api_version = event.get("apiVersion")
    if type(api_version) is str and api_version:
        return api_version.startswith("events.k8s.io/")
    return "involvedObject" not in event and ("regarding" in event or "note" in event)


def event_columns(event: dict, now: datetime | float) -> dict:
    """printEvent's wide row: LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE,
    MESSAGE, FIRST SEEN, COUNT, NAME, for a core/v1 or events.k8s.io/v1 Event."""
    if type(event) is not dict:
        event = _EMPTY
    keys = _EVENTS_V1_KEYS if _is_events_v1(event) else _CORE_KEYS
    t = _epoch(now)

    first_ts = _ts(event.get(keys["first"]))
    if first_ts is None:
        first_seen = format_age(_ts(event.get("eventTime")), t)
    else:
        first_seen = format_age(first_ts, t)
    last_ts = _ts(event.get(keys["last"]))
    last_seen = first_seen if last_ts is None else format_age(last_ts, t)

    count = _int(event.get(keys["count"]))
    series = event.get("series")
    if type(series) is dict:
        last_seen = format_age(_ts(series.get("lastObservedTime")), t)
        count = _int(series.get("count"))
    elif count == 0:
        count = 1  # singleton events carry no count in the new API

    involved = event.get(keys["involved"])
    if type(involved) is not dict:
        involved = _EMPTY
    kind = _str(involved.get("kind")).lower()
    involved_name = _str(involved.get("name"))
    target = f"{kind}/{involved_name}" if involved_name else kind

    source = event.get(keys["source"])
    if type(source) is not dict:
        source = _EMPTY
    component = _str(source.get("component")) or _str(event.get(keys["controller"]))
    instance = _str(source.get("host")) or _str(event.get("reportingInstance"))

    meta = event.get("metadata")
    if type(meta) is not dict:
        meta = _EMPTY
    return {
        "last_seen": last_seen,
        "type": _str(event.get("type")),
        "reason": _str(event.get("reason")),
        "object": target,
        "subobject": _str(involved.get("fieldPath")),
        "source": f"{component}, {instance}" if instance else component,
        "message": _str(event.get(keys["message"])).strip(_GO_SPACE),
        "first_seen": first_seen,
        "count": str(count),
        "name": _str(meta.get("name")),
    }
