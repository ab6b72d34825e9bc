"""The usage profile: what a stack's resources cannot say about their own bill.

Fixed costs come from the resources (three NAT gateways cost the same whatever the traffic);
usage costs need figures nobody can read off a resource: requests a month, response size,
users, stored data, pipeline runs. They live in the stack file under
`ecommerce-ai-platform:usage` (a mapping of the camelCase keys below), each with a default that
says what it assumes. `components/settings.py` parses and validates it with `parse_usage`.

The bytes Athena scans per analytics call are not assumed: they come from the services'
benchmark (`benchmarks/bench_services.py`), recorded in `cost/data/warehouse-scan-<date>.json`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
ATHENA_MIN_MB_PER_QUERY = 10.0  # Athena bills every query at least 10 MB
# (build name, minutes): a tuple, so that the profile (and Settings holding it) stays hashable.
DEFAULT_BUILD_MINUTES = (
    ("infrastructure", 8.0),
    ("auth-lambda", 3.0),
    ("python-lambdas", 8.0),
    ("frontend", 4.0),
)


class UsageError(ValueError):
    """The usage profile has an unknown key or a value out of range."""


def _f(default: Any, lo: float, hi: float, doc: str, *, key: str | None = None):
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc, "key": key})


@dataclass(frozen=True)
class UsageProfile:
    """Monthly usage of one stack. Field names are the snake_case of the config keys."""

    api_requests_per_month: float = _f(
        100_000, 0, 1e11, "API Gateway requests a month; each runs one service function"
    )
    avg_response_kb: float = _f(8.0, 0, 10_240, "mean API response body: data transferred out")
    analytics_share: float = _f(
        0.6,
        0,
        1,
        "share of requests that go to the six analytics/AI services (behind the authorizer); the rest "
        "are the auth service's",
    )
    analytics_queries_per_call: float | None = _f(
        None, 0, 100, "Athena queries per analytics call; unset: the services' benchmark"
    )
    athena_mb_per_query: float | None = _f(
        None, 0, 1e7, "MB one Athena query scans; unset: the services' benchmark (billed at least 10 MB)"
    )
    athena_query_seconds: float = _f(
        1.0, 0, 900, "how long a function waits for one Athena query (about a second: README)"
    )
    function_ms: float = _f(100.0, 1, 900_000, "mean billed duration of one invocation, Athena waits aside")
    monthly_active_users: float = _f(200, 0, 1e9, "people who use the web app in a month")
    sessions_per_user: float = _f(20, 0, 10_000, "web app sessions per user a month")
    session_minutes: float = _f(
        10, 0, 1_440, "length of a session: how often the authorizer's 5-minute cache expires in one"
    )
    site_kb_per_session: float = _f(
        150,
        0,
        1e6,
        "KB the site serves per session (sign-in bundle 99 KB gzipped + an area's ~21 KB + HTML/CSS)",
    )
    site_requests_per_session: float = _f(12, 0, 1e5, "site files fetched per session")
    lake_stored_gb: float = _f(
        1.0, 0, 1e7, "GB in the lake's raw and curated buckets (the dataset at scale 1.0 is 0.02 GB)"
    )
    other_stored_gb: float = _f(
        2.0, 0, 1e7, "GB in the other buckets: site, trail logs, Athena results (artifacts: below)"
    )
    lake_object_writes_per_month: float = _f(
        2_000, 0, 1e10, "objects written to the lake a month (uploads; the dev trail records them)"
    )
    s3_gets_per_query: float = _f(20, 0, 1e6, "Parquet objects an Athena query reads")
    pipeline_runs_per_month: float = _f(40, 0, 100_000, "pipeline executions a month (pushes to the branch)")
    build_minutes: tuple[tuple[str, float], ...] = _f(
        DEFAULT_BUILD_MINUTES,
        0,
        480,
        "minutes each build takes per run, by the build's name (infrastructure, auth-lambda, "
        "python-lambdas, frontend); assumed, not measured",
    )
    artifact_mb_per_run: float = _f(
        150, 0, 1e6, "MB of pipeline artifacts per run (7 zips of ~17 MB + source)"
    )
    build_log_mb_per_run: float = _f(1.0, 0, 1e5, "MB of log each build writes per run")
    log_kb_per_invocation: float = _f(
        1.5, 0, 1e5, "KB of CloudWatch Logs per function invocation (START/END/REPORT + JSON lines)"
    )
    access_log_bytes_per_request: float = _f(700, 0, 1e6, "bytes of one API access log line")
    flow_log_gb_per_month: float = _f(1.0, 0, 1e7, "GB of VPC flow log records a month")
    nat_gb_per_month: float = _f(
        5.0,
        0,
        1e7,
        "GB through the NAT gateways: calls to AWS APIs without a gateway endpoint (Athena, Glue, "
        "Secrets Manager, KMS, X-Ray, SES) and the internet",
    )
    kms_requests_per_month: float = _f(
        100_000,
        0,
        1e12,
        "KMS requests: DynamoDB, S3, SQS and Lambda cache data keys for minutes, so about one per "
        "cache window and warm function, not one per call",
    )
    dynamo_writes_per_request: float = _f(
        3,
        0,
        1_000,
        "DynamoDB write units per API request: the audit event, its user-index copy, the day's counter",
    )
    dynamo_reads_per_request: float = _f(1, 0, 1_000, "DynamoDB read units per API request")
    audit_item_kb: float = _f(0.6, 0, 400, "KB of one audit event item (stored twice: table and user index)")
    dynamo_other_gb: float = _f(0.5, 0, 1e6, "GB in the users, conversations and cases tables")
    audit_events_per_delivery: float = _f(
        10, 1, 10_000, "access log lines CloudWatch Logs hands the audit ingest per invocation"
    )
    data_uploads_per_month: float = _f(
        4, 0, 1e6, "dataset uploads a month; each runs the data-jobs function once (EventBridge)"
    )
    data_job_seconds: float = _f(
        60,
        0,
        900,
        "billed seconds of one data-jobs run (scale 1.0: 11.6 s locally over DuckDB; in AWS its ~20 "
        "Athena queries wait athenaQuerySeconds or more each)",
    )
    management_events_per_month: float = _f(
        100_000, 0, 1e12, "management events a month (billed only for a second trail that copies them)"
    )

    # ---- derived -----------------------------------------------------------------------------
    @property
    def analytics_calls(self) -> float:
        return self.api_requests_per_month * self.analytics_share

    @property
    def sessions(self) -> float:
        return self.monthly_active_users * self.sessions_per_user

    def queries_per_analytics_call(self) -> float:
        if self.analytics_queries_per_call is not None:
            return self.analytics_queries_per_call
        return benchmark().queries_per_call

    def billed_mb_per_analytics_call(self) -> float:
        """MB Athena bills per analytics call: each query at least 10 MB."""
        if self.analytics_queries_per_call is None and self.athena_mb_per_query is None:
            return benchmark().billed_mb_per_call
        mb = self.athena_mb_per_query if self.athena_mb_per_query is not None else benchmark().mb_per_query
        return self.queries_per_analytics_call() * max(ATHENA_MIN_MB_PER_QUERY, mb)

    def minutes_of_build(self, build_name: str) -> float | None:
        """Minutes a build named like `...-<key>-<stack>` takes; None when no key matches."""
        best = None
        for key, minutes in self.build_minutes:
            if key in build_name and (best is None or len(key) > len(best[0])):
                best = (key, minutes)
        return None if best is None else best[1]

    def as_config(self) -> dict[str, Any]:
        """The profile as config keys (what the stack file says, defaults filled in)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[config_key(f.name)] = dict(value) if f.name == "build_minutes" else value
        return out


