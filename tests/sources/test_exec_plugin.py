"""An exec credential plugin that hangs: said at start-up, bounded, and mid-session a
reconnect with the reason instead of a watch thread stuck for good."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time

import pytest
import yaml
from scripted_server import Answer, ScriptedServer, pod_list, watch_line
from test_kubeconfig import _Terminal

from podtui.clock import ManualClock
from podtui.errors import ConfigError
from podtui.lifecycle.changes import LIVE, PODS, RECONNECTING, REFRESHING, SourceStatus
from podtui.sources import kubeconfig, record_command
from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
from podtui.sources.live import LiveSource, drain_until

_V1 = "client.authentication.k8s.io/v1"
WAIT = 20.0  # only a failing test waits this long


@pytest.fixture
def quick(monkeypatch):
    """Seconds, not minutes: say we wait after 0.3 s, stop a plugin after 1.5 s."""
    monkeypatch.setattr(kubeconfig, "EXEC_NOTICE_AFTER", 0.3)
    monkeypatch.setattr(kubeconfig, "EXEC_TIMEOUT", 1.5)


def _plugin(tmp_path, body: str) -> str:
    plugin = tmp_path / "get-token"
    plugin.write_text(f"#!{sys.executable}\nimport json, os, subprocess, sys, time\n" + body)
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    return str(plugin)


def _credential(token: str, expires: str | None = None) -> str:
    status = {"token": token} | ({"expirationTimestamp": expires} if expires else {})
    return f"print(json.dumps({{'apiVersion': {_V1!r}, 'kind': 'ExecCredential', 'status': {status!r}}}))\n"


def _kubeconfig(tmp_path, plugin: str, server: str = "https://10.0.0.1:6443", mode: str = "Never"):
    cfg = tmp_path / "config"
    cfg.write_text(yaml.safe_dump({
        "current-context": "x",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "e"}}],
        "users": [{"name": "e", "user": {"exec": {"apiVersion": _V1, "command": plugin, "interactiveMode": mode}}}],
    }))
    return cfg


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_hanging_plugin_is_said_then_stopped_with_what_it_started(tmp_path, quick):
    # It waited forever without a word (kubectl too). The plugin starts a helper of its
    # own, as gke-gcloud-auth-plugin starts gcloud: both must go.
    plugin = _plugin(tmp_path, (
        "helper = subprocess.Popen(['sleep', '30'])\n"
        f"open({str(tmp_path / 'pids')!r}, 'w').write(f'{{os.getpid()}} {{helper.pid}}')\n"
        "time.sleep(30)\n"
    ))
    cfg = _kubeconfig(tmp_path, plugin)
    told: list[str] = []
    started = time.monotonic()
    with pytest.raises(ConfigError) as err:
        resolve_connection(ConnectionOptions(kubeconfig=str(cfg)), {}, waiting=told.append)
    assert time.monotonic() - started < 10
    assert str(err.value) == (
        f'cannot load context "x" from {cfg}: exec plugin "{plugin}" gave no credentials within 1.5s, so podtui '
        "stopped it: run the command yourself (with the user's exec args and env) to see what it waits for, "
        "a login or the network")
    assert told == [(f'waiting for exec plugin "{plugin}" to give credentials: it may be waiting on a login or the '
                     "network; podtui stops it after 1.5s")]
    pids = [int(pid) for pid in (tmp_path / "pids").read_text().split()]
    deadline = time.monotonic() + 5
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, pids))


def test_a_plugin_that_may_prompt_is_waited_for_not_stopped(tmp_path, quick, monkeypatch, capfd):
    # A login in a browser takes longer than any bound: only say what we wait for.
    plugin = _plugin(tmp_path, "time.sleep(2.5)\n" + _credential("after-login"))
    cfg = _kubeconfig(tmp_path, plugin, mode="IfAvailable")
    monkeypatch.setattr(sys, "stdout", _Terminal())
    told: list[str] = []
    with open(os.devnull) as keyboard:  # pytest's stdin has no file descriptor to hand on
        monkeypatch.setattr(sys, "stdin", keyboard)
        conn = resolve_connection(ConnectionOptions(kubeconfig=str(cfg)), {}, waiting=told.append)
    assert conn.headers()["Authorization"] == "Bearer after-login"
    assert told == [(f'waiting for exec plugin "{plugin}" to give credentials: it may be waiting for you to log in, '
                     "or on the network")]


def test_a_config_loaded_again_with_the_screen_open_gives_no_plugin_the_terminal(tmp_path, quick, monkeypatch):
    # A namespace switch loads the config again: its plugin took the terminal under
    # the screen, as at start-up, and was never stopped.
    plugin = _plugin(tmp_path, "print(os.environ['KUBERNETES_EXEC_INFO'], file=sys.stderr)\ntime.sleep(30)\n")
    cfg = _kubeconfig(tmp_path, plugin, mode="IfAvailable")
    monkeypatch.setattr(sys, "stdout", _Terminal())
    started = time.monotonic()
    with pytest.raises(ConfigError, match="gave no credentials within 1.5s"):
        resolve_connection(ConnectionOptions(kubeconfig=str(cfg)), {}, interactive=False)
    assert time.monotonic() - started < 10


def test_a_plugin_hanging_at_a_token_refresh_mid_session_is_a_reconnect_with_the_reason(tmp_path, quick):
    # The watch thread waited on it forever, the status bar still saying "live".
    hang = tmp_path / "hang"
    plugin = _plugin(tmp_path, (
        f"if os.path.exists({str(hang)!r}):\n"
        "    time.sleep(30)\n"
        + _credential("expired", "2000-01-01T00:00:00Z")  # refreshed at each request
    ))
    server = ScriptedServer(lambda request: pod_list([], 1)).start()
    source = None
    try:
        conn = resolve_connection(ConnectionOptions(kubeconfig=str(_kubeconfig(tmp_path, plugin, server.url))), {})
        source = LiveSource(conn, clock=ManualClock(500.0), events=False, backoff_initial=0.01, backoff_max=0.05)
        hang.touch()
        source.start()
        sink: list = []

        def status(state):
            return lambda items: any(isinstance(i, SourceStatus) and i.state == state for i in items)

        def failed(items):
            return any(isinstance(i, SourceStatus) and i.detail.startswith("cannot refresh") for i in items)

        assert drain_until(source, failed, WAIT, sink), sink
        said = [i for i in sink if isinstance(i, SourceStatus) and i.state in (REFRESHING, RECONNECTING)]
        # Said while it waited (its own state: a wait, not a break), then why it was given up.
        assert (said[0].state, said[0].detail) == (REFRESHING, "get-token")
        assert said[1].state == RECONNECTING and said[1].detail.startswith(
            f'cannot refresh credentials for x: exec plugin "{plugin}" gave no credentials within 1.5s, so podtui stopped it')
        hang.unlink()  # the network is back
        assert drain_until(source, status(LIVE), WAIT, sink), sink
    finally:
        if source is not None:
            source.stop()
        server.stop()


def test_a_slow_token_refresh_mid_session_is_said_on_the_bar_then_live_again(tmp_path, quick, monkeypatch):
    # Up to EXEC_TIMEOUT with no watch open, and the bar still said "live".
    monkeypatch.setattr(kubeconfig, "EXEC_TIMEOUT", 60.0)
    hold = tmp_path / "hold"
    plugin = _plugin(tmp_path, (
        f"while os.path.exists({str(hold)!r}):\n"
        "    time.sleep(0.05)\n"
        + _credential("expired", "2000-01-01T00:00:00Z")  # refreshed at each request
    ))
    first_ends, done = threading.Event(), threading.Event()
    watches = []

    def answer(request):
        if not request.is_watch:
            return pod_list([], 1)
        watches.append(request)
        bookmark = watch_line("BOOKMARK", {"kind": "Pod", "metadata": {"resourceVersion": "2"}})
        return Answer(body=[bookmark, first_ends.wait if len(watches) == 1 else done.wait])

    server = ScriptedServer(answer).start()
    source = None
    try:
        conn = resolve_connection(ConnectionOptions(kubeconfig=str(_kubeconfig(tmp_path, plugin, server.url))), {})
        source = LiveSource(conn, clock=ManualClock(500.0), events=False)
        source.start()
        sink: list = []

        def statuses():
            return [i for i in sink if isinstance(i, SourceStatus)]

        assert drain_until(source, lambda _: any(s.state == LIVE for s in statuses()), WAIT, sink), sink
        live = len(statuses())
        hold.touch()  # the plugin now waits, on a login or the network
        first_ends.set()  # the watch's timeout: the next one needs a fresh token
        assert drain_until(source, lambda _: len(statuses()) > live, WAIT, sink), sink
        assert [(s.state, s.detail) for s in statuses()[live:]] == [(REFRESHING, "get-token")]
        hold.unlink()
        assert drain_until(source, lambda _: len(statuses()) > live + 1, WAIT, sink), sink
        assert statuses()[-1].state == LIVE
    finally:
        done.set()
        if source is not None:
            source.stop()
        server.stop()


def test_a_slow_refresh_is_no_interruption_to_a_headless_recording(tmp_path, quick, monkeypatch):
    # `podtui record` warned "changes meanwhile are missed" and counted it as a break.
    monkeypatch.setattr(kubeconfig, "EXEC_TIMEOUT", 60.0)
    hold = tmp_path / "hold"
    plugin = _plugin(tmp_path, (
        f"while os.path.exists({str(hold)!r}):\n"
        "    time.sleep(0.05)\n"
        + _credential("expired", "2000-01-01T00:00:00Z")
    ))
    conn = resolve_connection(ConnectionOptions(kubeconfig=str(_kubeconfig(tmp_path, plugin))), {})
    hold.touch()
    told: list[str] = []
    said = threading.Event()
    refresh = threading.Thread(target=conn.headers, args=(lambda text: (told.append(text), said.set()),))
    refresh.start()
    assert said.wait(WAIT)
    hold.unlink()
    refresh.join(WAIT)
    assert told == ["get-token"]  # the plugin's name, for the REFRESHING status's detail
    assert not record_command.interrupted(SourceStatus(REFRESHING, 500.0, detail=told[0], resource=PODS))
    assert record_command.interrupted(SourceStatus(RECONNECTING, 500.0, detail="connection refused", resource=PODS))


def test_two_watch_threads_needing_a_fresh_token_run_the_plugin_once(tmp_path, quick, monkeypatch):
    # The second ran it again as soon as the first was done: a slow plugin's wait, and
    # the bar's "refreshing credentials", twice over.
    monkeypatch.setattr(kubeconfig, "EXEC_TIMEOUT", 60.0)
    runs, hold = tmp_path / "runs", tmp_path / "hold"
    plugin = _plugin(tmp_path, (
        f"open({str(runs)!r}, 'a').write('x')\n"
        f"while os.path.exists({str(hold)!r}):\n"
        "    time.sleep(0.05)\n"
        + _credential("expired", "2000-01-01T00:00:00Z")
    ))
    conn = resolve_connection(ConnectionOptions(kubeconfig=str(_kubeconfig(tmp_path, plugin))), {})
    assert runs.read_text() == "x"
    hold.touch()
    pods = threading.Thread(target=conn.headers)
    pods.start()
    deadline = time.monotonic() + WAIT
    while runs.read_text() != "xx" and time.monotonic() < deadline:
        time.sleep(0.01)
    waiting = threading.Event()
    events = threading.Thread(target=conn.headers, args=(lambda _: waiting.set(),))
    events.start()
    assert waiting.wait(WAIT)  # the events thread waits on the pods thread's run
    hold.unlink()
    pods.join(WAIT)
    events.join(WAIT)
    assert runs.read_text() == "xx"


def test_quitting_while_a_refresh_hangs_leaves_no_plugin_running(tmp_path):
    # The watch threads are daemons: podtui quit, and the plugin, in a session of its
    # own, ran on.
    hang, pid_file = tmp_path / "hang", tmp_path / "pid"
    plugin = _plugin(tmp_path, (
        f"if os.path.exists({str(hang)!r}):\n"
        f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(30)\n"
        + _credential("expired", "2000-01-01T00:00:00Z")
    ))
    cfg = _kubeconfig(tmp_path, plugin)
    script = (
        "import os, threading, time\n"
        "from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection\n"
        f"conn = resolve_connection(ConnectionOptions(kubeconfig={str(cfg)!r}), {{}})\n"
        f"open({str(hang)!r}, 'w').close()\n"
        "threading.Thread(target=conn.headers, daemon=True).start()  # a watch thread's refresh\n"
        f"while not os.path.exists({str(pid_file)!r}):\n"
        "    time.sleep(0.05)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=WAIT)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
