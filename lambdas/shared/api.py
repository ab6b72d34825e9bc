"""The resolver every service uses: routes, CORS, the error model, observability.

    from shared.api import create_app, make_handler
    app = create_app("analytics-service")

    @app.get("/analytics/kpis")
    def kpis():
        ...

    lambda_handler = make_handler(app)

`create_app` registers the error handlers once: typed `ApiError`s keep their status, malformed
JSON is a 400, an unknown path a 404, a known path with another method a 405, a dependency that
is unreachable or throttled (boto3's connection errors, AWS throttling and 5xx codes) a 503
SERVICE_UNAVAILABLE with Retry-After, anything else a 500 INTERNAL_ERROR that is logged with its
traceback and answered without internals.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.logging import correlation_paths

from shared.errors import (
    STATUS_CODES,
    ApiError,
    BadRequest,
    InternalError,
    MethodNotAllowed,
    NotFound,
    NotImplementedYet,
    Unauthorized,
    dependency_unavailable,
)
from shared.observability import local_context, logger, metrics, tracer

JSON = "application/json"
CORS_MAX_AGE = 600
# Sent on every answer unless a route sets its own: answers carry tokens and personal data.
DEFAULT_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


# --- JSON -----------------------------------------------------------------------------------


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):  # DynamoDB numbers
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def to_json(obj: Any) -> str:
    """Compact JSON; Decimal, dates, sets, dataclasses and numpy values are converted, and NaN
    or infinities (not JSON) become null."""
    try:
        return json.dumps(obj, separators=(",", ":"), default=_default, allow_nan=False)
    except ValueError:  # a NaN somewhere: rare, so only then walk the document
        return json.dumps(
            _finite(json.loads(json.dumps(obj, default=_default))), separators=(",", ":"), allow_nan=False
        )


# --- responses ------------------------------------------------------------------------------


def ok(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=data, headers=dict(headers or {}))


def created(data: Any, headers: Mapping[str, str] | None = None) -> Response:
    return ok(data, 201, headers)


def accepted(data: Any) -> Response:
    return ok(data, 202)


def no_content() -> Response:
    return Response(status_code=204, body=None)


def error_response(exc: ApiError) -> Response:
    return Response(status_code=exc.status, content_type=JSON, body=exc.to_body(), headers=exc.headers)


# --- the resolver ---------------------------------------------------------------------------


class ServiceApp(APIGatewayRestResolver):
    """APIGatewayRestResolver with the platform's error model and the service's name."""

    def __init__(self, service: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service

    def request_id(self) -> str | None:
        return (self.current_event.raw_event.get("requestContext") or {}).get("requestId")


def _refuse_expired_identity(app: ServiceApp, next_middleware: Callable[..., Any]) -> Any:
    """API Gateway reuses an authorizer's answer for its TTL whatever the token's own expiry:
    an identity whose token has expired is refused here, so no cached allow outlives its token."""
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    expires = context.get("exp")
    if expires is not None:
        try:
            expired = int(expires) <= time.time()
        except (TypeError, ValueError):
            expired = True
        if expired:
            raise Unauthorized("The access token has expired")
    return next_middleware(app)


def create_app(service: str, *, cors: CORSConfig | None = None) -> ServiceApp:
    """The resolver of `service`, with CORS limited to ALLOWED_ORIGIN and the error model.

    ALLOWED_ORIGIN is required: a missing origin must fail loudly, not become "*"."""
    cors = cors or CORSConfig(
        allow_origin=os.environ["ALLOWED_ORIGIN"],
        max_age=CORS_MAX_AGE,
        expose_headers=["Retry-After", "Allow"],
    )
    app = ServiceApp(service, cors=cors, serializer=to_json)
    _register_error_handlers(app)
    app.use(middlewares=[_refuse_expired_identity])
    return app


def _with_request_id(app: ServiceApp, exc: ApiError) -> Response:
    request_id = app.request_id()
    if request_id:
        exc.details.setdefault("requestId", request_id)
    return error_response(exc)


def _register_error_handlers(app: ServiceApp) -> None:
    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        if isinstance(exc, NotImplementedYet):  # a known gap, not a failure: no traceback
            logger.info("operation not implemented yet", extra={"code": exc.code})
        elif exc.status >= 500:
            logger.exception("request failed", extra={"code": exc.code})
        else:
            logger.info("request rejected", extra={"status": exc.status, "code": exc.code})
        return _with_request_id(app, exc)

    @app.exception_handler(json.JSONDecodeError)
    def _bad_json(exc: json.JSONDecodeError) -> Response:
        # A route read `app.current_event.json_body` of a malformed body.
        return _with_request_id(app, BadRequest("The request body is not valid JSON", code="MALFORMED_BODY"))

    @app.exception_handler(ServiceError)
    def _powertools_error(exc: ServiceError) -> Response:
        code, message = STATUS_CODES.get(exc.status_code, ("ERROR", "Request failed"))
        err = ApiError(exc.msg if exc.status_code < 500 else message, code=code)
        err.status = exc.status_code
        return _with_request_id(app, err)

    @app.not_found
    def _not_found(exc: NotFoundError) -> Response:
        method = app.current_event.http_method.upper()
        path = app.context.get("_path") or app.current_event.path
        allowed = {r.method for r in _registered(app) if r.rule.match(path)}
        if allowed:
            return _with_request_id(app, MethodNotAllowed(allowed, f"{method} is not allowed on {path}"))
        return _with_request_id(app, NotFound(f"No operation {method} {path}"))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # A dependency that is unreachable or throttled (after the client's own retries) is a
        # 503 with Retry-After: the caller may retry, and an outage is not counted as our bug.
        unavailable = dependency_unavailable(exc)
        if unavailable is not None:
            logger.warning(
                "dependency unavailable",
                exc_info=exc,
                extra={"code": unavailable.code, "cause": _describe_dependency_error(exc)},
            )
            metrics.add_metric(name="DependencyUnavailable", unit="Count", value=1)
            return _with_request_id(app, unavailable)
        # Logged with the traceback (and the request id via the logger); the caller only
        # learns that it failed, never why.
        logger.exception("unhandled error")
        metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
        return _with_request_id(app, InternalError())


def _describe_dependency_error(exc: BaseException) -> dict[str, Any]:
    """What failed, for the log: the error's type, AWS code and operation, the endpoint."""
    while exc.__cause__ is not None and not hasattr(exc, "operation_name") and not hasattr(exc, "kwargs"):
        exc = exc.__cause__
    response = getattr(exc, "response", None) or {}
    described = {
        "errorType": type(exc).__name__,
        "errorCode": (response.get("Error") or {}).get("Code"),
        "operation": getattr(exc, "operation_name", None),
        "endpoint": (getattr(exc, "kwargs", None) or {}).get("endpoint_url"),
    }
    return {k: v for k, v in described.items() if v}


