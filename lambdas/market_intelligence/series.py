"""The daily series the market-intelligence operations model, and the catalogue they name.

Where the data comes from (SERVICES.md rule 2): two warehouse queries build a **daily sales
cube** once per data version, stored as the artifact `market-intelligence/daily-cube`
(`shared.artifacts`: `_artifacts/` in the curated bucket in AWS, `ARTIFACTS_DIR` locally):

- per day x category x region: revenue (sum of `order_items.line_total_usd`), units (sum of
  `quantity`), orders containing the category (distinct `order_id`) and cost (units x the
  product's `unit_cost`, for margins);
- per day x region: orders (all categories; an order can hold several categories, so the
  category counts do not add up to it).

Sales are the lines of orders that were not cancelled (completed and returned orders count:
the sale happened). Any series the operations need (all, one category, one region, both) is a
sum over the cube, so forecasts, backtests, trends and anomalies need no query per request.
A product's series is the one exception: one query for that product (`product_series`).

The catalogue (categories and products with names, list prices and costs) is the artifact
`market-intelligence/catalog`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import NotFound
from shared.lake_schema import DATA_END, DATA_START
from shared.warehouse import get_warehouse

CUBE = "market-intelligence/daily-cube"
CATALOG = "market-intelligence/catalog"
METRICS = ("revenue", "orders", "units")
NOT_SOLD = "cancelled"

_CUBE_LINES = """
SELECT oi.order_date AS day, p.category_id AS category_id, o.region AS region,
       SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units,
       COUNT(DISTINCT oi.order_id) AS orders, SUM(oi.quantity * p.unit_cost) AS cost
FROM order_items oi
JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
JOIN products p ON p.product_id = oi.product_id
WHERE o.status <> ?
GROUP BY oi.order_date, p.category_id, o.region
"""
_CUBE_ORDERS = """
SELECT order_date AS day, region, COUNT(*) AS orders
FROM orders
WHERE status <> ?
GROUP BY order_date, region
"""
_CATEGORIES = "SELECT category_id, name, parent, margin_target FROM categories ORDER BY category_id"
_PRODUCTS = "SELECT product_id, name, category_id, list_price, unit_cost FROM products ORDER BY product_id"
_PRODUCT_DAILY = """
SELECT oi.order_date AS day, SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units,
       COUNT(DISTINCT oi.order_id) AS orders
