"""LIST and GET over plain HTTP, as a client library sees them."""

from __future__ import annotations

import base64
from urllib.parse import quote

import orjson
import pytest
from apiserver_wire import TABLE_ACCEPT, event, kubectl, needs_kubectl, pod, request


def names(doc: dict) -> list[str]:
    return [i["metadata"]["name"] for i in doc["items"]]


@pytest.fixture
def populated(storage):
    for i in range(7):
        storage.create("pods", pod(f"p{i}", "ns-a" if i < 4 else "ns-b", labels={"app": "web" if i % 2 else "db"}, node=f"n{i % 2}"))
    storage.create("events", event("p0.1", "ns-a", pod_name="p0", reason="Scheduled"))
    storage.create("events", event("p5.1", "ns-b", pod_name="p5", reason="BackOff", type_="Warning"))
    return storage


def test_list_all_pods(server, populated):
    resp = request(server.url, "/api/v1/pods")
    assert resp.status == 200 and resp.headers["content-type"] == "application/json"
    doc = resp.json()
    assert doc["kind"] == "PodList" and doc["apiVersion"] == "v1"
    assert doc["metadata"]["resourceVersion"] == str(populated.resource_version)
    assert "continue" not in doc["metadata"]
    assert names(doc) == [f"p{i}" for i in range(7)]
    assert doc["items"][0]["metadata"]["uid"]


def test_list_namespaced_and_events(server, populated):
    assert names(request(server.url, "/api/v1/namespaces/ns-b/pods").json()) == ["p4", "p5", "p6"]
    assert names(request(server.url, "/api/v1/namespaces/empty/pods").json()) == []
    doc = request(server.url, "/api/v1/events").json()
    assert doc["kind"] == "EventList" and names(doc) == ["p0.1", "p5.1"]


def test_pagination_walks_everything_once(server, populated):
    seen, token, pages = [], "", 0
    while True:
        path = "/api/v1/pods?limit=3" + (f"&continue={token}" if token else "")
        doc = request(server.url, path).json()
        pages += 1
        seen += names(doc)
        token = doc["metadata"].get("continue", "")
        if not token:
            break
    assert seen == [f"p{i}" for i in range(7)] and pages == 3


def test_continue_serves_one_consistent_snapshot(server, populated):
    first = request(server.url, "/api/v1/pods?limit=2").json()
    rv = first["metadata"]["resourceVersion"]
    # Changes after the first page must not show in later pages.
    populated.delete("pods", "ns-a", "p3")
    populated.create("pods", pod("p35", "ns-a"))
    populated.update("pods", pod("p4", "ns-b", phase="Running"))
    second = request(server.url, f"/api/v1/pods?limit=10&continue={first['metadata']['continue']}").json()
    assert second["metadata"]["resourceVersion"] == rv
    assert names(second) == ["p2", "p3", "p4", "p5", "p6"]
    assert second["items"][2]["status"]["phase"] == "Pending"


def test_expired_continue_is_410(server, populated):
    first = request(server.url, "/api/v1/pods?limit=2").json()
    populated.create("pods", pod("late"))
    populated.compact()
    resp = request(server.url, f"/api/v1/pods?limit=2&continue={first['metadata']['continue']}")
    assert resp.status == 410
    status = resp.json()
    assert status["kind"] == "Status" and status["reason"] == "Expired" and status["code"] == 410
    assert "continue parameter is too old" in status["message"]


def test_continue_at_the_current_rv_survives_compaction(server, populated):
    # Nothing changed since the token was issued: nothing to undo, still consistent.
    first = request(server.url, "/api/v1/pods?limit=2").json()
    populated.compact()
    second = request(server.url, f"/api/v1/pods?continue={first['metadata']['continue']}")
    assert second.status == 200 and names(second.json())[0] == "p2"


@pytest.mark.parametrize("token", ["%%%", base64.urlsafe_b64encode(b"{}").decode(), base64.urlsafe_b64encode(orjson.dumps({"v": "x", "rv": 1, "start": "a"})).decode(),
                                   base64.urlsafe_b64encode(orjson.dumps({"v": "meta.k8s.io/v1", "rv": True, "start": "a"})).decode()])
