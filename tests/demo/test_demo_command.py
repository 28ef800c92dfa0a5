"""`podtui demo` on the command line: listing, one-line errors, exit codes."""

from __future__ import annotations

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
    assert main(["demo", "--write-kubeconfig", "x.yaml"]) == 2
    assert "--write-kubeconfig goes with --serve" in capsys.readouterr().err
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
        (["--churn", "inf"], "argument --churn: expected a finite number, got inf"),
        (["--churn", "nan"], "argument --churn: expected a finite number, got nan"),
        (["--speed", "inf"], "argument --speed: expected a finite number, got inf"),
        (["--churn", "-1"], "argument --churn: must not be negative, got -1"),
        (["--namespaces", "0"], "argument --namespaces: must be at least 1, got 0"),
        (["--pods", "-3"], "argument --pods: must not be negative, got -3"),
    ],
)
def test_infinite_or_out_of_range_numbers_are_rejected(argv, message, capsys):
    # an infinite --churn or --speed would hang the simulation; argparse rejects them
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--scenario", "scale", *argv])
    assert exited.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].endswith(message), errors


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
