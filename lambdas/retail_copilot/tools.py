"""The copilot's tools: the only things a question can make it do. Each tool is a safe interface
of the platform (the structured query engine `shared.query`, the fixed queries of
`retail_copilot.sales`/`lookups`/`recommend`, the shared forecasting model, the other services'
functions) with a JSON Schema for its arguments. Both modes use the same tools with the same
limits: the local parser picks one and fills its arguments; Bedrock's Converse API is given
their schemas (tool use) and every call it makes is validated here before it runs.

A tool returns a `Result`: the table behind the answer (`columns`, `rows`), the headline
numbers (`facts`) and where they came from (`sources`). Nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.errors import ApiError, BadRequest

from retail_copilot import periods as P  # noqa: N812 - P.month(...) reads like the calendar
from retail_copilot.periods import DATA_END, DATA_START, Period

MAX_ROWS = 50  # rows of a table in an answer


class ToolError(Exception):
    """A tool could not answer (bad arguments, unknown names, no data); the message is safe to
    show to the user or to the model."""


@dataclass
class Result:
    columns: list[str]
    rows: list[list[Any]]
    facts: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)

    def table(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows[:MAX_ROWS]}


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    schema: dict[str, Any]
    run: Callable[[dict[str, Any]], Result]


# ---- argument schemas ----------------------------------------------------------------------------
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "ISO date (YYYY-MM-DD)"}
_PERIOD = {
    "from": {**_DATE, "description": "first day, inclusive (default: 29 days before `to`)"},
    "to": {**_DATE, "description": f"last day, inclusive (default: the last day of data, {DATA_END})"},
}
_FILTERS = {
    "country": {"type": "string", "maxLength": 64, "description": "country: ISO code (DE) or name"},
    "region": {"type": "string", "maxLength": 64, "description": "sales region, e.g. Western Europe"},
    "category": {"type": "string", "maxLength": 64, "description": "category id (CAT01) or name"},
    "channel": {"type": "string", "enum": ["web", "mobile_app", "marketplace"]},
    "productId": {"type": "string", "pattern": r"^P\d{5}$"},
}
_COMPARE = {
    "compare": {
        "type": "string",
        "enum": ["none", "previous", "year"],
        "description": "also compute the previous period of the same length, or the same period a year earlier",
    },
    "compareFrom": {**_DATE, "description": "explicit comparison period: first day"},
    "compareTo": {**_DATE, "description": "explicit comparison period: last day"},
}


def _schema(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or [], "additionalProperties": False}


# ---- argument resolution ---------------------------------------------------------------------------
def _lexicon():
    from retail_copilot import nlu, vocabulary

    return _cached_lexicon(nlu, vocabulary)


_LEX: dict[int, Any] = {}


def _cached_lexicon(nlu, vocabulary):
    doc = vocabulary.load()
    key = id(doc)
    if key not in _LEX:
        _LEX.clear()
        _LEX[key] = nlu.lexicon(doc)
    return _LEX[key]


def lexicon():
    """The parser's tables for the current vocabulary (built once per data version)."""
    return _lexicon()


def _day(args: Mapping[str, Any], key: str) -> date | None:
    value = args.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ToolError(f"{key} must be a date (YYYY-MM-DD)") from None


def period_of(args: Mapping[str, Any], label: str | None = None) -> Period:
    last = _day(args, "to") or DATA_END
    first = _day(args, "from") or last - timedelta(days=29)
    if first > last:
        raise ToolError("from must not be after to")
    if first > DATA_END or last < DATA_START:
        raise ToolError(f"the data covers {P.fmt(DATA_START)} to {P.fmt(DATA_END)}")
    return Period(first, last, label or f"{P.fmt(first)} to {P.fmt(last)}", args.get("unit") or "days")


