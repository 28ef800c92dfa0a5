"""Over a slow link every byte the list writes is latency: a row whose one digit
changed writes that digit, not the row, and the terminal then reads what a full
repaint would show."""

from __future__ import annotations

import contextlib

import re

import pytest
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.strip import Strip

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.ui.cell_writes import changed_spans
from tests.ui.harness import fixture_app, make_app, settle
from tests.ui.test_repaint import T0, pod

_ESCAPE = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z])")


class Terminal:
    """What a terminal shows, cell by cell (character and SGR), after the bytes the app
    sends it, and which cells the writes since reset() reached. Starts as the screen
    is; with `spying`, reads what the app writes next by wrapping App._display (called
    headless too)."""

    def __init__(self, app, spying: bool = True) -> None:
        self.app = app
        width, height = app.size
        self.cells = [[(" ", "")] * width for _ in range(height)]
        self.written: set[tuple[int, int]] = set()  # (y, x)
        for y, strip in enumerate(app.screen._compositor.render_strips()):
            self.feed(f"\x1b[{y + 1};1H" + strip.render(app.console))
        self.reset()
        if spying:
            display = app._display

            def spy(screen, renderable):
                if isinstance(renderable, (ChopsUpdate, LayoutUpdate)):
                    self.feed(renderable.render_segments(app.console))
                return display(screen, renderable)

            app._display = spy

    def reset(self) -> None:
        self.written.clear()

    def feed(self, data: str) -> None:
        x = y = 0
        sgr = ""
        for token in _ESCAPE.split(data):
            if token.startswith("\x1b["):
                params, final = token[2:-1], token[-1]
                if final == "H":
                    row, _, col = params.partition(";")
                    y, x = int(row or 1) - 1, int(col or 1) - 1
                elif final == "m":
                    sgr = "" if params in ("", "0") else params
                continue
            for ch in token:
                if ch == "\n":
                    y, x = y + 1, 0
                elif ch == "\r":
                    x = 0
                else:
                    self.cells[y][x] = (ch, sgr)
                    self.written.add((y, x))
                    x += 1

    def shows(self) -> list[list[tuple[str, str]]]:
        """What a full repaint of the screen would show now, in the same terms: the
        widgets' lines as Textual holds them, the table's worked out afresh (a line the
        table failed to refresh is as stale in Textual's cache as on the terminal)."""
        full = Terminal(self.app, spying=False)
        console = self.app.console
        table = self.app.table
        for y in range(table.size.height if self.app.screen is table.screen else 0):
            full.feed(f"\x1b[{table.region.y + y + 1};{table.region.x + 1}H" + table._line(y).render(console))
        return full.cells

    def row(self, y: int) -> str:
        return "".join(ch for ch, _ in self.cells[y])


def table_rows(app) -> range:
    region = app.table.region
    return range(region.y + 1, region.bottom)  # below the header


def changed(before: list[list[tuple]], after: list[list[tuple]], y: int) -> set[int]:
    return {x for x, (a, b) in enumerate(zip(before[y], after[y])) if a != b}


def hull(cells: set[int]) -> set[int]:
    """The cells from the first to the last of `cells`: what one write of them covers."""
    return set(range(min(cells), max(cells) + 1)) if cells else set()


async def ticks(app, pilot, seconds: int = 1) -> None:
    for _ in range(seconds):
        app.clock.advance(1)
        app.tick()
        await pilot.pause()


@contextlib.asynccontextmanager
async def ticking(size: tuple[int, int]):
    """The fixture's app at `size`, settled and a second on, and a Terminal reading
    what it writes from then."""
    app = fixture_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await ticks(app, pilot)
        yield app, pilot, Terminal(app)


async def each_second(app, pilot, term: Terminal, seconds: int = 3):
    """(the screen before, after) each of `seconds` ticks, what was written in between
    in `term`; each time the terminal reads what a full repaint shows."""
    for _ in range(seconds):
        before = term.shows()
        term.reset()
        await ticks(app, pilot)
        after = term.shows()
        assert term.cells == after  # the terminal reads what a full repaint shows
        yield before, after


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_each_second_the_list_writes_the_cells_that_changed_not_their_rows(size):
    async with ticking(size) as (app, pilot, term):
        async for before, after in each_second(app, pilot, term):
            moved = 0
            for y in table_rows(app):
                sent = {x for row, x in term.written if row == y}
                diff = changed(before, after, y)
                # AGE 2m30s -> 2m31s, "SIGKILL 18s" -> 17s: a digit or two, not the row
                assert sent <= hull(diff), (y, term.row(y))
                moved += bool(diff)
            assert moved >= 5  # the ages and countdowns did move
            table_sent = sum(1 for row, _ in term.written if row in table_rows(app))
            assert table_sent <= 8 * moved, table_sent  # was every cell of each such row


