"""The API's one error model: every error is `{"error": {"code", "message", "details"}}`.

Services raise these typed errors anywhere (handlers, logic, helpers); `shared.api` turns them
into responses once, with the right status and headers. `details` is always an object (the
contract's `Error.details`): field errors go under `details.fields`, context under other keys.
The gateway's own errors use the same shape (components/api.py), so a client parses one format.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any


class ApiError(Exception):
    """An error with an HTTP status. Subclasses set `status`, `code` and a default message."""

    status: int = 500
    code: str = "INTERNAL_ERROR"
    default_message: str = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code or type(self).code
        self.details: dict[str, Any] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


class BadRequest(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 400, "VALIDATION_ERROR", "The request is invalid"

    @classmethod
    def fields(
        cls,
        errors: Mapping[str, str] | Iterable[Mapping[str, str]],
        message: str | None = None,
        *,
        code: str | None = None,
    ) -> BadRequest:
        """A 400 listing the failing fields: `BadRequest.fields({"email": "is required"})`."""
        items = (
            [{"field": k, "message": v} for k, v in errors.items()]
            if isinstance(errors, Mapping)
            else [dict(e) for e in errors]
        )
        return cls(
            message or "The request is invalid: " + ", ".join(i["field"] for i in items),
            code=code,
            details={"fields": items},
        )


class Unauthorized(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 401, "UNAUTHORIZED", "Authentication required"


class Forbidden(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 403, "FORBIDDEN", "Not allowed"


class NotFound(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 404, "NOT_FOUND", "Not found"


class MethodNotAllowed(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 405, "METHOD_NOT_ALLOWED", "Method not allowed"

    def __init__(self, allowed: Iterable[str], message: str | None = None) -> None:
        allowed = sorted(set(allowed))
        super().__init__(message, details={"allowed": allowed}, headers={"Allow": ", ".join(allowed)})


class Conflict(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 409, "CONFLICT", "The resource already exists"


class PayloadTooLarge(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 413, "PAYLOAD_TOO_LARGE", "The request body is too large"


class UnprocessableEntity(ApiError):  # noqa: N818 - HTTP names
    """Well-formed input the service cannot act on (e.g. too little history to forecast)."""

    status, code, default_message = 422, "UNPROCESSABLE", "The request cannot be processed"


class TooManyRequests(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 429, "TOO_MANY_REQUESTS", "Too many requests"

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(
            message,
            code=code,
            details={"retryAfter": retry_after, **(details or {})},
            headers={"Retry-After": str(retry_after)},
        )


class InternalError(ApiError):
    """Raise when a service knows it failed; unexpected exceptions become this too."""


class ServiceUnavailable(ApiError):  # noqa: N818 - HTTP names
    """A dependency is unreachable, throttled or failing: retry after `retry_after` seconds."""

    status, code, default_message = 503, "SERVICE_UNAVAILABLE", "A dependency is unavailable"

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int | None = None,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        retry_after = max(1, int(UNREACHABLE_RETRY_AFTER_S if retry_after is None else retry_after))
        super().__init__(
            message,
            code=code,
            details={"retryAfter": retry_after, **(details or {})},
            headers={"Retry-After": str(retry_after)},
        )


class NotImplementedYet(ApiError):  # noqa: N818 - HTTP names
    """An operation of the contract that its service does not answer yet (501)."""

    status = 501
    code = "NOT_IMPLEMENTED"
    default_message = "This operation is not implemented yet"


# --- dependencies that are down or throttled -------------------------------------------------
# A failure a retry can fix is the dependency's, not ours: 503 with Retry-After, never a 500.
# Our own lists, because botocore keeps its own (botocore.retries.standard) in private
# attributes; tests/test_dependency_faults.py checks these cover every code botocore's standard
# retry mode treats as throttling or transient. By the time the error reaches a handler, the
# client has already retried it (shared.aws: standard mode, 3 attempts).
THROTTLED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerError",
        "InternalServerException",
        "InternalServiceError",
        "InternalServiceErrorException",
        "InternalFailure",
        "InternalError",
        "KMSInternalException",
    }
)
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
# botocore's ConnectionError covers refused connections, connect timeouts, proxies and TLS;
# HTTPClientError read timeouts, closed connections and broken response streams.
CONNECTION_ERROR_CLASSES = ("ConnectionError", "HTTPClientError")
THROTTLED_RETRY_AFTER_S = 2
UNREACHABLE_RETRY_AFTER_S = 5


def dependency_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 for `exc` when it (or an error it was raised from) is a boto3 connection failure
    or a throttled/failing AWS dependency; None for anything else (a bug stays a 500).

    Only explicit causes (`raise X from exc`) are followed: an error raised while handling a
    throttle without naming it as its cause is a bug of its own."""
    # botocore is never imported here: a process that has not loaded it cannot have its errors.
    botocore_errors = sys.modules.get("botocore.exceptions")
    if botocore_errors is None:
        return None
    connection = tuple(getattr(botocore_errors, name) for name in CONNECTION_ERROR_CLASSES)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, connection):
            return ServiceUnavailable(retry_after=UNREACHABLE_RETRY_AFTER_S)
        if isinstance(current, botocore_errors.ClientError):
            response = getattr(current, "response", None) or {}
            code = (response.get("Error") or {}).get("Code", "")
            status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
            if code in THROTTLED_CODES or status == 429:
                return ServiceUnavailable(retry_after=THROTTLED_RETRY_AFTER_S)
            if code in TRANSIENT_CODES or status in TRANSIENT_STATUSES:
                return ServiceUnavailable(retry_after=UNREACHABLE_RETRY_AFTER_S)
            return None
        current = current.__cause__
    return None


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


# Status -> (code, message) for errors raised as Powertools' own ServiceError or by the router.
STATUS_CODES: dict[int, tuple[str, str]] = {
    cls.status: (cls.code, cls.default_message)
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnprocessableEntity,
        TooManyRequests,
        InternalError,
        ServiceUnavailable,
    )
}
