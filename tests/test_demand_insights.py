"""demand-insights: the ten operations through the real local platform (one platform for the
module, scale 1.0, seed 42: the truth tests need the full dataset), checked against the
contract, against independent computations over the same Parquet files (DuckDB directly), and
against the dataset's truth.

Tolerances of the truth tests (SERVICES.md's accuracy table):
- price elasticity per category (`truth.json` `elasticity`): within +-0.3 of the truth for at
  least 10 of the 12 categories, and negative (the right sign) for all 12;
- churn: ROC-AUC >= 0.80 of the served churn probability against the exact labels of
  `_truth/customers.parquet` (`churned`) on the held-out customers (number divisible by 5, never
  used in the fit), and the model's held-out ROC-AUC on behaviour after its cut-off within 0.02
  of scikit-learn's LogisticRegression on the same features;
- CLV: Spearman rho >= 0.5 between the BG/NBD + Gamma-Gamma value predicted at DATA_END - 180
  days and the spend realised in the 180 days after.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from demand_insights import schemas

from components.catalog import OPENAPI_PATH
from local.contract import load_spec
from local.validation import resolve
from tests.helpers import local_platform

SPEC = load_spec(OPENAPI_PATH)
PASSWORD = "Correct-Horse-Battery-9"
DATA_END = date(2026, 6, 30)


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


# ---- without the platform ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ours", "name"),
    [
        (schemas.FORECAST, "DemandForecastRequest"),
        (schemas.PRICE_ELASTICITY, "PriceElasticityRequest"),
        (schemas.PRICE_OPTIMIZATION, "PriceOptimizationRequest"),
        (schemas.CLV, "ClvRequest"),
        (schemas.CHURN, "ChurnRequest"),
    ],
)
def test_request_schemas_are_the_contracts(ours, name):
    contract = _strip(resolve(SPEC["components"]["schemas"][name], SPEC))
    assert json.loads(json.dumps(ours)) == json.loads(json.dumps(contract))


def test_segment_ids_round_trip_and_unknown_ones_are_404():
    from demand_insights import segments
    from shared.errors import NotFound

    first, last = segments.default_window()
    assert segments.parse_segment_id(segments.segment_id(4, first, last, 2)) == (4, first, last, 2)
    other = (date(2025, 1, 1), date(2025, 12, 31))
    assert segments.parse_segment_id(segments.segment_id(5, *other, 5)) == (5, *other, 5)
    for bad in ("k4-s5", "k1-s1", "k4-s0", "x", "k4-20250101-20241231-s1", "k4-20250230-20251231-s1"):
        with pytest.raises(NotFound):
            segments.parse_segment_id(bad)


# ---- through the local platform --------------------------------------------------------------
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    home = tmp_path_factory.mktemp("demand-insights")
    with local_platform(home, build_frontend=False, scale=1.0, seed=42) as p:
        yield p


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


@pytest.fixture(scope="module")
def token(platform):
    email = f"demand-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "Ada"}
    assert api(platform, "POST", "/auth/register", body=body, auth=None)[0] == 201
    status, doc = api(platform, "POST", "/auth/login", body={"email": email, "password": PASSWORD}, auth=None)
    assert status == 200, doc
    return doc["accessToken"]


@pytest.fixture(scope="module")
def get(platform, token):
    return lambda path, **query: api(platform, "GET", path, query=query or None, auth=token)


@pytest.fixture(scope="module")
def post(platform, token):
    return lambda path, body: api(platform, "POST", path, body=body, auth=token)


@pytest.fixture(scope="module")
def truth(platform):
    return json.loads((platform.data_dir / "truth.json").read_text())


@pytest.fixture(scope="module")
def lake(platform):
    """DuckDB over the platform's Parquet files, independently of shared.warehouse."""
    import duckdb

    con = duckdb.connect()
    for table in ("orders", "customers", "products", "inventory", "order_items", "price_history"):
        glob = str(platform.data_dir / table / "**" / "*.parquet")
        source = f"read_parquet('{glob}', hive_partitioning = true)"  # our own paths, no input
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")  # noqa: S608
    yield con
    con.close()


