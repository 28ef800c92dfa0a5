"""One watch connection: history log -> filtered JSON lines -> chunked HTTP.

The session reads Storage's shared history from its own cursor, so writers never
wait for it, and it writes everything pending in one chunk per socket write: a live
update goes out as soon as it is stored, a backlog goes out in big batches. A
watcher that falls further behind than the history reaches ends with the same
`ERROR 410 Expired` a kube-apiserver sends (staging/src/k8s.io/apiserver/pkg/storage/
cacher), and clients relist.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from podtui.apiserver.status import APIError
from podtui.apiserver.storage import ADDED, DELETED, MODIFIED, Entry, Storage, WatchEvent

BOOKMARK = "BOOKMARK"
ERROR = "ERROR"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"

PREFIX = {t: b'{"type":"%s","object":' % t.encode() for t in (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR)}
SUFFIX = b"}\n"

MAX_EVENTS_PER_READ = 2048
INITIAL_BATCH = 512
# Upper bound on one wait, so stop(), faults and bookmarks are never far away.
MAX_WAIT = 0.5
STALL_TICK = 0.05

Predicate = Callable[[dict], bool]


def raw_shutdown(sock: socket.socket) -> None:
    """Shut a connection down from any thread, TLS or not, without touching SSL state."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


@dataclass(slots=True)
class WatchSpec:
    resource: str
    namespace: str | None
    predicate: Predicate | None
    start_rv: int  # send what happened after this RV
    initial: list[Entry] | None  # current state to send as ADDED first (RV "" / "0" / sendInitialEvents)
    initial_events_end: bool  # follow the initial state with the annotated BOOKMARK
    bookmarks: bool
    timeout: float | None  # seconds (timeoutSeconds)
    kind: str
    api_version: str
    # Turns (type, entry) into the bytes of the object; None: the stored JSON as is.
    render: Callable[[str, Entry], bytes] | None = None
    error: bytes | None = None  # a Status: the watch's one event, an ERROR, then its end


class Action:
    EXPIRE = "expire"
    GARBAGE = "garbage"
    END = "end"
    RESET = "reset"


