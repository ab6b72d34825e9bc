"""global-market-pulse: unit tests of its pure pieces, then the nine operations through the real
local platform (one platform for the module, scale 1.0, seed 42: the truth tests need the full
dataset), checked against the contract, against independent computations over the same Parquet
files (DuckDB directly, not through the service), and against the dataset's truth.json.

Tolerances of the truth tests, as SERVICES.md asks:
- region growth (`trend.region_annual_growth`): orders year 2 / year 1 per region from
  growth-rates (interval=year, metric=orders, the whole window); every region within +-0.10 of
  its truth, the fastest and the slowest region the truth's, Spearman rho >= 0.9 (adjacent
  truths differ by 0.02-0.03 while a region's yearly count has a few % of noise at scale 1.0);
- regional price factors (`regional_price_factors`): indexVsBase / 100 / (1 + VAT) within +-0.01;
- competitor price levels (`competitors.*.price_level`): 100 / averagePriceIndex over the whole
  window within +-0.015;
- a planted level shift: found by trend-changes within 3 points.
"""

from __future__ import annotations

import json
import math
import re
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from global_market_pulse import schemas
from global_market_pulse.changes import given_series, platform_series
from global_market_pulse.cube import Cube
from global_market_pulse.periods import add_months, buckets
from global_market_pulse.reference import Reference
from global_market_pulse.sales import (
    Unprocessable,
    concentration_level,
    growth_rates,
    hhi,
    intervals,
    market_share,
    trends,
)
from shared.errors import BadRequest

from components.catalog import OPENAPI_PATH
from local.contract import load_spec
from local.validation import resolve
from tests.helpers import local_platform

SPEC = load_spec(OPENAPI_PATH)
slow = pytest.mark.slow  # the tests through the local platform
PASSWORD = "Correct-Horse-Battery-9"


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def contract_schema(name: str) -> dict[str, Any]:
    return _strip(resolve(SPEC["components"]["schemas"][name], SPEC))


# ---- unit tests ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ours", "name"),
    [
        (schemas.PRICE_COMPARISON, "PriceComparisonRequest"),
        (schemas.OPPORTUNITIES, "OpportunityRequest"),
        (schemas.COMPETITOR_ANALYSIS, "CompetitorAnalysisRequest"),
        (schemas.TREND_CHANGES, "TrendChangeRequest"),
    ],
)
def test_request_schemas_are_the_contracts(ours, name):
    assert json.loads(json.dumps(ours)) == json.loads(json.dumps(contract_schema(name)))


def test_intervals_are_anchored_at_the_first_day_and_full():
    years = intervals(date(2024, 7, 1), date(2026, 6, 30), "year")
    assert years == [(date(2024, 7, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2026, 6, 30))]
    assert len(intervals(date(2024, 7, 1), date(2026, 6, 29), "year")) == 1  # the last is partial
    months = intervals(date(2025, 1, 31), date(2025, 5, 1), "month")
    assert months[0] == (date(2025, 1, 31), date(2025, 2, 27)) and len(months) == 3
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 14) == date(2026, 1, 15)


def test_buckets_start_on_mondays_and_first_days_of_months():
    starts, index = buckets(date(2026, 6, 3), date(2026, 6, 30), "week")
    assert starts[0] == date(2026, 6, 1) and all(s.weekday() == 0 for s in starts)
    assert len(index) == 28 and index[0] == 0 and index[-1] == len(starts) - 1
    starts, _ = buckets(date(2026, 1, 15), date(2026, 3, 2), "month")
    assert starts == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_hhi_and_its_levels():
    assert hhi([100.0]) == 10000.0
    assert hhi([50.0, 50.0]) == 5000.0
    assert hhi([10.0] * 10) == 1000.0
    assert [concentration_level(x) for x in (1499.9, 1500, 2499, 2500)] == [
        "unconcentrated",
        "moderate",
        "moderate",
        "high",
    ]


