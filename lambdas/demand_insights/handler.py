"""demand-insights: RFM segments, demand forecasts, elasticity, price optimisation, CLV, churn,
reorder points (api/openapi.yaml, x-service: demand-insights).

Thin on purpose: each route validates its input and calls a plain function of the service
package (segments, customers, pricing, forecasting); the models are `shared.models`, fits many
requests reuse are `shared.artifacts` (see each module's docstring). Service modules are imported
inside the routes so that a cold start imports only the toolkit.
"""

from __future__ import annotations

from datetime import date, timedelta

from shared.api import create_app, make_handler, ok
from shared.errors import BadRequest
from shared.identity import caller
from shared.lake_schema import DATA_END
from shared.pagination import decode_cursor
from shared.validation import body, path_param, query_bool, query_date, query_float, query_int, query_str

SERVICE = "demand-insights"
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
_CURSOR = {
    "type": "object",
    "required": ["offset"],
    "properties": {"offset": {"type": "integer", "minimum": 0, "maximum": 10_000_000}},
    "additionalProperties": False,
}

app = create_app(SERVICE)


def _no_empty_parameters() -> None:
    """`?to=` is not a missing `to`: every parameter here has a minimum length or a format."""
    params = app.current_event.query_string_parameters or {}
    empty = sorted(name for name, value in params.items() if value == "")
    if empty:
        raise BadRequest.fields({name: "must not be empty" for name in empty})


def _page() -> tuple[int, int]:
    limit = query_int(app, "limit", 20, 1, 200)
    raw = query_str(app, "cursor", max_len=2048)
    offset = decode_cursor(raw, _CURSOR)["offset"] if raw else 0
    return limit, offset


def _check_dates(data: dict) -> None:
    for name in ("from", "to"):
        if name in data and not EARLIEST <= date.fromisoformat(data[name]) <= LATEST:
            raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})


@app.get("/demand-insights/segments")
def list_customer_segments():
    caller(app)
    from demand_insights import segments

    _no_empty_parameters()
    last = query_date(app, "to") or DATA_END
    first = query_date(app, "from") or last - timedelta(days=segments.DEFAULT_DAYS - 1)
    for name, day in (("from", first), ("to", last)):
        if not EARLIEST <= day <= LATEST:
            raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})
    if first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    k = query_int(app, "k", segments.DEFAULT_K, 2, 10)
    return ok(segments.report(k, first, last))


@app.get("/demand-insights/segments/<segmentId>/customers")
def list_segment_customers(segmentId: str):  # noqa: N803 - the contract's path parameter
    caller(app)
    from demand_insights import segments

    _no_empty_parameters()
    segment = path_param(segmentId, "segmentId")
    limit, offset = _page()
    return ok(segments.customers_of(segment, limit, offset))


@app.get("/demand-insights/customers/<customerId>")
def get_customer_insights(customerId: str):  # noqa: N803 - the contract's path parameter
    caller(app)
    from demand_insights import customers

    return ok(customers.card(path_param(customerId, "customerId")))


@app.post("/demand-insights/forecast")
def forecast_demand():
    caller(app)
    from demand_insights import forecasting, schemas

    return ok(forecasting.demand_forecast(body(app, schemas.FORECAST)))


@app.post("/demand-insights/price-elasticity")
def estimate_price_elasticity():
    caller(app)
    from demand_insights import pricing, schemas

    data = body(app, schemas.PRICE_ELASTICITY)
    _check_dates(data)
    return ok(pricing.price_elasticity(data))


@app.post("/demand-insights/price-optimization")
def optimize_price():
    caller(app)
    from demand_insights import pricing, schemas

    return ok(pricing.price_optimization(body(app, schemas.PRICE_OPTIMIZATION)))


@app.post("/demand-insights/clv")
def predict_customer_lifetime_value():
    caller(app)
    from demand_insights import customers, schemas

    data = body(app, schemas.CLV)
    return ok(customers.clv(data["customerIds"], data["horizonMonths"], data["discountRate"]))


@app.post("/demand-insights/churn")
def predict_churn():
    caller(app)
    from demand_insights import customers, schemas

    data = body(app, schemas.CHURN)
    return ok(customers.churn(data["customerIds"], data["inactivityDays"]))


@app.get("/demand-insights/at-risk-customers")
def list_at_risk_customers():
    caller(app)
    from demand_insights import customers

    _no_empty_parameters()
    minimum = query_float(app, "minProbability", 0.5, 0.0, 1.0)
    region = query_str(app, "region", max_len=64)
    limit, offset = _page()
    return ok(customers.at_risk(minimum, region, limit, offset))


@app.get("/demand-insights/reorder-recommendations")
def get_reorder_recommendations():
    caller(app)
    from demand_insights import forecasting

    _no_empty_parameters()
    lead = query_int(app, "leadTimeDays", None, 1, 180)
    level = query_float(app, "serviceLevel", 0.95, 0.5, 0.999)
    warehouse = query_str(app, "warehouse", max_len=32)
    category = query_str(app, "category", max_len=64, pattern=_ID)
    urgent = query_bool(app, "urgentOnly", False)
    limit, offset = _page()
    return ok(forecasting.reorder_recommendations(lead, level, warehouse, category, urgent, limit, offset))


lambda_handler = make_handler(app)
