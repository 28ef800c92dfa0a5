"""When more pods are deleted within the tombstone time than the store keeps (faed7f2:
Store.tombstone_limit), the oldest deleted pods leave the list early: the screen says so
once, not silently (the README's "kept 5 minutes" did not hold)."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from tests.ui.conftest import notices
from tests.ui.harness import make_app, settle

T0 = 1_714_557_600.0


def _pod(i: int) -> dict:
    return {"metadata": {"name": f"job-{i}", "namespace": "batch", "uid": f"u{i}",
                        "creationTimestamp": "2024-05-01T09:00:00Z"},
            "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Succeeded"}}


def _items(deleted: int) -> list:
    items: list = [SourceStatus("live", T0)]
    items += [Change("pods", "ADDED", _pod(i), T0) for i in range(5)]
    items += [Change("pods", "DELETED", _pod(i), T0 + 1 + i) for i in range(deleted)]
    return items


def _said(app) -> list[str]:
    return [m for m in notices(app) if "leave the list before" in m]


async def test_deleted_pods_leaving_early_is_said_once():
    app = make_app(_items(4), ManualClock(T0 + 10), store_options={"tombstone_limit": 2})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.pause()
        assert app.store.tombstones_dropped == 2
        assert _said(app) == ["more than 2 pods were deleted within 5m: the oldest deleted pods "
                              "leave the list before their 5m are up"], notices(app)
        await settle(pilot)
        await pilot.pause()
        assert len(_said(app)) == 1


async def test_within_the_limit_nothing_is_said():
    app = make_app(_items(2), ManualClock(T0 + 10), store_options={"tombstone_limit": 2})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.pause()
        assert app.store.tombstones_dropped == 0 and _said(app) == []


async def test_a_new_store_does_not_say_it_again():
    """A replay's seek (or a namespace switch) builds a new store: the toast came again
    at every seek in a churning recording."""
    app = make_app(_items(4), ManualClock(T0 + 10), store_options={"tombstone_limit": 2})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.pause()
        assert len(_said(app)) == 1
        app.take_back_notice(app._notices.pop("dropped"))
        store = app._new_store()
        store.apply_batch(_items(4))
        app._reset_store(store)
        app._say_tombstones_dropped()
        await pilot.pause()
        assert store.tombstones_dropped == 2 and _said(app) == []
