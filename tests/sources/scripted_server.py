"""A loopback HTTP server whose every answer the test scripts.

For byte-level situations podtui's own API server has no reason to produce on cue: an
event split across chunks, a connection cut in the middle of a line, a body that never
ends. Each request is recorded; `handler(request) -> Answer` decides the reply.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson
import yaml

TLS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "tls"


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]

    @property
    def is_watch(self) -> bool:
        return self.query.get("watch") in ("1", "true")


@dataclass
class Answer:
    status: int = 200
    # bytes: sent with Content-Length. A list: sent chunked, one HTTP chunk per bytes
    # item; a float item sleeps that long (a stall); a callable is called (a hold).
    body: bytes | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False  # drop the connection instead of ending the chunked body


def json_answer(obj: object, status: int = 200, **headers: str) -> Answer:
    return Answer(status, orjson.dumps(obj), {"Content-Type": "application/json", **headers})


def watch_line(kind: str, obj: dict) -> bytes:
    return orjson.dumps({"type": kind, "object": obj}) + b"\n"


def pod(name: str, rv: str | int, ns: str = "default", uid: str | None = None, phase: str = "Running") -> dict:
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "uid": uid or f"uid-{name}", "resourceVersion": str(rv)},
        "status": {"phase": phase},
    }


def pod_list(items: list[dict], rv: str | int, cont: str = "") -> Answer:
    meta = {"resourceVersion": str(rv)}
    if cont:
        meta["continue"] = cont
    return json_answer({"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items})


class ScriptedServer:
    def __init__(self, handler: Callable[[Request], Answer] | None = None, *, tls: bool = False) -> None:
        self.handler = handler or (lambda request: Answer(404))
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                request = Request(parts.path, query, dict(self.headers))
                with outer._lock:
                    outer.requests.append(request)
                answer = outer.handler(request)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if isinstance(answer.body, bytes):
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.flush()
                try:
                    for part in answer.body:
                        if isinstance(part, (int, float)):
                            time.sleep(part)
                            continue
                        if callable(part):  # e.g. an Event's wait: hold the stream open
                            part()
                            continue
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        self.wfile.flush()
                    if answer.cut:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TLS_DIR / "server.crt", TLS_DIR / "server.key")
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def watches(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.is_watch]

    def lists(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if not r.is_watch]


def write_kubeconfig(path, server: str, *, token: str = "t0", context: str = "test", namespace: str | None = None, extra_contexts: tuple[str, ...] = ()) -> None:
    ctx = {"cluster": "c", "user": "u"}
    if namespace:
        ctx["namespace"] = namespace
    contexts = [{"name": context, "context": ctx}] + [{"name": n, "context": {"cluster": "c", "user": "u"}} for n in extra_contexts]
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": context,
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": {"token": token}}],
                "contexts": contexts,
            }
        )
    )
