"""Choosing and loading the config like kubectl, and the one-line errors when we can't."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys

import pytest
import urllib3
import yaml
from scripted_server import TLS_DIR, Answer, ScriptedServer, json_answer, pod_list, write_kubeconfig

from podtui.clock import ManualClock
from podtui.errors import ConfigError, ConnectError, UsageError
from podtui.sources.kubeconfig import ConnectionOptions, parse_request_timeout, resolve_connection
from podtui.sources.live import LiveSource


def opts(**kw) -> ConnectionOptions:
    return ConnectionOptions(**kw)


def test_no_kubeconfig_anywhere_names_where_it_looked(tmp_path):
    env = {"KUBECONFIG": f"{tmp_path}/a:{tmp_path}/b"}
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(), env, service_account_dir=str(tmp_path / "sa"))
    msg = str(err.value)
    assert msg.startswith("no kubeconfig found (looked at $KUBECONFIG:")
    assert f"{tmp_path}/a, {tmp_path}/b" in msg
    assert msg.endswith("set --kubeconfig or KUBECONFIG")
    assert "\n" not in msg


def test_a_kubeconfig_variable_of_separators_only_says_so(tmp_path):
    # It read "(looked at $KUBECONFIG: ): ...".
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(), {"KUBECONFIG": "::"}, service_account_dir=str(tmp_path / "sa"))
    assert str(err.value) == "no kubeconfig found (looked at $KUBECONFIG: no file, only '::'): set --kubeconfig or KUBECONFIG"


def test_default_location_is_home_kube_config(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ConfigError, match=r"looked at ~/.kube/config: .*\.kube/config\)"):
        resolve_connection(opts(), {}, service_account_dir=str(tmp_path / "sa"))
    (tmp_path / ".kube").mkdir()
    write_kubeconfig(tmp_path / ".kube" / "config", "https://10.0.0.1:6443")
    assert resolve_connection(opts(), {}).server == "https://10.0.0.1:6443"


def test_explicit_kubeconfig_missing(tmp_path):
    with pytest.raises(ConfigError, match=r"kubeconfig .*/nope not found \(--kubeconfig\): check the path"):
        resolve_connection(opts(kubeconfig=str(tmp_path / "nope")), {})


def test_unknown_context_lists_the_available_ones(tmp_path):
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443", context="prod", extra_contexts=("staging", "dev"))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg), context="qa"), {})
    assert str(err.value) == f'context "qa" not found in kubeconfig {cfg} (available: dev, prod, staging): check --context'


def test_kubeconfig_paths_merge_first_wins(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    write_kubeconfig(first, "https://first:6443", context="a")
    write_kubeconfig(second, "https://second:6443", context="b", namespace="team-b")
    # Cluster "c" and user "u" come from the first file (first wins), context "b" from the second.
    env = {"KUBECONFIG": f"{first}:{tmp_path}/missing:{second}"}
    conn = resolve_connection(opts(), env)
    assert conn.scope.context == "b"  # the last file's current-context is the merged one
    assert conn.server == "https://first:6443"
    assert conn.scope.namespace == "team-b"
    assert resolve_connection(opts(context="a"), env).scope.namespace == "default"


def test_namespace_flags(tmp_path):
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443", namespace="payments")
    assert resolve_connection(opts(kubeconfig=str(cfg)), {}).scope.namespace == "payments"
    assert resolve_connection(opts(kubeconfig=str(cfg), namespace="web"), {}).scope.namespace == "web"
    assert resolve_connection(opts(kubeconfig=str(cfg), namespace="web", all_namespaces=True), {}).scope.namespace is None
    scope = resolve_connection(opts(kubeconfig=str(cfg), label_selector="app=x", field_selector="spec.nodeName=n1"), {}).scope
    assert (scope.label_selector, scope.field_selector, scope.server) == ("app=x", "spec.nodeName=n1", "https://10.0.0.1:6443")


def test_malformed_kubeconfig_is_one_line(tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text("apiVersion: v1\nclusters: [\n  - name: x\n contexts: {\n")
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value).startswith("kubeconfig is not valid YAML at line ")
    assert "\n" not in str(err.value)


def test_no_current_context(tmp_path):
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443", context="only")
    data = yaml.safe_load(cfg.read_text())
    del data["current-context"]
    cfg.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"has no current-context \(available: only\): pass --context"):
        resolve_connection(opts(kubeconfig=str(cfg)), {})


def test_no_contexts_at_all_says_so_not_pass_context(tmp_path):
    # Before: "has no current-context (available: none): pass --context", with none to pass.
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443", context="only")
    data = yaml.safe_load(cfg.read_text())
    del data["current-context"]
    data["contexts"] = []
    cfg.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f"kubeconfig {cfg} has no contexts: add one (kubectl config set-context NAME "
                              "--cluster CLUSTER --user USER) or point --kubeconfig at a working file")


def test_in_cluster_service_account(tmp_path):
    sa = tmp_path / "sa"
    sa.mkdir()
    (sa / "token").write_text("sa-token\n")
    (sa / "ca.crt").write_text((TLS_DIR / "ca.crt").read_text())
    (sa / "namespace").write_text("monitoring")
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "KUBECONFIG": str(tmp_path / "none")}
    conn = resolve_connection(opts(), env, service_account_dir=str(sa))
    assert conn.server == "https://10.96.0.1:443"
    assert conn.scope.context == "in-cluster"
    assert conn.scope.namespace == "monitoring"
    assert conn.headers()["Authorization"] == "bearer sa-token"
    assert resolve_connection(opts(all_namespaces=True), env, service_account_dir=str(sa)).scope.namespace is None


def _exec_kubeconfig(tmp_path, command: str):
    cfg = tmp_path / "config"
    cfg.write_text(
        yaml.safe_dump(
            {
                "current-context": "x",
                "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "e"}}],
                "users": [
                    {
                        "name": "e",
                        "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": command, "interactiveMode": "Never"}},
                    }
                ],
            }
        )
    )
    return cfg


def _plugin(tmp_path, body: str) -> str:
    plugin = tmp_path / "get-token"
    plugin.write_text(f"#!{sys.executable}\n" + body)
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    return str(plugin)


def test_exec_plugin_token_through_the_official_loader(tmp_path):
    plugin = _plugin(
        tmp_path,
        "import json\n"
        'print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",'
        ' "status": {"token": "from-exec"}}))\n',
    )
    conn = resolve_connection(opts(kubeconfig=str(_exec_kubeconfig(tmp_path, plugin))), {})
    assert conn.headers()["Authorization"] == "Bearer from-exec"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (None, "command not found: install it or fix the user's exec command"),
        ("import sys\nprint('error: you must log in', file=sys.stderr)\nsys.exit(3)\n", "exec: process returned 3. error: you must log in"),
        ("print('not json {')\n", "exec: failed to decode process output"),
        ('print(\'{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {}}\')\n',
         "gave neither a token nor clientCertificateData and clientKeyData"),
        # A token that is a number was sent as "Bearer 5"; a bad expiry blamed the context
        # ("is incomplete (Invalid RFC3339 datetime ...): check its cluster and user entries").
        ('print(\'{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": 5}}\')\n',
         "printed a token that is not a string: update or fix the plugin"),
        ('print(\'{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", '
         '"status": {"token": "t", "expirationTimestamp": "soon"}}\')\n',
         "printed an expirationTimestamp that is not an RFC 3339 time ('soon'): update or fix the plugin"),
    ],
    ids=["missing", "exit-3", "not-json", "no-token", "numeric-token", "bad-expiry"],
)
def test_a_failing_exec_plugin_is_named_not_a_401_later(tmp_path, caplog, body, why):
    # The official loader only logs these (an "ERROR:root:" line on the terminal)
    # and carries on without credentials: the user then saw a 401 blaming the server.
    plugin = str(tmp_path / "no-such-plugin") if body is None else _plugin(tmp_path, body)
    cfg = _exec_kubeconfig(tmp_path, plugin)
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    msg = str(err.value)
    assert msg.startswith(f'cannot load context "x" from {cfg}: exec plugin "{plugin}"')
    assert why in msg
    assert "\n" not in msg
    assert not caplog.records


class _Terminal:
    """A stdout that is a terminal, as when podtui runs in one."""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("mode, at_start", [("IfAvailable", True), ("Never", False)])
def test_an_exec_plugin_gets_the_terminal_only_before_the_screen_opens(tmp_path, monkeypatch, capfd, mode, at_start):
    # The plugin tells in its token whether it was run interactively, and writes to stderr.
    plugin = _plugin(
        tmp_path,
        "import json, os, sys\n"
        "interactive = json.loads(os.environ['KUBERNETES_EXEC_INFO'])['spec']['interactive']\n"
        "print('plugin-noise', file=sys.stderr)\n"
        'print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",'
        ' "status": {"token": f"interactive-{interactive}"}}))\n',
    )
    (tmp_path / "expiring").mkdir()
    expiring = _plugin(
        tmp_path / "expiring",
        "import json, os, sys\n"
        "interactive = json.loads(os.environ['KUBERNETES_EXEC_INFO'])['spec']['interactive']\n"
        "print('plugin-noise', file=sys.stderr)\n"
        'print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",'
        ' "status": {"token": f"interactive-{interactive}", "expirationTimestamp": "2000-01-01T00:00:00Z"}}))\n',
    )
    cfg = yaml.safe_load(_exec_kubeconfig(tmp_path, plugin).read_text())
    cfg["users"][0]["user"]["exec"]["interactiveMode"] = mode
    (tmp_path / "config").write_text(yaml.safe_dump(cfg))
    monkeypatch.setattr(sys, "stdout", _Terminal())
    with open(os.devnull) as keyboard:  # pytest's stdin has no file descriptor to hand on
        monkeypatch.setattr(sys, "stdin", keyboard)
        conn = resolve_connection(opts(kubeconfig=str(tmp_path / "config")), {})
        assert conn.headers()["Authorization"] == f"Bearer interactive-{at_start}"
        capfd.readouterr()
        conn.reload()  # mid-session (after a 401): podtui's screen is on the terminal
        assert conn.headers()["Authorization"] == "Bearer interactive-False"
        assert "plugin-noise" not in capfd.readouterr().err
        # An expired token is refreshed by the client's hook on the loader of the start.
        cfg["users"][0]["user"]["exec"]["command"] = expiring
        (tmp_path / "config").write_text(yaml.safe_dump(cfg))
        conn = resolve_connection(opts(kubeconfig=str(tmp_path / "config")), {})
        capfd.readouterr()
        assert conn.headers()["Authorization"] == "Bearer interactive-False"
        assert "plugin-noise" not in capfd.readouterr().err


def test_client_certificate_files_are_passed_to_tls(tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text(
        yaml.safe_dump(
            {
                "current-context": "x",
                "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443", "certificate-authority": str(TLS_DIR / "ca.crt")}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "cert"}}],
                "users": [{"name": "cert", "user": {"client-certificate": str(TLS_DIR / "server.crt"), "client-key": str(TLS_DIR / "server.key")}}],
            }
        )
    )
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert conn.configuration.cert_file == str(TLS_DIR / "server.crt")
    assert conn.configuration.key_file == str(TLS_DIR / "server.key")
    assert conn.configuration.ssl_ca_cert == str(TLS_DIR / "ca.crt")
    assert "Authorization" not in conn.headers()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(None, None), ("0", None), ("30", 30.0), ("30s", 30.0), ("1m", 60.0), ("1m30s", 90.0), ("500ms", 0.5)],
)
def test_request_timeout_like_kubectl(text, seconds):
    assert parse_request_timeout(text) == seconds


def test_request_timeout_rejects_nonsense():
    with pytest.raises(UsageError, match="invalid --request-timeout 'soon'"):
        parse_request_timeout("soon")


@pytest.mark.parametrize("text", ["nan", "inf", "1e300", "2562048h"])
def test_request_timeout_rejects_what_no_socket_can_wait(text):
    # Each crashed the first connect with an OverflowError or ValueError; kubectl
    # refuses them too.
    with pytest.raises(UsageError, match="invalid --request-timeout"):
        parse_request_timeout(text)
    assert parse_request_timeout("2562047h") == 2562047 * 3600


# --------------------------------------------------------------- startup errors (preflight)


def _source(tmp_path, server_url: str, **kw) -> LiveSource:
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, server_url, namespace=kw.pop("namespace", None))
    conn = resolve_connection(opts(kubeconfig=str(cfg), all_namespaces=kw.pop("all_namespaces", False), request_timeout=5), {})
    return LiveSource(conn, clock=ManualClock(1000.0), **kw)


def test_unreachable_server_names_the_url(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = _source(tmp_path, f"https://127.0.0.1:{port}")
    with pytest.raises(ConnectError) as err:
        source.preflight()
    assert str(err.value) == f"cannot reach the API server at https://127.0.0.1:{port}: connection refused (is the cluster up? check --context)"


def test_tls_failure_is_explained(tmp_path):
    server = ScriptedServer(lambda r: pod_list([], 1), tls=True).start()
    try:
        source = _source(tmp_path, server.url)  # no certificate-authority: the test CA is unknown
        with pytest.raises(ConnectError) as err:
            source.preflight()
        msg = str(err.value)
        assert msg.startswith(f"TLS handshake with the API server at {server.url} failed: TLS certificate verify failed:")
        assert msg.endswith("(check the cluster's certificate-authority in the kubeconfig)")
    finally:
        server.stop()


def test_tls_with_the_right_ca_connects(tmp_path):
    server = ScriptedServer(lambda r: pod_list([], 1) if not r.is_watch else Answer(body=[]), tls=True).start()
    try:
        cfg = tmp_path / "config"
        write_kubeconfig(cfg, server.url)
        data = yaml.safe_load(cfg.read_text())
        data["clusters"][0]["cluster"]["certificate-authority"] = str(TLS_DIR / "ca.crt")
        cfg.write_text(yaml.safe_dump(data))
        source = LiveSource(resolve_connection(opts(kubeconfig=str(cfg)), {}), clock=ManualClock(0))
        source.preflight()
        assert [r.path for r in server.requests] == ["/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/events"]
    finally:
        server.stop()


def _status(code: int, reason: str, message: str) -> Answer:
    return json_answer({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": reason, "code": code}, code)


def test_401_at_startup(tmp_path):
    server = ScriptedServer(lambda r: _status(401, "Unauthorized", "Unauthorized")).start()
    try:
        with pytest.raises(ConnectError) as err:
            _source(tmp_path, server.url).preflight()
        assert str(err.value) == (
            f'the API server at {server.url} rejected the credentials (401 Unauthorized) for user "u" of context "test": '
            "log in again or check the kubeconfig's user entry"
        )
        assert server.requests[0].headers["Authorization"] == "Bearer t0"
    finally:
        server.stop()


def test_401_for_a_user_the_kubeconfig_does_not_define_says_so(tmp_path):
    # kubectl, like us, goes on without credentials; "rejected the credentials ...
    # log in again" sent the user after credentials that were never there.
    server = ScriptedServer(lambda r: _status(401, "Unauthorized", "Unauthorized")).start()
    try:
        cfg = tmp_path / "config"
        write_kubeconfig(cfg, server.url)
        config = yaml.safe_load(cfg.read_text())
        config["contexts"][0]["context"]["user"] = "nobody"
        cfg.write_text(yaml.safe_dump(config))
        source = LiveSource(resolve_connection(opts(kubeconfig=str(cfg)), {}), clock=ManualClock(0))
        with pytest.raises(ConnectError) as err:
            source.preflight()
        assert str(err.value) == (
            f'the API server at {server.url} wants credentials (401 Unauthorized), but context "test" names user "nobody", '
            "which the kubeconfig does not define: add it to users or fix the context"
        )
        assert "Authorization" not in server.requests[0].headers
    finally:
        server.stop()


def test_403_on_cluster_wide_watch_suggests_a_namespace(tmp_path):
    forbidden = 'pods is forbidden: User "jane" cannot watch resource "pods" in API group "" at the cluster scope'

    def handler(r):
        if r.is_watch:
            return _status(403, "Forbidden", forbidden)
        return pod_list([], 7)

    server = ScriptedServer(handler).start()
    try:
        with pytest.raises(ConnectError) as err:
            _source(tmp_path, server.url, all_namespaces=True).preflight()
        assert str(err.value) == 'pods is forbidden at the cluster scope for user "jane" (watch pods): try -n NAMESPACE'
        assert server.watches()[0].query["resourceVersion"] == "7"
    finally:
        server.stop()


def test_403_in_a_namespace(tmp_path):
    server = ScriptedServer(lambda r: _status(403, "Forbidden", 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"')).start()
    try:
        with pytest.raises(ConnectError) as err:
            _source(tmp_path, server.url, namespace="kube-system").preflight()
        assert str(err.value) == 'pods is forbidden in namespace "kube-system" for user "jane" (list pods): ask for access or try another -n NAMESPACE'
    finally:
        server.stop()


def test_forbidden_events_are_dropped_not_fatal(tmp_path):
    def handler(r):
        if r.path.endswith("/events"):
            return _status(403, "Forbidden", 'events is forbidden: User "jane" cannot list resource "events" in API group "" in the namespace "default"')
        return pod_list([], 3) if not r.is_watch else Answer(body=[])

    server = ScriptedServer(handler).start()
    try:
        source = _source(tmp_path, server.url)
        source.preflight()
        assert [r.resource for r in source.reflectors] == ["pods"]
        (status,) = source.poll()
        assert status.state == "failed" and status.resource == "events"
        assert status.detail.startswith('events not shown: events is forbidden in namespace "default" for user "jane" (list events)')
    finally:
        server.stop()


LOGIN = b"<!DOCTYPE html>\n<html><head><title>Corporate Proxy &amp; Login</title></head><body>" + b"x" * 2000 + b"</body></html>"


@pytest.mark.parametrize(("answer", "message"), [
    # Each used to end in the page's markup, or in nothing ("answered 302 to list pods: ").
    (Answer(200, LOGIN, {"Content-Type": "text/html"}),
     'the server at {URL} answered a pods list with an HTML page ("Corporate Proxy & Login"), not JSON: '
     "is it a Kubernetes API server, or a login page or proxy in its way? check --context and any proxy"),
    (Answer(500, LOGIN, {"Content-Type": "text/html"}),
     'the API server at {URL} answered 500 to list pods: an HTML page ("Corporate Proxy & Login") '
     "(is a proxy or a login page in the way? check the server URL and any proxy)"),
    (Answer(502, b"Bad Gateway\n", {"Content-Type": "text/plain"}),
     "the API server at {URL} answered 502 to list pods: Bad Gateway (the API server is failing; try again, or check the cluster's health)"),
    (Answer(407, LOGIN, {"Content-Type": "text/html"}),
     'the API server at {URL} answered 407 to list pods: an HTML page ("Corporate Proxy & Login") '
     "(a proxy wants credentials: put them in the proxy URL, as http://USER:PASSWORD@HOST:PORT)"),
    (Answer(302, b"", {"Location": "https://login.example/"}),
     "the API server at {URL} answered 302 to list pods: redirected to https://login.example/ "
     "(is a login page or proxy in the way? check the server URL)"),
    (json_answer({"hello": "world"}),
     "the server at {URL} answered a pods list with JSON that is not a list (no items): is it a Kubernetes API server? check --context"),
    # Before: "has no pods API (404 an HTML page ("Error response"))".
    (Answer(404, b"<html><head><title>Error response</title></head></html>", {"Content-Type": "text/html"}),
     'the server at {URL} has no pods API (404, and the reply is an HTML page: "Error response"): '
     "is it a Kubernetes API server? check --context"),
    (Answer(404, b"404 page not found\n", {"Content-Type": "text/plain"}),
     "the server at {URL} has no pods API (404: 404 page not found): is it a Kubernetes API server? check --context"),
], ids=["html-200", "html-500", "text-502", "html-407", "redirect", "json-not-a-list", "html-404", "text-404"])
def test_what_is_not_an_api_answer_is_said_in_one_line(tmp_path, answer, message):
    server = ScriptedServer(lambda r: answer).start()
    try:
        with pytest.raises(ConnectError) as err:
            _source(tmp_path, server.url).preflight()
        assert str(err.value) == message.replace("{URL}", server.url)
    finally:
        server.stop()


def test_not_an_api_server(tmp_path):
    server = ScriptedServer(lambda r: Answer(200, b"<html>hello</html>", {"Content-Type": "text/html"})).start()
    try:
        with pytest.raises(ConnectError, match=r"answered a pods list with an HTML page, not JSON: is it a Kubernetes API server, "
                                               r"or a login page or proxy in its way\? check --context and any proxy$"):
            _source(tmp_path, server.url).preflight()
    finally:
        server.stop()


def test_environment_is_not_consulted_when_given(tmp_path, monkeypatch):
    # resolve_connection(environ=...) must not fall back to the process environment.
    monkeypatch.setenv("KUBECONFIG", os.devnull)
    with pytest.raises(ConfigError, match="no kubeconfig found"):
        resolve_connection(opts(), {"KUBECONFIG": str(tmp_path / "x")}, service_account_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("server", "why"),
    [
        ("https://[bad", "Failed to parse"),
        ("https://10.0.0.1:notaport", "is not a valid host or port"),
        ("https://10.0.0.1:6443 ", "contains invalid character"),
        ("ftp://10.0.0.1:6443", "scheme ftp: use https:// or http://"),
        # kubectl: 'host must be a URL or a host:port pair'; it went to http://10.0.0.1:6443/foo.
        ("10.0.0.1:6443/foo", "a path but no scheme: kubectl takes a URL or a host:port pair"),
    ],
)
def test_a_server_url_kubectl_would_refuse_is_named(tmp_path, server, why):
    # These used to surface as "cannot reach the API server ... is the cluster up?"
    # or "context is incomplete (Invalid IPv6 URL)".
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, server)
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    msg = str(err.value)
    assert msg.startswith(f'cluster "c" in {cfg} has server "{server}", which is not a usable URL (')
    assert why in msg and msg.endswith("fix it, e.g. https://HOST:6443")


def test_a_server_without_a_scheme_is_http_as_kubectl_reads_it(tmp_path, recwarn):
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "10.0.0.1:6443")
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert conn.server == "http://10.0.0.1:6443"
    conn.headers()  # the client's token refresh hook sets the host again
    assert conn.server == "http://10.0.0.1:6443"


def test_a_scheme_less_server_on_a_tls_port_suggests_https(tmp_path):
    server = ScriptedServer(lambda r: pod_list([], 1), tls=True).start()
    try:
        host = server.url.removeprefix("https://")
        source = _source(tmp_path, host)
        with pytest.raises(ConnectError) as err:
            source.preflight()
        msg = str(err.value)
        assert msg.startswith(f"cannot reach the API server at http://{host}: ")
        assert msg.endswith("(is it an https server? the kubeconfig's server URL says http)")
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("proxy", "why"),
    [
        ("ftp://proxy:21", "is not an http, https or socks5 URL: use http://HOST:PORT"),
        ("proxy.corp:3128", "is not an http, https or socks5 URL: use http://HOST:PORT"),
        ("http://[bad", "is not a valid URL (Failed to parse"),
        ("socks5://proxy:1080", "is a SOCKS proxy, which needs the PySocks package: pip install pysocks, or use an http:// proxy"),
    ],
)
def test_a_proxy_url_urllib3_cannot_use_is_named(tmp_path, monkeypatch, proxy, why):
    # urllib3 raised these (ProxySchemeUnknown, ImportError of socks) only when the
    # pool was made: an internal error with a crash log.
    monkeypatch.setitem(sys.modules, "socks", None)  # PySocks absent, whatever is installed
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    config["clusters"][0]["cluster"]["proxy-url"] = proxy
    cfg.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    msg = str(err.value)
    assert msg.startswith(f'proxy-url "{proxy}" of cluster "c" in {cfg} ')
    assert why in msg


def _free_port() -> int:
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_proxy_url_is_named_not_blamed_on_the_cluster(tmp_path, proxy_env):
    # It read "cannot reach the API server at ...: connection refused (is the cluster
    # up? check --context)": the cluster was never asked. (kubectl says "The connection
    # to the server ... was refused".) The server's name is never looked up: the proxy
    # would have done that.
    proxy = f"http://127.0.0.1:{_free_port()}"
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://cluster.example:6443")
    config = yaml.safe_load(cfg.read_text())
    config["clusters"][0]["cluster"]["proxy-url"] = proxy
    cfg.write_text(yaml.safe_dump(config))
    source = LiveSource(resolve_connection(opts(kubeconfig=str(cfg), request_timeout=5), {}), clock=ManualClock(1000.0))
    with pytest.raises(ConnectError) as err:
        source.preflight()
    assert str(err.value) == (f"cannot reach the proxy {proxy} on the way to the API server at https://cluster.example:6443: "
                              f'connection refused (is the proxy running? check proxy-url of cluster "c" in {cfg})')


def test_a_dead_proxy_from_the_environment_is_named(tmp_path, proxy_env):
    port = _free_port()
    proxy_env.setenv("HTTPS_PROXY", f"127.0.0.1:{port}")
    source = _source(tmp_path, "https://cluster.example:6443")
    with pytest.raises(ConnectError) as err:
        source.preflight()
    assert str(err.value) == (f"cannot reach the proxy http://127.0.0.1:{port} on the way to the API server at "
                              "https://cluster.example:6443: connection refused (is the proxy running? check HTTPS_PROXY in the environment)")


def test_a_proxy_that_refuses_the_tunnel_says_so(tmp_path, proxy_env):
    # A proxy that is up but answers CONNECT with an error: not "is the proxy running?".
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def answer():
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")

    import threading
    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    proxy_env.setenv("HTTPS_PROXY", proxy)
    source = _source(tmp_path, "https://cluster.example:6443")
    try:
        with pytest.raises(ConnectError) as err:
            source.preflight()
    finally:
        thread.join(5)
        listener.close()
    assert str(err.value) == (f"the proxy {proxy} would not connect to the API server at https://cluster.example:6443 "
                              "(407 Proxy Authentication Required): is the cluster up? check the proxy allows it, "
                              "or fix HTTPS_PROXY in the environment")


@pytest.fixture
def proxy_env(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_proxy_from_the_environment_reads_as_kubectl_reads_it(tmp_path, proxy_env):
    proxy_env.setenv("HTTPS_PROXY", "proxy.corp:3128")  # Go takes a bare host:port as http://
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert conn.configuration.proxy == "http://proxy.corp:3128"
    assert conn.pool.proxy.host == "proxy.corp"


@pytest.mark.parametrize("server", ["https://127.0.0.1:6443", "https://localhost:6443", "https://[::1]:6443", "http://127.0.0.2:8080"])
def test_a_server_on_this_machine_is_not_sent_to_the_environment_proxy(tmp_path, proxy_env, server):
    # As in kubectl; `podtui demo` behind a corporate HTTPS_PROXY was refused by the proxy.
    proxy_env.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    proxy_env.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, server)
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert conn.configuration.proxy is None
    assert getattr(conn.pool, "proxy", None) is None


@pytest.mark.parametrize(("variables", "proxy"), [
    ({"ALL_PROXY": "http://all.corp:3128"}, None),  # Go reads no ALL_PROXY: kubectl goes direct
    ({"all_proxy": "socks5://all.corp:1080"}, None),
    ({"ALL_PROXY": "http://all.corp:3128", "HTTPS_PROXY": "http://https.corp:3128"}, "http://https.corp:3128"),
])
def test_all_proxy_is_not_a_proxy_as_in_kubectl(tmp_path, proxy_env, variables, proxy):
    for name, value in variables.items():
        proxy_env.setenv(name, value)
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert conn.configuration.proxy == proxy


@pytest.mark.parametrize("no_proxy", ["10.0.0.1", "10.0.0.0/8", ".corp.example", "*"])
def test_a_server_no_proxy_names_goes_direct_whatever_the_proxy(tmp_path, proxy_env, no_proxy):
    # kubectl never looks at a proxy NO_PROXY bypasses; a SOCKS one without PySocks
    # stopped podtui with "needs the PySocks package".
    proxy_env.setitem(sys.modules, "socks", None)
    proxy_env.setenv("HTTPS_PROXY", "socks5://proxy.corp.example:1080")
    proxy_env.setenv("NO_PROXY", no_proxy)
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443" if "corp" not in no_proxy else "https://api.corp.example:6443")
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert getattr(conn.pool, "proxy", None) is None


@pytest.mark.parametrize(
    ("section", "field", "where"),
    [("clusters", "certificate-authority-data", 'cluster "c"'), ("users", "client-certificate-data", 'user "u"'),
     ("users", "client-key-data", 'user "u"')],
)
def test_data_that_is_not_base64_names_its_field(tmp_path, section, field, where):
    # It used to be 'context "test" is incomplete (Incorrect padding)'.
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    entry = config[section][0]["cluster" if section == "clusters" else "user"]
    if field.startswith("client-"):
        entry["client-certificate-data"] = entry["client-key-data"] = "TUlJ"  # valid base64 for the other one
    entry[field] = "@@not base64@@"
    cfg.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    msg = str(err.value)
    assert msg.startswith(f"{field} of {where} in {cfg} is not valid base64 (")
    assert msg.endswith("): paste it again, e.g. from base64 -w0 FILE")


@pytest.mark.parametrize(
    ("cluster", "user", "expected"),
    [
        ({"certificate-authority": "GARBAGE"}, {}, 'the certificate-authority of cluster "c" in {cfg} holds no usable certificate ('),
        ({}, {"client-certificate": "GARBAGE", "client-key": str(TLS_DIR / "server.key")},
         'the client certificate and key of user "u" in {cfg} cannot be used (not PEM, or a key that does not match): '),
        ({}, {"client-certificate": str(TLS_DIR / "server.crt"), "client-key": str(TLS_DIR / "ca.crt")},
         'the client certificate and key of user "u" in {cfg} cannot be used (not PEM, or a key that does not match): '),
    ],
    ids=["ca", "client-cert", "wrong-key"],
)
def test_unusable_tls_files_are_named_before_connecting(tmp_path, cluster, user, expected):
    # At the handshake a garbage client certificate read as "TLS handshake failed ...
    # (check the cluster's certificate-authority)": the wrong file to look at.
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("this is not a PEM file\n")
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    config["clusters"][0]["cluster"].update({k: str(garbage) if v == "GARBAGE" else v for k, v in cluster.items()})
    config["users"][0]["user"].update({k: str(garbage) if v == "GARBAGE" else v for k, v in user.items()})
    cfg.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value).startswith(expected.format(cfg=cfg))


@pytest.mark.parametrize("text", ["\n", "# clusters: all commented out\n", "---\n", "null\n"],
                         ids=["blank", "comments", "dashes", "null"])
def test_an_empty_file_in_kubeconfig_adds_nothing_as_in_kubectl(tmp_path, text):
    good, empty = tmp_path / "good", tmp_path / "empty"
    write_kubeconfig(good, "https://10.0.0.1:6443")
    empty.write_text(text)
    for order in ((good, empty), (empty, good)):
        env = {"KUBECONFIG": ":".join(map(str, order))}
        assert resolve_connection(opts(), env).server == "https://10.0.0.1:6443"
    with pytest.raises(ConfigError, match=rf"^kubeconfig {empty} is empty: set --kubeconfig or KUBECONFIG$"):
        resolve_connection(opts(kubeconfig=str(empty)), {})


def test_invalid_yaml_names_the_file_it_is_in(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    write_kubeconfig(good, "https://10.0.0.1:6443")
    bad.write_text("clusters:\n- name: a\n  cluster: {server: [\n")
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(), {"KUBECONFIG": f"{good}:{bad}"})
    assert str(err.value).endswith(f"(in {bad})")


@pytest.mark.parametrize(
    ("section", "field", "value", "where"),
    [("clusters", "certificate-authority", "/nope/ca.crt", 'cluster "c"'),
     ("users", "client-certificate", "/nope/client.crt", 'user "u"'),
     ("users", "client-key", "nope/client.key", 'user "u"'),  # relative: from the kubeconfig's directory
     ("users", "tokenFile", "/nope/token", 'user "u"')],
)
def test_a_file_that_cannot_be_read_names_its_field(tmp_path, section, field, value, where):
    # It used to be "File does not exist: /nope/ca.crt" or, for a tokenFile,
    # "[Errno 2] No such file or directory: '/nope/token'": neither said which field.
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    entry = config[section][0]["cluster" if section == "clusters" else "user"]
    if field.startswith("client-"):
        entry.update({"client-certificate": str(TLS_DIR / "server.crt"), "client-key": str(TLS_DIR / "server.key")})
    if field == "tokenFile":
        entry.pop("token")
    entry[field] = value
    cfg.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    path = os.path.normpath(tmp_path / value)
    assert str(err.value) == f"{field} of {where} in {cfg} names {path}, which cannot be read (no such file or directory): check the path"


def _without_root_reads() -> list[str]:
    """A command prefix under which a file of mode 000 cannot be read: none for a user;
    for root, one without the capabilities that let it read any file."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which reads any file, and setpriv (to drop that) is not installed")
    prefix = [setpriv, "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root, which reads any file, and may not drop that capability here")
    return prefix


