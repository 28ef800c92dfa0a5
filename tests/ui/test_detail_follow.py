"""The detail view's p and P: from a pod to the one that took its place and back, under
its name (a StatefulSet's pod) or its controller's (a Deployment's or Job's new name)."""

from __future__ import annotations

import copy

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.lifecycle.times import format_ts
from podtui.sources.base import Scope
from podtui.ui.help_screen import HelpScreen
from tests.ui.conftest import notices
from tests.ui.harness import make_app, settle

T0 = 1714557600.0  # 2024-05-01T10:00:00Z


def pod(name: str, created: float, owner: str = "web-7d9f", kind: str = "ReplicaSet",
        template_hash: str | None = "7d9f", ns: str = "shop") -> dict:
    labels = {"app": name.split("-")[0]}
    if template_hash:
        labels["pod-template-hash"] = template_hash
    return {"metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}", "labels": labels,
                         "creationTimestamp": format_ts(created),
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": owner,
                                              "uid": f"uid-{owner}", "controller": True}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "img"}]},
            "status": {"phase": "Running"}}


def evicted(obj: dict, requested: float, grace: int = 15) -> dict:
    obj = copy.deepcopy(obj)
    obj["metadata"]["deletionTimestamp"] = format_ts(requested + grace)
    obj["metadata"]["deletionGracePeriodSeconds"] = grace
    return obj


def rollout_app(newest_f: bool = True):
    """web's old ReplicaSet (a, b) rolled to a new one (c, d) at 45s; c evicted at 100s and
    e made in its place; f made later (unless not newest_f)."""
    old_a, old_b = pod("web-5c4d-a", T0, "web-5c4d", template_hash="5c4d"), pod("web-5c4d-b", T0 + 1, "web-5c4d",
                                                                               template_hash="5c4d")
    c, d = pod("web-7d9f-c", T0 + 45), pod("web-7d9f-d", T0 + 52)
    items = [SourceStatus("live", T0)]
    items += [Change("pods", "ADDED", p, T0 + 2) for p in (old_a, old_b)]
    items += [Change("pods", "ADDED", c, T0 + 45), Change("pods", "DELETED", old_a, T0 + 51),
              Change("pods", "ADDED", d, T0 + 52), Change("pods", "DELETED", old_b, T0 + 58),
              Change("pods", "MODIFIED", evicted(c, T0 + 100), T0 + 100),
              Change("pods", "ADDED", pod("web-7d9f-e", T0 + 100), T0 + 100.5)]
    if newest_f:
        items.append(Change("pods", "ADDED", pod("web-7d9f-f", T0 + 110), T0 + 110))
    return make_app(items, ManualClock(T0 + 112), Scope(context="test"))


def title(app) -> str:
    return str(app.screen._title.render()).rstrip()


def notice(app) -> str:
    return notices(app)[-1]


async def test_p_goes_from_an_evicted_pod_to_its_replacement_and_P_back():
    app = rollout_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-c")
        await pilot.pause()
        # Not d, made next after c in the rollout: e, made when c was evicted.
        assert "(p: replaced by web-7d9f-e, same Deployment)" in title(app)
        await pilot.press("p")
        assert app.screen.uid == "uid-web-7d9f-e"
        assert title(app).startswith("shop/web-7d9f-e") and "(p: newer web-7d9f-f, same Deployment)" in title(app)
        # P undoes p: back to c, not to d (made before e).
        await pilot.press("P")
        assert app.screen.uid == "uid-web-7d9f-c"
        # Across the rollout: the old ReplicaSet's pods are the same Deployment's.
        await pilot.press("P")
        assert app.screen.uid == "uid-web-5c4d-b"
        await pilot.press("P", "P")
        assert app.screen.uid == "uid-web-5c4d-a" and notice(app) == (
            "no earlier pod named web-5c4d-a or made by its Deployment web seen")
        app.open_detail("uid-web-7d9f-f")
        await pilot.pause()
        # The newest: p has nowhere to go (it used to go back, and p p bounced between two).
        assert "(p:" not in title(app)
        await pilot.press("p")
        assert app.screen.uid == "uid-web-7d9f-f" and notice(app) == (
            "web-7d9f-f is the newest pod of its Deployment web podtui has seen: P goes to the one before")
        await pilot.press("P")
        assert app.screen.uid == "uid-web-7d9f-e"


