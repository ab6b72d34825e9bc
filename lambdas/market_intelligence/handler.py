"""market-intelligence: forecasts and backtests, trends, competitive pricing, anomalies
(api/openapi.yaml, x-service: market-intelligence).

Thin on purpose: each route validates its input and calls a plain function of the service
package (forecasting, trends, pricing, categories); the models are `shared.models`.
"""

from __future__ import annotations

from datetime import date

from shared.api import create_app, make_handler, ok
from shared.identity import caller
from shared.lake_schema import DATA_END
from shared.pagination import query_offset
from shared.validation import (
    body,
    check_dates,
    no_empty_parameters,
    path_param,
    query_enum,
    query_float,
    query_period,
    query_str,
)

SERVICE = "market-intelligence"
METRICS = ("revenue", "orders", "units")
DEFAULT_DAYS = 30
MAX_DAYS = 1096
_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"

app = create_app(SERVICE)


def _period(default_days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """`?from=&to=` (inclusive; default the last `default_days` days up to DATA_END)."""
    no_empty_parameters(app)
    return query_period(app, default_days=default_days, max_days=MAX_DAYS, today=DATA_END, bounded=True)


def _category() -> str | None:
    return query_str(app, "category", max_len=64, pattern=_ID)


@app.post("/market-intelligence/forecast")
def forecast():
    caller(app)
    from market_intelligence import forecasting, schemas

    data = body(app, schemas.FORECAST)
    check_dates(data)
    return ok(forecasting.forecast(data))


@app.post("/market-intelligence/compare-models")
def compare_models():
    caller(app)
    from market_intelligence import forecasting, schemas

    data = body(app, schemas.COMPARE_MODELS)
    check_dates(data)
    return ok(forecasting.compare_models(data))


@app.get("/market-intelligence/trends")
def market_trends():
    caller(app)
    from market_intelligence import trends

    first, last = _period()
    metric = query_enum(app, "metric", METRICS, "revenue")
    return ok(trends.trends(first, last, metric, _category()))


@app.get("/market-intelligence/competitive-pricing")
def competitive_pricing():
    caller(app)
    from market_intelligence import pricing

    no_empty_parameters(app)
    category = _category()
    where = query_enum(app, "position", ("below", "at", "above"))
    competitor = query_str(app, "competitor", max_len=100)
    limit, offset = query_offset(app, max_offset=1_000_000)
    return ok(pricing.competitive_pricing(category, where, competitor, limit, offset))


@app.get("/market-intelligence/price-position/<productId>")
def price_position(productId: str):  # noqa: N803 - the contract's path parameter
    caller(app)
    from market_intelligence import pricing

    product_id = path_param(productId, "productId")
    first, last = _period()
    return ok(pricing.price_position(product_id, first, last))


@app.get("/market-intelligence/categories/<categoryId>/summary")
def category_summary(categoryId: str):  # noqa: N803 - the contract's path parameter
    caller(app)
    from market_intelligence import categories

    category_id = path_param(categoryId, "categoryId")
    first, last = _period()
    return ok(categories.summary(category_id, first, last))


@app.get("/market-intelligence/anomalies")
def sales_anomalies():
    caller(app)
    from market_intelligence import trends

    first, last = _period()
    category = _category()
    region = query_str(app, "region", max_len=64)
    metric = query_enum(app, "metric", METRICS, "revenue")
    threshold = query_float(app, "threshold", 3.0, 1.0, 6.0)
    limit, offset = query_offset(app, max_offset=1_000_000)
    return ok(trends.anomalies(first, last, metric, category, region, threshold, limit, offset))


lambda_handler = make_handler(app)
