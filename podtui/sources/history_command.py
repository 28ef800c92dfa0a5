"""`podtui history FILE [NAMESPACE/POD ...]`: each pod's lifecycle history from a
recording (FILE "-": standard input), as Markdown or YAML, for incident reports.

The recording is folded into a Store exactly as the UI would have, and every version of
every Event is kept on the side, so each repeat of a repeated Event (a liveness kill
per restart) keeps its own time as evidence. "Now" is the recording's last moment, so
the same file always prints the same report.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from podtui.clock import ManualClock
from podtui.errors import PodtuiError, UsageError, say
from podtui.lifecycle.changes import ADDED, EVENTS, MODIFIED, PODS, STOPPED, Change, Item, Relist, SourceStatus, item_time
from podtui.lifecycle.events import normalize_event
from podtui.lifecycle.records import EventRecord
from podtui.lifecycle.report import pod_report, render_markdown, render_yaml, report
from podtui.lifecycle.store import PodRecord, Store
from podtui.sources.recording import STDIN, Cut, Recording, file_argument, iter_recording, recording_name

FORMATS = ("markdown", "yaml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=file_argument,
                        help="a recording made by `podtui record` or `podtui --record`; - reads standard input "
                             "(e.g. `ssh bastion cat rec.jsonl.gz | podtui history - shop/web-7d9f`)")
    # default=[]: without one, argparse counts a "*" positional as required, and a bare
    # `podtui history` said NAMESPACE/POD was missing along with FILE.
    parser.add_argument("pods", metavar="NAMESPACE/POD", nargs="*", default=[],
                        help="only these pods (a bare POD matches it in any namespace; a name no pod has "
                             "whole matches the pods it begins, e.g. shop/web-7d9f; NAMESPACE/ is all of "
                             "that namespace's); default: every pod")
    parser.add_argument("--format", choices=FORMATS, default="markdown",
                        help="markdown (default) or yaml")
    parser.add_argument("--skip-bad-lines", action="store_true",
                        help="go on past corrupt lines in the recording instead of stopping")


def run(args: argparse.Namespace) -> int:
    if args.file == STDIN and sys.stdin is not None and sys.stdin.isatty():
        # It sat waiting for a recording to be typed in.
        raise UsageError("standard input is a terminal, not a recording",
                         "pipe one in: podtui history - < rec.jsonl.gz, or give FILE")
    text = history_text(args.file, args.pods, fmt=args.format, skip_bad_lines=args.skip_bad_lines)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # `| head`: the reader has what it wanted. Quiet, as cat is, and no second
        # complaint from the interpreter flushing stdout again on the way out.
        sys.stdout = None
    except (OSError, AttributeError) as exc:  # a full disk; no stdout at all (>&-)
        why = exc.strerror.lower() if isinstance(exc, OSError) and exc.strerror else "standard output is closed"
        raise PodtuiError(f"cannot write the history of {recording_name(args.file)}: {why}",
                          "send it to a file on a disk with room, e.g. > report.md") from None
    return 0


class Listing:
    """Whether a recording's pods list ever completed, noted item by item: without one,
    "no pods" says nothing of the cluster (the recorder never got to look), and the
    last status before "stopped" says why."""

    def __init__(self) -> None:
        self.done = False
        self.last_status: SourceStatus | None = None

    def note(self, item: Item) -> None:
        if isinstance(item, Relist):
            self.done = self.done or (item.resource == PODS and item.phase == "end")
        elif isinstance(item, SourceStatus) and item.resource in (PODS, None) and item.state != STOPPED:
            self.last_status = item  # "stopped" ends every recording: not a why

    def never_listed(self, path: str | Path, cut: Cut | None = None) -> PodtuiError | None:
        """The error for a recording without pods that never listed them; None if it did.
        `cut`: where the file ends early (Recording.cut), which is then the why: said in
        this one line, not in a load warning above it."""
        if self.done:
            return None
        last = self.last_status
        why = "it recorded no status" if last is None else \
            f"its last status: {last.state}: {last.detail}" if last.detail else f"its last status: {last.state}"
        if cut is not None:
            return PodtuiError(f"{recording_name(path)} has no pods: it {cut.where}, "
                               "before the recorder's first list ended",
                               f"{why}; check the file was copied whole, or record again")
        return PodtuiError(f"{recording_name(path)} has no pods: the recorder never listed them", why)


def say_warnings(warnings: list[str], cut: Cut | None = None) -> None:
    """The recording's warnings on stderr; with `cut`, not its warning, which says where
    the file was cut: an error that says so too (never_listed) is then the only line about it."""
    for warning in warnings:
        if cut is None or warning != cut.warning:
            say(f"podtui: warning: {warning}")


def never_listed(recording: Recording) -> PodtuiError | None:
    """For a replay: the error history gives a recording that never listed its pods
    (replayed, it read as an empty cluster, "No resources found"); None if it has pods
    or listed none."""
    if recording.log.last_of(PODS, len(recording.log)) is not None:
        return None
    listing = Listing()
    for item in recording.log.loose():  # statuses and relist marks: the Events stay undecoded
        listing.note(item)
    return listing.never_listed(recording.path if recording.path is not None else STDIN, recording.cut)


class Folded:
    """A recording folded into a Store, with every Event version and the time span."""

    def __init__(self, path: str | Path, *, skip_bad_lines: bool = False) -> None:
        self.path = Path(path)
        self.warnings: list[str] = []
        cut: list[Cut] = []
        # Lazy: each pod decoded as the live source decodes it, sharing what its versions
        # (and its replicas' specs) have in common, so the store keeps one copy of them.
        header, items = iter_recording(self.path, skip_bad_lines=skip_bad_lines, warnings=self.warnings, lazy=True,
                                       doing="reading", cut=cut)
        self.header = header
        clock = ManualClock(header.started)
        # Nothing expires and nothing is trimmed: a report wants the whole story.
        self.store = Store(clock, tombstone_ttl=float("inf"), tombstone_limit=None, history_limit=1_000_000,
                           events_per_pod=1_000_000, pending_events_limit=1_000_000)
        self.event_versions: dict[str, list[EventRecord]] = {}  # involved uid (or ns/name) -> versions
        self.listing = Listing()
        start = end = None
        for item in items:
            at = item_time(item)
            start = at if start is None or at < start else start
            end = at if end is None or at > end else end
            if at > clock.time():
                clock.set(at)
            if isinstance(item, Change):
                self.store.apply(item)
                if item.resource == EVENTS and item.type in (ADDED, MODIFIED):
                    self._keep_event(item.obj)
            else:
                self.listing.note(item)
        self.cut = cut[0] if cut else None
        self.start = start if start is not None else header.started
        self.end = end if end is not None else header.started

    def _keep_event(self, obj: dict) -> None:
        ev = normalize_event(obj)
        if ev is None or ev.involved_kind != "Pod":
            return
        key = ev.involved_uid or f"{ev.involved_namespace}/{ev.involved_name}"
        self.event_versions.setdefault(key, []).append(ev)

    def events_of(self, rec: PodRecord) -> list[EventRecord]:
        versions = list(self.event_versions.get(rec.uid, ()))
        versions += self.event_versions.get(f"{rec.namespace}/{rec.name}", ())
        return versions + list(rec.events)

    def records(self) -> list[PodRecord]:
        return sorted(self.store.pods.values(), key=lambda r: (r.namespace, r.name, r.first_seen, r.uid))


def select(records: list[PodRecord], wanted: list[str], path: Path) -> list[PodRecord]:
    """The records named by `wanted` (NAMESPACE/POD or POD, or a prefix of the pod
    name when no pod has it whole, or NAMESPACE/ for all of it), every incarnation of
    each name; a name not in the recording is a one-line error with close matches."""
    if not wanted:
        return records
    keys = sorted({f"{r.namespace}/{r.name}" for r in records})
    chosen: list[PodRecord] = []
    seen: set[str] = set()
    for name in wanted:
        namespace, _, pod = name.rpartition("/")
        if not pod:
            if not namespace:
                # Every pod "contains" an empty name: it was suggested all of them.
                raise UsageError(f"{name!r} names no pod: the pod name is empty",
                                 "give NAMESPACE/POD, POD or NAMESPACE/")
            hits = [r for r in records if r.namespace == namespace]
            if not hits:
                spaces = sorted({r.namespace for r in records})
                raise UsageError(f"no pod in namespace {namespace} in {recording_name(path)}",
                                 f"its namespaces: {', '.join(spaces)}" if spaces else "the recording has no pods")
        else:
            here = [r for r in records if r.namespace == namespace] if "/" in name else records
            # A Deployment's pods change names: `shop/web-7d9f` names all of that
            # ReplicaSet's pods, when no pod has exactly that name.
            hits = [r for r in here if r.name == pod] or [r for r in here if r.name.startswith(pod)]
            if not hits:
                close = close_matches(name, keys)
                hint = f"did you mean: {', '.join(close)}" if close else \
                    f"the recording has {len(keys)} pod{'s' if len(keys) != 1 else ''}; run without names to see them all"
                raise UsageError(f"no pod {name} in {recording_name(path)}", hint)
        chosen += [r for r in hits if r.uid not in seen]
        seen.update(r.uid for r in hits)
    return chosen


def close_matches(name: str, keys: list[str], n: int = 5) -> list[str]:
    """NAMESPACE/POD keys that look like `name`, judged on the pod name (a shared
    namespace prefix would make every pod look close), same namespace first."""
    namespace, _, pod = name.rpartition("/")
    names = sorted({k.split("/", 1)[1] for k in keys})
    similar = difflib.get_close_matches(pod, names, n=n, cutoff=0.6)
    if len(pod) >= 3:  # "c" is in half the names: no hint at all
        similar += [x for x in names if pod.lower() in x.lower() and x not in similar]
    out = [k for x in similar for k in keys if k.split("/", 1)[1] == x]
    out.sort(key=lambda k: (k.split("/", 1)[0] != namespace,))  # stable: similarity order within
    return out[:n]


def _no_pods(folded: Folded) -> PodtuiError:
    """A recording without a pod has no history to tell: an error (exit 1, as for an
    empty file), not a report of a title and a time span that a script takes for one."""
    scope = folded.header.scope
    namespace, labels = scope.get("namespace"), scope.get("label_selector")
    where = f"in namespace {namespace}" if isinstance(namespace, str) and namespace else "in any namespace"
    if isinstance(labels, str) and labels:
        where += f" with selector {labels}"
    unlisted = folded.listing.never_listed(folded.path, folded.cut)
    say_warnings(folded.warnings, folded.cut if unlisted is not None else None)
    if unlisted is not None:  # it never got to look: "saw none" blamed the namespace
        return unlisted
    return PodtuiError(f"{recording_name(folded.path)} has no pods: nothing to report",
                       f"the recorder saw none {where}; record where there are pods, or check --namespace "
                       "and --selector")


def history_text(path: str | Path, wanted: list[str] | None = None, *, fmt: str = "markdown",
                 skip_bad_lines: bool = False) -> str:
    folded = Folded(path, skip_bad_lines=skip_bad_lines)
    if not folded.store.pods:
        raise _no_pods(folded)
    records = select(folded.records(), list(wanted or []), folded.path)
    now = folded.end
    pods = [pod_report(r, now, folded.events_of(r)) for r in records]
    data = report(pods, source=recording_name(path), context=folded.header.context, server=folded.header.server,
                  start=folded.start, end=folded.end, warnings=folded.warnings)
    say_warnings(folded.warnings)
    return render_yaml(data) if fmt == "yaml" else render_markdown(data)
