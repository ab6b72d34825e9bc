"""Change points: ours (shared.models.changepoints) against ruptures, the change-point row of
SERVICES.md's accuracy table (must: within 3 points of a planted shift).

Two sets of series, each with one planted level shift, the same penalty (the BIC default of
ours), cost and minimum segment length (4) for both libraries:

- synthetic: 240 points of Gaussian noise with a shift of 2 sigma at a random position (20 seeds);
- the generated data (seed 42, scale 1.0): weekly revenue of each of the 8 regions over the two
  years (104 weeks: trend, yearly seasonality, holidays; the granularity trend-changes uses by
  default), times 1.3 from a week planted at random. Seasonal peaks are real changes too, so
  what is measured is the distance from the planted week to the nearest breakpoint found.

    .venv/bin/python benchmarks/bench_changepoints.py [--data DIR]   # DIR: a generated dataset

Prints, per set and method: the median and worst distance to the planted shift, how many
series are within 3 points, breakpoints per series, and the median ms per fit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "lambdas"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from shared.models.changepoints import bic_penalty, binary_segmentation, pelt  # noqa: E402

MIN_SIZE = 4
TOLERANCE = 3


def synthetic() -> list[tuple[np.ndarray, int]]:
    out = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        k = int(rng.integers(40, 200))
        y = rng.normal(0.0, 1.0, 240)
        y[k:] += 2.0
        out.append((y, k))
    return out


def regional(data: Path) -> list[tuple[np.ndarray, int]]:
    import duckdb

    con = duckdb.connect(":memory:")
    orders = str(data / "orders" / "**" / "*.parquet")
    rows = con.execute(
        "SELECT region, CAST(date_trunc('week', order_date) AS DATE), SUM(total_usd) "
        "FROM read_parquet(?, hive_partitioning = true) WHERE status <> 'cancelled' GROUP BY 1, 2 ORDER BY 1, 2",
        [orders],
    ).fetchall()
    by_region: dict[str, dict] = {}
    for region, day, revenue in rows:
        by_region.setdefault(region, {})[day] = revenue
    rng = np.random.default_rng(42)
    out = []
    for region in sorted(by_region):
        days = sorted(by_region[region])
        first = days[0]
        y = np.zeros((days[-1] - first).days // 7 + 1)
        for day, revenue in by_region[region].items():
            y[(day - first).days // 7] = revenue
        y = y[1:-1]  # the window's first and last weeks are partial
        k = int(rng.integers(15, len(y) - 15))
        y[k:] *= 1.3
        out.append((y, k))
    return out


def run(name: str, series: list[tuple[np.ndarray, int]]) -> None:
    import ruptures as rpt

    fits = {
        "PELT, ours": lambda y, pen: pelt(y, pen, model="mean", min_size=MIN_SIZE),
        "PELT, ruptures": lambda y, pen: (
            rpt.Pelt(model="l2", min_size=MIN_SIZE, jump=1).fit(y).predict(pen=pen)[:-1]
        ),
        "BinSeg, ours": lambda y, pen: binary_segmentation(y, pen, model="mean", min_size=MIN_SIZE),
        "BinSeg, ruptures": lambda y, pen: (
            rpt.Binseg(model="l2", min_size=MIN_SIZE, jump=1).fit(y).predict(pen=pen)[:-1]
        ),
    }
    print(f"\n{name}: {len(series)} series of {len(series[0][0])} points, one planted shift each")
    print(
        f"  {'method':<18} {'median dist':>11} {'worst':>6} {'within 3':>9} {'bkps/series':>12} {'ms/fit':>8}"
    )
    for label, fit in fits.items():
        distances, counts, times = [], [], []
        for y, k in series:
            pen = bic_penalty(y, "mean")
            started = time.perf_counter()
            found = fit(y, pen)
            times.append((time.perf_counter() - started) * 1000)
            counts.append(len(found))
            distances.append(min((abs(b - k) for b in found), default=len(y)))
        within = sum(d <= TOLERANCE for d in distances)
        print(
            f"  {label:<18} {statistics.median(distances):>11.1f} {max(distances):>6} "
            f"{within:>4}/{len(series):<4} {statistics.mean(counts):>12.1f} {statistics.median(times):>8.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, help="a generated dataset (default: generate seed 42, scale 1.0)"
    )
    args = parser.parse_args(argv)
    run("synthetic (2 sigma shift)", synthetic())
    if args.data:
        run("weekly revenue per region (+30 % from a planted week)", regional(args.data))
    else:
        from datagen.generate import generate

        with tempfile.TemporaryDirectory(prefix="bench-changepoints-") as tmp:
            generate(Path(tmp) / "data", scale=1.0, seed=42)
            run("weekly revenue per region (+30 % from a planted week)", regional(Path(tmp) / "data"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
