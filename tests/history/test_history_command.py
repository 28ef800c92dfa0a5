"""`podtui history`: a recording folded into each pod's history, in YAML (valid, by
yaml.safe_load) and Markdown; pod selection with close matches; one-line errors for
bad recordings; the same output every time."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
import yaml

from podtui import cli
from podtui.lifecycle.changes import EVENTS, Change
from podtui.sources.recording import read_recording, write_recording

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"
DEFAULT = RECORDINGS / "demo-default.jsonl.gz"
EXTRA = RECORDINGS / "demo-extra.jsonl.gz"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["history", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def default_yaml():
    from podtui.sources.history_command import history_text

    return yaml.safe_load(history_text(DEFAULT, fmt="yaml"))


def by_name(data: dict) -> dict[str, dict]:
    return {p["pod"]: p for p in data["pods"]}


def test_yaml_is_valid_and_covers_every_pod(default_yaml):
    data = default_yaml
    recording = read_recording(DEFAULT)
    names = {f"{c.obj['metadata']['namespace']}/{c.obj['metadata']['name']}" for c in recording.items
             if isinstance(c, Change) and c.resource == "pods"}
    assert set(by_name(data)) == names
    assert data["from"] == "2024-05-01T10:00:00Z" and data["to"] == "2024-05-01T10:14:51.500Z"
    assert data["context"] == "podtui-demo"


def test_yaml_restarts_carry_cause_exit_code_back_off_and_evidence(default_yaml):
    pods = by_name(default_yaml)
    live = pods["demo/liveness-fail"]["restarts_and_failures"]
    assert [r["restart"] for r in live] == [1, 2, 3, 4, 5, 6, 7]
    second = live[1]
    assert second["cause"] == "liveness" and second["exit_code"] == 143
    assert second["at"] == "2024-05-01T10:01:21Z" and second["offset"] == "+1m21s"
    assert second["backoff_after"] == "10s" and second["backoff_from"] == "kubelet message"
    # Every version of the repeated Events was read: each kill has its own time.
    assert "Event Normal Killing 2024-05-01T10:01:20Z: Container web failed liveness probe, will be restarted" \
        in second["evidence"]
    assert any(e.startswith("Event Warning Unhealthy x3 2024-05-01T10:01:10Z .. 2024-05-01T10:01:20Z")
               for e in second["evidence"])
    oom = pods["demo/oom"]["restarts_and_failures"][0]
    assert (oom["cause"], oom["exit_code"], oom["memory_limit"]) == ("oom", 137, "64Mi")
    crash = pods["demo/crashloop"]["restarts_and_failures"]
    assert crash[-1]["pending"] is True and crash[-1]["backoff_after"] == "5m0s"
    secret = pods["demo/missing-secret"]["restarts_and_failures"][0]
    assert (secret["cause"], secret["missing"]) == ("config", 'Secret "db-credentials"')
    evicted = pods["demo/memory-hog"]["restarts_and_failures"][0]
    assert (evicted["kind"], evicted["cause"]) == ("disruption", "eviction")


def test_yaml_unready_probes_back_off_termination_transitions(default_yaml):
    pods = by_name(default_yaml)
    flap = pods["demo/readiness-flap"]
    periods = [p for p in flap["unready_periods"] if p["subject"] == "api" and not p.get("at_start")]
    assert periods[0] == {
        "subject": "api", "subject_kind": "container", "from": "2024-05-01T10:00:35Z", "offset": "+35s",
        "to": "2024-05-01T10:00:45Z", "duration": "10s", "duration_seconds": 10.0, "reason": "readiness probe failed",
        "probe_messages": ["Readiness probe failed: HTTP probe failed with statuscode: 503 (x2)"],
    }
    assert flap["unready_flaps_last_hour"] == len(periods)
    [probe] = flap["probe_failures"]
    assert probe["probe"] == "readiness" and probe["failures_reported"] == 46
    assert pods["demo/crashloop"]["back_off_now"] == [{
        "container": "app", "kind": "restart", "delay": "5m0s", "delay_seconds": 300.0, "delay_from": "kubelet message",
        "next_attempt": "2024-05-01T10:15:37Z",
        "message": "back-off 5m0s restarting failed container=app pod=crashloop_demo(" +
                   pods["demo/crashloop"]["uid"] + ")"}]
    term = pods["demo/stuck-finalizer"]["termination"]
    # Its containers stopped, so the kubelet's final DELETE set the object's grace to 0:
    # the report keeps the 10s the deletion asked for, and says the kubelet confirmed it.
    assert term["finalizers"] == ["example.com/backup-protection"] and term["grace"] == "10s"
    assert term["sigkill_deadline"] == "2024-05-01T10:00:40Z" and term["requested_at"] == "2024-05-01T10:00:30Z"
    assert term["containers_stopped"] < term["sigkill_deadline"] and "confirmed_by_kubelet" in term
    # The scenario lifts the finalizer at +10m; once the pod is gone nothing holds it.
    assert term["removed"] == "2024-05-01T10:10:00Z" and "waiting_on_finalizers" not in term
    changes = [t["change"] for t in pods["demo/graceful-stop"]["transitions"]]
    assert any(c.startswith("deletion: ") for c in changes) and changes[-1] == "removed"
    assert all(t["at"].endswith("Z") for t in pods["demo/graceful-stop"]["transitions"])


def test_markdown(capsys):
    code, out, err = run(capsys, DEFAULT, "demo/liveness-fail", "oom")
    assert code == 0 and err == ""
    assert out.startswith("# Pod lifecycle history\n")
    assert out.count("\n## ") == 3 and "## Summary" in out and "## demo/liveness-fail" in out and "## demo/oom" in out
    # The time first is when the container stopped; when it ran again is said apart
    # (it read "restart #2, 10:01:21Z ... back-off after: 10s", as if restarted then).
    assert ("- **web** restart #2, stopped 2024-05-01T10:01:21Z (+1m21s): `liveness`: liveness probe failed "
            "(HTTP probe failed with statuscode: 500), exit 143 (SIGTERM); ran again 2024-05-01T10:01:31Z "
            "after a 10s back-off (kubelet message)\n") in out
    assert ("- **cruncher** restart #1, stopped 2024-05-01T10:00:18Z (+18s): `oom`: OOMKilled (memory limit 64Mi), "
            "exit 137; ran again at once 2024-05-01T10:00:18Z\n") in out
    assert "### Unready periods" in out and "| subject | from | to | duration | reason |" in out


def test_same_output_every_time(capsys):
    first = run(capsys, EXTRA, "--format", "yaml")
    second = run(capsys, EXTRA, "--format", "yaml")
    assert first == second and first[0] == 0


def test_now_is_the_end_of_the_recording(capsys):
    _, out, _ = run(capsys, DEFAULT, "demo/missing-secret", "--format", "yaml")
    pod = yaml.safe_load(out)["pods"][0]
    [ongoing] = [p for p in pod["unready_periods"] if p["subject"] == "pod"]
    assert ongoing["ongoing"] is True and ongoing["duration"] == "14m52s"  # 10:00:00 -> 10:14:51.5


def test_bare_pod_names_and_every_incarnation(capsys, tmp_path):
    code, out, _ = run(capsys, DEFAULT, "nightly-report-x7k2p", "--format", "yaml")
    assert code == 0 and [p["pod"] for p in yaml.safe_load(out)["pods"]] == ["batch/nightly-report-x7k2p"]


def test_unknown_pod_is_one_line_with_close_matches(capsys):
    code, out, err = run(capsys, DEFAULT, "demo/crashlop")
    assert code == 2 and out == ""
    assert err == f"podtui: no pod demo/crashlop in {DEFAULT} (did you mean: demo/crashloop)\n"
    code, _, err = run(capsys, DEFAULT, "zzz")
    assert code == 2 and err.count("\n") == 1 and "has 24 pods" in err


def test_corrupt_recording_is_one_line_and_skippable(capsys, tmp_path):
    lines = gzip.decompress(EXTRA.read_bytes()).splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines[:20] + [b'{"t": oops\n'] + lines[20:]))
    code, out, err = run(capsys, bad)
    assert code == 1 and out == ""
    assert err == (f"podtui: {bad}: line 21 is not JSON (unexpected character, expected a JSON value at column 7): "
                   "the recording is damaged there (use --skip-bad-lines to go on without it)\n")
    code, out, err = run(capsys, bad, "--skip-bad-lines", "--format", "yaml")
    assert code == 0 and "line 21 is not JSON" in err
    assert "line 21 is not JSON" in yaml.safe_load(out)["warnings"][0]


def test_truncated_recording_still_reports(capsys, tmp_path):
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(EXTRA.read_bytes()[: len(EXTRA.read_bytes()) // 2])
    code, out, err = run(capsys, cut, "--format", "yaml")
    assert code == 0 and "podtui: warning:" in err
    assert yaml.safe_load(out)["pods"]


def test_not_a_recording(capsys, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    assert run(capsys, other) == (1, "", f"podtui: {other} is not a podtui recording "
                                         "(line 1 has no podtui-recording header)\n")
    assert run(capsys, tmp_path / "missing.gz")[2].startswith("podtui: cannot open recording")


@pytest.mark.parametrize("fmt", ["markdown", "yaml"])
def test_a_recording_without_pods_says_so_in_one_line(capsys, tmp_path, fmt):
    # It printed a title and a time span, and exited 0, as if that were the report.
    path = tmp_path / "listed-none.jsonl"
    path.write_bytes(HEADER + b'{"t":1714557600.0,"relist":"start","resource":"pods","resource_version":""}\n'
                     b'{"t":1714557600.1,"relist":"end","resource":"pods","resource_version":"7","deleted":0}\n')
    assert run(capsys, path, "--format", fmt) == (
        1, "", f"podtui: {path} has no pods: nothing to report (the recorder saw none in namespace shop; "
               "record where there are pods, or check --namespace and --selector)\n")
    # Asked for one by name, the same: "run without names to see them all" showed nothing.
    assert run(capsys, path, "shop/web")[0] == 1


HEADER = b'{"format":"podtui-recording","version":1,"started":1714557600.0,"scope":{"namespace":"shop"}}\n'


def test_a_recording_that_never_listed_says_so_not_that_there_were_none(capsys, tmp_path):
    # It said "the recorder saw none in namespace shop": it never got to look.
    path = tmp_path / "refused.jsonl"
    path.write_bytes(HEADER + b'{"t":1714557600.0,"status":"connecting","detail":"","resource":"pods"}\n'
                     b'{"t":1714557601.0,"status":"reconnecting","detail":"connection refused","resource":"pods"}\n'
                     b'{"t":1714557609.0,"status":"stopped","detail":""}\n')
    assert run(capsys, path) == (1, "", f"podtui: {path} has no pods: the recorder never listed them "
                                        "(its last status: reconnecting: connection refused)\n")
    # A list started but cut off is not a list either.
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(HEADER + b'{"t":1714557600.0,"relist":"start","resource":"pods","resource_version":""}\n')
    assert run(capsys, cut) == (1, "", f"podtui: {cut} has no pods: the recorder never listed them "
                                       "(it recorded no status)\n")


@pytest.mark.parametrize("gz", [False, True])
def test_a_recording_cut_before_its_first_list_ended_says_so_in_its_one_line(capsys, tmp_path, gz):
    import gzip

    # It printed "warning: ... cut short in line 3: reading up to line 2" above the error.
    body = HEADER + b'{"t":1714557600.0,"relist":"start","resource":"pods","resource_version":""}\n{"t":17145'
    path = tmp_path / ("cut.jsonl.gz" if gz else "cut.jsonl")
    path.write_bytes(gzip.compress(body + b'57600.1,"resource":"pods"}\n')[:-30] if gz else body)
    where = "is cut short after line 1 (compressed data ends mid-stream)" if gz else "is cut short in line 3"
    assert run(capsys, path) == (1, "", f"podtui: {path} has no pods: it {where}, before the recorder's first "
                                        "list ended (it recorded no status; check the file was copied whole, "
                                        "or record again)\n")


def test_a_cut_recordings_other_warnings_are_still_said(capsys, tmp_path):
    # Only the cut's warning goes into the error: a corrupt line skipped may be the lost list's end.
    path = tmp_path / "cut.jsonl"
    path.write_bytes(HEADER + b'{"t":1714557600.0,"relist":"start","resource":"pods","resource_version":""}\n'
                     b'{"t":1714557600.1,"relist":"end"\n{"t":17145')
    code, out, err = run(capsys, path, "--skip-bad-lines")
    said = err.splitlines()
    assert code == 1 and said[0].startswith(f"podtui: warning: {path}: line 3 is not JSON")
    assert said[1:] == [
        f"podtui: {path} has no pods: it is cut short in line 4, before the recorder's first list ended (it recorded "
        "no status; check the file was copied whole, or record again)"]


def test_only_the_cut_warning_is_left_out_wherever_it_stands(capsys, tmp_path):
    from podtui.sources.history_command import say_warnings

    # say_warnings dropped the last warning, taking it for the cut's: one said after it was lost.
    path = tmp_path / "cut.jsonl"
    path.write_bytes(HEADER + b'{"t":1714557600.0,"relist":"start","resource":"pods","resource_version":""}\n'
                     b'{"t":17145')
    rec = read_recording(path)
    assert rec.cut is not None and len(rec.warnings) == 1
    say_warnings(["before", *rec.warnings, "after"], rec.cut)
    assert capsys.readouterr().err == "podtui: warning: before\npodtui: warning: after\n"


def test_without_events_the_causes_fall_back_to_the_status(capsys, tmp_path):
    rec = read_recording(DEFAULT)
    stripped = tmp_path / "no-events.jsonl"
    write_recording(stripped, rec.header, [i for i in rec.items if not (isinstance(i, Change) and i.resource == EVENTS)])
    code, out, _ = run(capsys, stripped, "demo/liveness-fail", "demo/oom", "--format", "yaml")
    pods = by_name(yaml.safe_load(out))
    live = pods["demo/liveness-fail"]["restarts_and_failures"]
    assert code == 0 and all(r["cause"] == "unknown" and r["exit_code"] == 143 for r in live)
    assert live[0]["summary"].endswith("exit 143 (SIGTERM), finished 2024-05-01T10:00:41Z")
    assert all(r["cause"] == "oom" for r in pods["demo/oom"]["restarts_and_failures"])


def test_offsets_count_whole_seconds():
    from podtui.lifecycle.report import offset

    # Observed times carry half seconds; round-half-even gave +6s for 6.5 and +8s for 7.5.
    assert [offset(100.0 + x, 100.0) for x in (0.5, 1.5, 6.5, 7.5, 59.9, 60.0)] == \
        ["+0s", "+1s", "+6s", "+7s", "+59s", "+1m0s"]


def _history_process(stdout):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "podtui", "history", str(DEFAULT)], stdout=stdout,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_under_the_report_is_one_line():
    # It was "internal error: OSError: [Errno 28] No space left on device".
    with open("/dev/full", "w") as full:
        proc = _history_process(full)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err == (f"podtui: cannot write the history of {DEFAULT}: no space left on device "
                   "(send it to a file on a disk with room, e.g. > report.md)\n")


def test_a_reader_that_stops_early_is_no_error():
    # `podtui history FILE | true` was "internal error: BrokenPipeError".
    import subprocess

    proc = _history_process(subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and err == ""


class _Trickle(io.RawIOBase):
    """A pipe whose writer sends a byte at a time: a magic number read in two pieces."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._data:
            return 0
        buffer[0] = self._data[0]
        self._data = self._data[1:]
        return 1


