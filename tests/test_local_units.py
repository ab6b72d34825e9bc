"""The local platform's pure parts, no server: routing by the contract, API Gateway proxy
events and responses, the authorizer policy, request validation, the functions' environment."""

from __future__ import annotations

import base64
import json

import pytest

from components import catalog
from components.catalog import FUNCTIONS, OPENAPI_PATH
from components.settings import from_stack_file
from local import events
from local.contract import Operation, Router, normalise_path, operations_from_spec
from local.environment import LocalResources, function_environment, runtime_environment
from local.events import HttpRequest, MalformedResponseError
from local.gateway import Gateway, policy_allows
from local.validation import InvalidRequestError, RequestValidator, to_json_schema
from local.workers import InvokeError

SETTINGS = from_stack_file("dev")
RESOURCES = LocalResources(
    endpoint_url="http://127.0.0.1:4566",
    jwt_secret_arn="arn:aws:secretsmanager:us-east-2:123456789012:secret:jwt-AbCdEf",
    allowed_origin="http://127.0.0.1:5173",
    data_dir="/x/data",
    mailbox_dir="/x/mailbox",
)


def op(method: str, path: str, service: str = "auth-service", public: bool = False) -> Operation:
    return Operation(method, path, service, f"{method}{path}", public)


# ---- routing ---------------------------------------------------------------------------------
ROUTER = Router(
    [
        op("GET", "/compliance/cases", "compliance-guardian"),
        op("POST", "/compliance/cases", "compliance-guardian"),
        op("PATCH", "/compliance/cases/{caseId}", "compliance-guardian"),
        op("GET", "/copilot/conversations/{conversationId}", "retail-copilot"),
        op("GET", "/copilot/conversations/latest", "retail-copilot"),
        op("GET", "/files/{proxy+}", "retail-copilot"),
        op("GET", "/health", public=True),
    ]
)


def test_template_matches_and_extracts_decoded_parameters():
    match = ROUTER.match("/compliance/cases/case%20042")
    assert match.template.path == "/compliance/cases/{caseId}"
    assert match.path_parameters == {"caseId": "case 042"}
    assert match.operation("patch").service == "compliance-guardian"
    assert match.operation("GET") is None
    assert match.allowed_methods == ["PATCH"]


def test_literal_segment_beats_parameter_and_greedy_takes_the_rest():
    assert ROUTER.match("/copilot/conversations/latest").template.path == "/copilot/conversations/latest"
    assert ROUTER.match("/copilot/conversations/c-1").path_parameters == {"conversationId": "c-1"}
    assert ROUTER.match("/files/a/b/c.txt").path_parameters == {"proxy": "a/b/c.txt"}


def test_unknown_paths_do_not_match():
    assert ROUTER.match("/compliance/cases/1/extra") is None
    assert ROUTER.match("/nope") is None
    assert ROUTER.match("/compliance") is None


def test_trailing_slash_and_query_are_ignored_for_matching():
    assert normalise_path("/health/?x=1") == "/health"
    assert ROUTER.match("/health/").template.path == "/health"


def test_spec_operations_carry_service_and_security():
    spec = {
        "paths": {
            "/a": {
                "get": {"operationId": "a", "x-service": "auth-service", "security": []},
                "post": {"operationId": "b", "x-service": "auth-service", "security": [{"bearerAuth": []}]},
                "options": {"operationId": "cors"},
            },
        }
    }
    ops = {o.operation_id: o for o in operations_from_spec(spec)}
    assert set(ops) == {"a", "b"}  # OPTIONS is the gateway's
    assert ops["a"].public and not ops["b"].public


def test_the_contract_routes_every_operation_to_a_catalog_function():
    if not OPENAPI_PATH.exists():
        pytest.skip("api/openapi.yaml is not there yet")
    from local.contract import load_router

    router = load_router(OPENAPI_PATH)
    names = {fn.name for fn in catalog.SERVICES}
    assert router.services <= names
    for operation in router.operations:
        concrete = operation.path
        for name in operation.path_params:
            concrete = concrete.replace("{" + name + "}", "x1")
        match = router.match(concrete)
        assert match is not None and match.operation(operation.method) == operation, operation


# ---- proxy events --------------------------------------------------------------------------
def request(method="GET", target="/health", headers=(), body=b"") -> HttpRequest:
    return HttpRequest(method, target, tuple(headers), body, source_ip="10.1.2.3")


