"""The main screen: status bar, the pod table, the `/` filter and the key footer."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static

from podtui.ui.cell_writes import CellCompositor
from podtui.ui.pod_filter import parse_filter
from podtui.ui.pod_table import PodTable
from podtui.ui.replay_controls import key_footer
from podtui.ui.status_bar import StatusBar
from podtui.ui.table_layout import BY_KEY

if TYPE_CHECKING:
    from podtui.ui.app import PodtuiApp

# k9s's sort keys (Shift+letter); a second press flips the direction.
SORT_KEYS = (
    ("N", "name", "Sort by name"),
    ("P", "namespace", "Sort by namespace"),
    ("R", "ready", "Sort by ready"),
    ("S", "status", "Sort by status"),
    ("T", "restarts", "Sort by restarts"),
    ("A", "age", "Sort by age"),
    ("I", "ip", "Sort by IP"),
    ("O", "node", "Sort by node"),
    ("X", "next", "Sort by next step"),
)


class PromptInput(Input):
    """The input of a PromptLine, its two ways out in the footer (which had nothing
    else to say while a line was being typed).

    Keys read in one burst ("/crash⏎⏎", "/web⏎jj⏎": a slow link, a paste) all reach
    this input's queue, the app having forwarded them before enter could move the
    focus. So its keys act here, in the order typed (enter when the text before it is
    in); what follows an enter or esc goes back to the app, to be read where the
    focus now is."""

    # tab completes (k9s's habit); bound here, it no longer moves the focus out of a
    # line still shown, where enter then opened a pod and esc did not close the line
    BINDINGS = [Binding("enter", "submit", "Done"), Binding("escape", "cancel", "Cancel"),
                Binding("tab", "complete(1)", "Complete", show=False),
                Binding("shift+tab", "complete(-1)", "Complete", show=False)]

    def __init__(self, done: Callable[[Input], None], cancel: Callable[[], None],
                 complete: Callable[[Input, int], None] | None = None, **options: Any) -> None:
        super().__init__(compact=True, **options)
        self._done = done
        self._cancel = cancel
        self._complete = complete

    async def action_submit(self) -> None:
        self._done(self)

    def action_cancel(self) -> None:
        self._cancel()

    def action_complete(self, step: int) -> None:
        if self._complete is not None:
            self._complete(self, step)

    def own_binding(self, key: str) -> Binding | None:
        """This input's binding of key (its own or Input's), if it is the one the key
        runs: the screen's public active_bindings, which start at the focused widget."""
        active = self.screen.active_bindings.get(key)
        return active.binding if active is not None and active.node is self else None

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused is self
        # The input's own keys too (backspace, ctrl+w...): bubbled up to the app's
        # bindings, they would act after the text typed after them.
        binding = self.own_binding(event.key) if focused else None
        if not focused or binding is not None:
            event.stop()
            event.prevent_default()
            if not focused:  # typed ahead of an enter or esc
                self.app.post_message(events.Key(event.key, event.character))
            else:
                await self.run_action(binding.action)
            return
        await super()._on_key(event)


# The verbs run_command takes a namespace after
_NS_VERBS = ("ns", "namespace", "namespaces", "po", "pod", "pods")
_VERB_AND_WORD = re.compile(r"(\s*(\S+)\s+)(\S*)")


def namespace_completions(text: str, namespaces: Iterable[str]) -> tuple[str, list[str]]:
    """For `ns PREFIX` on the command line: the text before the word being completed,
    and the names (and `all`) that begin with it; no names for anything else."""
    m = _VERB_AND_WORD.fullmatch(text)
    if m is None or m.group(2).lower() not in _NS_VERBS:
        return text, []
    head, word = m.group(1), m.group(3)
    return head, sorted(n for n in {*namespaces, "all"} if n.startswith(word))


