"""The status bar's pod count and scope say what the table shows: the deleted pods in
brackets are the shown ones, and `:ns` to a namespace podtui has never seen says so."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope
from tests.ui.conftest import notices
from tests.ui.harness import make_app, settle

T0 = 1714557600.0  # 10:00:00 UTC


def _pod(name: str, namespace: str = "shop") -> dict:
    return {"metadata": {"name": name, "namespace": namespace, "uid": f"u-{name}",
                         "creationTimestamp": "2024-05-01T09:00:00Z"},
            "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}


def _items() -> list:
    items: list = [SourceStatus("live", T0, "", "pods")]
    items += [Change("pods", "ADDED", _pod(f"web-{i}"), T0) for i in range(3)]
    items += [Change("pods", "ADDED", _pod(f"gone-{i}"), T0) for i in range(4)]
    items += [Change("pods", "DELETED", _pod(f"gone-{i}"), T0 + 5) for i in range(4)]
    return items


async def test_with_a_filter_the_bracket_counts_the_deleted_pods_shown():
    app = make_app(_items(), ManualClock(T0 + 10), Scope(context="podtui-demo"))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        assert "7 pods (4 deleted)" in app.pods_screen.status_bar.text
        app.pods_screen._apply_filter("gone-1")
        await settle(pilot)
        # Before: "1/7 pods (4 deleted)", with one pod on screen.
        assert "1/7 pods (1 deleted)" in app.pods_screen.status_bar.text
        app.pods_screen._apply_filter("web")
        await settle(pilot)
        assert app.pods_screen.status_bar.text.count("3/7 pods │") == 1  # none of them deleted: no bracket


async def test_ns_to_a_namespace_podtui_has_not_seen_is_watched_and_said_unknown():
    app = make_app(_items(), ManualClock(T0 + 10), Scope(context="podtui-demo"))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        app.pods_screen.run_command("ns nonexist")
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        # Before: "podtui-demo │ nonexist │ ● live │ 0 pods │ 0 ev/s │ ...", as an empty namespace.
        assert "nonexist (unknown namespace)" in text and "ev/s" not in text
        assert "watching it anyway" in notices(app)[-1]
        app.pods_screen.run_command("ns shop")  # a namespace with pods: nothing to say
        await settle(pilot)
        assert "unknown" not in app.pods_screen.status_bar.text
        assert "shop │ ● live │ 7 pods (4 deleted) │ 1 ev/s" in app.pods_screen.status_bar.text


async def test_ns_from_a_session_scoped_to_one_namespace_does_not_call_the_others_unknown():
    # Scoped with -n, podtui has seen no other namespace's pods: it can't tell a typo from
    # a namespace it never watched (the cluster was not asked), so it says nothing.
    app = make_app(_items(), ManualClock(T0 + 10), Scope(context="podtui-demo", namespace="shop"))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        app.pods_screen.run_command("ns demo")
        await settle(pilot)
        assert not any("watching it anyway" in m for m in notices(app))
        assert "unknown" not in app.pods_screen.status_bar.text
