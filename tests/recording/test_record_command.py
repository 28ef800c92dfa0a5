"""`podtui record`: headless, against the demo cluster over real HTTP, ended by time or signal."""

from __future__ import annotations

import http.server
import os
import pty
import signal
import subprocess
import sys
import threading
import time

import pytest

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.lifecycle.changes import LIVE, PODS, RECONNECTING, REFRESHING, RELISTING, STOPPED, Change, Relist, SourceStatus
from podtui.sources.base import Scope
from podtui.sources.recording import REDACTED, file_size, read_recording
from podtui.sources.replay import ReplayFeed
from podtui.ui.status_bar import connection_text


@pytest.fixture
def served(tmp_path):
    cluster = DemoCluster("default", clock=ManualClock(1_700_000_000.0), seed=7)
    cluster.advance(30)
    cluster.start(drive=False)
    kubeconfig = tmp_path / "kubeconfig"
    cluster.write_kubeconfig(kubeconfig)
    yield cluster, kubeconfig
    cluster.stop()


def record(kubeconfig, path, *extra, **popen):
    # The process's own environment, minus anything pointing at a real cluster.
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **popen}
    return subprocess.Popen([sys.executable, "-m", "podtui", "record", str(path), "--kubeconfig", str(kubeconfig), *extra],
                            env=env, **popen)


def wait_for_lines(path, n, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} never reached {n} lines")


def test_records_what_the_server_holds_for_a_duration(served, tmp_path):
    cluster, kubeconfig = served
    path = tmp_path / "rec.jsonl.gz"
    proc = record(kubeconfig, path, "-A", "--duration", "3")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    rec = read_recording(path)
    pods = sum(isinstance(c, Change) and c.resource == "pods" for c in rec.items)
    events = sum(isinstance(c, Change) and c.resource == "events" for c in rec.items)
    # As quitting `podtui --record` says it (recording_summary): counts, file, size, time.
    said = f"podtui: recorded {pods:,} pod and {events:,} event changes to {path} ({file_size(path.stat().st_size)}) in "
    assert err.startswith(said) and err[len(said):] in ("3s\n", "4s\n"), err  # 4s: a slow stop
    assert rec.warnings == []
    assert rec.header.context == "podtui-demo" and rec.header.server == cluster.url
    pods = {c.obj["metadata"]["uid"] for c in rec.items if isinstance(c, Change) and c.resource == "pods"}
    assert pods == {p["metadata"]["uid"] for p in cluster.storage.list("pods")}
    assert any(isinstance(i, Relist) and i.phase == "end" for i in rec.items)
    assert any(isinstance(c, Change) and c.resource == "events" for c in rec.items)


def test_sigterm_ends_the_recording_cleanly_and_changes_made_meanwhile_are_in_it(served, tmp_path):
    cluster, kubeconfig = served
    path = tmp_path / "rec.jsonl"
    proc = record(kubeconfig, path, "-A")
    try:
        wait_for_lines(path, 10)
        before = cluster.storage.resource_version
        cluster.advance(60)
        assert cluster.storage.resource_version > before
        latest = {p["metadata"]["uid"]: p["metadata"]["resourceVersion"] for p in cluster.storage.list("pods")}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rec = read_recording(path)
            seen = {c.obj["metadata"]["uid"]: c.obj["metadata"]["resourceVersion"]
                    for c in rec.items if isinstance(c, Change) and c.resource == "pods" and c.type != "DELETED"}
            if all(seen.get(uid) == rv for uid, rv in latest.items()):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the recording never caught up with the server")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_env_values_are_redacted_unless_asked(served, tmp_path):
    cluster, kubeconfig = served
    pod = next(p for p in cluster.storage.list("pods") if p["metadata"]["name"])
    pod = {**pod, "spec": {**pod["spec"], "containers": [{**pod["spec"]["containers"][0],
                                                          "env": [{"name": "PASSWORD", "value": "hunter2"}]}]}}
    cluster.storage.update("pods", pod)
    for extra, expected in (((), REDACTED), (("--no-redact",), "hunter2")):
        path = tmp_path / f"rec{len(extra)}.jsonl"
        proc = record(kubeconfig, path, "-A", "--duration", "2", *extra)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        values = [e["value"] for c in read_recording(path).items if isinstance(c, Change) and c.resource == "pods"
                  for ctr in c.obj["spec"]["containers"] for e in ctr.get("env", []) if e["name"] == "PASSWORD"]
        assert values and set(values) == {expected}