def small_cube() -> Cube:
    """Two regions x two categories over 2 years; region A grows 50 % a year, B is flat; EUR
    is worth 2 USD on every day. Category X sells 3x category Y."""
    first, last = date(2024, 1, 1), date(2025, 12, 30)
    days = (last - first).days + 1
    ref = Reference(
        first=first,
        last=last,
        currencies=["EUR", "USD"],
        decimals={"EUR": 2, "USD": 2},
        rates=np.vstack([np.full(days, 2.0), np.ones(days)]),
        countries=[
            {"country": "AA", "region": "A", "currency": "USD", "vat_rate": 0.1},
            {"country": "BB", "region": "B", "currency": "EUR", "vat_rate": 0.2},
        ],
        categories=[
            {"category_id": "X", "name": "Ex", "margin_target": 0.3},
            {"category_id": "Y", "name": "Why", "margin_target": 0.3},
        ],
    )
    t = np.arange(days) / 365.0
    base = np.stack([100.0 * 1.5**t, np.full(days, 100.0)], axis=1)  # (day, region)
    revenue = base[:, :, None] * np.array([0.75, 0.25])[None, None, :]
    return Cube(
        ref=ref,
        regions=["A", "B"],
        categories=["X", "Y"],
        revenue=revenue,
        units=revenue / 10.0,
        cost=revenue * 0.6,
        orders=revenue / 50.0,
        region_orders=base / 40.0,
    )


def test_growth_rates_on_a_known_cube():
    cube = small_cube()
    doc = growth_rates(cube, date(2024, 1, 1), date(2025, 12, 30), "quarter", "USD", "revenue")
    a, b = doc["regions"]
    assert a["region"] == "A" and b["region"] == "B"  # fastest first
    assert a["cagrPct"] == pytest.approx(50.0, abs=0.5) and b["cagrPct"] == pytest.approx(0.0, abs=0.5)
    orders = growth_rates(cube, date(2024, 1, 1), date(2025, 12, 30), "quarter", "USD", "orders")
    assert orders["regions"][0]["startRevenue"] == pytest.approx(
        a["startRevenue"] / 40.0, abs=0.5
    )  # whole orders
    eur = growth_rates(cube, date(2024, 1, 1), date(2025, 12, 30), "quarter", "EUR", "revenue")
    assert eur["regions"][0]["endRevenue"] == pytest.approx(a["endRevenue"] / 2.0, abs=0.01)
    with pytest.raises(Unprocessable):
        growth_rates(cube, date(2025, 6, 1), date(2025, 12, 30), "year", "USD", "revenue")


def test_trends_and_market_share_on_a_known_cube():
    cube = small_cube()
    doc = trends(cube, date(2025, 1, 1), date(2025, 3, 31), "month", None, "USD")
    a = next(r for r in doc["regions"] if r["region"] == "A")
    b = next(r for r in doc["regions"] if r["region"] == "B")
    assert b["revenue"] == pytest.approx(90 * 100.0) and b["orders"] == round(90 * 100.0 / 40)
    assert b["trendSlopePctPerMonth"] == pytest.approx(0.0, abs=1e-6) and b["growthPct"] == pytest.approx(0.0)
    assert a["trendSlopePctPerMonth"] == pytest.approx((1.5 ** (30 / 365) - 1) * 100, abs=0.2)
    assert a["growthPct"] == pytest.approx((1.5 ** (90 / 365) - 1) * 100, abs=0.5)
    assert [p["date"] for p in a["points"]] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    share = market_share(cube, date(2025, 1, 1), date(2025, 3, 31), None, "B", "EUR")
    assert share["totalRevenue"] == pytest.approx(90 * 100.0 / 2.0)
    assert [(c["key"], c["revenueSharePct"]) for c in share["byCategory"]] == [("X", 75.0), ("Y", 25.0)]
    assert share["concentration"]["categoryHhi"] == pytest.approx(75.0**2 + 25.0**2)
    assert share["byRegion"][0]["revenueSharePct"] == 100.0 and share["concentration"]["level"] == "high"
    assert {(c["region"], c["categoryId"], c["sharePct"]) for c in share["cells"]} == {
        ("B", "X", 75.0),
        ("B", "Y", 25.0),
    }