async def test_the_title_names_P_when_p_has_nowhere_to_go_but_the_pod_replaced_one():
    # e replaced the evicted c and is the newest: p goes nowhere (since 535d9dd, it went
    # back before), P back to c, and the title says so.
    app = rollout_app(newest_f=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-e")
        await pilot.pause()
        assert "(P: the pod it replaced)" in title(app) and "(p:" not in title(app)
        await pilot.press("P")
        assert app.screen.uid == "uid-web-7d9f-c"
        # Where p goes somewhere, the word is p's alone.
        assert "(p: replaced by web-7d9f-e, same Deployment)" in title(app) and "(P:" not in title(app)


async def test_the_title_asks_the_store_only_when_the_pod_or_its_family_changed():
    app = rollout_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-f")
        await pilot.pause()
        store = app.store
        calls = []
        siblings = store.siblings
        store.siblings = lambda uid, held=None: calls.append(uid) or siblings(uid, held)
        for _ in range(3):
            app.clock.advance(1)
            app.tick()
        assert calls == [] and "(p:" not in title(app)
        app.feed._queue.put(Change("pods", "ADDED", pod("web-7d9f-g", T0 + 116), T0 + 116))
        await settle(pilot)
        assert calls == ["uid-web-7d9f-f"] and "(p: newer web-7d9f-g, same Deployment)" in title(app)


async def test_a_statefulsets_pod_follows_its_name_before_its_siblings():
    # db-1 was made between old db-0 and new db-0: p on the old db-0 goes to its name.
    old = pod("db-0", T0, "db", "StatefulSet", None)
    old_uid = "uid-db-0-old"
    old["metadata"]["uid"] = old_uid
    items = [SourceStatus("live", T0), Change("pods", "ADDED", old, T0 + 1),
             Change("pods", "ADDED", pod("db-1", T0 + 10, "db", "StatefulSet", None), T0 + 10),
             Change("pods", "DELETED", evicted(old, T0 + 20, 0), T0 + 21),
             Change("pods", "ADDED", pod("db-0", T0 + 22, "db", "StatefulSet", None), T0 + 22)]
    app = make_app(items, ManualClock(T0 + 30), Scope(context="test"))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.open_detail(old_uid)
        await pilot.pause()
        assert "replaced (p: show the new pod)" in title(app)
        await pilot.press("p")
        assert app.screen.uid == "uid-db-0"
        await pilot.press("P")
        assert app.screen.uid == old_uid
        app.open_detail("uid-db-1")
        await pilot.pause()
        assert "(p: newer db-0, same StatefulSet)" in title(app)


async def test_a_narrow_title_shortens_the_hint_before_the_edge_cuts_it():
    app = rollout_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-c")
        await pilot.pause()
        text = title(app)
        assert len(text) <= 78 and text.endswith("Terminating  (p: replaced by web-7d9f-e)  next: SIGKILL in 3s")
        await pilot.resize_terminal(50, 24)
        await pilot.pause()
        app.screen.refresh_panes()
        # No room for a word of the next step: left out, not cut to "next: SIGK".
        assert title(app) == "shop/web-7d9f-c  Terminating  (p: replacement)"


async def test_help_says_what_p_and_shift_p_follow():
    app = rollout_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-c")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(app.screen.help_text.render()).split())
        assert "p The pod that replaced it (same name or controller)" in text
        assert "P The pod it replaced (same name or controller)" in text


async def test_P_right_after_p_goes_back_where_p_came_from():
    # d is running: p goes to the next pod by creation, e, which replaced c. P on e alone
    # goes to c (what e replaced); right after p from d it goes back to d.
    app = rollout_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-d")
        await pilot.pause()
        await pilot.press("p")
        assert app.screen.uid == "uid-web-7d9f-e"
        await pilot.press("P")
        assert app.screen.uid == "uid-web-7d9f-d"
        app.open_detail("uid-web-7d9f-e")
        await pilot.pause()
        await pilot.press("P")
        assert app.screen.uid == "uid-web-7d9f-c"


async def test_p_still_follows_once_the_open_pod_expired_from_the_store():
    # c deleted at 100s, e made in its place. The detail view keeps c's last object once
    # the store forgets it (the tombstone's 5 minutes): its name and owner say where p goes.
    c = pod("web-7d9f-c", T0 + 45)
    items = [SourceStatus("live", T0), Change("pods", "ADDED", pod("web-7d9f-a", T0), T0 + 1),
             Change("pods", "ADDED", c, T0 + 45), Change("pods", "DELETED", evicted(c, T0 + 100, 0), T0 + 100),
             Change("pods", "ADDED", pod("web-7d9f-e", T0 + 100), T0 + 100.5)]
    app = make_app(items, ManualClock(T0 + 112), Scope(context="test"))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f-c")
        await pilot.pause()
        assert "(p: replaced by web-7d9f-e, same Deployment)" in title(app)
        app.clock.advance(300)
        await settle(pilot)
        assert "uid-web-7d9f-c" not in app.store.pods
        assert "(expired from podtui's memory)" in title(app)
        assert "(p: replaced by web-7d9f-e, same Deployment)" in title(app)
        await pilot.press("p")
        assert app.screen.uid == "uid-web-7d9f-e"
        # P undoes p: back to the record kept of c, though the store has let c go.
        await pilot.press("P")
        assert app.screen.uid == "uid-web-7d9f-c" and "(expired from podtui's memory)" in title(app)
