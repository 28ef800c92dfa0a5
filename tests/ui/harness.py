"""Feeds the UI in tests: a list of Items (podtui.lifecycle.changes) and a frozen
ManualClock, so every run of a snapshot sees the same pods at the same instant.

The items come from JSON fixtures in tests/ui/fixtures/ (the recording format's lines:
{"t", "resource", "type", "object"} and {"t", "status", ...}); a recording file from
tests/recordings/ can be fed the same way with `items_from_recording`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Item
from podtui.sources.base import Scope, StaticFeed
from podtui.sources.recording import decode_item, read_recording
from podtui.ui.app import PodtuiApp

FIXTURES = Path(__file__).with_name("fixtures")
# A clean environment: no user themes, a truecolor terminal, colours on.
TEST_ENV = {"PODTUI_THEME_DIR": str(FIXTURES / "no-user-themes"), "COLORTERM": "truecolor",
            "TERM": "xterm-256color"}


def load_fixture(name: str = "cluster.json") -> tuple[list[Item], ManualClock, Scope]:
    data = json.loads((FIXTURES / name).read_text())
    items = [decode_item(line) for line in data["items"]]
    scope = Scope(**data.get("scope", {}))
    return items, ManualClock(data["now"]), scope


def items_from_recording(path: str | Path) -> tuple[list[Item], ManualClock, Scope]:
    """The same inputs from a recording file; the clock stops at its last item."""
    from podtui.sources.recording import scope_from_header
    from podtui.lifecycle.changes import item_time

    recording = read_recording(path)
    items = list(recording.items)
    end = item_time(items[-1]) if items else recording.header.started
    return items, ManualClock(end), scope_from_header(recording.header)


def make_app(items: list[Item], clock: ManualClock, scope: Scope | None = None, *,
             theme: str = "podtui-dark", **options) -> PodtuiApp:
    """An app with timers off: tests drain and tick explicitly (see settle)."""
    feed = StaticFeed(items, scope or Scope())
    return PodtuiApp(feed, clock, theme=theme, timers=False, environ=TEST_ENV, **options)


def fixture_app(name: str = "cluster.json", **options) -> PodtuiApp:
    items, clock, scope = load_fixture(name)
    return make_app(items, clock, scope, **options)


async def settle(pilot) -> None:
    """Finish a namespace switch on its way, apply everything the feed holds, move the
    one-second tick, let the screen update."""
    app = pilot.app
    await switched(app)
    app.drain()
    app.tick()
    await pilot.pause()


async def switched(app) -> None:
    """Wait for the namespace switch's connect thread; its result lands on the app's
    loop (call_from_thread), so this must yield to the loop, not join."""
    thread = app._switch_thread
    while thread is not None and thread.is_alive():
        await asyncio.sleep(0.002)
