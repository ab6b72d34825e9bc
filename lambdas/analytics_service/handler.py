"""analytics-service: KPIs, time series, top products, categories, cohorts, datasets, structured
queries, insights (api/openapi.yaml, x-service: analytics-service).

Thin on purpose: each route reads and checks its parameters and calls a plain function of the
service's modules with the process's warehouse (see README.md).
"""

from __future__ import annotations

from shared.api import create_app, make_handler, ok
from shared.errors import BadRequest
from shared.identity import caller
from shared.pagination import decode_cursor, encode_cursor
from shared.validation import body, query_enum, query_int, query_str
from shared.warehouse import get_warehouse

from analytics_service import cohorts, datasets, periods, sales
from analytics_service.explore import structured_query

SERVICE = "analytics-service"
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
CURSOR = {
    "type": "object",
    "required": ["offset"],
    "properties": {"offset": {"type": "integer", "minimum": 1, "maximum": sales.MAX_OFFSET}},
    "additionalProperties": False,
}

app = create_app(SERVICE)


def _no_empty_parameters() -> None:
    """Every query parameter of these operations is a date, an enum, a number or a non-empty
    string: `?to=` is a malformed value, not an absent one (shared.validation reads it as absent)."""
    event = app.current_event
    params = event.multi_value_query_string_parameters or {
        k: [v] for k, v in (event.query_string_parameters or {}).items()
    }
    empty = sorted(name for name, values in params.items() if any(v == "" for v in values or []))
    if empty:
        raise BadRequest.fields({name: "must not be empty" for name in empty})


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


def _offset() -> int:
    raw = query_str(app, "cursor", max_len=2048)
    return int(decode_cursor(raw, CURSOR)["offset"]) if raw else 0


@app.get("/analytics/kpis")
def get_kpis():
    caller(app)
    _no_empty_parameters()
    period = periods.from_request(app)
    return ok(sales.kpis(get_warehouse(), period, **_filters()))


@app.get("/analytics/sales-timeseries")
def get_sales_timeseries():
    caller(app)
    _no_empty_parameters()
    period = periods.from_request(app)
    granularity = query_enum(app, "granularity", ("day", "week", "month"), "day")
    return ok(sales.timeseries(get_warehouse(), period, granularity, **_filters()))


@app.get("/analytics/top-products")
def get_top_products():
    caller(app)
    _no_empty_parameters()
    period = periods.from_request(app)
    by = query_enum(app, "by", ("revenue", "units"), "revenue")
    limit = query_int(app, "limit", 20, 1, 200)
    offset = _offset()
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
    _no_empty_parameters()
    period = periods.from_request(app)
    return ok(sales.category_performance(get_warehouse(), period, region=_region()))


@app.get("/analytics/cohorts")
def get_cohorts():
    caller(app)
    _no_empty_parameters()
    months = query_int(app, "months", 12, 1, 24)
    period = periods.from_request(app, default_days=cohorts.DEFAULT_DAYS)
    return ok(cohorts.cohorts(get_warehouse(), period, months))


@app.get("/analytics/datasets")
def list_datasets():
    caller(app)
    _no_empty_parameters()
    return ok(datasets.datasets(get_warehouse()))


@app.post("/analytics/query")
def run_analytics_query():
    caller(app)
    _no_empty_parameters()
    return ok(structured_query(body(app), get_warehouse()))


@app.get("/analytics/insights")
def get_insights():
    caller(app)
    _no_empty_parameters()
    from analytics_service import insights  # numpy: loaded by the first request that needs it

    period = periods.from_request(app, default_days=insights.DEFAULT_DAYS)
    severity = query_enum(app, "severity", insights.SEVERITIES, "info")
    limit = query_int(app, "limit", 20, 1, 200)
    offset = _offset()
    found = insights.insights(get_warehouse(), period, min_severity=severity)
    page = found[offset : offset + limit]
    doc = {"items": page, "count": len(page), "period": period.to_dict()}
    if offset + limit < len(found):
        doc["nextCursor"] = encode_cursor({"offset": offset + limit})
    return ok(doc)


lambda_handler = make_handler(app)