class PromptLine(Horizontal):
    """A line to type on, as k9s's: the key that opened it ("/" or ":") stays in front
    of what is typed, which says whether it is a filter or a command."""

    DEFAULT_CSS = """
    PromptLine { dock: bottom; height: 1; margin-bottom: 1; background: $panel; display: none; }
    PromptLine.-shown { display: block; }
    PromptLine:focus-within { background: $panel-lighten-1; }
    PromptLine > Static { width: auto; padding: 0 0 0 1; }
    PromptLine > Input, PromptLine > Input:focus { width: 1fr; border: none; padding: 0 1 0 0;
                                                  background: transparent; }
    """

    def __init__(self, prompt: str, line: Input) -> None:
        super().__init__(Static(prompt, markup=False), line)


# k9s's copy, here and on the detail screen; not in the footer, which is full at 80
# columns (? lists it)
COPY_NAME = Binding("c", "copy_name", "Copy name", show=False,
                    tooltip="Copy the pod's name (and show the kubectl logs command)")

# What acts on the pod under the cursor.
_ON_A_POD = ("describe", "yaml", "explain", "copy_name")

# k9s's keys for what podtui does not do (it never writes to the cluster, nor reads
# logs): each says what to do instead, where it did nothing at all. Not in the footer;
# one line in ? (the shared tooltip). l is also the table's sideways scroll: priority,
# to be asked first (see action_k9s_key).
K9S_KEYS = (("l", "logs"), ("s", "shell"), ("e", "edit"), ("ctrl+d", "delete"), ("ctrl+k", "kill"))
_K9S_TOOLTIP = "k9s's logs/shell/edit/delete/kill: what podtui offers"


