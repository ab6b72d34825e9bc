"""A dependency that is unreachable or throttled (issue 10 item 13): every service answers 503
SERVICE_UNAVAILABLE with Retry-After in the error model, logs it and counts it; anything else
that fails stays a 500 INTERNAL_ERROR."""

from __future__ import annotations

import socket

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.stub import Stubber
from moto import mock_aws
from shared import aws, errors
from shared.api import create_app, make_handler
from shared.errors import ServiceUnavailable
from shared.testing import LAMBDA_ENV, call, create_jwt_secret

from local.aws import create_users_table

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
PASSWORD = "Correct-Horse-9-Battery"


def client_error(code: str, status: int = 400, operation: str = "GetItem") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "slow down"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


UNAVAILABLE = {
    "connection refused": EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"),
    "connect timeout": ConnectTimeoutError(endpoint_url="http://127.0.0.1:1/"),
    "read timeout": ReadTimeoutError(endpoint_url="http://127.0.0.1:1/"),
    "connection closed": ConnectionClosedError(endpoint_url="http://127.0.0.1:1/"),
    "dynamodb throttling": client_error("ThrottlingException"),
    "dynamodb capacity": client_error("ProvisionedThroughputExceededException"),
    "dynamodb request limit": client_error("RequestLimitExceeded"),
    "dynamodb internal": client_error("InternalServerError", 500),
    "athena throttling": client_error("TooManyRequestsException", operation="StartQueryExecution"),
    "s3 slow down": client_error("SlowDown", 503, "GetObject"),
    "s3 unavailable": client_error("ServiceUnavailable", 503, "GetObject"),
    "sqs throttled": client_error("RequestThrottled", operation="SendMessage"),
    "secrets internal": client_error("InternalServiceError", 500, "GetSecretValue"),
    "an unknown code with status 503": client_error("Whatever", 503),
    "an unknown code with status 429": client_error("Whatever", 429),
}
NOT_UNAVAILABLE = {
    "access denied": client_error("AccessDeniedException"),
    "validation": client_error("ValidationException"),
    "missing resource": client_error("ResourceNotFoundException"),
    "a bug": KeyError("userId"),
}


@pytest.fixture(autouse=True)
def lambda_env(monkeypatch):
    for key, value in LAMBDA_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture()
def failing(monkeypatch):
    """A service whose one route raises `failing.exc`; records what it logs and counts."""
    import shared.api

    app = create_app("faults-test")
    state = type("Failing", (), {})()
    state.exc = None
    state.metrics = []
    state.warnings = []
    state.exceptions = []

    @app.get("/work")
    def work():
        raise state.exc

    monkeypatch.setattr(shared.api.metrics, "add_metric", lambda **kw: state.metrics.append(kw))
    monkeypatch.setattr(shared.api.logger, "warning", lambda msg, *a, **k: state.warnings.append((msg, k)))
    monkeypatch.setattr(shared.api.logger, "exception", lambda msg, *a, **k: state.exceptions.append(msg))
    state.handler = make_handler(app)
    return state


def assert_unavailable(res) -> dict:
    assert res.status == 503, res.text
    error = res.json["error"]
    assert set(res.json) == {"error"} and set(error) == {"code", "message", "details"}
    assert error["code"] == "SERVICE_UNAVAILABLE"
    retry_after = res.headers["retry-after"]
    assert retry_after.isdigit() and int(retry_after) >= 1
    assert error["details"]["retryAfter"] == int(retry_after)
    return error


