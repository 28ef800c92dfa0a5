"""The live cluster source: LIST then WATCH the pods in scope and their Events, for hours.

One worker thread per resource (pods, and the Events of pods in the same namespaces)
runs a reflector loop like client-go's:

    LIST (paged; restart on an expired continue token) -> diff against what we hold
    WATCH from the list's resourceVersion, bookmarks on, read timeout set
      connection cut / stall / malformed line / 5xx -> back off, WATCH again from the
      (stalled mid-event: after 10s, not 90s)          last resourceVersion seen
      clean end (timeoutSeconds, a proxy's cap)     -> WATCH again at once from there
        ... with nothing, within a second           -> back off first (no hot loop)
      410 Expired (HTTP or ERROR event)             -> LIST again and diff
      401                                           -> reload credentials and retry;
                                                       unchanged: "log in again", never fatal
      403 (repeatedly) before any watch was open    -> FAILED, with a one-line why
      403 after a watch was open (a revoked right)  -> back off and retry, never fatal
      429 / 5xx with Retry-After                    -> wait at least that (at startup too)

The stream is read raw, a whole read at a time (BodyReader), and split into lines. This
thread reads only each line's envelope (type, name, uid, resourceVersion): the Change
carries the line, and the object is decoded where it is applied, by the consumer
(podtui.sources.decode: msgspec; pods share what didn't change with their previous
version). No typed models per event. Changes go to an ItemQueue one read at a time;
the UI drains it on its own timer. Past MAX_QUEUED_BYTES queued, a thread waits for the
UI to drain before it reads on (back-pressure on the stream; nothing is dropped).
Each reflector keeps its own map key -> (uid, resourceVersion), so a relist diff needs
nothing from the UI thread and can emit synthetic deletions for what vanished while away.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from http import HTTPStatus
from urllib.parse import quote, urlencode

import orjson
import urllib3

from podtui.clock import Clock
from podtui.errors import ConfigError, ConnectError, StillWaiting
from podtui.lifecycle.changes import (
    ADDED,
    BOOKMARK,
    CONNECTING,
    DELETED,
    EVENTS,
    FAILED,
    LISTING,
    LIVE,
    MODIFIED,
    PODS,
    RECONNECTING,
    REFRESHING,
    RELISTING,
    STOPPED,
    Change,
    Item,
    Relist,
    SourceStatus,
)
from podtui.lifecycle.duration import human_duration
from podtui.lifecycle.store import RELIST_NOTE
from podtui.sources.base import ItemQueue, Scope
from podtui.sources.decode import (
    DecodeError,
    PodDecoder,
    decode_any,
    decode_list,
    envelope,
    object_of,
    valid_utf8,
    wrap_item,
)
from podtui.sources.kubeconfig import (
    Connection,
    ConnectionOptions,
    HttpFailure,
    describe_http_error,
    describe_transport_error,
    resolve_connection,
    status_message,
    transport_reason,
)

DEFAULT_READ_TIMEOUT = 90.0  # an idle API server sends only a bookmark about once a minute
# A list page (500 items) comes back within a second or two; the watch's 90 s, which
# waits out an idle minute between bookmarks, left a silent server's first screen blank
# for 91 s. kube-apiserver gives up on a list itself after 60 s; a relist that times out
# here is only retried. --request-timeout overrides it, as it does the connect timeout.
DEFAULT_LIST_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 30.0
# The server writes each event whole: part of one and then this long without a byte is
# a stalled link, said (and reconnected) long before the read timeout.
DEFAULT_STALL_TIMEOUT = 10.0
# After this long waiting on one start-up request, say so on stderr (as for exec plugins).
STARTUP_NOTICE_AFTER = 3.0
# How long the startup check waits out 429s and 5xx that carry a Retry-After (an API
# server starting or shedding load), as kubectl's client does, before giving up.
STARTUP_PATIENCE = 15.0
# How much may wait for the consumer (the bytes of the Changes as read, see ItemQueue)
# before the watch threads wait for it: a 20,000-pod relist of ~5 KB pods is ~100 MiB,
# which a stalled UI (a slow terminal, a paused process) let grow by ~1 MiB/s of churn.
MAX_QUEUED_BYTES = 64 << 20
DEFAULT_WATCH_TIMEOUT = (300, 600)  # timeoutSeconds, randomised like client-go's reflector
EVENTS_FIELD_SELECTOR = "involvedObject.kind=Pod"
READ_CHUNK = 1 << 18
KIND = {PODS: "Pod", EVENTS: "Event"}
_WATCH_TYPES = frozenset((ADDED, MODIFIED, DELETED, BOOKMARK))
_TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, OSError)


# ------------------------------------------------------------------------- pieces


class Backoff:
    """Exponential back-off with jitter: initial, x2 each failure, capped; reset on health."""

    def __init__(
        self,
        initial: float = 0.5,
        maximum: float = 30.0,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self._rng = rng
        self.failures = 0

    def next_delay(self) -> float:
        base = min(self.maximum, self.initial * self.factor**self.failures)
        self.failures += 1
        # Spread reconnects of many clients after an API server restart.
        return min(self.maximum, base * (1 - self.jitter / 2 + self.jitter * self._rng()))

    def reset(self) -> None:
        self.failures = 0


class MalformedLine:
    """A line of the watch stream that is not JSON; kept in order with the good ones."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text


