"""Logger, Tracer and Metrics: one of each per process, shared by the service's modules.

`from shared.observability import logger, tracer, metrics`. The service name comes from
POWERTOOLS_SERVICE_NAME (set on every function), metrics go to the "EcommerceAI" namespace.
This module does not import the event handler, so the authorizer can use it cheaply.
"""

from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.tracing import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

METRICS_NAMESPACE = "EcommerceAI"

# Invocations that record no metric of their own are normal; Powertools would warn on each.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def tracing_enabled() -> bool:
    """Tracing runs only inside Lambda (X-Ray daemon present) and when not switched off."""
    if resolve_truthy_env_var_choice(env=os.getenv("POWERTOOLS_TRACE_DISABLED", "false")):
        return False
    return bool(os.getenv("LAMBDA_TASK_ROOT")) and not os.getenv("AWS_SAM_LOCAL")


class _NoopSegment(BaseSegment):
    def close(self, end_time=None): ...
    def add_subsegment(self, subsegment): ...
    def remove_subsegment(self, subsegment): ...
    def put_annotation(self, key, value): ...
    def put_metadata(self, key, value, namespace="default"): ...
    def add_exception(self, exception, stack, remote=False): ...


class _NoopProvider(BaseProvider):
    """Tracer provider for when tracing is off. Powertools' Tracer imports the X-Ray SDK (and
    botocore with it, ~200 ms) even when disabled; this provider avoids that import."""

    @contextmanager
    def in_subsegment(self, name=None, **kwargs):
        yield _NoopSegment()

    def in_subsegment_async(self, name=None, **kwargs):  # pragma: no cover - no async handlers
        raise NotImplementedError

    def put_annotation(self, key, value): ...
    def put_metadata(self, key, value, namespace="default"): ...
    def patch(self, modules): ...
    def patch_all(self): ...


def _make_tracer() -> Tracer:
    if tracing_enabled():
        return Tracer()
    return Tracer(provider=_NoopProvider(), disabled=True, auto_patch=False)


logger = Logger(level=os.environ.get("LOG_LEVEL", "INFO"))
tracer = _make_tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


def local_context() -> Any:
    """A stand-in Lambda context for callers that have none (the local gateway, scripts)."""
    return SimpleNamespace(
        function_name=os.environ.get("POWERTOOLS_SERVICE_NAME", "local"),
        function_version="$LATEST",
        memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:local:000000000000:function:local",
        aws_request_id="local",
        log_group_name="local",
        log_stream_name="local",
        get_remaining_time_in_millis=lambda: 29000,
    )
