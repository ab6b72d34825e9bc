"""The local platform end to end: one platform for the module (tiny dataset, free ports),
real HTTP on 127.0.0.1 through the local gateway to the real handlers, moto as AWS."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from components.catalog import LAMBDAS_DIR, OPENAPI_PATH
from local.contract import load_router, load_spec
from local.validation import resolve
from tests.helpers import local_platform

pytestmark = pytest.mark.slow

HAS_AUTH = (LAMBDAS_DIR / "auth_service" / "handler.py").exists() and (
    LAMBDAS_DIR / "auth_service" / "authorizer.py"
).exists()
needs_auth = pytest.mark.skipif(not HAS_AUTH, reason="lambdas/auth_service is not there yet")
PASSWORD = "Correct-Horse-Battery-9"
# The codes of the gateway's own answers (components/api.py: $context.error.responseType).
GATEWAY_CODES = {
    "UNAUTHORIZED",
    "ACCESS_DENIED",
    "RESOURCE_NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "AUTHORIZER_FAILURE",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "BAD_REQUEST_BODY",
    "BAD_REQUEST_PARAMETERS",
    "REQUEST_TOO_LARGE",
}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    if not OPENAPI_PATH.exists():
        pytest.skip("api/openapi.yaml is not there yet")
    home = tmp_path_factory.mktemp("local-platform")
    with local_platform(home, build_frontend=False, data_jobs=True) as p:
        yield p


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"


def call(
    platform,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return Response(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, dict(err.headers), err.read())


def assert_error_model(resp: Response) -> dict[str, Any]:
    body = resp.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), resp
    assert isinstance(body["error"].get("code"), str) and body["error"]["code"], resp
    assert isinstance(body["error"].get("message"), str), resp
    return body["error"]


def new_user(platform, prefix: str = "user") -> tuple[str, dict[str, Any]]:
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    resp = call(platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "Ada"})
    assert resp.status == 201, resp
    login = call(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login
    return email, login.json()


# ---- examples from the contract ----------------------------------------------------------
def example(schema: Any) -> Any:
    """A small value the schema accepts (enough to pass API Gateway's request validation)."""
    if not isinstance(schema, dict):
        return "x"
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        names = list(schema.get("required", []))
        for name in props:  # minProperties: add optional ones too
            if len(names) >= int(schema.get("minProperties", 0)):
                break
            if name not in names:
                names.append(name)
        return {k: example(props.get(k, {})) for k in names}
    if kind == "array":
        return [example(schema.get("items", {}))] * max(1, int(schema.get("minItems", 1)))
    if kind == "integer":
        return int(
            max(schema.get("minimum", 1), 1)
            if "maximum" not in schema
            else min(max(schema.get("minimum", 1), 1), schema["maximum"])
        )
    if kind == "number":
        return float(max(schema.get("minimum", 1), 1))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "email":
            return "sweep@example.com"
        if fmt == "date":
            return "2025-01-15"
        if fmt == "date-time":
            return "2025-01-15T00:00:00Z"
        if "pattern" in schema:
            for candidate in PATTERN_CANDIDATES:
                if re.search(schema["pattern"], candidate):
                    return candidate
            raise AssertionError(f"no example for pattern {schema['pattern']!r}: extend PATTERN_CANDIDATES")
        text = "Example-Value-9"
        text = text.ljust(int(schema.get("minLength", 0)), "x")
        return text[: int(schema.get("maxLength", len(text)))]
    return {"text": "hello"}


PATTERN_CANDIDATES = (
    "USD",
    "US",
    "usd",
    "us",
    "2025-01-15",
    "2025-01",
    "2025",
    "dummy-1",
    "ABC123",
    "abc",
    "A1",
    "1",
    "x",
    "CUST-000001",
    "cust_000001",
    "P-0001",
    "#",
)


def concrete_request(spec: dict[str, Any], op) -> tuple[str, Any]:
    """The operation's path with dummy parameters and required query values, and a body."""
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", "dummy-1")
    item = spec["paths"][op.path]
    raw = item[op.method.lower()]
    query = []
    for param in (item.get("parameters") or []) + (raw.get("parameters") or []):
        param = resolve(param, spec)
        if param.get("in") == "query" and param.get("required"):
            query.append(f"{param['name']}={example(param.get('schema', {}))}")
    if query:
        path += "?" + "&".join(query)
    body = None
    if "requestBody" in raw:
        content = resolve(raw["requestBody"], spec).get("content", {})
        body = example(content.get("application/json", {}).get("schema", {}))
    return path, body


def operations():
    if not OPENAPI_PATH.exists():
        return []
    return load_router(OPENAPI_PATH).operations


def op_id(op) -> str:
    return f"{op.method} {op.path}"


# ---- tests -----------------------------------------------------------------------------------
def test_the_stack_resources_exist_in_moto_by_their_physical_names(platform):
    c = platform.clients
    table = c.dynamodb.describe_table(TableName="futureim-ecommerce-ai-platform-users-dev")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "userId", "KeyType": "HASH"}]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["email-index"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    buckets = {b["Name"] for b in c.s3.list_buckets()["Buckets"]}
    settings = platform.settings
    assert {settings.bucket_name(p) for p in ("raw", "curated", "athena-results", "frontend")} <= buckets
    secret = c.secrets.get_secret_value(SecretId="futureim-ecommerce-ai-platform-jwt-signing-key-dev")
    assert len(secret["SecretString"]) == 64 and secret["ARN"] == platform.jwt_secret_arn
    assert not (Path(__file__).resolve().parent.parent / "local" / "jwt-signing-key").exists()


def test_dataset_is_generated_and_in_the_curated_bucket(platform):
    assert (platform.data_dir / "manifest.json").exists(), platform.warnings
    try:
        import datagen.upload  # noqa: F401
    except ImportError:
        pytest.skip("datagen/upload.py is not there yet")
    objects = platform.clients.s3.list_objects_v2(Bucket=platform.names["curated_bucket"])
    assert objects.get("KeyCount", 0) > 0


def test_the_data_jobs_function_runs_once_in_the_background_after_the_upload(platform):
    """As EventBridge starts it in AWS after an upload: not an API function (no pool, no route),
    run in a thread the start did not wait for; it stores the artifacts the services read."""
    assert "data-jobs" not in platform.invoker.pools
    assert platform._data_jobs_thread is not None and platform._data_jobs_thread.daemon
    assert platform.data_jobs_done.wait(120), "the data-jobs function did not finish"
    summary = platform.data_jobs_result
    assert summary is not None and summary["failed"] == [], platform.warnings
    assert platform.timings["data_jobs"] > 0
    stored = Path(platform.invoker.pools["analytics-service"].env["ARTIFACTS_DIR"])
    for name in ("shared/daily-sales", "analytics/cohort-matrix-v1", "compliance/fraud-model"):
        assert (stored / name / f"{summary['dataVersion']}.json").is_file(), name


def test_functions_see_the_environment_their_needs_give(platform):
    auth = platform.invoker.pools["auth-service"].env
    analytics = platform.invoker.pools["analytics-service"].env
    assert auth["USERS_TABLE"] == platform.names["users_table"]
    assert auth["JWT_SECRET_ARN"] == platform.jwt_secret_arn
    assert "USERS_TABLE" not in analytics and "JWT_SECRET_ARN" not in analytics
    assert analytics["WAREHOUSE"] == "duckdb"
    assert analytics["WAREHOUSE_DATA_DIR"] == str(platform.data_dir.resolve())
    for env in (auth, analytics):
        assert env["AWS_ENDPOINT_URL"] == platform.moto_url
        assert env["ALLOWED_ORIGIN"] == platform.frontend_url
        assert env["AWS_ACCESS_KEY_ID"] == "testing"


@needs_auth
def test_health_is_public(platform):
    resp = call(platform, "GET", "/health")
    assert resp.status == 200, resp
    assert "x-amzn-RequestId" in resp.headers


@needs_auth
def test_register_login_me(platform):
    email, tokens = new_user(platform, "ada")
    me = call(platform, "GET", "/auth/me", token=tokens["accessToken"])
    assert me.status == 200, me
    assert me.json()["email"] == email
    # The deployed URL form (with the stage) works too.
    assert call(platform, "GET", f"/{platform.stack}/auth/me", token=tokens["accessToken"]).status == 200


@needs_auth
def test_duplicate_registration_is_a_service_error_not_a_gateway_one(platform):
    email, _ = new_user(platform, "dup")
    resp = call(platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "B"})
    assert resp.status == 409, resp
    assert "x-amzn-ErrorType" not in resp.headers
    assert_error_model(resp)


