"""The independent real clients: the official Python client and kubectl."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time

import pytest
from apiserver_wire import KUBECTL, event, kubectl, needs_kubectl, pod

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client, config, watch  # noqa: E402



def python_client(server, tmp_path):
    path = tmp_path / "kubeconfig"
    server.write_kubeconfig(path)
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(path), client_configuration=cfg)
    return client.CoreV1Api(client.ApiClient(cfg))


@pytest.mark.parametrize("secure", [False, True], ids=["http", "tls+token"])
def test_python_client_list_and_watch(request, tmp_path, storage, secure):
    server = request.getfixturevalue("tls_server" if secure else "server")
    storage.create("pods", pod("a", "ns1", labels={"app": "web"}))
    storage.create("pods", pod("b", "ns2"))
    api = python_client(server, tmp_path)
    pods = api.list_pod_for_all_namespaces()
    assert [p.metadata.name for p in pods.items] == ["a", "b"]
    assert pods.metadata.resource_version == str(storage.resource_version)
    assert [p.metadata.name for p in api.list_namespaced_pod("ns1", label_selector="app=web").items] == ["a"]

    def later():
        time.sleep(0.2)
        storage.update("pods", pod("a", "ns1", phase="Running"))
        storage.delete("pods", "ns2", "b")

    threading.Thread(target=later, daemon=True).start()
    seen = []
    w = watch.Watch()
    for ev in w.stream(api.list_pod_for_all_namespaces, resource_version=pods.metadata.resource_version, timeout_seconds=10, allow_watch_bookmarks=True):
        seen.append((ev["type"], ev["object"].metadata.name, ev["object"].status.phase))
        if len(seen) == 2:
            w.stop()
    assert seen == [("MODIFIED", "a", "Running"), ("DELETED", "b", "Pending")]


def test_python_client_sees_410_and_bookmarks(tmp_path, storage, clock):
    from podtui.apiserver.server import APIServer

    with APIServer(storage, clock=clock, bookmark_interval=0.05) as server:
        api = python_client(server, tmp_path)
        storage.create("events", event("e1"))
        w = watch.Watch()
        for ev in w.stream(api.list_event_for_all_namespaces, resource_version=str(storage.resource_version), allow_watch_bookmarks=True, timeout_seconds=10):
            assert ev["type"] == "BOOKMARK"
            assert ev["raw_object"]["metadata"]["resourceVersion"] == str(storage.resource_version)
            w.stop()
        old = str(storage.resource_version)
        storage.create("events", event("e2"))
        storage.compact()
        with pytest.raises(client.exceptions.ApiException) as err:
            for _ in watch.Watch().stream(api.list_event_for_all_namespaces, resource_version=old, timeout_seconds=10):
                pass
        assert err.value.status == 410


# ---- kubectl ---------------------------------------------------------------------


class Lines:
    """A subprocess's stdout lines via a thread, so a silent kubectl fails the test
    after `timeout` instead of hanging it."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put("")

    def next(self, timeout: float = 20) -> str:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"kubectl printed nothing for {timeout}s") from None


def seed(storage):
    p = pod("web-1", "shop", node="node-1", phase="Running")
    p["status"].update(podIP="10.0.0.5", podIPs=[{"ip": "10.0.0.5"}],
                       containerStatuses=[{"name": "app", "ready": True, "restartCount": 0, "state": {"running": {}}}])
    storage.create("pods", p)
    storage.create("pods", pod("job-1", "batch", phase="Pending"))
    storage.create("events", event("web-1.1", "shop", pod_name="web-1", reason="Pulled", lastTimestamp="2024-05-01T09:59:00Z"))


@needs_kubectl
@pytest.mark.parametrize("secure", [False, True], ids=["http", "tls+token"])
def test_kubectl_get_pods_json(request, tmp_path, storage, secure):
    server = request.getfixturevalue("tls_server" if secure else "server")
    seed(storage)
    out = kubectl(server, tmp_path, "get", "pods", "-A", "-o", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in doc["items"]] == [("batch", "job-1"), ("shop", "web-1")]