def compare_of(args: Mapping[str, Any], period: Period) -> Period | None:
    if args.get("compareFrom") or args.get("compareTo"):
        a, b = _day(args, "compareFrom"), _day(args, "compareTo")
        if a is None or b is None or a > b:
            raise ToolError("compareFrom and compareTo must both be given, from <= to")
        return Period(a, b, args.get("compareLabel") or f"{P.fmt(a)} to {P.fmt(b)}")
    kind = args.get("compare")
    if kind == "previous":
        return period.previous()
    if kind == "year":
        return period.year_before()
    return None


def _named(value: str | None, codes: Any, phrases: Any, kind: str, known: str) -> str | None:
    """A code (any case) or a name of the lexicon's `phrases` -> its code; unknown: ToolError."""
    if not value:
        return None
    if codes is not None and value.upper() in codes:
        return value.upper()
    for phrase, code in phrases:
        if phrase == value.strip().lower():
            return code
    raise ToolError(f"unknown {kind} {value!r}; {_plural(kind)}: {known}")


def _plural(kind: str) -> str:
    return {"country": "countries", "category": "categories"}.get(kind, f"{kind}s")


def _country(value: str | None) -> str | None:
    lex = lexicon()
    return _named(value, lex.codes, lex.countries, "country", ", ".join(sorted(lex.codes)))


def _region(value: str | None) -> str | None:
    lex = lexicon()
    return _named(value, None, lex.regions, "region", ", ".join(sorted(set(lex.country_region.values()))))


def _category(value: str | None) -> str | None:
    lex = lexicon()
    return _named(
        value, lex.category_names, lex.categories, "category", ", ".join(lex.category_names.values())
    )


def _product(value: str | None) -> str | None:
    if not value:
        return None
    if value not in lexicon().product_names:
        raise ToolError(f"unknown product {value!r}")
    return value


def filters_of(args: Mapping[str, Any]):
    from retail_copilot.sales import Filters

    return Filters(
        country=_country(args.get("country")),
        region=_region(args.get("region")),
        category=_category(args.get("category")),
        channel=args.get("channel"),
        product=_product(args.get("productId")),
    )


def filter_labels(filters: Any) -> list[tuple[str, str]]:
    """(kind, display name) of each filter that is set, in the order answers name them."""
    lex = lexicon()
    labels = [
        ("product", filters.product and lex.product_names.get(filters.product, filters.product)),
        ("category", filters.category and lex.category_names.get(filters.category, filters.category)),
        ("country", filters.country and lex.country_names.get(filters.country, filters.country)),
        ("region", filters.region),
        ("channel", filters.channel),
    ]
    return [(kind, name) for kind, name in labels if name]


def describe(period: Period, filters: Any) -> str:
    order = ("country", "region", "category", "channel", "product")
    labels = sorted(filter_labels(filters), key=lambda kv: order.index(kv[0]))
    return ", ".join([f"{P.fmt(period.first)} to {P.fmt(period.last)}", *(f"{k} {v}" for k, v in labels)])


def _source(kind: str, description: str, dataset: str) -> dict[str, str]:
    return {"type": kind, "description": description, "dataset": dataset}


def _sales_source(period: Period, filters: Any, what: str) -> dict[str, str]:
    level = "order lines (line_total_usd)" if filters.needs_lines else "orders (total_usd)"
    return _source("query", f"{what}: completed {level}, {describe(period, filters)}", "orders, order_items")


# ---- the tools ---------------------------------------------------------------------------------------
METRIC_ORDER = ("revenue", "orders", "aov", "customers", "units", "return_rate")


def sales_summary(args: dict[str, Any]) -> Result:
    from retail_copilot import sales

    period, filters = period_of(args, args.get("label")), filters_of(args)
    other = compare_of(args, period)
    if other is None:
        now, before = sales.summary(period, filters), None
    else:
        now, before = sales.in_parallel(
            lambda: sales.summary(period, filters), lambda: sales.summary(other, filters)
        )
    facts: dict[str, Any] = {"period": period, "filters": filters, "current": now}
    sources = [_sales_source(period, filters, "sales summary")]
    columns = ["metric", "value"]
    rows = [[m, now[m]] for m in METRIC_ORDER]
    if other is not None:
        facts.update(compare_period=other, previous=before)
        sources.append(_sales_source(other, filters, "comparison period"))
        columns += ["previous", "change", "changePct"]
        rows = []
        for m in METRIC_ORDER:
            ch = sales.change(now[m], before[m])
            rows.append([m, now[m], before[m], ch["change"], ch.get("changePct")])
    return Result(columns, rows, facts, sources)