def _stdin(monkeypatch, data: bytes, *, trickle: bool = False, tty: bool = False) -> None:
    raw = _Trickle(data) if trickle else io.BytesIO(data)
    stdin = io.TextIOWrapper(io.BufferedReader(raw, 4096) if trickle else raw)
    monkeypatch.setattr(stdin, "isatty", lambda: tty)
    monkeypatch.setattr("sys.stdin", stdin)


@pytest.mark.parametrize("unzip, trickle", [(False, False), (True, False), (False, True), (True, True)])
def test_a_dash_reads_the_recording_from_standard_input(capsys, monkeypatch, unzip, trickle):
    # `ssh bastion cat rec.jsonl.gz | podtui history -`: it looked for a file named "-".
    data = DEFAULT.read_bytes()
    _stdin(monkeypatch, gzip.decompress(data) if unzip else data, trickle=trickle)
    code, out, err = run(capsys, "-", "--format", "yaml")
    assert code == 0 and err == ""
    from_stdin = yaml.safe_load(out)
    assert from_stdin.pop("recording") == "standard input"
    from_file = yaml.safe_load(run(capsys, DEFAULT, "--format", "yaml")[1])
    from_file.pop("recording")
    assert from_stdin == from_file and from_stdin["pods"]


@pytest.mark.parametrize("data, tty, code, line", [
    (b"", False, 1, "podtui: standard input is empty: not a podtui recording\n"),
    (b"", True, 2, "podtui: standard input is a terminal, not a recording "
                   "(pipe one in: podtui history - < rec.jsonl.gz, or give FILE)\n"),
])
def test_a_dash_with_nothing_to_read_is_one_line(capsys, monkeypatch, data, tty, code, line):
    _stdin(monkeypatch, data, tty=tty)
    assert run(capsys, "-") == (code, "", line)


