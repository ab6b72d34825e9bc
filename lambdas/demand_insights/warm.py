"""Compute every demand-insights artifact for the current data version, ahead of the first
requests (a job after `python -m datagen upload`, or by hand):

    WAREHOUSE=duckdb WAREHOUSE_DATA_DIR=.local/data ARTIFACTS_DIR=<dir> python -m demand_insights.warm

At scale 1.0 every artifact is computed within the first request that needs it (the slowest,
the reorder base, in ~5-15 s); at scale 5.0 the reorder base and the customer scores take longer
than API Gateway's 29 s, so a deployment with that much data warms them with this job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def steps() -> list[tuple[str, Callable[[], Any]]]:
    """The artifacts to build, in order, as (name, build) pairs (also run by the data-jobs
    function, `lambdas/data_jobs/`)."""
    from demand_insights import customers, data, forecasting, pricing, segments

    found = [
        (
            "segments (k=4, last 365 days)",
            lambda: segments.fit(segments.DEFAULT_K, *segments.default_window()),
        ),
        ("customer scores (churn 90 days, CLV 12 months)", customers.scores),
        ("reorder base (26-week forecasts)", forecasting.reorder_base),
    ]
    found += [
        (
            f"elasticity {c['category_id']}",
            lambda c=c: pricing.category_elasticity(c["category_id"], c["name"]),
        )
        for c in data.categories()
    ]
    return found


def main() -> int:
    for name, step in steps():
        started = time.perf_counter()
        step()
        print(f"{name}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
