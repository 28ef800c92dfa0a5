"""The pod table: a virtualised Line-API widget, built for tens of thousands of pods.

Textual's DataTable repaints everything on any change; this table renders only the
lines on screen (render_line), caches each rendered line by pod uid and version (plus
the clock-driven cells: AGE, RESTARTS' "ago", NEXT), and on a change refreshes, of the
lines that show a changed pod, only the cells that differ from what was drawn there
(cell_writes.changed_spans): a countdown writes its digit, not its row. A change that moves nothing
on screen writes nothing to the terminal. Rows move at most once a second while pods
keep changing place (see apply_dirty). Line 0 is the header and stays put while the
rows scroll under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from podtui.clock import Clock
from podtui.lifecycle.columns import format_age, format_restarts
from podtui.lifecycle.duration import whole_second
from podtui.lifecycle.termination import removed_on_relist
from podtui.ui.cell_writes import changed_spans
from podtui.ui.lifecycle_colours import next_colour, status_colour
from podtui.ui.next_text import DURATION_CELLS, NARROW, compact, countdown_cells, planned_width, short_wording
from podtui.ui.pod_index import SORT_COLUMNS, IndexUpdate, PodIndex, table_status
from podtui.ui.scrollbar import thumb_cells, use_whole_cell_scrollbars
from podtui.ui.table_layout import Layout, layout_columns
from podtui.ui.themes import LIFECYCLE_FALLBACKS

NextStepFn = Callable[[Any, float], Any]  # (record, now) -> NextStep | None; must not raise
NextDueFn = Callable[[Any, float], "float | None"]  # (record, now) -> that step's due_at; must not raise

_STATIC_COLUMNS = ("namespace", "name", "ready", "status", "ip", "node", "nominated_node", "readiness_gates")
_DYNAMIC_COLUMNS = ("age", "restarts", "next", "restarts:compact", "next:compact")  # see table_layout.COMPACT
_NOT_COUNTED_STATIC = (None,) * len(_STATIC_COLUMNS)
_NOT_COUNTED_DYNAMIC = (None,) * len(_DYNAMIC_COLUMNS)
_ELLIPSIS = "…"
# Seconds a column's widest value must stay narrower before the column narrows, when
# the rows shown are the same pods (a pod's NEXT or STATUS changed): NAME lost and won
# back a cell every second or two at 80 columns as the demo's pods flipped state.
NARROW_AFTER = 30.0


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut `text` to exactly `width` cells, cutting with an ellipsis."""
    if width <= 0:
        return ""
    if text.isascii():
        n = len(text)
        if n <= width:
            return text.rjust(width) if right else text.ljust(width)
        return text[: width - 1] + _ELLIPSIS
    if cell_len(text) <= width:
        pad = width - cell_len(text)
        return " " * pad + text if right else text + " " * pad
    return set_cell_size(text, width - 1) + _ELLIPSIS


def cut_middle(text: str, width: int) -> str:
    """A name too long for its column, cut in the middle: pods of one ReplicaSet differ
    only in their last characters (web-7d4b9c8f6d-x2x7q), which an end cut removes."""
    if width < 5 or len(text) <= width or not text.isascii():
        return text
    tail = width // 2
    return text[: width - 1 - tail] + _ELLIPSIS + text[len(text) - tail:]


def without_ago(text: str) -> str:
    """RESTARTS' compact form (table_layout.COMPACT): "7 (4m14s ago)" as "7 (4m14s)"."""
    return text[:-5] + ")" if text.endswith(" ago)") else text


def compact_restarts(text: str, width: int) -> str:
    """kubectl's "7 (4m14s ago)" as "7 (4m14s)" when the column is too narrow for it
    (the pod table decides per column: Layout.compact), and the count alone when even
    that is: an ellipsis would cut the time to another ("7 (4m1…")."""
    if len(text) > width:
        text = without_ago(text)
    if len(text) > width and " (" in text:
        text = text[: text.index(" (")]
    return text


_TWO_UNITS = re.compile(r"\((\d+[a-z])\d+[a-z]\)$")


def coarse_restarts(text: str) -> str:
    """RESTARTS' coarse form (table_layout.COARSE): "2 (2m15s)" as "2 (2m)", rounded
    down as elapsed times are; "6 (65s)" stays."""
    return _TWO_UNITS.sub(r"(\1)", without_ago(text))


# The countdown or count a NEXT step ends in: "3m55s", "18s", "~2/3", "2m19s ago".
_COUNT = re.compile(r"(?:^| )(~?\d\S*(?: ago)?)$")


def keep_count(text: str, width: int) -> str:
    """A NEXT step still too long in its shorter wording (next_text.compact): its words
    cut, not the countdown they end in, which is what NEXT is read for ("restart in
    3m55s" in 13 cells: "restart 3m55s"; in 10: "res… 3m55s"; in 6: "3m55s"). A count
    that doesn't fit alone is left out ("…"): cut, it would read as another number."""
    if len(text) <= width or not text.isascii():
        return text
    m = _COUNT.search(text)
    if m is None:
        return text
    head, count = text[: m.start()].removesuffix(" in"), m.group(1)
    room = width - len(count) - 1
    if head and len(head) <= room:
        return f"{head} {count}"
    if room >= 3:
        return f"{head[: room - 1]}{_ELLIPSIS} {count}"
    return count if len(count) <= width else _ELLIPSIS


def _clean(value: object) -> str:
    """A cell must be one line of printable text whatever the object holds."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text


def _blank(strip: Strip) -> Strip:
    """The strip's cells as spaces, each keeping its style (its background)."""
    return Strip([Segment(" " * seg.cell_length, seg.style) for seg in strip], strip.cell_length)


_OWN_BACKGROUND = {"header", "header-sorted", "cursor"}