def sales_breakdown(args: dict[str, Any]) -> Result:
    from retail_copilot import sales

    dim = args["dimension"]
    period, filters = period_of(args, args.get("label")), filters_of(args)
    other = compare_of(args, period)

    def fetch(p: Period) -> list[dict[str, Any]]:
        # the daily cube answers without a query unless distinct customers are asked for
        fast = None if args.get("sortBy") == "customers" else sales.breakdown_from_cube(dim, p, filters)
        return fast if fast is not None else sales.breakdown(dim, p, filters)

    if other is None:
        rows, previous = fetch(period), []
    else:
        rows, previous = sales.in_parallel(lambda: fetch(period), lambda: fetch(other))
    if dim == "country":
        names = lexicon().country_names
        for r in rows:
            r["label"] = names.get(r["key"], r["key"])
    sources = [_sales_source(period, filters, f"sales by {dim}")]
    if rows and rows[0].get("customers") is None:
        sources.append(
            _source("dataset", "the daily sales cube (computed once per data version)", "orders, order_items")
        )
    growth = None
    if other is not None:
        before = {r["key"]: r for r in previous}
        growth = {}
        for r in rows:
            prev = before.get(r["key"], {}).get("revenue", 0.0)
            r["previous_revenue"] = prev
            r["growth_pct"] = round((r["revenue"] - prev) / prev * 100, 2) if prev else None
        sources.append(_sales_source(other, filters, "comparison period"))
    sort = args.get("sortBy") or "revenue"
    if dim not in sales.TIME_DIMENSIONS or args.get("sortBy"):
        key = "growth_pct" if sort == "growth" else sort
        sign = 1 if args.get("ascending", False) else -1
        present = sorted((r for r in rows if r.get(key) is not None), key=lambda r: (sign * r[key], r["key"]))
        absent = [r for r in rows if r.get(key) is None]
        rows = present + absent
    if args.get("only"):  # a comparison of named groups ("France and Germany")
        resolve = {"country": _country, "region": _region, "category": _category}.get(dim, lambda v: v)
        keep = [resolve(v) for v in args["only"]]
        rows = [r for r in rows if r["key"] in keep]
    limit = args.get("limit")
    if limit:
        rows = rows[:limit]
    with_customers = any(r.get("customers") is not None for r in rows)
    columns = (
        [dim, "name", "revenue", "orders", "units"] + (["customers"] if with_customers else []) + ["aov"]
    )
    if growth is not None:
        columns += ["previousRevenue", "growthPct"]
    table = []
    for r in rows:
        row = [r["key"], r["label"], r["revenue"], r["orders"], r["units"]]
        row += ([r["customers"]] if with_customers else []) + [r["aov"]]
        if growth is not None:
            row += [r["previous_revenue"], r["growth_pct"]]
        table.append(row)
    facts = {"period": period, "compare_period": other, "filters": filters, "rows": rows, "dimension": dim}
    return Result(columns, table, facts, sources)


def top_products(args: dict[str, Any]) -> Result:
    from retail_copilot import sales

    period, filters = period_of(args, args.get("label")), filters_of(args)
    by = args.get("by") or "revenue"
    rows = sales.top_products(
        period, filters, n=args.get("limit") or 5, by=by, ascending=args.get("ascending", False)
    )
    columns = ["rank", "productId", "name", "category", "revenue", "units", "orders"]
    table = [
        [r["rank"], r["productId"], r["name"], r["category"], r["revenue"], r["units"], r["orders"]]
        for r in rows
    ]
    return Result(
        columns,
        table,
        {"period": period, "filters": filters, "rows": rows, "by": by},
        [
            _source(
                "query",
                f"products ranked by {by}: completed order lines, {describe(period, filters)}",
                "order_items",
            )
        ],
    )


