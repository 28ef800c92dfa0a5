"""Server-side printing: the meta.k8s.io/v1 Table kubectl asks for."""

from __future__ import annotations

from apiserver_wire import TABLE_ACCEPT, RawWatch, event, pod, request

POD_COLUMNS = [
    ("Name", "string", 0),
    ("Ready", "string", 0),
    ("Status", "string", 0),
    ("Restarts", "string", 0),
    ("Age", "string", 0),
    ("IP", "string", 1),
    ("Node", "string", 1),
    ("Nominated Node", "string", 1),
    ("Readiness Gates", "string", 1),
]
EVENT_COLUMNS = [
    ("Last Seen", 0),
    ("Type", 0),
    ("Reason", 0),
    ("Object", 0),
    ("Subobject", 1),
    ("Source", 1),
    ("Message", 0),
    ("First Seen", 1),
    ("Count", 1),
    ("Name", 1),
]


def running_pod(name: str, namespace: str = "default") -> dict:
    p = pod(name, namespace, node="node-1", phase="Running")
    p["status"].update(
        podIP="10.0.0.7",
        podIPs=[{"ip": "10.0.0.7"}],
        containerStatuses=[{"name": "app", "ready": True, "restartCount": 2, "state": {"running": {"startedAt": "2024-05-01T10:00:00Z"}},
                            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2024-05-01T09:59:30Z"}}}],
    )
    return p


def test_pod_table_list(server, storage, clock):
    storage.create("pods", running_pod("web"))
    done = pod("job", phase="Succeeded")
    storage.create("pods", done)
    clock.advance(90)
    resp = request(server.url, "/api/v1/pods?limit=500", accept=TABLE_ACCEPT)
    assert resp.status == 200 and resp.headers["content-type"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
    table = resp.json()
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"]["resourceVersion"] == str(storage.resource_version)
    assert [(c["name"], c["type"], c["priority"]) for c in table["columnDefinitions"]] == POD_COLUMNS
    assert table["columnDefinitions"][0]["format"] == "name"
    job, web = table["rows"]
    assert web["cells"] == ["web", "1/1", "Running", "2 (2m ago)", "90s", "10.0.0.7", "node-1", "<none>", "<none>"]
    assert web["object"]["kind"] == "PartialObjectMetadata" and web["object"]["metadata"]["name"] == "web"
    assert "conditions" not in web
    assert job["cells"][2] == "Succeeded" and job["conditions"][0]["type"] == "Completed"


def test_table_include_object(server, storage):
    storage.create("pods", running_pod("web"))
    full = request(server.url, "/api/v1/pods?includeObject=Object", accept=TABLE_ACCEPT).json()
    assert full["rows"][0]["object"]["spec"]["nodeName"] == "node-1"
    none = request(server.url, "/api/v1/pods?includeObject=None", accept=TABLE_ACCEPT).json()
    assert none["rows"][0]["object"] is None
    assert request(server.url, "/api/v1/pods?includeObject=Bogus", accept=TABLE_ACCEPT).status == 400


def test_table_pagination_and_single_get(server, storage):
    for i in range(3):
        storage.create("pods", running_pod(f"p{i}"))
    first = request(server.url, "/api/v1/pods?limit=2", accept=TABLE_ACCEPT).json()
    assert [r["cells"][0] for r in first["rows"]] == ["p0", "p1"] and first["metadata"]["continue"]
    one = request(server.url, "/api/v1/namespaces/default/pods/p2", accept=TABLE_ACCEPT).json()
    assert one["kind"] == "Table" and [r["cells"][0] for r in one["rows"]] == ["p2"]


def test_event_table(server, storage, clock):
    storage.create("events", event("web.1", pod_name="web", reason="BackOff", type_="Warning", count=5,
                                   firstTimestamp="2024-05-01T09:50:00Z", lastTimestamp="2024-05-01T09:59:00Z"))
    table = request(server.url, "/api/v1/events", accept=TABLE_ACCEPT).json()
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]] == EVENT_COLUMNS
    assert table["rows"][0]["cells"] == [
        "60s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1", "BackOff container app", "10m", "5", "web.1",
    ]
    v1 = request(server.url, "/apis/events.k8s.io/v1/events?includeObject=Object", accept=TABLE_ACCEPT).json()
    assert v1["rows"][0]["cells"][3] == "pod/web" and v1["rows"][0]["object"]["regarding"]["name"] == "web"


def test_table_watch_sends_headers_once(server, storage, clock):
    storage.create("pods", running_pod("a"))
    with RawWatch(server.url, "/api/v1/pods?watch=1&resourceVersion=0", accept=TABLE_ACCEPT) as w:
        first = w.next_event()
        storage.update("pods", running_pod("a") | {"status": {"phase": "Failed"}})
        second = w.next_event()
    assert first["type"] == "ADDED" and first["object"]["kind"] == "Table"
    assert [c["name"] for c in first["object"]["columnDefinitions"]] == [c[0] for c in POD_COLUMNS]
    assert first["object"]["rows"][0]["cells"][:3] == ["a", "1/1", "Running"]
    assert second["type"] == "MODIFIED" and second["object"]["columnDefinitions"] is None
    assert second["object"]["rows"][0]["cells"][2] == "Failed"


# Column definitions as a v1.32 kube-apiserver sends them: the three literal
# descriptions of printers.go, the others the swagger docs of the shown fields.
UPSTREAM_DESCRIPTIONS = {
    "pods": {
        "Name": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "Ready": "The aggregate readiness state of this pod for accepting traffic.",
        "Age": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        "IP": "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        "Readiness Gates": 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    },
    "events": {
        "Last Seen": "The time at which the most recent occurrence of this event was recorded.",
        "Object": "The object that this event is about.",
        "Count": "The number of times this event has occurred.",
    },
}


def test_column_definitions_carry_the_upstream_descriptions(server, storage):
    storage.create("pods", pod("a"))
    storage.create("events", event("a.1", pod_name="a"))
    for resource in ("pods", "events"):
        table = request(server.url, f"/api/v1/{resource}", accept=TABLE_ACCEPT).json()
        described = {c["name"]: c["description"] for c in table["columnDefinitions"]}
        assert all(described.values()), described
        for name, text in UPSTREAM_DESCRIPTIONS[resource].items():
            assert described[name] == text
