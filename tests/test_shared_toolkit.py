"""The services' shared toolkit (lambdas/shared): error model, validation, identity,
pagination, CORS, route introspection, boto3 clients, import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from shared import aws
from shared.api import create_app, make_handler, no_content, ok, routes, to_json
from shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
)
from shared.identity import caller, require_role
from shared.pagination import decode_cursor, encode_cursor, page_of, query_cursor, query_page
from shared.testing import LAMBDA_ENV, ORIGIN, call, user
from shared.validation import (
    body,
    path_param,
    query_bool,
    query_date,
    query_enum,
    query_float,
    query_int,
    query_list,
    query_period,
    query_str,
)

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

ITEM_SCHEMA = {
    "type": "object",
    "required": ["name", "quantity"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 10},
        "quantity": {"type": "integer", "minimum": 1},
        "day": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}, "default": []},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}},
    },
}
CURSOR_SCHEMA = {
    "type": "object",
    "required": ["k"],
    "additionalProperties": False,
    "properties": {"k": {"type": "string", "maxLength": 20}},
}


@pytest.fixture(autouse=True)
def lambda_env(monkeypatch):
    for key, value in LAMBDA_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture()
def app():
    app = create_app("toolkit-test")

    @app.post("/items")
    def create_item():
        return {"received": body(app, ITEM_SCHEMA)}, 201

    @app.get("/items/<itemId>")
    def get_item(itemId):  # noqa: N803 - the route's <itemId>
        return ok({"itemId": path_param(itemId, "itemId")})

    @app.delete("/items/<itemId>")
    def delete_item(itemId):  # noqa: N803
        return no_content()

    @app.get("/query")
    def query():
        first, last = query_period(app, default_days=7, max_days=31, today=date(2025, 1, 31))
        return {
            "n": query_int(app, "n", 5, 1, 10),
            "x": query_float(app, "x", None, 0, 1),
            "s": query_str(app, "s", max_len=5),
            "mode": query_enum(app, "mode", ("a", "b"), "a"),
            "flag": query_bool(app, "flag"),
            "day": query_date(app, "day"),
            "ids": query_list(app, "ids", max_items=3),
            "from": first,
            "to": last,
        }

    @app.get("/pages")
    def pages():
        return page_of(list(range(25)), query_page(app, default_limit=10, max_limit=20))

    @app.get("/cursor")
    def cursor():
        page = query_cursor(app, schema=CURSOR_SCHEMA)
        return {"limit": page.limit, "cursor": page.cursor}

    @app.get("/me")
    def me():
        who = caller(app)
        return {"userId": who.user_id, "email": who.email, "role": who.role, "admin": who.is_admin}

    @app.get("/admin")
    def admin():
        return {"userId": require_role(app, "admin").user_id}

    @app.get("/raw-json")
    def raw_json():
        return {"body": app.current_event.json_body}

    @app.get("/boom")
    def boom():
        raise RuntimeError("database password is hunter2")

    errors = {
        "bad": BadRequest("nope"),
        "unauth": Unauthorized(),
        "forbidden": Forbidden(),
        "missing": NotFound(),
        "conflict": Conflict(),
        "unprocessable": UnprocessableEntity(),
        "throttled": TooManyRequests(retry_after=42),
        "down": ServiceUnavailable(),
    }

    @app.get("/errors/<kind>")
    def raise_error(kind):
        raise errors[kind]

    app.handler = make_handler(app)
    return app


def assert_error(res, status, code=None):
    assert res.status == status, res.text
    payload = res.json
    assert set(payload) == {"error"}
    assert set(payload["error"]) == {"code", "message", "details"}
    assert isinstance(payload["error"]["message"], str) and isinstance(payload["error"]["details"], dict)
    assert res.headers["content-type"] == "application/json"
    if code:
        assert payload["error"]["code"] == code
    return payload["error"]


# --- error model --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,status,code",
    [
        ("bad", 400, "VALIDATION_ERROR"),
        ("unauth", 401, "UNAUTHORIZED"),
        ("forbidden", 403, "FORBIDDEN"),
        ("missing", 404, "NOT_FOUND"),
        ("conflict", 409, "CONFLICT"),
        ("unprocessable", 422, "UNPROCESSABLE"),
        ("throttled", 429, "TOO_MANY_REQUESTS"),
        ("down", 503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_typed_errors_keep_their_status_in_the_error_model(app, kind, status, code):
    err = assert_error(call(app.handler, "GET", f"/errors/{kind}"), status, code)
    assert err["details"]["requestId"]


def test_too_many_requests_says_when_to_retry(app):
    res = call(app.handler, "GET", "/errors/throttled")
    assert res.headers["retry-after"] == "42"
    assert res.json["error"]["details"]["retryAfter"] == 42


def test_unexpected_exception_is_a_500_without_internals(app, monkeypatch):
    import shared.api

    logged = []
    monkeypatch.setattr(shared.api.logger, "exception", lambda msg, *a, **k: logged.append(msg))
    res = call(app.handler, "GET", "/boom")
    err = assert_error(res, 500, "INTERNAL_ERROR")
    assert "hunter2" not in res.text and "RuntimeError" not in res.text and "Traceback" not in res.text
    assert err["message"] == "Internal server error"
    assert logged == ["unhandled error"]  # logged (with the traceback) for the operator


def test_unknown_route_is_404_in_the_error_model(app):
    assert_error(call(app.handler, "GET", "/nowhere"), 404, "NOT_FOUND")


def test_wrong_method_is_405_with_allow(app):
    res = call(app.handler, "PUT", "/items/abc")
    err = assert_error(res, 405, "METHOD_NOT_ALLOWED")
    assert res.headers["allow"] == "DELETE, GET"
    assert err["details"]["allowed"] == ["DELETE", "GET"]


def test_answers_carry_security_headers_and_cors_for_the_allowed_origin(app):
    for res in (
        call(app.handler, "GET", "/items/abc"),
        call(app.handler, "GET", "/boom"),
        call(app.handler, "GET", "/nowhere"),
    ):
        assert res.headers["access-control-allow-origin"] == ORIGIN
        assert res.headers["access-control-max-age"] == "600"
        assert res.headers["cache-control"] == "no-store"
        assert res.headers["x-content-type-options"] == "nosniff"


def test_no_cors_headers_for_another_origin(app):
    res = call(app.handler, "GET", "/items/abc", origin="https://evil.example")
    assert res.status == 200
    assert "access-control-allow-origin" not in res.headers


def test_create_app_needs_an_allowed_origin(monkeypatch):
    monkeypatch.delenv("ALLOWED_ORIGIN")
    with pytest.raises(KeyError):
        create_app("no-origin")


def test_handler_works_without_a_lambda_context(app):
    from shared.testing import api_event, parse_response

    res = parse_response(app.handler(api_event("GET", "/items/abc")))
    assert res.status == 200 and res.json == {"itemId": "abc"}


def test_no_content_has_no_body(app):
    res = call(app.handler, "DELETE", "/items/abc")
    assert res.status == 204 and not res.text


# --- request bodies -----------------------------------------------------------------------------


def test_valid_body_is_returned_with_defaults(app):
    res = call(app.handler, "POST", "/items", body={"name": "cup", "quantity": 2, "day": "2024-02-29"})
    assert res.status == 201
    assert res.json["received"] == {"name": "cup", "quantity": 2, "day": "2024-02-29", "tags": []}


@pytest.mark.parametrize(
    "raw",
    [
        "{bad json",
        "[1,2",
        '{"quantity": NaN, "name": "x"}',
        '"unterminated',
        '{"name": "cup\\udfff", "quantity": 1}',  # a lone surrogate: valid JSON, not text
        '{"\\ud800": 1}',  # also in a key
        "[" * 100_000 + "]" * 100_000,  # nesting deep enough to exhaust the parser's stack
    ],
)
def test_malformed_json_is_400(app, raw):
    err = assert_error(call(app.handler, "POST", "/items", raw_body=raw), 400, "MALFORMED_BODY")
    assert err["details"]["fields"][0]["field"] == "body"


def test_json_body_read_directly_is_also_400_when_malformed(app):
    assert_error(call(app.handler, "GET", "/raw-json", raw_body="{oops"), 400, "MALFORMED_BODY")


def test_every_failing_field_is_listed(app):
    res = call(
        app.handler,
        "POST",
        "/items",
        body={"name": "much too long a name", "quantity": 0, "day": "2024-02-30", "colour": "red"},
    )
    err = assert_error(res, 400, "VALIDATION_ERROR")
    fields = {f["field"]: f["message"] for f in err["details"]["fields"]}
    assert set(fields) == {"name", "quantity", "day", "colour"}
    assert fields["colour"] == "is not allowed"
    assert "data." not in res.text  # fastjsonschema's internal names are not shown


def test_missing_fields_and_empty_body(app):
    err = assert_error(call(app.handler, "POST", "/items"), 400, "VALIDATION_ERROR")
    assert {f["field"] for f in err["details"]["fields"]} == {"name", "quantity"}
    assert all(f["message"] == "is required" for f in err["details"]["fields"])


def test_nested_field_names(app):
    err = assert_error(
        call(
            app.handler,
            "POST",
            "/items",
            body={"name": "x", "quantity": 1, "lines": [{"qty": 1}, {"qty": "two"}]},
        ),
        400,
    )
    assert err["details"]["fields"] == [{"field": "lines[1].qty", "message": "must be integer"}]


def test_body_must_be_an_object(app):
    err = assert_error(call(app.handler, "POST", "/items", body=[1, 2]), 400, "VALIDATION_ERROR")
    assert err["details"]["fields"][0]["field"] == "body"


def test_base64_body_and_size_limit(app):
    res = call(app.handler, "POST", "/items", body={"name": "cup", "quantity": 1}, base64=True)
    assert res.status == 201
    huge = json.dumps({"name": "x", "quantity": 1, "pad": "y" * (1024 * 1024)})
    assert_error(call(app.handler, "POST", "/items", raw_body=huge), 413, "PAYLOAD_TOO_LARGE")


# --- query and path parameters ------------------------------------------------------------------


def test_query_defaults(app):
    res = call(app.handler, "GET", "/query")
    assert res.json == {
        "n": 5,
        "x": None,
        "s": None,
        "mode": "a",
        "flag": False,
        "day": None,
        "ids": [],
        "from": "2025-01-25",
        "to": "2025-01-31",
    }


def test_query_values_are_parsed(app):
    res = call(
        app.handler,
        "GET",
        "/query",
        query={
            "n": "7",
            "x": "0.5",
            "s": "abc",
            "mode": "b",
            "flag": "true",
            "day": "2024-12-01",
            "ids": "a,b",
            "from": "2025-01-01",
            "to": "2025-01-10",
        },
    )
    assert res.status == 200, res.text
    assert res.json == {
        "n": 7,
        "x": 0.5,
        "s": "abc",
        "mode": "b",
        "flag": True,
        "day": "2024-12-01",
        "ids": ["a", "b"],
        "from": "2025-01-01",
        "to": "2025-01-10",
    }


@pytest.mark.parametrize(
    "params,field",
    [
        ({"n": "abc"}, "n"),
        ({"n": "11"}, "n"),
        ({"n": "0"}, "n"),
        ({"n": "1e3"}, "n"),
        ({"n": "1_0"}, "n"),
        ({"x": "nan"}, "x"),
        ({"x": "2"}, "x"),
        ({"s": "toolong"}, "s"),
        ({"mode": "c"}, "mode"),
        ({"flag": "maybe"}, "flag"),
        ({"day": "2025-02-30"}, "day"),
        ({"day": "yesterday"}, "day"),
        ({"ids": "a,b,c,d"}, "ids"),
        ({"from": "2025-01-10", "to": "2025-01-01"}, "from"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "from"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(app, params, field):
    err = assert_error(call(app.handler, "GET", "/query", query=params), 400, "VALIDATION_ERROR")
    assert err["details"]["fields"][0]["field"] == field


@pytest.mark.parametrize("item_id", ["a b", "x" * 200, "../etc", "<script>"])
def test_path_parameters_are_checked(app, item_id):
    res = call(app.handler, "GET", f"/items/{item_id}")
    assert res.status in (400, 404)  # 404 when the router cannot even match it
    assert "error" in res.json


# --- pagination ---------------------------------------------------------------------------------


def test_offset_pages(app):
    first = call(app.handler, "GET", "/pages").json
    assert first["items"] == list(range(10)) and first["count"] == 25 and first["nextOffset"] == 10
    last = call(app.handler, "GET", "/pages", query={"offset": "20", "limit": "10"}).json
    assert last["items"] == list(range(20, 25)) and last["nextOffset"] is None
    assert_error(call(app.handler, "GET", "/pages", query={"limit": "21"}), 400)
    assert_error(call(app.handler, "GET", "/pages", query={"offset": "-1"}), 400)


def test_cursor_round_trip(app):
    cursor = encode_cursor({"k": "user#42"})
    assert "=" not in cursor
    assert decode_cursor(cursor) == {"k": "user#42"}
    res = call(app.handler, "GET", "/cursor", query={"cursor": cursor, "limit": "5"})
    assert res.json == {"limit": 5, "cursor": {"k": "user#42"}}
    assert encode_cursor(None) is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!!",
        "bm90IGpzb24",
        encode_cursor({"other": "x"}),
        encode_cursor({"k": "x", "extra": 1}),
        "WzEsMl0",
        encode_cursor({"k": "y" * 50}),
        "e30",
        "A" * 3000,
    ],
)
def test_tampered_cursor_is_400(app, cursor):
    err = assert_error(call(app.handler, "GET", "/cursor", query={"cursor": cursor}), 400)
    assert err["code"] in ("INVALID_CURSOR", "VALIDATION_ERROR")


# --- identity -----------------------------------------------------------------------------------


def test_caller_from_the_authorizer_context(app):
    res = call(app.handler, "GET", "/me", user=user("u-1", "a@example.com", "admin"))
    assert res.json == {"userId": "u-1", "email": "a@example.com", "role": "admin", "admin": True}


def test_no_authorizer_context_is_401(app):
    assert_error(call(app.handler, "GET", "/me"), 401, "UNAUTHORIZED")


def test_require_role(app):
    assert_error(call(app.handler, "GET", "/admin", user=user("u-1")), 403, "FORBIDDEN")
    assert call(app.handler, "GET", "/admin", user=user("u-2", role="admin")).status == 200


# --- route introspection ------------------------------------------------------------------------


def test_routes_in_api_gateway_form(app):
    assert routes(app) == [
        ("DELETE", "/items/{itemId}"),
        ("GET", "/admin"),
        ("GET", "/boom"),
        ("GET", "/cursor"),
        ("GET", "/errors/{kind}"),
        ("GET", "/items/{itemId}"),
        ("GET", "/me"),
        ("GET", "/pages"),
        ("GET", "/query"),
        ("GET", "/raw-json"),
        ("POST", "/items"),
    ]


# --- JSON ---------------------------------------------------------------------------------------


def test_to_json_handles_dynamodb_and_analytics_values():
    doc = json.loads(
        to_json(
            {
                "d": Decimal("3"),
                "f": Decimal("2.5"),
                "day": date(2025, 1, 2),
                "nan": float("nan"),
                "inf": [float("inf")],
                "s": {1},
            }
        )
    )
    assert doc == {"d": 3, "f": 2.5, "day": "2025-01-02", "nan": None, "inf": [None], "s": [1]}


# --- boto3 clients ------------------------------------------------------------------------------


def test_clients_are_cached_injectable_and_honour_the_endpoint(monkeypatch):
    aws.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    try:
        first = aws.client("dynamodb")
        assert aws.client("dynamodb") is first
        assert aws.client("dynamodb", read_timeout=30) is not first
        assert first.meta.endpoint_url == "http://127.0.0.1:5999"
        assert first.meta.config.connect_timeout == 3 and first.meta.config.retries["mode"] == "standard"
        fake = object()
        aws.override("dynamodb", fake)
        assert aws.client("dynamodb") is fake
    finally:
        aws.reset()
    assert aws.client("dynamodb") is not first
    aws.reset()


# --- import hygiene (the 150 ms budget) ----------------------------------------------------------


def test_importing_the_toolkit_loads_neither_boto3_nor_xray_nor_fastjsonschema():
    # (Powertools imports the top-level botocore package for its user agent: ~1 ms, allowed.)
    code = (
        "import sys; import shared.api, shared.validation, shared.identity, shared.pagination, shared.aws;"
        "print(sorted(m for m in ('boto3', 'botocore.session', 'botocore.client', 'aws_xray_sdk.core',"
        " 'fastjsonschema', 'pydantic')"
        " if m in sys.modules))"
    )
    env = {**LAMBDA_ENV, "PYTHONPATH": str(ROOT / "lambdas"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# --- the request helpers the services' handlers share -------------------------------------------


@pytest.fixture()
def helpers_app():
    from shared.pagination import offset_cursor_schema, query_offset
    from shared.validation import check_dates, no_empty_parameters

    app = create_app("toolkit-helpers")

    @app.get("/strict")
    def strict():
        no_empty_parameters(app)
        return {"ok": True}

    @app.get("/stricter")
    def stricter():
        no_empty_parameters(app, repeated=True)
        return {"ok": True}

    @app.get("/offset")
    def offset():
        limit, start = query_offset(app, min_offset=1, max_offset=100, max_limit=50)
        return {"limit": limit, "offset": start}

    @app.get("/bounded")
    def bounded():
        first, last = query_period(app, today=date(2025, 1, 31), bounded=True)
        return {"from": first, "to": last}

    @app.post("/dated")
    def dated():
        data = body(app)
        check_dates(data)
        return {"ok": True}

    assert offset_cursor_schema(1, 100) is offset_cursor_schema(1, 100)  # one compiled validator
    app.handler = make_handler(app)
    return app


def test_an_empty_query_parameter_is_400_naming_it(helpers_app):
    h = helpers_app.handler
    assert call(h, "GET", "/strict", query={"to": "2025-01-01"}).status == 200
    err = assert_error(
        call(h, "GET", "/strict", query={"to": "", "a": "1", "b": ""}), 400, "VALIDATION_ERROR"
    )
    assert [f["field"] for f in err["details"]["fields"]] == ["b", "to"]
    # a repeated parameter: the last value is what the readers see; `repeated` checks every one
    twice = {"to": ["", "2025-01-01"]}
    assert call(h, "GET", "/strict", query=twice).status == 200
    assert_error(call(h, "GET", "/stricter", query=twice), 400)
    assert call(h, "GET", "/stricter", query={"to": ["2024-01-01", "2025-01-01"]}).status == 200


def test_offset_cursor_pages(helpers_app):
    h = helpers_app.handler
    assert call(h, "GET", "/offset").json == {"limit": 20, "offset": 0}
    page = {"limit": "5", "cursor": encode_cursor({"offset": 40})}
    assert call(h, "GET", "/offset", query=page).json == {"limit": 5, "offset": 40}
    for position in ({"offset": 0}, {"offset": 101}, {"offset": "7"}, {"offset": 7, "x": 1}, {"k": 1}):
        res = call(h, "GET", "/offset", query={"cursor": encode_cursor(position)})
        assert_error(res, 400, "INVALID_CURSOR")
    assert_error(call(h, "GET", "/offset", query={"limit": "51"}), 400, "VALIDATION_ERROR")


def test_a_bounded_period_refuses_days_out_of_range_first(helpers_app):
    h = helpers_app.handler
    assert call(h, "GET", "/bounded").json == {"from": "2025-01-02", "to": "2025-01-31"}
    err = assert_error(call(h, "GET", "/bounded", query={"from": "1999-12-31", "to": "1999-01-01"}), 400)
    assert err["details"]["fields"] == [
        {"field": "from", "message": "must be between 2000-01-01 and 2100-12-31"}
    ]
    err = assert_error(call(h, "GET", "/bounded", query={"to": "2101-01-01", "from": "2100-01-01"}), 400)
    assert err["details"]["fields"][0]["field"] == "to"
    assert_error(call(h, "GET", "/bounded", query={"from": "2025-02-01", "to": "2025-01-01"}), 400)


def test_body_dates_within_the_range(helpers_app):
    h = helpers_app.handler
    assert call(h, "POST", "/dated", body={"from": "2000-01-01", "to": "2100-12-31"}).status == 200
    err = assert_error(call(h, "POST", "/dated", body={"from": "1999-12-31"}), 400, "VALIDATION_ERROR")
    assert err["details"]["fields"][0]["field"] == "from"
    assert_error(call(h, "POST", "/dated", body={"to": "2101-01-01"}), 400)
