"""Prices across regions and currencies: the rates in use, the regional price factors, one
product's (or several products') prices in every storefront country in one currency.

A country's price factor is what the storefront charges relative to our USD selling price,
before VAT and FX: estimated from the sales as the median over order lines of
`unit_price * rate_to_usd(order day) / price_history.price(week of the order)`, over the last
`FACTOR_DAYS` days of data (one warehouse query, cached per data version). A product's price in
country K on day D is then `our USD price that week * factor(K) * (1 + VAT(K)) / rate_to_usd(K's
currency, D)` in the local currency, and that converted to the answer's currency at D's rates.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared import artifacts
from shared.errors import NotFound
from shared.warehouse import get_warehouse

from global_market_pulse.reference import Reference

FACTOR_DAYS = 180
FACTORS_ARTIFACT = "global-market/price-factors"


def _months(first: date, last: date) -> list[int]:
    """year * 100 + month of every month touching [first, last] (partition pruning)."""
    out, d = [], first.replace(day=1)
    while d <= last:
        out.append(d.year * 100 + d.month)
        d = (d + timedelta(days=32)).replace(day=1)
    return out


_FACTORS = """
WITH lines AS (
  SELECT oi.order_id, oi.order_date, oi.product_id, oi.unit_price, oi.year, oi.month,
         CAST(date_trunc('week', oi.order_date) AS DATE) AS week_start
  FROM order_items oi
  WHERE oi.order_date BETWEEN ? AND ? AND (oi.year * 100 + oi.month) BETWEEN ? AND ?
)
SELECT o.country, approx_percentile(l.unit_price * x.rate_to_usd / ph.price, 0.5) AS factor,
       COUNT(*) AS lines
