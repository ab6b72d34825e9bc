"""The warehouse interface: the same parameterised SQL on DuckDB (checked against a numpy/pyarrow
computation over the Parquet files), the Athena backend's requests and result parsing (botocore
Stubber), and the uploader/mirror against moto."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import boto3
import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from shared import warehouse as wmod
from shared.warehouse import (
    AthenaWarehouse,
    DuckDBWarehouse,
    WarehouseError,
    athena_literal,
    from_env,
    limit_clause,
    mirror_bucket,
    placeholders,
    prepare,
)

from datagen import upload as uploader
from datagen.__main__ import main as datagen_cli
from datagen.generate import Manifest, generate
from datagen.schema import TABLES

INJECTION = "x' OR 1=1 --"


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> Manifest:
    return generate(tmp_path_factory.mktemp("warehouse") / "data", scale=0.05, seed=42)


@pytest.fixture(scope="session")
def wh(small):
    warehouse = DuckDBWarehouse(small.out_dir)
    yield warehouse
    warehouse.close()


def arrow(small: Manifest, name: str) -> pa.Table:
    part = "hive" if small.tables[name].partitioned else None
    return ds.dataset(small.out_dir / name, format="parquet", partitioning=part).to_table()


def _close(a: list[dict], b: list[dict]) -> bool:
    """Equal rows, floats to 1e-9 relative (parallel float sums differ in the last bits)."""
    return len(a) == len(b) and all(
        x.keys() == y.keys()
        and all(x[k] == pytest.approx(y[k], rel=1e-9) if isinstance(y[k], float) else x[k] == y[k] for k in y)
        for x, y in zip(a, b, strict=False)
    )


def np_col(tbl: pa.Table, name: str) -> np.ndarray:
    return tbl.column(name).to_numpy(zero_copy_only=False)


# ---- the same SQL, cross-checked ------------------------------------------------------------
REVENUE_BY_MONTH = """
    SELECT CAST(date_trunc('month', order_date) AS DATE) AS month,
           COUNT(*) AS orders,
           SUM(total_usd) AS revenue,
           SUM(total_usd) - LAG(SUM(total_usd)) OVER (
               ORDER BY CAST(date_trunc('month', order_date) AS DATE)) AS change
    FROM orders
    WHERE order_date >= ? AND order_date < ? AND status <> ?
    GROUP BY 1
    ORDER BY 1
