"""data-jobs: builds the data-versioned artifacts of the analytics services after a dataset upload.

Invoked asynchronously by EventBridge when `python -m datagen upload` writes the dataset's
manifest (`_meta/manifest.json`, the last object of an upload) to the curated bucket
(components/data_jobs.py); locally, once by the platform after its upload (local/platform.py).
Not behind API Gateway: it has no routes, and its timeout is a job's (900 s).

The steps are the services' own: `analytics_service.warm.steps()` (the shared daily sales cube,
cohorts, covered days), `demand_insights.warm.steps()` (segments, customer scores, reorder base,
elasticities) and `compliance_guardian.train.train_or_keep()` (the fraud model). Each artifact is
keyed by the data version, so a second run over the same dataset reads what the first one stored.
Every step runs even when one fails; the invocation fails at the end if any did (Lambda retries
it, then sends it to the on-failure destination).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from shared import artifacts
from shared.observability import local_context, logger

SERVICE = "data-jobs"


class JobFailedError(RuntimeError):
    """One or more steps failed (each is logged with its traceback)."""


def _steps() -> list[tuple[str, str, Callable[[], Any]]]:
    from analytics_service import warm as analytics_warm
    from compliance_guardian import train
    from demand_insights import warm as demand_warm

    return [
        *(("analytics-service", name, step) for name, step in analytics_warm.steps()),
        *(("demand-insights", name, step) for name, step in demand_warm.steps()),
        ("compliance-guardian", "fraud model", lambda: train.train_or_keep()[0]),
    ]


def run() -> dict[str, Any]:
    """Build every artifact of the current data version; the summary of what each step took."""
    # A warm container may have seen the previous dataset: read the data version afresh.
    artifacts.reset()
    started = time.perf_counter()
    version = artifacts.data_version()
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for service, name, step in _steps():
        t = time.perf_counter()
        try:
            step()
        except Exception as exc:  # the other steps still run; the job fails at the end
            seconds = round(time.perf_counter() - t, 3)
            logger.exception("step failed", extra={"owner": service, "step": name, "seconds": seconds})
            failed.append({"service": service, "step": name, "seconds": seconds, "error": str(exc)})
            continue
        seconds = round(time.perf_counter() - t, 3)
        logger.info("step done", extra={"owner": service, "step": name, "seconds": seconds})
        done.append({"service": service, "step": name, "seconds": seconds})
    summary = {
        "dataVersion": version,
        "steps": done,
        "failed": failed,
        "seconds": round(time.perf_counter() - started, 3),
    }
    logger.info("data jobs finished", extra={k: v for k, v in summary.items() if k != "steps"})
    return summary


def lambda_handler(event: dict[str, Any] | None, context: Any = None) -> dict[str, Any]:
    logger.set_correlation_id((context or local_context()).aws_request_id)
    detail = (event or {}).get("detail") or {}
    logger.info(
        "data jobs started",
        extra={
            "trigger": (event or {}).get("source", "direct"),
            "bucket": (detail.get("bucket") or {}).get("name"),
            "key": (detail.get("object") or {}).get("key"),
        },
    )
    summary = run()
    if summary["failed"]:
        raise JobFailedError(
            f"{len(summary['failed'])} step(s) failed: " + "; ".join(f["step"] for f in summary["failed"])
        )
    return summary
