"""market-intelligence: forecasts and backtests, trends, competitive pricing, anomalies
(api/openapi.yaml, x-service: market-intelligence).

Thin on purpose: each route validates its input and calls a plain function of the service
package (forecasting, trends, pricing, categories); the models are `shared.models`.
"""

from __future__ import annotations

from datetime import date, timedelta

from shared.api import create_app, make_handler, ok
from shared.errors import BadRequest
from shared.identity import caller
from shared.lake_schema import DATA_END
from shared.pagination import decode_cursor
from shared.validation import body, path_param, query_date, query_enum, query_float, query_int, query_str

SERVICE = "market-intelligence"
METRICS = ("revenue", "orders", "units")
DEFAULT_DAYS = 30
MAX_DAYS = 1096
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
_CURSOR = {
    "type": "object",
    "required": ["offset"],
    "properties": {"offset": {"type": "integer", "minimum": 0, "maximum": 1000000}},
    "additionalProperties": False,
}

app = create_app(SERVICE)


def _no_empty_parameters() -> None:
    """`?to=` is not a missing `to`: every parameter of these operations has a minimum length
    or a format, so an empty value is a 400 (shared.validation reads it as absent)."""
    params = app.current_event.query_string_parameters or {}
    empty = sorted(name for name, value in params.items() if value == "")
    if empty:
        raise BadRequest.fields({name: "must not be empty" for name in empty})


def _period(default_days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """`?from=&to=` (inclusive; default the last `default_days` days up to DATA_END)."""
    _no_empty_parameters()
    last = query_date(app, "to") or DATA_END
    first = query_date(app, "from") or last - timedelta(days=default_days - 1)
    for name, day in (("from", first), ("to", last)):
        if not EARLIEST <= day <= LATEST:
            raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})
    if first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRequest.fields({"from": f"the period must be at most {MAX_DAYS} days"})
    return first, last


def _page() -> tuple[int, int]:
    limit = query_int(app, "limit", 20, 1, 200)
    raw = query_str(app, "cursor", max_len=2048)
    offset = decode_cursor(raw, _CURSOR)["offset"] if raw else 0
    return limit, offset


def _category() -> str | None:
    return query_str(app, "category", max_len=64, pattern=_ID)


def _check_dates(data: dict) -> None:
    for name in ("from", "to"):
        if name in data and not EARLIEST <= date.fromisoformat(data[name]) <= LATEST:
            raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})


@app.post("/market-intelligence/forecast")
def forecast():
    caller(app)
    from market_intelligence import forecasting, schemas

    data = body(app, schemas.FORECAST)
    _check_dates(data)
    return ok(forecasting.forecast(data))


@app.post("/market-intelligence/compare-models")
def compare_models():
    caller(app)
    from market_intelligence import forecasting, schemas

    data = body(app, schemas.COMPARE_MODELS)
    _check_dates(data)
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

    _no_empty_parameters()
    category = _category()
    where = query_enum(app, "position", ("below", "at", "above"))
    competitor = query_str(app, "competitor", max_len=100)
    limit, offset = _page()
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
    limit, offset = _page()
    return ok(trends.anomalies(first, last, metric, category, region, threshold, limit, offset))


lambda_handler = make_handler(app)
