"""Connecting to a cluster the way kubectl does, and explaining in one line when we can't.

Flags mean what kubectl's do (--kubeconfig, --context, -n, -A, -l, --field-selector,
--request-timeout). The official client's config loader does the heavy lifting (merging
several KUBECONFIG paths, exec and OIDC plugins, client certificates, in-cluster service
accounts); this module picks which config to load, turns the result into a Connection
(the server URL, TLS settings and a way to get a fresh Authorization header) and maps
every way that can fail to a ConfigError/ConnectError whose message names the cause and
what to do. No traceback ever reaches the user from here.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import binascii
import contextlib
import html
import ipaddress
import json
import os
import re
import socket
import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.request import getproxies

import orjson
import urllib3
import yaml
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url
from kubernetes.client import Configuration
from kubernetes.client.rest import RESTClientObject, should_bypass_proxies
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.exec_provider import ExecProvider
from kubernetes.config.incluster_config import (
    SERVICE_CERT_FILENAME,
    SERVICE_HOST_ENV_NAME,
    SERVICE_PORT_ENV_NAME,
    SERVICE_TOKEN_FILENAME,
    InClusterConfigLoader,
)
from kubernetes.config.kube_config import (
    ENV_KUBECONFIG_PATH_SEPARATOR,
    ConfigNode,
    FileOrData,
    KubeConfigLoader,
    KubeConfigMerger,
    parse_rfc3339,
)
from kubernetes.utils.keepalive import tcp_keepalive_socket_options

from podtui.cli import invalid_option
from podtui.errors import ConfigError, ConnectError, UsageError
from podtui.lifecycle.changes import PODS
from podtui.lifecycle.times import parse_go_duration
from podtui.sources.base import Scope

DEFAULT_KUBECONFIG = "~/.kube/config"
SERVICE_NAMESPACE_FILENAME = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
IN_CLUSTER = "in-cluster"


@dataclass(slots=True)
class ConnectionOptions:
    """The kubectl-compatible flags, already parsed."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    label_selector: str = ""
    field_selector: str = ""
    request_timeout: float | None = None  # seconds; None or 0: no limit (kubectl's "0")


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """kubectl's connection and scope flags, with kubectl's names and meaning."""
    group = parser.add_argument_group("cluster (as kubectl)")
    group.add_argument("--kubeconfig", metavar="PATH", help="path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
    group.add_argument("--context", metavar="NAME", help="the kubeconfig context to use (default: its current-context)")
    group.add_argument("-n", "--namespace", metavar="NAMESPACE", help="watch this namespace (default: the context's namespace, else default)")
    group.add_argument("-A", "--all-namespaces", action="store_true", help="watch pods in all namespaces (overrides -n)")
    group.add_argument("-l", "--selector", metavar="SELECTOR", default="", help="label selector to filter on, e.g. -l app=web,tier!=cache")
    group.add_argument("--field-selector", metavar="SELECTOR", default="", help="field selector to filter on, e.g. --field-selector spec.nodeName=node-1")
    group.add_argument(
        "--request-timeout",
        metavar="DURATION",
        default="0",
        help="how long to wait for one API request, e.g. 30s or 1m; 0 waits as long as needed (watches use a read timeout instead)",
    )


_NAMESPACE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def valid_namespace_name(namespace: str) -> bool:
    return len(namespace) <= 63 and _NAMESPACE_NAME.fullmatch(namespace) is not None


def check_namespace_name(namespace: str, as_given: str = "") -> None:
    """UsageError for a name no namespace can have (an RFC 1123 label); `as_given`
    prefixes it the way the user wrote it ("-n ")."""
    if not valid_namespace_name(namespace):
        # The API server lists such a namespace as empty (kubectl: "No resources found"):
        # an empty table, forever, for what is nearly always a typo.
        raise UsageError(f"{as_given}{namespace}: not a valid namespace name, so no pod can be in it",
                         "lowercase letters, digits and '-', up to 63, starting and ending with a letter or digit")


def options_from_args(args: argparse.Namespace) -> ConnectionOptions:
    namespace = getattr(args, "namespace", None)
    if namespace and not getattr(args, "all_namespaces", False):
        check_namespace_name(namespace, "-n ")
    return ConnectionOptions(
        kubeconfig=getattr(args, "kubeconfig", None),
        context=getattr(args, "context", None),
        namespace=getattr(args, "namespace", None),
        all_namespaces=bool(getattr(args, "all_namespaces", False)),
        label_selector=getattr(args, "selector", "") or "",
        field_selector=getattr(args, "field_selector", "") or "",
        request_timeout=parse_request_timeout(getattr(args, "request_timeout", None)),
    )


# Go's longest duration, kubectl's limit; a socket cannot wait longer either ("nan",
# "inf" or "1e300" crashed the first connect with an OverflowError).
MAX_REQUEST_TIMEOUT = (2**63 - 1) / 1e9


def parse_seconds(text: str) -> float | None:
    """A bare number of seconds or a Go duration ("30s", "1m", "1h30m") -> seconds, or None."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        return parse_go_duration(text)


def parse_request_timeout(text: str | None) -> float | None:
    """kubectl's --request-timeout: "0" (none), a bare number of seconds, or "30s"/"1m"/"1h"."""
    if text is None or text.strip() in ("", "0"):
        return None
    text = text.strip()
    seconds = parse_seconds(text)
    if seconds is None or not 0 <= seconds <= MAX_REQUEST_TIMEOUT:  # not 0 <= nan either
        raise invalid_option("--request-timeout", text, "use a duration like 30s, 1m or 0 for none")
    return seconds or None



# ------------------------------------------------------------------------- connection


class Connection:
    """Where the cluster is and how to authenticate, reloadable when credentials expire.

    Thread-safe: both watch threads share one Connection. `headers()` asks the client's
    refresh hook for the current token (exec plugins and OIDC refresh there); `reload()`
    re-reads the kubeconfig after a 401, once per generation however many threads saw it.
    """

    def __init__(
        self,
        load: Callable[[], Configuration],
        scope: Scope,
        *,
        user: str = "",
        user_defined: bool = True,
        request_timeout: float | None = None,
    ) -> None:
        self._load = load
        self._lock = threading.Lock()
        self.scope = scope
        self.user = user
        self.user_defined = user_defined  # False: the context names a user the kubeconfig lacks
        self.request_timeout = request_timeout
        self.generation = 0
        self.renewed = False  # whether the last reload() brought other credentials
        self.configuration = load()
        self.scope.server = self.server
        self._pool = _pool_manager(self.configuration)

    @property
    def server(self) -> str:
        return (self.configuration.host or "").rstrip("/")

    @property
    def proxy(self) -> tuple[str, str] | None:
        """(URL, where it was set) of the proxy requests go through, if any."""
        url = self.configuration.proxy
        if not url:
            return None
        return url, getattr(self.configuration, "podtui_proxy_origin", "the environment")

    @property
    def pool(self) -> urllib3.PoolManager:
        return self._pool

    def headers(self, refreshing: Callable[[str], None] | None = None) -> dict[str, str]:
        """`refreshing` hears, once an exec plugin run to refresh the token has kept us
        waiting EXEC_NOTICE_AFTER, the plugin's name (for the status bar)."""
        headers = {"Accept": "application/json", "User-Agent": "podtui"}
        try:
            with _telling(refreshing):
                auth = self.configuration.auth_settings()
        except ConfigException as exc:  # an exec plugin or OIDC refresh failed
            raise ConfigError(f"cannot refresh credentials for {self.scope.context or 'the cluster'}: {_one_line(exc)}") from None
        bearer = auth.get("BearerToken")
        if bearer and bearer.get("value"):
            value = bearer["value"].strip()  # token files often end in a newline
            bad = next((c for c in value if not " " <= c < "\x7f"), None)
            if bad is not None:
                # http.client refused it mid-request: an internal error (UnicodeEncodeError,
                # "Invalid header value"). A token pasted with a smart quote or a line break.
                what = "a line break" if bad in "\r\n" else "a control character" if bad < " " or bad == "\x7f" \
                    else f"a non-ASCII character ({bad})"
                raise ConfigError(f'the token of user "{self.user}" of context "{self.scope.context}" holds {what}, '
                                  "which no HTTP header can carry: copy the token again")
            headers["Authorization"] = value
        return headers

    def reload(self, seen_generation: int | None = None, refreshing: Callable[[str], None] | None = None) -> bool:
        """Load credentials afresh. Returns False when another thread already did.
        `renewed` then says whether they differ from the ones they replace. `refreshing`:
        as for headers()."""
        with self._lock, _telling(refreshing):
            if seen_generation is not None and seen_generation != self.generation:
                return False
            configuration = self._load()
            old = self._pool
            self.renewed = _credentials(configuration) != _credentials(self.configuration)
            self.configuration = configuration
            self._pool = _pool_manager(configuration)
            self.generation += 1
        old.clear()
        return True

    def close(self) -> None:
        self._pool.clear()


def _credentials(configuration: Configuration) -> tuple:
    """What a request authenticates with: the bearer token (an exec plugin's or OIDC's
    as refreshed now) and the client certificate and key."""
    try:
        bearer = (configuration.auth_settings().get("BearerToken") or {}).get("value")
    except ConfigException:
        bearer = None
    files = []
    for path in (configuration.cert_file, configuration.key_file):
        try:
            files.append(Path(path).read_bytes() if path else b"")
        except OSError:
            files.append(b"")
    return (bearer, *files)


def _pool_manager(configuration: Configuration) -> urllib3.PoolManager:
    # The client's own REST object knows the kubeconfig's TLS, client certs, proxy and
    # tls-server-name; TCP keepalive as client-go sets it notices half-dead links early.
    if configuration.socket_options is None:
        configuration.socket_options = tcp_keepalive_socket_options()
    return RESTClientObject(configuration).pool_manager


# ------------------------------------------------------------------------ resolving


def kubeconfig_paths(explicit: str | None, environ: Mapping[str, str]) -> tuple[list[str], str]:
    """The kubeconfig files to merge, in kubectl's order, and how they were chosen."""
    if explicit:
        return [os.path.expanduser(explicit)], "--kubeconfig"
    env = environ.get("KUBECONFIG", "")
    if env.strip():
        paths = [os.path.expanduser(p) for p in env.split(ENV_KUBECONFIG_PATH_SEPARATOR) if p]
        return paths, "KUBECONFIG"
    return [os.path.expanduser(DEFAULT_KUBECONFIG)], "default"


def resolve_connection(
    options: ConnectionOptions,
    environ: Mapping[str, str] | None = None,
    *,
    service_account_dir: str | None = None,
    waiting: Callable[[str], None] | None = None,
    interactive: bool = True,
) -> Connection:
    """Pick and load the config like kubectl; raise ConfigError with one line if we can't.

    Order: --kubeconfig, else the KUBECONFIG paths (merged, first wins), else
    ~/.kube/config, else the in-cluster service account when running inside a pod.
    `waiting` hears of an exec plugin that is slow to give the first credentials.
    `interactive` False: the screen is open, so not even the first run of an exec
    plugin may have the terminal (a namespace switch loads the config again).
    """
    environ = os.environ if environ is None else environ
    paths, how = kubeconfig_paths(options.kubeconfig, environ)
    for path in paths:
        if os.path.isdir(path):
            # kubectl: 'read PATH: is a directory'; it was "not found", or skipped.
            flag = "--kubeconfig" if how == "--kubeconfig" else "in $KUBECONFIG" if how == "KUBECONFIG" else "the default location"
            raise ConfigError(f"kubeconfig {path} ({flag}) is a directory: name the file in it, "
                              f"e.g. {os.path.join(path, 'config')}")
    existing = [p for p in paths if os.path.isfile(p)]
    if how == "--kubeconfig" and not existing:
        raise ConfigError(f"kubeconfig {paths[0]} not found (--kubeconfig): check the path")
    if not existing:
        if _in_cluster_available(environ, service_account_dir):
            return _in_cluster_connection(options, environ, service_account_dir)
        # KUBECONFIG=":" names no file at all: it read "(looked at $KUBECONFIG: )".
        looked = ", ".join(paths) or f"no file, only {environ.get('KUBECONFIG')!r}"
        where = "$KUBECONFIG" if how == "KUBECONFIG" else "~/.kube/config"
        raise ConfigError(f"no kubeconfig found (looked at {where}: {looked}): set --kubeconfig or KUBECONFIG")
    # kubectl reads an empty file as an empty config: merged with others, it adds nothing.
    filled = [p for p in existing if not _is_blank(p)]
    if not filled:
        raise ConfigError(f"kubeconfig {', '.join(existing)} is empty: set --kubeconfig or KUBECONFIG")
    return _kubeconfig_connection(options, filled, waiting, interactive)


def _is_blank(path: str) -> bool:
    """Whether the file holds no YAML document: whitespace, comments only, "---" or null
    (kubectl reads each as an empty config; the client stops at them: "file is empty")."""
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f) is None
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return False  # let the loader say why it can't be read


