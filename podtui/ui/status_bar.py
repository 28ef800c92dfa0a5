"""The status bar: context, scope, connection state, pods shown/total, events/s.

Once the pods stream has been live and no longer is, the bar says how old what the
table shows is ("data 12s old"): its AGE and NEXT countdowns keep moving on the clock
as if the cluster still agreed. With --record it says so ("● rec").

It repaints only when its text changes, which is about once a second at most (events/s,
a reconnect countdown), and then only the cells that changed (the clock's digit, not
the line: see podtui.ui.cell_writes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual.content import Content

from podtui.lifecycle import changes as ch
from podtui.lifecycle.duration import human_duration, whole_second
from podtui.sources.recording import recording_length
from podtui.ui.cell_writes import CellStatic
from podtui.ui.panes.fmt import clock_time, countdown
from podtui.ui.pod_table import cut_middle, fit


@dataclass
class BarState:
    context: str = ""
    scope: str = ""
    source: ch.SourceStatus | None = None
    shown: int = 0
    total: int = 0
    deleted: int = 0  # of shown: tombstones, which kubectl no longer lists
    events_per_s: float = 0.0
    replay: Any = None  # ReplayControls, when replaying
    seeking: bool = False  # a replay's new position is being built; the pods shown are the old one's
    filter_text: str = ""
    # What of the filter is not applied and why (PodFilter.error), said while it holds it.
    filter_error: str = ""
    filter_left_out: str = ""  # its first part, kept whole when cut (PodFilter.left_out)
    problems: int = 0
    events_unavailable: bool = False
    # The screen is behind the source (its bounded queue is full, a watch thread waits):
    # the connection's state is then older than what the cluster says now.
    behind: bool = False
    # About the scope, said next to it: "unknown namespace" (:ns to one podtui has not
    # seen; the events/s are then other namespaces').
    scope_note: str = ""
    # When what is shown was last current: the pods stream's last read before it left
    # live (None: live, or never was), and when it left (None: then). See stale_text.
    stale_since: float | None = None
    stale_noticed: float | None = None
    recording: bool = False  # everything seen also goes to a file (--record)
    recording_stopped: bool = False  # ... and no longer does (the recorder ended: a full disk)
    # The clock stands still this long after its start (`podtui demo --stop-after`): the
    # cluster has stopped changing, and the timers hold with it.
    stopped_after: float | None = None
    # "namespace/name" of the selected pod while the list does not show it (PodTable.held):
    # the keys act on it, and no row is drawn as the cursor.
    held: str = ""


def stale_text(stale_since: float | None, now: float, noticed: float | None = None) -> str:
    """"data 12s old" (as AGE says a duration, from `stale_since`), or "" when current.
    A reconnect within a second of leaving live (`noticed`) is no news, however long
    before the stream last read anything. The bar and an open pod's title say it alike."""
    if stale_since is None or now - (stale_since if noticed is None else noticed) < 1:
        return ""
    return f"data {human_duration(now - stale_since)} old"


def connection_text(source: ch.SourceStatus | None, now: float, reason: int | None = None) -> tuple[str, str]:
    """(text, style) for the connection state. reason: at most that many cells of its
    reason (the detail), 0 for none; the state's own words stay whole."""
    if source is None:
        return ("connecting…", "$text-muted")
    state, detail = source.state, source.detail
    if detail and reason is not None and cell_len(detail) > reason:
        detail = fit(detail, reason) if reason >= _REASON_MIN else ""
    if state == ch.LIVE:
        return ("● live", "$text-success")
    if state == ch.RECONNECTING:
        text = "reconnecting"
        if source.retry_at is not None:
            text += f" in {countdown(source.retry_at - now)}" if source.retry_at > now else " now"
        return (f"{text}: {detail}" if detail else text, "bold $text-warning")
    if state == ch.REFRESHING:  # detail: the exec plugin's name
        return (f"refreshing credentials ({detail})…" if detail else "refreshing credentials…", "$text-warning")
    if state == ch.RELISTING:
        return (f"relisting {source.resource or ''}".strip() + (f": {detail}" if detail else ""), "$text-warning")
    if state == ch.LISTING:
        return ("listing…", "$text-muted")
    if state == ch.CONNECTING:
        return ("connecting…", "$text-muted")
    if state == ch.FAILED:
        return (f"failed: {detail}" if detail else "failed", "bold $text-error")
    if state == ch.STOPPED:
        return ("stopped", "$text-muted")
    if state == ch.REPLAY:
        return ("replay", "$text-accent")
    return (state, "")