class PodTable(ScrollView, can_focus=True):
    """Pods in kubectl's columns plus NEXT; `records` is the store's uid -> PodRecord."""

    # priority, as the list's enter, d, y, x: those run when the app reads the key, so
    # a move read in the same burst ("j j enter") must too, or it lands after them
    # and the pod opened is the one the cursor was on before.
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, priority=True),
        Binding("down,j", "cursor_down", "Down", show=False, priority=True),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, priority=True),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, priority=True),
        Binding("home,g", "first", "First pod", show=False, priority=True),
        Binding("end,G", "last", "Last pod", show=False, priority=True),
        Binding("left,h", "scroll_columns(-1)", "Columns left", show=False, priority=True,
                tooltip="Columns left (wide columns on a narrow terminal)"),
        Binding("right,l", "scroll_columns(1)", "Columns right", show=False, priority=True,
                tooltip="Columns right (wide columns on a narrow terminal)"),
    ]

    COMPONENT_CLASSES = {
        "pod-table--header",
        "pod-table--header-sorted",
        "pod-table--cursor",
        "pod-table--none",
        "pod-table--faded",
        "pod-table--stale",
        *(f"pod-table--{name}" for name in LIFECYCLE_FALLBACKS),
    }

    DEFAULT_CSS = """
    PodTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* the columns are laid out for a width that doesn't change with the pod count */
        height: 1fr;
    }
    /* $foreground, not $text: an "auto" colour, which a component style resolves as white */
    PodTable > .pod-table--header { color: $foreground; background: $panel; text-style: bold; }
    PodTable > .pod-table--header-sorted { color: $text-accent; background: $panel; text-style: bold; }
    PodTable > .pod-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    PodTable:focus > .pod-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    PodTable > .pod-table--none { color: $foreground-muted; }
    PodTable > .pod-table--faded { text-style: dim; }
    /* NEXT on stale data: muted and dim, as $foreground-muted alone is the text's colour in some themes */
    PodTable > .pod-table--stale { color: $foreground-muted; text-style: dim; }
    """ + "\n".join(f"PodTable > .pod-table--{name} {{ color: ${name}; }}" for name in LIFECYCLE_FALLBACKS)

    class Opened(Message):
        """Enter (or a double click) on a pod."""

        def __init__(self, uid: str) -> None:
            super().__init__()
            self.uid = uid

    class CursorMoved(Message):
        """The selected pod changed, or it was hidden or shown again (`held`)."""

        def __init__(self, uid: str | None, held: bool = False) -> None:
            super().__init__()
            self.uid = uid
            self.held = held

    class SortChanged(Message):
        def __init__(self, column: str, descending: bool) -> None:
            super().__init__()
            self.column = column
            self.descending = descending

    def __init__(self, clock: Clock, next_step: NextStepFn, next_due: NextDueFn, *, tombstone_ttl: float = 300.0,
                 moves_wait: bool = True, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock
        self._next_step = next_step
        # A NEXT sort keys every pod by its due time alone: not by next_step, which words
        # each ended pod by asking explain (0.4 s over 10,000 Failed pods).
        self._due = next_due
        self.tombstone_ttl = tombstone_ttl
        self.records: Mapping[str, Any] = {}
        self.index = PodIndex(next_due=self._next_due)
        self.cursor = 0
        self.cursor_uid: str | None = None
        # The selected pod (cursor_uid) is in the store but not shown: a change of it
        # put it out of the filter (a crash-looping pod Running for a few seconds of
        # each restart, under /!Running). It stays selected, no row is drawn as the
        # cursor, and it is selected again when it is shown; the keys act on it, not
        # on the pod that took its row. `cursor` is then where its row was.
        self.held = False
        # Until the user moves, the cursor stays on the top row (as pods stream in
        # during the initial list); after that it stays on the pod they chose.
        self.user_moved = False
        # The pod to select once it shows up again, after a new store (namespace switch,
        # replay seek) threw the index away: the same pod comes back with the same uid.
        self._wanted_uid: str | None = None
        self.show_namespace = True
        self.wide: bool | None = None
        # Column widths follow the pods shown now (filter passed, tombstones included),
        # as k9s sizes to its rows: per column, how many shown pods have each width of
        # value, kept up to date per changed pod, so the widest is a max over a few
        # dozen widths, never a walk over the pods. _content is what the layout was
        # given: it grows at once, and narrows on the tick or a keypress (_fit_shown).
        self._content: dict[str, int] = {}
        self._counts: dict[str, dict[int, int]] = {key: {} for key in _STATIC_COLUMNS + _DYNAMIC_COLUMNS}
        self._counted: dict[str, tuple] = {}  # uid -> its static cells' widths, as counted
        # uid -> (version, the widest AGE / RESTARTS / NEXT drawn for that version): a
        # countdown that loses a digit each second must not narrow the column each second.
        self._counted_dynamic: dict[str, tuple[int, tuple]] = {}
        self._narrower: set[str] = set()  # columns whose widest value may have gone
        # Columns whose widest value changed to a narrower one, and since when: they
        # narrow after NARROW_AFTER, not at once (see there).
        self._narrower_since: dict[str, float] = {}
        # Per column, the pods whose widest value went narrower (_shrunk: waiting out
        # NARROW_AFTER; _narrowed: the column narrowed so), and the columns one of those
        # pods had to widen again: a pod cycling through its states (the demo's
        # liveness-fail alone under /liveness, a restart every ~40 s) moved its row
        # sideways each cycle. Those hold their width until the view changes (filter,
        # sort, namespace: _fit_shown at_once); another pod's one-off long value doesn't.
        self._shrunk: dict[str, set[str]] = {}
        self._narrowed: dict[str, set[str]] = {}
        self._regrown: set[str] = set()
        self._layout: Layout | None = None
        self._layout_room = 0  # the row width _layout was made for (a sideways layout is wider)
        self._layout_gen = 0
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._static_cells: dict[str, tuple[int, tuple]] = {}  # uid -> (version, cells)
        self._shown_dynamic: dict[str, tuple] = {}  # uid -> clock-driven cells last counted (drawn, or by tick)
        # uid -> (version, second, cells): the clock-driven cells worked out for a pod's
        # version in a second (by the tick, or as drawn), drawn from again in that second:
        # NEXT asks the model, not twice a second for one row. Each tick keeps the
        # visible rows' only.
        self._worked_out: dict[str, tuple[int, int, tuple]] = {}
        # The widget's lines as the terminal shows them (the strip last drawn on each), and
        # the strip a refresh of some of a line's cells expects to draw there (_repaint).
        self._drawn: dict[int, Strip] = {}
        self._expected: dict[int, Strip] = {}
        # Rows move at most once a second while pods keep changing place (apply_dirty):
        # the pods changed since rows last moved, placed as the clock's second turns.
        self._unsorted: set[str] = set()
        self._moved_at: float | None = None  # the clock's time when rows last moved
        # Whether moves may wait for the second to turn. Not in a replay (the app says): a
        # step's change is what the user asked to see, and a replay paused within a
        # second would keep the moves it held back (the table ticks as its clock turns).
        self.moves_wait = moves_wait
        self._countdowns: dict[str, tuple[int, int]] = {}  # uid -> (version, cells planned for its NEXT countdown)
        self._styles: dict[str, Style] | None = None
        self._relayout_pending = False
        self.lines_rendered = 0  # for tests and benchmarks: render_line calls that built a strip
        self.empty_text = ""  # what the first row says while no pod is shown (set_empty_text)
        self.x_offset = 0  # cells scrolled sideways: only when the layout is wider than the table
        # The data is old (the bar says "data 12s old"): NEXT's countdowns still run, but
        # on what was true then; muted, they read as estimates (set_stale).
        self.stale = False

    # ------------------------------------------------------------------ data in
    def set_records(self, records: Mapping[str, Any]) -> None:
        """A new store (start, namespace switch, replay seek): rebuild everything.

        The cursor goes back to the top row until the pod that was selected shows up
        again: following whichever pod of the new list came first would carry the
        cursor off to where that pod sorts."""
        if self.user_moved and self.cursor_uid is not None:
            self._wanted_uid = self.cursor_uid
        self.user_moved = False
        self.records = records
        self._static_cells.clear()
        self._content.clear()
        for counts in self._counts.values():
            counts.clear()
        self._counted.clear()
        self._counted_dynamic.clear()
        self._worked_out.clear()
        self._unsorted.clear()
        self._countdowns.clear()
        self._narrower.clear()
        self._narrower_since.clear()
        self._shrunk.clear()
        self._narrowed.clear()
        self._regrown.clear()
        self.index.rebuild(records)
        self._rebuild(shown=self.index.visible())  # widths start over: measure every pod
        self._follow_cursor()  # the selected pod may be there already (a replay's rebuilt store)

    def apply_dirty(self, dirty: Iterable[str]) -> IndexUpdate:
        """Pods changed in the store: move what moved, repaint only what shows them.

        Rows move at most once a second while pods keep changing place: once rows moved
        in a second of the clock, the pods changed later in it are placed, and their rows
        repainted, as it turns (tick), with the clock's cells; a pod gone from the store
        leaves at once. The list is then a snapshot a second, its order and its rows
        agreeing. Sorted by NEXT over a churning cluster the order changed with every pump,
        the whole table redrawn ten times a second (3,000 pods at 200x50: 158 to 189 KB/s),
        unreadable and, over a slow link, keys 17 to 60 s late."""
        dirty = set(dirty)
        if self._moves_wait():
            waiting = {uid for uid in dirty if uid in self.records}
            self._unsorted |= waiting
            dirty -= waiting
        elif self._unsorted:
            dirty |= self._unsorted
            self._unsorted.clear()
        update, lines = self._place(dirty)
        if lines is not None:
            self._repaint(lines)
        return update

    def _place_unsorted(self) -> list[int] | None:
        """Place the pods that waited for the second to turn (see apply_dirty); also
        before a re-sort, filter or namespace keeps the keys of the pods shown. Returns
        the lines to repaint, as _place."""
        if not self._unsorted:
            return []
        unsorted, self._unsorted = self._unsorted, set()
        return self._place(unsorted)[1]

    def _moves_wait(self) -> bool:
        """Whether rows moved already in this second of the clock, which has moved on
        since: moves then wait for it to turn. A clock that stands still (a test's) is
        never waited for."""
        moved = self._moved_at
        if moved is None or not self.moves_wait:
            return False
        now = self.clock.time()
        return now != moved and whole_second(now) == whole_second(moved)

    def _place(self, dirty: set[str]) -> tuple[IndexUpdate, list[int] | None]:
        """Place the changed pods in the list. Returns the update and the widget's lines
        that show what changed, to repaint; None if all of them are repainted anyway (a
        relayout to come, or the table scrolled to keep the selected pod in its row)."""
        before = len(self.index)
        update = self.index.update(self.records, dirty) if dirty else IndexUpdate()
        if update.moved:
            self._moved_at = self.clock.time()
        for uid in dirty:
            if uid not in self.records:  # deleted or expired: forget what was cached for it
                self._static_cells.pop(uid, None)
                self._shown_dynamic.pop(uid, None)
                self._countdowns.pop(uid, None)
            if not self.index.shows(uid):
                self._uncount(uid)
        for uid in update.changed:
            self._measure_static(uid)
        count_changed = len(self.index) != before
        if count_changed:
            self._set_virtual_size()
        cursor, top = self.cursor, int(self.scroll_y)
        self._follow_cursor()
        if self._relayout_pending or int(self.scroll_y) != top:  # scrolled: see watch_scroll_y
            return update, None
        lines = self._lines_of(update.changed)
        if self.cursor != cursor:  # the cursor's row before and after (the top row's, before the user moved)
            lines += self._lines_at((cursor, self.cursor))
        rows = self._visible_rows()
        if update.moved and update.first_moved is not None and update.first_moved < top + rows:
            lines += range(max(0, update.first_moved - top) + 1, rows + 1)  # the rows below moved
        return update, lines

    def _lines_of(self, uids: Iterable[str]) -> list[int]:
        """The widget's lines that show these pods, if on screen."""
        return self._lines_at(self.index.position(uid) for uid in uids)

    def _lines_at(self, positions: Iterable[int | None]) -> list[int]:
        """The widget's lines of these positions in the list, if on screen."""
        top = int(self.scroll_y)
        rows = self._visible_rows()
        return [pos - top + 1 for pos in positions if pos is not None and top <= pos < top + rows]

    def tick(self) -> int:
        """The clock moved: place the pods that waited for the second to turn, and
        repaint visible rows whose AGE / RESTARTS / NEXT text changed.

        Returns how many rows' times changed.
        """
        now = self.clock.time()
        moved: list[int] | None = []
        if self._moved_at is None or whole_second(now) != whole_second(self._moved_at):
            moved = self._place_unsorted()
        second = whole_second(now)
        top = int(self.scroll_y)
        lines = []
        # Every visible row's, changed or not: a row the re-sort or a change repaints in
        # this second is drawn from it, not worked out again; nor is one the pump's tick
        # worked out as this second turned (live, the interval's tick follows in it).
        previous, self._worked_out = self._worked_out, {}
        worked_out = self._worked_out
        for offset, uid in enumerate(self.index.uids(top, top + self._visible_rows())):
            record = self.records.get(uid)
            if record is None:
                continue
            done = previous.get(uid)
            if done is not None and done[0] == record.version and done[1] == second:
                dynamic = done[2]
            else:
                dynamic = self._dynamic_cells(record, now)
            worked_out[uid] = (record.version, second, dynamic)
            if dynamic != self._shown_dynamic.get(uid):
                # Counted here, render_line need not count it again: the line it draws is
                # keyed by these cells, so it can't draw an older row under them.
                self._shown_dynamic[uid] = dynamic
                self._count_dynamic(uid, record.version, dynamic)
                lines.append(offset + 1)
        # Narrowing waits for the tick: once a second at most, and only when a column's
        # widest shown value went (a pod deleted, expired, filtered out or changed).
        if self._fit_shown():
            self._relayout()
            return len(lines)
        self._repaint((moved or []) + lines)
        return len(lines)

    # ------------------------------------------------------------------ settings
    def sort_by(self, column: str, descending: bool | None = None) -> None:
        """Sort by `column`; the same column again flips the direction (as in k9s)."""
        if column not in SORT_COLUMNS:
            return
        self._place_unsorted()
        if descending is None:
            if column == self.index.sort_column:
                descending = not self.index.descending
            else:
                descending = SORT_COLUMNS[column]
        if self.index.set_sort(column, descending):
            self._rebuild(keep_cursor=True, shown=self.index.rebuild(self.records))
        else:
            self._rebuild(keep_cursor=True)  # reversed: the same keys read from the other end
        self.post_message(self.SortChanged(column, descending))

    def shows_column(self, key: str) -> bool:
        """Whether the layout has the column (on screen, or scrolled to sideways)."""
        return any(column.key == key for column, _, _ in self._current_layout().columns)

    def set_filter(self, text: str) -> None:
        # A selected pod the filter hides gives way to the first match, as in k9s:
        # "/name⏎⏎" opens what was typed, wherever the cursor was.
        self._place_unsorted()
        self._rebuild(keep_cursor=True, else_top=True, shown=self.index.refilter(self.records, text))

    def set_empty_text(self, text: str) -> None:
        if text != self.empty_text:
            self.empty_text = text
            if not len(self.index):
                self.refresh()

    def set_stale(self, stale: bool) -> None:
        """NEXT muted while the data is stale; the rows repaint once when that changes
        (the flag is in the line cache's key), not at every tick."""
        if stale != self.stale:
            self.stale = stale
            self.refresh()

    def set_namespace(self, namespace: str | None) -> None:
        self._place_unsorted()
        self.index.set_namespace(namespace)
        # A pod of another namespace was selected: the top, as a new list would have it.
        self._rebuild(keep_cursor=True, else_top=True, shown=self.index.rebuild(self.records, keep_keys=True))

    def set_show_namespace(self, show: bool) -> None:
        if show != self.show_namespace:
            self.show_namespace = show
            self._relayout()

    def toggle_wide(self) -> None:
        layout = self._current_layout()
        showing = any(c.wide for c, _, _ in layout.columns)
        # Back to "when they fit" once `w` asks for what that gives at this width: `w w`
        # at 200 columns (no change to see) kept them forced on after a resize to 80.
        fits = any(c.wide for c, _, _ in layout_columns(self._row_width(), self._content, namespace=self.show_namespace,
                                                         wide=None).columns)
        self.wide = None if fits != showing else not showing
        self.x_offset = 0
        self._relayout()

    # ------------------------------------------------------------------ cursor
    @property
    def visible_count(self) -> int:
        return len(self.index)

    @property
    def shown_deleted(self) -> int:
        """Tombstones among the pods shown: all the namespace's unless a filter hides some."""
        return self.index.shown_deleted

    def move_cursor(self, position: int) -> None:
        self.user_moved = True
        self._wanted_uid = None
        n = len(self.index)
        if n == 0:
            if not self.held:  # a held pod stays held: nothing to move to instead
                self._set_cursor(0, None)
            return
        position = max(0, min(n - 1, position))
        old = self.cursor
        self._set_cursor(position, self.index.uid_at(position))
        rows = self._visible_rows()
        top = int(self.scroll_y)
        if position < top:
            self.scroll_to(y=position, animate=False, immediate=True)
        elif position >= top + rows:
            self.scroll_to(y=position - rows + 1, animate=False, immediate=True)
        if old != position:
            self.refresh_line(old + 1)
        self.refresh_line(position + 1)

    def select_uid(self, uid: str) -> bool:
        pos = self.index.position(uid)
        if pos is None:
            return False
        self.move_cursor(pos)
        return True

    def select_pod(self, uid: str) -> None:
        """The pod the user was looking at (a detail's, on Esc): its row if shown, else
        held as the selection until it is (see `held`)."""
        if self.select_uid(uid) or uid not in self.records:
            return
        self.user_moved = True
        self._wanted_uid = None
        self._set_cursor(min(self.cursor, len(self.index)), uid, held=True)

    def _set_cursor(self, position: int, uid: str | None, held: bool = False) -> None:
        changed = uid != self.cursor_uid or held != self.held
        if held != self.held:  # the cursor's row is drawn, or no longer
            self.refresh_line(self.cursor + 1)
            self.refresh_line(position + 1)
        self.cursor = position
        self.cursor_uid = uid
        self.held = held
        if changed:
            self.post_message(self.CursorMoved(uid, held))

    def _hold(self, uid: str | None) -> bool:
        """Whether the selected pod, not shown, stays selected: it is still in the
        store (a pod gone from it gives way to the row in its place, as shown)."""
        return uid is not None and self.user_moved and uid in self.records and not self.index.shows(uid)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        # Held: `cursor` is the row after where the held pod's was
        self.move_cursor(self.cursor if self.held else self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self._visible_rows() - 1))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self._visible_rows() - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.index) - 1)

    def action_scroll_columns(self, direction: int) -> None:
        """A column at a time sideways, when the row is wider than the table (`w`)."""
        layout = self._current_layout()
        room = self._row_width()
        if layout.width <= room:
            return
        pinned = self._pinned(layout, room)
        end = layout.width - room  # the last offset: the row's end at the table's edge
        # From the gap before a column: the header's "←" goes there, not over the
        # title's first letter ("←AME", "←EADY").
        starts = [max(0, x - pinned - 1) for _, x, _ in layout.columns if pinned < x <= end + pinned] + [end]
        if direction > 0:
            later = [x for x in starts if x > self.x_offset]
            offset = min(later) if later else self.x_offset
        else:
            earlier = [x for x in starts if x < self.x_offset]
            offset = max(earlier) if earlier else 0
        if offset != self.x_offset:
            self.x_offset = offset
            self.refresh()

    @staticmethod
    def _pinned(layout: Layout, room: int) -> int:
        """Cells on the left that stay when a row scrolls sideways: NAMESPACE and NAME,
        which say whose row it is (as k9s keeps the name), if they take at most half."""
        for column, x, w in layout.columns:
            if column.key == "name":
                return x + w if x + w <= room // 2 else 0
        return 0

    def _scrolled(self, layout: Layout, room: int) -> tuple[int, int]:
        """(pinned cells, offset of the rest) as drawn: the offset kept within the row."""
        return self._pinned(layout, room), max(0, min(self.x_offset, layout.width - room))

    def action_open(self) -> None:
        if self.cursor_uid is not None:
            self.post_message(self.Opened(self.cursor_uid))

    def on_click(self, event: events.Click) -> None:
        y = event.y
        if y == 0:
            layout = self._current_layout()
            pinned, start = self._scrolled(layout, self._row_width()) if layout.width > self._row_width() else (0, 0)
            column = layout.column_at(event.x if event.x < pinned else event.x + start)
            if column is not None and column.key in SORT_COLUMNS:
                self.sort_by(column.key)
            return
        position = int(self.scroll_y) + y - 1
        if 0 <= position < len(self.index):
            # A held pod's row is not drawn as the cursor: a click on the row in its
            # place chooses that pod, it does not open it.
            again = position == self.cursor and not self.held
            self.move_cursor(position)
            if again or event.chain >= 2:
                self.action_open()

    # ------------------------------------------------------------------ internals
    def _next_due(self, record: Any) -> float | None:
        return self._due(record, self.clock.time())

    def _rebuild(self, keep_cursor: bool = False, else_top: bool = False, shown: Iterable[str] = ()) -> None:
        """After the index was rebuilt or reordered: place the cursor, repaint. `shown`:
        the pods that came into view, whose widths the columns have not yet seen (a
        pod shown all along was measured as it changed, in apply_dirty)."""
        uid = self.cursor_uid if keep_cursor else None
        if len(self.index):  # every row moved: the next moves wait for the second to turn
            self._moved_at = self.clock.time()
        self._shown_dynamic.clear()
        shows = self.index.shows
        for hidden in [u for u in self._counted.keys() | self._counted_dynamic.keys() if not shows(u)]:
            self._uncount(hidden)
        for visible in shown:
            self._measure_static(visible)
        self._fit_shown(at_once=True)  # other pods shown: the relayout below repaints anyway
        self._set_virtual_size()
        pos = self.index.position(uid) if uid is not None else None
        if pos is None and keep_cursor and not else_top and self._hold(uid):
            pos = min(self.cursor, len(self.index))  # re-sorted while hidden: still held
            self._set_cursor(pos, uid, held=True)
        else:
            if pos is None:
                pos = min(self.cursor, max(0, len(self.index) - 1)) if keep_cursor and not else_top else 0
            self._set_cursor(pos, self.index.uid_at(pos))
        self._relayout()
        self._into_view(pos)

    def _into_view(self, pos: int) -> bool:
        """Scroll row `pos` to the middle if it is out of view; whether it scrolled."""
        rows = self._visible_rows()
        top = int(self.scroll_y)
        if top <= pos < top + rows:
            return False
        self.scroll_to(y=max(0, pos - rows // 2), animate=False, immediate=True)
        return True

    def _follow_cursor(self) -> bool:
        """Keep the selected pod selected, at the same screen row if it moved."""
        n = len(self.index)
        if not self.user_moved:
            wanted = self._wanted_uid
            pos = self.index.position(wanted) if wanted is not None else None
            if pos is None:
                self._set_cursor(0, self.index.uid_at(0))
                return False
            self._wanted_uid = None
            self.user_moved = True
            self._set_cursor(pos, wanted)
            return self._into_view(pos)
        pos = self.index.position(self.cursor_uid) if self.cursor_uid is not None else None
        if pos is None:
            if self._hold(self.cursor_uid):
                self._set_cursor(min(self.cursor, n), self.cursor_uid, held=True)
                return False
            pos = min(self.cursor, max(0, n - 1))
            self._set_cursor(pos, self.index.uid_at(pos))
            return False
        if self.held:  # shown again: the cursor goes back to it, where it now is
            self._set_cursor(pos, self.cursor_uid)
            return self._into_view(pos)
        if pos == self.cursor:
            return False
        screen_row = self.cursor - int(self.scroll_y)
        self._set_cursor(pos, self.cursor_uid)
        target = max(0, pos - max(0, screen_row))
        if target != int(self.scroll_y):
            self.scroll_to(y=target, animate=False, immediate=True)
            return True
        return False

    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)

    def _set_virtual_size(self) -> None:
        size = Size(self.size.width, len(self.index) + 1)
        old = self.virtual_size
        if size == old:
            return
        if self.is_mounted and size.width == old.width and old.height:
            # Only the pod count changed. The reactive would lay the table out again and
            # repaint every row: under churn that adds and deletes pods, every row ten
            # times a second (190 KB/s at 200x50). apply_dirty repaints the rows that
            # moved; the scrollbar is all that is left (its visibility flipping still
            # lays out: show_vertical_scrollbar is a layout reactive).
            self.set_reactive(PodTable.virtual_size, size)
            bar = self.vertical_scrollbar
            h = self.container_size.height
            if self.show_vertical_scrollbar and (old.height > h) == (size.height > h) \
                    and thumb_cells(bar, old.height) == thumb_cells(bar, size.height):
                # Nor has the thumb moved by a cell (one pod in 20,000 seldom moves it):
                # repainting the scrollbar would rewrite a column of the screen.
                bar.set_reactive(ScrollBar.window_virtual_size, size.height)
                self.scroll_y = self.validate_scroll_y(self.scroll_y)
            else:
                self._scroll_update(size)
            return
        self.virtual_size = size

    def _measure_static(self, uid: str) -> None:
        record = self.records.get(uid)
        if record is None:
            self._uncount(uid)
            return
        widths = tuple(len(text) if text.isascii() else cell_len(text) for text in self._static(record)[:-1])
        old = self._counted.get(uid)
        if old != widths:
            self._counted[uid] = widths
            self._count(uid, _STATIC_COLUMNS, old or _NOT_COUNTED_STATIC, widths)

    def _count_dynamic(self, uid: str, version: int, dynamic: tuple) -> None:
        texts = (dynamic[0], dynamic[1], dynamic[2], without_ago(dynamic[1]))
        # As wide as their times may grow ("9s" as "4m59s"): a column doesn't widen as a
        # countdown or an age gains a digit, nor a row change its NEXT wording.
        widths = tuple(planned_width(text) for text in texts)
        # NEXT's short wording as wide as its time may grow (a countdown: as it may read
        # from its first sight in this version on, _countdown_cells): how narrow it may
        # go unhurt (next_text.short_wording).
        widths += (planned_width(compact(dynamic[2], NARROW), dynamic[5]) if dynamic[2] else 0,)
        old = self._counted_dynamic.get(uid)
        if old is not None and old[0] == version:
            widths = tuple(max(a, b) for a, b in zip(old[1], widths))
            if widths == old[1]:
                return
        self._counted_dynamic[uid] = (version, widths)
        self._count(uid, _DYNAMIC_COLUMNS, old[1] if old is not None else _NOT_COUNTED_DYNAMIC, widths)

    def _uncount(self, uid: str) -> None:
        """The pod is no longer shown: its values no longer size the columns."""
        old = self._counted.pop(uid, None)
        if old is not None:
            self._count(uid, _STATIC_COLUMNS, old, _NOT_COUNTED_STATIC, leaving=True)
        old_dynamic = self._counted_dynamic.pop(uid, None)
        if old_dynamic is not None:
            self._count(uid, _DYNAMIC_COLUMNS, old_dynamic[1], _NOT_COUNTED_DYNAMIC, leaving=True)
        if self._shrunk or self._narrowed:  # gone: it regrows nothing (and the sets stay small)
            for uids in (*self._shrunk.values(), *self._narrowed.values()):
                uids.discard(uid)

    def _count(self, uid: str, keys: tuple[str, ...], old: tuple, new: tuple, leaving: bool = False) -> None:
        """leaving: the pod is no longer shown, and its columns may narrow at once; a
        shown pod's narrower value narrows them after NARROW_AFTER (_fit_shown)."""
        content = self._content
        grew = False
        for key, was, now in zip(keys, old, new):
            if was == now:
                continue
            counts = self._counts[key]
            if was is not None:
                left = counts[was] - 1
                if left:
                    counts[was] = left
                else:
                    del counts[was]
                if not leaving and now is not None and now < was >= content.get(key, 0):
                    self._shrunk.setdefault(key, set()).add(uid)
                if not left and was >= content.get(key, 0):
                    if leaving:
                        self._narrower.add(key)
                    else:
                        self._narrower_since.setdefault(key, self.clock.time())
            if now is not None:
                counts[now] = counts.get(now, 0) + 1
                if now > content.get(key, 0):
                    content[key] = now
                    grew = True
                    if uid in self._narrowed.get(key, ()):
                        self._regrown.add(key)
        if grew:
            self._schedule_relayout()

    def _fit_shown(self, at_once: bool = False) -> bool:
        """Narrow the columns whose widest shown value got narrower: at once for the
        pods that left (or at_once: a filter, a namespace), after NARROW_AFTER for a
        value that changed. Returns whether the layout changed (a value narrower than a
        column's title or minimum changes none)."""
        held = self._narrower_since
        if at_once:
            self._shrunk.clear()
            self._narrowed.clear()
            self._regrown.clear()
        if held:
            now = self.clock.time()
            for key, since in list(held.items()):
                counts = self._counts[key]
                if counts and max(counts) >= self._content.get(key, 0):
                    del held[key]  # as wide again: nothing to narrow
                    self._shrunk.pop(key, None)
                elif at_once or now - since >= NARROW_AFTER:
                    del held[key]
                    shrunk = self._shrunk.pop(key, set())
                    if key in self._regrown:
                        continue  # a pod it narrowed for had to widen it again: it holds its width
                    self._narrower.add(key)
                    if not at_once:
                        self._narrowed.setdefault(key, set()).update(shrunk)
        if not self._narrower:
            return False
        content = self._content
        for key in self._narrower:
            counts = self._counts[key]
            content[key] = max(counts) if counts else 0
            held.pop(key, None)
        self._narrower.clear()
        old = self._layout
        if old is None:
            return False
        return layout_columns(self._row_width(), content, namespace=self.show_namespace, wide=self.wide,
                              sorted_by=self.index.sort_column) != old

    def _schedule_relayout(self) -> None:
        if not self._relayout_pending:
            self._relayout_pending = True
            self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        self._relayout_pending = False
        self._layout = None
        self._layout_gen += 1
        self._lines.clear()
        self.refresh()

    def _current_layout(self) -> Layout:
        width = self._row_width()
        if self._layout is None or self._layout_room != width:
            self._layout = layout_columns(width, self._content, namespace=self.show_namespace, wide=self.wide,
                                          sorted_by=self.index.sort_column)
            self._layout_room = width
            self._layout_gen += 1
        return self._layout

    def _row_width(self) -> int:
        """Cells a row may use: the widget less its scrollbar gutter."""
        return self.scrollable_content_region.width or self.size.width or 80

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(self)

    def on_resize(self, event: events.Resize) -> None:
        self._set_virtual_size()
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._lines.clear()

    def _get_styles(self) -> dict[str, Style]:
        if self._styles is None:
            base = self.rich_style
            names = [c.removeprefix("pod-table--") for c in self.COMPONENT_CLASSES]
            styles = {"base": base}
            for name in names:
                # Partial: a colour only, to lay over another's (faded, a status colour).
                # Not for the cursor and headers: they bring their background, and a
                # partial style resolves an "auto" colour ($block-cursor-foreground is
                # one by default) as white, whatever the background beneath.
                partial = name not in _OWN_BACKGROUND
                styles[name] = base + self.get_component_rich_style(f"pod-table--{name}", partial=partial)
            self._styles = styles
        return self._styles

    def _static(self, record: Any) -> tuple:
        cached = self._static_cells.get(record.uid)
        if cached is not None and cached[0] == record.version:
            return cached[1]
        row = record.row
        status = table_status(record)
        cells = (
            _clean(record.namespace or ""),
            _clean(record.name or ""),
            _clean(getattr(row, "ready", "")),
            _clean(status),
            _clean(getattr(row, "ip", "")),
            _clean(getattr(row, "node", "")),
            _clean(getattr(row, "nominated_node", "")),
            _clean(getattr(row, "readiness_gates", "")),
            status_colour(status, str(getattr(row, "ready", "")), getattr(record, "deleted_at", None) is not None),
        )
        self._static_cells[record.uid] = (record.version, cells)
        return cells

    def _dynamic_cells(self, record: Any, now: float) -> tuple:
        """(age, restarts, next text, next colour, fade level, cells NEXT's time is planned
        at in its short wordings): what moves with the clock."""
        row = record.row
        try:
            age = format_age(row.created, now)
            restarts = format_restarts(row, now)
        except Exception:
            age, restarts = "<unknown>", _clean(getattr(row, "restarts", ""))
        deleted_at = getattr(record, "deleted_at", None)
        if deleted_at is not None:
            since = max(0.0, now - deleted_at)
            fade = 2 if since >= self.tombstone_ttl / 2 else 1
            # Found gone on relist: deleted by then, maybe well before, so at least that long ago.
            least = "≥" if removed_on_relist(record) else ""
            return (age, restarts, f"deleted {least}{format_age(deleted_at, now)} ago", "status-deleted", fade,
                    DURATION_CELLS)
        step = self._next_step(record, now)
        if step is None:
            return (age, restarts, "", "next-info", 0, DURATION_CELLS)
        text = _clean(step.text)
        return (age, restarts, text, next_colour(step.severity), 0, self._countdown_cells(record, step, now))

    def _countdown_cells(self, record: Any, step: Any, now: float) -> int:
        """The cells NEXT's time is planned at in its short wordings (next_text.short_wording):
        a countdown (its step due later) as wide as it may read from the first sight of
        it in the pod's version on ("liveness ~52s" was planned as "liveness ~4m59s", 15
        cells, and NAME lost one at 80 columns); any other time at its widest. Held per
        version, not worked out per second: a row's wording and width stay while its
        countdown runs, and change with the pod."""
        due = getattr(step, "due_at", None)
        if due is None or due <= now:
            return DURATION_CELLS
        cells = countdown_cells(due - now)
        held = self._countdowns.get(record.uid)
        if held is not None and held[0] == record.version and held[1] >= cells:
            return held[1]
        self._countdowns[record.uid] = (record.version, cells)
        return cells

    def render_line(self, y: int) -> Strip:
        """Textual's: line y of the widget, as it will be drawn."""
        strip = self._line(y)
        expected = self._expected.pop(y, None)
        if expected is not None and expected is not strip and expected != strip:
            # Changed again since _repaint chose the cells to write (the second turned in
            # between): cells it left out may differ from what the terminal shows too.
            self.call_after_refresh(self.refresh, Region(0, y, self.size.width, 1))
        self._drawn[y] = strip
        return strip

    def refresh_line(self, y: int) -> None:
        self._expected.pop(y - int(self.scroll_y), None)  # all of it is written: nothing to check
        super().refresh_line(y)

    def refresh(self, *regions: Region, **options: Any) -> PodTable:
        if not regions and options.get("repaint", True):
            self._expected.clear()  # every line is written whole: nothing to check
        return super().refresh(*regions, **options)

    def _repaint(self, lines: Iterable[int]) -> None:
        """Refresh, on each of the widget's `lines`, only the cells that differ from what
        was drawn there, as PodsScreen's compositor writes only the cells refreshed (see
        podtui.ui.cell_writes): a countdown's digit, not its row (a row is 180 to 400
        bytes, a slow link's 8 KB/s is 20 to 40 rows a second)."""
        if self._relayout_pending:
            return  # every line is repainted
        regions = []
        width = self.size.width
        for y in sorted(set(lines)):
            new = self._line(y)
            old = self._drawn.get(y)
            spans = None if old is None else changed_spans(old, new)
            if spans == [] and y not in self._expected:
                continue
            self._expected[y] = new
            if spans is None:
                regions.append(Region(0, y, width, 1))
            else:
                regions += [Region(x1, y, x2 - x1, 1) for x1, x2 in spans]
        if regions:
            self.refresh(*regions)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if round(old_value) == round(new_value):
            super().watch_scroll_y(old_value, new_value)
            return
        # ScrollView refreshes the whole widget; rows scrolled by keep some cells (the
        # header all of its, a namespace, a status), which need not be written again.
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = new_value
        self._repaint(range(self.size.height))

    def _line(self, y: int) -> Strip:
        layout = self._current_layout()
        room = self._row_width()
        if layout.width <= room:
            return self._render_line(y, layout)
        return self._sideways(self._render_line(y, layout), y == 0, layout, room)

    def _sideways(self, strip: Strip, header: bool, layout: Layout, room: int) -> Strip:
        """The part of a row wider than the table that is scrolled into view, after the
        pinned NAMESPACE and NAME; the header says with an arrow that there are more
        columns that way."""
        pinned, start = self._scrolled(layout, room)
        view = room - pinned
        part = strip.crop(pinned + start, pinned + start + view)
        if start > 0:
            # Up to the first column whole in view: blank, not a cut column's tail next
            # to the name (at the row's end, which is rarely a column's start).
            whole = min((x - pinned - start for _, x, _ in layout.columns if x - pinned >= start), default=view)
            if whole > 0:
                tail = part.crop(0, whole)
                part = Strip.join([_blank(tail), part.crop(whole, view)])
        # A column the right edge cuts is blank up to it, as a cut cell shows "…" and an
        # IP cut by the edge read as a whole one ("10.244"); the header's "→" says more.
        ends = [x - pinned - start + w for _, x, w in layout.columns if 0 <= x - pinned - start]
        whole_end = max((end for end in ends if end <= view), default=view)
        if whole_end < view and any(end > view for end in ends):
            tail = part.crop(whole_end, view)
            part = Strip.join([part.crop(0, whole_end), _blank(tail)])
        if header:
            style = self._get_styles()["header-sorted"]
            if start + room < layout.width:
                part = Strip.join([part.crop(0, view - 1), Strip([Segment("→", style)], 1)])
            if start > 0:
                part = Strip.join([Strip([Segment("←", style)], 1), part.crop(1, view)])
        return Strip.join([strip.crop(0, pinned), part]) if pinned else part

    def _render_line(self, y: int, layout: Layout) -> Strip:
        width = layout.width
        if y == 0:
            return self._header_strip(layout, width)
        position = int(self.scroll_y) + y - 1
        uid = self.index.uid_at(position)
        record = self.records.get(uid) if uid is not None else None
        styles = self._get_styles()
        if record is None:
            if position == 0 and self.empty_text and not len(self.index):
                return Strip([Segment(fit(" " + self.empty_text, width, False), styles["none"])], width)
            return Strip.blank(width, styles["base"])
        now = self.clock.time()
        second = whole_second(now)
        worked_out = self._worked_out.get(uid)
        if worked_out is not None and worked_out[0] == record.version and worked_out[1] == second:
            dynamic = worked_out[2]  # as fresh as then: the pod and the second it was worked out for
        else:
            dynamic = self._dynamic_cells(record, now)
            self._worked_out[uid] = (record.version, second, dynamic)
        if self._shown_dynamic.get(uid) != dynamic:  # counted already when drawn the same (or by tick)
            self._shown_dynamic[uid] = dynamic
            self._count_dynamic(uid, record.version, dynamic)
        is_cursor = position == self.cursor and not self.held
        key = (uid, record.version, self._layout_gen, dynamic, is_cursor, self.has_focus, width, self.stale)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._row_strip(record, dynamic, layout, width, is_cursor, styles)
            self._lines[key] = strip
            self.lines_rendered += 1
        return strip

    def _header_strip(self, layout: Layout, width: int) -> Strip:
        styles = self._get_styles()
        header = styles["header"]
        sorted_style = styles["header-sorted"]
        arrow = "↓" if self.index.descending else "↑"
        segments = []
        gap = " " * layout.gap
        for i, (column, _, w) in enumerate(layout.columns):
            is_sorted = column.key == self.index.sort_column
            title = column.header(w, arrow if is_sorted else "")
            segments.append(Segment(fit(title, w, column.right), sorted_style if is_sorted else header))
            if i < len(layout.columns) - 1:
                segments.append(Segment(gap, header))
        return Strip(segments).adjust_cell_length(width, header)

    def _row_strip(self, record: Any, dynamic: tuple, layout: Layout, width: int,
                   is_cursor: bool, styles: dict[str, Style]) -> Strip:
        static = self._static(record)
        values = dict(zip(_STATIC_COLUMNS, static[:-1]))
        values["age"], values["restarts"], values["next"] = dynamic[0], dynamic[1], dynamic[2]
        status_style = styles[static[-1]]
        next_style = styles["stale" if self.stale else dynamic[3]]
        fade = dynamic[4]
        base = styles["base"]
        if fade:
            base = styles["status-deleted"]
            if fade > 1:
                base = base + styles["faded"]
            status_style = next_style = base
        none_style = base if fade else styles["none"]
        segments = []
        gap = Segment(" " * layout.gap, base)
        last = len(layout.columns) - 1
        for i, (column, _, w) in enumerate(layout.columns):
            text = values[column.key]
            if column.key == "status":
                style = status_style
                # In the middle: the tail tells kubelet reasons apart ("CreateC…figError",
                # not "CreateContainer…", which may be CreateContainerError).
                text = cut_middle(text, w)
            elif column.key == "next":
                style = next_style
                if column.key in layout.compact or len(text) > w:
                    text = keep_count(short_wording(text, w, dynamic[5]), w)
            elif column.key == "restarts":
                # One form for the whole column: kubectl's "5 (2m ago)" above "7 (4m14s)" read
                # as a countdown, and a row flipped between the two as its time grew a digit.
                if "restarts:coarse" in layout.compact:
                    text = coarse_restarts(text)
                elif column.key in layout.compact:
                    text = without_ago(text)
                text = compact_restarts(text, w)
                style = base
            elif text == "<none>":
                style = none_style
            else:
                style = base
                if column.key == "name" or column.key == "namespace":
                    text = cut_middle(text, w)
            segments.append(Segment(fit(text, w, column.right), style))
            if i < last:
                segments.append(gap)
        # Merging neighbours of one style cuts the escape codes sent per row to a third.
        strip = Strip(segments).adjust_cell_length(width, base).simplify()
        if is_cursor:
            # post_style: the cursor's colours win over the status colours beneath.
            strip = Strip(Segment.apply_style(iter(strip), post_style=styles["cursor"]), strip.cell_length).simplify()
        return strip