def test_garbage_continue_is_400(server, populated, token):
    resp = request(server.url, f"/api/v1/pods?continue={token}")
    assert resp.status == 400 and "continue key is not valid" in resp.json()["message"]


@pytest.mark.parametrize("value", ["1_0", " 5", "\uff13", "x", ""])
def test_a_bad_integer_parameter_is_strconvs_400(server, populated, value):
    # DecodeParameters: Go's ParseInt takes a sign and ASCII digits (int() takes more).
    resp = request(server.url, f"/api/v1/pods?limit={quote(value)}")
    assert resp.status == 400 and resp.json()["reason"] == "BadRequest"
    assert resp.json()["message"] == f'strconv.ParseInt: parsing "{value}": invalid syntax'
    assert request(server.url, "/api/v1/pods?limit=%2B2").status == 200


@pytest.mark.parametrize("value", ["+5", "-0", " 5", "abc", "99999999999999999999"])
def test_a_bad_resource_version_is_the_caches_500_or_etcds_400(server, populated, value):
    # ParseResourceVersion's InvalidError, unconverted from the watch cache (a 500 with
    # no reason, kubernetes#139485); the etcd list path (paged) wraps it in a 400.
    syntax = "value out of range" if value.isdigit() else "invalid syntax"
    message = f'resourceVersion: Invalid value: "{value}": strconv.ParseUint: parsing "{value}": {syntax}'
    for path in ("/api/v1/pods", "/api/v1/namespaces/ns-a/pods/p1", "/api/v1/pods?watch=1&x="):
        sep = "&" if "?" in path else "?"
        resp = request(server.url, f"{path}{sep}resourceVersion={quote(value)}")
        assert resp.status == 500, path
        assert resp.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "code": 500}
    paged = request(server.url, f"/api/v1/pods?limit=2&resourceVersion={quote(value)}")
    assert (paged.status, paged.json()["message"]) == (400, f"invalid resource version: {message}")


def test_a_cached_list_ignores_limit(server, populated):
    # resourceVersion=0 is served by the watch cache, which has no pages (1.32).
    doc = request(server.url, "/api/v1/pods?limit=2&resourceVersion=0").json()
    assert len(doc["items"]) == 7 and "continue" not in doc["metadata"]
    assert len(request(server.url, "/api/v1/pods?limit=2").json()["items"]) == 2


