"""The daily sales cube: completed sales of every day of the data, pre-aggregated once per data
version, so the dashboard's series, category table and insights read no table per request.

Two dense arrays, built from ONE warehouse statement and kept as an artifact
(`shared.artifacts`: on disk locally, `_artifacts/` of the curated bucket in AWS):

- `orders[day, region, channel, (revenue, orders, units)]`: order totals (`total_usd`: goods,
  shipping and tax), order counts and units of completed orders;
- `lines[day, region, category, (revenue, orders, units, cost)]`: line revenue
  (`line_total_usd`), orders containing the category, units and unit cost x units;
- `payments[day, region, method, (amount, orders)]`: what completed orders paid, by method.

Both are additive over days and regions (an order has one day and one region), so any period
and region (and category) filter is a slice and a sum. The size does not grow with the data's
volume: days x 21 regions at most x 3 channels or 12 categories.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from shared.warehouse import Warehouse

ARTIFACT = "analytics/daily-cube-v2"
O_REVENUE, O_ORDERS, O_UNITS = range(3)
L_REVENUE, L_ORDERS, L_UNITS, L_COST = range(4)

_SQL = (
    "WITH units AS (SELECT order_id, SUM(quantity) AS units FROM order_items GROUP BY 1) "
    "SELECT 'orders' AS kind, o.order_date AS day, o.region AS region, o.channel AS member, "
    "o.channel AS label, SUM(o.total_usd) AS revenue, COUNT(*) AS orders, "
    "SUM(COALESCE(u.units, 0)) AS units, 0.0 AS cost "
    "FROM orders o LEFT JOIN units u ON u.order_id = o.order_id "
    "WHERE o.status = ? GROUP BY 1, 2, 3, 4, 5 "
    "UNION ALL "
    "SELECT 'lines', oi.order_date, o.region, p.category_id, MAX(p.category), SUM(oi.line_total_usd), "
    "COUNT(DISTINCT oi.order_id), SUM(oi.quantity), SUM(p.unit_cost * oi.quantity) "
    "FROM order_items oi JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year "
    "AND o.month = oi.month JOIN products p ON p.product_id = oi.product_id "
    "WHERE o.status = ? GROUP BY 1, 2, 3, 4 "
    "UNION ALL "
    "SELECT 'payments', o.order_date, o.region, pay.method, pay.method, SUM(pay.amount_usd), COUNT(*), 0, 0.0 "
    "FROM payments pay JOIN orders o ON o.order_id = pay.order_id AND o.year = pay.year "
    "AND o.month = pay.month WHERE o.status = ? GROUP BY 1, 2, 3, 4, 5"
)


def build(wh: Warehouse) -> dict[str, Any]:
    """The artifact document: index lists and the non-zero cells of both arrays."""
    rows = wh.query(_SQL, ["completed"] * 3, max_rows=None)
    days = sorted({r["day"] for r in rows})
    if not days:
        return {
            "first": None,
            "days": 0,
            "regions": [],
            "channels": [],
            "categories": [],
            "methods": [],
            "orders": [],
            "lines": [],
            "payments": [],
        }
    first = days[0]
    regions = sorted({r["region"] for r in rows})
    channels = sorted({r["member"] for r in rows if r["kind"] == "orders"})
    categories = sorted({(r["member"], r["label"]) for r in rows if r["kind"] == "lines"})
    methods = sorted({r["member"] for r in rows if r["kind"] == "payments"})
    m_ix = {v: i for i, v in enumerate(methods)}
    r_ix = {v: i for i, v in enumerate(regions)}
    c_ix = {v: i for i, v in enumerate(channels)}
    k_ix = {v: i for i, (v, _) in enumerate(categories)}
    orders, lines, payments = [], [], []
    for r in rows:
        d = (r["day"] - first).days
        if r["kind"] == "orders":
            orders.append(
                [
                    d,
                    r_ix[r["region"]],
                    c_ix[r["member"]],
                    float(r["revenue"] or 0),
                    int(r["orders"]),
                    int(r["units"] or 0),
                ]
            )
        elif r["kind"] == "payments":
            payments.append(
                [d, r_ix[r["region"]], m_ix[r["member"]], float(r["revenue"] or 0), int(r["orders"])]
            )
        else:
            lines.append([d, r_ix[r["region"]], k_ix[r["member"]], float(r["revenue"] or 0), int(r["orders"]), int(r["units"] or 0), float(r["cost"] or 0)])  # fmt: skip
    return {
        "first": first.isoformat(),
        "days": (days[-1] - first).days + 1,
        "regions": regions,
        "channels": channels,
        "categories": [list(c) for c in categories],
        "methods": methods,
        "orders": orders,
        "lines": lines,
        "payments": payments,
    }


@dataclass(frozen=True)
class Cube:
    first: date | None
    regions: list[str]
    channels: list[str]
    categories: list[tuple[str, str]]  # (id, name)
    methods: list[str]
    orders: np.ndarray  # [day, region, channel, 3]
    lines: np.ndarray  # [day, region, category, 4]
    payments: np.ndarray  # [day, region, method, 2]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Cube:
        n, regions = int(doc["days"]), doc["regions"]
        o = np.zeros((n, len(regions), len(doc["channels"]), 3))
        cells = np.asarray(doc["orders"], dtype=float).reshape(-1, 6)
        if len(cells):
            idx = cells[:, :3].astype(int)
            o[idx[:, 0], idx[:, 1], idx[:, 2]] = cells[:, 3:]
        li = np.zeros((n, len(regions), len(doc["categories"]), 4))
        cells = np.asarray(doc["lines"], dtype=float).reshape(-1, 7)
        if len(cells):
            idx = cells[:, :3].astype(int)
            li[idx[:, 0], idx[:, 1], idx[:, 2]] = cells[:, 3:]
        pay = np.zeros((n, len(regions), len(doc["methods"]), 2))
        cells = np.asarray(doc["payments"], dtype=float).reshape(-1, 5)
        if len(cells):
            idx = cells[:, :3].astype(int)
            pay[idx[:, 0], idx[:, 1], idx[:, 2]] = cells[:, 3:]
        first = date.fromisoformat(doc["first"]) if doc["first"] else None
        categories = [tuple(c) for c in doc["categories"]]
        return cls(first, regions, doc["channels"], categories, doc["methods"], o, li, pay)

    def days(self, first: date, last: date) -> list[date]:
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def _window(self, array: np.ndarray, first: date, last: date) -> np.ndarray:
        """array's rows for every day of [first, last], zeros for days outside the data."""
        n = (last - first).days + 1
        out = np.zeros((n, *array.shape[1:]))
        if self.first is None:
            return out
        start = (first - self.first).days
        lo, hi = max(0, start), min(array.shape[0], start + n)
        if lo < hi:
            out[lo - start : hi - start] = array[lo:hi]
        return out

    def _region(self, region: str | None) -> slice | list[int]:
        if region is None:
            return slice(None)
        return [self.regions.index(region)] if region in self.regions else []

    def daily(
        self, first: date, last: date, *, region: str | None = None, category: str | None = None
    ) -> np.ndarray:
        """[day, (revenue, orders, units)] over [first, last]: order totals, or with a category
        that category's lines."""
        if category is None:
            window = self._window(self.orders, first, last)[:, self._region(region)]
            return window.sum(axis=(1, 2))
        ids = [c for c, _ in self.categories]
        if category not in ids:
            return np.zeros(((last - first).days + 1, 3))
        window = self._window(self.lines, first, last)[:, self._region(region), ids.index(category)]
        return window.sum(axis=1)[:, [L_REVENUE, L_ORDERS, L_UNITS]]

    def by_category(self, first: date, last: date, *, region: str | None = None) -> np.ndarray:
        """[category, (revenue, orders, units, cost)] summed over [first, last]."""
        return self._window(self.lines, first, last)[:, self._region(region)].sum(axis=(0, 1))

    def daily_by(self, dim: str, first: date, last: date) -> tuple[list[str], np.ndarray]:
        """(members, [day, member, measures]) by region, channel (order totals), category
        (lines) or paymentMethod (payments: amount, orders)."""
        if dim == "paymentMethod":
            return list(self.methods), self._window(self.payments, first, last).sum(axis=1)
        if dim == "category":
            return [c for c, _ in self.categories], self._window(self.lines, first, last).sum(axis=1)
        window = self._window(self.orders, first, last)
        if dim == "region":
            return list(self.regions), window.sum(axis=2)
        return list(self.channels), window.sum(axis=1)


_lock = threading.Lock()
_memo: list[tuple[dict, Cube]] = []  # (the artifact document, its cube): identity, not id()


def load(wh: Warehouse) -> Cube:
    """The cube of the current data version (built by one query the first time)."""
    from shared import artifacts

    doc = artifacts.cached(ARTIFACT, lambda: build(wh))
    with _lock:
        if _memo and _memo[0][0] is doc:
            return _memo[0][1]
        cube = Cube.from_doc(doc)
        _memo[:] = [(doc, cube)]
        return cube
