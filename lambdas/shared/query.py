"""The platform's structured query engine: a query as data in, one parameterised SQL statement
over an allow-list of tables and columns out. `/analytics/query` answers with it; the copilot and
any service that needs an ad-hoc aggregation use it too.

    from shared.query import StructuredQuery, run_query
    q = StructuredQuery.from_dict({
        "dataset": "orders",
        "metrics": [{"field": "total_usd", "agg": "sum", "alias": "revenue"}],
        "dimensions": ["region", "order_date:month"],
        "filters": [{"field": "status", "op": "eq", "value": "completed"}],
        "orderBy": [{"field": "revenue", "direction": "desc"}],
        "from": "2025-01-01", "to": "2025-06-30", "limit": 50,
    })
    result = run_query(q)            # QueryResult; result.to_dict() is the contract's QueryResult
    sql, params, columns = compile_query(q)   # what would run, without running it

What a query may say (`api/openapi.yaml`: StructuredQuery):
- `dataset`: a table of `shared.lake_schema` (the copy of `datagen/schema.py`).
- `metrics` (1..10): `count` of `*` or a column, `count_distinct` of a column, `sum`/`avg` of a
  number or boolean column (a boolean counts as 1/0: `avg` of `is_fraud` is the fraud rate),
  `min`/`max` of a number, date, timestamp or string column. `alias` names the result column
  (default `<agg>_<field>`, `count` for `count` of `*`); result names are lower case.
- `dimensions` (0..5): columns to group by, or `<date column>:<day|week|month|quarter|year>`
  for the first day of the column's day, ISO week (Monday), month, quarter or year (result
  column `<column>_<unit>`).
- `filters` (0..20, ANDed): `{field, op, value}` with op `eq ne gt gte lt lte` (one value of
  the column's type: string, integer, number, boolean, or an ISO date / date-time string for
  date and timestamp columns), `in` (1..100 values), `between` ([low, high], inclusive).
- `orderBy` (0..5): a dimension (as written, or its result name) or a metric alias, `asc` or
  `desc` (default). Remaining dimensions follow, ascending, so the order is total.
- `from`/`to`: rows of those days (inclusive) by the table's date column (PERIOD_COLUMNS);
  on partitioned tables the year/month partitions outside the period are not read.
- `limit` (1..10000, default 100): at most that many rows; one more is fetched to tell whether
  the answer was `truncated`.

Safety: names are looked up in the allow-list and never copied from the request into the SQL
(the SQL holds only the allow-list's own spellings); every value is a `?` parameter of the
type the column has; list sizes, string lengths and counts are bounded. Anything else is a
400 VALIDATION_ERROR that names the failing field (e.g. `filters[2].value`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.errors import BadRequest
from shared.lake_schema import TABLES

AGGREGATIONS = ("sum", "avg", "count", "count_distinct", "min", "max")
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "between")
TRUNCATIONS = ("day", "week", "month", "quarter", "year")
MAX_METRICS, MAX_DIMENSIONS, MAX_FILTERS, MAX_ORDER = 10, 5, 20, 5
MAX_IN_VALUES = 100
MAX_STRING = 512
MAX_LIMIT, DEFAULT_LIMIT = 10_000, 100
# The date column a query's from/to applies to, per table (tables without one refuse from/to).
PERIOD_COLUMNS: dict[str, str] = {
    "exchange_rates": "rate_date",
    "products": "launched_date",
    "price_history": "week_start",
    "customers": "signup_date",
    "orders": "order_date",
    "order_items": "order_date",
    "payments": "created_ts",
    "competitor_prices": "observed_date",
    "inventory": "snapshot_date",
}
# Payments are partitioned by their order's date and authorised seconds to minutes later, so a
# payment of day d can sit in the partition of d - 1 day (an order placed just before midnight).
_PARTITION_SLACK_DAYS = {"payments": 1}

_NUMERIC = {"int", "bigint", "double"}
_INTEGER = {"int", "bigint"}
_ORDERED = _NUMERIC | {"date", "timestamp", "string"}
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_RESULT_TYPES = {
    "string": "string",
    "int": "integer",
    "bigint": "integer",
    "double": "number",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def columns_of(dataset: str) -> dict[str, str]:
    """column -> Glue type of a table of the allow-list (partition keys included)."""
    return {name: kind for name, kind, _ in TABLES[dataset][3]}


# ---- the query, as data ---------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    field: str
    agg: str
    alias: str | None = None


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Order:
    field: str
    direction: str = "desc"


@dataclass(frozen=True)
class StructuredQuery:
    dataset: str
    metrics: tuple[Metric, ...]
    dimensions: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    order_by: tuple[Order, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> StructuredQuery:
        """The contract's StructuredQuery (camelCase JSON) as a query; shapes it cannot have
        are a 400 naming the field. Names and values are checked by `compile_query`."""
        if not isinstance(doc, Mapping):
            raise _bad("body", "must be an object")
        known = {"dataset", "metrics", "dimensions", "filters", "orderBy", "from", "to", "limit"}
        for key in doc:
            if key not in known:
                raise _bad(str(key)[:64], "is not allowed")
        metrics = tuple(
            Metric(
                field=_str(m, "field", f"metrics[{i}].field"),
                agg=_str(m, "agg", f"metrics[{i}].agg"),
                alias=_str(m, "alias", f"metrics[{i}].alias", required=False),
            )
            for i, m in enumerate(_objects(doc.get("metrics"), "metrics", ("field", "agg", "alias")))
        )
        dims = doc.get("dimensions") or []
        if not isinstance(dims, list):
            raise _bad("dimensions", "must be a list")
        for i, d in enumerate(dims):
            if not isinstance(d, str):
                raise _bad(f"dimensions[{i}]", "must be a string")
        filters = tuple(
            Filter(
                field=_str(f, "field", f"filters[{i}].field"),
                op=_str(f, "op", f"filters[{i}].op"),
                value=_required(f, "value", f"filters[{i}].value"),
            )
            for i, f in enumerate(_objects(doc.get("filters") or [], "filters", ("field", "op", "value")))
        )
        order = tuple(
            Order(
                field=_str(o, "field", f"orderBy[{i}].field"),
                direction=_str(o, "direction", f"orderBy[{i}].direction", required=False) or "desc",
            )
            for i, o in enumerate(_objects(doc.get("orderBy") or [], "orderBy", ("field", "direction")))
        )
        limit = doc.get("limit", DEFAULT_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise _bad("limit", "must be an integer")
        dataset = doc.get("dataset")
        if not isinstance(dataset, str):
            raise _bad("dataset", "is required" if dataset is None else "must be a string")
        return cls(
            dataset=dataset,
            metrics=metrics,
            dimensions=tuple(dims),
            filters=filters,
            order_by=order,
            date_from=_date_of(doc.get("from"), "from"),
            date_to=_date_of(doc.get("to"), "to"),
            limit=limit,
        )


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the contract's QueryColumn.type


@dataclass
class QueryResult:
    dataset: str
    columns: list[Column]
    rows: list[list[Any]]
    truncated: bool
    engine: str
    elapsed_ms: int
    bytes_scanned: int
    sql: str = field(default="", repr=False)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """The contract's QueryResult."""
        return {
            "dataset": self.dataset,
            "columns": [{"name": c.name, "type": c.type} for c in self.columns],
            "rows": [[_json_value(v) for v in row] for row in self.rows],
            "rowCount": self.row_count,
            "truncated": self.truncated,
            "engine": self.engine,
            "elapsedMs": self.elapsed_ms,
            "bytesScanned": self.bytes_scanned,
        }


