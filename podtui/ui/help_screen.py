"""`?`: every key, generated from the bindings themselves so the list can't go stale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from podtui.ui.scrollbar import InstantKeyScroll, use_whole_cell_scrollbars

FILTER_HELP = """\
/web         name, namespace, status, node or label contains "web"
/web api     every word matches
/!Running    hide what matches
/-l app=web  label selector (k=v, k!=v, k, !k; comma = and)"""

MOUSE_HELP = """\
click a column header   sort by it (again: reverse)
click a pod             select it; again, or a double click: details
click a pane's tab      show that pane"""


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


def key_lines(title: str, rows: dict[str, list[str]], width: int) -> list[Content]:
    """One line per action: its keys in a column `width` wide, then what it does."""
    lines = [Content.styled(title, "bold $text-primary")]
    for description, keys in rows.items():
        lines.append(Content.assemble((f"  {', '.join(keys):<{width}}", "$text-accent"), description))
    return lines


class HelpScroll(InstantKeyScroll, VerticalScroll):
    """The help text, scrolled with the keys it lists for the panes (j k g G ^f ^b too)."""

    BINDINGS = [
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
        padding: 0 1;
    }
    """

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self):
        display = self.app.get_key_display
        sections = [(title, key_rows(bindings, display)) for title, bindings in self.sections]
        # As wide as the longest keys, not more: on 80 columns every description fits.
        width = 2 + max((len(", ".join(keys)) for _, rows in sections for keys in rows.values()), default=0)
        lines: list[Content] = []
        for title, rows in sections:
            lines += key_lines(title, rows, width)
            lines.append(Content(""))
        lines.append(Content.styled("Mouse", "bold $text-primary"))
        lines += [Content("  " + line) for line in MOUSE_HELP.splitlines()]
        lines.append(Content(""))
        lines.append(Content.styled("Filter syntax", "bold $text-primary"))
        lines += [Content("  " + line) for line in FILTER_HELP.splitlines()]
        lines.append(Content(""))
        lines.append(Content.styled("ctrl+p opens the command palette: every action by name.", "$text-muted"))
        lines.append(Content.styled("ctrl+t picks a theme; your own YAML themes go in", "$text-muted"))
        lines.append(Content.styled("~/.config/podtui/themes (or $PODTUI_THEME_DIR).", "$text-muted"))
        body = Static(Content("\n").join(lines), id="help-body")
        self.help_text = body
        scroller = HelpScroll(body)
        scroller.border_title = "podtui keys"
        self.scroller = scroller
        yield scroller
        # Its own keys: the list's footer beneath offered keys that do nothing here.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(self.scroller)
