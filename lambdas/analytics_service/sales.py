"""Sales figures of a period: KPIs, the time series, top products, category performance.

Each function runs ONE statement on the warehouse (Athena in AWS, DuckDB locally) that reads
only the year/month partitions of the period, and returns the contract's document.

What counts (the same everywhere, so the figures add up across operations):
- completed orders only (`orders.status = 'completed'`);
- revenue without a category filter is the orders' `total_usd` (goods, shipping and tax, USD);
  with a category filter, or per product/category, it is the lines' `line_total_usd` (goods
  after coupon discounts) of that category: shipping and tax belong to no category;
- units are `order_items.quantity`; gross margin is line revenue - `products.unit_cost` x units.
"""

# ruff: noqa: S608 - the SQL is fixed text and allow-list names; every value is a `?` parameter
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from shared.warehouse import Warehouse, limit_clause

from analytics_service.periods import Period, months_between

CURRENCY = "USD"
# Dashboard reads may be up to this stale in AWS (Athena result reuse): the lake changes daily.
REUSE_MINUTES = 60


def cents(x: Any) -> float:
    return round(float(x or 0.0), 2)


def pct_change(value: float, previous: float) -> float | None:
    return round((value - previous) / previous * 100.0, 2) if previous else None


class Where:
    """WHERE conditions and their `?` parameters, in the order they appear in the SQL."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, sql: str, *params: Any) -> Where:
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def extend(self, pair: tuple[str, Sequence[Any]]) -> Where:
        return self.add(pair[0], *pair[1])

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "TRUE"


def _orders_where(period: Period, region: str | None, alias: str = "o") -> Where:
    w = Where().add(f"{alias}.status = 'completed'")
    w.add(f"{alias}.order_date >= ? AND {alias}.order_date <= ?", period.first, period.last)
    w.extend(period.partitions(alias))
    if region:
        w.add(f"{alias}.region = ?", region)
    return w


def _lines_where(period: Period, region: str | None, category: str | None) -> Where:
    """Completed lines of the period: order_items oi JOIN orders o JOIN products p."""
    w = _orders_where(period, region, "o")
    w.add("oi.order_date >= ? AND oi.order_date <= ?", period.first, period.last)
    w.extend(period.partitions("oi"))
    if category:
        w.add("p.category_id = ?", category)
    return w


_LINES = (
    "order_items oi JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month "
    "JOIN products p ON p.product_id = oi.product_id"
)


# ---- KPIs -----------------------------------------------------------------------------------
def kpis(wh: Warehouse, period: Period, *, region: str | None = None, category: str | None = None) -> dict:
    previous = period.previous()
    selects, params = [], []
    for label, p in (("current", period), ("previous", previous)):
        if category:
            w = _lines_where(p, region, category)
            selects.append(
                f"SELECT '{label}' AS period, SUM(oi.line_total_usd) AS revenue, "
                "COUNT(DISTINCT o.order_id) AS orders, COUNT(DISTINCT o.customer_id) AS customers "
                f"FROM {_LINES} WHERE {w.sql}"
            )
        else:
            w = _orders_where(p, region)
            selects.append(
                f"SELECT '{label}' AS period, SUM(o.total_usd) AS revenue, COUNT(*) AS orders, "
                f"COUNT(DISTINCT o.customer_id) AS customers FROM orders o WHERE {w.sql}"
            )
        params += w.params
    rows = {
        r["period"]: r for r in wh.query(" UNION ALL ".join(selects), params, reuse_minutes=REUSE_MINUTES)
    }
    cur, prev = rows.get("current", {}), rows.get("previous", {})

    def figures(r: dict) -> tuple[float, int, float, int]:
        revenue, orders = cents(r.get("revenue")), int(r.get("orders") or 0)
        return revenue, orders, (cents(revenue / orders) if orders else 0.0), int(r.get("customers") or 0)

    now, before = figures(cur), figures(prev)
    names = ("revenue", "orders", "averageOrderValue", "activeCustomers")
    doc: dict[str, Any] = {
        "period": period.to_dict(),
        "previousPeriod": previous.to_dict(),
        "currency": CURRENCY,
    }
    for name, value, old in zip(names, now, before, strict=True):
        change = value - old
        kpi = {
            "value": value,
            "previous": old,
            "change": cents(change) if isinstance(change, float) else change,
        }
        if (pct := pct_change(value, old)) is not None:
            kpi["changePct"] = pct
        doc[name] = kpi
    return doc


# ---- the time series ------------------------------------------------------------------------
def bucket_of(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def buckets(period: Period, granularity: str) -> list[date]:
    """First day of every bucket that meets the period, in order."""
    if granularity == "month":
        return months_between(period.first, period.last)
    step = 7 if granularity == "week" else 1
    out, day = [], bucket_of(period.first, granularity)
    while day <= period.last:
        out.append(day)
        day += timedelta(days=step)
    return out


def daily_cube(wh: Warehouse) -> dict[str, Any]:
    """This service's view of the shared daily sales cube (`shared.cube`), completed orders
    only: `orders` [day, region, channel, (total, orders, units)], `lines` [day, region,
    category, (revenue, orders, units, cost)], `payments` [day, region, method, (amount,
    payments)]. Built once per data version, by one query for every service that reads it."""
    from shared import cube

    def build(c: cube.SalesCube) -> dict[str, Any]:
        done = cube.COMPLETED
        return {
            "orders": c.dense("orders", ("region", "channel"), cube.columns("orders", done)),
            "lines": c.dense("lines", ("region", "category"), cube.columns("lines", done)),
            "payments": c.dense("payments", ("region", "method"), cube.columns("payments", done)),
            "names": c.category_names,
        }

    return cube.load(wh).view("analytics-service", build)


def daily_sales(
    wh: Warehouse, first: date, last: date, *, region: str | None = None, category: str | None = None
) -> Any:
    """[day, (revenue, orders, units)] over [first, last]: order totals, or with a category
    that category's lines."""
    c = daily_cube(wh)
    if category is None:
        return c["orders"].total(first, last, region=region)
    return c["lines"].total(first, last, region=region, category=category)[:, :3]


