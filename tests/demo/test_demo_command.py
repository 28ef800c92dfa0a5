"""`podtui demo` on the command line: listing, one-line errors, exit codes."""

from __future__ import annotations

import os
import socket

import pytest

from podtui.cli import main


def test_list_scenarios(capsys):
    assert main(["demo", "--list-scenarios"]) == 0
    out = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in out]
    assert "default" in names and "scale" in names
    assert all(len(line.split(maxsplit=1)) == 2 for line in out)


def test_bad_scenario_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("pods:\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\n    at: later\n")
    assert main(["demo", "--scenario", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"podtui: {path}, line 4: pods[0].at: expected a duration such as 30s, 1m30s or 500ms, got 'later'\n"


def test_usage_errors(capsys):
    assert main(["demo", "--pods", "10"]) == 2
    assert "apply to a scale scenario" in capsys.readouterr().err
    for argv, message in (
        (["demo", "--speed", "-1"], "must be greater than 0"),
        (["demo", "--stop-after", "soon"], "expected seconds or a duration"),
    ):
        with pytest.raises(SystemExit) as exited:  # argparse's own usage error
            main(argv)
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--churn", "inf"], "podtui: invalid --churn 'inf': expected a finite number"),
        (["--churn", "nan"], "podtui: invalid --churn 'nan': expected a finite number"),
        (["--speed", "inf"], "podtui: invalid --speed 'inf': expected a finite number"),
        (["--churn", "-1"], "podtui: invalid --churn '-1': must not be negative"),
        (["--namespaces", "0"], "podtui: invalid --namespaces '0': must be at least 1"),
        (["--pods", "-3"], "podtui: invalid --pods '-3': must not be negative"),
    ],
)
def test_infinite_or_out_of_range_numbers_are_rejected(argv, message, capsys):
    # an infinite --churn or --speed would hang the simulation; argparse rejects them
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--scenario", "scale", *argv])
    assert exited.value.code == 2
    assert capsys.readouterr().err == message + "\n"


