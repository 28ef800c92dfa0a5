"""Pod detail: one pane per aspect of the pod, all updating live.

On a small terminal the panes are tabs (one at a time, full size); on a large one
they form a grid and the YAML gets the whole screen when chosen. Panes rebuild when
their pod changes; the ones with countdowns also once a second, and a pane whose text
did not change does not repaint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.binding import Binding
from textual.containers import Container
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from podtui.ui.cell_writes import CellCompositor, CellStatic
from podtui.ui.lifecycle_colours import next_colour, status_colour
from podtui.ui.panes.backoff import BackoffPane
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.conditions import ConditionsPane
from podtui.ui.panes.containers import ContainersPane
from podtui.ui.panes.events import EventsPane
from podtui.ui.panes.fmt import clock_time
from podtui.ui.panes.phase import PhasePane
from podtui.ui.panes.probes import ProbesPane
from podtui.ui.panes.termination import TerminationPane
from podtui.ui.panes.timeline import TimelinePane
from podtui.ui.panes.yaml_view import YamlPane
from podtui.ui.pod_index import table_status
from podtui.ui.pods_screen import COPY_NAME
from podtui.ui.replay_controls import key_footer
from podtui.ui.status_bar import StatusBar, stale_text

if TYPE_CHECKING:
    from podtui.ui.app import PodtuiApp

PANE_CLASSES: tuple[type[Pane], ...] = (
    PhasePane, ConditionsPane, ContainersPane, BackoffPane, ProbesPane, TerminationPane,
    TimelinePane, EventsPane, YamlPane,
)
PANE_KEYS = tuple(cls.KEY for cls in PANE_CLASSES)
GRID_MIN_SIZE = (150, 40)  # at least this many columns and rows: panes in a grid


class PaneBar(Static):
    """The pane tabs: numbered, clickable, the active one highlighted."""

    DEFAULT_CSS = """
    PaneBar { height: 1; background: $panel; padding: 0 1; }
    """

    def show_panes(self, panes: list[Pane], active: str, width: int) -> None:
        """Titles where they fit in `width` cells, else short ones; else (under 78
        columns) numbers, the active pane's with its name: every tab stays in view."""
        def tab(i: int, pane: Pane, style: str) -> str:
            if style == "titles":
                return f"{i} {pane.TITLE} "
            return f"{i} {pane.SHORT} " if style == "short" or pane.KEY == active else f"{i} "

        for style in ("titles", "short", "numbers"):
            texts = [tab(i, pane, style) for i, pane in enumerate(panes, 1)]
            if sum(map(len, texts)) <= width:
                break
        parts = []
        for text, pane in zip(texts, panes):
            look = "bold reverse $accent" if pane.KEY == active else "$foreground"
            parts.append(Content.styled(text, look).stylize(f"@click=screen.show_pane('{pane.KEY}')"))
        self.update(Content("").join(parts))