# ---- compile --------------------------------------------------------------------------------
def compile_query(q: StructuredQuery) -> tuple[str, list[Any], list[Column]]:
    """(SQL with `?` placeholders, the parameters, the result columns) of a query, or a 400
    naming the first failing field. Pure: no I/O."""
    if q.dataset not in TABLES:
        raise _bad("dataset", "is not a dataset: one of " + ", ".join(TABLES))
    table = q.dataset
    cols = columns_of(table)
    partitioned = bool(TABLES[table][2])
    if not q.metrics:
        raise _bad("metrics", "needs at least one metric")
    _bounded(q.metrics, MAX_METRICS, "metrics")
    _bounded(q.dimensions, MAX_DIMENSIONS, "dimensions")
    _bounded(q.filters, MAX_FILTERS, "filters")
    _bounded(q.order_by, MAX_ORDER, "orderBy")
    if isinstance(q.limit, bool) or not isinstance(q.limit, int) or not 1 <= q.limit <= MAX_LIMIT:
        raise _bad("limit", f"must be an integer between 1 and {MAX_LIMIT}")

    select: list[str] = []
    columns: list[Column] = []
    names: dict[str, int] = {}  # result name (and dimension as written) -> 1-based position

    for i, dim in enumerate(q.dimensions):
        where = f"dimensions[{i}]"
        expr, name, kind = _dimension(dim, cols, where)
        if name in names:
            raise _bad(where, "is repeated")
        select.append(f"{expr} AS {_quote(name)}")
        columns.append(Column(name, kind))
        names[name] = len(columns)
        names.setdefault(dim, len(columns))

    for i, metric in enumerate(q.metrics):
        expr, name, kind = _metric(metric, cols, f"metrics[{i}]")
        if name in names:
            raise _bad(f"metrics[{i}].alias", f"{name!r} is already a result column: give an alias")
        select.append(f"{expr} AS {_quote(name)}")
        columns.append(Column(name, kind))
        names[name] = len(columns)

    conditions: list[str] = []
    params: list[Any] = []
    for i, flt in enumerate(q.filters):
        sql, values = _filter(flt, cols, f"filters[{i}]")
        conditions.append(sql)
        params.extend(values)
    period_sql, period_params = _period(q, table, cols, partitioned)
    conditions += period_sql
    params += period_params

    ordering: list[str] = []
    used: set[int] = set()
    for i, order in enumerate(q.order_by):
        position = names.get(order.field)
        if position is None:
            raise _bad(f"orderBy[{i}].field", "is not a dimension or metric of the query")
        if order.direction not in ("asc", "desc"):
            raise _bad(f"orderBy[{i}].direction", "must be asc or desc")
        if position in used:
            raise _bad(f"orderBy[{i}].field", "is repeated")
        used.add(position)
        ordering.append(f"{position} {order.direction.upper()}")
    dims = len(q.dimensions)
    ordering += [f"{p} ASC" for p in range(1, dims + 1) if p not in used]

    # every piece is the allow-list's spelling or a fixed keyword; values are `?` parameters
    sql = f"SELECT {', '.join(select)} FROM {_quote(table)}"  # noqa: S608
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    if dims:
        sql += " GROUP BY " + ", ".join(str(p) for p in range(1, dims + 1))
    if ordering:
        sql += " ORDER BY " + ", ".join(ordering)
    sql += f" LIMIT {int(q.limit) + 1}"  # an int checked above; one more row tells `truncated`
    return sql, params, columns


