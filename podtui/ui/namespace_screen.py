"""`n`: pick a namespace (or all of them) without restarting."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

ALL = "\x00all"  # option id for "all namespaces" (no namespace may contain NUL)


class NamespaceScreen(ModalScreen[str | None | bool]):
    """Dismisses with a namespace, None for all namespaces, or False when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    NamespaceScreen { align: center middle; }
    NamespaceScreen > Vertical {
        width: 50; max-width: 100%; height: auto; max-height: 80%;
        border: round $accent; background: $surface;
    }
    NamespaceScreen OptionList { height: auto; max-height: 20; border: none; }
    """

    def __init__(self, namespaces: list[str], current: str | None) -> None:
        super().__init__()
        self.namespaces = sorted(set(namespaces))
        self.current = current

    def compose(self):
        box = Vertical()
        box.border_title = "namespace (type to filter or name one)"
        with box:
            yield Input(placeholder="namespace", id="ns-input", compact=True)
            yield OptionList(id="ns-options")
        # Its own keys: the list's footer beneath offered keys that type here.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill("")
        # Now, not via focus(): that waits behind keys already queued (typed with `n`).
        self.set_focus(self.query_one(Input))

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        text = text.strip().lower()
        if not text:
            options.add_option(Option("all namespaces", id=ALL))
        for ns in self.namespaces:
            if text in ns.lower():
                mark = " (current)" if ns == self.current else ""
                options.add_option(Option(ns + mark, id=ns))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def add_namespaces(self, names: list[str]) -> None:
        """More to offer (the cluster's, listed after the picker opened): merged in,
        with what is typed and the highlighted option kept."""
        merged = sorted(set(self.namespaces).union(names))
        if merged == self.namespaces or not self.is_attached:
            return
        self.namespaces = merged
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        was = options.get_option_at_index(highlighted).id if highlighted is not None and options.option_count else None
        self._fill(self.query_one(Input).value)
        if was is not None:
            try:
                options.highlighted = options.get_option_index(was)
            except OptionDoesNotExist:  # filtered out by what is typed
                pass

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self._choose(options.get_option_at_index(options.highlighted).id)
        elif event.value.strip():
            self.dismiss(event.value.strip())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def on_key(self, event) -> None:
        # Arrows move through the list while typing goes to the input.
        if event.key in ("down", "up"):
            options = self.query_one(OptionList)
            if options.option_count:
                current = options.highlighted or 0
                step = 1 if event.key == "down" else -1
                options.highlighted = max(0, min(options.option_count - 1, current + step))
            event.stop()

    def _choose(self, option_id: str | None) -> None:
        self.dismiss(None if option_id == ALL else option_id)

    def action_cancel(self) -> None:
        self.dismiss(False)
