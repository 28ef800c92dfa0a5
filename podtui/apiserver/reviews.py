"""The self reviews kubectl creates before or instead of acting: `kubectl auth can-i`
(SelfSubjectAccessReview, and SelfSubjectRulesReview for --list) and `kubectl auth
whoami` (SelfSubjectReview).

This server has no RBAC: whoever may talk to it may do whatever it implements, so
the answers say exactly that: allowed for the verbs discovery lists, denied (with no
reason, as RBAC's "no opinion" reads) for everything else. kubectl sends these bodies
as protobuf (application/vnd.kubernetes.protobuf), hence the small decoder.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from podtui.apiserver import discovery
from podtui.apiserver.discovery import AUTHN_GROUP, AUTHZ_GROUP
from podtui.apiserver.status import APIError, bad_request

ACCESS = "selfsubjectaccessreviews"
RULES = "selfsubjectrulesreviews"
WHOAMI = "selfsubjectreviews"
REVIEWS = {(AUTHZ_GROUP, ACCESS): "SelfSubjectAccessReview", (AUTHZ_GROUP, RULES): "SelfSubjectRulesReview", (AUTHN_GROUP, WHOAMI): "SelfSubjectReview"}

PROTOBUF = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"

# Non-resource URLs anyone may GET here (the system:public-info-viewer and
# system:discovery ClusterRoles of a real cluster).
NON_RESOURCE_URLS = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*", "/version", "/version/"]


# ---- protobuf, as far as these reviews need it -----------------------------------

Schema = dict[int, "tuple[str, Schema | None]"]  # field number -> (JSON name, message schema; None: a string)

_RESOURCE_ATTRIBUTES: Schema = {
    1: ("namespace", None), 2: ("verb", None), 3: ("group", None), 4: ("version", None),
    5: ("resource", None), 6: ("subresource", None), 7: ("name", None),
}
_NON_RESOURCE_ATTRIBUTES: Schema = {1: ("path", None), 2: ("verb", None)}
_SCHEMAS: dict[str, Schema] = {
    ACCESS: {2: ("spec", {1: ("resourceAttributes", _RESOURCE_ATTRIBUTES), 2: ("nonResourceAttributes", _NON_RESOURCE_ATTRIBUTES)})},
    RULES: {2: ("spec", {1: ("namespace", None)})},
    WHOAMI: {},
}


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(data, i)
        elif wire in (1, 2, 5):
            size = {1: 8, 5: 4}.get(wire)
            if size is None:
                size, i = _varint(data, i)
            value = data[i : i + size]
            if len(value) != size:
                raise ValueError("truncated field")
            i += size
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _message(data: bytes, schema: Schema) -> dict:
    out: dict = {}
    for number, wire, value in _fields(data):
        if number not in schema or wire != 2:
            continue  # metadata, status and fields these reviews do not read
        name, sub = schema[number]
        assert isinstance(value, bytes)
        out[name] = value.decode("utf-8") if sub is None else _message(value, sub)
    return out


def _from_protobuf(body: bytes, resource: str) -> dict:
    """runtime.Unknown envelope (magic, then typeMeta=1, raw=2) -> the review as JSON would say it."""
    if not body.startswith(_MAGIC):
        raise ValueError("no protobuf envelope")
    raw = b""
    for number, wire, value in _fields(body[len(_MAGIC) :]):
        if number == 2 and wire == 2:
            assert isinstance(value, bytes)
            raw = value
    return _message(raw, _SCHEMAS[resource])


def decode(body: bytes, content_type: str, resource: str) -> dict:
    media = content_type.split(";")[0].strip().lower()
    try:
        if media == PROTOBUF:
            return _from_protobuf(body, resource)
        if media in ("", "application/json"):
            doc = orjson.loads(body or b"{}")
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            return doc
    except (ValueError, UnicodeDecodeError, orjson.JSONDecodeError) as err:
        raise bad_request(f"the body of the request could not be decoded: {err}") from None
    raise APIError(
        415,
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        reason="UnsupportedMediaType",
    )


# ---- the answers ---------------------------------------------------------------------

# (group, resource) -> verbs, for everything discovery lists.
def _served() -> dict[tuple[str, str], list[str]]:
    return {(g, r): discovery.verbs(g, r) for g in ("", *discovery.GROUPS) for r in discovery.resources(g)}


def _allowed_resource(attrs: dict) -> bool:
    verb, group, resource, sub = (attrs.get(k, "") for k in ("verb", "group", "resource", "subresource"))
    if "*" in (verb, group, resource):
        return False  # nobody holds wildcard rights here
    return verb in _served().get((group, f"{resource}/{sub}" if sub else resource), [])


def _allowed_path(attrs: dict) -> bool:
    path = attrs.get("path", "")
    if attrs.get("verb") != "get":
        return False
    return any(path == url or (url.endswith("*") and path.startswith(url[:-1])) for url in NON_RESOURCE_URLS)


def _object(kind: str, group: str, **fields) -> dict:
    return {"kind": kind, "apiVersion": f"{group}/v1", "metadata": {"creationTimestamp": None}, **fields}


def answer(resource: str, review: dict, user: str) -> dict:
    spec = review.get("spec") if isinstance(review.get("spec"), dict) else {}
    if resource == ACCESS:
        res, non = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
        if isinstance(res, dict) == isinstance(non, dict):
            raise _invalid_access(res is not None)
        allowed = _allowed_resource(res) if isinstance(res, dict) else _allowed_path(non)  # type: ignore[arg-type]
        return _object("SelfSubjectAccessReview", AUTHZ_GROUP, spec=spec, status={"allowed": allowed})
    if resource == RULES:
        if not spec.get("namespace"):
            raise bad_request("no namespace on request")
        rules = [{"verbs": verbs, "apiGroups": [group], "resources": [res]} for (group, res), verbs in _served().items()]
        status = {
            "resourceRules": rules,
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": NON_RESOURCE_URLS}],
            "incomplete": False,
        }
        return _object("SelfSubjectRulesReview", AUTHZ_GROUP, spec=spec, status=status)
    groups = ["system:authenticated"] if user != "system:anonymous" else ["system:unauthenticated"]
    return _object("SelfSubjectReview", AUTHN_GROUP, status={"userInfo": {"username": user, "groups": groups}})


def _invalid_access(both: bool) -> APIError:
    # ValidateSelfSubjectAccessReviewSpec: exactly one of the two attribute sets.
    if both:
        cause = "spec.nonResourceAttributes: Invalid value: \"object\": cannot be specified in combination with resourceAttributes"
    else:
        cause = "spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified"
    return APIError(422, f'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: {cause}', details={"group": AUTHZ_GROUP, "kind": "SelfSubjectAccessReview"})
