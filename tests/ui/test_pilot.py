"""The app driven as a user would: keys, filter, sort, namespaces, detail panes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from podtui.clock import ManualClock
from podtui.errors import PodtuiError
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope, StaticFeed
from podtui.ui.detail_screen import PANE_KEYS, DetailScreen
from podtui.ui.help_screen import HelpBody, HelpScreen
from podtui.ui.namespace_screen import NamespaceScreen
from podtui.ui.pod_index import table_status
from podtui.ui.app import PodtuiApp
from tests.ui.conftest import notices
from tests.ui.harness import TEST_ENV, fixture_app, load_fixture, make_app, settle, switched

RECORDING = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"

def visible_names(app) -> list[str]:
    table = app.table
    return [table.records[uid].name for uid in table.index.uids(0, len(table.index))]


def row_text(app, position: int) -> str:
    """What the table draws for a row, as plain text."""
    return app.table.render_line(position + 1 - int(app.table.scroll_y)).text


def pod(name: str, ns: str = "default", uid: str | None = None, phase: str = "Running", **status) -> dict:
    return {"metadata": {"name": name, "namespace": ns, "uid": uid or f"uid-{ns}-{name}",
                         "creationTimestamp": "2024-05-01T09:00:00Z", "labels": {"app": name.split("-")[0]}},
            "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "img"}]},
            "status": {"phase": phase, **status}}


def many_pods_app(n: int = 100, namespaces: tuple[str, ...] = ("default",), **options):
    t0 = 1714557600.0
    items = [SourceStatus("live", t0)]
    for i in range(n):
        items.append(Change("pods", "ADDED", pod(f"pod-{i:03d}", namespaces[i % len(namespaces)]), t0))
    return make_app(items, ManualClock(t0), Scope(context="test"), **options)


async def test_main_screen_lists_every_fixture_pod_with_kubectl_columns():
    app = fixture_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        names = visible_names(app)
        assert len(names) == 18  # 17 pods, one name (db-0) twice: the new pod and the old one's tombstone
        assert names.count("db-0") == 2
        header = app.table.render_line(0).text
        for title in ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NEXT", "IP", "NODE",
                      "NOMINATED NODE", "READINESS GATES"):
            assert title in header
        crashy = row_text(app, names.index("crashy-5c6b9d-kq8zt"))
        assert "CrashLoopBackOff" in crashy and "6 (65s ago)" in crashy and "restart in" in crashy
        assert "SIGKILL in 18s" in row_text(app, names.index("checkout-6c8d-2xv8r"))
        assert "liveness 2/3" in row_text(app, names.index("api-6f7c9b-lp2m4"))
        assert "0/1" in row_text(app, names.index("edge-gw-5d9c-qq4hd"))  # READINESS GATES
        status = app.pods_screen.status_bar.text
        assert "fixture" in status and "live" in status and "18 pods" in status


async def test_narrow_terminal_drops_wide_columns_and_w_brings_them_back():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "NODE" not in app.table.render_line(0).text
        without_w = [row_text(app, i) for i in range(len(app.table.index))]
        await pilot.press("w")
        # Too narrow for them all: readable widths, the rest scrolled to sideways (was
        # every column cut to its minimum: AGE "10…", IP "1…").
        header = app.table.render_line(0).text
        assert len(header) == 79 and header.endswith("→") and "AGE" in header and "NEXT" in header
        rows = [row_text(app, i) for i in range(len(app.table.index))]
        # The columns on screen as without `w`, NEXT's countdown in its compact wording
        # (was STATUS in 22 cells and NEXT past the right edge).
        assert all(len(r) == 79 for r in rows) and rows == without_w and any("restart 3m55s" in r for r in rows)
        await pilot.press("l", "l", "right", "right", "right", "right", "right", "right", "right", "right")
        header = app.table.render_line(0).text
        # NAMESPACE and NAME stay on the left (test_sideways_name.py)
        assert header.startswith("NS") and "←" in header and "NODE" in header and "READINESS GATES" in header
        assert any("node-" in row_text(app, i) for i in range(len(app.table.index)))
        await pilot.press("h", "left", "left", "left", "left", "left", "left", "left", "left", "left")
        assert app.table.render_line(0).text.startswith("NS")
        await pilot.press("w")
        assert "NODE" not in app.table.render_line(0).text
        assert not app.table.render_line(0).text.endswith("→")


async def test_cursor_keys_k9s_style():
    app = many_pods_app(100)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.table
        assert table.cursor == 0
        await pilot.press("j", "j", "down")
        assert table.cursor == 3 and table.records[table.cursor_uid].name == "pod-003"
        await pilot.press("k")
        assert table.cursor == 2
        await pilot.press("G")
        assert table.cursor == 99
        assert table.scroll_y > 0  # the view followed the cursor
        assert "pod-099" in row_text(app, 99)
        await pilot.press("g")
        assert table.cursor == 0 and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor > 10
        await pilot.press("ctrl+b")
        assert table.cursor == 0


async def test_filter_is_incremental_and_escape_clears_it():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.pods_screen.filter_input
        await pilot.press("c", "r")
        assert visible_names(app) == ["crashy-5c6b9d-kq8zt"]  # "cr" only: name matches as you type
        await pilot.press("backspace")
        assert set(visible_names(app)) > {"crashy-5c6b9d-kq8zt", "cart-84d5f-7wq9n"}
        await pilot.press("backspace", *"Terminating")
        assert visible_names(app) == ["checkout-6c8d-2xv8r"]  # status matches too
        assert "/Terminating" in app.pods_screen.status_bar.text and "1/18 pods" in app.pods_screen.status_bar.text
        await pilot.press("enter")
        assert app.focused is app.table  # filter kept, focus back on the table
        assert len(visible_names(app)) == 1
        await pilot.press("escape")
        assert len(visible_names(app)) == 18


async def test_a_half_typed_selector_keeps_the_list_and_says_nothing_until_enter():
    # Before: 14 of 37 keystrokes of "-l app.kubernetes.io/name in (web,db)" were a bad
    # selector: each showed every pod and stacked a 3 s warning.
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"-l app in (we")
        await pilot.pause()
        applied = app.table.index.filter
        assert not notices(app) and not applied.error  # the last whole selector is what shows
        assert applied.text != "-l app in (we" and len(visible_names(app)) < 18  # not every pod
        await pilot.press("enter")  # said now, as it stands
        await pilot.pause()
        assert any("-l 'app in (we' not applied" in m for m in notices(app)), notices(app)  # a54c8a6's words


async def test_a_filter_that_hides_the_selected_pod_selects_the_first_match():
    # Before: the cursor kept its row number, so on row 50 of 100 "/pod-00⏎⏎" opened
    # the last of the ten matches, not the first.
    app = many_pods_app(100)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.move_cursor(50)
        await pilot.press("slash", *"pod-00", "enter")
        assert app.table.records[app.table.cursor_uid].name == "pod-000"
        await pilot.press("escape", "j", "j")  # a match still shown stays selected
        await pilot.press("slash", *"pod-00", "enter")
        assert app.table.records[app.table.cursor_uid].name == "pod-002"


async def test_filter_by_label_selector_inverse_and_namespace():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.pods_screen
        screen.filter_input.value = "-l tier=frontend"
        await pilot.pause()
        assert visible_names(app) == ["web-7d9f8c6b5-x2x7q"]
        screen.filter_input.value = "!shop"
        await pilot.pause()
        names = visible_names(app)
        assert names and all(app.table.records[u].namespace == "batch" for u in app.table.index.uids(0, 99))
        screen.filter_input.value = "node-1 batch"  # every word must match somewhere
        await pilot.pause()
        assert "gpu-trainer-0" not in visible_names(app)  # unscheduled: no node
        assert "indexer-0" in visible_names(app)


async def test_sort_keys_and_direction_flip():
    app = fixture_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")  # restarts, largest first
        names = visible_names(app)
        assert names[0] == "crashy-5c6b9d-kq8zt" and names[1] == "indexer-0"
        assert "RESTARTS↓" in app.table.render_line(0).text
        await pilot.press("T")
        assert visible_names(app)[-1] == "crashy-5c6b9d-kq8zt"
        await pilot.press("A")  # age, youngest first
        names = visible_names(app)
        assert names[0] == "odd-pod" or names[0] == "db-0"
        ages = [app.table.records[u].row.created for u in app.table.index.uids(0, 99)]
        known = [a for a in ages if a is not None]
        assert known == sorted(known, reverse=True)
        await pilot.press("S")
        statuses = [table_status(app.table.records[u]) for u in app.table.index.uids(0, 99)]
        assert statuses == sorted(statuses) and "Deleted" in statuses  # a tombstone sorts as it reads
        await pilot.press("X")  # next step: soonest due first
        now = app.clock.time()
        steps = [app.next_step(app.table.records[u], now) for u in app.table.index.uids(0, 99)]
        due = [s.due_at for s in steps if s is not None and s.due_at is not None]
        assert len(due) >= 4 and due == sorted(due)
        assert visible_names(app)[:2] == ["api-6f7c9b-lp2m4", "checkout-6c8d-2xv8r"]  # liveness in 5s, SIGKILL in 18s


async def test_selection_follows_the_pod_when_the_order_changes():
    t0 = 1714557600.0
    items = [Change("pods", "ADDED", pod(f"p{i}"), t0) for i in range(5)]
    feed = StaticFeed(items)
    app = make_app([], ManualClock(t0))
    app.feed = feed
    async with app.run_test(size=(80, 24)) as pilot:
        feed.start()
        await settle(pilot)
        await pilot.press("S")  # by status: all Running, ties by namespace/name
        await pilot.press("j", "j")
        assert app.table.records[app.table.cursor_uid].name == "p2"
        changed = pod("p2", phase="Pending")
        feed._queue.put(Change("pods", "MODIFIED", changed, t0 + 1))
        await settle(pilot)
        assert app.table.records[app.table.cursor_uid].name == "p2"  # still selected
        assert app.table.cursor == 0  # Pending sorts before Running


async def test_namespace_switch_filters_the_view_without_a_switch_callback():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, NamespaceScreen)
        await pilot.press(*"bat", "enter")
        assert not isinstance(app.screen, NamespaceScreen)
        assert app.view_namespace == "batch"
        assert {app.table.records[u].namespace for u in app.table.index.uids(0, 99)} == {"batch"}
        assert "NAMESPACE" not in app.table.render_line(0).text  # one namespace: no column
        assert "batch" in app.pods_screen.status_bar.text
        await pilot.press("0")
        assert app.view_namespace is None and len(visible_names(app)) == 18
        assert "NAMESPACE" in app.table.render_line(0).text


async def test_namespace_switch_asks_for_a_new_feed_when_it_can():
    t0 = 1714557600.0
    feeds = []

    def switch(namespace):
        if namespace == "forbidden":
            raise PodtuiError('pods is forbidden in namespace "forbidden"')
        items = [SourceStatus("live", t0), Change("pods", "ADDED", pod("only-here", namespace or "x"), t0)]
        feed = StaticFeed(items, Scope(context="test", namespace=namespace))
        feeds.append(feed)
        return feed

    first = StaticFeed([Change("pods", "ADDED", pod("a"), t0), Change("pods", "ADDED", pod("b"), t0)],
                       Scope(context="test", namespace="default"))
    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    app.feed = first
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert sorted(visible_names(app)) == ["a", "b"]
        app.switch_namespace("team-a")
        await settle(pilot)
        assert len(feeds) == 1 and app.feed is feeds[0]
        assert visible_names(app) == ["only-here"]  # a fresh store: the old pods are gone
        assert "team-a" in app.pods_screen.status_bar.text
        app.switch_namespace("forbidden")
        await settle(pilot)
        assert app.feed is feeds[0] and visible_names(app) == ["only-here"]  # kept watching


async def test_a_slow_namespace_switch_keeps_the_screen_live_and_the_last_choice_wins():
    # Connecting runs the kubeconfig's credential plugin, a list and a watch: seconds on
    # a slow link. The UI thread must not wait for it, and a choice overtaken by a
    # later one must not land.
    import threading

    t0 = 1714557600.0
    release = {ns: threading.Event() for ns in ("slow", "quick")}
    stopped = []

    class Feed(StaticFeed):
        def stop(self):
            stopped.append(self.scope.namespace)
            super().stop()

    def switch(namespace):
        release[namespace].wait(10)
        return Feed([SourceStatus("live", t0), Change("pods", "ADDED", pod(f"in-{namespace}", namespace), t0)],
                    Scope(context="test", namespace=namespace))

    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    app.feed = StaticFeed([Change("pods", "ADDED", pod("a"), t0)], Scope(context="test", namespace="default"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.switch_namespace("slow")
        slow = app._switch_thread
        await pilot.press("j")  # the screen answers while the connect is on its way
        assert "default → slow…" in app.pods_screen.status_bar.text and visible_names(app) == ["a"]
        app.switch_namespace("quick")
        release["quick"].set()
        await settle(pilot)
        assert visible_names(app) == ["in-quick"] and app.feed.scope.namespace == "quick"
        release["slow"].set()
        while slow.is_alive():
            await pilot.pause(0.01)
        await settle(pilot)
        assert visible_names(app) == ["in-quick"] and "slow" in stopped  # overtaken: stopped, not shown
        assert "→" not in app.pods_screen.status_bar.text


async def test_the_picker_offers_the_clusters_namespaces_when_scoped_to_one():
    # Scoped to one namespace, the store has seen no other: the picker asks the cluster
    # (k9s lists them all), in the background, and keeps what is typed.
    import threading

    t0 = 1714557600.0
    listed = threading.Event()

    class Feed(StaticFeed):
        def namespace_names(self):
            listed.wait(10)
            return ["batch", "default", "shop"]

    def switch(namespace):
        return StaticFeed([SourceStatus("live", t0)], Scope(context="test", namespace=namespace))

    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    app.feed = Feed([Change("pods", "ADDED", pod("a"), t0)], Scope(context="test", namespace="default"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n", "s")
        picker = app.screen
        options = picker.query_one("#ns-options")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == []
        listed.set()
        for _ in range(200):
            if options.option_count:
                break
            await pilot.pause(0.01)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == ["shop"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.feed.scope.namespace == "shop"
        # What the cluster listed, `:ns` completes too (before: only the store's, "shop").
        await pilot.press("colon", *"ns ba", "tab")
        assert app.pods_screen.command_input.value == "ns batch"


async def test_a_name_no_namespace_can_have_is_refused_with_the_clis_reason():
    t0 = 1714557600.0
    asked = []

    def switch(namespace):
        asked.append(namespace)
        return StaticFeed([SourceStatus("live", t0)], Scope(context="test", namespace=namespace))

    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    app.feed = StaticFeed([Change("pods", "ADDED", pod("a"), t0)], Scope(context="test", namespace="default"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"ns Bad_[NS]!", "enter")  # "[" would be markup to a notice
        await settle(pilot)
        await pilot.press("n", *"Team_A", "enter")
        await settle(pilot)
        rule = "(lowercase letters, digits and '-', up to 63, starting and ending with a letter or digit)"
        assert notices(app) == [
            f"Bad_[NS]!: not a valid namespace name, so no pod can be in it {rule}",
            f"Team_A: not a valid namespace name, so no pod can be in it {rule}"]
        assert asked == [] and app.feed.scope.namespace == "default" and visible_names(app) == ["a"]


async def test_after_a_namespace_switch_the_cursor_is_on_the_pod_it_was_on_or_the_top():
    t0 = 1714557600.0
    names = [f"pod-{i:03d}" for i in range(60)]

    def switch(namespace):
        # The new list arrives in uid order, not the table's, and in slices (poll(5)).
        items = [SourceStatus("live", t0)] + [Change("pods", "ADDED", pod(n, namespace, uid=f"u-{namespace}-{n}"), t0)
                                              for n in reversed(names)]
        return StaticFeed(items, Scope(context="test", namespace=namespace))

    async def switch_and_drain(app, pilot, namespace):
        app.switch_namespace(namespace)
        await switched(app)
        while items := app.feed.poll(5):
            app.store.apply_batch(items)
            app.table.apply_dirty(app.store.take_dirty())
        await pilot.pause()
        rec = app.table.records[app.table.cursor_uid]
        return rec.namespace, rec.name, app.table.cursor

    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    app.feed = StaticFeed([Change("pods", "ADDED", pod(n, "a", uid=f"u-a-{n}"), t0) for n in names],
                          Scope(context="test", namespace="a"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        assert app.table.records[app.table.cursor_uid].name == "pod-003"
        assert await switch_and_drain(app, pilot, "b") == ("b", "pod-000", 0)  # not there: the top
        await pilot.press("j", "j")
        assert await switch_and_drain(app, pilot, "b") == ("b", "pod-002", 2)  # there again: the same pod


async def test_a_detail_screen_kept_across_a_namespace_switch_is_not_marked_expired():
    t0 = 1714557600.0

    def switch(namespace):
        return StaticFeed([SourceStatus("live", t0), Change("pods", "ADDED", pod("web", "a"), t0)],
                          Scope(context="test", namespace=namespace))

    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    # Scoped to one namespace (with a pod the new scope's list has too): a switch is a new store.
    app.feed = StaticFeed([Change("pods", "ADDED", pod("web", "a"), t0), Change("pods", "ADDED", pod("x", "b"), t0)],
                          Scope(context="test", namespace="b"))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        app.switch_namespace("a")
        await settle(pilot)
        await pilot.pause()
        title = str(app.screen._title.render())
        assert "a/web" in title and "expired" not in title


async def test_detail_panes_by_number_tab_and_back():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.table.select_uid("uid-crashy-5c6b9d-kq8zt")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.uid == "uid-crashy-5c6b9d-kq8zt"
        assert screen.active == "phase" and "CrashLoopBackOff" in screen.panes["phase"].text
        await pilot.press("4")
        assert screen.active == "backoff"
        assert "next restart in" in screen.panes["backoff"].text and "[5m0s]" in screen.panes["backoff"].text
        await pilot.press("tab")
        assert screen.active == "probes"
        await pilot.press("shift+tab", "shift+tab")
        assert screen.active == "containers"
        await pilot.press("y")
        assert screen.active == "yaml" and "name: crashy-5c6b9d-kq8zt" in screen.panes["yaml"].text
        for number, key in enumerate(PANE_KEYS, 1):
            await pilot.press(str(number))
            assert screen.active == key and screen.panes[key].text  # every pane shows something
        await pilot.press("escape")
        assert app.screen is app.pods_screen


async def test_panes_update_live_and_countdowns_tick():
    items, clock, scope = load_fixture()
    app = make_app(items, clock, scope)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("uid-checkout-6c8d-2xv8r", pane="termination")
        await pilot.pause()
        screen = app.screen
        pane = screen.panes["termination"]
        assert "SIGKILL  in 18s" in pane.text.replace("SIGKILL     ", "SIGKILL  ")
        other = screen.panes["phase"]
        builds = other.builds
        clock.advance(5)
        app.tick()
        await pilot.pause()
        assert "in 13s" in pane.text
        assert other.builds == builds  # hidden panes (tabs) are not rebuilt
        # A new version of the pod reaches the open pane without any key press.
        record = app.store.pods["uid-checkout-6c8d-2xv8r"]
        gone = copy.deepcopy(record.obj)
        gone["status"]["phase"] = "Succeeded"
        app.feed._queue.put(Change("pods", "DELETED", gone, clock.time()))
        await settle(pilot)
        assert "Deleted  was Succeeded" in str(screen.query_one("#detail-title").render())


async def test_timeline_order_and_container_filter():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f8c6b5-x2x7q", pane="timeline")
        await pilot.pause()
        pane = app.screen.panes["timeline"]
        newest = pane.text.splitlines()
        assert "newest first" in newest[0]
        await pilot.press("o")
        axis = pane.text.splitlines()
        assert "time axis" in axis[0]
        assert "pod created" in axis[1]  # oldest first on the axis
        assert "pod created" in newest[-1]
        await pilot.press("C")
        assert "container istio-proxy" in pane.text.splitlines()[0]
        assert "app" not in "\n".join(pane.text.splitlines()[1:]).replace("app=", "")
        await pilot.press("C")
        assert "container app" in pane.text.splitlines()[0]
        await pilot.press("C")
        assert "container" not in pane.text.splitlines()[0].split("(")[0]


async def test_help_lists_every_key():
    app = fixture_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.help_text.render())
        for section in app.help_sections():
            for binding in section[1]:
                if binding.description:  # in full: the tooltip when the footer's word is short
                    assert (binding.tooltip or binding.description) in text, binding.description
        assert "Sort by restarts" in text and "Filter" in text and "Namespace" in text
        assert "Explain the last restart, with its evidence" in text and "Timeline order" in text
        await pilot.press("escape")
        assert app.screen is app.pods_screen


async def test_quit_key_stops_the_feed():
    stopped = []

    class Feed(StaticFeed):
        def stop(self):
            stopped.append(True)

    app = make_app([], ManualClock(0))
    app.feed = Feed([])
    async with app.run_test() as pilot:
        await pilot.press("q")
    assert stopped and app.return_code == 0


async def test_theme_switch_keeps_lifecycle_colours():
    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for theme in ("nord", "podtui-ansi", "textual-light", "podtui-k9s"):
            app.theme = theme
            await pilot.pause()
            # every lifecycle colour is defined in every theme (else the CSS would fail)
            assert "phase-running" in app.get_css_variables()
            assert row_text(app, 0)


async def test_tombstones_fade_then_expire():
    t0 = 1714557600.0
    clock = ManualClock(t0)
    items = [Change("pods", "ADDED", pod("short-lived"), t0), Change("pods", "ADDED", pod("stays"), t0),
             Change("pods", "DELETED", pod("short-lived"), t0 + 1)]
    app = make_app(items, clock, store_options={"tombstone_ttl": 60.0})
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot)
        assert "deleted" in row_text(app, visible_names(app).index("short-lived"))
        clock.advance(40)
        app.tick()
        await pilot.pause()
        uid = "uid-default-short-lived"
        assert app.table._dynamic_cells(app.table.records[uid], clock.time())[4] == 2  # faded further
        clock.advance(30)
        app.tick()
        await pilot.pause()
        assert visible_names(app) == ["stays"]


async def test_odd_pod_data_never_crashes_the_ui():
    t0 = 1714557600.0
    odd = [
        {"metadata": {"name": "no-status", "namespace": "x", "uid": "u1"}},
        {"metadata": {"name": "nulls", "namespace": "x", "uid": "u2"}, "spec": None, "status": None},
        {"metadata": {"name": "weird-types", "namespace": "x", "uid": "u3", "labels": ["a"]},
         "spec": {"containers": "nope", "initContainers": [None, 3]},
         "status": {"conditions": [None, {"type": 5}], "containerStatuses": [{"state": []}, "x"],
                    "podIPs": "1.2.3.4", "startTime": 12}},
        {"metadata": {"name": "ctl\x1b[31mchars\n", "namespace": "x", "uid": "u4"}, "status": {"phase": "Ru\tnning"}},
    ]
    items = [Change("pods", "ADDED", o, t0) for o in odd]
    app = make_app(items, ManualClock(t0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(visible_names(app)) == 4
        for i in range(4):
            assert "\x1b" not in row_text(app, i) and "\n" not in row_text(app, i)
        for uid in ("u1", "u2", "u3", "u4"):
            app.open_detail(uid)
            await pilot.pause()
            for key in PANE_KEYS:
                app.screen.action_show_pane(key)
                await pilot.pause()
                assert "cannot show this pane" not in app.screen.panes[key].text, (uid, key)
            await pilot.press("escape")


async def test_mouse_click_selects_sorts_and_opens():
    app = many_pods_app(20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#pods", offset=(3, 4))  # row 4 on screen = position 3
        assert app.table.cursor == 3
        await pilot.click("#pods", offset=(3, 4))  # again: open it
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        name_x = next(x for c, x, _ in app.table._current_layout().columns if c.key == "name")
        await pilot.click("#pods", offset=(name_x + 1, 0))  # header click sorts by that column
        assert app.table.index.sort_column == "name"


async def test_status_bar_shows_connection_states():
    t0 = 1714557600.0
    clock = ManualClock(t0)
    items = [SourceStatus("reconnecting", t0, "connection reset", "pods", retry_at=t0 + 4)]
    app = make_app(items, clock, Scope(context="prod", namespace="web"))
    async with app.run_test(size=(120, 10)) as pilot:
        await settle(pilot)
        text = app.pods_screen.status_bar.text
        assert "prod" in text and "web" in text and "reconnecting in 4s: connection reset" in text
        app.feed._queue.put(SourceStatus("relisting", t0 + 5, "410 Gone", "pods"))
        await settle(pilot)
        assert "relisting pods: 410 Gone" in app.pods_screen.status_bar.text


async def test_theme_picker_and_command_palette_reach_every_action():
    from textual.command import CommandPalette

    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Filter pods", "Namespace", "All namespaces", "Wide columns", "Sort by restarts",
                "Pod details", "Pod YAML", "Theme", "Quit"} <= titles
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)


async def test_the_harness_takes_a_recording_too():
    from pathlib import Path

    from tests.ui.harness import items_from_recording

    path = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"
    items, clock, scope = items_from_recording(path)
    app = make_app(items, clock, scope)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.table.visible_count > 10
        assert any("CrashLoopBackOff" in row_text(app, i) for i in range(app.table.visible_count))


async def test_detail_title_counts_are_shown_whole_or_left_out():
    # At 80 columns the title used to end "0/1 ready, 3": three what?
    for width, wanted in ((160, "restarts"), (80, None)):
        app = fixture_app()
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            app.open_detail("uid-crashy-5c6b9d-kq8zt")
            await pilot.pause()
            title = str(app.screen._title.render()).rstrip()
            record = app.store.pods["uid-crashy-5c6b9d-kq8zt"]
            full = f"{record.row.ready} ready, {record.row.restarts} restarts"
            if wanted:
                assert title.endswith(full), title
            else:
                assert len(title) <= width and not title.endswith(", ") and (
                    title.endswith(full) or title.endswith(f"{record.row.ready} ready")
                    or "ready" not in title), title
                assert f"ready, {record.row.restarts}" not in title or title.endswith(full), title


async def test_an_empty_table_says_why_once_the_list_is_in():
    t0 = 1714557600.0
    clock = ManualClock(t0)
    app = make_app([SourceStatus("listing", t0)], clock, Scope(context="test", namespace="nosuch"))
    async with app.run_test(size=(100, 12)) as pilot:
        await settle(pilot)
        assert app.table.render_line(1).text.strip() == ""  # still listing: the bar says so
        app.feed._queue.put(SourceStatus("listing", t0, resource="pods"))
        app.feed._queue.put(SourceStatus("live", t0, resource="events"))  # the events' list, not the pods'
        await settle(pilot)
        assert app.table.render_line(1).text.strip() == ""
        app.feed._queue.put(SourceStatus("live", t0, resource="pods"))
        app.feed._queue.put(SourceStatus("reconnecting", t0, resource="events"))
        await settle(pilot)
        assert app.table.render_line(1).text.strip() == "No resources found in nosuch namespace."

    app = make_app([SourceStatus("live", t0), Change("pods", "ADDED", pod("web"), t0)], clock,
                   Scope(context="test", label_selector="tier=web"))
    async with app.run_test(size=(100, 12)) as pilot:
        await settle(pilot)
        assert "web" in app.table.render_line(1).text and "no pods" not in app.table.render_line(1).text
        await pilot.press("slash", *"zzz", "enter")
        await pilot.pause()
        assert app.table.render_line(1).text.strip() == "no pods match /zzz  (esc clears the filter)"
        await pilot.press("escape")
        await pilot.pause()
        assert "web" in app.table.render_line(1).text
        app.store.apply(Change("pods", "DELETED", pod("web"), t0))
        app.store.expire(t0 + 10_000)
        app.table.apply_dirty(app.store.take_dirty())
        app.update_status_bar()
        await pilot.pause()
        assert app.table.render_line(1).text.strip() == "No resources found matching -l tier=web"


async def test_pane_and_help_scroll_keys_move_at_once():
    # Animated scrolls made `G` then `g j j` land near the end: j started from mid-way.
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        pane = app.screen.panes["yaml"]
        await pilot.pause()
        assert pane.max_scroll_y > 10
        await pilot.press("G")
        assert pane.scroll_y == pane.max_scroll_y
        await pilot.press("g", "j", "j")
        assert pane.scroll_y == 2
        await pilot.press("ctrl+f")
        assert pane.scroll_y > 2
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        scroller = app.screen.scroller
        assert scroller.max_scroll_y > 0
        await pilot.press("G")
        assert scroller.scroll_y == scroller.max_scroll_y
        await pilot.press("g", "j", "j")
        assert scroller.scroll_y == 2
        await pilot.press("k")
        assert scroller.scroll_y == 1


async def test_from_all_namespaces_a_namespace_is_a_view_that_keeps_every_pods_history():
    # Re-listing for a namespace the watch already covers threw away every pod's
    # history and tombstones, and `0` then rebuilt them from timestamps ("~").
    t0 = 1714557600.0
    feeds = []

    def switch(namespace):
        feeds.append(namespace)
        return StaticFeed([], Scope(context="test", namespace=namespace))

    gone = pod("gone", "a")
    app = make_app([], ManualClock(t0), namespaces_switch=switch)
    app.feed = StaticFeed([Change("pods", "ADDED", pod("web", "a"), t0), Change("pods", "ADDED", gone, t0),
                           Change("pods", "ADDED", pod("x", "b"), t0), Change("pods", "DELETED", gone, t0)],
                          Scope(context="test"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        assert app.table.records[app.table.cursor_uid].name == "x"
        store = app.store
        app.switch_namespace("a")
        await settle(pilot)
        assert feeds == [] and app.store is store
        assert sorted(visible_names(app)) == ["gone", "web"]  # the tombstone too
        assert app.table.cursor == 0  # x is not in a: the top
        assert "a" in app.pods_screen.status_bar.text and "NAMESPACE" not in app.table.render_line(0).text
        await pilot.press("0")
        assert feeds == [] and app.store is store and len(visible_names(app)) == 3
        app.switch_namespace("b")
        assert app.table.records[app.table.cursor_uid].name == "x"
        app.switch_namespace(None)
        assert app.table.records[app.table.cursor_uid].name == "x"  # and still on it


def own_footer_keys(app) -> list[str]:
    """The descriptions in the footer at the bottom line, which must be the top
    screen's own (over the list's), at 80x24."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    widget, _ = app.screen.get_widget_at(1, 23)
    assert any(isinstance(w, Footer) for w in (widget, *widget.ancestors)) and widget.screen is app.screen
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_help_screen_footer_offers_its_own_keys_not_the_lists():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        shown = own_footer_keys(app)
        assert "Close help" in shown and "Filter" not in shown