@pytest.mark.parametrize(
    "query, message",
    [
        ("resourceVersionMatch=Foo&resourceVersion=1",
         'resourceVersionMatch: Unsupported value: "Foo": supported values: "Exact", "NotOlderThan", ""'),
        ("resourceVersionMatch=Exact&resourceVersion=0", 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
        ("sendInitialEvents=true", "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"),
        ("resourceVersionMatch=Foo",
         '[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, '
         'resourceVersionMatch: Unsupported value: "Foo": supported values: "Exact", "NotOlderThan", ""]'),
    ],
)
def test_list_options_are_validated_as_upstream(server, populated, query, message):
    resp = request(server.url, f"/api/v1/pods?{query}")
    assert resp.status == 422
    assert resp.json()["message"] == f'ListOptions.meta.k8s.io "" is invalid: {message}'


def test_a_resource_version_with_continue_is_400(server, populated):
    token = request(server.url, "/api/v1/pods?limit=2").json()["metadata"]["continue"]
    resp = request(server.url, f"/api/v1/pods?limit=2&continue={token}&resourceVersion=5")
    assert (resp.status, resp.json()["message"]) == (400, "specifying resource version is not allowed when using continue")


def test_selectors_over_http(server, populated):
    assert names(request(server.url, "/api/v1/pods?labelSelector=app%3Dweb").json()) == ["p1", "p3", "p5"]
    assert names(request(server.url, "/api/v1/pods?labelSelector=app+notin+(web)&fieldSelector=spec.nodeName%3Dn0").json()) == ["p0", "p2", "p4", "p6"]
    assert names(request(server.url, "/api/v1/namespaces/ns-a/pods?fieldSelector=metadata.name!%3Dp0").json()) == ["p1", "p2", "p3"]
    assert names(request(server.url, "/api/v1/events?fieldSelector=involvedObject.name%3Dp5,type%3DWarning").json()) == ["p5.1"]
    bad = request(server.url, "/api/v1/pods?fieldSelector=spec.bogus%3D1")
    assert bad.status == 400 and bad.json()["message"] == "field label not supported: spec.bogus"


def test_limit_with_selector_fills_pages_with_matches(server, populated):
    doc = request(server.url, "/api/v1/pods?labelSelector=app%3Dweb&limit=2").json()
    assert names(doc) == ["p1", "p3"]
    rest = request(server.url, f"/api/v1/pods?labelSelector=app%3Dweb&limit=2&continue={doc['metadata']['continue']}").json()
    assert names(rest) == ["p5"] and "continue" not in rest["metadata"]


def test_resource_version_match_exact_lists_the_past(server, populated):
    rv = populated.resource_version
    populated.delete("pods", "ns-a", "p0")
    assert "p0" not in names(request(server.url, "/api/v1/pods").json())
    past = request(server.url, f"/api/v1/pods?resourceVersion={rv}&resourceVersionMatch=Exact").json()
    assert "p0" in names(past) and past["metadata"]["resourceVersion"] == str(rv)
    not_older = request(server.url, f"/api/v1/pods?resourceVersion={rv}&resourceVersionMatch=NotOlderThan").json()
    assert "p0" not in names(not_older)
    assert request(server.url, "/api/v1/pods?resourceVersion=0").status == 200
    assert request(server.url, "/api/v1/pods?resourceVersionMatch=Exact").status == 422


def test_get_one(server, populated):
    doc = request(server.url, "/api/v1/namespaces/ns-a/pods/p1").json()
    assert doc["kind"] == "Pod" and doc["metadata"]["name"] == "p1"
    missing = request(server.url, "/api/v1/namespaces/ns-a/pods/nope")
    assert missing.status == 404
    assert missing.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "kind": "pods"},
        "code": 404,
    }


def test_events_k8s_io_view(server, populated):
    doc = request(server.url, "/apis/events.k8s.io/v1/namespaces/ns-b/events").json()
    assert doc["kind"] == "EventList" and doc["apiVersion"] == "events.k8s.io/v1"
    ev = doc["items"][0]
    assert "apiVersion" not in ev and "kind" not in ev  # list items carry no type
    assert ev["regarding"]["name"] == "p5" and ev["note"] == "BackOff container app"
    assert ev["deprecatedSource"] == {"component": "kubelet", "host": "node-1"} and ev["deprecatedCount"] == 1
    assert "involvedObject" not in ev and "message" not in ev
    one = request(server.url, "/apis/events.k8s.io/v1/namespaces/ns-b/events/p5.1").json()
    assert one["regarding"]["name"] == "p5" and one["apiVersion"] == "events.k8s.io/v1"
    assert names(request(server.url, "/apis/events.k8s.io/v1/events?fieldSelector=regarding.name%3Dp0").json()) == ["p0.1"]
    assert request(server.url, "/apis/events.k8s.io/v1/pods").status == 404


def test_unknown_paths_and_methods(server, populated):
    assert request(server.url, "/api/v1/nodes").status == 404
    assert request(server.url, "/api/v2/pods").status == 404
    assert request(server.url, "/api/v1/namespaces/ns-a/pods/p1/foo").status == 404
    post = request(server.url, "/api/v1/namespaces/ns-a/pods", method="POST", body=b"{}")
    assert post.status == 405 and post.json()["reason"] == "MethodNotAllowed"
    assert request(server.url, "/api/v1/namespaces/ns-a/events/p0.1", method="DELETE").status == 405
    assert request(server.url, "/api/v1/pods", accept="application/vnd.kubernetes.protobuf").status == 406