def top_customers(args: dict[str, Any]) -> Result:
    from retail_copilot import sales

    period, filters = period_of(args, args.get("label")), filters_of(args)
    rows = sales.top_customers(period, filters, n=args.get("limit") or 5)
    columns = ["rank", "customerId", "name", "country", "revenue", "orders"]
    table = [[r["rank"], r["customerId"], r["name"], r["country"], r["revenue"], r["orders"]] for r in rows]
    return Result(
        columns,
        table,
        {"period": period, "filters": filters, "rows": rows},
        [_sales_source(period, filters, "customers ranked by spend")],
    )


def product_stock(args: dict[str, Any]) -> Result:
    from retail_copilot import lookups

    ids = [_product(p) for p in args["productIds"]]
    result = lookups.inventory(lookups.Window(200), product_ids=ids)
    items = sorted(result["items"], key=lambda i: (i["productId"], i["warehouse"]))
    columns = [
        "productId",
        "name",
        "warehouse",
        "onHand",
        "onOrder",
        "reorderPoint",
        "daysOfCover",
        "lowStock",
    ]
    table = [
        [
            i["productId"],
            i["name"],
            i["warehouse"],
            i["onHand"],
            i["onOrder"],
            i["reorderPoint"],
            i.get("daysOfCover"),
            i["lowStock"],
        ]
        for i in items
    ]
    facts = {
        "products": ids,
        "items": items,
        "on_hand": sum(i["onHand"] for i in items),
        "on_order": sum(i["onOrder"] for i in items),
    }
    snapshot = items[0]["snapshotDate"] if items else DATA_END.isoformat()
    return Result(columns, table, facts, [_source("dataset", f"stock snapshot of {snapshot}", "inventory")])


def low_stock(args: dict[str, Any]) -> Result:
    from retail_copilot import lookups

    result = lookups.inventory(
        lookups.Window(args.get("limit") or 10),
        category=_category(args.get("category")),
        warehouse=args.get("warehouse"),
        low_stock_only=True,
    )
    items = result["items"]
    columns = ["productId", "name", "warehouse", "onHand", "onOrder", "reorderPoint", "daysOfCover"]
    table = [
        [
            i["productId"],
            i["name"],
            i["warehouse"],
            i["onHand"],
            i["onOrder"],
            i["reorderPoint"],
            i.get("daysOfCover"),
        ]
        for i in items
    ]
    facts = {
        "count": result["lowStockCount"],
        "items": items,
        "warehouse": args.get("warehouse"),
        "category": _category(args.get("category")),
    }
    return Result(
        columns,
        table,
        facts,
        [_source("dataset", "items at or below their reorder point, stock snapshot", "inventory")],
    )


def _structured(doc: dict[str, Any]):
    from shared.query import StructuredQuery, run_query

    try:
        return run_query(StructuredQuery.from_dict(doc))
    except BadRequest as exc:
        raise ToolError(exc.message) from None


