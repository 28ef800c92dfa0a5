"""`c` on a crash-looping pod: the command reads the crashed instance's logs."""

from __future__ import annotations

import shlex

from tests.ui.harness import fixture_app, settle


async def _copied(uid: str) -> list[str]:
    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.copy_pod_name(uid)
        await pilot.pause()
        return [n.message for n in app._notifications][-1].split("\n")


async def test_a_crash_looping_container_gets_previous_and_the_toast_says_why():
    lines = await _copied("uid-crashy-5c6b9d-kq8zt")  # app: 6 restarts, waiting in back-off
    command = shlex.split(lines[1].removeprefix("logs: "))
    assert command == ["kubectl", "logs", "-n", "shop", "crashy-5c6b9d-kq8zt", "-c", "app", "--previous"]
    assert "--previous" in lines[2] and "crashed" in lines[2]


async def test_a_restarted_container_running_again_reads_its_current_logs():
    lines = await _copied("uid-indexer-0")  # 2 restarts, running now
    assert shlex.split(lines[1].removeprefix("logs: ")) == ["kubectl", "logs", "-n", "batch", "indexer-0"]
    assert len(lines) == 2
