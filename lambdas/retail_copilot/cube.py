"""The copilot's daily sales cube: the additive sales figures per day x country x channel
(order level) and per day x country x category (line level), computed by two
warehouse queries once per data version and kept as a `shared.artifacts` document
(`copilot/sales-cube`). The sales report sums it with numpy instead of scanning the lake per
request; only what does not add up across days (distinct customers) and the product ranking
still need a query.

Measures (the definitions of sales.py): revenue (completed orders' total_usd, or at line level
the lines' line_total_usd), orders (completed; at line level those with a line in the category),
units, returned and placed orders. Every one of them is a sum over orders, and an order has one
day, country and channel, so summing cells is exact.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

from shared import artifacts
from shared.warehouse import get_warehouse

from retail_copilot.periods import DATA_END, DATA_START, Period

ARTIFACT = "copilot/daily-sales"
MEASURES = ("revenue", "orders", "units", "returned", "placed")
CHANNELS = ("web", "mobile_app", "marketplace")

_ORDER_LEVEL = """
SELECT o.order_date AS day, o.country, o.channel,
       SUM(CASE WHEN o.status = 'completed' THEN o.total_usd ELSE 0 END) AS revenue,
       SUM(CASE WHEN o.status = 'completed' THEN 1 ELSE 0 END) AS orders,
       SUM(CASE WHEN o.status = 'completed' THEN COALESCE(u.units, 0) ELSE 0 END) AS units,
       SUM(CASE WHEN o.status = 'returned' THEN 1 ELSE 0 END) AS returned,
       COUNT(*) AS placed
FROM orders o
LEFT JOIN (SELECT order_id, SUM(quantity) AS units FROM order_items GROUP BY order_id) u ON u.order_id = o.order_id
GROUP BY o.order_date, o.country, o.channel"""

_LINE_LEVEL = """
WITH g AS (
  SELECT o.order_date AS day, o.country, p.category_id, o.order_id, o.status,
         SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units
  FROM orders o
  JOIN order_items oi ON oi.order_id = o.order_id AND oi.year = o.year AND oi.month = o.month
  JOIN products p ON p.product_id = oi.product_id
  GROUP BY o.order_date, o.country, p.category_id, o.order_id, o.status
)
SELECT day, country, category_id,
       SUM(CASE WHEN status = 'completed' THEN revenue ELSE 0 END) AS revenue,
       SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS orders,
       SUM(CASE WHEN status = 'completed' THEN units ELSE 0 END) AS units,
       SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) AS returned,
       COUNT(*) AS placed
