"""Screenshots of the main screen and every detail pane at 80x24 and 160x48.

Fed from the fixture cluster (tests/ui/harness.py) with a frozen clock, and the
Containers and Timeline panes also from the demo recording (the explained restarts
of its crash-looping, liveness-killed and OOMKilled pods); update with
`pytest tests/ui/test_snapshots.py --snapshot-update` and review the SVGs
(a report of differences is written to snapshot_report.html on failure).
"""

from __future__ import annotations

import pytest

from pathlib import Path

from podtui.ui.detail_screen import PANE_KEYS
from tests.ui.harness import fixture_app, items_from_recording, make_app, settle

RECORDING = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"

SIZES = [(80, 24), (160, 48)]

# The pod that gives each pane the most to show.
PANE_PODS = {
    "phase": "uid-db-0-new",
    "conditions": "uid-thumbnailer-7f9c-8vwq2",
    "containers": "uid-web-7d9f8c6b5-x2x7q",
    "backoff": "uid-crashy-5c6b9d-kq8zt",
    "probes": "uid-api-6f7c9b-lp2m4",
    "termination": "uid-checkout-6c8d-2xv8r",
    "timeline": "uid-crashy-5c6b9d-kq8zt",
    "events": "uid-search-5b7d-4rzlm",
    "yaml": "uid-web-7d9f8c6b5-x2x7q",
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.table.select_uid("uid-crashy-5c6b9d-kq8zt")
        await pilot.pause()

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("pane", PANE_KEYS)
def test_detail_pane(snap_compare, pane, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_detail(PANE_PODS[pane], pane=pane)
        await pilot.pause()

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)


def test_main_screen_filtered_in_the_ansi_theme(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"shop")
        await pilot.pause()

    assert snap_compare(fixture_app(theme="podtui-ansi"), terminal_size=(80, 24), run_before=run_before)


def test_help_screen(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(fixture_app(), terminal_size=(100, 48), run_before=run_before)


# (pod in the recording, pane, keys pressed once the pane shows)
RECORDED = [("liveness-fail", "containers", ("x",)), ("oom", "containers", ()), ("crashloop", "timeline", ()),
            # every other pane, from the pod of the demo that gives it the most to show
            ("stuck-finalizer", "phase", ()), ("gated", "conditions", ()), ("with-sidecar", "containers", ()),
            ("crashloop", "backoff", ()), ("readiness-flap", "probes", ()), ("stuck-finalizer", "termination", ()),
            ("bad-image", "events", ()), ("missing-secret", "yaml", ())]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_from_the_demo_recording(snap_compare, size):
    items, clock, scope = items_from_recording(RECORDING)
    assert snap_compare(make_app(items, clock, scope), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("pod", "pane", "keys"), RECORDED, ids=lambda v: v if isinstance(v, str) else "+".join(v) or "as-opened")
def test_recorded_pod_pane(snap_compare, pod, pane, keys, size):
    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        uid = next(u for u, r in app.store.pods.items() if r.name == pod)
        app.open_detail(uid, pane=pane)
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    items, clock, scope = items_from_recording(RECORDING)
    assert snap_compare(make_app(items, clock, scope), terminal_size=size, run_before=run_before)