def test_platform_series_keep_whole_buckets_of_the_data_only():
    cube = small_cube()
    dates, values = platform_series(cube, "revenue", "B", None, "week", date(2025, 1, 1), date(2025, 2, 4))
    assert dates == [date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 20), date(2025, 1, 27)]  # Wed..Tue
    assert list(values) == pytest.approx([700.0] * 4)
    dates, values = platform_series(cube, "orders", "A", "X", "month", date(2023, 1, 1), date(2030, 1, 1))
    assert dates[0] == date(2024, 1, 1) and dates[-1] == date(2025, 11, 1)  # December 2025 is cut short
    with pytest.raises(Unprocessable):
        platform_series(cube, "units", None, None, "day", date(2030, 1, 1), date(2030, 2, 1))


def test_a_given_series_is_sorted_and_checked():
    dates, values = given_series([{"date": "2026-01-02", "value": 2}, {"date": "2026-01-01", "value": 1}])
    assert dates == [date(2026, 1, 1), date(2026, 1, 2)] and list(values) == [1.0, 2.0]
    with pytest.raises(BadRequest):
        given_series([{"date": "2026-01-01", "value": 1}, {"date": "2026-01-01", "value": 2}])
    with pytest.raises(BadRequest):
        given_series([{"date": "2026-01-01", "value": 10**400}])


# ---- through the local platform --------------------------------------------------------------
@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    home = tmp_path_factory.mktemp("global-market")
    with local_platform(home, build_frontend=False, scale=1.0, seed=42) as p:
        yield p


@pytest.fixture(scope="module")
def token(platform):
    email = f"gmp-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "Ada"}
    assert api(platform, "POST", "/auth/register", body=body, auth=None)[0] == 201
    status, login = api(
        platform, "POST", "/auth/login", body={"email": email, "password": PASSWORD}, auth=None
    )
    assert status == 200
    return login["accessToken"]


@pytest.fixture(scope="module")
def truth(platform):
    return json.loads((platform.data_dir / "truth.json").read_text())


@pytest.fixture(scope="module")
def lake(platform):
    """DuckDB over the platform's Parquet files, independently of shared.warehouse."""
    import duckdb

    con = duckdb.connect(":memory:")
    for table in (
        "orders",
        "order_items",
        "exchange_rates",
        "products",
        "price_history",
        "competitor_prices",
    ):
        glob = str(platform.data_dir / table / "**" / "*.parquet")
        source = f"read_parquet('{glob}', hive_partitioning = true)"  # our own paths, no input
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")  # noqa: S608
    yield con
    con.close()


def api(
    platform, method: str, path: str, *, query: dict | None = None, body: Any = None, auth: Any = ""
) -> Any:
    url = platform.api_url + path
    if query:
        url += "?" + "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in query.items())
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", f"Bearer {auth}")
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def conforms(document: Any, schema_name: str) -> None:
    """`document` is valid against the contract's response schema."""
    import fastjsonschema

    def is_date(value: str) -> bool:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and date.fromisoformat(value) is not None

    validate = fastjsonschema.compile(
        resolve(SPEC["components"]["schemas"][schema_name], SPEC), formats={"date": is_date}
    )
    validate(document)


@pytest.fixture(scope="module")
def get(platform, token):
    def _get(path: str, **query: Any) -> Any:
        status, doc = api(platform, "GET", path, query=query or None, auth=token)
        return status, doc

    return _get


@pytest.fixture(scope="module")
def post(platform, token):
    def _post(path: str, body: Any) -> Any:
        return api(platform, "POST", path, body=body, auth=token)

    return _post


@slow
def test_every_operation_needs_a_token(platform):
    status, doc = api(platform, "GET", "/global-market/currencies", auth=None)
    assert status == 401 and doc["error"]["code"] == "UNAUTHORIZED"