FROM order_items oi
JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
WHERE oi.product_id = ? AND o.status <> ? {region}
GROUP BY oi.order_date
"""


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _compute_cube() -> dict[str, Any]:
    wh = get_warehouse()
    lines = wh.query(_CUBE_LINES, [NOT_SOLD], max_rows=None)
    totals = wh.query(_CUBE_ORDERS, [NOT_SOLD], max_rows=None)
    categories = sorted({r["category_id"] for r in lines})
    regions = sorted({r["region"] for r in totals} | {r["region"] for r in lines})
    days = [_day(r["day"]) for r in totals] + [_day(r["day"]) for r in lines]
    start = min([DATA_START, *days]) if days else DATA_START
    end = max([DATA_END, *days]) if days else DATA_END
    n = (end - start).days + 1
    ci = {c: i for i, c in enumerate(categories)}
    ri = {r: i for i, r in enumerate(regions)}
    shape = (len(categories), len(regions), n)
    revenue, units, orders, cost = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for r in lines:
        k = (ci[r["category_id"]], ri[r["region"]], (_day(r["day"]) - start).days)
        revenue[k] = r["revenue"] or 0.0
        units[k] = r["units"] or 0
        orders[k] = r["orders"] or 0
        cost[k] = r["cost"] or 0.0
    all_orders = np.zeros((len(regions), n))
    for r in totals:
        all_orders[ri[r["region"]], (_day(r["day"]) - start).days] = r["orders"]
    return {
        "start": start.isoformat(),
        "days": n,
        "categories": categories,
        "regions": regions,
        "revenue": np.round(revenue, 2).tolist(),
        "units": units.astype(int).tolist(),
        "orders": orders.astype(int).tolist(),
        "cost": np.round(cost, 2).tolist(),
        "all_orders": all_orders.astype(int).tolist(),
    }


@dataclass
class Cube:
    start: date
    days: int
    categories: list[str]
    regions: list[str]
    revenue: np.ndarray  # [category, region, day]
    units: np.ndarray
    orders: np.ndarray
    all_orders: np.ndarray  # [region, day]
    cost: np.ndarray  # units x the product's unit cost, USD [category, region, day]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def series(self, metric: str, category: str | None = None, region: str | None = None) -> np.ndarray:
        """The daily series of `metric` (all days of the cube), for a category and/or region."""
        rsel = slice(None) if region is None else [self.regions.index(region)]
        if metric == "orders" and category is None:
            return self.all_orders[rsel].sum(axis=0)
        data = {"revenue": self.revenue, "units": self.units, "orders": self.orders, "cost": self.cost}[
            metric
        ]
        csel = slice(None) if category is None else [self.categories.index(category)]
        return data[csel][:, rsel].sum(axis=(0, 1))

    def index(self, day: date) -> int:
        return (day - self.start).days


_lock = threading.Lock()
_built: dict[int, Cube] = {}


def cube() -> Cube:
    """The daily cube of the current data version (computed once, then read from the store)."""
    doc = artifacts.cached(CUBE, _compute_cube)
    key = id(doc)
    found = _built.get(key)
    if found is None:
        with _lock:
            found = Cube(
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
            _built.clear()  # one data version at a time
            _built[key] = found
    return found


# ---- the catalogue ---------------------------------------------------------------------------
def _compute_catalog() -> dict[str, Any]:
    wh = get_warehouse()
    cats = wh.query(_CATEGORIES, max_rows=None)
    prods = wh.query(_PRODUCTS, max_rows=None)
    return {
        "categories": {
            r["category_id"]: {"name": r["name"], "parent": r["parent"], "marginTarget": r["margin_target"]}
            for r in cats
        },
        "products": {
            r["product_id"]: [r["name"], r["category_id"], r["list_price"], r["unit_cost"]] for r in prods
        },
    }


def catalog() -> dict[str, Any]:
    return artifacts.cached(CATALOG, _compute_catalog)


def category(category_id: str) -> dict[str, Any]:
    """The category's catalogue entry, or 404."""
    found = catalog()["categories"].get(category_id)
    if found is None:
        raise NotFound(f"No category {category_id}", code="CATEGORY_NOT_FOUND")
    return found


def product(product_id: str) -> dict[str, Any]:
    """The product's catalogue entry ({name, categoryId, listPrice, unitCost}), or 404."""
    found = catalog()["products"].get(product_id)
    if found is None:
        raise NotFound(f"No product {product_id}", code="PRODUCT_NOT_FOUND")
    name, category_id, list_price, unit_cost = found
    return {"name": name, "categoryId": category_id, "listPrice": list_price, "unitCost": unit_cost}


def product_series(product_id: str, metric: str, region: str | None, start: date, days: int) -> np.ndarray:
    """One product's daily series over the cube's days (one query)."""
    region_sql, params = ("AND o.region = ?", [region]) if region else ("", [])
    sql = _PRODUCT_DAILY.format(region=region_sql)
    rows = get_warehouse().query(sql, [product_id, NOT_SOLD, *params], max_rows=None)
    out = np.zeros(days)
    for r in rows:
        i = (_day(r["day"]) - start).days
        if 0 <= i < days:
            out[i] = r[metric] or 0.0
    return out


# ---- buckets ---------------------------------------------------------------------------------
def bucket_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def buckets(values: np.ndarray, first: date, granularity: str) -> tuple[list[date], np.ndarray]:
    """Daily `values` starting on `first` summed into day/week/month buckets; a bucket that the
    days do not cover completely (at either end) is dropped, so no bucket looks like a dip."""
    if granularity == "day":
        return [first + timedelta(days=i) for i in range(len(values))], np.asarray(values, dtype=float)
    last = first + timedelta(days=len(values) - 1)
    starts: list[date] = []
    sums: list[float] = []
    b = bucket_start(first, granularity)
    csum = np.r_[0.0, np.cumsum(values)]
    while b <= last:
        nxt = _next_bucket(b, granularity)
        if b >= first and nxt - timedelta(days=1) <= last:
            i, j = (b - first).days, (nxt - first).days
            starts.append(b)
            sums.append(float(csum[j] - csum[i]))
        b = nxt
    return starts, np.asarray(sums)


def future_buckets(after: date, granularity: str, h: int) -> list[date]:
    """The first days of the `h` buckets following the bucket that starts on `after`."""
    out = []
    b = after
    for _ in range(h):
        b = _next_bucket(b, granularity)
        out.append(b)
    return out