def _dimension(dim: str, cols: Mapping[str, str], where: str) -> tuple[str, str, str]:
    if not isinstance(dim, str) or not dim or len(dim) > 64:
        raise _bad(where, "must be a column name")
    column, _, unit = dim.partition(":")
    name = _known(column, cols, where)
    if not unit:
        return _quote(name), name, _RESULT_TYPES[cols[name]]
    if cols[name] not in ("date", "timestamp"):
        raise _bad(where, f"{name} is not a date column: only date columns take :{unit}")
    if unit not in TRUNCATIONS:
        raise _bad(where, "the truncation must be one of " + ", ".join(TRUNCATIONS))
    # `unit` is one of TRUNCATIONS, so the literal is ours, not the caller's
    return f"CAST(date_trunc('{unit}', {_quote(name)}) AS DATE)", f"{name}_{unit}", "date"


def _metric(metric: Metric, cols: Mapping[str, str], where: str) -> tuple[str, str, str]:
    if metric.agg not in AGGREGATIONS:
        raise _bad(f"{where}.agg", "must be one of " + ", ".join(AGGREGATIONS))
    if metric.alias is not None and not (isinstance(metric.alias, str) and _ALIAS.fullmatch(metric.alias)):
        raise _bad(f"{where}.alias", "must be a name of letters, digits and _ (at most 64)")
    if metric.field == "*":
        if metric.agg != "count":
            raise _bad(f"{where}.field", "* only counts rows: use agg count")
        return "COUNT(*)", (metric.alias or "count").lower(), "integer"
    name = _known(metric.field, cols, f"{where}.field")
    kind = cols[name]
    alias = (metric.alias or f"{metric.agg}_{name}").lower()
    col = _quote(name)
    if metric.agg == "count":
        return f"COUNT({col})", alias, "integer"
    if metric.agg == "count_distinct":
        return f"COUNT(DISTINCT {col})", alias, "integer"
    if metric.agg in ("sum", "avg"):
        if kind == "boolean":
            col = f"CAST({col} AS INTEGER)"
        elif kind not in _NUMERIC:
            raise _bad(f"{where}.field", f"{name} is {kind}: {metric.agg} needs a number or boolean column")
        if metric.agg == "avg":
            return f"AVG(CAST({col} AS DOUBLE))", alias, "number"
        return f"SUM({col})", alias, ("number" if kind == "double" else "integer")
    if kind not in _ORDERED:
        raise _bad(f"{where}.field", f"{name} is {kind}: {metric.agg} needs a number, date or string column")
    return f"{metric.agg.upper()}({col})", alias, _RESULT_TYPES[kind]