async def test_a_pod_change_writes_the_cells_it_changed_in_its_row():
    items = [Change("pods", "ADDED", pod(i), T0) for i in range(20)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        term = Terminal(app)
        before = term.shows()
        changed_pod = pod(3, ready=False)  # READY 1/1 -> 0/1
        changed_pod["metadata"]["resourceVersion"] = "2"
        app.feed._queue.put(Change("pods", "MODIFIED", changed_pod, T0))
        app.drain()
        await pilot.pause()
        after = term.shows()
        assert term.cells == after
        y = app.table.region.y + 1 + 3
        assert "0/1" in term.row(y)
        rows = {row for row, _ in term.written}
        assert rows <= {y, 0}  # its row (and the bar, for its count of kinds)
        assert {x for row, x in term.written if row == y} <= hull(changed(before, after, y))


def test_changed_spans_are_the_runs_of_cells_that_differ_in_text_or_style():
    red, blue = Style(color="red"), Style(color="blue")
    old = Strip([Segment("web-1  1/1  Running  5m    ", red)])
    assert changed_spans(old, old) == []
    assert changed_spans(old, Strip([Segment("web-1  0/1  Running  5m    ", red)])) == [(7, 8)]
    # a look changed, not the text: those cells
    assert changed_spans(old, Strip([Segment("web-1  1/1  ", red), Segment("Running", blue),
                                     Segment("  5m    ", red)])) == [(12, 19)]
    # two changes close together are one write, far apart two
    assert changed_spans(old, Strip([Segment("web-1  0/2  Running  5m    ", red)])) == [(7, 10)]
    assert changed_spans(old, Strip([Segment("web-2  1/1  Running  6m    ", red)])) == [(4, 5), (21, 22)]
    # not comparable cell by cell: None (the whole line)
    assert changed_spans(old, Strip([Segment("web-1", red)])) is None
    assert changed_spans(old, Strip([Segment("wéb-1  1/1  Running  5m    ", red)])) == [(1, 2)]  # one cell
    wide = Strip([Segment("网" + old.text[2:], red)])  # as wide as the old, a character two cells wide
    assert wide.cell_length == old.cell_length and changed_spans(old, wide) is None


def restarts_pod(i: int, restarts: int) -> dict:
    p = pod(i)
    p["status"]["containerStatuses"][0]["restartCount"] = restarts
    p["metadata"]["resourceVersion"] = str(restarts + 1)
    return p


@pytest.fixture
def by_restarts():
    """Twenty pods sorted by RESTARTS (most first), timers off: each test pumps as the
    live app does, ten times a second."""
    items = [Change("pods", "ADDED", restarts_pod(i, i), T0) for i in range(20)]
    return make_app(items, ManualClock(T0))


async def sorted_by_restarts(pilot, *keys: str) -> None:
    await settle(pilot)
    await pilot.press("T", *keys)
    await settle(pilot)


async def restarted(app, pilot, i: int, restarts: int) -> None:
    """0.1 s on, pod i has restarted: applied as the live app's pump does, ten times a
    second (the table ticked as the clock's second turns)."""
    app.clock.advance(0.1)
    app.feed._queue.put(Change("pods", "MODIFIED", restarts_pod(i, restarts), app.clock.time()))
    app.pump()
    await pilot.pause()


def shown(app) -> list[str]:
    return app.table.index.uids(0, len(app.table.index))


async def test_a_changing_order_is_resorted_once_a_second_as_the_second_turns(by_restarts):
    app = by_restarts
    async with app.run_test(size=(120, 30)) as pilot:
        await sorted_by_restarts(pilot, "g")  # the cursor on the top row, wherever the pods go
        assert shown(app)[:2] == ["uid-19", "uid-18"]
        term = Terminal(app)
        orders = [shown(app)]
        resorts = []  # (the clock's second before, after) of each pump that re-sorted
        for step in range(40):  # four seconds: a pod jumps to the top each pump
            term.reset()
            second = int(app.clock.time())
            await restarted(app, pilot, step % 20, 21 + step)
            if shown(app) != orders[-1]:
                orders.append(shown(app))
                resorts.append((second, int(app.clock.time())))
            if int(app.clock.time()) != second:
                assert term.cells == term.shows()  # the rows and their order, as they are now
            else:  # the list as it was: a snapshot a second, not a row at a time
                assert not any(y in table_rows(app) for y, _ in term.written), step
        # At most one re-sort per second of the clock, as it turns: was one per pump (40)
        assert 3 <= len(resorts) <= 5, resorts
        assert all(before != after for before, after in resorts[1:]), resorts
        assert len({after for _, after in resorts}) == len(resorts)
        await ticks(app, pilot)
        assert shown(app) == sorted(shown(app), key=lambda u: -app.store.pods[u].row.restarts)
        assert term.cells == term.shows()


async def test_a_resort_writes_only_the_rows_whose_pod_changed_place(by_restarts):
    app = by_restarts
    async with app.run_test(size=(120, 30)) as pilot:
        await sorted_by_restarts(pilot, "g")  # the cursor on the top pod, which stays there
        await ticks(app, pilot)
        term = Terminal(app)
        before = shown(app)
        # uid-5 (5 restarts) overtakes uid-6 and uid-7: three rows change pod, not the rest
        await restarted(app, pilot, 5, 7)
        await ticks(app, pilot)
        assert term.cells == term.shows()
        after = shown(app)
        places = {i for i, (a, b) in enumerate(zip(before, after)) if a != b}
        assert len(places) == 3
        top = app.table.region.y + 1
        rows = {y - top for y, _ in term.written if y >= top}
        assert rows <= places, rows


async def test_the_selected_pod_stays_selected_across_resorts(by_restarts):
    app = by_restarts
    async with app.run_test(size=(120, 30)) as pilot:
        await sorted_by_restarts(pilot, "g", "j", "j", "j")  # uid-16
        assert app.table.cursor_uid == "uid-16"
        places = set()
        for step in range(30):
            i = (0, 1, 2, 16)[step % 4]  # three pods overtake it, and it overtakes them
            await restarted(app, pilot, i, 21 + step)
            table = app.table
            assert table.cursor_uid == "uid-16" and not table.held
            assert table.index.uid_at(table.cursor) == "uid-16"  # its row is the one drawn as the cursor
            places.add(table.cursor)
        assert len(places) > 1  # it did move


async def test_a_replay_moves_rows_at_once(by_restarts):
    from tests.ui.test_replay_ui import replay_app

    replay, _feed, _wall = replay_app()
    assert replay.table.moves_wait is False  # from the start, not from when its screen mounts
    async with replay.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert replay.table.moves_wait is False  # a step's change is what the user asked to see
    app = by_restarts
    async with app.run_test(size=(120, 30)) as pilot:
        await sorted_by_restarts(pilot)
        assert app.table.moves_wait is True  # live: rows wait for the second to turn
        await ticks(app, pilot)
        app.table.moves_wait = False  # as in a replay
        for step, count in enumerate((30, 31, 32)):
            await restarted(app, pilot, step, count)
            assert shown(app)[0] == f"uid-{step}"  # at once, not as the second turns


async def test_the_terminal_reads_the_list_after_scrolls_sideways_moves_and_a_detail():
    # AGE 100s to 149s, NEXT's countdown in the first row: the columns, as wide as what
    # they have drawn, stay put as the list scrolls
    items = [Change("pods", "ADDED", pod(i, created=T0 - 100 - i % 50), T0) for i in range(1, 200)]
    items.append(Change("pods", "ADDED", pod(0, created=T0 - 100, deleting_at=T0 + 40), T0))
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        term = Terminal(app)
        header = app.table.region.y
        for keys in (["j"] * 25, ["pagedown"], ["G"], ["g"], ["w", "l"], ["l"], ["h", "h"], ["enter"], ["escape"]):
            term.reset()
            await pilot.press(*keys)
            await ticks(app, pilot)
            assert term.cells == term.shows(), keys
            if keys[0] in ("j", "pagedown", "G", "g"):
                # Scrolled, the header stays as it was: not written again (its scrollbar cell is)
                assert not any(y == header and x < app.table._row_width() for y, x in term.written), keys


async def test_a_row_that_changed_again_before_it_was_drawn_is_written_whole():
    # The cells to write are chosen against the row as worked out then; drawn a second
    # later, the row has other digits too, and all of it is written.
    items = [Change("pods", "ADDED", pod(i, created=T0 - 100), T0) for i in range(3)]
    app = make_app(items, ManualClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        term = Terminal(app)
        app.clock.advance(1)
        app.tick()  # AGE 101s: its last digit to write
        app.clock.advance(9)  # 110s by the time it is drawn
        await pilot.pause()
        await pilot.pause()
        assert term.cells == term.shows()
        assert "110s" in term.row(app.table.region.y + 1)
