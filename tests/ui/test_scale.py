"""Keys that reorder or filter the table do work in proportion to what changes on the
screen, not to the pods held: with tens of thousands of pods each keystroke must
answer at once. The work is counted (sort keys computed), never timed; what is shown
must equal a full rebuild."""

from __future__ import annotations

from itertools import groupby

from hypothesis import given, settings
from hypothesis import strategies as st

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.ui.pod_filter import narrows, parse_filter
from podtui.ui.pod_index import PodIndex
from tests.ui.harness import make_app, settle
from tests.ui.test_pod_index import Rec, order, rec
from tests.ui.test_repaint import T0, pod


class CountingDue:
    """A NEXT due time per pod that counts how often it was asked: each ask is a model
    call in the app (next_step), the cost of keying a pod for the NEXT sort."""

    def __init__(self, due: dict[str, float | None]) -> None:
        self.due = due
        self.calls = 0

    def __call__(self, record: Rec) -> float | None:
        self.calls += 1
        return self.due.get(record.uid)


def test_reversing_a_sort_reads_the_keys_backwards_without_keying_a_pod_again():
    records = {f"p{i}": rec(f"p{i}") for i in range(20)}
    due = CountingDue({f"p{i}": float(i % 7) for i in range(20)})
    index = PodIndex(next_due=due)
    assert index.set_sort("next")  # another column: rebuild
    index.rebuild(records)
    forward = order(index)
    assert due.calls == 20
    assert not index.set_sort("next", True)  # the same column: no rebuild needed
    # The due times read backwards; ties (the same due time) still A→Z by name, as
    # forward (test_sort_ties.py), not the forward order turned round.
    ties = [list(group) for _, group in groupby(forward, key=due.due.get)]
    assert order(index) == [uid for group in reversed(ties) for uid in group] and due.calls == 20
    assert order(index)[:2] == ["p13", "p6"]  # due 6, names A→Z
    fresh = PodIndex(sort="next", descending=True, next_due=due)
    fresh.rebuild(records)
    assert order(fresh) == order(index)


async def test_the_second_press_of_a_sort_key_reverses_and_keeps_the_cursor_pod():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(300)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("N")
        await pilot.press("j", "j", "j")
        chosen = app.table.cursor_uid
        forward = app.table.index.uids(0, 300)
        due = CountingDue({})
        app.table.index._next_due = due
        app.table.index._key = lambda uid, record: (_ for _ in ()).throw(AssertionError("re-keyed"))
        await pilot.press("N")
        assert app.table.index.descending
        assert app.table.index.uids(0, 300) == forward[::-1]
        assert app.table.cursor_uid == chosen and app.table.cursor == 296
        row = app.table.cursor - int(app.table.scroll_y)
        assert 0 <= row < app.table.size.height - 1  # scrolled to where the pod went


def test_typing_a_filter_on_keys_no_pod_and_backspace_keys_only_what_comes_back():
    records = {u: rec(u, name=name) for u, name in
               [("a", "web-1"), ("b", "web-12"), ("c", "db-1"), ("d", "web-2"), ("e", "api-12")]}
    due = CountingDue({"a": 3.0, "b": 1.0, "c": 2.0, "d": None, "e": 0.5})
    index = PodIndex(sort="next", next_due=due)
    index.rebuild(records)
    keyed = due.calls
    for text, want in [("w", ["b", "a", "d"]), ("we", ["b", "a", "d"]), ("web-1", ["b", "a"]),
                       ("web-12", ["b"])]:
        assert index.refilter(records, text) == set()
        assert order(index) == want, text
    assert due.calls == keyed  # narrowing keys nothing
    assert index.refilter(records, "-12") == {"e"}  # "web-12" -> "-12": wider
    assert order(index) == ["e", "b"] and due.calls == keyed + 1
    assert index.refilter(records, "") == {"a", "c", "d"}
    assert order(index) == ["e", "b", "c", "a", "d"] and due.calls == keyed + 4