@pytest.mark.parametrize("op", [o for o in operations() if not o.public], ids=op_id)
def test_protected_operations_refuse_missing_and_garbage_tokens(platform, op):
    spec = load_spec(OPENAPI_PATH)
    path, body = concrete_request(spec, op)
    for token in (None, "garbage.not-a.jwt"):
        resp = call(platform, op.method, path, body, token=token)
        assert resp.status == 401, (token, resp)
        assert assert_error_model(resp)["code"] == "UNAUTHORIZED"
        assert resp.headers.get("Access-Control-Allow-Origin") == platform.frontend_url


@pytest.fixture(scope="module")
def sweep_token(platform):
    if not HAS_AUTH:
        pytest.skip("lambdas/auth_service is not there yet")
    return new_user(platform, "sweep")[1]["accessToken"]


@pytest.mark.parametrize("op", operations(), ids=op_id)
def test_every_operation_reaches_its_service(platform, sweep_token, op):
    spec = load_spec(OPENAPI_PATH)
    path, body = concrete_request(spec, op)
    resp = call(platform, op.method, path, body, token=None if op.public else sweep_token)
    # Not one of the gateway's own answers: the owning function ran and answered (what it
    # answers is the service's own tests' business; errors must be in the error model).
    assert "x-amzn-ErrorType" not in resp.headers, resp
    if resp.status >= 400:
        assert assert_error_model(resp)["code"] not in GATEWAY_CODES - {"UNAUTHORIZED"}, resp


