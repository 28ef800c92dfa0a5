"""Namespaces, read-only and derived: `kubectl get ns`, and the lookup kubectl makes
after a 404 to say whether the pod or its namespace is missing."""

from __future__ import annotations

from apiserver_wire import TABLE_ACCEPT, RawWatch, event, kubectl, needs_kubectl, pod, request

SYSTEM = ["default", "kube-node-lease", "kube-public", "kube-system"]


def test_namespaces_are_the_system_ones_and_those_in_use(server, storage):
    storage.create("pods", pod("a", "shop"))
    storage.create("events", event("e", "zeta"))
    doc = request(server.url, "/api/v1/namespaces").json()
    assert doc["kind"] == "NamespaceList" and doc["metadata"]["resourceVersion"] == str(storage.resource_version)
    assert [n["metadata"]["name"] for n in doc["items"]] == sorted([*SYSTEM, "shop", "zeta"])
    shop = request(server.url, "/api/v1/namespaces/shop").json()
    assert shop["status"] == {"phase": "Active"} and shop["metadata"]["labels"] == {"kubernetes.io/metadata.name": "shop"}
    assert shop["metadata"]["creationTimestamp"] == "2024-05-01T10:00:00Z"  # the cluster's birth
    missing = request(server.url, "/api/v1/namespaces/nope")
    assert (missing.status, missing.json()["message"]) == (404, 'namespaces "nope" not found')


def test_storage_namespaces_skips_through_many_keys(storage):
    for ns in ("a", "a-b", "b"):
        for i in range(5):
            storage.create("pods", pod(f"p{i}", ns))
    storage.create("events", event("e", "c"))
    assert storage.namespaces() == {"a", "a-b", "b", "c"}


def test_namespace_table_selectors_and_pages(server, storage, clock):
    storage.create("pods", pod("a", "shop"))
    clock.advance(120)
    table = request(server.url, "/api/v1/namespaces/shop", accept=TABLE_ACCEPT).json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Status", "Age"]
    assert table["rows"][0]["cells"] == ["shop", "Active", "2m"]
    names = lambda doc: [n["metadata"]["name"] for n in doc["items"]]  # noqa: E731
    assert names(request(server.url, "/api/v1/namespaces?fieldSelector=metadata.name%3Dshop").json()) == ["shop"]
    assert names(request(server.url, "/api/v1/namespaces?labelSelector=kubernetes.io%2Fmetadata.name%20in%20(default,shop)").json()) == ["default", "shop"]
    first = request(server.url, "/api/v1/namespaces?limit=2").json()
    assert names(first) == ["default", "kube-node-lease"]
    rest = request(server.url, f"/api/v1/namespaces?limit=10&continue={first['metadata']['continue']}").json()
    assert names(rest) == ["kube-public", "kube-system", "shop"] and "continue" not in rest["metadata"]
    bad = request(server.url, "/api/v1/namespaces?fieldSelector=spec.x%3D1")
    assert (bad.status, bad.json()["message"]) == (400, "field label not supported: spec.x")


def test_namespaces_refuse_watch_and_writes(server):
    with RawWatch(server.url, "/api/v1/namespaces?watch=1") as w:
        assert w.status == 405
        assert b'watch is not supported on resources of kind \\"namespaces\\"' in w.body
    assert request(server.url, "/api/v1/watch/namespaces").status == 405
    assert request(server.url, "/api/v1/namespaces/default", method="DELETE").status == 405
    disc = request(server.url, "/api/v1").json()
    ns = next(r for r in disc["resources"] if r["name"] == "namespaces")
    assert (ns["namespaced"], ns["verbs"], ns["shortNames"]) == (False, ["get", "list"], ["ns"])


@needs_kubectl
def test_kubectl_get_ns(server, tmp_path, storage):
    storage.create("pods", pod("a", "shop"))
    out = kubectl(server, tmp_path, "get", "ns")
    assert out.returncode == 0, out.stderr
    assert [line.split()[:2] for line in out.stdout.splitlines()] == [["NAME", "STATUS"]] + [[n, "Active"] for n in sorted([*SYSTEM, "shop"])]