@slow
def test_currencies_in_any_base_from_the_rates(get, lake):
    status, usd = get("/global-market/currencies")
    assert status == 200, usd
    conforms(usd, "ExchangeRates")
    assert usd["base"] == "USD" and usd["asOf"] == "2026-06-30"
    expected = dict(
        lake.execute(
            "SELECT currency, rate_to_usd FROM exchange_rates WHERE rate_date = DATE '2026-06-30'"
        ).fetchall()
    )
    assert {r["currency"]: r["rateToUsd"] for r in usd["rates"]} == pytest.approx(expected, rel=1e-6)
    assert {r["currency"]: r["decimals"] for r in usd["rates"]}["JPY"] == 0
    status, eur = get("/global-market/currencies", base="EUR", date="2025-01-15")
    assert status == 200 and eur["asOf"] == "2025-01-15"
    day = dict(
        lake.execute(
            "SELECT currency, rate_to_usd FROM exchange_rates WHERE rate_date = DATE '2025-01-15'"
        ).fetchall()
    )
    rates = {r["currency"]: r["rate"] for r in eur["rates"]}
    assert rates["EUR"] == pytest.approx(1.0)
    for currency, rate in rates.items():  # units of the currency per one euro
        assert rate == pytest.approx(day["EUR"] / day[currency], rel=1e-6)
    status, err = get("/global-market/currencies", base="XXX")
    assert status == 400 and err["error"]["code"] == "VALIDATION_ERROR"


@slow
def test_trends_agree_with_the_parquet_files(get, lake):
    status, doc = get(
        "/global-market/trends", **{"from": "2026-03-01", "to": "2026-05-31", "granularity": "month"}
    )
    assert status == 200, doc
    conforms(doc, "RegionalTrends")
    rows = lake.execute(
        """SELECT o.region, COUNT(DISTINCT o.order_id), SUM(oi.line_total_usd)
           FROM orders o JOIN order_items oi ON oi.order_id = o.order_id
           WHERE o.status <> 'cancelled' AND o.order_date BETWEEN DATE '2026-03-01' AND DATE '2026-05-31'
           GROUP BY 1"""
    ).fetchall()
    expected = {r[0]: (r[1], r[2]) for r in rows}
    got = {r["region"]: r for r in doc["regions"]}
    assert set(got) == set(expected)
    for region, (orders, revenue) in expected.items():
        assert got[region]["orders"] == orders
        assert got[region]["revenue"] == pytest.approx(revenue, abs=0.01)
        assert [p["date"] for p in got[region]["points"]] == ["2026-03-01", "2026-04-01", "2026-05-01"]
        assert sum(p["orders"] for p in got[region]["points"]) == orders
    revenues = [r["revenue"] for r in doc["regions"]]
    assert revenues == sorted(revenues, reverse=True)


@slow
def test_trends_convert_at_each_days_rate(get, lake):
    query = {"from": "2026-06-01", "to": "2026-06-30", "region": "Western Europe"}
    status, eur = get("/global-market/trends", currency="EUR", **query)
    assert status == 200 and eur["currency"] == "EUR" and len(eur["regions"]) == 1
    (expected,) = lake.execute(
        """SELECT SUM(oi.line_total_usd / x.rate_to_usd)
           FROM orders o JOIN order_items oi ON oi.order_id = o.order_id
           JOIN exchange_rates x ON x.currency = 'EUR' AND x.rate_date = o.order_date
           WHERE o.status <> 'cancelled' AND o.region = 'Western Europe'
             AND o.order_date BETWEEN DATE '2026-06-01' AND DATE '2026-06-30'"""
    ).fetchone()
    assert eur["regions"][0]["revenue"] == pytest.approx(expected, abs=0.05)
    assert len(eur["regions"][0]["points"]) == 30  # day buckets by default, zero days included
    status, err = get("/global-market/trends", region="Atlantis")
    assert status == 400 and err["error"]["details"]["fields"][0]["field"] == "region"


