"""Client-side helpers for the API server tests: plain HTTP calls and a raw watch reader
that decodes the chunked stream itself, so tests see exactly what went over the wire
(clean end vs. cut, malformed lines, chunk boundaries)."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest

TLS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "tls"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")

# Generous upper bounds for waiting on the server; never a speed assertion.
WAIT = 10.0


def pod(
    name: str,
    namespace: str = "default",
    *,
    labels: dict | None = None,
    annotations: dict | None = None,
    node: str = "",
    phase: str = "Pending",
    **extra,
) -> dict:
    obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
        "spec": {"containers": [{"name": "app", "image": "example/app:1"}]},
        "status": {"phase": phase},
    }
    if annotations:
        obj["metadata"]["annotations"] = dict(annotations)
    if node:
        obj["spec"]["nodeName"] = node
    obj.update(extra)
    return obj


def event(name: str, namespace: str = "default", *, pod_name: str = "p", reason: str = "Started", type_: str = "Normal", **extra) -> dict:
    obj = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": namespace, "fieldPath": "spec.containers{app}"},
        "reason": reason,
        "message": f"{reason} container app",
        "type": type_,
        "source": {"component": "kubelet", "host": "node-1"},
        "count": 1,
    }
    obj.update(extra)
    return obj


def client_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(TLS_DIR / "ca.crt"))


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> dict:
        return orjson.loads(self.body)


def request(url: str, path: str, *, method: str = "GET", accept: str = "application/json", token: str | None = None, body: bytes | None = None) -> Response:
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=WAIT, context=client_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT)
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


class WatchClosed(Exception):
    def __init__(self, clean: bool) -> None:
        super().__init__("watch ended cleanly" if clean else "watch connection cut")
        self.clean = clean


class RawWatch:
    """GET a watch URL over a raw socket and decode HTTP/1.1 chunked framing by hand."""

    def __init__(self, url: str, path: str, *, accept: str = "application/json", token: str | None = None, timeout: float = WAIT) -> None:
        parts = urlsplit(url)
        sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        if parts.scheme == "https":
            sock = client_context().wrap_socket(sock, server_hostname=parts.hostname)
        self.sock = sock
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nAccept: {accept}\r\n{auth}\r\n".encode())
        self._buf = b""
        self._payload = b""  # de-chunked bytes not yet split into lines
        self._ended = False
        status_line = self._read_line()
        self.status = int(status_line.split()[1])
        self.headers: dict[str, str] = {}
        while line := self._read_line():
            name, _, value = line.decode("latin-1").partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.chunked = self.headers.get("transfer-encoding") == "chunked"
        if not self.chunked:
            self.body = self._read_exact(int(self.headers.get("content-length", "0")))

    # -- socket level

    def _fill(self) -> None:
        data = self.sock.recv(1 << 16)
        if not data:
            raise WatchClosed(clean=self._ended)
        self._buf += data

    def _read_line(self) -> bytes:
        while b"\r\n" not in self._buf:
            self._fill()
        line, _, self._buf = self._buf.partition(b"\r\n")
        return line

    def _read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._fill()
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def _next_chunk(self) -> None:
        if self._ended:
            raise WatchClosed(clean=True)
        size = int(self._read_line().split(b";")[0], 16)
        if size == 0:
            self._read_line()
            self._ended = True
            raise WatchClosed(clean=True)
        self._payload += self._read_exact(size)
        if self._read_line() != b"":
            raise AssertionError("chunk not followed by CRLF")

    # -- event level

    def next_line(self, timeout: float = WAIT) -> bytes:
        self.sock.settimeout(timeout)
        while b"\n" not in self._payload:
            self._next_chunk()
        line, _, self._payload = self._payload.partition(b"\n")
        return line

    def next_event(self, timeout: float = WAIT) -> dict:
        return orjson.loads(self.next_line(timeout))

    def events(self, n: int, timeout: float = WAIT) -> list[dict]:
        return [self.next_event(timeout) for _ in range(n)]

    def until(self, predicate, timeout: float = WAIT, limit: int = 100_000) -> list[dict]:
        """Events up to and including the first that satisfies predicate."""
        out = []
        deadline = time.monotonic() + timeout
        for _ in range(limit):
            ev = self.next_event(max(deadline - time.monotonic(), 0.01))
            out.append(ev)
            if predicate(ev):
                return out
        raise AssertionError("predicate never satisfied")

    def end(self, timeout: float = WAIT) -> WatchClosed:
        """Read until the stream ends; return how it ended (events in between are dropped)."""
        try:
            while True:
                self.next_line(timeout)
        except WatchClosed as closed:
            return closed
        except (ConnectionResetError, BrokenPipeError):
            return WatchClosed(clean=False)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> RawWatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def names(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"].get("name", "")) for e in events]


def kubectl(server, tmp_path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run the real kubectl against `server` with a kubeconfig (and cache) of its own."""
    kc = tmp_path / "kubeconfig"
    if not kc.exists():
        server.write_kubeconfig(kc)
    env = dict(os.environ, KUBECONFIG=str(kc), HOME=str(tmp_path))
    return subprocess.run(
        [KUBECTL, "--cache-dir", str(tmp_path / "cache"), "--request-timeout", "10s", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
