"""An https:// server URL pointing at a plain-HTTP port: said as kubectl says it, not
blamed on the certificate-authority."""

from __future__ import annotations

from scripted_server import ScriptedServer, pod_list, write_kubeconfig

import pytest

from podtui.clock import ManualClock
from podtui.errors import ConnectError
from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection, transport_reason
from podtui.sources.live import LiveSource


@pytest.fixture
def plain_http_server():
    server = ScriptedServer(lambda r: pod_list([], 1)).start()  # no tls
    yield server
    server.stop()


def _https_source(tmp_path, server: ScriptedServer) -> tuple[LiveSource, str]:
    url = server.url.replace("http://", "https://")
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, url)
    conn = resolve_connection(ConnectionOptions(kubeconfig=str(cfg), request_timeout=5), {})
    return LiveSource(conn, clock=ManualClock(1000.0)), url


def test_a_plain_http_answer_to_https_says_so_not_the_ca(tmp_path, plain_http_server):
    # It read "TLS handshake ... failed: TLS error: WRONG_VERSION_NUMBER (check the
    # cluster's certificate-authority in the kubeconfig)".
    source, url = _https_source(tmp_path, plain_http_server)
    with pytest.raises(ConnectError) as err:
        source.preflight()
    assert str(err.value) == (f"the server at {url} answered in plain HTTP, not TLS: "
                              "check http:// vs https:// in the kubeconfig's server URL")


def test_the_retry_reason_says_plain_http_too(tmp_path, plain_http_server):
    # What the status bar shows when it happens while watching.
    import urllib3

    source, url = _https_source(tmp_path, plain_http_server)
    with pytest.raises(urllib3.exceptions.HTTPError) as err:
        source.connection.pool.request("GET", f"{url}/api", retries=False, timeout=5)
    assert transport_reason(err.value) == "the server answered in plain HTTP, not TLS"