_NEXT_STEP_MIN = 6  # cells of the next step worth showing cut ("liveno…" is not)


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "back", "Back"),
        Binding("tab,right,l", "next_pane", "Next pane"),
        Binding("shift+tab,left,h", "previous_pane", "Prev pane", show=False),
        *(Binding(str(i), f"show_pane('{cls.KEY}')", f"{cls.TITLE} pane", show=False)
          for i, cls in enumerate(PANE_CLASSES, 1)),
        Binding("y", "show_pane('yaml')", "YAML"),
        Binding("x", "explain", "Explain", tooltip="Explain the last restart (again: hide it)"),
        # Short words for the footer (it must fit 80 columns); the help says them in full.
        Binding("o", "timeline_order", "Order", tooltip="Timeline order"),
        Binding("C", "timeline_container", "Container", tooltip="Timeline container"),
        COPY_NAME,
        # Not the list's previous/next pod (as a k9s user reads "p"): the pod that took
        # this one's place, under its name or its controller's (a Deployment's new name).
        # One help line each (80 columns); the title says where p goes, the README how.
        Binding("p", "follow('newer')", "Replacement pod", show=False,
                tooltip="The pod that replaced it (same name or controller)"),
        Binding("P", "follow('older')", "Replaced pod", show=False,
                tooltip="The pod it replaced (same name or controller)"),
        # priority: what is typed after ":" goes to the list's command line
        Binding("colon", "command", "Command", show=False, priority=True,
                tooltip="Command, back on the pod list"),
    ]

    DEFAULT_CSS = """
    DetailScreen { layout: vertical; }
    DetailScreen #detail-title { height: 1; background: $panel; padding: 0 1; }
    DetailScreen #panes { height: 1fr; }
    DetailScreen.-not-yet #panes { display: none; }
    DetailScreen.-tabs #panes > Pane { display: none; }
    DetailScreen.-tabs #panes > Pane.-active { display: block; }
    DetailScreen.-grid #panes {
        layout: grid;
        grid-size: 3 3;
        grid-columns: 1fr 1fr 1fr;
        grid-rows: 1fr 1fr 1fr;
    }
    DetailScreen.-grid #panes > Pane { border: round $panel-lighten-2; border-title-color: $text-muted; }
    DetailScreen.-grid #panes > Pane.-active { border: round $accent; border-title-color: $accent; }
    DetailScreen.-grid #pane-containers { column-span: 2; }
    DetailScreen.-grid #pane-yaml { display: none; }
    DetailScreen.-grid.-yaml #panes { layout: vertical; }
    DetailScreen.-grid.-yaml #panes > Pane { display: none; }
    DetailScreen.-grid.-yaml #panes > #pane-yaml { display: block; height: 1fr; }
    """

    # Grid order: Phase Conditions Back-off / Containers (two cells) Termination /
    # Probes Timeline Events; YAML takes the screen on its own.
    _GRID_ORDER = ("phase", "conditions", "backoff", "containers", "termination", "probes", "timeline", "events", "yaml")

    def __init__(self, uid: str, *, initial_pane: str = "phase", explain: bool = False) -> None:
        super().__init__()
        # Writes only the cells a refresh covers: a pane's "(49m ago)" refreshes its
        # digits, which Textual wrote with the pane's line up to them (see cell_writes).
        self._compositor = CellCompositor()
        self.uid = uid
        self.active = initial_pane if initial_pane in PANE_KEYS else "phase"
        self.panes: dict[str, Pane] = {cls.KEY: cls() for cls in PANE_CLASSES}
        if explain:
            self.containers_pane.set_explain(True)
            self.active = "containers"
        self.record: Any = None
        self.gone = False
        self.not_yet = False  # a replay sought back to before the pod was first seen
        self._title = CellStatic(id="detail-title")
        self._title_content: Content | None = None
        self._bar = PaneBar(id="pane-bar")
        self._grid = False
        # In a replay, the list's bar too: where in the recording, playing or paused,
        # which `>` and the seek keys move without leaving this screen.
        self.status_bar: StatusBar | None = None
        # (uid, version, its family and its version) -> (replacement, previous, next): the
        # title asks every tick, and a replacement reads the pod's history.
        self._family_memo: tuple = ((), (None, None, None, None))
        # (to uid, from record) of each p taken: P right after p goes back where p came
        # from, even when p went to the next pod by creation (whose own "before" is
        # another pod), or from a pod the store has since let go (its record is kept).
        self._p_trail: list[tuple[str, Any]] = []

    @property
    def podtui(self) -> PodtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def containers_pane(self) -> ContainersPane:
        pane = self.panes["containers"]
        assert isinstance(pane, ContainersPane)
        return pane

    def compose(self):
        if self.podtui.replay is not None:
            self.status_bar = StatusBar(id="status-bar")
            yield self.status_bar
        yield self._title
        yield self._bar
        with Container(id="panes"):
            for key in self._GRID_ORDER:
                yield self.panes[key]
        yield key_footer(self.podtui.replay is not None)

    def on_mount(self) -> None:
        if self.status_bar is not None:
            self.podtui.update_status_bar()
        self.record = self.podtui.store.pods.get(self.uid)
        self._apply_layout(self.size.width, self.size.height)
        self.refresh_panes()

    def refresh(self, *regions: Any, **kwargs: Any) -> DetailScreen:
        # Textual (8.2, App._background_screens) counts the pod list below as showing
        # through even this opaque screen, and repaints here each region that changed
        # there (Screen._compositor_refresh, Textual's only refresh of a screen by
        # region): its ticking rows and clock each second, the whole screen as it lays
        # out. None of it is visible; our own widgets repaint themselves, not by region.
        # tests/ui/test_textual_private.py fails once Textual stops doing that.
        if regions and self.styles.background.a == 1:
            return self
        return super().refresh(*regions, **kwargs)

    def on_unmount(self) -> None:
        self.podtui.drop_pod_notices()  # "this pod" would read as the next screen's

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        self._grid = width >= GRID_MIN_SIZE[0] and height >= GRID_MIN_SIZE[1]
        self.set_class(self._grid, "-grid")
        self.set_class(not self._grid, "-tabs")
        self._activate(self.active)

    # ------------------------------------------------------------------ updates
    def on_store_changed(self, dirty: set[str]) -> None:
        """Called by the app after each drain of the feed."""
        if self.uid not in dirty:
            return
        record = self.podtui.store.pods.get(self.uid) or self.record
        if record is not None:
            self._hold(record)
        else:
            self.gone = True
        self.refresh_panes()

    def _hold(self, record: Any) -> None:
        """Show `record`: the store's (back in a new store too: namespace switch, replay
        seek), else the last one had, of a pod expired from the store. Unless a replay
        went back to before it was seen: what we had is then the future."""
        self.record = record
        kept = self.podtui.store.pods.get(record.uid) is not record
        self.not_yet = kept and self.podtui.replay is not None and record.first_seen > self.podtui.clock.time()
        self.gone = kept and not self.not_yet
        self.set_class(self.not_yet, "-not-yet")

    def on_tick(self) -> None:
        """The clock moved: the panes that show it rebuild (once a second, see Pane.build_key)."""
        self.refresh_panes()

    def refresh_panes(self) -> None:
        record = self.record
        if record is None:
            self._set_title(Content.styled(f"pod {self.uid} is not in the store", "$text-error"))
            return
        now = self.podtui.clock.time()
        if self.not_yet:
            self._set_title(Content.assemble(
                (f"{record.namespace}/{record.name}", "bold"),
                (f"  not seen yet: first seen at {clock_time(record.first_seen)}, > goes there",
                 "$text-muted")))
            return
        ctx = PaneContext(records=self.podtui.store.pods)
        self._update_title(record, now)
        for key, pane in self.panes.items():
            if self._is_visible(key):
                pane.show(record, now, ctx)

    def _is_visible(self, key: str) -> bool:
        if self._grid:
            return key == "yaml" if self.active == "yaml" else key != "yaml"
        return key == self.active

    def _update_title(self, record: Any, now: float) -> None:
        row = record.row
        deleted = record.deleted_at is not None
        colour = status_colour(str(row.status), str(row.ready), deleted)
        parts = [Content.styled(f"{record.namespace}/{record.name}", "bold"), Content("  ")]
        # One line: what says which pod this is comes first, the counts (also in the
        # table and the panes) last, where a narrow terminal cuts.
        if deleted:
            # As the table says it; the last STATUS after, not first ("Running deleted").
            parts += [Content.styled(table_status(record), f"bold ${colour}"),
                      Content.styled(f"  was {row.status}", "$text-muted")]
        else:
            parts.append(Content.styled(str(row.status), f"bold ${colour}"))
        if self.gone:
            parts.append(Content.styled("  (expired from podtui's memory)", "$text-muted"))
        # As the bar says it: the next step's countdown runs on the clock, not on news.
        stale = stale_text(self.podtui.stale_since, now, self.podtui.stale_noticed)
        if stale:
            parts.append(Content.styled(f"  {stale}", "bold $text-warning"))
        hint = self._p_hint(record)
        at = len(parts)
        if hint:
            parts.append(Content.styled(hint[0], "$text-muted"))
        step = self.podtui.next_step(record, now)
        step_at = len(parts) if step is not None and not deleted else None
        step_style = f"bold ${next_colour(step.severity)}" if step is not None else ""
        if step is not None and step_at is not None:
            parts.append(Content.styled(f"  next: {step.text}", step_style))
        if hint:
            for shorter in hint[1:]:
                if sum(part.cell_length for part in parts) <= self.size.width - 2:
                    break
                # The hint's words before the edge cuts the next step ("next: deadline").
                parts[at] = Content.styled(shorter, "$text-muted")
        if step is not None and step_at is not None:
            self._fit_next_step(parts, step_at, step.text, step_style)
        # The counts go whole or not at all: "0/1 ready, 3" reads as three ready.
        room = self.size.width - 2 - sum(part.cell_length for part in parts)
        restarts = f"  {row.ready} ready, {row.restarts} restart{'' if row.restarts == 1 else 's'}"
        for counts in (restarts, f"  {row.ready} ready"):
            if len(counts) <= room:
                parts.append(Content(counts))
                break
        self._set_title(Content("").join(parts))

    def _fit_next_step(self, parts: list[Content], at: int, text: str, style: str) -> None:
        """The next step whole, or its first whole words with an ellipsis, or left out
        when less than a few of its cells would show: the edge cut it to a bare "next:"."""
        label = "  next: "
        room = self.size.width - 2 - sum(part.cell_length for i, part in enumerate(parts) if i != at)
        if parts[at].cell_length <= room:
            return
        keep = room - len(label) - 1  # the ellipsis
        if keep < _NEXT_STEP_MIN:
            del parts[at]
            return
        # Whole words: "restart in 3m…" would read as a countdown it is not.
        cut = Content(text).truncate(keep + 1).plain
        cut = cut[:-1] if cut[-1:] == " " else cut.rsplit(" ", 1)[0] if " " in cut else ""
        if cut.rstrip():
            parts[at] = Content.styled(f"{label}{cut.rstrip()}…", style)
        else:
            del parts[at]

    def _set_title(self, content: Content) -> None:
        """Repaint the title only when its text or look changed: it is worked out every tick."""
        if self._title_content is None or not content.is_same(self._title_content):
            self._title_content = content
            self._title.show_cells(content)  # its countdown's digits

    # ------------------------------------------------------------------ actions
    def _activate(self, key: str) -> None:
        self.active = key
        for k, pane in self.panes.items():
            pane.set_class(k == key, "-active")
        self.set_class(self._grid and key == "yaml", "-yaml")
        visible = [self.panes[k] for k in PANE_KEYS]
        self._bar.show_panes(visible, key, self.size.width - 2)  # less the bar's padding
        pane = self.panes[key]
        if not self._grid or key == "yaml":
            pane.width_hint = self.size.width  # a tab, or the YAML alone: the screen's width
        if pane.is_mounted:
            # Now, not via focus(), which waits behind keys already read: "9 G" at once
            # would scroll the pane being left.
            self.set_focus(pane)
        self.refresh_panes()

    def action_show_pane(self, key: str) -> None:
        if key in self.panes:
            self._activate(key)

    def action_next_pane(self) -> None:
        i = PANE_KEYS.index(self.active)
        self._activate(PANE_KEYS[(i + 1) % len(PANE_KEYS)])

    def action_previous_pane(self) -> None:
        i = PANE_KEYS.index(self.active)
        self._activate(PANE_KEYS[(i - 1) % len(PANE_KEYS)])

    def action_back(self) -> None:
        # Back on this pod's row (p may have moved on to another pod), or held as the
        # list's selection while its row is not shown: not the row that took its place.
        self.podtui.table.select_pod(self.uid)
        self.dismiss()

    def action_command(self) -> None:
        podtui = self.podtui
        podtui.back_to_pods(podtui.pods_screen.action_command)

    def action_copy_name(self) -> None:
        self.podtui.copy_pod_name(self.uid)

    def action_timeline_order(self) -> None:
        self._change_timeline(lambda pane: pane.toggle_order())

    def action_timeline_container(self) -> None:
        record = self.record
        self._change_timeline(lambda pane: pane.cycle_container(record) if record is not None else None)

    def _change_timeline(self, change: Callable[[TimelinePane], None]) -> None:
        """Change a Timeline setting and show it: the pane comes into view if it isn't."""
        pane = self.panes["timeline"]
        assert isinstance(pane, TimelinePane)
        change(pane)
        if self._is_visible("timeline"):
            self.refresh_panes()
        else:
            self._activate("timeline")  # which refreshes

    def action_explain(self) -> None:
        """The last restart's explanation and evidence, on the Containers pane; again: hide it."""
        pane = self.containers_pane
        if pane.explain and self._is_visible("containers") and self.active == "containers":
            pane.set_explain(False)
            self.refresh_panes()
            return
        if self.record is None or not self.podtui.check_explainable(self.record):
            return
        pane.set_explain(True)
        self._activate("containers")

    # ------------------------------------------------------------------ p and P
    def _family_targets(self, record: Any) -> tuple[str | None, str | None, str | None, str | None]:
        """(replacement, replaced, previous, next) among the pods of its controller,
        read only when the pod or its family changed. Of a pod expired from the store
        too, by the record this view kept: its name and controller are still known."""
        store = self.podtui.store
        held = store.pods.get(record.uid)
        family = store.family_of(record) if held is None or held is record else None
        if family is None:  # none, or a replay's seek left `record` behind (on_store_changed follows)
            return None, None, None, None
        key = (record.uid, record.version, family, family.version)  # a replay's seek: a new family
        if self._family_memo[0] != key:
            self._family_memo = (key, (store.replacement(record.uid, record), store.replaced(record.uid, record),
                                       *store.siblings(record.uid, record)))
        return self._family_memo[1]

    def _follow(self, record: Any, direction: str) -> tuple[str, str, str] | None:
        """Where p ("newer") or P ("older") goes: (uid, how, its name), how being
        "renamed-new", "replacement", "newer", "renamed-old", "replaced" or "older";
        else None. Each undoes the other: P from a replacement goes back to the pod it
        replaced, not to the pod made before it. The same name first: a StatefulSet's
        pod is followed to its own, not to a sibling made in between."""
        pods = self.podtui.store.pods
        replacement, replaced, previous, following = self._family_targets(record)
        if direction == "newer":
            steps = [(record.replaced_by, "renamed-new"), (replacement, "replacement"), (following, "newer")]
        else:
            steps = [(record.replaces, "renamed-old"), (replaced, "replaced"), (previous, "older")]
        for uid, how in steps:
            target = pods.get(uid) if uid else None
            if target is not None:
                return uid, how, target.name
        return None

    def _p_hint(self, record: Any) -> tuple[str, ...] | None:
        """The title's word on where p goes, longest first: the first that fits is used.
        When p has nowhere to go but P goes back to the pod this one replaced (its name
        reused, or its controller's replacement), the word is on P: p no longer goes back."""
        found = self._follow(record, "newer")
        if found is None:
            back = self._follow(record, "older")
            if back is not None and back[1] in ("renamed-old", "replaced"):
                return "  (P: the pod it replaced)", "  (P: replaced)"
            return None
        _, how, name = found
        if how == "renamed-new":
            return "  replaced (p: show the new pod)", "  replaced (p)"
        words = {"replacement": "replaced by", "newer": "newer", "older": "older"}[how]
        short = {"replacement": "replacement", "newer": "newer", "older": "older"}[how]
        return (f"  (p: {words} {name}, same {record.family.kind})", f"  (p: {words} {name})", f"  (p: {short})")

    def action_follow(self, direction: str = "newer") -> None:
        """p: to the pod that took this one's place (else the next); P: back, else the one before."""
        record = self.record
        if record is None:
            return
        found = self._follow(record, direction)
        trail = self._p_trail
        pods = self.podtui.store.pods
        target = pods.get(found[0]) if found is not None else None
        if direction == "older" and trail and trail[-1][0] == record.uid:
            back = trail.pop()[1]
            target = pods.get(back.uid) or back
        elif direction == "newer" and target is not None:
            trail.append((target.uid, record))
            del trail[:-100]
        else:
            trail.clear()
        if target is not None:
            self.podtui.drop_pod_notices(keep=target.uid)
            self.uid = target.uid
            self._hold(target)
            self.refresh_panes()  # a new uid: every pane's build key changes
            return
        family = getattr(record, "family", None)
        controller = f" or made by its {family.kind} {family.name}" if family is not None else ""

        def say(message: str) -> None:
            self.podtui.pod_notify(record.uid, message, severity="warning")

        if direction == "newer" and family is not None and self._follow(record, "older") is not None:
            say(f"{record.name} is the newest pod of its {family.kind} {family.name} podtui has seen: "
                "P goes to the one before")
        elif direction == "newer":
            # A Deployment's new pod has a new name: say what p can follow.
            say(f"no other pod named {record.name}{controller} seen: p follows a reused name "
                "(a StatefulSet's pod, a pod deleted and created again) or a controller's pods")
        else:
            say(f"no earlier pod named {record.name}{controller} seen")