@pytest.mark.parametrize(
    ("section", "field", "where"),
    [("clusters", "certificate-authority", 'cluster "c"'),
     ("users", "client-certificate", 'user "u"'),
     ("users", "client-key", 'user "u"'),
     ("users", "tokenFile", 'user "u"')],
)
def test_a_file_without_read_permission_names_its_field(tmp_path, section, field, where):
    # The CA and client certificate/key used to read "holds no usable certificate
    # (Permission denied)" or "cannot be used (Permission denied): check both are
    # PEM", blaming what is in a file podtui never got to read.
    prefix = _without_root_reads()
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://127.0.0.1:1")
    config = yaml.safe_load(cfg.read_text())
    entry = config[section][0]["cluster" if section == "clusters" else "user"]
    if field.startswith("client-"):
        entry.update({"client-certificate": str(TLS_DIR / "server.crt"), "client-key": str(TLS_DIR / "server.key")})
    if field == "tokenFile":
        entry.pop("token")
    locked = tmp_path / "locked"
    locked.write_bytes((TLS_DIR / ("server.key" if field == "client-key" else "server.crt")).read_bytes())
    locked.chmod(0)
    entry[field] = str(locked)
    cfg.write_text(yaml.safe_dump(config))
    tmp_path.chmod(0o755)  # setpriv keeps root's uid: the directory itself must be searchable
    run = subprocess.run([*prefix, sys.executable, "-m", "podtui", "--kubeconfig", str(cfg)],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.stderr == (f"podtui: {field} of {where} in {cfg} names {locked}, which cannot be read "
                          "(permission denied): check its permissions, or run as its owner\n")
    assert run.returncode != 0


@pytest.mark.parametrize("entry", [{"name": "u", "user": None}, {"name": "u"}], ids=["null", "absent"])
def test_a_null_user_entry_has_no_credentials_as_in_kubectl(tmp_path, entry):
    # It used to stop with "Invalid kube-config file. Expected key user in
    # .../{'name': 'u', 'user': None}"; kubectl reads it as user: {}.
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    config["users"] = [entry]
    cfg.write_text(yaml.safe_dump(config))
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert "Authorization" not in conn.headers()
    assert conn.user_defined


@pytest.mark.parametrize(("user", "kind"), [("alice", "a string"), (["a", "b"], "a list")])
def test_a_user_entry_that_is_not_a_map_is_named(tmp_path, user, kind):
    # A string used to read "is incomplete ('str' object has no attribute 'path')";
    # a list was ignored and the server asked for credentials. kubectl refuses both.
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    config["users"][0]["user"] = user
    cfg.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f'user "u" in {cfg} is {kind}, not a map of credentials (token, client-certificate, exec, ...): '
                              "fix its user: field")


