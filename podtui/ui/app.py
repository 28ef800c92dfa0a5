"""podtui's Textual app and the entry point the commands call.

The feed is drained on a timer (10 Hz): everything queued is applied to the Store in
one batch on the UI thread, then only what the store marks dirty is looked at, and of
that only what is on screen is repainted. A one-second tick moves the clocks (AGE,
countdowns), expires tombstones and updates events/s. Nothing here calls time.time():
"now" is the injected Clock (the demo's simulated time, a replay's recorded time).
"""

from __future__ import annotations

import os
import shlex
import sys
import threading
from collections import deque
from time import perf_counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import Screen

from podtui.clock import Clock
from podtui.errors import PodtuiError
from podtui.heap import settle_heap
from podtui.lifecycle.changes import (
    CONNECTING,
    EVENTS,
    FAILED,
    LISTING,
    LIVE,
    PODS,
    RECONNECTING,
    REFRESHING,
    RELISTING,
    STOPPED,
    Change,
    SourceStatus,
)
from podtui.lifecycle.duration import human_duration, whole_second
from podtui.lifecycle.explain import (
    KIND_DISRUPTION,
    KIND_RESTART,
    KIND_START_FAILURE,
    KIND_TERMINATION,
    steady_line,
    unready_explanation,
)
from podtui.lifecycle.history import unscheduled_since
from podtui.lifecycle.messages import first_line
from podtui.lifecycle.nextstep import next_due as model_next_due
from podtui.lifecycle.nextstep import next_step as model_next_step
from podtui.lifecycle.store import Store
from podtui.sources.base import Feed
from podtui.sources.recording import RecordingFeed
from podtui.ui.detail_screen import DetailScreen
from podtui.ui.help_screen import HelpScreen
from podtui.ui.namespace_screen import NamespaceScreen
from podtui.ui.next_text import readable
from podtui.ui.panes.base import Pane
from podtui.ui.panes.containers import crashed_container, explained
from podtui.ui.panes.phase import readiness_line
from podtui.ui.pod_table import PodTable
from podtui.ui.pods_screen import SORT_KEYS, PodsScreen
from podtui.ui.replay_controls import MAX_SPEED, MIN_SPEED, REPLAY_BINDINGS, ReplayControls
from podtui.ui.status_bar import BarState, stale_text
from podtui.ui.terminal import NO_TERMINAL_HINT, NoTerminal, check_terminal  # noqa: F401 - the commands' names for them
from podtui.ui.themes import load_themes, no_color, resolve_theme, with_lifecycle_colours

NamespaceSwitch = Callable[[str | None], Feed]
_SCHEDULER_MESSAGE = 300  # characters of the scheduler's reason, which names every node's
END_NOTICE = "end of the recording: space plays it again from the start"

POLL_INTERVAL = 0.1
TICK_INTERVAL = 1.0
PUMP_CHUNK = 20  # items applied between checks of the budget
PUMP_BUDGET = 0.008  # seconds of applying per pump before input and painting get a turn
PUMP_PAUSE = 0.002  # then this long for them, before the next slice
PAINT_INTERVAL = 0.1


def _bar_kind(state: BarState) -> tuple:
    return (state.source, state.shown == 0, state.total == 0, bool(state.problems), state.events_unavailable,
            state.held)


# How badly each state needs the operator's eye: the bar shows the worst stream's.
# A token refresh holds its stream up (nothing flows until the plugin answers) but loses
# nothing: below a reconnect, above a relist, which at least moves.
_CONCERN = {FAILED: 7, RECONNECTING: 6, REFRESHING: 5, RELISTING: 4, LISTING: 3, CONNECTING: 2, LIVE: 1}


def _worst(streams: dict[str | None, SourceStatus]) -> SourceStatus | None:
    """The status the bar shows: the stream in the worst state, the pods' on a tie."""
    return max(streams.values(), default=None,
               key=lambda s: (_CONCERN.get(s.state, 0), s.resource != EVENTS))


def unscheduled_line(record: Any, now: float) -> str | None:
    """Why the scheduler has not placed the pod, if it has not: its PodScheduled
    condition (since when, the scheduler's message) and its FailedScheduling Events,
    as in `not scheduled for 5m: 0/3 nodes are available: 3 Insufficient memory`."""
    obj = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return None
    condition = next((c for c in status.get("conditions") or ()
                      if isinstance(c, dict) and c.get("type") == "PodScheduled"), None)
    if condition is None or condition.get("status") != "False":
        return None
    since = unscheduled_since(getattr(getattr(record, "history", None), "entries", ()), obj)
    failed = [e for e in getattr(record, "events", ()) if e.reason == "FailedScheduling"]
    latest = max(failed, key=lambda e: e.last or 0.0, default=None)
    reason = condition.get("reason") if isinstance(condition.get("reason"), str) else ""
    message = condition.get("message") if isinstance(condition.get("message"), str) else ""
    message = message or (latest.message if latest is not None and isinstance(latest.message, str) else "")
    why = first_line(" ".join(message.split()), _SCHEDULER_MESSAGE) or reason or "the scheduler has not placed it"
    gated = reason == "SchedulingGated"  # waits on its schedulingGates, not on room
    text = ("scheduling gated" if gated else "not scheduled")
    if since is not None:
        text += f" for {human_duration(max(0.0, now - since))}"
    text += f": {why}"
    if latest is not None and latest.last is not None:
        times = f" x{latest.count}" if isinstance(latest.count, int) and latest.count > 1 else ""
        text += f" (Event FailedScheduling{times}, last {human_duration(max(0.0, now - latest.last))} ago)"
    return text


