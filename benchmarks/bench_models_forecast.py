"""Accuracy and speed of the forecasting and anomaly models on the generated data (SERVICES.md's
table: the Holt-Winters and anomaly rows): `python benchmarks/bench_models_forecast.py`.

Data: seed 42, scale 1.0 (`.local/data` when it is that dataset, else generated into a temporary
directory), aggregated exactly as market-intelligence does (`market_intelligence.series`: the
daily cube over DuckDB). Series: daily revenue per category (12) and in total; the last 8
weeks (56 days) are held out, every model is fitted on the rest and forecasts 56 days.

- sMAPE (mean over the 13 series) of ours (`shared.models.forecast.HoltWinters`), statsmodels
  ExponentialSmoothing(trend="add", seasonal="add", m=7), statsforecast AutoETS(m=7, model
  chosen by AICc) and seasonal naive;
- ms per fit (median of 3 fits per series, averaged over the series): ours vs statsmodels;
- anomaly days: daily orders in total, `shared.models.anomalies.WeekdayBaseline` at |z| > 3,
  against truth.json's three planted days: found / planted and false days.

The "must" column: Holt-Winters beats seasonal naive and is within 5 % (relative sMAPE) of the
best reference; its fit is >= 10x faster than statsmodels'; anomalies 3 of 3 with <= 2 false
days. `--markdown` prints the README table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]

HOLDOUT = 56
SEASON = 7
RUNS = 3


def dataset(scale: float, seed: int, tmp: Path) -> Path:
    from local.dataset import is_current

    cached = ROOT / ".local" / "data"
    if is_current(cached, scale=scale, seed=seed):
        return cached
    from datagen.generate import generate

    generate(tmp / "data", scale=scale, seed=seed)
    return tmp / "data"


def load_cube(data_dir: Path):
    """The service's own daily cube over the dataset (no artifact store: computed here)."""
    os.environ.pop("ARTIFACTS_DIR", None)
    os.environ.pop("CURATED_BUCKET", None)
    from market_intelligence import series
    from shared import artifacts
    from shared.warehouse import DuckDBWarehouse, set_warehouse

    set_warehouse(DuckDBWarehouse(str(data_dir)))
    artifacts.reset()
    doc = series._compute_cube()
    return series.Cube(
        start=date.fromisoformat(doc["start"]),
        days=int(doc["days"]),
        categories=list(doc["categories"]),
        regions=list(doc["regions"]),
        revenue=np.asarray(doc["revenue"], dtype=float),
        units=np.asarray(doc["units"], dtype=float),
        orders=np.asarray(doc["orders"], dtype=float),
        all_orders=np.asarray(doc["all_orders"], dtype=float),
        cost=np.asarray(doc["cost"], dtype=float),
    )


def timed(fit, runs: int = RUNS) -> tuple[object, float]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fit()
        times.append(time.perf_counter() - started)
    return result, 1000.0 * statistics.median(times)


