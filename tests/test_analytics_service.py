"""analytics-service: its logic in process, and its eight operations through the local platform
(real HTTP, gateway, authorizer, worker, DuckDB over the generated Parquet files).

Every figure is checked against an independent computation in pandas over the same Parquet
files (to the cent), the insights against the anomalies planted in truth.json, and bad input
against the error model. The platform runs the scale-1.0 dataset (seed 42): the planted fraud
attack adds 80 orders to a day of ~115, which is only detectable at that volume."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import boto3
import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest
from analytics_service import detect, insights, periods, sales
from analytics_service.datasets import glue_datasets
from moto import mock_aws
from shared.lake_schema import DATA_END, DATA_START, TABLES

from tests.helpers import local_platform

PASSWORD = "Correct-Horse-Battery-9"
CENT = 0.011  # two roundings to the cent may differ by one cent


# ---- logic, in process ----------------------------------------------------------------------
def test_same_weekday_baseline_equals_pandas():
    rng = np.random.default_rng(3)
    y = rng.poisson(100, 120).astype(float)
    y[50] = 400
    y[77] = 3
    got = detect.same_weekday_baseline(y, weeks=2, min_neighbours=3)
    s = pd.Series(y)
    neighbours = pd.concat([s.shift(k) for k in (7, -7, 14, -14)], axis=1)
    med = neighbours.median(axis=1, skipna=True)
    mad = neighbours.sub(med, axis=0).abs().median(axis=1, skipna=True)
    enough = neighbours.notna().sum(axis=1) >= 3
    scale = np.maximum.reduce([1.4826 * mad, np.sqrt(np.maximum(med, 1.0)), 0.05 * med.abs()])
    want_z = ((s - med) / scale).where(enough)
    np.testing.assert_allclose(got.z, want_z.to_numpy(), rtol=0, atol=1e-12, equal_nan=True)
    flagged = set(np.flatnonzero(np.abs(np.nan_to_num(got.z)) >= insights.Z_THRESHOLD))
    assert {50, 77} <= flagged and len(flagged) <= 3


def test_buckets_cover_the_period_with_monday_weeks_and_first_days():
    p = periods.Period(dt.date(2025, 1, 30), dt.date(2025, 3, 2))
    assert sales.buckets(p, "month") == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    weeks = sales.buckets(p, "week")
    assert weeks[0] == dt.date(2025, 1, 27) and all(w.weekday() == 0 for w in weeks) and weeks[-1] <= p.last
    assert len(sales.buckets(p, "day")) == p.days == 32
    assert p.previous() == periods.Period(dt.date(2024, 12, 29), dt.date(2025, 1, 29))


def test_glue_catalog_datasets_from_glue_and_the_bucket_manifest():
    with mock_aws():
        glue, s3 = boto3.client("glue", "us-east-2"), boto3.client("s3", "us-east-2")
        glue.create_database(DatabaseInput={"Name": "lake"})
        description, zone, parts, cols = TABLES["orders"]
        glue.create_table(
            DatabaseName="lake",
            TableInput={
                "Name": "orders",
                "StorageDescriptor": {
                    "Columns": [{"Name": c, "Type": t, "Comment": d} for c, t, d in cols if c not in parts]
                },
                "PartitionKeys": [{"Name": p, "Type": "int"} for p in parts],
            },
        )
        s3.create_bucket(Bucket="curated", CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
        s3.put_object(
            Bucket="curated", Key="_meta/manifest.json", Body=json.dumps({"tables": {"orders": {"rows": 7}}})
        )
        s3.put_object(Bucket="curated", Key="orders/year=2025/month=01/part-00000.parquet", Body=b"x")
        now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
        [item] = glue_datasets(glue, s3, "lake", "curated", {"orders": ("2024-07-01", "2026-06-30")}, now=now)
    assert item["name"] == "orders" and item["rowCount"] == 7 and item["zone"] == zone
    assert item["partitionKeys"] == ["year", "month"] and item["description"] == description
    assert [c["name"] for c in item["columns"]][:3] == ["order_id", "customer_id", "order_ts"]
    assert 1.9 < item["freshnessHours"] < 2.1 and item["dataEnd"] == "2026-06-30"


def test_a_query_over_the_workgroup_scan_cutoff_is_the_caller_s_400():
    from analytics_service.explore import structured_query
    from shared.errors import BadRequest
    from shared.warehouse import Warehouse, WarehouseError

    class Cutoff(Warehouse):
        backend = "athena"

        def __init__(self, message: str) -> None:
            self.message = message

        def query_columns(self, sql, params=(), *, max_rows=None, reuse_minutes=None):
            raise WarehouseError(self.message)

    doc = {"dataset": "orders", "metrics": [{"field": "*", "agg": "count"}]}
    with pytest.raises(BadRequest) as err:
        structured_query(doc, Cutoff("Athena query q-1 failed: Bytes scanned limit was exceeded"))
    assert err.value.code == "QUERY_TOO_LARGE"
    with pytest.raises(WarehouseError):  # any other failure stays ours (a 500)
        structured_query(doc, Cutoff("Athena query q-1 failed: internal error"))


def test_each_answer_reports_its_warehouse_usage_in_logs_metrics_and_local_headers(tmp_path, monkeypatch):
    import shared.api
    from shared import warehouse as wmod
    from shared.testing import LAMBDA_ENV, call, user

    from datagen.generate import generate

    for key, value in LAMBDA_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    logged, emitted = [], []
    real_info = shared.api.logger.info

    def info(msg, *args, **kwargs):
        if msg == "warehouse usage":
            logged.append(kwargs["extra"])
        return real_info(msg, *args, **kwargs)

    monkeypatch.setattr(shared.api.logger, "info", info)
    monkeypatch.setattr(shared.api.metrics, "add_metric", lambda **kw: emitted.append(kw))
    data = generate(tmp_path / "data", scale=0.02, seed=7)
    wmod.set_warehouse(wmod.DuckDBWarehouse(data.out_dir))
    try:
        from analytics_service.handler import lambda_handler

        monkeypatch.delenv("WAREHOUSE_STATS_HEADERS", raising=False)
        quiet = call(lambda_handler, "GET", "/analytics/kpis", user=user())
        assert quiet.status == 200 and "x-warehouse-queries" not in quiet.headers  # never in AWS
        monkeypatch.setenv("WAREHOUSE_STATS_HEADERS", "1")
        answer = call(lambda_handler, "GET", "/analytics/kpis", user=user())
        assert answer.headers["x-warehouse-queries"] == "1" and int(answer.headers["x-warehouse-bytes"]) > 0
        bad = {"from": "2026-01-01", "to": "2025-01-01"}
        refused = call(lambda_handler, "GET", "/analytics/kpis", query=bad, user=user())
        assert refused.status == 400 and refused.headers["x-warehouse-queries"] == "0"  # reset per request
    finally:
        wmod.set_warehouse(None)
    scanned = int(answer.headers["x-warehouse-bytes"])
    # once per answer that queried (not for the 400); the first also read the files' footers
    assert len(logged) == 2 and logged[-1] == {"warehouseQueries": 1, "warehouseBytesScanned": scanned}
    assert {"name": "WarehouseQueries", "unit": "Count", "value": 1} in emitted
    assert {"name": "WarehouseBytesScanned", "unit": "Bytes", "value": scanned} in emitted


# ---- the local platform ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with local_platform(tmp_path_factory.mktemp("analytics"), build_frontend=False, scale=1.0, seed=42) as p:
        yield p


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, {k.lower(): v for k, v in headers.items()}, body

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:400]!r}>"


def http(platform, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            return Answer(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, dict(err.headers), err.read())


@pytest.fixture(scope="module")
def token(platform) -> str:
    email = f"analyst-{uuid.uuid4().hex[:8]}@example.com"
    assert (
        http(platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "A"}).status
        == 201
    )
    return http(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD}).json()["accessToken"]


@pytest.fixture(scope="module")
def get(platform, token):
    def _get(path: str, status: int = 200) -> Any:
        answer = http(platform, "GET", path, token=token)
        assert answer.status == status, answer
        return answer.json()

    return _get


@pytest.fixture(scope="module")
def lake(platform) -> dict[str, pd.DataFrame]:
    """The tables the operations read, straight from the Parquet files, in pandas."""
    out = {}
    for name in ("orders", "order_items", "products", "categories", "payments"):
        part = "hive" if TABLES[name][2] else None
        table = ds.dataset(platform.data_dir / name, format="parquet", partitioning=part).to_table()
        out[name] = table.to_pandas(date_as_object=True)
    return out


def completed(lake, first, last, region=None) -> pd.DataFrame:
    o = lake["orders"]
    o = o[(o.status == "completed") & (o.order_date >= first) & (o.order_date <= last)]
    return o[o.region == region] if region else o


def lines(lake, first, last, region=None, category=None) -> pd.DataFrame:
    o = completed(lake, first, last, region)[["order_id", "customer_id"]]
    li = (
        lake["order_items"]
        .merge(o, on="order_id")
        .merge(lake["products"], on="product_id", suffixes=("", "_p"))
    )
    return li[li.category_id == category] if category else li


FIRST, LAST = dt.date(2025, 4, 1), dt.date(2025, 6, 30)
PERIOD = f"from={FIRST}&to={LAST}"


def test_kpis_agree_with_the_parquet_files(get, lake):
    doc = get(f"/analytics/kpis?{PERIOD}")
    prev_first, prev_last = FIRST - dt.timedelta(days=91), FIRST - dt.timedelta(days=1)
    assert doc["period"] == {"from": str(FIRST), "to": str(LAST)}
    assert (
        doc["previousPeriod"] == {"from": str(prev_first), "to": str(prev_last)} and doc["currency"] == "USD"
    )
    for kpi, first, last in (("value", FIRST, LAST), ("previous", prev_first, prev_last)):
        o = completed(lake, first, last)
        assert doc["revenue"][kpi] == pytest.approx(o.total_usd.sum(), abs=CENT)
        assert doc["orders"][kpi] == len(o)
        assert doc["activeCustomers"][kpi] == o.customer_id.nunique()
        assert doc["averageOrderValue"][kpi] == pytest.approx(o.total_usd.sum() / len(o), abs=CENT)
    rev = doc["revenue"]
    assert rev["change"] == pytest.approx(rev["value"] - rev["previous"], abs=CENT)
    assert rev["changePct"] == pytest.approx(
        (rev["value"] - rev["previous"]) / rev["previous"] * 100, abs=0.01
    )


def test_kpis_with_region_and_category_count_that_category_s_lines(get, lake):
    doc = get(f"/analytics/kpis?{PERIOD}&region=Western%20Europe&category=CAT03")
    li = lines(lake, FIRST, LAST, "Western Europe", "CAT03")
    assert doc["revenue"]["value"] == pytest.approx(li.line_total_usd.sum(), abs=CENT)
    assert doc["orders"]["value"] == li.order_id.nunique() > 0
    assert doc["activeCustomers"]["value"] == li.customer_id.nunique()


def test_sales_timeseries_by_day_week_month_with_zero_days(get, lake):
    o = completed(lake, FIRST, LAST)
    daily = o.groupby("order_date").total_usd.sum()
    doc = get(f"/analytics/sales-timeseries?{PERIOD}")
    assert len(doc["points"]) == 91 and doc["granularity"] == "day"
    for point in doc["points"][:10]:
        day = dt.date.fromisoformat(point["date"])
        assert point["revenue"] == pytest.approx(daily.get(day, 0.0), abs=CENT)
    assert sum(p["orders"] for p in doc["points"]) == len(o)
    units = lake["order_items"].merge(o[["order_id"]], on="order_id").quantity.sum()
    assert sum(p["units"] for p in doc["points"]) == units
    weeks = get(f"/analytics/sales-timeseries?{PERIOD}&granularity=week")["points"]
    assert weeks[0]["date"] == "2025-03-31" and all(
        dt.date.fromisoformat(p["date"]).weekday() == 0 for p in weeks
    )
    assert sum(p["revenue"] for p in weeks) == pytest.approx(o.total_usd.sum(), abs=0.2)
    months = get(f"/analytics/sales-timeseries?{PERIOD}&granularity=month")["points"]
    assert [p["date"] for p in months] == ["2025-04-01", "2025-05-01", "2025-06-01"]
    # a region x category with days without a sale: those days are points with zero, not gaps
    li = lines(lake, FIRST, LAST, "Nordics", "CAT12")
    empty = sorted(set(pd.date_range(FIRST, LAST).date) - set(li.order_date))
    assert empty, "the test needs a day without sales"
    series = get(f"/analytics/sales-timeseries?{PERIOD}&region=Nordics&category=CAT12")["points"]
    by_day = {p["date"]: p for p in series}
    assert len(series) == 91
    assert by_day[str(empty[0])] == {
        "date": str(empty[0]),
        "revenue": 0.0,
        "orders": 0,
        "units": 0,
        "averageOrderValue": 0.0,
    }
    # and days after the data's end are zero points too
    tail = get("/analytics/sales-timeseries?from=2026-06-29&to=2026-07-02")["points"]
    assert [p["orders"] > 0 for p in tail] == [True, True, False, False]


def test_top_products_agree_with_the_parquet_files_and_page(get, lake):
    li = lines(lake, FIRST, LAST)
    per = li.groupby("product_id").agg(revenue=("line_total_usd", "sum"), units=("quantity", "sum"))
    ranked = per.reset_index().sort_values(["revenue", "product_id"], ascending=[False, True])
    page1 = get(f"/analytics/top-products?{PERIOD}&limit=5")
    page2 = get(f"/analytics/top-products?{PERIOD}&limit=5&cursor={page1['nextCursor']}")
    items = page1["items"] + page2["items"]
    assert [i["rank"] for i in items] == list(range(1, 11))
    assert [i["productId"] for i in items] == list(ranked.product_id[:10])
    for item, (_, want) in zip(items, ranked.iloc[:10].iterrows(), strict=True):
        assert item["revenue"] == pytest.approx(want.revenue, abs=CENT) and item["units"] == want.units
        assert item["revenueSharePct"] == pytest.approx(
            want.revenue / li.line_total_usd.sum() * 100, abs=1e-3
        )
    by_units = get(f"/analytics/top-products?{PERIOD}&by=units&limit=3&category=CAT06")
    cat = lines(lake, FIRST, LAST, category="CAT06").groupby("product_id").quantity.sum()
    assert [i["units"] for i in by_units["items"]] == sorted(cat, reverse=True)[:3]
    assert {i["categoryId"] for i in by_units["items"]} == {"CAT06"} and by_units["by"] == "units"


def test_category_performance_agrees_with_the_parquet_files(get, lake):
    doc = get(f"/analytics/category-performance?{PERIOD}")
    li = lines(lake, FIRST, LAST)
    before = lines(lake, FIRST - dt.timedelta(days=91), FIRST - dt.timedelta(days=1))
    assert len(doc["categories"]) == len(lake["categories"])
    revenues = [c["revenue"] for c in doc["categories"]]
    assert revenues == sorted(revenues, reverse=True)
    for c in doc["categories"]:
        mine = li[li.category_id == c["categoryId"]]
        revenue = mine.line_total_usd.sum()
        margin = revenue - (mine.unit_cost * mine.quantity).sum()
        assert c["revenue"] == pytest.approx(revenue, abs=CENT)
        assert c["grossMargin"] == pytest.approx(margin, abs=CENT)
        assert c["marginPct"] == pytest.approx(margin / revenue * 100, abs=0.01)
        prev = before[before.category_id == c["categoryId"]].line_total_usd.sum()
        assert c["growthPct"] == pytest.approx((revenue - prev) / prev * 100, abs=0.01)
    assert sum(c["revenueSharePct"] for c in doc["categories"]) == pytest.approx(100, abs=0.01)


def test_cohorts_agree_with_the_parquet_files(get, lake):
    doc = get("/analytics/cohorts?from=2025-01-01&to=2025-03-31&months=3")
    o = lake["orders"]
    o = o[o.status == "completed"]
    month = o.order_date.map(lambda d: d.year * 12 + d.month - 1)
    first = month.groupby(o.customer_id).min()
    assert [c["cohort"] for c in doc["cohorts"]] == ["2025-01", "2025-02", "2025-03"]
    for c in doc["cohorts"]:
        y, m = map(int, c["cohort"].split("-"))
        members = set(first[first == y * 12 + m - 1].index)
        assert c["size"] == len(members) > 0 and len(c["retention"]) == 4 and c["retention"][0] == 1.0
        for k in range(1, 4):
            active = set(o.customer_id[(month == y * 12 + m - 1 + k) & o.customer_id.isin(members)])
            assert c["retention"][k] == pytest.approx(len(active) / len(members), abs=1e-6)
    # the last cohorts have as many months as have elapsed
    last = get("/analytics/cohorts?from=2026-05-01&to=2026-06-30&months=6")["cohorts"]
    assert [len(c["retention"]) for c in last] == [2, 1]


def test_structured_query_agrees_with_the_parquet_files(platform, token, lake):
    body = {
        "dataset": "order_items",
        "metrics": [
            {"field": "line_total_usd", "agg": "sum", "alias": "revenue"},
            {"field": "order_id", "agg": "count_distinct", "alias": "orders"},
        ],
        "dimensions": ["order_date:month"],
        "filters": [{"field": "quantity", "op": "gte", "value": 2}],
        "orderBy": [{"field": "order_date_month", "direction": "asc"}],
        "from": "2025-01-01",
        "to": "2025-06-30",
    }
    answer = http(platform, "POST", "/analytics/query", body, token)
    assert answer.status == 200, answer
    doc = answer.json()
    li = lake["order_items"]
    li = li[
        (li.quantity >= 2) & (li.order_date >= dt.date(2025, 1, 1)) & (li.order_date <= dt.date(2025, 6, 30))
    ]
    month = li.order_date.map(lambda d: d.replace(day=1).isoformat())
    want = li.groupby(month).agg(revenue=("line_total_usd", "sum"), orders=("order_id", "nunique"))
    assert [c["name"] for c in doc["columns"]] == ["order_date_month", "revenue", "orders"]
    assert [r[0] for r in doc["rows"]] == list(want.index)
    for row, (_, w) in zip(doc["rows"], want.iterrows(), strict=True):
        assert row[1] == pytest.approx(w.revenue, abs=CENT) and row[2] == w.orders
    assert doc["truncated"] is False and doc["engine"] == "duckdb" and doc["bytesScanned"] > 0
    assert int(answer.headers["x-warehouse-queries"]) == 1


def test_structured_query_refusals_name_the_field(platform, token):
    cases = [
        ({"dataset": "orders", "metrics": [{"field": "email", "agg": "count"}]}, "metrics[0].field"),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "dimensions": ["status; DROP"],
            },
            "dimensions[0]",
        ),
        (
            {
                "dataset": "orders",
                "metrics": [{"field": "*", "agg": "count"}],
                "filters": [{"field": "status", "op": "in", "value": ["x"] * 150}],
            },
            None,  # the gateway's own validation (maxItems) or the engine: a 400 either way
        ),
    ]
    for body, field in cases:
        answer = http(platform, "POST", "/analytics/query", body, token)
        assert answer.status == 400, answer
        if field:
            assert [f["field"] for f in answer.json()["error"]["details"]["fields"]] == [field]


def test_datasets_come_from_the_manifest(get, platform):
    doc = get("/analytics/datasets")
    manifest = json.loads((platform.data_dir / "manifest.json").read_text())
    assert doc["engine"] == "duckdb"
    assert {d["name"] for d in doc["datasets"]} == set(manifest["tables"]) == set(TABLES)
    for d in doc["datasets"]:
        assert d["rowCount"] == manifest["tables"][d["name"]]["rows"]
        assert [c["name"] for c in d["columns"]] == [
            c for c, _, _ in TABLES[d["name"]][3] if c not in ("year", "month")
        ]
    orders = next(d for d in doc["datasets"] if d["name"] == "orders")
    assert orders["partitionKeys"] == ["year", "month"]
    assert (orders["dataStart"], orders["dataEnd"]) == (str(DATA_START), str(DATA_END))


def test_insights_find_the_planted_anomaly_days(get, platform, lake):
    truth = json.loads((platform.data_dir / "truth.json").read_text())
    planted = {a["date"] for a in truth["anomalies"]}
    doc = get(f"/analytics/insights?from={DATA_START}&to={DATA_END}&limit=200")
    days = {i["date"] for i in doc["items"] if i["type"] in ("spike", "drop")}
    assert planted <= days, (planted, days)
    # besides them, only the two Black Fridays and Cyber Mondays (expected peaks of the model)
    assert len(days - planted) <= 4, days - planted
    outage = next(i for i in doc["items"] if i["date"] == "2025-03-11")
    assert (
        outage["type"] == "drop" and outage["severity"] == "critical" and outage["value"] < outage["expected"]
    )
    assert outage["link"].startswith("/analytics/sales-timeseries?")
    critical = get(f"/analytics/insights?from={DATA_START}&to={DATA_END}&severity=critical&limit=200")[
        "items"
    ]
    assert critical and {i["severity"] for i in critical} == {"critical"}
    # a quarter's insights include how categories, regions and channels moved
    quarter = get("/analytics/insights?from=2026-04-01&to=2026-06-30&limit=200")["items"]
    assert {i["type"] for i in quarter} & {"top_mover", "margin_shift"}
    # payment-method shifts: orders paid by the method, now and in the previous quarter
    shifts = [i for i in quarter if i["dimension"] == "paymentMethod"]
    assert shifts and all(i["type"] == "top_mover" and i["metric"] == "orders" for i in shifts)
    pay = lake["payments"].merge(lake["orders"][["order_id", "status", "order_date"]], on="order_id")
    pay = pay[pay.status == "completed"]
    for i in shifts:
        method = pay[pay.method == i["dimensionValue"]]
        now = method[(method.order_date >= dt.date(2026, 4, 1)) & (method.order_date <= dt.date(2026, 6, 30))]
        before = method[
            (method.order_date >= dt.date(2025, 12, 31)) & (method.order_date <= dt.date(2026, 3, 31))
        ]
        assert (i["value"], i["expected"]) == (len(now), len(before)), i
    page = get(f"/analytics/insights?from={DATA_START}&to={DATA_END}&limit=2")
    assert page["count"] == 2 and page["nextCursor"]
    rest = get(f"/analytics/insights?from={DATA_START}&to={DATA_END}&limit=2&cursor={page['nextCursor']}")
    assert {i["insightId"] for i in rest["items"]}.isdisjoint({i["insightId"] for i in page["items"]})


def test_dashboard_operations_need_at_most_one_query(platform, token):
    # the series, the category table and the insights read the daily cube (cube.py), the
    # cohorts their matrix (artifacts built by one query per data version); KPIs (distinct
    # customers) and the product ranking read the lake, one statement each
    http(platform, "GET", "/analytics/insights", token=token)  # the cube exists from here on
    http(platform, "GET", "/analytics/cohorts", token=token)  # and the cohort matrix
    for path, queries in (
        (f"/analytics/kpis?{PERIOD}", "1"),
        (f"/analytics/top-products?{PERIOD}", "1"),
        (f"/analytics/sales-timeseries?{PERIOD}&region=Nordics", "0"),
        (f"/analytics/category-performance?{PERIOD}", "0"),
        ("/analytics/insights?from=2025-01-01&to=2025-03-31", "0"),
        ("/analytics/cohorts?from=2025-01-01&to=2025-06-30&months=6", "0"),
    ):
        answer = http(platform, "GET", path, token=token)
        assert answer.status == 200 and answer.headers["x-warehouse-queries"] == queries, (
            path,
            answer.headers,
        )
        assert (int(answer.headers["x-warehouse-bytes"]) > 0) == (queries == "1")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/analytics/kpis?from=2025-02-01&to=2025-01-01", "from"),
        ("/analytics/kpis?from=2020-01-01&to=2025-01-01", "from"),
        ("/analytics/kpis?to=0001-01-01", "to"),
        ("/analytics/kpis?from=2025-02-30", None),
        ("/analytics/kpis?category=CAT01'--", None),
        ("/analytics/sales-timeseries?granularity=hour", None),
        ("/analytics/top-products?by=margin", None),
        ("/analytics/top-products?cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("/analytics/top-products?limit=0", None),
        ("/analytics/cohorts?months=25", None),
        ("/analytics/insights?severity=fatal", None),
    ],
)
def test_bad_input_is_a_400_in_the_error_model(platform, token, path, field):
    answer = http(platform, "GET", path, token=token)
    assert answer.status == 400, answer
    error = answer.json()["error"]
    assert (
        error["code"] in ("VALIDATION_ERROR", "INVALID_CURSOR", "BAD_REQUEST_PARAMETERS") and error["message"]
    )
    if field:
        assert [f["field"] for f in error["details"]["fields"]] == [field]


def test_operations_need_a_token(platform):
    for method, path in (("GET", "/analytics/kpis"), ("POST", "/analytics/query")):
        assert http(platform, method, path, {} if method == "POST" else None).status == 401