def test_unreachable_server_is_one_line_and_non_zero(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n")
    proc = record(kubeconfig, tmp_path / "x.jsonl", "--duration", "1")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert err.count("\n") == 1 and "cannot reach the API server at http://127.0.0.1:9" in err


@pytest.mark.parametrize("duration", ["nan", "0", "-5"])
def test_a_duration_that_is_no_positive_number_is_refused_before_connecting(duration, capsys):
    # --duration nan passed the "<= 0" check and recorded forever.
    from podtui.cli import main

    assert main(["record", "x.jsonl", "--kubeconfig", "/nonexistent", "--duration", duration]) == 2
    assert capsys.readouterr().err == (f"podtui: invalid --duration '{duration}': use a positive number of seconds "
                                       "or a duration like 90s, 10m or 1h\n")


@pytest.mark.parametrize("given, seconds", [("10m", 600.0), ("1h30m", 5400.0), ("90s", 90.0)])  # plain seconds: the tests above
def test_a_duration_reads_as_request_timeout_does(given, seconds):
    # "10m" was refused ("invalid float value") while --request-timeout took "1m".
    from podtui.cli import build_parser

    assert build_parser("record").parse_args(["x.jsonl", "--duration", given]).duration == seconds


def test_a_duration_that_is_no_duration_is_one_line_naming_the_forms(capsys):
    from podtui.cli import main

    with pytest.raises(SystemExit) as ended:
        main(["record", "x.jsonl", "--kubeconfig", "/nonexistent", "--duration", "10x"])
    assert ended.value.code == 2
    assert capsys.readouterr().err == ("podtui: invalid --duration '10x': "
                                       "use seconds or a duration like 90s, 10m or 1h\n")


class _GarbledWatches(http.server.BaseHTTPRequestHandler):
    """Empty lists, and watches that send one line that is no watch event."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        kind = "EventList" if "/events" in self.path else "PodList"
        body = b"garbage\n" if "watch=" in self.path else (
            b'{"kind": "%s", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": []}' % kind.encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_watch_that_keeps_failing_is_said_on_stderr_and_in_the_summary(tmp_path):
    # With no screen, the summary read "recorded 0 pod and 0 event changes" as a clean run.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GarbledWatches)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
            f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{server.server_address[1]}'}}}}]\n"
            "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n")
        proc = record(kubeconfig, tmp_path / "x.jsonl", "--duration", "3")
        _, err = proc.communicate(timeout=60)
    finally:
        server.shutdown()
    assert proc.returncode == 0
    lines = err.splitlines()
    warned = [line for line in lines if line.startswith("podtui: warning: the pods watch is reconnecting: malformed line")]
    assert len(warned) == 1, err  # once, not at every retry
    assert "changes meanwhile are missed; the recording goes on" in warned[0]
    assert lines[-1].startswith("podtui: recorded 0 pod and 0 event changes")
    assert "the pods watch was interrupted" in lines[-1]


def test_a_dash_records_to_standard_output_and_says_so_on_stderr_only(served, tmp_path):
    # `ssh bastion podtui record - > local.jsonl`: it wrote a file named "-" on the bastion.
    cluster, kubeconfig = served
    out_path = tmp_path / "out.jsonl"
    with out_path.open("wb") as out:
        proc = record(kubeconfig, "-", "-A", "--duration", "2", stdout=out, cwd=tmp_path)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert not (tmp_path / "-").exists()
    assert err.count("\n") == 1 and " changes to standard output in " in err
    assert out_path.read_bytes().startswith(b"{")  # plain JSON lines: gzip goes by file name
    rec = read_recording(out_path)
    assert rec.warnings == [] and rec.header.server == cluster.url
    assert {c.obj["metadata"]["uid"] for c in rec.items if isinstance(c, Change) and c.resource == "pods"} == \
        {p["metadata"]["uid"] for p in cluster.storage.list("pods")}


def test_a_dash_will_not_write_a_recording_to_a_terminal(tmp_path):
    leader, follower = pty.openpty()
    try:
        proc = record(tmp_path / "no-kubeconfig", "-", stdout=follower)
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert err == ("podtui: will not write a recording to the terminal "
                   "(redirect it: podtui record - > rec.jsonl, or | gzip > rec.jsonl.gz)\n")


def test_a_reader_that_stops_early_ends_the_recording_quietly(served, tmp_path):
    # `podtui record - | head -3` on a quiet cluster: nothing more to write, so nothing
    # noticed the reader had gone; the recorder must see it and end at once, no traceback.
    _, kubeconfig = served
    proc = record(kubeconfig, "-", "-A", "--duration", "60")  # bounded, should it regress
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert all(line.endswith("\n") for line in lines) and '"podtui-recording"' in lines[0]
        proc.stdout.close()
        started = time.monotonic()
        err = proc.stderr.read()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and err == ""
    assert time.monotonic() - started < 10


class _RefreshingSource:
    """What LiveSource queues when an exec plugin's token refresh mid-session is slow."""

    def __init__(self):
        self.scope = Scope(context="gke", server="https://10.0.0.1")
        self.items = [SourceStatus(LIVE, 100.0, resource=PODS),
                      SourceStatus(REFRESHING, 101.0, "gke-gcloud-auth-plugin", PODS),
                      SourceStatus(LIVE, 104.0, resource=PODS)]

    def start(self):
        pass

    def poll(self, limit=None):
        items, self.items = self.items, []
        return items

    def wait(self, timeout=None):
        return bool(self.items)

    def stop(self):
        pass


class _OutageSource(_RefreshingSource):
    """Two outages of the pods watch: the first retried six times, then a relist."""

    def __init__(self):
        super().__init__()
        down = [SourceStatus(RECONNECTING, 101.0 + i, "connection refused", PODS, retry_at=102.0 + i) for i in range(6)]
        self.items = [SourceStatus(LIVE, 100.0, resource=PODS), *down,
                      SourceStatus(RELISTING, 135.0, "", PODS), SourceStatus(LIVE, 136.0, resource=PODS),
                      SourceStatus(RECONNECTING, 200.0, "connection reset", PODS, retry_at=201.0),
                      SourceStatus(LIVE, 201.0, resource=PODS)]


def test_an_outage_is_one_interruption_however_many_reconnects_it_took(tmp_path, monkeypatch, capsys):
    # One ~35 s outage read "the pods watch was interrupted 6 times": each retry counted.
    from podtui.cli import main
    from podtui.sources import record_command

    monkeypatch.setattr(record_command, "connect", lambda *a, **kw: _OutageSource())
    monkeypatch.setattr(record_command, "relax_gc", lambda: None)
    monkeypatch.setattr(record_command.signal, "signal", lambda *a: None)
    assert main(["record", str(tmp_path / "rec.jsonl"), "--kubeconfig", "/nonexistent", "--duration", "0.3"]) == 0
    summary = capsys.readouterr().err.splitlines()[-1]
    assert summary.endswith("; the pods watch was interrupted 2 times (last: connection reset)"), summary


def test_a_slow_token_refresh_is_recorded_as_such_and_replays_beside_an_older_recordings_reconnect(
        tmp_path, monkeypatch, capsys):
    # The refresh was a "reconnecting" told apart by its detail's wording; it has a state
    # of its own now, written to the file as text, and must come back as that state.
    from podtui.cli import main
    from podtui.sources import record_command

    monkeypatch.setattr(record_command, "connect", lambda *a, **kw: _RefreshingSource())
    monkeypatch.setattr(record_command, "relax_gc", lambda: None)  # process-wide: not in pytest's
    monkeypatch.setattr(record_command.signal, "signal", lambda *a: None)  # nor its Ctrl-C
    path = tmp_path / "rec.jsonl"
    assert main(["record", str(path), "--kubeconfig", "/nonexistent", "--duration", "0.3"]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err and "interrupted" not in err, err  # a wait, not a break
    # What a recording made before REFRESHING said of the same wait.
    old = '{"t": 105.0, "status": "reconnecting", "detail": "refreshing credentials (get-token)…", "resource": "pods"}\n'
    with path.open("a") as f:
        f.write(old)
    rec = read_recording(path)
    assert rec.warnings == []
    feed = ReplayFeed(rec, ManualClock(0), autoplay=False)
    feed.seek(rec.end)
    said = [(i.state, i.detail) for i in feed.poll() if isinstance(i, SourceStatus)]
    assert said == [(LIVE, ""), (REFRESHING, "gke-gcloud-auth-plugin"), (LIVE, ""), (STOPPED, ""),
                    (RECONNECTING, "refreshing credentials (get-token)…")]
    assert connection_text(SourceStatus(REFRESHING, 101.0, "gke-gcloud-auth-plugin", PODS), 101.0)[0] == \
        "refreshing credentials (gke-gcloud-auth-plugin)…"
    assert connection_text(SourceStatus(RECONNECTING, 105.0, "refreshing credentials (get-token)…", PODS),
                           105.0)[0] == "reconnecting: refreshing credentials (get-token)…"


def test_an_outage_after_a_while_live_is_warned_of_again_for_the_same_reason():
    from podtui.lifecycle.changes import LIVE, RECONNECTING, SourceStatus
    from podtui.sources.record_command import Interruptions

    seen = Interruptions()
    down = SourceStatus(RECONNECTING, 1.0, "connection reset", "pods", 2.0)
    assert seen.see(down) is True
    assert seen.see(SourceStatus(RECONNECTING, 2.0, "connection reset", "pods", 3.0)) is False  # the same outage
    seen.see(SourceStatus(LIVE, 3.0, "", "pods", None))
    assert seen.see(SourceStatus(RECONNECTING, 3.5, "connection reset", "pods", 4.0)) is False  # a flapping watch
    seen.see(SourceStatus(LIVE, 5.0, "", "pods", None))
    assert seen.see(SourceStatus(RECONNECTING, 500.0, "connection reset", "pods", 501.0)) is True  # news again
    assert seen.counts == {"pods": 3}