def forecasting(cube) -> dict[str, object]:
    from shared.models.forecast import HoltWinters, SeasonalNaive, accuracy
    from statsforecast.models import AutoETS
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    named = {c: cube.series("revenue", c) for c in cube.categories}
    named["total"] = cube.series("revenue")
    smape: dict[str, list[float]] = {"ours": [], "statsmodels": [], "autoets": [], "naive": []}
    ms: dict[str, list[float]] = {"ours": [], "statsmodels": []}
    rows = []
    AutoETS(season_length=SEASON).fit(np.arange(60.0) % 7 + 10)  # JIT-compile once, untimed
    for name, y in named.items():
        train, test = y[:-HOLDOUT], y[-HOLDOUT:]
        ours, ours_ms = timed(lambda train=train: HoltWinters(SEASON).fit(train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref, ref_ms = timed(
                lambda train=train: ExponentialSmoothing(
                    train, trend="add", seasonal="add", seasonal_periods=SEASON
                ).fit()
            )
        ets = AutoETS(season_length=SEASON).fit(train).predict(HOLDOUT)["mean"]
        naive = SeasonalNaive(SEASON).fit(train).predict(HOLDOUT)
        scores = {
            "ours": accuracy(test, ours.predict(HOLDOUT))["smape"],
            "statsmodels": accuracy(test, ref.forecast(HOLDOUT))["smape"],
            "autoets": accuracy(test, ets)["smape"],
            "naive": accuracy(test, naive)["smape"],
        }
        for k, v in scores.items():
            smape[k].append(v)
        ms["ours"].append(ours_ms)
        ms["statsmodels"].append(ref_ms)
        rows.append((name, scores, ours_ms, ref_ms))
    mean = {k: statistics.fmean(v) for k, v in smape.items()}
    speed = {k: statistics.fmean(v) for k, v in ms.items()}
    best_ref = min(mean["statsmodels"], mean["autoets"])
    return {
        "rows": rows,
        "smape": mean,
        "ms": speed,
        "gap_pct": 100.0 * (mean["ours"] - best_ref) / best_ref,
        "speedup": speed["statsmodels"] / speed["ours"],
        "beats_naive": mean["ours"] < mean["naive"],
    }


def anomalies(cube, truth: dict) -> dict[str, object]:
    from shared.models.anomalies import WeekdayBaseline, retail_holidays

    y = cube.series("orders")
    holidays = retail_holidays(range(cube.start.year, cube.end.year + 1))
    (det, fit_ms) = timed(lambda: WeekdayBaseline(threshold=3.0).fit(y, cube.start, holidays=holidays))
    found = {(cube.start + timedelta(days=int(i))).isoformat() for i in det.anomalies_}
    planted = {a["date"] for a in truth["anomalies"]}
    return {
        "found": len(found & planted),
        "planted": len(planted),
        "false": sorted(found - planted),
        "ms": fit_ms,
        "days": len(y),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-forecast-") as tmp:
        data_dir = dataset(args.scale, args.seed, Path(tmp))
        truth = json.loads((data_dir / "truth.json").read_text())
        cube = load_cube(data_dir)
        fc = forecasting(cube)
        an = anomalies(cube, truth)
    s, ms = fc["smape"], fc["ms"]
    hw_ok = fc["beats_naive"] and fc["gap_pct"] <= 5.0 and fc["speedup"] >= 10.0
    an_ok = an["found"] == an["planted"] and len(an["false"]) <= 2
    print(
        f"forecasting: daily revenue, 12 categories + total, last {HOLDOUT} days held out (seed {args.seed}, scale {args.scale})"
    )
    print(
        f"  {'series':<7} {'ours':>7} {'statsm.':>7} {'AutoETS':>7} {'s.naive':>7}   {'ours ms':>8} {'statsm. ms':>10}"
    )
    for name, sc, o_ms, r_ms in fc["rows"]:
        print(
            f"  {name:<7} {sc['ours']:7.2f} {sc['statsmodels']:7.2f} {sc['autoets']:7.2f} {sc['naive']:7.2f}   {o_ms:8.1f} {r_ms:10.1f}"
        )
    print(
        f"  {'mean':<7} {s['ours']:7.2f} {s['statsmodels']:7.2f} {s['autoets']:7.2f} {s['naive']:7.2f}   {ms['ours']:8.1f} {ms['statsmodels']:10.1f}"
    )
    print(
        f"  Holt-Winters: sMAPE {s['ours']:.2f} % vs best reference {min(s['statsmodels'], s['autoets']):.2f} % "
        f"({fc['gap_pct']:+.1f} %, must be <= +5 %), seasonal naive {s['naive']:.2f} % (must beat it), "
        f"fit {ms['ours']:.1f} ms vs statsmodels {ms['statsmodels']:.1f} ms = {fc['speedup']:.1f}x (must be >= 10x): "
        f"{'MET' if hw_ok else 'NOT MET'}"
    )
    print(
        f"anomalies: daily orders, {an['days']} days, |z| > 3: found {an['found']}/{an['planted']} planted, "
        f"{len(an['false'])} false day(s) {an['false']} (must: 3/3, <= 2 false), fit {an['ms']:.1f} ms: "
        f"{'MET' if an_ok else 'NOT MET'}"
    )
    if args.markdown:
        print()
        print("| model | ours | reference (test-only) | must | met |")
        print("|---|---|---|---|---|")
        print(
            f"| Holt-Winters, daily revenue per category + total (13 series), last 8 weeks held out | "
            f"sMAPE {s['ours']:.2f} %, {ms['ours']:.1f} ms/series | statsmodels ExponentialSmoothing "
            f"{s['statsmodels']:.2f} % ({ms['statsmodels']:.0f} ms/series); statsforecast AutoETS "
            f"{s['autoets']:.2f} %; seasonal naive {s['naive']:.2f} % | beat seasonal naive; within 5 % of "
            f"the best reference ({fc['gap_pct']:+.1f} %); >= 10x faster ({fc['speedup']:.0f}x) | "
            f"{'yes' if hw_ok else 'no'} |"
        )
        print(
            f"| anomaly days, daily orders, |z| > 3 | found {an['found']}/{an['planted']}, "
            f"{len(an['false'])} false days ({', '.join(an['false']) or 'none'}) | truth.json `anomalies` | "
            f"3 of 3, <= 2 false days | {'yes' if an_ok else 'no'} |"
        )
    return 0 if hw_ok and an_ok else 1


if __name__ == "__main__":
    sys.exit(main())