"""


def test_revenue_by_month_matches_the_files(wh, small):
    start, end = dt.date(2025, 1, 1), dt.date(2025, 7, 1)
    rows = wh.query(REVENUE_BY_MONTH, [start, end, "cancelled"])
    o = arrow(small, "orders")
    d = np_col(o, "order_date").astype("datetime64[D]")
    keep = (d >= np.datetime64(start)) & (d < np.datetime64(end)) & (np_col(o, "status") != "cancelled")
    month = d[keep].astype("datetime64[M]")
    months, inv = np.unique(month, return_inverse=True)
    revenue = np.bincount(inv, np_col(o, "total_usd")[keep])
    assert [r["month"] for r in rows] == [m.astype("datetime64[D]").astype(dt.date) for m in months]
    assert [r["orders"] for r in rows] == np.bincount(inv).tolist()
    assert np.allclose([r["revenue"] for r in rows], revenue)
    assert rows[0]["change"] is None
    assert rows[1]["change"] == pytest.approx(revenue[1] - revenue[0])
    assert all(
        isinstance(r["month"], dt.date) and isinstance(r["orders"], int) and isinstance(r["revenue"], float)
        for r in rows
    )


def test_top_products_by_revenue_matches_the_files(wh, small):
    category = "CAT06"
    sql = f"""
        SELECT oi.product_id, p.name, SUM(oi.line_total_usd) AS revenue, SUM(oi.quantity) AS units
        FROM order_items oi JOIN products p ON p.product_id = oi.product_id
        WHERE oi.year = ? AND p.category_id = ?
        GROUP BY 1, 2
        ORDER BY 3 DESC, 1
        {limit_clause(5)}
    """  # noqa: S608 - only the validated LIMIT is formatted in
    rows = wh.query(sql, [2025, category])
    items, products = arrow(small, "order_items"), arrow(small, "products")
    cat = dict(zip(products["product_id"].to_pylist(), products["category_id"].to_pylist(), strict=False))
    keep = (np_col(items, "year") == 2025) & np.array(
        [cat[p] == category for p in items["product_id"].to_pylist()]
    )
    pids, inv = np.unique(np_col(items, "product_id")[keep].astype(str), return_inverse=True)
    revenue = np.bincount(inv, np_col(items, "line_total_usd")[keep])
    units = np.bincount(inv, np_col(items, "quantity")[keep])
    order = sorted(range(len(pids)), key=lambda i: (-revenue[i], pids[i]))[:5]
    assert [r["product_id"] for r in rows] == [pids[i] for i in order]
    assert np.allclose([r["revenue"] for r in rows], revenue[order])
    assert [r["units"] for r in rows] == units[order].astype(int).tolist()


def test_fraud_rate_by_method_matches_the_files(wh, small):
    sql = """
        SELECT method,
               COUNT(*) AS payments,
               SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END) AS frauds,
               CAST(SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS fraud_rate
        FROM payments
        WHERE amount_usd >= ?
        GROUP BY 1
        ORDER BY 1
    """
    rows = wh.query(sql, [50.0])
    p = arrow(small, "payments")
    keep = np_col(p, "amount_usd") >= 50.0
    methods, inv = np.unique(np_col(p, "method")[keep].astype(str), return_inverse=True)
    fraud = np.bincount(inv, np_col(p, "is_fraud")[keep])
    count = np.bincount(inv)
    assert [r["method"] for r in rows] == methods.tolist()
    assert [r["payments"] for r in rows] == count.tolist()
    assert [r["frauds"] for r in rows] == fraud.astype(int).tolist()
    assert np.allclose([r["fraud_rate"] for r in rows], fraud / count)


def test_named_parameters_and_in_lists(wh):
    countries = ["US", "DE", "JP"]
    by_name = wh.query(
        "SELECT country, COUNT(*) AS n FROM customers WHERE country = :c AND signup_date < :d GROUP BY 1",
        {"c": "US", "d": dt.date(2026, 1, 1)},
    )
    positional = wh.query(
        "SELECT country, COUNT(*) AS n FROM customers WHERE country = ? AND signup_date < ? GROUP BY 1",
        ["US", dt.date(2026, 1, 1)],
    )
    assert by_name == positional and by_name[0]["n"] > 0
    rows = wh.query(
        f"SELECT country, COUNT(*) AS n FROM customers WHERE country IN ({placeholders(3)}) "  # noqa: S608
        "GROUP BY 1 ORDER BY 1",
        countries,
    )
    assert [r["country"] for r in rows] == sorted(countries)


def test_portable_function_names_work_on_duckdb(wh):
    row = wh.query_one(
        """
        SELECT day_of_week(DATE '2025-03-16') AS dow, day_of_year(DATE '2025-02-01') AS doy,
               approx_distinct(customer_id) AS customers, approx_percentile(total_usd, 0.5) AS median,
               date_diff('day', DATE '2025-01-01', DATE '2025-03-01') AS days,
               CAST(DATE '2025-01-01' + INTERVAL '7' DAY AS DATE) AS next_week,
               SUM(CASE WHEN regexp_like(order_id, '^O[0-9]+$') THEN 1 ELSE 0 END) AS well_formed,
               COUNT(*) AS n
        FROM orders WHERE year = ? AND month = ?""",
        [2025, 3],
    )
    assert (row["dow"], row["doy"], row["days"], row["next_week"]) == (7, 32, 59, dt.date(2025, 1, 8))
    assert row["well_formed"] == row["n"] > 0 and 0 < row["customers"] <= row["n"]
    assert isinstance(row["median"], float)


def test_types_come_back_as_plain_python_values(wh):
    row = wh.query_one(
        """SELECT o.order_id, o.order_ts, o.order_date, o.item_count, o.total_usd, o.year, o.month,
                                 p.is_fraud, p.card_bin
                          FROM orders o JOIN payments p ON p.order_id = o.order_id
                          WHERE o.year = ? AND p.method = ? ORDER BY o.order_id""",
        [2025, "paypal"],
    )
    assert isinstance(row["order_id"], str)
    assert type(row["order_ts"]) is dt.datetime and type(row["order_date"]) is dt.date
    assert isinstance(row["item_count"], int) and isinstance(row["total_usd"], float)
    assert row["year"] == 2025 and 1 <= row["month"] <= 12 and isinstance(row["month"], int)
    assert isinstance(row["is_fraud"], bool) and row["card_bin"] is None
    assert wh.query_one(
        "SELECT CAST(1.25 AS DECIMAL(10, 2)) AS d FROM regions WHERE country = ?", ["US"]
    ) == {"d": 1.25}
    cols, rows = wh.query_columns("SELECT country AS Country_Code FROM regions WHERE country = ?", ["US"])
    assert cols == ["country_code"] and rows == [("US",)]


# ---- safety ----------------------------------------------------------------------------------
def test_parameters_are_never_sql(wh):
    assert wh.query("SELECT customer_id FROM customers WHERE email = ?", [INJECTION]) == []
    assert wh.query_one("SELECT COUNT(*) AS n FROM customers WHERE country = ?", ["US' OR '1'='1"]) == {
        "n": 0
    }
    assert wh.query_one("SELECT COUNT(*) AS n FROM customers WHERE country = ?", ["US"])["n"] > 0
    assert (
        wh.query("SELECT customer_id FROM customers WHERE name = :n", {"n": "'; DROP VIEW orders; --"}) == []
    )
    assert wh.query_one("SELECT COUNT(*) AS n FROM orders WHERE year = ?", [2025])["n"] > 0  # still there
    # Athena receives the same value as one quoted literal
    assert athena_literal(INJECTION) == "'x'' OR 1=1 --'"


@pytest.mark.parametrize(
    "sql, params, message",
    [
        ("SELECT * FROM orders WHERE order_id = ?", [], "1 '?' placeholder"),
        ("SELECT * FROM orders", ["x"], "0 '?' placeholder"),
        ("DROP VIEW orders", [], "only SELECT"),
        ("SELECT 1 AS a; DROP VIEW orders", [], "one statement"),
        ("SELECT CAST(1 AS INTEGER)::VARCHAR AS a", [], "not portable"),
        ("SELECT * FROM orders WHERE order_id = :id", ["x"], "needs a mapping"),
        ("SELECT * FROM orders WHERE order_id = :id", {"other": 1}, "no value for parameter :id"),
        ("SELECT * FROM orders WHERE order_id = ?", {"id": 1}, "'?' placeholders"),
        ("SELECT * FROM orders WHERE order_id = ?", [{"a": 1}], "unsupported parameter type dict"),
        ("SELECT * FROM orders WHERE total = ?", [float("nan")], "finite"),
        ("SELECT * FROM orders WHERE order_id = ?", "x", "not a string"),
        ("SELECT 'unterminated", [], "unterminated"),
    ],
)
def test_bad_queries_are_refused_before_running(wh, sql, params, message):
    with pytest.raises(WarehouseError, match=re.escape(message)):
        wh.query(sql, params)


def test_placeholders_inside_literals_and_comments_are_not_parameters():
    sql, values = prepare(
        "SELECT '?' AS q, \"a?\" FROM t -- is it ?\nWHERE x = ? /* ? */ AND y = 'it''s ?';", [1]
    )
    assert values == [1] and not sql.rstrip().endswith(";")


def test_limit_is_a_validated_integer():
    assert limit_clause(25) == "LIMIT 25" and limit_clause("10") == "LIMIT 10"
    for bad in ("10; DROP", "1 OR 1=1", 0, 5000, True, 2.5, None):
        with pytest.raises(WarehouseError):
            limit_clause(bad)


def test_the_duckdb_connection_reads_only_the_dataset(wh):
    for sql in ("SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/hostname')"):
        with pytest.raises(WarehouseError, match=r"(?i)permission|disabled"):
            wh.query(sql)


def test_result_size_is_bounded(wh):
    with pytest.raises(WarehouseError, match="more than 10 rows"):
        wh.query("SELECT order_id FROM orders WHERE year = ?", [2025], max_rows=10)
    assert len(wh.query("SELECT order_id FROM orders WHERE year = ?", [2025], max_rows=None)) > 10


def test_one_instance_serves_threads(wh):
    sql = "SELECT country, SUM(total_usd) AS revenue FROM orders WHERE year = ? GROUP BY 1 ORDER BY 1"
    expected = wh.query(sql, [2025])
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: wh.query(sql, [2025]), range(12)))
    assert all(_close(r, expected) for r in results)


def test_views_exist_for_every_table_with_partition_columns(wh, small):
    assert wh.tables() == sorted(t.name for t in TABLES)
    for t in TABLES:
        n = wh.query_one(f"SELECT COUNT(*) AS n FROM {t.name} WHERE 1 = ?", [1])["n"]  # noqa: S608
        assert n == small.rows(t.name), t.name
    cols, _ = wh.query_columns("SELECT * FROM payments WHERE year = ? LIMIT 1", [2025])
    assert cols[-2:] == ["year", "month"]


def test_tables_are_discovered_without_a_manifest(tmp_path):
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "x.parquet")
    (tmp_path / "plain").mkdir()
    shutil.move(tmp_path / "x.parquet", tmp_path / "plain" / "part-0.parquet")
    part = tmp_path / "events" / "year=2025" / "month=07"
    part.mkdir(parents=True)
    pq.write_table(pa.table({"v": [1.5]}), part / "part-0.parquet")
    (tmp_path / "_truth").mkdir()
    pq.write_table(pa.table({"secret": [1]}), tmp_path / "_truth" / "t.parquet")
    w = DuckDBWarehouse(tmp_path)
    assert w.tables() == ["events", "plain"]
    assert w.query("SELECT v, year, month FROM events WHERE month = ?", [7]) == [
        {"v": 1.5, "year": 2025, "month": 7}
    ]
    w.close()


def test_missing_data_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="does not exist"):
        DuckDBWarehouse(tmp_path / "nope")
    with pytest.raises(WarehouseError, match="no tables"):
        DuckDBWarehouse(tmp_path).query("SELECT 1 AS a")


# ---- configuration ---------------------------------------------------------------------------
def test_backend_is_chosen_by_environment(small, monkeypatch):
    w = from_env({"WAREHOUSE": "duckdb", "WAREHOUSE_DATA_DIR": str(small.out_dir)})
    assert isinstance(w, DuckDBWarehouse) and w.backend == "duckdb"
    with pytest.raises(WarehouseError, match="WAREHOUSE_DATA_DIR"):
        from_env({"WAREHOUSE": "duckdb"})
    with pytest.raises(WarehouseError, match="ATHENA_WORKGROUP"):
        from_env({"WAREHOUSE": "athena"})
    with pytest.raises(WarehouseError, match="must be 'athena' or 'duckdb'"):
        from_env({"WAREHOUSE": "sqlite"})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    athena = from_env({"ATHENA_WORKGROUP": "wg", "GLUE_DATABASE": "db", "WAREHOUSE_TIMEOUT_SECONDS": "12"})
    assert isinstance(athena, AthenaWarehouse) and athena.timeout == 12.0 and athena.workgroup == "wg"


def test_get_warehouse_is_one_instance_per_process(small, monkeypatch):
    monkeypatch.setenv("WAREHOUSE", "duckdb")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(small.out_dir))
    wmod.set_warehouse(None)
    try:
        first = wmod.get_warehouse()
        assert wmod.get_warehouse() is first
        assert first.query_one("SELECT COUNT(*) AS n FROM regions WHERE 1 = ?", [1])["n"] == 21
    finally:
        wmod.set_warehouse(None)


# ---- Athena ----------------------------------------------------------------------------------
def _athena(**kw):
    client = boto3.client(
        "athena", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    sleeps: list[float] = []
    clock = {"t": 0.0}

    def sleep(s):
        sleeps.append(s)
        clock["t"] += s

    w = AthenaWarehouse("analytics-wg", "lake_db", client=client, sleep=sleep, clock=lambda: clock["t"], **kw)
    return w, Stubber(client), sleeps


COLUMNS = [
    {"Name": "product_id", "Type": "varchar"},
    {"Name": "units", "Type": "bigint"},
    {"Name": "revenue", "Type": "double"},
    {"Name": "share", "Type": "decimal"},
    {"Name": "first_day", "Type": "date"},
    {"Name": "last_ts", "Type": "timestamp"},
    {"Name": "active", "Type": "boolean"},
    {"Name": "Note", "Type": "varchar"},
]


def _row(*values):
    return {"Data": [{} if v is None else {"VarCharValue": v} for v in values]}


def _state(state, **extra):
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": state, **extra}}}


def test_athena_sends_parameters_as_literals_and_parses_two_pages():
    w, stub, sleeps = _athena()
    sql = (
        "SELECT * FROM order_items"
        " WHERE product_id = ? AND order_date >= ? AND quantity > ? AND unit_price < ?"
    )
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {
            "QueryString": sql,
            "WorkGroup": "analytics-wg",
            "QueryExecutionContext": {"Database": "lake_db", "Catalog": "AwsDataCatalog"},
            "ExecutionParameters": ["'x'' OR 1=1 --'", "DATE '2025-01-01'", "2", "9.5E0"],
        },
    )
    for state in ("QUEUED", "RUNNING", "SUCCEEDED"):
        stub.add_response("get_query_execution", _state(state), {"QueryExecutionId": "q-1"})
    meta = {"ColumnInfo": COLUMNS}
    header = _row(*[c["Name"] for c in COLUMNS])
    stub.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [
                    header,
                    _row(
                        "P00001", "12", "345.5", "0.25", "2025-01-06", "2025-01-06 10:11:12.000", "true", None
                    ),
                    _row("P00002", "3", "10.0", "0.05", "2025-02-03", "2025-02-03 00:00:00.500", "false", ""),
                ],
                "ResultSetMetadata": meta,
            },
            "NextToken": "page-2",
        },
        {"QueryExecutionId": "q-1", "MaxResults": 1000},
    )
    stub.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [_row("P00003", None, "NaN", None, None, None, None, "x")],
                "ResultSetMetadata": meta,
            },
        },
        {"QueryExecutionId": "q-1", "MaxResults": 1000, "NextToken": "page-2"},
    )
    with stub:
        rows = w.query(sql, [INJECTION, dt.date(2025, 1, 1), 2, 9.5])
    stub.assert_no_pending_responses()
    assert sleeps == [0.2, 0.4]  # backoff doubles
    assert rows[0] == {
        "product_id": "P00001",
        "units": 12,
        "revenue": 345.5,
        "share": 0.25,
        "first_day": dt.date(2025, 1, 6),
        "last_ts": dt.datetime(2025, 1, 6, 10, 11, 12),
        "active": True,
        "note": None,
    }
    assert rows[1]["active"] is False and rows[1]["note"] == "" and rows[1]["last_ts"].microsecond == 500_000
    assert rows[2]["units"] is None and np.isnan(rows[2]["revenue"]) and rows[2]["first_day"] is None
    assert len(rows) == 3


def test_athena_without_parameters_sends_none():
    w, stub, _ = _athena()
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {
            "QueryString": "SELECT COUNT(*) AS n FROM orders",
            "WorkGroup": "analytics-wg",
            "QueryExecutionContext": {"Database": "lake_db", "Catalog": "AwsDataCatalog"},
        },
    )
    stub.add_response("get_query_execution", _state("SUCCEEDED"), {"QueryExecutionId": "q-1"})
    stub.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [_row("n"), _row("42")],
                "ResultSetMetadata": {"ColumnInfo": [{"Name": "n", "Type": "bigint"}]},
            }
        },
        {"QueryExecutionId": "q-1", "MaxResults": 1000},
    )
    with stub:
        assert w.query("SELECT COUNT(*) AS n FROM orders") == [{"n": 42}]


def test_athena_failure_raises_with_the_reason():
    w, stub, _ = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _state("RUNNING"))
    stub.add_response(
        "get_query_execution",
        _state(
            "FAILED",
            StateChangeReason="SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved",
            AthenaError={
                "ErrorCategory": 2,
                "ErrorType": 1006,
                "ErrorMessage": "Column 'nope' cannot be resolved",
            },
        ),
    )
    with stub, pytest.raises(WarehouseError, match="q-1 failed: Column 'nope' cannot be resolved"):
        w.query("SELECT nope FROM orders")


def test_athena_cancelled_and_refused_queries_raise():
    w, stub, _ = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _state("CANCELLED", StateChangeReason="cancelled by user"))
    stub.add_client_error("start_query_execution", "TooManyRequestsException", "slow down")
    with stub:
        with pytest.raises(WarehouseError, match="cancelled by user"):
            w.query("SELECT 1 AS a FROM orders")
        with pytest.raises(WarehouseError, match=r"refused the query.*slow down"):
            w.query("SELECT 1 AS a FROM orders")


def test_athena_timeout_stops_the_query():
    w, stub, sleeps = _athena(timeout=1.0, poll_initial=0.5)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _state("RUNNING"))
    stub.add_response("get_query_execution", _state("RUNNING"))
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    with stub, pytest.raises(WarehouseError, match="timed out"):
        w.query("SELECT 1 AS a FROM orders")
    stub.assert_no_pending_responses()
    assert sum(sleeps) <= 1.0


def test_athena_result_size_is_bounded():
    w, stub, _ = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _state("SUCCEEDED"))
    stub.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [_row("n")] + [_row(str(i)) for i in range(5)],
                "ResultSetMetadata": {"ColumnInfo": [{"Name": "n", "Type": "integer"}]},
            },
            "NextToken": "more",
        },
    )
    with stub, pytest.raises(WarehouseError, match="more than 3 rows"):
        w.query("SELECT n FROM t", max_rows=3)


@pytest.mark.parametrize(
    "value, literal",
    [
        (None, "NULL"),
        (True, "TRUE"),
        (False, "FALSE"),
        (7, "7"),
        (-3, "-3"),
        (0.5, "0.5E0"),
        (1e-07, "1e-07"),
        ("O'Brien", "'O''Brien'"),
        ("", "''"),
        (dt.date(2025, 7, 1), "DATE '2025-07-01'"),
        (dt.datetime(2025, 7, 1, 8, 30), "TIMESTAMP '2025-07-01 08:30:00.000'"),
        (np.int64(5), "5"),
    ],
)
def test_athena_literals_by_type(value, literal):
    assert athena_literal(value) == literal


# ---- uploader and bucket mirror (moto) ------------------------------------------------------
@pytest.fixture()
def data_copy(small, tmp_path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(small.out_dir, dest)
    return dest


def _expected_keys(data_dir: Path) -> set[str]:
    manifest = json.loads((data_dir / "manifest.json").read_text())
    return {f for t in manifest["tables"].values() for f in t["files"]} | {"_meta/manifest.json"}


def test_upload_puts_each_table_under_its_prefix_and_is_idempotent(data_copy):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="curated")
        first = uploader.upload(data_copy, "curated", s3_client=s3)
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="curated", MaxKeys=1000)["Contents"]}
        assert keys == _expected_keys(data_copy)
        assert "orders/year=2025/month=07/part-00000.parquet" in keys
        assert "customers/part-00000.parquet" in keys
        assert len(first.uploaded) == len(keys) and not first.skipped
        body = (data_copy / "customers" / "part-00000.parquet").read_bytes()
        head = s3.head_object(Bucket="curated", Key="customers/part-00000.parquet")
        assert head["Metadata"]["md5"] == hashlib.md5(body, usedforsecurity=False).hexdigest()

        again = uploader.upload(data_copy, "curated", s3_client=s3)
        assert not again.uploaded and len(again.skipped) == len(keys)

        changed = data_copy / "regions" / "part-00000.parquet"
        pq.write_table(pa.table({"country": ["XX"]}), changed)
        third = uploader.upload(data_copy, "curated", s3_client=s3)
        assert third.uploaded == ["curated/regions/part-00000.parquet"]


def test_upload_trusts_recorded_md5_when_the_etag_is_not_one(data_copy):
    """SSE-KMS objects have ETags that are not MD5s: the metadata decides."""

    class FakeS3:
        def __init__(self):
            self.heads = 0

        def head_object(self, Bucket, Key):  # noqa: N803 - boto3's argument names
            self.heads += 1
            return {"Metadata": {"md5": "abc"}}

    item = uploader._Item(data_copy / "manifest.json", "curated", "_meta/manifest.json")
    s3 = FakeS3()
    assert uploader._unchanged(s3, item, "abc", {"_meta/manifest.json": "kms-etag"})
    assert not uploader._unchanged(s3, item, "def", {"_meta/manifest.json": "kms-etag"})
    assert not uploader._unchanged(s3, item, "abc", {})


def test_upload_refuses_missing_data_and_buckets(tmp_path, data_copy):
    with pytest.raises(uploader.UploadError, match="no dataset"):
        uploader.plan(tmp_path / "nothing", "curated")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        with pytest.raises(uploader.UploadError, match="cannot list bucket missing"):
            uploader.upload(data_copy, "missing", s3_client=s3)
    shutil.rmtree(data_copy / "inventory")
    with pytest.raises(uploader.UploadError, match="inventory has no Parquet"):
        uploader.plan(data_copy, "curated")


def test_cli_upload_dry_run_lists_without_writing(data_copy, capsys):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="curated")
        assert (
            datagen_cli(
                [
                    "upload",
                    "--data",
                    str(data_copy),
                    "--bucket",
                    "curated",
                    "--dry-run",
                    "--region",
                    "us-east-1",
                ]
            )
            == 0
        )
        assert "Contents" not in s3.list_objects_v2(Bucket="curated")
    assert "would upload s3://curated/orders/year=2024/month=07/part-00000.parquet" in capsys.readouterr().out


def test_duckdb_can_mirror_the_curated_bucket(data_copy, tmp_path, monkeypatch):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="curated")
        uploader.upload(data_copy, "curated", s3_client=s3)
        downloads = []
        real = s3.download_file
        monkeypatch.setattr(s3, "download_file", lambda b, k, f: (downloads.append(k), real(b, k, f)))
        cache = mirror_bucket("curated", tmp_path / "cache", s3_client=s3)
        assert len(downloads) == len(_expected_keys(data_copy))
        mirror_bucket("curated", cache, s3_client=s3)
        assert len(downloads) == len(_expected_keys(data_copy))  # nothing changed: nothing fetched
        w = DuckDBWarehouse(cache)
        local = DuckDBWarehouse(data_copy)
        sql = "SELECT COUNT(*) AS n, SUM(total_usd) AS revenue FROM orders WHERE year = ?"
        assert _close(w.query(sql, [2025]), local.query(sql, [2025]))
        w.close()
        local.close()
        # from the environment: no data dir, a bucket
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env = {
            "WAREHOUSE": "duckdb",
            "CURATED_BUCKET": "curated",
            "WAREHOUSE_CACHE_DIR": str(tmp_path / "c2"),
        }
        from_env_w = from_env(env)
        assert from_env_w.query_one("SELECT COUNT(*) AS n FROM regions WHERE 1 = ?", [1])["n"] == 21
        from_env_w.close()


def test_cli_generate_and_schema(tmp_path, capsys):
    assert datagen_cli(["generate", "--out", str(tmp_path / "d"), "--scale", "0.02", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "orders" in out and "seed=3" in out
    assert json.loads((tmp_path / "d" / "manifest.json").read_text())["seed"] == 3
    assert datagen_cli(["schema"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in doc["tables"]] == [t.name for t in TABLES]
