"""Trend/seasonality strength per category and anomalous days (GET /market-intelligence/trends,
/market-intelligence/anomalies), over the daily cube (`series.py`).

- Trends: each category's daily series over the period is decomposed (classical additive
  decomposition, weekly season; `shared.models.decompose`) into trend, season and remainder;
  the answer has the strengths F_T and F_S of Wang, Smith & Hyndman (2006), the trend's slope
  as a percentage of the mean per 30 days (direction `flat` within +/- FLAT_PCT), and the
  weekday of the seasonal peak.
- Anomalies: the robust weekday x local-level baseline of `shared.models.anomalies` is fitted
  to the whole daily series (so the first days of a period have their context), and the days
  of the period with |z| > threshold are reported, largest |z| first. Black Friday, Cyber
  Monday and Christmas are expected peaks (the retail calendar), never anomalies.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from shared.errors import BadRequest
from shared.models.anomalies import WeekdayBaseline, retail_holidays
from shared.models.decompose import Decomposition
from shared.pagination import encode_cursor

from market_intelligence import series
from market_intelligence.forecasting import memoised

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FLAT_PCT = 0.5  # |slope| below 0.5 % of the mean per 30 days (6 %/year) is flat
MIN_DAYS = 14  # two weekly seasons


def _clip(first: date, last: date, cube: series.Cube) -> tuple[date, date]:
    return max(first, cube.start), min(last, cube.end)


def _unknown_category(category: str | None, cube: series.Cube) -> None:
    if category is not None and category not in series.catalog()["categories"]:
        raise BadRequest.fields(
            {"category": f"is not a known category ({category})"}, code="UNKNOWN_CATEGORY"
        )


def trends(first: date, last: date, metric: str, category: str | None) -> dict[str, Any]:
    key = {"from": first, "to": last, "metric": metric, "category": category}
    return memoised("trends", key, lambda: _trends(first, last, metric, category))


def _trends(first: date, last: date, metric: str, category: str | None) -> dict[str, Any]:
    cube = series.cube()
    _unknown_category(category, cube)
    lo, hi = _clip(first, last, cube)
    days = (hi - lo).days + 1
    if days < MIN_DAYS:
        raise BadRequest.fields(
            {"from": f"the period must cover at least {MIN_DAYS} days of data ({cube.start} .. {cube.end})"},
            code="PERIOD_TOO_SHORT",
        )
    names = series.catalog()["categories"]
    wanted = [category] if category else sorted(names)
    i, j = cube.index(lo), cube.index(hi) + 1
    out = []
    for cid in wanted:
        values = cube.series(metric, cid)[i:j] if cid in cube.categories else np.zeros(days)
        out.append({"categoryId": cid, "name": names[cid]["name"], **describe(values, lo)})
    out.sort(key=lambda c: (-c["trendStrength"], c["categoryId"]))
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "metric": metric,
        "categories": out,
    }


def describe(values: np.ndarray, first: date) -> dict[str, Any]:
    """Trend and seasonal strength, direction, slope and peak weekday of a daily series."""
    d = Decomposition(period=7).fit(values)
    mean = d.trend_mean_
    pct = 100.0 * d.slope_ * 30.0 / mean if mean > 0 else 0.0
    direction = "flat" if abs(pct) < FLAT_PCT else ("up" if pct > 0 else "down")
    peak_pos = int(np.argmax(d.seasonal_profile_))
    out = {
        "trendStrength": round(d.trend_strength_, 4),
        "seasonalStrength": round(d.seasonal_strength_, 4),
        "direction": direction,
        "slopePctPerMonth": round(pct, 3),
    }
    if np.ptp(d.seasonal_profile_) > 0:
        out["peakWeekday"] = WEEKDAYS[(first.weekday() + peak_pos) % 7]
    return out


# ---- anomalies -------------------------------------------------------------------------------
def _baseline(metric: str, category: str | None, region: str | None, threshold: float) -> WeekdayBaseline:
    cube = series.cube()
    values = (
        cube.series(metric, category, region) if category in (None, *cube.categories) else np.zeros(cube.days)
    )
    holidays = retail_holidays(range(cube.start.year, cube.end.year + 1))
    return WeekdayBaseline(threshold=threshold).fit(values, cube.start, holidays=holidays)


def anomalies(
    first: date,
    last: date,
    metric: str,
    category: str | None,
    region: str | None,
    threshold: float,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    cube = series.cube()
    _unknown_category(category, cube)
    if region is not None and region not in cube.regions:
        raise BadRequest.fields({"region": f"is not a known region ({region})"}, code="UNKNOWN_REGION")
    key = {"metric": metric, "category": category, "region": region, "threshold": threshold}
    det = memoised("anomaly-baseline", key, lambda: _baseline(metric, category, region, threshold))
    values = (
        cube.series(metric, category, region) if category in (None, *cube.categories) else np.zeros(cube.days)
    )
    lo, hi = cube.index(first), cube.index(last)
    found = [int(i) for i in det.anomalies_ if lo <= i <= hi]
    page = found[offset : offset + limit]
    items = []
    for i in page:
        expected = float(det.expected_[i])
        item: dict[str, Any] = {
            "date": (cube.start + timedelta(days=i)).isoformat(),
            "metric": metric,
            "actual": round(float(values[i]), 2),
            "expected": round(expected, 2),
            "lower": round(max(0.0, float(det.lower_[i])), 2),
            "upper": round(float(det.upper_[i]), 2),
            "zScore": round(float(det.z_[i]), 3),
            "direction": det.direction(i),
        }
        if expected > 0:
            item["deviationPct"] = round(100.0 * (values[i] - expected) / expected, 2)
        if category:
            item["categoryId"] = category
        if region:
            item["region"] = region
        items.append(item)
    out: dict[str, Any] = {
        "items": items,
        "count": len(items),
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "threshold": threshold,
    }
    if offset + limit < len(found):
        out["nextCursor"] = encode_cursor({"offset": offset + limit})
    return out