def fraud_summary(args: dict[str, Any]) -> Result:
    """Labelled fraud among payments (`payments.is_fraud`, `chargeback`), through the structured
    query engine; by payment method or billing country when asked."""
    period = period_of(args, args.get("label"))
    dim = {"method": "method", "country": "billing_country"}.get(args.get("dimension") or "")
    filters = []
    country = _country(args.get("country"))
    if country:
        filters.append({"field": "billing_country", "op": "eq", "value": country})
    if args.get("method"):
        filters.append({"field": "method", "op": "eq", "value": args["method"]})
    doc = {
        "dataset": "payments",
        "metrics": [
            {"field": "*", "agg": "count", "alias": "payments"},
            {"field": "is_fraud", "agg": "sum", "alias": "fraudulent"},
            {"field": "is_fraud", "agg": "avg", "alias": "fraud_rate"},
            {"field": "chargeback", "agg": "sum", "alias": "chargebacks"},
            {"field": "amount_usd", "agg": "sum", "alias": "amount_usd"},
        ],
        "dimensions": [dim] if dim else [],
        "filters": filters,
        "orderBy": [{"field": "fraud_rate", "direction": "desc"}] if dim else [],
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "limit": 100,
    }
    result = _structured(doc)
    records = result.records()
    for r in records:
        r["fraud_rate"] = round(float(r["fraud_rate"] or 0), 4)
        r["fraudulent"] = int(r["fraudulent"] or 0)
        r["chargebacks"] = int(r["chargebacks"] or 0)
        r["amount_usd"] = round(float(r["amount_usd"] or 0), 2)
    if dim:
        columns = [dim, "payments", "fraudulent", "fraudRate", "chargebacks"]
        rows = [[r[dim], r["payments"], r["fraudulent"], r["fraud_rate"], r["chargebacks"]] for r in records]
    else:
        columns = ["metric", "value"]
        r = (
            records[0]
            if records
            else {"payments": 0, "fraudulent": 0, "fraud_rate": 0.0, "chargebacks": 0, "amount_usd": 0.0}
        )
        rows = [[k, r[k]] for k in ("payments", "fraudulent", "fraud_rate", "chargebacks", "amount_usd")]
    where = f"{P.fmt(period.first)} to {P.fmt(period.last)}" + (
        f", billing country {country}" if country else ""
    )
    if args.get("method"):
        where += f", method {args['method']}"
    return Result(
        columns,
        rows,
        {"period": period, "records": records, "dimension": dim, "country": country},
        [_source("query", f"labelled fraud (is_fraud, chargeback) by structured query, {where}", "payments")],
    )


def customer_count(args: dict[str, Any]) -> Result:
    """Registered customers (or sign-ups in a period), through the structured query engine."""
    country, region = _country(args.get("country")), _region(args.get("region"))
    filters = []
    if country:
        filters.append({"field": "country", "op": "eq", "value": country})
    if region:
        filters.append({"field": "region", "op": "eq", "value": region})
    doc: dict[str, Any] = {
        "dataset": "customers",
        "metrics": [{"field": "*", "agg": "count", "alias": "customers"}],
        "filters": filters,
    }
    period = None
    if args.get("new"):
        period = period_of(args, args.get("label"))
        doc.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    else:
        doc["filters"] = filters + [{"field": "signup_date", "op": "lte", "value": DATA_END.isoformat()}]
    n = int(_structured(doc).records()[0]["customers"])
    where = (
        ", ".join(x for x in (country and f"country {country}", region and f"region {region}") if x)
        or "all countries"
    )
    what = f"sign-ups {P.fmt(period.first)} to {P.fmt(period.last)}" if period else "registered customers"
    return Result(
        ["metric", "value"],
        [["new_customers" if period else "customers", n]],
        {"count": n, "period": period, "country": country, "region": region},
        [_source("query", f"{what}, {where}, by structured query", "customers")],
    )


def product_count(args: dict[str, Any]) -> Result:
    category = _category(args.get("category"))
    filters = [{"field": "category_id", "op": "eq", "value": category}] if category else []
    doc = {
        "dataset": "products",
        "metrics": [
            {"field": "*", "agg": "count", "alias": "products"},
            {"field": "is_active", "agg": "sum", "alias": "active"},
        ],
        "filters": filters,
    }
    r = _structured(doc).records()[0]
    n, active = int(r["products"]), int(r["active"] or 0)
    return Result(
        ["metric", "value"],
        [["products", n], ["active", active]],
        {"count": n, "active": active, "category": category},
        [
            _source(
                "query",
                "products in the catalogue" + (f", category {category}" if category else ""),
                "products",
            )
        ],
    )