def _read_merged(paths: list[str]):
    try:
        merger = KubeConfigMerger(ENV_KUBECONFIG_PATH_SEPARATOR.join(paths))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        culprit = next((p for p in paths if _yaml_error(p)), None) or ", ".join(paths)
        raise ConfigError(f"kubeconfig is not valid YAML{where}: {_one_line(getattr(exc, 'problem', '') or exc)} (in {culprit})") from None
    except (ConfigException, OSError) as exc:
        raise ConfigError(f"cannot read kubeconfig {', '.join(paths)}: {_one_line(exc)}") from None
    except UnicodeDecodeError:  # it was an internal error (kubectl: "yaml: invalid leading UTF-8 octet")
        # The merger's error counts bytes from where its reader's chunk began: find our own.
        for path in paths:
            try:
                Path(path).read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError(f"kubeconfig {path} is not UTF-8 text ({exc.reason} at byte {exc.start}): "
                                  "save it as UTF-8") from None
            except OSError:
                pass
        raise ConfigError(f"kubeconfig {', '.join(paths)} is not UTF-8 text: save it as UTF-8") from None
    except (AttributeError, TypeError, KeyError):
        for path in paths:
            _check_shape(path)
        raise ConfigError(f"kubeconfig {', '.join(paths)} is not a kubeconfig (no clusters/contexts/users maps)") from None
    if merger.config is None:
        raise ConfigError(f"kubeconfig {', '.join(paths)} is empty: set --kubeconfig or KUBECONFIG")
    for path in paths:
        # The merger parsed each file already: no second YAML load per file and reload.
        _check_shape(path, merger.config_files.get(os.path.expanduser(path)))
    return merger.config


