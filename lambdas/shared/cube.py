"""The daily sales cube: what the lake's orders, order lines and payments add up to per day,
computed by ONE warehouse statement once per data version and kept as the artifact
`shared/daily-sales` (`shared.artifacts`: `_artifacts/` of the curated bucket in AWS,
`ARTIFACTS_DIR` locally). The services that report sales (analytics-service,
global-market-pulse, market-intelligence, retail-copilot) all read this one cube, so each
measure is defined once, here, and one statement per data version serves all of them.

    from shared import cube
    c = cube.load()
    lines = c.dense("lines", ("region", "category"), cube.columns("lines", cube.NOT_CANCELLED))
    lines.total(date(2026, 4, 1), date(2026, 6, 30), region="Nordics")   # [day, measure]

Three levels, each the list of the cells that occur (sparse), keyed by the day and four
dimensions, with additive measures (USD amounts):

| level    | dimensions                          | measures                                     |
|----------|-------------------------------------|----------------------------------------------|
| orders   | region, country, channel, status    | total (`orders.total_usd`: goods, shipping and tax), orders, units (`order_items.quantity`) |
| lines    | region, country, category, status   | revenue (`order_items.line_total_usd`: goods after coupon discounts, before tax and shipping), orders (orders with a line in the category), units, cost (quantity x `products.unit_cost`) |
| payments | region, country, method, status     | amount (`payments.amount_usd`), payments     |

The day is the order's (`orders.order_date`; `order_items.order_date` repeats it). An order has
one day, region, country, channel and status, so every measure adds up over cells exactly,
the orders of a category too (the category is part of the key). A NULL key is kept as "".

What counts as a sale is the reader's choice, so the order status is a dimension and the
choices are named once here: `COMPLETED` (analytics-service and retail-copilot: completed
orders), `NOT_CANCELLED` (global-market-pulse and market-intelligence: completed and returned
orders, the sale happened), `ANY` (every order placed: the copilot's return rate). Readers sum
the cells they need into dense numpy arrays (`dense`) or coarser sparse cells (`rollup`), once
per data version (`view` keeps what a service derives).
"""

from __future__ import annotations

import base64
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from shared import artifacts
from shared.warehouse import Warehouse, get_warehouse

ARTIFACT = "shared/daily-sales"
FORMAT = 1
DIMENSIONS = ("region", "country", "member", "status")  # the key columns after the day
LEVELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # level -> (dimensions, measures)
    "orders": (("region", "country", "channel", "status"), ("total", "orders", "units")),
    "lines": (("region", "country", "category", "status"), ("revenue", "orders", "units", "cost")),
    "payments": (("region", "country", "method", "status"), ("amount", "payments")),
}

# One statement (one Athena query, one scan of each table): every level as rows of
# (level, day, region, country, member, label, a, b, c, d); a..d are the level's measures in
# the order of LEVELS, label is the category's name (products.category) on the lines level.
_SQL = """
WITH units AS (SELECT order_id, SUM(quantity) AS units FROM order_items GROUP BY order_id)
SELECT 'orders' AS level, o.order_date AS day, COALESCE(o.region, '') AS region,
       COALESCE(o.country, '') AS country, COALESCE(o.channel, '') AS member,
       COALESCE(o.status, '') AS status, CAST(NULL AS VARCHAR) AS label,
       SUM(o.total_usd) AS a, CAST(COUNT(*) AS DOUBLE) AS b,
       CAST(SUM(COALESCE(u.units, 0)) AS DOUBLE) AS c, CAST(0 AS DOUBLE) AS d
FROM orders o LEFT JOIN units u ON u.order_id = o.order_id
GROUP BY o.order_date, o.region, o.country, o.channel, o.status
UNION ALL
SELECT 'lines', o.order_date, COALESCE(o.region, ''), COALESCE(o.country, ''),
       COALESCE(p.category_id, ''), COALESCE(o.status, ''), MAX(p.category),
       SUM(oi.line_total_usd), CAST(COUNT(DISTINCT oi.order_id) AS DOUBLE),
       CAST(SUM(oi.quantity) AS DOUBLE), SUM(oi.quantity * p.unit_cost)
FROM order_items oi
JOIN orders o ON o.order_id = oi.order_id AND o.year = oi.year AND o.month = oi.month
JOIN products p ON p.product_id = oi.product_id
GROUP BY o.order_date, o.region, o.country, p.category_id, o.status
UNION ALL
SELECT 'payments', o.order_date, COALESCE(o.region, ''), COALESCE(o.country, ''),
       COALESCE(pay.method, ''), COALESCE(o.status, ''), CAST(NULL AS VARCHAR),
       SUM(pay.amount_usd), CAST(COUNT(*) AS DOUBLE), CAST(0 AS DOUBLE), CAST(0 AS DOUBLE)
FROM payments pay
JOIN orders o ON o.order_id = pay.order_id AND o.year = pay.year AND o.month = pay.month
GROUP BY o.order_date, o.region, o.country, pay.method, o.status
"""


