"""Property-based fuzzing of the whole API through the local platform, driven by the contract.

schemathesis reads api/openapi.yaml and, for every operation, sends schema-valid and
schema-invalid requests (the boundary cases of every parameter and body field, then random
ones) over real HTTP on 127.0.0.1 to the local gateway and the real handlers: once with the
bearer token of a registered user, and once without (protected operations only). Every answer
must hold, whatever the input:

- no 5xx, except 501 NOT_IMPLEMENTED from the six services still pending (never from auth);
- every 4xx/5xx is JSON in the error model `{"error": {"code", "message", "details"}}`;
- answers the contract documents conform to it: status code, content type, body schema,
  headers (e.g. Retry-After); schema-invalid requests are refused; schema-valid requests are
  never refused by the gateway's own validation or routing;
- bad input changes nothing: after an auth operation that did not succeed, the users table is
  as it was (sign-in failure counters aside), and GET /auth/me still answers the same profile.

Bounded and deterministic: a fixed seed, Hypothesis derandomized, no example database, a small
number of random examples per operation. The coverage phase (boundary cases) is deterministic
too. Failing examples are not shrunk: the platform keeps state (lockouts, sessions), so a replay
is not the same experiment; the failure message carries the exact request instead.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from components.catalog import OPENAPI_PATH
from local.contract import load_spec, operations_from_spec
from tests.helpers import local_platform

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed (requirements-dev.txt)"
)
requests = pytest.importorskip("requests")

from hypothesis import HealthCheck, given, settings  # noqa: E402  (schemathesis brings hypothesis)
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

pytestmark = pytest.mark.slow

if not OPENAPI_PATH.exists():  # pragma: no cover - the contract is part of the repo
    pytest.skip("api/openapi.yaml is not there yet", allow_module_level=True)

SEED = 20261126
MAX_EXAMPLES = 10  # random examples per operation, on top of the coverage phase's boundary cases
PASSWORD = "Correct-Horse-Battery-9"
AUTH = "auth-service"
# Services whose every operation has landed: a 501 from them is a failure like any 5xx.
COMPLETE = {
    AUTH,
    "market-intelligence",
    "analytics-service",
    "global-market-pulse",
    "compliance-guardian",
    "retail-copilot",
    "demand-insights",
}
TOKEN_RECORDS = ("REFRESH#", "FAMILY#", "RESET#")  # users table keys (lambdas/auth_service/store.py)
LOGIN_FAILURES = "LOGINFAIL#"  # failed sign-ins are counted: the one write a refused request makes
# The gateway's own validation/routing answers: a schema-valid request must never get one.
GATEWAY_REFUSALS = {"BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS", "RESOURCE_NOT_FOUND", "METHOD_NOT_ALLOWED"}
# Operations whose success legitimately changes accounts (USER/EMAIL items).
ACCOUNT_WRITERS = {
    ("POST", "/auth/register"),
    ("PATCH", "/auth/me"),
    ("POST", "/auth/change-password"),
    ("POST", "/auth/reset-password"),
}
# schemathesis also probes methods a path does not declare (coverage phase). TRACE and QUERY
# (and other unknown methods) are left to test_edge_requests_get_a_json_client_error below, so
# that one gateway gap shows up there once rather than masking every operation's fuzz run here.
PROBED_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]


def _config(*, coverage: bool = True, max_examples: int = MAX_EXAMPLES) -> Any:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
                # The tests set Authorization themselves (a real token, or none).
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": coverage, "unexpected-methods": PROBED_METHODS}},
        }
    )


SPEC = load_spec(OPENAPI_PATH)
SCHEMA = schemathesis.openapi.from_dict(SPEC, config=_config())
OPERATIONS = {(op.method, op.path): op for op in operations_from_spec(SPEC)}


def contract_op(case: Any) -> Any:
    """The contract's operation of a case (local.contract.Operation: service, public...)."""
    return OPERATIONS[(case.operation.method.upper(), case.operation.path)]


# Without a valid token the authorizer refuses before anything looks at the input, so random
# examples are enough there: the boundary cases would all get the same 401.
PROTECTED = schemathesis.openapi.from_dict(SPEC, config=_config(coverage=False, max_examples=8)).include(
    lambda ctx: not contract_op(ctx).public
)