def test_a_reconnect_through_a_dead_proxy_says_it_is_the_proxy():
    # The status bar's why while the watch backs off: it read "connection refused".
    from podtui.sources.kubeconfig import transport_reason

    proxy = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(urllib3.exceptions.HTTPError) as failure:
        urllib3.ProxyManager(proxy).request("GET", "https://cluster.example:6443/api", retries=False)
    assert transport_reason(failure.value, (proxy, "HTTPS_PROXY in the environment")) == f"proxy {proxy}: connection refused"
    assert transport_reason(failure.value) == "connection refused"


def _edited_kubeconfig(tmp_path, edit):
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443")
    config = yaml.safe_load(cfg.read_text())
    edit(config)
    cfg.write_text(yaml.safe_dump(config))
    return cfg


@pytest.mark.parametrize(("edit", "said"), [
    # Each was an internal error (TypeError) or read as something else; kubectl refuses them all.
    (lambda c: c.update({"current-context": ["c"]}), "current-context in {cfg} is a list, not the name of a context"),
    (lambda c: c["contexts"][0]["context"].update(namespace=5), 'namespace of context "test" in {cfg} is a number, not a string'),
    (lambda c: c["clusters"][0]["cluster"].update({"proxy-url": 5}), 'proxy-url of cluster "c" in {cfg} is a number, not a string'),
    (lambda c: c["clusters"][0]["cluster"].update({"insecure-skip-tls-verify": "yes"}),
     'insecure-skip-tls-verify of cluster "c" in {cfg} is a string, not true or false'),
    (lambda c: c.update(clusters={"c": {"server": "https://10.0.0.1:6443"}}),
     'clusters in {cfg} is a map, not a list of "- name: NAME" entries with a cluster: map'),
    (lambda c: c.update(contexts=5), 'contexts in {cfg} is a number, not a list of "- name: NAME" entries with a context: map'),
    (lambda c: c["contexts"][0].update(context="c"), 'context "test" in {cfg} is a string, not a map'),
    (lambda c: c["clusters"][0].update(cluster="https://10.0.0.1:6443"), 'cluster "c" in {cfg} is a string, not a map'),
])
def test_a_field_of_the_wrong_type_is_named(tmp_path, edit, said):
    cfg = _edited_kubeconfig(tmp_path, edit)
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == said.format(cfg=cfg) + ": fix it"


