"""`?`: every key, generated from the bindings themselves so the list can't go stale."""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import replace

from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from podtui.ui.scrollbar import InstantKeyScroll, use_whole_cell_scrollbars

FILTER_HELP = (
    ("/web", 'name, namespace, status, node or label contains "web"'),
    ("/web api", "every word matches"),
    ("/web !Running", "a !word hides what matches it"),
    ("/-l app=web", "label selector (k=v, k!=v, k, !k, k in/notin (a,b); comma = and)"),
)

MOUSE_HELP = (
    ("click a column header", "sort by it (again: reverse)"),
    ("click a pod", "select it; again, or a double click: details"),
    ("click a pane's tab", "show that pane"),
)
REPLAY_MOUSE_HELP = (("click the progress bar", "seek there (━── on a wide terminal)"),)

FOOTNOTES = ("ctrl+p opens the command palette: every action by name.",
             "ctrl+t picks a theme; your own YAML themes go in",
             "~/.config/podtui/themes (or $PODTUI_THEME_DIR).")

HELP_WIDTH = 90  # the box's, at most; less on a narrower terminal


APP_WIDE = ("Everywhere", "Replay")  # the sections of the app's own bindings, not a screen's


def place_shadowed(sections: list[tuple[str, list[Binding]]]) -> list[tuple[str, list[Binding]]]:
    """An app-wide key that a screen binds to something else (q: quit, but back in a
    pod's detail) is not "everywhere": it is listed under the screens where it does
    what the app binds it to. A priority binding wins on every screen and stays."""
    bound = {title: {key.strip() for b in bindings for key in b.key.split(",")}
             for title, bindings in sections if title not in APP_WIDE}
    added: dict[str, list[Binding]] = {title: [] for title in bound}
    placed = []
    for title, bindings in sections:
        if title not in APP_WIDE:
            placed.append((title, bindings))
            continue
        kept = []
        for b in bindings:
            keys = [key.strip() for key in b.key.split(",")]
            shadowed = [] if b.priority else [key for key in keys if any(key in own for own in bound.values())]
            for key in shadowed:
                for screen, own in bound.items():
                    if key not in own:
                        added[screen].append(replace(b, key=key))
            if len(shadowed) < len(keys):
                kept.append(replace(b, key=",".join(key for key in keys if key not in shadowed)))
        placed.append((title, kept))
    return [(title, bindings + added.get(title, [])) for title, bindings in placed]


def key_rows(bindings: Iterable[Binding], display) -> dict[str, list[str]]:
    """Each action's description (in full: the tooltip when the footer's word is short)
    and all its keys."""
    rows: dict[str, list[str]] = {}
    for b in bindings:
        if not b.description:
            continue
        keys = rows.setdefault(b.tooltip or b.description, [])
        for key in b.key.split(","):
            shown = display(replace(b, key=key.strip()))
            if shown not in keys:
                keys.append(shown)
    return rows


