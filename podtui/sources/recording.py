"""Recordings: what a source produced, written as JSON lines and read back.

Format (version 1), one JSON object per line, gzip-compressed when the file name ends
in `.gz`:

    {"format": "podtui-recording", "version": 1, "podtui": "0.1.0", "context": "prod",
     "server": "https://10.0.0.1:6443", "scope": {...}, "started": 1714557600.0,
     "started_at": "2024-05-01T10:00:00Z", "redacted": true}
    {"t": 1714557600.25, "resource": "pods", "type": "ADDED", "object": {...}}
    {"t": 1714557600.25, "resource": "pods", "type": "DELETED", "object": {...}, "synthetic": true}
    {"t": 1714557601.0, "status": "reconnecting", "detail": "connection reset", "resource": "pods", "retry_at": 1714557602.0,
     "current_as_of": 1714557600.25}
    {"t": 1714557602.0, "relist": "start", "resource": "pods", "resource_version": ""}
    {"t": 1714557602.5, "relist": "end", "resource": "pods", "resource_version": "1234", "deleted": 2}
    {"t": 1714557610.0, "status": "stopped", "detail": ""}

A synthetic DELETED (a pod missing from a relist) names the pod only; the live source
notes on it when the watch last read anything, the pod still there, as the annotation
"podtui/current-as-of" (epoch seconds): it was deleted between then and `t`.
`t` is when the source observed the item (epoch seconds); the last line says when the
recording stopped (older recordings end at their last item). Folding the change lines into
a Store in order reproduces the model podtui had. Never contains credentials; by
default container env values, the last-applied-configuration annotation and
managedFields are masked or dropped (see `redact`).
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import io
import json
import os
import stat
import struct
import subprocess
import sys
import threading
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import msgspec
import orjson

from podtui import __version__
from podtui.clock import Clock
from podtui.errors import RecordingError, UsageError
from podtui.lifecycle.changes import (
    ADDED,
    BOOKMARK,
    DELETED,
    EVENTS,
    MODIFIED,
    PODS,
    STOPPED,
    Change,
    Item,
    Relist,
    SourceStatus,
    item_time,
)
from podtui.lifecycle.duration import human_duration, whole_second
from podtui.lifecycle.times import format_ts
from podtui.sources.base import Feed, Scope, item_size, queued_size
from podtui.sources.decode import PodDecoder, decode_any, object_of

FORMAT = "podtui-recording"
VERSION = 1
REDACTED = "<redacted>"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
T = TypeVar("T")
MAX_TIME = 253402300800.0  # 10000-01-01T00:00:00Z: datetime cannot show a later time


# ---------------------------------------------------------------------------- redaction


def _as_is(value: object) -> object:
    return value


# An array of objects (containers, env) unpacks in one step; any other array, member by member.
_OPEN = msgspec.json.Decoder(dict[str, msgspec.Raw] | list[dict[str, msgspec.Raw]])
_OPEN_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])


def unpack_raw(value: object) -> object:
    """A raw JSON object or array one level deep, its members left raw; anything else
    as it is. redact()'s `unpack` for objects that arrive as bytes (the recorder's)."""
    if isinstance(value, msgspec.Raw):
        try:
            return _OPEN.decode(value)
        except msgspec.ValidationError:
            try:
                return _OPEN_ARRAY.decode(value)
            except msgspec.ValidationError:  # a string, number, null: nothing redact() reads
                pass
    return value


def _redact_containers(containers: object, unpack: Callable[[object], object]) -> object:
    opened = unpack(containers)
    if not isinstance(opened, list):
        return containers
    out = opened
    for i, c in enumerate(opened):
        c = unpack(c)
        env = unpack(c.get("env")) if isinstance(c, dict) else None
        if not isinstance(env, list):
            continue
        env = [unpack(e) for e in env] if unpack is not _as_is else env
        if not any(isinstance(e, dict) and "value" in e for e in env):
            continue
        if out is opened:
            out = list(opened)
        masked = [{**e, "value": REDACTED} if isinstance(e, dict) and "value" in e else e for e in env]
        out[i] = {**c, "env": masked}
    return containers if out is opened else out


def redact(obj: object, unpack: Callable[[object], object] = _as_is) -> object:
    """A copy of `obj` without secrets worth hiding; shares everything it doesn't change.

    Env values go (valueFrom references stay: they name a Secret, they don't hold it),
    and so do managedFields and the last-applied-configuration annotation, which
    repeats the whole spec, env included.

    Every piece read goes through `unpack` first. With unpack_raw, `obj` may hold
    msgspec.Raw pieces: only those on the way to a secret are decoded (metadata, its
    annotations, the containers' env), the rest is shared as the bytes it came as, and
    the result is for msgspec.json.encode. Keys are compared decoded either way (an
    escaped "managedFields" still goes).
    """
    obj = unpack(obj)
    if not isinstance(obj, dict):
        return obj
    out = obj
    meta = unpack(obj.get("metadata"))
    if isinstance(meta, dict):
        annotations = unpack(meta.get("annotations"))
        has_last_applied = isinstance(annotations, dict) and LAST_APPLIED in annotations
        if "managedFields" in meta or has_last_applied:
            meta = {k: v for k, v in meta.items() if k != "managedFields"}
            if has_last_applied:
                meta["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
            out = {**obj, "metadata": meta}
    spec = unpack(obj.get("spec"))
    if isinstance(spec, dict):
        new_spec = spec
        for key in _CONTAINER_LISTS:
            if key in spec:
                masked = _redact_containers(spec[key], unpack)
                if masked is not spec[key]:
                    if new_spec is spec:
                        new_spec = dict(spec)
                    new_spec[key] = masked
        if new_spec is not spec:
            out = {**out, "spec": new_spec} if out is not obj else {**obj, "spec": new_spec}
    return out


# ---------------------------------------------------------------------------- encoding


def encode_item(item: Item, redacted: bool = True) -> dict:
    if isinstance(item, Change):
        line = {"t": item.observed, "resource": item.resource, "type": item.type,
                "object": redact(item.obj) if redacted else item.obj}
        if item.synthetic:
            line["synthetic"] = True
        return line
    if isinstance(item, SourceStatus):
        line = {"t": item.at, "status": item.state, "detail": item.detail}
        if item.resource is not None:
            line["resource"] = item.resource
        if item.retry_at is not None:
            line["retry_at"] = item.retry_at
        if item.current_as_of is not None:
            line["current_as_of"] = item.current_as_of
        return line
    if isinstance(item, Relist):
        line = {"t": item.at, "relist": item.phase, "resource": item.resource,
                "resource_version": item.resource_version}
        if item.phase == "end":
            line["deleted"] = item.deleted
        return line
    raise TypeError(f"not a recordable item: {item!r}")


def decode_item(line: dict) -> Item:
    """One parsed line -> Item; ValueError when the line is not an item of this format."""
    if not isinstance(line, dict):
        raise ValueError(f"a JSON {type(line).__name__}, not an object")
    t = line.get("t")
    if line.get("format") == FORMAT:
        # `cat a.jsonl b.jsonl`: it read as 'missing or non-numeric "t"'.
        raise ValueError("a second recording header: two recordings joined into one file?")
    if not isinstance(t, (int, float)) or isinstance(t, bool):
        raise ValueError('missing or non-numeric "t"')
    if not 0 <= t < MAX_TIME:
        raise ValueError(f'"t" {t:g} is not a time (epoch seconds before year 10000)')
    if "type" in line:
        obj = line.get("object")
        resource = line.get("resource")
        if not isinstance(obj, dict) or not isinstance(resource, str) or not isinstance(line["type"], str):
            raise ValueError('a change needs "resource", "type" and an "object"')
        return Change(resource, line["type"], obj, float(t), bool(line.get("synthetic", False)))
    if "status" in line:
        retry, current = line.get("retry_at"), line.get("current_as_of")  # either absent in older recordings
        return SourceStatus(str(line["status"]), float(t), str(line.get("detail", "")),
                            line.get("resource"), _time_or_none(retry), _time_or_none(current))
    if "relist" in line:
        if line["relist"] not in ("start", "end"):
            raise ValueError('"relist" must be "start" or "end"')
        return Relist(str(line.get("resource", "")), float(t), line["relist"],
                      str(line.get("resource_version", "")), int(line.get("deleted", 0) or 0))
    raise ValueError("not a change, status or relist line")


def _time_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# ---------------------------------------------------------------------------- header


@dataclass(slots=True)
class Header:
    version: int = VERSION
    podtui: str = __version__
    context: str = ""
    server: str = ""
    scope: dict = field(default_factory=dict)
    started: float = 0.0
    redacted: bool = True

    def to_line(self) -> dict:
        return {"format": FORMAT, "version": self.version, "podtui": self.podtui,
                "context": self.context, "server": self.server, "scope": self.scope,
                "started": self.started, "started_at": format_ts(self.started), "redacted": self.redacted}


def header_for(scope: Scope, started: float, redacted: bool) -> Header:
    scope_line = {"namespace": scope.namespace, "label_selector": scope.label_selector,
                  "field_selector": scope.field_selector}
    return Header(context=scope.context, server=scope.server, scope=scope_line,
                  started=started, redacted=redacted)


def gzip_writer(raw: IO[bytes]) -> gzip.GzipFile:
    """A gzip stream over raw for a recording: reproducible bytes, cheap compression."""
    # Level 1: most of gzip's saving on JSON for a fraction of the CPU.
    return gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, filename="", mtime=0)


def _open_write(path: Path) -> IO[bytes]:
    raw = open(path, "wb")
    if path.name.endswith(".gz"):
        return gzip_writer(raw)
    return raw


# ---------------------------------------------------------------------------- writing


# Frames from podtui to its recorder process (podtui/sources/recorder.py).
R_HEAD = struct.Struct("<dBI")
J_HEAD = struct.Struct("<I")
SYNTHETIC_FLAG = 1
EVENTS_FLAG = 2
TYPE_SHIFT = 2  # bits 2-3: the change's type, from TYPES
TYPES = (ADDED, MODIFIED, DELETED, BOOKMARK)
OUTPUT_CLOSED = 3  # the recorder's exit status when the pipe it wrote to lost its reader


def encode_r(t: float, resource: str, kind: str, synthetic: bool, raw: bytes) -> bytes | None:
    """An R frame, or None when the resource or type has no code (the caller sends a J frame).

    The type travels in the frame: a list item's raw line has none of its own."""
    if resource == PODS:
        flags = 0
    elif resource == EVENTS:
        flags = EVENTS_FLAG
    else:
        return None
    try:
        flags |= TYPES.index(kind) << TYPE_SHIFT
    except ValueError:
        return None
    return b"R" + R_HEAD.pack(t, flags | (SYNTHETIC_FLAG if synthetic else 0), len(raw)) + raw


def encode_j(line: bytes) -> bytes:
    return b"J" + J_HEAD.pack(len(line)) + line


# What to do when a recording cannot be opened, by cause: (writing it, reading it).
_OPEN_ADVICE: tuple[tuple[type[OSError], str, str], ...] = (
    (IsADirectoryError, "name a file, e.g. {example}", "name a recording file in it"),
    (FileNotFoundError, "create {parent} first, or check the path", "check the path"),
    (PermissionError, "choose a path you may write to", "check its permissions"),
    (OSError, "check the path and free disk space", "check the path"),
)


def refuse_to_overwrite(path: str | Path, force: bool) -> None:
    """Before connecting: a recording already at `path` is kept unless --force. Reusing an
    incident's file name silently lost the incident. Only a regular file with something
    in it counts: /dev/null, a FIFO or an empty file from mktemp has nothing to lose."""
    if not force and str(path) != STDIO and _holds_something(Path(path)):
        raise _exists(path)


def _holds_something(path: Path) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size > 0


def _exists(path: str | Path) -> UsageError:
    return UsageError(f"{path} exists: choose another name, or --force to overwrite")


def _open_for_recording(path: Path, overwrite: bool) -> int:
    try:
        if overwrite:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            # Exclusive: a file made since refuse_to_overwrite looked is refused too.
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if _holds_something(path):
                raise _exists(path) from None
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as exc:
        raise _cannot_open(exc, path, writing=True) from None


def _cannot_open(exc: OSError, path: Path, *, writing: bool) -> RecordingError:
    advice = next((w if writing else r) for cause, w, r in _OPEN_ADVICE if isinstance(exc, cause))
    if writing and isinstance(exc, FileNotFoundError):
        if path.is_symlink():  # dangling: where it points is what is missing
            target = Path(path.parent, os.readlink(path))
            advice = f"it links to {target}: create {target.parent} first, or check the link"
            advice = advice.replace("{", "{{").replace("}", "}}")  # formatted below
        elif path.parent.is_dir():
            advice = "{parent} takes no new files: choose another directory"  # /proc, /sys: not "create it"
    return RecordingError(f"cannot {'write' if writing else 'open'} recording {path}: {exc.strerror or exc}",
                          advice.format(example=path / "podtui.jsonl.gz", parent=path.parent))


# What may wait for the recorder process (counted as ItemQueue counts it: the bytes a
# change was read as). Past it write() waits, and with it the watch threads, once the
# source's own queue is full: a reader that stalls holds the TCP streams, not memory.
MAX_PENDING_BYTES = 16 << 20
SEND_BYTES = 1 << 20  # per write to the recorder: the frames joined for it are a copy
WAIT_SLICE = 0.25  # a wait rechecks what no notify reaches: release() from a signal handler, a dead thread


class RecordingWriter:
    """Appends items to a recording through a recorder process (podtui/sources/recorder.py).

    write() queues; a thread hands the queued items to the recorder process as frames:
    watch events as the bytes read off the wire, so this process neither re-encodes nor
    compresses. The recorder redacts, encodes, compresses and flushes about once a
    second, so a podtui killed by a signal loses at most the last second and leaves a
    file that still replays.

    Past `max_pending_bytes` not yet handed over, write() waits (a full disk, a pipe's
    reader that reads slowly); `full` says so without waiting, for a caller that must
    not (the screen's thread, see RecordingFeed). The wait ends when the recording
    does: the recorder or this thread gone, close(), release().
    """

    def __init__(self, path: str | Path, header: Header, *, flush_interval: float = 1.0,
                 fd: int | None = None, max_pending_bytes: int | None = MAX_PENDING_BYTES,
                 overwrite: bool = True) -> None:
        """With `fd` (an open descriptor the writer then owns, e.g. standard output),
        writes there; `path` only names it in messages and is never opened. Without
        `overwrite`, a recording already at `path` is refused (see refuse_to_overwrite)."""
        self.path = Path(path)
        self.header = header
        self.error: str | None = None
        self.output_closed = False  # the output was a pipe and its reader went away
        self.items_written = 0  # handed to the recorder process
        self.changes_written: dict[str, int] = {}  # of them, Changes: resource -> how many
        self.to_named_file = fd is None  # its size is worth saying (not a pipe's)
        self.ended: float | None = None  # close(end)'s: the summary's "in 3m10s" runs to it
        self.max_pending_bytes = max_pending_bytes
        self.held = 0  # write() calls waiting for room now
        self._pending: deque[Item] = deque()
        self._pending_bytes = 0  # queued, and taken by the thread but not yet sent
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._room = threading.Condition(self._lock)
        self._closing = False
        self._released = False
        self._died = False
        if fd is None:
            fd = _open_for_recording(self.path, overwrite)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "podtui.sources.recorder", str(fd), str(flush_interval),
                 "gz" if self.path.name.endswith(".gz") else "plain", "redact" if header.redacted else "keep"],
                stdin=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(fd,),
                # Its own session: Ctrl-C and a closed terminal reach podtui, which then
                # closes the recorder's input; the recorder finishes the file.
                start_new_session=True,
            )
        except OSError as exc:
            raise RecordingError(f"cannot start the recorder for {self.path}: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
        self._pipe = self._proc.stdin
        self._send([encode_j(orjson.dumps(header.to_line()))])
        self._thread = threading.Thread(target=self._run, name="podtui-recorder", daemon=True)
        self._thread.start()

    def write(self, items: Iterable[Item]) -> None:
        """Queue `items`, first waiting while the writer is `full`. A batch is never
        split: the bound may be passed by one batch."""
        items = list(items)
        if not items:
            return
        size = queued_size(items)
        with self._lock:
            if self._full():
                self.held += 1
                try:
                    while self._full():
                        self._room.wait(WAIT_SLICE)
                finally:
                    self.held -= 1
            if self.error is not None:
                return  # the recording stopped: nothing would send these
            self._pending.extend(items)
            self._pending_bytes += size
            self._wake.notify()

    @property
    def full(self) -> bool:
        """Whether write() would wait now."""
        with self._lock:
            return self._full()

    def _full(self) -> bool:
        return (self.max_pending_bytes is not None and self._pending_bytes >= self.max_pending_bytes
                and not self._closing and not self._released and self.error is None
                and self._thread.is_alive() and self._proc.poll() is None)

    def release(self) -> None:
        """Never make write() wait again (the caller is stopping). Takes no lock: safe
        in a signal handler that interrupts a write() waiting on the same thread."""
        self._released = True

    def close(self, end: float | None = None) -> None:
        """Finish the recording; with `end`, a last line says it stopped then (not one
        of items_written: alone, it is nothing worth replaying)."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self.ended = end
            self._wake.notify()
            self._room.notify_all()
        self._thread.join()
        if end is not None and self.error is None:
            self._send([encode_j(orjson.dumps(encode_item(SourceStatus(STOPPED, end), redacted=False)))])
        try:
            self._pipe.close()
        except OSError:
            pass
        stderr = self._proc.stderr.read().decode(errors="replace").strip() if self._proc.stderr else ""
        if self._proc.wait() == OUTPUT_CLOSED:
            self.output_closed = True
            self.error = None
        elif self._proc.returncode != 0 and (self.error is None or self._died):
            # The recorder's own why (e.g. "No space left on device") over the broken pipe it left.
            why = stderr.splitlines()[-1] if stderr else "the recorder failed"
            before = " (what it wrote before still replays)" if self.items_written else ""
            self.error = f"recording to {self.path} stopped: {why}{before}"

    @property
    def recorder_ended(self) -> bool:
        """The recorder process is gone before close(): a full disk, a pipe's reader
        leaving. Noticed here, with nothing to send, it would go unseen until the next item."""
        return self._proc.poll() is not None

    @property
    def stopped(self) -> bool:
        """The recording has stopped short: an error, or the recorder gone (its error
        may be known only once close() reaps it)."""
        return self.error is not None or self.recorder_ended

    def _send(self, frames: list[bytes]) -> None:
        try:
            self._pipe.write(b"".join(frames))
            self._pipe.flush()
        except (OSError, ValueError):
            # The recorder died (disk full, killed): keep the UI going; close() says why.
            if self.error is None:
                self.error = f"recording to {self.path} stopped: the recorder process ended"
                self._died = True  # close() may learn why from its stderr

    def _take(self) -> tuple[list[Item], int]:
        """Up to about SEND_BYTES of the pending items, oldest first (the lock held)."""
        batch: list[Item] = []
        size = 0
        pending = self._pending
        while pending and size < SEND_BYTES:
            item = pending.popleft()
            batch.append(item)
            size += item_size(item)
        return batch, size

    def _run(self) -> None:
        try:
            self._send_all()
        except Exception as exc:
            # A bug, not the recorder's end: said in one line by whoever reads `error`.
            if self.error is None:
                self.error = f"recording to {self.path} stopped: {type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                # Nothing sends these now: no write() may wait for them to go.
                self._pending.clear()
                self._pending_bytes = 0
                self._room.notify_all()

    def _send_all(self) -> None:
        dumps = orjson.dumps
        while True:
            with self._lock:
                while not self._pending and not self._closing:
                    self._wake.wait()
                batch, size = self._take()
                last = self._closing and not self._pending
            if batch and self.error is None:
                frames = []
                changes = self.changes_written
                for item in batch:
                    frame = None
                    if isinstance(item, Change):
                        changes[item.resource] = changes.get(item.resource, 0) + 1
                        raw = item.raw
                        if raw is None:
                            raw = dumps({"type": item.type, "object": item.obj})
                        frame = encode_r(item.observed, item.resource, item.type, item.synthetic, raw)
                    if frame is None:
                        frame = encode_j(dumps(encode_item(item, redacted=False)))
                    frames.append(frame)
                self._send(frames)
                self.items_written += len(batch)
            with self._lock:
                self._pending_bytes -= size
                self._room.notify_all()
            if last:
                return


class RecordingFeed:
    """A Feed that records everything its inner feed produces, as it is consumed.

    With `wait_for_room` (a headless consumer), poll() waits while the writer is full.
    Without it (the screen's thread, which must never stall), poll() takes nothing
    then: the items stay in the inner feed's queue, whose own bound then holds its
    watch threads. The display lags the cluster by what the recorder has not caught
    up with, but nothing is dropped and memory stays bounded.
    """

    def __init__(self, feed: Feed, writer: RecordingWriter, *, wait_for_room: bool = False,
                 clock: Clock | None = None) -> None:
        self.feed = feed
        self.writer = writer
        self.scope = feed.scope
        self.wait_for_room = wait_for_room
        self.clock = clock  # for the time it stops

    def start(self) -> None:
        self.feed.start()

    def poll(self, limit: int | None = None) -> list[Item]:
        if not self.wait_for_room and self.writer.full:
            return []
        items = self.feed.poll(limit)
        if items:
            self.writer.write(items)
        return items

    def stop(self) -> None:
        self.feed.stop()
        # The recording's end: its last item may be long before (a server gone), and a
        # replay ending there hid the outage up to the stop.
        if self.clock is None:
            self.writer.close()
        else:
            self.writer.close(end=self.clock.time())

    def __getattr__(self, name: str):
        # Status the inner feed exposes (state, controls) stays reachable.
        return getattr(self.feed, name)


def recording_length(start: float, end: float) -> int:
    """A recording's length as the replay bar shows it, in whole seconds of the clock:
    10:00:00.7 to 10:01:03.3 is 1:03, the offset the bar reads at the end. The summary
    and replay's --at bound count the same (62.6 s truncated said 62 s, and refused the
    bar's own 1m3s)."""
    return max(0, whole_second(end) - whole_second(start))


def recording_summary(writer: RecordingWriter, trouble: str = "") -> str:
    """The line said when a recording ends (`podtui record`, or quitting a --record):
    what went where, "podtui: recorded 1,234 pod and 56 event changes to FILE (2.1 MB)
    in 12s", `trouble` after it; or why it stopped short. Once the writer is closed.
    How long: from the header's start to the stop close() wrote, both on the injected
    clock, so both commands say it alike (a replay's length says the same)."""
    if writer.error:
        return f"podtui: {writer.error}"
    size = ""
    if writer.to_named_file:
        try:
            info = writer.path.stat()
            if stat.S_ISREG(info.st_mode):  # /dev/null's 0 B would say nothing
                size = f" ({file_size(info.st_size)})"
        except OSError:
            pass
    counts = writer.changes_written
    took = f" in {human_duration(recording_length(writer.header.started, writer.ended))}" \
        if writer.ended is not None else ""
    return (f"podtui: recorded {counts.get(PODS, 0):,} pod and {counts.get(EVENTS, 0):,} event changes "
            f"to {writer.path}{size}{took}{trouble}")


def file_size(n: float) -> str:
    """As `ls -h --si` says it, one decimal below ten: "812 B", "36 kB", "2.1 MB"."""
    unit = "B"
    for bigger in ("kB", "MB", "GB", "TB"):
        if n < 999.5:  # else "1000 kB"
            break
        n, unit = n / 1000, bigger
    return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}" if n < 9.95 else f"{n:.0f} {unit}"


def start_recording(feed: Feed, path: str | Path, clock: Clock, *, redacted: bool = True,
                    fd: int | None = None, wait_for_room: bool = False, overwrite: bool = True) -> RecordingFeed:
    writer = RecordingWriter(path, header_for(feed.scope, clock.time(), redacted), fd=fd, overwrite=overwrite)
    return RecordingFeed(feed, writer, wait_for_room=wait_for_room, clock=clock)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a recording ends early, and the load warning that says so: an error that
    says it too (history_command.never_listed) leaves that warning out."""

    where: str  # "is cut short in line 7"
    warning: str  # "rec.jsonl is cut short in line 7: replaying up to line 6", one of the warnings


class Recording:
    """A recording read back: its header, its items (held packed, see PackedItems), and
    what was wrong with the file."""

    __slots__ = ("path", "header", "log", "warnings", "skipped", "cut")

    def __init__(self, path: Path | None, header: Header, items: Iterable[Item] = (),
                 warnings: list[str] | None = None, skipped: int = 0, *, log: PackedItems | None = None,
                 cut: Cut | None = None) -> None:
        self.path = path
        self.header = header
        self.log = log if log is not None else PackedItems.of(items)
        self.warnings = warnings if warnings is not None else []
        self.skipped = skipped
        self.cut = cut  # where the file ends early

    @property
    def items(self) -> list[Item]:
        """Every item, each decoded in full, made anew on each call (tests and tools:
        replay takes them from `log` as it plays)."""
        return list(self.log.decoded())

    # The span of the items (tests read these; replay takes its span from ReplayFeed).
    @property
    def start(self) -> float:
        return min(self.log.times, default=self.header.started)

    @property
    def end(self) -> float:
        return max(self.log.times, default=self.header.started)


# A change kept as its line, by what is known of it without decoding the object.
_CHANGE_KINDS: tuple[tuple[str, str, bool], ...] = tuple(
    (resource, kind, synthetic) for resource in (PODS, EVENTS) for kind in TYPES for synthetic in (False, True))
_KIND_CODE = {k: i for i, k in enumerate(_CHANGE_KINDS)}
_LOOSE = 255  # kept as an Item in PackedItems._loose
_NO_UID = -1
CHUNK_BYTES = 256 * 1024  # of lines, before compression: a few dozen pods, a few ms to inflate


class PackedItems:
    """A recording's items, held compactly: a watch change as its line, zlib-compressed
    with its neighbours; its time, kind and pod uid beside it in arrays. Anything else
    (status and relist lines, a change of another resource or an odd shape) is kept as
    the Item it decoded to.

    A 5 KB pod line decoded is some 20 KB of dicts and strings, each version separate:
    a big cluster's twenty minutes held decoded took gigabytes. Packed, a line costs a
    few hundred bytes; take() decodes items as they are released, through a PodDecoder
    that shares the pieces a pod's versions have in common.
    """

    __slots__ = ("times", "_kinds", "_uids", "_uid_table", "_uid_index", "_loose", "_chunks", "_chunk_first",
                 "_pending", "_pending_bytes", "_cache")

    def __init__(self) -> None:
        self.times = array("d")  # item_time of each item, in file order
        self._kinds = bytearray()  # per item: index into _CHANGE_KINDS, or _LOOSE
        self._uids = array("i")  # per item: index into _uid_table, or _NO_UID
        self._uid_table: list[str] = []
        self._uid_index: dict[str, int] = {}
        self._loose: dict[int, Item] = {}
        self._chunks: list[bytes] = []  # compressed lines of consecutive packed items
        self._chunk_first = array("q")  # per chunk: the index of its first item
        self._pending: list[bytes] = []  # lines not compressed yet
        self._pending_bytes = 0
        self._cache: tuple[int, list[bytes]] = (-1, [])  # the chunk inflated last: replay reads in order

    @classmethod
    def of(cls, items: Iterable[Item]) -> PackedItems:
        packed = cls()
        for item in items:
            packed.add_item(item)
        return packed

    def __len__(self) -> int:
        return len(self.times)

    def add_item(self, item: Item) -> None:
        i = len(self.times)
        self.times.append(item_time(item))
        self._kinds.append(_LOOSE)
        uid = item_pod_uid(item)
        self._uids.append(self._uid_code(uid) if uid is not None else _NO_UID)
        self._loose[i] = item

    def add_line(self, t: float, resource: str, kind: str, synthetic: bool, uid: object, line: bytes) -> None:
        """A change kept as its `line`, as _peek found it (checked to be JSON, of a kind
        in _CHANGE_KINDS)."""
        code = _KIND_CODE[resource, kind, synthetic]
        if not self._pending:
            self._chunk_first.append(len(self.times))
        self.times.append(t)
        self._kinds.append(code)
        self._uids.append(self._uid_code(uid) if resource == PODS and type(uid) is str else _NO_UID)
        line = line.rstrip(b"\r\n")  # JSON has no raw newline inside a line: they join the chunk
        self._pending.append(line)
        self._pending_bytes += len(line)
        if self._pending_bytes >= CHUNK_BYTES:
            self.seal()

    def seal(self) -> None:
        """Compress the lines added since the last chunk (reading them does it too)."""
        if self._pending:
            # Levels 1-3 run the same fast matcher (3 looks further: a tenth smaller);
            # 4 and up take twice the load time.
            self._chunks.append(zlib.compress(b"\n".join(self._pending), 3))
            self._pending = []
            self._pending_bytes = 0

    def _uid_code(self, uid: str) -> int:
        code = self._uid_index.get(uid)
        if code is None:
            code = self._uid_index[uid] = len(self._uid_table)
            self._uid_table.append(uid)
        return code

    def find_pod(self, uid: str, start: int) -> int | None:
        """The index of the first item from `start` on that is a change of pod `uid`."""
        code = self._uid_index.get(uid)
        if code is None:
            return None
        try:
            return self._uids.index(code, start)
        except ValueError:
            return None

    def last_of(self, resource: str, end: int) -> int | None:
        """The index of the last change (or bookmark) of `resource` before item `end`."""
        kinds, loose = self._kinds, self._loose
        for i in range(min(end, len(kinds)) - 1, -1, -1):
            code = kinds[i]
            if code != _LOOSE:
                if _CHANGE_KINDS[code][0] == resource:
                    return i
            elif type(loose[i]) is Change and loose[i].resource == resource:
                return i
        return None

    def _chunk_lines(self, k: int) -> list[bytes]:
        if self._cache[0] != k:
            self._cache = (k, zlib.decompress(self._chunks[k]).split(b"\n"))
        return self._cache[1]

    def _lines(self, start: int, end: int) -> Iterator[tuple[int, bytes | None]]:
        """(index, line) for items start..end-1; line None for a loose item."""
        self.seal()
        kinds, first = self._kinds, self._chunk_first
        k = bisect.bisect_right(first, start) - 1
        i = start
        while i < end:
            if kinds[i] == _LOOSE:
                yield i, None
                i += 1
                continue
            while k + 1 < len(first) and first[k + 1] <= i:
                k += 1
            lines = self._chunk_lines(k)
            # The chunk's lines belong to its packed items in order: count those before i.
            j = first[k]
            n = sum(1 for x in range(j, i) if kinds[x] != _LOOSE) if i > j else 0
            stop = first[k + 1] if k + 1 < len(first) else len(kinds)
            while i < min(end, stop):
                if kinds[i] == _LOOSE:
                    yield i, None
                else:
                    yield i, lines[n]
                    n += 1
                i += 1

    def take(self, start: int, end: int, pods: PodDecoder) -> list[Item]:
        """Items start..end-1 for a consumer that applies them in order: each packed
        change made anew, its object decoded when first read, pods through `pods`
        (one per pass from the beginning: it expects each pod's versions in order)."""
        out: list[Item] = []
        loose, kinds, times = self._loose, self._kinds, self.times
        for i, line in self._lines(start, end):
            if line is None:
                out.append(loose[i])
                continue
            resource, kind, synthetic = _CHANGE_KINDS[kinds[i]]
            if resource != PODS:
                decode = object_of
            else:
                decode = pods.object_gone if kind == DELETED else pods.object
            out.append(Change(resource, kind, None, times[i], synthetic, raw=line, decode=decode))
        return out

    def loose(self) -> Iterable[Item]:
        """The items kept as they are, not as lines (statuses, relist marks, bookmarks),
        in item order (the dict's insertion order): what is read without decoding."""
        return self._loose.values()

    def decoded(self) -> Iterator[Item]:
        """Every item, a change's object decoded in full as the file has it."""
        for i, line in self._lines(0, len(self)):
            yield self._loose[i] if line is None else decode_item(orjson.loads(line))


def item_pod_uid(item: Item) -> str | None:
    if isinstance(item, Change) and item.resource == PODS:
        obj = item.obj
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        if isinstance(meta, dict):
            uid = meta.get("uid")
            return uid if isinstance(uid, str) else None
    return None


STDIO = STDIN = "-"  # as a path: standard input to read, standard output to write, as tools have it


def file_argument(text: str) -> str:
    """argparse's type for a command's FILE: an empty one (an unset $VAR) was read as
    ".", and refused as a directory nobody named."""
    if not text:
        raise argparse.ArgumentTypeError("the file name is empty (an unset variable?)")
    return text


def record_beside_the_screen(text: str) -> str:
    """argparse's type for `--record FILE` of the commands that open the screen: there
    "-" made a file named "-" (standard output is the screen)."""
    if text == STDIN:
        raise argparse.ArgumentTypeError("the screen is on standard output: record to a FILE, or run "
                                         "`podtui record -` without the screen")
    return file_argument(text)


def recording_name(path: str | Path) -> str:
    """How messages name a recording."""
    return "standard input" if str(path) == STDIN else str(path)


class _Rejoined(io.RawIOBase):
    """The bytes read to sniff a pipe's magic number, then the rest of it: a pipe
    cannot seek back, and peek() may hold fewer bytes than the magic number."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._head:
            return self._rest.readinto(buffer)
        n = min(len(buffer), len(self._head))
        buffer[:n] = self._head[:n]
        self._head = self._head[n:]
        return n


def _open_read(path: Path) -> IO[bytes]:
    if str(path) == STDIN:
        try:
            magic = sys.stdin.buffer.read(2)
        except (OSError, AttributeError) as exc:  # AttributeError: no stdin at all (<&-)
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed"
            raise RecordingError(f"cannot read standard input: {why}", "pipe a recording in, or give FILE") from None
        raw: IO[bytes] = io.BufferedReader(_Rejoined(magic, sys.stdin.buffer))
    else:
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise _cannot_open(exc, path, writing=False) from None
        magic = raw.read(2)
        raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return raw


def _lines(path: Path, damage: list[str] | None = None,
           gunzipped: list[bool] | None = None) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, complete) for each line; a truncated gzip stream ends the
    file. Data that cannot be read on (a failed CRC, a broken block) ends it too, its
    why in `damage`: that is not a stopped recorder, and what was read may be wrong.
    `gunzipped` gets whether the data was gzip (known once the first line is read)."""
    f = _open_read(path)
    if gunzipped is not None:
        gunzipped.append(isinstance(f, gzip.GzipFile))
    try:
        n = 0
        while True:
            try:
                line = f.readline()
            except EOFError:
                # The compressed stream stops mid-block: cut short, or still being written.
                yield n + 1, b"", False
                return
            except (zlib.error, gzip.BadGzipFile, OSError) as exc:
                if damage is not None:
                    damage.append(_short(exc))
                yield n + 1, b"", False
                return
            if not line:
                return
            n += 1
            yield n, line, line.endswith(b"\n")
    finally:
        f.close()


# Compressions podtui does not read, by their magic bytes: (name, how to undo it).
_OTHER_COMPRESSIONS = ((b"\xfd7zXZ\x00", "xz-compressed", "xz -d"), (b"BZh", "bzip2-compressed", "bunzip2"),
                       (b"\x28\xb5\x2f\xfd", "zstd-compressed", "zstd -d"), (b"PK\x03\x04", "a zip archive", "unzip"))


def _parse_header(name: str, line: bytes, gunzipped: bool = False, complete: bool = True) -> Header:
    line = line.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark from an editor
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        data = None
        if not complete and _header_begun(line):
            # The recorder stopped while writing its first line.
            raise RecordingError(f"{name} is cut short in line 1, its header: it holds nothing to replay",
                                 "record again, or check it is the right file")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        for magic, kind, undo in _OTHER_COMPRESSIONS:
            if line.startswith(magic):
                # It read as no recording at all.
                raise RecordingError(f"{name} is {kind}; podtui reads plain or gzip recordings",
                                     f"{undo} it first, or gzip it")
        # What was read, not the name, says whether it was gzip: a gzipped kubectl dump
        # is gzip all right, just not a recording.
        if gunzipped:
            raise RecordingError(f"{name} holds gzip data, but not a podtui recording (no header on line 1)",
                                 "check it is the right file")
        if name.endswith(".gz"):
            raise RecordingError(f"{name} is not gzip-compressed, nor a podtui recording",
                                 "check it is the right file")
        raise RecordingError(f"{name} is not a podtui recording (line 1 has no podtui-recording header)")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        # true passed as version 1, and 0 or -5 as versions this podtui reads.
        raise RecordingError(f"{name}: line 1: the header has no format version (version: {_short_json(version)})",
                             "a podtui recording says version 1 or later; check it is the right file")
    if version > VERSION:
        raise RecordingError(
            f"{name} uses recording format version {version} (written by podtui {data.get('podtui', '?')}); "
            f"this podtui {__version__} reads versions up to {VERSION}",
            "upgrade podtui to replay it",
        )
    started = data.get("started")
    if not isinstance(started, (int, float)) or isinstance(started, bool) or not 0 <= started < MAX_TIME:
        started = 0.0
    return Header(version=version, podtui=str(data.get("podtui", "")), context=str(data.get("context", "")),
                  server=str(data.get("server", "")), scope=data.get("scope") if isinstance(data.get("scope"), dict) else {},
                  started=float(started),
                  redacted=bool(data.get("redacted", True)))


_HEADER_START = b'{"format":"' + FORMAT.encode() + b'"'


def _header_begun(line: bytes) -> bool:
    """Whether `line`, unfinished, is the start of a recording's header (it names the
    format, or is cut before it could)."""
    if FORMAT.encode() in line:
        return True
    compact = b"".join(line.split())
    return len(compact) > 1 and _HEADER_START.startswith(compact)


def iter_recording(path: str | Path, *, skip_bad_lines: bool = False, warnings: list[str] | None = None,
                   lazy: bool = False, doing: str = "replaying",
                   cut: list[Cut] | None = None) -> tuple[Header, Iterator[Item]]:
    """The header, and an iterator over the items, read lazily; path "-" reads
    standard input.

    A truncated last line (recorder killed) ends the items with a warning. A corrupt
    line elsewhere raises RecordingError naming the file and line, unless
    skip_bad_lines, which notes it in `warnings` and goes on.

    With `lazy`, a change's object is decoded when first read, as the live source's
    are (pods through one PodDecoder: for a consumer that reads them in order); each
    line is still checked on the way, so a corrupt one is reported here.

    `doing`: the caller's verb in a truncation warning ("reading up to line 7"); `cut`
    gets where the file ends early (a Cut).
    """
    if not lazy:
        return _scan(path, skip_bad_lines, warnings, lambda line: decode_item(orjson.loads(line)), doing=doing,
                     cut=cut)
    pods = PodDecoder()

    def parse(line: bytes) -> Item:
        item = _read_line(line)
        head = _head(item)
        if isinstance(head, tuple) and head[1] == PODS:
            # Again through the PodDecoder, which shares what a pod's versions have in
            # common; anything else keeps the decoding the check just made.
            t, resource, kind, synthetic, _ = head
            decode = pods.object_gone if kind == DELETED else pods.object
            return Change(resource, kind, None, t, synthetic, raw=line, decode=decode)
        return item

    return _scan(path, skip_bad_lines, warnings, parse, doing=doing, cut=cut)


def _read_line(line: bytes) -> Item:
    """A line as decode_item makes it; a line msgspec refuses goes through orjson,
    whose errors are what a corrupt line has always been reported with."""
    try:
        # The whole line: an envelope-only check lets by what the decoder refuses
        # later (bad UTF-8 or a number beyond a double in a string or member it
        # skips), and the replay would stop there with a traceback.
        data = decode_any(line)
    except msgspec.DecodeError:
        data = None
    if type(data) is dict and "type" in data:
        return decode_item(data)
    return decode_item(orjson.loads(line))


def _head(item: Item) -> tuple[float, str, str, bool, object] | Item:
    """A change -> (t, resource, type, synthetic, pod uid), its object to be dropped and
    decoded again when applied; anything PackedItems has no code for stays the Item."""
    if type(item) is Change and (item.resource, item.type, item.synthetic) in _KIND_CODE:
        meta = item.obj.get("metadata")
        uid = meta.get("uid") if type(meta) is dict else None
        return item.observed, item.resource, item.type, item.synthetic, uid
    return item


def _peek(line: bytes) -> tuple[float, str, str, bool, object] | Item:
    return _head(_read_line(line))


def _scan(path: str | Path, skip_bad_lines: bool, warnings: list[str] | None,
          parse: Callable[[bytes], T], skipped: list[int] | None = None,
          doing: str = "replaying", cut: list[Cut] | None = None) -> tuple[Header, Iterator[T]]:
    """iter_recording's reading, each line after the header through `parse` (which
    raises ValueError or TypeError for a line that is not an item). `skipped` gets the
    number of each bad line gone past (with skip_bad_lines). `doing`: the caller's verb
    for what it makes of a cut file ("replaying", "reading"); `cut` gets where it is cut."""
    path = Path(path)
    name = recording_name(path)
    warnings = warnings if warnings is not None else []
    damage: list[str] = []
    gunzipped: list[bool] = []
    lines = _lines(path, damage, gunzipped)
    first = next(lines, None)
    if first is not None and not first[1] and not first[2]:
        raise RecordingError(f"{name}: the gzip data is corrupt or ends before the header line",
                             "nothing in it can be replayed; check it is the right file")
    if first is None or not first[1]:
        raise RecordingError(f"{name} is empty: not a podtui recording")
    header = _parse_header(name, first[1], bool(gunzipped and gunzipped[0]), first[2])

    def ends_early(where: str, then: str) -> None:
        warnings.append(f"{name} {where}: {then}")
        if cut is not None:
            cut.append(Cut(where, warnings[-1]))

    def items() -> Iterator[T]:
        pending_error: str | None = None
        for number, line, complete in lines:
            if pending_error is not None:
                # A bad line followed by more lines is corruption, not truncation.
                if not skip_bad_lines:
                    raise RecordingError(pending_error, "use --skip-bad-lines to go on without it")
                warnings.append(pending_error)
                pending_error = None
            # Short, one idea a sentence: the screen shows these in a toast about 36
            # columns wide, where a long one wrapped mid-phrase. Not "the recorder was
            # stopped": a file `--record` is still writing reads the same.
            if not line.strip():
                if not complete and damage:
                    ends_early(f"is damaged after line {number - 1} ({damage[0]})",
                               f"{doing} what is there, which may be wrong too")
                elif not complete:
                    ends_early(f"is cut short after line {number - 1} (compressed data ends mid-stream)",
                               f"{doing} what is there")
                continue
            try:
                item = parse(line)
            except (orjson.JSONDecodeError, ValueError, TypeError, RecursionError) as exc:  # nested past any pod
                if not complete:
                    ends_early(f"is cut short in line {number}", f"{doing} up to line {number - 1}")
                    return
                pending_error = _bad_line(name, number, line, exc)
                if skipped is not None:
                    skipped.append(number)
                continue
            yield item
        if pending_error is not None:
            # The last line is complete but unreadable.
            if not skip_bad_lines:
                raise RecordingError(pending_error, "use --skip-bad-lines to go on without it")
            warnings.append(pending_error)

    return header, items()


def _bad_line(name: str, number: int, line: bytes, exc: Exception) -> str:
    """Why line `number` is no item. Broken JSON (a line cut short and run into the
    next, junk) is said to be that: the parser's "unexpected control character in string"
    alone read as a fault of the content."""
    if isinstance(exc, json.JSONDecodeError) and not _json_apart_from_values(line):
        return f"{name}: line {number} is not JSON ({exc.msg} at column {exc.colno}): the recording is damaged there"
    return f"{name}: line {number} is corrupt ({_short(exc)})"


def _json_apart_from_values(line: bytes) -> bool:
    """Whether the line parses when its bad UTF-8 and out-of-range numbers are let
    by (the stdlib allows both): then what is wrong is a value, named as orjson names it."""
    try:
        json.loads(line.decode("utf-8", "replace"))
    except (ValueError, RecursionError):  # JSONDecodeError, a number too long to convert, nesting
        return False
    return True


def _short_json(value: object) -> str:
    return orjson.dumps(value).decode()[:40]


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def read_recording(path: str | Path, *, skip_bad_lines: bool = False) -> Recording:
    """The whole recording, its changes packed (PackedItems), each line checked."""
    warnings: list[str] = []
    skipped: list[int] = []
    cut: list[Cut] = []
    header, heads = _scan(path, skip_bad_lines, warnings, lambda line: (_peek(line), line), skipped, cut=cut)
    log = PackedItems()
    for head, line in heads:
        if isinstance(head, tuple):
            log.add_line(*head, line)
        else:
            log.add_item(head)
    log.seal()
    return Recording(Path(path), header, warnings=warnings, skipped=len(skipped), log=log,
                     cut=cut[0] if cut else None)


def write_recording(path: str | Path, header: Header, items: Iterable[Item]) -> None:
    """Write a whole recording synchronously (tests, fixtures, conversions)."""
    path = Path(path)
    with _open_write(path) as f:
        f.write(orjson.dumps(header.to_line(), option=orjson.OPT_APPEND_NEWLINE))
        buf = io.BytesIO()
        for item in items:
            buf.write(orjson.dumps(encode_item(item, header.redacted), option=orjson.OPT_APPEND_NEWLINE))
        f.write(buf.getvalue())


def scope_from_header(header: Header) -> Scope:
    s = header.scope
    return Scope(context=header.context, server=header.server, namespace=s.get("namespace"),
                 label_selector=s.get("label_selector") or "", field_selector=s.get("field_selector") or "")


__all__ = [
    "FORMAT", "VERSION", "Header", "PackedItems", "Recording", "RecordingFeed", "RecordingWriter", "decode_item",
    "encode_item", "header_for", "item_pod_uid", "iter_recording", "read_recording", "redact", "refuse_to_overwrite",
    "scope_from_header",
    "start_recording", "write_recording",
]