def test_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["demo", "--serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"podtui: cannot serve the demo cluster on 127.0.0.1:{port}: ")
    assert "choose another --port" in err and err.count("\n") == 1


def test_unwritable_kubeconfig(tmp_path, capsys):
    target = tmp_path / "missing-dir" / "deeper" / "kubeconfig"
    (tmp_path / "missing-dir").write_text("a file, not a directory")
    assert main(["demo", "--serve", "--write-kubeconfig", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"podtui: cannot write the kubeconfig {target}: ") and err.count("\n") == 1


def _a_500(cluster) -> None:
    """Make the demo's API server fail on a request of its own (a bug in a hook)."""
    import urllib.error
    import urllib.request

    def crash(*args):
        raise KeyError("the-missing-key")

    cluster.server.on_delete = crash
    cluster.storage.create("pods", {"metadata": {"name": "victim", "namespace": "demo"}})
    request = urllib.request.Request(f"{cluster.url}/api/v1/namespaces/demo/pods/victim", method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=10)
    assert answered.value.code == 500


def test_the_ui_demo_keeps_the_servers_tracebacks_and_names_the_file(monkeypatch, capsys):
    # The UI owns the screen, so a 500's traceback goes to a file named once the UI is gone.
    from podtui.demo import command

    seen = {}

    def ui(cluster, kubeconfig_path, args):
        seen["dir"] = os.path.dirname(kubeconfig_path)
        _a_500(cluster)
        return 0

    monkeypatch.setattr(command, "open_ui", ui)
    assert main(["demo", "--seed", "1", "--stop-after", "1"]) == 0
    err = capsys.readouterr().err
    log = os.path.join(seen["dir"], command.ERROR_LOG)
    try:
        assert err == (f"podtui demo: the demo's kubeconfig was {seen['dir']}/kubeconfig (removed; "
                       "--write-kubeconfig FILE keeps one)\n"
                       f"podtui demo: the demo cluster had 1 internal error(s); tracebacks in {log}\n")
        text = open(log).read()
        assert "internal error answering DELETE /api/v1/namespaces/" in text
        assert "Traceback" in text and "KeyError: 'the-missing-key'" in text
        assert os.listdir(seen["dir"]) == [command.ERROR_LOG]  # the kubeconfig is cleaned up
    finally:
        command._remove_tree(seen["dir"])


def test_a_clean_ui_demo_leaves_no_log(monkeypatch, capsys):
    from podtui.demo import command

    seen = {}
    monkeypatch.setattr(command, "open_ui", lambda cluster, path, args: seen.setdefault("dir", os.path.dirname(path)) and 0)
    assert main(["demo", "--seed", "1", "--stop-after", "1"]) == 0
    # Before: nothing said where kubectl could have been pointed, only the c pop-up did.
    assert capsys.readouterr().err == (f"podtui demo: the demo's kubeconfig was {seen['dir']}/kubeconfig "
                                       "(removed; --write-kubeconfig FILE keeps one)\n")
    assert not os.path.exists(seen["dir"])


def test_the_ui_demo_writes_the_kubeconfig_asked_for_uses_it_and_keeps_it(tmp_path, monkeypatch, capsys):
    # Before: "podtui: --write-kubeconfig goes with --serve".
    from podtui.demo import command

    target = tmp_path / "demo.kubeconfig"
    seen = {}

    def ui(cluster, path, args):
        seen["path"] = path
        seen["text"] = open(path).read()
        seen["url"] = cluster.url
        return 0

    monkeypatch.setattr(command, "open_ui", ui)
    assert main(["demo", "--seed", "1", "--stop-after", "1", "--write-kubeconfig", str(target)]) == 0
    assert seen["path"] == str(target) and seen["url"] in seen["text"]  # the UI (and c, and ?) name this file
    assert target.read_text() == seen["text"]  # kept
    assert capsys.readouterr().err == (f"podtui demo: the demo's kubeconfig was {target} "
                                       "(kept; the cluster it names has stopped)\n")


def test_write_kubeconfig_is_in_the_demos_help_for_the_ui_too(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--write-kubeconfig FILE write a kubeconfig for the demo cluster to FILE, kept on exit" in text
    assert "named in the UI's help and on exit" in text


def test_log_file_for_the_demo_and_an_unwritable_one(tmp_path, monkeypatch, capsys):
    from podtui.demo import command

    monkeypatch.setattr(command, "open_ui", lambda cluster, path, args: _a_500(cluster) or 0)
    log = tmp_path / "server.log"
    assert main(["demo", "--seed", "1", "--stop-after", "1", "--log", str(log)]) == 0
    assert "KeyError: 'the-missing-key'" in log.read_text()
    assert capsys.readouterr().err.endswith(f"tracebacks in {log}\n")
    assert main(["demo", "--log", str(tmp_path / "no-such-dir" / "x.log")]) == 1
    assert capsys.readouterr().err.startswith(f"podtui: cannot write the log {tmp_path / 'no-such-dir' / 'x.log'}: ")


def test_serve_sends_the_servers_tracebacks_to_stderr(capsys):
    from podtui.apiserver.server import log as server_log
    from podtui.demo.cluster import log as simulation_log
    from podtui.demo.command import _ErrorLog

    errors = _ErrorLog(None)  # what `podtui demo --serve` sets up without --log
    try:
        for log, what in ((server_log, "internal error answering GET /api/v1/pods"), (simulation_log, "the simulation failed")):
            try:
                raise KeyError("the-missing-key")
            except KeyError as err:
                log.error(what, exc_info=err)
    finally:
        errors.close()
    err = capsys.readouterr().err
    assert err.startswith("podtui demo: internal error answering GET /api/v1/pods\nTraceback")
    assert "\npodtui demo: the simulation failed\nTraceback" in err
    assert err.count("KeyError: 'the-missing-key'") == 2 and errors.count == 2


def test_demo_with_no_terminal_to_draw_on_says_so_and_ends():
    # `podtui demo 2> log` (or a script): the screen went into the file as escape codes
    # and waited there for keys forever; the demo cluster must stop too.
    import subprocess
    import sys

    from podtui.ui.app import NO_TERMINAL_HINT

    out = subprocess.run([sys.executable, "-m", "podtui", "demo"], capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 2
    assert out.stderr == f"podtui: no terminal to draw on: standard error is not a terminal ({NO_TERMINAL_HINT})\n"


def _no_ui(monkeypatch):
    from podtui.demo import command

    opened = []
    monkeypatch.setattr(command, "open_ui", lambda cluster, path, args: opened.append(cluster.url) or 0)
    return opened


def test_running_the_demo_again_replaces_its_own_kubeconfig(tmp_path, monkeypatch, capsys):
    opened = _no_ui(monkeypatch)
    target = tmp_path / "demo.kubeconfig"
    for _ in range(2):
        assert main(["demo", "--seed", "1", "--stop-after", "1", "--write-kubeconfig", str(target)]) == 0
    assert len(opened) == 2 and opened[1] in target.read_text()  # the second run's server


@pytest.mark.parametrize("serve", [False, True])
@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: 'https://10.0.0.1:6443'}\n"
    "contexts:\n- name: prod\n  context: {cluster: prod, user: prod}\ncurrent-context: prod\n"
    "users:\n- name: prod\n  user: {token: secret}\n",
    # the demo's context beside a real one: still the user's file
    "apiVersion: v1\nkind: Config\nclusters:\n- name: podtui-demo\n- name: prod\n"
    "contexts:\n- name: podtui-demo\n- name: prod\ncurrent-context: prod\nusers: []\n",
    "not a kubeconfig at all\n",
])
def test_a_kubeconfig_podtui_did_not_write_is_refused_and_left_as_it_was(tmp_path, monkeypatch, capsys, serve, text):
    # `podtui demo --write-kubeconfig ~/.kube/config` replaced the user's real one without a word.
    opened = _no_ui(monkeypatch)
    target = tmp_path / ".kube" / "config"
    target.parent.mkdir()
    target.write_text(text)
    assert main(["demo", *(["--serve"] if serve else []), "--write-kubeconfig", str(target)]) == 2
    assert capsys.readouterr() == ("", f"podtui: {target} exists and is not a demo kubeconfig: "
                                       "choose another file, or remove it first\n")
    assert target.read_text() == text and os.listdir(target.parent) == ["config"] and not opened