def elapsed(seconds: float) -> str:
    """A video player's m:ss (h:mm:ss past an hour)."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def replay_text(replay: Any, now: float, *, word: bool = True) -> tuple[str, str]:
    """Where in the recording, as a video player says it: the recorded time (the bar's
    clock), the position out of the length, the speed, and that the end is reached.
    word=False leaves out "replay" (the mark ▶ ⏸ ■ says it too)."""
    playing = bool(getattr(replay, "playing", False))
    speed = getattr(replay, "speed", 1.0)
    at = getattr(replay, "position", now)
    # Whole seconds of the clock from the start's: the clock shown is then the start's
    # plus the offset shown (apart, they were rounded differently and drifted a second).
    start = whole_second(getattr(replay, "start_time", at))
    at_s = whole_second(at)
    length = elapsed(recording_length(getattr(replay, "start_time", at), getattr(replay, "end_time", at)))
    end = getattr(replay, "at_end", False)
    mark = "■" if end else "▶" if playing else "⏸"
    speed_text = f" ×{speed:g}" if speed != 1 else ""
    where = f"{elapsed(at_s - start)}/{length}" + (" end" if end else "")
    return (f"{mark}{' replay' if word else ''} {clock_time(at_s)} {where}{speed_text}", "bold $text-accent")


def scrubber(replay: Any, cells: int) -> Content:
    """A video player's progress line: ━ played, ─ to come; a click on a cell seeks there."""
    start, end = getattr(replay, "start_time", 0.0), getattr(replay, "end_time", 0.0)
    done = 1.0 if end <= start else (getattr(replay, "position", start) - start) / (end - start)
    played = round(cells * min(max(done, 0.0), 1.0))
    line = Content.assemble(("━" * played, "$text-accent"), ("─" * (cells - played), "$text-muted"))
    for i in range(cells):  # the last cell is the end
        t = start + (end - start) * i / max(cells - 1, 1)
        line = line.stylize(f"@click=app.replay_seek_to({t!r})", i, i + 1)
    return line


# A reason cut shorter than this says nothing ("con…"): the state word alone then.
_REASON_MIN = 8


@dataclass
class _Cuts:
    """What a narrow bar leaves out or shortens; status_line widens none of it back."""

    context: str
    scope: str
    clock: int = 2  # 2: "10:00:00 UTC", 1: "10:00:00", 0: none
    rate: bool = True
    filter: bool = True
    filter_error: int | None = None  # cells of it; None: whole
    problems: bool = True
    no_events: bool = True
    held: int = 2  # 2: "selected: NS/NAME, not shown", 1: "selection not shown", 0: none
    replay_word: bool = True
    reason: int | None = None  # cells of the connection's reason; None: whole
    deleted: bool = True
    recording: bool = True
    stale: bool = True


_REPLAY_TROUBLE = (ch.RECONNECTING, ch.REFRESHING, ch.RELISTING, ch.FAILED, ch.STOPPED)
_REASON_KEPT = 32  # cells: "401 Unauthorized: log in again;…", whole advice


def _filter_error_head(state: BarState) -> str:
    """What a filter error says is left out ("-l 'app in (web' not applied"), without why."""
    return state.filter_left_out or state.filter_error