def test_what_narrows_a_filter():
    def n(old: str, new: str) -> bool:
        return narrows(parse_filter(old), parse_filter(new))

    assert n("", "web") and n("", "!web") and n("", "-l app=web") and n("-l =", "web")
    assert n("we", "web") and n("web", "web db") and n("Web", "xweb") and n("b a", "ab")
    assert not n("web", "we") and not n("web", "") and not n("web db", "web")
    assert not n("!we", "!web")  # hides less: shows more
    assert not n("web", "!web") and not n("-l app", "-l app,x") and not n("web", "-l app=web")
    assert n("web", "web !err") and n("web !", "web !e") and n("!err", "web !err")  # a !word hides more
    assert not n("web !err", "web") and not n("web !e", "web !er")


# Filters typed, erased and replaced while pods come, change and go: what the index
# shows always equals a fresh rebuild with the last filter, in every sort order.
steps = st.lists(st.one_of(
    st.tuples(st.just("filter"), st.sampled_from(["", "p", "p1", "p12", "1", "run", "!p1", "-l app=x", "p1 x", "p !p1"])),
    st.tuples(st.sampled_from(["put", "put", "del"]), st.integers(0, 15),
              st.sampled_from(["Running", "Pending", "Error"]), st.integers(0, 3)),
), max_size=50)


@settings(max_examples=150, deadline=None)
@given(steps=steps, column=st.sampled_from(["name", "status", "restarts", "next"]), descending=st.booleans(),
       namespace=st.sampled_from([None, "a"]), told=st.booleans())
def test_refilter_equals_rebuild(steps, column, descending, namespace, told):
    records: dict[str, Rec] = {}
    due: dict[str, float | None] = {}
    index = PodIndex(sort=column, descending=descending, next_due=lambda r: due.get(r.uid))
    index.set_namespace(namespace)
    index.rebuild(records)
    text = ""
    untold: set[str] = set()
    for step in steps:
        if step[0] == "filter":
            text = step[1]
            index.refilter(records, text)
            if untold:  # changes the table hears of after the keystroke, as in the app
                index.update(records, untold)
                untold = set()
        else:
            op, n, status, restarts = step
            uid = f"p{n}"
            if op == "del":
                records.pop(uid, None)
            else:
                old = records.get(uid)
                records[uid] = rec(uid, ns=old.namespace if old else "ab"[n % 2], status=status, restarts=restarts,
                                   labels={"app": "x" if restarts % 2 else "y"},
                                   version=old.version + 1 if old else 0)
                due[uid] = float(restarts) if status == "Error" else None
            if told:
                index.update(records, {uid})
            else:
                untold.add(uid)
    index.update(records, untold)
    fresh = PodIndex(sort=column, descending=descending, next_due=lambda r: due.get(r.uid))
    fresh.set_namespace(namespace)
    fresh.set_filter(text)
    fresh.rebuild(records)
    assert order(index) == order(fresh)
    assert index.total == fresh.total
    assert sorted(index.visible()) == sorted(order(fresh))


async def test_a_pod_that_changed_while_filtered_out_widens_its_column_when_shown_again():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(5)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(160, 12)) as pilot:
        await settle(pilot)
        app.table.set_filter("pod-0001")
        hidden = pod(3)
        hidden["metadata"]["resourceVersion"] = "2"
        hidden["status"]["phase"] = "Pending"
        hidden["status"]["containerStatuses"][0]["state"] = {
            "waiting": {"reason": "CreateContainerConfigError"}}
        hidden["status"]["containerStatuses"][0]["ready"] = False
        app.feed._queue.put(Change("pods", "MODIFIED", hidden, T0))
        await settle(pilot)
        app.table.set_filter("")
        await settle(pilot)
        lines = [app.table.render_line(y).text for y in range(1, 6)]
        assert any("CreateContainerConfigError" in line for line in lines), lines


def count_render_lines(table) -> list[int]:
    calls: list[int] = []
    render_line = table.render_line

    def counted(y: int):
        calls.append(y)
        return render_line(y)

    table.render_line = counted
    return calls


