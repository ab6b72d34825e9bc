"""The copilot's view of the shared daily sales cube (`shared/cube.py`: one warehouse statement
once per data version for every sales service, the artifact `shared/daily-sales`): the additive
sales figures per day x region x country x channel (order level) and per day x region x country
x category (line level). The sales report sums them with numpy instead of scanning the lake per
request; only what does not add up across days (distinct customers) and the product ranking
still need a query.

Measures (the definitions of sales.py): revenue (completed orders' total_usd, or at line level
the lines' line_total_usd), orders (completed; at line level those with a line in the category),
units, returned and placed orders. Every one of them is a sum over orders, and an order has one
day, region, country and channel, so summing cells is exact.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from retail_copilot.periods import DATA_END, DATA_START, Period

MEASURES = ("revenue", "orders", "units", "returned", "placed")
# key columns of a cell: the day (offset from `start`), then an index into each list below (-1: the
# level has no such dimension)
DAY, REGION, COUNTRY, CHANNEL, CATEGORY = range(5)


class Cube:
    def __init__(self, shared: Any) -> None:
        import numpy as np
        from shared import cube as sc

        self.start = shared.first or DATA_START
        self.regions = shared.labels["region"]
        self.countries = shared.labels["country"]
        self.channels = shared.labels["channel"]
        self.categories = shared.labels["category"]
        self.levels = {}
        for level, member, amount, column in (
            ("orders", "channel", "total", CHANNEL),
            ("lines", "category", "revenue", CATEGORY),
        ):
            spec = {
                "revenue": (amount, sc.COMPLETED),
                "orders": ("orders", sc.COMPLETED),
                "units": ("units", sc.COMPLETED),
                "returned": ("orders", sc.RETURNED),
                "placed": ("orders", sc.ANY),
            }
            # one cell per day x region x country x member with any order placed, sorted by day
            keys, values = shared.rollup(level, ("region", "country", member), spec)
            cells = np.full((len(keys), 5), -1, dtype=np.int64)
            cells[:, [DAY, REGION, COUNTRY, column]] = keys
            self.levels[level] = (cells, values)

    def _slice(self, level: str, period: Period, filters: Any) -> tuple[Any, Any]:
        """The keys and values of the period's cells that match the filters."""
        import numpy as np

        keys, values = self.levels[level]
        first, last = (period.first - self.start).days, (period.last - self.start).days
        lo, hi = np.searchsorted(keys[:, DAY], first, "left"), np.searchsorted(keys[:, DAY], last, "right")
        keys, values = keys[lo:hi], values[lo:hi]
        mask = np.ones(len(keys), dtype=bool)
        for column, wanted, names in (
            (COUNTRY, filters.country, self.countries),
            (REGION, filters.region, self.regions),
            (CHANNEL, filters.channel, self.channels),
            (CATEGORY, filters.category, self.categories),
        ):
            if wanted:
                mask &= keys[:, column] == (names.index(wanted) if wanted in names else -2)
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
            "country": (COUNTRY, self.countries),
            "channel": (CHANNEL, self.channels),
            "category": (CATEGORY, self.categories),
            "region": (REGION, self.regions),
        }[dimension]
        groups = sel_keys[:, column]
        sums = np.zeros((len(names), sel_vals.shape[1]))
        np.add.at(sums, groups, sel_vals)
        present = np.bincount(groups, minlength=len(names)) > 0
        return {names[index]: sums[index].tolist() for index in np.flatnonzero(present)}

    def _by_time(self, unit: str, keys: Any, values: Any) -> dict[Any, list[float]]:
        import numpy as np

        if not len(keys):
            return {}
        first = int(keys[:, DAY].min())
        sums = np.zeros((int(keys[:, DAY].max()) - first + 1, values.shape[1]))
        np.add.at(sums, keys[:, DAY] - first, values)
        present = np.bincount(keys[:, DAY] - first) > 0
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


def cube() -> Cube:
    """The cube of the current data version (viewed once per process and version)."""
    from shared import cube as shared_cube

    return shared_cube.load().view("retail-copilot", Cube)


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
