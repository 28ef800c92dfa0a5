"""What every detail pane shares: a scrollable body that repaints only when its text
changes, and the rule for when it is rebuilt (a new pod version, a new width, or every
second for the panes with countdowns).

Panes wrap their own long lines (PaneContext.width) so that continuation lines keep
their indent; the scrollbar gutter is reserved so that width doesn't change when the
text grows past the pane's height."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Static

from podtui.ui.scrollbar import InstantKeyScroll, use_whole_cell_scrollbars


@dataclass
class PaneContext:
    """What a pane may read besides its own pod."""

    records: Mapping[str, Any] = field(default_factory=dict)  # the store's pods, by uid
    width: int | None = None  # cells a line may take; None: don't wrap (the widget will, from column 0)


def changed_cells(old: Content, new: Content) -> tuple[int, int]:
    """The cells [start, end) of a line that differ from `old` in `new`: past the common
    start, and before a common end when the two are as long (else the end has moved)."""
    a, b = old.plain, new.plain
    start, limit = 0, min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    if old.cell_length == new.cell_length:
        while end < limit - start and a[-1 - end] == b[-1 - end]:
            end += 1
    if not (old[:start].is_same(new[:start]) and old[len(a) - end:].is_same(new[len(b) - end:])):
        return 0, max(old.cell_length, new.cell_length)  # a look changed, not only the text
    return new[:start].cell_length, max(old[:len(a) - end].cell_length, new[:len(b) - end].cell_length, start + 1)


class PaneBody(Static):
    """The pane's text. A new text as tall as the last, none of whose lines the widget
    wraps, repaints only the cells that differ and lays nothing out: a countdown writes
    its own digits to the terminal, not the pane (a slow link pays for each byte)."""

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self._text = Content("")

    def render(self) -> Content:
        return self._text

    def show_text(self, content: Content) -> None:
        old, self._text = self._text, content
        changed = self._changed_regions(old, content)
        if changed is None:
            self.update(content)  # a new height, or wrapped here: lay out again
            return
        for region in changed:
            self.refresh(region)

    def _changed_regions(self, old: Content, new: Content) -> list[Region] | None:
        """What differs, when each line is one row both before and after; else None."""
        if not self.is_mounted or not self.size.width:
            return None
        old_lines, new_lines = old.split("\n"), new.split("\n")
        width = self.content_size.width
        if len(old_lines) != len(new_lines) or any(line.cell_length > width for line in old_lines + new_lines):
            return None
        regions = []
        for y, (was, now) in enumerate(zip(old_lines, new_lines)):
            if not was.is_same(now):
                x1, x2 = changed_cells(was, now)
                regions.append(Region(x1, y, min(x2, width) - x1, 1))
        return regions


class Pane(InstantKeyScroll, VerticalScroll, can_focus=True, inherit_bindings=False):
    # Left/right are the screen's (previous/next pane), so only vertical scrolling here.
    BINDINGS = [
        Binding("up,k", "scroll_up", "Scroll up", show=False),
        Binding("down,j", "scroll_down", "Scroll down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("home,g", "scroll_home", "Top", show=False),
        Binding("end,G", "scroll_end", "Bottom", show=False),
    ]

    KEY: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    SHORT: ClassVar[str] = ""  # tab label on narrow terminals
    TICKS: ClassVar[bool] = False  # rebuilt every second: it shows countdowns
    # The pane's text as a function of (record, now, ctx), for panes with no settings of
    # their own; the others override build().
    RENDER: ClassVar[Callable[[Any, float, PaneContext], Content] | None] = None

    DEFAULT_CSS = """
    Pane { height: 1fr; padding: 0 1; background: $surface; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    Pane > Static { width: 100%; }  /* wrap: a person reads these, nothing may be cut off */
    """

    def __init__(self) -> None:
        super().__init__(id=f"pane-{self.KEY}", classes="pane")
        self.border_title = self.TITLE
        self._body = PaneBody()
        self._built_for: tuple | None = None
        self._content: Content | None = None
        self.builds = 0  # how often the text was rebuilt (tests: panes don't rebuild needlessly)
        self.paints = 0  # how often the text actually changed
        self._shown: tuple[Any, float, PaneContext] | None = None  # the last show()'s arguments
        self.anchor: int | None = None  # a line to scroll to once shown (set by build, taken by show)
        # The width the screen will lay the pane out at, for text built before it has
        # been: wrapped at its real width at once, the first layout is the last, and
        # keys read with the pane switch ("9 G" at once) scroll the final text.
        self.width_hint: int | None = None

    def compose(self):
        yield self._body

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(self)

    def build(self, record: Any, now: float, ctx: PaneContext) -> Content:
        if self.RENDER is None:
            raise NotImplementedError
        return self.RENDER(record, now, ctx)

    def options_key(self) -> tuple:
        """Pane settings that change the text (timeline order, container filter...)."""
        return ()

    def text_width(self) -> int | None:
        width = self.scrollable_content_region.width
        if width <= 0 and self.width_hint:
            width = self.width_hint - self.styles.gutter.width - self.styles.scrollbar_size_vertical
        return width if width > 0 else None

    def build_key(self, record: Any, now: float, width: int | None) -> tuple:
        """What the text depends on: it is rebuilt only when this changes. The clock is
        part of it (in whole seconds) only for the panes that show it."""
        return (record.uid, record.version, self.options_key(), width, int(now) if self.TICKS else None)

    def show(self, record: Any, now: float, ctx: PaneContext) -> None:
        ctx = replace(ctx, width=self.text_width())
        self._shown = (record, now, ctx)
        key = self.build_key(record, now, ctx.width)
        if key == self._built_for:
            return
        self._built_for = key
        try:
            content = self.build(record, now, ctx)
        except Exception as exc:  # odd data must not take the screen down: say what failed
            content = Content.styled(f"cannot show this pane: {type(exc).__name__}: {exc}", "$text-error")
        self.builds += 1
        if self._content is None or not content.is_same(self._content):
            self._content = content
            self._body.show_text(content)
            self.paints += 1
        if self.anchor is not None:
            line, self.anchor = self.anchor, None
            self.call_after_refresh(self.scroll_to, y=line, animate=False)

    def on_resize(self) -> None:
        """A new width: wrap again (what was shown, at the time it was shown)."""
        if self._shown is not None and self._shown[2].width != self.text_width():
            self.show(*self._shown)

    def invalidate(self) -> None:
        self._built_for = None

    @property
    def text(self) -> str:
        return self._content.plain if self._content is not None else ""
