"""The REST verbs on pods and events: list, get, watch, delete.

Query parameters and their validation follow staging/src/k8s.io/apiserver/pkg/
endpoints/handlers/get.go and apimachinery's ListOptions validation: `limit` /
`continue`, `labelSelector`, `fieldSelector`, `resourceVersion` +
`resourceVersionMatch`, `watch`, `allowWatchBookmarks`, `timeoutSeconds`,
`sendInitialEvents`, and for Tables `includeObject`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson

from podtui.apiserver import tables
from podtui.apiserver.discovery import EVENTS_GROUP
from podtui.apiserver.eventsv1 import VIEW as EVENTS_V1_VIEW
from podtui.apiserver.eventsv1 import to_events_v1
from podtui.apiserver.routes import Route
from podtui.apiserver.selectors import (
    EVENTS_V1_FIELD_ALIASES,
    Predicate,
    combine,
    go_quote,
    parse_field_selector,
    parse_label_selector,
    requires_exact_match,
)
from podtui.apiserver.status import APIError, bad_request, expired_continue, not_found, too_large_resource_version
from podtui.apiserver.storage import KINDS, PODS, Entry, Storage
from podtui.apiserver.watch import WatchSpec
from podtui.lifecycle.times import format_ts

NOT_OLDER_THAN = "NotOlderThan"
EXACT = "Exact"

def parse_bool(query: dict[str, str], name: str) -> bool | None:
    """runtime.Convert_Slice_string_To_bool, as the API server decodes boolean query
    parameters: only "false" and "0" (any case) are false; anything else, "" and
    "maybe" too, is true. None when the parameter is absent."""
    value = query.get(name)
    if value is None:
        return None
    return value.lower() not in ("false", "0")


def _go_int(value: str, bits: int, signed: bool) -> int | None:
    # strconv.Parse(U)Int(value, 10, bits): an optional sign (ParseInt only), ASCII digits.
    digits = value[1:] if signed and value[:1] in "+-" else value
    if not (digits.isascii() and digits.isdigit()):
        return None
    return int(value)


def _strconv_error(func: str, value: str, number: int | None) -> str:
    reason = "invalid syntax" if number is None else "value out of range"
    return f"strconv.{func}: parsing {go_quote(value)}: {reason}"


def parse_int(query: dict[str, str], name: str) -> int | None:
    """An int64 query parameter; a bad one is the 400 DecodeParameters answers with
    strconv's own error ("strconv.ParseInt: parsing "x": invalid syntax")."""
    value = query.get(name)
    if value is None:
        return None
    number = _go_int(value, 64, signed=True)
    if number is None or not -(2**63) <= number < 2**63:
        raise bad_request(_strconv_error("ParseInt", value, number))
    return number


def _invalid(field: str, detail: str, kind: str = "Forbidden", reason: str = "FieldValueForbidden") -> APIError:
    # apimachinery's ListOptions validation answers 422 Invalid.
    return APIError(
        422,
        f'ListOptions.meta.k8s.io "" is invalid: {field}: {kind}: {detail}',
        details={"group": "meta.k8s.io", "kind": "ListOptions", "causes": [{"reason": reason, "message": f"{kind}: {detail}", "field": field}]},
    )


def parse_resource_version(value: str, *, etcd: bool = False) -> int:
    """APIObjectVersioner.ParseResourceVersion. Its InvalidError reaches the client
    unconverted from the watch cache (get, watch, cached lists): a 500 with no reason
    (kubernetes#139485); the etcd list path wraps it in a 400."""
    number = _go_int(value, 64, signed=False)
    if number is not None and number < 2**64:
        return number
    message = f"resourceVersion: Invalid value: {go_quote(value)}: {_strconv_error('ParseUint', value, number)}"
    if etcd:
        raise bad_request(f"invalid resource version: {message}")
    err = APIError(500, message)
    err.reason = ""
    raise err


# ---- continue tokens (shape of apiserver/pkg/storage/continue.go) ------------------


def encode_continue(rv: int, after_key: str) -> str:
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": after_key + "\x00"})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_continue(token: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        doc = orjson.loads(raw)
        rv, start = doc["rv"], doc["start"]
        if doc.get("v") != "meta.k8s.io/v1" or type(rv) is not int or rv < 0 or not isinstance(start, str) or not start:
            raise ValueError("unknown token format")
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as err:
        raise bad_request(f"invalid continue token: continue key is not valid: {err}") from None
    return rv, start.rstrip("\x00")