def test_a_context_without_a_cluster_says_so(tmp_path):
    # It read 'names cluster "" which has no server URL'.
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["contexts"][0]["context"].pop("cluster"))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == f'context "test" in {cfg} names no cluster: add "cluster: NAME" to it, or pass --context'


@pytest.mark.parametrize(("provider", "said"), [
    # gcp was an internal-looking "'NoneType' object has no attribute 'token'"; the others
    # went on without credentials, to a 401 that blamed the login.
    ({"name": "gcp", "config": {}}, "the gcp auth-provider was removed in kubectl 1.26: use the gke-gcloud-auth-plugin"),
    ({"name": "azure"}, "the azure auth-provider was removed in kubectl 1.26: use the kubelogin exec plugin"),
    ({"name": "foo"}, 'no auth-provider named "foo" (kubectl knows only oidc)'),
    ({"name": "oidc", "config": {"id-token": "garbage"}}, "the oidc auth-provider has no id-token, or one that is not a JWT: log in again"),
])
def test_an_auth_provider_kubectl_refuses_is_said_before_connecting(tmp_path, provider, said):
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"][0].update(user={"auth-provider": provider}))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value).startswith(f'cannot load context "test" from {cfg}: {said}')


def test_an_auth_provider_that_is_not_a_map_is_named(tmp_path):
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"][0].update(user={"auth-provider": "gcp"}))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == f'auth-provider of user "u" in {cfg} is a string, not a map: fix it'



