"""API errors and the metav1.Status bodies the server answers them with.

Shapes and messages follow staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go,
so clients that branch on `reason`/`code` (client-go, the Python client, podtui's own
live source) see what a real kube-apiserver would send.
"""

from __future__ import annotations

import orjson

# HTTP status -> the StatusReason a real server pairs with it.
REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "AlreadyExists",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class APIError(Exception):
    """An error the server answers with a metav1.Status of the same code."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        details: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details
        self.headers = headers or {}

    def status(self) -> dict:
        return status_object(self.code, self.reason, self.message, self.details)

    def body(self) -> bytes:
        return orjson.dumps(self.status())


def status_object(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    status: dict = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
    }
    if reason:  # StatusReasonUnknown is "", which the JSON leaves out
        status["reason"] = reason
    if details is not None:
        status["details"] = details
    status["code"] = code
    return status


def not_found(resource: str, name: str, group: str = "") -> APIError:
    qualified = f"{resource}.{group}" if group else resource
    details = {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource}
    return APIError(404, f'{qualified} "{name}" not found', details=details)


def already_exists(resource: str, name: str) -> APIError:
    return APIError(409, f'{resource} "{name}" already exists', details={"name": name, "kind": resource})


def too_old_resource_version(requested: int, oldest: int) -> APIError:
    # The cacher's wording (storage/cacher/watch_cache.go); code 410, reason Expired.
    return APIError(410, f"too old resource version: {requested} ({oldest})")


def too_large_resource_version(requested: int, current: int, retry_after: int = 0) -> APIError:
    # NewTooLargeResourceVersionError (apiserver/pkg/storage/errors.go) over NewTimeoutError:
    # 504 Timeout, "Timeout: " prefixed. The watch cache asks for a retry in 1 s; the
    # etcd path (Exact) passes 0, which leaves out retryAfterSeconds and Retry-After.
    details: dict = {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]}
    headers = None
    if retry_after:
        details["retryAfterSeconds"] = retry_after
        headers = {"Retry-After": str(retry_after)}
    return APIError(
        504,
        f"Timeout: Too large resource version: {requested}, current: {current}",
        details=details,
        headers=headers,
    )


def expired_continue() -> APIError:
    return APIError(
        410,
        "The provided continue parameter is too old to display a consistent list result. "
        "You can start a new list without the continue parameter.",
    )


def bad_request(message: str) -> APIError:
    return APIError(400, message)


def unauthorized() -> APIError:
    return APIError(401, "Unauthorized")


def forbidden(user: str, verb: str, resource: str, group: str = "", namespace: str | None = None) -> APIError:
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    return APIError(
        403,
        f'{resource} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group "{group}" {scope}',
        details={"kind": resource, "group": group} if group else {"kind": resource},
    )


def too_many_requests(retry_after: int) -> APIError:
    return APIError(
        429,
        "Too many requests, please try again later.",
        details={"retryAfterSeconds": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def internal_error(cause: str = "injected fault") -> APIError:
    return APIError(
        500,
        f"Internal error occurred: {cause}",
        details={"causes": [{"message": cause}]},
    )


def method_not_allowed() -> APIError:
    # go-restful's 405 through the apiserver's serviceErrorHandler (NewGenericServerResponse,
    # no verb: no "(post pods)" suffix, which only client-go adds to bodies it cannot read).
    return APIError(405, "the server does not allow this method on the requested resource", details={})