# ---- requests ----------------------------------------------------------------------


@dataclass(slots=True)
class Representation:
    """How objects go out for one request: JSON as stored, events.k8s.io/v1, or Table."""

    resource: str
    group: str
    table: bool
    include: str  # Table includeObject

    @property
    def api_version(self) -> str:
        return f"{self.group}/v1" if self.group else "v1"

    @property
    def kind(self) -> str:
        return KINDS[self.resource]

    def converter(self) -> Callable[[dict], dict] | None:
        return to_events_v1 if self.group == EVENTS_GROUP else None

    def object_bytes(self, entry: Entry) -> bytes:
        if self.group == EVENTS_GROUP:
            return entry.view(EVENTS_V1_VIEW, to_events_v1)
        return entry.data


def representation(route: Route, query: dict[str, str], table: bool) -> Representation:
    include = query.get("includeObject") or "Metadata"
    if table and include not in tables.INCLUDE_OBJECT:
        raise bad_request(f'unrecognized includeObject value: "{include}"')
    return Representation(route.resource, route.group, table, include)


def selection(route: Route, query: dict[str, str]) -> Predicate | None:
    aliases = EVENTS_V1_FIELD_ALIASES if route.group == EVENTS_GROUP else None
    preds = [
        parse_label_selector(query.get("labelSelector", "")),
        parse_field_selector(query.get("fieldSelector", ""), route.resource, aliases=aliases),
    ]
    if route.name is not None:
        name = route.name
        fields = query.get("fieldSelector", "")
        # ListResource for /watch/.../NAME: a field selector may only repeat the name.
        if route.watch_path and fields and requires_exact_match(fields, "metadata.name") != name:
            raise bad_request("fieldSelector metadata.name doesn't match requested name")
        preds.append(lambda obj: (obj.get("metadata") or {}).get("name") == name)
    return combine(*preds)


# Waits, bounded, until storage reaches a resourceVersion (the server's, abortable on stop).
WaitFresh = Callable[[int], None]

# The watch cache's resourceVersionTooHighRetrySeconds (storage/cacher/watch_cache.go).
TOO_LARGE_RETRY_SECONDS = 1


def require_fresh(storage: Storage, rv: int, wait_fresh: WaitFresh | None) -> None:
    """Return once storage has reached `rv`: a future `rv` is waited for (the watch
    cache's waitUntilFreshAndBlock), then answered 504 Too large resource version."""
    if rv > storage.resource_version and wait_fresh is not None:
        wait_fresh(rv)
    current = storage.resource_version
    if rv > current:
        raise too_large_resource_version(rv, current, TOO_LARGE_RETRY_SECONDS)


def list_body(
    storage: Storage, route: Route, query: dict[str, str], rep: Representation, now: datetime, wait_fresh: WaitFresh | None = None
) -> bytes:
    limit = parse_int(query, "limit") or 0
    rv_param = query.get("resourceVersion", "")
    match = query.get("resourceVersionMatch", "")
    token = query.get("continue", "")
    _validate_list_options(query, rv_param, match, token)
    predicate = selection(route, query)
    after_key = None
    at = None
    # shouldDelegateList: what the watch cache cannot serve goes to etcd. The cache
    # has no pages, so a cached list (resourceVersion "0") ignores limit.
    etcd = bool(token) or (limit > 0 and rv_param != "0") or match == EXACT
    if not etcd:
        limit = 0
    if token:
        if rv_param and rv_param != "0":
            raise bad_request("specifying resource version is not allowed when using continue")
        at, after_key = decode_continue(token)
        if at < storage.oldest_resource_version:
            raise expired_continue()
    elif rv_param:
        rv = parse_resource_version(rv_param, etcd=etcd)
        if match == EXACT or (not match and limit > 0 and rv):
            # Exact, or its legacy form (a paged list at an RV, match unset): upstream
            # reads that snapshot from etcd (storage/cacher/delegator.go, shouldDelegateList).
            at = rv
        elif rv:
            require_fresh(storage, rv, wait_fresh)  # NotOlderThan, or unset: served from now
    try:
        page = storage.page(route.resource, route.namespace, predicate=predicate, at=at, after_key=after_key, limit=limit)
    except APIError as err:
        if token and err.code == 410:
            raise expired_continue() from None
        raise
    next_token = encode_continue(page.resource_version, page.next_key) if page.next_key else ""
    if rep.table:
        doc = tables.table(
            route.resource,
            page.entries,
            now,
            resource_version=str(page.resource_version),
            continue_token=next_token,
            remaining=page.remaining,
            include=rep.include,
            render=rep.converter(),
        )
        return orjson.dumps(doc)
    meta = b'{"resourceVersion":"%d"' % page.resource_version
    if next_token:
        meta += b',"continue":"' + next_token.encode("ascii") + b'"'
        if page.remaining is not None:
            meta += b',"remainingItemCount":%d' % page.remaining
    meta += b"}"
    head = b'{"kind":"%sList","apiVersion":"%s","metadata":' % (rep.kind.encode(), rep.api_version.encode())
    return b"".join([head, meta, b',"items":[', b",".join(list_item(rep.object_bytes(e)) for e in page.entries), b"]}"])


