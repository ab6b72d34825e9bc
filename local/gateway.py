"""The local API gateway: HTTP in, API Gateway REST proxy events to the functions, HTTP out.

Behaves like the deployed API where a client can tell: routes from the contract, the TOKEN
authorizer first for protected operations (its policy cached per token for 300 s), CORS
preflights answered by the gateway, gateway errors in the contract's error model, 502 when a
function fails, 504 after the integration timeout. The stage prefix (`/dev/...`) is optional.
"""

from __future__ import annotations

import fnmatch
import io
import json
import re
import selectors
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

# What the deployed API is configured with (components/api.py), so both behave alike.
from components.api import (
    ALLOWED_HEADERS,
    AUTHORIZER_CACHE_SECONDS,
    AUTHORIZER_RETRY_AFTER_SECONDS,
    INTEGRATION_TIMEOUT_MS,
    TOKEN_PATTERN,
)
from local import events
from local.contract import Match, Operation, Router
from local.events import HttpRequest, HttpResponse, MalformedResponseError
from local.ratelimit import Firewall
from local.validation import InvalidRequestError, RequestValidator
from local.workers import InvokeError

AUTHORIZER_UNAVAILABLE = "The sign-in check is unavailable; retry later"  # as components/api.py's
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's limit
INTEGRATION_TIMEOUT_S = INTEGRATION_TIMEOUT_MS / 1000
_TOKEN = re.compile(TOKEN_PATTERN)
ERROR_TYPES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "AccessDeniedException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    413: "RequestEntityTooLargeException",
    504: "IntegrationTimeoutException",
}


class Invoker(Protocol):
    def invoke(self, function: str, event: Mapping[str, Any]) -> Any: ...


@dataclass
class _Cached:
    expires: float
    principal_id: str
    policy: Mapping[str, Any]
    context: Mapping[str, Any] | None


class UnauthorizedError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def policy_allows(policy: Mapping[str, Any], arn: str) -> bool | None:
    """IAM evaluation of an authorizer's policy for one method ARN: an explicit Deny wins,
    then an Allow; None when no statement applies (also a denial)."""
    statements = policy.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    allowed: bool | None = None
    for statement in statements:
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(arn, r) for r in resources):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return False
        if effect == "allow":
            allowed = True
    return allowed


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