FROM g GROUP BY day, country, category_id"""


def _pack(array: Any) -> dict[str, Any]:
    import numpy as np

    array = np.ascontiguousarray(array)
    return {
        "dtype": str(array.dtype),
        "shape": list(array.shape),
        "b64": base64.b64encode(array.tobytes()).decode(),
    }


def _unpack(doc: dict[str, Any]) -> Any:
    import numpy as np

    return np.frombuffer(base64.b64decode(doc["b64"]), dtype=doc["dtype"]).reshape(doc["shape"])


def compute() -> dict[str, Any]:
    import numpy as np

    wh = get_warehouse()
    regions = wh.query("SELECT country, region FROM regions ORDER BY country")
    countries = [r["country"] for r in regions]
    categories = [
        r["category_id"] for r in wh.query("SELECT category_id FROM categories ORDER BY category_id")
    ]
    c_index = {c: i for i, c in enumerate(countries)}
    h_index = {h: i for i, h in enumerate(CHANNELS)}
    k_index = {k: i for i, k in enumerate(categories)}

    def level(sql: str, with_category: bool) -> dict[str, Any]:
        # keys (day, country, channel or -1, category or -1) as int16, revenue as float64,
        # the four counts as int32: 28 bytes a cell
        rows = wh.query(sql, max_rows=None)
        keys = np.zeros((len(rows), 4), dtype=np.int16)
        revenue = np.zeros(len(rows), dtype=np.float64)
        counts = np.zeros((len(rows), len(MEASURES) - 1), dtype=np.int32)
        n = 0
        for r in rows:
            c = c_index.get(r["country"])
            h = -1 if with_category else h_index.get(r["channel"])
            k = k_index.get(r["category_id"]) if with_category else -1
            if c is None or h is None or k is None:
                continue
            keys[n] = ((r["day"] - DATA_START).days, c, h, k)
            revenue[n] = float(r["revenue"] or 0)
            counts[n] = [int(r[m] or 0) for m in MEASURES[1:]]
            n += 1
        return {"keys": _pack(keys[:n]), "revenue": _pack(revenue[:n]), "counts": _pack(counts[:n])}

    return {
        "start": DATA_START.isoformat(),
        "countries": countries,
        "regions": [r["region"] for r in regions],
        "channels": list(CHANNELS),
        "categories": categories,
        "orders": level(_ORDER_LEVEL, False),
        "lines": level(_LINE_LEVEL, True),
    }


class Cube:
    def __init__(self, doc: dict[str, Any]) -> None:
        import numpy as np

        self.start = date.fromisoformat(doc["start"])
        self.countries = doc["countries"]
        self.region_of = dict(zip(doc["countries"], doc["regions"], strict=True))
        self.channels = doc["channels"]
        self.categories = doc["categories"]
        self.levels = {}
        for name in ("orders", "lines"):
            keys = _unpack(doc[name]["keys"]).astype(np.int64)
            values = np.column_stack(
                [_unpack(doc[name]["revenue"]), _unpack(doc[name]["counts"]).astype(np.float64)]
            )
            order = np.argsort(keys[:, 0], kind="stable")  # by day: a period is one slice
            self.levels[name] = (keys[order], values[order])

    def _slice(self, level: str, period: Period, filters: Any) -> tuple[Any, Any]:
        """The keys and values of the period's cells that match the filters."""
        import numpy as np

        keys, values = self.levels[level]
        first, last = (period.first - self.start).days, (period.last - self.start).days
        lo, hi = np.searchsorted(keys[:, 0], first, "left"), np.searchsorted(keys[:, 0], last, "right")
        keys, values = keys[lo:hi], values[lo:hi]
        mask = np.ones(len(keys), dtype=bool)
        if filters.country:
            mask &= keys[:, 1] == (
                self.countries.index(filters.country) if filters.country in self.countries else -1
            )
        if filters.region:
            wanted = [i for i, c in enumerate(self.countries) if self.region_of[c] == filters.region]
            mask &= np.isin(keys[:, 1], wanted)
        if filters.channel:
            mask &= keys[:, 2] == (
                self.channels.index(filters.channel) if filters.channel in self.channels else -1
            )
        if filters.category:
            mask &= keys[:, 3] == (
                self.categories.index(filters.category) if filters.category in self.categories else -1
            )
        return keys[mask], values[mask]

    def by(
        self, dimension: str | None, period: Period, filters: Any, *, lines: bool = False
    ) -> dict[Any, list[float]]:
        """{group key: [revenue, orders, units, returned, placed]} (one key, None, without a
        dimension). Line level when asked, for a category dimension, or with a category filter;
        the line level has no channel (ValueError: ask sales.py)."""
        import numpy as np

        level = "lines" if (lines or dimension == "category" or filters.category) else "orders"
        if level == "lines" and (dimension == "channel" or filters.channel):
            raise ValueError("the cube's line level has no channel")
        sel_keys, sel_vals = self._slice(level, period, filters)
        if dimension is None:
            return {None: sel_vals.sum(axis=0).tolist()}
        if dimension in ("day", "week", "month"):
            return self._by_time(dimension, sel_keys, sel_vals)
        column, names = {
            "country": (1, self.countries),
            "channel": (2, self.channels),
            "category": (3, self.categories),
            "region": (1, self.countries),
        }[dimension]
        out: dict[Any, list[float]] = {}
        groups = sel_keys[:, column]
        sums = np.zeros((len(names), sel_vals.shape[1]))
        np.add.at(sums, groups, sel_vals)
        present = np.bincount(groups, minlength=len(names)) > 0
        for index in np.flatnonzero(present):
            name = names[index] if dimension != "region" else self.region_of[names[index]]
            out[name] = (
                (np.asarray(out[name]) + sums[index]).tolist() if name in out else sums[index].tolist()
            )
        return out

    def _by_time(self, unit: str, keys: Any, values: Any) -> dict[Any, list[float]]:
        import numpy as np

        if not len(keys):
            return {}
        first = int(keys[:, 0].min())
        sums = np.zeros((int(keys[:, 0].max()) - first + 1, values.shape[1]))
        np.add.at(sums, keys[:, 0] - first, values)
        present = np.bincount(keys[:, 0] - first) > 0
        out: dict[Any, list[float]] = {}
        for offset in np.flatnonzero(present):
            day = self.start + timedelta(days=first + int(offset))
            if unit == "week":
                day -= timedelta(days=day.weekday())
            elif unit == "month":
                day = day.replace(day=1)
            key = day.isoformat()
            out[key] = (np.asarray(out[key]) + sums[offset]).tolist() if key in out else sums[offset].tolist()
        return out

    def supports(self, dimension: str | None, filters: Any) -> bool:
        """Whether `by` can answer: no product filter, and no channel at the line level."""
        if filters.product or filters.products:
            return False
        lines = dimension == "category" or bool(filters.category)
        return not (lines and (dimension == "channel" or filters.channel))


_cube: tuple[int, Cube] | None = None


def cube() -> Cube:
    """The cube of the current data version (built once per process and version)."""
    global _cube
    doc = artifacts.cached(ARTIFACT, compute)
    if _cube is None or _cube[0] != id(doc):
        _cube = (id(doc), Cube(doc))
    return _cube[1]


def figures(values: list[float]) -> dict[str, Any]:
    """The cube's sums as sales.py's figures (without distinct customers)."""
    revenue, orders, units, returned, placed = values
    revenue = round(revenue, 2)
    return {
        "revenue": revenue,
        "orders": int(orders),
        "units": int(units),
        "aov": round(revenue / orders, 2) if orders else 0.0,
        "return_rate": round(returned / placed, 4) if placed else 0.0,
    }


def covers(period: Period) -> bool:
    return period.first >= DATA_START and period.last <= DATA_END
