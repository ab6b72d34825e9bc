"""Run inside the moto server process (local/aws.py loads it with runpy before moto starts):
keeps moto's cost per request small and independent of how much data it holds, as AWS's is.

moto 5's `TransactWriteItems` deep-copies every table it touches before the transaction, to roll
back on failure: O(table size) per call. The auth service rotates refresh tokens with a
transaction, so on a platform that has been used for a while each refresh got slower. Here the
rollback keeps only the items the transaction touches.

A restarted server also starts with a gate (`LOCAL_MOTO_GATE`, see `_gate`): it answers 503 to
the functions while the platform provisions it again and restores the saved items, so no caller
meets a half-restored AWS (a missing table, a user not back yet).

Stdlib and moto only; never imported by the platform itself.
"""

from __future__ import annotations

import copy
from typing import Any


def _patch_transact_write_items() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    backend_class = models.DynamoDBBackend
    original = backend_class.transact_write_items
    if getattr(original, "_local_platform_patch", False):
        return

    class _NoTableCopy:
        """`copy` as moto's module sees it: tables are not copied (we keep an item-level undo
        log instead); anything else is."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        undo: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
        for entry in transact_items:
            try:
                _, op = next(iter(entry.items()))
                table = self.get_table(op["TableName"])
                if "Key" in op:
                    key = op["Key"]
                else:
                    attrs = op["Item"]
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                hash_value, range_value = self.get_keys_value(table, key)
                current = table.get_item(hash_value, range_value)
                before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
                undo.append((op["TableName"], key, before))
            except Exception:  # noqa: S112 - moto itself reports a malformed request
                continue
        try:
            original(self, transact_items)
        except Exception:  # roll back what the transaction did, then re-raise
            for table_name, key, before in reversed(undo):
                try:
                    if before is None:
                        self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, before)
                except Exception:  # noqa: S112 - best effort, like moto's own rollback
                    continue
            raise

    # Set once (not per call): threads of the server never see a half-patched module.
    models.copy = _NoTableCopy()
    transact_write_items._local_platform_patch = True  # type: ignore[attr-defined]
    backend_class.transact_write_items = transact_write_items


def _cache_module_list() -> None:
    """moto lists its own package folder (listdir + a stat per service) on every request."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: iter(modules)


def _keep_alive() -> None:
    """werkzeug's development server closes the connection after every response, so each call
    a function makes pays a new TCP connection and a new server thread. Keep connections open
    (as AWS endpoints do) when that is safe: an HTTP/1.1 request with a Content-Length (read in
    full up front, so the stream stops at the next request line) and a response with one.
    Anything else (chunked uploads...) keeps werkzeug's behaviour: the connection closes."""
    import io

    from werkzeug import serving

    base = serving.WSGIRequestHandler
    if getattr(base, "_local_platform_patch", False):
        return

    class KeepAliveHandler(base):  # type: ignore[misc, valid-type]
        _local_platform_patch = True
        disable_nagle_algorithm = True

        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            self._keep = False
            length = self.headers.get("Content-Length")
            if not environ.get("wsgi.input_terminated") and self.request_version == "HTTP/1.1":
                try:
                    size = int(length) if length else 0
                except ValueError:
                    return environ
                environ["wsgi.input"] = io.BytesIO(self.rfile.read(size) if size > 0 else b"")
                self._keep = (self.headers.get("Connection") or "").lower() != "close"
                # After the response werkzeug discards whatever the socket holds (it assumes the
                # connection closes): that would be the client's next request. It reads from
                # self.rfile, which stays empty until handle_one_request puts the socket back.
                self._socket_rfile, self.rfile = self.rfile, io.BytesIO(b"")
            self._has_length = False
            return environ

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            finally:
                real = getattr(self, "_socket_rfile", None)
                if real is not None:
                    self.rfile, self._socket_rfile = real, None

        def send_header(self, keyword: str, value: str) -> None:
            key = keyword.lower()
            if key == "content-length":
                self._has_length = True
            elif (
                key == "connection"
                and value.lower() == "close"
                and getattr(self, "_keep", False)
                and getattr(self, "_has_length", False)
            ):
                return  # keep-alive: the next request follows on this connection
            super().send_header(keyword, value)

    KeepAliveHandler.protocol_version = "HTTP/1.1"
    serving.WSGIRequestHandler = KeepAliveHandler


def _fast_dynamodb_item_answers() -> None:
    """moto 5.2 writes every answer through a generic serializer driven by the service model:
    several ms per item returned, so a Query of 50 items took ~400 ms here (DynamoDB: ~10 ms).
    The items of Query/Scan/GetItem/BatchGetItem are already DynamoDB JSON: written with
    json.dumps (binary values base64, as the wire has them), every other answer as before."""
    import base64
    import datetime
    import json

    from moto.dynamodb import responses

    handler = responses.DynamoHandler
    original = handler.serialized
    if getattr(original, "_local_platform_patch", False):
        return
    fast = {"Query", "Scan", "GetItem", "BatchGetItem"}

    def default(value: Any) -> Any:
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, datetime.datetime):
            return value.timestamp()
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    def serialized(self: Any, action_result: Any) -> Any:
        if isinstance(action_result, responses.DynamoResult) and self._get_action() in fast:
            body = json.dumps(action_result.result, default=default, separators=(",", ":"))
            headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
            return 200, headers, body
        return original(self, action_result)

    serialized._local_platform_patch = True  # type: ignore[attr-defined]
    handler.serialized = serialized


GATE_PATH = "/_local/gate"  # ?closed=<services>: "*" every service, "s3", "" (open)
GATE_PASS_HEADER = "HTTP_X_LOCAL_PLATFORM"  # the platform's restoring clients send "restore"


def _gate() -> None:
    """While the gate is closed for a service, its requests get 503 ServiceUnavailable (what
    AWS answers when it cannot serve; boto3 retries it, the services answer 503 with
    Retry-After), except the platform's own restoring requests and moto's /moto-api/."""
    import json
    import os
    import re
    from urllib.parse import parse_qs

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, "_local_platform_patch", False):
        return
    state = {"closed": os.environ.get("LOCAL_MOTO_GATE", "")}
    scope = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")

    def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == GATE_PATH:
            state["closed"] = parse_qs(environ.get("QUERY_STRING", "")).get("closed", [""])[0]
            start_response("204 No Content", [("Content-Length", "0")])
            return [b""]
        closed = state["closed"]
        if closed and not path.startswith("/moto-api") and environ.get(GATE_PASS_HEADER) != "restore":
            found = scope.search(environ.get("HTTP_AUTHORIZATION", ""))
            service = found.group(1) if found else ""
            if closed == "*" or service in closed.split(","):
                message = "The AWS stand-in is restarting; retry shortly"
                if service == "s3":
                    kind = "application/xml"
                    body = (
                        f"<Error><Code>ServiceUnavailable</Code><Message>{message}</Message></Error>".encode()
                    )
                else:
                    kind = "application/x-amz-json-1.0"
                    body = json.dumps({"__type": "ServiceUnavailable", "message": message}).encode()
                start_response(
                    "503 Service Unavailable",
                    [("Content-Type", kind), ("Content-Length", str(len(body))), ("Retry-After", "1")],
                )
                return [body]
        return original(self, environ, start_response)

    call._local_platform_patch = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.__call__ = call  # type: ignore[method-assign]


_patch_transact_write_items()
_cache_module_list()
_keep_alive()
_fast_dynamodb_item_answers()
_gate()
