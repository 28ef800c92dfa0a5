"""TLS, bearer tokens, kubeconfig, stop/restart, DELETE."""

from __future__ import annotations

import base64
import logging
import socket
import ssl
import threading

import pytest
import yaml
from apiserver_wire import RawWatch, WatchClosed, pod, request

from podtui.apiserver.server import APIServer


def test_tls_with_token(tls_server, storage):
    storage.create("pods", pod("a"))
    assert tls_server.url.startswith("https://127.0.0.1:")
    ok = request(tls_server.url, "/api/v1/pods", token="s3cret-token")
    assert ok.status == 200 and ok.json()["items"][0]["metadata"]["name"] == "a"


@pytest.mark.parametrize("token", [None, "wrong"])
def test_missing_or_wrong_token_is_401(tls_server, token):
    resp = request(tls_server.url, "/api/v1/pods", token=token)
    assert resp.status == 401
    assert resp.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_version_and_health_need_no_token(tls_server):
    assert request(tls_server.url, "/version").status == 200
    assert request(tls_server.url, "/readyz").status == 200


def test_tls_rejects_clients_that_do_not_trust_it(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")
    # ...and the server keeps serving others.
    assert request(tls_server.url, "/version").status == 200


def test_kubeconfig(tls_server, tmp_path, tls_files):
    path = tmp_path / "sub" / "config"
    tls_server.write_kubeconfig(path, context="ctx", namespace="shop")
    config = yaml.safe_load(path.read_text())
    assert path.stat().st_mode & 0o777 == 0o600
    assert config["current-context"] == "ctx"
    assert config["clusters"][0]["cluster"]["server"] == tls_server.url
    assert base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]) == tls_files.ca_pem()
    assert config["users"][0]["user"] == {"token": "s3cret-token"}
    assert config["contexts"][0]["context"] == {"cluster": "ctx", "user": "ctx", "namespace": "shop"}


def test_plain_kubeconfig_has_no_credentials(server, tmp_path):
    server.write_kubeconfig(tmp_path / "kc")
    config = yaml.safe_load((tmp_path / "kc").read_text())
    assert config["clusters"][0]["cluster"] == {"server": server.url}
    assert config["users"][0]["user"] == {}


def test_stop_closes_open_watches_and_returns(storage, clock):
    server = APIServer(storage, clock=clock).start()
    watches = [RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={storage.resource_version}") for _ in range(3)]
    idle = socket.create_connection(("127.0.0.1", server.port))  # a connection that never sends a request
    done = threading.Event()
    threading.Thread(target=lambda: (server.stop(), done.set()), daemon=True).start()
    assert done.wait(10), "stop() hung"
    for w in watches:
        assert isinstance(w.end(), WatchClosed)
        w.close()
    idle.settimeout(5)
    try:
        assert idle.recv(10) == b""  # closed, or reset if it was never accepted
    except ConnectionResetError:
        pass
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)
    server.stop()  # idempotent


def test_restart_keeps_port_and_storage(server, storage):
    storage.create("pods", pod("a"))
    port = server.port
    w = RawWatch(server.url, f"/api/v1/pods?watch=1&resourceVersion={storage.resource_version}")
    server.restart()
    assert not w.end().clean  # the old watch was cut
    w.close()
    assert server.port == port
    storage.create("pods", pod("b"))
    assert [p["metadata"]["name"] for p in request(server.url, "/api/v1/pods").json()["items"]] == ["a", "b"]


def test_delete_without_hook_deletes_now(server, storage):
    storage.create("pods", pod("a"))
    resp = request(server.url, "/api/v1/namespaces/default/pods/a", method="DELETE", body=b'{"propagationPolicy":"Background"}')
    assert resp.status == 200 and resp.json()["metadata"]["name"] == "a"
    assert storage.get("pods", "default", "a") is None
    assert request(server.url, "/api/v1/namespaces/default/pods/a", method="DELETE").status == 404


def test_delete_hook_decides(server, storage, clock):
    storage.create("pods", pod("a"))
    calls = []

    def graceful(resource, namespace, name, options):
        calls.append((resource, namespace, name, options))
        obj = dict(storage.get(resource, namespace, name))
        obj["metadata"] = dict(obj["metadata"], deletionTimestamp="2024-05-01T10:00:30Z", deletionGracePeriodSeconds=30)
        return storage.update(resource, obj)

    server.on_delete = graceful
    resp = request(server.url, "/api/v1/namespaces/default/pods/a?gracePeriodSeconds=30", method="DELETE", body=b'{"propagationPolicy":"Background"}')
    assert resp.json()["metadata"]["deletionTimestamp"] == "2024-05-01T10:00:30Z"
    assert calls == [("pods", "default", "a", {"propagationPolicy": "Background", "gracePeriodSeconds": 30})]
    assert storage.get("pods", "default", "a") is not None
    server.on_delete = lambda *args: None  # None: answer with what storage holds now
    assert request(server.url, "/api/v1/namespaces/default/pods/a", method="DELETE").json()["metadata"]["name"] == "a"
    bad = request(server.url, "/api/v1/namespaces/default/pods/a", method="DELETE", body=b"{nope")
    assert bad.status == 400


@pytest.mark.parametrize("framing", [b"Content-Length: abc", b"Content-Length: -5", b"Content-Length: 1_0",
                                     b"Transfer-Encoding: chunked"])