def test_unknown_path_is_a_json_404_and_wrong_method_a_405(platform):
    resp = call(platform, "GET", "/no/such/thing")
    assert resp.status == 404 and assert_error_model(resp)["code"] == "RESOURCE_NOT_FOUND"
    resp = call(platform, "DELETE", "/health")
    assert resp.status == 405 and assert_error_model(resp)["code"] == "METHOD_NOT_ALLOWED"


def test_cors_preflight_is_limited_to_the_frontend_origin(platform):
    resp = call(
        platform,
        "OPTIONS",
        "/compliance/cases/c-1",
        headers={
            "Origin": platform.frontend_url,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == platform.frontend_url
    assert "PATCH" in resp.headers["Access-Control-Allow-Methods"]
    assert "authorization" in resp.headers["Access-Control-Allow-Headers"].lower()


@needs_auth
def test_service_answers_carry_cors_for_the_frontend(platform):
    resp = call(platform, "GET", "/health", headers={"Origin": platform.frontend_url})
    assert resp.headers.get("Access-Control-Allow-Origin") == platform.frontend_url


def test_frontend_origin_answers_with_the_api_url(platform):
    with urllib.request.urlopen(platform.frontend_url + "/config.json", timeout=10) as resp:
        assert json.loads(resp.read())["apiUrl"] == platform.stage_url


@needs_auth
def test_password_reset_mail_lands_in_the_mailbox(platform):
    email, _ = new_user(platform, "forgot")
    resp = call(platform, "POST", "/auth/forgot-password", {"email": email})
    assert resp.status == 202, resp
    # queued by the API, sent by the auth function from the queue (the local event source)
    assert platform.wait_for_mail(email)["resetToken"]


@needs_auth
def test_a_killed_worker_is_replaced(platform):
    token = new_user(platform, "kill")[1]["accessToken"]
    pool = platform.invoker.pools["analytics-service"]
    call(platform, "GET", "/analytics/datasets", token=token)
    idle = list(pool._idle)
    killed = [w.process.pid for w in idle]
    assert killed
    for pid in killed:
        os.kill(pid, 9)
    for worker in idle:  # SIGKILL is delivered asynchronously: wait until they are gone
        worker.process.wait(timeout=10)
    resp = call(platform, "GET", "/analytics/datasets", token=token)
    assert "x-amzn-ErrorType" not in resp.headers, resp  # a new instance answered
    assert [w.process.pid for w in pool._idle] and not set(killed) & {w.process.pid for w in pool._idle}


@needs_auth
def test_users_and_tokens_survive_a_restart(platform):
    """Last: restarts the module's platform. moto forgets everything; the platform saves the
    table's items on stop and puts them back on start (and keeps the signing key)."""
    email, tokens = new_user(platform, "persist")
    platform.stop()
    assert any(platform.state_dir.glob("dynamodb-*.json"))
    platform.start()
    me = call(platform, "GET", "/auth/me", token=tokens["accessToken"])
    assert me.status == 200 and me.json()["email"] == email, me
    login = call(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login
