"""The namespace picker offers the cluster's namespaces whenever the feed can list them,
as k9s does: under -A too (the store knows only namespaces with pods) and with --record
(no live switch: picking filters the view). A denied list keeps what was seen."""

from __future__ import annotations

import threading

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope, StaticFeed
from tests.ui.conftest import notices
from tests.ui.harness import make_app, settle
from tests.ui.test_pilot import pod, visible_names

T0 = 1714557600.0


class ListingFeed(StaticFeed):
    """A feed whose cluster lists namespaces (LiveSource.namespace_names), or refuses."""

    def __init__(self, items, scope, names=None, failure=None):
        super().__init__(items, scope)
        self.names, self.failure, self.asked = names, failure, threading.Event()

    def namespace_names(self):
        self.asked.set()
        if self.failure is not None:
            raise self.failure
        return self.names


def all_namespaces_app(**feed_options):
    app = make_app([], ManualClock(T0))  # no namespaces_switch: as with --record
    app.feed = ListingFeed([SourceStatus("live", T0), Change("pods", "ADDED", pod("api", "shop"), T0),
                            Change("pods", "ADDED", pod("job", "batch"), T0)], Scope(context="test"),
                           **feed_options)
    return app


def offered(picker) -> list[str | None]:
    options = picker.query_one("#ns-options")
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def until(pilot, condition) -> None:
    for _ in range(300):
        if condition():
            return
        await pilot.pause(0.01)


async def test_under_all_namespaces_the_picker_offers_namespaces_without_pods():
    app = all_namespaces_app(names=["batch", "default", "kube-system", "shop"])
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        picker = app.screen
        await until(pilot, lambda: "kube-system" in offered(picker))
        assert offered(picker)[1:] == ["batch", "default", "kube-system", "shop"]
        await pilot.press(*"kube-s", "enter")
        await settle(pilot)
        # No live switch (--record): the view is filtered; an empty namespace is a valid
        # pick, said as such, without the "not in the cluster's list" warning.
        assert app.view_namespace == "kube-system" and visible_names(app) == []
        assert app.table.render_line(1).text.strip() == "No resources found in kube-system namespace."
        assert not [m for m in notices(app) if "kube-system" in m]


async def test_a_denied_namespace_list_keeps_the_namespaces_seen():
    app = all_namespaces_app(failure=RuntimeError("403 forbidden"))
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        picker = app.screen
        await until(pilot, app.feed.asked.is_set)
        await settle(pilot)
        assert app.feed.asked.is_set() and offered(picker)[1:] == ["batch", "shop"]


async def test_ns_to_a_namespace_without_pods_asks_the_cluster_before_calling_it_unknown():
    # `:ns kube-system` under -A said "(unknown namespace)" and "podtui has seen no pod
    # in it": true, but kube-system is no typo.
    app = all_namespaces_app(names=["batch", "default", "kube-system", "shop"])
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press(":", *"ns kube-system", "enter")
        await until(pilot, lambda: "kube-system" in app._cluster_namespaces)
        await settle(pilot)
        assert app.view_namespace == "kube-system"
        assert "unknown namespace" not in app.pods_screen.status_bar.text
        assert not [m for m in notices(app) if "kube-system" in m]
        await pilot.press(":", *"ns nosuch", "enter")  # the list known now: said at once
        await settle(pilot)
        assert "unknown namespace" in app.pods_screen.status_bar.text
        assert [m for m in notices(app) if "nosuch" in m] == [
            "namespace nosuch: not in the cluster's namespace list; watching it anyway (RBAC may hide namespaces)"]


async def test_ns_to_an_unlisted_namespace_is_said_once_the_cluster_answered():
    app = all_namespaces_app(names=["batch", "shop"])
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        await pilot.press(":", *"ns nosuch", "enter")
        await until(pilot, lambda: "unknown namespace" in app.pods_screen.status_bar.text)
        await settle(pilot)  # the notice, posted as the bar was updated
        assert [m for m in notices(app) if "nosuch" in m] == [
            "namespace nosuch: not in the cluster's namespace list; watching it anyway (RBAC may hide namespaces)"]