def test_query_parameters_are_none_when_absent_and_multi_values_kept():
    assert events.query_parameters("") == (None, None)
    single, multi = events.query_parameters("a=1&b=2&a=3&empty=")
    assert single == {"a": "3", "b": "2", "empty": ""}
    assert multi == {"a": ["1", "3"], "b": ["2"], "empty": [""]}


def test_proxy_event_has_the_rest_api_shape():
    req = request(
        "POST",
        "/dev-not-stage/x?q=1&q=2",
        [("Content-Type", "application/json"), ("X-Multi", "1"), ("X-Multi", "2"), ("User-Agent", "pytest")],
        b'{"a": 1}',
    )
    event = events.proxy_event(
        req,
        resource="/dev-not-stage/{id}",
        path_parameters={"id": "x"},
        stage="dev",
        authorizer={"principalId": "u1", "userId": "u1"},
        request_id="rid-1",
        now=0,
    )
    assert event["resource"] == "/dev-not-stage/{id}"
    assert event["path"] == "/dev-not-stage/x"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["pathParameters"] == {"id": "x"}
    assert event["stageVariables"] is None
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["resourcePath"] == "/dev-not-stage/{id}"
    assert ctx["path"] == "/dev/dev-not-stage/x"
    assert ctx["stage"] == "dev" and ctx["requestId"] == "rid-1" and ctx["httpMethod"] == "POST"
    assert ctx["identity"]["sourceIp"] == "10.1.2.3" and ctx["identity"]["userAgent"] == "pytest"
    assert ctx["authorizer"] == {"principalId": "u1", "userId": "u1"}
    assert ctx["accountId"] == "123456789012" and ctx["apiId"] == events.API_ID
    assert ctx["requestTime"] == "01/Jan/1970:00:00:00 +0000"
    json.dumps(event)  # it must travel to the worker as JSON


def test_public_event_without_query_path_parameters_or_body():
    event = events.proxy_event(request(), resource="/health", path_parameters={}, stage="dev")
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert "authorizer" not in event["requestContext"]


def test_binary_body_travels_as_base64():
    raw = bytes([0xFF, 0xFE, 0x00, 0x81])
    event = events.proxy_event(
        request("POST", "/x", body=raw), resource="/x", path_parameters=None, stage="dev"
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == raw


def test_authorizer_context_values_become_strings():
    ctx = events.authorizer_context("u1", {"userId": "u1", "admin": True, "n": 3, "none": None})
    assert ctx == {
        "userId": "u1",
        "admin": "true",
        "n": "3",
        "none": "",
        "principalId": "u1",
        "integrationLatency": 0,
    }
    with pytest.raises(MalformedResponseError):
        events.authorizer_context("u1", {"roles": ["a"]})


def test_method_arn():
    assert (
        events.method_arn("get", "/auth/me", stage="dev", region="us-east-2")
        == f"arn:aws:execute-api:us-east-2:123456789012:{events.API_ID}/dev/GET/auth/me"
    )


# ---- proxy responses -----------------------------------------------------------------------
def test_response_headers_merge_and_base64_body_is_decoded():
    resp = events.http_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "image/png", "Set-Cookie": "ignored"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }
    )
    assert resp.status == 201
    assert ("Content-Type", "image/png") in resp.headers
    assert [v for k, v in resp.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert resp.body == b"\x89PNG"


def test_text_body_and_defaults():
    resp = events.http_response({"statusCode": 204})
    assert resp.status == 204 and resp.body == b"" and resp.headers == ()
    assert events.http_response({"statusCode": "200", "body": "é"}).body == "é".encode()


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "text",
        {"statusCode": "abc"},
        {"statusCode": 200, "body": {"a": 1}},
        {"statusCode": 200, "unexpected": 1},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
        {"statusCode": 99},
    ],
)
def test_malformed_responses_are_refused(bad):
    with pytest.raises(MalformedResponseError):
        events.http_response(bad)


def test_error_body_is_the_contract_error_model():
    body = json.loads(events.error_body("UNAUTHORIZED", "Unauthorized", "r1"))
    assert body == {
        "error": {"code": "UNAUTHORIZED", "message": "Unauthorized", "details": {"requestId": "r1"}}
    }


# ---- the authorizer's policy and the gateway's decisions -------------------------------------
ARN = "arn:aws:execute-api:us-east-2:123456789012:local0api0/dev/GET/auth/me"


