"""Timeline: the pod's lifecycle history, newest first or along a time axis, optionally
one container's entries only. Entries reconstructed from the object's own timestamps
(first sight of a pod mid-life) are marked `~`; `≈` marks a time podtui observed
rather than read off the object.

Merged into the raw transitions: each restart with its cause and the back-off that
followed (it replaces the bare "restarted (6 → 7)" line), each failed start and
disruption, and each unready period with its length (a container's period that the
pod's own period already names shows only when that container is filtered on). Those
come from podtui.lifecycle.explain, computed once per pod version; the ages and the
length of a period still open move with the clock without recomputing them."""

from __future__ import annotations

import math
import re
from typing import Any

from textual.content import Content, Span

from dataclasses import dataclass, field

from podtui.lifecycle import records as r
from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.explain import KIND_RESTART, TimelineEntry, restart_explanations, timeline_entries
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import MIN_WRAP, clock_time, join_lines, relative, s

NEWEST_FIRST = "newest"
TIME_AXIS = "axis"
_GAP_MARK = 60.0  # seconds: longer quiet spells get a marker on the time axis
_SAME = 2.0  # seconds: a container's unready period this close to the pod's is the same spell
UNREADY = "unready"
_CRASH_MESSAGE = re.compile(r"back-off (\S+) restarting failed container=\S+ pod=\S+$")
_SEVERITY_STYLE = {"error": "bold $next-error", "warning": "$next-warning", "info": "$next-info"}

_KIND_STYLE = {
    r.CREATED: "$text-primary", r.SCHEDULED: "$text-primary", r.PHASE: "bold",
    r.RESTART: "bold $status-backoff", r.DELETION: "bold $status-terminating",
    r.DISRUPTION: "bold $text-warning", r.REMOVED: "$status-deleted", r.REPLACED: "$status-deleted",
    r.FINALIZER: "$status-terminating",
}


def describe(t: Any) -> Content:
    """One entry in words."""
    subject, old, new, detail = s(t.subject), s(t.old) if t.old is not None else None, s(t.new), s(t.detail)
    kind = t.kind
    style = _KIND_STYLE.get(kind, "")
    if kind == r.CREATED:
        text = "pod created"
    elif kind == r.SCHEDULED:
        text = f"scheduled to {new}"
    elif kind == r.PHASE:
        text = f"phase {old} → {new}" if old else f"phase {new}"
    elif kind == r.REASON:
        # A value first seen has no "before": said as `phase Pending` is, not with a ∅.
        text = (f"status.reason {old} → {new or '<none>'}" if old else f"status.reason {new or '<none>'}")
    elif kind == r.CONDITION:
        text = f"{subject} {old} → {new}" if old else f"{subject} {new}"
        style = "$text-success" if new == "True" else "$text-error" if new == "False" else ""
    elif kind == r.CONTAINER_STATE:
        text = f"{subject}: {old} → {new}" if old else f"{subject}: {new}"
        backoff = _CRASH_MESSAGE.match(detail) if new == "waiting:CrashLoopBackOff" else None
        if backoff:  # the rest names this container and pod again: 4 wrapped lines at 80 columns
            detail = f"back-off {backoff.group(1)}"
        if new.startswith("terminated"):
            style = "$phase-failed" if "Completed" not in new else "$phase-succeeded"
        elif new.startswith("running"):
            style = "$phase-running"
    elif kind == r.READY:
        text = f"{subject} ready → {new}"
    elif kind == r.STARTED:
        text = f"{subject} started → {new}"
    elif kind == r.RESTART:
        # No old count: first sight of the pod mid-life; the count is all there is.
        text = f"{subject} restarted ({old} → {new})" if old is not None else f"{subject} restart count {new}"
    elif kind == r.IP:
        text = f"pod IP {new or '<none>'}"
    elif kind == r.NOMINATED:
        text = f"nominated node {new or '<none>'}"
    elif kind == r.DELETION:
        if isinstance(t.data, dict) and t.data.get("confirmed") and old is None:
            # First sight after the kubelet's grace-0 DELETE: the request time is kept, its grace is not.
            text, detail = "deletion requested", "the containers have since stopped; grace period now 0s"
        elif isinstance(t.data, dict) and t.data.get("confirmed"):
            # The kubelet's grace-0 DELETE after the containers stopped: its detail
            # ("grace shortened to 0s") would read as a SIGKILL brought forward.
            text, detail = "deletion confirmed by the kubelet", "the containers stopped; grace period now 0s"
        else:
            text = "deletion requested" if old is None else "deletion requested again"
    elif kind == r.DISRUPTION:
        text = f"disruption: {new}"
    elif kind == r.FINALIZER:
        text = f"finalizer {subject} {new}"  # added / removed
    elif kind == r.REMOVED:
        text = "removed from the API"
    elif kind == r.REPLACED:
        text = f"replaced by a new pod (uid {new[:8]})"
    else:
        text = f"{kind} {subject} {old or ''} → {new}".strip()
    out = Content.styled(text, style)
    if detail:
        out += Content.styled(f" · {detail}", "$text-muted")
    if t.container_kind and kind in (r.CONTAINER_STATE, r.RESTART, r.READY, r.STARTED):
        out = Content.styled(f"[{t.container_kind}] ", "$text-muted") + out
    return out