# ---- what counts as a sale ------------------------------------------------------------------
@dataclass(frozen=True)
class Statuses:
    """A set of order statuses: `only` these, or every status but `excluding`."""

    only: frozenset[str] | None = None
    excluding: frozenset[str] = frozenset()

    def __contains__(self, status: object) -> bool:
        if self.only is not None:
            return status in self.only
        return status not in self.excluding


COMPLETED = Statuses(only=frozenset({"completed"}))
NOT_CANCELLED = Statuses(excluding=frozenset({"cancelled", ""}))  # SQL's `status <> ?` drops NULL
RETURNED = Statuses(only=frozenset({"returned"}))
ANY = Statuses()

Column = tuple[str, Statuses]  # (a measure of the level, the statuses it counts)


def columns(level: str, statuses: Statuses) -> dict[str, Column]:
    """Every measure of `level`, counted over `statuses`."""
    return {m: (m, statuses) for m in LEVELS[level][1]}


# ---- the artifact ---------------------------------------------------------------------------
def _pack(array: np.ndarray) -> dict[str, Any]:
    # zlib: the keys repeat a lot (a third of the size); decompressing costs milliseconds
    array = np.ascontiguousarray(array)
    data = base64.b64encode(zlib.compress(array.tobytes(), 1)).decode()
    return {"dtype": str(array.dtype), "shape": list(array.shape), "z64": data}


def _unpack(doc: dict[str, Any]) -> np.ndarray:
    raw = zlib.decompress(base64.b64decode(doc["z64"]))
    return np.frombuffer(raw, dtype=doc["dtype"]).reshape(doc["shape"])


def compute(wh: Warehouse | None = None) -> dict[str, Any]:
    """The artifact document: the labels of every dimension and each level's cells."""
    wh = wh or get_warehouse()
    names, rows = wh.query_columns(_SQL, max_rows=None)
    at = {n: i for i, n in enumerate(names)}
    split: dict[str, list[tuple]] = {level: [] for level in LEVELS}
    for row in rows:
        if row[at["day"]] is not None:
            split[row[at["level"]]].append(row)
    by_level = {  # level -> column name -> values
        level: dict(zip(names, zip(*mine, strict=True), strict=True)) if mine else {n: () for n in names}
        for level, mine in split.items()
    }
    days = [d for columns in by_level.values() for d in (min(columns["day"], default=None),
            max(columns["day"], default=None)) if d is not None]  # fmt: skip
    first = min(days) if days else None
    labels = {
        dim: sorted({v for columns in by_level.values() for v in columns[dim]})
        for dim in ("region", "country", "status")
    }
    for level, (dims, _) in LEVELS.items():
        labels[dims[2]] = sorted(set(by_level[level]["member"]))
    n_days = (max(days) - first).days + 1 if days else 0
    if max([n_days, *map(len, labels.values())]) > 32767:
        raise ValueError("the cube's keys are int16: too many days or members")
    lines = by_level["lines"]
    category_names = {m: label or m for m, label in zip(lines["member"], lines["label"], strict=True)}
    doc: dict[str, Any] = {
        "format": FORMAT,
        "first": first.isoformat() if first else None,
        "days": n_days,
        "labels": labels,
        "categoryNames": dict(sorted(category_names.items())),
    }
    for level, (dims, measures) in LEVELS.items():
        columns = by_level[level]
        n = len(columns["day"])
        keys = np.zeros((n, 1 + len(dims)), dtype=np.int16)
        if n:
            ordinals = np.fromiter(map(date.toordinal, columns["day"]), dtype=np.int64, count=n)
            keys[:, 0] = ordinals - first.toordinal()
        for j, (dim, source) in enumerate(zip(dims, DIMENSIONS, strict=True), start=1):
            index = {v: i for i, v in enumerate(labels[dim])}
            keys[:, j] = np.fromiter(map(index.__getitem__, columns[source]), dtype=np.int16, count=n)
        values = np.zeros((n, len(measures)))
        for j, column in enumerate(("a", "b", "c", "d")[: len(measures)]):
            if n:  # None (a sum of nothing but NULLs) is nan here, then 0
                values[:, j] = np.nan_to_num(np.array(columns[column], dtype=np.float64), nan=0.0)
        # sorted by the keys (day first): the warehouse returns groups in any order, and the
        # order cells are summed in decides the last bits of a float (a half cent in a ratio)
        order = np.lexsort(keys.T[::-1])
        doc[level] = {"keys": _pack(keys[order]), "values": _pack(values[order])}
    return doc


