"""The lifecycle history of pods as plain data, for incident reports: `podtui history`.

pod_report() turns one PodRecord into nested dicts/lists of strings, numbers and
booleans (so yaml.safe_dump takes it as is), with every time in RFC 3339 UTC and an
offset from the pod's creation, and every duration both as Go text and as *_seconds.
render_markdown() and render_yaml() print a whole report; the Markdown opens with a
summary table when it has several pods, and shows text from the cluster as written on
one line (escaped, control characters as \\xNN), but for evidence of several lines (a
termination message's stack trace), whose lines follow in a code block. Everything is
computed against an explicit `now` (for a recording: its end), so the same input always
gives the same text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import yaml

from podtui.lifecycle.backoff import backoffs, backoffs_left, restarts_over
from podtui.lifecycle.explain import RestartExplanation, latest_versions, restart_explanations
from podtui.lifecycle.history import unscheduled_since
from podtui.lifecycle.probes import counts_as_failure, probe_states, streak_fraction
from podtui.lifecycle.read import as_dict, as_list, controller_ref
from podtui.lifecycle.records import DELETION, EventRecord, Transition
from podtui.lifecycle.termination import deletion_request, removal, removal_words, termination
from podtui.lifecycle.times import go_duration
from podtui.lifecycle.unready import flaps, unready_periods


def rfc3339(at: float | None) -> str | None:
    """`2024-05-01T10:00:06Z`, or with milliseconds when the time has a fraction."""
    if at is None or not math.isfinite(at):
        return None
    from datetime import datetime, timezone

    dt = datetime.fromtimestamp(at, timezone.utc)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def offset(at: float | None, origin: float | None) -> str | None:
    """`+2m13s` after the origin (`-5s` before it)."""
    if at is None or origin is None:
        return None
    seconds = at - origin
    # Whole seconds elapsed, as a clock reads: go_duration rounds half to even, which
    # made 6.5s "+6s" and 7.5s "+8s" in one table.
    text = go_duration(math.floor(abs(seconds)))
    return ("-" if seconds < -0.5 else "+") + text


def timed(key: str, value: float | None) -> dict:
    """A duration as `key`, Go text for people, and `key_seconds`, a float for machines:
    both from one value here, so the two can't disagree (they were written pair by pair,
    and grace's number came out an int and its text as "90s" where Go says "1m30s")."""
    if value is None:
        return {key: None, f"{key}_seconds": None}
    value = max(0.0, float(value))
    return {key: go_duration(value), f"{key}_seconds": round(value, 3)}


def _clean(d: dict) -> dict:
    """Drop empty values, so each entry says only what is known."""
    return {k: v for k, v in d.items() if v is not None and v != "" and v != [] and v != {}}


def transition_text(t: Transition) -> str:
    """`container-state app: running -> terminated:Error`."""
    who = f" {t.subject}" if t.subject else ""
    if t.old is None and t.new is None:
        change = ""
    elif t.old is None:
        change = f": {t.new}"
    else:
        change = f": {t.old} -> {t.new}"
    return f"{t.kind}{who}{change}"


def _transition(t: Transition, origin: float | None) -> dict:
    return _clean({
        "at": rfc3339(t.at),
        "offset": offset(t.at, origin),
        "change": transition_text(t),
        "container_kind": t.container_kind or None,
        "detail": _CONFIRMED if t.kind == DELETION and isinstance(t.data, dict) and t.data.get("confirmed")
        else t.detail or None,
        # Reconstructed from the object's timestamps at first sight, not seen happening.
        "reconstructed": True if not t.observed else None,
        # Dated when podtui saw it: the object carries no timestamp for it.
        "time_observed": True if not t.exact else None,
    })


