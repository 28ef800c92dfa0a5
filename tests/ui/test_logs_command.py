"""`c`'s `kubectl logs` command reaches the cluster podtui watches, not the
kubeconfig's current-context."""

from __future__ import annotations

import shlex

import pytest
import yaml

from podtui import cli
from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage
from podtui.clock import SystemClock
from podtui.live_command import kubectl_flags
from podtui.sources.kubeconfig import IN_CLUSTER, ConnectionOptions
from tests.ui.conftest import notices
from tests.ui.harness import fixture_app, settle


@pytest.fixture
def two_clusters(tmp_path):
    """A kubeconfig whose current-context is another cluster than podtui-demo's."""
    storage = Storage(SystemClock())
    storage.create("pods", {"metadata": {"name": "bad-image", "namespace": "demo"}, "status": {"phase": "Pending"}})
    server = APIServer(storage, token="tok").start()
    path = tmp_path / "two.kubeconfig"
    server.write_kubeconfig(path, context="podtui-demo")
    config = yaml.safe_load(path.read_text())
    config["clusters"].append({"name": "other", "cluster": {"server": "https://127.0.0.1:1"}})
    config["contexts"].append({"name": "other", "context": {"cluster": "other", "user": config["users"][0]["name"]}})
    config["current-context"] = "other"
    path.write_text(yaml.safe_dump(config))
    yield path
    server.stop()


def test_the_ui_is_handed_the_kubeconfig_and_context_podtui_was_started_with(two_clusters, monkeypatch):
    seen = {}

    def fake_ui(feed, clock, *, kubectl_flags=(), **_):
        seen["flags"] = kubectl_flags
        feed.stop()
        return 0

    monkeypatch.setattr("podtui.ui.app.run", fake_ui)
    assert cli.main(["--kubeconfig", str(two_clusters), "--context", "podtui-demo", "-n", "demo"]) == 0
    assert seen["flags"] == ("--kubeconfig", str(two_clusters), "--context", "podtui-demo")


def test_the_context_is_named_even_when_it_is_the_current_one():
    # It may not be by the time the command is pasted (kubectl config use-context).
    assert kubectl_flags(ConnectionOptions(), "prod") == ("--context", "prod")
    # $KUBECONFIG is inherited by the shell; only a flag's path must be said.
    assert kubectl_flags(ConnectionOptions(kubeconfig="/k/a b"), "prod") == ("--kubeconfig", "/k/a b", "--context", "prod")
    # In a pod kubectl uses the service account without a kubeconfig: a context would fail.
    assert kubectl_flags(ConnectionOptions(), IN_CLUSTER) == ()


async def test_c_shows_a_command_with_the_flags_quoted_for_the_shell():
    flags = ("--kubeconfig", "/home/me/my configs/two.kubeconfig", "--context", "arn:aws:eks:[eu]/x$y")
    app = fixture_app(kubectl_flags=flags)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.copy_pod_name("uid-web-7d9f8c6b5-x2x7q")
        await pilot.pause()
        notice = notices(app)[-1]
    copied, logs = notice.split("\n")
    assert copied == "copied web-7d9f8c6b5-x2x7q"
    assert logs.startswith("logs: ")
    assert shlex.split(logs.removeprefix("logs: ")) == ["kubectl", "logs", *flags, "-n", "shop", "web-7d9f8c6b5-x2x7q"]
