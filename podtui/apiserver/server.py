"""podtui's own Kubernetes API server: the real list/watch wire protocol on loopback.

Serves pods and events from a Storage over HTTP/1.1 (optionally TLS with a bearer
token), a thread per connection so a long watch never blocks anyone else; besides
them, read-only: pods/NAME/status and /log, namespaces (derived), and the self reviews
of `kubectl auth can-i` / `whoami`. Good enough for kubectl 1.32, the official Python
client and podtui's live source; a demo and test double, not a cluster: it never
accepts writes except DELETE of a pod.
"""

from __future__ import annotations

import logging
import secrets
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from urllib.parse import parse_qs, urlsplit

import orjson

from podtui.apiserver import discovery, endpoints, logs, namespaces, reviews, tables
from podtui.apiserver.faults import Faults
from podtui.apiserver.kubeconfig import kubeconfig, write_kubeconfig
from podtui.apiserver.routes import HEALTH_CHECKS, PUBLIC_PATHS, Route, route
from podtui.apiserver.status import APIError, bad_request, internal_error, method_not_allowed, not_found, unauthorized
from podtui.apiserver.storage import Storage
from podtui.apiserver.tls import TLSFiles
from podtui.apiserver.watch import MAX_WAIT, WatchSession, raw_shutdown
from podtui.clock import Clock, SystemClock

JSON = "application/json"
POLL_INTERVAL = 0.05
STOP_JOIN_SECONDS = 3.0
# How long a read waits for a future resourceVersion (the watch cache's blockTimeout).
BLOCK_TIMEOUT = 3.0

DeleteHook = Callable[[str, str, str, dict], "dict | None"]

# A 500 is a bug of this server's: its traceback goes here, or the next one cannot be
# diagnosed from the client's one-line message. Silent unless someone adds a handler
# (`podtui demo` does: stderr with --serve, a file with the UI).
log = logging.getLogger("podtui.apiserver")
log.addHandler(logging.NullHandler())


@dataclass(slots=True)
class RequestInfo:
    """What a request asks for, in the API server's terms (for routing and faults)."""

    method: str
    path: str
    query: dict[str, str]
    verb: str  # get, list, watch, delete, discovery, create, update, patch, ...
    route: Route

    @property
    def resource(self) -> str:
        return self.route.resource

    @property
    def group(self) -> str:
        return self.route.group

    @property
    def namespace(self) -> str | None:
        return self.route.namespace


def _verb(method: str, r: Route, query: dict[str, str]) -> str:
    if r.kind in ("api", "apis", "group", "resources"):
        return "discovery"
    if r.kind == "review":
        return {"POST": "create"}.get(method, method.lower())
    if r.kind not in ("object", "namespace"):
        return "get"
    if method == "GET":
        # A named GET is a get whatever its query says (GetResource reads no `watch`);
        # only the deprecated /watch/ path watches one object.
        if r.watch_path or (r.name is None and endpoints.parse_bool(query, "watch")):
            return "watch"
        return "get" if r.name else "list"
    if method == "DELETE":
        return "delete" if r.name else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())


# ---- content negotiation -------------------------------------------------------------


@dataclass(slots=True)
class Accept:
    table: bool = False
    aggregated: str | None = None  # apidiscovery version: "v2" / "v2beta1"
    plain: bool = False


def _accept(header: str | None) -> Accept:
    out = Accept()
    if not header:
        out.plain = True
        return out
    for item in header.split(","):
        fields = [f.strip() for f in item.split(";")]
        media = fields[0].lower()
        params = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        as_kind = params.get("as")
        if as_kind == "Table" and params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1"):
            out.table = True
        elif as_kind == "APIGroupDiscoveryList" and params.get("g") == "apidiscovery.k8s.io" and params.get("v") in ("v2", "v2beta1"):
            out.aggregated = out.aggregated or params["v"]
        elif as_kind is None and media in ("application/json", "*/*", "application/*"):
            out.plain = True
    return out


def _not_acceptable() -> APIError:
    return APIError(406, "only the following media types are accepted: application/json")