def _explanation(ex: RestartExplanation, origin: float | None, first_seen: float | None) -> dict:
    return _clean({
        "kind": ex.kind,
        "container": ex.container or None,
        "container_kind": ex.container_kind or None,
        "restart": ex.number,
        # Started, its postStart hook running: the status shows the ended instance until
        # the hook returns, but the kubelet has restarted it (its Started Event).
        "pending": True if ex.pending and ex.hook_started is None else None,
        "post_start_hook_running": True if ex.pending and ex.hook_started is not None else None,
        "cause": ex.cause,
        "summary": ex.summary,
        "at": rfc3339(ex.at),
        "offset": offset(ex.at, origin),
        # Before podtui first saw the pod: read from its lastState, not seen happening.
        "reconstructed": True if ex.at is not None and first_seen is not None and ex.at < first_seen else None,
        "time_observed": True if not ex.exact else None,
        "started": rfc3339(ex.started_at),
        "until": rfc3339(ex.end),
        "exit_code": ex.exit_code,
        "signal": ex.signal,
        "reason": ex.reason or None,
        "message": ex.message or None,
        "memory_limit": ex.memory_limit or None,
        "missing": ex.missing or None,
        "restarted_at": rfc3339(ex.restarted_at if ex.restarted_at is not None else ex.hook_started),
        **timed("backoff_after", ex.backoff_after),
        "backoff_from": ("kubelet message" if ex.backoff_measured else "observed gap")
        if ex.backoff_after is not None else None,
        # The back-off ended with the pod: the restart after it never came.
        "cut_short_by": ex.cut_short_by or None,
        "cut_short_at": rfc3339(ex.cut_short_at),
        "cut_short_offset": offset(ex.cut_short_at, origin),
        "cut_short_before_restart_due": ex.cut_short_first if ex.cut_short_at is not None else None,
        # Found gone on relist: removed after cut_short_after (if known), by cut_short_at.
        "cut_short_after": rfc3339(ex.cut_short_window[0]) if ex.cut_short_window else None,
        "cut_short_on_relist": True if ex.cut_short_window else None,
        "evidence": list(ex.evidence),
    })


def _probe_failures(record, now: float, origin: float | None) -> list[dict]:
    out = []
    for state in probe_states(record, now):
        failures = [e for e in state.events if counts_as_failure(e)]
        if not failures and not state.streak:
            continue
        firsts = [e.first for e in failures if e.first is not None]
        lasts = [e.last for e in failures if e.last is not None]
        messages = []
        for e in sorted(failures, key=lambda e: e.last or 0.0):
            if e.message not in messages:
                messages.append(e.message)
        s = state.settings
        out.append(_clean({
            "container": s.container,
            "probe": s.type,
            "handler": s.handler,
            "failures_reported": sum(e.count for e in failures),
            "first": rfc3339(min(firsts)) if firsts else None,
            "last": rfc3339(max(lasts)) if lasts else None,
            "last_offset": offset(max(lasts), origin) if lasts else None,
            "current_streak": streak_fraction(state) if state.streak else None,
            "messages": messages[-5:],
        }))
    return out


def _warning_events(record, events: list[EventRecord] | None) -> list[dict]:
    """Each Warning Event once, as its latest version says (as kubectl describe lists
    them): the one place a FailedScheduling or FailedMount shows its count and span."""
    warnings = [ev for ev in (events if events is not None else getattr(record, "events", ()))
                if ev.type == "Warning"]
    return [_clean({
        "reason": ev.reason,
        "container": ev.container or None,
        "count": ev.count,
        "first": rfc3339(ev.first),
        "last": rfc3339(ev.last),
        "message": ev.message or None,
    }) for ev in sorted(latest_versions(warnings), key=lambda e: (e.first or 0.0, e.reason))]


