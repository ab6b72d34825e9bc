"""The local gateway on inputs a contract fuzz run found it mishandling: JSON nested deeper than
the parser goes, percent-encoded path characters, methods http.server has no handler for, and
bodies whose framing is broken. Each must get an answer in the error model, never a crash, an
HTML page or a silently closed connection; and an encoded character is data, not structure."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from local.contract import Operation, Router
from local.events import HttpRequest
from local.gateway import MAX_PAYLOAD_BYTES, Gateway, serve
from local.validation import InvalidRequestError, RequestValidator

DEEP = "[" * 100_000 + "]" * 100_000


def op(method: str, path: str, public: bool = True) -> Operation:
    return Operation(method, path, "auth-service", f"{method}{path}", public)


class EchoInvoker:
    """Answers every function call with the event it got; the authorizer refuses everyone."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def invoke(self, function: str, event: dict) -> dict:
        self.calls.append((function, event))
        if function == "authorizer":
            raise AssertionError("the authorizer must not run for these requests")
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}


SPEC = {
    "paths": {
        "/auth/login": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["email"],
                                "properties": {"email": {"type": "string"}, "tags": {"type": "array"}},
                            }
                        }
                    },
                }
            }
        }
    }
}


def make_gateway(**kw) -> tuple[Gateway, EchoInvoker]:
    router = Router(
        [
            op("GET", "/auth/me", public=False),
            op("POST", "/auth/login"),
            op("GET", "/health"),
            op("GET", "/things/{id}"),
            op("GET", "/things/{id}/parts"),
            op("GET", "/files/{proxy+}"),
        ]
    )
    invoker = EchoInvoker()
    gw = Gateway(router, invoker, stage="dev", region="us-east-2", allowed_origin="http://o", **kw)
    return gw, invoker


def call(gw: Gateway, method: str, target: str, body: bytes = b"", headers=()) -> tuple[int, dict, dict]:
    resp = gw.handle(HttpRequest(method, target, tuple(headers), body))
    return resp.status, dict(resp.headers), json.loads(resp.body or b"null")


def assert_error_model(payload: dict, code: str) -> None:
    assert set(payload) == {"error"}
    assert payload["error"]["code"] == code
    assert isinstance(payload["error"]["message"], str) and isinstance(payload["error"]["details"], dict)


# ---- 1. JSON nested deeper than a recursive parser goes ------------------------------------------
def test_deeply_nested_json_is_a_bad_body_for_the_validator():
    validator = RequestValidator(SPEC)
    for body in (DEEP, '{"email": "a", "tags": ' + DEEP + "}"):
        with pytest.raises(InvalidRequestError) as refused:
            validator.validate(
                "/auth/login", "POST", query=None, headers={}, body=body, content_type="application/json"
            )
        assert refused.value.code == "BAD_REQUEST_BODY"


def test_deeply_nested_json_gets_400_from_the_gateway_not_500():
    gw, invoker = make_gateway(validator=RequestValidator(SPEC))
    status, headers, payload = call(
        gw, "POST", "/auth/login", DEEP.encode(), [("Content-Type", "application/json")]
    )
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert_error_model(payload, "BAD_REQUEST_BODY")
    assert invoker.calls == []  # refused before the function
    # a valid body still goes through
    assert (
        call(gw, "POST", "/auth/login", b'{"email": "a"}', [("Content-Type", "application/json")])[0] == 200
    )


# ---- 2. percent-encoding in the path is data: routed raw, parameters decoded once ----------------
@pytest.mark.parametrize(
    "target,resource,parameters,path",
    [
        ("/things/a%3Fb", "/things/{id}", {"id": "a?b"}, "/things/a?b"),
        ("/things/a%3Fb/parts", "/things/{id}/parts", {"id": "a?b"}, "/things/a?b/parts"),
        ("/things/a%2Fb", "/things/{id}", {"id": "a/b"}, "/things/a/b"),
        ("/things/a%2Fb/parts", "/things/{id}/parts", {"id": "a/b"}, "/things/a/b/parts"),
        ("/things/a%252Fb", "/things/{id}", {"id": "a%2Fb"}, "/things/a%2Fb"),
        ("/things/a%2541", "/things/{id}", {"id": "a%41"}, "/things/a%41"),
        ("/things/case%20042?x=%3F", "/things/{id}", {"id": "case 042"}, "/things/case 042"),
        ("/dev/things/a%2Fb", "/things/{id}", {"id": "a/b"}, "/things/a/b"),
        ("/files/a/b%2Fc/d.txt", "/files/{proxy+}", {"proxy": "a/b/c/d.txt"}, "/files/a/b/c/d.txt"),
    ],
)
def test_encoded_path_characters_stay_in_their_parameter_decoded_once(target, resource, parameters, path):
    gw, _ = make_gateway()
    status, _, event = call(gw, "GET", target)
    assert status == 200, event
    assert event["resource"] == resource
    assert event["pathParameters"] == parameters
    assert event["path"] == path
    assert event["requestContext"]["path"] == "/dev" + path


def test_query_string_is_split_off_the_raw_target_first():
    gw, _ = make_gateway()
    _, _, event = call(gw, "GET", "/things/a%3Fb?x=1&y=%3F")
    assert event["pathParameters"] == {"id": "a?b"}
    assert event["queryStringParameters"] == {"x": "1", "y": "?"}
    request = HttpRequest("GET", "/things/a%3Fb?x=1", (), b"")
    assert (request.raw_path, request.path, request.query) == ("/things/a%3Fb", "/things/a?b", "x=1")