def _parts(state: BarState, now: float, cuts: _Cuts) -> tuple[list[Content], int]:
    """The bar's parts as cut, and the index of the connection's (or the replay's)."""
    parts: list[Content] = []
    if cuts.context:
        parts.append(Content.styled(cuts.context, "bold"))
    if cuts.scope:
        note = state.scope_note
        parts.append(Content.assemble(cuts.scope, (f" ({note})", "$text-warning")) if note else Content(cuts.scope))
    connection = len(parts)
    if state.replay is not None:
        parts.append(Content.styled(*replay_text(state.replay, now, word=cuts.replay_word)))
        # The recorded connection when it was in trouble: a gap with no data read as a
        # quiet cluster. Connecting and listing come before the opening; live says nothing.
        if state.source is not None and state.source.state in _REPLAY_TROUBLE:
            # Stopped before the recording's end (recordings joined): a gap, not quiet.
            parts.append(Content.styled("not recorded", "bold $text-warning") if state.source.state == ch.STOPPED
                         else Content.styled(*connection_text(state.source, now, cuts.reason)))
            stale = stale_text(state.stale_since, now, state.stale_noticed)
            if stale and cuts.stale:
                parts.append(Content.styled(stale, "bold $text-warning"))
    else:
        text, style = connection_text(state.source, now, cuts.reason)
        if state.stopped_after is not None and text == "● live":  # a connection in trouble is still the news
            text, style = f"■ stopped after {human_duration(state.stopped_after)}", "bold $text-accent"
        part = Content.styled(text, style)
        if state.behind:  # next to the state it qualifies
            # "listing…" reads "listing, catching up"; a reason fit() cut keeps its "…".
            own = text in ("listing…", "connecting…") or text.endswith(")…")
            part = Content.assemble((text.removesuffix("…") if own else text, style),
                                    (", catching up", "$text-warning"))
        parts.append(part)
        stale = stale_text(state.stale_since, now, state.stale_noticed)
        if stale and cuts.stale:  # next to the state that says why
            parts.append(Content.styled(stale, "bold $text-warning"))
        if state.recording and cuts.recording:
            parts.append(Content.styled("rec stopped", "bold $text-error") if state.recording_stopped
                         else Content.styled("● rec", "$text-error"))
    if state.seeking:  # not the old position's count next to the new position
        parts.append(Content.styled("seeking…", "$text-muted"))
    else:
        noun = "pod" if state.total == 1 else "pods"
        pods = f"{state.shown}/{state.total} {noun}" if state.shown != state.total else f"{state.total} {noun}"
        # state.deleted counts the shown pods: with a filter on, "5/40 pods (20 deleted)"
        # said 20 of the 5 were.
        parts.append(Content(f"{pods} ({state.deleted} deleted)" if state.deleted and cuts.deleted else pods))
        # A paused replay has no rate: ev/s runs in recorded time, which stands still.
        paused = state.replay is not None and not getattr(state.replay, "playing", False)
        if cuts.rate and not state.scope_note and not paused:
            parts.append(Content(f"{state.events_per_s:.0f} ev/s"))
    if state.events_unavailable and cuts.no_events:
        parts.append(Content.styled("no events", "$text-warning"))
    if state.filter_text and cuts.filter:
        parts.append(Content.styled(f"/{state.filter_text}", "$text-accent"))
    if state.filter_error:  # outlasts the echo: the list is not all the line asks
        error = state.filter_error
        if cuts.filter_error is not None and cell_len(error) > cuts.filter_error:
            head = _filter_error_head(state)
            # Cut to what is left out, it reads whole: an ellipsis there would take its last letter.
            error = head if cuts.filter_error <= cell_len(head) else fit(error, cuts.filter_error)
        parts.append(Content.styled(error, "bold $text-warning"))
    if state.held and cuts.held:  # next to the filter that hides it
        parts.append(Content.styled(f"selected: {state.held}, not shown" if cuts.held == 2 else "selection not shown",
                                    "$text-warning"))
    if state.problems and not state.seeking and cuts.problems:
        parts.append(Content.styled(f"{state.problems} problems", "$text-warning"))
    if state.replay is None and cuts.clock:  # a replay's clock is its position, said already
        parts.append(Content.styled(f"{clock_time(now)} UTC" if cuts.clock == 2 else clock_time(now), "$text-muted"))
    return parts, connection


