"""Sales figures over a period, with optional filters: the copilot's and the sales report's
fixed, parameterised queries (no SQL is ever built from a request's text).

Definitions (the same in every answer, the README and the tests):
- **revenue**: the order lines of *completed* orders, in USD after coupon discounts
  (`order_items.line_total_usd`), excluding tax and shipping; cancelled and returned orders
  bring none.
- **orders**: completed orders; **units**: their quantities; **customers**: distinct customers
  with a completed order; **average order value**: revenue / orders.
- **return rate**: returned orders / all orders placed in the period (any status).
With a category or product filter, the figures are those of the matching lines (an order counts
once if it has any matching line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.warehouse import get_warehouse, limit_clause, placeholders

from retail_copilot.periods import Period

# group name -> (SQL expression, label expression). Expressions are constants of this module.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "category": ("p.category_id", "MAX(p.category)"),
    "region": ("o.region", "MAX(o.region)"),
    "country": ("o.country", "MAX(o.country)"),
    "channel": ("o.channel", "MAX(o.channel)"),
    "product": ("oi.product_id", "MAX(p.name)"),
    "month": ("CAST(date_trunc('month', o.order_date) AS DATE)", "MIN(o.order_date)"),
    "week": ("CAST(date_trunc('week', o.order_date) AS DATE)", "MIN(o.order_date)"),
    "day": ("o.order_date", "MIN(o.order_date)"),
}
TIME_DIMENSIONS = ("month", "week", "day")
METRICS = ("revenue", "orders", "units", "customers", "aov", "return_rate")

_MEASURES = """
    SUM(CASE WHEN o.status = 'completed' THEN oi.line_total_usd ELSE 0 END) AS revenue,
    COUNT(DISTINCT CASE WHEN o.status = 'completed' THEN o.order_id END) AS orders,
    SUM(CASE WHEN o.status = 'completed' THEN oi.quantity ELSE 0 END) AS units,
    COUNT(DISTINCT CASE WHEN o.status = 'completed' THEN o.customer_id END) AS customers,
    COUNT(DISTINCT CASE WHEN o.status = 'returned' THEN o.order_id END) AS returned,
    COUNT(DISTINCT o.order_id) AS placed"""

_FROM = """
FROM orders o
JOIN order_items oi ON oi.order_id = o.order_id AND oi.year = o.year AND oi.month = o.month
JOIN products p ON p.product_id = oi.product_id"""


@dataclass(frozen=True)
class Filters:
    """What a figure is restricted to; every value is bound as a parameter."""

    country: str | None = None
    region: str | None = None
    category: str | None = None  # category id
    channel: str | None = None
    product: str | None = None  # product id
    products: tuple[str, ...] = field(default=())

    def where(self, period: Period) -> tuple[str, list[Any]]:
        clauses = ["o.order_date BETWEEN ? AND ?", "o.year BETWEEN ? AND ?", "oi.year BETWEEN ? AND ?"]
        years = [period.first.year, period.last.year]
        params: list[Any] = [period.first, period.last, *years, *years]
        for column, value in (
            ("o.country", self.country),
            ("o.region", self.region),
            ("p.category_id", self.category),
            ("o.channel", self.channel),
            ("oi.product_id", self.product),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.products:
            clauses.append(f"oi.product_id IN ({placeholders(len(self.products))})")
            params += list(self.products)
        return " AND ".join(clauses), params

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, ())}


def _figures(row: Mapping[str, Any]) -> dict[str, Any]:
    revenue = round(float(row.get("revenue") or 0.0), 2)
    orders = int(row.get("orders") or 0)
    placed = int(row.get("placed") or 0)
    return {
        "revenue": revenue,
        "orders": orders,
        "units": int(row.get("units") or 0),
        "customers": int(row.get("customers") or 0),
        "aov": round(revenue / orders, 2) if orders else 0.0,
        "return_rate": round(int(row.get("returned") or 0) / placed, 4) if placed else 0.0,
    }


def summary(period: Period, filters: Filters = Filters()) -> dict[str, Any]:
    """The period's figures (see the module docstring) as one dict."""
    where, params = filters.where(period)
    row = get_warehouse().query_one(f"SELECT {_MEASURES} {_FROM} WHERE {where}", params)
    return _figures(row or {})