def _backoff_now(record, now: float) -> list[dict]:
    over = restarts_over(record, now)
    out = []
    for b in backoffs(record, now) if over is None else backoffs_left(record, now):
        if b.next_at is None and b.reset_at is not None:
            continue  # running again; nothing is waiting
        # Due after the pod's restarts ended (removed, deletion requested, finished): never
        # made. Due before it, the restart may have come unseen.
        never = over is not None and b.next_at is not None and (over.since is None or b.next_at >= over.since)
        out.append(_clean({
            "container": b.container,
            "kind": "restart" if b.kind == "crash" else "image pull",
            **timed("delay", b.delay),
            # Not "from": that key is a time everywhere else in the report.
            "delay_from": "kubelet message" if b.measured else "estimated",
            "next_attempt": rfc3339(b.next_at),
            "next_attempt_never_made": True if never else None,
            "never_made_because": (over.why + (" first" if over.since is not None else "")) if never else None,
            "message": b.message or None,
        }))
    return out


# The kubelet's grace-0 DELETE once the containers stopped, which history records as a shortening.
_CONFIRMED_HEAD = "the kubelet confirmed the deletion (grace 0s)"
_CONFIRMED = _CONFIRMED_HEAD + ": the containers stopped"


def _finalizer_hold(info, now: float) -> tuple[float | None, float]:
    """(since when, until when) finalizers alone kept the deleted pod: from the moment
    it would otherwise have gone (termination's held_since) to its removal, or now."""
    start = info.held_since
    end = info.removed_at if info.removed_at is not None else now
    if start is None or end <= start:
        return None, now
    return start, end


def _termination(record, now: float) -> dict | None:
    info = termination(record, now)
    if not (info.deletion_requested or info.disruption_reason or info.status_reason or info.deadline_at):
        return None
    req = deletion_request(record)
    kill_at, grace = info.kill_at, info.grace
    if req is not None and req.confirmed:  # the request, not the kubelet's grace 0
        kill_at, grace = req.kill_at, req.grace
    held_from, held_to = _finalizer_hold(info, now)
    stopped = req.stopped_at if req is not None else None
    early = kill_at - stopped if stopped is not None and kill_at is not None and kill_at - stopped > 1 else None
    removed = _removed_window(record, "removed")  # empty but for a removal found on relist
    return _clean({
        "deletion_requested": True if info.deletion_requested else None,
        "requested_at": rfc3339(req.at) if req is not None else None,
        "sigkill_deadline": rfc3339(kill_at),
        **timed("grace", grace),
        "containers_stopped": rfc3339(req.stopped_at) if req is not None else None,
        **timed("stopped_before_deadline", early),
        # finishedAt has whole seconds: a kill at the deadline may read a second early.
        "sigkilled": True if req is not None and req.killed and early is None else None,
        # Always a boolean, its time apart: a key that is sometimes a time and sometimes
        # `true` is one a machine reading the YAML has to special-case.
        "confirmed_by_kubelet": True if req is not None and req.confirmed else None,
        "confirmed_at": rfc3339(req.confirmed_at) if req is not None and req.confirmed else None,
        "prestop_hooks": list(info.prestop),
        "finalizers": list(info.finalizers),
        "waiting_on_finalizers": True if info.waiting_on_finalizers else None,
        "held_by_finalizers_from": rfc3339(held_from),
        **timed("held_by_finalizers", held_to - held_from if held_from is not None else None),
        # Up to a removal found on relist: it went by then, maybe well before.
        "held_by_finalizers_at_most": True if held_from is not None and removed else None,
        "removed": rfc3339(info.removed_at),
        **removed,
        "disruption": info.disruption_reason or None,
        "disruption_message": info.disruption_message or None,
        "status_reason": info.status_reason or None,
        "active_deadline": rfc3339(info.deadline_at),
    })


def _unready(record, now: float, origin: float | None, events: list[EventRecord] | None) -> tuple[list[dict], int]:
    periods = unready_periods(record, now, events)
    out = []
    for p in periods:
        out.append(_clean({
            "subject": p.subject,
            "subject_kind": p.subject_kind,
            "from": rfc3339(p.start),
            "offset": offset(p.start, origin),
            "to": rfc3339(p.end),
            **timed("duration", p.duration),
            "ongoing": True if p.ongoing else None,
            "at_start": True if p.starting else None,
            "reason": p.reason,
            "probe_messages": list(p.probe_messages),
            "start_time_observed": True if not p.exact else None,
        }))
    return out, flaps(periods, now)