# The fields podtui reads, with the type kubectl's strict decoding wants ("json: cannot
# unmarshal number into Go struct field ..."). The client took any type: a list as
# current-context or a number as a namespace crashed, a map as clusters was read as
# the names of clusters without a server.
_SECTIONS = {"clusters": "cluster", "contexts": "context", "users": "user"}
_FIELDS = {
    "cluster": {"server": str, "proxy-url": str, "tls-server-name": str, "certificate-authority": str,
                "certificate-authority-data": str, "insecure-skip-tls-verify": bool},
    "context": {"cluster": str, "user": str, "namespace": str},
    "user": {"token": str, "tokenFile": str, "client-certificate": str, "client-certificate-data": str,
             "client-key": str, "client-key-data": str, "username": str, "password": str,
             "auth-provider": dict, "exec": dict},
}


def _check_shape(path: str, data: object = None) -> None:
    """ConfigError naming the first field of this kubeconfig file of the wrong type;
    `data`: the file as parsed already (else it is read here)."""
    if data is None:
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f)
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            return  # the merger read it: nothing more to say here
    if not isinstance(data, Mapping):
        return

    def wrong(what: str, value: object, expected: str) -> ConfigError:
        kind = _KINDS.get(type(value), f"a {type(value).__name__}")
        return ConfigError(f"{what} in {path} is {kind}, not {expected}: fix it")

    current = data.get("current-context")
    if current is not None and not isinstance(current, str):
        raise wrong("current-context", current, "the name of a context")
    for section, key in _SECTIONS.items():
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise wrong(section, items, f'a list of "- name: NAME" entries with a {key}: map')
        for item in items:
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                raise ConfigError(f'an entry of {section} in {path} has no name: give each "- name: NAME" and a {key}: map')
            entry = item.get(key)
            what = f'{key} "{item["name"]}"'
            if entry is None:
                continue
            if not isinstance(entry, Mapping):
                if key == "user":
                    continue  # _check_user_entry says it, with what a user holds
                raise wrong(what, entry, "a map")
            for field, kind in _FIELDS[key].items():
                value = entry.get(field)
                if value is not None and not isinstance(value, kind):
                    raise wrong(f"{field} of {what}", value, _KINDS[kind])
            if isinstance(entry.get("exec"), Mapping):
                _check_exec_types(entry["exec"], f"exec of {what} in {path}", wrong)


def _check_exec_types(exec_config: Mapping, where: str, wrong: Callable[[str, object, str], ConfigError]) -> None:
    """The exec plugin's fields of the types kubectl's decoding wants, in every user:
    kubectl refuses the whole file otherwise. The client crashed on a list as command
    or a string as env."""
    for field in ("command", "apiVersion", "interactiveMode"):
        value = exec_config.get(field)
        if value is not None and not isinstance(value, str):
            raise wrong(f"{field} of the {where.split(' in ', 1)[0]}", value, "a string")
    args = exec_config.get("args")
    if args is not None and not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
        raise ConfigError(f"args of the {where} is not a list of strings: write args: [ARG, ...]")
    env = exec_config.get("env")
    if env is not None and not (isinstance(env, list) and all(
            isinstance(e, Mapping) and all(isinstance(e.get(k), (str, type(None))) for k in ("name", "value")) for e in env)):
        raise _bad_env(where)


def _check_exec_complete(exec_config: Mapping, where: str) -> None:
    """What kubectl needs of the exec plugin of the user it uses ("command must be
    specified for USER to use exec authentication plugin"); in any other user it is
    not read. The client quoted the whole user entry, secrets and all, for an env
    entry without a value."""
    for field in ("command", "apiVersion"):
        if not exec_config.get(field):
            example = "PLUGIN" if field == "command" else "client.authentication.k8s.io/v1 (or what the plugin documents)"
            raise ConfigError(f"{where} has no {field}: add {field}: {example}")
    if not all(isinstance(e.get("name"), str) and isinstance(e.get("value"), str) for e in exec_config.get("env") or ()):
        raise _bad_env(where)
    # As kubectl 1.32 (client-go's validation, then its exec authenticator): only
    # v1beta1 entries default interactiveMode (to IfAvailable); the client ran any.
    api_version = exec_config["apiVersion"]
    mode = exec_config.get("interactiveMode") or ("IfAvailable" if api_version in _DEFAULTS_INTERACTIVE else "")
    if not mode:
        raise ConfigError(f"{where} has no interactiveMode, which kubectl requires with apiVersion {api_version}: "
                          "add interactiveMode: IfAvailable (Never if the plugin never prompts)")
    if mode not in _INTERACTIVE_MODES:
        raise ConfigError(f'interactiveMode of the {where} is "{mode}", which kubectl refuses: '
                          "use Never, IfAvailable or Always")
    if api_version not in _EXEC_API_VERSIONS:
        raise ConfigError(f'apiVersion of the {where} is "{api_version}", which kubectl refuses: '
                          f"use {_EXEC_API_VERSIONS[0]} (or {_EXEC_API_VERSIONS[1]}, if the plugin is older)")


_INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")
_EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
_DEFAULTS_INTERACTIVE = ("client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1alpha1")


def _bad_env(where: str) -> ConfigError:
    return ConfigError(f"env of the {where} is not a list of name/value pairs: write env: [{{name: NAME, value: VALUE}}]")


def _yaml_error(path: str) -> bool:
    """Whether this one file fails to parse (the merger doesn't say which did)."""
    try:
        with open(path, encoding="utf-8") as f:
            yaml.safe_load(f)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return True
    return False


