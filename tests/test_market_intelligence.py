"""market-intelligence through the local platform (real HTTP, local gateway, the real handler,
DuckDB over the generated Parquet): truth tests against truth.json and the 4xx cases.

One platform for the module, on the dataset the acceptance names (seed 42, scale 1.0: the
planted anomalies are only distinguishable from noise with a realistic number of orders per
day); generating it takes a few seconds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.helpers import local_platform

pytestmark = pytest.mark.slow

PASSWORD = "Correct-Horse-Battery-9"
WINDOW = {"from": "2024-07-01", "to": "2026-06-30"}


class Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = json.loads(body) if body else None

    def __repr__(self) -> str:
        return f"<{self.status} {json.dumps(self.body)[:400]}>"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with local_platform(
        tmp_path_factory.mktemp("mi-platform"), build_frontend=False, scale=1.0, seed=42
    ) as p:
        yield p


@pytest.fixture(scope="module")
def truth(platform) -> dict[str, Any]:
    return json.loads((platform.data_dir / "truth.json").read_text())


@pytest.fixture(scope="module")
def token(platform) -> str:
    email = f"mi-{uuid.uuid4().hex[:8]}@example.com"
    assert (
        _http(
            platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "Ada"}
        ).status
        == 201
    )
    return _http(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD}).body["accessToken"]


def _http(platform, method: str, path: str, body: Any = None, token: str | None = None, query=None) -> Answer:
    if query:
        path += "?" + "&".join(f"{k}={urllib.parse.quote(str(v))}" for k, v in query.items())
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return Answer(resp.status, resp.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.read())


@pytest.fixture(scope="module")
def api(platform, token):
    def call(method: str, path: str, body: Any = None, **query: Any) -> Answer:
        return _http(platform, method, "/market-intelligence" + path, body, token, query)

    return call


def error_code(answer: Answer) -> str:
    assert isinstance(answer.body, dict) and set(answer.body) == {"error"}, answer
    return answer.body["error"]["code"]


# ---- truth -----------------------------------------------------------------------------------
def test_the_three_planted_anomaly_days_are_found_with_at_most_two_false_days(api, truth):
    found = api("GET", "/anomalies", metric="orders", threshold=3, limit=200, **WINDOW)
    assert found.status == 200, found
    days = {item["date"]: item for item in found.body["items"]}
    planted = {a["date"]: a["kind"] for a in truth["anomalies"]}
    assert set(planted) <= set(days), (sorted(days), planted)  # 3 of 3
    assert len(set(days) - set(planted)) <= 2, sorted(days)
    assert days["2025-03-11"]["direction"] == "drop"  # the outage
    assert days["2025-09-16"]["direction"] == "spike"  # the flash sale (x3)
    assert days["2026-01-20"]["direction"] == "spike"  # the fraud ring's extra orders
    outage = days["2025-03-11"]
    assert outage["actual"] < outage["lower"] < outage["expected"] < outage["upper"]
    assert outage["deviationPct"] == pytest.approx(100 * (truth["anomalies"][0]["factor"] - 1), abs=8)
    # Black Friday and Cyber Monday are expected peaks, not anomalies
    peaks = set(truth["seasonality"]["black_friday"]) | set(truth["seasonality"]["cyber_monday"])
    assert not peaks & set(days)
    zs = [abs(item["zScore"]) for item in found.body["items"]]
    assert zs == sorted(zs, reverse=True) and min(zs) > 3


def test_weekly_seasonality_is_visible_with_its_weekend_peak(api, truth):
    factors = truth["seasonality"]["weekday_factors"]
    assert max(factors, key=factors.get) in ("Sat", "Sun")
    for metric in ("orders", "revenue"):
        answer = api("GET", "/trends", metric=metric, **WINDOW)
        assert answer.status == 200, answer
        cats = answer.body["categories"]
        assert len(cats) == 12
        assert {c["peakWeekday"] for c in cats} <= {"saturday", "sunday"}, cats
        assert all(0 < c["seasonalStrength"] <= 1 and 0 < c["trendStrength"] <= 1 for c in cats)
        strengths = [c["trendStrength"] for c in cats]
        assert strengths == sorted(strengths, reverse=True)


def test_holt_winters_beats_seasonal_naive_on_held_out_weeks(api):
    for metric in ("revenue", "orders"):
        answer = api("POST", "/compare-models", {"metric": metric, "holdout": 56})
        assert answer.status == 200, answer
        body = answer.body
        ranked = [m["model"] for m in body["models"]]
        assert body["bestModel"] == ranked[0] == "holt_winters"
        assert [m["rank"] for m in body["models"]] == [1, 2, 3]
        smape = {m["model"]: m["smape"] for m in body["models"]}
        assert smape["holt_winters"] < smape["seasonal_naive"]


def test_forecast_with_its_interval_after_the_last_day(api):
    answer = api("POST", "/forecast", {"metric": "revenue", "horizon": 28, "confidenceLevel": 0.9})
    assert answer.status == 200, answer
    body = answer.body
    assert body["model"] in ("holt_winters", "seasonal_naive", "linear_trend") and body["currency"] == "USD"
    points = body["points"]
    assert len(points) == 28
    assert [p["date"] for p in points] == [
        (date(2026, 7, 1) + timedelta(days=i)).isoformat() for i in range(28)
    ]
    assert all(0 <= p["lower"] <= p["value"] <= p["upper"] for p in points)
    widths = [p["upper"] - p["lower"] for p in points]
    assert widths[-1] > widths[0]  # uncertainty grows with the horizon
    assert body["history"][-1]["date"] == "2026-06-30" and len(body["history"]) == 84
    assert body["metrics"]["holdoutPoints"] >= 28 and body["metrics"]["smape"] < 30
    # weekly season in the forecast: the weekend days are the highest of each week
    first_week = points[3:10]  # Sat 2026-07-04 .. Fri 2026-07-10
    top = max(first_week, key=lambda p: p["value"])["date"]
    assert date.fromisoformat(top).weekday() in (5, 6)


def test_forecast_scopes_and_granularities(api):
    cat = api("POST", "/forecast", {"metric": "units", "scope": "category", "scopeId": "CAT03", "horizon": 7})
    assert cat.status == 200 and cat.body["scopeId"] == "CAT03" and "currency" not in cat.body, cat
    prod = api(
        "POST",
        "/forecast",
        {"metric": "orders", "scope": "product", "scopeId": "P00042", "granularity": "week", "horizon": 4},
    )
    assert prod.status == 200 and len(prod.body["points"]) == 4, prod
    assert prod.body["points"][0]["date"] == "2026-06-29"  # the week after the last full week
    month = api(
        "POST", "/forecast", {"metric": "revenue", "granularity": "month", "horizon": 3, "region": "Nordics"}
    )
    assert month.status == 200 and [p["date"] for p in month.body["points"]] == [
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
    ]


def test_competitor_price_levels_are_recovered(api, truth):
    """Our price / theirs, averaged over the products each competitor tracks, orders the
    competitors as their planted price levels do (cheaper competitor -> higher index), and the
    ratios between competitors match the levels' within 3 %."""
    indices: dict[str, list[float]] = {}
    cursor = None
    while True:
        query = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = api("GET", "/competitive-pricing", **query)
        assert page.status == 200, page
        for item in page.body["items"]:
            assert item["position"] == (
                "below" if item["priceIndex"] < 98 else "above" if item["priceIndex"] > 102 else "at"
            )
            for c in item["competitors"]:
                indices.setdefault(c["competitor"], []).append(item["ourPrice"] / c["price"])
        cursor = page.body.get("nextCursor")
        if not cursor:
            break
    levels = {name: info["price_level"] for name, info in truth["competitors"].items()}
    mean = {name: sum(v) / len(v) for name, v in indices.items()}
    assert sorted(mean, key=mean.get) == sorted(levels, key=levels.get, reverse=True)
    base = "ShopMax"
    for name in levels:
        assert mean[name] / mean[base] == pytest.approx(levels[base] / levels[name], rel=0.03), name


