"""Compute every analytics-service artifact for the current data version ahead of the first
requests (a job after `python -m datagen upload`, or by hand):

    WAREHOUSE=duckdb WAREHOUSE_DATA_DIR=.local/data ARTIFACTS_DIR=<dir> python -m analytics_service.warm

Without it the first request that needs an artifact builds it (one query each; the shared daily
sales cube, `shared/cube.py`, takes ~1.6 s at scale 1.0 locally, one Athena query in AWS).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any


def steps() -> list[tuple[str, Callable[[], Any]]]:
    """The artifacts to build, in order, as (name, build) pairs (also run by the data-jobs
    function, `lambdas/data_jobs/`)."""
    from shared.warehouse import get_warehouse

    from analytics_service import cohorts, datasets, sales

    wh = get_warehouse()
    return [
        ("daily sales cube (shared with the other sales services)", lambda: sales.daily_cube(wh)),
        ("cohort matrix", lambda: cohorts.matrix(wh)),
        ("covered days of the datasets", lambda: datasets.datasets(wh)),
    ]


def main() -> int:
    for name, step in steps():
        started = time.perf_counter()
        step()
        print(f"{name}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