@slow
def test_market_share_and_hhi(get, lake):
    status, doc = get("/global-market/market-share", **{"from": "2025-07-01", "to": "2026-06-30"})
    assert status == 200, doc
    conforms(doc, "MarketShare")
    (total,) = lake.execute(
        """SELECT SUM(oi.line_total_usd) FROM orders o JOIN order_items oi ON oi.order_id = o.order_id
           WHERE o.status <> 'cancelled' AND o.order_date BETWEEN DATE '2025-07-01' AND DATE '2026-06-30'"""
    ).fetchone()
    assert doc["totalRevenue"] == pytest.approx(total, abs=0.05)
    assert sum(r["revenueSharePct"] for r in doc["byRegion"]) == pytest.approx(100.0, abs=0.05)
    assert sum(c["revenueSharePct"] for c in doc["byCategory"]) == pytest.approx(100.0, abs=0.05)
    region_hhi = sum(r["revenueSharePct"] ** 2 for r in doc["byRegion"])
    assert doc["concentration"]["regionHhi"] == pytest.approx(region_hhi, abs=5)
    assert doc["concentration"]["level"] == concentration_level(doc["concentration"]["regionHhi"])
    assert all("growthPct" in r for r in doc["byRegion"])  # the year before is in the data
    cells = [c for c in doc["cells"] if c["region"] == "Nordics"]
    assert len(cells) == 12 and sum(c["sharePct"] for c in cells) == pytest.approx(100.0, abs=0.1)
    status, one = get(
        "/global-market/market-share", category="CAT06", **{"from": "2025-07-01", "to": "2026-06-30"}
    )
    assert status == 200 and [c["key"] for c in one["byCategory"]] == ["CAT06"]
    apparel = next(c for c in doc["byCategory"] if c["key"] == "CAT06")
    assert one["totalRevenue"] == pytest.approx(apparel["revenue"], abs=0.05)


@slow
def test_growth_ranking_recovers_the_planted_region_growth(get, truth):
    status, doc = get(
        "/global-market/growth-rates",
        interval="year",
        metric="orders",
        **{"from": "2024-07-01", "to": "2026-06-30"},
    )
    assert status == 200, doc
    conforms(doc, "GrowthRates")
    planted = truth["trend"]["region_annual_growth"]
    got = {r["region"]: 1.0 + r["cagrPct"] / 100.0 for r in doc["regions"]}
    assert set(got) == set(planted)
    for region, growth in planted.items():
        assert got[region] == pytest.approx(growth, abs=0.10), region
    ours = [r["region"] for r in doc["regions"]]  # fastest first
    theirs = sorted(planted, key=lambda r: -planted[r])
    assert ours[0] == theirs[0] and ours[-1] == theirs[-1]
    d2 = sum((ours.index(r) - theirs.index(r)) ** 2 for r in planted)
    rho = 1 - 6 * d2 / (len(planted) * (len(planted) ** 2 - 1))
    assert rho >= 0.9, (ours, theirs)
    for r in doc["regions"]:  # year 2 / year 1 over two full years: CAGR = period over period
        assert r["cagrPct"] == pytest.approx(r["periodOverPeriodPct"], abs=0.2)


@slow
def test_growth_rates_by_month_in_a_currency_and_too_short_periods(get):
    status, doc = get("/global-market/growth-rates", currency="GBP")
    assert status == 200 and doc["interval"] == "month" and doc["metric"] == "revenue"
    assert doc["period"] == {"from": "2024-07-01", "to": "2026-06-30"}
    assert all(len(r["points"]) == 24 for r in doc["regions"])
    status, err = get("/global-market/growth-rates", interval="year", **{"from": "2026-01-01"})
    assert status == 422 and err["error"]["code"] == "UNPROCESSABLE"


@slow
def test_regional_prices_recover_the_planted_price_factors(get, truth, lake):
    status, doc = get("/global-market/regional-prices", productId="P00042", currency="EUR")
    assert status == 200, doc
    conforms(doc, "RegionalPrices")
    assert doc["asOf"] == "2026-06-30" and doc["currency"] == "EUR"
    prices = doc["prices"]
    assert [p["price"] for p in prices] == sorted(p["price"] for p in prices)
    factors = {p["country"]: p["indexVsBase"] / 100.0 / (1.0 + p["vatRate"]) for p in prices}
    assert set(factors) == set(truth["regional_price_factors"])
    for country, factor in truth["regional_price_factors"].items():
        assert factors[country] == pytest.approx(factor, abs=0.01), country
    (our_usd,) = lake.execute(
        "SELECT price FROM price_history WHERE product_id = 'P00042' AND week_start = DATE '2026-06-29'"
    ).fetchone()
    (eur,) = lake.execute(
        "SELECT rate_to_usd FROM exchange_rates WHERE currency = 'EUR' AND rate_date = DATE '2026-06-30'"
    ).fetchone()
    assert doc["basePrice"] == pytest.approx(our_usd / eur, abs=0.01)
    for p in prices:  # local price converted at the day's rate
        assert p["price"] == pytest.approx(p["localPrice"] * p["exchangeRate"], abs=0.01)
    status, err = get("/global-market/regional-prices", productId="P99999999")
    assert status == 404 and err["error"]["code"] == "NOT_FOUND"
    status, err = get("/global-market/regional-prices", productId="P00042", currency="ABC")
    assert status == 400


