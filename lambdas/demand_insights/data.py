"""The demand-insights queries: every read of the data lake this service makes is here, through
`shared.warehouse` with `?` parameters (never SQL built from input).

An order counts as activity (recency, frequency, the BG/NBD's orders) unless it was cancelled;
spend (monetary value, CLV) is `orders.total_usd` of completed orders (a returned order's money
went back). Time windows are inclusive days; partition filters (`year`) prune what Athena reads.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from shared.warehouse import get_warehouse, placeholders

CANCELLED = "cancelled"
COMPLETED = "completed"

# RFM per customer over [from, to]: activity, last order, spend
_RFM = """
SELECT customer_id, COUNT(*) AS orders, MAX(order_date) AS last_order,
       SUM(CASE WHEN status = 'completed' THEN total_usd ELSE 0 END) AS spend
FROM orders
WHERE status <> ? AND order_date >= ? AND order_date <= ? AND year >= ? AND year <= ?
GROUP BY customer_id
"""

# Everything the churn and CLV models need about every customer who had signed up by the
# cut-off `c`: history up to c, the 365/90/180-day windows before it, and what happened in
# (c, e] (the label window; empty when e = c).
_FEATURES = """
WITH hist AS (
  SELECT customer_id, COUNT(*) AS orders_all, MIN(order_date) AS first_order, MAX(order_date) AS last_order,
         SUM(CASE WHEN status = 'completed' THEN total_usd ELSE 0 END) AS spend_all
  FROM orders WHERE status <> ? AND order_date <= ? GROUP BY customer_id
), y365 AS (
  SELECT customer_id, COUNT(*) AS orders_365,
         SUM(CASE WHEN status = 'completed' THEN total_usd ELSE 0 END) AS spend_365
  FROM orders WHERE status <> ? AND order_date > ? AND order_date <= ? GROUP BY customer_id
), d90 AS (
  SELECT customer_id, COUNT(*) AS orders_90
  FROM orders WHERE status <> ? AND order_date > ? AND order_date <= ? GROUP BY customer_id
), d180 AS (
  SELECT customer_id, COUNT(*) AS orders_90_180
  FROM orders WHERE status <> ? AND order_date > ? AND order_date <= ? GROUP BY customer_id
), after AS (
  SELECT customer_id, COUNT(*) AS orders_after,
         SUM(CASE WHEN status = 'completed' THEN total_usd ELSE 0 END) AS spend_after
  FROM orders WHERE status <> ? AND order_date > ? AND order_date <= ? GROUP BY customer_id
)
SELECT c.customer_id, c.signup_date, c.region,
       COALESCE(h.orders_all, 0) AS orders_all, h.first_order, h.last_order,
       COALESCE(h.spend_all, 0) AS spend_all,
       COALESCE(y.orders_365, 0) AS orders_365, COALESCE(y.spend_365, 0) AS spend_365,
       COALESCE(d90.orders_90, 0) AS orders_90, COALESCE(d180.orders_90_180, 0) AS orders_90_180,
       COALESCE(a.orders_after, 0) AS orders_after, COALESCE(a.spend_after, 0) AS spend_after
FROM customers c
LEFT JOIN hist h ON h.customer_id = c.customer_id
LEFT JOIN y365 y ON y.customer_id = c.customer_id
LEFT JOIN d90 ON d90.customer_id = c.customer_id
LEFT JOIN d180 ON d180.customer_id = c.customer_id
LEFT JOIN after a ON a.customer_id = c.customer_id
WHERE c.signup_date <= ?
ORDER BY c.customer_id
"""


def rfm(first: date, last: date) -> list[dict[str, Any]]:
    """customer_id, orders, last_order, spend for every customer active in [first, last]."""
    return get_warehouse().query(_RFM, [CANCELLED, first, last, first.year, last.year], max_rows=None)


def customer_features(cutoff: date, label_end: date | None = None) -> dict[str, np.ndarray]:
    """Per customer signed up by `cutoff` (ordered by id), as arrays: ids, signup/first/last
    order (days before the cut-off; NaN when none), order and spend counts over the windows,
    and orders/spend in (cutoff, label_end]."""
    end = label_end or cutoff
    c = cutoff
    params = [
        CANCELLED, c,
        CANCELLED, c - timedelta(days=365), c,
        CANCELLED, c - timedelta(days=90), c,
        CANCELLED, c - timedelta(days=180), c - timedelta(days=90),
        CANCELLED, c, end,
        c,
    ]  # fmt: skip
    rows = get_warehouse().query(_FEATURES, params, max_rows=None)

    def days_before(key: str) -> np.ndarray:
        return np.array([(c - r[key]).days if r[key] is not None else np.nan for r in rows], dtype=float)

    def col(key: str) -> np.ndarray:
        return np.array([r[key] or 0 for r in rows], dtype=float)

    return {
        "customer_id": np.array([r["customer_id"] for r in rows], dtype=object),
        "region": np.array([r["region"] for r in rows], dtype=object),
        "signup_days": days_before("signup_date"),
        "first_days": days_before("first_order"),
        "last_days": days_before("last_order"),
        "orders_all": col("orders_all"),
        "spend_all": col("spend_all"),
        "orders_365": col("orders_365"),
        "spend_365": col("spend_365"),
        "orders_90": col("orders_90"),
        "orders_90_180": col("orders_90_180"),
        "orders_after": col("orders_after"),
        "spend_after": col("spend_after"),
    }


_CUSTOMERS = "SELECT customer_id, name, country, region, signup_date FROM customers WHERE customer_id IN ({})"


def customers_by_id(ids: list[str]) -> dict[str, dict[str, Any]]:
    """name, country, region, signup_date of the customers among `ids` that exist."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        rows = get_warehouse().query(_CUSTOMERS.format(placeholders(len(chunk))), chunk)
        out.update({r["customer_id"]: r for r in rows})
    return out