def _unschedulable(entries: list[Transition], obj: dict, origin: float | None) -> dict | None:
    """Since when the scheduler had not placed the pod, if it still had not at the end:
    its last PodScheduled transition, else (the history dropped it) the condition."""
    since = unscheduled_since(entries, obj)
    if since is None:
        return None
    condition = next((c for c in as_list(as_dict(obj.get("status")).get("conditions"))
                      if isinstance(c, dict) and c.get("type") == "PodScheduled"), {})
    reason = condition.get("reason") if condition.get("status") == "False" else None
    return _clean({"from": rfc3339(since), "offset": offset(since, origin),
                   "reason": reason if isinstance(reason, str) else None})


def pod_report(record, now: float, events: Iterable[EventRecord] | None = None) -> dict:
    """One pod's lifecycle history. `events`: every version of the pod's Events, when
    the caller has them (each repeat then keeps its own time), else record.events."""
    obj = record.obj if isinstance(getattr(record, "obj", None), dict) else {}
    row = record.row
    origin = row.created if row.created is not None else record.first_seen
    entries = list(record.history.entries)
    events = list(events) if events is not None else None
    unready, flap_count = _unready(record, now, origin, events)
    return _clean({
        "pod": f"{record.namespace}/{record.name}",
        "uid": record.uid,
        "node": row.node if row.node != "<none>" else None,
        "status": row.status,
        "ready": row.ready,
        "restarts": row.restarts,
        "created": rfc3339(row.created),
        "first_seen": rfc3339(record.first_seen),
        "deleted": rfc3339(record.deleted_at),
        **_removed_window(record),
        "replaces": record.replaces,
        "replaced_by": record.replaced_by,
        "restarts_and_failures": [_explanation(ex, origin, record.first_seen)
                                  for ex in restart_explanations(record, now, events)],
        "unschedulable": _unschedulable(entries, obj, origin),
        "unready_periods": unready,
        "unready_flaps_last_hour": flap_count or None,
        "probe_failures": _probe_failures(record, now, origin),
        "warning_events": _warning_events(record, events),
        "back_off_now": _backoff_now(record, now),
        "termination": _termination(record, now),
        "transitions": [_transition(t, origin) for t in entries],
        "older_transitions_dropped": record.history.dropped or None,
        "owner": _owner(obj),
    })


def _removed_window(record, prefix: str = "deleted") -> dict:
    """For a pod found missing from a relist, `{prefix}` is when the relist found it:
    it went some time after `{prefix}_after` (when the watch last read anything, if
    known), which `{prefix}_on_relist` says is the case (prefix: the time's key)."""
    gone = removal(record)
    if gone is None or not gone.on_relist:
        return {}
    return _clean({f"{prefix}_after": rfc3339(gone.after), f"{prefix}_on_relist": True})


def _removed_text(data: dict, key: str = "deleted", prefix: str = "", offset: str = "") -> str:
    """`2024-...Z`, or for a pod found gone on relist `between A and B (found on relist)`
    (`{prefix}_on_relist`, `{prefix}_after`; prefix: the key's). With an offset, `at
    2024-...Z (+3m20s)` or `between A and B (+3m20s, found on relist)`."""
    at, prefix = data.get(key) or "?", prefix or key
    if not data.get(f"{prefix}_on_relist"):
        return f"at {at} ({offset})" if offset else at
    return removal_words((data.get(f"{prefix}_after") or None, at), str, offset=offset)


def _owner(obj: dict) -> str | None:
    o = controller_ref(obj.get("metadata"))
    return f"{o.get('kind', '?')}/{o.get('name', '?')}" if o is not None else None


