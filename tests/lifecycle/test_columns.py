"""kubectl's pod and event rows, table-driven from JSON fixtures.

The fixtures (tests/lifecycle/fixtures/columns/) hold pods and events as the API serves
them, a fixed `now`, and the columns kubectl prints: upstream's printers_test.go cases
plus podtui's own, written by make_fixtures.py in the same folder.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podtui.lifecycle import event_columns, format_age, format_restarts, kubectl_columns, pod_row
from podtui.lifecycle.columns import EVENT_TABLE_COLUMNS, POD_TABLE_COLUMNS
from podtui.lifecycle.records import Row
from podtui.lifecycle.times import parse_ts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "columns"
POD_KEYS = {"ready", "status", "restarts", "age", "ip", "node", "nominated_node", "readiness_gates"}
EVENT_KEYS = {"last_seen", "type", "reason", "object", "subobject", "source", "message", "first_seen", "count", "name"}


def load(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text())["cases"]


POD_CASES = load("pods_upstream.json") + load("pods_podtui.json")
EVENT_CASES = load("events.json")


def case_id(case: dict) -> str:
    return f"{case['source'].split()[-1]}: {case['name']}"


def now_of(case: dict) -> datetime:
    return datetime.fromisoformat(case["now"].replace("Z", "+00:00"))


@pytest.mark.parametrize("case", POD_CASES, ids=case_id)
def test_pod_columns_match_kubectl(case):
    got = kubectl_columns(case["pod"], now_of(case))
    assert set(got) == POD_KEYS
    assert {key: got[key] for key in case["expect"]} == case["expect"]


@pytest.mark.parametrize("case", POD_CASES, ids=case_id)
def test_split_path_gives_the_same_columns(case):
    # The store keeps pod_row per pod version and formats AGE/RESTARTS per repaint.
    row = pod_row(case["pod"])
    now = now_of(case).timestamp()
    whole = kubectl_columns(case["pod"], now)
    assert format_age(row.created, now) == whole["age"]
    assert format_restarts(row, now) == whole["restarts"]
    assert (row.ready, row.status, row.ip, row.node, row.nominated_node, row.readiness_gates) == (
        whole["ready"], whole["status"], whole["ip"], whole["node"], whole["nominated_node"], whole["readiness_gates"])


@pytest.mark.parametrize("case", EVENT_CASES, ids=case_id)
def test_event_columns_match_kubectl(case):
    got = event_columns(case["event"], now_of(case))
    assert set(got) == EVENT_KEYS
    assert {key: got[key] for key in case["expect"]} == case["expect"]


def test_fixtures_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    pods = gen.upstream_print_pod() + gen.upstream_restartable_init() + gen.upstream_wide() + gen.upstream_phases()
    assert load("pods_upstream.json") == json.loads(json.dumps(pods))
    assert load("pods_podtui.json") == json.loads(json.dumps(gen.podtui_cases()))
    assert load("events.json") == json.loads(json.dumps(gen.upstream_events() + gen.podtui_events()))


def find(name: str) -> dict:
    return next(c for c in POD_CASES if c["name"] == name)


def test_row_keeps_times_as_epoch_seconds():
    case = find("crash loop next to a healthy container")
    row = pod_row(case["pod"])
    now = now_of(case).timestamp()
    assert isinstance(row, Row)
    assert row.restarts == 5
    assert row.last_restart == now - 95
    assert row.created == now - (2 * 86400 + 3 * 3600 + 30 * 60)


def test_row_has_no_times_when_the_pod_has_none():
    row = pod_row(find("test1 restarts and ready")["pod"])
    assert row.created is None and row.last_restart is None and row.restarts == 6


def test_restarts_show_ago_only_when_counted_and_dated():
    base = dict(ready="1/1", status="Running", created=None, ip="<none>", node="<none>",
                nominated_node="<none>", readiness_gates="<none>")
    assert format_restarts(Row(restarts=0, last_restart=1000.0, **base), 1100.0) == "0"
    assert format_restarts(Row(restarts=2, last_restart=None, **base), 1100.0) == "2"
    assert format_restarts(Row(restarts=2, last_restart=1000.0, **base), 1100.0) == "2 (100s ago)"


def test_now_may_be_naive_aware_or_epoch():
    pod = find("terminating while running and ready")["pod"]
    aware = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    expected = kubectl_columns(pod, aware)
    assert expected["age"] == "9m59s"
    assert kubectl_columns(pod, aware.replace(tzinfo=None)) == expected
    assert kubectl_columns(pod, aware.timestamp()) == expected
    assert kubectl_columns(pod, aware.astimezone(timezone(timedelta(hours=9)))) == expected


def test_age_moves_with_now_but_the_row_does_not():
    case = find("crash loop next to a healthy container")
    row = pod_row(case["pod"])
    now = now_of(case).timestamp()
    assert format_restarts(row, now + 25) == "5 (2m ago)"  # last restart 95s + 25s ago
    assert format_age(row.created, now + 6 * 86400) == "8d"  # 8d3h30m: past 8 days, hours drop
    assert pod_row(case["pod"]) == row


def test_duplicate_init_container_names_resolve_to_the_last_spec():
    # printPod builds a name -> container map, so the last spec of a name decides.
    pod = {
        "spec": {"initContainers": [{"name": "x", "restartPolicy": "Always"}, {"name": "x"}], "containers": [{"name": "a"}]},
        "status": {"initContainerStatuses": [{"name": "x", "started": True, "ready": True, "state": {"running": {}}}]},
    }
    got = kubectl_columns(pod, 0.0)
    assert got["ready"] == "0/2"  # both specs count toward the total; the status is not a sidecar's
    assert got["status"] == "Init:0/2"


def test_table_column_keys_match_the_row_dicts():
    assert {key for key, *_ in POD_TABLE_COLUMNS} == POD_KEYS | {"name"}
    assert [key for key, *_ in EVENT_TABLE_COLUMNS] == [
        "last_seen", "type", "reason", "object", "subobject", "source", "message", "first_seen", "count", "name"]
    assert [header for _, header, _, prio in POD_TABLE_COLUMNS if prio == 0] == ["Name", "Ready", "Status", "Restarts", "Age"]


MANGLED = [
    None, [], "pod", 42, {"metadata": None, "spec": None, "status": None},
    {"metadata": [], "spec": "x", "status": 3},
    {"spec": {"containers": "abc", "initContainers": {"a": 1}, "readinessGates": [None, 3, {"conditionType": 5}]}},
    {"status": {"phase": 7, "reason": ["NodeLost"], "conditions": [None, "Ready", {"type": "Ready", "status": True}]}},
    {"status": {"containerStatuses": [None, 5, "x", {"state": None, "lastState": []}], "initContainerStatuses": "abc"}},
    {"status": {"containerStatuses": [{"restartCount": "3", "state": {"waiting": {"reason": 5}, "terminated": []},
                                       "lastState": {"terminated": {"finishedAt": "yesterday"}}}]}},
    {"status": {"initContainerStatuses": [{"name": ["x"], "state": {"terminated": {"exitCode": "1", "signal": 2.5}}}]}},
    {"status": {"containerStatuses": [{"restartCount": float("nan"), "lastState": {"terminated": {"finishedAt": 1714557600}}}]}},
    {"metadata": {"creationTimestamp": "2024-13-45T99:00:00Z", "deletionTimestamp": {"when": "now"}},
     "status": {"podIPs": [None], "podIP": ["1.2.3.4"], "nominatedNodeName": 3}},
    {"status": {"podIPs": "10.0.0.1"}, "spec": {"nodeName": None}},
]


@pytest.mark.parametrize("pod", MANGLED, ids=range(len(MANGLED)))
def test_mangled_pods_show_what_is_there(pod):
    got = kubectl_columns(pod, 1714557600.0)
    assert set(got) == POD_KEYS
    assert all(isinstance(value, str) for value in got.values())


def test_mangled_fields_read_as_go_zero_values():
    got = kubectl_columns(MANGLED[9], 1714557600.0)
    # restartCount "3" is not a number: zero restarts; waiting.reason 5 is no reason, so
    # the (malformed) terminated state is skipped too and the phase stays.
    assert got == {"ready": "0/0", "status": "", "restarts": "0", "age": "<unknown>", "ip": "<none>",
                   "node": "<none>", "nominated_node": "<none>", "readiness_gates": "<none>"}
    assert kubectl_columns(MANGLED[12], 1714557600.0)["status"] == "Terminating"


# Keys worth hitting when mangling: the printer reads exactly these.
POD_FIELD_NAMES = [
    "metadata", "spec", "status", "containers", "initContainers", "containerStatuses", "initContainerStatuses",
    "state", "lastState", "terminated", "waiting", "running", "reason", "exitCode", "signal", "restartCount",
    "ready", "started", "finishedAt", "creationTimestamp", "deletionTimestamp", "phase", "conditions", "type",
    "status", "podIP", "podIPs", "ip", "readinessGates", "conditionType", "name", "restartPolicy", "nodeName",
    "nominatedNodeName", "involvedObject", "regarding", "series", "count", "lastObservedTime", "eventTime",
    "firstTimestamp", "lastTimestamp", "source", "component", "host", "message", "note", "apiVersion",
]
leaves = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["Always", "True", "Running", "Failed", "NodeLost", "SchedulingGated", "Completed",
                       "PodInitializing", "events.k8s.io/v1", "2024-05-01T12:00:00Z", "0001-01-01T00:00:00Z",
                       "9999-12-31T23:59:59Z", "2024-05-01T12:00:00.123456Z", "not a time"])
)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(POD_FIELD_NAMES) | st.text(max_size=4), children, max_size=6),
    max_leaves=40,
)
NOW_EPOCH = 1714564800.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_random_json_never_raises(value):
    got = kubectl_columns(value, NOW_EPOCH)
    assert set(got) == POD_KEYS and all(isinstance(v, str) for v in got.values())
    row = pod_row(value)
    assert isinstance(row.restarts, int)
    assert row.created is None or isinstance(row.created, float)
    events = event_columns(value, NOW_EPOCH)
    assert set(events) == EVENT_KEYS and all(isinstance(v, str) for v in events.values())


def _mutate(data, tree, steps: int):
    """Replace a few random subtrees of a realistic object with random JSON."""
    for _ in range(steps):
        node = tree
        while True:
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
            if not children:
                break
            key, child = data.draw(st.sampled_from(children))
            if not isinstance(child, (dict, list)) or data.draw(st.booleans()):
                node[key] = data.draw(json_values)
                break
            node = child
    return tree


REALISTIC_PODS = [c["pod"] for c in POD_CASES if c["source"] == "podtui"]
REALISTIC_EVENTS = [c["event"] for c in EVENT_CASES]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_realistic_pods_never_raise(data):
    pod = _mutate(data, copy.deepcopy(data.draw(st.sampled_from(REALISTIC_PODS))), data.draw(st.integers(1, 4)))
    got = kubectl_columns(pod, NOW_EPOCH)
    assert set(got) == POD_KEYS and all(isinstance(v, str) for v in got.values())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_realistic_events_never_raise(data):
    event = _mutate(data, copy.deepcopy(data.draw(st.sampled_from(REALISTIC_EVENTS))), data.draw(st.integers(1, 4)))
    got = event_columns(event, NOW_EPOCH)
    assert set(got) == EVENT_KEYS and all(isinstance(v, str) for v in got.values())


def test_event_shape_is_read_by_api_version():
    # A core/v1 Event never reads events.k8s.io/v1 field names, and vice versa.
    core = {"apiVersion": "v1", "note": "new-style field", "message": "core message",
            "involvedObject": {"kind": "Pod", "name": "a"}, "regarding": {"kind": "Node", "name": "b"}}
    assert event_columns(core, NOW_EPOCH)["message"] == "core message"
    assert event_columns(core, NOW_EPOCH)["object"] == "pod/a"
    new = dict(core, apiVersion="events.k8s.io/v1")
    assert event_columns(new, NOW_EPOCH)["message"] == "new-style field"
    assert event_columns(new, NOW_EPOCH)["object"] == "node/b"


def test_event_counts_follow_series_then_count_then_one():
    ts = "2024-05-01T11:59:00Z"
    assert event_columns({"count": 4, "lastTimestamp": ts}, NOW_EPOCH)["count"] == "4"
    assert event_columns({"lastTimestamp": ts}, NOW_EPOCH)["count"] == "1"
    assert event_columns({"count": 4, "series": {"count": 9, "lastObservedTime": ts}}, NOW_EPOCH)["count"] == "9"
    assert parse_ts(ts) == NOW_EPOCH - 60
    assert event_columns({"count": 4, "lastTimestamp": ts}, NOW_EPOCH)["last_seen"] == "60s"
