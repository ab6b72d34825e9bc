"""Change points in a sales series (the platform's, or one given in the request), with
`shared.models.changepoints` (PELT, binary segmentation or CUSUM; mean or linear model)."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.errors import BadRequest

from global_market_pulse.cube import Cube
from global_market_pulse.periods import bucket_end, buckets, window_values
from global_market_pulse.sales import Unprocessable

MAX_VALUE = 1e100  # squares and sums of squares stay finite


def platform_series(
    cube: Cube,
    metric: str,
    region: str | None,
    category: str | None,
    granularity: str,
    first: date,
    last: date,
) -> tuple[list[date], Any]:
    """(bucket start dates, values) of revenue (USD), orders or units over the part of
    [first, last] the data covers; empty buckets are 0. Buckets the period or the data cut
    short (a week or month at either end) are left out: a partial bucket is not a change."""
    import numpy as np

    first, last = max(first, cube.ref.first), min(last, cube.ref.last)
    if first > last:
        raise Unprocessable(
            "the period holds no data",
            details={"dataFrom": cube.ref.first.isoformat(), "dataTo": cube.ref.last.isoformat()},
        )

    r_mask = np.array([region is None or r == region for r in cube.regions], dtype=float)
    c_mask = np.array([category is None or c == category for c in cube.categories], dtype=float)
    if metric == "orders" and category is None:
        daily = window_values(cube.region_orders, cube.ref.first, first, last) @ r_mask
    else:
        source = {"revenue": cube.revenue, "units": cube.units, "orders": cube.orders}[metric]
        daily = np.einsum("drc,r,c->d", window_values(source, cube.ref.first, first, last), r_mask, c_mask)
    starts, index = buckets(first, last, granularity)
    values = np.bincount(index, daily, len(starts))
    keep = [i for i, s in enumerate(starts) if s >= first and bucket_end(s, granularity) <= last]
    return [starts[i] for i in keep], values[keep]


def given_series(points: list[dict[str, Any]]) -> tuple[list[date], Any]:
    import math

    import numpy as np

    pairs = []
    for p in points:
        try:
            value = float(p["value"])
        except OverflowError:  # a JSON integer beyond any float
            value = math.inf
        if not math.isfinite(value) or abs(value) > MAX_VALUE:
            raise BadRequest.fields(
                {"series": f"values must be numbers between -{MAX_VALUE:g} and {MAX_VALUE:g}"}
            )
        pairs.append((date.fromisoformat(p["date"]), value))
    pairs.sort()
    dates = [d for d, _ in pairs]
    if len(set(dates)) != len(dates):
        raise BadRequest.fields({"series": "has two points on the same date"})
    return dates, np.array([v for _, v in pairs])


def detect(
    dates: list[date],
    values: Any,
    *,
    metric: str,
    granularity: str,
    method: str,
    model: str,
    penalty: float | None,
    min_segment: int,
    max_changes: int,
) -> dict[str, Any]:
    from shared.models.changepoints import ChangePoints

    n = len(values)
    if n < 2 * min_segment:
        raise Unprocessable(
            f"{n} points are too few for segments of at least {min_segment} points",
            details={"points": n, "minSegmentLength": min_segment},
        )
    if method == "cusum" and model != "mean":
        raise BadRequest.fields({"model": "the cusum method detects changes in mean only"})
    fit = ChangePoints(
        method=method, model=model, penalty=penalty, min_size=min_segment, max_changes=max_changes
    ).fit(values)
    segments = fit.segments_
    change_points = []
    for i, k in enumerate(fit.breakpoints_):
        before, after = segments[i]["mean"], segments[i + 1]["mean"]
        point: dict[str, Any] = {
            "date": dates[k].isoformat(),
            "index": int(k),
            "before": round(before, 4),
            "after": round(after, 4),
            "direction": "up" if after >= before else "down",
            "confidence": round(min(max(fit.confidence_[i], 0.0), 1.0), 4),
        }
        if before != 0:
            point["changePct"] = round((after - before) / abs(before) * 100.0, 2)
        change_points.append(point)
    return {
        "metric": metric,
        "granularity": granularity,
        "method": method,
        "model": model,
        "penalty": round(fit.penalty_, 6),
        "points": n,
        "changePoints": change_points,
        "segments": [
            {
                "start": dates[s["start"]].isoformat(),
                "end": dates[s["end"] - 1].isoformat(),
                "mean": round(s["mean"], 4),
                "slopePerStep": round(s["slope"], 6),
            }
            for s in segments
        ],
    }