# ---- the platform, two users, an HTTP session ------------------------------------------------
@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    # Fuzzing signs in far more often than a person: no WAF rule here (tests/test_local_firewall.py).
    with local_platform(
        tmp_path_factory.mktemp("fuzz-platform"), build_frontend=False, auth_rate_limit=0
    ) as p:
        yield p


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def _register_and_login(platform, http, prefix: str) -> dict[str, Any]:
    email = f"{prefix}-{SEED}@example.com"  # a fresh platform per module: no clash, reproducible
    body = {"email": email, "password": PASSWORD, "name": f"{prefix.title()} Lovelace"}
    created = http.post(f"{platform.api_url}/auth/register", json=body, timeout=30)
    assert created.status_code == 201, created.text
    login = http.post(
        f"{platform.api_url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 200, login.text
    return {"email": email, "profile": created.json(), "token": login.json()["accessToken"]}


class Ledger:
    """What the fuzz run may and may not have changed.

    `fuzzer` owns the bearer token every protected request carries: the fuzz may rename it
    (PATCH /auth/me) and fail its password checks (change-password; it gets locked, which is
    fine: nothing signs in as it). `bystander` is never a caller: its email only appears as a
    taken address, and it must end the run exactly as it started and still able to sign in."""

    def __init__(self, platform, http) -> None:
        self.platform, self.http = platform, http
        self.db = platform.clients.dynamodb
        self.table = platform.names["users_table"]
        self.fuzzer = _register_and_login(platform, http, "fuzzer")
        self.bystander = _register_and_login(platform, http, "bystander")
        self.profile = dict(self.fuzzer["profile"])  # what GET /auth/me must answer now
        self.initial = self.snapshot()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every item of the users table but the sign-in failure counters, by key."""
        items: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {"TableName": self.table, "ConsistentRead": True}
        while True:
            page = self.db.scan(**kwargs)
            for item in page.get("Items", []):
                key = item["userId"]["S"]
                if not key.startswith(LOGIN_FAILURES):
                    items[key] = item
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def me(self) -> Any:
        return self.http.get(
            f"{self.platform.api_url}/auth/me",
            headers={"Authorization": f"Bearer {self.fuzzer['token']}"},
            timeout=30,
        )


@pytest.fixture(scope="module")
def ledger(platform, http):
    return Ledger(platform, http)


# ---- what every answer must satisfy ----------------------------------------------------------
def describe(response: Any) -> str:
    """The request as sent (no Authorization) and the answer, for failure messages."""
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    sent = f"{request.method} {request.url}" + (f"\n  body: {str(body)[:600]}" if body else "")
    return f"{sent}\n  -> {response.status_code} {response.text[:600]}"


def error_of(response: Any) -> dict[str, Any]:
    """The error model of a 4xx/5xx answer (asserting its shape)."""
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    assert media == "application/json", f"error answer is not JSON ({media!r}):\n{describe(response)}"
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"error answer is not valid JSON:\n{describe(response)}") from None
    assert isinstance(body, dict) and set(body) == {"error"}, f"not the error model:\n{describe(response)}"
    error = body["error"]
    assert isinstance(error, dict), f"not the error model:\n{describe(response)}"
    assert isinstance(error.get("code"), str) and error["code"], f"error.code:\n{describe(response)}"
    assert error["code"].replace("_", "").isalnum() and error["code"].isupper(), (
        f"error.code is not UPPER_SNAKE_CASE:\n{describe(response)}"
    )
    assert isinstance(error.get("message"), str), f"error.message:\n{describe(response)}"
    assert isinstance(error.get("details"), dict), f"error.details must be an object:\n{describe(response)}"
    return error


def check_answer(case: Any, response: Any) -> dict[str, Any] | None:
    """The rules for any answer; returns the error model of a 4xx/5xx answer."""
    op = contract_op(case)
    status = response.status_code
    error = error_of(response) if status >= 400 else None
    if status >= 500:
        assert status == 501 and error["code"] == "NOT_IMPLEMENTED" and op.service not in COMPLETE, (
            f"server error from {op.service}:\n{describe(response)}"
        )
    # The pending services answer 501 to every routed request: the contract does not list it
    # (README: "routed; each answers 501 NOT_IMPLEMENTED ... until its behaviour lands"), so the
    # status code check is skipped for those answers only. Their body is checked above.
    pending = status == 501
    checks = [
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
        negative_data_rejection,
        unsupported_method,
        *([] if pending else [status_code_conformance]),
    ]
    case.validate_response(response, checks=checks)
    # schemathesis' positive_data_acceptance is replaced by this: the contract lets the services
    # enforce rules a schema cannot say (the email's form, the strong-password rule, unknown
    # tokens: 400 VALIDATION_ERROR / WEAK_PASSWORD / INVALID_*), but the gateway validates and
    # routes by the contract itself, so it must never refuse a schema-valid request.
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.method.upper() == op.method and error is not None:
        assert error["code"] not in GATEWAY_REFUSALS, (
            f"the gateway refused a request the contract allows:\n{describe(response)}"
        )
    return error


def check_effects(
    case: Any, response: Any, ledger: Ledger, before: dict[str, dict[str, Any]], body: Any
) -> None:
    """Bad input changes nothing; a success changes only what the operation says."""
    op = contract_op(case)
    after = ledger.snapshot()
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    where = describe(response)
    ok = 200 <= response.status_code < 300 and case.method.upper() == op.method
    if not ok:
        assert not changed, f"a refused request changed {sorted(changed)}:\n{where}"
    else:
        accounts = {k for k in changed if not k.startswith(TOKEN_RECORDS)}
        if (op.method, op.path) not in ACCOUNT_WRITERS:
            assert not accounts, f"{op.method} {op.path} changed accounts {sorted(accounts)}:\n{where}"
        elif op.path == "/auth/register":
            new = response.json()
            assert accounts == {new["userId"], f"EMAIL#{new['email']}"}, f"{sorted(accounts)}:\n{where}"
            assert new["email"] == body["email"].strip().lower() and new["name"] == body["name"].strip(), (
                where
            )
        elif (op.method, op.path) == ("PATCH", "/auth/me"):
            assert accounts <= {ledger.profile["userId"]}, f"{sorted(accounts)}:\n{where}"
            assert response.json()["name"] == body["name"].strip(), where
            ledger.profile = response.json()
    if (op.method, op.path) in ACCOUNT_WRITERS:
        me = ledger.me()
        assert me.status_code == 200 and me.json() == ledger.profile, (
            f"GET /auth/me changed after:\n{where}\n  now: {me.status_code} {me.text[:300]}"
        )


def exercise(case: Any, platform, http, ledger: Ledger, token: str | None) -> Any:
    """Send a case, check the answer and, for auth operations, what it changed."""
    op = contract_op(case)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    before = ledger.snapshot() if op.service == AUTH else None
    body = case.body if isinstance(case.body, dict) else None
    response = case.call(base_url=platform.api_url, session=http, headers=headers, timeout=30)
    check_answer(case, response)
    if before is not None:
        check_effects(case, response, ledger, before, body)
    return response


# ---- the fuzz runs ---------------------------------------------------------------------------
@SCHEMA.parametrize()
def test_every_operation_with_a_valid_token(case, platform, http, ledger):
    op = contract_op(case)
    exercise(case, platform, http, ledger, None if op.public else ledger.fuzzer["token"])


# Authorization values a caller without a valid token may send (none at all, most often).
FORGED_AUTHORIZATION = st.one_of(
    st.none(),
    st.none(),
    st.just("Bearer"),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60).map("Bearer ".__add__),
    st.from_regex(r"\ABearer [A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{0,43}\Z"),
    st.from_regex(r"\A(Basic|Token|bearer) [A-Za-z0-9+/=._-]{1,40}\Z"),
)


@PROTECTED.parametrize()
@PROTECTED.given(authorization=FORGED_AUTHORIZATION)
def test_protected_operations_refuse_callers_without_a_valid_token(
    case, authorization, platform, http, ledger
):
    headers = {"Authorization": authorization} if authorization is not None else None
    before = ledger.snapshot() if contract_op(case).service == AUTH else None
    response = case.call(base_url=platform.api_url, session=http, headers=headers, timeout=30)
    error = check_answer(case, response)
    # A schema-invalid path parameter may name a resource the API does not have: the gateway
    # answers 404 before any authorizer runs, as API Gateway does. Everything else is a 401.
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    unknown_resource = negative and case.path_parameters and error and error["code"] == "RESOURCE_NOT_FOUND"
    if not unknown_resource:
        assert response.status_code == 401 and error["code"] == "UNAUTHORIZED", describe(response)
    if before is not None:
        assert ledger.snapshot() == before, (
            f"a refused request changed the users table:\n{describe(response)}"
        )


def _variants_of(email: str) -> st.SearchStrategy[str]:
    """The same address as the service sees it: other letter case, surrounding whitespace."""
    return st.tuples(
        st.lists(st.booleans(), min_size=len(email), max_size=len(email)),
        st.sampled_from(["", " ", "\t", "  "]),
        st.sampled_from(["", " ", "\n"]),
    ).map(lambda t: t[1] + "".join(c.upper() if up else c for c, up in zip(email, t[0], strict=True)) + t[2])


STRONG_PASSWORDS = st.text(min_size=8, max_size=100).map(lambda s: "Zq7#" + s)


@given(data=st.data())
@settings(
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_register_with_real_and_taken_emails_changes_only_what_it_creates(data, platform, http, ledger):
    """Generated bodies rarely hold a well-formed email, so most never get past the email rule:
    here the contract's schema-valid bodies get a real address, or the bystander's in another
    spelling (409 EMAIL_TAKEN, and the bystander's account untouched), and often a password
    that passes the strength rule, so that registration runs to the end."""
    case = data.draw(SCHEMA["/auth/register"]["POST"].as_strategy(GenerationMode.POSITIVE))
    email = data.draw(st.one_of(st.emails(), _variants_of(ledger.bystander["email"])), label="email")
    password = data.draw(st.one_of(st.just(case.body["password"]), STRONG_PASSWORDS), label="password")
    case.body = {**case.body, "email": email, "password": password}
    response = exercise(case, platform, http, ledger, None)
    if email.strip().lower() == ledger.bystander["email"]:
        assert response.status_code in (400, 409), describe(response)


# ---- inputs schemathesis does not generate -------------------------------------------------
# Lone UTF-16 surrogates are valid JSON escapes (RFC 8259 allows them) and valid for every
# `type: string` of the contract; schemathesis only generates encodable text, so they are sent
# here, one string field at a time, in a body otherwise able to get past the earlier checks
# (a fresh account, a real reset token), so that the value reaches the deepest code using it.
BAD = "Correct-Horse-\ud800-Battery-9"  # passes the strength rule but for the surrogate
SURROGATE_CASES = {
    "register-name": (
        "POST",
        "/auth/register",
        lambda u: {"email": u["new"], "password": PASSWORD, "name": "Ada \ud83d"},
    ),
    "register-password": (
        "POST",
        "/auth/register",
        lambda u: {"email": u["new"], "password": BAD, "name": "Ada"},
    ),
    "login-password": ("POST", "/auth/login", lambda u: {"email": u["email"], "password": BAD}),
    "forgot-password-email": ("POST", "/auth/forgot-password", lambda u: {"email": "ada\udfff@example.com"}),
    "refresh-token": ("POST", "/auth/refresh", lambda u: {"refreshToken": "abc\ud800def"}),
    "reset-password-newPassword": (
        "POST",
        "/auth/reset-password",
        lambda u: {"token": u["reset"], "newPassword": BAD},
    ),
    "logout-token": ("POST", "/auth/logout", lambda u: {"refreshToken": "abc\ud800def"}),
    "verify-token": ("POST", "/auth/verify", lambda u: {"token": "a.b\ud800.c"}),
    "me-name": ("PATCH", "/auth/me", lambda u: {"name": "Ada \udc00"}),
    "change-password-current": (
        "POST",
        "/auth/change-password",
        lambda u: {"currentPassword": BAD, "newPassword": PASSWORD + "!"},
    ),
    "change-password-new": (
        "POST",
        "/auth/change-password",
        lambda u: {"currentPassword": PASSWORD, "newPassword": BAD},
    ),
}


@pytest.fixture(scope="module")
def subject(platform, http, ledger):
    """A fresh account (not locked by the fuzz run), with a reset token of its own."""
    user = _register_and_login(platform, http, "subject")
    asked = http.post(f"{platform.api_url}/auth/forgot-password", json={"email": user["email"]}, timeout=30)
    assert asked.status_code == 202, asked.text
    user["reset"] = platform.wait_for_mail(user["email"])["resetToken"]
    user["new"] = f"surrogate-{SEED}@example.com"
    return user


@pytest.mark.parametrize("name", list(SURROGATE_CASES))
def test_lone_surrogates_in_json_strings_are_client_errors(name, platform, http, ledger, subject):
    method, path, make_body = SURROGATE_CASES[name]
    headers = {"Content-Type": "application/json"}
    if not OPERATIONS[(method, path)].public:
        headers["Authorization"] = f"Bearer {subject['token']}"
    data = json.dumps(make_body(subject)).encode()  # ensure_ascii: the surrogate travels as \udXXX
    before = ledger.snapshot()
    raw = http.request(method, platform.api_url + path, data=data, headers=headers, timeout=30)
    response = schemathesis.Response.from_any(raw)
    after = ledger.snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert response.status_code < 500, f"{name} (changed: {changed}):\n{describe(response)}"
    if response.status_code >= 400:
        error_of(response)
        assert not changed, f"{name}: a refused request changed {changed}:\n{describe(response)}"


# Percent-encoding in a path is data, not structure: API Gateway routes on the path as sent and
# decodes each parameter once, so an encoded "?" stays inside its segment.
def test_percent_encoded_path_characters_do_not_change_the_route(platform, http, ledger):
    auth = {"Authorization": f"Bearer {ledger.fuzzer['token']}"}
    # An encoded "?" inside a path parameter keeps the request on its operation...
    url = f"{platform.api_url}/demand-insights/segments/a%3Fb/customers"
    resp = schemathesis.Response.from_any(http.get(url, headers=auth, timeout=30))
    assert error_of(resp)["code"] != "RESOURCE_NOT_FOUND", describe(resp)
    # ...and "/auth/me%3Fx" is not /auth/me with a query string: the API has no such resource,
    # so the gateway answers itself, without running the authorizer or a function.
    resp = schemathesis.Response.from_any(
        http.get(f"{platform.api_url}/auth/me%3Fx", headers=auth, timeout=30)
    )
    assert resp.status_code == 404 and error_of(resp)["code"] == "RESOURCE_NOT_FOUND", describe(resp)


def _raw_http(platform, data: bytes) -> bytes:
    """Send bytes as they are and read one answer (b"" if the server closed without one)."""
    host, port = platform.api_url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            answer += chunk
            head, sep, rest = answer.partition(b"\r\n\r\n")
            length = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
            if sep and length and len(rest) >= int(length[0].split(b":", 1)[1]):
                break
        return answer


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


DEEP = b"[" * 100_000 + b"]" * 100_000
JSON_TYPE = {"Content-Type": "application/json"}
EDGE_REQUESTS = {
    # JSON nested deeper than a recursive parser goes: the gateway's request validation...
    "deeply-nested-json-to-the-gateway": _request("POST", "/auth/login", JSON_TYPE, DEEP),
    # ...and the service's own parser (a media type the gateway has no model for passes through).
    "deeply-nested-json-to-the-service": _request(
        "POST", "/auth/login", {"Content-Type": "text/plain"}, DEEP
    ),
    "content-length-not-a-number": _request(
        "POST", "/auth/login", {**JSON_TYPE, "Content-Length": "abc"}, b"{}"
    ),
    "chunk-size-not-hex": _request(
        "POST", "/auth/login", {**JSON_TYPE, "Transfer-Encoding": "chunked"}, b"zz\r\n{}\r\n0\r\n\r\n"
    ),
    "method-TRACE": _request("TRACE", "/health", {}),
    "method-QUERY": _request("QUERY", "/auth/me", {}),
    "method-unknown": _request("FOO", "/health", {}),
}


@pytest.mark.parametrize("name", list(EDGE_REQUESTS))
def test_edge_requests_get_a_json_client_error(name, platform):
    answer = _raw_http(platform, EDGE_REQUESTS[name])
    assert answer, f"{name}: the connection was closed without an answer"
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    where = f"{name}: {status_line}\n  {body[:300]!r}"
    assert 400 <= status < 500, where
    assert headers.get("content-type", "").startswith("application/json"), where
    error = json.loads(body)["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), where
    assert isinstance(error["details"], dict), where
    if status == 405:
        assert "allow" in headers, where


# ---- last: what the whole run left behind ------------------------------------------------------
def test_the_fuzz_run_left_the_accounts_as_they_were(platform, http, ledger):
    now = ledger.snapshot()
    bystander, fuzzer = ledger.bystander["profile"]["userId"], ledger.fuzzer["profile"]["userId"]
    assert now[bystander] == ledger.initial[bystander]
    assert now[f"EMAIL#{ledger.bystander['email']}"] == ledger.initial[f"EMAIL#{ledger.bystander['email']}"]
    # The fuzzer may have been renamed; its password and everything else are as they were.
    unchanged = {k: v for k, v in ledger.initial[fuzzer].items() if k not in ("name", "updatedAt")}
    assert {k: v for k, v in now[fuzzer].items() if k not in ("name", "updatedAt")} == unchanged
    me = ledger.me()
    assert me.status_code == 200 and me.json() == ledger.profile, me.text
    login = http.post(
        f"{platform.api_url}/auth/login",
        json={"email": ledger.bystander["email"], "password": PASSWORD},
        timeout=30,
    )
    assert login.status_code == 200, login.text  # neither locked nor changed
    assert http.get(f"{platform.api_url}/health", timeout=30).status_code == 200