def containers_in(entries: list) -> list[str]:
    seen: dict[str, None] = {}
    for t in entries:
        if t.container_kind and t.subject:
            seen.setdefault(t.subject, None)
    return list(seen)


@dataclass(slots=True)
class Explained:
    """The explained entries of one pod version, and the restarts they explain."""

    entries: list[TimelineEntry] = field(default_factory=list)
    restarts: set[tuple[str, int]] = field(default_factory=set)  # (container, restartCount it led to)
    computed_at: float = 0.0  # the `now` the texts of periods still open were written for


def explain_entries(record: Any, now: float) -> Explained:
    try:
        entries = timeline_entries(record, now)
        restarts = {(ex.container, ex.number) for ex in restart_explanations(record, now)
                    if ex.kind == KIND_RESTART and ex.number is not None and not ex.pending}
    except Exception:  # noqa: BLE001 - the raw history still shows; the explanations are extra
        return Explained(computed_at=now)
    return Explained(entries, restarts, now)


def _explained_text(e: TimelineEntry, computed_at: float, now: float) -> str:
    """The entry's text; an open period's "for 4m so far" brought up to `now`."""
    if e.end is not None or e.kind != UNREADY or now == computed_at:
        return e.text
    then = f"for {human_duration(max(0.0, computed_at - e.at))} so far"
    return e.text.replace(then, f"for {human_duration(max(0.0, now - e.at))} so far", 1)


def _restart_number(t: Any) -> int | None:
    try:
        return int(t.new)
    except (TypeError, ValueError):
        return None


def _merged(record: Any, explained: Explained, container: str | None) -> list[tuple[float, int, Any]]:
    """(at, tie-break, entry) oldest first: raw transitions and explained entries."""
    raw = list(getattr(record.history, "entries", ()))
    ex = explained.entries
    if container is not None:
        raw = [t for t in raw if t.container_kind and t.subject == container]
        ex = [e for e in ex if e.container_kind and e.subject == container]
    else:
        pod_spells = [(e.at, e.end) for e in ex if e.kind == UNREADY and not e.container_kind]
        ex = [e for e in ex if not (e.kind == UNREADY and e.container_kind and _covered(e, pod_spells))]
    raw = [t for t in raw if not (t.kind == r.RESTART and (t.subject, _restart_number(t)) in explained.restarts)]
    out = [(t.at, 0, t) for t in raw] + [(e.at, 1, e) for e in ex]
    out.sort(key=lambda item: (item[0], item[1]))
    return out


def _covered(e: TimelineEntry, spells: list[tuple[float, float | None]]) -> bool:
    for start, end in spells:
        if abs(start - e.at) <= _SAME and (end is None) == (e.end is None) and \
                (end is None or abs(end - e.end) <= _SAME):
            return True
    return False


@dataclass(slots=True)
class RenderCache:
    """What render() may keep between calls for one pane (see render)."""

    lines: dict = field(default_factory=dict)  # id(entry) -> (entry, key, head, body lines, age text, line)
    merged_for: tuple | None = None
    merged: list = field(default_factory=list)


def render(record: Any, now: float, ctx: PaneContext | None = None, *, order: str = NEWEST_FIRST,
           container: str | None = None, explained: Explained | None = None,
           cache: RenderCache | None = None) -> Content:
    """The timeline; with `cache` (kept by the caller between calls) an entry's words
    are formatted and wrapped once, and each second only its stamp (the age) is new."""
    wrap = ctx.width if ctx is not None else None
    history = record.history
    dropped = getattr(history, "dropped", 0) or 0
    if explained is None:
        explained = explain_entries(record, now)
    merged_for = (record.uid, record.version, container, id(explained))
    if cache is not None and cache.merged_for == merged_for:
        entries = cache.merged
    else:
        entries = _merged(record, explained, container)
        if cache is not None:
            cache.merged_for, cache.merged = merged_for, entries
    header_bits = ["newest first" if order == NEWEST_FIRST else "time axis"]
    if container is not None:
        header_bits.append(f"container {container}")
    header = Content.styled(" · ".join(header_bits) + "   (o: order, C: container)", "$text-muted")
    if not entries:
        return join_lines([header, Content.styled("No transitions recorded.", "$text-muted")])
    fresh: dict = {}
    room = wrap - STAMP_WIDTH if wrap and wrap - STAMP_WIDTH >= MIN_WRAP else None
    old = cache.lines if cache is not None else {}

    def entry_line(entry: Any, when: str) -> Content:
        text = ""
        if isinstance(entry, TimelineEntry):
            text = _explained_text(entry, explained.computed_at, now)
        key = (room, text)
        hit = old.get(id(entry))
        if hit is not None and hit[0] is entry and hit[1] == key:
            head, body_lines = hit[2], hit[3]
            if hit[4] == when:  # the age text hasn't moved either (entries older than minutes)
                fresh[id(entry)] = hit
                return hit[5]
        else:
            if isinstance(entry, TimelineEntry):
                body = explained_body(entry, text)
            elif not entry.observed:
                body = Content.styled(describe(entry).plain, "$timeline-reconstructed")
            else:
                body = describe(entry)
            body_lines = body.wrap(room) if room and body.cell_length > room else [body]
            observed = getattr(entry, "observed", True)
            head = ("~" if not observed else "≈" if not entry.exact else " ") + clock_time(entry.at)
        out = _stamped(head, when, body_lines)
        fresh[id(entry)] = (entry, key, head, body_lines, when, out)
        return out

    lines = [header]
    if order == NEWEST_FIRST:
        for at, _, entry in reversed(entries):
            # From the second the clock column shows, so entries shown at one second agree.
            lines.append(entry_line(entry, f"{relative(math.floor(at), now):>9}"))
    else:
        # Offsets between the seconds the clock column shows, as above: 10:00:00.9 to
        # 10:00:01.3 is +1s, not +0s under two different clock seconds.
        first = math.floor(entries[0][0])
        previous = first
        for at, _, entry in entries:
            second = math.floor(at)
            if second - previous >= _GAP_MARK:
                lines.append(Content.styled(f"{'':>10}┆ {_span(second - previous)} later", "$text-muted"))
            lines.append(entry_line(entry, f"+{_span(second - first):>8}"))
            previous = second
    if dropped:
        lines.append(Content.styled(f"… {dropped} older entries dropped (history limit)", "$text-muted"))
    if cache is not None:
        cache.lines = fresh  # what this pod shows now: the cache never outgrows one timeline
    return _join(lines)


