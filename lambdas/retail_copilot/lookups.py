"""Operational look-ups: stock levels, order search, customer search. Parameterised queries
with LIMIT/OFFSET paging (the offset travels in an opaque cursor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared import artifacts
from shared.warehouse import get_warehouse

from retail_copilot.periods import DATA_END, months_between

COVER_DAYS = 28  # daysOfCover: onHand / average daily units of the last 28 days


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int = 0

    def clause(self) -> str:
        # both are validated ints (the handler's paging); LIMIT cannot take a `?` in Athena, and
        # Trino wants OFFSET before LIMIT (DuckDB takes either order)
        return f"OFFSET {int(self.offset)} LIMIT {int(self.limit) + 1}"

    def page(self, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int | None]:
        """This page's rows and the next offset (None on the last page): one extra row is
        fetched to know whether there is a next page."""
        more = len(rows) > self.limit
        return rows[: self.limit], (self.offset + self.limit if more else None)


INVENTORY_ARTIFACT = "copilot/inventory-cover"
CUSTOMERS_ARTIFACT = "copilot/customers"

_COVER_SQL = f"""
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
)
SELECT s.product_id, s.warehouse, s.on_hand, s.on_order, s.reorder_point, s.snapshot_date, s.name,
       s.category_id,
       CASE WHEN COALESCE(d.units, 0) = 0 THEN NULL
            ELSE s.on_hand / (CAST(d.units AS DOUBLE) / {COVER_DAYS}
                              * COALESCE(s.share, 1.0 / s.warehouses)) END AS days_of_cover
FROM stock s LEFT JOIN demand d ON d.product_id = s.product_id
ORDER BY days_of_cover ASC NULLS LAST, s.on_hand ASC, s.product_id, s.warehouse"""  # noqa: S608 - constants


def compute_inventory_cover(today: date = DATA_END) -> dict[str, Any]:
    """Every stock row with its days of cover, lowest cover first: the snapshot changes only
    with the data, so it is computed once per data version (one query)."""
    start = today - timedelta(days=COVER_DAYS - 1)
    rows = get_warehouse().query(_COVER_SQL, [start, today, start.year, today.year], max_rows=None)
    return {
        "columns": ["productId", "name", "categoryId", "warehouse", "onHand", "onOrder", "reorderPoint", "daysOfCover", "snapshotDate"],
        "rows": [
            [
                r["product_id"], r["name"], r["category_id"], r["warehouse"], int(r["on_hand"]), int(r["on_order"]),
                int(r["reorder_point"]), None if r["days_of_cover"] is None else round(float(r["days_of_cover"]), 1),
                r["snapshot_date"].isoformat(),
            ]
            for r in rows
        ],
    }  # fmt: skip


def inventory(
    window: Window,
    *,
    category: str | None = None,
    warehouse: str | None = None,
    low_stock_only: bool = False,
    product_ids: list[str] | None = None,
) -> dict[str, Any]:
    """Stock per product and warehouse from the snapshot, lowest days of cover first.

    A product's recent demand (units of completed and returned orders of the last 28 days) is
    split over its warehouses in proportion to their reorder points (which the planners set
    from each warehouse's demand), so days of cover = on hand / that warehouse's daily units;
    absent when the product sold nothing in 28 days. From the data-versioned table above: no
    query per request."""
    doc = artifacts.cached(INVENTORY_ARTIFACT, compute_inventory_cover)
    wanted = set(product_ids or ())
    matches = []
    for row in doc["rows"]:
        pid, name, cat, wh, on_hand, on_order, reorder, cover, snapshot = row
        if (
            (category and cat != category)
            or (warehouse and wh != warehouse)
            or (wanted and pid not in wanted)
        ):
            continue
        low = on_hand <= reorder
        if low_stock_only and not low:
            continue
        item = {
            "productId": pid, "name": name, "categoryId": cat, "warehouse": wh, "onHand": on_hand,
            "onOrder": on_order, "reorderPoint": reorder, "lowStock": low, "snapshotDate": snapshot,
        }  # fmt: skip
        if cover is not None:
            item["daysOfCover"] = cover
        matches.append(item)
    page = matches[window.offset : window.offset + window.limit]
    end = window.offset + len(page)
    return {
        "items": page,
        "nextOffset": end if end < len(matches) else None,
        "lowStockCount": sum(1 for m in matches if m["lowStock"]),
    }


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


def compute_customers() -> dict[str, Any]:
    """Every customer with completed orders, lifetime spend and last order (one query), kept
    per data version: searching 10k names in memory beats a scan per keystroke."""
    rows = get_warehouse().query(
        """
WITH spend AS (
  SELECT customer_id, COUNT(*) AS orders, SUM(total_usd) AS spend, MAX(order_date) AS last_order
  FROM orders WHERE status = 'completed' GROUP BY customer_id
)
SELECT c.customer_id, c.name, c.email, c.country, c.region, c.city, c.signup_date,
       COALESCE(s.orders, 0) AS orders, COALESCE(s.spend, 0) AS spend, s.last_order
FROM customers c LEFT JOIN spend s ON s.customer_id = c.customer_id
ORDER BY spend DESC, c.customer_id""",
        max_rows=None,
    )
    return {
        "rows": [
            [
                r["customer_id"], r["name"], r["email"], r["country"], r["region"], r["city"],
                r["signup_date"].isoformat(), int(r["orders"]), round(float(r["spend"]), 2),
                r["last_order"].isoformat() if r["last_order"] is not None else None,
            ]
            for r in rows
        ]
    }  # fmt: skip


def customers(
    window: Window,
    *,
    q: str | None = None,
    region: str | None = None,
    country: str | None = None,
) -> dict[str, Any]:
    """Customers whose name, email or id contains `q` (case-insensitive, plain text: no
    wildcards), with their completed orders and lifetime spend; best match first (the exact id,
    then a name or email that starts with `q`, then the rest), then the biggest spenders."""
    doc = artifacts.cached(CUSTOMERS_ARTIFACT, compute_customers)
    needle = q.strip().lower() if q else None
    ranked = []
    for position, row in enumerate(doc["rows"]):  # rows are by spend, largest first
        cid, name, email, ctry, reg, *_ = row
        if (country and ctry != country) or (region and reg != region):
            continue
        if needle:
            low_id, low_name, low_email = cid.lower(), name.lower(), email.lower()
            if low_id == needle:
                rank = 0
            elif low_name.startswith(needle) or low_email.startswith(needle):
                rank = 1
            elif needle in low_name or needle in low_email or needle in low_id:
                rank = 2
            else:
                continue
        else:
            rank = 2
        ranked.append((rank, position, row))
    ranked.sort(key=lambda x: (x[0], x[1]))
    page = ranked[window.offset : window.offset + window.limit]
    end = window.offset + len(page)
    items = []
    for _, _, r in page:
        item = {
            "customerId": r[0], "name": r[1], "email": r[2], "country": r[3], "region": r[4], "city": r[5],
            "signupDate": r[6], "orders": r[7], "totalSpendUsd": r[8],
        }  # fmt: skip
        if r[9] is not None:
            item["lastOrderDate"] = r[9]
        items.append(item)
    return {"items": items, "nextOffset": end if end < len(ranked) else None}
