"""Notable changes in a period, found automatically, each with the numbers behind it.

The daily completed sales by total, category, region and channel come from the daily cube
(`sales.daily_cube`, the shared cube: one statement once per data version): a request reads no
table, it slices the cube (its period, two weeks either side, the previous period). Then:

- **spike / drop** (total orders): days that break their weekday's pattern
  (`detect.same_weekday_baseline`, |z| >= 4); critical from |z| >= 6 or a change of 50 %.
- **top_mover** (category, region, channel, payment method): the groups whose share moved most
  against the previous period (at most three per dimension, those that moved at least 1
  point): share of revenue, and for payment methods share of orders (a payment-method shift).
- **margin_shift** (category): gross margin percent moved at least 2 points.
- **new_high** (total revenue): the period's best day beat every earlier day of the data.

Every insight carries `value`, `expected` and `changePct`, and `link`: the operation (with its
period) that shows the series behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from shared.warehouse import Warehouse

from analytics_service.detect import same_weekday_baseline
from analytics_service.periods import DATA_END, DATA_START, Period
from analytics_service.sales import cents, daily_cube

DEFAULT_DAYS = 90
SEVERITIES = ("info", "warning", "critical")
Z_THRESHOLD = 4.0
Z_WARNING = 4.5
Z_CRITICAL = 6.0
CONTEXT_DAYS = 14  # the weekday baseline looks two weeks either side
MOVER_MIN_POINTS = 1.0
MARGIN_MIN_POINTS = 2.0


@dataclass
class Inputs:
    """What the detectors read, sliced from the daily cube (`sales.daily_cube`): no table is read."""

    days: list[date]  # every day of the window read
    orders: np.ndarray  # completed orders per day
    revenue: np.ndarray  # order totals per day, USD
    # (dimension, member, "now" | "before") -> [revenue, cost, orders] over the period / the one before
    sums: dict[tuple[str, str, str], list[float]]
    labels: dict[tuple[str, str], str]


# the movers' dimensions: (name, the daily cube's array, its dimension)
_DIMENSIONS = (
    ("region", "orders", "region"),
    ("channel", "orders", "channel"),
    ("category", "lines", "category"),
    ("paymentMethod", "payments", "method"),
)


def _inputs(wh: Warehouse, period: Period, first: date, last: date) -> Inputs:
    c = daily_cube(wh)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    totals = c["orders"].total(first, last)
    previous = period.previous()
    windows = {}
    for which, p in (("now", period), ("before", previous)):
        lo, hi = max(0, (p.first - first).days), min(len(days), (p.last - first).days + 1)
        if lo < hi:
            windows[which] = slice(lo, hi)
    names = c["names"]
    sums: dict[tuple[str, str, str], list[float]] = {}
    labels: dict[tuple[str, str], str] = {}
    for dim, level, key in _DIMENSIONS:
        members, values = c[level].labels[key], c[level].total(first, last, (key,))
        # measures: orders (revenue, orders, units); lines (revenue, orders, units, cost);
        # payments (amount, orders)
        orders_at = 1
        for which, window in windows.items():
            total = values[window].sum(axis=0)
            for j, member in enumerate(members):
                cost = float(total[j, 3]) if dim == "category" else 0.0  # 3: the lines' cost
                sums[(dim, member, which)] = [float(total[j, 0]), cost, float(total[j, orders_at])]
        for member in members:
            labels[(dim, member)] = names.get(member, member) if dim == "category" else member
    return Inputs(days, totals[:, 1], totals[:, 0], sums, labels)


def insights(wh: Warehouse, period: Period, *, min_severity: str = "info") -> list[dict[str, Any]]:
    if period.last < DATA_START or period.first > DATA_END:
        return []
    first = max(DATA_START, min(period.previous().first, period.first - timedelta(days=CONTEXT_DAYS)))
    last = min(DATA_END, period.last + timedelta(days=CONTEXT_DAYS))
    data = _inputs(wh, period, first, last)
    found = day_outliers(data, period)
    found += movers(data, period)
    found += new_high(data, period)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    found = [f for f in found if rank[f["severity"]] >= rank[min_severity]]
    found.sort(
        key=lambda f: (-rank[f["severity"]], -abs(f.get("changePct") or 0.0), f["date"], f["insightId"])
    )
    return found


def _link(path: str, period: Period, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"from": period.first, "to": period.last, **extra}.items())
    return f"{path}?{query}"


def _pct(value: float, expected: float) -> float | None:
    return round((value - expected) / expected * 100.0, 1) if expected else None


def day_outliers(data: Inputs, period: Period) -> list[dict[str, Any]]:
    days, orders = data.days, data.orders
    out = []
    # Orders only: a count, whose noise the baseline's Poisson floor knows; a day's revenue
    # swings with a few large baskets and would be flagged for that alone.
    for metric, y in (("orders", orders),):
        base = same_weekday_baseline(y)
        for i, day in enumerate(days):
            z = base.z[i]
            if not (period.first <= day <= period.last) or not np.isfinite(z) or abs(z) < Z_THRESHOLD:
                continue
            value, expected = float(y[i]), float(base.expected[i])
            change = _pct(value, expected)
            kind = "spike" if z > 0 else "drop"
            big = abs(z) >= Z_CRITICAL or (change is not None and abs(change) >= 50.0)
            severity = "critical" if big else "warning" if abs(z) >= Z_WARNING else "info"
            shown = round(value) if metric == "orders" else cents(value)
            label = "orders" if metric == "orders" else "revenue (USD)"
            out.append(
                {
                    "insightId": f"{kind}-total-{metric}-{day.isoformat()}",
                    "type": kind,
                    "severity": severity,
                    "title": f"{'Spike' if z > 0 else 'Drop'} in {metric} on {day:%a %d %b %Y}",
                    "description": (
                        f"{shown:,} {label} against {expected:,.0f} expected from the same weekday "
                        f"two weeks either side ({change:+.1f} %, z = {z:.1f})."
                        if change is not None
                        else f"{shown:,} {label} where the same weekday usually has none."
                    ),
                    "metric": metric,
                    "dimension": "total",
                    "date": day.isoformat(),
                    "value": shown,
                    "expected": round(expected, 2),
                    **({"changePct": change} if change is not None else {}),
                    "link": _link(
                        "/analytics/sales-timeseries",
                        Period(day - timedelta(days=28), day + timedelta(days=28)),
                        granularity="day",
                    ),
                }
            )
    return out


def movers(data: Inputs, period: Period) -> list[dict[str, Any]]:
    if period.previous().last < DATA_START:
        return []
    sums, labels = data.sums, data.labels
    out = []
    links = {
        "category": "/analytics/category-performance",
        "region": "/analytics/kpis",
        "channel": "/analytics/sales-timeseries",
        "paymentMethod": "/analytics/query",  # POST: payments by method
    }
    zero = [0.0, 0.0, 0.0]
    for dim in ("category", "region", "channel", "paymentMethod"):
        at = 2 if dim == "paymentMethod" else 0  # payment methods: share of orders; else of revenue
        values = sorted({v for d, v, _ in sums if d == dim})
        total_now = sum(sums.get((dim, v, "now"), zero)[at] for v in values)
        total_before = sum(sums.get((dim, v, "before"), zero)[at] for v in values)
        if total_now <= 0 or total_before <= 0:
            continue
        shifts = []
        for v in values:
            now_all, before_all = sums.get((dim, v, "now"), zero), sums.get((dim, v, "before"), zero)
            now, cost_now, before, cost_before = now_all[at], now_all[1], before_all[at], before_all[1]
            shift = (now / total_now - before / total_before) * 100.0
            shifts.append((abs(shift), shift, v, now, before))
            if dim == "category" and now > 0 and before > 0:
                m_now, m_before = (now - cost_now) / now * 100.0, (before - cost_before) / before * 100.0
                if abs(m_now - m_before) >= MARGIN_MIN_POINTS:
                    out.append(
                        {
                            "insightId": f"margin_shift-category-{v}-{period.first}",
                            "type": "margin_shift",
                            "severity": "warning" if abs(m_now - m_before) >= 5.0 else "info",
                            "title": f"Gross margin of {labels.get((dim, v), v)} {'rose' if m_now > m_before else 'fell'} "
                            f"{abs(m_now - m_before):.1f} points",
                            "description": f"{m_now:.1f} % of revenue against {m_before:.1f} % in the previous period.",
                            "metric": "margin",
                            "dimension": "category",
                            "dimensionValue": v,
                            "date": period.first.isoformat(),
                            "value": round(m_now, 2),
                            "expected": round(m_before, 2),
                            "changePct": round((m_now - m_before) / abs(m_before) * 100.0, 1)
                            if m_before
                            else 0.0,
                            "link": _link(links["category"], period),
                        }
                    )
        shifts.sort(key=lambda s: (-s[0], s[2]))
        for size, shift, v, now, before in shifts[:3]:
            if size < MOVER_MIN_POINTS:
                continue
            growth = _pct(now, before)
            extra = {"region": v} if dim == "region" else {}
            what = "order" if dim == "paymentMethod" else "revenue"
            amounts = (
                f"{now:,.0f} orders paid by {v} against {before:,.0f} in the previous period"
                if dim == "paymentMethod"
                else f"Revenue {cents(now):,.2f} USD against {cents(before):,.2f} USD in the previous period"
            )
            out.append(
                {
                    "insightId": f"top_mover-{dim}-{v}-{period.first}",
                    "type": "top_mover",
                    "severity": "warning" if size >= 5.0 else "info",
                    "title": f"{labels.get((dim, v), v)} {'gained' if shift > 0 else 'lost'} {size:.1f} points of {what} share",
                    "description": (
                        f"{amounts} "
                        f"({'+' if (growth or 0) >= 0 else ''}{growth if growth is not None else 0:.1f} %); share "
                        f"{now / total_now * 100:.1f} % against {before / total_before * 100:.1f} %."
                    ),
                    "metric": "orders" if dim == "paymentMethod" else "revenue",
                    "dimension": dim,
                    "dimensionValue": v,
                    "date": period.first.isoformat(),
                    "value": round(now) if dim == "paymentMethod" else cents(now),
                    "expected": round(before) if dim == "paymentMethod" else cents(before),
                    **({"changePct": growth} if growth is not None else {}),
                    "link": _link(links[dim], period, **extra),
                }
            )
    return out


def new_high(data: Inputs, period: Period) -> list[dict[str, Any]]:
    """The period's best revenue day, when it beats every earlier day in the window read."""
    daily = dict(zip(data.days, (float(v) for v in data.revenue), strict=True))
    inside = {d: v for d, v in daily.items() if period.first <= d <= period.last}
    before = [v for d, v in daily.items() if d < period.first]
    if not inside or len(before) < 28:
        return []
    day, value = max(inside.items(), key=lambda kv: (kv[1], kv[0]))
    earlier = max([v for d, v in daily.items() if d < day], default=0.0)
    if value <= earlier:
        return []
    return [
        {
            "insightId": f"new_high-total-revenue-{day.isoformat()}",
            "type": "new_high",
            "severity": "info",
            "title": f"Best revenue day of the window on {day:%a %d %b %Y}",
            "description": f"{cents(value):,.2f} USD, above the previous best of {cents(earlier):,.2f} USD.",
            "metric": "revenue",
            "dimension": "total",
            "date": day.isoformat(),
            "value": cents(value),
            "expected": cents(earlier),
            **({"changePct": c} if (c := _pct(value, earlier)) is not None else {}),
            "link": _link("/analytics/sales-timeseries", period),
        }
    ]
