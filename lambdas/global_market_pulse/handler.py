"""global-market-pulse: regional trends, prices in one currency, market share, growth, opportunities,
competitors, change points (api/openapi.yaml, x-service: global-market-pulse).

Thin on purpose: the routes read and check the request, the modules of this package compute
(README.md). Nothing heavy is imported here: numpy and the warehouse load on the first request.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.api import create_app, make_handler, ok
from shared.errors import BadRequest
from shared.validation import body, no_empty_parameters, query_date, query_enum, query_period, query_str

from global_market_pulse import schemas

SERVICE = "global-market-pulse"
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
GRANULARITIES = ("day", "week", "month")

app = create_app(SERVICE)


def _ref():
    from global_market_pulse.reference import reference

    return reference()


def _cube():
    from global_market_pulse.cube import cube

    return cube()


def _max_days() -> int:
    from global_market_pulse.periods import MAX_PERIOD_DAYS

    return MAX_PERIOD_DAYS


def _period(ref: Any, default_days: int) -> tuple[date, date]:
    return query_period(app, default_days=default_days, max_days=_max_days(), today=ref.last)


def _body_period(data: dict[str, Any], first: date, last: date) -> tuple[date, date]:
    """`from`/`to` of a body, defaulting to [first, last]; checked like query periods."""
    to = date.fromisoformat(data["to"]) if "to" in data else last
    start = (
        date.fromisoformat(data["from"])
        if "from" in data
        else first
        if "to" not in data
        else to - (last - first)
    )
    if start > to:
        raise BadRequest.fields({"from": "must not be after to"})
    if (to - start).days + 1 > _max_days():
        raise BadRequest.fields({"from": f"the period must be at most {_max_days()} days"})
    return start, to


@app.get("/global-market/trends")
def trends():
    from global_market_pulse import sales

    no_empty_parameters(app)
    ref = _ref()
    first, last = _period(ref, 30)
    granularity = query_enum(app, "granularity", GRANULARITIES, "day")
    region = ref.region(query_str(app, "region", max_len=64))
    currency = ref.currency(query_str(app, "currency", max_len=3))
    return ok(sales.trends(_cube(), first, last, granularity, region, currency))


@app.get("/global-market/regional-prices")
def regional_prices():
    from global_market_pulse import prices

    no_empty_parameters(app)
    ref = _ref()
    product_id = query_str(app, "productId", required=True, max_len=128, pattern=ID_PATTERN)
    currency = ref.currency(query_str(app, "currency", max_len=3))
    day = query_date(app, "date", ref.last)
    return ok(prices.regional_prices(ref, product_id, currency, day))


@app.get("/global-market/market-share")
def market_share():
    from global_market_pulse import sales

    no_empty_parameters(app)
    ref = _ref()
    first, last = _period(ref, 30)
    category = ref.category(query_str(app, "category", max_len=64))
    region = ref.region(query_str(app, "region", max_len=64))
    currency = ref.currency(query_str(app, "currency", max_len=3))
    return ok(sales.market_share(_cube(), first, last, category, region, currency))


@app.get("/global-market/growth-rates")
def growth_rates():
    from global_market_pulse import sales

    no_empty_parameters(app)
    ref = _ref()
    first, last = _period(ref, 730)
    interval = query_enum(app, "interval", ("month", "quarter", "year"), "month")
    metric = query_enum(app, "metric", ("revenue", "orders"), "revenue")
    currency = ref.currency(query_str(app, "currency", max_len=3))
    return ok(sales.growth_rates(_cube(), first, last, interval, currency, metric))


@app.post("/global-market/price-comparison")
def price_comparison():
    from global_market_pulse import prices

    data = body(app, schemas.PRICE_COMPARISON)
    ref = _ref()
    currency = ref.currency(data.get("currency"))
    regions = data.get("regions")
    for name in regions or ():
        ref.region(name, "regions")
    day = date.fromisoformat(data["date"]) if "date" in data else ref.last
    return ok(prices.price_comparison(ref, data["productIds"], regions, currency, day))


@app.post("/global-market/opportunities")
def opportunities():
    from global_market_pulse import opportunities as logic
    from global_market_pulse.periods import add_months

    data = body(app, schemas.OPPORTUNITIES)
    ref = _ref()
    first, last = _body_period(data, add_months(ref.last, -12) + timedelta(days=1), ref.last)
    for name in data.get("regions") or ():
        ref.region(name, "regions")
    for cid in data.get("categories") or ():
        ref.category(cid, "categories")
    return ok(
        logic.score(
            _cube(),
            first,
            last,
            data.get("regions"),
            data.get("categories"),
            data.get("weights") or {},
            data.get("limit", 20),
        )
    )


@app.post("/global-market/competitor-analysis")
def competitor_analysis():
    from global_market_pulse import competition, prices

    data = body(app, schemas.COMPETITOR_ANALYSIS)
    ref = _ref()
    first, last = _body_period(data, ref.last - timedelta(days=89), ref.last)
    region = ref.region(data.get("region"))
    category = ref.category(data.get("categoryId"), "categoryId")
    rows, overlap = competition.observations(
        first, last, category, data.get("productIds"), data.get("competitors")
    )
    return ok(competition.analyse(rows, overlap, prices.region_factor(ref, region), first, last))


@app.post("/global-market/trend-changes")
def trend_changes():
    from global_market_pulse import changes

    data = body(app, schemas.TREND_CHANGES)
    ref = _ref()
    if "series" in data:
        dates, values = changes.given_series(data["series"])
        metric = "series"
    else:
        first, last = _body_period(data, ref.first, ref.last)
        region = ref.region(data.get("region"))
        category = ref.category(data.get("categoryId"), "categoryId")
        metric = data["metric"]
        dates, values = changes.platform_series(
            _cube(), metric, region, category, data["granularity"], first, last
        )
    return ok(
        changes.detect(
            dates,
            values,
            metric=metric,
            granularity=data["granularity"],
            method=data["method"],
            model=data["model"],
            penalty=data.get("penalty"),
            min_segment=data["minSegmentLength"],
            max_changes=data["maxChangePoints"],
        )
    )


@app.get("/global-market/currencies")
def currencies():
    from global_market_pulse import prices

    no_empty_parameters(app)
    ref = _ref()
    base = ref.currency(query_str(app, "base", max_len=3), "base")
    day = query_date(app, "date", ref.last)
    return ok(prices.currencies(ref, base, day))


lambda_handler = make_handler(app)