def test_insecure_skip_tls_verify_with_a_ca_is_refused_as_in_kubectl(tmp_path):
    # The client skipped the CA without a word: the user thought the server was checked.
    cert = tmp_path / "ca.crt"
    cert.write_bytes((TLS_DIR / "ca.crt").read_bytes())
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["clusters"][0]["cluster"].update(
        {"insecure-skip-tls-verify": True, "certificate-authority": str(cert)}))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f'cluster "c" in {cfg} sets insecure-skip-tls-verify and a certificate-authority: '
                              "remove one (keep the CA to check the server)")


def test_a_kubeconfig_that_is_a_directory_is_said_as_kubectl_says_it(tmp_path):
    # --kubeconfig DIR read "not found"; a directory in $KUBECONFIG was skipped (kubectl:
    # "read DIR: is a directory").
    good = tmp_path / "good"
    write_kubeconfig(good, "https://10.0.0.1:6443")
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(tmp_path)), {})
    assert str(err.value) == f"kubeconfig {tmp_path} (--kubeconfig) is a directory: name the file in it, e.g. {tmp_path}/config"
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(), {"KUBECONFIG": f"{tmp_path}:{good}"})
    assert str(err.value).startswith(f"kubeconfig {tmp_path} (in $KUBECONFIG) is a directory")


