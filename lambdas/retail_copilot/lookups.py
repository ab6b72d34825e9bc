"""Operational look-ups: stock levels, order search, customer search. Parameterised queries
with LIMIT/OFFSET paging (the offset travels in an opaque cursor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.warehouse import get_warehouse

from retail_copilot.periods import DATA_END, months_between

COVER_DAYS = 28  # daysOfCover: onHand / average daily units of the last 28 days


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int = 0

    def clause(self) -> str:
        # both are validated ints (the handler's paging); LIMIT cannot take a `?` in Athena
        return f"LIMIT {int(self.limit) + 1} OFFSET {int(self.offset)}"

    def page(self, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int | None]:
        """This page's rows and the next offset (None on the last page): one extra row is
        fetched to know whether there is a next page."""
        more = len(rows) > self.limit
        return rows[: self.limit], (self.offset + self.limit if more else None)


def inventory(
    window: Window,
    *,
    category: str | None = None,
    warehouse: str | None = None,
    low_stock_only: bool = False,
    product_ids: list[str] | None = None,
    today: date = DATA_END,
) -> dict[str, Any]:
    """Stock per product and warehouse from the snapshot, lowest days of cover first.

    A product's recent demand (units of completed and returned orders of the last 28 days) is
    split over its warehouses in proportion to their reorder points (which the planners set
    from each warehouse's demand), so days of cover = on hand / that warehouse's daily units;
    null when the product sold nothing in 28 days."""
    start = today - timedelta(days=COVER_DAYS - 1)
    clauses, params = ["1 = 1"], []
    for column, value in (("i.warehouse", warehouse), ("p.category_id", category)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if low_stock_only:
        clauses.append("i.on_hand <= i.reorder_point")
    if product_ids:
        clauses.append("i.product_id IN (" + ", ".join("?" * len(product_ids)) + ")")
        params += product_ids
    where = " AND ".join(clauses)
    sql = f"""
WITH demand AS (
  SELECT oi.product_id, SUM(oi.quantity) AS units
  FROM order_items oi JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
  WHERE oi.order_date BETWEEN ? AND ? AND oi.year BETWEEN ? AND ? AND o.status <> 'cancelled'
  GROUP BY oi.product_id
), stock AS (
  SELECT i.product_id, i.warehouse, i.on_hand, i.on_order, i.reorder_point, i.snapshot_date,
         p.name, p.category_id,
         CAST(i.reorder_point AS DOUBLE)
           / NULLIF(SUM(i.reorder_point) OVER (PARTITION BY i.product_id), 0) AS share,
         COUNT(*) OVER (PARTITION BY i.product_id) AS warehouses
  FROM inventory i JOIN products p ON p.product_id = i.product_id
  WHERE {where}
), covered AS (
  SELECT s.*, COALESCE(d.units, 0) AS units_28d,
         CASE WHEN COALESCE(d.units, 0) = 0 THEN NULL
              ELSE s.on_hand / (CAST(d.units AS DOUBLE) / {COVER_DAYS}
                                * COALESCE(s.share, 1.0 / s.warehouses)) END AS days_of_cover
  FROM stock s LEFT JOIN demand d ON d.product_id = s.product_id
)
SELECT *, SUM(CASE WHEN on_hand <= reorder_point THEN 1 ELSE 0 END) OVER () AS low_count
FROM covered
ORDER BY days_of_cover ASC NULLS LAST, on_hand ASC, product_id, warehouse
{window.clause()}"""  # noqa: S608 - fixed fragments; every value is a parameter
    rows = get_warehouse().query(sql, [start, today, start.year, today.year, *params])
    low_count = int(rows[0]["low_count"]) if rows else _low_count(where, params) if window.offset else 0
    page, next_offset = window.page(rows)
    items = []
    for r in page:
        item = {
            "productId": r["product_id"],
            "name": r["name"],
            "categoryId": r["category_id"],
            "warehouse": r["warehouse"],
            "onHand": int(r["on_hand"]),
            "onOrder": int(r["on_order"]),
            "reorderPoint": int(r["reorder_point"]),
            "lowStock": int(r["on_hand"]) <= int(r["reorder_point"]),
            "snapshotDate": r["snapshot_date"].isoformat(),
        }
        if r["days_of_cover"] is not None:
            item["daysOfCover"] = round(float(r["days_of_cover"]), 1)
        items.append(item)
    return {"items": items, "nextOffset": next_offset, "lowStockCount": low_count}


def _low_count(where: str, params: list[Any]) -> int:
    row = get_warehouse().query_one(
        "SELECT SUM(CASE WHEN i.on_hand <= i.reorder_point THEN 1 ELSE 0 END) AS n "  # noqa: S608
        f"FROM inventory i JOIN products p ON p.product_id = i.product_id WHERE {where}",
        params,
    )
    return int((row or {}).get("n") or 0)


def orders(
    window: Window,
    *,
    first: date | None = None,
    last: date | None = None,
    customer_id: str | None = None,
    status: str | None = None,
    channel: str | None = None,
    region: str | None = None,
    country: str | None = None,
    min_total: float | None = None,
    max_total: float | None = None,
) -> dict[str, Any]:
    """Orders matching every given criterion, newest first (totals compared in USD)."""
    clauses, params = ["1 = 1"], []
    if first is not None or last is not None:
        first = first or date(1970, 1, 1)
        last = last or DATA_END
        clauses += ["o.order_date BETWEEN ? AND ?", "o.year BETWEEN ? AND ?"]
        params += [first, last, first.year, last.year]
        if len(months_between(first, last)) == 1:  # one month: read one partition
            clauses.append("o.month = ?")
            params.append(first.month)
    for column, value in (
        ("o.customer_id", customer_id),
        ("o.status", status),
        ("o.channel", channel),
        ("o.region", region),
        ("o.country", country),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if min_total is not None:
        clauses.append("o.total_usd >= ?")
        params.append(float(min_total))
    if max_total is not None:
        clauses.append("o.total_usd <= ?")
        params.append(float(max_total))
    sql = (
        "SELECT o.order_id, o.customer_id, o.order_date, o.order_ts, o.status, o.channel, o.region, "  # noqa: S608
        "o.country, o.currency, o.item_count, o.total, o.total_usd "
        f"FROM orders o WHERE {' AND '.join(clauses)} "
        f"ORDER BY o.order_ts DESC, o.order_id DESC {window.clause()}"
    )
    rows = get_warehouse().query(sql, params)
    page, next_offset = window.page(rows)
    items = [
        {
            "orderId": r["order_id"],
            "customerId": r["customer_id"],
            "orderDate": r["order_date"].isoformat(),
            "status": r["status"],
            "channel": r["channel"],
            "region": r["region"],
            "country": r["country"],
            "currency": r["currency"],
            "itemCount": int(r["item_count"]),
            "total": round(float(r["total"]), 2),
            "totalUsd": round(float(r["total_usd"]), 2),
        }
        for r in page
    ]
    return {"items": items, "nextOffset": next_offset}


def customers(
    window: Window,
    *,
    q: str | None = None,
    region: str | None = None,
    country: str | None = None,
) -> dict[str, Any]:
    """Customers whose name, email or id contains `q` (case-insensitive), with their completed
    orders and lifetime spend; best match first (the exact id, then a name or email that
    starts with `q`, then the rest), then the biggest spenders."""
    base, params = ["1 = 1"], []
    for column, value in (("c.region", region), ("c.country", country)):
        if value is not None:
            base.append(f"{column} = ?")
            params.append(value)
    columns = "c.customer_id, c.name, c.email, c.country, c.region, c.city, c.signup_date"
    if q:
        # `?` only in WHERE clauses (Athena), so each match rank is its own branch; strpos, not
        # LIKE: `%` and `_` in the text are plain characters, not wildcards
        needle = q.strip().lower()
        exact = "lower(c.customer_id) = ?"
        prefix = "(starts_with(lower(c.name), ?) OR starts_with(lower(c.email), ?))"
        contains = (
            "(strpos(lower(c.name), ?) > 0 OR strpos(lower(c.email), ?) > 0 "
            "OR strpos(lower(c.customer_id), ?) > 0)"
        )
        where = " AND ".join(base)
        matched = (
            f"SELECT {columns}, 0 AS match_rank FROM customers c WHERE {where} AND {exact} "  # noqa: S608
            f"UNION ALL SELECT {columns}, 1 AS match_rank FROM customers c "
            f"WHERE {where} AND {prefix} AND NOT {exact} "
            f"UNION ALL SELECT {columns}, 2 AS match_rank FROM customers c "
            f"WHERE {where} AND {contains} AND NOT {prefix} AND NOT {exact}"
        )
        all_params = (
            [*params, needle]
            + [*params, needle, needle, needle]
            + [*params, needle, needle, needle, needle, needle, needle]
        )
    else:
        matched = f"SELECT {columns}, 2 AS match_rank FROM customers c WHERE {' AND '.join(base)}"  # noqa: S608
        all_params = params
    sql = f"""
WITH matched AS ({matched}),
spend AS (
  SELECT o.customer_id, COUNT(*) AS orders, SUM(o.total_usd) AS spend, MAX(o.order_date) AS last_order
  FROM orders o WHERE o.status = 'completed' AND o.customer_id IN (SELECT customer_id FROM matched)
  GROUP BY o.customer_id
)
SELECT m.*, COALESCE(s.orders, 0) AS orders, COALESCE(s.spend, 0) AS spend, s.last_order
FROM matched m LEFT JOIN spend s ON s.customer_id = m.customer_id
ORDER BY m.match_rank, spend DESC, m.customer_id
{window.clause()}"""  # noqa: S608 - fixed fragments; every value is a parameter
    rows = get_warehouse().query(sql, all_params)
    page, next_offset = window.page(rows)
    items = []
    for r in page:
        item = {
            "customerId": r["customer_id"],
            "name": r["name"],
            "email": r["email"],
            "country": r["country"],
            "region": r["region"],
            "city": r["city"],
            "signupDate": r["signup_date"].isoformat(),
            "orders": int(r["orders"]),
            "totalSpendUsd": round(float(r["spend"]), 2),
        }
        if r["last_order"] is not None:
            item["lastOrderDate"] = r["last_order"].isoformat()
        items.append(item)
    return {"items": items, "nextOffset": next_offset}
