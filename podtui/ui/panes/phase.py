"""Phase: where the pod stands as a whole, and where it came from."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.read import controller_ref
from podtui.lifecycle.termination import removal, removal_words
from podtui.lifecycle.unready import POD, flaps, unready_line, unready_periods
from podtui.ui.lifecycle_colours import status_colour
from podtui.ui.panes.base import Pane, PaneContext
from podtui.ui.panes.fmt import clock_time, d, elapsed, join_lines, kv, lst, relative, s, ts_of, when


def _owner(meta: dict) -> str:
    owners = [o for o in lst(meta.get("ownerReferences")) if isinstance(o, dict)]
    if not owners:
        return "<none>"
    controller = controller_ref(meta)
    owner = controller or owners[0]
    text = f"{s(owner.get('kind'))}/{s(owner.get('name'))}"
    if controller is not None:
        text += " (controller)"
    if len(owners) > 1:
        text += f" +{len(owners) - 1} more"
    return text


def _ips(status: dict) -> str:
    ips = [s(d(ip).get("ip")) for ip in lst(status.get("podIPs"))]
    ips = [ip for ip in ips if ip] or ([s(status.get("podIP"))] if status.get("podIP") else [])
    return ", ".join(ips) if ips else "<none>"


def _pod_ref(uid: str | None, ctx: PaneContext, now: float) -> str:
    if not uid:
        return "<none>"
    other = ctx.records.get(uid)
    if other is None:
        return f"uid {uid} (no longer held)"
    text = f"{other.namespace}/{other.name} (uid {uid[:8]})"
    gone = removal(other)
    if gone is not None:
        # Found gone on relist: deleted by then, maybe well before.
        text += f", deleted {'≥' if gone.on_relist else ''}{relative(gone.at, now)}"
    return text


def readiness_line(record: Any, now: float) -> tuple[str, str, str] | None:
    """(label, text, style): why the pod is not ready, or that it keeps flapping; None
    for a pod that is ready and steady."""
    if record.deleted_at is not None:
        return None
    text = unready_line(record, now)
    if text is not None:
        return ("Unready", text, "$next-warning")
    periods = unready_periods(record, now)
    n = flaps(periods, now)
    if n < 2:
        return None
    last = next((p for p in reversed(periods) if p.subject == POD and not p.ongoing and p.end is not None), None)
    text = f"ready now; {n} unready spells in the last hour"
    if last is not None:
        text += f", the last {human_duration(last.duration)} long, ended {relative(last.end, now)}: {last.reason}"
    return ("Flapping", text, "$next-warning")


def render(record: Any, now: float, ctx: PaneContext | None = None) -> Content:
    ctx = ctx or PaneContext()
    wrap = ctx.width
    obj = d(record.obj)
    meta, spec, status = d(obj.get("metadata")), d(obj.get("spec")), d(obj.get("status"))
    row = record.row
    kubectl_status = s(getattr(row, "status", ""))
    deleted = record.deleted_at is not None
    colour = status_colour(kubectl_status, s(getattr(row, "ready", "")), deleted)
    lines = [
        kv("Pod", f"{record.namespace}/{record.name}"),
        kv("UID", s(record.uid)),
        kv("Phase", (s(status.get("phase")) or "<none>", f"${status_colour(s(status.get('phase')))}")),
        # A deleted pod's table row says "Deleted": here is the STATUS it had last.
        kv("STATUS", [(kubectl_status or "<none>", f"bold ${colour}"),
                      ("  (kubectl's last)" if deleted else "  (kubectl)", "$text-muted")]),
        kv("READY", s(getattr(row, "ready", ""))),
    ]
    readiness = readiness_line(record, now)
    if readiness is not None:
        label, text, style = readiness
        lines.append(kv(label, (text, style), wrap=wrap))
    if status.get("reason"):
        lines.append(kv("Reason", (s(status.get("reason")), "$text-warning")))
    if status.get("message"):
        lines.append(kv("Message", s(status.get("message")), wrap=wrap))
    lines += [
        kv("Node", s(spec.get("nodeName")) or "<none>"),
        kv("Pod IPs", _ips(status)),
        kv("Host IP", s(status.get("hostIP")) or "<none>"),
        kv("QoS", s(status.get("qosClass")) or "<none>"),
        kv("Owner", _owner(meta)),
        kv("Created", when(ts_of(meta.get("creationTimestamp")), now)),
        kv("Started", when(ts_of(status.get("startTime")), now)),
    ]
    if status.get("nominatedNodeName"):
        lines.append(kv("Nominated", s(status.get("nominatedNodeName"))))
    if spec.get("priorityClassName") or spec.get("priority") is not None:
        prio = s(spec.get("priorityClassName")) or "-"
        lines.append(kv("Priority", f"{prio} ({s(spec.get('priority'))})"))
    if meta.get("deletionTimestamp"):
        lines.append(kv("Deleting", [(f"deletionTimestamp {when(ts_of(meta.get('deletionTimestamp')), now)}",
                                      "$status-terminating")]))
    if record.replaces:
        lines.append(kv("Replaces", _pod_ref(record.replaces, ctx, now)))
    if record.replaced_by:
        lines.append(kv("Replaced by", _pod_ref(record.replaced_by, ctx, now)))
    gone = removal(record)
    if gone is not None:
        words = (removal_words(gone.window, clock_time, elapsed(now - gone.at)) if gone.on_relist
                 else relative(gone.at, now))
        lines.append(kv("Gone", (f"removed from the API {words}", "$status-deleted"), wrap=wrap))
    lines.append(kv("First seen", when(record.first_seen, now)))
    return join_lines(lines)


class PhasePane(Pane):
    KEY = "phase"
    TITLE = "Phase"
    SHORT = "Phase"
    TICKS = True  # ages ("5m ago") move with the clock
    RENDER = staticmethod(render)
