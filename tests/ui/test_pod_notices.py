"""A notice about one pod stays with that pod: leaving its screen, or opening another
pod, takes it back (it said "this pod" and named a container of the pod left)."""

from __future__ import annotations

from pathlib import Path

from podtui.ui.detail_screen import DetailScreen
from tests.ui.conftest import notices
from tests.ui.harness import items_from_recording, make_app, settle

RECORDING = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"


def uid_of(app, name: str) -> str:
    return next(uid for uid, r in app.store.pods.items() if r.name == name)


async def test_xs_notice_goes_with_its_pods_screen():
    app = make_app(*items_from_recording(RECORDING))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The demo's graceful-stop has expired from this recording's store: missing-secret's
        # "api has not started" is the same kind of notice.
        app.table.select_uid(uid_of(app, "missing-secret"))
        await pilot.press("x")
        await pilot.pause()
        assert any("api has not started: showing why" in m for m in notices(app))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.pods_screen and not notices(app)
        app.table.select_uid(uid_of(app, "stuck-finalizer"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and not notices(app)


async def test_a_notice_from_the_list_is_taken_back_when_another_pod_opens():
    app = make_app(*items_from_recording(RECORDING))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "with-sidecar"))
        await pilot.press("x")
        await pilot.pause()
        assert notices(app) == ["running and ready; no restarts seen"]
        app.table.select_uid(uid_of(app, "stuck-finalizer"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and not notices(app)


async def test_the_notice_stays_while_its_pod_is_shown():
    app = make_app(*items_from_recording(RECORDING))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "missing-secret"))
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        assert any("api has not started: showing why" in m for m in notices(app))
