"""The data-jobs function (lambdas/data_jobs/) over a generated dataset: each step's time on a
first run (every artifact built) and a second run (every artifact read back), and the peak
memory of the process, against the job's 900 s timeout and its 2048 MB floor.

    .venv/bin/python benchmarks/bench_data_jobs.py                    # scale 1.0, seed 42
    .venv/bin/python benchmarks/bench_data_jobs.py --scale 5 --data .local/data-scale-5

Locally the warehouse is DuckDB in this process (so the memory is an upper bound of what the
function needs with Athena; it includes the dataset's generation unless --data is given); the
artifacts go to a fresh temporary directory. Measured 2026-12-01 on the 2 shared cores: scale 1.0
first run 7.1-11.6 s (load), second 0.1 s, peak 0.48 GB; scale 5.0 30 s, 0.5 s, 1.97 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "lambdas"):
    sys.path.insert(0, str(path))

from components.services import JOB_MIN_MEMORY_MB, JOB_TIMEOUT_SECONDS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, help="an existing dataset (default: generate one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-data-jobs-") as scratch:
        data = args.data
        if data is None:
            from local import dataset

            data = Path(scratch) / "data"
            started = time.perf_counter()
            dataset.generate(data, scale=args.scale, seed=args.seed, progress=None)
            print(f"generated scale {args.scale} seed {args.seed} in {time.perf_counter() - started:.1f} s")
        os.environ.update(
            WAREHOUSE="duckdb",
            WAREHOUSE_DATA_DIR=str(data.resolve()),
            ARTIFACTS_DIR=str(Path(scratch) / "artifacts"),
            POWERTOOLS_TRACE_DISABLED="true",
            POWERTOOLS_SERVICE_NAME="data-jobs",
            LOG_LEVEL="WARNING",
        )
        from data_jobs.handler import lambda_handler

        first = lambda_handler({}, None)
        second = lambda_handler({}, None)
    reused = {(s["service"], s["step"]): s["seconds"] for s in second["steps"]}
    print(f"\n{'step':<76} {'build s':>8} {'reuse s':>8}")
    for s in first["steps"]:
        print(
            f"{s['service'] + ': ' + s['step']:<76} {s['seconds']:>8.2f} {reused[(s['service'], s['step'])]:>8.2f}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = first["seconds"] < JOB_TIMEOUT_SECONDS and peak_mb < JOB_MIN_MEMORY_MB and not first["failed"]
    print(
        f"\nfirst run {first['seconds']:.1f} s (timeout {JOB_TIMEOUT_SECONDS} s), second run "
        f"{second['seconds']:.2f} s, peak RSS {peak_mb:.0f} MB (function memory >= {JOB_MIN_MEMORY_MB} MB), "
        f"{len(first['failed'])} failed step(s): {'within budget' if ok else 'OVER BUDGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
