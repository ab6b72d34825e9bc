"""The daily series the market-intelligence operations model, and the catalogue they name.

Where the data comes from (SERVICES.md rule 2): the shared **daily sales cube**
(`shared/cube.py`: one warehouse statement once per data version, for every sales service,
stored as the artifact `shared/daily-sales`), viewed here as

- per day x category x region: revenue (sum of `order_items.line_total_usd`), units (sum of
  `quantity`), orders containing the category and cost (units x the product's `unit_cost`, for
  margins), each cell rounded to the cent (revenue, cost);
- per day x region: orders (all categories; an order can hold several categories, so the
  category counts do not add up to it).

Sales are the orders that were not cancelled (`shared.cube.market_sales`: completed and
returned orders count, the sale happened). Any series the operations need (all, one category,
one region, both) is a sum over the cube, so forecasts, backtests, trends and anomalies need no
query per request. A product's series is the one exception: one query for that product
(`product_series`).

The catalogue (categories and products with names, list prices and costs) is the artifact
`market-intelligence/catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import NotFound
from shared.lake_schema import DATA_END, DATA_START
from shared.warehouse import get_warehouse

CATALOG = "market-intelligence/catalog"
METRICS = ("revenue", "orders", "units")
NOT_SOLD = "cancelled"

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


def _view(c: Any) -> Cube:
    """The sold cells of the shared cube as [category, region, day] arrays over the data's
    window (at least DATA_START .. DATA_END); categories and regions: those with sales."""
    from shared import cube as shared_cube

    sold = shared_cube.NOT_CANCELLED
    categories = c.members("lines", "category", sold)
    regions = sorted(set(c.members("orders", "region", sold)) | set(c.members("lines", "region", sold)))
    spans = [s for s in (c.span("orders", sold), c.span("lines", sold)) if s]
    start = min([DATA_START, *(s[0] for s in spans)])
    end = max([DATA_END, *(s[1] for s in spans)])
    days = (end - start).days + 1
    lines, orders = shared_cube.market_sales(
        c, regions=regions, categories=categories, first=start, days=days
    )

    def cells(name: str, decimals: int | None = None) -> np.ndarray:
        values = lines.measure(name).transpose(2, 1, 0)  # [day, region, category] -> [category, region, day]
        return np.ascontiguousarray(np.round(values, decimals) if decimals is not None else values)

    return Cube(
        start=start,
        days=days,
        categories=categories,
        regions=regions,
        revenue=cells("revenue", 2),
        units=cells("units"),
        orders=cells("orders"),
        all_orders=np.ascontiguousarray(orders.measure("orders").T),
        cost=cells("cost", 2),
    )


def cube() -> Cube:
    """The daily cube of the current data version (the shared cube, viewed once per version)."""
    from shared import cube as shared_cube

    return shared_cube.load().view("market-intelligence", _view)


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
