"""boto3 clients, created once per cold start and shared by every invocation.

    from shared import aws
    table = aws.client("dynamodb")                 # cached per (service, options)
    athena = aws.client("athena", read_timeout=30)

boto3 is imported on first use, not at import time: it costs ~100 ms, more than half the
import budget of a handler, and a request that never touches AWS (validation errors, health
of a pure service) never pays it. The endpoint honours AWS_ENDPOINT_URL (and boto3's
per-service AWS_ENDPOINT_URL_<SERVICE>), which is how the local platform points at moto.

Tests replace a client with `aws.override("ses", stub)` and forget everything with
`aws.reset()` (call it inside `moto.mock_aws()` so new clients are created under the mock).
"""

from __future__ import annotations

import os
import threading
from typing import Any

# Short timeouts: API Gateway gives an integration 29 s in total; a hung connection should
# fail fast and be retried ("standard" mode retries throttling and transient errors).
DEFAULTS: dict[str, Any] = {
    "connect_timeout": 3,
    "read_timeout": 10,
    "retries": {"mode": "standard", "max_attempts": 3},
}

_clients: dict[tuple, Any] = {}
_overrides: dict[str, Any] = {}
_lock = threading.Lock()


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def client(service: str, **config: Any) -> Any:
    """The shared client of `service`; `config` overrides botocore Config options
    (connect_timeout, read_timeout, retries, ...)."""
    if service in _overrides:
        return _overrides[service]
    key = (service, tuple(sorted((k, repr(v)) for k, v in config.items())))
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:  # creating clients is not thread-safe in boto3; using them is
        found = _clients.get(key)
        if found is None:
            import boto3
            from botocore.config import Config

            kwargs: dict[str, Any] = {
                "region_name": region(),
                "config": Config(**{**DEFAULTS, **config}, user_agent_extra="ecommerce-ai-platform"),
            }
            endpoint = os.environ.get("AWS_ENDPOINT_URL")
            if endpoint and not os.environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"):
                kwargs["endpoint_url"] = endpoint
            found = _clients[key] = boto3.session.Session().client(service, **kwargs)
    return found


def override(service: str, replacement: Any) -> None:
    """Make `client(service)` return `replacement` (a Stubber-wrapped client, a fake...)."""
    _overrides[service] = replacement


def reset() -> None:
    """Forget every cached client and override."""
    with _lock:
        _clients.clear()
        _overrides.clear()
