"""`c` on a crash-looping pod: the command reads the crashed instance's logs."""

from __future__ import annotations

import shlex

from tests.ui.conftest import notices
from tests.ui.harness import fixture_app, settle


async def _copied(uid: str) -> list[str]:
    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.copy_pod_name(uid)
        await pilot.pause()
        return notices(app)[-1].split("\n")


async def test_a_crash_looping_container_gets_previous_and_the_toast_says_why():
    lines = await _copied("uid-crashy-5c6b9d-kq8zt")  # app: 6 restarts, waiting in back-off
    command = shlex.split(lines[1].removeprefix("logs: "))
    assert command == ["kubectl", "logs", "-n", "shop", "crashy-5c6b9d-kq8zt", "-c", "app", "--previous"]
    assert "--previous" in lines[2] and "crashed" in lines[2]


async def test_a_restarted_container_running_again_reads_its_current_logs():
    lines = await _copied("uid-indexer-0")  # 2 restarts, running now
    assert shlex.split(lines[1].removeprefix("logs: ")) == ["kubectl", "logs", "-n", "batch", "indexer-0"]
    assert len(lines) == 2


def test_previous_only_while_the_crashed_instance_waits_to_be_restarted():
    from podtui.ui.panes.containers import crashed_container

    def pod(state: dict, last: dict | None, restarts: int = 3) -> dict:
        cs = {"name": "app", "restartCount": restarts, "state": state, "lastState": last or {}}
        return {"spec": {"containers": [{"name": "app"}]}, "status": {"containerStatuses": [cs]}}

    crashed = {"terminated": {"exitCode": 1, "reason": "Error"}}
    assert crashed_container(pod({"waiting": {"reason": "CrashLoopBackOff"}}, crashed)) == "app"
    # Just ended (Error before CrashLoopBackOff): plain `kubectl logs` reads that very
    # instance; --previous would read the one before it.
    assert crashed_container(pod(crashed, crashed)) is None
    assert crashed_container(pod({"running": {}}, crashed)) is None  # running again: its own logs
    assert crashed_container(pod({"waiting": {"reason": "CrashLoopBackOff"}}, crashed, restarts=0)) is None