class PodtuiApp(App):
    TITLE = "podtui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
        *REPLAY_BINDINGS,
    ]

    def __init__(self, feed: Feed, clock: Clock, *, theme: str | None = None,
                 store_options: Mapping[str, Any] | None = None,
                 namespaces_switch: NamespaceSwitch | None = None,
                 replay: ReplayControls | None = None,
                 timers: bool = True, environ: Mapping[str, str] | None = None,
                 kubectl_flags: Sequence[str] = (), warnings: Sequence[str] = ()) -> None:
        # NO_COLOR: the terminal's own colours, so Textual's NO_COLOR filter strips every
        # colour (it greyed them to 256-colour greys on a forced dark background
        # otherwise). The process's environment, which is what Textual reads.
        super().__init__(ansi_color=True if no_color(os.environ) else None)
        env = os.environ if environ is None else environ
        self.feed = feed
        self.clock = clock
        self.store_options = dict(store_options or {})
        self._told_dropped = False  # early-dropped tombstones said (once: a replay's seek makes a new store)
        self.namespaces_switch = namespaces_switch
        self.replay = replay
        self.timers = timers
        # What kubectl needs to reach the cluster podtui watches (--kubeconfig, --context):
        # without them a pasted command reads the kubeconfig's current-context.
        self.kubectl_flags = tuple(kubectl_flags)
        self.warnings = tuple(warnings)  # said when the screen opens (a replay's load warnings)
        self.crash: BaseException | None = None
        loaded = load_themes(env)  # read once: resolve_theme checks --theme against it
        themes, self.theme_problems = loaded
        for t in themes.values():
            self.register_theme(t)
        self.theme = resolve_theme(theme, env, loaded=loaded)
        self.store = self._new_store()
        self.source_status: SourceStatus | None = None
        self._streams: dict[str | None, SourceStatus] = {}  # each stream's last status
        self.pods_live = False  # the pods stream has listed (the bar may show the events')
        # Once the pods stream has left live, having been live: when it last read anything,
        # the table showing the cluster as it was then (see BarState.stale_since). None while live.
        self.stale_since: float | None = None
        self.stale_noticed: float | None = None  # when it left live (see stale_text)
        self._recording_said = False  # the notice that a --record's recorder ended
        self.events_unavailable = False  # the source said it cannot show Events (e.g. RBAC)
        self.view_namespace: str | None = None  # a view filter when the feed can't be re-scoped
        self._cluster_namespaces: set[str] = set()  # as the cluster listed them for the picker
        self._unseen_namespace: str | None = None  # :ns to a namespace known_namespaces() lacked
        self.events_per_s = 0.0
        self._changes_since_tick = 0
        self._clock_second: int | None = None  # the clock's whole second the clock-driven cells show
        # In a replay: the recorded times of the changes applied lately, for events/s in
        # recorded time (wall time counts a seek's thousands of changes as one second's).
        self._replayed: deque[float] = deque()
        self._epoch = getattr(replay, "epoch", 0)
        self._rebuilding: Store | None = None  # a replay's store after a backwards seek, until caught up
        self._toasted: set[tuple] = set()  # a replay's statuses notified already (see _first_time)
        self._feed_started = False
        # A namespace switch on its way: (namespace,) while its connect runs (see
        # _connect_in_background); the generation tells a stale result from the last.
        self._switching: tuple[str | None] | None = None
        self._switch_generation = 0
        self._switch_thread: threading.Thread | None = None
        self._pump_pending = False
        # The feed's queue was full at the last tick (see LiveSource.held_back), and what
        # it held is not all applied yet: the bar says "catching up". A status Item could
        # not say so: it would wait behind the backlog it describes.
        self._behind = False
        self._backlog = False  # the last pump left items queued (out of budget)
        self._pending_dirty: set[str] = set()
        self._last_paint = 0.0
        self._bar_kind: tuple = ()  # what the bar said, in kind, when last repainted
        self._footer_playing: bool | None = None  # in a replay: what the footer offers
        self._notices: dict[str, Notification] = {}  # a replay's notices by kind, while shown
        self._pod_notices: list[tuple[str, Notification]] = []  # (uid, notice) about one pod
        tombstone_ttl = float(self.store_options.get("tombstone_ttl", 300.0))
        self.table = PodTable(clock, self.next_step, self.next_due, tombstone_ttl=tombstone_ttl,
                              moves_wait=replay is None, id="pods")
        self.pods_screen = PodsScreen(self.table)

    # ------------------------------------------------------------------ setup
    def _new_store(self) -> Store:
        return Store(self.clock, **self.store_options)

    def get_default_screen(self) -> Screen:
        return self.pods_screen

    def get_css_variables(self) -> dict[str, str]:
        return with_lifecycle_colours(super().get_css_variables())

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, severity="warning", timeout=8)
        for warning in self.warnings:  # a file name's "[" is text
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self.table.set_records(self.store.pods)
        self._update_scope_display()
        if self.replay is not None and self.replay.position > self.replay.start_time:
            # Opening further in (--at, a paused replay's first view): built aside as a
            # seek back is, "seeking…" meanwhile; applied in place, the table showed the
            # state growing pump by pump ("184 pods", "1084 pods", ...), and "0 pods" first.
            self._rebuilding = self._epoch_store()
        self.start_feed()
        if self.timers:
            self.set_interval(POLL_INTERVAL, self.pump)
            self.set_interval(TICK_INTERVAL, self.tick)
        self.update_status_bar()

    def start_feed(self) -> None:
        if not self._feed_started:
            self._feed_started = True
            self.feed.start()

    def on_unmount(self) -> None:
        self.feed.stop()

    # ------------------------------------------------------------------ the data path
    def pump(self) -> int:
        """Drain the feed: apply, then repaint what changed. Returns items applied.

        Work is sliced: after PUMP_BUDGET seconds the rest stays queued and another
        pump follows shortly on a timer. A timer, not call_later: the app's message
        queue never runs dry with call_later, and the event loop would then never get
        round to keys and painting during a burst (an initial list of 50k pods, a relist).
        """
        self._pump_pending = False
        started = perf_counter()  # a work budget, not "now": model time comes from the clock
        applied = 0
        more = False
        while True:
            items = self.feed.poll(PUMP_CHUNK)
            if self.replay is not None and self.replay.epoch != self._epoch:
                # A backwards seek: the feed starts over from the beginning. The new store
                # is built aside, over as many pumps as it takes, and shown once it has
                # caught up: until then the screens keep the last whole state, not a
                # half-built one ("0 pods", the open pod "expired from podtui's memory").
                # A ReplayFeed starts it from its newest checkpoint before the target.
                self._epoch = self.replay.epoch
                self._rebuilding = self._epoch_store()
                self._replayed.clear()
                # The new epoch's poll says every status before it again, in order.
                self._streams.clear()
                self.source_status, self.pods_live, self.stale_since, self.stale_noticed = None, False, None, None
                self.events_unavailable = False  # a recorded 403 after the new position is not yet
            if not items:
                break
            for item in items:
                if isinstance(item, Change):
                    self._changes_since_tick += 1
                    if self.replay is not None and item.observed > self.clock.time() - self._rate_window():
                        self._replayed.append(item.observed)
                elif isinstance(item, SourceStatus):
                    self._note_status(item)
            self._apply(self._rebuilding or self.store, items)
            applied += len(items)
            if len(items) < PUMP_CHUNK:
                break
            if perf_counter() - started > PUMP_BUDGET:
                more = True
                break
        if self._rebuilding is not None and not more:
            rebuilt, self._rebuilding = self._rebuilding, None
            self._expire(rebuilt)  # tombstones the ticks would have expired on the way
            rebuilt.take_dirty()  # set_records below shows every pod
            self._reset_store(rebuilt)
            since = getattr(self.replay, "change_times_since", None)
            if since is not None:  # the rebuild may have started from a checkpoint after them
                self._replayed = deque(since(self.clock.time() - self._rate_window()))
            self.tick()  # the ticks skipped meanwhile: events/s, the clocks, the bar
        elif self._rebuilding is None and (applied or self.replay is not None):
            if self.replay is not None:
                # Tombstones go at the replay's clock, which moves with the pump: on the
                # wall's once-a-second tick they stayed up to `speed` seconds too long.
                self._expire(self.store)
            self._pending_dirty |= self.store.take_dirty()
            self._say_tombstones_dropped()
        # Repaint at most PAINT_INTERVAL apart while a burst is being worked off: a
        # row that changes 25 times a second is redrawn 10 times, not 25.
        painted = False
        if self._pending_dirty and (not more or started - self._last_paint >= PAINT_INTERVAL):
            self._last_paint = started
            dirty, self._pending_dirty = self._pending_dirty, set()
            self._propagate(dirty)
            self._update_bar_after_changes()  # in a replay, always: it says the position
            painted = self.replay is not None
            settle_heap()
        if self._rebuilding is None:
            self._follow_clock(bar=not painted)
        self._backlog = more
        if more and self.timers and not self._pump_pending:
            self._pump_pending = True
            self.set_timer(PUMP_PAUSE, self.pump)
        return applied

    def _say_tombstones_dropped(self) -> None:
        """Once: past Store.tombstone_limit deleted pods go before their time (a churning
        cluster's would hold gigabytes); the greyed rows were kept silently. Not again
        for the store a namespace switch or a replay's seek makes: nothing new to say."""
        store = self.store
        if store.tombstones_dropped and not self._told_dropped:
            self._told_dropped = True
            ttl = human_duration(store.tombstone_ttl)
            self._notice("dropped", f"more than {store.tombstone_limit:,} pods were deleted within {ttl}: the oldest "
                                    f"deleted pods leave the list before their {ttl} are up", timeout=10)

    def _epoch_store(self) -> Store:
        """The store a replay's current epoch starts from (a checkpoint's, else empty)."""
        epoch_store = getattr(self.replay, "epoch_store", None)
        return epoch_store(self._new_store) if epoch_store is not None else self._new_store()

    def _apply(self, store: Store, items: list) -> None:
        apply = getattr(self.replay, "apply", None)
        if apply is not None:
            apply(store, items)  # at their recorded times, keeping checkpoints for seeks back
        else:
            store.apply_batch(items)

    def _expire(self, store: Store) -> None:
        expire = getattr(self.replay, "expire", None)
        if expire is not None:
            expire(store)  # up to the position, not past what is still to be applied
        else:
            store.expire(self.clock.time())

    def _note_status(self, status: SourceStatus) -> None:
        """Which status the bar shows: the worst of the streams' (a pods watch waiting to
        reconnect must not read "live" because the events watch just came back). Events
        that can't be had (forbidden) are said once and then marked on the bar."""
        gap = self._streams.get(None) if self.replay is not None else None
        if status.state == STOPPED and self.replay is not None:
            if status.at >= self.replay.end_time:
                return  # the recorder stopping, not the cluster: the bar keeps the state it ended in
            # Recordings joined (cat): nothing was recorded from here to the next one's
            # live, which read as a quiet cluster. Live until the recorder stopped: the
            # data was current then (not a drop, which the last item dates).
            if self.pods_live:
                self.stale_since = self.stale_noticed = status.at
            self.pods_live = False
            self._streams.clear()
            self._streams[None] = self.source_status = status
            return
        if status.resource != EVENTS:
            was_live, self.pods_live = self.pods_live, status.state == LIVE
            if self.pods_live:
                self.stale_since = self.stale_noticed = None
            elif was_live and status.state != STOPPED:
                # Stopped: podtui is quitting. As of the stream's last read: a dead watch
                # is noticed only at its read timeout. A replay says its recorded drops too.
                self.stale_since = self._data_as_of(status)
                self.stale_noticed = status.at
        if status.resource == EVENTS and status.state == FAILED:
            self.events_unavailable = True
            if self._first_time(status):
                self.notify(status.detail or "events are unavailable", severity="warning", timeout=15)
            self._streams.pop(EVENTS, None)
        else:
            if status.state == FAILED and status.detail and self._first_time(status):
                # Whole, where a narrow bar cuts it: what to do is at its end ("try -n NAMESPACE").
                self.notify(status.detail, severity="error", timeout=60)
            if status.resource is None:
                self._streams.clear()  # the source as a whole: stopped, a replay
            self._streams[status.resource] = status
        if gap is not None and gap.state == STOPPED:
            if status.state != LIVE:
                self._streams[None] = self.source_status = gap  # not recorded until live again
                return
            self._streams.pop(None, None)
        self.source_status = _worst(self._streams)

    def _first_time(self, status: SourceStatus) -> bool:
        """Whether to toast `status`: a replay says its earlier statuses again at each new
        epoch (every seek back), and a recorded failure was toasted once per seek."""
        if self.replay is None:
            return True
        key = (status.at, status.state, status.resource, status.detail)
        if key in self._toasted:
            return False
        self._toasted.add(key)
        return True

    def _data_as_of(self, status: SourceStatus) -> float:
        """When the pods the table shows were last current, for a status leaving live: the
        stream's last read, else (older recordings) the last pods item recorded before
        it, else the status's own time (under-states the age)."""
        if status.current_as_of is not None:
            return status.current_as_of
        before = getattr(self.replay, "pods_read_before", None)
        at = before(status.at) if before is not None else None
        return status.at if at is None else at

    def drain(self, max_rounds: int = 1000) -> int:
        """Apply everything queued now (tests and snapshots; the timer does this live)."""
        total = 0
        for _ in range(max_rounds):
            n = self.pump()
            if not n:
                break
            total += n
        return total

    def tick(self) -> None:
        """Once a second: expire tombstones, move countdowns, update events/s."""
        if self._rebuilding is not None:
            # The old state stays as it was, not aged to the new position, until the swap.
            self.update_status_bar()  # "seeking…"
            return
        self._expire(self.store)
        dirty, self._pending_dirty = self._pending_dirty | self.store.take_dirty(), set()
        self._propagate(dirty)
        if self.replay is not None:
            # Recorded time stands still while paused: no rate (the bar leaves it out), nor
            # one made up of what a step or a seek applied at once.
            self.events_per_s = self._replay_rate() if self.replay.playing else 0.0
        else:
            self.events_per_s = 0.5 * self.events_per_s + 0.5 * self._changes_since_tick / TICK_INTERVAL
        self._changes_since_tick = 0
        # Sampled once a second: a producer released by a drain is held again within
        # milliseconds, so held_back alone would flicker while the backlog is worked off.
        self._behind = bool(getattr(self.feed, "held_back", False)) or (self._behind and self._backlog)
        if self.replay is None or whole_second(self.clock.time()) != self._clock_second:
            # A replay's clock moves with the pump, which ticked it already. Live, the pump
            # ticks them as the second turns, and the tick again: the table's columns
            # narrow and an open detail's title asks after the pod's family on a tick,
            # which tests drive without the pump. The rows' clocks the pump worked out in
            # this second are not worked out again (PodTable.tick).
            self._tick_clocks()
        self._say_recording_stopped()
        self.update_status_bar()

    def _tick_clocks(self) -> None:
        """The clock-driven cells on screen (the table's visible rows, an open detail) worked
        out again at the clock's now, which the bar is about to say."""
        self._clock_second = whole_second(self.clock.time())
        self.table.tick()
        screen = self.screen
        if isinstance(screen, DetailScreen):
            screen.on_tick()

    def _follow_clock(self, bar: bool = True) -> None:
        """The clocks and the bar move together whenever the whole second they show
        changes: at most once a pump, and only the rows on screen. A replay's clock runs at
        its speed, not the wall's: at ×8 a once-a-second tick left the rows' AGE and NEXT
        up to 8 s behind the bar (which a change repaints at once). Live, the tick's own
        phase left a row a change repainted a second ahead of the rest until it came
        (pods made in the same second read 118s and 119s in one frame)."""
        if whole_second(self.clock.time()) != self._clock_second:
            self._tick_clocks()
            if bar:  # else said already in this pump, after its changes
                self.update_status_bar()

    def _say_recording_stopped(self) -> None:
        """Once: a --record's recorder ended (a full disk). The screen goes on; the why,
        which the recorder says only as it is reaped, is printed on quitting."""
        writer = self.feed.writer if isinstance(self.feed, RecordingFeed) else None
        if writer is None or self._recording_said or not writer.stopped:
            return
        self._recording_said = True
        message = writer.error or f"recording to {writer.path} stopped: the recorder process ended"
        self.notify(f"{message}; the screen goes on", severity="error", timeout=30, markup=False)

    def _propagate(self, dirty: set[str]) -> None:
        if not dirty:
            return
        self.table.apply_dirty(dirty)
        for screen in self.screen_stack:
            if isinstance(screen, DetailScreen):
                screen.on_store_changed(dirty)

    def _rate_window(self) -> float:
        """Recorded seconds a replay's events/s is taken over: as many as a second of
        playing covers, at least two (the live rate's smoothing)."""
        return 2 * TICK_INTERVAL * max(1.0, self.replay.speed if self.replay is not None else 1.0)

    def _replay_rate(self) -> float:
        """Changes per recorded second, in the window up to the replay's position: the
        cluster's rate then, after a move too (kept while paused, said once it plays)."""
        now, window, times = self.clock.time(), self._rate_window(), self._replayed
        while times and times[0] <= now - window:
            times.popleft()
        return len(times) / window  # none is after now: the replay released up to it

    def _reset_store(self, store: Store | None = None) -> None:
        self._pending_dirty = set()
        self.store = store if store is not None else self._new_store()
        self.table.set_records(self.store.pods)
        for screen in self.screen_stack:
            if isinstance(screen, DetailScreen):
                screen.on_store_changed({screen.uid})

    def next_step(self, record: Any, now: float) -> Any:
        try:
            return readable(model_next_step(record, now))
        except Exception:  # a model bug must not take the UI down; NEXT stays empty
            return None

    def next_due(self, record: Any, now: float) -> float | None:
        """The due time of a pod's next step (its rewording, readable, keeps it): a NEXT
        sort's key, without wording each pod."""
        try:
            return model_next_due(record, now)
        except Exception:  # a model bug must not take the UI down; the pod sorts as never due
            return None

    # ------------------------------------------------------------------ status bar
    def bar_state(self) -> BarState:
        scope = self.feed.scope
        scope_text = self.view_namespace if self.view_namespace is not None else scope.describe()
        unseen = self._unseen_namespace is not None and not self.table.index.total \
            and self._unseen_namespace == (self.view_namespace or scope.namespace)
        if self._switching is not None:
            scope_text += f" → {self._switching[0] or 'all namespaces'}…"  # connecting to it
        writer = self.feed.writer if isinstance(self.feed, RecordingFeed) else None
        return BarState(
            context=scope.context,
            scope=scope_text,
            source=self.source_status,
            shown=self.table.visible_count,
            total=self.table.index.total,
            deleted=self.table.shown_deleted,
            events_per_s=self.events_per_s,
            replay=self.replay,
            seeking=self._rebuilding is not None,
            filter_text=self.table.index.filter.text.strip(),
            filter_error=self.table.index.filter.error,
            filter_left_out=self.table.index.filter.left_out,
            problems=len(self.store.problems),
            events_unavailable=self.events_unavailable,
            behind=self._behind,
            scope_note="unknown namespace" if unseen else "",
            stale_since=self.stale_since,
            stale_noticed=self.stale_noticed,
            recording=writer is not None,
            recording_stopped=writer is not None and writer.stopped,
            stopped_after=getattr(self.clock, "stopped_after", None),  # the demo's --stop-after
            held=self._held_name(),
        )

    def _held_name(self) -> str:
        """namespace/name of the list's selected pod while it is not shown (PodTable.held)."""
        record = self.store.pods.get(self.table.cursor_uid) if self.table.held and self.table.cursor_uid else None
        return f"{record.namespace}/{record.name}" if record is not None else ""

    def _update_bar_after_changes(self) -> None:
        """The bar after the feed was applied: at once when what it says changed in
        kind (the connection, the first pods or the last gone, problems, a replay
        step); a pod count that only moved waits for the tick, a second at most. Under
        churn the count moves at every pump, and each repaint rewrites the whole bar
        line: 5 KB/s of a slow link at 200 columns."""
        state = self.bar_state()
        if self.replay is not None or _bar_kind(state) != self._bar_kind:
            self.update_status_bar(state)

    def update_status_bar(self, state: BarState | None = None) -> None:
        state = state if state is not None else self.bar_state()
        self._bar_kind = _bar_kind(state)
        if self.replay is not None:
            self._follow_replay_end()
        now = self.clock.time()
        self.pods_screen.status_bar.show(state, now)
        for screen in self.screen_stack:
            if isinstance(screen, DetailScreen) and screen.status_bar is not None:
                screen.status_bar.show(state, now)
        self.table.set_empty_text(self._empty_text(state))
        self.table.set_stale(bool(stale_text(state.stale_since, now, state.stale_noticed)))  # when the bar says so

    def _follow_replay_end(self) -> None:
        """The footer's Play or Pause, and the notice at the end of the recording: said on
        playing into the end, taken back as soon as the position leaves it (a seek back)."""
        if self.replay.playing != self._footer_playing:
            if self._footer_playing and self.replay.at_end:
                self._notice("end", END_NOTICE, timeout=6)
            self._footer_playing = self.replay.playing  # a pause at the end, too
            self.refresh_bindings()
        if "end" in self._notices and not self.replay.at_end:
            self._notice("end", None)

    def _notice(self, kind: str, message: str | None, timeout: float = 2) -> None:
        """Say message in place of the last notice of its kind (None: take that back), as
        a player's on-screen display: `+` pressed five times at ×64 says it once."""
        old = self._notices.pop(kind, None)
        if old is not None:
            self.take_back_notice(old)
        if message is not None:
            self._notices[kind] = self._post_notice(message, timeout=timeout, markup=False)

    def _post_notice(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
                     timeout: float | None = None, markup: bool = True) -> Notification:
        """What Textual's notify does, returning the notice so that it can be taken back
        (its own returns None): built and posted through textual.notifications' public
        Notification and Notify."""
        notification = Notification(message, title, severity,
                                    self.NOTIFICATION_TIMEOUT if timeout is None else timeout, markup=markup)
        self.post_message(Notify(notification))
        return notification

    def take_back_notice(self, notification: Notification) -> None:
        """Remove a notice before its timeout. Textual has no public way to: App._unnotify
        is what its own toast calls when clicked (public `unnotify` until notify began
        posting a message, Textual PR #3275). The one use of it;
        tests/ui/test_textual_private.py fails loudly if its shape changes. Again once the
        app has handled the messages before this: a notice still on its way (its Notify
        not yet handled) was not there to remove, and arrived after (two "not shown"
        notices when the table and the screen's resume both said it in one frame)."""
        self._unnotify(notification)
        self.call_later(self._unnotify, notification)  # gone already: a no-op

    def pod_notify(self, uid: str, message: str, **kw: Any) -> None:
        """A notice about one pod ("this pod", its container): it goes with the pod's
        screen, not on to the next pod's (see drop_pod_notices)."""
        self._pod_notices.append((uid, self._post_notice(message, **kw)))

    def drop_pod_notices(self, keep: str | None = None) -> None:
        """Take back the notices about pods other than `keep`."""
        for uid, notification in self._pod_notices:
            if uid != keep:
                self.take_back_notice(notification)
        self._pod_notices = [(uid, n) for uid, n in self._pod_notices if uid == keep and not n.has_expired]

    def _empty_text(self, state: BarState) -> str:
        """What an empty table says, as kubectl's "No resources found in X namespace."
        Nothing while the first list is still on its way: the bar says so."""
        if state.shown or state.seeking:  # seeking: the bar says so, and no state is whole yet
            return ""
        if state.total and state.filter_text:
            return f"no pods match /{state.filter_text}  (esc clears the filter)"
        if self.replay is None and not self.pods_live:
            return ""
        scope = self.feed.scope
        namespace = self.view_namespace if self.view_namespace is not None else scope.namespace
        selectors = " ".join(f"{flag} {value}" for flag, value in (("-l", scope.label_selector),
                                                                     ("--field-selector", scope.field_selector)) if value)
        # kubectl's words to the letter; the selectors, which it leaves out, said before its full stop
        matching = f" matching {selectors}" if selectors else ""
        return f"No resources found in {namespace} namespace{matching}." if namespace \
            else f"No resources found{matching}"

    def _update_scope_display(self) -> None:
        all_namespaces = self.view_namespace is None and self.feed.scope.namespace is None
        self.table.set_show_namespace(all_namespaces)

    # ------------------------------------------------------------------ navigation
    def open_detail(self, uid: str, pane: str = "phase", *, explain: bool = False) -> None:
        self.drop_pod_notices(keep=uid)
        if uid in self.store.pods:
            self.push_screen(DetailScreen(uid, initial_pane=pane, explain=explain))

    def explain_last_restart(self, uid: str | None) -> None:
        """`x`: the pod's detail on its last restart's explanation and evidence."""
        record = self.store.pods.get(uid) if uid is not None else None
        if record is not None and self.check_explainable(record):
            self.open_detail(record.uid, "containers", explain=True)

    def check_explainable(self, record: Any) -> bool:
        """Whether `x` has something to show for this pod; says so when it hasn't, or
        when what it shows is not a restart."""
        now = self.clock.time()
        target = explained(record, now)
        if target is None:
            # A pod the scheduler cannot place has no container to explain: say why.
            unplaced = unscheduled_line(record, now)
            if unplaced is not None:
                self.pod_notify(record.uid, unplaced, severity="warning", timeout=12, markup=False)
                return False
            # Nor has an unready one (a readiness probe, a gate): why, as the Phase pane
            # says it, with what keeps it unready.
            unready = unready_explanation(record, now)
            if unready is not None:
                self.pod_notify(record.uid, unready, severity="warning", timeout=12, markup=False)
                return False
            flapping = readiness_line(record, now)
            steady = steady_line(record)
            self.pod_notify(record.uid, steady if flapping is None else f"{flapping[1]}\n{steady}",
                            timeout=8 if flapping else 4, markup=False)
            return False
        if target.kind != KIND_RESTART:
            what = {KIND_START_FAILURE: f"{target.container} has not started",
                    KIND_TERMINATION: f"{target.container} ended",
                    KIND_DISRUPTION: "the pod was disrupted"}.get(target.kind, target.kind)
            self.pod_notify(record.uid, f"no restarts seen for this pod; {what}: showing why", timeout=4)
        return True

    def copy_pod_name(self, uid: str | None) -> None:
        """`c`: the pod's name to the clipboard, as k9s does. podtui does not read logs;
        the notice says the command that does, and the name in case the terminal
        ignores the copy (OSC 52: tmux unless set-clipboard is on, macOS Terminal)."""
        record = self.store.pods.get(uid) if uid is not None else None
        if record is None:
            return
        self.copy_to_clipboard(record.name)
        command = self.kubectl_command("logs", record)
        crashed = crashed_container(record.obj) if isinstance(record.obj, dict) else None
        if crashed is not None:  # what it said before it crashed, not the new instance's first lines
            command += ["-c", crashed, "--previous"]
        logs = "logs: " + shlex.join(command)
        if crashed is not None:
            logs += f"\n--previous: the logs of {crashed}'s instance that crashed"
        if record.deleted_at is not None:
            # Its logs went with it; and its name may now be another pod's.
            logs = "deleted: its logs are gone" + ("; kubectl logs on the name reads the new pod's"
                                                   if record.replaced_by else "")
        self.notify(f"copied {record.name}\n{logs}", timeout=6, markup=False)  # a context's "[" is text

    def kubectl_command(self, verb: str, record: Any, *, options: Sequence[str] = (),
                        after: Sequence[str] = ()) -> list[str]:
        """`kubectl VERB [options] <flags for this cluster> -n NS NAME [after]`."""
        return ["kubectl", verb, *options, *self.kubectl_flags, "-n", record.namespace, record.name, *after]

    def k9s_key_hint(self, key: str, what: str, uid: str | None) -> None:
        """A k9s key for what podtui does not do (see K9S_KEYS): what it does instead,
        in one notice, said again in place of the last one."""
        record = self.store.pods.get(uid) if uid is not None else None
        if what == "logs":
            instead = "podtui doesn't read logs; c copies the pod's name and shows its kubectl logs command"
        elif what == "shell":
            exec_ = (shlex.join(self.kubectl_command("exec", record, options=["-it"], after=["--", "sh"]))
                     if record is not None and record.deleted_at is None and self.replay is None
                     else "kubectl exec -it POD -- sh")  # a replay's pods are the recording's
            instead = f"podtui opens no shell; from a terminal: {exec_}"
        elif what == "edit":
            instead = "podtui never writes to the cluster; y shows the pod's YAML"
        else:
            instead = "podtui never writes to the cluster"
        self._notice("k9s", f"{self.get_key_display(Binding(key, ''))} (k9s: {what}): {instead}", timeout=6)

    def say_selection_held(self, record: Any | None) -> None:
        """The list's selected pod is not shown (PodTable.held): why no row is the
        cursor, and what the keys act on; None takes that back."""
        self._notice("held", None if record is None else
                     f"{record.namespace}/{record.name} is not shown now: still selected, the keys act on it "
                     "and the cursor goes back to it when it is shown (j/k: a pod shown)", timeout=6)
        self.update_status_bar()  # which says it for as long as it lasts

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[Binding]]]:
        sections = [
            ("Pod list", list(PodTable.BINDINGS) + list(PodsScreen.BINDINGS)),
            ("Pod detail", list(DetailScreen.BINDINGS) + list(Pane.BINDINGS)),
            ("Everywhere", [b for b in self.BINDINGS if b not in REPLAY_BINDINGS]
             + [Binding("ctrl+p", "command_palette", "Command palette")]),
        ]
        if self.replay is not None:  # first: what a replay's reader looks for
            sections.insert(0, ("Replay", list(REPLAY_BINDINGS)))
        return sections

    def known_namespaces(self, *, view: bool = True) -> set[str]:
        """The namespaces podtui can name: its pods', the scope's and (with `view`) the
        view's, and what the cluster listed when last asked (the picker and `:ns` tab)."""
        names = {r.namespace for r in self.store.pods.values() if r.namespace}
        names.update(n for n in (self.feed.scope.namespace, self.view_namespace if view else None) if n)
        names.update(self._cluster_namespaces)
        return names

    def action_pick_namespace(self) -> None:
        namespaces = self.known_namespaces()
        current = self.view_namespace if self.view_namespace is not None else self.feed.scope.namespace

        def chosen(result: str | None | bool) -> None:
            if result is not False:
                self.switch_namespace(result)  # type: ignore[arg-type]

        picker = NamespaceScreen(sorted(namespaces), current)
        self.push_screen(picker, chosen)
        self._ask_cluster_namespaces(picker.add_namespaces)

    def _ask_cluster_namespaces(self, then: Callable[[list[str]], None]) -> bool:
        """Ask the cluster for its namespaces, as k9s lists every one: scoped, the store has
        seen no other; under -A (or --record, where picking filters), none without pods.
        In the background: a slow link or an exec plugin must not hold the screen up.
        then(names) on the app's loop, [] if refused or unreachable (what was seen stays).
        False if the feed cannot list them."""
        lister = getattr(self.feed, "namespace_names", None)
        if lister is None:
            return False

        def fetch() -> list[str]:
            try:
                return lister()
            except Exception:  # noqa: BLE001 - forbidden, unreachable: what was seen stays
                return []

        def listed(names: list[str]) -> None:
            self._cluster_namespaces.update(n for n in names if isinstance(n, str) and n)
            then(names)

        self._in_background("podtui-namespaces", fetch, listed)
        return True

    def switch_namespace(self, namespace: str | None) -> None:
        """Watch another namespace (None: all) without restarting.

        A feed that watches every namespace already has the chosen one: filter the view
        of the store, which keeps every pod's history, its tombstones and the cursor's
        pod for the way back. Live and scoped to one namespace: ask for a feed scoped to
        the new one and start from an empty store. Replay, or no way to re-scope: filter.
        """
        # here, not at the top: the rule lives with the kubeconfig code, whose kubernetes
        # import a replay need not pay for at start
        from podtui.sources.kubeconfig import check_namespace_name
        if namespace is not None:
            try:
                check_namespace_name(namespace)
            except PodtuiError as exc:  # as typed: its "[" is not markup
                self.notify(str(exc), severity="error", timeout=8, markup=False)
                return
        # Not refused (RBAC may hide a namespace from podtui), but said while it shows no
        # pods: a typo would otherwise read as an empty namespace.
        # Knowable only when podtui watched every namespace or the cluster listed them: a
        # session scoped with -n has seen no other namespace's pods.
        self._unseen_namespace = None
        if namespace is not None and namespace not in self.known_namespaces():
            if self._cluster_namespaces or not self._ask_cluster_namespaces(
                    lambda _: self._say_unseen(namespace, still_shown=True)):
                self._say_unseen(namespace)
            # else: a namespace without pods (kube-system) is no typo: said once the cluster answered
        rescope = (self.namespaces_switch is not None and self.replay is None
                   and self.feed.scope.namespace is not None)
        self._switch_generation += 1  # a connect still on its way is no longer wanted
        self._switching = None
        if rescope:
            if namespace != self.feed.scope.namespace:
                self._connect_in_background(namespace)
        else:
            self.view_namespace = namespace
            self.table.set_namespace(namespace)
        self._update_scope_display()
        self.update_status_bar()

    def _say_unseen(self, namespace: str, *, still_shown: bool = False) -> None:
        """Mark and say a namespace podtui cannot name (with still_shown: if the user has
        not moved on meanwhile). Knowable only when podtui watched every namespace or the
        cluster listed them: a session scoped with -n has seen no other namespace's pods."""
        knowable = self.feed.scope.namespace is None or bool(self._cluster_namespaces)
        if still_shown:
            shown = self._switching[0] if self._switching is not None else \
                (self.view_namespace if self.view_namespace is not None else self.feed.scope.namespace)
            if shown != namespace:
                return
        # Not the view's: by now the view may be this namespace itself
        if not knowable or namespace in self.known_namespaces(view=False):
            return
        self._unseen_namespace = namespace
        self.notify(f"namespace {namespace}: {self._unseen_note()}; watching it anyway (RBAC may hide "
                    "namespaces)", severity="warning", timeout=6, markup=False)
        self.update_status_bar()

    def _unseen_note(self) -> str:
        return "not in the cluster's namespace list" if self._cluster_namespaces else "podtui has seen no pod in it"

    def _connect_in_background(self, namespace: str | None) -> None:
        """Connecting means reading the kubeconfig (maybe running its credential plugin),
        a list and a watch: seconds on a slow link, up to a quarter minute through a
        429. The screen stays live meanwhile, and the last namespace asked for wins."""
        generation, self._switching = self._switch_generation, (namespace,)
        switch = self.namespaces_switch

        def connect() -> tuple[Feed | None, str | None]:
            try:
                return switch(namespace), None
            except PodtuiError as exc:
                return None, str(exc)
            except Exception as exc:  # noqa: BLE001 - a bug must not leave the switch hanging
                return None, f"cannot switch namespace: {exc}"

        def orphaned(result: tuple[Feed | None, str | None]) -> None:
            if result[0] is not None:
                result[0].stop()

        self._switch_thread = self._in_background(
            "podtui-namespace", connect, lambda result: self._switched(generation, *result), orphaned)

    def _in_background(self, name: str, work: Callable[[], Any], then: Callable[[Any], None],
                       orphaned: Callable[[Any], None] | None = None) -> threading.Thread:
        """work() in a daemon thread (quitting never waits for it), then then(result) on
        the app's loop; orphaned(result) instead if the app has quit meanwhile."""
        def run() -> None:
            result = work()
            try:
                self.call_from_thread(then, result)
            except RuntimeError:  # the app has quit
                if orphaned is not None:
                    orphaned(result)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread

    def _switched(self, generation: int, new_feed: Feed | None, failure: str | None) -> None:
        if generation != self._switch_generation:
            if new_feed is not None:
                new_feed.stop()  # overtaken by a later choice
            return
        self._switching = None
        if new_feed is None:
            self.notify(failure or "cannot switch namespace", severity="error", timeout=8)
            self.update_status_bar()
            return
        self.feed.stop()
        self.feed = new_feed
        self._feed_started = False
        self.source_status = None
        self._streams.clear()
        self.pods_live = False
        self.stale_since = self.stale_noticed = None
        self.events_unavailable = False
        self._behind = self._backlog = False
        self.view_namespace = None
        self._reset_store()
        self.start_feed()
        self._update_scope_display()
        self.update_status_bar()

    # ------------------------------------------------------------------ replay
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("replay_") and self.replay is None:
            return False
        if action == "replay_toggle" and parameters:
            return parameters[0] == ("pause" if self.replay.playing else "play")
        return True

    def action_replay_toggle(self, _shown: str = "") -> None:
        if self.replay is None:
            return
        self.replay.toggle()  # at the end: again from the start
        self._replay_moved()

    def action_replay_step(self) -> None:
        if self.replay is not None:
            self.replay.step()
            self._replay_moved()

    def action_replay_seek(self, seconds: float) -> None:
        if self.replay is not None:
            self.replay.seek(self.replay.position + float(seconds))
            self._replay_moved()

    def action_replay_seek_to(self, t: float) -> None:
        """A click on the bar's progress line."""
        if self.replay is not None:
            self.replay.seek(float(t))
            self._replay_moved()

    def _replay_moved(self) -> None:
        """Apply what the move released, and tick now, not within the second: the clock
        jumped, so ages, countdowns and expired tombstones move with it, and the bar says
        the new position (a seek over a quiet stretch changes no pod)."""
        self.pump()
        self.tick()

    def action_replay_speed(self, factor: float) -> None:
        if self.replay is None:
            return
        now = self.replay.speed
        # Past a limit already (--speed 100): + must not slow down, nor - speed up.
        speed = max(min(now * float(factor), max(MAX_SPEED, now)), min(MIN_SPEED, now))
        if speed == now:
            self._notice("speed", f"×{speed:g} is the {'fastest' if factor > 1 else 'slowest'}")
        self.replay.set_speed(speed)
        self.update_status_bar()

    def action_replay_next_change(self) -> None:
        if self.replay is None:
            return
        uid = self.table.cursor_uid
        if isinstance(self.screen, DetailScreen):
            uid = self.screen.uid
        if uid is None or not self.replay.seek_next_change(uid):
            self._notice("next", "no later change of this pod in the recording", timeout=3)
        self._replay_moved()

    # ------------------------------------------------------------------ palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's "Keys" opens its own side panel: a second key list, with keys
        # podtui has no use for (tab, ctrl+pgup) and descriptions printed twice.
        yield from (c for c in super().get_system_commands(screen) if c.title != "Keys")
        yield SystemCommand("Keys", "Every key and what it does (?)", self.action_help)
        yield SystemCommand("Filter pods", "Filter by name, namespace, status, node or label (/)",
                            lambda: self.back_to_pods(self.pods_screen.action_filter))
        yield SystemCommand("Namespace", "Switch namespace (n)", self.action_pick_namespace)
        yield SystemCommand("All namespaces", "Watch every namespace (0)", lambda: self.switch_namespace(None))
        yield SystemCommand("Wide columns", "Toggle IP, NODE, NOMINATED NODE, READINESS GATES (w)",
                            self.table.toggle_wide)
        for key, column, text in SORT_KEYS:
            yield SystemCommand(text, f"Sort the pod list; again to reverse ({key})",
                                lambda c=column: self.table.sort_by(c))
        # On a detail, its pod (p may have moved on from the list's): what Esc would select.
        # The topmost detail's, under Help too (the palette from there acted on the list's row).
        detail = next((s for s in reversed(self.screen_stack) if isinstance(s, DetailScreen)), None)
        uid = detail.uid if detail is not None else self.table.cursor_uid
        if uid is not None:
            yield SystemCommand("Pod details", "Open the selected pod (enter)",
                                lambda: self.back_to_pods(lambda: self.open_detail(uid)))
            yield SystemCommand("Pod YAML", "The selected pod as YAML (y)",
                                lambda: self.back_to_pods(lambda: self.open_detail(uid, "yaml")))
            yield SystemCommand("Copy pod name", "The selected pod's name to the clipboard (c)",
                                lambda: self.copy_pod_name(uid))
            yield SystemCommand("Explain last restart",
                                "Why the selected pod last restarted, with the evidence; or why it is unready (x)",
                                lambda: self.back_to_pods(lambda: self.explain_last_restart(uid)))
        if self.replay is not None:
            yield SystemCommand("Replay: play/pause", "space", self.action_replay_toggle)
            yield SystemCommand("Replay: step", ".", self.action_replay_step)
            yield SystemCommand("Replay: next change of this pod", ">", self.action_replay_next_change)

    def back_to_pods(self, action: Callable[[], None]) -> None:
        """Leave the detail and help screens for the pod list, then action(). Each detail
        left selects its pod, as its Esc does (DetailScreen.action_back): the last, the
        one opened from the list, is the list's selection."""
        while isinstance(self.screen, (DetailScreen, HelpScreen)):
            if isinstance(self.screen, DetailScreen):
                self.table.select_pod(self.screen.uid)
            self.pop_screen()
        action()

    # ------------------------------------------------------------------ errors
    def _handle_exception(self, error: Exception) -> None:
        self.crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # run() re-raises the crash so the CLI prints one line and keeps the traceback in
        # its crash log; Textual would otherwise print a full traceback on exit.
        self.bell()
        self._close_messages_no_wait()

    async def action_quit(self) -> None:
        self.feed.stop()
        self.exit(0)