_COMPARISONS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _filter(flt: Filter, cols: Mapping[str, str], where: str) -> tuple[str, list[Any]]:
    name = _known(flt.field, cols, f"{where}.field")
    kind = cols[name]
    col = _quote(name)
    if flt.op not in OPERATORS:
        raise _bad(f"{where}.op", "must be one of " + ", ".join(OPERATORS))
    value_field = f"{where}.value"
    if flt.op in ("eq", "ne"):
        return f"{col} {_COMPARISONS[flt.op]} ?", [_value(flt.value, kind, value_field)]
    if flt.op in _COMPARISONS:
        if kind not in _ORDERED:
            raise _bad(f"{where}.op", f"{name} is {kind}: {flt.op} needs an ordered column")
        return f"{col} {_COMPARISONS[flt.op]} ?", [_value(flt.value, kind, value_field)]
    if not isinstance(flt.value, (list, tuple)):
        raise _bad(value_field, f"{flt.op} takes a list")
    if flt.op == "in":
        if not 1 <= len(flt.value) <= MAX_IN_VALUES:
            raise _bad(value_field, f"in takes 1 to {MAX_IN_VALUES} values")
        values = [_value(v, kind, f"{value_field}[{j}]") for j, v in enumerate(flt.value)]
        return f"{col} IN ({', '.join('?' * len(values))})", values
    if len(flt.value) != 2:
        raise _bad(value_field, "between takes [low, high]")
    if kind not in _ORDERED:
        raise _bad(f"{where}.op", f"{name} is {kind}: between needs an ordered column")
    low, high = (_value(v, kind, f"{value_field}[{j}]") for j, v in enumerate(flt.value))
    return f"{col} BETWEEN ? AND ?", [low, high]


def _period(
    q: StructuredQuery, table: str, cols: Mapping[str, str], partitioned: bool
) -> tuple[list[str], list]:
    if q.date_from is None and q.date_to is None:
        return [], []
    column = PERIOD_COLUMNS.get(table)
    if column is None:
        raise _bad("from" if q.date_from is not None else "to", f"{table} has no date to take a period on")
    if q.date_from is not None and q.date_to is not None and q.date_from > q.date_to:
        raise _bad("from", "must not be after to")
    conditions: list[str] = []
    params: list[Any] = []
    col = _quote(column)
    timestamp = cols[column] == "timestamp"
    if q.date_from is not None:
        conditions.append(f"{col} >= ?")
        params.append(dt.datetime.combine(q.date_from, dt.time()) if timestamp else q.date_from)
    if q.date_to is not None:
        if timestamp:
            conditions.append(f"{col} < ?")
            params.append(dt.datetime.combine(q.date_to + dt.timedelta(days=1), dt.time()))
        else:
            conditions.append(f"{col} <= ?")
            params.append(q.date_to)
    if partitioned:
        first = q.date_from - dt.timedelta(days=_PARTITION_SLACK_DAYS.get(table, 0)) if q.date_from else None
        sql, values = partition_filter(first, q.date_to)
        conditions.append(sql)
        params.extend(values)
    return conditions, params


def partition_filter(first: dt.date | None, last: dt.date | None, alias: str = "") -> tuple[str, list[int]]:
    """A WHERE condition on the `year`/`month` partition columns that keeps the months of
    [first, last] (either end open), so Athena and DuckDB read only those partitions.
    `alias` qualifies the columns (`oi` -> `oi.year`)."""
    year, month = (f"{alias}.year", f"{alias}.month") if alias else ("year", "month")
    parts: list[str] = []
    params: list[int] = []
    if first is not None:
        parts.append(f"{year} >= ? AND ({year} > ? OR {month} >= ?)")
        params += [first.year, first.year, first.month]
    if last is not None:
        parts.append(f"{year} <= ? AND ({year} < ? OR {month} <= ?)")
        params += [last.year, last.year, last.month]
    return "(" + " AND ".join(parts) + ")" if parts else "TRUE", params