def test_a_client_certificate_without_a_key_is_said_so(tmp_path):
    # It read "cannot be used (not PEM, or a key that does not match): check both are PEM".
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"][0].update(
        user={"client-certificate": str(TLS_DIR / "server.crt")}))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == f'user "u" in {cfg} has a client-certificate but no client-key: add client-key or client-key-data'


def test_a_context_namespace_no_pod_can_be_in_is_said_as_for_n(tmp_path):
    # -n Bad_NS was refused, the same namespace from the context gave an empty list forever.
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443", namespace="Bad_NS")
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f'namespace "Bad_NS" of context "test" in {cfg} is not a valid namespace name, '
                              "so no pod can be in it: fix the context, or pass -n NAMESPACE or -A")
    assert resolve_connection(opts(kubeconfig=str(cfg), namespace="shop"), {}).scope.namespace == "shop"
    assert resolve_connection(opts(kubeconfig=str(cfg), all_namespaces=True), {}).scope.namespace is None


def test_a_kubeconfig_that_is_not_utf8_names_the_file(tmp_path):
    # It was "internal error: UnicodeDecodeError"; kubectl: "yaml: invalid leading UTF-8 octet".
    good, bad = tmp_path / "good", tmp_path / "bad"
    write_kubeconfig(good, "https://10.0.0.1:6443")
    bad.write_bytes(b"apiVersion: v1\nkind: Config\ncurrent-context: caf\xe9\n")
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(), {"KUBECONFIG": f"{good}:{bad}"})
    assert str(err.value) == f"kubeconfig {bad} is not UTF-8 text (invalid continuation byte at byte 48): save it as UTF-8"