def report(pods: list[dict], *, source: str, context: str = "", server: str = "", start: float | None = None,
           end: float | None = None, warnings: Iterable[str] = ()) -> dict:
    """The whole export: where it came from, the time span, and each pod's history.
    Pods that held the same NAMESPACE/POD in turn are numbered (`incarnation` i of
    `incarnations`), in the order given."""
    return _clean({
        "recording": source,
        "context": context or None,
        "server": server or None,
        "from": rfc3339(start),
        "to": rfc3339(end),
        **timed("span", end - start if start is not None and end is not None else None),
        "warnings": list(warnings),
        "pods": _number_incarnations(pods),
    })


def _number_incarnations(pods: list[dict]) -> list[dict]:
    total: dict[str, int] = {}
    for pod in pods:
        total[pod.get("pod")] = total.get(pod.get("pod"), 0) + 1
    seen: dict[str, int] = {}
    out = []
    for pod in pods:
        name = pod.get("pod")
        if total[name] < 2:
            out.append(pod)
            continue
        seen[name] = seen.get(name, 0) + 1
        numbered = {}
        for key, value in pod.items():
            numbered[key] = value
            if key == "uid":
                numbered.update(incarnation=seen[name], incarnations=total[name])
        out.append(numbered)
    return out


# ------------------------------------------------------------------------------ rendering


def render_yaml(data: dict) -> str:
    # libyaml's emitter when present: ~10x the pure-Python one on a long history.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CELL_LIMIT = 200  # characters of a message in a table cell; the YAML keeps it whole


def _inline(value: object) -> str:
    """Text from the cluster as one line of Markdown: a termination message's newlines
    would end a list item or a table row, `<none>` would be swallowed as an HTML tag,
    and a backtick or `*` would open code or emphasis."""
    text = "" if value is None else str(value)
    lines = [line.strip() for line in text.splitlines()]
    text = " ↵ ".join(line for line in lines if line)
    for char in "\\`*<":
        text = text.replace(char, "\\" + char)
    return _controls(text)


def _controls(text: str) -> str:
    """A control character from a termination message would reach the terminal that
    reads the report: an ESC sequence could recolour or retitle it. \\xNN instead."""
    return _CONTROL.sub(lambda m: " " if m[0] == "\t" else f"\\x{ord(m[0]):02x}", text)


def _block(lines: list[str], indent: str) -> list[str]:
    """Lines from the cluster as written (a stack trace keeps its indentation) in a
    fenced code block: Markdown is not read there, so only control characters are
    escaped, and the fence is longer than any run of backticks that could close it."""
    lines = [_controls(line.expandtabs(4)) for line in lines]
    fence = "`" * max([3] + [len(run) + 1 for line in lines for run in re.findall("`+", line)])
    return [indent + line for line in (fence, *lines, fence)]


def _cell(value: object) -> str:
    text = _inline(value)
    if len(text) > _CELL_LIMIT:
        text = text[:_CELL_LIMIT - 1].rstrip("\\") + "…"
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _label(ex: dict) -> str:
    return {"restart": f"restart #{ex.get('restart', '?')}" + (" (pending)" if ex.get("pending") else ""),
            "termination": "ended", "start-failure": "cannot start", "disruption": "disruption",
            "missed": "restarts not seen"}.get(ex["kind"], ex["kind"])


def _marks(entry: dict) -> str:
    return (" ~" if entry.get("reconstructed") else "") + (" ≈" if entry.get("time_observed") else "")


_LEGEND = "`~` reconstructed from the object's timestamps; `≈` dated when podtui saw it."


