"""The local gateway's HTTP layer against a hostile or broken client (issue 10, items 9-11):
a burst of connections waits in a real listen backlog, half-open and idle connections are
closed after a few seconds without holding a thread each, request framing follows RFC 9112
(no request smuggling), and error answers carry neither the rejected input nor internals."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from local.contract import Operation, Router
from local.events import HttpRequest
from local.gateway import GatewayServer, _Handler
from local.validation import RequestValidator
from local.workers import InvokeError
from tests.test_local_gateway_edge import assert_error_model, exchange, make_gateway, parse, raw, read_answer

# Short limits for the tests; the defaults are seconds (local/gateway.py).
IDLE, HEAD, BODY = 0.4, 0.8, 0.8


@pytest.fixture()
def start() -> Iterator[Callable[..., tuple[str, int]]]:
    """Starts a gateway with the given timeouts; returns its address."""
    servers: list[tuple[GatewayServer, threading.Thread]] = []

    def run(idle: float = IDLE, head: float = HEAD, body: float = BODY) -> tuple[str, int]:
        gw, _ = make_gateway()
        attributes = {"gateway": gw, "timeout": idle, "header_timeout": head, "body_timeout": body}
        server = GatewayServer(("127.0.0.1", 0), type("TestHandler", (_Handler,), attributes))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server.server_address[:2]

    yield run
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture()
def http(start) -> tuple[str, int]:
    """The address of a running gateway with short timeouts."""
    return start()


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds (reading and discarding)."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def gateway_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("Thread-"))


# ---- item 9: backlog, timeouts, threads ---------------------------------------------------------
def test_a_burst_of_connections_waits_in_the_backlog_and_all_are_answered():
    gw, _ = make_gateway()
    server = GatewayServer(("127.0.0.1", 0), type("H", (_Handler,), {"gateway": gw}))
    address = server.server_address[:2]
    clients: list[socket.socket] = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    try:
        # Nobody accepts yet (a busy accept loop): with a backlog of 5 the kernel drops the
        # SYNs of the 7th connection on and the client waits for retransmits (1 s, 3 s...).
        for _ in range(100):
            clients.append(socket.create_connection(address, timeout=0.5))
        thread.start()

        def ask(sock: socket.socket) -> int:
            sock.settimeout(10)
            sock.sendall(raw("GET", "/health"))
            return parse(read_answer(sock)[0])[0]

        with ThreadPoolExecutor(max_workers=25) as pool:
            assert list(pool.map(ask, clients)) == [200] * 100
    finally:
        for sock in clients:
            sock.close()
        if thread.is_alive():
            server.shutdown()
        server.server_close()


def test_a_half_open_request_is_closed_after_the_header_timeout(http):
    address = http
    with socket.create_connection(address) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never the empty line
        assert closed_by_server(sock, within=HEAD + 3)


def test_a_head_sent_byte_by_byte_is_still_cut_at_the_deadline(http):
    # Each byte comes before the idle timeout: only a deadline for the whole head ends it.
    address = http
    with socket.create_connection(address) as sock:
        sock.settimeout(0.2)
        started = time.monotonic()
        for byte in b"GET /health HTTP/1.1\r\nX-Slow: " + b"a" * 200:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break  # closed by the server
            if time.monotonic() - started > HEAD + 3:
                break
            time.sleep(IDLE / 4)
        assert time.monotonic() - started < HEAD + 3, "the server kept reading a head for ever"
        assert closed_by_server(sock, within=1)


def test_a_half_open_second_request_on_a_kept_alive_connection_is_closed(http):
    address = http
    with socket.create_connection(address) as sock:
        sock.settimeout(5)
        sock.sendall(raw("GET", "/health"))
        answer, closed = read_answer(sock)
        assert parse(answer)[0] == 200 and not closed
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert closed_by_server(sock, within=HEAD + 3)


def test_an_idle_kept_alive_connection_is_closed(http):
    address = http
    with socket.create_connection(address) as sock:
        sock.settimeout(5)
        sock.sendall(raw("GET", "/health"))
        assert parse(read_answer(sock)[0])[0] == 200
        assert closed_by_server(sock, within=IDLE + 3)


def test_a_body_that_stops_arriving_is_closed(http):
    address = http
    with socket.create_connection(address) as sock:
        sock.sendall(raw("POST", "/auth/login", {"Content-Length": "10"}, b"{}"))
        assert closed_by_server(sock, within=BODY + 3)


def test_the_defaults_are_a_real_backlog_and_a_few_seconds():
    assert GatewayServer.request_queue_size >= 128
    for limit in (_Handler.timeout, _Handler.header_timeout, _Handler.body_timeout):
        assert limit is not None and 1 <= limit <= 60


def test_half_open_connections_hold_no_thread_and_others_are_still_answered(start):
    head = 3.0  # long enough that none is cut while they are counted
    address = start(idle=head, head=head)
    before = gateway_threads()
    half_open = [socket.create_connection(address) for _ in range(40)]
    try:
        for sock in half_open:
            sock.sendall(b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.2)
        assert gateway_threads() - before <= 2, "each half-open connection holds a thread"
        # ... and a complete request is answered at once meanwhile
        status = parse(exchange(address, raw("GET", "/health"))[0])[0]
        assert status == 200
        for sock in half_open:
            assert closed_by_server(sock, within=head + 3)
    finally:
        for sock in half_open:
            sock.close()
    time.sleep(0.2)
    assert gateway_threads() <= before + 1


# ---- item 10: framing per RFC 9112 ---------------------------------------------------------------
SMUGGLED = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_content_length_and_transfer_encoding_together_are_refused_not_smuggled(http):
    address = http
    body = b"0\r\n\r\n" + SMUGGLED
    request = raw(
        "POST", "/auth/login", {"Content-Length": str(len(body)), "Transfer-Encoding": "chunked"}, body
    )
    answer, closed = exchange(address, request, wait_close=True)
    status, headers, payload = parse(answer)
    assert status == 400 and headers["connection"] == "close" and closed
    assert_error_model(json.loads(payload.split(b"HTTP/1.1")[0]), "BAD_REQUEST")
    assert answer.count(b"HTTP/1.1 ") == 1, "the smuggled request was answered"


@pytest.mark.parametrize(
    "coding",
    ["chunked, identity", "xchunked", "gzip, chunked", "identity", "chunked, chunked", "", "chunked;q=1"],
)
def test_a_transfer_encoding_other_than_chunked_is_refused_and_closed(http, coding):
    address = http
    request = raw("POST", "/auth/login", {"Transfer-Encoding": coding}, b"2\r\n{}\r\n0\r\n\r\n" + SMUGGLED)
    answer, closed = exchange(address, request, wait_close=True)
    status, headers, _ = parse(answer)
    assert status in (400, 501) and headers["connection"] == "close" and closed
    assert answer.count(b"HTTP/1.1 ") == 1


def test_two_transfer_encoding_fields_are_refused(http):
    address = http
    head = b"POST /auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
    answer, closed = exchange(address, head + b"2\r\n{}\r\n0\r\n\r\n", wait_close=True)
    assert parse(answer)[0] == 400 and closed


@pytest.mark.parametrize("coding", ["chunked", "Chunked", "CHUNKED", " chunked "])
def test_chunked_in_any_case_is_still_read(http, coding):
    address = http
    request = raw("POST", "/auth/login", {"Transfer-Encoding": coding}, b"2\r\n{}\r\n0\r\n\r\n")
    status, _, payload = parse(exchange(address, request)[0])
    assert status == 200 and json.loads(payload)["body"] == "{}"


@pytest.mark.parametrize(
    "head",
    [
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n",  # space before ':'
        b"POST /auth/login HTTP/1.1\r\nTransfer-Encoding\t: chunked\r\nHost: x\r\n\r\n",
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n",
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nno colon at all\r\n\r\n",
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded: 2\r\n\r\n",  # obs-fold
    ],
)
def test_a_malformed_header_line_is_refused_and_closed(http, head):
    address = http
    answer, closed = exchange(address, head + b"2\r\n{}\r\n0\r\n\r\n" + SMUGGLED, wait_close=True)
    status, headers, payload = parse(answer)
    assert status == 400 and headers["connection"] == "close" and closed
    assert_error_model(json.loads(payload), "BAD_REQUEST")
    assert answer.count(b"HTTP/1.1 ") == 1


def test_transfer_encoding_in_http_1_0_is_refused(http):
    address = http
    request = b"POST /auth/login HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    answer, closed = exchange(address, request, wait_close=True)
    assert parse(answer)[0] == 400 and closed


# ---- item 11: error answers carry neither the input nor internals ---------------------------------
SECRET = "hunter2-Correct-Horse"


@pytest.mark.parametrize(
    "request_bytes",
    [
        f"GET /health?password={SECRET} extra HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # bad request line
        f"GET /health HTTP/1.{SECRET}\r\nHost: x\r\n\r\n".encode(),  # bad version
        raw("POST", "/auth/login", {"Content-Length": SECRET}, b"{}"),
        raw(
            "POST", "/auth/login", {"Transfer-Encoding": "chunked"}, f"{SECRET}\r\n{{}}\r\n0\r\n\r\n".encode()
        ),
        raw("GET", f"/nothing-here/{SECRET}"),  # 404
        raw(f"X{SECRET.replace('-', '')}", "/health"),  # 405
    ],
)
def test_refusals_do_not_echo_the_request(http, request_bytes):
    address = http
    answer, _ = exchange(address, request_bytes, wait_close=True)
    status, _, payload = parse(answer)
    assert 400 <= status < 500
    lowered = answer.lower()
    assert SECRET.lower().encode() not in lowered and SECRET.replace("-", "").lower().encode() not in lowered
    assert len(payload) < 400


MAP_SPEC = {
    "paths": {
        "/auth/login": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "password": {"type": "string", "minLength": 30},
                                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                                },
                            }
                        }
                    },
                }
            }
        }
    }
}


@pytest.mark.parametrize(
    "document",
    [
        {"password": SECRET},
        {"password": 12345},
        {"labels": {SECRET: 1}},  # a key is input too
        {"labels": {SECRET * 400_000: 1}},  # ~9 MB: the answer stays small
    ],
)
def test_a_rejected_body_is_not_echoed(document):
    gw, invoker = make_gateway(validator=RequestValidator(MAP_SPEC))
    body = json.dumps(document).encode()
    resp = gw.handle(HttpRequest("POST", "/auth/login", (("Content-Type", "application/json"),), body))
    assert resp.status == 400 and invoker.calls == []
    assert SECRET.encode() not in resp.body and b"12345" not in resp.body
    assert len(resp.body) < 400
    message = json.loads(resp.body)["error"]["message"]
    assert message.startswith("Invalid request body")


def test_a_rejected_body_still_names_the_field():
    gw, _ = make_gateway(validator=RequestValidator(MAP_SPEC))
    body = json.dumps({"labels": {"a": 1}}).encode()
    resp = gw.handle(HttpRequest("POST", "/auth/login", (("Content-Type", "application/json"),), body))
    assert "labels" in json.loads(resp.body)["error"]["message"]


class FailingInvoker:
    def __init__(self, failure: Exception | dict) -> None:
        self.failure = failure

    def invoke(self, function: str, event: dict) -> dict:
        if isinstance(self.failure, Exception):
            raise self.failure
        return self.failure


@pytest.mark.parametrize(
    "failure",
    [
        InvokeError("crash", "worker exited with code 137", {"exitCode": 137}),
        InvokeError("function", "KeyError: 'secret_table'", {"errorMessage": "'secret_table'"}),
        InvokeError("init", "ImportError in auth-service handler"),
        {"statusCode": "teapot", "body": "secret_table"},  # a malformed proxy response
    ],
)
def test_a_failed_function_is_a_plain_502_with_the_details_only_in_the_log(failure, capsys):
    router = Router([Operation("GET", "/health", "auth-service", "health", True)])
    gw = make_gateway()[0]
    gw.router, gw.invoker = router, FailingInvoker(failure)
    resp = gw.handle(HttpRequest("GET", "/health", (), b""))
    assert resp.status == 502
    error = json.loads(resp.body)["error"]
    assert (error["code"], error["message"]) == ("INTEGRATION_FAILURE", "Internal server error")
    for leak in (b"auth-service", b"137", b"secret_table", b"ImportError", b"crash"):
        assert leak not in resp.body
    logged = capsys.readouterr().err
    assert "auth-service" in logged  # the details stay in the local log