async def test_c_copies_the_pod_name_and_says_how_to_read_its_logs():
    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        record = app.table.records[app.table.cursor_uid]
        await pilot.press("c")
        assert app.clipboard == record.name
        notice = notices(app)[-1]
        assert f"kubectl logs -n {record.namespace} {record.name}" in notice
        assert "Copy pod name" in {c.title for c in app.get_system_commands(app.screen)}


async def open_help(pilot) -> tuple[HelpBody, list[str]]:
    """The help's text widget and its lines, as laid out."""
    await settle(pilot)
    await pilot.press("question_mark")
    await pilot.pause()
    body = pilot.app.screen.help_text
    return body, str(body.render()).splitlines()


async def test_c_copies_the_pod_name_on_the_detail_screen_too():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("uid-web-7d9f8c6b5-x2x7q", pane="timeline")
        await pilot.pause()
        timeline = app.screen.panes["timeline"].text
        await pilot.press("c")
        # Before: c filtered the Timeline on a container, where the list's c copies.
        assert app.clipboard == "web-7d9f8c6b5-x2x7q"
        notice = notices(app)[-1]
        assert notice == "copied web-7d9f8c6b5-x2x7q\nlogs: kubectl logs -n shop web-7d9f8c6b5-x2x7q"
        assert app.screen.panes["timeline"].text == timeline