def _explanation_line(ex: dict) -> str:
    """A restart's time is when the container stopped; when it ran again is said
    apart, so neither is taken for the other."""
    who = ex.get("container") or "pod"
    stopped = "stopped " if ex["kind"] == "restart" else ""
    line = f"- **{who}** {_label(ex)}, {stopped}{ex.get('at', '?')}{_marks(ex)} ({ex.get('offset', '?')}): " \
           f"`{ex['cause']}`: {_inline(ex['summary'])}"
    backoff, again = ex.get("backoff_after"), f" {ex['restarted_at']}" if ex.get("restarted_at") else ""
    if ex.get("pending") and backoff:
        line += f"; to run again after a {backoff} back-off ({ex.get('backoff_from')})"
    elif ex["kind"] != "restart" and backoff:
        # It never ran again: an ended instance's back-off is the restart that did not come.
        line += f"; was to run again after a {backoff} back-off ({ex.get('backoff_from')})"
        if ex.get("cut_short_by"):
            end = f"{ex['cut_short_by']} " + _removed_text(ex, "cut_short_at", "cut_short", ex.get("cut_short_offset", "?"))
            line += f", but {end} first" if ex.get("cut_short_before_restart_due") \
                else f"; not seen running again before {end}"
        else:
            line += ", but the pod ended first"
    elif backoff == "0s":
        line += f"; ran again at once{again}"
    elif backoff:
        line += f"; ran again{again} after a {backoff} back-off ({ex.get('backoff_from')})"
    elif again:
        line += f"; ran again{again}"
    if ex.get("post_start_hook_running"):
        line += ", its postStart hook still running"
    return line


def _readiness_flaps(pod: dict) -> int:
    """The pod's readiness flaps in the last hour, as the Markdown tells them: none for a
    pod that restarted, where each restart is a flap of its own and told as one."""
    return 0 if pod.get("restarts") else pod.get("unready_flaps_last_hour") or 0


def _what_happened(pod: dict) -> str:
    """`liveness ×7, deleted`: restarts counted by cause, other endings once each (a
    deletion is told for the pod and again for each container it stopped)."""
    restarts: dict[str, int] = {}  # cause -> restarts it made; 0: named, none counted
    for ex in pod.get("restarts_and_failures", []):
        counted = ex["kind"] == "restart" and not ex.get("pending")
        # A pending restart has not happened ("back-off" below), but the crash it follows
        # has: its cause is named, even when no restart seen had it (first seen in back-off).
        restarts[ex["cause"]] = restarts.get(ex["cause"], 0) + counted
    parts = [f"{cause} ×{n}" if n > 1 else cause for cause, n in restarts.items()]
    unschedulable = pod.get("unschedulable")
    if unschedulable:
        gated = unschedulable.get("reason") == "SchedulingGated"  # waits on a gate, not on room
        parts.append(f"{'scheduling gated' if gated else 'unschedulable'} since {unschedulable.get('offset', '?')}")
    if flapped := _readiness_flaps(pod):
        parts.append(f"readiness flapped ×{flapped}")
    if pod.get("back_off_now"):
        # A removed pod's back-off ended with it, not with the recording.
        ended = any(b.get("next_attempt_never_made") for b in pod["back_off_now"])
        parts.append("removed in back-off" if pod.get("deleted")
                     else "back-off cut short" if ended else "in back-off at the end")
    term = pod.get("termination") or {}
    if term.get("held_by_finalizers"):
        most = "≤" if term.get("held_by_finalizers_at_most") else ""
        # Not removed yet: the hold goes on past the report's now, as its section says.
        parts.append(f"held by finalizers {most}{term['held_by_finalizers']}" + ("" if term.get("removed") else " so far"))
    return ", ".join(parts)


def _heading(pod: dict) -> str:
    if pod.get("incarnations"):
        return f"{pod['pod']} ({pod['incarnation']} of {pod['incarnations']} pods by this name)"
    return pod["pod"]


def _summary(pods: list[dict]) -> list[str]:
    rows = [[_heading(p), p.get("status"), p.get("restarts"), p.get("created") or "?",
             _removed_text(p) if p.get("deleted") else "",
             _what_happened(p)] for p in pods]
    return ["", "## Summary", "", f"{len(pods)} pods; offsets count from each pod's creation.", ""] + \
        _table(["pod", "status", "restarts", "created", "removed", "what happened"], rows)


