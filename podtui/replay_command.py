"""`podtui replay FILE`: the same UI over a recording, with the recorded time as now."""

from __future__ import annotations

import argparse
import math
from typing import Any

from podtui.cli import invalid_option
from podtui.clock import ManualClock
from podtui.errors import UsageError
from podtui.lifecycle.duration import whole_second
from podtui.lifecycle.times import format_ts, go_duration, parse_go_duration, parse_ts
from podtui.sources.recording import STDIN, Recording, file_argument, read_recording, recording_length
from podtui.sources.replay import ReplayFeed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from podtui.sources.replay import MAX_SPEED, MIN_SPEED  # the replay's own + and - limits

    parser.add_argument("file", metavar="FILE", type=file_argument, help="a recording made with --record or `podtui record`")
    parser.add_argument("--speed", type=float, default=1.0, metavar="X", help=f"recorded seconds per real second, {MIN_SPEED:g} to {MAX_SPEED:g} (default: 1)")
    parser.add_argument("--at", metavar="TIME", help="start at TIME: RFC 3339 (2024-05-01T10:00:00Z), an offset from "
                        "the start (90s, 5m) or, negative, from the end (-5m: five minutes before it)")
    parser.add_argument("--paused", action="store_true", help="start paused (space plays), right after the initial list unless --at says where")
    parser.add_argument("--skip-bad-lines", action="store_true", help="skip corrupt lines instead of stopping at the first")
    parser.add_argument("--theme", metavar="NAME", help="colour theme")
    # argparse takes "-5m" for an option and refused `--at -5m`: podtui.cli joins an
    # option to a value that starts with a dash and a digit (`--at=-5m`) before parsing.


def start_time(text: str, start: float, end: float) -> float:
    """--at TEXT -> a time: "5m" from the start, "-5m" from the end (as `tail` and
    Python's slices count), or an RFC 3339 time."""
    from_end = text.startswith("-")
    number = text[1:] if from_end else text
    offset = parse_go_duration(number)  # a bare 0 too: the start (or the end)
    length = recording_length(start, end)
    if offset is not None and offset <= length:
        # Any offset up to the length the bar shows (whole seconds of the clock, so up
        # to a second past end - start): the last lands on the end, as the bar's does.
        t = max(end - offset, start) if from_end else min(start + offset, end)
    elif offset is not None:
        t = math.inf  # past the length: refused below, with the bounds
    else:
        t = parse_ts(text)
        if t is not None and start > t >= whole_second(start):
            t = start  # the start's second, as the bar shows it (the recording began 0.4 s into it)
    if t is None:
        raise invalid_option("--at", text, "use RFC 3339 (2024-05-01T10:00:00Z), an offset from the start "
                             "such as 90s or 5m, or from the end such as -5m")
    if not start <= t <= end:
        span = go_duration(length)
        raise invalid_option("--at", text, f"the recording runs from {format_ts(start)} to {format_ts(end)}: "
                             f"give a time in between, or an offset up to {span} from the start or -{span} from the end")
    return t


def open_feed(recording: Recording, clock: ManualClock, *, speed: float = 1.0, at: str | None = None,
              paused: bool = False, **options: Any) -> ReplayFeed:
    """The replay's feed where it opens: at --at exactly when given (--at 0: the first
    item, before the cluster was listed); else paused, right after the initial list (at
    the first item it showed "0 pods", and `.` went through connecting, listing, ...
    first); else playing from the start."""
    feed = ReplayFeed(recording, clock, speed=speed, autoplay=not paused, **options)
    if at is not None:  # --at "" is a mistake too, not "from the start"
        feed.seek(start_time(at, feed.start_time, feed.end_time))
    elif paused:
        feed.seek(feed.opening_time(), whole=False)  # right after the list, not the second before
    return feed


def run(args: argparse.Namespace) -> int:
    from podtui.heap import relax_gc
    from podtui.sources.history_command import never_listed, say_warnings
    from podtui.ui.app import run as run_ui
    from podtui.sources.replay import MAX_SPEED, MIN_SPEED
    from podtui.ui.themes import resolve_theme

    if not MIN_SPEED <= args.speed <= MAX_SPEED:  # nan, inf and 0 too
        # The screen would show ×1000 while its own + stops at the limit.
        raise invalid_option("--speed", f"{args.speed:g}", f"use a number from {MIN_SPEED:g} to {MAX_SPEED:g} "
                             "(what - and + reach)")
    if args.file == STDIN:
        raise UsageError("replay needs a FILE, not standard input: the screen reads its keys from there",
                         "save the recording to a file first, or print it with `podtui history -`")
    resolve_theme(args.theme)
    recording = read_recording(args.file, skip_bad_lines=args.skip_bad_lines)
    unlisted = never_listed(recording)
    if unlisted is not None:  # before the screen: it showed an empty cluster, "No resources found"
        say_warnings(recording.warnings, recording.cut)
        raise unlisted
    try:
        relax_gc()
        clock = ManualClock(recording.header.started)  # ReplayFeed moves it to the first item
        feed = open_feed(recording, clock, speed=args.speed, at=args.at, paused=args.paused)
        # Said on the screen as it opens: printed before it, they were hidden by it, and
        # then read twice on the way out.
        return run_ui(feed, clock, theme=args.theme, replay=feed, warnings=recording.warnings)
    finally:
        say_warnings(recording.warnings)  # once, where the terminal keeps it