async def test_the_help_fits_80_columns_one_line_per_action():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        body, lines = await open_help(pilot)
        # Before: the keys took 26 columns, and the longer descriptions wrapped to
        # the left edge, under the keys.
        assert body.size.height == len(lines)
        # enter and d do the same: one line, not "Details" and "Describe" apart.
        assert [line.split() for line in lines if "Details" in line] == [["⏎,", "d", "Details"]]
        assert any(line.startswith("  click a column header") for line in lines)


async def test_the_help_wraps_a_description_under_itself_at_40_columns():
    app = fixture_app()
    async with app.run_test(size=(40, 24)) as pilot:
        body, lines = await open_help(pilot)
        # Every line is laid out here, none wrapped again by the widget...
        assert body.size.height == len(lines) and max(map(len, lines)) <= body.size.width
        # ...and a description's continuation starts under the description, not at the
        # left edge. Before, at 40 columns: "│ k9s: :ns NAME, :ns all, :ns,".
        start = lines.index(next(line for line in lines if "Command, as in k9s" in line))
        column = lines[start].index("Command")
        command = lines[start][column:]
        for line in lines[start + 1:]:
            if not line[:column].isspace():
                break
            command += " " + line[column:]
        assert command == "Command, as in k9s: :ns NAME, :ns all, :ns, :help, :q"


