"""Sales by region and category from the daily cube: trends, market share, growth rates.

Pure functions: a `Cube` (and its `Reference`) and the request's parameters in, the contract's
document out. Amounts are converted from USD to the answer's currency at each day's rate.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from shared.errors import ApiError

from global_market_pulse.cube import Cube
from global_market_pulse.periods import (
    add_months,
    buckets,
    clamped_days,
    days_between,
    window_values,
)


class Unprocessable(ApiError):  # noqa: N818 - HTTP names
    status, code, default_message = 422, "UNPROCESSABLE", "The data cannot support this computation"


def money(value: float, decimals: int = 2) -> float:
    return round(float(value), decimals)


def pct(new: float, old: float) -> float | None:
    """(new - old) / old in percent, or None when old is not positive."""
    return round((new - old) / old * 100.0, 2) if old > 0 else None


def _daily(cube: Cube, first: date, last: date, currency: str) -> dict[str, Any]:
    """Per day of [first, last]: revenue (converted, day x region x category), units, cost (USD),
    category orders and region orders."""
    ref = cube.ref
    rate = ref.usd_per(currency)[clamped_days(ref, first, last)]
    revenue_usd = window_values(cube.revenue, ref.first, first, last)
    return {
        "revenue": revenue_usd / rate[:, None, None],
        "revenue_usd": revenue_usd,
        "units": window_values(cube.units, ref.first, first, last),
        "cost": window_values(cube.cost, ref.first, first, last),
        "orders": window_values(cube.orders, ref.first, first, last),
        "region_orders": window_values(cube.region_orders, ref.first, first, last),
    }


def previous_period(cube: Cube, first: date, last: date) -> tuple[date, date] | None:
    """The period of the same length just before [first, last], if the data covers all of it."""
    n = days_between(first, last)
    prev_first, prev_last = first - timedelta(days=n), first - timedelta(days=1)
    return (prev_first, prev_last) if prev_first >= cube.ref.first and prev_last <= cube.ref.last else None


def _slope_pct_per_month(daily: Any) -> float | None:
    """OLS slope of the daily series, as percent of its mean per 30 days."""
    import numpy as np

    if len(daily) < 3 or daily.mean() <= 0:
        return None
    t = np.arange(len(daily), dtype=np.float64)
    t -= t.mean()
    slope = float(np.dot(t, daily - daily.mean()) / np.dot(t, t))
    return round(slope * 30.0 / float(daily.mean()) * 100.0, 2)


def trends(
    cube: Cube, first: date, last: date, granularity: str, region: str | None, currency: str
) -> dict[str, Any]:
    import numpy as np

    dec = cube.ref.decimals[currency]
    now = _daily(cube, first, last, currency)
    prev = previous_period(cube, first, last)
    before = _daily(cube, *prev, currency) if prev else None
    starts, index = buckets(first, last, granularity)
    out = []
    for r, name in enumerate(cube.regions):
        if region is not None and name != region:
            continue
        revenue = now["revenue"][:, r, :].sum(axis=1)
        orders = now["region_orders"][:, r]
        units = now["units"][:, r, :].sum(axis=1)
        b_rev = np.bincount(index, revenue, len(starts))
        b_ord = np.bincount(index, orders, len(starts))
        b_units = np.bincount(index, units, len(starts))
        points = [
            {
                "date": s.isoformat(),
                "revenue": money(b_rev[i], dec),
                "orders": round(float(b_ord[i])),
                "units": round(float(b_units[i])),
                "averageOrderValue": money(b_rev[i] / b_ord[i] if b_ord[i] else 0.0),
            }
            for i, s in enumerate(starts)
        ]
        item: dict[str, Any] = {
            "region": name,
            "revenue": money(revenue.sum(), dec),
            "orders": round(float(orders.sum())),
            "points": points,
        }
        if before is not None:
            growth = pct(float(revenue.sum()), float(before["revenue"][:, r, :].sum()))
            if growth is not None:
                item["growthPct"] = growth
        slope = _slope_pct_per_month(revenue)
        if slope is not None:
            item["trendSlopePctPerMonth"] = slope
        out.append(item)
    out.sort(key=lambda x: -x["revenue"])
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "granularity": granularity,
        "currency": currency,
        "regions": out,
    }


def hhi(shares_pct: list[float]) -> float:
    """Herfindahl-Hirschman index of shares in percent (0..10000)."""
    return round(min(sum(s * s for s in shares_pct), 10000.0), 2)


def concentration_level(region_hhi: float) -> str:
    return "unconcentrated" if region_hhi < 1500 else "moderate" if region_hhi < 2500 else "high"


def market_share(
    cube: Cube, first: date, last: date, category: str | None, region: str | None, currency: str
) -> dict[str, Any]:
    dec = cube.ref.decimals[currency]
    names = cube.ref.category_names()
    now = _daily(cube, first, last, currency)
    prev = previous_period(cube, first, last)
    before = _daily(cube, *prev, currency) if prev else None
    r_mask = [region is None or r == region for r in cube.regions]
    c_mask = [category is None or c == category for c in cube.categories]
    rev = now["revenue"].sum(axis=0) * [[m] for m in r_mask] * c_mask  # (region, category)
    cat_orders = now["orders"].sum(axis=0)
    old = before["revenue"].sum(axis=0) * [[m] for m in r_mask] * c_mask if before else None
    total = float(rev.sum())

    def share(x: float) -> float:
        return round(min(max(x / total * 100.0, 0.0), 100.0), 2) if total > 0 else 0.0

    by_region = []
    for r, name in enumerate(cube.regions):
        if not r_mask[r]:
            continue
        value = float(rev[r].sum())
        orders = now["region_orders"][:, r].sum() if category is None else cat_orders[r, c_mask.index(True)]
        item = {"key": name, "label": name, "revenue": money(value, dec), "orders": round(float(orders))}
        item["revenueSharePct"] = share(value)
        if old is not None and (g := pct(value, float(old[r].sum()))) is not None:
            item["growthPct"] = g
        by_region.append(item)
    by_category = []
    for c, cid in enumerate(cube.categories):
        if not c_mask[c]:
            continue
        value = float(rev[:, c].sum())
        orders = float((cat_orders[:, c] * r_mask).sum())
        item = {
            "key": cid,
            "label": names.get(cid, cid),
            "revenue": money(value, dec),
            "orders": round(float(orders)),
        }
        item["revenueSharePct"] = share(value)
        if old is not None and (g := pct(value, float(old[:, c].sum()))) is not None:
            item["growthPct"] = g
        by_category.append(item)
    region_total = now["revenue"].sum(axis=(0, 2))  # every category: the cell's share of its region
    cells = []
    for r, name in enumerate(cube.regions):
        for c, cid in enumerate(cube.categories):
            if r_mask[r] and c_mask[c]:
                denominator = float(region_total[r])
                cells.append(
                    {
                        "region": name,
                        "categoryId": cid,
                        "category": names.get(cid, cid),
                        "revenue": money(rev[r, c], dec),
                        "sharePct": round(min(float(rev[r, c]) / denominator * 100.0, 100.0), 2)
                        if denominator > 0
                        else 0.0,
                    }
                )
    by_region.sort(key=lambda x: -x["revenue"])
    by_category.sort(key=lambda x: -x["revenue"])
    cells.sort(key=lambda x: (x["region"], -x["revenue"]))
    region_hhi = hhi([x["revenueSharePct"] for x in by_region])
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "currency": currency,
        "totalRevenue": money(total, dec),
        "byRegion": by_region,
        "byCategory": by_category,
        "cells": cells,
        "concentration": {
            "regionHhi": region_hhi,
            "categoryHhi": hhi([x["revenueSharePct"] for x in by_category]),
            "level": concentration_level(region_hhi),
        },
    }


INTERVAL_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def intervals(first: date, last: date, interval: str) -> list[tuple[date, date]]:
    """The full intervals of [first, last], anchored at `first` (a year from 2024-07-01 is
    2024-07-01..2025-06-30); a partial interval at the end is left out."""
    months = INTERVAL_MONTHS[interval]
    out = []
    k = 0
    while True:
        start, nxt = add_months(first, k * months), add_months(first, (k + 1) * months)
        end = nxt - timedelta(days=1)
        if end > last:
            return out
        out.append((start, end))
        k += 1


def growth_rates(
    cube: Cube, first: date, last: date, interval: str, currency: str, metric: str
) -> dict[str, Any]:
    ref = cube.ref
    first, last = max(first, ref.first), min(last, ref.last)  # growth of the data, not of empty days
    spans = intervals(first, last, interval) if first <= last else []
    if len(spans) < 2:
        raise Unprocessable(
            f"the period {first}..{last} holds fewer than two full {interval}s of data",
            details={"interval": interval, "dataFrom": ref.first.isoformat(), "dataTo": ref.last.isoformat()},
        )
    now = _daily(cube, first, last, currency)
    dec = ref.decimals[currency] if metric == "revenue" else 0
    out = []
    for r, name in enumerate(cube.regions):
        daily = now["revenue"][:, r, :].sum(axis=1) if metric == "revenue" else now["region_orders"][:, r]
        values = [float(daily[(a - first).days : (b - first).days + 1].sum()) for a, b in spans]
        points = []
        for i, ((a, _), v) in enumerate(zip(spans, values, strict=True)):
            point: dict[str, Any] = {"date": a.isoformat(), "revenue": money(v, dec)}
            if i and (g := pct(v, values[i - 1])) is not None:
                point["growthPct"] = g
            points.append(point)
        start, end = values[0], values[-1]
        years = (spans[-1][0] - spans[0][0]).days / 365.25
        if start <= 0 or end < 0:
            continue  # no growth rate from nothing
        # per day of each interval: a 92-day quarter is not 1 % more business than a 91-day one
        ratio = (end / days_between(*spans[-1])) / (start / days_between(*spans[0]))
        item: dict[str, Any] = {
            "region": name,
            "startRevenue": money(start, dec),
            "endRevenue": money(end, dec),
            "cagrPct": round((ratio ** (1.0 / years) - 1.0) * 100.0, 2) if end > 0 else -100.0,
            "points": points,
        }
        if (g := pct(values[-1], values[-2])) is not None:
            item["periodOverPeriodPct"] = g
        if not math.isfinite(item["cagrPct"]):
            continue
        out.append(item)
    out.sort(key=lambda x: -x["cagrPct"])
    return {
        "period": {"from": spans[0][0].isoformat(), "to": spans[-1][1].isoformat()},
        "interval": interval,
        "metric": metric,
        "currency": currency,
        "regions": out,
    }