# ---- reading it -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Dense:
    """Sums over a day axis and the kept dimensions: `values[day, *dims, measure]`, day 0 being
    `first`; `labels[dim]` names the members along each kept dimension."""

    first: date
    dims: tuple[str, ...]
    labels: dict[str, list[str]]
    measures: tuple[str, ...]
    values: np.ndarray

    @property
    def days(self) -> int:
        return int(self.values.shape[0])

    def measure(self, name: str) -> np.ndarray:
        """One measure's array [day, *dims]."""
        return np.ascontiguousarray(self.values[..., self.measures.index(name)])

    def window(self, first: date, last: date) -> np.ndarray:
        """The rows of every day of [first, last]; zeros for days outside the array."""
        n = (last - first).days + 1
        out = np.zeros((max(n, 0), *self.values.shape[1:]))
        start = (first - self.first).days
        lo, hi = max(0, start), min(self.days, start + n)
        if lo < hi:
            out[lo - start : hi - start] = self.values[lo:hi]
        return out

    def total(self, first: date, last: date, keep: Sequence[str] = (), **where: str | None) -> np.ndarray:
        """[day, *kept dims, measure] over [first, last], summed over the dimensions not kept,
        restricted to the members `where` names (dim=member; None: all; an unknown one: zeros)."""
        unknown = sorted(set(where) - set(self.dims))
        if unknown:
            raise ValueError(f"no dimension {', '.join(unknown)} here (dimensions: {self.dims})")
        window = self.window(first, last)
        for axis, dim in enumerate(self.dims, start=1):
            member = where.get(dim)
            if member is not None:
                found = self.labels[dim]
                window = np.take(window, [found.index(member)] if member in found else [], axis=axis)
        gone = tuple(axis for axis, dim in enumerate(self.dims, start=1) if dim not in keep)
        return window.sum(axis=gone) if gone else window


