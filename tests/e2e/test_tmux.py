"""podtui as a person sees it: in a real terminal (tmux), through the console script."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
PODTUI = str(Path(sys.executable).with_name("podtui"))


class Terminal:
    def __init__(self, command: str, width: int, height: int) -> None:
        self.name = f"podtui-test-{uuid.uuid4().hex[:8]}"
        # The trailing sleep keeps the pane (and the exit status) readable after podtui ends.
        # A tmux server hands new panes the environment of whoever started it: COLUMNS and
        # LINES from there would override the pane's real size.
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        f"unset COLUMNS LINES; {command}; echo EXIT=$?; sleep 60"], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-t", self.name, "-p"], capture_output=True,
                              text=True).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def wait_for_match(self, pattern: str, timeout: float = 30.0) -> re.Match:
        """The first match of `pattern` on the screen (^ and $ at each line), once there is one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.screen(), re.MULTILINE)
            if m:
                return m
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never matched; the screen was:\n{self.screen()}")

    def press(self, *keys: str) -> None:
        for key in keys:  # one at a time: "Escape q" sent together reads as alt+q
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.3)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal():
    opened = []

    def open_terminal(command: str, width: int = 80, height: int = 24) -> Terminal:
        t = Terminal(command, width, height)
        opened.append(t)
        return t

    yield open_terminal
    for t in opened:
        t.close()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_podtui_demo_shows_live_pods_explains_one_and_quits(terminal, size):
    t = terminal(f"{PODTUI} demo --seed 1 --speed 4", *size)
    screen = t.wait_for("crashloop")
    assert "live" in screen and "NAME" in screen and "STATUS" in screen
    t.wait_for("CrashLoopBackOff", timeout=60)  # kubectl's STATUS, whole even at 80 columns
    # The crash loop's back-off countdown on its row: "restart in 84s", or at 80 columns
    # NEXT's short wording "restart 84s" (3160be8); "restart in ~10s" right after a crash.
    t.wait_for_match(r"^\S+ +crashloop .*\brestart (in )?~?\d+[smh]", timeout=60)
    t.press("/")
    t.press("c", "r", "a", "s", "h", "l", "o", "o", "p", "Enter")
    t.press("Enter")
    screen = t.wait_for("Phase")
    assert "demo/crashloop" in screen
    t.press("4")  # the back-off pane
    t.wait_for("ladder")
    t.press("Escape")
    t.press("q")
    t.wait_for("EXIT=0")


def test_a_broken_kubeconfig_is_one_line_and_no_screen(terminal, tmp_path):
    t = terminal(f"{PODTUI} --kubeconfig {tmp_path}/missing", width=250)
    screen = t.wait_for("EXIT=1")
    assert f"podtui: kubeconfig {tmp_path}/missing not found" in screen
    assert "Traceback" not in screen


def test_a_dumb_terminal_gets_one_line_and_no_screen(terminal):
    # Textual drew its full screen under TERM=dumb (inside tmux it even showed); on
    # Emacs's M-x shell it was escape codes waiting for keys.
    t = terminal(f"TERM=dumb {PODTUI} demo", width=250)
    screen = t.wait_for("EXIT=2")
    assert "podtui: TERM=dumb cannot show podtui's screen: it has no cursor addressing (" in screen
    assert "NAME" not in screen and "Traceback" not in screen


def test_a_token_expiring_mid_session_says_log_in_again_and_recovers_after_login(terminal, tmp_path):
    # The live path end to end at 80x24: podtui's API server in this process, podtui in
    # a terminal, the token rotated under it (it expired), then the user logs in again.
    from podtui.apiserver.server import APIServer
    from podtui.apiserver.storage import Storage
    from podtui.clock import SystemClock

    storage = Storage(SystemClock())
    storage.create("pods", {"metadata": {"name": "web-1", "namespace": "shop"},
                            "spec": {"containers": [{"name": "app", "image": "nginx"}]}, "status": {"phase": "Running"}})
    server = APIServer(storage, token="before", bookmark_interval=1.0).start()
    try:
        config = tmp_path / "kubeconfig"
        server.write_kubeconfig(config)
        t = terminal(f"{PODTUI} --kubeconfig {config} -A")
        t.wait_for("web-1")
        t.wait_for("● live")
        server.faults.rotate_token("after")
        server.faults.cut_watches()
        screen = t.wait_for("401 Unauthorized: log in")
        assert "web-1" in screen and "failed" not in screen  # the pods stay, and so does the watch
        server.write_kubeconfig(config, token="after")  # logged in again
        t.wait_for("● live", timeout=60)
        t.press("q")
        t.wait_for("EXIT=0")
    finally:
        server.stop()


def test_podtui_replay_says_where_it_is_and_plays_again_from_the_end(terminal):
    recording = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"
    t = terminal(f"{PODTUI} replay {recording} --paused --at 14m", 80, 24)
    t.wait_for("⏸ replay 10:14:00 14:00/14:51")
    t.press("}")  # past the end: clamped to it
    t.wait_for("■ replay 10:14:51 14:51/14:51 end")
    t.press("Space")  # at the end: again from the start
    t.wait_for("▶ replay 10:00:0")
    t.press("q")
    t.wait_for("EXIT=0")