def _relatives(pod: dict, by_uid: dict[str, dict]) -> list[str]:
    """How a pod relates to the others that had its name, by their place in the report."""
    out = []
    for key, words in (("replaces", "replaces"), ("replaced_by", "replaced by")):
        uid = pod.get(key)
        if not uid:
            continue
        other = by_uid.get(uid)
        if other is None or not other.get("incarnation"):
            out.append(f"{words} pod `{uid}`")
            continue
        when = f"created {other.get('created')}" if key == "replaced_by" else f"removed {_removed_text(other)}"
        out.append(f"{words} pod {other['incarnation']} of {other['incarnations']} (uid `{uid}`, {when})")
    return out


def _termination_lines(term: dict) -> list[str]:
    out = []
    if term.get("deletion_requested"):
        line = f"- deletion requested {term.get('requested_at', '?')}"
        if term.get("grace"):
            line += f", grace {term['grace']}"
        if term.get("sigkill_deadline"):
            line += f": SIGKILL deadline {term['sigkill_deadline']}"
        out.append(line)
    if term.get("prestop_hooks"):
        out.append(f"- preStop hooks: {', '.join(term['prestop_hooks'])}")
    if term.get("containers_stopped"):
        line = f"- containers stopped {term['containers_stopped']}"
        if term.get("stopped_before_deadline"):
            line += f", {term['stopped_before_deadline']} before the SIGKILL deadline"
        elif term.get("sigkilled"):
            line += ", at the SIGKILL deadline: SIGKILLed"
        out.append(line)
    if term.get("confirmed_by_kubelet"):
        out.append(f"- {_CONFIRMED_HEAD}" +
                   (f" {term['confirmed_at']}" if term.get("confirmed_at") else ""))
    if term.get("finalizers"):
        line = f"- finalizers: {', '.join(f'`{f}`' for f in term['finalizers'])}"
        if term.get("held_by_finalizers"):
            most = "at most " if term.get("held_by_finalizers_at_most") else ""
            line += f"; they alone held the pod {most}{term['held_by_finalizers']} from {term['held_by_finalizers_from']}"
            line += ", and still do" if not term.get("removed") else ""
        out.append(line)
    if term.get("removed"):
        out.append(f"- removed {_removed_text(term, 'removed')}")
    if term.get("disruption"):
        out.append(f"- disruption {term['disruption']}" +
                   (f": {_inline(term['disruption_message'])}" if term.get("disruption_message") else ""))
    if term.get("status_reason"):
        out.append(f"- status reason {_inline(term['status_reason'])}")
    if term.get("active_deadline"):
        out.append(f"- activeDeadlineSeconds runs out {term['active_deadline']}")
    return out


def _offsets_legend(pods: list[dict]) -> str:
    """How to read an offset, shown on one of the report's own: a made-up example
    (`+2m13s`) read as a figure from the recording."""
    for pod in pods:
        last = next((t for t in reversed(pod.get("transitions", [])) if t.get("offset")), None)
        if last is not None:
            return (f"offsets count from each pod's creation ({pod['pod']}'s last transition is at "
                    f"{last['offset']}).")
    return "offsets count from each pod's creation."