def status_line(state: BarState, now: float, width: int | None = None) -> Content:
    """The bar's line, made to fit `width` cells if given (see fit_status_line)."""
    return fit_status_line(state, now, width)[0]


def fit_status_line(state: BarState, now: float, width: int | None = None,
                    scope: str | None = None) -> tuple[Content, str]:
    """The bar's line, made to fit `width` cells if given, and the scope as it was cut.
    scope: the scope's form (as returned) to start from, not widened back.

    What it keeps longest is the connection's state ("reconnecting in 4s", "failed", a
    replay's position) and the pod count with its deleted ones: a fatal reason is also
    said whole as a notification, and the scope is what the user typed. So, in turn:
    the clock's "UTC", the clock, ev/s, the filter's echo, problems, "no events"; then
    why the filter's -l is not applied (that it is not stays); then
    "all namespaces" reads -A, a replay's word "replay" goes, the name of the selection
    not shown (a notice said it; "selection not shown" stays), the scope is cut, a long
    context's middle, "selection not shown" (a failure's reason here, as a notification
    says it whole), a reconnect's reason to _REASON_KEPT cells; then the scope goes, then the context,
    then the rest of the reason; last "● rec", how old the data is, then the "(N
    deleted)"; the edge cuts only what is left after that."""
    sep = Content.styled(" │ ", "$text-muted")
    cuts = _Cuts(context=state.context, scope=state.scope or "all namespaces")
    parts, connection = _parts(state, now, cuts)
    line = sep.join(parts)
    if state.replay is not None and width is not None and width - line.cell_length >= 13:
        # Room to spare (a wide terminal): the replay's progress, drawn
        cells = min(40, width - line.cell_length - 1)
        parts[connection] = Content.assemble(parts[connection], " ", scrubber(state.replay, cells))
        return sep.join(parts), cuts.scope
    if scope is not None:  # after the progress line's check: the room a kept -A frees is no room to spare
        cuts.scope = scope
        line = sep.join(_parts(state, now, cuts)[0])
    if width is None or line.cell_length <= width:
        return line, cuts.scope

    def over() -> int:
        return sep.join(_parts(state, now, cuts)[0]).cell_length - width

    live = state.replay is not None or (state.source is not None and state.source.state == ch.LIVE)

    def drop(name: str, value: object) -> None:
        setattr(cuts, name, value)

    steps: list[Callable[[], None]] = []
    if not live:  # nothing arrives while not live
        steps.append(lambda: drop("rate", False))
    steps += [lambda: drop("clock", 1), lambda: drop("clock", 0), lambda: drop("rate", False),
              lambda: drop("filter", False), lambda: drop("problems", False), lambda: drop("no_events", False),
              lambda: filter_error_to(head)]

    def scope_to(floor: int) -> None:
        if cuts.scope.startswith("all namespaces"):  # kubectl's own word for it
            cuts.scope = "-A" + cuts.scope.removeprefix("all namespaces")
            return
        cells = max(floor, cell_len(cuts.scope) - over())
        if cell_len(cuts.scope) > cells:
            cuts.scope = fit(cuts.scope, cells)

    def reason_to(floor: int) -> None:
        source = state.source
        if source is None or not source.detail or (state.replay is not None and source.state not in _REPLAY_TROUBLE):
            return
        cuts.reason = max(floor, cell_len(source.detail) - over())

    # What is not applied ("-l 'app in (web' not applied") stays; why, the edge may cut.
    head = cell_len(_filter_error_head(state))

    def filter_error_to(floor: int) -> None:
        if state.filter_error:
            cuts.filter_error = max(floor, cell_len(state.filter_error) - over())

    def context_to(floor: int) -> None:
        if cuts.context:  # from the whole name: cut_middle leaves one with an ellipsis as it is
            cuts.context = cut_middle(state.context, max(floor, cell_len(cuts.context) - over()))

    # "-A" (the first scope_to) says all that "all namespaces" does; "replay" says what
    # the clock beside it is.
    # A failure's reason is also said whole as a notification; a reconnect's is said only
    # here, and says what to do ("401 Unauthorized: log in again"): it outlasts the scope
    # and the context (the user knows which cluster they are watching).
    failed = state.source is not None and state.source.state == ch.FAILED
    # A held selection's name goes before the scope is cut; that one is held (the keys act
    # on a pod no row shows) only after the scope and the context are cut.
    steps += [lambda: scope_to(16), lambda: drop("replay_word", False), lambda: drop("held", 1),
              lambda: scope_to(16), lambda: context_to(20), lambda: drop("held", 0)]
    if failed:
        steps.append(lambda: reason_to(0))
    steps += [lambda: context_to(12), lambda: scope_to(4), lambda: reason_to(_REASON_KEPT),
              lambda: drop("scope", ""), lambda: context_to(8), lambda: drop("context", ""),
              lambda: reason_to(0),
              lambda: drop("recording", False), lambda: drop("stale", False),
              lambda: drop("deleted", False)]
    for step in steps:
        if over() <= 0:
            break
        step()
    return sep.join(_parts(state, now, cuts)[0]), cuts.scope