def timeseries(
    wh: Warehouse,
    period: Period,
    granularity: str = "day",
    *,
    region: str | None = None,
    category: str | None = None,
) -> dict:
    """From the daily cube (`daily_cube`): no table is read once the cube exists."""
    daily = daily_sales(wh, period.first, period.last, region=region, category=category)
    totals = {b: [0.0, 0, 0] for b in buckets(period, granularity)}
    for i, (revenue, orders, units) in enumerate(daily):
        acc = totals[bucket_of(period.first + timedelta(days=i), granularity)]
        acc[0] += float(revenue)
        acc[1] += round(orders)
        acc[2] += round(units)
    points = [
        {
            "date": b.isoformat(),
            "revenue": cents(revenue),
            "orders": orders,
            "units": units,
            "averageOrderValue": cents(revenue / orders) if orders else 0.0,
        }
        for b, (revenue, orders, units) in totals.items()
    ]
    return {"period": period.to_dict(), "granularity": granularity, "currency": CURRENCY, "points": points}


# ---- top products ---------------------------------------------------------------------------
MAX_OFFSET = 10_000


def top_products(
    wh: Warehouse,
    period: Period,
    *,
    by: str = "revenue",
    limit: int = 20,
    offset: int = 0,
    region: str | None = None,
    category: str | None = None,
) -> tuple[list[dict], bool]:
    """(a page of ranked products, whether more follow).

    The completed orders of the period are a semi-join, the products' names are joined to the
    aggregate only; a product has at most one line per order (a convention of the dataset,
    `datagen`), so its lines count its orders."""
    done = _orders_where(period, region)
    lines = Where().add("oi.order_date >= ? AND oi.order_date <= ?", period.first, period.last)
    lines.extend(period.partitions("oi"))
    if category:
        lines.add("oi.product_id IN (SELECT product_id FROM products WHERE category_id = ?)", category)
    measure = 5 if by == "revenue" else 6  # ordinal of the ranking measure in the SELECT
    sql = (
        f"WITH done AS (SELECT o.order_id FROM orders o WHERE {done.sql}), "
        "ranked AS (SELECT oi.product_id AS product_id, SUM(oi.line_total_usd) AS revenue, "
        "SUM(oi.quantity) AS units, COUNT(*) AS orders FROM order_items oi "
        f"WHERE {lines.sql} AND oi.order_id IN (SELECT order_id FROM done) GROUP BY 1) "
        "SELECT r.product_id AS product_id, p.name AS name, p.category_id AS category_id, "
        "p.category AS category, r.revenue AS revenue, r.units AS units, r.orders AS orders, "
        "SUM(r.revenue) OVER () AS total_revenue FROM ranked r JOIN products p ON p.product_id = r.product_id "
        f"ORDER BY {measure} DESC, 1 ASC " + limit_clause(offset + limit + 1, maximum=MAX_OFFSET + 1000)
    )
    rows = wh.query(sql, done.params + lines.params, reuse_minutes=REUSE_MINUTES)
    page = rows[offset : offset + limit]
    items = []
    for rank, r in enumerate(page, start=offset + 1):
        total = float(r["total_revenue"] or 0.0)
        share = float(r["revenue"] or 0.0) / total * 100.0 if total > 0 else 0.0
        items.append(
            {
                "rank": rank,
                "productId": r["product_id"],
                "name": r["name"],
                "categoryId": r["category_id"],
                "category": r["category"],
                "revenue": cents(r["revenue"]),
                "units": int(r["units"] or 0),
                "orders": int(r["orders"] or 0),
                "revenueSharePct": round(min(100.0, max(0.0, share)), 4),
            }
        )
    return items, len(rows) > offset + limit


# ---- categories -----------------------------------------------------------------------------
def category_performance(wh: Warehouse, period: Period, *, region: str | None = None) -> dict:
    """From the daily cube (`daily_cube`): every category with completed sales in the data,
    even one without sales in the period."""
    c = daily_cube(wh)
    lines, previous = c["lines"], period.previous()
    now = lines.total(period.first, period.last, ("category",), region=region).sum(axis=0)
    before = lines.total(previous.first, previous.last, ("category",), region=region).sum(axis=0)
    total = float(now[:, 0].sum()) if len(now) else 0.0  # 0: revenue (see daily_cube)
    out = []
    for k, category_id in enumerate(lines.labels["category"]):
        name = c["names"].get(category_id, category_id)
        revenue, orders, units, cost = (float(x) for x in now[k])
        margin = revenue - cost
        item = {
            "categoryId": category_id,
            "name": name,
            "revenue": cents(revenue),
            "units": round(units),
            "orders": round(orders),
            "grossMargin": cents(margin),
            "marginPct": round(margin / revenue * 100.0, 2) if revenue else 0.0,
            "revenueSharePct": round(min(100.0, revenue / total * 100.0), 4) if total > 0 else 0.0,
        }
        previous_revenue = float(before[k, 0])
        if previous_revenue > 0:
            item["growthPct"] = round((revenue - previous_revenue) / previous_revenue * 100.0, 2)
        out.append(item)
    out.sort(key=lambda item: (-item["revenue"], item["categoryId"]))
    return {"period": period.to_dict(), "currency": CURRENCY, "categories": out}