@pytest.mark.parametrize(
    "target", ["/auth/me%3Fx", "/auth/me%3F", "/auth%2Fme", "/health%3Fa=1", "/dev%2Fhealth"]
)
def test_an_encoded_separator_does_not_reach_another_resource(target):
    gw, invoker = make_gateway()
    status, headers, payload = call(gw, "GET", target, headers=[("Authorization", "Bearer x.y.z")])
    assert status == 404 and headers["Content-Type"] == "application/json"
    assert_error_model(payload, "RESOURCE_NOT_FOUND")
    assert invoker.calls == []  # neither the authorizer nor a function ran


# ---- 3, 4. over HTTP: unknown methods, broken framing -------------------------------------------
@pytest.fixture()
def server() -> Iterator[tuple[str, int]]:
    gw, _ = make_gateway()
    httpd, thread = serve(gw)
    try:
        yield httpd.server_address[:2]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def read_answer(sock: socket.socket, *, wait_close: bool = False) -> tuple[bytes, bool]:
    """One answer (all of it, by its Content-Length); also whether the server closed the
    connection (read up to the close when `wait_close`)."""
    answer = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return answer, True
        if not chunk:
            return answer, True
        answer += chunk
        head, sep, rest = answer.partition(b"\r\n\r\n")
        lengths = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
        if sep and lengths and len(rest) >= int(lengths[0].split(b":", 1)[1]) and not wait_close:
            return answer, False


def exchange(address: tuple[str, int], data: bytes, *, wait_close: bool = False) -> tuple[bytes, bool]:
    """Send raw bytes on a new connection and read one answer."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(data)
        return read_answer(sock, wait_close=wait_close)


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    assert answer, "the connection was closed without an answer"
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
    return int(status_line.split()[1]), headers, body


def raw(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "FOO", "CONNECT", "PROPFIND"])
def test_methods_without_a_handler_get_405_with_allow_on_a_known_path(server, method):
    status, headers, body = parse(exchange(server, raw(method, "/health"))[0])
    assert status == 405, body
    assert headers["content-type"] == "application/json"
    assert headers["allow"] == "GET, OPTIONS"
    assert_error_model(json.loads(body), "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "FOO"])
def test_methods_without_a_handler_get_404_on_an_unknown_path(server, method):
    status, headers, body = parse(exchange(server, raw(method, "/nope"))[0])
    assert status == 404 and headers["content-type"] == "application/json"
    assert_error_model(json.loads(body), "RESOURCE_NOT_FOUND")


BROKEN_FRAMING = {
    "content-length-not-a-number": raw("POST", "/auth/login", {"Content-Length": "abc"}, b"{}"),
    "content-length-negative": raw("POST", "/auth/login", {"Content-Length": "-1"}, b"{}"),
    "content-lengths-conflict": raw(
        "POST", "/auth/login", {"Content-Length": "2", "content-length": "3"}, b"{}x"
    ),
    "chunk-size-not-hex": raw(
        "POST", "/auth/login", {"Transfer-Encoding": "chunked"}, b"zz\r\n{}\r\n0\r\n\r\n"
    ),
    "chunk-size-negative": raw(
        "POST", "/auth/login", {"Transfer-Encoding": "chunked"}, b"-1\r\n{}\r\n0\r\n\r\n"
    ),
    "chunk-longer-than-its-size": raw(
        "POST", "/auth/login", {"Transfer-Encoding": "chunked"}, b"1\r\n{}\r\n0\r\n\r\n"
    ),
}


@pytest.mark.parametrize("name", list(BROKEN_FRAMING))
def test_broken_framing_gets_400_in_the_error_model_and_the_connection_closed(server, name):
    answer, closed = exchange(server, BROKEN_FRAMING[name], wait_close=True)
    status, headers, body = parse(answer)
    assert status == 400, body
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert_error_model(json.loads(body), "BAD_REQUEST")
    assert closed


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(server):
    request = raw("POST", "/auth/login", {"Content-Length": str(MAX_PAYLOAD_BYTES + 1)}, b"{}")
    answer, closed = exchange(server, request, wait_close=True)
    status, _, body = parse(answer)
    assert status == 413 and closed
    assert_error_model(json.loads(body), "REQUEST_TOO_LARGE")


def test_a_malformed_request_line_gets_the_error_model_not_html(server):
    status, headers, body = parse(exchange(server, b"GET /health extra HTTP/1.1\r\n\r\n", wait_close=True)[0])
    assert status == 400 and headers["content-type"] == "application/json"
    assert_error_model(json.loads(body), "BAD_REQUEST")


def test_well_framed_requests_still_work_and_keep_the_connection(server):
    chunked = raw(
        "POST",
        "/auth/login",
        {"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        b'5;ext=1\r\n{"ema\r\n9\r\nil": "a"}\r\n0\r\nX-Trailer: 1\r\n\r\n',
    )
    status, _, body = parse(exchange(server, chunked)[0])
    assert status == 200 and json.loads(body)["body"] == '{"email": "a"}'
    # two requests on one connection: keep-alive still works after a well-framed body
    with socket.create_connection(server, timeout=10) as sock:
        for _ in range(2):
            sock.sendall(raw("POST", "/auth/login", {"Content-Length": "2"}, b"{}"))
            answer, closed = read_answer(sock)
            assert parse(answer)[0] == 200 and not closed
