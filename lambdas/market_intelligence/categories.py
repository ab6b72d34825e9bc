"""A category's market summary (GET /market-intelligence/categories/{categoryId}/summary).

Revenue, units, cost (hence margin) and market share come from the daily cube
(`series.py`, no query); the price index and the competitors from the current positions
(`pricing.positions()`, an artifact); the top products need one query for the period.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.query import partition_filter
from shared.warehouse import get_warehouse

from market_intelligence import pricing, series, trends
from market_intelligence.forecasting import memoised

TOP = 5

_TOP_PRODUCTS = """
SELECT oi.product_id AS product_id, SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units,
       COUNT(DISTINCT oi.order_id) AS orders
FROM order_items oi
JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
JOIN products p ON p.product_id = oi.product_id
WHERE p.category_id = ? AND o.status <> ? AND oi.order_date >= ? AND oi.order_date <= ? AND {partitions}
GROUP BY oi.product_id
ORDER BY 2 DESC, 1
LIMIT 5
"""


def _sum(cube: series.Cube, metric: str, category: str | None, first: date, last: date) -> float:
    lo, hi = max(first, cube.start), min(last, cube.end)
    if lo > hi:
        return 0.0
    if category is not None and category not in cube.categories:
        return 0.0
    return float(cube.series(metric, category)[cube.index(lo) : cube.index(hi) + 1].sum())


def _kpi(value: float, previous: float) -> dict[str, Any]:
    out = {"value": round(value, 2), "previous": round(previous, 2), "change": round(value - previous, 2)}
    if previous:
        out["changePct"] = round(100.0 * (value - previous) / previous, 2)
    return out


def summary(category_id: str, first: date, last: date) -> dict[str, Any]:
    series.category(category_id)  # 404 when unknown (before the memo: errors are not kept)
    key = {"category": category_id, "from": first, "to": last}
    return memoised("category-summary", key, lambda: _summary(category_id, first, last))


def _summary(category_id: str, first: date, last: date) -> dict[str, Any]:
    info = series.category(category_id)
    cube = series.cube()
    days = (last - first).days + 1
    prev_first, prev_last = first - timedelta(days=days), first - timedelta(days=1)
    revenue = _sum(cube, "revenue", category_id, first, last)
    units = _sum(cube, "units", category_id, first, last)
    cost = _sum(cube, "cost", category_id, first, last)
    total = _sum(cube, "revenue", None, first, last)
    out: dict[str, Any] = {
        "categoryId": category_id,
        "name": info["name"],
        "department": info["parent"],
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "currency": "USD",
        "revenue": _kpi(revenue, _sum(cube, "revenue", category_id, prev_first, prev_last)),
        "units": _kpi(units, _sum(cube, "units", category_id, prev_first, prev_last)),
    }
    if units:
        out["averageSellingPrice"] = round(revenue / units, 2)
    if revenue:
        out["marginPct"] = round(100.0 * (revenue - cost) / revenue, 2)
    if total:
        out["marketSharePct"] = round(100.0 * revenue / total, 3)
    lo, hi = max(first, cube.start), min(last, cube.end)
    if lo <= hi and (hi - lo).days + 1 >= trends.MIN_DAYS and category_id in cube.categories:
        shape = trends.describe(cube.series("revenue", category_id)[cube.index(lo) : cube.index(hi) + 1], lo)
        out["trendStrength"] = shape["trendStrength"]
        out["seasonalStrength"] = shape["seasonalStrength"]
    tracked = [item for item in pricing.positions()["items"] if item["categoryId"] == category_id]
    if tracked:
        out["priceIndex"] = round(sum(i["priceIndex"] for i in tracked) / len(tracked), 2)
    out["topProducts"] = _top_products(category_id, first, last, revenue)
    out["competitors"] = _competitors(tracked)
    return out


def _top_products(category_id: str, first: date, last: date, revenue: float) -> list[dict[str, Any]]:
    where, params = partition_filter(first, last, "oi")
    sql = _TOP_PRODUCTS.format(partitions=where)
    rows = get_warehouse().query(sql, [category_id, series.NOT_SOLD, first, last, *params], max_rows=TOP)
    products = series.catalog()["products"]
    info = series.category(category_id)
    out = []
    for rank, r in enumerate(rows, start=1):
        item = {
            "rank": rank,
            "productId": r["product_id"],
            "name": products.get(r["product_id"], [r["product_id"]])[0],
            "categoryId": category_id,
            "category": info["name"],
            "revenue": round(float(r["revenue"] or 0.0), 2),
            "units": int(r["units"] or 0),
            "orders": int(r["orders"] or 0),
        }
        if revenue > 0:
            item["revenueSharePct"] = round(min(100.0, 100.0 * item["revenue"] / revenue), 3)
        out.append(item)
    return out


def _competitors(tracked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[str, list[float]] = {}
    for item in tracked:
        for c in item["competitors"]:
            if c["price"] > 0:
                by.setdefault(c["competitor"], []).append(100.0 * item["ourPrice"] / c["price"])
    return [
        {
            "competitor": name,
            "productsTracked": len(indices),
            "averagePriceIndex": round(sum(indices) / len(indices), 2),
        }
        for name, indices in sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
