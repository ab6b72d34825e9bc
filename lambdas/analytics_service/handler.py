"""analytics-service: KPIs, time series, top products, categories, cohorts, datasets, structured
queries, insights (api/openapi.yaml, x-service: analytics-service).

Thin on purpose: each route reads and checks its parameters and calls a plain function of the
service's modules with the process's warehouse (see README.md).
"""

from __future__ import annotations

from shared.api import create_app, make_handler, ok
from shared.errors import BadRequest
from shared.identity import caller
from shared.pagination import encode_cursor, query_offset
from shared.validation import body, no_empty_parameters, query_enum, query_int, query_str
from shared.warehouse import get_warehouse

from analytics_service import cohorts, datasets, periods, sales
from analytics_service.explore import structured_query

SERVICE = "analytics-service"
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"

app = create_app(SERVICE)


def _region() -> str | None:
    """A region name is printable text (it is bound as a parameter, never spliced)."""
    region = query_str(app, "region", max_len=64)
    if region is not None:
        try:
            region.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest.fields({"region": "is not valid Unicode"}) from None
        if not region or any(ch < " " or ch == "\x7f" for ch in region):
            raise BadRequest.fields({"region": "must be printable text"})
    return region


def _filters() -> dict[str, str | None]:
    return {
        "region": _region(),
        "category": query_str(app, "category", max_len=64, pattern=ID_PATTERN),
    }


@app.get("/analytics/kpis")
def get_kpis():
    caller(app)
    no_empty_parameters(app, repeated=True)
    period = periods.from_request(app)
    return ok(sales.kpis(get_warehouse(), period, **_filters()))


@app.get("/analytics/sales-timeseries")
def get_sales_timeseries():
    caller(app)
    no_empty_parameters(app, repeated=True)
    period = periods.from_request(app)
    granularity = query_enum(app, "granularity", ("day", "week", "month"), "day")
    return ok(sales.timeseries(get_warehouse(), period, granularity, **_filters()))


@app.get("/analytics/top-products")
def get_top_products():
    caller(app)
    no_empty_parameters(app, repeated=True)
    period = periods.from_request(app)
    by = query_enum(app, "by", ("revenue", "units"), "revenue")
    limit, offset = query_offset(app, min_offset=1, max_offset=sales.MAX_OFFSET)
    items, more = sales.top_products(get_warehouse(), period, by=by, limit=limit, offset=offset, **_filters())
    doc = {
        "items": items,
        "count": len(items),
        "period": period.to_dict(),
        "by": by,
        "currency": sales.CURRENCY,
    }
    if more and offset + limit <= sales.MAX_OFFSET:
        doc["nextCursor"] = encode_cursor({"offset": offset + limit})
    return ok(doc)


@app.get("/analytics/category-performance")
def get_category_performance():
    caller(app)
    no_empty_parameters(app, repeated=True)
    period = periods.from_request(app)
    return ok(sales.category_performance(get_warehouse(), period, region=_region()))


@app.get("/analytics/cohorts")
def get_cohorts():
    caller(app)
    no_empty_parameters(app, repeated=True)
    months = query_int(app, "months", 12, 1, 24)
    period = periods.from_request(app, default_days=cohorts.DEFAULT_DAYS)
    return ok(cohorts.cohorts(get_warehouse(), period, months))


@app.get("/analytics/datasets")
def list_datasets():
    caller(app)
    no_empty_parameters(app, repeated=True)
    return ok(datasets.datasets(get_warehouse()))


@app.post("/analytics/query")
def run_analytics_query():
    caller(app)
    no_empty_parameters(app, repeated=True)
    return ok(structured_query(body(app), get_warehouse()))


@app.get("/analytics/insights")
def get_insights():
    caller(app)
    no_empty_parameters(app, repeated=True)
    from analytics_service import insights  # numpy: loaded by the first request that needs it

    period = periods.from_request(app, default_days=insights.DEFAULT_DAYS)
    severity = query_enum(app, "severity", insights.SEVERITIES, "info")
    limit, offset = query_offset(app, min_offset=1, max_offset=sales.MAX_OFFSET)
    found = insights.insights(get_warehouse(), period, min_severity=severity)
    page = found[offset : offset + limit]
    doc = {"items": page, "count": len(page), "period": period.to_dict()}
    if offset + limit < len(found):
        doc["nextCursor"] = encode_cursor({"offset": offset + limit})
    return ok(doc)


lambda_handler = make_handler(app)