def _kubeconfig_connection(options: ConnectionOptions, paths: list[str],
                           waiting: Callable[[str], None] | None = None, interactive: bool = True) -> Connection:
    merged = _read_merged(paths)
    shown = ", ".join(paths)
    try:
        entries = [_plain(c) for c in merged.value.get("contexts") or []]
        contexts = {c["name"]: (c.get("context") or {}) for c in entries if isinstance(c, Mapping) and "name" in c}
    except (AttributeError, TypeError):
        raise ConfigError(f"kubeconfig {shown} has a malformed contexts list") from None
    if not contexts:  # "available: none: pass --context" named nothing to pass
        raise ConfigError(f"kubeconfig {shown} has no contexts: add one (kubectl config set-context NAME "
                          "--cluster CLUSTER --user USER) or point --kubeconfig at a working file")
    available = ", ".join(sorted(contexts))
    context = options.context or merged.value.get("current-context") or ""
    if not context:
        raise ConfigError(f"kubeconfig {shown} has no current-context (available: {available}): pass --context")
    if context not in contexts:
        flag = "check --context" if options.context else "fix current-context or pass --context"
        raise ConfigError(f'context "{context}" not found in kubeconfig {shown} (available: {available}): {flag}')
    ctx = contexts[context] if isinstance(contexts[context], Mapping) else {}
    namespace = _namespace(options, ctx.get("namespace") or "default")
    if ctx.get("namespace") and namespace == ctx["namespace"] and not options.namespace and not valid_namespace_name(namespace):
        # As with -n: an empty list forever, for what is nearly always a typo.
        raise ConfigError(f'namespace "{namespace}" of context "{context}" in {shown} is not a valid namespace name, '
                          "so no pod can be in it: fix the context, or pass -n NAMESPACE or -A")
    user = str(ctx.get("user") or "")
    cluster_name = str(ctx.get("cluster") or "")
    server = _cluster_entry(merged, ctx).get("server")
    if not cluster_name:
        # kubectl would try http://localhost:8080, refused there with no word of why.
        raise ConfigError(f'context "{context}" in {shown} names no cluster: add "cluster: NAME" to it, or pass --context')
    if _named_item(merged, "clusters", ctx.get("cluster")) is None:
        # It read "names cluster "prod" which has no server URL", as if there were one.
        defined = ", ".join(sorted(str(_plain(c).get("name")) for c in merged.value.get("clusters") or []
                                   if isinstance(_plain(c), Mapping))) or "none"
        raise ConfigError(f'context "{context}" in {shown} names cluster "{cluster_name}", which is not defined there '
                          f"(clusters: {defined}): fix the context's cluster or add the cluster")
    if not server:
        raise ConfigError(f'context "{context}" in {shown} names cluster "{cluster_name}" which has no server URL: check its clusters entry')
    problem = _server_problem(str(server))
    if problem:
        raise ConfigError(f'cluster "{cluster_name}" in {shown} has server "{server}", which is not a usable URL ({problem}): '
                          "fix it, e.g. https://HOST:6443")

    loads = 0

    def load() -> Configuration:
        # Re-read the files each time: a 401 mid-session means someone (or an exec
        # plugin) may have written fresh credentials since we started.
        nonlocal loads
        loads += 1
        fresh = _read_merged(paths)
        _check_user_entry(fresh, user, shown)
        configuration = Configuration()
        try:
            loader = _Loader(fresh, active_context=context, config_base_path=None)
            loader.at_start = loads == 1 and interactive  # before the screen opens: a plugin may prompt
            loader.waiting = waiting
            loader.load_and_set(configuration)
            loader.at_start = False  # its token refresh runs mid-session
        except ConfigException as exc:
            missing = str(exc).removeprefix(_CLIENT_MISSING_FILE) if str(exc).startswith(_CLIENT_MISSING_FILE) else None
            raise (missing and _unreadable_file(fresh, ctx, missing, shown)) or ConfigError(
                f'cannot load context "{context}" from {shown}: {_one_line(exc)}') from None
        except binascii.Error as exc:
            field = _bad_base64_field(fresh, ctx) or "a *-data field"
            raise ConfigError(f"{field} in {shown} is not valid base64 ({_one_line(exc)}): paste it again, e.g. from base64 -w0 FILE") from None
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ConfigError(f'context "{context}" in {shown} is incomplete ({_one_line(exc)}): check its cluster and user entries') from None
        except OSError as exc:
            raise (exc.filename and _unreadable_file(fresh, ctx, str(exc.filename), shown)) or ConfigError(
                f'context "{context}" in {shown}: {_one_line(exc)}') from None
        if configuration.cert_file and not configuration.key_file:
            # OpenSSL's "PEM lib" read as a garbled certificate; kubectl: "client-key-data
            # or client-key must be specified for USER to use the clientCert authentication method".
            raise ConfigError(f'user "{user}" in {shown} has a client-certificate but no client-key: '
                              "add client-key or client-key-data")
        if not configuration.verify_ssl and configuration.ssl_ca_cert:
            # The client quietly skipped the check; kubectl refuses: "specifying a root
            # certificates file with the insecure flag is not allowed".
            raise ConfigError(f'cluster "{cluster_name}" in {shown} sets insecure-skip-tls-verify and a certificate-authority: '
                              "remove one (keep the CA to check the server)")
        if "proxy-url" in _cluster_entry(fresh, ctx):
            _check_proxy_url(configuration.proxy, f'proxy-url "{configuration.proxy}" of cluster "{cluster_name}" in {shown}')
            configuration.podtui_proxy_origin = f'proxy-url of cluster "{cluster_name}" in {shown}'
        else:
            _environment_proxy(configuration)
        _check_tls_files(configuration, f'cluster "{cluster_name}" in {shown}', f'user "{user}" in {shown}',
                         lambda path: _unreadable_file(fresh, ctx, path, shown))
        return configuration

    scope = Scope(context=context, namespace=namespace, label_selector=options.label_selector, field_selector=options.field_selector)
    # kubectl goes on without credentials for a user the kubeconfig lacks; so do we, and
    # say so if the server then wants some.
    user_defined = not user or any(
        isinstance(_plain(u), Mapping) and _plain(u).get("name") == user for u in merged.value.get("users") or []
    )
    return Connection(load, scope, user=user, user_defined=user_defined, request_timeout=options.request_timeout)


class _Loader(KubeConfigLoader):
    """The official loader, reading a kubeconfig as kubectl does.

    A server URL without a scheme is http://, said outright. A failing exec plugin is
    an error: the official loader logs the failure through the root logger (an
    "ERROR:root:..." line on the terminal, even mid-session when a token is refreshed)
    and goes on without credentials, so the user got a 401 that blamed the server.
    kubectl stops with "getting credentials: exec: ..."; so do we (a ConfigException,
    made one line by the caller).
    """

    def _load_cluster_info(self):
        super()._load_cluster_info()
        # A server without a scheme is http to kubectl too; said here, not left to
        # urllib3's warning. Here, because the token refresh hook copies host again.
        host = self.__dict__.get("host")
        if host and "://" not in host:
            self.host = "http://" + host

    at_start = False
    waiting: Callable[[str], None] | None = None  # told, at start-up, of a slow exec plugin

    def _load_auth_provider_token(self):
        # The client calls gcp's removed helper ("'NoneType' object has no attribute
        # 'token'") and goes on without credentials for any other name; kubectl refuses.
        user = _plain(self._user)
        provider = user.get("auth-provider") if isinstance(user, Mapping) else None
        if not isinstance(provider, Mapping):
            return None  # none, or of the wrong type: _check_shape said so
        name = provider.get("name") or ""
        if name in _REMOVED_AUTH_PROVIDERS:
            raise ConfigException(f"the {name} auth-provider was removed in kubectl 1.26: {_REMOVED_AUTH_PROVIDERS[name]}")
        if name != "oidc":
            raise ConfigException(f'no auth-provider named "{name}" (kubectl knows only oidc): '
                                  "use the exec plugin your cluster's vendor documents")
        config = provider.get("config")
        token = config.get("id-token") if isinstance(config, Mapping) else None
        if not isinstance(token, str) or token.count(".") != 2:
            raise ConfigException("the oidc auth-provider has no id-token, or one that is not a JWT: log in again")
        return super()._load_auth_provider_token()

    def _load_from_exec_plugin(self):
        if "exec" not in self._user:
            return None
        exec_config = self._user["exec"]
        command = exec_config.safe_get("command") if isinstance(exec_config, ConfigNode) else None
        what = f'exec plugin "{command}"' if command else "exec plugin"
        base_path = self._get_base_path(self._cluster.path)
        mode = exec_config.safe_get("interactiveMode")
        if mode == "Always" and not _stdin_is_a_terminal():
            # kubectl: "exec plugin cannot support interactive mode: standard input is not a terminal"
            raise ConfigException(f"{what} has interactiveMode Always, but standard input is not a terminal: "
                                  "run podtui in one, or set interactiveMode: IfAvailable if the plugin can do without")
        # Before the screen opens a plugin may prompt on the terminal (a login); after,
        # the terminal is podtui's screen.
        interactive = self.at_start and mode != "Never" and _on_a_terminal()
        waiting = self.waiting if self.at_start else _refresh_notice(command)
        given = self._given
        with _exec_turn(what, waiting):
            # Both watch threads find the token expired; the one that waited for the
            # other's run takes its token, as client-go's cache does under its mutex.
            if self._given != given:
                return True
            loaded = self._exec_credentials(exec_config, what, base_path, interactive, waiting)
            self._given += 1
            return loaded

    _given = 0  # plugin runs that gave credentials, for a thread that waited on another's

    def _exec_credentials(self, exec_config, what: str, base_path: str, interactive: bool,
                          waiting: Callable[[str], None] | None) -> bool:
        try:
            status = _run_exec_plugin(ExecProvider(exec_config, base_path, self._cluster), what,
                                      interactive=interactive, waiting=waiting)
        except _TimedOut as exc:
            raise ConfigException(f"{what} {exc}") from None
        except ConfigException as exc:
            raise ConfigException(f"{what} failed: {exc}") from None
        except FileNotFoundError:
            raise ConfigException(f"{what}: command not found: install it or fix the user's exec command") from None
        except PermissionError:
            raise ConfigException(f"{what}: command is not executable: check its path and permissions") from None
        if not isinstance(status, Mapping):
            raise ConfigException(f"{what} printed an ExecCredential without a status")
        if "token" in status:
            if not isinstance(status["token"], str):
                raise ConfigException(f"{what} printed a token that is not a string: update or fix the plugin")
            self.token = f"Bearer {status['token']}"
        elif "clientCertificateData" in status and "clientKeyData" in status:
            for attr, key in (("cert_file", "clientCertificateData"), ("key_file", "clientKeyData")):
                setattr(self, attr, FileOrData(status, None, data_key_name=key, file_base_path=base_path,
                                               base64_file_content=False, temp_file_path=self._temp_file_path).as_file())
        else:
            raise ConfigException(f"{what} gave neither a token nor clientCertificateData and clientKeyData")
        if "expirationTimestamp" in status:
            try:
                self.expiry = parse_rfc3339(status["expirationTimestamp"])
            except (ValueError, TypeError, AttributeError):
                # It read as the context being "incomplete".
                raise ConfigException(f'{what} printed an expirationTimestamp that is not an RFC 3339 time ('
                                      f'{_one_line(repr(status["expirationTimestamp"]))[:60]}): update or fix the plugin') from None
        return True