@pytest.fixture(scope="module")
def warehouse(platform, tmp_path_factory):
    """The service's own modules in this process, over the platform's files (for the model
    evaluations that need more than the API answers)."""
    import os

    from shared import artifacts
    from shared.warehouse import DuckDBWarehouse, set_warehouse

    saved = {k: os.environ.get(k) for k in ("ARTIFACTS_DIR", "WAREHOUSE_DATA_DIR")}
    os.environ["ARTIFACTS_DIR"] = str(tmp_path_factory.mktemp("artifacts"))
    os.environ["WAREHOUSE_DATA_DIR"] = str(platform.data_dir)
    set_warehouse(DuckDBWarehouse(platform.data_dir))
    artifacts.reset()
    yield
    set_warehouse(None)
    artifacts.reset()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def conforms(document: Any, schema_name: str) -> None:
    import fastjsonschema

    def is_date(value: str) -> bool:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and date.fromisoformat(value) is not None

    fastjsonschema.compile(
        resolve(SPEC["components"]["schemas"][schema_name], SPEC), formats={"date": is_date}
    )(document)


def test_every_operation_needs_a_token(platform):
    status, doc = api(platform, "GET", "/demand-insights/segments", auth=None)
    assert status == 401 and doc["error"]["code"] == "UNAUTHORIZED"


# ---- segments ----------------------------------------------------------------------------------
def test_segments_cover_the_active_customers_with_names_from_their_profiles(get, lake):
    status, doc = get("/demand-insights/segments")
    assert status == 200, doc
    conforms(doc, "SegmentReport")
    assert doc["k"] == 4 and doc["period"] == {"from": "2025-07-01", "to": "2026-06-30"}
    active = lake.execute(
        "SELECT COUNT(DISTINCT customer_id) FROM orders WHERE status <> 'cancelled' "
        "AND order_date BETWEEN DATE '2025-07-01' AND DATE '2026-06-30'"
    ).fetchone()[0]
    assert doc["customers"] == active
    segs = doc["segments"]
    assert sum(s["size"] for s in segs) == active
    assert [s["segmentId"] for s in segs] == ["k4-s1", "k4-s2", "k4-s3", "k4-s4"]
    monetary = [s["profile"]["monetary"] for s in segs]
    assert monetary == sorted(monetary, reverse=True)
    assert len({s["label"] for s in segs}) == 4
    assert sum(s["revenueSharePct"] for s in segs) == pytest.approx(100, abs=0.1)
    # the most valuable, recent segment is the champions; the least recent, least valuable hibernates
    top = segs[0]
    assert top["label"] == "Champions" and top["profile"]["recencyDays"] < np.mean(
        [s["profile"]["recencyDays"] for s in segs]
    )
    lapsed = max(segs, key=lambda s: s["profile"]["recencyDays"])
    assert lapsed["label"] in ("Hibernating", "Lost", "About to sleep", "At risk", "Can't lose them")
    assert 0 < doc["silhouette"] < 1


def test_segments_take_k_and_a_window_and_refuse_bad_ones(get):
    status, doc = get("/demand-insights/segments", k=6, **{"from": "2025-01-01", "to": "2025-12-31"})
    assert status == 200, doc
    assert len(doc["segments"]) == 6 and doc["segments"][0]["segmentId"] == "k6-20250101-20251231-s1"
    status, page = get(f"/demand-insights/segments/{doc['segments'][5]['segmentId']}/customers", limit=5)
    assert status == 200 and page["label"] == doc["segments"][5]["label"]
    for query in (
        {"k": 1},
        {"k": 11},
        {"k": "x"},
        {"from": "2026-01-02", "to": "2026-01-01"},
        {"to": "2026-02-30"},
    ):
        status, err = get("/demand-insights/segments", **query)
        assert status == 400 and err["error"]["code"] == "VALIDATION_ERROR", (query, err)


def test_a_segments_customers_page_by_monetary_value(get, lake):
    status, first = get("/demand-insights/segments/k4-s2/customers", limit=50)
    assert status == 200, first
    conforms(first, "SegmentCustomerPage")
    assert first["count"] == 50 and first["segmentId"] == "k4-s2" and first["nextCursor"]
    status, second = get("/demand-insights/segments/k4-s2/customers", limit=50, cursor=first["nextCursor"])
    assert status == 200
    values = [c["rfm"]["monetary"] for c in first["items"] + second["items"]]
    assert values == sorted(values, reverse=True)
    assert not {c["customerId"] for c in first["items"]} & {c["customerId"] for c in second["items"]}
    # an item's RFM is the customer's own, computed independently
    c = first["items"][0]
    orders, last = lake.execute(
        "SELECT COUNT(*), MAX(order_date) FROM orders WHERE customer_id = ? AND status <> 'cancelled' "
        "AND order_date BETWEEN DATE '2025-07-01' AND DATE '2026-06-30'",
        [c["customerId"]],
    ).fetchone()
    assert c["rfm"]["frequency"] == orders and c["lastOrderDate"] == last.isoformat()
    assert c["rfm"]["recencyDays"] == (DATA_END - last).days and c["name"]


