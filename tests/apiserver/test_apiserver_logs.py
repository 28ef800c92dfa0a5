"""pods/NAME/log, as `kubectl logs` reads it: empty logs where a container instance
exists, the kubelet's own refusals (400) where none does."""

from __future__ import annotations

import pytest
from apiserver_wire import RawWatch, kubectl, needs_kubectl, pod, request

CID = "containerd://1111"
RUNNING = {"name": "app", "containerID": CID, "state": {"running": {"startedAt": "2024-05-01T09:59:00Z"}}, "lastState": {}}
CRASHED = {
    "name": "app",
    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
    "lastState": {"terminated": {"containerID": "containerd://0000", "exitCode": 1}},
}


def logged_pod(name: str, *statuses: dict, node: str = "node-1", containers=("app",), init=()) -> dict:
    p = pod(name, node=node, phase="Running" if node else "Pending")
    p["spec"]["containers"] = [{"name": c, "image": "x"} for c in containers]
    if init:
        p["spec"]["initContainers"] = [{"name": c, "image": "x"} for c in init]
    p["status"]["containerStatuses"] = list(statuses)
    return p


def log(server, name: str, query: str = ""):
    return request(server.url, f"/api/v1/namespaces/default/pods/{name}/log{query}", accept="*/*")


@pytest.mark.parametrize(
    "status, query",
    [
        (RUNNING, ""),
        (CRASHED, ""),  # in back-off: the last instance's log
        (CRASHED, "?previous=true"),
        ({"name": "app", "containerID": CID, "state": {"terminated": {"containerID": CID, "exitCode": 0}}}, ""),
    ],
)
def test_an_existing_container_instance_has_an_empty_log(server, storage, status, query):
    storage.create("pods", logged_pod("p", status))
    resp = log(server, "p", query)
    assert (resp.status, resp.headers["content-type"], resp.body) == (200, "text/plain", b"")


def test_a_pod_without_a_node_has_an_empty_log(server, storage):
    storage.create("pods", logged_pod("p", node=""))
    assert (log(server, "p").status, log(server, "p").body) == (200, b"")


@pytest.mark.parametrize(
    "status, query, message",
    [
        ({"name": "app", "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}}, "",
         'container "app" in pod "p" is waiting to start: ContainerCreating'),
        ({"name": "app", "state": {"waiting": {"reason": "ImagePullBackOff"}}, "lastState": {}}, "",
         'container "app" in pod "p" is waiting to start: trying and failing to pull image'),
        ({"name": "app", "state": {"waiting": {"reason": "ErrImagePull"}}, "lastState": {}}, "",
         'container "app" in pod "p" is waiting to start: image can\'t be pulled'),
        (RUNNING, "?previous=true", 'previous terminated container "app" in pod "p" not found'),
        (RUNNING, "?container=nope", "container nope is not valid for pod p"),
        ({"name": "other", "state": {}}, "", 'container "app" in pod "p" is not available'),
        ({"name": "app", "state": {}, "lastState": {}}, "", 'container "app" in pod "p" is waiting to start - no logs yet'),
    ],
)
def test_no_instance_gets_the_kubelets_own_words(server, storage, status, query, message):
    storage.create("pods", logged_pod("p", status))
    resp = log(server, "p", query)
    assert resp.status == 400
    assert (resp.json()["reason"], resp.json()["message"]) == ("BadRequest", message)


def test_which_container(server, storage):
    storage.create("pods", logged_pod("p", RUNNING, {**RUNNING, "name": "side"}, containers=("app", "side"), init=("setup",)))
    resp = log(server, "p")
    assert resp.status == 400
    assert resp.json()["message"] == "a container name must be specified for pod p, choose one of: [setup app side]"
    assert log(server, "p", "?container=side").status == 200
    assert log(server, "missing").json()["message"] == 'pods "missing" not found'
    assert request(server.url, "/api/v1/namespaces/default/pods/p/log", method="DELETE").status == 405


def test_a_followed_log_ends_when_its_container_instance_does(server, storage):
    storage.create("pods", logged_pod("p", RUNNING))
    with RawWatch(server.url, "/api/v1/namespaces/default/pods/p/log?follow=true") as stream:
        assert stream.status == 200 and stream.chunked
        restarted = logged_pod("p", {**RUNNING, "containerID": "containerd://2222"})
        storage.update("pods", restarted)
        assert stream.end().clean


@needs_kubectl
def test_kubectl_logs(server, tmp_path, storage):
    storage.create("pods", logged_pod("up", RUNNING))
    storage.create("pods", logged_pod("pulling", {"name": "app", "state": {"waiting": {"reason": "ImagePullBackOff"}}}))
    up = kubectl(server, tmp_path, "logs", "up")
    pulling = kubectl(server, tmp_path, "logs", "pulling")
    assert (up.returncode, up.stdout) == (0, ""), up.stderr
    assert pulling.returncode == 1
    assert pulling.stderr.strip() == 'Error from server (BadRequest): container "app" in pod "pulling" is waiting to start: trying and failing to pull image'