@pytest.mark.parametrize(("token", "what"), [
    ("t\u00f6k\u20acn", "a non-ASCII character (\u00f6)"), ("abc\ndef", "a line break"), ("abc\x00def", "a control character"),
])
def test_a_token_no_http_header_can_carry_is_said(tmp_path, token, what):
    # http.client refused it at the first request: "internal error: UnicodeEncodeError"
    # or "ValueError: Invalid header value".
    cfg = tmp_path / "config"
    write_kubeconfig(cfg, "https://10.0.0.1:6443", token=token)
    conn = resolve_connection(opts(kubeconfig=str(cfg)), {})
    with pytest.raises(ConfigError) as err:
        conn.headers()
    assert str(err.value) == (f'the token of user "u" of context "test" holds {what}, which no HTTP header can carry: '
                              "copy the token again")


# An EC key encrypted with the passphrase "x" (openssl pkey -aes256).
_ENCRYPTED_KEY = """-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhJACIf/0ewrgICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEAJQa+CYDIhaz+Ofe6vEroMEgZDN
Dz3lnMc1DWCw7fxtAq8Orro7FFGboOA9M2BQbPHrwBNlscx7Flf8vlqMDQR7rBzm
OF0tfed2C0FzA0t2FMR0aKoEbi/Dbb/o4XqBIattCMfBTir6xbDXUq3JE0SQHxXP
zUcEMkFecTXYb/xh1MdlgIg8wo9FqqgQT/ZV9OsrlzylFzykoIDOiO+EXMj9Shs=
-----END ENCRYPTED PRIVATE KEY-----
"""