SCOPE_REGROW = 10.0  # seconds the room for "all namespaces" stays free before a kept -A gives it back


class StatusBar(CellStatic):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: Content | None = None
        self._last: tuple[BarState, float] | None = None
        # ((width, scope), "-A"): all namespaces read -A at this width once; a count a
        # digit longer or shorter flipped it back and forth at every change.
        self._scope_cut: tuple[tuple[int | None, str], str] | None = None
        # Since when (the clock's now) the whole scope has fitted beside a kept -A: held
        # SCOPE_REGROW seconds, it comes back (kept for good, -A stayed after a seek back
        # to 20 pods with the room free).
        self._fits_since: float | None = None
        self._last_now: float | None = None

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)  # fit the new width now, not at the next tick

    def show(self, state: BarState, now: float) -> bool:
        self._last = (state, now)
        width = self.content_size.width or None
        key = (width, state.scope)
        cut = self._scope_cut[1] if self._scope_cut is not None and self._scope_cut[0] == key else None
        back = self._last_now is not None and now < self._last_now  # a replay's seek back: decided again
        self._last_now = now
        uncut = None
        if cut is None:
            self._fits_since = None  # nothing kept (or kept at another width): no room to time
        elif not back:
            uncut = fit_status_line(state, now, width, None)
            if uncut[1] != (state.scope or "all namespaces"):
                self._fits_since = None
            elif self._fits_since is None:
                self._fits_since = now
            back = self._fits_since is not None and now - self._fits_since >= SCOPE_REGROW
        if back:
            cut, self._fits_since = None, None
        content, scope = uncut if back and uncut is not None else fit_status_line(state, now, width, cut)
        # Kept at -A, not shorter: a scope cut further or left out (a long reconnect
        # reason) comes back when there is room again.
        whole = state.scope or "all namespaces"
        short = "-A" + whole.removeprefix("all namespaces")
        self._scope_cut = (key, short) if whole.startswith("all namespaces") and scope != whole else None
        if self._shown is not None and content.is_same(self._shown):
            return False
        self._shown = content
        # One line of fixed size: no relayout, which would also repaint the table's
        # scrollbar on every row, once a second, for nothing.
        self.show_cells(content)
        return True

    @property
    def text(self) -> str:
        return self._shown.plain if self._shown is not None else ""