# ---- HTTP plumbing ---------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], api: APIServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.api = api
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can stall
        # for seconds where DNS is unreachable; a loopback server has no use for it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = port

    def get_request(self):  # type: ignore[override]
        sock, addr = self.socket.accept()
        # Small responses go out in one write anyway; NODELAY keeps a lone watch
        # event from waiting on the peer's delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.api.ssl_context is not None:
            # Handshake lazily, in the connection's own thread.
            sock = self.api.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address) -> None:  # noqa: ARG002
        # A peer going away mid-request is normal for a watch server; stay quiet about that.
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            log.error("internal error on a connection from %s", client_address, exc_info=error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "podtui-apiserver"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.api._register(self.request)

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError):  # includes ssl.SSLError; ValueError: socket closed under us
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        finally:
            self.server.api._unregister(self.request)

    def _serve(self) -> None:
        self.server.api._serve(self)

    do_GET = do_DELETE = do_POST = do_PUT = do_PATCH = _serve

    def __getattr__(self, name: str):
        # Any other method (HEAD, OPTIONS, FOO) is the server's to answer (405), as Go's
        # net/http passes every method on; not http.server's HTML 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format, *args) -> None:  # noqa: A002, ARG002
        pass

    # Whether JSON answers go out indented (set per request by the server).
    pretty = False
    # Whether this request's answer has started going out as a stream (headers sent).
    streaming = False

    def respond(self, code: int, body: bytes, content_type: str = JSON, headers: dict[str, str] | None = None) -> None:
        if content_type.startswith(JSON):
            # The JSON serializer: MarshalIndent when pretty, else an Encoder, whose
            # output ends in a newline.
            body = orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2) if self.pretty else body + b"\n"
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        lines = [
            f"HTTP/1.1 {code} {phrase}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            "Cache-Control: no-cache, private",
            f"Date: {self.date_time_string()}",
        ]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if self.close_connection:
            lines.append("Connection: close")
        if self.command == "HEAD":
            body = b""  # the headers say what GET would send; the body is never written
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _bad_framing(self, what: str) -> APIError:
        # The rest of the connection cannot be framed: answer, then close it (as Go's net/http does).
        self.close_connection = True
        return bad_request(f"malformed request body: {what}")

    def read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length:
            # int() alone would take "-5", "+5", " 5", "1_0" and non-ASCII digits.
            if not (length.isascii() and length.isdigit()):
                raise self._bad_framing(f"invalid Content-Length {length!r}")
            return self.rfile.read(int(length))
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                digits = self.rfile.readline().split(b";")[0].strip()
                if not digits or digits.strip(b"0123456789abcdefABCDEF"):
                    raise self._bad_framing(f"invalid chunk size {digits.decode('latin-1')!r}")
                size = int(digits, 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""


def _pretty(query: dict[str, str], user_agent: str) -> bool:
    """negotiation.isPrettyPrint: ?pretty=, else curl, Wget and browsers get indented JSON."""
    value = query.get("pretty")
    if value:
        return value in ("1", "t", "T", "TRUE", "true", "True")
    return user_agent.startswith(("curl", "Wget", "Mozilla/5.0"))


def _health(r: Route, query: dict[str, str]) -> bytes:
    # healthz.handleRootHealth: "ok", or with ?verbose one line per check and a verdict.
    if r.name is not None or "verbose" not in query:
        return b"ok"
    lines = [f"[+]{check} ok" for check in HEALTH_CHECKS]
    return ("\n".join(lines) + f"\n{r.group} check passed\n").encode()


def _peer_gone(sock: socket.socket) -> bool:
    """Whether the client closed its end (a peek that reads EOF); TLS or not."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and socket.socket.recv(sock, 1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


# ---- the server ---------------------------------------------------------------------------


class APIServer:
    """Serves `storage` on host:port; see the module docstring. Use start()/stop()."""

    def __init__(
        self,
        storage: Storage,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TLSFiles | None = None,
        token: str | None = None,
        bookmark_interval: float = 60.0,
        clock: Clock | None = None,
        block_timeout: float = BLOCK_TIMEOUT,
    ) -> None:
        self.storage = storage
        self.host = host
        self.port = port
        self.tls = tls
        self.ssl_context: ssl.SSLContext | None = tls.server_context() if tls else None
        self.token = token
        self.bookmark_interval = bookmark_interval
        self.block_timeout = block_timeout
        self.clock: Clock = clock or SystemClock()
        self.faults = Faults(self)
        # (resource, namespace, name, DeleteOptions) -> the object to answer with, or
        # None to answer with what storage holds afterwards. Unset: delete at once.
        self.on_delete: DeleteHook | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._sessions: set[WatchSession] = set()

    # ---- lifecycle ----------------------------------------------------------------

    def start(self) -> APIServer:
        if self._httpd is not None:
            return self
        try:
            httpd = _HTTPServer((self.host, self.port), self)
        except OSError as err:
            raise OSError(err.errno, f"cannot listen on {self.host}:{self.port}: {err.strerror}") from err
        self.port = httpd.server_address[1]
        self._stopping = threading.Event()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name=f"podtui-apiserver:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    def stop(self) -> None:
        """Close the listener and every open connection; returns within a few seconds."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections.items())
        for sock, _ in connections:
            raw_shutdown(sock)
        self.storage.wake()
        deadline = time.monotonic() + STOP_JOIN_SECONDS
        thread.join(max(deadline - time.monotonic(), 0))
        me = threading.current_thread()  # stop() may be called from a request (a hook)
        for _, worker in connections:
            if worker is not me:
                worker.join(max(deadline - time.monotonic(), 0))
        self._httpd = None
        self._thread = None

    def restart(self) -> None:
        """Stop and serve again on the same port with the same storage."""
        self.stop()
        self.start()

    def __enter__(self) -> APIServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def write_kubeconfig(
        self,
        path: str | PathLike,
        *,
        context: str = "podtui-demo",
        namespace: str | None = None,
        token: str | None = None,
    ) -> None:
        """A kubeconfig for this server: URL, CA data when TLS, the bearer token
        (`token`, else the server's current one) and a current context."""
        ca = self.tls.ca_pem() if self.tls else None
        config = kubeconfig(self.url, context=context, namespace=namespace, token=token or self.token, ca_pem=ca)
        write_kubeconfig(path, config)

    # ---- state shared with faults ------------------------------------------------------

    def watch_sessions(self) -> list[WatchSession]:
        with self._lock:
            return list(self._sessions)

    def user_name(self) -> str:
        return "podtui" if self.token else "system:anonymous"

    def _register(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections[sock] = threading.current_thread()

    def _unregister(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.pop(sock, None)

    # ---- requests -------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        r = route(split.path)
        bad_verb: APIError | None = None
        try:
            verb = _verb(handler.command, r, query)
        except APIError as err:  # e.g. watch=maybe
            verb, bad_verb = "get", err
        req = RequestInfo(handler.command, split.path, query, verb, r)
        handler.streaming = False  # the handler lives as long as the connection
        # /version is written raw and always indented (WriteRawJSON); the rest as asked.
        handler.pretty = r.kind == "version" or _pretty(query, handler.headers.get("User-Agent") or "")
        try:
            body = handler.read_body()
            injected = self.faults.take(req)
            if injected is not None:
                raise injected
            self._authenticate(handler, split.path)
            if bad_verb is not None:
                raise bad_verb
            self._dispatch(handler, req, body)
        except OSError:
            handler.close_connection = True
        except Exception as err:  # noqa: BLE001 - a bug must not kill the connection thread silently
            if isinstance(err, APIError) and not handler.streaming:
                handler.respond(err.code, err.body(), headers=err.headers)
                return
            # A ValueError is a socket closed under us only while stopping; else a bug like any other.
            if not (isinstance(err, ValueError) and self._stopping.is_set()):
                log.error("%s: internal error answering %s %s", self.clock.now().isoformat(), handler.command, handler.path, exc_info=err)
            if handler.streaming:
                # The answer's headers are out (a watch, a followed log): a 500 now would land
                # inside its chunked body. End it as an aborted stream ends: the connection closes.
                handler.close_connection = True
                return
            error = internal_error(f"{type(err).__name__}: {err}")
            handler.respond(error.code, error.body())

    def _authenticate(self, handler: _Handler, path: str) -> None:
        token = self.token
        if token is None or path in PUBLIC_PATHS:
            return
        header = handler.headers.get("Authorization") or ""
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
            raise unauthorized()

    def _now(self) -> datetime:
        return self.clock.now()

    def _wait_fresh(self, rv: int) -> None:
        """Block this connection's thread (only) until storage reaches `rv`, for at most
        block_timeout; in slices, so a stop() is never missed for long."""
        deadline = time.monotonic() + self.block_timeout
        while (current := self.storage.resource_version) < rv and not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.storage.wait_for_events(current, min(left, MAX_WAIT))

    def _dispatch(self, handler: _Handler, req: RequestInfo, body: bytes) -> None:
        r = req.route
        accept = _accept(handler.headers.get("Accept"))
        if r.kind in ("version", "api", "apis", "group", "resources") and req.method != "GET":
            raise method_not_allowed()  # GET-only routes (health checks take any method)
        if r.kind == "version":
            return handler.respond(200, orjson.dumps(discovery.VERSION))
        if r.kind == "health":
            return handler.respond(200, _health(r, req.query), "text/plain; charset=utf-8", {"X-Content-Type-Options": "nosniff"})
        if r.kind in ("api", "apis"):
            if accept.aggregated:
                groups = [""] if r.kind == "api" else list(discovery.GROUPS)
                doc = discovery.aggregated(groups, accept.aggregated)
                return handler.respond(200, orjson.dumps(doc), discovery.AGGREGATED_MEDIA.format(version=accept.aggregated))
            if r.kind == "api":
                doc = discovery.api_versions(f"{self.host}:{self.port}")
            else:
                doc = discovery.api_group_list()
            return handler.respond(200, orjson.dumps(doc))
        if r.kind == "group":
            return handler.respond(200, orjson.dumps(discovery.api_group(r.group)))
        if r.kind == "resources":
            return handler.respond(200, orjson.dumps(discovery.api_resource_list(r.group)))
        if r.kind == "review":
            if req.method != "POST":
                raise method_not_allowed()
            review = reviews.decode(body, handler.headers.get("Content-Type") or "", r.resource)
            return handler.respond(201, orjson.dumps(reviews.answer(r.resource, review, self.user_name())))
        if r.kind == "namespace":
            return self._namespaces(handler, req, accept)
        if r.kind != "object":
            raise APIError(404, "the server could not find the requested resource", details={})
        if r.subresource and req.verb != "get":
            raise method_not_allowed()
        if r.subresource == "log":
            return self._log(handler, r, req.query)
        if not (accept.plain or accept.table):
            raise _not_acceptable()
        rep = endpoints.representation(r, req.query, accept.table)
        content_type = tables.MEDIA_TYPE if rep.table else JSON
        if req.verb == "list":
            return handler.respond(200, endpoints.list_body(self.storage, r, req.query, rep, self._now(), self._wait_fresh), content_type)
        if req.verb == "get":
            return handler.respond(200, endpoints.get_body(self.storage, r, req.query, rep, self._now(), self._wait_fresh), content_type)
        if req.verb == "watch":
            return self._watch(handler, endpoints.watch_spec(self.storage, r, req.query, rep, self._now, self._wait_fresh))
        if req.verb == "delete" and endpoints.is_pods(r):
            return handler.respond(200, self._delete(r, endpoints.delete_options(body, req.query)))
        raise method_not_allowed()

    def _log(self, handler: _Handler, r: Route, query: dict[str, str]) -> None:
        assert r.namespace is not None and r.name is not None
        pod = self.storage.get(r.resource, r.namespace, r.name)
        if pod is None:
            raise not_found(r.resource, r.name)
        previous = bool(endpoints.parse_bool(query, "previous"))
        follow = bool(endpoints.parse_bool(query, "follow"))
        target = logs.log_target(pod, query.get("container", ""), previous)
        if not (follow and target.running):
            return handler.respond(200, b"", "text/plain")
        # Followed: the stream stays open, silent, while that container instance runs.
        handler.close_connection = True
        handler.streaming = True
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-cache, private\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n")
        rv = self.storage.resource_version
        while not self._stopping.is_set() and not _peer_gone(handler.connection):
            if not logs.still_running(self.storage.get(r.resource, r.namespace, r.name), target):
                handler.wfile.write(b"0\r\n\r\n")
                return
            self.storage.wait_for_events(rv, MAX_WAIT)
            rv = self.storage.resource_version

    def _namespaces(self, handler: _Handler, req: RequestInfo, accept: Accept) -> None:
        if req.verb == "watch":
            raise namespaces.watch_refused()
        if req.verb not in ("get", "list"):
            raise method_not_allowed()
        if not (accept.plain or accept.table):
            raise _not_acceptable()
        content_type = tables.MEDIA_TYPE if accept.table else JSON
        if req.verb == "get":
            return handler.respond(200, namespaces.get_body(self.storage, req.route.name or "", accept.table, self._now()), content_type)
        return handler.respond(200, namespaces.list_body(self.storage, req.query, accept.table, self._now()), content_type)

    def _delete(self, r: Route, options: dict) -> bytes:
        assert r.namespace is not None and r.name is not None
        existing = self.storage.get(r.resource, r.namespace, r.name)
        if existing is None:
            raise not_found(r.resource, r.name)
        if options.get("dryRun"):
            return orjson.dumps(endpoints.dry_run_delete(existing, options, self.clock.time()))
        if self.on_delete is None:
            result = self.storage.delete(r.resource, r.namespace, r.name)
        else:
            result = self.on_delete(r.resource, r.namespace, r.name, options)
            if result is None:
                result = self.storage.get(r.resource, r.namespace, r.name)
        return orjson.dumps(result if result is not None else existing)

    def _watch(self, handler: _Handler, spec) -> None:
        session = WatchSession(
            handler.connection,
            self.storage,
            spec,
            bookmark_interval=self.bookmark_interval,
            cut_after=self.faults.cut_after,
            stopping=self._stopping,
            end_after=self.faults.end_after,
        )
        with self._lock:
            self._sessions.add(session)
        handler.streaming = True
        try:
            session.run()
        finally:
            with self._lock:
                self._sessions.discard(session)
            if not session.reusable:
                handler.close_connection = True
