"""Unit demand forecasts per product and reorder recommendations, with the shared forecasters
(shared.models.forecast: Holt-Winters, seasonal naive, linear trend, `auto` by a rolling-origin
backtest; prediction intervals; HistoryTooShortError -> 422).

Demand forecast: a product's daily units (lines of orders not cancelled) from its first day on
sale to DATA_END, or whole Monday weeks for `week`; the season is 7 days or 52 weeks.

Reorder recommendations (per product and warehouse, `inventory` snapshot at DATA_END):
- each product's weekly units over the last 104 whole weeks are forecast 26 weeks ahead
  (`auto` over seasonal naive with a 52-week season and the linear trend; the linear trend alone
  for products selling under a unit a week, which have no season to find, backtested from one
  origin); the forecast error is the backtest RMSE of the chosen model (units per week). This is the artifact
  `demand-insights/reorder-base`, once per data version, with the inventory rows;
- orders do not record the shipping warehouse, so a product's demand is split over the
  warehouses stocking it in proportion to their configured reorder points (the planners' split);
- over the lead time L (the item's supplier lead time unless overridden): demand D_L = the sum
  of the daily forecast (weekly / 7) over L days; daily sd = RMSE / sqrt(7);
  safety stock = z(serviceLevel) x sd x sqrt(L); reorder point = D_L + safety stock;
- position = on hand + on order; when position <= reorder point, order up to the reorder point
  plus 30 days of demand; urgency: high when on hand < safety stock, medium at or below the
  reorder point, low within 7 days of demand above it, else none.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import UnprocessableEntity
from shared.lake_schema import DATA_END
from shared.models.forecast import HistoryTooShortError, forecast
from shared.models.regression import normal_quantile
from shared.pagination import encode_cursor
from shared.warehouse import get_warehouse, placeholders

REORDER_WEEKS = 104
REORDER_HORIZON_WEEKS = 26
CYCLE_DAYS = 30
SPARSE_UNITS_PER_WEEK = 1.0
LOW_COVER_DAYS = 7

_PRODUCTS = "SELECT product_id, name, launched_date FROM products WHERE product_id IN ({})"
_DAILY = """
SELECT oi.product_id, oi.order_date AS day, SUM(oi.quantity) AS units
FROM order_items oi
JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
WHERE oi.product_id IN ({}) AND o.status <> ? AND oi.order_date <= ?
GROUP BY oi.product_id, oi.order_date
"""


def _monday_weeks(daily: np.ndarray, start: date) -> tuple[np.ndarray, date]:
    """Sum a daily series from `start` into whole Monday weeks; returns (weeks, first Monday)."""
    skip = (7 - start.weekday()) % 7
    whole = (len(daily) - skip) // 7
    weeks = daily[skip : skip + whole * 7].reshape(whole, 7).sum(axis=1) if whole > 0 else np.zeros(0)
    return weeks, start + timedelta(days=skip)


def demand_forecast(request: dict[str, Any]) -> dict[str, Any]:
    ids: list[str] = request["productIds"]
    horizon_days: int = request["horizonDays"]
    granularity: str = request["granularity"]
    model: str = request["model"]
    level: float = request["confidenceLevel"]
    wh = get_warehouse()
    found = {r["product_id"]: r for r in wh.query(_PRODUCTS.format(placeholders(len(ids))), ids)}
    known = [p for p in ids if p in found]
    sales: dict[str, dict[date, float]] = {p: {} for p in known}
    if known:
        for r in wh.query(
            _DAILY.format(placeholders(len(known))), [*known, "cancelled", DATA_END], max_rows=None
        ):
            sales[r["product_id"]][r["day"]] = float(r["units"])
    z = normal_quantile(0.5 + level / 2)
    forecasts = []
    for pid in known:
        start = found[pid]["launched_date"] or min(sales[pid], default=DATA_END)
        start = min(start, min(sales[pid], default=start))
        n_days = (DATA_END - start).days + 1
        daily = np.zeros(max(n_days, 0))
        for day, units in sales[pid].items():
            if start <= day <= DATA_END:
                daily[(day - start).days] += units
        if granularity == "week":
            series, first = _monday_weeks(daily, start)
            steps, season, step = math.ceil(horizon_days / 7), 52, timedelta(days=7)
            next_day = first + timedelta(days=7 * len(series))
        else:
            series, season, steps, step = daily, 7, horizon_days, timedelta(days=1)
            next_day = DATA_END + timedelta(days=1)
        try:
            result = forecast(series, model=model, season_length=season, horizon=steps, level=level)
        except HistoryTooShortError as exc:
            raise UnprocessableEntity(
                f"Product {pid}: {exc}", details={"productId": pid, "needed": exc.needed, "got": exc.got}
            ) from None
        mean = np.maximum(result.mean, 0.0)
        lower = np.maximum(result.lower, 0.0)
        upper = np.maximum(result.upper, mean)
        sd = (np.asarray(result.upper) - np.asarray(result.lower)) / (2 * z) if z > 0 else np.zeros(len(mean))
        total = float(mean.sum())
        spread = z * float(np.sqrt(np.sum(np.square(sd))))
        m = result.metrics
        metrics = {
            "mae": round(float(m["mae"]), 4),
            "rmse": round(float(m["rmse"]), 4),
            "smape": round(float(m["smape"]), 3),
            "holdoutPoints": int(m["n"]),
        }
        if m.get("mape") is not None and np.isfinite(m["mape"]):
            metrics["mape"] = round(float(m["mape"]), 3)
        forecasts.append(
            {
                "productId": pid,
                "name": found[pid]["name"],
                "model": result.model,
                "totalUnits": round(total, 3),
                "totalLower": round(max(total - spread, 0.0), 3),
                "totalUpper": round(total + spread, 3),
                "points": [
                    {
                        "date": (next_day + i * step).isoformat(),
                        "value": round(float(mean[i]), 4),
                        "lower": round(float(lower[i]), 4),
                        "upper": round(float(upper[i]), 4),
                    }
                    for i in range(steps)
                ],
                "metrics": metrics,
            }
        )
    return {
        "horizonDays": horizon_days,
        "granularity": granularity,
        "confidenceLevel": level,
        "forecasts": forecasts,
        "notFound": [p for p in ids if p not in found],
    }


# ---- reorder recommendations -----------------------------------------------------------------
_INVENTORY = """
SELECT i.product_id, i.warehouse, i.on_hand, i.on_order, i.reorder_point, i.lead_time_days,
       p.name, p.category_id