_REMOVED_AUTH_PROVIDERS = {
    "gcp": "use the gke-gcloud-auth-plugin exec plugin (gcloud components install gke-gcloud-auth-plugin, "
           "then gcloud container clusters get-credentials CLUSTER)",
    "azure": "use the kubelogin exec plugin (kubelogin convert-kubeconfig)",
}


# How long an exec plugin may take before podtui says it is waiting (at start-up), and
# before one that cannot prompt is stopped. kubectl waits forever, silently; a plugin
# that hangs on the network (a cloud's token endpoint) made podtui look frozen.
EXEC_NOTICE_AFTER = 3.0
EXEC_TIMEOUT = 60.0

# Two watch threads refreshing an expired token run the plugin once at a time, as
# client-go's refresh does under its mutex.
_EXEC_LOCK = threading.Lock()


class _TimedOut(ConfigException):
    pass


# Mid-session a plugin runs inside the client's token refresh hook, which takes no
# arguments: who to tell (the watch thread that asked for headers) is kept per thread.
_REFRESHING = threading.local()


@contextlib.contextmanager
def _telling(refreshing: Callable[[str], None] | None) -> Iterator[None]:
    previous = getattr(_REFRESHING, "tell", None)
    _REFRESHING.tell = refreshing
    try:
        yield
    finally:
        _REFRESHING.tell = previous


def _refresh_notice(command: object) -> Callable[[str], None] | None:
    """What a slow mid-session refresh tells this thread's listener, if it has one."""
    tell = getattr(_REFRESHING, "tell", None)
    if tell is None:
        return None
    # A bar's worth: the command's name, not its path.
    name = os.path.basename(command) if isinstance(command, str) and command else "exec plugin"
    return lambda _text: tell(name)


@contextlib.contextmanager
def _exec_turn(what: str, waiting: Callable[[str], None] | None) -> Iterator[None]:
    """_EXEC_LOCK held; a wait for the other watch thread's run is a wait for the plugin."""
    if not _EXEC_LOCK.acquire(timeout=EXEC_NOTICE_AFTER):
        if waiting is not None:
            waiting(f"waiting for {what} to give credentials")
        _EXEC_LOCK.acquire()
    try:
        yield
    finally:
        _EXEC_LOCK.release()


def _stop(process: subprocess.Popen, *, group: bool) -> None:
    """Kill the plugin, and with `group` what it started (a plugin that waits is often
    waiting on a helper of its own: gke-gcloud-auth-plugin on gcloud)."""
    if group:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


# Plugins run mid-session by the watch threads, which do not outlive podtui: else
# quitting during a hang left the plugin running, in a session of its own.
_RUNNING: set[subprocess.Popen] = set()


@atexit.register
def _stop_running_plugins() -> None:
    for process in list(_RUNNING):
        _stop(process, group=True)


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def _on_a_terminal() -> bool:
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()  # as the client decides it


def _run_exec_plugin(provider: ExecProvider, what: str, *, interactive: bool,
                     waiting: Callable[[str], None] | None) -> object:
    """The plugin's ExecCredential status, as ExecProvider.run reads it, but never
    waiting forever. An interactive plugin shares podtui's terminal and may take as long
    as a login takes; `waiting` hears after EXEC_NOTICE_AFTER that we are waiting. Any
    other plugin gets no terminal (its stdin is empty, its stderr is quoted if it fails)
    and is stopped, with whatever it started, after EXEC_TIMEOUT."""
    info = {"apiVersion": provider.api_version, "kind": "ExecCredential", "spec": {"interactive": interactive}}
    if provider.cluster:
        cluster = dict(provider.cluster.value)
        for extension in cluster.get("extensions") or ():
            if isinstance(extension, Mapping) and extension.get("name") == "client.authentication.k8s.io/exec":
                cluster["config"] = extension.get("extension")
                break
        info["spec"]["cluster"] = cluster
    env = dict(provider.env, KUBERNETES_EXEC_INFO=json.dumps(info))
    process = subprocess.Popen(
        provider.args, cwd=provider.cwd, env=env, shell=provider.shell, text=True, stdout=subprocess.PIPE,
        stdin=sys.stdin if interactive else subprocess.DEVNULL,
        stderr=sys.stderr if interactive else subprocess.PIPE,
        start_new_session=not interactive,  # its own process group, to stop it whole
    )
    if not interactive:
        _RUNNING.add(process)
    try:
        try:
            stdout, stderr = process.communicate(timeout=EXEC_NOTICE_AFTER)
        except subprocess.TimeoutExpired:
            if waiting is not None:
                why = ("it may be waiting for you to log in, or on the network" if interactive
                       else f"it may be waiting on a login or the network; podtui stops it after {EXEC_TIMEOUT:g}s")
                waiting(f"waiting for {what} to give credentials: {why}")
            try:
                stdout, stderr = process.communicate(timeout=None if interactive else EXEC_TIMEOUT - EXEC_NOTICE_AFTER)
            except subprocess.TimeoutExpired:
                raise _TimedOut(
                    f"gave no credentials within {EXEC_TIMEOUT:g}s, so podtui stopped it: run the command yourself "
                    "(with the user's exec args and env) to see what it waits for, a login or the network") from None
    except BaseException:  # timed out, or ctrl-c: nothing of it may linger
        _stop(process, group=not interactive)
        raise
    finally:
        _RUNNING.discard(process)
    if process.returncode != 0:
        if stderr is None:  # it wrote to the terminal
            raise ConfigException(f"exec: process returned {process.returncode} (its own message, if any, is above)")
        message = f"exec: process returned {process.returncode}"
        raise ConfigException(f"{message}. {stderr.strip()}" if stderr.strip() else message)
    try:
        data = json.loads(stdout)
    except ValueError as exc:
        raise ConfigException(f"exec: failed to decode process output: {exc}") from None
    missing = next((key for key in ("apiVersion", "kind", "status") if key not in data), None) \
        if isinstance(data, dict) else "apiVersion"
    if missing:
        raise ConfigException(f"exec: malformed response. missing key '{missing}'")
    if data["apiVersion"] != provider.api_version:
        raise ConfigException(f"exec: plugin api version {data['apiVersion']} does not match {provider.api_version}")
    return data["status"]