def run(feed: Feed, clock: Clock, *, theme: str | None = None,
        store_options: Mapping[str, Any] | None = None,
        namespaces_switch: NamespaceSwitch | None = None,
        replay: ReplayControls | None = None, kubectl_flags: Sequence[str] = (),
        warnings: Sequence[str] = ()) -> int:
    """Run the UI until the user quits. Returns the exit status.

    theme: a theme name (None: the default for this terminal); an unknown name raises
    ConfigError before the screen is touched. namespaces_switch: given a namespace (None
    for all), returns a new Feed scoped to it; without it, switching namespaces filters
    the view. replay: the controls of a ReplayFeed (usually the feed itself).
    kubectl_flags: what the `kubectl logs` command `c` shows needs to reach this cluster.
    warnings: shown as notifications when the screen opens.
    """
    try:
        # An unknown theme fails here, in the constructor (resolve_theme), with the list
        # of themes: before the feed is started or the screen touched.
        app = PodtuiApp(feed, clock, theme=theme, store_options=store_options,
                        namespaces_switch=namespaces_switch, replay=replay, kubectl_flags=kubectl_flags,
                        warnings=warnings)
        app.warnings += tuple(check_terminal(os.environ, sys.__stderr__))
        app.run()
    finally:
        feed.stop()
    if app.crash is not None:
        raise app.crash
    return app.return_code or 0
