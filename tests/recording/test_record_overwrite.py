"""`podtui record FILE` and `podtui --record FILE` keep a recording already at FILE
unless --force: reusing an incident's file name silently lost the incident."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from podtui import cli
from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.errors import UsageError
from podtui.sources.recording import Header, RecordingWriter, read_recording, refuse_to_overwrite

OLD = b'{"format": "podtui-recording", "version": 1}\n{"t": 1, "status": "live"}\n'


@pytest.fixture
def old(tmp_path):
    path = tmp_path / "incident.jsonl"
    path.write_bytes(OLD)
    return path


@pytest.mark.parametrize("argv", [["record", "{old}"], ["--record", "{old}"], ["-A", "--record", "{old}"]])
def test_an_existing_recording_is_refused_before_connecting(argv, old, tmp_path, capsys):
    # No kubeconfig there: refused first, or it would be that error (exit 1).
    argv = [a.format(old=old) for a in argv] + ["--kubeconfig", str(tmp_path / "none")]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == f"podtui: {old} exists: choose another name, or --force to overwrite\n"
    assert old.read_bytes() == OLD


@pytest.mark.parametrize("argv", [["record", "{old}", "--force"], ["--record", "{old}", "--force"]])
def test_force_lets_it_through(argv, old, tmp_path, capsys):
    argv = [a.format(old=old) for a in argv] + ["--kubeconfig", str(tmp_path / "none")]
    assert cli.main(argv) == 1
    assert "kubeconfig" in capsys.readouterr().err  # on to connecting


@pytest.mark.parametrize("kind", ["missing", "empty", "dev-null"])
def test_nothing_to_lose_is_not_refused(tmp_path, kind):
    path = {"missing": tmp_path / "new.jsonl", "empty": tmp_path / "empty.jsonl", "dev-null": os.devnull}[kind]
    if kind == "empty":
        path.write_bytes(b"")  # mktemp's
    refuse_to_overwrite(path, force=False)


def test_a_dash_is_standard_output_even_beside_a_file_named_dash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_bytes(OLD)
    refuse_to_overwrite("-", force=False)


def test_the_writer_refuses_a_recording_made_after_the_check(old):
    # Between the check and the recorder's open: two recorders started on one name.
    with pytest.raises(UsageError, match="exists: choose another name, or --force to overwrite"):
        RecordingWriter(old, Header(started=1.0), overwrite=False)
    assert old.read_bytes() == OLD


def test_record_force_overwrites_against_a_served_cluster(old, tmp_path):
    cluster = DemoCluster("default", clock=ManualClock(1_700_000_000.0), seed=7)
    cluster.advance(30)
    cluster.start(drive=False)
    try:
        kubeconfig = tmp_path / "kubeconfig"
        cluster.write_kubeconfig(kubeconfig)
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        command = [sys.executable, "-m", "podtui", "record", str(old), "--kubeconfig", str(kubeconfig), "-A",
                   "--duration", "1"]
        refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and old.read_bytes() == OLD
        forced = subprocess.run([*command, "--force"], env=env, capture_output=True, text=True, timeout=60)
        assert forced.returncode == 0, forced.stderr
        assert read_recording(old).items  # the new recording, whole
    finally:
        cluster.stop()


def test_the_demos_record_is_refused_too_unless_forced(old, capsys, monkeypatch):
    # Refused before the demo cluster starts; with --force it would go on to start it.
    assert cli.main(["demo", "--record", str(old)]) == 2
    assert capsys.readouterr().err == f"podtui: {old} exists: choose another name, or --force to overwrite\n"
    assert old.read_bytes() == OLD
    started = []
    monkeypatch.setattr("podtui.demo.scenario.load_scenario", lambda name: started.append(name) or 1 / 0)
    assert cli.main(["demo", "--record", str(old), "--force"]) != 0
    assert started and old.read_bytes() == OLD
