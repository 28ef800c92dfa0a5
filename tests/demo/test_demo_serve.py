"""kubectl, the independent real client, against a served demo cluster, and
`podtui demo --serve` end to end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from demo_helpers import EPOCH

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")


def kubectl(kubeconfig, home, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(home))
    env.pop("KUBECONFIG", None)
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(home / "cache"), "--request-timeout", "10s", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture
def served(tmp_path):
    cluster = DemoCluster("default", clock=ManualClock(EPOCH), seed=11)
    cluster.start()
    cluster.advance(120)
    kubeconfig = tmp_path / "kubeconfig"
    cluster.write_kubeconfig(kubeconfig)
    try:
        yield cluster, kubeconfig
    finally:
        cluster.stop()


@needs_kubectl
def test_kubectl_sees_the_same_pods_and_events(served, tmp_path):
    cluster, kubeconfig = served
    out = kubectl(kubeconfig, tmp_path, "get", "pods", "-A", "-o", "json")
    assert out.returncode == 0, out.stderr
    got = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in json.loads(out.stdout)["items"]}
    stored = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in cluster.storage.list("pods")}
    assert got.keys() == stored.keys() and len(got) >= 18
    for key, pod in stored.items():
        assert got[key]["metadata"]["uid"] == pod["metadata"]["uid"]
        assert got[key]["status"] == pod["status"]

    out = kubectl(kubeconfig, tmp_path, "get", "events", "-A", "-o", "json")
    assert out.returncode == 0, out.stderr
    events = json.loads(out.stdout)["items"]
    assert {e["metadata"]["name"] for e in events} == {e["metadata"]["name"] for e in cluster.storage.list("events")}
    backoff = next(e for e in events if e["reason"] == "BackOff" and e["involvedObject"]["name"] == "crashloop")
    uid = got[("demo", "crashloop")]["metadata"]["uid"]
    assert backoff["message"] == f"Back-off restarting failed container app in pod crashloop_demo({uid})"
    assert backoff["count"] >= 2


@needs_kubectl
def test_kubectl_table_shows_the_lifecycles(served, tmp_path):
    _, kubeconfig = served
    out = kubectl(kubeconfig, tmp_path, "get", "pods", "-A", "-o", "wide")
    assert out.returncode == 0, out.stderr
    status = {}
    for line in out.stdout.splitlines()[1:]:
        fields = line.split()
        status[fields[1]] = fields[3]
    assert status["bad-image"] in ("ImagePullBackOff", "ErrImagePull")
    assert status["init-fail"] in ("Init:CrashLoopBackOff", "Init:Error")
    assert status["missing-secret"] == "CreateContainerConfigError"
    assert status["too-big"] == "Pending"
    assert status["stuck-finalizer"] in ("Completed", "Error")


@needs_kubectl
def test_kubectl_delete_is_graceful_through_the_simulation(served, tmp_path):
    cluster, kubeconfig = served
    out = kubectl(kubeconfig, tmp_path, "delete", "pod", "-n", "demo", "readiness-flap", "--wait=false")
    assert out.returncode == 0, out.stderr
    assert 'pod "readiness-flap" deleted' in out.stdout
    pod = cluster.storage.get("pods", "demo", "readiness-flap")
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30
    killing = [
        e for e in cluster.storage.list("events", "demo") if e["involvedObject"]["name"] == "readiness-flap" and e["reason"] == "Killing"
    ]
    assert killing and killing[0]["message"] == "Stopping container api"
    cluster.advance(5)
    assert cluster.storage.get("pods", "demo", "readiness-flap") is None


def read_line(stream, timeout: float = 20) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box:
        raise AssertionError(f"nothing printed for {timeout}s")
    return box[0].strip()


@needs_kubectl
def test_podtui_demo_serve_end_to_end(tmp_path):
    kubeconfig = tmp_path / "demo.kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "podtui", "demo", "--serve", "--port", "0", "--write-kubeconfig", str(kubeconfig),
         "--seed", "3", "--speed", "20", "--stop-after", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = read_line(proc.stdout)
        path = read_line(proc.stdout)
        assert url.startswith("http://127.0.0.1:")
        assert path == str(kubeconfig) and kubeconfig.exists()
        deadline = time.monotonic() + 60
        while True:
            out = kubectl(kubeconfig, tmp_path, "get", "pods", "-n", "demo", "gated", "-o", "json")
            assert out.returncode == 0, out.stderr
            pod = json.loads(out.stdout)
            ready = [c["status"] for c in pod["status"].get("conditions", []) if c["type"] == "Ready"]
            if ready == ["True"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert ready == ["True"]  # its readiness gate turns True at 50s of simulated time
        out = kubectl(kubeconfig, tmp_path, "get", "pods", "-A", "--no-headers")
        assert len(out.stdout.splitlines()) >= 18
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0
    assert "Traceback" not in proc.stderr.read()
