"""API Gateway REST API (v1) Lambda proxy events and responses, built and read the way AWS
does it. Pure functions: the gateway calls them, tests check them without any server."""

from __future__ import annotations

import base64
import json
import time
import uuid
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

ACCOUNT_ID = "123456789012"
API_ID = "local0api0"  # API Gateway ids are 10 lower-case alphanumerics


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path + query as sent, e.g. /auth/me?x=1
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        value = None
        for key, v in self.headers:  # the last one wins, as in `headers` of the event
            if key.lower() == name.lower():
                value = v
        return value

    @property
    def raw_path(self) -> str:
        """The path as sent, still percent-encoded: the query string is split off the raw
        target first, so an encoded `?` (`%3F`) or `/` (`%2F`) stays data. Routing uses this."""
        return self.target.split("?", 1)[0] or "/"

    @property
    def path(self) -> str:
        """The decoded path (`path` of the proxy event), decoded once."""
        return decode_path(self.raw_path)

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


def decode_path(raw_path: str) -> str:
    """A percent-encoded path, decoded exactly once (`%252F` -> `%2F`, never `/`)."""
    return unquote(raw_path) or "/"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class MalformedResponseError(ValueError):
    """The function's answer is not a valid proxy response (API Gateway answers 502)."""


def single_and_multi(
    pairs: Iterable[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """`{k: last}` and `{k: [all]}`, both None when empty (as AWS sends them)."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return (single or None), (multi or None)


def query_parameters(query: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    return single_and_multi(parse_qsl(query, keep_blank_values=True))


def encode_body(body: bytes) -> tuple[str | None, bool]:
    """(body, isBase64Encoded): text stays text; anything that is not UTF-8 goes as base64."""
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def method_arn(
    method: str, path: str, *, stage: str, region: str, account_id: str = ACCOUNT_ID, api_id: str = API_ID
) -> str:
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method.upper()}/{path.lstrip('/')}"


def token_authorizer_event(token: str, arn: str) -> dict[str, Any]:
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}


def proxy_event(
    request: HttpRequest,
    *,
    resource: str,
    path_parameters: Mapping[str, str] | None,
    stage: str,
    authorizer: Mapping[str, Any] | None = None,
    request_id: str | None = None,
    now: float | None = None,
    account_id: str = ACCOUNT_ID,
    api_id: str = API_ID,
    domain_name: str = "127.0.0.1",
    path: str | None = None,
) -> dict[str, Any]:
    """The event a Lambda proxy integration receives for `request` (`path`: the request's path
    without the stage, when the client used the `/<stage>/...` form)."""
    now = time.time() if now is None else now
    request_id = request_id or str(uuid.uuid4())
    headers, multi_headers = single_and_multi(request.headers)
    query, multi_query = query_parameters(request.query)
    body, is_b64 = encode_body(request.body)
    path = path or request.path
    context: dict[str, Any] = {
        "resourceId": _resource_id(resource),
        "resourcePath": resource,
        "httpMethod": request.method.upper(),
        "extendedRequestId": request_id.replace("-", "")[:16] + "=",
        "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "path": f"/{stage}{path}",
        "accountId": account_id,
        "protocol": "HTTP/1.1",
        "stage": stage,
        "domainPrefix": domain_name.split(".", 1)[0],
        "requestTimeEpoch": int(now * 1000),
        "requestId": request_id,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": request.source_ip,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": request.header("User-Agent"),
            "user": None,
        },
        "domainName": domain_name,
        "apiId": api_id,
    }
    if authorizer is not None:
        context["authorizer"] = dict(authorizer)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method.upper(),
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_b64,
    }


def authorizer_context(
    principal_id: str, context: Mapping[str, Any] | None, latency_ms: int = 0
) -> dict[str, Any]:
    """`requestContext.authorizer` of a REST API: principalId plus the authorizer's context,
    whose values reach the function as strings. Objects and arrays are refused by AWS."""
    out: dict[str, Any] = {}
    for key, value in (context or {}).items():
        if isinstance(value, (dict, list, tuple)):
            raise MalformedResponseError(
                f"authorizer context value {key!r} must be a string, number or boolean"
            )
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is None:
            out[key] = ""
        else:
            out[key] = str(value)
    out["principalId"] = principal_id
    out["integrationLatency"] = latency_ms
    return out


_RESPONSE_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"}


def http_response(result: Any) -> HttpResponse:
    """The HTTP answer for a function's proxy response (raises MalformedResponseError like the
    `Malformed Lambda proxy response` API Gateway logs before answering 502)."""
    if not isinstance(result, Mapping):
        raise MalformedResponseError(f"the response is a {type(result).__name__}, not an object")
    extra = set(result) - _RESPONSE_KEYS
    if extra:
        raise MalformedResponseError(f"unexpected keys in the response: {sorted(extra)}")
    try:
        status = int(result.get("statusCode", 200))
    except (TypeError, ValueError) as exc:
        raise MalformedResponseError(f"statusCode {result.get('statusCode')!r} is not a number") from exc
    if not 100 <= status <= 599:
        raise MalformedResponseError(f"statusCode {status} is out of range")
    headers: list[tuple[str, str]] = []
    multi = result.get("multiValueHeaders") or {}
    single = result.get("headers") or {}
    if not isinstance(multi, Mapping) or not isinstance(single, Mapping):
        raise MalformedResponseError("headers and multiValueHeaders must be objects")
    multi_lower = {k.lower() for k in multi}
    for key, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponseError(f"multiValueHeaders[{key!r}] must be a list")
        headers.extend((key, _header_value(v)) for v in values)
    for key, value in single.items():
        if key.lower() not in multi_lower:
            headers.append((key, _header_value(value)))
    body = result.get("body")
    if body is None:
        raw = b""
    elif not isinstance(body, str):
        raise MalformedResponseError(f"body must be a string, got {type(body).__name__}")
    elif result.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError as exc:
            raise MalformedResponseError("isBase64Encoded but the body is not base64") from exc
    else:
        raw = body.encode("utf-8")
    return HttpResponse(status, tuple(headers), raw)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise MalformedResponseError("header values must be strings")
    return str(value)


def error_body(
    code: str, message: str, request_id: str | None = None, retry_after: int | None = None
) -> bytes:
    """The contract's error model (`{"error": {"code", "message"}}`)."""
    details: dict[str, Any] = {"requestId": request_id} if request_id else {}
    if retry_after:
        details["retryAfter"] = retry_after
    return json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()


def _resource_id(resource: str) -> str:
    return format(zlib.crc32(resource.encode()), "08x")[:6]