class PodsScreen(Screen):
    BINDINGS = [
        # priority: run when the app reads the key, so that what is typed after it in
        # the same burst (see action_filter) goes where the key leads, not to the table
        Binding("enter", "describe", "Details", priority=True),
        Binding("slash", "filter", "Filter", priority=True),
        Binding("colon", "command", "Command", show=False, priority=True,
                tooltip="Command, as in k9s: :ns NAME, :ns all, :ns, :help, :q"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("n", "pick_namespace", "Namespace", priority=True),  # priority: as "/" above
        Binding("0", "all_namespaces", "All namespaces", show=False),
        # priority, as enter: keys typed right after these reach the detail screen
        Binding("d", "describe", "Details", show=False, priority=True),  # one line with enter in ?
        Binding("y", "yaml", "YAML", priority=True),
        Binding("x", "explain", "Explain", priority=True,
                tooltip="Explain the last restart, with its evidence, or why unready"),
        Binding("w", "toggle_wide", "Wide"),
        COPY_NAME,
        *(Binding(key, f"sort('{column}')", text, show=False) for key, column, text in SORT_KEYS),
        *(Binding(key, f"k9s_key('{key}', '{what}')", "k9s keys", show=False, priority=key == "l",
                  tooltip=_K9S_TOOLTIP) for key, what in K9S_KEYS),
    ]

    DEFAULT_CSS = """
    PodsScreen { layout: vertical; }
    """

    def __init__(self, table: PodTable) -> None:
        super().__init__()
        # Writes only the cells a refresh covers: the table refreshes a countdown's digit,
        # which Textual wrote with the row's cells up to it (see cell_writes).
        self._compositor = CellCompositor()
        self.table = table
        self._no_pod_offered = True  # what the footer was last told about the cursor
        self.status_bar = StatusBar(id="status-bar")
        # After the prompt, the placeholder says what may follow it.
        self.filter_input = PromptInput(self._line_done, self.action_clear_filter, id="filter",
                                        placeholder="name, namespace, status, node or label; -l k=v; !text")
        self.command_input = PromptInput(self._line_done, self.action_clear_filter, self._complete, id="command",
                                         placeholder="ns NAME, ns all, ns, help, q")
        # (value shown, text before the name, names, index): tab again steps to the next
        self._cycle: tuple[str, str, list[str], int] | None = None
        self.filter_line = PromptLine("/", self.filter_input)
        self.command_line = PromptLine(":", self.command_input)

    @property
    def podtui(self) -> PodtuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self):
        yield self.status_bar
        yield self.table
        yield self.filter_line
        yield self.command_line
        yield key_footer(self.podtui.replay is not None)

    def on_mount(self) -> None:
        self.table.focus()

    # ------------------------------------------------------------------ filter
    def action_filter(self) -> None:
        self.filter_line.add_class("-shown")
        # Keys typed ahead ("/crash" read in one go, as over a slow SSH link) are
        # already queued behind this one: focus moves now, not after them as
        # focus() would, so that they reach the input instead of the table.
        self.set_focus(self.filter_input)

    def action_clear_filter(self) -> None:
        if self.command_line.has_class("-shown") and self.focused is not self.filter_input:
            # esc leaves the command line, even one the focus left (a click); the filter stays
            self._close_command()
            return
        had_filter = bool(self.filter_input.value) or self.filter_line.has_class("-shown")
        self.filter_input.value = ""
        self.filter_line.remove_class("-shown")
        self.set_focus(self.table)
        if had_filter:
            self._apply_filter("")

    def on_input_changed(self, event: Input.Changed) -> None:
        # Its value now, not the event's: an enter read in the same burst applied the
        # whole text already, and the keys after it must not see a prefix of it.
        if event.input is self.filter_input and event.input.value != self.table.index.filter.text:
            if parse_filter(event.input.value).error:
                # Half-typed ("-l app in (we"): keep what was shown, say nothing yet.
                # Each such keystroke showed every pod and stacked a warning; enter says why.
                return
            self._apply_filter(event.input.value)

    def _line_done(self, line: Input) -> None:
        """enter on the / or : line (see PromptInput): the keys read after it find
        the list filtered and focused, or the command run."""
        if line is self.command_input:
            self._close_command()
            self.run_command(line.value)
            return
        if line.value != self.table.index.filter.text:
            self._apply_filter(line.value)
        if not line.value.strip():
            self.filter_line.remove_class("-shown")
        self.set_focus(self.table)

    # ------------------------------------------------------------------ : commands
    def action_command(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()  # a ":" typed into the filter
        self.command_input.value = ""
        self.command_line.add_class("-shown")
        self.set_focus(self.command_input)  # at once, as for "/": keys typed ahead follow

    def _close_command(self) -> None:
        self.command_line.remove_class("-shown")
        self._cycle = None
        self.set_focus(self.table)

    def _complete(self, line: Input, step: int) -> None:
        """tab on the command line, as in a shell: `ns de` to the one name it begins, or
        to what all its names share; tab again steps through them (shift+tab back)."""
        if line is not self.command_input:
            return  # the filter: the focus stays, nothing to complete
        if self._cycle is not None and self._cycle[0] == line.value:
            _, head, names, i = self._cycle
            i = (i + step) % len(names)
        else:
            head, names = namespace_completions(line.value, self.podtui.known_namespaces())
            if not names:
                self.app.bell()
                return
            common = os.path.commonprefix(names)
            if len(names) == 1 or len(common) > len(line.value) - len(head):
                self._cycle = None
                self._set_command(head + common)
                return
            i = 0 if step > 0 else len(names) - 1
            if head + names[i] == line.value:  # "ns demo" of demo, demo-2: on to the next
                i = (i + step) % len(names)
        self._set_command(head + names[i])
        self._cycle = (line.value, head, names, i)

    def _set_command(self, value: str) -> None:
        self.command_input.value = value
        self.command_input.cursor_position = len(value)

    def run_command(self, text: str) -> None:
        """k9s's command line, for what podtui has: the namespace, help, quit."""
        words = text.split()
        if not words:
            return
        verb, args = words[0].lower(), words[1:]
        if verb in ("q", "q!", "quit", "exit") and not args:
            self.app.call_next(self.podtui.action_quit)  # stops the feed, as q does
        elif verb in _NS_VERBS and len(args) <= 1:
            if not args:
                if verb.startswith("n"):
                    self.podtui.action_pick_namespace()
                else:  # k9s's view of pods: the one podtui has, and is on
                    self.notify("pods: this list (podtui shows pods only)", timeout=3)
            elif args[0] in ("all", "-A", "*"):
                self.podtui.switch_namespace(None)
            else:
                self.podtui.switch_namespace(args[0])
        elif verb in ("help", "?") and not args:
            self.podtui.action_help()
        else:
            self.notify(f"unknown command :{text.strip()}; try :ns NAME, :ns all, :ns, :help or :q",
                        severity="warning", timeout=5)

    def _apply_filter(self, text: str) -> None:
        self.table.set_filter(text)
        f = self.table.index.filter
        if f.error:
            self.notify(f"filter: {f.error}", severity="warning", timeout=3)
        self.podtui.update_status_bar()

    # ------------------------------------------------------------------ actions
    def action_sort(self, column: str) -> None:
        self.table.sort_by(column)

    def on_pod_table_sort_changed(self, message: PodTable.SortChanged) -> None:
        # Sorted by a column not on screen (I, O on a narrow terminal), the header has
        # nowhere to put its arrow: the order would look random.
        if not self.table.shows_column(message.column):
            arrow = "↓" if message.descending else "↑"
            self.notify(f"sorted by {BY_KEY[message.column].title} {arrow}, a column not shown (w: wide columns)",
                        timeout=3)

    def action_toggle_wide(self) -> None:
        self.table.toggle_wide()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.focused, Input):
            # In the filter or the command line, enter ends it and /, n, d, y, x (and
            # the k9s keys: l, s, e) are text: not offered, and passed on to the input.
            return action not in _ON_A_POD + ("filter", "pick_namespace", "k9s_key")
        if action in _ON_A_POD and self.table.cursor_uid is None:
            return None  # no pod to act on: dimmed, not hidden, so the footer stays put
        return True

    def on_pod_table_cursor_moved(self, message: PodTable.CursorMoved) -> None:
        if (message.uid is None) != self._no_pod_offered:
            self._no_pod_offered = message.uid is None
            self.refresh_bindings()  # only when the table empties or fills: it redraws the footer
        self._say_held()

    def on_screen_resume(self) -> None:
        self._say_held()  # back from a detail whose pod the list does not show now

    def _say_held(self) -> None:
        """Why no row is drawn as the cursor while the selected pod is not shown (see
        PodTable.held); taken back when it is, or another pod is selected."""
        table = self.table
        record = table.records.get(table.cursor_uid) if table.held and table.cursor_uid is not None else None
        if record is None or self.app.screen is self:
            self.podtui.say_selection_held(record)

    def action_describe(self) -> None:
        if self.table.cursor_uid is not None:
            self.podtui.open_detail(self.table.cursor_uid)

    def action_yaml(self) -> None:
        if self.table.cursor_uid is not None:
            self.podtui.open_detail(self.table.cursor_uid, pane="yaml")

    def action_explain(self) -> None:
        self.podtui.explain_last_restart(self.table.cursor_uid)

    def action_copy_name(self) -> None:
        self.podtui.copy_pod_name(self.table.cursor_uid)

    def action_k9s_key(self, key: str, what: str) -> None:
        if key == "l":
            # The table's l first: a row wider than the screen scrolls sideways. Only
            # one that has nowhere to go is taken for k9s's logs.
            before = self.table.x_offset
            self.table.action_scroll_columns(1)
            if self.table.x_offset != before or before:
                return
        self.podtui.k9s_key_hint(key, what, self.table.cursor_uid)

    def action_pick_namespace(self) -> None:
        self.podtui.action_pick_namespace()

    def action_all_namespaces(self) -> None:
        self.podtui.switch_namespace(None)

    def on_pod_table_opened(self, message: PodTable.Opened) -> None:
        self.podtui.open_detail(message.uid)
