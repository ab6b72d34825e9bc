"""demand-insights: RFM segments, demand forecasts, elasticity, price optimisation, CLV, churn,
reorder points (api/openapi.yaml, x-service: demand-insights).

Thin on purpose: each route validates its input and calls a plain function of the service
package (segments, customers, pricing, forecasting); the models are `shared.models`, fits many
requests reuse are `shared.artifacts` (see each module's docstring). Service modules are imported
inside the routes so that a cold start imports only the toolkit.
"""

from __future__ import annotations

from shared.api import create_app, make_handler, ok
from shared.identity import caller
from shared.lake_schema import DATA_END
from shared.pagination import query_offset
from shared.validation import (
    body,
    check_dates,
    no_empty_parameters,
    path_param,
    query_bool,
    query_float,
    query_int,
    query_period,
    query_str,
)

SERVICE = "demand-insights"
_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"

app = create_app(SERVICE)


@app.get("/demand-insights/segments")
def list_customer_segments():
    caller(app)
    from demand_insights import segments

    no_empty_parameters(app)
    first, last = query_period(app, default_days=segments.DEFAULT_DAYS, today=DATA_END, bounded=True)
    k = query_int(app, "k", segments.DEFAULT_K, 2, 10)
    return ok(segments.report(k, first, last))


@app.get("/demand-insights/segments/<segmentId>/customers")
def list_segment_customers(segmentId: str):  # noqa: N803 - the contract's path parameter
    caller(app)
    from demand_insights import segments

    no_empty_parameters(app)
    segment = path_param(segmentId, "segmentId")
    limit, offset = query_offset(app, max_offset=10_000_000)
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
    check_dates(data)
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

    no_empty_parameters(app)
    minimum = query_float(app, "minProbability", 0.5, 0.0, 1.0)
    region = query_str(app, "region", max_len=64)
    limit, offset = query_offset(app, max_offset=10_000_000)
    return ok(customers.at_risk(minimum, region, limit, offset))


@app.get("/demand-insights/reorder-recommendations")
def get_reorder_recommendations():
    caller(app)
    from demand_insights import forecasting

    no_empty_parameters(app)
    lead = query_int(app, "leadTimeDays", None, 1, 180)
    level = query_float(app, "serviceLevel", 0.95, 0.5, 0.999)
    warehouse = query_str(app, "warehouse", max_len=32)
    category = query_str(app, "category", max_len=64, pattern=_ID)
    urgent = query_bool(app, "urgentOnly", False)
    limit, offset = query_offset(app, max_offset=10_000_000)
    return ok(forecasting.reorder_recommendations(lead, level, warehouse, category, urgent, limit, offset))


lambda_handler = make_handler(app)