@pytest.mark.parametrize("replaying", [False, True], ids=["live", "replay"])
async def test_every_footer_key_fits_80_columns(replaying):
    from textual.widgets._footer import FooterKey

    from podtui.sources.recording import read_recording
    from podtui.sources.replay import ReplayFeed

    recording = read_recording(RECORDING)
    clock = ManualClock(recording.header.started)
    feed = ReplayFeed(recording, clock, autoplay=False)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, environ=TEST_ENV,
                    replay=feed if replaying else None)
    async with app.run_test(size=(80, 24)) as pilot:
        feed.seek(feed.start_time + 60)
        await settle(pilot)

        def footer() -> list[str]:
            keys = list(app.screen.query(FooterKey))
            # Before: in a replay, "space Play/pause" went past the right edge.
            assert max(key.region.right for key in keys) <= 80
            return [key.description for key in keys]

        assert ("Play" in footer()) is replaying
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert ("Play" in footer()) is replaying
        if replaying:  # the footer says what space does next
            await pilot.press("space")
            await pilot.pause()
            assert "Pause" in footer() and "Play" not in footer()
            await pilot.press("escape")
            await pilot.pause()
            assert "Pause" in footer()


async def test_the_footer_dims_what_needs_a_pod_until_there_is_one_and_hides_what_is_text_in_an_input():
    from textual.widgets._footer import FooterKey

    t0 = 1714557600.0
    app = make_app([SourceStatus("live", t0)], ManualClock(t0))

    def footer() -> dict[str, bool]:
        """Each offered key's description: whether it can be pressed (False: dimmed)."""
        return {key.description: not key.has_class("-disabled") for key in app.screen.query(FooterKey)}

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty = footer()
        assert {k: empty[k] for k in ("Details", "YAML", "Explain", "Filter")} == {
            "Details": False, "YAML": False, "Explain": False, "Filter": True}
        app.feed._queue.put(Change("pods", "ADDED", pod("a"), t0))
        await settle(pilot)
        loaded = footer()
        assert list(loaded) == list(empty)  # the same keys in the same places, now all live
        assert all(loaded.values())
        await pilot.press("slash")
        await pilot.pause()
        assert not {"Filter", "Namespace", "Details", "YAML", "Explain"} & set(footer())
        await pilot.press(*"n/y")
        assert app.pods_screen.filter_input.value == "n/y"  # typed, as before


