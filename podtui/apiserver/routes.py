"""URL paths of the Kubernetes REST API, as far as this server serves them."""

from __future__ import annotations

from dataclasses import dataclass

from podtui.apiserver.discovery import AUTHN_GROUP, AUTHZ_GROUP, EVENTS_GROUP, GROUPS
from podtui.apiserver.reviews import REVIEWS
from podtui.apiserver.storage import EVENTS, PODS

# (group, resource) pairs that are served; the events.k8s.io group serves events only.
SERVED = {("", PODS), ("", EVENTS), (EVENTS_GROUP, EVENTS)}
# Read-only: `kubectl get pod X --subresource=status`, `kubectl logs`.
SUBRESOURCES = {("", "pods/status"), ("", "pods/log")}

# The health endpoints and their individual checks (this server has two: ping, log).
HEALTH_CHECKS = ("ping", "log")
HEALTH_PATHS = frozenset(f"/{e}{c}" for e in ("healthz", "livez", "readyz") for c in ("", *(f"/{c}" for c in HEALTH_CHECKS)))
PUBLIC_PATHS = frozenset({"/version", "/version/"}) | HEALTH_PATHS


@dataclass(frozen=True, slots=True)
class Route:
    kind: str  # "version", "health", "api", "apis", "group", "resources", "object", "namespace", "review", "unknown"
    group: str = ""
    resource: str = ""
    namespace: str | None = None
    name: str | None = None
    watch_path: bool = False  # the deprecated /watch/ prefix: always a watch
    subresource: str = ""  # "status" (the object itself) or "log"


UNKNOWN = Route("unknown")


def route(path: str) -> Route:
    if path in ("/version", "/version/"):
        return Route("version")
    if path in HEALTH_PATHS:
        endpoint, _, check = path[1:].partition("/")
        return Route("health", group=endpoint, name=check or None)
    parts = [p for p in path.split("/") if p]
    if not parts:
        return UNKNOWN
    if parts[0] == "api":
        if len(parts) == 1:
            return Route("api")
        if parts[1] != "v1":
            return UNKNOWN
        group, rest = "", parts[2:]
    elif parts[0] == "apis":
        if len(parts) == 1:
            return Route("apis")
        if parts[1] not in GROUPS:
            return UNKNOWN
        if len(parts) == 2:
            return Route("group", group=parts[1])
        if parts[2] != "v1":
            return UNKNOWN
        group, rest = parts[1], parts[3:]
    else:
        return UNKNOWN
    if not rest:
        return Route("resources", group=group)
    if group in (AUTHN_GROUP, AUTHZ_GROUP):
        if len(rest) == 1 and (group, rest[0]) in REVIEWS:
            return Route("review", group=group, resource=rest[0])
        return UNKNOWN
    watch = rest[0] == "watch"
    if watch:
        rest = rest[1:]
    if group == "" and rest[0] == "namespaces" and len(rest) <= 2:
        # Read-only and derived (podtui.apiserver.namespaces); a watch is refused.
        return Route("namespace", resource="namespaces", name=rest[1] if len(rest) == 2 else None, watch_path=watch)
    namespace = None
    if len(rest) >= 2 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    subresource = ""
    if len(rest) == 3 and namespace is not None and not watch and (group, f"{rest[0]}/{rest[2]}") in SUBRESOURCES:
        subresource, rest = rest[2], rest[:2]
    if len(rest) not in (1, 2) or (len(rest) == 2 and namespace is None):
        return UNKNOWN
    resource = rest[0]
    if (group, resource) not in SERVED:
        return UNKNOWN
    name = rest[1] if len(rest) == 2 else None
    return Route("object", group=group, resource=resource, namespace=namespace, name=name, watch_path=watch, subresource=subresource)