class Gateway:
    def __init__(
        self,
        router: Router,
        invoker: Invoker,
        *,
        stage: str,
        region: str,
        allowed_origin: str,
        authorizer: str = "authorizer",
        account_id: str = events.ACCOUNT_ID,
        api_id: str = events.API_ID,
        cache_ttl: float = AUTHORIZER_CACHE_SECONDS,
        access_log: Callable[[str], None] | None = None,
        on_write: Callable[[], None] | None = None,
        validator: RequestValidator | None = None,
        audit: Callable[[dict[str, Any]], None] | None = None,
        firewall: Firewall | None = None,
    ) -> None:
        self.router = router
        self.invoker = invoker
        self.stage = stage
        self.region = region
        self.allowed_origin = allowed_origin
        self.authorizer = authorizer
        self.account_id = account_id
        self.api_id = api_id
        self.cache_ttl = cache_ttl
        self.access_log = access_log
        self.on_write = on_write
        self.validator = validator
        # Receives each answered request as API Gateway's access log records it
        # (components/api.py ACCESS_LOG_FORMAT); local/audit.py forwards it to the audit log.
        self.audit = audit
        # The web ACL in front of the stage (local/ratelimit.py): its blocks never get here.
        self.firewall = firewall
        self._callers: dict[str, dict[str, Any]] = {}
        self._cache: dict[str, _Cached] = {}
        self._cache_lock = threading.Lock()

    # ---- the request pipeline -------------------------------------------------------------
    def handle(self, request: HttpRequest) -> HttpResponse:
        if self.firewall is not None and (blocked := self.firewall.check(request)) is not None:
            if self.access_log:  # WAF's own log, not the API's access log
                self.access_log(
                    f'{request.source_ip} "{request.method} {request.target}" 429 blocked by WAF rule'
                )
            return blocked
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        function = "-"
        try:
            # Route on the path as sent, still percent-encoded (the query string already split
            # off the raw target): decoding first would let `%3F` cut the path and `%2F` split a
            # parameter, and the router would decode the parameters a second time.
            raw_path = self._strip_stage(request.raw_path)
            path = events.decode_path(raw_path)  # the event's `path`, decoded once
            match = self.router.match(raw_path)
            if match is None:
                response = self._error(404, "RESOURCE_NOT_FOUND", "Resource not found", request_id)
            elif request.method.upper() == "OPTIONS":
                response = self._preflight(match)
            elif (op := match.operation(request.method)) is None:
                response = self._error(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"Method not allowed on {match.template.path}",  # the Allow header lists them
                    request_id,
                    [("Allow", ", ".join([*match.allowed_methods, "OPTIONS"]))],
                )
            elif len(request.body) > MAX_PAYLOAD_BYTES:
                response = self._error(413, "REQUEST_TOO_LARGE", "Request Too Large", request_id)
            else:
                function = op.service
                response = self._call(request, path, match, op, request_id)
        except Exception as exc:  # the gateway itself must always answer
            print(f"[gateway] internal error: {exc!r}", file=sys.stderr)
            response = self._error(500, "INTERNAL_ERROR", "the local gateway failed", request_id)
        return self._finish(request, response, request_id, started, function)

    def refuse(self, request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        """The answer to a request the gateway cannot even read (broken framing, a malformed
        request line): the error model, logged like any other answer."""
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        response = self._error(status, code, message, request_id)
        return self._finish(request, response, request_id, started, "-")

    def _finish(
        self, request: HttpRequest, response: HttpResponse, request_id: str, started: float, function: str
    ) -> HttpResponse:
        headers = (*response.headers, ("x-amzn-RequestId", request_id))
        response = HttpResponse(response.status, headers, response.body)
        elapsed = (time.perf_counter() - started) * 1000
        who = self._callers.pop(request_id, None) or {}
        if self.audit:
            self.audit(self._access_record(request, response, request_id, elapsed, who))
        if self.access_log:
            self.access_log(
                f'{request.source_ip} "{request.method} {request.target}" '
                f"{response.status} {len(response.body)}B {elapsed:.1f}ms {function}"
            )
        if (
            self.on_write
            and request.method.upper() not in ("GET", "HEAD", "OPTIONS")
            and response.status < 400
        ):
            self.on_write()
        return response

    def _access_record(
        self,
        request: HttpRequest,
        response: HttpResponse,
        request_id: str,
        elapsed_ms: float,
        who: dict[str, Any],
    ) -> dict[str, Any]:
        raw_path = request.raw_path
        match = self.router.match(self._strip_stage(raw_path))
        return {
            "requestId": request_id,
            "ip": request.source_ip,
            "user": who.get("principalId") or "-",
            "email": who.get("email") or "-",
            "requestTimeEpoch": str(int(time.time() * 1000 - elapsed_ms)),
            "httpMethod": request.method.upper(),
            "resourcePath": match.template.path if match else "-",
            "path": raw_path,
            "status": str(response.status),
            "responseLength": str(len(response.body)),
            "latency": str(round(elapsed_ms)),
        }

    def _strip_stage(self, path: str) -> str:
        prefix = f"/{self.stage}"
        if path == prefix:
            return "/"
        return path[len(prefix) :] if path.startswith(prefix + "/") else path

    def _call(
        self, request: HttpRequest, path: str, match: Match, op: Operation, request_id: str
    ) -> HttpResponse:
        authorizer_ctx = None
        if not op.public:
            try:
                authorizer_ctx = self._authorize(request, path)
            except UnauthorizedError as exc:
                retry = [("Retry-After", str(AUTHORIZER_RETRY_AFTER_SECONDS))] if exc.status == 503 else None
                return self._error(exc.status, exc.code, str(exc), request_id, retry)
            if self.audit:
                self._callers[request_id] = authorizer_ctx
        if self.validator is not None:
            try:
                self.validator.validate(
                    op.path,
                    op.method,
                    query=events.query_parameters(request.query)[0],
                    headers=dict(request.headers),
                    body=request.body.decode("utf-8", "replace"),
                    content_type=request.header("Content-Type"),
                )
            except InvalidRequestError as exc:
                return self._error(400, exc.code, str(exc), request_id)
        event = events.proxy_event(
            request,
            resource=op.path,
            path_parameters=match.path_parameters,
            stage=self.stage,
            authorizer=authorizer_ctx,
            request_id=request_id,
            account_id=self.account_id,
            api_id=self.api_id,
            path=path,
        )
        try:
            result = self.invoker.invoke(op.service, event)
            return events.http_response(result)
        except InvokeError as exc:
            if exc.kind == "timeout":
                return self._error(504, "INTEGRATION_TIMEOUT", "Endpoint request timed out", request_id)
            print(f"[gateway] {request_id} {op.service} failed ({exc.kind}): {exc}", file=sys.stderr)
        except MalformedResponseError as exc:
            print(
                f"[gateway] {request_id} malformed Lambda proxy response from {op.service}: {exc}",
                file=sys.stderr,
            )
        # What API Gateway answers: the function's name, error and exit code stay in the log.
        return self._error(502, "INTEGRATION_FAILURE", "Internal server error", request_id)

    # ---- the TOKEN authorizer -------------------------------------------------------------
    def _authorize(self, request: HttpRequest, path: str) -> dict[str, Any]:
        token = request.header("Authorization")
        if not token or not _TOKEN.match(token):
            # API Gateway answers without calling the authorizer when the identity source is
            # empty or fails the authorizer's identityValidationExpression.
            raise UnauthorizedError(401, "UNAUTHORIZED", "Unauthorized")
        arn = events.method_arn(
            request.method,
            path,
            stage=self.stage,
            region=self.region,
            account_id=self.account_id,
            api_id=self.api_id,
        )
        started = time.perf_counter()
        cached = self._cached(token)
        if cached is None:
            cached = self._run_authorizer(token, arn)
        allowed = policy_allows(cached.policy, arn)
        if allowed is False:
            raise UnauthorizedError(
                403, "ACCESS_DENIED", "User is not authorized to access this resource with an explicit deny"
            )
        if not allowed:
            raise UnauthorizedError(403, "ACCESS_DENIED", "User is not authorized to access this resource")
        latency = int((time.perf_counter() - started) * 1000)
        try:
            return events.authorizer_context(cached.principal_id, cached.context, latency)
        except MalformedResponseError as exc:
            print(f"[gateway] invalid authorizer context: {exc}", file=sys.stderr)
            raise UnauthorizedError(503, "SERVICE_UNAVAILABLE", AUTHORIZER_UNAVAILABLE) from exc

    def _cached(self, token: str) -> _Cached | None:
        now = time.monotonic()
        with self._cache_lock:
            entry = self._cache.get(token)
            if entry and entry.expires > now:
                return entry
            if entry:
                del self._cache[token]
        return None

    def _run_authorizer(self, token: str, arn: str) -> _Cached:
        try:
            result = self.invoker.invoke(self.authorizer, events.token_authorizer_event(token, arn))
        except InvokeError as exc:
            if exc.kind == "function" and exc.detail.get("errorMessage") == "Unauthorized":
                raise UnauthorizedError(401, "UNAUTHORIZED", "Unauthorized") from exc
            print(f"[gateway] authorizer failed ({exc.kind}): {exc}", file=sys.stderr)
            raise UnauthorizedError(503, "SERVICE_UNAVAILABLE", AUTHORIZER_UNAVAILABLE) from exc
        if (
            not isinstance(result, Mapping)
            or not isinstance(result.get("policyDocument"), Mapping)
            or not result.get("principalId")
        ):
            print(f"[gateway] invalid authorizer response: {result!r:.300}", file=sys.stderr)
            raise UnauthorizedError(503, "SERVICE_UNAVAILABLE", AUTHORIZER_UNAVAILABLE)
        context = result.get("context")
        # Never cache an allow longer than the token lives (its `exp` in the context).
        lifetime = self.cache_ttl
        if isinstance(context, Mapping) and str(context.get("exp", "")).isdigit():
            lifetime = min(lifetime, int(context["exp"]) - time.time())
        entry = _Cached(
            time.monotonic() + lifetime,
            str(result["principalId"]),
            result["policyDocument"],
            context if isinstance(context, Mapping) else None,
        )
        if lifetime > 0:
            with self._cache_lock:
                self._cache[token] = entry
        return entry

    def flush_authorizer_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    # ---- answers the gateway gives itself ---------------------------------------------------
    def _preflight(self, match: Match) -> HttpResponse:
        # The API's OPTIONS mock integration: 200 with the three CORS headers.
        methods = ",".join([*match.allowed_methods, "OPTIONS"])
        return HttpResponse(
            200,
            (
                ("Content-Type", "application/json"),
                ("Access-Control-Allow-Origin", self.allowed_origin),
                ("Access-Control-Allow-Methods", methods),
                ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ),
            b"",
        )

    def _error(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> HttpResponse:
        # The DEFAULT_4XX/5XX gateway responses: the Error shape, with CORS headers, and the
        # x-amzn-ErrorType header by which API Gateway marks its own answers.
        headers = [
            ("Content-Type", "application/json"),
            (
                "x-amzn-ErrorType",
                ERROR_TYPES.get(
                    status, "BadRequestException" if status < 500 else "InternalServerErrorException"
                ),
            ),
            ("Access-Control-Allow-Origin", self.allowed_origin),
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            *(extra or []),
        ]
        retry_after = next((int(v) for k, v in extra or [] if k == "Retry-After"), None)
        return HttpResponse(status, tuple(headers), events.error_body(code, message, request_id, retry_after))


# ---- HTTP --------------------------------------------------------------------------------
class BadFramingError(ValueError):
    """The request's body cannot be delimited (a Content-Length that is not a number, a bad
    chunk size...) or is too large to read: answered in the error model and the connection
    closed, as where the next request starts is unknown."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status, self.code = status, code


_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_FIELD_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 5.1: a token

# How long a client may keep a connection (and a thread) waiting: without limits, 300 half-open
# requests held 321 threads for ever. A connection that sends nothing for IDLE_TIMEOUT_S (between
# requests or in the middle of one) is closed, a request's head must arrive whole within
# HEADER_TIMEOUT_S and its body within BODY_TIMEOUT_S, however slowly it trickles.
IDLE_TIMEOUT_S = 5.0
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
# A burst of connections waits here while the accept loop catches up; socketserver's default
# of 5 made 60 simultaneous clients wait for SYN retransmits (1 s, 3 s: 4.8 s at p95).
LISTEN_BACKLOG = 1024
# The most of a first head the reception reads before a thread takes over (http.server then
# reads the rest or refuses it, 414/431, under the same deadline).
MAX_RECEIVED_HEAD = 64 * 1024
MAX_WAITING_CONNECTIONS = 4096  # beyond, the longest waiting is closed


class _DeadlineReader(io.RawIOBase):
    """The raw stream under a handler's rfile: first the bytes the reception already read of
    the connection, then the socket. A read waits at most the idle timeout, and never past
    `deadline` (set by the handler for the head, then the body, of each request)."""

    def __init__(self, sock: socket.socket, received: bytes, idle: float | None) -> None:
        super().__init__()
        self._sock, self._received, self._idle = sock, memoryview(received), idle
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._received:
            n = min(len(buffer), len(self._received))
            buffer[:n] = self._received[:n]
            self._received = self._received[n:]
            return n
        timeout = self._idle
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request did not arrive in time")
            timeout = left if timeout is None else min(timeout, left)
        self._sock.settimeout(timeout)
        try:
            return self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(self._idle)  # writes wait the idle timeout


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like API Gateway
    disable_nagle_algorithm = True  # else small answers wait for the client's delayed ACK (~40 ms)
    server_version = "local-api-gateway"
    sys_version = ""
    gateway: Gateway  # set on the subclass made by serve()
    timeout = IDLE_TIMEOUT_S  # StreamRequestHandler sets it on the socket
    header_timeout = HEADER_TIMEOUT_S
    body_timeout = BODY_TIMEOUT_S

    def setup(self) -> None:
        super().setup()
        take = getattr(self.server, "take_received", None)
        self.rfile.close()  # read through the deadline reader instead
        self._reader = _DeadlineReader(self.connection, take(self.connection) if take else b"", self.timeout)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        # A TimeoutError from a read is caught by http.server, which then closes the connection.
        self._reader.deadline = time.monotonic() + self.header_timeout
        super().handle_one_request()

    def __getattr__(self, name: str) -> Any:
        # http.server dispatches to `do_<METHOD>` and answers its own HTML 501 when there is
        # none. Every method goes to the gateway instead, which answers a method a resource
        # does not have (TRACE, QUERY, FOO...) with 405 and `Allow`, or 404 for no resource.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        self._reader.deadline = time.monotonic() + self.body_timeout
        try:
            body = self._read_body()
        except BadFramingError as exc:
            self._refuse(exc.status, exc.code, str(exc))
            return
        self._reader.deadline = None
        request = HttpRequest(
            self.command, self.path, tuple(self.headers.items()), body, source_ip=self.client_address[0]
        )
        response = self.gateway.handle(request)
        self.send_response(response.status)
        for key, value in response.headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.command != "HEAD":  # headers and body in one write
            self._headers_buffer.append(b"\r\n" + response.body)
            self.flush_headers()
        else:
            self.end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, headers too long...) and broken
        framing, in the contract's error model rather than its HTML page; closes the connection.
        Only the status phrase: http.server's messages quote the rejected request line."""
        try:
            status = HTTPStatus(code)
            error_code, phrase = status.name, status.phrase
        except ValueError:
            error_code, phrase = "BAD_REQUEST", "Bad Request"
        self._refuse(code, error_code, phrase)

    def _refuse(self, code: int, error_code: str, message: str) -> None:
        # self.path is only this request's once its request line parsed (self.command set).
        target = self.path if self.command else "-"
        request = HttpRequest(self.command or "-", target, (), b"", source_ip=self.client_address[0])
        response = self.gateway.refuse(request, code, error_code, message)
        if not self.command:  # the request line did not parse: not an HTTP/0.9 answer (no head)
            self.request_version = self.protocol_version
        self.send_response(code)
        for key, value in response.headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Connection", "close")  # sets close_connection
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self._linger()

    def _linger(self) -> None:
        # Closing a socket with unread input (the rest of a body that could not be delimited)
        # makes the kernel send a RST, which can destroy the answer before the client reads it:
        # half-close, then drain what the client still sends, for a second at most.
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.25)
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline and self.connection.recv(65536):
                pass
        except OSError:
            pass

    def _check_header_section(self) -> None:
        # http.client is lenient where RFC 9112 (5.1, 5.2) says reject: a line that is not
        # `name: value` (`Transfer-Encoding : chunked`, `Bad Name: x`, no colon) silently ends
        # its headers, the rest taken for body, and an obs-fold line is glued to the field
        # before it. Either way this gateway and a proxy in front of it would disagree on the
        # headers, so the request is refused.
        headers = self.headers
        if headers.defects or headers.get_payload():
            raise BadFramingError("Invalid header field")
        for name, value in headers.items():
            if not _FIELD_NAME.fullmatch(name) or "\r" in value or "\n" in value:
                raise BadFramingError("Invalid header field")

    def _read_body(self) -> bytes:
        self._check_header_section()
        codings = self.headers.get_all("Transfer-Encoding")
        if codings is not None:
            # RFC 9112 6.1, 6.3: a request framed both ways is how requests get smuggled (a
            # proxy reads one framing, the server the other), so it is refused, not resolved;
            # chunked is the one coding decoded here and must be the only one (`chunked,
            # identity`, `gzip, chunked`, `xchunked`: the body's end is unknown); HTTP/1.0 has
            # no Transfer-Encoding. The refusal closes the connection.
            if self.headers.get_all("Content-Length") is not None:
                raise BadFramingError("Content-Length and Transfer-Encoding together")
            if self.request_version == "HTTP/1.0":
                raise BadFramingError("Transfer-Encoding in HTTP/1.0")
            if [c.strip().lower() for value in codings for c in value.split(",")] != ["chunked"]:
                raise BadFramingError("Unsupported Transfer-Encoding")
            return self._read_chunked()
        values = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if not values:
            return b""
        if len(values) > 1:
            raise BadFramingError("conflicting Content-Length headers")
        value = values.pop()
        if not _DIGITS.fullmatch(value):
            raise BadFramingError("Invalid Content-Length")
        length = int(value)
        if length > MAX_PAYLOAD_BYTES:  # refused before reading (or allocating) it
            raise BadFramingError("Request Too Large", 413, "REQUEST_TOO_LARGE")
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            size_text = line.split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise BadFramingError("Invalid chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > MAX_PAYLOAD_BYTES:
                raise BadFramingError("Request Too Large", 413, "REQUEST_TOO_LARGE")
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(65537).strip():
                raise BadFramingError("a chunk is shorter or longer than its size")
            chunks.append(chunk)
        while self.rfile.readline(65537).strip():  # trailer fields, up to the empty line
            pass
        return b"".join(chunks)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the gateway writes its own access log


class GatewayServer(ThreadingHTTPServer):
    """A thread per connection, but only once the head of its first request has arrived: until
    then one reception thread waits on all of them (a selector), so half-open connections cost
    a file descriptor each, not a thread, and are closed at the handler's header timeout."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._arrivals: list[tuple[socket.socket, Any]] = []
        self._received: dict[socket.socket, bytes] = {}
        self._closing = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._reception = threading.Thread(
            target=self._receive, daemon=True, name="local-api-gateway-reception"
        )
        self._reception.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        request.setblocking(False)
        with self._lock:
            self._arrivals.append((request, client_address))
        self._wake()

    def take_received(self, sock: socket.socket) -> bytes:
        """What the reception read of `sock` (the first head, maybe more), for its handler."""
        with self._lock:
            return self._received.pop(sock, b"")

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:  # the pipe is full (the reception wakes anyway) or closed
            pass

    def _receive(self) -> None:
        header_timeout = getattr(self.RequestHandlerClass, "header_timeout", HEADER_TIMEOUT_S)
        selector = selectors.DefaultSelector()
        selector.register(self._wake_r, selectors.EVENT_READ)
        waiting: dict[socket.socket, tuple[float, Any, bytearray]] = {}  # oldest first

        def drop(sock: socket.socket) -> None:
            selector.unregister(sock)
            del waiting[sock]
            self.shutdown_request(sock)

        try:
            while not self._closing:
                now = time.monotonic()
                soonest = min((deadline for deadline, _, _ in waiting.values()), default=now + 1)
                for key, _ in selector.select(max(0.0, soonest - now)):
                    sock = key.fileobj
                    if sock is self._wake_r:
                        self._take_arrivals(selector, waiting, now + header_timeout)
                        continue
                    _, address, head = waiting[sock]
                    try:
                        data = sock.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        drop(sock)
                        continue
                    start = max(0, len(head) - 3)  # only the new bytes are searched
                    head += data
                    if head.find(b"\n\r\n", start) < 0 and head.find(b"\n\n", start) < 0:
                        if len(head) < MAX_RECEIVED_HEAD:
                            continue
                    selector.unregister(sock)
                    del waiting[sock]
                    self._dispatch(sock, address, bytes(head))
                now = time.monotonic()
                for sock in [s for s, (deadline, _, _) in waiting.items() if deadline <= now]:
                    drop(sock)
                while len(waiting) > MAX_WAITING_CONNECTIONS:
                    drop(next(iter(waiting)))
        finally:
            for sock in list(waiting):
                self.shutdown_request(sock)
            selector.close()

    def _take_arrivals(self, selector: selectors.BaseSelector, waiting: dict, deadline: float) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass
        with self._lock:
            arrivals, self._arrivals = self._arrivals, []
        for sock, address in arrivals:
            selector.register(sock, selectors.EVENT_READ)
            waiting[sock] = (deadline, address, bytearray())

    def _dispatch(self, sock: socket.socket, address: Any, received: bytes) -> None:
        sock.setblocking(True)
        with self._lock:
            self._received[sock] = received
        thread = threading.Thread(target=self.process_request_thread, args=(sock, address), daemon=True)
        thread.start()

    def server_close(self) -> None:
        self._closing = True
        self._wake()
        self._reception.join(2)
        super().server_close()
        with self._lock:
            arrivals, self._arrivals = self._arrivals, []
        for sock, _ in arrivals:
            self.shutdown_request(sock)
        self._wake_r.close()
        self._wake_w.close()


def serve(gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> tuple[GatewayServer, threading.Thread]:
    handler = type("GatewayHandler", (_Handler,), {"gateway": gateway})
    server = GatewayServer((host, port), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="local-api-gateway"
    )
    thread.start()
    return server, thread


def json_body(response: HttpResponse) -> Any:
    return json.loads(response.body or b"null")