def forecast_revenue(args: dict[str, Any]) -> Result:
    """Daily revenue of the last 365 days, Holt-Winters with a weekly season (the shared
    forecasting model, `shared.models.forecast`), the next `days` days with 95 % intervals."""
    from shared.models.forecast import HistoryTooShortError, HoltWinters

    from retail_copilot import sales

    days = int(args.get("days") or 30)
    filters = filters_of(args)
    history = Period(DATA_END - timedelta(days=364), DATA_END, "the last 365 days")
    by_day = {r["key"]: r["revenue"] for r in sales.breakdown("day", history, filters, max_rows=400)}
    y = [by_day.get((history.first + timedelta(days=i)).isoformat(), 0.0) for i in range(history.days)]
    try:
        model = HoltWinters(season_length=7).fit(y)
    except HistoryTooShortError as exc:
        raise ToolError(str(exc)) from None
    mean, lower, upper = model.predict_interval(days, 0.95)
    rows = [
        [
            (DATA_END + timedelta(days=i + 1)).isoformat(),
            round(float(max(m, 0)), 2),
            round(float(max(lo, 0)), 2),
            round(float(hi), 2),
        ]
        for i, (m, lo, hi) in enumerate(zip(mean, lower, upper, strict=True))
    ]
    last_28 = sum(y[-28:]) / 28
    facts = {
        "days": days,
        "total": round(sum(r[1] for r in rows), 2),
        "first": DATA_END + timedelta(days=1),
        "last": DATA_END + timedelta(days=days),
        "filters": filters,
        "recent_daily": round(last_28, 2),
        "forecast_daily": round(sum(r[1] for r in rows) / days, 2),
    }
    return Result(
        ["date", "forecast", "lower95", "upper95"],
        rows,
        facts,
        [
            _sales_source(history, filters, "daily revenue history"),
            _source(
                "operation", "Holt-Winters (additive, weekly season) from shared.models.forecast", "orders"
            ),
        ],
    )


def recommend_products(args: dict[str, Any]) -> Result:
    from retail_copilot.recommend import recommend

    try:
        doc = recommend(
            customer_id=args.get("customerId"),
            product_ids=args.get("productIds"),
            limit=args.get("limit") or 5,
            exclude_purchased=True,
        )
    except ApiError as exc:
        raise ToolError(exc.message) from None
    recs = doc["recommendations"]
    columns = ["productId", "name", "score", "confidence", "lift", "reason"]
    rows = [
        [r["productId"], r["name"], r["score"], r.get("confidence"), r.get("lift"), r["reason"]] for r in recs
    ]
    return Result(
        columns,
        rows,
        {
            "basis": doc["basis"],
            "items": recs,
            "customer": args.get("customerId"),
            "products": args.get("productIds"),
        },
        [
            _source(
                "operation",
                "co-purchase associations (support, confidence, lift) over all order lines",
                "order_items",
            )
        ],
    )


def find_customer(args: dict[str, Any]) -> Result:
    from retail_copilot import lookups

    q = args.get("customerId") or args.get("query")
    if not q:
        raise ToolError("customerId or query is required")
    items = lookups.customers(lookups.Window(args.get("limit") or 5), q=q)["items"]
    if args.get("customerId"):
        items = [i for i in items if i["customerId"] == args["customerId"]]
    columns = [
        "customerId",
        "name",
        "email",
        "country",
        "city",
        "signupDate",
        "orders",
        "totalSpendUsd",
        "lastOrderDate",
    ]
    rows = [[i.get(c) for c in columns] for i in items]
    return Result(
        columns,
        rows,
        {"items": items},
        [_source("query", "customer look-up with completed orders and spend", "customers, orders")],
    )


