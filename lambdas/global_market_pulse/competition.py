"""Competitors: their prices against ours, from `competitor_prices` matched to our selling price
of the same week (`price_history`). Competitor prices are in USD; "our price" in a region is
our USD price times the region's price factor (`prices.region_factor`).

Per competitor and product over the period: the median of our price / theirs (promotions on
either side do not move a median), their in-stock rate, and their price change (last
observation / first - 1). Per competitor, over its products:

- `averagePriceIndex`: 100 x the geometric mean of those medians (above 100: we are dearer).
  Its inverse recovers the competitor's price level against ours.
- `cheaperThanUsPct`: the share of its products whose median price is below ours.
- `estimatedSharePct`: a unit-elastic split of each overlapping product's demand between us
  (always in stock) and the competitors tracking it, each weighted by in-stock rate x our
  price / their price; shares are summed over the overlapping products.

One warehouse query: it groups products by their log index in steps of 1/`BUCKETS` (and adds
one row with the number of overlapping products), so the answer has at most a few hundred rows
whatever the data's size.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from shared import artifacts
from shared.warehouse import get_warehouse

from global_market_pulse.reference import Reference

BUCKETS = 400  # log-index resolution of the "cheaper than us" shares: 0.25 %

_PER_PRODUCT = """
WITH obs AS (
  SELECT c.competitor, c.product_id, c.price, c.in_stock, c.observed_date, ph.price AS our_price
  FROM competitor_prices c
  JOIN price_history ph
    ON ph.product_id = c.product_id AND ph.week_start = CAST(date_trunc('week', c.observed_date) AS DATE)
  JOIN products p ON p.product_id = c.product_id
  WHERE c.observed_date BETWEEN ? AND ? AND ph.week_start BETWEEN ? AND ? AND c.price > 0 AND ph.price > 0
  {filters}
),
per AS (
  SELECT competitor, product_id,
         approx_percentile(our_price / price, 0.5) AS idx,
         AVG(CASE WHEN in_stock THEN 1.0 ELSE 0.0 END) AS stock,
         max_by(price, observed_date) / min_by(price, observed_date) - 1.0 AS change,
         COUNT(*) AS obs
  FROM obs GROUP BY competitor, product_id
)
SELECT competitor, CAST(floor(ln(idx) * {buckets}) AS BIGINT) AS bucket,
       COUNT(*) AS products, SUM(ln(idx)) AS sum_log_idx, SUM(stock * idx) AS sum_weight,
       SUM(change) AS sum_change, SUM(obs) AS obs, SUM(stock * obs) AS in_stock_obs
FROM per GROUP BY 1, 2
UNION ALL
SELECT NULL, NULL, COUNT(DISTINCT product_id), NULL, NULL, NULL, NULL, NULL FROM per
"""

_PRESSURE = """
WITH per AS (
  SELECT p.category_id, c.product_id, approx_percentile(ph.price / c.price, 0.5) AS idx
  FROM competitor_prices c
  JOIN price_history ph
    ON ph.product_id = c.product_id AND ph.week_start = CAST(date_trunc('week', c.observed_date) AS DATE)
  JOIN products p ON p.product_id = c.product_id
  WHERE c.observed_date BETWEEN ? AND ? AND ph.week_start BETWEEN ? AND ? AND c.price > 0 AND ph.price > 0
  GROUP BY p.category_id, c.product_id, c.competitor
)
SELECT category_id, CAST(floor(ln(idx) * {buckets}) AS BIGINT) AS bucket, COUNT(*) AS pairs,
       COUNT(DISTINCT product_id) AS products
FROM per GROUP BY 1, 2
"""


def _filters(
    category: str | None, product_ids: list[str] | None, competitors: list[str] | None
) -> tuple[str, list[Any]]:
    """Extra WHERE conditions (placeholders only) and their values."""
    sql, params = [], []
    if category:
        sql.append("AND p.category_id = ?")
        params.append(category)
    if product_ids:
        sql.append("AND c.product_id IN (" + ", ".join("?" for _ in product_ids) + ")")
        params += product_ids
    if competitors:
        sql.append("AND c.competitor IN (" + ", ".join("?" for _ in competitors) + ")")
        params += competitors
    return "\n  ".join(sql), params


def observations(
    first: date,
    last: date,
    category: str | None = None,
    product_ids: list[str] | None = None,
    competitors: list[str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(per competitor and log-index bucket: product counts and sums, overlapping products)."""
    from datetime import timedelta

    extra, values = _filters(category, product_ids, competitors)
    base = [first, last, first - timedelta(days=6), last]
    wh = get_warehouse()
    rows = wh.query(_PER_PRODUCT.format(filters=extra, buckets=BUCKETS), base + values, max_rows=None)
    overlap = sum(r["products"] or 0 for r in rows if r["competitor"] is None)  # the UNION's last row
    return [r for r in rows if r["competitor"] is not None], int(overlap)