async def test_the_filter_and_command_lines_say_which_they_are():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def line() -> str:
            return app.screen._compositor.render_strips()[-2].text.rstrip()

        await pilot.press("slash", *"web")
        # Before: " web" and " ns", alike: nothing said which line took the keys.
        assert line() == " /web"
        await pilot.press("enter", "colon", *"ns")
        assert line() == " :ns"
        await pilot.press("escape")
        assert line() == " /web"


async def test_every_pane_tab_stays_in_view_on_a_narrow_terminal():
    app = fixture_app()
    async with app.run_test(size=(50, 20)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "8")
        await pilot.pause()
        bar = app.screen.query_one("#pane-bar")
        text = str(bar.render())
        # Before: "1 Phase 2 Cond 3 Ctrs 4 Backoff 5 Probes 6 Term 7 Tim", cut at the
        # edge, and the active tab (8 Events) out of sight.
        assert text.split() == ["1", "2", "3", "4", "5", "6", "7", "8", "Events", "9"]
        assert len(text) <= bar.content_region.width


async def test_the_footer_says_how_to_leave_the_filter_and_command_lines():
    from textual.widgets._footer import FooterKey

    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def footer() -> list[str]:
            return [key.description for key in app.screen.query(FooterKey)]

        for key in ("slash", "colon"):
            await pilot.press(key, "w")
            await pilot.pause()
            # Before: nothing but the command palette's hint.
            assert footer()[:2] == ["Done", "Cancel"]
            await pilot.press("escape")
            await pilot.pause()
            assert "Details" in footer() and app.focused is app.table


