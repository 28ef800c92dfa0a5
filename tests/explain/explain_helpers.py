"""Helpers for the explain tests: fold a demo recording into a Store, and play a
hand-made fixture (a pod, then status/metadata/event steps) into one."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, DELETED, EVENTS, MODIFIED, PODS, Change
from podtui.lifecycle.store import Store
from podtui.sources.recording import read_recording

TESTS = Path(__file__).resolve().parent.parent
RECORDINGS = TESTS / "recordings"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT = RECORDINGS / "demo-default.jsonl.gz"
EXTRA = RECORDINGS / "demo-extra.jsonl.gz"
EPOCH = 1_714_557_600.0  # 2024-05-01T10:00:00Z, where the recordings and fixtures start


def fold(path: Path, *, until: float | None = None, drop_events: bool = False) -> tuple[Store, float]:
    """The Store after a recording (up to `until` seconds after EPOCH), and its "now"."""
    rec = read_recording(path)
    items = [i for i in rec.items if isinstance(i, Change)]
    if until is not None:
        items = [i for i in items if i.observed <= EPOCH + until]
    if drop_events:
        items = [i for i in items if i.resource != EVENTS]
    now = max(i.observed for i in items)
    store = Store(ManualClock(now), history_limit=100_000, events_per_pod=100_000)
    store.apply_batch(items)
    return store, now


def pod(store: Store, name: str, namespace: str = "demo"):
    rec = store.by_name(namespace, name)
    assert rec is not None, f"{namespace}/{name} not in the recording"
    return rec


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def fixture_changes(fx: dict) -> list[Change]:
    """ADDED for the pod, then one Change per step: `status` replaces the status,
    `metadata` is merged into it, `event` is an Event, `deleted` removes the pod."""
    obj = copy.deepcopy(fx["pod"])
    changes = [Change(PODS, ADDED, copy.deepcopy(obj), EPOCH + fx.get("t0", 0.0))]
    for step in fx["steps"]:
        at = EPOCH + step["t"]
        if "event" in step:
            changes.append(Change(EVENTS, step.get("type", ADDED), step["event"], at))
            continue
        if "status" in step:
            obj["status"] = step["status"]
        if "metadata" in step:
            obj["metadata"] = {**obj["metadata"], **step["metadata"]}
        kind = DELETED if step.get("deleted") else MODIFIED
        changes.append(Change(PODS, kind, copy.deepcopy(obj), at))
    return changes


def play(fx: dict, *, drop_events: bool = False):
    """(the pod's record, now) after the fixture's steps."""
    changes = fixture_changes(fx)
    if drop_events:
        changes = [c for c in changes if c.resource != EVENTS]
    now = EPOCH + fx["now"]
    store = Store(ManualClock(now))
    store.apply_batch(changes)
    meta = fx["pod"]["metadata"]
    rec = store.by_name(meta["namespace"], meta["name"])
    assert rec is not None
    return rec, now