@slow
def test_price_comparison_spreads_and_unknown_products(post):
    body = {
        "productIds": ["P00042", "NOPE-1", "P00007"],
        "currency": "USD",
        "regions": ["Nordics", "South Asia"],
    }
    status, doc = post("/global-market/price-comparison", body)
    assert status == 200, doc
    conforms(doc, "PriceComparison")
    assert [p["productId"] for p in doc["products"]] == ["P00042", "P00007"] and doc["notFound"] == ["NOPE-1"]
    for product in doc["products"]:
        assert {p["region"] for p in product["prices"]} == {"Nordics", "South Asia"}
        assert product["cheapestRegion"] == "South Asia" and product["mostExpensiveRegion"] == "Nordics"
        low, high = product["minPrice"], product["maxPrice"]
        assert product["spreadPct"] == pytest.approx((high - low) / low * 100, abs=0.02)
    status, _ = post("/global-market/price-comparison", {"productIds": ["P00042"], "regions": ["Mars"]})
    assert status == 400


@slow
def test_competitor_price_levels_are_recovered(post, truth, lake):
    status, doc = post("/global-market/competitor-analysis", {"from": "2024-07-01", "to": "2026-06-30"})
    assert status == 200, doc
    conforms(doc, "CompetitorAnalysis")
    got = {c["competitor"]: c for c in doc["competitors"]}
    assert set(got) == set(truth["competitors"])
    for name, planted in truth["competitors"].items():
        assert 100.0 / got[name]["averagePriceIndex"] == pytest.approx(planted["price_level"], abs=0.015), (
            name
        )
    tracked = dict(
        lake.execute(
            "SELECT competitor, COUNT(DISTINCT product_id) FROM competitor_prices GROUP BY 1"
        ).fetchall()
    )
    for name, count in tracked.items():
        assert got[name]["productsTracked"] == count
    shares = [c["estimatedSharePct"] for c in doc["competitors"]] + [doc["ourPosition"]["estimatedSharePct"]]
    assert sum(shares) == pytest.approx(100.0, abs=0.1)
    dearest = max(truth["competitors"], key=lambda n: truth["competitors"][n]["price_level"])
    cheapest = min(truth["competitors"], key=lambda n: truth["competitors"][n]["price_level"])
    assert got[cheapest]["cheaperThanUsPct"] > got[dearest]["cheaperThanUsPct"]


@slow
def test_competitor_analysis_filters_and_regional_prices(post):
    status, usd = post(
        "/global-market/competitor-analysis", {"competitors": ["MegaMart"], "categoryId": "CAT01"}
    )
    assert status == 200 and [c["competitor"] for c in usd["competitors"]] == ["MegaMart"]
    status, india = post(
        "/global-market/competitor-analysis",
        {"competitors": ["MegaMart"], "categoryId": "CAT01", "region": "South Asia"},
    )
    assert status == 200
    # India's prices are 0.85 x ours: against the same competitor prices our index falls with them
    assert india["competitors"][0]["averagePriceIndex"] == pytest.approx(
        usd["competitors"][0]["averagePriceIndex"] * 0.85, rel=0.01
    )
    status, _ = post("/global-market/competitor-analysis", {"categoryId": "CAT99"})
    assert status == 400


