"""The pod table's columns and how wide each is on a given terminal.

kubectl sizes columns to their content; so does podtui, to the pods shown now (as
k9s does): a column narrows when its widest pod goes or is filtered out, on the next
tick or keypress, never as a countdown loses a digit (widths that jump around repaint
every row). When the terminal is too narrow, columns give up space in an order that
keeps what people read first (_SHRINK_ROUNDS): STATUS and NEXT go to their compact
widths before NAME is cut, with an ellipsis. The -o wide columns appear when there is
room for them, or on `w`; on a narrow terminal they then follow the other columns, which
keep the widths they have without `w`, past the right edge, and the table scrolls
sideways to them, NAMESPACE and NAME staying on the left.
"""

from __future__ import annotations

from dataclasses import dataclass

from podtui.ui.pod_index import SORT_COLUMNS


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    minimum: int  # never narrower (the title may be cut below its length)
    cap: int  # never wider
    wide: bool = False  # only with -o wide
    right: bool = False  # right-aligned
    short: str = ""  # header when the column is narrower than its title

    def header(self, width: int, arrow: str = "") -> str:
        if self.short and len(self.title) + len(arrow) > width:
            return self.short + arrow
        return self.title + arrow


COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", 4, 40, short="NS"),
    Column("name", "NAME", 10, 80),
    Column("ready", "READY", 5, 7),
    Column("status", "STATUS", 7, 30),
    Column("restarts", "RESTARTS", 8, 18, short="RESTART"),  # "RESTART↓": the arrow costs NAME no cell
    Column("age", "AGE", 3, 9),
    Column("next", "NEXT", 8, 34),
    Column("ip", "IP", 2, 39, wide=True),
    Column("node", "NODE", 4, 48, wide=True),
    Column("nominated_node", "NOMINATED NODE", 14, 48, wide=True),
    Column("readiness_gates", "READINESS GATES", 15, 15, wide=True),
)
BY_KEY = {c.key: c for c in COLUMNS}

# When the terminal is too narrow, columns give up width in rounds: first everything
# down to a comfortable width (STATUS 26: CreateContainerConfigError); then the columns
# around NAME down to their compact widths, NAME, what people scan for, keeping all of
# its width until they are there (a k9s user at 80x24 read "missin…secret" and
# "web-2l…8-7xqq6" next to STATUS' 22 cells): NAMESPACE to its values (its title
# shortens), RESTARTS to its title, STATUS to 17 (ContainerCreating whole) and to 16
# only for NAME (IF_NAME_WHOLE: CrashLoopBackOff and ImagePullBackOff still whole; a
# longer kubelet reason cut in the middle, pod_table.cut_middle, keeps the tail
# that tells it apart: "CreateC…figError", not "CreateContainer…", which may be
# CreateContainerError) and NEXT to its rows' short wordings (next_text.compact, at
# most next_text.NARROW, 15: "held for 3m50s", "liveness ~52s"). Then NAME gives way
# to 14, a long namespace is cut (never by a cell or two: "sca…-00" saved one), NAME to
# 13, NEXT to 14 and less, keeping its countdown (pod_table.keep_count), and finally
# everyone down to the minimum.
CONTENT = -1  # shrink to the widest value shown, not below
# Shrink to the widest value in its compact wording, content["<key>:compact"]: RESTARTS
# without kubectl's " ago" ("7 (4m14s)"), filler that NAME needs the cells of more;
# NEXT in its 15-cell wordings ("held for 3m50s"), which every row then keeps whole.
COMPACT = -2
# RESTARTS down to its title: its time to one unit ("2 (2m)" for "2 (2m15s)",
# pod_table.coarse_restarts), counts and times up to "99 (59m)" whole, and sorted by
# it, "RESTART↓". Its compact form grows with the clock ("(95s)" to "(2m15s)") and a
# restart count's digits, which took a cell from NEXT or NAME mid-session.
COARSE = -3
# NAMESPACE cut to 7 ("kub…tem"), only when that saves 3 cells or more.
NS_CUT = -4
# Down to _CUT_TO[key] only when that makes the row fit (NAME whole), or its widest
# value is cut anyway.
IF_NAME_WHOLE = -5
# STATUS keeps the common kubelet reasons whole (ContainerCreating 17; CrashLoopBackOff,
# ImagePullBackOff 16; PodInitializing 15) unless its 17th cell is all NAME lacks, or a
# longer reason is cut anyway ("CreateC…figError" reads as well as "CreateCo…igError"):
# at 80 columns the scale demo read "Contain…Creating" to give NAME one of the three
# cells it lacked. The cost: NAME a cell shorter where it is cut anyway.
_STATUS_COMPACT = 17
_CUT_TO = {"status": 16}
_SHRINK_ROUNDS: tuple[tuple[tuple[str, int], ...], ...] = (
    (("ready", 5), ("age", 6), ("restarts", 11), ("status", 26), ("next", 16), ("node", 16), ("nominated_node", 14),
     ("namespace", 12), ("name", 30)),
    (("namespace", CONTENT), ("age", 5), ("restarts", COMPACT), ("restarts", COARSE), ("status", 22),
     ("next", 15), ("next", COMPACT), ("status", _STATUS_COMPACT), ("status", IF_NAME_WHOLE),
     ("name", 16),
     ("name", 14), ("namespace", NS_CUT), ("name", 13), ("next", 14), ("next", 12), ("next", 10), ("name", 12),
     ("next", 8), ("status", 12)),
    tuple((c, 0) for c in ("name", "namespace", "status", "restarts", "node", "nominated_node", "ip", "next",
                           "age")),
)
# Whether the -o wide columns fit is judged with STATUS at 21, as before it kept
# CreateContainerConfigError whole: IP and NODE are worth more than its last 5 cells.
_WIDE_CHECK = tuple(("status", 21) if cut == ("status", 26) else cut for cut in _SHRINK_ROUNDS[0])
# `w` on a terminal too narrow for the -o wide columns as well: the other columns
# keep the widths they have without `w` (STATUS and NEXT compact at 80 columns, NEXT
# on screen: before, STATUS kept 22 cells and NEXT went past the right edge) and the
# wide columns follow, at readable widths (the first round's), for the table to scroll
# sideways to. Before scrolling, STATUS, NEXT, RESTARTS, AGE and NAMESPACE's title may
# give the wide columns their cells down to their compact widths, as they would to
# NAME (with two-space gaps, as when they fit); NAME keeps its width.
_W_ROUNDS = tuple(tuple(cut for cut in shrink_round if cut[0] != "name")
                  for shrink_round in (_SHRINK_ROUNDS[0], _SHRINK_ROUNDS[1][:_SHRINK_ROUNDS[1].index(("name", 16))]))