def config_key(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


CONFIG_KEYS = {config_key(f.name): f for f in fields(UsageProfile)}


def describe() -> list[tuple[str, Any, str]]:
    """(config key, default, what it assumes) for every key: the README and `--help` table."""
    return [(key, f.default, f.metadata["doc"]) for key, f in CONFIG_KEYS.items()]


def parse_usage(value: Any) -> UsageProfile:
    """A `UsageProfile` from the stack config's `usage` (a mapping, JSON text, or None)."""
    if value in (None, ""):
        return UsageProfile()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise UsageError("usage must be a mapping of usage keys") from exc
    if not isinstance(value, Mapping):
        raise UsageError("usage must be a mapping of usage keys")
    unknown = sorted(set(value) - set(CONFIG_KEYS))
    if unknown:
        raise UsageError(f"unknown usage key(s) {unknown}; known: {sorted(CONFIG_KEYS)}")
    kwargs: dict[str, Any] = {}
    for key, raw in value.items():
        f = CONFIG_KEYS[key]
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        if f.name == "build_minutes":
            kwargs[f.name] = _build_minutes(raw, lo, hi)
            continue
        if raw is None and f.default is None:
            continue
        number = _number(key, raw)
        if not lo <= number <= hi:
            raise UsageError(f"usage.{key}={number:g} is outside {lo:g}..{hi:g}")
        kwargs[f.name] = number
    return UsageProfile(**kwargs)


def _number(key: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise UsageError(f"usage.{key} must be a number, got {raw!r}")
    try:
        number = float(raw)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"usage.{key} must be a number, got {raw!r}") from exc
    if not math.isfinite(number):
        raise UsageError(f"usage.{key} must be a finite number")
    return number


def _build_minutes(raw: Any, lo: float, hi: float) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, Mapping):
        raise UsageError("usage.buildMinutes must map build names to minutes")
    out = dict(DEFAULT_BUILD_MINUTES)
    for name, minutes in raw.items():
        number = _number(f"buildMinutes.{name}", minutes)
        if not lo <= number <= hi:
            raise UsageError(f"usage.buildMinutes.{name}={number:g} is outside {lo:g}..{hi:g}")
        out[str(name)] = number
    return tuple(out.items())


# ---- the services' benchmark ------------------------------------------------------------------
@dataclass(frozen=True)
class Benchmark:
    path: str
    measured: str
    source: str
    operations: int
    queries_per_call: float  # mean over the benchmarked operations
    mb_per_query: float  # mean MB scanned per query
    billed_mb_per_call: float  # mean over operations of sum(max(10 MB, scanned)) per query


@cache
def benchmark(directory: Path = DATA_DIR) -> Benchmark:
    """The newest `warehouse-scan-<date>.json`: queries and MB scanned per analytics call."""
    files = sorted(directory.glob("warehouse-scan-*.json"))
    if not files:
        raise UsageError(f"no warehouse-scan-<date>.json in {directory}")
    document = json.loads(files[-1].read_text())
    ops = document["operations"]
    queries = sum(o["queries"] for o in ops)
    scanned = sum(o["mbScanned"] for o in ops)
    billed = 0.0
    for o in ops:
        if o["queries"]:
            # The benchmark reports each call's queries and total MB: spread evenly over its queries.
            billed += o["queries"] * max(ATHENA_MIN_MB_PER_QUERY, o["mbScanned"] / o["queries"])
    return Benchmark(
        path=f"cost/data/{files[-1].name}",
        measured=document["measured"],
        source=document["source"],
        operations=len(ops),
        queries_per_call=queries / len(ops),
        mb_per_query=scanned / queries if queries else 0.0,
        billed_mb_per_call=billed / len(ops),
    )