class WatchSession:
    def __init__(
        self,
        conn: socket.socket,
        storage: Storage,
        spec: WatchSpec,
        *,
        bookmark_interval: float,
        cut_after: Callable[[], int | None],
        stopping: threading.Event,
        end_after: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.conn = conn
        self.storage = storage
        self.spec = spec
        self.bookmark_interval = bookmark_interval
        self._cut_after = cut_after
        self._end_after = end_after
        self._stopping = stopping
        self._actions: deque[tuple[str, bytes]] = deque()
        self.stall_until = 0.0
        self.split_stall = 0.0  # stall this long half way through the next write
        self.trickle = 0.0  # bytes per second every write is dribbled at (0: at once)
        self.written = 0  # watch events written (not counting bookmarks)
        self.cursor = spec.start_rv
        # True only when the watch ended by timeoutSeconds: the connection may be reused.
        # Every other end closes it, as a real server's aborted stream would.
        self.reusable = False

    # ---- called from other threads (faults, stop) --------------------------------

    def post(self, action: str, payload: bytes = b"") -> None:
        self._actions.append((action, payload))
        self.storage.wake()

    def stall(self, seconds: float) -> None:
        self.stall_until = max(self.stall_until, time.monotonic() + seconds)
        self.storage.wake()

    def cut(self) -> None:
        raw_shutdown(self.conn)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not self._stopping.is_set():
            time.sleep(min(left, STALL_TICK))

    # ---- the session ---------------------------------------------------------------

    def run(self) -> None:
        """Serve until timeout, error, fault or stop. Raises OSError when the peer is gone."""
        spec = self.spec
        self._send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        if spec.error is not None:
            self._fail(spec.error)
            return
        opened = time.monotonic()
        deadline = None if spec.timeout is None else opened + spec.timeout
        if spec.initial is not None:
            for i in range(0, len(spec.initial), INITIAL_BATCH):
                parts: list[bytes] = []
                for entry in spec.initial[i : i + INITIAL_BATCH]:
                    self._encode(parts, ADDED, entry)
                self._write(parts)
            spec.initial = None
            if spec.initial_events_end:
                self._write([self._bookmark(self.cursor, initial_end=True)])
        next_bookmark = time.monotonic() + self.bookmark_interval
        while not self._stopping.is_set():
            if self._actions and self._run_actions():
                return
            now = time.monotonic()
            if now < self.stall_until:
                time.sleep(min(self.stall_until - now, STALL_TICK))
                continue
            end_after = self._end_after()
            if (deadline is not None and now >= deadline) or (end_after is not None and now >= opened + end_after):
                self._end()
                self.reusable = True
                return
            try:
                events = self.storage.events_since(self.cursor, MAX_EVENTS_PER_READ)
            except APIError as err:
                self._fail(err.body())
                return
            if events:
                if self._deliver(events):
                    return
                continue
            if spec.bookmarks and now >= next_bookmark:
                self._write([self._bookmark(self.cursor)])
                next_bookmark = now + self.bookmark_interval
            wait = MAX_WAIT
            if deadline is not None:
                wait = min(wait, deadline - now)
            if spec.bookmarks:
                wait = min(wait, next_bookmark - now)
            self.storage.wait_for_events(self.cursor, max(wait, 0.0))
        # Server stopping: the connection is being shut down under us.

    def _deliver(self, events: list[WatchEvent]) -> bool:
        """Write the visible ones; True when a cut-after fault ended the session."""
        spec = self.spec
        parts: list[bytes] = []
        count = 0
        limit = self._cut_after()
        room = None if limit is None else max(limit - self.written, 0)
        for event in events:
            self.cursor = event.rv
            if event.resource != spec.resource:
                continue
            entry = event.entry
            if spec.namespace is not None and entry.namespace != spec.namespace:
                continue
            kind = event.type
            pred = spec.predicate
            if pred is not None:
                kind = _filtered_type(event, pred)
                if kind is None:
                    continue
            if room is not None and count == room:
                break
            self._encode(parts, kind, entry)
            count += 1
        if parts:
            self._write(parts)
        self.written += count
        if limit is not None and self.written >= limit:
            self.cut()
            return True
        return False

    def _encode(self, parts: list[bytes], kind: str, entry: Entry) -> None:
        render = self.spec.render
        parts.append(PREFIX[kind])
        parts.append(entry.data if render is None else render(kind, entry))
        parts.append(SUFFIX)

    def _bookmark(self, rv: int, initial_end: bool = False) -> bytes:
        meta: dict = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {INITIAL_EVENTS_END: "true"}
        obj = {"kind": self.spec.kind, "apiVersion": self.spec.api_version, "metadata": meta}
        return PREFIX[BOOKMARK] + orjson.dumps(obj) + SUFFIX

    def _run_actions(self) -> bool:
        """Apply queued faults; True when the session is over."""
        while self._actions:
            action, payload = self._actions.popleft()
            if action == Action.GARBAGE:
                self._write([payload])
            elif action == Action.EXPIRE:
                self._fail(payload)
                return True
            elif action == Action.END:
                self._end()
                self.reusable = True
                return True
            elif action == Action.RESET:
                # Linger 0: close() sends a TCP RST instead of a FIN, as a NAT or
                # firewall dropping the flow does. The handler then finds it closed.
                self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                socket.socket.close(self.conn)
                return True
        return False

    # ---- HTTP chunked framing ------------------------------------------------------

    def _write(self, parts: list[bytes]) -> None:
        size = sum(map(len, parts))
        if size:
            self._send(b"".join([b"%x\r\n" % size, *parts, b"\r\n"]))

    def _fail(self, status: bytes) -> None:
        """End the stream with one ERROR event carrying `status`."""
        self._write([PREFIX[ERROR], status, SUFFIX])
        self._end()

    def _end(self) -> None:
        self._send(b"0\r\n\r\n")

    def _send(self, data: bytes) -> None:
        if self.split_stall:
            # A link that stops mid-event: the chunk header and half the line, then nothing.
            stall, self.split_stall = self.split_stall, 0.0
            half = len(data) // 2
            self.conn.sendall(data[:half])
            self._sleep(stall)
            data = data[half:]
        if self.trickle:
            step = max(1, int(self.trickle * STALL_TICK))
            for i in range(0, len(data), step):
                self.conn.sendall(data[i : i + step])
                self._sleep(STALL_TICK)
            return
        self.conn.sendall(data)


def _filtered_type(event: WatchEvent, pred: Predicate) -> str | None:
    """What a selector-filtered watcher sees: objects moving in or out of the selection
    arrive as ADDED / DELETED, as the watch cache does."""
    if event.type == MODIFIED:
        now = pred(event.entry.obj)
        before = event.prev is not None and pred(event.prev.obj)
        if now:
            return MODIFIED if before else ADDED
        return DELETED if before else None
    return event.type if pred(event.entry.obj) else None