@pytest.mark.parametrize("exc", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_an_unreachable_or_throttled_dependency_is_a_503_with_retry_after(failing, exc):
    failing.exc = exc
    res = call(failing.handler, "GET", "/work")
    error = assert_unavailable(res)
    assert error["details"]["requestId"]
    # nothing of the dependency leaks: no endpoint, no AWS error code or message
    assert "127.0.0.1" not in res.text and "slow down" not in res.text and "Exception" not in res.text
    # logged (as a warning with what failed, not as an unhandled error) and counted
    assert [m for m, _ in failing.warnings] == ["dependency unavailable"]
    assert failing.exceptions == []
    assert {"name": "DependencyUnavailable", "unit": "Count", "value": 1} in failing.metrics


@pytest.mark.parametrize("exc", NOT_UNAVAILABLE.values(), ids=NOT_UNAVAILABLE.keys())
def test_other_failures_stay_500(failing, exc):
    failing.exc = exc
    res = call(failing.handler, "GET", "/work")
    assert res.status == 500 and res.json["error"]["code"] == "INTERNAL_ERROR", res.text
    assert "retry-after" not in res.headers
    assert failing.exceptions == ["unhandled error"]


def test_a_wrapped_dependency_failure_is_still_a_503(failing):
    """The warehouse and the artifacts wrap boto3's errors in their own (`raise ... from exc`)."""
    from shared.warehouse import WarehouseError

    try:
        try:
            raise client_error("TooManyRequestsException", operation="StartQueryExecution")
        except ClientError as exc:
            raise WarehouseError("Athena refused the query") from exc
    except WarehouseError as wrapped:
        failing.exc = wrapped
    assert_unavailable(call(failing.handler, "GET", "/work"))


def test_an_error_raised_while_handling_a_throttle_is_a_bug_not_a_503(failing):
    try:
        try:
            raise client_error("ThrottlingException")
        except ClientError:
            raise KeyError("oops")  # noqa: B904 - the point: implicit context only
    except KeyError as bug:
        failing.exc = bug
    assert call(failing.handler, "GET", "/work").status == 500


def test_service_unavailable_raised_by_a_service_says_when_to_retry():
    err = ServiceUnavailable("The users table is unavailable", retry_after=7)
    assert err.status == 503 and err.headers == {"Retry-After": "7"} and err.details["retryAfter"] == 7
    assert ServiceUnavailable().headers["Retry-After"].isdigit()


def test_throttling_waits_less_than_an_outage():
    throttled = errors.dependency_unavailable(client_error("ThrottlingException"))
    down = errors.dependency_unavailable(EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"))
    assert throttled is not None and down is not None
    assert 1 <= throttled.details["retryAfter"] <= down.details["retryAfter"]


def test_the_classification_covers_what_botocore_retries():
    """Our codes are our own list (botocore's are private attributes): it must cover every
    error botocore's standard retry mode treats as throttling or transient."""
    from botocore.retries import standard

    for code in standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES:
        assert errors.dependency_unavailable(client_error(code)) is not None, code
    for code in standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES:
        assert errors.dependency_unavailable(client_error(code)) is not None, code
    for status in standard.TransientRetryableChecker._TRANSIENT_STATUS_CODES:
        assert errors.dependency_unavailable(client_error("Anything", status)) is not None, status
    for cls in standard.TransientRetryableChecker._TRANSIENT_EXCEPTION_CLS:
        assert errors.dependency_unavailable(cls(endpoint_url="http://x", error="e")) is not None, cls


# --- the auth service takes the same path ---------------------------------------------------------


@pytest.fixture()
def auth(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILBOX_DIR", str(tmp_path / "mailbox"))
    with mock_aws():
        aws.reset()
        create_users_table(boto3.client("dynamodb", region_name="us-east-1"), LAMBDA_ENV["USERS_TABLE"])
        arn = create_jwt_secret(boto3.client("secretsmanager", region_name="us-east-1"))
        monkeypatch.setenv("JWT_SECRET_ARN", arn)
        from auth_service import handler, tokens

        tokens.forget_key()
        yield handler.lambda_handler
        tokens.forget_key()
        aws.reset()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on return: nothing listens there


def test_auth_answers_503_when_dynamodb_is_throttled(auth):
    client = boto3.client("dynamodb", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_client_error(
        "get_item", service_error_code="ProvisionedThroughputExceededException", http_status_code=400
    )
    stubber.activate()
    aws.override("dynamodb", client)
    res = call(auth, "POST", "/auth/login", body={"email": "a@example.com", "password": PASSWORD})
    assert_unavailable(res)


def test_auth_answers_503_when_aws_is_unreachable(auth, monkeypatch):
    aws.reset()  # new clients, pointing at a port where nothing listens (the AWS stand-in died)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    body = {"email": "b@example.com", "password": PASSWORD, "name": "Bea"}
    assert_unavailable(call(auth, "POST", "/auth/register", body=body))
    # the health check says the same, also with Retry-After
    assert_unavailable(call(auth, "GET", "/health"))


# --- the contract -----------------------------------------------------------------------------------


def test_every_operation_documents_503_with_retry_after():
    """Every operation reaches a dependency (the users table, the lake, the warehouse, a
    secret): each may answer 503, and the contract says when to retry."""
    import yaml

    from components.catalog import OPENAPI_PATH

    spec = yaml.safe_load(OPENAPI_PATH.read_text())
    unavailable = spec["components"]["responses"]["ServiceUnavailable"]
    assert unavailable["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}
    assert unavailable["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    missing = [
        (method, path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
        and op["responses"].get("503") != {"$ref": "#/components/responses/ServiceUnavailable"}
    ]  # fmt: skip
    assert missing == []