FROM inventory i JOIN products p ON p.product_id = i.product_id
WHERE i.snapshot_date <= ?
ORDER BY i.product_id, i.warehouse
"""
_WEEKLY = """
SELECT oi.product_id, CAST(date_trunc('week', oi.order_date) AS DATE) AS week_start, SUM(oi.quantity) AS units
FROM order_items oi
JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
WHERE o.status <> ? AND oi.order_date >= ? AND oi.order_date <= ? AND oi.year >= ?
GROUP BY oi.product_id, CAST(date_trunc('week', oi.order_date) AS DATE)
"""


def reorder_base() -> dict[str, Any]:
    return artifacts.cached("demand-insights/reorder-base", _compute_reorder_base)


def _compute_reorder_base() -> dict[str, Any]:
    wh = get_warehouse()
    inventory = wh.query(_INVENTORY, [DATA_END], max_rows=None)
    last_monday = DATA_END - timedelta(days=DATA_END.weekday())
    if (DATA_END - last_monday).days < 6:
        last_monday -= timedelta(days=7)
    first = last_monday - timedelta(days=7 * (REORDER_WEEKS - 1))
    weekly: dict[str, np.ndarray] = {}
    # tuples (product_id, week_start, units), not dicts: a million rows at scale 5
    _, rows = wh.query_columns(
        _WEEKLY, ["cancelled", first, last_monday + timedelta(days=6), first.year], max_rows=None
    )
    for product_id, week_start, units in rows:
        w = (week_start - first).days // 7
        if 0 <= w < REORDER_WEEKS:
            series = weekly.get(product_id)
            if series is None:
                series = weekly[product_id] = np.zeros(REORDER_WEEKS)
            series[w] += units
    products: dict[str, Any] = {}
    for pid in sorted({r["product_id"] for r in inventory}):
        y = weekly.get(pid, np.zeros(REORDER_WEEKS))
        if not y.any():  # never sold in two years: nothing to forecast, nothing to hold
            products[pid] = {"weekly": [0.0] * REORDER_HORIZON_WEEKS, "rmse": 0.0, "model": "none"}
            continue
        # a product selling under a unit a week has no season to find: the linear trend alone
        sparse = y.mean() < SPARSE_UNITS_PER_WEEK
        try:
            res = forecast(
                y,
                model="linear_trend" if sparse else "auto",
                season_length=52,
                horizon=REORDER_HORIZON_WEEKS,
                candidates=("seasonal_naive", "linear_trend"),
                origins=1 if sparse else 3,
            )
            mean, rmse, name = np.maximum(res.mean, 0.0), float(res.metrics["rmse"]), res.model
        except HistoryTooShortError:  # cannot happen with 104 weeks; kept for small windows
            mean, rmse, name = np.full(REORDER_HORIZON_WEEKS, y.mean()), float(y.std()), "mean"
        products[pid] = {"weekly": np.round(mean, 4).tolist(), "rmse": round(rmse, 4), "model": name}
    return {
        "weeksFrom": first.isoformat(),
        "products": products,
        "inventory": [
            {
                "productId": r["product_id"],
                "warehouse": r["warehouse"],
                "name": r["name"],
                "category": r["category_id"],
                "onHand": int(r["on_hand"]),
                "onOrder": int(r["on_order"]),
                "configuredReorderPoint": int(r["reorder_point"]),
                "leadTimeDays": int(r["lead_time_days"]),
            }
            for r in inventory
        ],
    }


_URGENCY = ("high", "medium", "low", "none")
_prepared: list[tuple[dict[str, Any], dict[str, np.ndarray]]] = []


def _prepare(doc: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per inventory item, as arrays (once per reorder-base document): its share of the
    product's demand, the cumulative daily demand forecast over 0..180 days, the daily sd."""
    if _prepared and _prepared[0][0] is doc:
        return _prepared[0][1]
    inv = doc["inventory"]
    pids = [item["productId"] for item in inv]
    configured: dict[str, float] = {}
    stocking: dict[str, int] = {}
    for item, pid in zip(inv, pids, strict=True):
        configured[pid] = configured.get(pid, 0.0) + item["configuredReorderPoint"]
        stocking[pid] = stocking.get(pid, 0) + 1
    share = np.array(
        [
            item["configuredReorderPoint"] / configured[pid] if configured[pid] > 0 else 1.0 / stocking[pid]
            for item, pid in zip(inv, pids, strict=True)
        ]
    )
    max_days = 7 * REORDER_HORIZON_WEEKS
    cum = np.zeros((len(inv), max(181, max_days) + 1))
    rmse = np.zeros(len(inv))
    for j, pid in enumerate(pids):
        product = doc["products"][pid]
        days = np.repeat(np.asarray(product["weekly"], dtype=float) / 7.0, 7)
        days = np.r_[days, np.full(cum.shape[1] - 1 - len(days), days[-1] if len(days) else 0.0)]
        cum[j, 1:] = np.cumsum(days[: cum.shape[1] - 1])
        rmse[j] = float(product["rmse"])
    arrays = {
        "share": share,
        "cum": cum * share[:, None],
        "sd": rmse * share / math.sqrt(7.0),
        "on_hand": np.array([item["onHand"] for item in inv], dtype=float),
        "on_order": np.array([item["onOrder"] for item in inv], dtype=float),
        "lead": np.array([item["leadTimeDays"] for item in inv], dtype=int),
        "warehouse": np.array([item["warehouse"] for item in inv], dtype=object),
        "category": np.array([item["category"] for item in inv], dtype=object),
    }
    _prepared[:] = [(doc, arrays)]
    return arrays