def breakdown(
    dimension: str, period: Period, filters: Filters = Filters(), *, max_rows: int = 1000
) -> list[dict[str, Any]]:
    """The period's figures per `dimension` (a key of DIMENSIONS): by revenue, largest first,
    or in time order for month/week/day."""
    expr, label = DIMENSIONS[dimension]
    order = "group_key" if dimension in TIME_DIMENSIONS else "revenue DESC, group_key"
    where, params = filters.where(period)
    sql = (
        f"SELECT {expr} AS group_key, {label} AS label, {_MEASURES} {_FROM} "
        f"WHERE {where} GROUP BY {expr} ORDER BY {order}"
    )
    rows = get_warehouse().query(sql, params, max_rows=max_rows)
    return [{"key": _key(r["group_key"]), "label": _key(r["label"]), **_figures(r)} for r in rows]


def breakdowns(period: Period, dimensions: Sequence[str], filters: Filters = Filters()) -> dict[str, list]:
    """Several one-dimension breakdowns and the total in one query (GROUPING SETS)."""
    exprs = [DIMENSIONS[d][0] for d in dimensions]
    sets = ", ".join(f"({e})" for e in exprs) + ", ()"
    columns = ", ".join(f"{e} AS g{i}" for i, e in enumerate(exprs))
    where, params = filters.where(period)
    sql = (
        f"SELECT {columns}, MAX(p.category) AS category_name, {_MEASURES} {_FROM} "
        f"WHERE {where} GROUP BY GROUPING SETS ({sets})"
    )
    out: dict[str, list] = {d: [] for d in dimensions}
    out["total"] = [_figures({})]
    for row in get_warehouse().query(sql, params, max_rows=10_000):
        keys = [(d, row[f"g{i}"]) for i, d in enumerate(dimensions) if row[f"g{i}"] is not None]
        if not keys:
            out["total"] = [_figures(row)]
            continue
        dim, key = keys[0]
        label = row["category_name"] if dim == "category" else _key(key)
        out[dim].append({"key": _key(key), "label": label, **_figures(row)})
    for dim in dimensions:
        out[dim].sort(key=lambda r: (-r["revenue"], r["key"]))
    return out


def top_products(
    period: Period,
    filters: Filters = Filters(),
    *,
    n: int = 10,
    by: str = "revenue",
    ascending: bool = False,
) -> list[dict[str, Any]]:
    """Products ranked by revenue or units over the period (ties: product id)."""
    order = {"revenue": "revenue", "units": "units", "orders": "orders"}[by]
    direction = "ASC" if ascending else "DESC"
    where, params = filters.where(period)
    sql = (
        "SELECT oi.product_id, MAX(p.name) AS name, MAX(p.category_id) AS category_id, "
        "MAX(p.category) AS category, SUM(oi.line_total_usd) AS revenue, "
        "SUM(oi.quantity) AS units, COUNT(DISTINCT o.order_id) AS orders "
        f"{_FROM} WHERE {where} AND o.status = 'completed' GROUP BY oi.product_id "
        f"ORDER BY {order} {direction}, oi.product_id {limit_clause(n, 1000)}"
    )
    rows = get_warehouse().query(sql, params)
    return [
        {
            "rank": i + 1,
            "productId": r["product_id"],
            "name": r["name"],
            "categoryId": r["category_id"],
            "category": r["category"],
            "revenue": round(float(r["revenue"] or 0), 2),
            "units": int(r["units"] or 0),
            "orders": int(r["orders"] or 0),
        }
        for i, r in enumerate(rows)
    ]


def _key(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def change(value: float, previous: float) -> dict[str, Any]:
    """The contract's ChangeKpi."""
    out: dict[str, Any] = {"value": value, "previous": previous, "change": round(value - previous, 4)}
    if previous:
        out["changePct"] = round((value - previous) / abs(previous) * 100, 2)
    return out