def explained_body(e: TimelineEntry, text: str) -> Content:
    out = Content.styled(text, _SEVERITY_STYLE.get(e.severity, ""))
    if e.container_kind:
        out = Content.styled(f"[{e.container_kind}] ", "$text-muted") + out
    return out


def _span(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


STAMP_WIDTH = 22  # "≈10:10:37 4m14s ago │ "
_STAMP_PAD = " " * STAMP_WIDTH


def _stamped(head: str, when: str, body_lines: list[Content]) -> Content:
    """Stamp + body lines (continuations under the body) as one Content, built in one
    go: this runs for every recent entry every second."""
    stamp = f"{head} {when} │ "
    spans = [Span(0, 1, "$timeline-reconstructed"), Span(10, 10 + len(when), "$text-muted")]
    parts = []
    offset = 0
    for i, body in enumerate(body_lines):
        prefix = stamp if i == 0 else _STAMP_PAD
        start = offset + len(prefix)
        spans.extend(Span(sp.start + start, sp.end + start, sp.style) for sp in body.spans)
        text = prefix + body.plain
        parts.append(text)
        offset += len(text) + 1
    # Every piece is already clean text (ours, or a Content's): no control codes to strip.
    return Content("\n".join(parts), spans, strip_control_codes=False)


def _join(lines: list[Content]) -> Content:
    """Content("\n").join(lines) without stripping control codes from text that has none
    (that pass costs milliseconds on a long timeline, every second)."""
    texts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for c in lines:
        text = c.plain
        if offset:
            spans.extend(Span(sp.start + offset, sp.end + offset, sp.style) for sp in c.spans)
        else:
            spans.extend(c.spans)
        texts.append(text)
        offset += len(text) + 1
    return Content("\n".join(texts), spans, strip_control_codes=False)


class TimelinePane(Pane):
    KEY = "timeline"
    TITLE = "Timeline"
    SHORT = "Timeline"
    TICKS = True  # "5m ago"

    def __init__(self) -> None:
        super().__init__()
        self.order = NEWEST_FIRST
        self.container: str | None = None
        self.explains = 0  # how often the explanations were computed (tests: once per version)
        self._explained: Explained | None = None
        self._explained_for: tuple | None = None
        self._cache = RenderCache()

    def options_key(self) -> tuple:
        return (self.order, self.container)

    def explained_for(self, record: Any, now: float) -> Explained:
        """The explanations of this pod version, computed once (they cost milliseconds
        on a long history; this pane is rebuilt every second)."""
        key = (record.uid, record.version)
        if self._explained is None or self._explained_for != key:
            self._explained = explain_entries(record, now)
            self._explained_for = key
            self.explains += 1
        return self._explained

    def toggle_order(self) -> None:
        self.order = TIME_AXIS if self.order == NEWEST_FIRST else NEWEST_FIRST

    def cycle_container(self, record: Any) -> None:
        names = containers_in(list(getattr(record.history, "entries", ())))
        if not names:
            self.container = None
        elif self.container not in names:
            self.container = names[0]
        else:
            i = names.index(self.container)
            self.container = names[i + 1] if i + 1 < len(names) else None

    def build(self, record: Any, now: float, ctx: PaneContext) -> Content:
        return render(record, now, ctx, order=self.order, container=self.container,
                      explained=self.explained_for(record, now), cache=self._cache)