def find_order(args: dict[str, Any]) -> Result:
    from shared.warehouse import get_warehouse

    row = get_warehouse().query_one(
        "SELECT order_id, customer_id, order_date, status, channel, country, currency, item_count, total, total_usd "
        "FROM orders WHERE order_id = ?",
        [args["orderId"]],
    )
    if row is None:
        raise ToolError(f"there is no order {args['orderId']}")
    columns = [
        "orderId",
        "customerId",
        "orderDate",
        "status",
        "channel",
        "country",
        "currency",
        "items",
        "total",
        "totalUsd",
    ]
    values = [row["order_id"], row["customer_id"], row["order_date"].isoformat(), row["status"], row["channel"], row["country"],
              row["currency"], int(row["item_count"]), round(float(row["total"]), 2), round(float(row["total_usd"]), 2)]  # fmt: skip
    return Result(
        columns,
        [values],
        {"order": dict(zip(columns, values, strict=True))},
        [_source("query", "order look-up", "orders")],
    )


def customers_at_risk(args: dict[str, Any]) -> Result:
    """The at-risk customers of the demand-insights service (its churn model and CLV, the same
    list as GET /demand-insights/at-risk-customers), called in process: the copilot's zip bundles
    the demand_insights package. Ranked by value at risk (probability x 12-month value)."""
    try:
        from demand_insights.customers import at_risk
    except ImportError:
        raise ToolError("the churn model of demand-insights is not available") from None
    limit = args.get("limit") or 10
    region = _region(args.get("region"))
    minimum = float(args.get("minProbability") or 0.5)
    doc = at_risk(minimum, region, limit, 0)
    items = doc.get("items", [])
    columns = ["customerId", "name", "region", "churnProbability", "risk", "valueAtRisk", "recencyDays"]
    rows = [[i.get(c) for c in columns] for i in items]
    where = f" in {region}" if region else ""
    return Result(
        columns,
        rows,
        {
            "items": items,
            "total_value_at_risk": doc.get("totalValueAtRisk"),
            "region": region,
            "minimum": minimum,
        },
        [
            _source(
                "operation",
                f"demand-insights churn model and CLV, churn probability >= {minimum}{where}",
                "customers, orders",
            )
        ],
    )


