"""`kubectl auth can-i` / `kubectl auth whoami`: the self reviews, answered from what
this server implements (it has no RBAC), in JSON or in the protobuf kubectl sends."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import orjson
import pytest
from apiserver_wire import kubectl, needs_kubectl, request

from podtui.apiserver.server import APIServer

ACCESS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
RULES = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"


def post(server, path: str, body: bytes, content_type: str = "application/json", token: str | None = None):
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, orjson.loads(resp.read())
    finally:
        conn.close()


def can_i(server, **attrs) -> bool:
    key = "nonResourceAttributes" if "path" in attrs else "resourceAttributes"
    doc = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "spec": {key: attrs}}
    status, body = post(server, ACCESS, orjson.dumps(doc))
    assert status == 201 and body["kind"] == "SelfSubjectAccessReview"
    assert body["spec"] == doc["spec"]
    return body["status"]["allowed"]


@pytest.mark.parametrize(
    "attrs, allowed",
    [
        ({"verb": "list", "resource": "pods"}, True),
        ({"verb": "delete", "resource": "pods", "namespace": "demo", "name": "x"}, True),
        ({"verb": "watch", "group": "events.k8s.io", "resource": "events"}, True),
        ({"verb": "create", "resource": "pods"}, False),  # no writes here but DELETE of a pod
        ({"verb": "delete", "resource": "events"}, False),
        ({"verb": "get", "resource": "pods", "subresource": "log"}, True),
        ({"verb": "get", "resource": "pods", "subresource": "exec"}, False),
        ({"verb": "get", "resource": "pods", "subresource": "status", "name": "x"}, True),
        ({"verb": "get", "group": "apps", "resource": "deployments"}, False),
        ({"verb": "*", "group": "*", "resource": "*"}, False),
        ({"verb": "get", "path": "/healthz"}, True),
        ({"verb": "get", "path": "/apis/events.k8s.io/v1"}, True),
        ({"verb": "post", "path": "/healthz"}, False),
        ({"verb": "get", "path": "/metrics"}, False),
    ],
)
def test_access_review_allows_what_the_server_implements(server, attrs, allowed):
    assert can_i(server, **attrs) is allowed


# ---- protobuf, as kubectl sends it -------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _field(1, api_version.encode()) + _field(2, kind.encode())
    return b"k8s\x00" + _field(1, type_meta) + _field(2, raw) + _field(3, b"") + _field(4, b"")


def test_access_review_in_protobuf(server):
    attrs = _field(1, b"demo") + _field(2, b"list") + _field(5, b"pods")
    raw = _field(1, b"") + _field(2, _field(1, attrs)) + _field(3, b"")  # metadata, spec, status
    status, body = post(server, ACCESS, _envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", raw), "application/vnd.kubernetes.protobuf")
    assert status == 201
    assert body["spec"] == {"resourceAttributes": {"namespace": "demo", "verb": "list", "resource": "pods"}}
    assert body["status"] == {"allowed": True}


def test_rules_review_lists_the_served_verbs_and_needs_a_namespace(server):
    status, body = post(server, RULES, b'{"spec":{"namespace":"demo"}}')
    assert status == 201
    rules = {(r["apiGroups"][0], r["resources"][0]): r["verbs"] for r in body["status"]["resourceRules"]}
    assert rules[("", "pods")] == ["delete", "get", "list", "watch"]
    assert rules[("events.k8s.io", "events")] == ["get", "list", "watch"]
    assert body["status"]["incomplete"] is False
    status, body = post(server, RULES, b'{"spec":{}}')
    assert (status, body["reason"], body["message"]) == (400, "BadRequest", "no namespace on request")


def test_whoami_names_the_token_user_or_anonymous(storage, clock, server):
    assert post(server, WHOAMI, b"{}")[1]["status"]["userInfo"] == {"username": "system:anonymous", "groups": ["system:unauthenticated"]}
    with APIServer(storage, clock=clock, token="t0k") as secured:
        status, body = post(secured, WHOAMI, b"{}", token="t0k")
    assert status == 201
    assert body == {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "status": {"userInfo": {"username": "podtui", "groups": ["system:authenticated"]}},
    }


def test_reviews_are_create_only_and_bad_bodies_are_told(server):
    got = request(server.url, ACCESS)
    assert got.status == 405 and got.json()["reason"] == "MethodNotAllowed"
    status, body = post(server, ACCESS, b"spec: {}", "application/yaml")
    assert (status, body["reason"]) == (415, "UnsupportedMediaType")
    status, body = post(server, ACCESS, b"k8s\x00\x12\xff", "application/vnd.kubernetes.protobuf")
    assert (status, body["reason"]) == (400, "BadRequest")
    status, body = post(server, ACCESS, b'{"spec":{}}')
    assert (status, body["reason"]) == (422, "Invalid")
    assert "exactly one of nonResourceAttributes or resourceAttributes must be specified" in body["message"]


def test_discovery_lists_the_review_groups(server):
    agg = request(server.url, "/apis", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").json()
    by_group = {item["metadata"]["name"]: item["versions"][0]["resources"] for item in agg["items"]}
    [ssar, ssrr] = by_group["authorization.k8s.io"]
    assert (ssar["resource"], ssar["scope"], ssar["verbs"]) == ("selfsubjectaccessreviews", "Cluster", ["create"])
    assert ssrr["resource"] == "selfsubjectrulesreviews"
    assert [r["resource"] for r in by_group["authentication.k8s.io"]] == ["selfsubjectreviews"]
    assert request(server.url, "/apis/authorization.k8s.io/v1").json()["resources"][0]["name"] == "selfsubjectaccessreviews"
    assert request(server.url, "/apis/authorization.k8s.io/v1/subjectaccessreviews").status == 404


@needs_kubectl
def test_kubectl_auth_can_i_and_whoami(server, tmp_path):
    yes = kubectl(server, tmp_path, "auth", "can-i", "list", "pods", "-n", "demo")
    no = kubectl(server, tmp_path, "auth", "can-i", "create", "pods")
    who = kubectl(server, tmp_path, "auth", "whoami")
    listed = kubectl(server, tmp_path, "auth", "can-i", "--list", "-n", "demo")
    assert (yes.returncode, yes.stdout) == (0, "yes\n"), yes.stderr
    assert (no.returncode, no.stdout) == (1, "no\n"), no.stderr
    assert who.returncode == 0 and "system:anonymous" in who.stdout, who.stderr
    assert listed.returncode == 0 and any(line.split()[:1] == ["pods"] and "[delete get list watch]" in line for line in listed.stdout.splitlines())
