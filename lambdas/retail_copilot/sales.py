"""Sales figures over a period, with optional filters: the copilot's and the sales report's
fixed, parameterised queries (no SQL is ever built from a request's text).

What counts is what the analytics service counts (lambdas/analytics_service/sales.py), so the
copilot's figures match the dashboards:
- completed orders only (`orders.status = 'completed'`);
- **revenue** without a category or product filter is the orders' `total_usd` (goods, shipping
  and tax, USD); per category or product, or with such a filter, it is the lines'
  `line_total_usd` (goods after coupon discounts): shipping and tax belong to no category;
- **orders**: completed orders (with a category/product filter: those with a matching line);
  **units**: `order_items.quantity`; **customers**: distinct customers with a completed order;
  **average order value**: revenue / orders;
- **return rate**: returned orders / all orders placed in the period (any status).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.warehouse import get_warehouse, limit_clause, placeholders

from retail_copilot.periods import Period

# group name -> (SQL expression, label expression, needs the order lines). Constants only.
DIMENSIONS: dict[str, tuple[str, str, bool]] = {
    "category": ("p.category_id", "MAX(p.category)", True),
    "product": ("oi.product_id", "MAX(p.name)", True),
    "region": ("o.region", "MAX(o.region)", False),
    "country": ("o.country", "MAX(o.country)", False),
    "channel": ("o.channel", "MAX(o.channel)", False),
    "month": ("CAST(date_trunc('month', o.order_date) AS DATE)", "MIN(o.order_date)", False),
    "week": ("CAST(date_trunc('week', o.order_date) AS DATE)", "MIN(o.order_date)", False),
    "day": ("o.order_date", "MIN(o.order_date)", False),
}
TIME_DIMENSIONS = ("month", "week", "day")
METRICS = ("revenue", "orders", "units", "customers", "aov", "return_rate")

# Order level: one row per order; units from the period's lines, joined per order.
_ORDER_MEASURES = """
    SUM(CASE WHEN o.status = 'completed' THEN o.total_usd ELSE 0 END) AS revenue,
    SUM(CASE WHEN o.status = 'completed' THEN 1 ELSE 0 END) AS orders,
    SUM(CASE WHEN o.status = 'completed' THEN COALESCE(u.units, 0) ELSE 0 END) AS units,
    COUNT(DISTINCT CASE WHEN o.status = 'completed' THEN o.customer_id END) AS customers,
    SUM(CASE WHEN o.status = 'returned' THEN 1 ELSE 0 END) AS returned,
    COUNT(*) AS placed"""
_ORDER_FROM = """
FROM orders o LEFT JOIN (
  SELECT order_id, SUM(quantity) AS units FROM order_items
  WHERE order_date BETWEEN ? AND ? AND year BETWEEN ? AND ? GROUP BY order_id
) u ON u.order_id = o.order_id"""

# Line level (category and product figures): the lines are first summed per order (and group),
# so only the customers need a DISTINCT count: a third of the time of counting orders DISTINCT.
_ORDER_LINES = "o.order_id, o.status, o.customer_id"
_LINE_SUMS = "SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units"
_PER_ORDER_MEASURES = """
    SUM(CASE WHEN status = 'completed' THEN revenue ELSE 0 END) AS revenue,
    SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS orders,
    SUM(CASE WHEN status = 'completed' THEN units ELSE 0 END) AS units,
    COUNT(DISTINCT CASE WHEN status = 'completed' THEN customer_id END) AS customers,
    SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) AS returned,
    COUNT(*) AS placed"""
LINE_FROM = """
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

    @property
    def needs_lines(self) -> bool:
        return bool(self.category or self.product or self.products)

    def where(self, period: Period, *, lines: bool) -> tuple[str, list[Any]]:
        """The WHERE clause and its parameters; `lines` when order_items oi and products p
        are joined (else the order level, whose units subquery takes the period first)."""
        years = [period.first.year, period.last.year]
        clauses = ["o.order_date BETWEEN ? AND ?", "o.year BETWEEN ? AND ?"]
        params: list[Any] = [period.first, period.last, *years]
        if lines:
            clauses.append("oi.year BETWEEN ? AND ?")
            params += years
        else:
            params = [period.first, period.last, *years, *params]  # the units subquery's
        for column, value in (
            ("o.country", self.country),
            ("o.region", self.region),
            ("o.channel", self.channel),
            ("p.category_id", self.category),
            ("oi.product_id", self.product),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.products:
            clauses.append(f"oi.product_id IN ({placeholders(len(self.products))})")
            params += list(self.products)
        return " AND ".join(clauses), params

    def grouped(
        self, period: Period, expr: str | None, label: str | None, *, lines: bool = False
    ) -> tuple[str, list[Any]]:
        """SELECT [group_key, label,] the measures, at the level the filters and the group need;
        without `expr`, one row for the whole period."""
        lines = lines or self.needs_lines
        where, params = self.where(period, lines=lines)
        head = f"{expr} AS group_key, {label} AS label, " if expr else ""
        if lines:
            group = f"{expr}, {_ORDER_LINES}" if expr else _ORDER_LINES
            outer = "group_key, MAX(label) AS label, " if expr else ""
            sql = (
                f"WITH g AS (SELECT {head}{_ORDER_LINES}, {_LINE_SUMS} {LINE_FROM} "  # noqa: S608
                f"WHERE {where} GROUP BY {group}) SELECT {outer}{_PER_ORDER_MEASURES} FROM g"
                + (" GROUP BY group_key" if expr else "")
            )
        else:
            sql = f"SELECT {head}{_ORDER_MEASURES} {_ORDER_FROM} WHERE {where}" + (
                f" GROUP BY {expr}" if expr else ""
            )
        return sql, params

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
    sql, params = filters.grouped(period, None, None)
    return _figures(get_warehouse().query_one(sql, params) or {})


def breakdown(
    dimension: str, period: Period, filters: Filters = Filters(), *, max_rows: int = 1000
) -> list[dict[str, Any]]:
    """The period's figures per `dimension` (a key of DIMENSIONS): by revenue, largest first,
    or in time order for month/week/day."""
    expr, label, lines = DIMENSIONS[dimension]
    order = "group_key" if dimension in TIME_DIMENSIONS else "revenue DESC, group_key"
    sql, params = filters.grouped(period, expr, label, lines=lines)
    rows = get_warehouse().query(f"{sql} ORDER BY {order}", params, max_rows=max_rows)
    return [{"key": _key(r["group_key"]), "label": _key(r["label"]), **_figures(r)} for r in rows]


def breakdown_from_cube(dimension: str, period: Period, filters: Filters = Filters()) -> list[dict] | None:
    """`breakdown` from the data-versioned daily cube (no query), without distinct customers
    (they do not add up by day: `customers` is None); None when the cube cannot answer (a
    product filter, or channels at the line level)."""
    from retail_copilot.cube import cube, figures
    from retail_copilot.vocabulary import load

    c = cube()
    if dimension not in ("category", "region", "country", "channel", *TIME_DIMENSIONS) or not c.supports(
        dimension, filters
    ):
        return None
    names = dict(load()["categories"]) if dimension == "category" else {}
    rows = [
        {"key": key, "label": names.get(key, key), **figures(values), "customers": None}
        for key, values in c.by(dimension, period, filters).items()
    ]
    if dimension in TIME_DIMENSIONS:
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (-r["revenue"], r["key"]))