_READABLE = dict(_SHRINK_ROUNDS[0])  # a wide column's width in rows that scroll: node 16, nominated node 14
SORTABLE = frozenset(SORT_COLUMNS)  # the columns whose header may carry a sort arrow


@dataclass(frozen=True, slots=True)
class Layout:
    columns: tuple[tuple[Column, int, int], ...]  # (column, x offset, width)
    gap: int
    width: int  # wider than the terminal only for -o wide asked for on a narrow one
    # Columns in their compact form (RESTARTS without " ago") for every row: too narrow
    # for the widest value shown. Decided here, with the widths, so that it changes
    # only with them, and all rows at once.
    compact: frozenset[str] = frozenset()

    def column_at(self, x: int) -> Column | None:
        for column, offset, width in self.columns:
            if offset <= x < offset + width + self.gap:
                return column
        return None


def gap_for(width: int) -> int:
    """kubectl's three spaces when there is room, one on a small terminal."""
    return 3 if width >= 140 else 2 if width >= 100 else 1


def layout_columns(width: int, content: dict[str, int], *, namespace: bool,
                   wide: bool | None, sorted_by: str | None = None) -> Layout:
    """Fit the columns into `width` cells.

    content: the widest value shown per column key. wide: True/False forces the -o wide
    columns; None shows them when they fit with every column at least at its
    comfortable width (first shrink round), if need be with two-space gaps. sorted_by:
    the column whose header carries the sort arrow; a column cut to its compact width
    keeps a cell for the arrow only if it is that one.
    """
    base = [c for c in COLUMNS if not c.wide and (namespace or c.key != "namespace")]
    with_wide = base + [c for c in COLUMNS if c.wide]
    wanted = {c.key: _wanted(c, content) for c in COLUMNS}
    if wide is False:
        return _fit(base, wanted, content, width, gap_for(width), _SHRINK_ROUNDS, sorted_by=sorted_by)
    if wide is None:
        for gap in sorted({gap_for(width), min(2, gap_for(width))}, reverse=True):
            if _fit(with_wide, wanted, content, width, gap, (_WIDE_CHECK,), check=True) is not None:
                return _fit(with_wide, wanted, content, width, gap, _SHRINK_ROUNDS, sorted_by=sorted_by)
        return _fit(base, wanted, content, width, gap_for(width), _SHRINK_ROUNDS, sorted_by=sorted_by)
    # Asked for (`w`): columns cut to their minimums read as nonsense (AGE "10…", IP
    # "1…"), so the wide columns keep a readable width, and if the others cannot give
    # them that (_W_ROUNDS), the row runs past the right edge, for the table to scroll
    # sideways.
    gap = gap_for(width)
    normal = _fit(base, wanted, content, width, gap, _SHRINK_ROUNDS, sorted_by=sorted_by)
    kept = {c.key: w for c, _, w in normal.columns}
    for tight in sorted({gap, min(2, gap)}, reverse=True):
        fits = _fit(with_wide, wanted | {"name": kept["name"]}, content, width, tight, _W_ROUNDS, check=True,
                    sorted_by=sorted_by)
        if fits is not None:
            return fits
    # NAMESPACE and NAME stay on the left as the rest scrolls, if they take at most half
    # the row (pod_table._pinned): a longer NAME is cut to that, not scrolled away.
    placed = []
    x = 0
    for column, _, w in normal.columns:
        if column.key == "name" and x + w > width // 2:
            w = max(column.minimum, min(w, width // 2 - x))
        placed.append((column, x, w))
        x += w + gap
    for column in with_wide[len(base):]:
        w = max(column.minimum, min(wanted[column.key], _READABLE.get(column.key, wanted[column.key])))
        placed.append((column, x, w))
        x += w + gap
    return Layout(tuple(placed), gap, max(width, x - gap), normal.compact)  # one form per column, as without `w`


def _fit(chosen: list[Column], wanted: dict[str, int], content: dict[str, int], width: int, gap: int,
         rounds: tuple[tuple[tuple[str, int], ...], ...], check: bool = False,
         sorted_by: str | None = None) -> Layout | None:
    """Shrink `chosen` round by round until it fits; with check, None if it doesn't."""
    widths = {c.key: wanted[c.key] for c in chosen}
    excess = sum(widths.values()) + gap * (len(chosen) - 1) - width
    for shrink_round in rounds:
        for key, comfortable in shrink_round:
            if excess <= 0:
                break
            if key not in widths:
                continue
            if comfortable == CONTENT:
                comfortable = content.get(key, 0)
            elif comfortable == COMPACT:  # not below the title, and its sort arrow if sorted by it
                title = len(BY_KEY[key].title) + (1 if key == sorted_by else 0)
                comfortable = max(content.get(f"{key}:compact", content.get(key, 0)), title)
            elif comfortable == COARSE:
                comfortable = BY_KEY[key].minimum
            elif comfortable == NS_CUT:
                comfortable = 7 if min(excess, widths[key] - 7) >= 3 else widths[key]
            elif comfortable == IF_NAME_WHOLE:
                cut = excess <= widths[key] - _CUT_TO[key] or content.get(key, 0) > widths[key]
                comfortable = _CUT_TO[key] if cut else widths[key]
            floor = max(BY_KEY[key].minimum, comfortable)
            give = min(excess, widths[key] - floor)
            if give > 0:
                widths[key] -= give
                excess -= give
    if check and excess > 0:
        return None
    last = chosen[-1].key
    if 0 < excess <= widths[last] and last == "next":
        # Every column at its minimum and still too wide (a 50-column terminal): NEXT
        # takes what is left, for its words to give way, not the screen's edge to cut
        # its countdown ("pull 6" of "pull 62s").
        widths[last] -= excess
    placed = []
    x = 0
    for c in chosen:
        placed.append((c, x, widths[c.key]))
        x += widths[c.key] + gap
    compact = frozenset(key for key in ("restarts", "next") if key in widths and widths[key] < content.get(key, 0))
    if "restarts" in widths and widths["restarts"] < content.get("restarts:compact", 0):
        compact |= {"restarts:coarse"}  # every row's time to one unit (COARSE)
    return Layout(tuple(placed), gap, width, compact)


def _wanted(column: Column, content: dict[str, int]) -> int:
    title = len(column.title) + (1 if column.key in SORTABLE else 0)  # room for the sort arrow
    return max(column.minimum, min(column.cap, max(title, content.get(column.key, 0))))
