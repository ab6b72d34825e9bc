"""The structured query engine (lambdas/shared/query.py): its allow-list is the dataset schema,
hostile names, values and operators are refused or bound as parameters, and what DuckDB
answers equals a straightforward pandas computation over the same Parquet files (a Hypothesis
property test). Also the warehouse's cost accounting and Athena's result reuse (Stubber).

Run `python -m tests.test_query_engine` to rewrite lambdas/shared/lake_schema.py from
datagen/schema.py after the schema changed."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared import lake_schema
from shared import warehouse as wmod
from shared.errors import BadRequest
from shared.query import (
    MAX_IN_VALUES,
    PERIOD_COLUMNS,
    Filter,
    Metric,
    Order,
    StructuredQuery,
    columns_of,
    compile_query,
    run_query,
)
from shared.warehouse import AthenaWarehouse, DuckDBWarehouse

from datagen import schema
from datagen.generate import generate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("query-engine") / "data", scale=0.02, seed=7)


@pytest.fixture(scope="module")
def wh(data):
    warehouse = DuckDBWarehouse(data.out_dir)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def frames(data):
    """Every table as a pandas DataFrame (partition columns included), dates as date objects."""
    out = {}
    for table in schema.TABLES:
        part = "hive" if table.partitioned else None
        arrow = ds.dataset(data.out_dir / table.name, format="parquet", partitioning=part).to_table()
        df = arrow.to_pandas(date_as_object=True, timestamp_as_object=True)
        for key in ("year", "month"):
            if key in df:
                df[key] = df[key].astype(int)
        out[table.name] = df
    return out


def doc(**kw) -> dict:
    return {"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], **kw}


def q(**kw) -> StructuredQuery:
    return StructuredQuery.from_dict(doc(**kw))


def refused(doc_or_query, field: str | None = None) -> dict:
    with pytest.raises(BadRequest) as err:
        query = StructuredQuery.from_dict(doc_or_query) if isinstance(doc_or_query, dict) else doc_or_query
        compile_query(query)
    assert err.value.status == 400 and err.value.code == "VALIDATION_ERROR"
    fields = [f["field"] for f in err.value.details["fields"]]
    if field is not None:
        assert fields == [field], err.value.details
    return err.value.details


# ---- the allow-list is the schema -----------------------------------------------------------
def render_lake_schema() -> dict:
    return {
        t.name: (t.description, t.zone, tuple(c.name for c in t.partition_keys),
                 tuple((c.name, c.type, c.description) for c in t.columns + t.partition_keys))
        for t in schema.TABLES
    }  # fmt: skip


def test_the_allow_list_is_datagen_schema():
    assert lake_schema.TABLES == render_lake_schema(), "run: python -m tests.test_query_engine"
    assert (lake_schema.DATA_START, lake_schema.DATA_END) == (schema.DATA_START, schema.DATA_END)


def test_every_period_column_is_a_date_of_its_table():
    for table, column in PERIOD_COLUMNS.items():
        assert columns_of(table)[column] in ("date", "timestamp"), (table, column)
    # the tables without one are exactly those without a date column
    dateless = {t.name for t in schema.TABLES if not any(c.type in ("date", "timestamp") for c in t.columns)}
    assert dateless == set(lake_schema.TABLES) - set(PERIOD_COLUMNS)


# ---- compile: names ------------------------------------------------------------------------
HOSTILE_NAMES = [
    "total_usd; DROP TABLE orders",
    'total_usd" FROM orders --',
    "total_usd/*",
    "total_usd) OR (1=1",
    "'",
    '"',
    "orders.total_usd",
    "TOTAL_USD",  # the allow-list is case-sensitive: only its own spelling
    "total_usd ",
    "ｔotal_usd",  # noqa: RUF001 - fullwidth t, on purpose
    "total\u200busd",  # zero-width space
    "toтal_usd",  # Cyrillic te
    "x" * 64,
    "information_schema",
    "*",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused_naming_the_field(name):
    if name != "*":
        refused({"dataset": "orders", "metrics": [{"field": name, "agg": "sum"}]}, "metrics[0].field")
        refused(doc(dimensions=[name]), "dimensions[0]")
        refused(doc(filters=[{"field": name, "op": "eq", "value": 1}]), "filters[0].field")
    refused(doc(dimensions=["region"], orderBy=[{"field": name}]), "orderBy[0].field")
    refused({"dataset": name, "metrics": [{"field": "*", "agg": "count"}]}, "dataset")


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"dataset": "orders", "metrics": [{"field": "total_usd", "agg": "median"}]}, "metrics[0].agg"),
        ({"dataset": "orders", "metrics": [{"field": "total_usd", "agg": "sum); DROP"}]}, "metrics[0].agg"),
        ({"dataset": "orders", "metrics": [{"field": "region", "agg": "sum"}]}, "metrics[0].field"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "sum"}]}, "metrics[0].field"),
        ({"dataset": "orders", "metrics": [{"field": "is_fraud", "agg": "avg"}]}, "metrics[0].field"),
        (
            {"dataset": "orders", "metrics": [{"field": "total", "agg": "sum", "alias": "a b"}]},
            "metrics[0].alias",
        ),
        (
            {"dataset": "orders", "metrics": [{"field": "total", "agg": "sum", "alias": 'x"--'}]},
            "metrics[0].alias",
        ),
        ({"dataset": "orders", "metrics": []}, "metrics"),
        ({"dataset": "orders", "metrics": "count"}, "metrics"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}] * 11}, "metrics"),
        ({"dataset": "orders"}, "metrics"),
        ({"metrics": [{"field": "*", "agg": "count"}]}, "dataset"),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "total", "agg": "sum"}, {"field": "total", "agg": "sum"}],
            },
            "metrics[1].alias",
        ),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "sql": "SELECT 1"}, "sql"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count", "raw": "1"}]}, "metrics[0].raw"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "limit": 0}, "limit"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "limit": 10001}, "limit"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "limit": "5; --"}, "limit"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "limit": True}, "limit"),
        (
            {"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "dimensions": ["region"] * 2},
            None,
        ),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "dimensions": ["region:month"],
            },
            None,
        ),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "dimensions": ["order_date:hour"],
            },
            None,
        ),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "dimensions": ["order_date:'"],
            },
            None,
        ),
        ({"dataset": "regions", "metrics": [{"field": "*", "agg": "count"}], "from": "2025-01-01"}, "from"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "from": "2025-02-30"}, "from"),
        ({"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}], "to": "2025-1-1"}, "to"),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "from": "2025-02-01",
                "to": "2025-01-01",
            },
            "from",
        ),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "orderBy": [{"field": "count"}] * 2,
            },
            "orderBy[1].field",
        ),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "orderBy": [{"field": "count", "direction": "sideways"}],
            },
            "orderBy[0].direction",
        ),
    ],
)
def test_malformed_queries_are_refused_naming_the_field(doc, field):
    details = refused(doc, field)
    assert details["fields"][0]["message"]


# ---- compile: values -----------------------------------------------------------------------
HOSTILE_VALUES = [
    "completed' OR '1'='1",
    "completed'; DROP TABLE orders; --",
    "' UNION SELECT email FROM customers --",
    '"status"',
    "\\'",
    "?",
    ":name",
    "$1",
    "%",
    "☃ Ünïcödé ‮ 𝔘",  # noqa: RUF001 - on purpose
    "completed\n",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_values_are_bound_never_spliced(value, wh):
    query = q(filters=[{"field": "status", "op": "eq", "value": value}])
    sql, params, _ = compile_query(query)
    assert params == [value]
    # the SQL is the same whatever the value: only the parameter differs
    assert sql == compile_query(q(filters=[{"field": "status", "op": "eq", "value": "x"}]))[0]
    result = run_query(query, wh)
    assert result.rows == [[0]]  # no status has that value: nothing matched, nothing ran


def test_values_must_have_the_column_type():
    cases = [
        ({"field": "status", "op": "eq", "value": 1}, "filters[0].value"),
        ({"field": "item_count", "op": "eq", "value": "1 OR 1=1"}, "filters[0].value"),
        ({"field": "item_count", "op": "eq", "value": 1.5}, "filters[0].value"),
        ({"field": "item_count", "op": "eq", "value": True}, "filters[0].value"),
        ({"field": "item_count", "op": "eq", "value": 2**70}, "filters[0].value"),
        ({"field": "total", "op": "gt", "value": "100"}, "filters[0].value"),
        ({"field": "order_date", "op": "gte", "value": "2025-13-01"}, "filters[0].value"),
        ({"field": "order_date", "op": "gte", "value": "yesterday"}, "filters[0].value"),
        ({"field": "order_ts", "op": "gte", "value": "2025-01-01 00:00:00'); --"}, "filters[0].value"),
        ({"field": "status", "op": "eq", "value": "a\x00b"}, "filters[0].value"),
        ({"field": "status", "op": "eq", "value": "\udfff"}, "filters[0].value"),
        ({"field": "status", "op": "eq", "value": "x" * 513}, "filters[0].value"),
        ({"field": "status", "op": "eq", "value": ["completed"]}, "filters[0].value"),
        ({"field": "status", "op": "eq", "value": {"$ne": 1}}, "filters[0].value"),
        ({"field": "status", "op": "in", "value": "completed"}, "filters[0].value"),
        ({"field": "status", "op": "in", "value": []}, "filters[0].value"),
        ({"field": "status", "op": "in", "value": ["a"] * (MAX_IN_VALUES + 1)}, "filters[0].value"),
        ({"field": "status", "op": "in", "value": ["a", 1]}, "filters[0].value[1]"),
        ({"field": "total", "op": "between", "value": [1]}, "filters[0].value"),
        ({"field": "total", "op": "between", "value": [1, 2, 3]}, "filters[0].value"),
        ({"field": "total", "op": "like", "value": "%"}, "filters[0].op"),
        ({"field": "total", "op": "= 1 OR", "value": 1}, "filters[0].op"),
        ({"field": "total", "op": "eq"}, "filters[0].value"),
        ({"field": "total", "op": "eq", "value": None}, "filters[0].value"),
    ]
    for flt, field in cases:
        refused(doc(filters=[flt]), field)
    refused(doc(filters=[{"field": "order_id", "op": "eq", "value": "x"}] * 21), "filters")


def test_a_huge_in_list_is_bounded_and_a_full_one_is_bound(wh):
    values = [f"O{i:07d}'--" for i in range(MAX_IN_VALUES)]
    sql, params, _ = compile_query(q(filters=[{"field": "order_id", "op": "in", "value": values}]))
    assert sql.count("?") == MAX_IN_VALUES and params == values
    refused(doc(filters=[{"field": "order_id", "op": "in", "value": values * 100}]), "filters[0].value")
    assert run_query(q(filters=[{"field": "order_id", "op": "in", "value": values}]), wh).rows == [[0]]


def test_the_engine_checks_what_the_gateway_would_for_callers_in_process():
    # the copilot builds StructuredQuery objects itself: the same refusals without from_dict
    refused(StructuredQuery("orders", (Metric("*", "count"),), dimensions=("a",) * 6), "dimensions")
    refused(StructuredQuery("orders", (Metric("*", "count"),), limit=-1), "limit")
    refused(StructuredQuery("orders", (Metric("*", "count"),), filters=(Filter("status", "eq", object()),)))
    refused(StructuredQuery("orders", (Metric("*", "count"),), order_by=(Order("count", "DESC; --"),)))
    refused(StructuredQuery("orders", ()), "metrics")


# ---- what runs ------------------------------------------------------------------------------
def test_result_shape_truncation_and_types(wh, frames):
    query = q(
        metrics=[
            {"field": "total_usd", "agg": "sum", "alias": "Revenue"},
            {"field": "customer_id", "agg": "count_distinct"},
            {"field": "order_date", "agg": "max"},
        ],
        dimensions=["region", "order_date:month"],
        filters=[{"field": "status", "op": "eq", "value": "completed"}],
        orderBy=[{"field": "revenue", "direction": "desc"}],
        limit=3,
    )
    result = run_query(query, wh).to_dict()
    assert [c["name"] for c in result["columns"]] == [
        "region",
        "order_date_month",
        "revenue",
        "count_distinct_customer_id",
        "max_order_date",
    ]
    assert [c["type"] for c in result["columns"]] == ["string", "date", "number", "integer", "date"]
    assert result["rowCount"] == 3 and result["truncated"] is True and result["engine"] == "duckdb"
    revenues = [row[2] for row in result["rows"]]
    assert revenues == sorted(revenues, reverse=True)
    df = frames["orders"]
    df = df[df.status == "completed"]
    month = df.order_date.map(lambda d: d.replace(day=1))
    best = df.groupby([df.region, month]).total_usd.sum().sort_values(ascending=False)
    assert revenues == pytest.approx(list(best.iloc[:3]), abs=1e-6)
    assert all(isinstance(row[1], str) and row[1].endswith("-01") for row in result["rows"])


def test_a_period_reads_only_its_partitions(wh, frames):
    revenue = [{"field": "total_usd", "agg": "sum"}]
    full = run_query(q(metrics=revenue, **{"from": "2024-07-01", "to": "2026-06-30"}), wh)  # the same columns
    march = {"from": "2025-03-01", "to": "2025-03-31"}
    one_month = run_query(q(metrics=revenue, **march), wh)
    sql = compile_query(q(**march))[0]
    assert "year" in sql and "month" in sql
    df = frames["orders"]
    in_march = (df.order_date >= dt.date(2025, 3, 1)) & (df.order_date <= dt.date(2025, 3, 31))
    assert one_month.rows[0][0] == pytest.approx(df.total_usd[in_march].sum())
    assert full.rows[0][0] == pytest.approx(df.total_usd.sum())
    # a month of 24: DuckDB read a small part of what the whole table costs
    assert 0 < one_month.bytes_scanned < full.bytes_scanned / 5


def test_payments_periods_keep_the_payments_of_late_night_orders(wh, frames):
    # a payment of 1 March can belong to an order of 28 February (partition month=02)
    query = StructuredQuery.from_dict(
        {
            "dataset": "payments",
            "metrics": [{"field": "*", "agg": "count"}],
            "from": "2025-03-01",
            "to": "2025-03-31",
        }
    )
    df = frames["payments"]
    ts = pd.to_datetime(df.created_ts)
    expected = int(((ts >= "2025-03-01") & (ts < "2025-04-01")).sum())
    assert run_query(query, wh).rows == [[expected]]


def test_the_warehouse_counts_queries_and_bytes(wh):
    wmod.usage.reset()
    run_query(q(), wh)
    run_query(q(dimensions=["channel"]), wh)
    queries, scanned = wmod.usage.snapshot()
    assert queries == 2 and scanned > 0


# ---- the property: DuckDB agrees with pandas -------------------------------------------------
GROUPABLE = {
    "orders": [
        "status",
        "channel",
        "region",
        "currency",
        "year",
        "month",
        "order_date:month",
        "order_date:week",
    ],
    "order_items": ["line_no", "year", "order_date:quarter", "order_date:year"],
    "payments": ["method", "is_fraud", "chargeback", "attempts", "created_ts:month"],
    "products": ["category_id", "category", "is_active", "launched_date:year"],
}
MEASURES = {
    "orders": ["total_usd", "item_count", "discount", "customer_id", "order_date", "coupon_code"],
    "order_items": ["quantity", "line_total_usd", "unit_price", "product_id"],
    "payments": ["amount_usd", "is_fraud", "attempts", "card_bin", "created_ts"],
    "products": ["unit_cost", "list_price", "brand", "launched_date"],
}


def _truncate(value, unit):
    day = value.date() if isinstance(value, dt.datetime) else value
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def _agg(series: pd.Series, agg: str, kind: str):
    present = series.dropna()
    if agg == "count":
        return len(present)
    if agg == "count_distinct":
        return int(present.nunique())
    if len(present) == 0:
        return None
    if kind == "boolean":
        present = present.astype(int)
    if agg == "sum":
        return float(present.sum()) if kind == "double" else int(present.sum())
    if agg == "avg":
        return float(present.astype(float).mean())
    value = present.min() if agg == "min" else present.max()
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def reference(query: StructuredQuery, frames) -> list[list]:
    """The query computed in plain pandas: filter, group, aggregate."""
    df = frames[query.dataset]
    cols = columns_of(query.dataset)
    keep = pd.Series(True, index=df.index)

    def scalar(value, kind):
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "timestamp":
            return dt.datetime.fromisoformat(value)
        return value

    for f in query.filters:
        s, kind = df[f.field], cols[f.field]
        if f.op == "in":
            cond = s.isin([scalar(v, kind) for v in f.value])
        elif f.op == "between":
            low, high = (scalar(v, kind) for v in f.value)
            cond = s.notna() & (s >= low) & (s <= high)
        else:
            v = scalar(f.value, kind)
            ops = {"eq": s == v, "ne": s != v, "gt": s > v, "gte": s >= v, "lt": s < v, "lte": s <= v}
            cond = s.notna() & ops[f.op]
        keep &= cond.fillna(False).astype(bool)
    if query.date_from or query.date_to:
        column = PERIOD_COLUMNS[query.dataset]
        days = df[column].map(lambda v: v.date() if isinstance(v, dt.datetime) else v)
        if query.date_from:
            keep &= days >= query.date_from
        if query.date_to:
            keep &= days <= query.date_to
    df = df[keep]
    keys = []
    for dim in query.dimensions:
        column, _, unit = dim.partition(":")
        key = df[column].map(lambda v, u=unit: _truncate(v, u)) if unit else df[column]
        keys.append(key.rename(dim))
    out = []
    groups = df.groupby(keys, dropna=False) if keys else [((), df)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        row = [k.isoformat() if isinstance(k, (dt.date, dt.datetime)) else k for k in key]
        for m in query.metrics:
            row.append(len(part) if m.field == "*" else _agg(part[m.field], m.agg, cols[m.field]))
        out.append(row)
    return out


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _same(a: list[list], b: list[list]) -> bool:
    def key(row):
        return tuple((x is None, str(round(x, 4)) if isinstance(x, float) else str(x)) for x in row)

    a, b = sorted(a, key=key), sorted(b, key=key)
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        for x, y in zip(ra, rb, strict=True):
            x, y = _plain(x), _plain(y)
            if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6):
                    return False
            elif x != y:
                return False
    return True


@st.composite
def structured_queries(draw, frames):
    dataset = draw(st.sampled_from(sorted(GROUPABLE)))
    df, cols = frames[dataset], columns_of(dataset)
    dims = draw(st.lists(st.sampled_from(GROUPABLE[dataset]), max_size=2, unique=True))
    metrics = [Metric("*", "count", "n")]
    for i, field in enumerate(draw(st.lists(st.sampled_from(MEASURES[dataset]), min_size=1, max_size=3))):
        kind = cols[field]
        aggs = ["count", "count_distinct"]
        if kind in ("int", "bigint", "double", "boolean"):
            aggs += ["sum", "avg"]
        if kind != "boolean":
            aggs += ["min", "max"]
        metrics.append(Metric(field, draw(st.sampled_from(aggs)), f"m{i}"))
    filters = []
    for _ in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from([c for c in cols if c in df.columns]))
        kind = cols[field]
        values = df[field].dropna()
        if values.empty:
            continue
        pick = st.sampled_from(list(values.iloc[:: max(1, len(values) // 50)]))

        def as_json(v, kind=kind):
            v = _plain(v)
            if kind == "date":
                return v.isoformat()
            if kind == "timestamp":
                return v if isinstance(v, str) else v.isoformat()
            return v

        ops = ["eq", "ne", "in"] + (["gt", "gte", "lt", "lte", "between"] if kind != "boolean" else [])
        op = draw(st.sampled_from(ops))
        if op == "in":
            value = [as_json(v) for v in draw(st.lists(pick, min_size=1, max_size=5))]
        elif op == "between":
            low, high = sorted([draw(pick), draw(pick)])
            value = [as_json(low), as_json(high)]
        else:
            value = as_json(draw(pick))
        filters.append(Filter(field, op, value))
    date_from = date_to = None
    if dataset in PERIOD_COLUMNS and draw(st.booleans()):
        day = st.dates(dt.date(2024, 6, 1), dt.date(2026, 7, 31))
        date_from, date_to = sorted([draw(day), draw(day)])
    return StructuredQuery(
        dataset, tuple(metrics), tuple(dims), tuple(filters), (), date_from, date_to, 10_000
    )


@pytest.mark.parametrize("unit", ["day", "week", "month", "quarter", "year"])
def test_date_truncations_agree_with_pandas(wh, frames, unit):
    for dataset, column in (("orders", "order_date"), ("payments", "created_ts")):
        query = StructuredQuery(dataset, (Metric("*", "count", "n"),), (f"{column}:{unit}",), limit=10_000)
        assert _same(run_query(query, wh).to_dict()["rows"], reference(query, frames)), (dataset, unit)


def test_duckdb_agrees_with_pandas_on_generated_queries(wh, frames):
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data):
        query = data.draw(structured_queries(frames))
        result = run_query(query, wh)
        assert not result.truncated
        got = result.to_dict()["rows"]
        want = reference(query, frames)
        assert _same(got, want), f"{query}\nSQL: {result.sql}\nduckdb: {got[:5]}\npandas: {want[:5]}"

    check()


# ---- Athena: result reuse and bytes scanned (Stubber) ----------------------------------------
def _athena():
    import boto3

    client = boto3.client("athena", region_name="us-east-2")
    return client, AthenaWarehouse("wg", "db", client=client, sleep=lambda _: None)


def _stub_run(stub: Stubber, request_extra: dict, scanned: int) -> None:
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {
            "QueryString": 'SELECT COUNT(*) AS "count" FROM "orders" WHERE "status" = ? LIMIT 101',
            "WorkGroup": "wg",
            "QueryExecutionContext": {"Database": "db", "Catalog": "AwsDataCatalog"},
            "ExecutionParameters": ["'completed'"],
            **request_extra,
        },
    )
    stub.add_response(
        "get_query_execution",
        {"QueryExecution": {"Status": {"State": "SUCCEEDED"}, "Statistics": {"DataScannedInBytes": scanned}}},
        {"QueryExecutionId": "q-1"},
    )
    stub.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "ResultSetMetadata": {"ColumnInfo": [{"Name": "count", "Type": "bigint"}]},
                "Rows": [{"Data": [{"VarCharValue": "count"}]}, {"Data": [{"VarCharValue": "42"}]}],
            }
        },
        {"QueryExecutionId": "q-1", "MaxResults": 1000},
    )


def test_athena_reuses_recent_results_when_asked_and_reports_bytes_scanned():
    client, athena = _athena()
    query = q(filters=[{"field": "status", "op": "eq", "value": "completed"}])
    wmod.usage.reset()
    with Stubber(client) as stub:
        reuse = {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 60}}
        _stub_run(stub, {"ResultReuseConfiguration": reuse}, 123_456)
        result = run_query(query, athena, reuse_minutes=60)
        _stub_run(stub, {}, 1_000)  # without reuse_minutes: no ResultReuseConfiguration at all
        plain = run_query(query, athena)
        stub.assert_no_pending_responses()
    assert result.rows == [[42]] and result.engine == "athena" and result.bytes_scanned == 123_456
    assert plain.bytes_scanned == 1_000
    assert wmod.usage.snapshot() == (2, 124_456)
    with pytest.raises(wmod.WarehouseError):
        athena.query("SELECT 1", reuse_minutes=99_999)


if __name__ == "__main__":  # rewrite lambdas/shared/lake_schema.py's TABLES from datagen/schema.py
    sys.path.insert(0, str(ROOT))
    path = ROOT / "lambdas" / "shared" / "lake_schema.py"
    text = path.read_text()
    head = text[: text.index("TABLES: dict[")]
    body = "TABLES: dict[str, tuple[str, str, tuple[str, ...], tuple[tuple[str, str, str], ...]]] = "
    path.write_text(head + body + repr(render_lake_schema()) + "\n")
    print(f"wrote {path}; now run ruff format on it")