def _cluster_entry(merged, ctx: Mapping) -> Mapping:
    """The `cluster:` map of the context's cluster ({} if there is none)."""
    return _named_entry(merged, "clusters", ctx.get("cluster"), "cluster")


def _named_entry(merged, section: str, name: object, key: str) -> Mapping:
    item = _plain(_named_item(merged, section, name))
    entry = _plain(item.get(key)) if item is not None else None
    return entry if isinstance(entry, Mapping) else {}


def _named_item(merged, section: str, name: object):
    """The `- name: NAME` item of a kubeconfig list (a ConfigNode: it knows its file), or None."""
    for item in merged.value.get(section) or []:
        if isinstance(_plain(item), Mapping) and _plain(item).get("name") == name:
            return item
    return None


_KINDS = {str: "a string", list: "a list", dict: "a map", bool: "true or false", int: "a number", float: "a number"}


def _check_user_entry(merged, name: str, shown: str) -> None:
    """kubectl reads `user: null`, or no `user:`, as a user without credentials (the
    client stopped with a Python repr); so do we. Anything else but a map kubectl
    refuses too ("cannot unmarshal string into ... v1.AuthInfo"): say which entry."""
    node = _named_item(merged, "users", name)
    item = _plain(node)
    if not isinstance(item, dict):
        return
    entry = _plain(item.get("user"))
    if entry is None:
        item["user"] = {}
    elif not isinstance(entry, Mapping):
        kind = _KINDS.get(type(entry), f"a {type(entry).__name__}")
        raise ConfigError(f'user "{name}" in {shown} is {kind}, not a map of credentials (token, client-certificate, exec, ...): '
                          "fix its user: field")
    elif isinstance(entry.get("exec"), Mapping):
        _check_exec_complete(entry["exec"], f'exec of user "{name}" in {getattr(node, "path", None) or shown}')


def _fields(merged, ctx: Mapping, names: tuple[str, ...]) -> Iterator[tuple[str, object]]:
    """('FIELD of cluster "NAME"', value) for each of these fields the context's cluster or user sets."""
    for kind in ("cluster", "user"):
        entry = _named_entry(merged, kind + "s", ctx.get(kind), kind)
        for field in names:
            if entry.get(field) is not None:
                yield f'{field} of {kind} "{ctx.get(kind)}"', entry[field]


def _bad_base64_field(merged, ctx: Mapping) -> str | None:
    """Which `*-data` field of the context's cluster or user the client could not
    decode as base64 (as kubectl, which says only "illegal base64 data")."""
    for field, value in _fields(merged, ctx, ("certificate-authority-data", "client-certificate-data", "client-key-data")):
        try:
            base64.standard_b64decode(str(value))
        except binascii.Error:
            return field
    return None


# What the client says, and all it says, when a certificate-authority, client-certificate
# or client-key is not a file (kubectl: "unable to read client-cert PATH for USER due to ...").
_CLIENT_MISSING_FILE = "File does not exist: "


def _unreadable_file(merged, ctx: Mapping, path: str, shown: str) -> ConfigError | None:
    """The error for `path`, a file the client could not read, naming the field of the
    context's cluster or user that names it (None if none does). Relative paths are
    from the directory of the kubeconfig that names them."""
    items = (_named_item(merged, "clusters", ctx.get("cluster")), _named_item(merged, "users", ctx.get("user")))
    bases = {os.path.dirname(os.path.abspath(item.path)) for item in items if getattr(item, "path", None)} or {""}
    fields = _fields(merged, ctx, ("certificate-authority", "tokenFile", "client-certificate", "client-key"))
    field = next((f for f, value in fields if isinstance(value, str) and value
                  and any(os.path.normpath(os.path.join(base, value)) == path for base in bases)), None)
    if field is None:
        return None
    advice = "check the path"
    try:
        open(path, "rb").close()
        why = "not a regular file"
    except OSError as exc:
        why = (exc.strerror or _one_line(exc)).lower()
        if isinstance(exc, PermissionError):
            advice = "check its permissions, or run as its owner"
    return ConfigError(f"{field} in {shown} names {path}, which cannot be read ({why}): {advice}")


def _server_problem(server: str) -> str | None:
    """Why kubectl would refuse this server URL, or None. No scheme is fine: http."""
    try:
        url = parse_url(server if "://" in server else "http://" + server)
    except LocationParseError as exc:
        return _one_line(exc)
    if "://" not in server and url.path not in (None, "", "/"):
        # client-go's DefaultServerURL: "host must be a URL or a host:port pair".
        return "a path but no scheme: kubectl takes a URL or a host:port pair"
    if url.scheme not in ("http", "https"):
        return f"scheme {url.scheme}: use https:// or http://"
    if not url.host:
        return "no host"
    return None


def _check_tls_files(configuration: Configuration, cluster: str, user: str,
                     unreadable: Callable[[str], ConfigError | None]) -> None:
    """Load the CA and client certificate now: at the handshake a garbage client
    certificate read as a TLS failure that blamed the cluster's certificate-authority.
    A file that cannot be opened (permission denied) is named by `unreadable`, as a
    missing one is: "holds no usable certificate (Permission denied)" blamed its content."""
    context = ssl.create_default_context()
    checks = (
        (configuration.ssl_ca_cert, lambda: context.load_verify_locations(cafile=configuration.ssl_ca_cert),
         f"the certificate-authority of {cluster} holds no usable certificate", "check it is the cluster's CA, in PEM",
         (configuration.ssl_ca_cert,)),
        (configuration.cert_file,
         lambda: context.load_cert_chain(configuration.cert_file, configuration.key_file, password=_no_passphrase),
         f"the client certificate and key of {user} cannot be used", "check both are PEM and the key is the certificate's",
         (configuration.cert_file, configuration.key_file)),
    )
    for present, load, problem, advice, paths in checks:
        if not present:
            continue
        try:
            load()
        except _Encrypted:
            raise ConfigError(f"the client-key of {user} is encrypted with a passphrase, which podtui (like kubectl) "
                              "cannot ask for: decrypt it (openssl pkey -in KEY -out PLAIN-KEY) and name that") from None
        except ssl.SSLError as exc:
            # OpenSSL says only "PEM lib" when a file is not PEM or the key doesn't match.
            raise ConfigError(f"{problem} ({exc.reason or 'not PEM, or a key that does not match'}): {advice}") from None
        except OSError as exc:
            for path in paths:
                if path and not _can_open(path):
                    error = unreadable(path)
                    if error is not None:
                        raise error from None
            raise ConfigError(f"{problem} ({exc.strerror or _one_line(exc)}): {advice}") from None