def test_an_encrypted_client_key_is_said_not_asked_for(tmp_path, capfd):
    # OpenSSL asked "Enter PEM pass phrase:" on the terminal and waited there.
    key = tmp_path / "client.key"
    key.write_text(_ENCRYPTED_KEY)
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"][0].update(
        user={"client-certificate": str(TLS_DIR / "server.crt"), "client-key": str(key)}))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f'the client-key of user "u" in {cfg} is encrypted with a passphrase, which podtui (like '
                              "kubectl) cannot ask for: decrypt it (openssl pkey -in KEY -out PLAIN-KEY) and name that")
    assert "pass phrase" not in capfd.readouterr().err


_V1 = "client.authentication.k8s.io/v1"


@pytest.mark.parametrize(("exec_config", "said"), [
    # A list as command and a string as env crashed in the client ("is incomplete
    # (expected str, bytes or os.PathLike object, not ConfigNode)"); an env entry without
    # a value quoted the whole user entry, secrets and all.
    ({"apiVersion": _V1, "command": ["a", "b"]}, 'command of the exec of user "u" in {cfg} is a list, not a string: fix it'),
    ({"apiVersion": _V1, "command": "/bin/echo", "env": "A=1"},
     'env of the exec of user "u" in {cfg} is not a list of name/value pairs: write env: [{{name: NAME, value: VALUE}}]'),
    ({"apiVersion": _V1, "command": "/bin/echo", "env": [{"name": "A"}]},
     'env of the exec of user "u" in {cfg} is not a list of name/value pairs: write env: [{{name: NAME, value: VALUE}}]'),
    ({"apiVersion": _V1, "command": "/bin/echo", "args": "--x"},
     'args of the exec of user "u" in {cfg} is not a list of strings: write args: [ARG, ...]'),
    ({"apiVersion": _V1, "command": ""}, 'exec of user "u" in {cfg} has no command: add command: PLUGIN'),
    ({"command": "/bin/echo"},
     'exec of user "u" in {cfg} has no apiVersion: add apiVersion: client.authentication.k8s.io/v1 (or what the plugin documents)'),
    # kubectl 1.32: "interactiveMode must be specified for u to use exec authentication
    # plugin", 'invalid interactiveMode for u: "never"', 'exec plugin: invalid apiVersion
    # "client.authentication.k8s.io/v1alpha1"'; the client ran them all.
    ({"apiVersion": _V1, "command": "/bin/echo"},
     'exec of user "u" in {cfg} has no interactiveMode, which kubectl requires with apiVersion '
     "client.authentication.k8s.io/v1: add interactiveMode: IfAvailable (Never if the plugin never prompts)"),
    ({"apiVersion": _V1, "command": "/bin/echo", "interactiveMode": "never"},
     'interactiveMode of the exec of user "u" in {cfg} is "never", which kubectl refuses: use Never, IfAvailable or Always'),
    ({"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "/bin/echo", "interactiveMode": "Sometimes"},
     'interactiveMode of the exec of user "u" in {cfg} is "Sometimes", which kubectl refuses: use Never, IfAvailable or Always'),
    ({"apiVersion": _V1, "command": "/bin/echo", "interactiveMode": 5},
     'interactiveMode of the exec of user "u" in {cfg} is a number, not a string: fix it'),
    ({"apiVersion": "client.authentication.k8s.io/v1alpha1", "command": "/bin/echo"},
     'apiVersion of the exec of user "u" in {cfg} is "client.authentication.k8s.io/v1alpha1", which kubectl refuses: '
     "use client.authentication.k8s.io/v1 (or client.authentication.k8s.io/v1beta1, if the plugin is older)"),
])
def test_an_exec_entry_kubectl_cannot_run_is_named(tmp_path, exec_config, said):
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"][0].update(user={"exec": exec_config}))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == said.format(cfg=cfg)


@pytest.mark.parametrize("api_version", [_V1, "client.authentication.k8s.io/v1beta1"])
def test_interactive_mode_always_without_a_terminal_is_refused_as_by_kubectl(tmp_path, monkeypatch, api_version):
    # kubectl: "exec plugin cannot support interactive mode: standard input is not a
    # terminal". The plugin ran without one and waited for a login it could not ask for.
    ran = tmp_path / "ran"
    plugin = _plugin(tmp_path, f"open({str(ran)!r}, 'w').close()\n")
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"][0].update(
        user={"exec": {"apiVersion": api_version, "command": plugin, "interactiveMode": "Always"}}))
    monkeypatch.setattr(sys, "stdout", _Terminal())
    with open(os.devnull) as no_keyboard:
        monkeypatch.setattr(sys, "stdin", no_keyboard)
        with pytest.raises(ConfigError) as err:
            resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f'cannot load context "test" from {cfg}: exec plugin "{plugin}" has interactiveMode Always, '
                              "but standard input is not a terminal: run podtui in one, or set interactiveMode: "
                              "IfAvailable if the plugin can do without")
    assert not ran.exists()


def test_a_context_naming_a_cluster_not_defined_says_so(tmp_path):
    # It read 'names cluster "prod" which has no server URL: check its clusters entry'.
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["contexts"][0]["context"].update(cluster="prod"))
    with pytest.raises(ConfigError) as err:
        resolve_connection(opts(kubeconfig=str(cfg)), {})
    assert str(err.value) == (f'context "test" in {cfg} names cluster "prod", which is not defined there (clusters: c): '
                              "fix the context's cluster or add the cluster")


@pytest.mark.parametrize("exec_config", [
    {"apiVersion": _V1},
    {"command": "gke-gcloud-auth-plugin"},
    {"apiVersion": _V1, "command": ""},
    {"apiVersion": _V1, "command": "/bin/echo", "env": [{"name": "A"}]},
], ids=["no-command", "no-apiVersion", "empty-command", "env-without-value"])
def test_an_incomplete_exec_in_a_user_no_context_uses_is_not_read_as_in_kubectl(tmp_path, exec_config):
    # kubectl 1.32 reads such a file (config view, get pods) and says "command must be
    # specified for USER" only when the context uses that user; podtui refused the file.
    cfg = _edited_kubeconfig(tmp_path, lambda c: c["users"].append({"name": "old", "user": {"exec": exec_config}}))
    assert resolve_connection(opts(kubeconfig=str(cfg)), {}).headers()["Authorization"] == "Bearer t0"

