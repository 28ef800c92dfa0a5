"""`podtui record FILE`: record a cluster's pods and events with no terminal at all.

Runs under nohup or cron: no UI, a one-line summary on stderr when it ends (after
--duration seconds, Ctrl-C, SIGTERM or SIGHUP), a file that replays even if the
recorder is killed outright (the writer flushes about once a second).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import threading
import time

from podtui.cli import invalid_option
from podtui.clock import SystemClock
from podtui.errors import ConnectError, UsageError, say, tell
from podtui.lifecycle.changes import FAILED, LIVE, PODS, RECONNECTING, SourceStatus
from podtui.sources.kubeconfig import add_connection_arguments, options_from_args, parse_seconds
from podtui.heap import relax_gc
from podtui.sources.live import connect
from podtui.sources.recording import STDIO, file_argument, recording_summary, refuse_to_overwrite, start_recording

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=file_argument,
                        help="where to record (JSON lines; gzip when it ends in .gz); - for standard output, "
                             "uncompressed (e.g. `ssh bastion podtui record - -A | gzip > rec.jsonl.gz`)")
    add_connection_arguments(parser)
    parser.add_argument("--duration", type=_duration, metavar="DURATION",
                        help="stop after this long: seconds, or e.g. 90s, 10m, 1h30m (default: until interrupted)")
    parser.add_argument("--no-redact", action="store_true", help="keep env values, managedFields and last-applied annotations")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it already holds a recording")


def _duration(text: str) -> float:
    # As --request-timeout reads it: "10m" was refused as "invalid float value".
    seconds = parse_seconds(text)
    if seconds is None:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}: use seconds or a duration like 90s, 10m or 1h")
    return seconds


def run(args: argparse.Namespace) -> int:
    if args.duration is not None and not args.duration > 0:  # nan too: it recorded forever
        raise invalid_option("--duration", f"{args.duration:g}",
                             "use a positive number of seconds or a duration like 90s, 10m or 1h")
    refuse_to_overwrite(args.file, args.force)  # before connecting, which may take a while
    out_fd = take_stdout() if args.file == STDIO else None
    where = "standard output" if out_fd is not None else args.file
    relax_gc()
    clock = SystemClock()
    source = connect(options_from_args(args), clock, waiting=tell)
    # Waiting for room: a slow reader (`| ssh ...`) holds the watch streams, not memory.
    feed = start_recording(source, where, clock, redacted=not args.no_redact, fd=out_fd, wait_for_room=True,
                           overwrite=args.force)
    stop = threading.Event()

    def stopping(*_) -> None:
        stop.set()
        feed.writer.release()  # a write() this interrupted goes on; it must not wait on

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, stopping)
    troubles = Interruptions()
    fatal: str | None = None
    # A deadline on the monotonic clock; how long it took is the recording's own (see recording_summary).
    deadline = None if args.duration is None else time.monotonic() + args.duration
    feed.start()
    try:
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            source.wait(0.25)
            for item in feed.poll(POLL_LIMIT):
                if isinstance(item, SourceStatus) and item.state == FAILED and item.resource == PODS:
                    fatal = item.detail
                elif troubles.see(item):
                    # With no screen, nothing said the recording was missing changes: the
                    # summary read as a clean run. Each new why once, as it happens.
                    tell(f"warning: the {item.resource} watch is {item.state}: {item.detail or 'no reason given'} "
                         f"(changes meanwhile are missed; the recording goes on)")
            if fatal or feed.writer.stopped:
                break
    finally:
        feed.stop()
    if feed.writer.output_closed:
        return 0  # `| head`: the reader has what it wanted; quiet, as `podtui history` is
    trouble = "".join(f"; the {resource} watch was interrupted {n} time{'s' if n != 1 else ''} "
                      f"(last: {troubles.why[resource] or 'no reason given'})" for resource, n in troubles.counts.items())
    say(recording_summary(feed.writer, trouble))
    if feed.writer.error:
        return 1
    if fatal:
        raise ConnectError(f"recording stopped: {fatal}")
    return 0


def interrupted(item: object) -> bool:
    """Whether a status says a watch broke off (changes may be missed until it resumes).
    A slow exec plugin's token refresh (REFRESHING) is only a wait, said on the UI's bar."""
    return isinstance(item, SourceStatus) and item.state in (RECONNECTING, FAILED) and bool(item.resource)


# Items taken from the source per write: one poll could hand the writer the live
# queue's whole 64 MiB as a batch, and a batch may pass the writer's 16 MiB bound.
POLL_LIMIT = 1000
REWARN_AFTER_LIVE = 60.0  # seconds live before the same reason is warned of again


class Interruptions:
    """How often each watch broke off: once from when it went down until it is live
    again, however many reconnects (and a relist) that took. A 35 s outage retried six
    times read as six interruptions."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}  # resource -> interruptions
        self.why: dict[str, str] = {}  # resource -> the last reason given
        self._down: set[str] = set()
        self._live_at: dict[str, float] = {}  # resource -> when it was last live

    def see(self, item: object) -> bool:
        """Take in a queued item; True when it is worth a warning: a watch down for a
        reason not given just before, or down again after a minute live."""
        if not isinstance(item, SourceStatus) or not item.resource:
            return False
        resource = item.resource
        if item.state == LIVE:
            self._down.discard(resource)
            self._live_at[resource] = item.at
            return False
        if not interrupted(item):
            return False
        fresh = resource not in self._down
        if fresh:
            self._down.add(resource)
            self.counts[resource] = self.counts.get(resource, 0) + 1
        # A new outage after a while live is news even for the same reason; a watch that
        # breaks as soon as it is up would say it every second for as long as it lasts.
        new = self.why.get(resource) != item.detail or (
            fresh and item.at - self._live_at.get(resource, item.at) >= REWARN_AFTER_LIVE)
        self.why[resource] = item.detail
        return new


def take_stdout() -> int:
    """Standard output's descriptor, for the recorder alone; this process's fd 1 then
    points at stderr, so that nothing it prints can land in the recording."""
    if os.isatty(1):
        raise UsageError("will not write a recording to the terminal",
                         "redirect it: podtui record - > rec.jsonl, or | gzip > rec.jsonl.gz")
    try:
        fd = fcntl.fcntl(1, fcntl.F_DUPFD, 3)  # not 2 when stderr is closed: it is about to be fd 1's
    except OSError:
        raise UsageError("standard output is closed", "give a FILE, or redirect standard output") from None
    try:
        os.dup2(2, 1)
    except OSError:  # no stderr either: nowhere, rather than a file opened later as fd 1
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    return fd