class _Encrypted(Exception):
    pass


def _no_passphrase() -> str:
    # Without a callback OpenSSL asks "Enter PEM pass phrase:" on the terminal, and
    # blocks there (kubectl: "tls: failed to parse private key").
    raise _Encrypted


def _can_open(path: str) -> bool:
    try:
        open(path, "rb").close()
    except OSError:
        return False
    return True


SOCKS_SCHEMES = ("socks5", "socks5h", "socks4", "socks4a")


def _environment_proxy(configuration: Configuration) -> None:
    """The client took a proxy from HTTPS_PROXY/HTTP_PROXY/ALL_PROXY: read it as Go
    (so kubectl) does. A bare host:port is http://, ALL_PROXY is no proxy (Go reads no
    such variable), and a server on this machine is never proxied (else `podtui demo`
    went to a corporate proxy and was refused)."""
    proxy = configuration.proxy
    if not proxy:
        return
    url = parse_url(configuration.host)
    host = (url.host or "").strip("[]").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    from_all = not getproxies().get(url.scheme or "http")  # the client fell back on ALL_PROXY
    if loopback or from_all or should_bypass_proxies(configuration.host, configuration.no_proxy or ""):
        configuration.proxy = None  # not used, so not checked either
        return
    if "://" not in proxy:
        configuration.proxy = proxy = "http://" + proxy
    _check_proxy_url(proxy, f'the proxy "{proxy}" from the environment (HTTPS_PROXY or HTTP_PROXY)')
    configuration.podtui_proxy_origin = f"{'HTTPS' if url.scheme == 'https' else 'HTTP'}_PROXY in the environment"


def _check_proxy_url(proxy: str | None, what: str) -> None:
    """A proxy urllib3 can use, or a ConfigError (urllib3 would raise only when connecting)."""
    if not proxy:
        return
    try:
        url = parse_url(proxy)
    except LocationParseError as exc:
        raise ConfigError(f"{what} is not a valid URL ({_one_line(exc)}): use http://HOST:PORT") from None
    if url.scheme in SOCKS_SCHEMES:
        try:
            import socks  # noqa: F401 - urllib3's SOCKS support needs PySocks
        except ImportError:
            raise ConfigError(f"{what} is a SOCKS proxy, which needs the PySocks package: pip install pysocks, or use an http:// proxy") from None
    elif url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{what} is not an http, https or socks5 URL: use http://HOST:PORT")


def _plain(node: object) -> object:
    # The merger wraps each merged entry in a ConfigNode (which remembers its file).
    return node.value if isinstance(node, ConfigNode) else node


def _namespace(options: ConnectionOptions, default: str) -> str | None:
    if options.all_namespaces:
        return None
    return options.namespace or default


def _in_cluster_available(environ: Mapping[str, str], service_account_dir: str | None) -> bool:
    token = os.path.join(service_account_dir, "token") if service_account_dir else SERVICE_TOKEN_FILENAME
    return bool(environ.get(SERVICE_HOST_ENV_NAME)) and bool(environ.get(SERVICE_PORT_ENV_NAME)) and os.path.isfile(token)


def _in_cluster_connection(options: ConnectionOptions, environ: Mapping[str, str], service_account_dir: str | None) -> Connection:
    base = Path(service_account_dir) if service_account_dir else None
    token_file = str(base / "token") if base else SERVICE_TOKEN_FILENAME
    cert_file = str(base / "ca.crt") if base else SERVICE_CERT_FILENAME
    ns_file = str(base / "namespace") if base else SERVICE_NAMESPACE_FILENAME
    try:
        default_ns = Path(ns_file).read_text().strip() or "default"
    except OSError:
        default_ns = "default"

    def load() -> Configuration:
        configuration = Configuration()
        try:
            InClusterConfigLoader(token_filename=token_file, cert_filename=cert_file, environ=dict(environ)).load_and_set(configuration)
        except (ConfigException, OSError) as exc:
            raise ConfigError(f"in-cluster config (service account in {os.path.dirname(token_file)}): {_one_line(exc)}") from None
        _environment_proxy(configuration)
        return configuration

    scope = Scope(context=IN_CLUSTER, namespace=_namespace(options, default_ns), label_selector=options.label_selector, field_selector=options.field_selector)
    return Connection(load, scope, user="serviceaccount", request_timeout=options.request_timeout)


