"""What the server says about itself: /version, /api, /apis and the resource lists.

kubectl 1.32 first asks /api and /apis for aggregated discovery
(`Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...`)
and falls back to the legacy documents when a plain APIVersions/APIGroupList comes
back; both are served. Verbs are the ones this server really implements.
"""

from __future__ import annotations

EVENTS_GROUP = "events.k8s.io"
AUTHN_GROUP = "authentication.k8s.io"
AUTHZ_GROUP = "authorization.k8s.io"
# The API groups under /apis, in a kube-apiserver's order.
GROUPS = (EVENTS_GROUP, AUTHN_GROUP, AUTHZ_GROUP)

# The version kubectl's dispatcher (/usr/bin/kubectl on gcloud installs) reads to pick
# a matching client binary.
VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "podtui",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T00:00:00Z",
    "goVersion": "go1.23.4",
    "compiler": "gc",
    "platform": "linux/amd64",
}

_POD_VERBS = ["delete", "get", "list", "watch"]
_EVENT_VERBS = ["get", "list", "watch"]

# core/v1 and events.k8s.io/v1 both serve Events.
_EVENTS_RESOURCE = {
    "name": "events",
    "singularName": "event",
    "namespaced": True,
    "kind": "Event",
    "verbs": _EVENT_VERBS,
    "shortNames": ["ev"],
}

_RESOURCES = {
    "": [
        _EVENTS_RESOURCE,
        {
            "name": "pods",
            "singularName": "pod",
            "namespaced": True,
            "kind": "Pod",
            "verbs": _POD_VERBS,
            "shortNames": ["po"],
            "categories": ["all"],
        },
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace", "verbs": ["get", "list"], "shortNames": ["ns"]},
        {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
        {"name": "pods/status", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
    ],
    EVENTS_GROUP: [
        _EVENTS_RESOURCE,
    ],
    # The self reviews `kubectl auth whoami` and `kubectl auth can-i` create.
    AUTHN_GROUP: [
        {"name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": False, "kind": "SelfSubjectReview", "verbs": ["create"]},
    ],
    AUTHZ_GROUP: [
        {"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": False, "kind": "SelfSubjectAccessReview", "verbs": ["create"]},
        {"name": "selfsubjectrulesreviews", "singularName": "selfsubjectrulesreview", "namespaced": False, "kind": "SelfSubjectRulesReview", "verbs": ["create"]},
    ],
}


def verbs(group: str, resource: str) -> list[str]:
    """What this server implements on a resource, as discovery says ([] when not served)."""
    for res in _RESOURCES.get(group, []):
        if res["name"] == resource:
            return res["verbs"]
    return []


def resources(group: str) -> list[str]:
    """Resource names, subresources as "pods/status"."""
    return [res["name"] for res in _RESOURCES.get(group, [])]

AGGREGATED_MEDIA = "application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


def api_versions(server_address: str) -> dict:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_version(group: str) -> dict:
    return {"groupVersion": f"{group}/v1", "version": "v1"}


def api_group(group: str) -> dict:
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [_group_version(group)],
        "preferredVersion": _group_version(group),
    }


def api_group_list() -> dict:
    groups = []
    for name in GROUPS:
        group = api_group(name)
        del group["kind"], group["apiVersion"]
        groups.append(group)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(group: str) -> dict:
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/v1" if group else "v1",
        "resources": _RESOURCES[group],
    }


def _aggregated_resource(group: str, res: dict) -> dict:
    out = {
        "resource": res["name"],
        "responseKind": {"group": group, "version": "v1", "kind": res["kind"]},
        "scope": "Namespaced" if res["namespaced"] else "Cluster",
        "singularResource": res["singularName"],
        "verbs": res["verbs"],
    }
    for field in ("shortNames", "categories"):
        if field in res:
            out[field] = res[field]
    subs = [r for r in _RESOURCES[group] if r["name"].startswith(res["name"] + "/")]
    if subs:
        out["subresources"] = [
            {"subresource": r["name"].split("/", 1)[1], "responseKind": {"group": group, "version": "v1", "kind": r["kind"]}, "verbs": r["verbs"]}
            for r in subs
        ]
    return out


def aggregated(groups: list[str], version: str) -> dict:
    """An APIGroupDiscoveryList (apidiscovery.k8s.io `version`: v2 or v2beta1)."""
    items = []
    for group in groups:
        meta: dict = {"creationTimestamp": None}
        if group:
            meta["name"] = group
        items.append(
            {
                "metadata": meta,
                "versions": [
                    {
                        "version": "v1",
                        "resources": [_aggregated_resource(group, r) for r in _RESOURCES[group] if "/" not in r["name"]],
                        "freshness": "Current",
                    }
                ],
            }
        )
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}", "metadata": {}, "items": items}
