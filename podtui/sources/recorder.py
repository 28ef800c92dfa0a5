"""The recorder's own process: redacts, encodes and compresses what podtui records.

`python -m podtui.sources.recorder FD FLUSH_INTERVAL` reads frames on stdin and writes
recording lines to the already-open file descriptor FD (gzip when the file is .gz).
Masking secrets and compressing cost a good part of what ingesting the event did; in
this process they run on another core instead of taking the ingest process's GIL. Of a
watch line only what redaction reads is decoded (metadata, the containers' env): the
rest, the status, most of the spec, is written back as the bytes that came.

Frames (little-endian):
    b"R" <t: f64> <flags: u8> <n: u32> <n bytes: a JSON object with the "object" (a watch line)>
         flags bit 0: synthetic, bit 1: the resource is "events" (else "pods"),
         bits 2-3: the type (recording.TYPES)
    b"J" <n: u32> <n bytes: a complete recording line, unredacted>
A frame for the header comes first; end of input ends the recording. Exit status
OUTPUT_CLOSED: FD is a pipe whose reader went away (`podtui record - | head`).
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time

import msgspec
import orjson

from podtui.errors import say
from podtui.lifecycle.changes import EVENTS, PODS, Change
from podtui.sources.recording import (
    EVENTS_FLAG,
    J_HEAD,
    OUTPUT_CLOSED,
    R_HEAD,
    SYNTHETIC_FLAG,
    TYPE_SHIFT,
    TYPES,
    encode_item,
    gzip_writer,
    redact,
    unpack_raw,
)


class _Line(msgspec.Struct):
    object: dict[str, msgspec.Raw]  # one scan: the object's members, left raw


_LINE = msgspec.json.Decoder(_Line)
_ENCODER = msgspec.json.Encoder()


def decode_frames(buf: bytearray, redacted: bool) -> tuple[bytes, int]:
    """Complete frames at the start of buf -> their recording lines, and bytes consumed."""
    out: list[bytes] = []
    data = bytes(buf)  # raw pieces of it outlive this call's view of buf, which may be resized
    view = memoryview(data)
    pos = 0
    end = len(data)
    loads, dumps, encode, line_object = orjson.loads, orjson.dumps, _ENCODER.encode, _LINE.decode
    while pos < end:
        tag = data[pos]
        if tag == 0x52:  # R
            if end - pos < 1 + R_HEAD.size:
                break
            t, flags, n = R_HEAD.unpack_from(data, pos + 1)
            start = pos + 1 + R_HEAD.size
            stop = start + n
            if end < stop:
                break
            try:
                # A line with a newline inside is pretty-printed: raw pieces of it would
                # split the recording's line.
                obj = line_object(view[start:stop]).object if data.find(b"\n", start, stop) < 0 else None
            except msgspec.ValidationError:  # an "object" that is no JSON object
                obj = None
            resource, kind = EVENTS if flags & EVENTS_FLAG else PODS, TYPES[(flags >> TYPE_SHIFT) & 3]
            if obj is not None:
                # Only what redaction reads is decoded; the rest is copied as it came.
                obj = redact(obj, unpack_raw) if redacted else obj
                change = Change(resource, kind, obj, t, bool(flags & SYNTHETIC_FLAG))
                out += (encode(encode_item(change, redacted=False)), b"\n")
            else:
                change = Change(resource, kind, loads(view[start:stop])["object"], t, bool(flags & SYNTHETIC_FLAG))
                out.append(dumps(encode_item(change, redacted), option=orjson.OPT_APPEND_NEWLINE))
            pos = stop
        elif tag == 0x4A:  # J
            if end - pos < 1 + J_HEAD.size:
                break
            (n,) = J_HEAD.unpack_from(data, pos + 1)
            start = pos + 1 + J_HEAD.size
            if end - start < n:
                break
            raw = data[start:start + n]
            if redacted and b'"object"' in raw:
                line = loads(raw)
                if isinstance(line.get("object"), dict):
                    line["object"] = redact(line["object"])
                raw = dumps(line)
            out += (raw, b"\n")
            pos = start + n
        else:
            raise ValueError(f"bad recorder frame tag {tag!r}")
    return b"".join(out), pos


def main(argv: list[str]) -> int:
    fd, flush_interval, gz, redacted = int(argv[0]), float(argv[1]), argv[2] == "gz", argv[3] == "redact"
    raw_file = os.fdopen(fd, "wb")
    out = gzip_writer(raw_file) if gz else raw_file
    stdin = sys.stdin.buffer.raw
    poller = select.poll()
    poller.register(stdin, select.POLLIN)
    mode = os.fstat(fd).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        # A pipe's reader leaving (`| head`) is POLLERR on this end: noticed at once,
        # not at the next write, which a quiet cluster may not bring for hours.
        poller.register(fd, 0)
    buf = bytearray()
    last_flush = time.monotonic()
    dirty = False
    try:
        while True:
            ready = dict(poller.poll(flush_interval * 1000))
            if ready.get(fd, 0) & (select.POLLERR | select.POLLHUP):
                raise BrokenPipeError
            if stdin.fileno() in ready:
                chunk = os.read(stdin.fileno(), 1 << 20)
                if not chunk:
                    break
                buf += chunk
                lines, used = decode_frames(buf, redacted)
                del buf[:used]
                if lines:
                    out.write(lines)
                    dirty = True
            if dirty and time.monotonic() - last_flush >= flush_interval:
                out.flush()  # a Z_SYNC_FLUSH for gzip: what's written so far replays
                dirty = False
                last_flush = time.monotonic()
        if buf:
            say("recording ended in the middle of an item")
        out.close()
        if out is not raw_file:
            raw_file.close()
    except BrokenPipeError:
        # The reader of a piped recording has what it wanted: not a failure. Closing
        # flushes again, into the same broken pipe.
        for f in (out, raw_file):
            try:
                f.close()
            except OSError:
                pass
        return OUTPUT_CLOSED
    except OSError as exc:
        say(exc.strerror or str(exc))
        return 1
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError, msgspec.DecodeError) as exc:
        out.close()
        say(f"bad input from podtui: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