async def test_the_palette_keys_command_opens_podtuis_help_not_textuals_panel():
    # It was Textual's side panel: "tab Focus Next", "^pgup Page Left", and each
    # tooltip printed after its description ("Columns left Columns left (wide...").
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        keys = [c for c in app.get_system_commands(app.screen) if c.title == "Keys"]
        assert len(keys) == 1
        keys[0].callback()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not app.screen.query("HelpPanel") and not app.pods_screen.query("HelpPanel")


async def test_p_on_the_detail_screen_says_it_follows_a_reused_name():
    # The help said "Previous/next pod" (read as the list's next pod), and on a
    # Deployment's pod p said only "no replacing or replaced pod in memory".
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        _, lines = await open_help(pilot)
        assert any("p " in line and "The pod that replaced it (same name or controller)" in line for line in lines)
        assert not any("Previous/next" in line for line in lines)
        await pilot.press("escape")
        app.open_detail("uid-web-7d9f8c6b5-x2x7q")
        await pilot.pause()
        await pilot.press("p")
        notice = notices(app)[-1]
        assert notice.startswith("no other pod named web-7d9f8c6b5-x2x7q or made by its ReplicaSet web-7d9f8c6b5 "
                                 "seen: p follows a reused name")


async def test_the_bar_says_how_many_of_its_pods_are_deleted():
    # kubectl lists 17 pods; the bar said "18 pods" for the 17 and a tombstone. After
    # `kubectl delete pods --all` it went on counting every pod deleted in 5 minutes.
    app = fixture_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(pilot)
        assert "18 pods (1 deleted)" in app.pods_screen.status_bar.text
        record = app.store.pods["uid-web-7d9f8c6b5-x2x7q"]
        app.feed._queue.put(Change("pods", "DELETED", copy.deepcopy(record.obj), app.clock.time()))
        await settle(pilot)
        assert "18 pods (2 deleted)" in app.pods_screen.status_bar.text
        await pilot.press("slash", *"db-0", "enter")
        await settle(pilot)
        # Of the two shown (db-0 and the db-0 it replaced): web's tombstone is filtered out.
        assert "2/18 pods (1 deleted)" in app.pods_screen.status_bar.text
        app.switch_namespace("batch")
        await settle(pilot)
        assert "deleted" not in app.pods_screen.status_bar.text