_CUSTOMER_ORDERS = """
SELECT COUNT(*) AS orders, MIN(order_date) AS first_order, MAX(order_date) AS last_order,
       SUM(CASE WHEN status = 'completed' THEN total_usd ELSE 0 END) AS spend,
       SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed
FROM orders WHERE customer_id = ? AND status <> ? AND order_date <= ?
"""


def customer_orders(customer_id: str, today: date) -> dict[str, Any]:
    return get_warehouse().query_one(_CUSTOMER_ORDERS, [customer_id, CANCELLED, today]) or {}


# Weekly units per product and week with the week's price relative to the list price (one row
# per product-week the product was on sale, zero units included), for one category.
_PANEL = """
WITH units AS (
  SELECT oi.product_id, CAST(date_trunc('week', oi.order_date) AS DATE) AS week_start, SUM(oi.quantity) AS units
  FROM order_items oi
  JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
  JOIN products p ON p.product_id = oi.product_id
  WHERE p.category_id = ? AND o.status <> ? AND oi.order_date >= ? AND oi.order_date <= ?
    AND oi.year >= ? AND oi.year <= ?
  GROUP BY oi.product_id, CAST(date_trunc('week', oi.order_date) AS DATE)
)
SELECT ph.product_id, ph.week_start, ph.price, p.list_price, ph.is_promo, COALESCE(u.units, 0) AS units
FROM price_history ph
JOIN products p ON p.product_id = ph.product_id
LEFT JOIN units u ON u.product_id = ph.product_id AND u.week_start = ph.week_start
WHERE p.category_id = ? AND ph.week_start >= ? AND ph.week_start <= ?
"""


def category_panel(category_id: str, first: date, last: date) -> dict[str, np.ndarray]:
    """The weekly price/units panel of a category over the whole weeks in [first, last]."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)  # first whole week
    last_monday = last - timedelta(days=last.weekday())
    if (last - last_monday).days < 6:  # the last week is not whole
        last_monday -= timedelta(days=7)
    params = [category_id, CANCELLED, monday, last_monday + timedelta(days=6), monday.year, last.year]
    params += [category_id, monday, last_monday]
    rows = get_warehouse().query(_PANEL, params, max_rows=None)
    return {
        "product_id": np.array([r["product_id"] for r in rows], dtype=object),
        "week": np.array([(r["week_start"] - monday).days // 7 for r in rows], dtype=np.int64),
        "price": np.array([r["price"] for r in rows], dtype=float),
        "list_price": np.array([r["list_price"] for r in rows], dtype=float),
        "promo": np.array([bool(r["is_promo"]) for r in rows], dtype=bool),
        "units": np.array([r["units"] for r in rows], dtype=float),
    }


_CATEGORIES = "SELECT category_id, name FROM categories ORDER BY category_id"
_PRODUCT = "SELECT product_id, name, category_id, list_price, unit_cost FROM products WHERE product_id = ?"


def categories() -> list[dict[str, Any]]:
    return get_warehouse().query(_CATEGORIES)


def product(product_id: str) -> dict[str, Any] | None:
    return get_warehouse().query_one(_PRODUCT, [product_id])


_RECENT = """
SELECT ph.week_start, ph.price, COALESCE(u.units, 0) AS units
FROM price_history ph
LEFT JOIN (
  SELECT CAST(date_trunc('week', oi.order_date) AS DATE) AS week_start, SUM(oi.quantity) AS units
  FROM order_items oi
  JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
  WHERE oi.product_id = ? AND o.status <> ? AND oi.order_date >= ? AND oi.order_date <= ? AND oi.year >= ?
  GROUP BY CAST(date_trunc('week', oi.order_date) AS DATE)
) u ON u.week_start = ph.week_start
WHERE ph.product_id = ? AND ph.week_start >= ? AND ph.week_start <= ?
ORDER BY ph.week_start
"""


def recent_weeks(product_id: str, today: date, weeks: int) -> list[dict[str, Any]]:
    """The product's last `weeks` whole weeks up to `today`: week_start, price, units."""
    last_monday = today - timedelta(days=today.weekday())
    if (today - last_monday).days < 6:
        last_monday -= timedelta(days=7)
    first = last_monday - timedelta(days=7 * (weeks - 1))
    end = last_monday + timedelta(days=6)
    return get_warehouse().query(
        _RECENT, [product_id, CANCELLED, first, end, first.year, product_id, first, last_monday]
    )


_RATE = """
SELECT rate_to_usd FROM exchange_rates WHERE currency = ? AND rate_date <= ? ORDER BY rate_date DESC LIMIT 1
"""


def rate_to_usd(currency: str, today: date) -> float | None:
    if currency == "USD":
        return 1.0
    row = get_warehouse().query_one(_RATE, [currency, today])
    return float(row["rate_to_usd"]) if row else None