class SalesCube:
    """The cells of the artifact document, as numpy arrays (see the module docstring)."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        if doc.get("format") != FORMAT:
            raise ValueError(f"unknown daily sales cube format {doc.get('format')!r}")
        self.first: date | None = date.fromisoformat(doc["first"]) if doc["first"] else None
        self.days: int = int(doc["days"])
        self.labels: dict[str, list[str]] = {k: list(v) for k, v in doc["labels"].items()}
        self.category_names: dict[str, str] = dict(doc["categoryNames"])
        self.cells = {
            level: (_unpack(doc[level]["keys"]).astype(np.int64), _unpack(doc[level]["values"]))
            for level in LEVELS
        }
        self._views: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def last(self) -> date | None:
        return self.first + timedelta(days=self.days - 1) if self.first else None

    def _selected(self, level: str, spec: Mapping[str, Column]) -> tuple[np.ndarray, np.ndarray]:
        """(keys, values) of the cells any column counts, values one column per `spec` entry
        (zero where the cell's status is not one that column counts)."""
        dims, measures = LEVELS[level]
        keys, values = self.cells[level]
        statuses = self.labels["status"]
        status = keys[:, 1 + dims.index("status")]
        out = np.zeros((len(keys), len(spec)))
        used = np.zeros(len(keys), dtype=bool)
        for j, (measure, counted) in enumerate(spec.values()):
            wanted = np.array([s in counted for s in statuses], dtype=bool)
            mask = wanted[status] if len(statuses) else np.zeros(len(keys), dtype=bool)
            out[:, j] = np.where(mask, values[:, measures.index(measure)], 0.0)
            used |= mask
        return keys[used], out[used]

    def members(self, level: str, dim: str, statuses: Statuses = ANY) -> list[str]:
        """The members of `dim` with cells of those statuses (sorted)."""
        keys, _ = self._selected(level, {"x": (LEVELS[level][1][0], statuses)})
        found = np.unique(keys[:, 1 + LEVELS[level][0].index(dim)])
        return [self.labels[dim][i] for i in found]

    def span(self, level: str, statuses: Statuses = ANY) -> tuple[date, date] | None:
        """The first and last day with cells of those statuses (None: no such cell)."""
        keys, _ = self._selected(level, {"x": (LEVELS[level][1][0], statuses)})
        if not len(keys) or self.first is None:
            return None
        return self.first + timedelta(days=int(keys[:, 0].min())), self.first + timedelta(
            days=int(keys[:, 0].max())
        )

    def rollup(
        self, level: str, dims: Sequence[str], spec: Mapping[str, Column]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coarser sparse cells: (keys [n, 1 + len(dims)]: the day offset from `first` and each
        dim's index into `labels[dim]`, values [n, len(spec)]), one row per combination that
        has a cell any column counts, sorted by the keys."""
        level_dims = LEVELS[level][0]
        keys, values = self._selected(level, spec)
        picked = keys[:, [0, *(1 + level_dims.index(d) for d in dims)]]
        if not len(picked):
            return picked, values
        # one int64 code per key (day major, like the sort order): a 1-d unique is 5x faster
        sizes = [len(self.labels[d]) for d in dims]
        code = picked[:, 0].copy()
        for j, size in enumerate(sizes, start=1):
            code = code * size + picked[:, j]
        codes, inverse = np.unique(code, return_inverse=True)
        groups = np.zeros((len(codes), len(picked[0])), dtype=np.int64)
        rest = codes
        for j in range(len(sizes), 0, -1):
            rest, groups[:, j] = np.divmod(rest, sizes[j - 1])
        groups[:, 0] = rest
        sums = np.zeros((len(codes), values.shape[1]))
        for j in range(values.shape[1]):
            sums[:, j] = np.bincount(inverse.reshape(-1), weights=values[:, j], minlength=len(codes))
        return groups, sums

    def dense(
        self,
        level: str,
        dims: Sequence[str],
        spec: Mapping[str, Column],
        *,
        labels: Mapping[str, Sequence[str]] | None = None,
        first: date | None = None,
        days: int | None = None,
    ) -> Dense:
        """`spec`'s columns summed per day of [first, first + days) and member of each of `dims`.
        Members: `labels[dim]` when given (cells of other members are left out), else those
        with cells the columns count. Days: the cube's own window unless given (cells outside
        are left out)."""
        level_dims = LEVELS[level][0]
        keys, values = self._selected(level, spec)
        first = first or self.first or date(1970, 1, 1)
        days = self.days if days is None else days
        offset = (first - self.first).days if self.first else 0
        day = keys[:, 0] - offset
        keep = (day >= 0) & (day < days)
        flat = day
        named: dict[str, list[str]] = {}
        for dim in dims:
            column = keys[:, 1 + level_dims.index(dim)]
            wanted = list(labels[dim]) if labels and dim in labels else None
            if wanted is None:
                wanted = [self.labels[dim][i] for i in np.unique(column)]
            position = {name: i for i, name in enumerate(wanted)}
            remap = np.array([position.get(name, -1) for name in self.labels[dim]], dtype=np.int64)
            mapped = remap[column] if len(remap) else np.zeros(len(column), dtype=np.int64)
            keep &= mapped >= 0
            flat = flat * len(wanted) + mapped
            named[dim] = wanted
        shape = (days, *(len(named[d]) for d in dims))
        size = int(np.prod(shape))
        out = np.zeros((size, len(spec)))
        for j in range(len(spec)):
            out[:, j] = np.bincount(flat[keep], weights=values[keep, j], minlength=size)
        return Dense(first, tuple(dims), named, tuple(spec), out.reshape(*shape, len(spec)))

    def view(self, name: str, build: Callable[[SalesCube], Any]) -> Any:
        """`build(self)`, computed once per cube (what a service derives for its requests)."""
        found = self._views.get(name)
        if found is None:
            with self._lock:
                found = self._views.get(name)
                if found is None:
                    found = self._views[name] = build(self)
        return found


def market_sales(
    c: SalesCube, *, regions: Sequence[str], categories: Sequence[str], first: date, days: int
) -> tuple[Dense, Dense]:
    """Sales as global-market-pulse and market-intelligence count them (orders not cancelled):
    (the lines' measures per day x region x category, the orders per day x region), over
    those members and days."""
    sold = NOT_CANCELLED
    labels = {"region": list(regions), "category": list(categories)}
    lines = c.dense(
        "lines", ("region", "category"), columns("lines", sold), labels=labels, first=first, days=days
    )
    orders = c.dense(
        "orders", ("region",), {"orders": ("orders", sold)}, labels=labels, first=first, days=days
    )
    return lines, orders


_lock = threading.Lock()
_memo: list[tuple[Any, SalesCube]] = []  # (the artifact document, its cube): identity, not id()


def load(wh: Warehouse | None = None) -> SalesCube:
    """The cube of the current data version (built by one query the first time)."""
    doc = artifacts.cached(ARTIFACT, lambda: compute(wh))
    with _lock:
        if _memo and _memo[0][0] is doc:
            return _memo[0][1]
        cube = SalesCube(doc)
        _memo[:] = [(doc, cube)]
        return cube