def test_a_body_that_cannot_be_framed_is_answered_400(server, storage, framing):
    storage.create("pods", pod("a"))
    host, port = server.url.removeprefix("http://").split(":")
    body = b"zz\r\n{}\r\n0\r\n\r\n" if b"chunked" in framing else b"{}"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"DELETE /api/v1/namespaces/default/pods/a HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n\r\n" + body)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400") and b"malformed request body" in answer
    assert storage.get("pods", "default", "a") is not None


def test_a_crashing_hook_is_a_500_not_a_dead_server(server, storage):
    storage.create("pods", pod("a"))
    server.on_delete = lambda *args: 1 / 0
    resp = request(server.url, "/api/v1/namespaces/default/pods/a", method="DELETE")
    assert resp.status == 500 and resp.json()["reason"] == "InternalError"
    assert request(server.url, "/api/v1/pods").status == 200


def test_a_500_logs_its_traceback(server, storage, caplog):
    # The client's one line ("Internal error occurred: ...") is all it ever sees; the
    # server must keep the traceback, or the next such bug cannot be diagnosed.
    storage.create("pods", pod("a"))

    def crash(*args):
        raise KeyError("the-missing-key")

    server.on_delete = crash
    with caplog.at_level(logging.ERROR, logger="podtui.apiserver"):
        resp = request(server.url, "/api/v1/namespaces/default/pods/a", method="DELETE")
    assert resp.status == 500
    [record] = caplog.records
    assert "DELETE /api/v1/namespaces/default/pods/a" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert "in crash" in caplog.text  # the traceback reaches the frame that raised


def test_a_bug_mid_watch_cuts_the_stream_not_a_500_inside_it(server, storage, caplog):
    storage.create("pods", pod("a"))
    real = storage.events_since

    def crash(rv, max_events=1024):
        if storage.resource_version > rv:
            raise RuntimeError("boom")
        return real(rv, max_events)

    storage.events_since = crash
    with caplog.at_level(logging.ERROR, logger="podtui.apiserver"), RawWatch(server.url, "/api/v1/pods?watch=1&resourceVersion=0") as w:
        assert w.next_event()["object"]["metadata"]["name"] == "a"
        storage.create("pods", pod("b"))
        # The headers said 200 and chunked: an HTTP 500 written now would be garbage
        # inside the body. The stream is cut, as a real server's aborted watch is.
        assert w.end().clean is False
    assert [r.exc_info[0] for r in caplog.records] == [RuntimeError]


def test_health_endpoints_and_their_checks(tls_server):
    for endpoint in ("healthz", "livez", "readyz"):
        for check in ("", "/ping", "/log"):
            resp = request(tls_server.url, f"/{endpoint}{check}")  # no token needed, as on a real cluster
            assert (resp.status, resp.body) == (200, b"ok")
        verbose = request(tls_server.url, f"/{endpoint}?verbose")
        assert verbose.body.decode() == f"[+]ping ok\n[+]log ok\n{endpoint} check passed\n"
    assert request(tls_server.url, "/readyz/etcd", token="s3cret-token").status == 404  # no etcd check here


@pytest.mark.parametrize("how", ["?dryRun=All", "body"])
def test_a_dry_run_delete_changes_nothing_and_shows_the_graceful_delete_it_would_do(server, storage, how):
    storage.create("pods", pod("run", node="n1", phase="Running", spec={"nodeName": "n1", "containers": [], "terminationGracePeriodSeconds": 45}))
    storage.create("pods", pod("pending"))
    calls = []
    server.on_delete = lambda *args: calls.append(args)
    body = b'{"dryRun":["All"]}' if how == "body" else None
    query = "?dryRun=All" if how != "body" else ""
    rv = storage.resource_version
    running = request(server.url, f"/api/v1/namespaces/default/pods/run{query}", method="DELETE", body=body).json()
    pending = request(server.url, f"/api/v1/namespaces/default/pods/pending{query}", method="DELETE", body=body).json()
    assert storage.resource_version == rv and calls == []  # nothing stored, the hook never asked
    assert running["metadata"]["deletionTimestamp"] == "2024-05-01T10:00:45Z"  # now + the spec's grace
    assert running["metadata"]["deletionGracePeriodSeconds"] == 45
    assert "deletionTimestamp" not in pending["metadata"]  # never scheduled: would go at once


def test_dry_run_takes_only_all(server, storage):
    storage.create("pods", pod("a"))
    resp = request(server.url, "/api/v1/namespaces/default/pods/a?dryRun=Some", method="DELETE")
    assert resp.status == 422
    assert resp.json()["message"] == 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"'
    assert storage.get("pods", "default", "a") is not None


def test_any_method_is_answered_with_a_status_not_html(server, storage):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("HEAD", "/api/v1/pods")
        head = conn.getresponse()
        assert head.status == 405 and head.read() == b""  # no body on HEAD, however long the Status
        conn.request("GET", "/api/v1/pods")  # the same connection still frames right
        assert conn.getresponse().read().startswith(b'{"kind":"PodList"')
    finally:
        conn.close()
    for method in ("OPTIONS", "FOO"):
        resp = request(server.url, "/api/v1/pods", method=method)
        assert resp.status == 405 and resp.json()["reason"] == "MethodNotAllowed", method
    assert request(server.url, "/version", method="POST").status == 405
    assert request(server.url, "/api", method="DELETE").status == 405
    assert request(server.url, "/healthz", method="POST").status == 200  # a plain handler upstream: any method