def two_columns(rows: Iterable[tuple[str, str]], room: int, style: str = "", widest: int = 0) -> list[Content]:
    """Each row's left part in a column as wide as the longest (or `widest`), then its
    right part, wrapped within `room` cells under itself (as k9s's help), not at the
    left edge. On a narrow terminal the column takes at most a third: a longer left
    part has the line to itself and its right part starts under the column."""
    rows = list(rows)
    widest = max([widest, *(len(left) for left, _ in rows)])
    width = min(2 + widest, max(10, room // 3))
    indent = 2 + width
    lines = []
    for left, right in rows:
        wrapped = textwrap.wrap(right, max(room - indent, 12)) or [""]
        if len(left) + 2 > width:
            lines.append(Content.styled(f"  {left}", style))
            first = Content(" " * indent + wrapped[0])
        else:
            first = Content.assemble((f"  {left:<{width}}", style), wrapped[0])
        lines.append(first)
        lines += [Content(" " * indent + more) for more in wrapped[1:]]
    return lines


def key_lines(title: str, rows: dict[str, list[str]], room: int, widest: int) -> list[Content]:
    """One action a row: its keys, then what it does."""
    keyed = ((", ".join(keys), description) for description, keys in rows.items())
    return [Content.styled(title, "bold $text-primary"), *two_columns(keyed, room, "$text-accent", widest)]


class HelpBody(Static):
    """The help's text, laid out again for each width it gets (a resized terminal)."""

    def __init__(self, lines_for: Callable[[int], list[Content]], width: int) -> None:
        self._lines_for = lines_for
        self._width = width
        super().__init__(self._text(width), id="help-body")

    def _text(self, width: int) -> Content:
        return Content("\n").join(self._lines_for(width))

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width and event.size.width != self._width:
            self._width = event.size.width
            self.update(self._text(self._width))


class HelpScroll(InstantKeyScroll, VerticalScroll):
    """The help text, scrolled with the keys it lists for the panes (j k g G ^f ^b too)."""

    # The help is several screens long at 80x24: the footer says how to page it.
    BINDINGS = [
        Binding("pagedown", "page_down", "Page down"),
        Binding("pageup", "page_up", "Page up"),
        Binding("k", "scroll_up", show=False),
        Binding("j", "scroll_down", show=False),
        Binding("ctrl+b", "page_up", show=False),
        Binding("ctrl+f", "page_down", show=False),
        Binding("g", "scroll_home", show=False),
        Binding("G", "scroll_end", show=False),
    ]


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > HelpScroll {
        width: 90; max-width: 100%; height: 90%; border: round $accent; background: $surface;
        padding: 0 1; scrollbar-gutter: stable;  /* a width that does not hang on the wrapping */
        /* the border's colour: the theme's scrollbar (dark teal on dark grey) read as no scrollbar */
        scrollbar-color: $accent; scrollbar-color-hover: $accent; scrollbar-color-active: $accent;
        scrollbar-background: $panel; scrollbar-background-hover: $panel; scrollbar-background-active: $panel;
    }
    """

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = place_shadowed(sections)

    def compose(self):
        display = self.app.get_key_display
        sections = [(title, key_rows(bindings, display)) for title, bindings in self.sections]
        # One keys column for every section, as wide as the longest keys: on 80 columns
        # every description fits on its line.
        widest = max((len(", ".join(keys)) for _, rows in sections for keys in rows.values()), default=0)
        flags = getattr(self.app, "kubectl_flags", ())
        cluster = shlex.join(flags) if flags and getattr(self.app, "replay", None) is None else ""

        def lines(room: int) -> list[Content]:
            lines: list[Content] = []
            if cluster:
                # kubectl pointed at what podtui shows (the demo's own kubeconfig too)
                lines.append(Content.styled("This cluster", "bold $text-primary"))
                lines += two_columns([("for kubectl", cluster)], room, "$text-accent", widest)
                lines.append(Content(""))
            for title, rows in sections:
                lines += key_lines(title, rows, room, widest)
                lines.append(Content(""))
            mouse = MOUSE_HELP + (REPLAY_MOUSE_HELP if getattr(self.app, "replay", None) is not None else ())
            for title, pairs in (("Mouse", mouse), ("Filter syntax", FILTER_HELP)):
                lines.append(Content.styled(title, "bold $text-primary"))
                lines += two_columns(pairs, room)
                lines.append(Content(""))
            lines += [Content.styled(line, "$text-muted") for note in FOOTNOTES for line in textwrap.wrap(note, room)]
            return lines

        # The width it will get (the box less its border, padding and scrollbar), so
        # that the first layout is the last; HelpBody lays out again if it is not.
        room = min(HELP_WIDTH, self.app.size.width) - 6
        body = HelpBody(lines, room)
        self.help_text = body
        scroller = HelpScroll(body)
        scroller.border_title = "podtui keys"
        self.scroller = scroller
        yield scroller
        # Its own keys: the list's footer beneath offered keys that do nothing here.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(self.scroller)
