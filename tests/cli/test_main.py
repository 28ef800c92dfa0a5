"""The command line: one-line errors, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from podtui import cli
from podtui.errors import ConfigError


def test_explained_errors_are_one_line_with_a_non_zero_exit(monkeypatch, capsys):
    def boom(args):
        raise ConfigError("no kubeconfig found", "set --kubeconfig")

    monkeypatch.setattr(cli, "build_parser", lambda command: _parser(boom))
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert err == "podtui: no kubeconfig found (set --kubeconfig)\n"


def test_unexpected_errors_are_one_line_and_the_traceback_goes_to_a_log(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))

    def boom(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "build_parser", lambda command: _parser(boom))
    assert cli.main([]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError" in err
    (log,) = tmp_path.glob("podtui-crash-*.log")
    assert f"(details in {log}; please report it)" in err
    assert "Traceback" in log.read_text() and log.stat().st_mode & 0o077 == 0  # others can't read it
    assert cli.main([]) == 70
    assert len(list(tmp_path.glob("podtui-crash-*.log"))) == 2  # one file a crash, none grows


def test_version_runs_as_a_console_command():
    out = subprocess.run([sys.executable, "-m", "podtui", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("podtui ")


def _parser(run):
    import argparse

    p = argparse.ArgumentParser()
    p.set_defaults(_run=run)
    return p


@pytest.mark.parametrize(("argv", "line"), [
    (["--bogus"], "podtui: error: unrecognized arguments: --bogus (see `podtui --help`)"),
    (["replay"], "podtui replay: error: the following arguments are required: FILE (see `podtui replay --help`)"),
    (["-n"], "podtui: error: argument -n/--namespace: expected one argument"),
    (["histroy", "rec.jsonl"],
     "podtui: unknown command 'histroy': did you mean history? (commands: demo, record, replay, history; see `podtui --help`)"),
    (["watch"], "podtui: unknown command 'watch' (commands: demo, record, replay, history; see `podtui --help`)"),
    # Both wrote a file named "-" beside the screen.
    (["--record", "-"], "podtui: error: argument --record: the screen is on standard output: record to a FILE, "
                        "or run `podtui record -` without the screen"),
    (["demo", "--record", "-"], "podtui demo: error: argument --record: the screen is on standard output: record to "
                                "a FILE, or run `podtui record -` without the screen"),
    (["--record", ""], "podtui: error: argument --record: the file name is empty (an unset variable?)"),
])
def test_usage_errors_are_one_line(argv, line, capsys):
    # argparse printed its whole usage block (4 lines) above the error; a mistyped
    # command read "unrecognized arguments: histroy rec.jsonl".
    try:
        code = cli.main(argv)
    except SystemExit as exited:
        code = exited.code
    assert code == 2
    assert capsys.readouterr().err == line + "\n"


@pytest.mark.parametrize(("argv", "line"), [
    # One form for a bad option value, whichever command and whoever checks it: it read
    # "podtui record: error: argument --duration: invalid duration '10x': ..." beside
    # "podtui: invalid --request-timeout 'abc': ...".
    (["--request-timeout", "abc"], "podtui: invalid --request-timeout 'abc': use a duration like 30s, 1m or 0 for none"),
    (["record", "x.jsonl", "--duration", "10x"],
     "podtui: invalid --duration '10x': use seconds or a duration like 90s, 10m or 1h"),
    (["replay", "x.jsonl", "--speed", "fast"], "podtui: invalid --speed 'fast': expected a number"),
    (["demo", "--seed", "x"], "podtui: invalid --seed 'x': expected a whole number"),
    (["history", "x.jsonl", "--format", "html"], "podtui: invalid --format 'html': choose from 'markdown', 'yaml'"),
    (["demo", "--stop-after", "soon"],
     "podtui: invalid --stop-after 'soon': expected seconds or a duration such as 90s or 5m"),
    (["demo", "--scenario", "scale", "--churn", "-1"], "podtui: invalid --churn '-1': must not be negative"),
    # Checked after parsing: these read "podtui: --speed must be a positive number, not inf".
    (["replay", "x.jsonl", "--speed", "inf"], "podtui: invalid --speed 'inf': use a number from 0.125 to 64 "
                                              "(what - and + reach)"),
    (["replay", "x.jsonl", "--speed", "0"], "podtui: invalid --speed '0': use a number from 0.125 to 64 "
                                            "(what - and + reach)"),
    (["replay", "tests/recordings/demo-default.jsonl.gz", "--at", "5x"],
     "podtui: invalid --at '5x': use RFC 3339 (2024-05-01T10:00:00Z), an offset from the start such as 90s or 5m, "
     "or from the end such as -5m"),
    (["record", "x.jsonl", "--duration", "0"],
     "podtui: invalid --duration '0': use a positive number of seconds or a duration like 90s, 10m or 1h"),
    (["demo", "--port", "70000"], "podtui: invalid --port '70000': use 0 to 65535 (0: a free one)"),
])
def test_an_invalid_option_value_reads_the_same_in_every_command(argv, line, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exited:
        code = exited.code
    assert (code, capsys.readouterr().err) == (2, line + "\n")


RECORDING = "tests/recordings/demo-default.jsonl.gz"


@pytest.mark.parametrize(("name", "line"), [
    # Each used to suggest five unrelated pods: every name "contains" "" or "c".
    ("", "podtui: '' names no pod: the pod name is empty (give NAMESPACE/POD, POD or NAMESPACE/)"),
    ("/", "podtui: '/' names no pod: the pod name is empty (give NAMESPACE/POD, POD or NAMESPACE/)"),
    ("nope/", f"podtui: no pod in namespace nope in {RECORDING} (its namespaces: batch, demo, shop)"),
    ("a/b/c", f"podtui: no pod a/b/c in {RECORDING} (the recording has 24 pods; run without names to see them all)"),
    ("crashlop", f"podtui: no pod crashlop in {RECORDING} (did you mean: demo/crashloop)"),
])
def test_history_of_a_pod_not_in_the_recording(name, line, capsys, monkeypatch):
    import pathlib

    monkeypatch.chdir(pathlib.Path(__file__).resolve().parents[2])
    assert cli.main(["history", RECORDING, name]) == 2
    captured = capsys.readouterr()
    assert captured.err == line + "\n" and captured.out == ""


def _podtui_without_stderr(*argv: str, cwd) -> subprocess.CompletedProcess:
    """podtui run as with `2>&-`: file descriptor 2 closed."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    return subprocess.run([sys.executable, "-m", "podtui", *argv], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: os.close(2), cwd=cwd, env=env, timeout=60)


