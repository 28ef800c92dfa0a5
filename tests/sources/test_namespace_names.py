"""LiveSource.namespace_names: what the namespace picker offers when podtui watches one
namespace and so has seen no other. Against podtui's own API server, over real HTTP."""

from __future__ import annotations

import pytest

from podtui.apiserver import APIServer
from podtui.apiserver.storage import Storage
from podtui.clock import SystemClock
from podtui.sources.kubeconfig import ConnectionOptions, HttpFailure, resolve_connection
from podtui.sources.live import LiveSource


@pytest.fixture
def served(tmp_path):
    storage = Storage(SystemClock())
    for ns in ("shop", "batch"):
        storage.create("pods", {"metadata": {"name": "p", "namespace": ns},
                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {}})
    server = APIServer(storage, token="t").start()
    kubeconfig = tmp_path / "config"
    server.write_kubeconfig(kubeconfig, context="c", namespace="shop")
    conn = resolve_connection(ConnectionOptions(kubeconfig=str(kubeconfig)), {})
    source = LiveSource(conn, clock=SystemClock())
    yield source, server
    source.stop()
    server.stop()


def test_the_clusters_namespaces_sorted(served):
    source, _ = served
    assert source.scope.namespace == "shop"
    assert source.namespace_names() == ["batch", "default", "kube-node-lease", "kube-public", "kube-system", "shop"]


def test_a_user_who_may_not_list_namespaces_gets_the_403(served):
    # Listing namespaces is a cluster-scope right many users lack: the caller (the
    # picker) keeps what it has seen.
    source, server = served
    server.faults.fail_next(1, 403, path="/api/v1/namespaces", verbs=["list"])
    with pytest.raises(HttpFailure) as failure:
        source.namespace_names()
    assert failure.value.status == 403
