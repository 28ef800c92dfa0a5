from __future__ import annotations

import pytest
from apiserver_wire import event, pod

from podtui.apiserver.selectors import EVENTS_V1_FIELD_ALIASES, parse_field_selector, parse_label_selector
from podtui.apiserver.status import APIError

PODS = [
    pod("web-1", labels={"app": "web", "tier": "front", "rank": "3"}),
    pod("web-2", labels={"app": "web", "tier": "back", "rank": "10"}),
    pod("db-1", labels={"app": "db"}),
    pod("bare"),
]


def selected(selector: str) -> list[str]:
    pred = parse_label_selector(selector)
    return [p["metadata"]["name"] for p in PODS if pred is None or pred(p)]


# The grammar and matching are podtui.lifecycle.labels' (tests/lifecycle/test_labels.py);
# here, that the server applies a selector to its objects' metadata.labels.
@pytest.mark.parametrize(
    "selector, expected",
    [
        ("", ["web-1", "web-2", "db-1", "bare"]),
        ("app!=web", ["db-1", "bare"]),  # != matches objects without the label too
        ("app in (web),tier notin (front)", ["web-2"]),
        ("rank>5", ["web-2"]),
    ],
)
def test_label_selectors(selector, expected):
    assert selected(selector) == expected


# Each message is labels.Parse's, from podtui.lifecycle.labels (tests/lifecycle/test_labels.py
# has them all); here, that the server answers a bad selector 400 with it.
@pytest.mark.parametrize(
    "bad, message",
    [
        ("app in (web", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("=web", "found '=', expected: !, identifier, or 'end of string'"),
        ("rank>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        # Before: read as "app=web", the "!" lost, and answered 200.
        ("!app=web", "found '=', expected: ',' or 'end of string'"),
    ],
)
def test_bad_label_selectors_are_400_with_upstream_messages(bad, message):
    with pytest.raises(APIError) as err:
        parse_label_selector(bad)
    assert err.value.code == 400
    assert err.value.message == message


def test_pod_field_selectors():
    pods = [
        pod("a", "ns1", node="n1", phase="Running"),
        pod("b", "ns2", node="n2", phase="Pending"),
        pod("c", "ns1", phase="Pending"),
    ]

    def sel(text):
        pred = parse_field_selector(text, "pods")
        return [p["metadata"]["name"] for p in pods if pred(p)]

    assert sel("spec.nodeName=n1") == ["a"]
    assert sel("spec.nodeName==n2") == ["b"]
    assert sel("spec.nodeName=") == ["c"]  # unscheduled pods, as the scheduler watches them
    assert sel("status.phase!=Running") == ["b", "c"]
    assert sel("metadata.namespace=ns1,status.phase=Pending") == ["c"]
    assert sel("metadata.name=b") == ["b"]


def test_event_field_selectors_and_events_v1_names():
    events = [
        event("e1", pod_name="web-1", reason="BackOff", type_="Warning"),
        event("e2", pod_name="web-2", reason="Started"),
    ]
    events[1]["source"] = {}
    events[1]["reportingComponent"] = "kubelet"

    def sel(text, aliases=None):
        pred = parse_field_selector(text, "events", aliases=aliases)
        return [e["metadata"]["name"] for e in events if pred(e)]

    assert sel("involvedObject.name=web-1") == ["e1"]
    assert sel("involvedObject.kind=Pod,reason=Started") == ["e2"]
    assert sel("type=Warning") == ["e1"]
    assert sel("involvedObject.fieldPath=spec.containers{app}") == ["e1", "e2"]
    assert sel("source=kubelet") == ["e1", "e2"]  # falls back to reportingComponent
    assert sel("regarding.name=web-2", EVENTS_V1_FIELD_ALIASES) == ["e2"]


def test_field_selector_escapes():
    p = pod("a,b=c")
    pred = parse_field_selector(r"metadata.name=a\,b\=c", "pods")
    assert pred(p)


# fields.ParseSelector and the field label conversion, message for message.
@pytest.mark.parametrize(
    "bad, message",
    [
        ("spec.foo=1", "field label not supported: spec.foo"),
        ("nonsense", "invalid selector: 'nonsense'; can't understand 'nonsense'"),
        ("status.phase = Running", "field label not supported: status.phase "),  # nothing is trimmed
        ("z=1,spec.foo=1", "field label not supported: spec.foo"),  # terms are checked in sorted order
        ("status.phase=a=b", "invalid field selector: unescaped character in value: 61"),
        ("status.phase=a\\x", "invalid field selector: invalid escape sequence: \\x"),
        ("status.phase=a\\", "invalid field selector: invalid escape sequence: \\"),
    ],
)
def test_bad_field_selectors_are_400_with_upstream_messages(bad, message):
    with pytest.raises(APIError) as err:
        parse_field_selector(bad, "pods")
    assert err.value.code == 400
    assert err.value.message == message


def test_pod_field_labels_as_the_v1_conversion_accepts_them():
    pods = [
        pod("a", node="n1", status={"phase": "Running", "podIP": "stale", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}),
        pod("b", node="n2"),
    ]

    def sel(text):
        pred = parse_field_selector(text, "pods")
        return [p["metadata"]["name"] for p in pods if pred is None or pred(p)]

    assert sel("spec.host=n2") == ["b"]  # old clients' name for spec.nodeName
    assert sel("status.podIP=10.0.0.1") == ["a"]  # the first of status.podIPs
    assert sel("status.podIP=stale") == []
    assert sel("status.podIPs=10.0.0.1") == []  # accepted, but selects on nothing
    assert sel("status.podIPs=") == ["a", "b"]
    assert sel(",") == ["a", "b"]


def test_events_v1_takes_only_its_own_field_names():
    with pytest.raises(APIError) as err:
        parse_field_selector("involvedObject.name=x", "events", aliases=EVENTS_V1_FIELD_ALIASES)
    assert err.value.message == "field label not supported: involvedObject.name"
    assert parse_field_selector("source=kubelet,reason=x", "events", aliases=EVENTS_V1_FIELD_ALIASES) is not None


def test_selectors_never_raise_on_malformed_objects():
    label = parse_label_selector("app=web,rank>1,!x")
    field = parse_field_selector("spec.nodeName=n,status.phase=Running", "pods")
    for junk in [{}, {"metadata": None}, {"metadata": {"labels": ["a"]}}, {"spec": "x", "status": 3}]:
        assert label(junk) is False
        assert field(junk) is False
