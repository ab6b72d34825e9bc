"""This service's view of the shared daily sales cube (`shared/cube.py`, one statement per data
version for every sales service): revenue, units, cost and orders per day x region x category,
and orders per day x region, over the reference's window, so the trends, market-share,
growth-rates, opportunities and trend-changes operations run no query per request.

Sales are the orders that were not cancelled (`shared.cube.market_sales`: completed and
returned). Revenue is merchandise revenue (the lines' `line_total_usd`: after coupon discounts,
before tax and shipping, USD at the order day's rate); cost is quantity x `products.unit_cost`;
"orders" of a category are the orders with a line in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from global_market_pulse.reference import Reference, reference


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


def cube() -> Cube:
    from shared import cube as shared_cube

    ref = reference()

    def build(c: shared_cube.SalesCube) -> Cube:
        regions, categories = ref.regions, [k["category_id"] for k in ref.categories]
        lines, orders = shared_cube.market_sales(
            c, regions=regions, categories=categories, first=ref.first, days=ref.days
        )
        return Cube(
            ref=ref,
            regions=regions,
            categories=categories,
            revenue=lines.measure("revenue"),
            units=lines.measure("units"),
            cost=lines.measure("cost"),
            orders=lines.measure("orders"),
            region_orders=orders.measure("orders"),
        )

    # the view depends on the reference too: both are per data version, keyed by its identity
    return shared_cube.load().view(f"global-market/{id(ref)}", build)