@pytest.mark.parametrize("segment", ["k4-s5", "k4-s0", "k3-nope", "k4-20250101-20240101-s1"])
def test_unknown_segments_are_404(get, segment):
    status, err = get(f"/demand-insights/segments/{segment}/customers")
    assert status == 404 and err["error"]["code"] == "NOT_FOUND"


def test_a_tampered_cursor_is_400(get):
    status, err = get("/demand-insights/segments/k4-s1/customers", cursor="bm90LWEtY3Vyc29y")
    assert status == 400, err


# ---- a customer's card -------------------------------------------------------------------------
def test_a_customers_card(get, lake):
    cid = lake.execute(
        "SELECT customer_id FROM orders WHERE status = 'completed' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    status, doc = get(f"/demand-insights/customers/{cid}")
    assert status == 200, doc
    conforms(doc, "CustomerInsight")
    orders, spend = lake.execute(
        "SELECT COUNT(*), SUM(total_usd) FROM orders WHERE customer_id = ? AND status = 'completed'", [cid]
    ).fetchone()
    assert doc["orders"] == orders
    assert doc["lifetimeValue"]["historical"] == pytest.approx(spend, abs=0.01)
    # the most frequent buyer: a top segment, low churn risk, a large predicted value
    assert doc["segment"]["segmentId"] == "k4-s1" and doc["churn"]["risk"] == "low"
    assert doc["lifetimeValue"]["predicted12Months"] > 1000
    assert doc["rfm"]["frequencyScore"] == 5


def test_unknown_customers_are_404_and_bad_ids_400(get):
    assert get("/demand-insights/customers/C999999")[0] == 404
    assert get("/demand-insights/customers/%20bad%20")[0] in (400, 404)


# ---- churn ---------------------------------------------------------------------------------------
def test_churn_scores_with_drivers_and_unknown_ids(post, lake):
    status, doc = post("/demand-insights/churn", {"customerIds": ["C000001", "C000123", "C999999"]})
    assert status == 200, doc
    conforms(doc, "ChurnResult")
    assert doc["inactivityDays"] == 90 and doc["notFound"] == ["C999999"]
    for c in doc["customers"]:
        assert 0 <= c["probability"] <= 1
        assert c["risk"] == (
            "high" if c["probability"] >= 0.6 else "medium" if c["probability"] >= 0.3 else "low"
        )
    status, longer = post("/demand-insights/churn", {"customerIds": ["C000123"], "inactivityDays": 365})
    assert status == 200 and longer["inactivityDays"] == 365
    for body in (
        {},
        {"customerIds": []},
        {"customerIds": ["a"], "inactivityDays": 10},
        {"customerIds": ["a", "a"]},
    ):
        assert post("/demand-insights/churn", body)[0] == 400, body


def test_churn_recovers_the_planted_churn_on_held_out_customers(post, platform):
    """Truth: ROC-AUC >= 0.80 against `_truth/customers.parquet` on the held-out customers."""
    import pyarrow.parquet as pq
    from shared.models.regression import roc_auc

    labels = pq.read_table(platform.data_dir / "_truth" / "customers.parquet").to_pydict()
    held = [
        (cid, churned)
        for cid, churned in zip(labels["customer_id"], labels["churned"], strict=True)
        if int(cid[1:]) % 5 == 0
    ]
    scores = {}
    for start in range(0, len(held), 100):
        status, doc = post(
            "/demand-insights/churn", {"customerIds": [c for c, _ in held[start : start + 100]]}
        )
        assert status == 200, doc
        scores.update({c["customerId"]: c["probability"] for c in doc["customers"]})
    y = np.array([churned for cid, churned in held if cid in scores], dtype=float)
    p = np.array([scores[cid] for cid, _ in held if cid in scores])
    assert len(p) >= 0.95 * len(held)
    assert roc_auc(y, p) >= 0.80


def test_churn_model_matches_sklearn_on_the_same_features(warehouse):
    """Reference: the held-out ROC-AUC of ours within 0.02 of scikit-learn's on the same
    features, labels and split (behaviour in the 90 days after the cut-off)."""
    from demand_insights import customers, data
    from shared.models.customers import churn_design
    from shared.models.regression import roc_auc
    from sklearn.linear_model import LogisticRegression as SkLogit

    model, doc = customers.churn_model(90)
    assert doc["heldOutAuc"] >= 0.80
    f = data.customer_features(DATA_END - timedelta(days=90), DATA_END)
    x = customers.churn_features(f)
    y = (f["orders_after"] == 0).astype(int)
    test = customers._held_out(f["customer_id"])
    X = (churn_design(x) - model.mean_) / model.scale_  # noqa: N806
    ref = SkLogit(C=1.0).fit(X[~test], y[~test])
    ref_auc = roc_auc(y[test], ref.predict_proba(X[test])[:, 1])
    assert abs(doc["heldOutAuc"] - ref_auc) <= 0.02
    np.testing.assert_allclose(model.coef_, ref.coef_[0], atol=1e-3)


# ---- CLV and at-risk customers -----------------------------------------------------------------
def test_clv_answers_in_request_order_with_unknown_ids(post):
    status, doc = post(
        "/demand-insights/clv", {"customerIds": ["C000123", "C999999", "C000001"], "horizonMonths": 24}
    )
    assert status == 200, doc
    conforms(doc, "ClvResult")
    assert [c["customerId"] for c in doc["customers"]] == ["C000123", "C000001"] and doc["notFound"] == [
        "C999999"
    ]
    status, short = post("/demand-insights/clv", {"customerIds": ["C000001"], "horizonMonths": 6})
    assert short["customers"][0]["predictedValue"] < doc["customers"][1]["predictedValue"]
    status, undiscounted = post(
        "/demand-insights/clv", {"customerIds": ["C000001"], "horizonMonths": 24, "discountRate": 0}
    )
    assert undiscounted["customers"][0]["predictedValue"] > doc["customers"][1]["predictedValue"]
    assert post("/demand-insights/clv", {"customerIds": ["C1"], "discountRate": 0.9})[0] == 400


def test_clv_ranks_the_realised_next_180_days(warehouse):
    """Truth of behaviour: Spearman rho >= 0.5 of predicted vs realised spend, held out in time."""
    from demand_insights import customers, data
    from shared.models.clv import BGNBD, GammaGamma, discounted_value
    from shared.models.regression import spearman

    f = data.customer_features(DATA_END - timedelta(days=180), DATA_END)
    i = customers.clv_inputs(f)
    ok = i["ordered"]
    bg = BGNBD().fit(i["x"][ok], i["t_x"][ok], i["T"][ok])
    gg = GammaGamma().fit(i["n"][ok], i["m"][ok])
    value, _, _ = discounted_value(
        bg,
        gg,
        months=6,
        annual_rate=0.0,
        x=i["x"][ok],
        t_x=i["t_x"][ok],
        T=i["T"][ok],
        n=i["n"][ok],
        m=i["m"][ok],
    )
    assert spearman(value, f["spend_after"][ok]) >= 0.5


def test_at_risk_customers_by_value_at_risk(get):
    status, doc = get("/demand-insights/at-risk-customers", minProbability=0.6, limit=50)
    assert status == 200, doc
    conforms(doc, "AtRiskCustomerPage")
    at_stake = [c["valueAtRisk"] for c in doc["items"]]
    assert at_stake == sorted(at_stake, reverse=True) and doc["count"] == 50
    assert all(c["churnProbability"] >= 0.6 and c["risk"] == "high" for c in doc["items"])
    assert doc["totalValueAtRisk"] >= sum(at_stake)
    region = doc["items"][0]["region"]
    status, one = get("/demand-insights/at-risk-customers", region=region, limit=20)
    assert status == 200 and all(c["region"] == region for c in one["items"])
    status, nxt = get(
        "/demand-insights/at-risk-customers", minProbability=0.6, limit=50, cursor=doc["nextCursor"]
    )
    assert nxt["items"][0]["valueAtRisk"] <= at_stake[-1]
    assert get("/demand-insights/at-risk-customers", minProbability=1.5)[0] == 400


# ---- elasticity and price optimisation ----------------------------------------------------------
def test_elasticity_recovers_the_planted_elasticities(post, truth):
    """Truth: within +-0.3 for >= 10 of 12 categories, the right (negative) sign for all."""
    close, answers = 0, {}
    for cid, planted in truth["elasticity"].items():
        status, doc = post("/demand-insights/price-elasticity", {"scope": "category", "scopeId": cid})
        assert status == 200, doc
        conforms(doc, "PriceElasticity")
        answers[cid] = (planted["elasticity"], doc["elasticity"])
        assert doc["elasticity"] < 0, (cid, doc)
        lo, hi = doc["confidenceInterval"]["lower"], doc["confidenceInterval"]["upper"]
        assert lo < doc["elasticity"] < hi
        close += abs(doc["elasticity"] - planted["elasticity"]) <= 0.3
    assert close >= 10, answers


def test_elasticity_of_one_product_and_of_a_window(post, lake):
    pid = lake.execute(
        "SELECT product_id FROM order_items GROUP BY 1 ORDER BY SUM(quantity) DESC LIMIT 1"
    ).fetchone()[0]
    status, doc = post("/demand-insights/price-elasticity", {"scopeId": pid})
    assert status == 200, doc
    assert doc["scope"] == "product" and doc["elasticity"] < 0 and doc["observations"] >= 50
    body = {"scope": "category", "scopeId": "CAT06", "from": "2025-07-01", "excludePromotions": True}
    status, window = post("/demand-insights/price-elasticity", body)
    assert status == 200 and window["period"]["from"] == "2025-07-01" and window["elasticity"] < 0
    assert post("/demand-insights/price-elasticity", {"scopeId": "P99999"})[0] == 404
    assert post("/demand-insights/price-elasticity", {"scope": "category", "scopeId": "CAT99"})[0] == 404
    short = {"scope": "category", "scopeId": "CAT06", "from": "2026-06-01", "to": "2026-06-14"}
    assert post("/demand-insights/price-elasticity", short)[0] == 422
    backwards = {"scope": "category", "scopeId": "CAT06", "from": "2026-06-14", "to": "2026-06-01"}
    assert post("/demand-insights/price-elasticity", backwards)[0] == 400


def test_price_optimisation_follows_the_constant_elasticity_algebra(post, lake):
    pid, cost = lake.execute(
        "SELECT product_id, unit_cost FROM products ORDER BY product_id LIMIT 1"
    ).fetchone()
    status, doc = post("/demand-insights/price-optimization", {"productId": pid})
    assert status == 200, doc
    conforms(doc, "PriceOptimization")
    assert len(doc["curve"]) == 50 and doc["bounds"]["minPrice"] == pytest.approx(
        0.5 * doc["currentPrice"], abs=0.01
    )
    # |e| > 1: revenue falls with price, the lowest allowed price wins
    if doc["elasticity"] < -1:
        assert doc["recommendedPrice"] == doc["bounds"]["minPrice"] and doc["upliftPct"] > 0
    # inelastic demand: revenue rises with price
    status, inelastic = post("/demand-insights/price-optimization", {"productId": pid, "elasticity": -0.5})
    assert inelastic["recommendedPrice"] == inelastic["bounds"]["maxPrice"]
    # margin with e = -2: the optimum is p* = cost * e / (1 + e) = 2 x cost
    body = {
        "productId": pid,
        "objective": "margin",
        "elasticity": -2.0,
        "minPrice": cost,
        "maxPrice": 4 * cost,
    }
    status, margin = post("/demand-insights/price-optimization", body)
    assert status == 200, margin
    step = 3 * cost / 49
    assert abs(margin["recommendedPrice"] - 2 * cost) <= step
    for c in margin["curve"]:
        # prices are rounded to cents and units to 3 decimals in the answer
        assert c["margin"] == pytest.approx(
            (c["price"] - cost) * c["units"], abs=0.0005 * abs(c["price"] - cost) + 0.005 * c["units"] + 0.01
        )
    assert (
        post("/demand-insights/price-optimization", {"productId": pid, "minPrice": 10, "maxPrice": 5})[0]
        == 400
    )
    assert post("/demand-insights/price-optimization", {"productId": "P99999"})[0] == 404
    assert post("/demand-insights/price-optimization", {"productId": pid, "currency": "XXX"})[0] == 422
    status, eur = post("/demand-insights/price-optimization", {"productId": pid, "currency": "EUR"})
    assert status == 200 and eur["currency"] == "EUR" and eur["currentPrice"] != doc["currentPrice"]


# ---- demand forecast and reorder points -----------------------------------------------------------
def test_demand_forecast_per_product(post, lake):
    top = [r[0] for r in lake.execute(
        "SELECT product_id FROM order_items GROUP BY 1 ORDER BY SUM(quantity) DESC LIMIT 2"
    ).fetchall()]  # fmt: skip
    status, doc = post("/demand-insights/forecast", {"productIds": [*top, "P99999"], "horizonDays": 14})
    assert status == 200, doc
    conforms(doc, "DemandForecast")
    assert [f["productId"] for f in doc["forecasts"]] == top and doc["notFound"] == ["P99999"]
    f = doc["forecasts"][0]
    assert len(f["points"]) == 14 and f["points"][0]["date"] == "2026-07-01"
    assert all(p["lower"] <= p["value"] <= p["upper"] and p["lower"] >= 0 for p in f["points"])
    assert f["totalUnits"] == pytest.approx(sum(p["value"] for p in f["points"]), abs=0.01)
    # the forecast is of the right size: within a factor 3 of the last 28 days' daily mean
    recent = lake.execute(
        "SELECT SUM(quantity) / 28.0 FROM order_items WHERE product_id = ? AND order_date > DATE '2026-06-02'",
        [top[0]],
    ).fetchone()[0]
    assert recent / 3 <= f["totalUnits"] / 14 <= recent * 3
    status, weekly = post(
        "/demand-insights/forecast", {"productIds": top[:1], "horizonDays": 30, "granularity": "week"}
    )
    assert status == 200 and len(weekly["forecasts"][0]["points"]) == 5
    # Holt-Winters on weeks needs two years (2 x 52 weeks): a product launched in the window has less
    young = lake.execute(
        "SELECT product_id FROM products WHERE launched_date > DATE '2024-08-01' ORDER BY launched_date LIMIT 1"
    ).fetchone()[0]
    too_long = {"productIds": [young], "granularity": "week", "model": "holt_winters"}
    status, err = post("/demand-insights/forecast", too_long)
    assert status == 422 and err["error"]["code"] == "UNPROCESSABLE", err
    assert post("/demand-insights/forecast", {"productIds": []})[0] == 400
    assert post("/demand-insights/forecast", {"productIds": ["P1"], "horizonDays": 181})[0] == 400


def test_reorder_recommendations_most_urgent_first(get):
    status, doc = get("/demand-insights/reorder-recommendations", limit=100)
    assert status == 200, doc
    conforms(doc, "ReorderRecommendationPage")
    rank = {"high": 0, "medium": 1, "low": 2, "none": 3}
    urgencies = [rank[r["urgency"]] for r in doc["items"]]
    assert urgencies == sorted(urgencies) and urgencies[0] == 0
    for r in doc["items"]:
        assert r["reorderPoint"] == pytest.approx(
            r["dailyDemand"] * r["leadTimeDays"] + r["safetyStock"], abs=0.05
        )
        assert (r["reorderQuantity"] > 0) == (r["onHand"] + r["onOrder"] <= r["reorderPoint"])
        if r["urgency"] == "high":
            assert r["onHand"] < r["safetyStock"]
    status, urgent = get(
        "/demand-insights/reorder-recommendations", urgentOnly="true", limit=200, warehouse="WH-UK"
    )
    assert all(r["urgency"] in ("high", "medium") and r["warehouse"] == "WH-UK" for r in urgent["items"])
    status, lead = get(
        "/demand-insights/reorder-recommendations", leadTimeDays=60, serviceLevel=0.99, limit=5
    )
    assert all(r["leadTimeDays"] == 60 for r in lead["items"]) and lead["serviceLevel"] == 0.99
    for query in ({"serviceLevel": 0.2}, {"leadTimeDays": 0}, {"urgentOnly": "maybe"}, {"warehouse": ""}):
        assert get("/demand-insights/reorder-recommendations", **query)[0] == 400, query
