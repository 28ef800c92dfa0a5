"""Small formatting helpers shared by the panes: reading odd objects safely and
writing times the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content

from podtui.lifecycle.duration import format_age, human_duration
from podtui.lifecycle.nextstep import countdown as _countdown
from podtui.lifecycle.times import clock_time, format_ts, parse_ts  # clock_time: the panes import it from here

Part = str | tuple[str, str] | Content


def d(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def lst(value: object) -> list:
    return value if isinstance(value, list) else []


def s(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text


def when(ts: float | None, now: float) -> str:
    """`2024-05-01T10:42:13Z (5m ago)`; `in 30s` for the future."""
    if ts is None:
        return "-"
    return f"{format_ts(ts)} ({relative(ts, now)})"


def relative(ts: float | None, now: float) -> str:
    if ts is None:
        return "-"
    if ts > now + 0.5:
        return f"in {countdown(ts - now)}"
    return f"{format_age(ts, now)} ago"


def countdown(seconds: float) -> str:
    """Remaining time as NEXT and the detail title say it (nextstep.countdown: kubectl's
    37s, 89s, 4m12s, 70m, rounded up): a pane wrote "1m29s" under a title's "89s"."""
    return _countdown(seconds, 0.0)


def elapsed(seconds: float) -> str:
    """Time gone by, kubectl's way (HumanDuration: 88s, 4m12s, 70m), rounded down as
    AGE and NEXT's "for 88s" are: countdown() rounds up, and on the same span the two
    read a second apart ("held 1m29s" under "for 88s")."""
    return human_duration(max(0.0, seconds))


def ts_of(value: object) -> float | None:
    return parse_ts(value)


def line(*parts: Part) -> Content:
    """Content from plain strings and (text, style) pairs."""
    return Content.assemble(*parts)


MIN_WRAP = 16  # narrower than this after the indent, a hanging indent reads worse than none


def hang(prefix: Content | str, body: Content | str, wrap: int | None = None,
         continuation: Content | None = None) -> Content:
    """prefix + body; given the width to wrap at, the body's continuation lines start
    under its first character instead of at the left edge (after `continuation`, as
    wide as the prefix, when given: a bar that runs down a block)."""
    prefix = Content(prefix) if isinstance(prefix, str) else prefix
    body = Content(body) if isinstance(body, str) else body
    indent = prefix.cell_length
    if not wrap or wrap - indent < MIN_WRAP or indent + body.cell_length <= wrap and "\n" not in body.plain:
        return prefix + body
    lines = body.wrap(wrap - indent)
    pad = continuation if continuation is not None else Content(" " * indent)
    return Content("\n").join([prefix + lines[0], *(pad + rest for rest in lines[1:])])


def indented(text: str, indent: int = 4, style: str = "$text-muted", wrap: int | None = None) -> Content:
    """A message under the line it belongs to, wrapped to stay indented."""
    return hang(" " * indent, Content.styled(text, style), wrap)


def kv(label: str, value: Part | Iterable[Part], width: int = 12, wrap: int | None = None) -> Content:
    head = Content.styled(f"{label:<{width}}", "$text-muted")
    if isinstance(value, (str, Content, tuple)):
        return hang(head, Content.assemble(value), wrap)
    return hang(head, Content.assemble(*value), wrap)


def join_lines(lines: Iterable[Content | str]) -> Content:
    return Content("\n").join(Content(x) if isinstance(x, str) else x for x in lines)


def table(rows: list[list[Part]], header: list[str] | None = None, gap: int = 2,
          max_widths: dict[int, int] | None = None, wrap: int | None = None) -> list[Content]:
    """Left-aligned columns sized to their content (the last column is never padded).
    Given the width available, a last cell that would run past it is cut with an
    ellipsis: a row wrapped to the left edge would read as a new row."""
    cells = [[Content.assemble(c) for c in row] for row in rows]
    head = [Content.styled(h, "bold $text-muted") for h in header] if header else None
    all_rows = ([head] if head else []) + cells
    if not all_rows:
        return []
    ncols = max(len(r) for r in all_rows)
    widths = [0] * ncols
    for row in all_rows:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], c.cell_length)
    for i, cap in (max_widths or {}).items():
        if i < ncols:
            widths[i] = min(widths[i], cap)
    out = []
    for row in all_rows:
        parts = []
        offset = 0
        for i, c in enumerate(row):
            if i < len(row) - 1:
                if c.cell_length > widths[i]:
                    c = c.truncate(widths[i], ellipsis=True)
                parts.append(c.pad_right(widths[i] - c.cell_length + gap))
                offset += widths[i] + gap
            else:
                if wrap and offset < wrap and offset + c.cell_length > wrap:
                    c = c.truncate(wrap - offset, ellipsis=True)
                parts.append(c)
        out.append(Content("").join(parts))
    return out