async def test_sideways_arrow_takes_the_gap_not_a_titles_first_letter():
    # `w` then `l` at 80 columns showed "←AME↑", then "←EADY", then "←TATUS".
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        titles = []
        for _ in range(4):
            await pilot.press("l")
            header = app.table.render_line(0).text.split("←", 1)[1]  # after the pinned NAME
            assert header[0] != " "
            titles.append(header.split()[0])
        assert titles[:3] == ["STATUS", "RESTARTS", "AGE"]


async def test_the_namespace_picker_footer_offers_its_own_keys_not_the_lists():
    # Before, the list's footer showed through: "/ Filter n Namespace y YAML ... q
    # Quit", keys that type into the picker's input.
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert own_footer_keys(app) == ["Cancel"]
        await pilot.press(*"qy")
        assert isinstance(app.screen, NamespaceScreen) and app.screen.query_one("#ns-input").value == "qy"


async def test_the_detail_title_shortens_the_p_hint_before_cutting_the_next_step():
    # Live at 80 columns: "batch/nightly-report-x7k2p  Running  (p: the pod it
    # replaced)  next: deadline": the edge took "in 78s". Since 535d9dd P goes back to
    # the pod a pod replaced (p only goes forward), and the hint names P.
    t0 = 1714557600.0
    old = pod("nightly-report-x7k2p", "batch", uid="old")
    new = pod("nightly-report-x7k2p", "batch", uid="new", startTime="2024-05-01T09:59:50Z")
    new["spec"]["activeDeadlineSeconds"] = 90
    items = [SourceStatus("live", t0), Change("pods", "ADDED", old, t0 - 5), Change("pods", "DELETED", old, t0 - 4),
             Change("pods", "ADDED", new, t0 - 3)]
    app = make_app(items, ManualClock(t0), Scope(context="test"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail("new")
        await pilot.pause()
        title = str(app.screen._title.render()).rstrip()
        assert title.endswith("next: deadline in 80s") and len(title) <= 78
        assert "(P: replaced)" in title and "(p:" not in title


async def test_sorting_by_a_column_not_shown_says_so():
    # At 80 columns I (IP) and O (NODE) reordered the list with no arrow anywhere.
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await pilot.pause()
        assert app.table.index.sort_column == "ip"
        assert notices(app)[-1] == "sorted by IP ↑, a column not shown (w: wide columns)"
        count = len(notices(app))
        await pilot.press("S", "w", "O")  # shown: no notice for S; wide: NODE is there
        await pilot.pause()
        assert len(notices(app)) == count


async def test_c_on_a_deleted_pod_does_not_offer_kubectl_logs():
    # db-0's old pod was replaced under its name: "kubectl logs -n shop db-0" reads the
    # new pod's logs, which the notice offered as the old one's.
    app = fixture_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.copy_pod_name("uid-db-0-old")
        await pilot.pause()
        notice = notices(app)[-1]
        assert notice == "copied db-0\ndeleted: its logs are gone; kubectl logs on the name reads the new pod's"
        app.copy_pod_name("uid-db-0-new")
        await pilot.pause()
        assert notices(app)[-1] == "copied db-0\nlogs: kubectl logs -n shop db-0"
