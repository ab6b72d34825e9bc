"""Our prices against the competitors' (GET /market-intelligence/competitive-pricing,
/market-intelligence/price-position/{productId}).

Prices are USD list-level prices: ours from `price_history` (the week's selling price before
regional adjustment and FX), theirs from `competitor_prices` (USD). The price index is
ours / competitors' average x 100; within +/- AT_PCT of 100 is `at` the market.

- The current position of every tracked product (our price of the latest week, each
  competitor's latest observation within the last RECENT_DAYS days up to the data's end) is
  computed with two queries once per data version: the artifact
  `market-intelligence/competitive-pricing`. Filters and pages are applied in memory.
- A product's position over time: two queries for the product and the period, weekly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared import artifacts
from shared.lake_schema import DATA_END
from shared.pagination import encode_cursor
from shared.warehouse import get_warehouse

from market_intelligence import series

AT_PCT = 2.0
RECENT_DAYS = 28
POSITIONS = "market-intelligence/competitive-pricing"

_OUR_LATEST = """
WITH ranked AS (
  SELECT product_id, price, is_promo, week_start,
         ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY week_start DESC) AS rn
  FROM price_history
  WHERE week_start <= ?
)
SELECT product_id, price, is_promo, week_start FROM ranked WHERE rn = 1
"""
_THEIR_LATEST = """
WITH ranked AS (
  SELECT product_id, competitor, price, in_stock, observed_date,
         ROW_NUMBER() OVER (PARTITION BY product_id, competitor ORDER BY observed_date DESC) AS rn
  FROM competitor_prices
  WHERE observed_date > ? AND observed_date <= ?
)
SELECT product_id, competitor, price, in_stock, observed_date FROM ranked WHERE rn = 1
"""
_OUR_WEEKS = """
SELECT week_start, price, is_promo FROM price_history
WHERE product_id = ? AND week_start >= ? AND week_start <= ?
ORDER BY week_start
"""
_THEIR_WEEKS = """
SELECT CAST(date_trunc('week', observed_date) AS DATE) AS week_start,
       MIN(price) AS min_price, AVG(price) AS avg_price, MAX(price) AS max_price
FROM competitor_prices
WHERE product_id = ? AND observed_date >= ? AND observed_date <= ?
GROUP BY CAST(date_trunc('week', observed_date) AS DATE)
"""


def position(index: float) -> str:
    if index < 100.0 - AT_PCT:
        return "below"
    if index > 100.0 + AT_PCT:
        return "above"
    return "at"


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _compute_positions() -> dict[str, Any]:
    wh = get_warehouse()
    as_of = DATA_END
    ours = {r["product_id"]: r for r in wh.query(_OUR_LATEST, [as_of], max_rows=None)}
    theirs: dict[str, list[dict[str, Any]]] = {}
    latest = None
    for r in wh.query(_THEIR_LATEST, [as_of - timedelta(days=RECENT_DAYS), as_of], max_rows=None):
        theirs.setdefault(r["product_id"], []).append(
            {
                "competitor": r["competitor"],
                "price": round(float(r["price"]), 2),
                "inStock": bool(r["in_stock"]),
                "observedDate": _iso(r["observed_date"]),
            }
        )
        latest = max(latest or _iso(r["observed_date"]), _iso(r["observed_date"]))
    products = series.catalog()["products"]
    items = []
    for pid in sorted(theirs):
        our = ours.get(pid)
        if our is None or pid not in products or not our["price"]:
            continue
        prices = [c["price"] for c in theirs[pid]]
        avg = sum(prices) / len(prices)
        index = round(100.0 * float(our["price"]) / avg, 2)  # the position of the index shown
        items.append(
            {
                "productId": pid,
                "name": products[pid][0],
                "categoryId": products[pid][1],
                "currency": "USD",
                "ourPrice": round(float(our["price"]), 2),
                "competitorMin": min(prices),
                "competitorAvg": round(avg, 2),
                "competitorMax": max(prices),
                "priceIndex": index,
                "position": position(index),
                "competitors": sorted(theirs[pid], key=lambda c: c["competitor"]),
            }
        )
    return {"asOf": latest, "items": items}


def positions() -> dict[str, Any]:
    """Every tracked product's current position (the artifact; computed once per data version)."""
    return artifacts.cached(POSITIONS, _compute_positions)


def competitive_pricing(
    category: str | None, where: str | None, competitor: str | None, limit: int, offset: int
) -> dict[str, Any]:
    doc = positions()
    found = [
        item
        for item in doc["items"]
        if (category is None or item["categoryId"] == category)
        and (where is None or item["position"] == where)
        and (competitor is None or any(c["competitor"] == competitor for c in item["competitors"]))
    ]
    page = found[offset : offset + limit]
    out: dict[str, Any] = {"items": page, "count": len(page)}
    if doc.get("asOf"):
        out["asOf"] = doc["asOf"]
    if offset + limit < len(found):
        out["nextCursor"] = encode_cursor({"offset": offset + limit})
    return out


def price_position(product_id: str, first: date, last: date) -> dict[str, Any]:
    """Week by week: our price (promotions flagged) against the competitors' min/avg/max
    (memoised per process and data version, like the forecasts)."""
    from market_intelligence.forecasting import memoised

    series.product(product_id)  # 404 when unknown
    key = {"product": product_id, "from": first, "to": last}
    return memoised("price-position", key, lambda: _price_position(product_id, first, last))


def _price_position(product_id: str, first: date, last: date) -> dict[str, Any]:
    info = series.product(product_id)
    wh = get_warehouse()
    week0 = first - timedelta(days=first.weekday())
    ours = wh.query(_OUR_WEEKS, [product_id, week0, last], max_rows=None)
    theirs = {
        _iso(r["week_start"]): r for r in wh.query(_THEIR_WEEKS, [product_id, week0, last], max_rows=None)
    }
    points = []
    for r in ours:
        week = _iso(r["week_start"])
        point: dict[str, Any] = {
            "date": week,
            "ourPrice": round(float(r["price"]), 2),
            "isPromo": bool(r["is_promo"]),
        }
        c = theirs.get(week)
        if c is not None and c["avg_price"]:
            point["competitorMin"] = round(float(c["min_price"]), 2)
            point["competitorAvg"] = round(float(c["avg_price"]), 2)
            point["competitorMax"] = round(float(c["max_price"]), 2)
            point["priceIndex"] = round(100.0 * float(r["price"]) / float(c["avg_price"]), 2)
        points.append(point)
    out: dict[str, Any] = {
        "productId": product_id,
        "name": info["name"],
        "categoryId": info["categoryId"],
        "currency": "USD",
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "points": points,
    }
    indexed = [p for p in points if "priceIndex" in p]
    if indexed:
        out["current"] = {
            "priceIndex": indexed[-1]["priceIndex"],
            "position": position(indexed[-1]["priceIndex"]),
        }
    return out