# A watch line is one object: etcd refuses values over 1.5 MiB, the API server request
# bodies over 3 MiB. Far past both, the stream is not a watch.
MAX_LINE = 64 << 20


class LineDecoder:
    """Turns the chunks of a watch body into decoded JSON lines.

    An event may span chunks and a chunk may hold many events, so the partial tail is
    kept; joining parts only when a newline arrives keeps a large object linear. Each
    line is decoded only as far as its envelope (podtui.sources.decode.envelope).
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._pending = 0  # bytes in _parts
        self.raw: list[bytes] = []  # the lines behind the last feed()'s results, aligned

    def feed(self, data: bytes) -> list[dict | MalformedLine]:
        if b"\n" not in data:
            if data:
                self._parts.append(data)
                self._pending += len(data)
            self.raw = []
            return []
        lines = data.split(b"\n")
        if self._parts:
            # Only the line that spans reads is joined; copying the whole read each
            # time cost ~10 us per 5 KB event.
            self._parts.append(lines[0])
            lines[0] = b"".join(self._parts)
            self._parts = []
            self._pending = 0
        tail = lines.pop()
        if tail:
            self._parts.append(tail)
            self._pending = len(tail)
        out: list[dict | MalformedLine] = []
        self.raw = raw = []
        decode = envelope
        for line in lines:
            if not line or line.isspace():
                continue
            if not line.isascii():
                line = valid_utf8(line)  # as Go reads it: U+FFFD for bytes that are not UTF-8
            raw.append(line)
            try:
                decoded = decode(line)
            except DecodeError:
                out.append(MalformedLine(line))
            else:
                out.append(decoded if isinstance(decoded, dict) else MalformedLine(line))
        return out

    @property
    def pending(self) -> int:
        return self._pending


class BodyReader:
    """Reads a watch body in large blocks straight off the connection's buffer.

    The API server sends every watch event as its own HTTP chunk, and urllib3's read1
    returns one chunk per call: one call, one GIL release, and usually one thread
    switch to the UI per event. This reads whatever has arrived (up to READ_CHUNK) and
    undoes the chunked framing itself. Anything else (a body that is not chunked, a
    compressed one, a response already partly read) is left to urllib3. The connection
    is not reused after a body read this way: close the response when done.
    """

    def __init__(self, response: urllib3.BaseHTTPResponse) -> None:
        self._response = response
        inner = getattr(response, "_fp", None)  # http.client.HTTPResponse
        fp = getattr(inner, "fp", None)  # its buffered reader on the socket
        self._sock = getattr(getattr(fp, "raw", None), "_sock", None)
        self._timeout: float | None = None
        encoding = (response.headers.get("content-encoding") or "identity").lower()
        self._fp = fp if (
            fp is not None and hasattr(fp, "read1") and encoding == "identity"
            and getattr(inner, "chunked", False) and getattr(inner, "chunk_left", None) is None
        ) else None
        self._left = 0  # bytes of the current chunk still to come
        self._crlf = 0  # bytes of the CRLF after a chunk still to skip
        self._head = b""  # a chunk-size line cut by a read
        self.done = False  # the last (empty) chunk arrived

    @property
    def taken_over(self) -> bool:
        return self._fp is not None

    @property
    def in_chunk(self) -> bool:
        """Part of a chunk (its size line, payload or CRLF) is still to come."""
        return bool(self._left or self._head or self._crlf)

    def read(self, timeout: float | None = None) -> bytes:
        """The next bytes of the body; b"" at its end. `timeout`: this read's, instead
        of the request's read timeout (only where the body is read here)."""
        if self._fp is None:
            return self._response.read1(READ_CHUNK)
        if timeout is not None and timeout != self._timeout and self._sock is not None:
            self._sock.settimeout(timeout)
            self._timeout = timeout
        while not self.done:
            try:
                data = self._fp.read1(READ_CHUNK)
            except TimeoutError:
                # As urllib3 says it, so a stalled watch reads the same either way.
                raise urllib3.exceptions.ReadTimeoutError(None, "", "Read timed out.") from None
            if not data:
                raise urllib3.exceptions.ProtocolError("Connection broken: the watch ended without its last chunk")
            payload = self._dechunk(data)
            if payload:
                return payload
        return b""

    def _dechunk(self, data: bytes) -> bytes:
        view = memoryview(data)
        out = []
        pos, end = 0, len(data)
        while pos < end:
            left = self._left
            if left:
                take = min(left, end - pos)
                out.append(view[pos:pos + take])
                pos += take
                left -= take
                self._left = left
                if not left:
                    self._crlf = 2
                continue
            if self._crlf:
                skip = min(self._crlf, end - pos)
                pos += skip
                self._crlf -= skip
                continue
            nl = data.find(b"\n", pos)
            if nl < 0:
                self._head += data[pos:]
                break
            line = data[pos:nl]
            if self._head:
                line, self._head = self._head + line, b""
            pos = nl + 1
            digits = line.split(b";", 1)[0].strip()
            # int() alone would take "-5", "+5" and "0x5" too.
            if not digits or digits.strip(b"0123456789abcdefABCDEF"):
                raise _Retry("malformed chunked encoding in the watch stream; reconnecting")
            size = int(digits, 16)
            if size == 0:
                self.done = True
                break
            self._left = size
        return b"".join(out)