FROM lines l
JOIN orders o ON o.order_id = l.order_id AND o.year = l.year AND o.month = l.month
JOIN exchange_rates x ON x.currency = o.currency AND x.rate_date = l.order_date
JOIN price_history ph ON ph.product_id = l.product_id AND ph.week_start = l.week_start
WHERE ph.price > 0 AND ph.week_start BETWEEN ? AND ?
GROUP BY o.country
"""


def price_factors(ref: Reference) -> dict[str, dict[str, float]]:
    """country -> {"factor", "lines"}: the regional price factors (cached per data version)."""

    def compute() -> dict[str, Any]:
        first = max(ref.first, ref.last - timedelta(days=FACTOR_DAYS - 1))
        months = _months(first, ref.last)
        rows = get_warehouse().query(
            _FACTORS,
            [first, ref.last, months[0], months[-1], first - timedelta(days=6), ref.last],
        )
        return {r["country"]: {"factor": float(r["factor"]), "lines": int(r["lines"])} for r in rows}

    return artifacts.cached(FACTORS_ARTIFACT, compute)


def region_factor(ref: Reference, region: str | None) -> float:
    """A region's price factor: its countries' factors weighted by their order lines (1 = our
    USD price, for no region)."""
    if region is None:
        return 1.0
    factors = price_factors(ref)
    pairs = [
        factors[c["country"]] for c in ref.countries if c["region"] == region and c["country"] in factors
    ]
    weight = sum(p["lines"] for p in pairs)
    return sum(p["factor"] * p["lines"] for p in pairs) / weight if weight else 1.0


def currencies(ref: Reference, base: str, day: date) -> dict[str, Any]:
    d = ref.day(day)
    base_usd = float(ref.usd_per(base)[d])
    rates = [
        {
            "currency": c,
            "rate": round(base_usd / float(ref.usd_per(c)[d]), 8),
            "rateToUsd": round(float(ref.usd_per(c)[d]), 8),
            "decimals": ref.decimals[c],
        }
        for c in ref.currencies
    ]
    return {"base": base, "asOf": ref.date_of(d).isoformat(), "rates": rates}


_PRODUCTS = """
WITH latest AS (
  SELECT product_id, max_by(price, week_start) AS price, MAX(week_start) AS week_start
  FROM price_history
  WHERE product_id IN ({marks}) AND week_start <= ?
  GROUP BY product_id
)
SELECT p.product_id, p.name, p.list_price, l.price, l.week_start
FROM products p LEFT JOIN latest l ON l.product_id = p.product_id
WHERE p.product_id IN ({marks})
"""


def our_prices(product_ids: list[str], day: date) -> dict[str, dict[str, Any]]:
    """product id -> {"name", "usd"}: our USD selling price in the week of `day` (the latest
    week on or before it; the list price when the product had none yet). One query."""
    marks = ", ".join("?" for _ in product_ids)  # placeholders only: the ids are bound values
    rows = get_warehouse().query(
        _PRODUCTS.format(marks=marks), [*product_ids, day, *product_ids], max_rows=None
    )
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        pid = r["product_id"]
        entry = found.setdefault(pid, {"name": r["name"], "usd": float(r["list_price"]), "week": None})
        if r["week_start"] is not None and (entry["week"] is None or r["week_start"] > entry["week"]):
            entry["usd"], entry["week"] = float(r["price"]), r["week_start"]
    return found


def prices_in_regions(
    ref: Reference, usd: float, currency: str, day: date, regions: set[str] | None = None
) -> list[dict[str, Any]]:
    """A USD selling price in every storefront country (of `regions`), cheapest first."""
    factors = price_factors(ref)
    d = ref.day(day)
    answer_usd = float(ref.usd_per(currency)[d])
    out = []
    for c in ref.countries:
        if (regions is not None and c["region"] not in regions) or c["country"] not in factors:
            continue
        local_usd = float(ref.usd_per(c["currency"])[d])
        vat = float(c["vat_rate"])
        local = round(
            usd * factors[c["country"]]["factor"] * (1.0 + vat) / local_usd, ref.decimals[c["currency"]]
        )
        exchange = local_usd / answer_usd
        price = local * exchange
        out.append(
            {
                "region": c["region"],
                "country": c["country"],
                "localCurrency": c["currency"],
                "localPrice": local,
                "price": round(price, ref.decimals[currency]),
                "exchangeRate": round(exchange, 8),
                "vatRate": vat,
                "indexVsBase": round(price / (usd / answer_usd) * 100.0, 2) if usd > 0 else 0.0,
            }
        )
    out.sort(key=lambda p: (p["price"], p["country"]))
    return out


def regional_prices(ref: Reference, product_id: str, currency: str, day: date) -> dict[str, Any]:
    day = ref.date_of(ref.day(day))  # the nearest day with data
    product = our_prices([product_id], day).get(product_id)
    if product is None:
        raise NotFound(f"No product {product_id}", details={"productId": product_id})
    d = ref.day(day)
    return {
        "productId": product_id,
        "name": product["name"],
        "currency": currency,
        "asOf": ref.date_of(d).isoformat(),
        "basePrice": round(product["usd"] / float(ref.usd_per(currency)[d]), ref.decimals[currency]),
        "prices": prices_in_regions(ref, product["usd"], currency, day),
    }


def price_comparison(
    ref: Reference, product_ids: list[str], regions: list[str] | None, currency: str, day: date
) -> dict[str, Any]:
    day = ref.date_of(ref.day(day))
    found = our_prices(product_ids, day)
    wanted = set(regions) if regions else None
    products = []
    for pid in product_ids:
        if pid not in found:
            continue
        prices = prices_in_regions(ref, found[pid]["usd"], currency, day, wanted)
        item: dict[str, Any] = {"productId": pid, "name": found[pid]["name"], "prices": prices}
        if prices:
            low, high = prices[0], prices[-1]
            item.update(
                minPrice=low["price"],
                maxPrice=high["price"],
                spreadPct=round((high["price"] - low["price"]) / low["price"] * 100.0, 2)
                if low["price"] > 0
                else 0.0,
                cheapestRegion=low["region"],
                mostExpensiveRegion=high["region"],
            )
        else:
            item.update(minPrice=0.0, maxPrice=0.0, spreadPct=0.0)
        products.append(item)
    return {
        "currency": currency,
        "asOf": ref.date_of(ref.day(day)).isoformat(),
        "products": products,
        "notFound": [pid for pid in product_ids if pid not in found],
    }