def _registered(app: APIGatewayRestResolver) -> list[Any]:
    return list(app._static_routes) + list(app._dynamic_routes)


def routes(app: APIGatewayRestResolver) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation `app` implements, paths in API Gateway form:
    `/compliance/cases/<caseId>` -> `/compliance/cases/{caseId}`. For contract tests."""
    return sorted({(r.method, re.sub(r"<(\w+)>", r"{\1}", r.path) or "/") for r in _registered(app)})


def pending(app: ServiceApp, operations: Iterable[tuple[str, str]]) -> None:
    """Route contract operations whose behaviour has not landed yet: each answers 501 in the
    error model (never a made-up result), so the API is complete and honest about it."""
    for method, path in operations:
        rule = re.sub(r"\{(\w+)\}", r"<\1>", path)

        def _pending(*_: Any, _method: str = method, _path: str = path, **__: Any) -> Response:
            raise NotImplementedYet(f"{app.service} does not implement {_method} {_path} yet")

        app.route(rule, method=method)(_pending)


# --- the Lambda entry point -------------------------------------------------------------------


def _add_default_headers(response: dict[str, Any]) -> dict[str, Any]:
    multi = response.setdefault("multiValueHeaders", {}) or {}
    response["multiValueHeaders"] = multi
    present = {k.lower() for k in multi} | {k.lower() for k in (response.get("headers") or {})}
    for name, value in DEFAULT_HEADERS.items():
        if name.lower() not in present:
            multi[name] = [value]
    return response


def _warehouse_usage() -> Any:
    """`shared.warehouse.usage` when this process has loaded the warehouse (services that never
    query it do not pay for the import)."""
    module = sys.modules.get("shared.warehouse")
    return getattr(module, "usage", None)


def _report_warehouse_usage(response: dict[str, Any]) -> None:
    """Log the invocation's warehouse queries and bytes scanned, emit them as metrics, and (only
    where the local platform sets WAREHOUSE_STATS_HEADERS=1, never in AWS) add them to the
    answer as X-Warehouse-Queries / X-Warehouse-Bytes for the benchmarks."""
    counter = _warehouse_usage()
    if counter is None:
        return
    queries, scanned = counter.snapshot()
    if queries:
        logger.info("warehouse usage", extra={"warehouseQueries": queries, "warehouseBytesScanned": scanned})
        metrics.add_metric(name="WarehouseQueries", unit="Count", value=queries)
        metrics.add_metric(name="WarehouseBytesScanned", unit="Bytes", value=scanned)
    if os.environ.get("WAREHOUSE_STATS_HEADERS") == "1":
        multi = response.setdefault("multiValueHeaders", {}) or {}
        response["multiValueHeaders"] = multi
        multi["X-Warehouse-Queries"] = [str(queries)]
        multi["X-Warehouse-Bytes"] = [str(scanned)]


def make_handler(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler of `app`: structured logs with the API Gateway request id as the
    correlation id, an X-Ray subsegment (responses are not recorded: they carry tokens), and
    the metrics flushed (with a ColdStart metric)."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        counter = _warehouse_usage()
        if counter is not None:
            counter.reset()
        response = _add_default_headers(app.resolve(event, context))
        _report_warehouse_usage(response)
        return response

    def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        return _handle(event, context if context is not None else local_context())

    lambda_handler.app = app  # type: ignore[attr-defined]
    return lambda_handler