def identity(obj: dict) -> tuple[str | None, str, str]:
    """(namespace/name key or None, uid, resourceVersion) of an object (an envelope's):
    what the reflector files it under and resumes from."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return None, "", ""
    name, uid, rv = meta.get("name"), meta.get("uid"), meta.get("resourceVersion")
    key = f"{meta.get('namespace') or ''}/{name}" if isinstance(name, str) and name else None
    return key, uid if isinstance(uid, str) else "", rv if isinstance(rv, str) else ""


def resource_path(resource: str, namespace: str | None) -> str:
    if namespace:
        return f"/api/v1/namespaces/{quote(namespace, safe='')}/{resource}"
    return f"/api/v1/{resource}"


# ----------------------------------------------------------------- control flow


class _Stopped(Exception):
    pass


class _Expired(Exception):
    """410: the resourceVersion is too old; relist."""


class _Retry(Exception):
    """A transient failure: back off (at least `delay`) and try again."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class _Fatal(Exception):
    pass


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# ------------------------------------------------------------------------ the source


class LiveSource:
    """A Feed over a real (or podtui's own) API server. See the module docstring."""

    def __init__(
        self,
        connection: Connection,
        *,
        clock: Clock,
        page_size: int = 500,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        list_timeout: float = DEFAULT_LIST_TIMEOUT,
        connect_timeout: float | None = None,
        watch_timeout: tuple[float, float] = DEFAULT_WATCH_TIMEOUT,
        events: bool = True,
        events_field_selector: str = EVENTS_FIELD_SELECTOR,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        healthy_after: float = 30.0,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        short_watch: float = 1.0,
        max_forbidden: int = 3,
        max_queued_bytes: int | None = MAX_QUEUED_BYTES,
        rng: random.Random | None = None,
    ) -> None:
        self.connection = connection
        self.scope: Scope = connection.scope
        self.clock = clock
        self.queue = ItemQueue(max_queued_bytes)
        rng = rng or random.Random()
        settings = dict(
            page_size=page_size,
            read_timeout=read_timeout,
            list_timeout=connection.request_timeout or list_timeout,
            connect_timeout=connect_timeout or connection.request_timeout or DEFAULT_CONNECT_TIMEOUT,
            watch_timeout=watch_timeout,
            healthy_after=healthy_after,
            stall_timeout=min(stall_timeout, read_timeout),
            short_watch=short_watch,
            max_forbidden=max_forbidden,
            rng=rng,
            backoff=lambda: Backoff(backoff_initial, backoff_max, rng=rng.random),
        )
        scope = self.scope
        self.reflectors = [
            Reflector(self, PODS, label_selector=scope.label_selector, field_selector=scope.field_selector, **settings)
        ]
        if events:
            self.reflectors.append(Reflector(self, EVENTS, field_selector=events_field_selector, **settings))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # Feed ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        for reflector in self.reflectors:
            thread = threading.Thread(target=reflector.run, name=f"podtui-watch-{reflector.resource}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def poll(self, limit: int | None = None) -> list[Item]:
        return self.queue.poll(limit)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until something is queued (headless consumers: recorder, tests, benchmarks)."""
        return self.queue.wait(timeout)

    def stop(self, join_timeout: float = 5.0) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self.queue.release()  # a thread waiting for room would never see the stop
        for reflector in self.reflectors:
            reflector.interrupt()
        for thread in self._threads:
            thread.join(join_timeout)
        self.queue.put(SourceStatus(STOPPED, self.clock.time()))
        self.connection.close()

    @property
    def held_back(self) -> bool:
        """Whether a watch thread waits for the consumer to drain (for the status bar:
        the display is behind, and the server's stream waits on us)."""
        return self.queue.held > 0

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopped

    # startup check -------------------------------------------------------------------

    def preflight(self, waiting: Callable[[str], None] | None = None,
                  notice_after: float = STARTUP_NOTICE_AFTER, notice_every: float = 1.0) -> None:
        """Fail now, with one line, if we cannot list and watch pods in scope.

        One LIST limit=1 surfaces unreachable servers, TLS and 401/403 on list; opening
        (and at once closing) a WATCH from its resourceVersion surfaces a missing watch
        permission, the usual surprise at the cluster scope. Events are optional: if
        they're forbidden the events reflector is dropped and the status bar says so.
        `waiting` is told of each wait for a Retry-After, which may last up to 15 s, and
        of a request still unanswered after `notice_after`, then every `notice_every`.
        """
        pods = self.reflectors[0]
        try:
            rv = self._patiently(pods.probe_list, waiting, notice_after, notice_every)
            with self._noticed_if_slow(waiting, notice_after, notice_every):
                pods.probe_watch(rv)
        except HttpFailure as failure:
            raise describe_http_error(failure.status, failure.body, verb=failure.verb or "list", resource=PODS,
                                      connection=self.connection, location=failure.location) from None
        except _TRANSPORT_ERRORS as exc:
            raise describe_transport_error(exc, self.connection.server, self.connection.proxy,
                                           timeouts=(pods.connect_timeout, pods.list_timeout),
                                           flag_set=bool(self.connection.request_timeout)) from None
        for reflector in self.reflectors[1:]:
            try:
                self._patiently(reflector.probe_list, waiting, notice_after, notice_every)
            except HttpFailure as failure:
                if failure.status not in (401, 403):
                    continue
                self.reflectors.remove(reflector)
                why = describe_http_error(failure.status, failure.body, verb="list", resource=reflector.resource, connection=self.connection)
                self.queue.put(SourceStatus(FAILED, self.clock.time(), detail=f"events not shown: {why}", resource=reflector.resource))
            except _TRANSPORT_ERRORS:
                continue  # the reflector will retry with back-off


    def namespace_names(self, timeout: float = 10.0) -> list[str]:
        """The cluster's namespaces, for the picker, as k9s lists them all: podtui has
        seen only those with pods (scoped to one namespace, no other). Raises
        HttpFailure (often a 403: listing namespaces is a cluster-scope right) or a
        transport error; the caller then keeps what it has seen."""
        connection = self.connection
        response = connection.pool.request(
            "GET", f"{connection.server}/api/v1/namespaces?limit=1000", headers=connection.headers(),
            timeout=urllib3.Timeout(connect=self.reflectors[0].connect_timeout, read=timeout),
            retries=False, redirect=False,
        )
        if response.status != 200:
            raise HttpFailure(response.status, response.data[: 1 << 16], verb="list")
        body = decode_any(valid_utf8(response.data))
        items = body.get("items") if type(body) is dict else None
        names = {(item.get("metadata") or {}).get("name") for item in items or () if type(item) is dict}
        return sorted(n for n in names if type(n) is str and n)

    def _patiently(self, call: Callable[[], str], waiting: Callable[[str], None] | None = None,
                   notice_after: float = STARTUP_NOTICE_AFTER, notice_every: float = 1.0) -> str:
        """call(), again after each 429 or 5xx with a Retry-After (client-go's checkWait),
        for up to STARTUP_PATIENCE seconds in all."""
        waited = 0.0
        while True:
            try:
                with self._noticed_if_slow(waiting, notice_after, notice_every):
                    return call()
            except HttpFailure as failure:
                if not (failure.status == 429 or 500 <= failure.status < 600) or failure.retry_after is None:
                    raise
                delay = max(failure.retry_after, 1.0)  # "Retry-After: 0" must not spin
                if waited + delay > STARTUP_PATIENCE:
                    raise
                waited += delay
                if waiting is not None:
                    waiting(f"the API server answered {failure.status} {_status_phrase(failure.status)}: "
                            f"waiting {delay:g}s as its Retry-After asks")
                self.sleep(delay)

    @contextlib.contextmanager
    def _noticed_if_slow(self, waiting: Callable[[str], None] | None, after: float,
                         every: float = 1.0) -> Iterator[None]:
        """Tell `waiting` if the request inside takes over `after`, and then how long so
        far, on the clock, every `every` seconds (each a StillWaiting): a server that
        accepts the connection but never answers left the terminal blank and silent, and
        then "3s so far" stood still for the rest of the wait."""
        if waiting is None:
            yield
            return
        started = self.clock.time()
        done = threading.Event()

        def count() -> None:
            said = ""
            wait = after
            while not done.wait(wait):
                so_far = human_duration(max(0.0, self.clock.time() - started))
                text = (f"waiting for the API server at {self.connection.server} "
                        f"({so_far} so far; --request-timeout sets the limit)")
                if text != said:  # a clock standing still (the demo's --stop-after) says nothing new
                    waiting(StillWaiting(text) if said else text)
                    said = text
                wait = every

        counter = threading.Thread(target=count, name="podtui-waiting", daemon=True)
        counter.start()
        try:
            yield
        finally:
            done.set()
            counter.join()  # a notice being said goes out before whatever follows it


class Reflector:
    """LIST + WATCH of one resource, in one thread, forever (until stopped or fatal)."""

    def __init__(
        self,
        source: LiveSource,
        resource: str,
        *,
        label_selector: str = "",
        field_selector: str = "",
        page_size: int,
        read_timeout: float,
        list_timeout: float,
        connect_timeout: float,
        watch_timeout: tuple[float, float],
        healthy_after: float,
        stall_timeout: float,
        short_watch: float,
        max_forbidden: int,
        rng: random.Random,
        backoff: Callable[[], Backoff],
    ) -> None:
        self.source = source
        self.resource = resource
        self.kind = KIND[resource]
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.page_size = page_size
        self.read_timeout = read_timeout
        self.list_timeout = list_timeout
        self.connect_timeout = connect_timeout
        self.watch_timeout = watch_timeout
        self.healthy_after = healthy_after
        self.stall_timeout = stall_timeout
        self.short_watch = short_watch
        self.max_forbidden = max_forbidden
        self.rng = rng
        self.backoff = backoff()
        # key -> (uid, resourceVersion) of the last version seen, for the relist diff
        self.known: dict[str, tuple[str, str]] = {}
        # How the consumer decodes this resource's lines (Change.obj): pods share
        # unchanged pieces with their previous version (podtui.sources.decode).
        pods = PodDecoder() if resource == PODS else None
        self.decode_object: Callable[[bytes], object] = object_of if pods is None else pods.object
        self.decode_gone: Callable[[bytes], object] = object_of if pods is None else pods.object_gone
        self.resource_version = ""
        self.lists = 0  # completed lists, for tests and the status bar
        self.watches = 0  # watch connections established
        self._state = ""
        self._detail = ""
        self.last_read: float | None = None  # see SourceStatus.current_as_of
        self._forbidden = 0
        self._renewed_at_once = False
        self._expired_streak = 0  # 410s with no progress in between
        self._response: urllib3.BaseHTTPResponse | None = None

    @property
    def connection(self) -> Connection:
        return self.source.connection

    @property
    def path(self) -> str:
        return resource_path(self.resource, self.source.scope.namespace)

    # status -------------------------------------------------------------------------

    def status(self, state: str, detail: str = "", retry_at: float | None = None, at: float | None = None) -> None:
        if state == self._state and state in (LIVE, CONNECTING):
            return
        self._state, self._detail = state, detail
        at = self.source.clock.time() if at is None else at
        self.source.queue.put(SourceStatus(state, at, detail=detail, resource=self.resource, retry_at=retry_at,
                                           current_as_of=None if state == LIVE else self.last_read))

    # the loop -----------------------------------------------------------------------

    def run(self) -> None:
        self.status(CONNECTING)
        try:
            self._loop()
        except _Stopped:
            pass
        except _Fatal as exc:
            self.status(FAILED, str(exc))
        except Exception as exc:  # noqa: BLE001 - the thread must never die silently
            self.status(FAILED, f"internal error in the {self.resource} watch: {type(exc).__name__}: {exc}")

    def _loop(self) -> None:
        """LIST when needed, then WATCH, forever. Waits raise _Stopped; fatal ends raise _Fatal."""
        need_list, relist_reason = True, ""
        while not self.source.stopping:
            try:
                if need_list:
                    self.list_and_diff(relist_reason)
                    need_list = False
                self.watch()
            except _Expired as exc:
                need_list, relist_reason = True, self._expired(str(exc))
            except HttpFailure as failure:
                if failure.status == 410:
                    need_list, relist_reason = True, self._expired(f"410 Gone: {status_message(failure.body)}")
                else:
                    self._on_http_failure(failure)
            except _Retry as exc:
                self._wait_retry(exc.reason, exc.delay)
            except _TRANSPORT_ERRORS as exc:
                if self.source.stopping:
                    return
                self._wait_retry(transport_reason(exc, self.connection.proxy), None)
            except ConfigError as exc:  # credentials could not be refreshed
                self._wait_retry(str(exc), None)

    def _expired(self, reason: str) -> str:
        self._expired_streak += 1
        if self._expired_streak > 1:  # expired again right after a relist: don't spin
            self._wait_retry(f"{reason}; relisting", None)
        return reason

    def _wait_retry(self, reason: str, at_least: float | None) -> None:
        delay = self.backoff.next_delay()
        if at_least is not None:
            delay = max(delay, at_least)
        now = self.source.clock.time()
        self.status(RECONNECTING, reason, retry_at=now + delay, at=now)
        self.source.sleep(delay)

    def _on_http_failure(self, failure: HttpFailure) -> None:
        status = failure.status
        verb = failure.verb or "watch"
        if status == 401:
            # Never fatal: a token expires mid-session, and logging in elsewhere (which
            # rewrites the kubeconfig, or what its exec plugin reads) must be enough,
            # without a restart that loses the history. So re-read it at each retry.
            try:
                self.connection.reload(failure.generation, _Refreshing(self))  # a no-op if another thread just did
                renewed = self.connection.renewed
                reason = ("401 Unauthorized: reloaded credentials from the kubeconfig" if renewed
                          else "401 Unauthorized: log in again; the kubeconfig is re-read at each retry")
            except ConfigError as exc:
                reason = f"401 Unauthorized; reloading credentials failed: {exc}"
                renewed = False
            # New credentials are tried at once (however late the login came), but not
            # twice running: an exec plugin may mint a new, equally rejected token each time.
            if renewed and not self._renewed_at_once:
                self._renewed_at_once = True
                now = self.source.clock.time()
                self.status(RECONNECTING, reason, retry_at=now, at=now)
                return
            self._renewed_at_once = False
            self._wait_retry(reason, None)
            return
        if status == 403:
            self._forbidden += 1
            # Denied from the start, the RBAC rules lack the right: say so and stop. Once
            # a watch was open, it was revoked (a RoleBinding re-applied, a team's access
            # rotated) and may come back: keep the history and retry, as client-go does.
            if self._forbidden >= self.max_forbidden and not self.watches:
                raise _Fatal(str(describe_http_error(403, failure.body, verb=verb, resource=self.resource, connection=self.connection)))
            self._wait_retry(f"403 Forbidden: {status_message(failure.body)}", None)
            return
        if status == 429:
            self._wait_retry("429 Too Many Requests: the API server asked us to slow down", failure.retry_after)
            return
        self._wait_retry(f"HTTP {status}: {status_message(failure.body)}", failure.retry_after)

    # HTTP -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        state, detail = self._state, self._detail
        refreshing = _Refreshing(self)
        headers = self.connection.headers(refreshing)
        if refreshing.told:
            self.status(state, detail)  # refreshed: what we were doing goes on
        return headers

    def _params(self, extra: dict) -> str:
        params = {}
        if self.label_selector:
            params["labelSelector"] = self.label_selector
        if self.field_selector:
            params["fieldSelector"] = self.field_selector
        params.update(extra)
        return urlencode(params)

    def request(self, verb: str, params: dict, *, read_timeout: float | None) -> urllib3.BaseHTTPResponse:
        connection = self.connection
        generation = connection.generation
        url = f"{connection.server}{self.path}?{self._params(params)}"
        response = connection.pool.request(
            "GET",
            url,
            headers=self._headers(),
            preload_content=False,
            timeout=urllib3.Timeout(connect=self.connect_timeout, read=read_timeout),
            retries=False,
            redirect=False,
        )
        if response.status != 200:
            try:
                body = response.read(1 << 16)
            except _TRANSPORT_ERRORS:
                body = b""
            finally:
                response.release_conn()
            retry_after = response.headers.get("Retry-After")
            try:
                retry_seconds = float(retry_after) if retry_after else None
            except ValueError:
                retry_seconds = None
            raise HttpFailure(response.status, body, retry_seconds, verb=verb, generation=generation,
                              location=response.headers.get("Location") or "")
        return response

    def interrupt(self) -> None:
        response = self._response
        if response is not None:
            try:
                response.shutdown()
            except Exception:  # noqa: BLE001 - best effort: the socket may be gone already
                pass

    def probe_list(self) -> str:
        response = self.request("list", {"limit": "1"}, read_timeout=self.list_timeout)
        server = self.connection.server
        try:
            raw = response.read()
            body = decode_any(valid_utf8(raw))
        except DecodeError:
            what = status_message(raw)
            if what.startswith("an HTML page"):
                raise ConnectError(f"the server at {server} answered a {self.resource} list with {what}, not JSON: "
                                   "is it a Kubernetes API server, or a login page or proxy in its way? "
                                   "check --context and any proxy") from None
            raise ConnectError(f"the server at {server} did not answer a {self.resource} list with JSON: is it a Kubernetes API server? check --context") from None
        finally:
            response.release_conn()
        if not isinstance(body, dict) or "items" not in body:
            # Else the list loop retried it forever, saying only "malformed pods list".
            raise ConnectError(f"the server at {server} answered a {self.resource} list with JSON that is not a list "
                               "(no items): is it a Kubernetes API server? check --context")
        meta = body.get("metadata") if isinstance(body, dict) else None
        return str(meta.get("resourceVersion") or "") if isinstance(meta, dict) else ""

    def probe_watch(self, rv: str) -> None:
        params = {"watch": "1", "timeoutSeconds": "1"}
        if rv:
            params["resourceVersion"] = rv
        try:
            response = self.request("watch", params, read_timeout=self.list_timeout)
        except HttpFailure as failure:
            if failure.status in (401, 403):
                raise
            return  # anything else the watch loop handles (and reports) itself
        response.close()  # the 200 was all we wanted to know

    # LIST ---------------------------------------------------------------------------

    def list_and_diff(self, reason: str = "") -> None:
        """Paged LIST; emit only what differs from `known`, then deletions for what vanished."""
        source = self.source
        initial = self.lists == 0
        self.status(LISTING if initial else RELISTING, reason)
        source.queue.put(Relist(self.resource, source.clock.time(), "start"))
        seen: set[str] = set()
        restarts = 0
        done = False
        try:
            while True:
                try:
                    rv = self._list_pages(seen)
                    break
                except HttpFailure as failure:
                    # An expired continue token: the snapshot is gone; start over.
                    if failure.status != 410 or restarts >= 3:
                        raise
                    restarts += 1
                    seen.clear()
            deletions = self._vanished(seen)
            if deletions:
                source.queue.extend(deletions)
            self.resource_version = rv
            self.lists += 1
            self.backoff.reset()
            done = True
            self.last_read = now = source.clock.time()
            source.queue.put(Relist(self.resource, now, "end", resource_version=rv, deleted=len(deletions)))
        finally:
            if not done:
                source.queue.put(Relist(self.resource, source.clock.time(), "end"))

    def _list_pages(self, seen: set[str]) -> str:
        source = self.source
        known = self.known
        kind = self.kind
        token = ""
        while True:
            if source.stopping:
                raise _Stopped
            params = {"limit": str(self.page_size)}
            if token:
                params["continue"] = token
            response = self.request("list", params, read_timeout=self.list_timeout)
            try:
                raw = response.read()
            finally:
                response.release_conn()
            try:
                body = decode_list(valid_utf8(raw))
            except DecodeError:
                raise _Retry(f"malformed {self.resource} list from the server") from None
            if body is None:
                raise _Retry(f"malformed {self.resource} list from the server (no items/metadata)")
            meta = body["metadata"]
            now = source.clock.time()
            changes: list[Item] = []
            # Filed in `known` only with the page's changes queued: a page given up
            # half way (a malformed item) must not leave pods known but never sent.
            filed: dict[str, tuple[str, str]] = {}
            decode = self.decode_object
            for item in body["items"]:
                line = wrap_item(item, kind)
                try:
                    head = envelope(line).get("object")
                except DecodeError:  # an item the list's own check let through (e.g. bad UTF-8 in its metadata)
                    raise _Retry(f"malformed {self.resource} list item from the server") from None
                if not isinstance(head, dict):
                    continue
                key, uid, rv = identity(head)
                if key is None:
                    # Nothing to file it under, but not dropped unsaid: the store reports it.
                    changes.append(Change(self.resource, ADDED, None, now, raw=line, decode=decode))
                    continue
                seen.add(key)
                old = known.get(key)
                if old is None:
                    changes.append(Change(self.resource, ADDED, None, now, raw=line, decode=decode))
                elif old[0] != uid:
                    # Same name, new object: the old one was deleted while we were away.
                    changes.append(self._vanished_change(key, old, now))
                    changes.append(Change(self.resource, ADDED, None, now, raw=line, decode=decode))
                elif old[1] != rv:
                    changes.append(Change(self.resource, MODIFIED, None, now, raw=line, decode=decode))
                else:
                    continue
                filed[key] = (uid, rv)
            known.update(filed)
            if changes:
                source.queue.extend(changes)
            token = meta.get("continue") or ""
            if not token:
                return str(meta.get("resourceVersion") or "")

    def _vanished(self, seen: set[str]) -> list[Item]:
        now = self.source.clock.time()
        gone = [key for key in self.known if key not in seen]
        out: list[Item] = []
        for key in gone:
            out.append(self._vanished_change(key, self.known.pop(key), now))
        return out

    def _vanished_change(self, key: str, known: tuple[str, str], now: float) -> Change:
        """A synthetic deletion. It names the object only (the store keeps the last
        version it had as the final state); as bytes, so the recorder needn't encode
        and the consumer's decode lets the pod decoder forget the pod."""
        namespace, _, name = key.rpartition("/")
        meta = {"name": name, "uid": known[0], "resourceVersion": known[1]}
        if namespace:
            meta["namespace"] = namespace
        if self.last_read is not None:
            # It was there when the watch last read anything: deleted between then and now.
            meta["annotations"] = {RELIST_NOTE: repr(self.last_read)}
        line = orjson.dumps({"object": {"kind": self.kind, "apiVersion": "v1", "metadata": meta}})
        return Change(self.resource, DELETED, None, now, synthetic=True, raw=line, decode=self.decode_gone)

    # WATCH --------------------------------------------------------------------------

    def watch(self) -> None:
        """One watch connection, until the server ends it cleanly (then we re-watch)."""
        source = self.source
        low, high = self.watch_timeout
        params = {
            "watch": "1",
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(int(self.rng.uniform(low, high))),
        }
        if self.resource_version:
            params["resourceVersion"] = self.resource_version
        response = self.request("watch", params, read_timeout=self.read_timeout)
        self._response = response
        if source.stopping:
            response.close()
            raise _Stopped
        self.watches += 1
        self._forbidden = 0
        self._renewed_at_once = False
        self.status(LIVE)
        established = time.monotonic()
        decoder = LineDecoder()
        body = BodyReader(response)
        progressed = False
        received = False
        try:
            read_timeout, stall_timeout = self.read_timeout, self.stall_timeout
            while True:
                pending = decoder.pending or body.in_chunk
                try:
                    data = body.read(stall_timeout if pending else read_timeout)
                except urllib3.exceptions.ReadTimeoutError:
                    if pending:
                        raise _Retry(f"stalled mid-event: no data for {stall_timeout:g}s") from None
                    raise
                if not data:
                    break
                lines = decoder.feed(data)
                if decoder.pending > MAX_LINE:
                    # A body that never ends its line (not a watch stream, or a broken
                    # proxy) grew without bound.
                    raise _Retry(f"a watch line went past {MAX_LINE >> 20} MiB without ending: "
                                 "not a Kubernetes watch stream?")
                if lines:
                    received = True
                    read_at = source.clock.time()
                # Healthy once it stood long enough (a quiet cluster's watch may only
                # ever carry bookmarks), checked before applying the read, as an ERROR
                # in it ends the watch; or once it delivered a change.
                if not progressed and time.monotonic() - established > self.healthy_after:
                    progressed = self._healthy()
                if lines:
                    if self._apply(lines, decoder.raw) and not progressed:
                        progressed = self._healthy()
                    # Current as of this read only once it applied: an ERROR line (410
                    # after a server restart) says the watch missed what came between.
                    self.last_read = read_at
        except _TRANSPORT_ERRORS:
            if source.stopping:
                raise _Stopped from None
            raise
        finally:
            self._response = None
            if body.taken_over:
                response.close()  # read past urllib3's bookkeeping: don't reuse it
            response.release_conn()
        if source.stopping:
            raise _Stopped
        if decoder.pending:
            raise _Retry("the watch stream ended in the middle of an event")
        if not received and time.monotonic() - established < self.short_watch:
            # As client-go's "very short watch": an end after a while, even silent, is a
            # server's or proxy's timeout; an empty one at once is refusing to hold it,
            # and re-watching at once would spin.
            raise _Retry("the API server ended the watch at once, sending nothing")
        # A clean end (the server's timeoutSeconds): nothing changed up to it, so what the
        # watch delivered was current then, not only at its last line or bookmark.
        self.last_read = source.clock.time()

    def _healthy(self) -> bool:
        self.backoff.reset()
        self._expired_streak = 0
        return True

    def _apply(self, lines: list, raw: list[bytes]) -> bool:
        """Queue the changes in `lines` (read as `raw`), in order; stop at an error line.
        True if any change."""
        source = self.source
        resource = self.resource
        known = self.known
        decode, gone = self.decode_object, self.decode_gone
        now = source.clock.time()
        changes: list[Item] = []
        try:
            for event, line in zip(lines, raw):
                if isinstance(event, MalformedLine):
                    raise _Retry(f"malformed line in the {resource} watch stream ({event.text[:60]!r}); reconnecting")
                kind = event.get("type")
                obj = event.get("object")
                if not isinstance(obj, dict):
                    raise _Retry(f"watch event without an object in the {resource} stream; reconnecting")
                if kind == "ERROR":
                    code = obj.get("code")
                    if code == 410:
                        raise _Expired(f"410 {obj.get('reason') or 'Expired'}: {obj.get('message') or 'resource version too old'}")
                    raise _Retry(f"watch error {code} {obj.get('reason') or ''}: {obj.get('message') or ''}".strip())
                if kind not in _WATCH_TYPES:
                    raise _Retry(f"unknown watch event type {kind!r} in the {resource} stream; reconnecting")
                key, uid, rv = identity(obj)
                if rv:
                    self.resource_version = rv
                if kind == BOOKMARK:
                    continue
                # A key of None (nothing to file it under) is passed on all the same: the
                # store reports it.
                if kind == DELETED:
                    known.pop(key, None)
                    changes.append(Change(resource, kind, None, now, raw=line, decode=gone))
                else:
                    if key is not None:
                        known[key] = (uid, rv)
                    changes.append(Change(resource, kind, None, now, raw=line, decode=decode))
        finally:
            if changes:
                source.queue.extend(changes)
        return bool(changes)


class _Refreshing:
    """Says a slow credential refresh on the bar, once: an exec plugin may take up to
    EXEC_TIMEOUT, and meanwhile no data can flow, whatever the last state said."""

    def __init__(self, reflector: Reflector) -> None:
        self.reflector = reflector
        self.told = False

    def __call__(self, plugin: str) -> None:
        if not self.told:
            self.told = True
            self.reflector.status(REFRESHING, plugin)


def connect(options: ConnectionOptions, clock: Clock, waiting: Callable[[str], None] | None = None,
            interactive: bool = True, **source_options) -> LiveSource:
    """Resolve the config, build the source and check access: raises ConfigError or
    ConnectError with one line before anything is shown. The source is not started.
    `waiting` hears of a start-up wait for a busy server (see preflight) or a slow exec
    plugin; `interactive` False when the screen is already open (resolve_connection)."""
    source = LiveSource(resolve_connection(options, waiting=waiting, interactive=interactive), clock=clock,
                        **source_options)
    try:
        source.preflight(waiting)
    except BaseException:
        source.connection.close()
        raise
    return source


def drain_until(source: LiveSource, predicate: Callable[[list[Item]], bool], timeout: float, sink: list[Item]) -> bool:
    """Headless helper: poll into `sink` until predicate(sink) holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        sink.extend(source.poll())
        if predicate(sink):
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        source.wait(min(left, 0.05))