def in_parallel(*calls):
    """Run independent queries at the same time (a comparison's two periods): in AWS each is an
    Athena query that mostly waits, so two take the time of one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(fn) for fn in calls]
        return [f.result() for f in futures]


def top_products(
    period: Period,
    filters: Filters = Filters(),
    *,
    n: int = 10,
    by: str = "revenue",
    ascending: bool = False,
) -> list[dict[str, Any]]:
    """Products ranked by line revenue, units or orders over the period (ties: product id)."""
    order = {"revenue": "revenue", "units": "units", "orders": "orders"}[by]
    direction = "ASC" if ascending else "DESC"
    where, params = filters.where(period, lines=True)
    # the product join only filters by category; names come from the vocabulary (in memory)
    source = LINE_FROM if filters.category else LINE_FROM.split("JOIN products")[0]
    sql = (
        "SELECT oi.product_id, SUM(oi.line_total_usd) AS revenue, "
        "SUM(oi.quantity) AS units, COUNT(DISTINCT o.order_id) AS orders "
        f"{source} WHERE {where} AND o.status = 'completed' GROUP BY oi.product_id "
        f"ORDER BY {order} {direction}, oi.product_id {limit_clause(n, 1000)}"
    )
    rows = get_warehouse().query(sql, params)
    from retail_copilot.vocabulary import load

    vocab = load()
    products = {pid: (name, cat) for pid, name, cat in vocab["products"]}
    categories = dict(vocab["categories"])
    out = []
    for i, r in enumerate(rows):
        name, cat = products.get(r["product_id"], (r["product_id"], None))
        out.append(
            {
                "rank": i + 1,
                "productId": r["product_id"],
                "name": name,
                "categoryId": cat,
                "category": categories.get(cat),
                "revenue": round(float(r["revenue"] or 0), 2),
                "units": int(r["units"] or 0),
                "orders": int(r["orders"] or 0),
            }
        )
    return out


def top_customers(period: Period, filters: Filters = Filters(), *, n: int = 10) -> list[dict[str, Any]]:
    """Customers ranked by what they spent over the period (the revenue definition above)."""
    lines = filters.needs_lines
    where, params = filters.where(period, lines=lines)
    spend = "oi.line_total_usd" if lines else "o.total_usd"
    from_ = LINE_FROM if lines else _ORDER_FROM
    count = "COUNT(DISTINCT o.order_id)" if lines else "COUNT(*)"
    sql = (
        f"SELECT o.customer_id, SUM({spend}) AS revenue, {count} AS orders {from_} "
        f"WHERE {where} AND o.status = 'completed' GROUP BY o.customer_id "
        f"ORDER BY revenue DESC, o.customer_id {limit_clause(n, 1000)}"
    )
    rows = get_warehouse().query(sql, params)
    if not rows:
        return []
    ids = [r["customer_id"] for r in rows]
    names = {
        r["customer_id"]: r
        for r in get_warehouse().query(
            "SELECT customer_id, name, country FROM customers "  # noqa: S608
            f"WHERE customer_id IN ({placeholders(len(ids))})",
            ids,
        )
    }
    return [
        {
            "rank": i + 1,
            "customerId": r["customer_id"],
            "name": names.get(r["customer_id"], {}).get("name"),
            "country": names.get(r["customer_id"], {}).get("country"),
            "revenue": round(float(r["revenue"] or 0), 2),
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