def analyse(
    rows: list[dict[str, Any]], overlap: int, factor: float, first: date, last: date
) -> dict[str, Any]:
    """The contract's CompetitorAnalysis from `observations` and our region's price factor."""
    threshold = -math.log(factor) * BUCKETS  # they are cheaper when ln(our/their) + ln(factor) > 0
    per: dict[str, dict[str, float]] = {}
    for r in rows:
        p = per.setdefault(
            r["competitor"],
            {"products": 0, "log": 0.0, "weight": 0.0, "change": 0.0, "obs": 0, "stock": 0.0, "cheaper": 0},
        )
        p["products"] += r["products"]
        p["log"] += r["sum_log_idx"]
        p["weight"] += r["sum_weight"]
        p["change"] += r["sum_change"]
        p["obs"] += r["obs"]
        p["stock"] += r["in_stock_obs"]
        if r["bucket"] >= threshold:  # bucket b holds ln idx in [b, b + 1) / BUCKETS
            p["cheaper"] += r["products"]
    market = overlap + factor * sum(p["weight"] for p in per.values())
    competitors = []
    total_log, total_products = 0.0, 0
    for name, p in per.items():
        n = p["products"]
        total_log += p["log"]
        total_products += n
        competitors.append(
            {
                "competitor": name,
                "productsTracked": int(n),
                "averagePriceIndex": round(factor * math.exp(p["log"] / n) * 100.0, 2),
                "cheaperThanUsPct": round(p["cheaper"] / n * 100.0, 2),
                "inStockRate": round(min(p["stock"] / p["obs"], 1.0), 4) if p["obs"] else 0.0,
                "priceChangePct": round(p["change"] / n * 100.0, 2),
                "estimatedSharePct": round(min(factor * p["weight"] / market * 100.0, 100.0), 2)
                if market
                else 0.0,
            }
        )
    competitors.sort(key=lambda c: (-c["productsTracked"], c["competitor"]))
    position: dict[str, Any] = {
        "averagePriceIndex": round(factor * math.exp(total_log / total_products) * 100.0, 2)
        if total_products
        else 0.0,
        "productsCompared": overlap,
    }
    if market:
        position["estimatedSharePct"] = round(min(overlap / market * 100.0, 100.0), 2)
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "currency": "USD",
        "competitors": competitors,
        "ourPosition": position,
    }


def pressure_by_category(ref: Reference, first: date, last: date) -> dict[str, dict[str, Any]]:
    """category id -> {"coverage": share of its products some competitor tracks, "buckets":
    {log-index bucket: products}}, for the opportunities' competition index."""
    from datetime import timedelta

    sql = _PRESSURE.format(buckets=BUCKETS)  # a constant; every value is a bound parameter
    wh = get_warehouse()
    rows = wh.query(sql, [first, last, first - timedelta(days=6), last], max_rows=None)
    tracked = {
        r["category_id"]: r["tracked"]
        for r in wh.query(
            "SELECT p.category_id, COUNT(DISTINCT c.product_id) AS tracked FROM competitor_prices c "
            "JOIN products p ON p.product_id = c.product_id WHERE c.observed_date BETWEEN ? AND ? "
            "GROUP BY p.category_id",
            [first, last],
        )
    }
    sizes = {
        r["category_id"]: r["n"]
        for r in wh.query("SELECT category_id, COUNT(*) AS n FROM products GROUP BY category_id")
    }
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = out.setdefault(r["category_id"], {"buckets": {}, "pairs": 0})
        entry["buckets"][int(r["bucket"])] = entry["buckets"].get(int(r["bucket"]), 0) + r["pairs"]
        entry["pairs"] += r["pairs"]
    for cid, entry in out.items():
        entry["coverage"] = min(tracked.get(cid, 0) / sizes[cid], 1.0) if sizes.get(cid) else 0.0
    return out


PRESSURE_DAYS = 90


def pressure(ref: Reference, last: date) -> dict[str, dict[str, Any]]:
    """`pressure_by_category` over the `PRESSURE_DAYS` days up to `last` (cached per data
    version and day: many requests share a period end)."""
    from datetime import timedelta

    last = ref.date_of(ref.day(last))
    first = max(ref.first, last - timedelta(days=PRESSURE_DAYS - 1))
    return artifacts.cached(
        f"global-market/pressure/{last.isoformat()}", lambda: pressure_by_category(ref, first, last)
    )


def competition_index(entry: dict[str, Any] | None, factor: float) -> float:
    """Competitive pressure in 0..1 of a category in a region: the share of its products some
    competitor tracks x the share of (competitor, product) pairs priced below our regional
    price."""
    if not entry or not entry["pairs"]:
        return 0.0
    threshold = -math.log(factor) * BUCKETS
    cheaper = sum(n for b, n in entry["buckets"].items() if int(b) >= threshold)  # JSON keys are text
    return round(entry["coverage"] * cheaper / entry["pairs"], 4)
