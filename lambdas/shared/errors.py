"""The API's one error model: every error is `{"error": {"code", "message", "details"}}`.

Services raise these typed errors anywhere (handlers, logic, helpers); `shared.api` turns them
into responses once, with the right status and headers. `details` is always an object (the
contract's `Error.details`): field errors go under `details.fields`, context under other keys.
The gateway's own errors use the same shape (components/api.py), so a client parses one format.
"""

from __future__ import annotations

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
    status, code, default_message = 503, "SERVICE_UNAVAILABLE", "A dependency is unavailable"


class NotImplementedYet(ApiError):  # noqa: N818 - HTTP names
    """An operation of the contract that its service does not answer yet (501)."""

    status = 501
    code = "NOT_IMPLEMENTED"
    default_message = "This operation is not implemented yet"


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