async def test_a_pod_added_off_screen_repaints_no_row_only_the_scrollbar():
    # The pod count changes with every ADDED and every expired tombstone: under churn,
    # every pump. It used to lay the table out again and repaint every row on screen.
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(500)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.table
        calls = count_render_lines(table)
        thumb = table.vertical_scrollbar.window_virtual_size
        app.feed._queue.put(Change("pods", "ADDED", pod(9999), T0))  # sorts last
        app.drain()
        await pilot.pause()
        assert len(table.index) == 501 and table.virtual_size.height == 502
        assert table.vertical_scrollbar.window_virtual_size == 502 != thumb
        assert calls == []
        await pilot.press("G")  # the new last row can be scrolled to
        assert table.cursor_uid == "uid-9999" and int(table.scroll_y) == 501 - (table.size.height - 1)
        early = pod(10000)
        early["metadata"]["name"] = "pod-0000a"  # sorts second: every row below it moves
        app.feed._queue.put(Change("pods", "ADDED", early, T0))
        await pilot.press("g")
        calls.clear()
        app.drain()
        await pilot.pause()
        assert sorted(set(calls)) == list(range(0, table.size.height))
        assert "pod-0000a" in table.render_line(2).text


async def test_the_scrollbar_is_repainted_only_when_its_thumb_moves_a_cell():
    from podtui.ui.scrollbar import thumb_cells

    items = [Change("pods", "ADDED", pod(i), T0) for i in range(200)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        bar = app.table.vertical_scrollbar
        refreshes = []
        refresh = bar.refresh
        bar.refresh = lambda *a, **k: (refreshes.append(1), refresh(*a, **k))[1]
        moves = 0
        for i in range(200, 260):
            before = thumb_cells(bar, bar.window_virtual_size)
            refreshes.clear()
            app.feed._queue.put(Change("pods", "ADDED", pod(i), T0))
            app.drain()
            await pilot.pause()
            after = thumb_cells(bar, bar.window_virtual_size)
            assert bar.window_virtual_size == i + 2
            assert bool(refreshes) == (after != before), i
            moves += after != before
        assert 0 < moves < 30  # the thumb did shrink, now and then


def test_filter_keystrokes_reread_a_pod_only_when_it_changed(monkeypatch):
    # Each pod's text (name, namespace, status, node, labels) is lowered once per
    # version; a keystroke, narrowing or widening, only scans those texts.
    import podtui.ui.pod_index as pod_index

    reads: list[dict] = []
    labels = pod_index.pod_labels
    monkeypatch.setattr(pod_index, "pod_labels", lambda obj: (reads.append(obj), labels(obj))[1])
    records = {f"p{i}": rec(f"p{i}", name=f"web-{i}", labels={"app": "web" if i % 2 else "db"}) for i in range(50)}
    index = PodIndex(sort="name")
    index.rebuild(records)
    index.refilter(records, "w")
    assert len(reads) == 50
    for text in ["we", "web", "web-1", "web-", "", "app=db", "!app=db", "web db"]:
        index.refilter(records, text)
    assert len(reads) == 50
    assert sorted(order(index)) == sorted(f"p{i}" for i in range(0, 50, 2))  # "web db": web-N with app=db
    records["p3"] = rec("p3", name="web-3", labels={"app": "db"}, version=1)
    index.update(records, {"p3"})
    index.refilter(records, "app=db")
    assert len(reads) == 51
    assert sorted(order(index)) == sorted([f"p{i}" for i in range(0, 50, 2)] + ["p3"])


async def test_a_pod_count_that_only_moved_waits_for_the_tick_to_reach_the_bar():
    # Under churn the count moves at every pump (ten a second): each bar repaint
    # rewrites its whole line. What the bar says in kind still shows at once.
    from podtui.lifecycle.changes import SourceStatus

    items = [SourceStatus("live", T0, resource="pods")] + [Change("pods", "ADDED", pod(i), T0) for i in range(5)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 20)) as pilot:
        bar = app.pods_screen.status_bar
        app.drain()
        assert "5 pods" in bar.text and "live" in bar.text  # the first pods: at once
        app.feed._queue.put(Change("pods", "ADDED", pod(5), T0))
        app.drain()
        assert "5 pods" in bar.text
        app.tick()
        assert "6 pods" in bar.text
        app.feed._queue.extend([Change("pods", "ADDED", pod(6), T0),
                                SourceStatus("reconnecting", T0, detail="connection reset", resource="pods")])
        app.drain()
        assert "reconnecting" in bar.text and "7 pods" in bar.text  # a new state: at once
        await pilot.press("slash", "p", "o", "d", "-", "0", "0", "0", "1")
        assert "1/7 pods" in bar.text  # the user's own keys: at once