@slow
def test_opportunities_state_their_weights_and_components(post):
    weights = {"growth": 0.6, "size": 0.2, "margin": 0.2, "competition": 0.0}
    status, doc = post("/global-market/opportunities", {"weights": weights, "limit": 96})
    assert status == 200, doc
    conforms(doc, "OpportunityScores")
    assert doc["weights"] == pytest.approx(weights)
    assert doc["period"] == {"from": "2025-07-01", "to": "2026-06-30"}
    ops = doc["opportunities"]
    assert len(ops) == 96 and [o["rank"] for o in ops] == list(range(1, 97))
    for o in ops:
        recomputed = 100 * sum(weights[k] * o["components"][k] for k in weights)
        assert o["score"] == pytest.approx(recomputed, abs=0.02)
    scores = [o["score"] for o in ops]
    assert scores == sorted(scores, reverse=True)
    best_growth = max(ops, key=lambda o: o["growthPct"])
    assert best_growth["components"]["growth"] == 1.0
    status, only = post(
        "/global-market/opportunities", {"regions": ["Nordics"], "categories": ["CAT01", "CAT02"]}
    )
    assert status == 200 and {(o["region"], o["categoryId"]) for o in only["opportunities"]} == {
        ("Nordics", "CAT01"),
        ("Nordics", "CAT02"),
    }
    status, _ = post(
        "/global-market/opportunities", {"weights": {"growth": 0, "size": 0, "margin": 0, "competition": 0}}
    )
    assert status == 400


@slow
def test_trend_changes_find_a_planted_level_shift(post):
    rng = np.random.default_rng(20261201)
    start = date(2025, 1, 6)
    values = np.r_[rng.normal(1000, 40, 60), rng.normal(1250, 40, 44)]  # +25 % from week 60 on
    series = [
        {"date": (start + timedelta(weeks=i)).isoformat(), "value": round(float(v), 2)}
        for i, v in enumerate(values)
    ]
    for method in ("pelt", "binary_segmentation", "cusum"):
        status, doc = post("/global-market/trend-changes", {"series": series, "method": method})
        assert status == 200, doc
        conforms(doc, "TrendChanges")
        assert doc["metric"] == "series" and doc["points"] == 104
        (change,) = doc["changePoints"]
        assert abs(change["index"] - 60) <= 3, (method, change)
        assert change["direction"] == "up" and change["changePct"] == pytest.approx(25, abs=5)
        assert change["date"] == series[change["index"]]["date"]
        assert len(doc["segments"]) == 2 and doc["segments"][1]["start"] == change["date"]


@slow
def test_trend_changes_on_the_platforms_sales(post, get):
    status, doc = post(
        "/global-market/trend-changes", {"granularity": "month", "region": "Nordics", "metric": "orders"}
    )
    assert status == 200, doc
    assert doc["points"] == 24 and doc["model"] == "mean" and doc["penalty"] > 0
    status, trend = get(
        "/global-market/trends",
        region="Nordics",
        granularity="month",
        **{"from": "2024-07-01", "to": "2026-06-30"},
    )
    orders = [p["orders"] for p in trend["regions"][0]["points"]]
    for segment in doc["segments"]:  # segment means are the sales of their months
        a = [p["date"] for p in trend["regions"][0]["points"]].index(segment["start"])
        b = [p["date"] for p in trend["regions"][0]["points"]].index(segment["end"][:8] + "01")
        assert segment["mean"] == pytest.approx(sum(orders[a : b + 1]) / (b + 1 - a), rel=1e-6)
    status, few = post(
        "/global-market/trend-changes", {"penalty": 0, "maxChangePoints": 2, "granularity": "week"}
    )
    assert status == 200 and len(few["changePoints"]) <= 2
    status, err = post("/global-market/trend-changes", {"method": "cusum", "model": "linear"})
    assert status == 400
    status, err = post(
        "/global-market/trend-changes", {"granularity": "month", "from": "2026-01-01", "minSegmentLength": 4}
    )
    assert status == 422 and err["error"]["code"] == "UNPROCESSABLE"


@slow
def test_bad_periods_are_client_errors(get, post):
    status, _ = get("/global-market/market-share", **{"from": "2026-02-01", "to": "2026-01-01"})
    assert status == 400
    status, _ = get("/global-market/trends", **{"from": "2000-01-01", "to": "2026-01-01"})
    assert status == 400  # longer than the longest period answered
    status, _ = post("/global-market/opportunities", {"from": "2026-02-01", "to": "2026-01-01"})
    assert status == 400
    status, doc = get("/global-market/trends", **{"from": "2030-01-01", "to": "2030-01-31"})
    assert status == 200 and all(r["revenue"] == 0 for r in doc["regions"])  # no sales then, not an error
    assert math.isfinite(sum(r["orders"] for r in doc["regions"]))