def reorder_recommendations(
    lead_override: int | None,
    service_level: float,
    warehouse: str | None,
    category: str | None,
    urgent_only: bool,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    doc = reorder_base()
    a = _prepare(doc)
    z = normal_quantile(service_level)
    lead = (
        np.full(len(a["lead"]), lead_override)
        if lead_override
        else np.clip(a["lead"], 1, a["cum"].shape[1] - 1)
    )
    demand_lead = a["cum"][np.arange(len(lead)), lead]
    daily = demand_lead / lead
    safety = z * a["sd"] * np.sqrt(lead)
    rop = demand_lead + safety
    position = a["on_hand"] + a["on_order"]
    qty = np.where(position <= rop, np.maximum(0, np.ceil(rop + CYCLE_DAYS * daily - position)), 0)
    urgency = np.where(
        a["on_hand"] < safety,
        0,
        np.where(position <= rop, 1, np.where(position <= rop + LOW_COVER_DAYS * daily, 2, 3)),
    )
    cover = np.where(daily > 0, position / np.where(daily > 0, daily, 1.0), np.inf)
    keep = np.ones(len(lead), dtype=bool)
    if warehouse:
        keep &= a["warehouse"] == warehouse
    if category:
        keep &= a["category"] == category
    if urgent_only:
        keep &= urgency <= 1
    rows = np.flatnonzero(keep)
    ids = np.array([item["productId"] for item in doc["inventory"]], dtype=object)
    rows = rows[np.lexsort((a["warehouse"][rows], ids[rows], cover[rows], urgency[rows]))]
    items = []
    for j in rows[offset : offset + limit]:
        item = doc["inventory"][j]
        rec = {
            "productId": item["productId"],
            "name": item["name"],
            "warehouse": item["warehouse"],
            "onHand": item["onHand"],
            "onOrder": item["onOrder"],
            "dailyDemand": round(float(daily[j]), 4),
            "demandStdDev": round(float(a["sd"][j]), 4),
            "leadTimeDays": int(lead[j]),
            "safetyStock": round(float(safety[j]), 2),
            "reorderPoint": round(float(rop[j]), 2),
            "reorderQuantity": int(qty[j]),
            "urgency": _URGENCY[int(urgency[j])],
        }
        if np.isfinite(cover[j]):
            rec["daysOfCover"] = round(float(cover[j]), 1)
        items.append(rec)
    out: dict[str, Any] = {"items": items, "count": len(items), "serviceLevel": service_level}
    if offset + limit < len(rows):
        out["nextCursor"] = encode_cursor({"offset": offset + limit})
    return out