@pytest.mark.parametrize(
    "policy,expected",
    [
        ({"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN}]}, True),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "execute-api:Invoke",
                        "Resource": "arn:aws:execute-api:us-east-2:123456789012:local0api0/dev/*",
                    }
                ]
            },
            True,
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": ["execute-api:*"], "Resource": ["*"]},
                    {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": ARN},
                ]
            },
            False,
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "execute-api:Invoke",
                        "Resource": ARN.replace("GET", "POST"),
                    }
                ]
            },
            None,
        ),
        ({"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN}}, True),
    ],
)
def test_policy_evaluation(policy, expected):
    assert policy_allows(policy, ARN) is expected


class FakeInvoker:
    """Records invokes; the authorizer allows "Bearer good", denies "Bearer deny"."""

    def __init__(self):
        self.calls = []
        self.exp = None  # the token's expiry the authorizer puts into the context, if set

    def invoke(self, function, event):
        self.calls.append((function, event))
        if function == "authorizer":
            token = event["authorizationToken"]
            if token == "Bearer good" or token == "Bearer deny":
                effect = "Allow" if token.endswith("good") else "Deny"
                return {
                    "principalId": "u1",
                    "context": {
                        "userId": "u1",
                        "role": "user",
                        **({"exp": str(self.exp)} if self.exp else {}),
                    },
                    "policyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": effect,
                                "Action": "execute-api:Invoke",
                                "Resource": event["methodArn"].rsplit("/", 3)[0] + "/*",
                            }
                        ],
                    },
                }
            if token == "Bearer crash":
                raise InvokeError("crash", "authorizer exited")
            raise InvokeError(
                "function",
                "Exception: Unauthorized",
                {"errorType": "Exception", "errorMessage": "Unauthorized"},
            )
        if event["path"] == "/boom":
            raise InvokeError("crash", "exited")
        if event["path"] == "/slow":
            raise InvokeError("timeout", "timed out")
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"event": event}),
        }


def gateway(**kw):
    router = Router(
        [
            op("GET", "/auth/me"),
            op("GET", "/health", public=True),
            op("GET", "/boom", public=True),
            op("GET", "/slow", public=True),
        ]
    )
    invoker = FakeInvoker()
    return Gateway(
        router, invoker, stage="dev", region="us-east-2", allowed_origin="http://127.0.0.1:5173", **kw
    ), invoker


def body(resp):
    return json.loads(resp.body)