def structured_query(args: dict[str, Any]) -> Result:
    """Any aggregation the other tools do not cover: the platform's structured query engine."""
    result = _structured(dict(args["query"]))
    columns = [c.name for c in result.columns]
    return Result(
        columns,
        [[_plain(v) for v in row] for row in result.rows],
        {"truncated": result.truncated},
        [_source("query", f"structured query over {result.dataset}", result.dataset)],
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


_SALES_ARGS = {**_PERIOD, **_FILTERS}
TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        Tool(
            "sales_summary",
            "Revenue, orders, average order value, active customers, units and return rate of a period, optionally vs another period.",
            _schema(**_SALES_ARGS, **_COMPARE),
            sales_summary,
        ),
        Tool(
            "sales_breakdown",
            "The period's sales per category, region, country, channel, month, week or day (optionally with growth vs another period).",
            _schema(
                ["dimension"],
                dimension={
                    "type": "string",
                    "enum": ["category", "region", "country", "channel", "month", "week", "day"],
                },
                sortBy={
                    "type": "string",
                    "enum": ["revenue", "orders", "units", "customers", "aov", "growth"],
                },
                ascending={"type": "boolean"},
                limit={"type": "integer", "minimum": 1, "maximum": 400},
                only={
                    "type": "array",
                    "items": {"type": "string", "maxLength": 64},
                    "minItems": 1,
                    "maxItems": 20,
                },
                **_SALES_ARGS,
                **_COMPARE,
            ),
            sales_breakdown,
        ),
        Tool(
            "top_products",
            "Products ranked by revenue, units or orders over a period.",
            _schema(
                by={"type": "string", "enum": ["revenue", "units", "orders"]},
                limit={"type": "integer", "minimum": 1, "maximum": 50},
                ascending={"type": "boolean"},
                **_SALES_ARGS,
            ),
            top_products,
        ),
        Tool(
            "top_customers",
            "Customers ranked by spend over a period.",
            _schema(limit={"type": "integer", "minimum": 1, "maximum": 50}, **_SALES_ARGS),
            top_customers,
        ),
        Tool(
            "product_stock",
            "Stock on hand, on order and days of cover of products, per warehouse (latest snapshot).",
            _schema(
                ["productIds"],
                productIds={"type": "array", "items": _FILTERS["productId"], "minItems": 1, "maxItems": 20},
            ),
            product_stock,
        ),
        Tool(
            "low_stock",
            "Items at or below their reorder point (count and the lowest days of cover).",
            _schema(
                warehouse={"type": "string", "maxLength": 32},
                category=_FILTERS["category"],
                limit={"type": "integer", "minimum": 1, "maximum": 50},
            ),
            low_stock,
        ),
        Tool(
            "fraud_summary",
            "Labelled fraud among payments: count, rate, chargebacks; optionally by payment method or billing country.",
            _schema(
                dimension={"type": "string", "enum": ["none", "method", "country"]},
                country=_FILTERS["country"],
                method={"type": "string", "maxLength": 32},
                **_PERIOD,
            ),
            fraud_summary,
        ),
        Tool(
            "customer_count",
            "Registered customers, or sign-ups in a period (new=true).",
            _schema(
                country=_FILTERS["country"], region=_FILTERS["region"], new={"type": "boolean"}, **_PERIOD
            ),
            customer_count,
        ),
        Tool(
            "product_count",
            "Products in the catalogue (and how many are active), optionally of a category.",
            _schema(category=_FILTERS["category"]),
            product_count,
        ),
        Tool(
            "forecast_revenue",
            "Daily revenue forecast for the next days (Holt-Winters), with 95% intervals.",
            _schema(
                days={"type": "integer", "minimum": 1, "maximum": 180},
                country=_FILTERS["country"],
                region=_FILTERS["region"],
                category=_FILTERS["category"],
            ),
            forecast_revenue,
        ),
        Tool(
            "recommend_products",
            "Products often bought with a customer's past purchases or with a basket (co-purchase lift).",
            _schema(
                customerId={"type": "string", "pattern": r"^C\d{6}$"},
                productIds={"type": "array", "items": _FILTERS["productId"], "minItems": 1, "maxItems": 20},
                limit={"type": "integer", "minimum": 1, "maximum": 20},
            ),
            recommend_products,
        ),
        Tool(
            "find_customer",
            "Look up customers by id, name or email, with their orders and spend.",
            _schema(
                customerId={"type": "string", "pattern": r"^C\d{6}$"},
                query={"type": "string", "minLength": 2, "maxLength": 100},
                limit={"type": "integer", "minimum": 1, "maximum": 20},
            ),
            find_customer,
        ),
        Tool(
            "find_order",
            "Look up one order by id.",
            _schema(["orderId"], orderId={"type": "string", "pattern": r"^O\d{7}$"}),
            find_order,
        ),
        Tool(
            "customers_at_risk",
            "Customers most likely to churn, by value at risk (the demand-insights churn model).",
            _schema(
                limit={"type": "integer", "minimum": 1, "maximum": 50},
                region=_FILTERS["region"],
                minProbability={"type": "number", "minimum": 0, "maximum": 1},
            ),
            customers_at_risk,
        ),
        Tool(
            "structured_query",
            "Any other aggregation: the platform's structured query (dataset, metrics, dimensions, filters, orderBy, from, to, limit) over the data lake tables.",
            _schema(["query"], query={"type": "object", "description": "a StructuredQuery document"}),
            structured_query,
        ),
    )
}


def run(name: str, args: Mapping[str, Any]) -> Result:
    """Validate `args` against the tool's schema and run it; ToolError for anything wrong."""
    from shared.validation import validate

    tool = TOOLS.get(name)
    if tool is None:
        raise ToolError(f"there is no tool {name!r}")
    if not isinstance(args, Mapping):
        raise ToolError("the arguments must be an object")
    clean = {k: v for k, v in args.items() if k not in ("label", "unit", "compareLabel")}
    try:
        validate(clean, tool.schema, what=f"{name} arguments")
    except BadRequest as exc:
        raise ToolError(exc.message) from None
    return tool.run(dict(args))