@needs_kubectl
def test_kubectl_get_pods_wide_table(server, tmp_path, storage, clock):
    seed(storage)
    clock.advance(65)
    out = kubectl(server, tmp_path, "get", "pods", "-A", "-o", "wide")
    assert out.returncode == 0, out.stderr
    lines = [line.split() for line in out.stdout.splitlines()]
    assert lines[0] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"]
    assert lines[1] == ["batch", "job-1", "0/1", "Pending", "0", "65s", "<none>", "<none>", "<none>", "<none>"]
    assert lines[2] == ["shop", "web-1", "1/1", "Running", "0", "65s", "10.0.0.5", "node-1", "<none>", "<none>"]


@needs_kubectl
def test_kubectl_get_events(server, tmp_path, storage):
    seed(storage)
    out = kubectl(server, tmp_path, "get", "events", "-A")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert lines[1].split() == ["shop", "60s", "Normal", "Pulled", "pod/web-1", "Pulled", "container", "app"]


@needs_kubectl
def test_kubectl_watch_json(server, tmp_path, storage):
    seed(storage)
    kc = tmp_path / "kubeconfig"
    server.write_kubeconfig(kc)
    env = dict(os.environ, KUBECONFIG=str(kc), HOME=str(tmp_path))
    proc = subprocess.Popen(
        [KUBECTL, "--cache-dir", str(tmp_path / "cache"), "get", "pods", "-A", "-w", "-o", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines = Lines(proc)
    try:
        decoder = json.JSONDecoder()
        buf, objects = "", []

        def read_objects(count: int) -> None:
            nonlocal buf
            while len(objects) < count:
                line = lines.next()
                if not line:
                    break
                buf += line
                try:
                    obj, end = decoder.raw_decode(buf.strip())
                except ValueError:
                    continue
                objects.append(obj)
                buf = ""

        read_objects(2)  # the initial list, printed one object at a time
        assert sorted(o["metadata"]["name"] for o in objects) == ["job-1", "web-1"]
        storage.create("pods", pod("new-1", "shop"))
        storage.update("pods", pod("job-1", "batch", phase="Running"))
        read_objects(4)
        assert [(o["metadata"]["name"], o["status"]["phase"]) for o in objects[2:]] == [("new-1", "Pending"), ("job-1", "Running")]
    finally:
        proc.kill()
        proc.communicate(timeout=10)


@needs_kubectl
def test_kubectl_watch_table(server, tmp_path, storage):
    seed(storage)
    kc = tmp_path / "kubeconfig"
    server.write_kubeconfig(kc)
    env = dict(os.environ, KUBECONFIG=str(kc), HOME=str(tmp_path))
    proc = subprocess.Popen(
        [KUBECTL, "--cache-dir", str(tmp_path / "cache"), "get", "pods", "-n", "batch", "-w"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines = Lines(proc)
    try:
        assert lines.next().split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert lines.next().split()[:3] == ["job-1", "0/1", "Pending"]
        storage.update("pods", pod("job-1", "batch", phase="Failed"))
        assert lines.next().split()[:3] == ["job-1", "0/1", "Failed"]
    finally:
        proc.kill()
        proc.communicate(timeout=10)


@needs_kubectl
def test_kubectl_delete_uses_the_hook(server, tmp_path, storage):
    seed(storage)
    asked = []

    def hook(resource, namespace, name, options):
        asked.append((namespace, name))
        return storage.delete(resource, namespace, name)

    server.on_delete = hook
    out = kubectl(server, tmp_path, "delete", "pod", "-n", "shop", "web-1", "--wait=true", "--timeout=20s")
    assert out.returncode == 0, out.stderr
    assert 'pod "web-1" deleted' in out.stdout
    assert asked == [("shop", "web-1")] and storage.get("pods", "shop", "web-1") is None


@needs_kubectl
def test_kubectl_says_which_is_missing_the_pod_or_its_namespace(server, tmp_path, storage):
    # After a 404 kubectl asks for the namespace: a pod missing from a namespace that
    # exists reads `pods "x" not found`, as on a real cluster.
    seed(storage)
    for namespace, message in (("shop", 'pods "nosuch" not found'), ("default", 'pods "nosuch" not found'),
                               ("nope", 'namespaces "nope" not found')):
        out = kubectl(server, tmp_path, "get", "pod", "nosuch", "-n", namespace)
        assert out.returncode == 1 and message in out.stderr, out.stderr