def render_markdown(data: dict) -> str:
    out = ["# Pod lifecycle history", ""]
    where = f"Recording `{data.get('recording', '?')}`"
    if data.get("context"):
        where += f", context `{data['context']}`"
    if data.get("server"):
        where += f", server `{data['server']}`"
    out.append(where + ".")
    pods = data.get("pods", [])
    if data.get("from"):
        out.append(f"From {data['from']} to {data.get('to')} ({data.get('span')}). "
                   f"Times are UTC; {_offsets_legend(pods)}")
    for w in data.get("warnings", []):
        out.append(f"\n> warning: {_inline(w)}")
    if len(pods) > 1:
        out += _summary(pods)
    by_uid = {p.get("uid"): p for p in pods}
    for pod in pods:
        out += ["", f"## {_heading(pod)}", ""]
        facts = [f"uid `{pod.get('uid')}`", f"status **{_inline(pod.get('status'))}**", f"ready {pod.get('ready')}",
                 f"restarts {pod.get('restarts')}"]
        if pod.get("node"):
            facts.append(f"node `{pod['node']}`")
        if pod.get("owner"):
            facts.append(f"owner {pod['owner']}")
        out.append(", ".join(facts) + ".")
        times = [f"created {pod.get('created') or '?'}"]
        if pod.get("created") and pod.get("first_seen", "")[:19] > pod["created"][:19]:  # a later second
            times.append(f"first seen by podtui {pod['first_seen']} (earlier entries are reconstructed)")
        if pod.get("deleted"):
            times.append(f"removed {_removed_text(pod)}")
        times += _relatives(pod, by_uid)
        out.append(", ".join(times) + ".")

        explained = pod.get("restarts_and_failures", [])
        if explained:
            out += ["", "### Restarts, failures and disruptions", ""]
            for ex in explained:
                out.append(_explanation_line(ex))
                for ev in ex.get("evidence", []):
                    # A multi-line item (a termination message's stack trace) reads as written.
                    head, *rest = ev.splitlines() or [""]
                    out.append(f"  - {_inline(head)}")
                    out += _block(rest, "    ") if rest else []
            if any(_marks(ex) for ex in explained):
                out += ["", _LEGEND]

        unready = pod.get("unready_periods", [])
        if unready:
            out += ["", "### Unready periods", ""]
            if flapped := _readiness_flaps(pod):
                out += [f"Pod readiness flaps in the last hour: {flapped}.", ""]
            rows = [[p["subject"], p.get("from"), p.get("to") or "(ongoing)",
                     (p.get("duration") or "") + (" so far" if p.get("ongoing") else ""),
                     p.get("reason", "") + (" (at start)" if p.get("at_start") else ""),
                     "; ".join(p.get("probe_messages", []))] for p in unready]
            out += _table(["subject", "from", "to", "duration", "reason", "readiness probe messages"], rows)

        probes = pod.get("probe_failures", [])
        if probes:
            out += ["", "### Probe failures", ""]
            rows = [[p["container"], p["probe"], p.get("failures_reported"), p.get("first"), p.get("last"),
                     p.get("current_streak", ""), (p.get("messages") or [""])[-1]] for p in probes]
            out += _table(["container", "probe", "failures", "first", "last", "streak now", "last message"], rows)

        warnings = pod.get("warning_events", [])
        if warnings:
            out += ["", "### Warning events", ""]
            rows = [[w["reason"], w.get("container", ""), w.get("count"), w.get("first"), w.get("last"),
                     w.get("message", "")] for w in warnings]
            out += _table(["reason", "container", "count", "first", "last", "message"], rows)

        waits = pod.get("back_off_now", [])
        if waits:
            out += ["", "### Back-off when the pod was removed" if pod.get("deleted")
                    else "### Back-off at the end of the recording", ""]
            rows = [[b["container"], b["kind"], b.get("delay"), b.get("delay_from"),
                     b.get("next_attempt", "") + (f" (never made: {b.get('never_made_because', '?')})"
                                                  if b.get("next_attempt_never_made") else "")]
                    for b in waits]
            out += _table(["container", "waiting for", "delay", "from", "next attempt"], rows)

        term = pod.get("termination")
        if term:
            out += ["", "### Termination", ""] + _termination_lines(term)

        transitions = pod.get("transitions", [])
        if transitions:
            out += ["", "### Transitions", ""]
            rows = [[t.get("at"), t.get("offset"),
                     t["change"] + _marks(t),
                     t.get("detail", "")] for t in transitions]
            out += _table(["time", "offset", "change", "detail"], rows)
            out.append("")
            out.append(_LEGEND)
            if pod.get("older_transitions_dropped"):
                out.append(f"{pod['older_transitions_dropped']} older transitions were dropped (history limit).")
    return "\n".join(out) + "\n"