def test_category_summary_and_price_position(api):
    summary = api("GET", "/categories/CAT01/summary", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert summary.status == 200, summary
    body = summary.body
    assert body["name"] == "Electronics" and body["currency"] == "USD"
    assert body["revenue"]["value"] > 0 and body["revenue"]["change"] == pytest.approx(
        body["revenue"]["value"] - body["revenue"]["previous"], abs=0.02
    )
    assert 0 < body["marketSharePct"] < 100 and 0 < body["marginPct"] < 100
    assert 1 <= len(body["topProducts"]) <= 5 and body["topProducts"][0]["rank"] == 1
    revenues = [p["revenue"] for p in body["topProducts"]]
    assert revenues == sorted(revenues, reverse=True)
    assert {c["competitor"] for c in body["competitors"]} <= {"DealHub", "MegaMart", "PriceRight", "ShopMax"}
    position = api("GET", "/price-position/P00001", **{"from": "2026-04-01"})
    assert position.status == 200, position
    weeks = [p["date"] for p in position.body["points"]]
    assert weeks == sorted(weeks) and all(date.fromisoformat(w).weekday() == 0 for w in weeks)
    assert position.body["current"]["position"] in ("below", "at", "above")


# ---- 4xx -------------------------------------------------------------------------------------
def test_client_errors(api):
    cases = [
        (api("POST", "/forecast", {"metric": "revenue", "scope": "category", "scopeId": "CAT99"}), 404),
        (api("POST", "/forecast", {"metric": "revenue", "scope": "product", "scopeId": "P99999999"}), 404),
        (api("POST", "/forecast", {"metric": "revenue", "region": "Atlantis"}), 404),
        (api("POST", "/forecast", {"metric": "revenue", "scope": "category"}), 400),
        (api("POST", "/forecast", {"metric": "profit"}), 400),
        (api("POST", "/forecast", {"metric": "revenue", "from": "2026-06-01", "to": "2026-05-01"}), 400),
        (
            api("POST", "/forecast", {"metric": "revenue", "model": "holt_winters", "granularity": "month"}),
            422,
        ),
        (api("POST", "/forecast", {"metric": "revenue", "from": "2030-01-01", "to": "2030-02-01"}), 422),
        (
            api("POST", "/forecast", {"metric": "revenue", "from": "2026-06-28", "model": "seasonal_naive"}),
            422,
        ),
        (
            api(
                "POST",
                "/compare-models",
                {"metric": "orders", "holdout": 20, "models": ["holt_winters"], "granularity": "month"},
            ),
            422,
        ),
        (api("GET", "/price-position/P99999999"), 404),
        (api("GET", "/categories/CAT99/summary"), 404),
        (api("GET", "/anomalies", region="Atlantis"), 400),
        (api("GET", "/anomalies", category="CAT99"), 400),
        (api("GET", "/anomalies", cursor="not-a-cursor"), 400),
        (api("GET", "/anomalies", threshold=7), 400),
        (api("GET", "/trends", **{"from": "2026-06-25"}), 400),
        (api("GET", "/trends", to=""), 400),
        (api("GET", "/competitive-pricing", position="cheap"), 400),
    ]
    for answer, status in cases:
        assert answer.status == status, answer
        assert error_code(answer)
    too_short = cases[6][0]
    assert error_code(too_short) == "HISTORY_TOO_SHORT" and too_short.body["error"]["details"]["needed"] > 24