def test_a_namespace_switch_keys_only_the_pods_that_come_into_view():
    records = {f"p{i}": rec(f"p{i}", ns="ab"[i % 2]) for i in range(20)}
    due = CountingDue({f"p{i}": float(i % 5) for i in range(20)})
    index = PodIndex(sort="next", next_due=due)
    index.rebuild(records)
    assert due.calls == 20
    index.set_namespace("a")
    index.rebuild(records, keep_keys=True)
    assert due.calls == 20 and order(index) == [u for u in order(index) if int(u[1:]) % 2 == 0]
    index.set_namespace(None)
    index.rebuild(records, keep_keys=True)
    assert due.calls == 30  # the ten of namespace b, and no other
    fresh = PodIndex(sort="next", next_due=due)
    fresh.rebuild(records)
    assert order(index) == order(fresh)


async def test_the_namespace_view_and_back_does_not_key_every_pod_again():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(40)]
    for i in range(40, 50):
        other = pod(i)
        other["metadata"]["namespace"] = "other"
        items.append(Change("pods", "ADDED", other, T0))
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        await pilot.press("X")
        due = CountingDue({})
        app.table.index._next_due = due
        app.switch_namespace("other")
        assert due.calls == 0 and len(app.table.index) == 10
        app.switch_namespace(None)
        assert due.calls == 40 and len(app.table.index) == 50


class Due(float):
    """A due time that counts how often sort values are compared, by kind."""

    compared = {"eq": 0, "lt": 0}

    def __eq__(self, other):
        Due.compared["eq"] += 1
        return float(self) == float(other)

    def __lt__(self, other):
        Due.compared["lt"] += 1
        return float(self) < float(other)

    __hash__ = float.__hash__


def test_reversing_a_sort_orders_no_pod_against_another_again():
    # 4bc8f45 re-sorted every key on each press (0.14-0.19 s at 40,000 pods): only the
    # order within ties changes, one pass over neighbours, never a sort value ordered.
    n = 300
    records = {f"p{i:03}": rec(f"p{i:03}", name=f"n{i % 11}") for i in range(n)}
    records["p299"].deleted_at = 50.0  # n2's tombstone, after its live namesake both ways
    records["p294"].name = records["p287"].name = "twin"  # due 0 both: equal but for the uid
    due = CountingDue({f"p{i:03}": Due(i % 7) for i in range(n)})
    index = PodIndex(sort="next", next_due=due)
    index.rebuild(records)
    for descending in (True, False, True):
        Due.compared.update(eq=0, lt=0)
        assert not index.set_sort("next", descending)
        assert Due.compared["lt"] == 0 and Due.compared["eq"] < n
        fresh = PodIndex(sort="next", descending=descending, next_due=due)
        fresh.rebuild(records)
        assert order(index) == order(fresh) and index._order == fresh._order
        assert all(index.position(u) == i for i, u in enumerate(order(index)))
    assert due.calls == 4 * n


async def test_a_next_sort_over_failed_pods_asks_explain_only_for_the_rows_shown(monkeypatch):
    # Each ended pod's wording was asked of explain to key it for NEXT (0.4 s over
    # 10,000, its 512-entry cache thrashed), yet an ended pod's step is never due.
    from podtui.lifecycle import explain

    items = []
    for i in range(600):
        p = pod(i)
        p["spec"]["restartPolicy"] = "Never"
        p["status"] = {"phase": "Failed", "reason": "DeadlineExceeded", "message": "deadline"}
        items.append(Change("pods", "ADDED", p, T0))
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        calls = []
        real = explain._explain
        monkeypatch.setattr(explain, "_explain", lambda *a: calls.append(a) or real(*a))
        await pilot.press("X")
        await settle(pilot)
        assert app.table.index.sort_column == "next" and len(app.table.index) == 600
        assert len(calls) <= 30  # the rows on screen, at most (was every pod)
