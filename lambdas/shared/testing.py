"""Test helpers: realistic API Gateway REST proxy events and a way to call a handler.

    from shared.testing import LAMBDA_ENV, call, user
    res = call(lambda_handler, "GET", "/auth/me", user=user("u-1", "a@example.com"))
    assert res.status == 200 and res.json["email"] == "a@example.com"

Not imported by any handler (it ships in the zip but costs nothing at run time).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ORIGIN = "http://localhost:5173"

# The environment of a function as the Services component sets it, with dummy values.
LAMBDA_ENV: dict[str, str] = {
    "STAGE": "dev",
    "POWERTOOLS_SERVICE_NAME": "test-service",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "EcommerceAI",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_ORIGIN": ORIGIN,
    "USERS_TABLE": "users-test",
    "JWT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-test-AbCdEf",
    "ACCESS_TOKEN_MINUTES": "15",
    "RAW_BUCKET": "raw-test",
    "CURATED_BUCKET": "curated-test",
    "GLUE_DATABASE": "ecommerce_test",
    "ATHENA_WORKGROUP": "wg-test",
    "ATHENA_RESULTS_BUCKET": "athena-results-test",
    "WAREHOUSE": "duckdb",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_LAMBDA_FUNCTION_NAME": "test-function",
}


def user(user_id: str = "user-1", email: str = "user@example.com", role: str = "user") -> dict[str, str]:
    """The `requestContext.authorizer` API Gateway passes for a caller the authorizer allowed."""
    return {
        "principalId": user_id,
        "userId": user_id,
        "email": email,
        "role": role,
        "integrationLatency": "3",
    }


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: Mapping[str, str | list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    path_params: Mapping[str, str] | None = None,
    resource: str | None = None,
    user: Mapping[str, str] | None = None,
    stage: str = "dev",
    origin: str | None = ORIGIN,
    base64: bool = False,
    source_ip: str = "203.0.113.7",
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the gateway sends it to a Lambda integration.

    `body` is JSON-encoded, `raw_body` sent as is; `user` is the authorizer context (see
    `user()`); `resource` is the path template (defaults to the path)."""
    hdrs = {
        "Accept": "application/json",
        "Host": "api.example.com",
        "User-Agent": "pytest",
        "X-Forwarded-For": source_ip,
    }
    if origin:
        hdrs["Origin"] = origin
    if body is not None or raw_body is not None:
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    if base64 and text is not None:
        import base64 as b64

        text = b64.b64encode(text.encode()).decode()
    multi_query = {k: (list(v) if isinstance(v, list) else [v]) for k, v in (query or {}).items()}
    request_id = str(uuid.uuid4())
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "abc123defg",
        "stage": stage,
        "requestId": request_id,
        "extendedRequestId": request_id[:16],
        "httpMethod": method.upper(),
        "path": f"/{stage}{path}",
        "resourcePath": resource or path,
        "protocol": "HTTP/1.1",
        "requestTime": "01/Jan/2025:00:00:00 +0000",
        "requestTimeEpoch": 1735689600000,
        "domainName": "api.example.com",
        "identity": {
            "sourceIp": source_ip,
            "userAgent": "pytest",
            "accessKey": None,
            "caller": None,
            "user": None,
            "userArn": None,
        },
    }
    if user is not None:
        context["authorizer"] = dict(user)
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_params) if path_params else None,
        "stageVariables": None,
        "requestContext": context,
        "body": text,
        "isBase64Encoded": bool(base64 and text is not None),
    }


def token_event(token: str | None, *, method_arn: str | None = None) -> dict[str, Any]:
    """A TOKEN authorizer event for the header value `token` (e.g. "Bearer eyJ...")."""
    event: dict[str, Any] = {
        "type": "TOKEN",
        "methodArn": method_arn or "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/GET/auth/me",
    }
    if token is not None:
        event["authorizationToken"] = token
    return event


@dataclass
class FakeContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2025/01/01/[$LATEST]test"

    def get_remaining_time_in_millis(self) -> int:
        return 29000


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]  # lower-cased names, values joined with ","
    text: str | None
    raw: dict[str, Any]

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    @property
    def error_code(self) -> str | None:
        body = self.json
        return body.get("error", {}).get("code") if isinstance(body, dict) else None


def parse_response(raw: dict[str, Any]) -> ApiResponse:
    headers = {k.lower(): str(v) for k, v in (raw.get("headers") or {}).items()}
    for k, values in (raw.get("multiValueHeaders") or {}).items():
        headers[k.lower()] = ",".join(str(v) for v in values)
    return ApiResponse(status=raw["statusCode"], headers=headers, text=raw.get("body"), raw=raw)


def call(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]], method: str, path: str, **kwargs: Any
) -> ApiResponse:
    """Invoke `handler` with `api_event(method, path, **kwargs)` and parse the answer."""
    return parse_response(handler(api_event(method, path, **kwargs), FakeContext()))


def create_jwt_secret(secretsmanager: Any, name: str = "jwt-signing-key") -> str:
    """A JWT signing secret like the Services component's (64 random characters); its ARN."""
    import secrets

    return secretsmanager.create_secret(Name=name, SecretString=secrets.token_hex(32))["ARN"]