def test_an_authorizer_that_cannot_answer_is_a_503_with_retry_after():
    gw, _ = gateway()
    resp = gw.handle(request("GET", "/auth/me", (("Authorization", "Bearer crash"),)))
    assert resp.status == 503 and dict(resp.headers)["Retry-After"] == "5"
    assert body(resp)["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body(resp)["error"]["details"]["retryAfter"] == 5


@pytest.mark.parametrize(
    "headers,status",
    [
        ((), 401),
        ((("Authorization", "Bearer"),), 401),
        ((("Authorization", "Basic abc"),), 401),
        ((("Authorization", "Bearer garbage"),), 401),
        ((("Authorization", "Bearer deny"),), 403),
        ((("Authorization", "Bearer crash"),), 503),  # an authorizer that cannot answer
        ((("Authorization", "Bearer good"),), 200),
    ],
)
def test_protected_operation_runs_the_authorizer_first(headers, status):
    gw, invoker = gateway()
    resp = gw.handle(request("GET", "/auth/me", headers))
    assert resp.status == status
    if status != 200:
        assert set(body(resp)["error"]) >= {"code", "message"}
        assert dict(resp.headers)["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
        assert all(fn == "authorizer" for fn, _ in invoker.calls)  # the service never ran
    if status == 401:
        assert body(resp)["error"]["code"] == "UNAUTHORIZED"
    if status == 403:
        assert body(resp)["error"]["code"] == "ACCESS_DENIED"


def test_allowed_request_carries_the_authorizer_context_and_is_cached():
    gw, invoker = gateway()
    for _ in range(3):
        resp = gw.handle(request("GET", "/dev/auth/me", [("Authorization", "Bearer good")]))
        assert resp.status == 200
    event = body(resp)["event"]
    assert event["requestContext"]["authorizer"]["userId"] == "u1"
    assert event["requestContext"]["authorizer"]["principalId"] == "u1"
    assert event["path"] == "/auth/me" and event["requestContext"]["path"] == "/dev/auth/me"
    assert [fn for fn, _ in invoker.calls].count("authorizer") == 1
    authorizer_event = invoker.calls[0][1]
    assert authorizer_event == {
        "type": "TOKEN",
        "authorizationToken": "Bearer good",
        "methodArn": f"arn:aws:execute-api:us-east-2:123456789012:{events.API_ID}/dev/GET/auth/me",
    }


def test_cache_can_be_disabled():
    gw, invoker = gateway(cache_ttl=0)
    for _ in range(2):
        gw.handle(request("GET", "/auth/me", [("Authorization", "Bearer good")]))
    assert [fn for fn, _ in invoker.calls].count("authorizer") == 2


def test_a_cached_allow_never_outlives_its_token(monkeypatch):
    # A token expiring in 3 s used to pass 8 s later from the 300 s cache.
    import local.gateway as gateway_module

    gw, invoker = gateway()
    now = [1_000_000.0]
    monkeypatch.setattr(gateway_module.time, "time", lambda: now[0])
    monkeypatch.setattr(gateway_module.time, "monotonic", lambda: now[0])
    invoker.exp = int(now[0]) + 3
    assert gw.handle(request("GET", "/auth/me", [("Authorization", "Bearer good")])).status == 200
    now[0] += 8
    gw.handle(request("GET", "/auth/me", [("Authorization", "Bearer good")]))
    assert [fn for fn, _ in invoker.calls].count("authorizer") == 2  # asked again, not cached


def test_public_operation_skips_the_authorizer():
    gw, invoker = gateway()
    assert gw.handle(request("GET", "/health")).status == 200
    assert [fn for fn, _ in invoker.calls] == ["auth-service"]


def test_gateway_errors():
    gw, _ = gateway()
    not_found = gw.handle(request("GET", "/nope"))
    assert not_found.status == 404 and body(not_found)["error"]["code"] == "RESOURCE_NOT_FOUND"
    wrong = gw.handle(request("DELETE", "/health"))
    assert wrong.status == 405 and "GET" in dict(wrong.headers)["Allow"]
    assert gw.handle(request("GET", "/boom")).status == 502
    assert gw.handle(request("GET", "/slow")).status == 504
    assert all(("x-amzn-RequestId" in dict(r.headers)) for r in (not_found, wrong))


def test_preflight_is_answered_by_the_gateway():
    gw, invoker = gateway()
    resp = gw.handle(
        request(
            "OPTIONS",
            "/auth/me",
            [("Origin", "http://127.0.0.1:5173"), ("Access-Control-Request-Method", "GET")],
        )
    )
    headers = dict(resp.headers)
    assert resp.status == 200
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert "Authorization" in headers["Access-Control-Allow-Headers"]
    assert invoker.calls == []


def test_writes_are_reported_for_persistence():
    marks = []
    router = Router([op("POST", "/auth/register", public=True), op("GET", "/health", public=True)])
    gw = Gateway(
        router,
        FakeInvoker(),
        stage="dev",
        region="us-east-2",
        allowed_origin="o",
        on_write=lambda: marks.append(1),
    )
    gw.handle(request("GET", "/health"))
    assert marks == []
    gw.handle(request("POST", "/auth/register", body=b"{}"))
    assert marks == [1]


# ---- request validation (API Gateway's validators) -------------------------------------------
SPEC = {
    "paths": {
        "/things": {
            "post": {
                "parameters": [
                    {"name": "mode", "in": "query", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "note": {"type": "string", "nullable": True},
                },
            }
        }
    },
}


def test_validation_mirrors_api_gateway():
    v = RequestValidator(SPEC)
    ok = {"query": {"mode": "a"}, "headers": {}, "content_type": "application/json"}
    v.validate("/things", "POST", body='{"name": "x", "note": null}', **ok)
    with pytest.raises(InvalidRequestError) as missing:
        v.validate("/things", "POST", query=None, headers={}, body='{"name": "x"}', content_type=None)
    assert missing.value.code == "BAD_REQUEST_PARAMETERS" and "mode" in str(missing.value)
    for bad in ('{"note": "n"}', "not json", "", '{"name": ""}'):
        with pytest.raises(InvalidRequestError) as invalid:
            v.validate("/things", "POST", body=bad, **ok)
        assert invalid.value.code == "BAD_REQUEST_BODY"


def test_nullable_becomes_a_null_type():
    assert to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    schema = to_json_schema({"type": "object", "properties": {"nullable": {"type": "integer"}}})
    assert schema["properties"] == {"nullable": {"type": "integer"}}


# ---- the functions' environment --------------------------------------------------------------
def env_of(name: str) -> dict[str, str]:
    return function_environment(catalog.service(name), SETTINGS, RESOURCES)


def test_auth_service_gets_the_users_table_and_the_signing_key():
    env = env_of("auth-service")
    assert env["USERS_TABLE"] == "futureim-ecommerce-ai-platform-users-dev"
    assert env["JWT_SECRET_ARN"] == RESOURCES.jwt_secret_arn
    assert env["ACCESS_TOKEN_MINUTES"] == str(SETTINGS.access_token_minutes)
    assert env["MAILBOX_DIR"] == "/x/mailbox"
    assert "CURATED_BUCKET" not in env and "WAREHOUSE" not in env


def test_analytics_reads_the_lake_but_never_the_users():
    env = env_of("analytics-service")
    assert "USERS_TABLE" not in env and "JWT_SECRET_ARN" not in env and "MAILBOX_DIR" not in env
    assert env["CURATED_BUCKET"] == SETTINGS.bucket_name("curated")
    assert env["RAW_BUCKET"] == SETTINGS.bucket_name("raw")
    assert env["GLUE_DATABASE"] == "futureim_ecommerce_ai_platform_lake_dev"
    assert env["ATHENA_WORKGROUP"] == "futureim-ecommerce-ai-platform-analytics-dev"
    assert env["ATHENA_RESULTS_BUCKET"] == SETTINGS.bucket_name("athena-results")
    assert env["WAREHOUSE"] == "duckdb" and env["WAREHOUSE_DATA_DIR"] == "/x/data"


def test_authorizer_only_gets_the_signing_key():
    env = function_environment(catalog.AUTHORIZER, SETTINGS, RESOURCES)
    assert env["JWT_SECRET_ARN"] == RESOURCES.jwt_secret_arn
    assert "USERS_TABLE" not in env and "CURATED_BUCKET" not in env


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.name)
def test_every_function_environment_matches_its_needs_and_aws(fn):
    env = function_environment(fn, SETTINGS, RESOURCES)
    assert env["STAGE"] == "dev" and env["POWERTOOLS_SERVICE_NAME"] == fn.name
    assert env["AWS_ENDPOINT_URL"] == RESOURCES.endpoint_url
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true" and env["POWERTOOLS_METRICS_NAMESPACE"]
    assert ("USERS_TABLE" in env) == (catalog.USERS_TABLE in fn.needs)
    assert ("JWT_SECRET_ARN" in env) == (catalog.JWT_SECRET in fn.needs)
    assert ("CURATED_BUCKET" in env) == (catalog.DATA_LAKE_READ in fn.needs)
    assert ("ATHENA_WORKGROUP" in env) == (catalog.WAREHOUSE_QUERY in fn.needs)
    # The same keys as in AWS (components/services.py), plus only the local stand-ins.
    from types import SimpleNamespace

    from components.services import environment_for

    names = SimpleNamespace(
        table_name="t",
        raw_bucket="r",
        curated_bucket="c",
        athena_results_bucket="a",
        glue_database_name="g",
        athena_workgroup_name="w",
    )
    aws_keys = set(
        environment_for(
            fn, SETTINGS, frontend_origin="o", jwt_secret_arn="s", users_table=names, data_lake=names
        )
    )
    local_only = {
        "WAREHOUSE_DATA_DIR",
        "WAREHOUSE_STATS_HEADERS",
        "ARTIFACTS_DIR",
        "MAILBOX_DIR",
        "POWERTOOLS_TRACE_DISABLED",
        "POWERTOOLS_METRICS_NAMESPACE",
        "AWS_ENDPOINT_URL",
    }
    assert aws_keys <= set(env) <= aws_keys | local_only
    assert all(isinstance(v, str) for v in env.values())


def test_runtime_environment_never_uses_real_credentials():
    env = runtime_environment(catalog.service("auth-service"), SETTINGS)
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "futureim-ecommerce-ai-platform-auth-service-dev"
    assert env["AWS_REGION"] == "us-east-2" and env["AWS_DEFAULT_REGION"] == "us-east-2"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == "/dev/null"


@pytest.mark.parametrize("argv,expected", [([], True), (["--no-data-jobs"], False)])
def test_the_cli_runs_the_data_jobs_unless_told_not_to(monkeypatch, argv, expected):
    import local.__main__ as cli

    seen: dict[str, object] = {}

    class StopError(Exception):
        pass

    def fake_platform(**kwargs: object):
        seen.update(kwargs)
        raise StopError

    monkeypatch.setattr(cli, "LocalPlatform", fake_platform)
    with pytest.raises(StopError):
        cli.main(["--port", "0", *argv])
    assert seen["data_jobs"] is expected