def test_discovery(server):
    version = request(server.url, "/version").json()
    assert version["major"] == "1" and version["gitVersion"].startswith("v1.")
    assert request(server.url, "/api").json()["versions"] == ["v1"]
    v1 = request(server.url, "/api/v1").json()
    pods = next(r for r in v1["resources"] if r["name"] == "pods")
    assert pods["shortNames"] == ["po"] and {"list", "watch", "get"} <= set(pods["verbs"]) and pods["namespaced"]
    assert next(r for r in v1["resources"] if r["name"] == "events")["shortNames"] == ["ev"]
    groups = request(server.url, "/apis").json()
    assert [g["name"] for g in groups["groups"]] == ["events.k8s.io", "authentication.k8s.io", "authorization.k8s.io"]
    assert request(server.url, "/apis/events.k8s.io/v1").json()["groupVersion"] == "events.k8s.io/v1"
    agg = request(server.url, "/apis", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
    assert agg.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    assert agg.json()["items"][0]["metadata"]["name"] == "events.k8s.io"
    core = request(server.url, "/api", accept="application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList").json()
    assert core["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    assert {r["resource"] for r in core["items"][0]["versions"][0]["resources"]} == {"pods", "events", "namespaces"}
    assert request(server.url, "/healthz").body == b"ok"


# ---- pods/NAME/status: `kubectl get pod X --subresource=status` ---------------------


def test_pod_status_subresource_reads_the_pod(server, storage):
    storage.create("pods", pod("a", "ns1", phase="Running"))
    plain = request(server.url, "/api/v1/namespaces/ns1/pods/a/status")
    assert plain.status == 200 and plain.json() == request(server.url, "/api/v1/namespaces/ns1/pods/a").json()
    table = request(server.url, "/api/v1/namespaces/ns1/pods/a/status", accept=TABLE_ACCEPT).json()
    assert table["kind"] == "Table" and table["rows"][0]["cells"][0] == "a"
    missing = request(server.url, "/api/v1/namespaces/ns1/pods/b/status")
    assert (missing.status, missing.json()["message"]) == (404, 'pods "b" not found')
    assert request(server.url, "/api/v1/namespaces/ns1/pods/a/status", method="DELETE").status == 405
    assert request(server.url, "/api/v1/namespaces/ns1/pods/a/foo").status == 404
    assert request(server.url, "/api/v1/namespaces/ns1/events/a/status").status == 404


def test_discovery_lists_pods_status(server):
    v1 = request(server.url, "/api/v1").json()
    assert {"name": "pods/status", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]} in v1["resources"]
    core = request(server.url, "/api", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").json()
    pods = next(r for r in core["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    kind = {"group": "", "version": "v1", "kind": "Pod"}
    assert pods["subresources"] == [
        {"subresource": "log", "responseKind": kind, "verbs": ["get"]},
        {"subresource": "status", "responseKind": kind, "verbs": ["get"]},
    ]


@needs_kubectl
def test_kubectl_get_pod_subresource_status(server, tmp_path, storage):
    storage.create("pods", pod("a", "ns1", phase="Running"))
    out = kubectl(server, tmp_path, "get", "pod", "a", "-n", "ns1", "--subresource=status", "-o", "jsonpath={.status.phase}")
    assert (out.returncode, out.stdout) == (0, "Running"), out.stderr


def test_list_items_carry_no_kind_or_api_version(server, storage):
    # As a kube-apiserver encodes lists; a single GET and watch events keep them.
    storage.create("pods", pod("typed"))
    bare = pod("untyped")
    del bare["kind"], bare["apiVersion"]
    storage.create("pods", bare)  # storage appends them, last: the slow path
    storage.create("events", event("e1", pod_name="typed"))
    for path in ("/api/v1/pods", "/api/v1/events", "/apis/events.k8s.io/v1/events", "/api/v1/namespaces"):
        items = request(server.url, path).json()["items"]
        assert items and all("kind" not in i and "apiVersion" not in i for i in items), path
    assert [i["metadata"]["name"] for i in request(server.url, "/api/v1/pods").json()["items"]] == ["typed", "untyped"]
    assert request(server.url, "/api/v1/events").json()["items"][0]["involvedObject"]["kind"] == "Pod"
    assert request(server.url, "/api/v1/namespaces/default/pods/untyped").json()["kind"] == "Pod"


def test_unserved_paths_and_methods_get_upstreams_generic_status(server, storage):
    # NewGenericServerResponse as the apiserver's go-restful error handler builds it:
    # an empty details object, and no "(post pods)" (only client-go adds that).
    def status(code, reason, message):
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "details": {}, "code": code}

    storage.create("pods", pod("a"))
    assert request(server.url, "/api/v1/nodes").json() == status(404, "NotFound", "the server could not find the requested resource")
    post = request(server.url, "/api/v1/namespaces/default/pods", method="POST", body=b"{}")
    assert post.json() == status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def test_paged_lists_say_how_many_items_remain(server, storage):
    for i in range(5):
        storage.create("pods", pod(f"p{i}"))
    first = request(server.url, "/api/v1/pods?limit=2").json()["metadata"]
    assert first["remainingItemCount"] == 3
    table = request(server.url, "/api/v1/pods?limit=4", accept=TABLE_ACCEPT).json()["metadata"]
    assert table["remainingItemCount"] == 1
    selected = request(server.url, "/api/v1/pods?limit=2&labelSelector=x!%3Dy").json()["metadata"]
    assert "continue" in selected and "remainingItemCount" not in selected  # only without selectors
    last = request(server.url, "/api/v1/pods?limit=5").json()["metadata"]
    assert "remainingItemCount" not in last and "continue" not in last


def test_events_v1_fields_are_emitted_as_the_go_types_emit_them(server, storage):
    # k8s.io/api/events/v1: structs and Times always there ({} / null), empty strings,
    # zero counts and nil pointers left out; declaration order.
    core = event("e1", pod_name="p", reason="Scheduled", source={}, count=0, reportingComponent="default-scheduler",
                 reportingInstance="", eventTime="2024-05-01T10:00:00.000001Z", action="Binding")
    storage.create("events", core)
    got = request(server.url, "/apis/events.k8s.io/v1/namespaces/default/events/e1").json()
    assert list(got) == ["kind", "apiVersion", "metadata", "eventTime", "reportingController", "action", "reason",
                         "regarding", "note", "type", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"]
    assert got["deprecatedSource"] == {} and got["deprecatedFirstTimestamp"] is None and got["deprecatedLastTimestamp"] is None


def _get(server, path: str, user_agent: str) -> bytes:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path, headers={"User-Agent": user_agent, "Accept": "application/json"})
        return conn.getresponse().read()
    finally:
        conn.close()


def test_json_is_indented_for_curl_and_pretty_and_ends_in_a_newline_otherwise(server, storage):
    # negotiation.isPrettyPrint, and the Encoder's trailing newline.
    storage.create("pods", pod("a"))
    path = "/api/v1/namespaces/default/pods/a"
    compact = _get(server, path, "kubectl/v1.32.4")
    assert compact.endswith(b"}\n") and b"\n" not in compact[:-1]
    for user_agent, query in (("curl/8.5.0", ""), ("Wget/1.21", ""), ("Mozilla/5.0 (X11)", ""), ("kubectl/v1.32.4", "?pretty=true")):
        body = _get(server, path + query, user_agent)
        assert body.startswith(b'{\n  "apiVersion": "v1",\n  "kind": "Pod",\n') and body.endswith(b"\n}"), user_agent
    assert _get(server, path + "?pretty=false", "curl/8.5.0") == compact
    assert _get(server, "/api/v1/nodes", "curl/8.5.0").startswith(b'{\n  "kind": "Status"')
    assert _get(server, "/version", "kubectl/v1.32.4").startswith(b'{\n  "major": "1",')  # always, as WriteRawJSON writes it