# ---- run ------------------------------------------------------------------------------------
def run_query(q: StructuredQuery, warehouse: Any = None, *, reuse_minutes: int | None = None) -> QueryResult:
    """Compile and run `q` on the warehouse (the process's own by default): one statement."""
    from shared import warehouse as wh

    sql, params, columns = compile_query(q)
    engine = warehouse or wh.get_warehouse()
    before = wh.usage.snapshot()[1]
    started = time.perf_counter()
    _, rows = engine.query_columns(
        sql, params, max_rows=q.limit + 1, **({"reuse_minutes": reuse_minutes} if reuse_minutes else {})
    )
    elapsed = int((time.perf_counter() - started) * 1000)
    truncated = len(rows) > q.limit
    return QueryResult(
        dataset=q.dataset,
        columns=columns,
        rows=[list(r) for r in rows[: q.limit]],
        truncated=truncated,
        engine=getattr(engine, "backend", "") or "duckdb",
        elapsed_ms=elapsed,
        bytes_scanned=max(0, wh.usage.snapshot()[1] - before),
        sql=sql,
    )


# ---- helpers --------------------------------------------------------------------------------
def _bad(where: str, message: str) -> BadRequest:
    return BadRequest.fields({where: message}, f"Invalid query: {where} {message}")


def _quote(identifier: str) -> str:
    # only ever called with names of the allow-list (or result names built from them / checked
    # against _ALIAS), which are [a-z_][a-z0-9_]*: quoting keeps reserved words harmless
    return f'"{identifier}"'


def _known(name: Any, cols: Mapping[str, str], where: str) -> str:
    if not isinstance(name, str) or name not in cols:
        raise _bad(where, "is not a column of the dataset")
    return name


def _bounded(items: Sequence[Any], maximum: int, where: str) -> None:
    if not isinstance(items, (list, tuple)):
        raise _bad(where, "must be a list")
    if len(items) > maximum:
        raise _bad(where, f"must have at most {maximum} items")


def _value(value: Any, kind: str, where: str) -> Any:
    """`value` as a parameter of the column's type, or a 400."""
    if kind == "string":
        if not isinstance(value, str):
            raise _bad(where, "must be a string")
        if len(value) > MAX_STRING:
            raise _bad(where, f"must be at most {MAX_STRING} characters")
        if "\x00" in value:
            raise _bad(where, "must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad(where, "is not valid Unicode") from None
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _bad(where, "must be true or false")
        return value
    if kind in _INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise _bad(where, "must be an integer")
        if abs(value) >= 2**63:
            raise _bad(where, "is out of range")
        return value
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(where, "must be a number")
        value = float(value)
        if not math.isfinite(value):
            raise _bad(where, "must be a finite number")
        return value
    if kind == "date":
        return _date_of(value, where, required=True)
    if kind == "timestamp":
        if isinstance(value, str) and len(value) == 10:
            day = _date_of(value, where, required=True)
            return dt.datetime.combine(day, dt.time())
        if not isinstance(value, str) or len(value) > 32:
            raise _bad(where, "must be an ISO date-time (YYYY-MM-DDTHH:MM:SS)")
        try:
            stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _bad(where, "must be an ISO date-time (YYYY-MM-DDTHH:MM:SS)") from None
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
        return stamp
    raise _bad(where, f"cannot filter a {kind} column")  # pragma: no cover - every type is above


def _date_of(value: Any, where: str, *, required: bool = False) -> dt.date | None:
    if value is None and not required:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
            if day.isoformat() == value:
                return day
        except ValueError:
            pass
    raise _bad(where, "must be a date (YYYY-MM-DD)")


def _objects(items: Any, where: str, keys: tuple[str, ...]) -> list[Mapping[str, Any]]:
    if items is None:
        raise _bad(where, "is required")
    if not isinstance(items, list):
        raise _bad(where, "must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _bad(f"{where}[{i}]", "must be an object")
        for key in item:
            if key not in keys:
                raise _bad(f"{where}[{i}].{str(key)[:64]}", "is not allowed")
    return items


def _str(item: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> Any:
    value = item.get(key)
    if value is None:
        if required:
            raise _bad(where, "is required")
        return None
    if not isinstance(value, str):
        raise _bad(where, "must be a string")
    return value


def _required(item: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in item or item[key] is None:
        raise _bad(where, "is required")
    return item[key]


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        # sums of doubles carry binary noise (338182.8999999999): 6 decimals keep every cent
        return round(value, 6) if math.isfinite(value) else None
    return value
