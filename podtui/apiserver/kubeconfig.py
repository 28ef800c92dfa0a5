"""A kubeconfig that points kubectl and the Python client at a podtui API server."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml

from podtui.errors import UsageError


def kubeconfig(
    server: str,
    *,
    context: str = "podtui-demo",
    namespace: str | None = None,
    token: str | None = None,
    ca_pem: bytes | None = None,
) -> dict:
    cluster: dict = {"server": server}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode("ascii")
    user: dict = {"token": token} if token else {}
    ctx: dict = {"cluster": context, "user": context}
    if namespace:
        ctx["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": context, "cluster": cluster}],
        "users": [{"name": context, "user": user}],
        "contexts": [{"name": context, "context": ctx}],
        "current-context": context,
    }


def write_kubeconfig(path: str | os.PathLike, config: dict) -> None:
    """Write atomically with mode 0600: it may hold a bearer token. Only over a file
    this wrote for the same context (see refuse_to_replace)."""
    path = Path(path)
    refuse_to_replace(path, config["current-context"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    os.replace(tmp, path)


def refuse_to_replace(path: str | os.PathLike, context: str = "podtui-demo") -> None:
    """Before writing: `--write-kubeconfig ~/.kube/config` replaced the user's real
    kubeconfig without a word. A file is replaced only when it is one podtui wrote for
    `context` (so the demo run again with the same FILE works), or empty (mktemp's)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # nothing there to lose
        return
    except (OSError, UnicodeDecodeError):  # a directory, unreadable: nothing says it is ours
        text = None
    if text is not None and (not text.strip() or _names_only(text, context)):
        return
    raise UsageError(f"{path} exists and is not a demo kubeconfig: choose another file, or remove it first")


def _names_only(text: str, context: str) -> bool:
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    if not isinstance(config, dict) or config.get("kind") != "Config":
        return False
    names = set()
    for key in ("clusters", "users", "contexts"):
        entries = config.get(key) or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return False
        names.update(e.get("name") for e in entries)
    return names <= {context} and config.get("current-context") in (context, None, "")