def test_a_pod_missing_from_standard_input_names_it_so(capsys, monkeypatch):
    _stdin(monkeypatch, DEFAULT.read_bytes())
    code, _, err = run(capsys, "-", "default/nope")
    assert code == 2 and err.startswith("podtui: no pod default/nope in standard input (")


def test_an_empty_file_name_is_refused_not_read_as_the_current_directory(capsys):
    # `podtui history "$REC"` with REC unset: "cannot open recording .: Is a directory".
    with pytest.raises(SystemExit) as exited:
        cli.main(["history", ""])
    assert exited.value.code == 2
    assert capsys.readouterr().err == "podtui history: error: argument FILE: the file name is empty (an unset variable?)\n"


def test_no_arguments_names_only_file_as_missing(capsys):
    # It said "required: FILE, NAMESPACE/POD", though the pods are optional.
    with pytest.raises(SystemExit) as exited:
        cli.main(["history"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "podtui history: error: the following arguments are required: FILE (see `podtui history --help`)\n")


def test_a_namespace_followed_by_a_slash_selects_all_of_its_pods():
    # "demo/" was refused as a pod with an empty name.
    from podtui.sources.history_command import history_text

    pods = yaml.safe_load(history_text(DEFAULT, ["batch/", "shop/"], fmt="yaml"))["pods"]
    namespaces = [p["pod"].split("/")[0] for p in pods]
    assert set(namespaces) == {"batch", "shop"} and namespaces.count("batch") == 1


def test_a_line_nested_past_the_parsers_depth_is_a_bad_line_not_a_crash(capsys, tmp_path):
    lines = gzip.decompress(EXTRA.read_bytes()).splitlines(keepends=True)
    bad = tmp_path / "deep.jsonl"
    bad.write_bytes(b"".join(lines[:20] + [b"[" * 5000 + b"\n"] + lines[20:]))
    code, out, err = run(capsys, bad)
    assert code == 1 and out == "" and err.startswith(f"podtui: {bad}: line 21 is ") and "Traceback" not in err
    code, out, err = run(capsys, bad, "--skip-bad-lines", "--format", "yaml")
    assert code == 0 and "line 21 is " in err


def test_every_deleted_pod_is_reported_past_the_live_tombstone_limit(tmp_path):
    # The UI keeps at most TOMBSTONE_LIMIT deleted pods; a report wants each one.
    from podtui.lifecycle.store import TOMBSTONE_LIMIT
    from podtui.sources.history_command import Folded

    lines = [HEADER]
    for i in range(TOMBSTONE_LIMIT + 1):
        pod = (b'{"metadata":{"uid":"u%d","name":"job-%d","namespace":"shop","creationTimestamp":'
               b'"2024-05-01T10:00:00Z"},"status":{"phase":"Succeeded"}}' % (i, i))
        t = 1714557600 + i / 100
        lines.append(b'{"t":%.2f,"resource":"pods","type":"ADDED","object":%s}\n' % (t, pod))
        lines.append(b'{"t":%.2f,"resource":"pods","type":"DELETED","object":%s}\n' % (t + 0.005, pod))
    path = tmp_path / "jobs.jsonl"
    path.write_bytes(b"".join(lines))
    store = Folded(path).store
    assert len(store.pods) == TOMBSTONE_LIMIT + 1 and store.tombstones_dropped == 0
