"""The daily sales cube: revenue, units, cost and orders per day x region x category, and
orders per day x region, over the whole data window. Computed by two warehouse queries once
per data version and kept as a `shared.artifacts` document (locally a file under ARTIFACTS_DIR,
in AWS `_artifacts/global-market/daily-sales/<version>.json` in the curated bucket), so the
trends, market-share, growth-rates, opportunities and trend-changes operations run no query
per request.

Revenue is merchandise revenue: `order_items.line_total_usd` (after coupon discounts, before
tax and shipping) of orders that were not cancelled, in USD at the order day's rate. Cost is
`quantity * products.unit_cost` (USD). "Orders" of a category are the orders with a line in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared import artifacts
from shared.warehouse import get_warehouse

from global_market_pulse.reference import Reference, derived, pack, reference, unpack

ARTIFACT = "global-market/daily-sales"

_LINES = """
WITH lines AS (
  SELECT oi.order_id, oi.order_date, oi.year, oi.month, p.category_id,
         SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units,
         SUM(oi.quantity * p.unit_cost) AS cost
  FROM order_items oi JOIN products p ON p.product_id = oi.product_id
  GROUP BY oi.order_id, oi.order_date, oi.year, oi.month, p.category_id
)
SELECT l.order_date AS day, o.region, l.category_id,
       SUM(l.revenue) AS revenue, SUM(l.units) AS units, SUM(l.cost) AS cost, COUNT(*) AS orders
FROM lines l
JOIN orders o ON o.order_id = l.order_id AND o.year = l.year AND o.month = l.month
WHERE o.status <> ?
GROUP BY l.order_date, o.region, l.category_id
"""

_ORDERS = """
SELECT order_date AS day, region, COUNT(*) AS orders
FROM orders WHERE status <> ?
GROUP BY order_date, region
"""

MEASURES = ("revenue", "units", "cost", "orders")


def _compute() -> dict[str, Any]:
    import numpy as np

    ref = reference()
    regions, categories = ref.regions, [c["category_id"] for c in ref.categories]
    r_index = {r: i for i, r in enumerate(regions)}
    c_index = {c: i for i, c in enumerate(categories)}
    shape = (ref.days, len(regions), len(categories))
    cells = {m: np.zeros(shape) for m in MEASURES}
    wh = get_warehouse()
    columns, rows = wh.query_columns(_LINES, ["cancelled"], max_rows=None)
    col = {name: i for i, name in enumerate(columns)}
    for row in rows:
        d = (row[col["day"]] - ref.first).days
        r, c = r_index.get(row[col["region"]]), c_index.get(row[col["category_id"]])
        if r is None or c is None or not 0 <= d < ref.days:
            continue
        for m in MEASURES:
            cells[m][d, r, c] += row[col[m]] or 0
    region_orders = np.zeros(shape[:2])
    for row in wh.query(_ORDERS, ["cancelled"], max_rows=None):
        d, r = (row["day"] - ref.first).days, r_index.get(row["region"])
        if r is not None and 0 <= d < ref.days:
            region_orders[d, r] += row["orders"]
    return {
        "regions": regions,
        "categories": categories,
        **{m: pack(cells[m]) for m in MEASURES},
        "region_orders": pack(region_orders),
    }


@dataclass
class Cube:
    """Dense arrays over (day, region[, category]) of the reference's window."""

    ref: Reference
    regions: list[str]
    categories: list[str]
    revenue: Any  # USD
    units: Any
    cost: Any  # USD
    orders: Any  # orders with a line in the category
    region_orders: Any  # (day, region): orders

    def day_slice(self, first: Any, last: Any) -> slice:
        """The window's days within [first, last] (possibly empty)."""
        a = max((first - self.ref.first).days, 0)
        b = min((last - self.ref.first).days + 1, self.ref.days)
        return slice(a, max(a, b))


def _build(doc: dict[str, Any]) -> Cube:
    return Cube(
        ref=reference(),
        regions=list(doc["regions"]),
        categories=list(doc["categories"]),
        region_orders=unpack(doc["region_orders"]),
        **{m: unpack(doc[m]) for m in MEASURES},
    )


def cube() -> Cube:
    return derived(ARTIFACT, artifacts.cached(ARTIFACT, _compute), _build)
