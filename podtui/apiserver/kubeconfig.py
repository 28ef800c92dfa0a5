"""A kubeconfig that points kubectl and the Python client at a podtui API server."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml


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
    """Write atomically with mode 0600: it may hold a bearer token."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    os.replace(tmp, path)