# -------------------------------------------------------------------- error mapping


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _root_cause(exc: BaseException) -> BaseException:
    """urllib3 wraps the socket/ssl error a few levels deep; find the innermost."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if isinstance(inner, BaseException):
            exc = inner
            continue
        if exc.__cause__ is not None:
            exc = exc.__cause__
            continue
        if exc.__context__ is not None and not isinstance(exc, (ssl.SSLError, OSError)):
            exc = exc.__context__
            continue
        break
    return exc


def is_tls_error(exc: BaseException) -> bool:
    return isinstance(exc, urllib3.exceptions.SSLError) or isinstance(_root_cause(exc), ssl.SSLError)


def answered_in_plain_http(exc: BaseException) -> bool:
    """Whether an https:// request got a plain-HTTP answer: OpenSSL reads "HTTP/1.1 ..."
    as a TLS record of an unknown version (kubectl: "server gave HTTP response to HTTPS
    client"). Blaming the certificate-authority sent users the wrong way."""
    root = _root_cause(exc)
    return isinstance(root, ssl.SSLError) and root.reason == "WRONG_VERSION_NUMBER"


def _through_proxy(exc: BaseException) -> bool:
    """Whether the request failed at the proxy (urllib3 wraps that in a ProxyError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, urllib3.exceptions.ProxyError):
            return True
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        exc = inner if isinstance(inner, BaseException) else exc.__cause__ or exc.__context__
    return False


def transport_reason(exc: BaseException, proxy: tuple[str, str] | None = None) -> str:
    """A short why for a failed connection: "connection refused", "read timeout", ...
    With the connection's proxy: said to be the proxy's when it was."""
    if proxy is not None and _through_proxy(exc):
        return f"proxy {proxy[0]}: {transport_reason(exc)}"
    root = _root_cause(exc)
    if answered_in_plain_http(exc):
        return "the server answered in plain HTTP, not TLS"
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"TLS certificate verify failed: {root.verify_message or _one_line(root)}"
    if isinstance(root, ssl.SSLError):
        return f"TLS error: {root.reason or _one_line(root)}"
    if isinstance(root, ConnectionRefusedError):
        return "connection refused"
    if isinstance(root, ConnectionResetError):
        return "connection reset"
    if isinstance(root, socket.gaierror):
        return f"cannot resolve host name ({root.strerror or root})"
    # urllib3's NewConnectionError subclasses ConnectTimeoutError: check causes first.
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "no data within the read timeout"
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError) or isinstance(root, (TimeoutError, socket.timeout)):
        return "connection timed out"
    if isinstance(exc, urllib3.exceptions.ProtocolError) or isinstance(root, (urllib3.exceptions.ProtocolError, ConnectionError)):
        return "connection closed by the server"
    if isinstance(root, OSError) and root.strerror:
        return root.strerror.lower()
    return _one_line(root) or type(root).__name__


def describe_transport_error(exc: BaseException, server: str, proxy: tuple[str, str] | None = None, *,
                             timeouts: tuple[float, float] | None = None, flag_set: bool = False) -> ConnectError:
    """A startup error for a request that never got an HTTP answer. `proxy`: the
    connection's (URL, where it was set), so that a dead proxy is not blamed on the cluster.
    `timeouts`: the request's (connect, read) limits, named when one ran out, as
    --request-timeout changes them (`flag_set`: it did)."""
    if proxy is not None and _through_proxy(exc):
        url, origin = proxy
        reason = transport_reason(exc)
        if reason.lower().startswith("tunnel connection failed"):
            # The proxy is up; it answered the CONNECT with an error of its own.
            why = reason.split(":", 1)[-1].strip()
            return ConnectError(f"the proxy {url} would not connect to the API server at {server} ({why}): "
                                f"is the cluster up? check the proxy allows it, or fix {origin}")
        return ConnectError(f"cannot reach the proxy {url} on the way to the API server at {server}: {reason} "
                            f"(is the proxy running? check {origin})")
    if answered_in_plain_http(exc):
        return ConnectError(f"the server at {server} answered in plain HTTP, not TLS: "
                            "check http:// vs https:// in the kubeconfig's server URL")
    if is_tls_error(exc):
        return ConnectError(
            f"TLS handshake with the API server at {server} failed: {transport_reason(exc)} "
            "(check the cluster's certificate-authority in the kubeconfig)"
        )
    reason = transport_reason(exc)
    if timeouts is not None and reason in ("no data within the read timeout", "connection timed out"):
        limit = timeouts[1] if reason.startswith("no data") else timeouts[0]
        what = "no answer within" if reason.startswith("no data") else "connection timed out after"
        longer = ", or raise --request-timeout" if flag_set else "; --request-timeout sets how long to wait"
        return ConnectError(f"cannot reach the API server at {server}: {what} {limit:g}s "
                            f"(is the cluster up? check --context{longer})")
    if server.startswith("http://") and reason in ("connection reset", "connection closed by the server"):
        # Plain http to a TLS port: the server hangs up on what it can't read.
        return ConnectError(f"cannot reach the API server at {server}: {reason} (is it an https server? the kubeconfig's server URL says http)")
    return ConnectError(f"cannot reach the API server at {server}: {reason} (is the cluster up? check --context)")


_USER_RE = re.compile(r'User "([^"]*)"')
_VERB_RE = re.compile(r'cannot (\w+) resource "([^"]+)"')


def status_message(body: bytes) -> str:
    """The message of a metav1.Status body, or the body's first line."""
    try:
        status = orjson.loads(body)
        if isinstance(status, dict) and isinstance(status.get("message"), str):
            return _one_line(status["message"])
    except orjson.JSONDecodeError:
        pass
    text = body[:4096].decode("utf-8", "replace")
    if _is_html(text):
        # A proxy's or a login portal's page: its title says whose, the markup says nothing.
        title = _HTML_TITLE.search(text)
        name = _one_line(html.unescape(title.group(1)))[:120] if title else ""
        return f'an HTML page ("{name}")' if name else "an HTML page"
    return _one_line(text[:300])


_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _is_html(text: str) -> bool:
    head = text.lstrip()[:15].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<title"))


def describe_http_error(status: int, body: bytes, *, verb: str, resource: str, connection: Connection,
                        location: str = "") -> ConnectError:
    """One line for an HTTP error answer to `verb resource` in the connection's scope."""
    server = connection.server
    message = status_message(body)
    user_match = _USER_RE.search(message)
    user = user_match.group(1) if user_match else connection.user or "unknown"
    if status == 401 and not connection.user_defined:
        return ConnectError(
            f"the API server at {server} wants credentials (401 Unauthorized), but context \"{connection.scope.context}\" "
            f"names user \"{connection.user}\", which the kubeconfig does not define: add it to users or fix the context"
        )
    if status == 401:
        return ConnectError(
            f"the API server at {server} rejected the credentials (401 Unauthorized) for user \"{user}\" "
            f"of context \"{connection.scope.context}\": log in again or check the kubeconfig's user entry"
        )
    if status == 403:
        denied = _VERB_RE.search(message)
        verb, resource = (denied.group(1), denied.group(2)) if denied else (verb, resource)
        if connection.scope.namespace is None:
            return ConnectError(f'{resource} is forbidden at the cluster scope for user "{user}" ({verb} {resource}): try -n NAMESPACE')
        return ConnectError(
            f'{resource} is forbidden in namespace "{connection.scope.namespace}" for user "{user}" ({verb} {resource}): '
            "ask for access or try another -n NAMESPACE"
        )
    if status == 404:
        if message.startswith("an HTML page"):  # 'an HTML page ("Error response")'
            page = message.removeprefix("an HTML page").strip().removeprefix("(").removesuffix(")")
            said = "404, and the reply is an HTML page" + (f": {page}" if page else "")
        else:
            said = f"404: {message}" if message else "404"
        return ConnectError(f"the server at {server} has no {resource} API ({said}): is it a Kubernetes API server? check --context")
    scope = connection.scope
    if status == 400 and (scope.label_selector or scope.field_selector) and resource == PODS:
        # kubectl: 'Error from server (BadRequest): Unable to find ... that match label
        # selector "...", field selector "...": <why>'. Say which flag to fix.
        flags = [f'-l "{scope.label_selector}"'] if scope.label_selector else []
        if scope.field_selector:
            flags.append(f'--field-selector "{scope.field_selector}"')
        return ConnectError(f"the API server at {server} refused {' and '.join(flags)} (400 Bad Request): {message}: "
                            f"fix the selector")
    if status == 407:
        advice = "a proxy wants credentials: put them in the proxy URL, as http://USER:PASSWORD@HOST:PORT"
    elif 300 <= status < 400:
        message = f"redirected to {location}" if location else message
        advice = "is a login page or proxy in the way? check the server URL"
    elif message.startswith("an HTML page"):
        advice = "is a proxy or a login page in the way? check the server URL and any proxy"
    elif status >= 500:
        advice = "the API server is failing; try again, or check the cluster's health"
    else:
        advice = "check --context"
    return ConnectError(f"the API server at {server} answered {status} to {verb} {resource}: {message or 'no message'} ({advice})")


@dataclass
class HttpFailure(Exception):
    """An HTTP error answer, kept raw so the watch loop can decide what to do."""

    status: int
    body: bytes = b""
    retry_after: float | None = None  # seconds, from Retry-After
    verb: str = ""  # what we were doing: list / watch
    generation: int = 0  # Connection.generation of the credentials that were sent
    location: str = ""  # a redirect's Location

    def __str__(self) -> str:
        return f"HTTP {self.status}: {status_message(self.body)}"
