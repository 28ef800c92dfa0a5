"""`podtui` (live mode): kubectl's flags, errors before the UI, what the UI is handed."""

from __future__ import annotations

import argparse

import pytest

from podtui import cli, live_command
from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage
from podtui.clock import SystemClock
from podtui.lifecycle.changes import Change
from podtui.sources.kubeconfig import options_from_args
from podtui.sources.live import LiveSource, drain_until
from podtui.sources.recording import RecordingFeed, read_recording


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser(None).parse_args(list(argv))


def test_kubectl_flags_parse_like_kubectl():
    args = parse("--kubeconfig", "/k", "--context", "prod", "-n", "web", "-l", "app=x", "--field-selector", "status.phase=Running", "--request-timeout", "45s")
    opts = options_from_args(args)
    assert (opts.kubeconfig, opts.context, opts.namespace, opts.all_namespaces) == ("/k", "prod", "web", False)
    assert (opts.label_selector, opts.field_selector, opts.request_timeout) == ("app=x", "status.phase=Running", 45.0)
    long = options_from_args(parse("--namespace", "a", "--all-namespaces", "--selector", "tier=db"))
    assert (long.namespace, long.all_namespaces, long.label_selector, long.request_timeout) == ("a", True, "tier=db", None)
    assert parse("-A", "--theme", "nord", "--record", "out.jsonl.gz").record == "out.jsonl.gz"


def test_connection_errors_are_one_line_before_any_ui(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("podtui.ui.app.run", lambda *a, **k: pytest.fail("the UI must not start"))
    code = cli.main(["--kubeconfig", str(tmp_path / "nope")])
    assert code == 1
    assert capsys.readouterr().err == f"podtui: kubeconfig {tmp_path}/nope not found (--kubeconfig): check the path\n"


@pytest.fixture
def cluster(tmp_path):
    storage = Storage(SystemClock())
    storage.create("pods", {"metadata": {"name": "api-0", "namespace": "shop"}, "status": {"phase": "Running"}})
    storage.create("pods", {"metadata": {"name": "db-0", "namespace": "data"}, "status": {"phase": "Running"}})
    server = APIServer(storage, token="tok").start()
    kubeconfig = tmp_path / "config"
    server.write_kubeconfig(kubeconfig, context="c1", namespace="shop")
    yield server, kubeconfig
    server.stop()


def test_run_hands_the_ui_a_checked_source_and_a_namespace_switch(cluster, monkeypatch):
    server, kubeconfig = cluster
    seen = {}

    def fake_ui(feed, clock, *, theme=None, namespaces_switch=None, **_):
        seen.update(feed=feed, theme=theme)
        feed.start()
        items: list = []
        assert drain_until(feed, lambda it: any(isinstance(i, Change) for i in it), 20, items)
        seen["names"] = {i.obj["metadata"]["name"] for i in items if isinstance(i, Change)}
        feed.stop()
        other = namespaces_switch(None)  # the picker asked for all namespaces
        seen["switched"] = other.scope.namespace, other.scope.context
        other.connection.close()
        return 0

    monkeypatch.setattr("podtui.ui.app.run", fake_ui)
    assert cli.main(["--kubeconfig", str(kubeconfig), "--theme", "nord"]) == 0
    assert isinstance(seen["feed"], LiveSource)
    assert seen["feed"].scope.namespace == "shop" and seen["theme"] == "nord"
    assert seen["names"] == {"api-0"}
    assert seen["switched"] == (None, "c1")


def test_namespace_switch_errors_are_podtui_errors(cluster, monkeypatch):
    server, kubeconfig = cluster
    from podtui.errors import ConnectError

    def fake_ui(feed, clock, *, namespaces_switch=None, **_):
        server.faults.fail_next(1, 403, verbs=["watch"])
        with pytest.raises(ConnectError, match=r"at the cluster scope .*: try -n NAMESPACE"):
            namespaces_switch(None)
        feed.stop()
        return 0

    monkeypatch.setattr("podtui.ui.app.run", fake_ui)
    assert cli.main(["--kubeconfig", str(kubeconfig)]) == 0


def test_a_busy_server_at_startup_is_waited_for_aloud(cluster, monkeypatch, capsys):
    server, kubeconfig = cluster
    server.faults.fail_next(1, 429, verbs=["list"], retry_after=1)
    started = []
    monkeypatch.setattr("podtui.ui.app.run", lambda feed, *a, **k: started.append(feed) or feed.stop() or 0)
    assert cli.main(["--kubeconfig", str(kubeconfig)]) == 0
    assert started, "the UI opens once the server answers"
    assert capsys.readouterr().err == (
        "podtui: the API server answered 429 Too Many Requests: waiting 1s as its Retry-After asks\n")


def test_record_wraps_the_source_and_writes_what_it_saw(cluster, monkeypatch, tmp_path):
    server, kubeconfig = cluster
    out = tmp_path / "rec.jsonl"

    def fake_ui(feed, clock, *, namespaces_switch=None, **_):
        assert isinstance(feed, RecordingFeed) and namespaces_switch is None
        feed.start()
        assert drain_until(feed, lambda it: any(isinstance(i, Change) for i in it), 20, [])
        feed.stop()
        return 0

    monkeypatch.setattr("podtui.ui.app.run", fake_ui)
    assert cli.main(["--kubeconfig", str(kubeconfig), "-A", "--record", str(out)]) == 0
    recording = read_recording(out)
    assert recording.header.context == "c1"
    names = {i.obj["metadata"]["name"] for i in recording.items if isinstance(i, Change)}
    assert names == {"api-0", "db-0"}


def test_live_command_exposes_the_cli_contract():
    assert callable(live_command.add_arguments) and callable(live_command.run)


@pytest.mark.parametrize("namespace", ["Shop", "a/b", "shop_1", "shop-", "x" * 64])
def test_a_namespace_no_pod_can_be_in_is_refused(cluster, monkeypatch, capsys, namespace):
    # The API server lists it as empty (kubectl: "No resources found in Shop
    # namespace."), so podtui showed an empty table for good, for a typo.
    monkeypatch.setattr("podtui.ui.app.run", lambda *a, **k: pytest.fail("the UI must not start"))
    server, kubeconfig = cluster
    assert cli.main(["--kubeconfig", str(kubeconfig), "-n", namespace]) == 2
    assert capsys.readouterr().err == (
        f"podtui: -n {namespace}: not a valid namespace name, so no pod can be in it (lowercase letters, "
        "digits and '-', up to 63, starting and ending with a letter or digit)\n")
    assert options_from_args(parse("-A", "-n", namespace)).all_namespaces  # -A overrides -n, as in kubectl


@pytest.mark.parametrize(("flags", "named", "why"), [
    (["-l", "=x"], '-l "=x"', "found '=', expected: !, identifier, or 'end of string'"),
    (["--field-selector", "foo=bar"], '--field-selector "foo=bar"', "field label not supported: foo"),
])
def test_a_selector_the_server_refuses_names_the_flag(cluster, monkeypatch, capsys, flags, named, why):
    # It read "the API server at URL answered 400 to list pods: <why>", not saying
    # which of the user's flags it was about.
    monkeypatch.setattr("podtui.ui.app.run", lambda *a, **k: pytest.fail("the UI must not start"))
    server, kubeconfig = cluster
    assert cli.main(["--kubeconfig", str(kubeconfig), *flags]) == 1
    assert capsys.readouterr().err == (
        f"podtui: the API server at {server.url} refused {named} (400 Bad Request): {why}: fix the selector\n")