# Two leading string members, each "kind" or "apiVersion" (how stored objects begin).
_TYPE_META = re.compile(rb'\{"(kind|apiVersion)":"[^"\\]*","(kind|apiVersion)":"[^"\\]*",')


def list_item(data: bytes) -> bytes:
    """An object as a list item: without kind and apiVersion, which a kube-apiserver's
    list encoding leaves out of items (clients put them back from the list's kind)."""
    m = _TYPE_META.match(data)
    if m is not None and m[1] != m[2]:
        return b"{" + data[m.end() :]
    obj = orjson.loads(data)
    if isinstance(obj, dict):
        obj.pop("kind", None)
        obj.pop("apiVersion", None)
    return orjson.dumps(obj)


def _validate_list_options(query: dict[str, str], rv: str, match: str, token: str) -> None:
    """ValidateListOptions (apimachinery/pkg/apis/meta/internalversion/validation) for a
    list: every error found, in one 422."""
    errors = []
    if match:
        if not rv:
            errors.append(("resourceVersionMatch", "Forbidden", "resourceVersionMatch is forbidden unless resourceVersion is provided", "FieldValueForbidden"))
        if token:
            errors.append(("resourceVersionMatch", "Forbidden", "resourceVersionMatch is forbidden when continue is provided", "FieldValueForbidden"))
        if match not in (EXACT, NOT_OLDER_THAN):
            errors.append(("resourceVersionMatch", f"Unsupported value: {go_quote(match)}", 'supported values: "Exact", "NotOlderThan", ""', "FieldValueNotSupported"))
        if match == EXACT and rv == "0":
            errors.append(("resourceVersionMatch", "Forbidden", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"', "FieldValueForbidden"))
    if "sendInitialEvents" in query:
        errors.append(("sendInitialEvents", "Forbidden", "sendInitialEvents is forbidden for list", "FieldValueForbidden"))
    if not errors:
        return
    texts = [f"{field}: {kind}: {detail}" for field, kind, detail, _ in errors]
    shown = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    raise APIError(
        422,
        f'ListOptions.meta.k8s.io "" is invalid: {shown}',
        details={"group": "meta.k8s.io", "kind": "ListOptions",
                 "causes": [{"reason": r, "message": f"{k}: {d}", "field": f} for f, k, d, r in errors]},
    )


def get_body(
    storage: Storage, route: Route, query: dict[str, str], rep: Representation, now: datetime, wait_fresh: WaitFresh | None = None
) -> bytes:
    assert route.name is not None and route.namespace is not None
    rv_param = query.get("resourceVersion", "")
    if rv_param:
        # The cacher's Get: "0" is any cached state, N is "not older than N" (waited
        # for, then 504), checked before the lookup, so a 404 is as fresh as asked.
        rv = parse_resource_version(rv_param)
        if rv:
            require_fresh(storage, rv, wait_fresh)
    entry = storage.get_entry(route.resource, route.namespace, route.name)
    if entry is None:
        raise not_found(route.resource, route.name, route.group)
    if rep.table:
        doc = tables.table(route.resource, [entry], now, resource_version=str(entry.rv), include=rep.include, render=rep.converter())
        return orjson.dumps(doc)
    return rep.object_bytes(entry)


def watch_spec(
    storage: Storage, route: Route, query: dict[str, str], rep: Representation, now: Callable[[], datetime], wait_fresh: WaitFresh | None = None
) -> WatchSpec:
    predicate = selection(route, query)
    bookmarks = bool(parse_bool(query, "allowWatchBookmarks"))
    send_initial = parse_bool(query, "sendInitialEvents")
    match = query.get("resourceVersionMatch", "")
    rv_param = query.get("resourceVersion", "")
    timeout = parse_int(query, "timeoutSeconds")
    if timeout is not None and timeout < 0:
        raise bad_request(f'timeoutSeconds: invalid value "{timeout}": must be non-negative')
    if send_initial is not None:
        if match != NOT_OLDER_THAN:
            raise _invalid("sendInitialEvents", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
        if not bookmarks:
            raise _invalid("allowWatchBookmarks", "allowWatchBookmarks must be true when sendInitialEvents is set")
    elif match:
        raise _invalid("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
    initial = None
    error = None
    if send_initial and rv_param not in ("", "0"):
        requested = parse_resource_version(rv_param)
        try:
            require_fresh(storage, requested, wait_fresh)
        except APIError as err:
            # Upstream the watch still opens; the error is its one event (cacher.go, newErrWatcher).
            error = err.body()
    if error is not None:
        start = storage.resource_version
    elif send_initial or (send_initial is None and rv_param in ("", "0")):
        page = storage.page(route.resource, route.namespace, predicate=predicate)
        initial, start = page.entries, page.resource_version
    elif rv_param in ("", "0"):
        start = storage.resource_version
    else:
        start = parse_resource_version(rv_param)
    render = None
    if rep.table:
        render = tables.WatchTables(route.resource, now, rep.include, rep.converter())
    elif route.group == EVENTS_GROUP:
        render = lambda kind, entry: rep.object_bytes(entry)  # noqa: E731
    return WatchSpec(
        resource=route.resource,
        namespace=route.namespace,
        predicate=predicate,
        start_rv=start,
        initial=initial,
        initial_events_end=bool(send_initial),
        bookmarks=bookmarks,
        timeout=None if not timeout else float(timeout),
        kind=rep.kind,
        api_version=rep.api_version,
        render=render,
        error=error,
    )


def delete_options(body: bytes, query: dict[str, str]) -> dict:
    options: dict = {}
    if body.strip():
        try:
            options = orjson.loads(body)
        except orjson.JSONDecodeError as err:
            raise bad_request(f"invalid DeleteOptions body: {err}") from None
        if not isinstance(options, dict):
            raise bad_request("invalid DeleteOptions body: not a JSON object")
    grace = parse_int(query, "gracePeriodSeconds")
    if grace is not None:
        options["gracePeriodSeconds"] = grace
    if query.get("propagationPolicy"):
        options["propagationPolicy"] = query["propagationPolicy"]
    if query.get("dryRun"):
        options["dryRun"] = [query["dryRun"]]
    dry = options.get("dryRun")
    if dry is not None and (not isinstance(dry, list) or any(v != "All" for v in dry)):
        # ValidateDeleteOptions -> ValidateDryRun.
        shown = "[]string{" + ", ".join(f'"{v}"' for v in dry) + "}" if isinstance(dry, list) else f'"{dry}"'
        detail = f'Unsupported value: {shown}: supported values: "All"'
        raise APIError(
            422,
            f'DeleteOptions.meta.k8s.io "" is invalid: dryRun: {detail}',
            details={"group": "meta.k8s.io", "kind": "DeleteOptions", "causes": [{"reason": "FieldValueNotSupported", "message": detail, "field": "dryRun"}]},
        )
    return options


def delete_grace(requested: object, spec_grace: object, scheduled: bool, phase: object) -> int:
    """A pod DELETE's grace period (pod strategy's CheckGracefulDelete): the request's,
    else the spec's (30 s unset); 0 for a pod never scheduled or already finished. The
    demo world's DELETE and the dry run both ask here."""
    if not scheduled or phase in ("Succeeded", "Failed"):
        return 0
    for grace in (requested, spec_grace):
        if isinstance(grace, int) and not isinstance(grace, bool):
            return max(grace, 0)
    return 30


def dry_run_delete(pod: dict, options: dict, now: float) -> dict:
    """What deleting a pod would answer, changing nothing: a graceful delete shows the
    deletionTimestamp it would set (delete_grace)."""
    out = dict(pod)
    meta = out["metadata"] = dict(pod.get("metadata") or {})
    if meta.get("deletionTimestamp"):
        return out
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    phase = (pod.get("status") or {}).get("phase") if isinstance(pod.get("status"), dict) else None
    grace = delete_grace(options.get("gracePeriodSeconds"), spec.get("terminationGracePeriodSeconds"),
                         bool(spec.get("nodeName")), phase)
    if grace > 0:
        meta["deletionTimestamp"] = format_ts(now + grace)
        meta["deletionGracePeriodSeconds"] = grace
    return out


def is_pods(route: Route) -> bool:
    return route.resource == PODS and route.group == ""