def test_with_stderr_closed_what_belongs_on_it_goes_nowhere_not_to_stdout(tmp_path):
    # print(file=sys.stderr) with no sys.stderr writes to stdout: `podtui record FILE 2>&-`
    # printed its summary there, and an error too.
    from podtui.apiserver.server import APIServer
    from podtui.apiserver.storage import Storage
    from podtui.clock import SystemClock
    from podtui.sources.recording import read_recording

    storage = Storage(SystemClock())
    storage.create("pods", {"metadata": {"name": "api-0", "namespace": "shop"}, "status": {"phase": "Running"}})
    server = APIServer(storage, token="tok").start()
    try:
        kubeconfig = tmp_path / "config"
        server.write_kubeconfig(kubeconfig, context="c1", namespace="shop")
        out = tmp_path / "rec.jsonl"
        done = _podtui_without_stderr("record", str(out), "--kubeconfig", str(kubeconfig), "--duration", "0.5",
                                      cwd=tmp_path)
    finally:
        server.stop()
    assert (done.returncode, done.stdout) == (0, b"")
    assert [i.obj["metadata"]["name"] for i in read_recording(out).items if hasattr(i, "obj")] == ["api-0"]
    failed = _podtui_without_stderr("record", str(tmp_path / "next.jsonl"), "--kubeconfig", str(tmp_path / "none"),
                                    cwd=tmp_path)
    assert (failed.returncode, failed.stdout) == (1, b"")
