"""The local mode: a parsed question (nlu.py) becomes one tool call (tools.py), and the tool's
result becomes a short markdown answer with its numbers, follow-up suggestions and sources.
Deterministic: the same question on the same data gives the same answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retail_copilot import periods as P  # noqa: N812
from retail_copilot.nlu import Question
from retail_copilot.periods import DATA_END, DATA_START
from retail_copilot.tools import Result, ToolError, filter_labels, lexicon, run

CANNOT = "I can't answer that from the data."
METRIC_NAMES = {
    "revenue": "revenue",
    "orders": "orders",
    "units": "units sold",
    "customers": "active customers",
    "aov": "average order value",
    "return_rate": "return rate",
}
EXAMPLES = [
    "Top 5 products by revenue in March 2026",
    "How did Germany do last quarter vs the one before?",
    "Revenue by category this year",
    "Which items are low on stock?",
    "What is the fraud rate by payment method last month?",
]


@dataclass
class Answer:
    text: str
    data: dict[str, Any] | None = None
    sources: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    answered: bool = True
    tool: str | None = None


def money(x: float) -> str:
    return f"${x:,.2f}"


def value_text(metric: str, x: Any) -> str:
    if x is None:
        return "n/a"
    if metric in ("revenue", "aov", "amount_usd"):
        return money(x)
    if metric in ("return_rate", "fraud_rate"):
        return f"{x * 100:.2f}%"
    return f"{int(x):,}"


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f}%"


# ---- planning: question -> tool call ---------------------------------------------------------------
def plan(q: Question) -> tuple[str, dict[str, Any]] | None:
    """The tool and arguments that answer `q`, or None when nothing can."""
    period = q.period or P.default_period()
    args: dict[str, Any] = {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "label": period.label,
        "unit": period.unit,
    }
    filters = {
        k: v
        for k, v in (
            ("country", q.country),
            ("region", q.region),
            ("category", q.category),
            ("channel", q.channel),
        )
        if v
    }
    compare: dict[str, Any] = {}
    if q.compare == "explicit" and q.compare_period is not None:
        compare = {
            "compareFrom": q.compare_period.first.isoformat(),
            "compareTo": q.compare_period.last.isoformat(),
            "compareLabel": q.compare_period.label,
        }
    elif q.compare in ("previous", "year"):
        compare = {"compare": q.compare}
    intent = q.intent
    if intent == "summary":
        product = {"productId": q.product} if q.product else {}
        return "sales_summary", {**args, **filters, **product, **compare}
    if intent == "top_products":
        by = q.metric if q.metric in ("units", "orders") else "revenue"
        return "top_products", {
            **args,
            **filters,
            "by": by,
            "limit": min(q.n or 5, 50),
            "ascending": q.ascending,
        }
    if intent == "breakdown":
        dim = q.dimension if q.dimension != "method" else "channel"
        sort = (
            "growth"
            if q.by_growth
            else (q.metric if q.metric in ("orders", "units", "customers", "aov") else None)
        )
        if dim in ("month", "week", "day") and not q.by_growth:
            sort = None  # a time series stays in time order
        if q.by_growth and not compare:
            compare = {"compare": "previous"}
        out = {**args, **filters, **compare, "dimension": dim, "ascending": q.ascending}
        if sort:
            out["sortBy"] = sort
        if q.n:
            out["limit"] = q.n
        return "sales_breakdown", out
    if intent == "compare_places" and q.dimension:
        kind = q.dimension
        only = [v for k, v in q.places if k == kind]
        rest = {k: v for k, v in filters.items() if k != kind}
        if kind == "country":
            rest.pop("region", None)
        sort = q.metric if q.metric in ("orders", "units", "customers", "aov") else None
        out = {**args, **rest, "dimension": kind, "only": only}
        if sort:
            out["sortBy"] = sort
        return "sales_breakdown", out
    if intent == "top_customers":
        return "top_customers", {**args, **filters, "limit": min(q.n or 5, 50)}
    if intent == "inventory" and q.product_ids:
        return "product_stock", {"productIds": q.product_ids[:20]}
    if intent == "low_stock":
        out = {"limit": min(q.n or 10, 50)}
        if q.warehouse:
            out["warehouse"] = q.warehouse
        if q.category:
            out["category"] = q.category
        return "low_stock", out
    if intent == "fraud":
        out = {"from": args["from"], "to": args["to"], "label": args["label"]}
        if q.dimension in ("method", "country") and not (q.dimension == "country" and q.country):
            out["dimension"] = q.dimension
        if q.country:
            out["country"] = q.country
        if q.method:
            out["method"] = q.method
        return "fraud_summary", out
    if intent == "forecast":
        out = {"days": q.horizon_days or 30, **{k: v for k, v in filters.items() if k != "channel"}}
        return "forecast_revenue", out
    if intent == "recommend":
        if q.product_ids:
            return "recommend_products", {"productIds": q.product_ids[:1], "limit": min(q.n or 5, 20)}
        if q.customer:
            return "recommend_products", {"customerId": q.customer, "limit": min(q.n or 5, 20)}
        return None
    if intent == "customer" and q.customer:
        return "find_customer", {"customerId": q.customer}
    if intent == "order" and q.order:
        return "find_order", {"orderId": q.order}
    if intent == "customer_count":
        out = {k: v for k, v in filters.items() if k in ("country", "region")}
        if q.new_customers:
            out.update({"new": True, "from": args["from"], "to": args["to"], "label": args["label"]})
        return "customer_count", out
    if intent == "product_count":
        return "product_count", ({"category": q.category} if q.category else {})
    if intent == "at_risk":
        region = q.region or (lexicon().country_region.get(q.country) if q.country else None)
        return "customers_at_risk", {"limit": min(q.n or 10, 50), **({"region": region} if region else {})}
    return None


# ---- answering -------------------------------------------------------------------------------------
def answer(q: Question) -> Answer:
    if q.intent == "help":
        return Answer(
            "I answer questions about the business from the data: sales, products, categories, regions, "
            "customers, orders, stock, fraud and forecasts. For example:\n\n"
            + "\n".join(f"- {e}" for e in EXAMPLES),
            suggestions=EXAMPLES[:5],
        )
    if q.period is not None and not q.period.covers_data():
        return cannot(
            f"The data covers {P.fmt(DATA_START)} to {P.fmt(DATA_END)}; {q.period.label} has no data.",
            q,
        )
    step = plan(q)
    if step is None:
        return cannot(None, q)
    name, args = step
    try:
        result = run(name, args)
    except ToolError as exc:
        return cannot(f"{exc}.", q)
    text = RENDER[name](q, result)
    return Answer(text, result.table(), result.sources, suggest(q, name), True, name)


def cannot(reason: str | None, q: Question | None = None) -> Answer:
    text = CANNOT
    if reason:
        text += " " + reason[0].upper() + reason[1:]
    text += " I can answer questions about sales, products, categories, regions, customers, orders, stock, fraud and forecasts, for example:"
    return Answer(
        text + "\n\n" + "\n".join(f"- {e}" for e in EXAMPLES[:3]), None, [], EXAMPLES[:5], answered=False
    )


def refuse(kind: str) -> Answer:
    why = (
        "I don't run SQL or change data: I only read the data through the platform's fixed, parameterised queries."
        if kind == "sql"
        else "I only answer questions about the business data; I don't follow instructions to change my rules, "
        "reveal secrets or read other users' data."
    )
    return Answer(
        f"{CANNOT} {why} Try a business question, for example:\n\n"
        + "\n".join(f"- {e}" for e in EXAMPLES[:3]),
        None,
        [],
        EXAMPLES[:5],
        answered=False,
    )


def _where(q: Question, facts: dict[str, Any]) -> str:
    f = facts.get("filters")
    phrase = {"product": "for {}", "channel": "on the {} channel"}
    parts = [
        phrase.get(kind, "in {}").format(name.replace("_", " ") if kind == "channel" else name)
        for kind, name in (filter_labels(f) if f is not None else [])
    ]
    return (" " + " ".join(parts)) if parts else ""


def _period_text(facts: dict[str, Any]) -> str:
    p = facts["period"]
    return (
        f"{p.label} ({P.fmt(p.first)} to {P.fmt(p.last)})"
        if p.label and not p.label[0].isdigit() and "to" not in p.label
        else p.label
    )


def render_summary(q: Question, r: Result) -> str:
    f = r.facts
    metric = q.metric or "revenue"
    now = f["current"]
    where = _where(q, f)
    head = f"**{METRIC_NAMES[metric].capitalize()}**{where} in {_period_text(f)}: **{value_text(metric, now[metric])}**"
    if "previous" in f:
        before = f["previous"][metric]
        other = f["compare_period"]
        ch = (now[metric] - before) / before * 100 if before else None
        direction = "up" if now[metric] >= before else "down"
        head += f", {direction} {abs(ch):.1f}%" if ch is not None else ""
        head += f" vs {value_text(metric, before)} in {other.label}."
    else:
        head += "."
    rest = [m for m in ("revenue", "orders", "aov", "customers") if m != metric]
    detail = ", ".join(f"{METRIC_NAMES[m]} {value_text(m, now[m])}" for m in rest)
    also = f"Also: {detail}"
    if metric != "return_rate":
        also += f"; return rate {value_text('return_rate', now['return_rate'])}"
    lines = [head, "", also + "."]
    if "previous" in f:
        prev = f["previous"]
        lines.append(
            "Previous period: "
            + ", ".join(f"{METRIC_NAMES[m]} {value_text(m, prev[m])}" for m in ("revenue", "orders", "aov"))
            + "."
        )
    if now["orders"] == 0:
        lines.append("There were no completed orders matching this.")
    other = f.get("compare_period")
    if other is not None and other.first < DATA_START:
        lines.append(
            f"Note: the data starts on {P.fmt(DATA_START)}, so {other.label} is only partly covered."
        )
    return "\n".join(lines)


def render_top_products(q: Question, r: Result) -> str:
    f = r.facts
    rows = f["rows"]
    if not rows:
        return f"No products sold{_where(q, f)} in {_period_text(f)}."
    which = "Bottom" if q.ascending else "Top"
    lines = [f"**{which} {len(rows)} products by {f['by']}**{_where(q, f)} in {_period_text(f)}:", ""]
    for p in rows:
        lines.append(
            f"{p['rank']}. {p['name']} ({p['productId']}, {p['category']}): {money(p['revenue'])}, {p['units']:,} units"
        )
    return "\n".join(lines)


def render_breakdown(q: Question, r: Result) -> str:
    f = r.facts
    rows, dim = f["rows"], f["dimension"]
    if not rows:
        return f"No sales{_where(q, f)} in {_period_text(f)}."
    sort = "growth" if q.by_growth else (q.metric or "revenue")
    metric = sort if sort in METRIC_NAMES else "revenue"
    lines = [
        f"**{METRIC_NAMES.get(metric, sort).capitalize() if sort != 'growth' else 'Revenue growth'} by {dim}**{_where(q, f)} in {_period_text(f)}:",
        "",
    ]
    for row in rows[:12]:
        text = f"- {row['label']}: {value_text(metric, row[metric])}"
        if metric != "revenue":
            text += f" (revenue {money(row['revenue'])})"
        if "growth_pct" in row:
            text += f", {pct(row['growth_pct'])} vs {f['compare_period'].label}"
        lines.append(text)
    if len(rows) > 12:
        lines.append(f"- ... {len(rows) - 12} more in the table")
    if dim not in ("month", "week", "day"):
        top = rows[0]
        key = "growth_pct" if sort == "growth" else metric
        word = "lowest" if q.ascending else "highest"
        label = "growth" if sort == "growth" else METRIC_NAMES.get(metric, metric)
        lines.insert(0, f"{top['label']} has the {word} {label}.\n")
        del key
    return "\n".join(lines)


def render_top_customers(q: Question, r: Result) -> str:
    f = r.facts
    rows = f["rows"]
    if not rows:
        return f"No customer bought anything{_where(q, f)} in {_period_text(f)}."
    lines = [f"**Top {len(rows)} customers by spend**{_where(q, f)} in {_period_text(f)}:", ""]
    for c in rows:
        lines.append(
            f"{c['rank']}. {c['name']} ({c['customerId']}, {c['country']}): {money(c['revenue'])} over {c['orders']} orders"
        )
    return "\n".join(lines)


def render_stock(q: Question, r: Result) -> str:
    f = r.facts
    lex = lexicon()
    name = lex.product_names.get(f["products"][0], f["products"][0])
    if not f["items"]:
        return f"{name} ({f['products'][0]}) is not stocked in any warehouse (it may be discontinued)."
    low = [i for i in f["items"] if i["lowStock"]]
    text = f"**{name}** has **{f['on_hand']:,} units on hand** across {len(f['items'])} warehouse(s), {f['on_order']:,} on order."
    if len(f["products"]) > 1:
        text = f"{len(f['products'])} products are called {name}: " + text
    parts = [
        f"- {i['warehouse']}: {i['onHand']:,} on hand"
        + (f", {i['daysOfCover']} days of cover" if i.get("daysOfCover") is not None else "")
        + (" (at or below reorder point)" if i["lowStock"] else "")
        for i in f["items"]
    ]
    if low:
        text += f" {len(low)} warehouse(s) are at or below the reorder point."
    return text + "\n\n" + "\n".join(parts)


def render_low_stock(q: Question, r: Result) -> str:
    f = r.facts
    scope = []
    if f.get("warehouse"):
        scope.append(f"in {f['warehouse']}")
    if f.get("category"):
        scope.append(f"in {lexicon().category_names.get(f['category'], f['category'])}")
    where = (" " + " ".join(scope)) if scope else ""
    text = f"**{f['count']:,} stock items**{where} are at or below their reorder point."
    if f["items"]:
        text += " The lowest days of cover:\n\n" + "\n".join(
            f"- {i['name']} ({i['productId']}) at {i['warehouse']}: {i['onHand']} on hand, reorder point {i['reorderPoint']}"
            for i in f["items"][:10]
        )
    return text


def render_fraud(q: Question, r: Result) -> str:
    f = r.facts
    recs = f["records"]
    label = _period_text(f)
    if f["dimension"]:
        if not recs:
            return f"No payments in {label}."
        what = "payment method" if f["dimension"] == "method" else "billing country"
        lines = [f"**Fraud rate by {what}** in {label}:", ""]
        lines += [
            f"- {x[f['dimension']]}: {x['fraud_rate'] * 100:.2f}% ({x['fraudulent']:,} of {x['payments']:,} payments)"
            for x in recs
        ]
        return "\n".join(lines)
    x = recs[0] if recs else {"payments": 0, "fraudulent": 0, "fraud_rate": 0.0, "chargebacks": 0}
    where = f" (billing country {f['country']})" if f.get("country") else ""
    return (
        f"In {label}{where}, **{x['fraudulent']:,} of {x['payments']:,} payments** were confirmed fraud: "
        f"a fraud rate of **{x['fraud_rate'] * 100:.2f}%**, with {x['chargebacks']:,} chargebacks."
    )


def render_forecast(q: Question, r: Result) -> str:
    f = r.facts
    where = _where(q, f)
    change = (
        (f["forecast_daily"] - f["recent_daily"]) / f["recent_daily"] * 100 if f["recent_daily"] else None
    )
    return (
        f"**Forecast revenue**{where} for the next {f['days']} days ({P.fmt(f['first'])} to {P.fmt(f['last'])}): "
        f"**{money(f['total'])}**, about {money(f['forecast_daily'])} a day"
        + (
            f" ({pct(change)} vs the last 28 days' {money(f['recent_daily'])} a day)"
            if change is not None
            else ""
        )
        + ". Holt-Winters with a weekly season on the last 365 days; the table has each day with its 95% interval."
    )


def render_recommend(q: Question, r: Result) -> str:
    f = r.facts
    items = f["items"]
    lex = lexicon()
    if f["products"]:
        subject = lex.product_names.get(f["products"][0], f["products"][0])
    else:
        subject = f"customer {f['customer']}"
    if not items:
        return f"I found no co-purchase signal for {subject}."
    if f["basis"] == "popular":
        head = f"No product is bought with {subject} often enough; the most popular products instead:"
    else:
        head = f"**Often bought with {subject}:**"
    lines = [head, ""]
    for i in items:
        extra = f" (confidence {i['confidence'] * 100:.1f}%, lift {i['lift']:.1f})" if "lift" in i else ""
        lines.append(f"- {i['name']} ({i['productId']}){extra}")
    return "\n".join(lines)


def render_customer(q: Question, r: Result) -> str:
    items = r.facts["items"]
    if not items:
        return f"There is no customer {q.customer}."
    c = items[0]
    last = f", last order {c['lastOrderDate']}" if c.get("lastOrderDate") else ""
    return f"**{c['name']}** ({c['customerId']}, {c['city']}, {c['country']}), customer since {c['signupDate']}: {c['orders']:,} completed orders, {money(c['totalSpendUsd'])} spent{last}."


def render_order(q: Question, r: Result) -> str:
    o = r.facts["order"]
    return (
        f"Order **{o['orderId']}** of {o['orderDate']} by {o['customerId']} ({o['country']}, {o['channel'].replace('_', ' ')}): "
        f"{o['status']}, {o['items']} line(s), {o['total']:,.2f} {o['currency']} ({money(o['totalUsd'])})."
    )


def render_customer_count(q: Question, r: Result) -> str:
    f = r.facts
    lex = lexicon()
    where = (
        f" in {lex.country_names.get(f['country'], f['country'])}"
        if f.get("country")
        else f" in {f['region']}"
        if f.get("region")
        else ""
    )
    if f.get("period"):
        return f"**{f['count']:,} customers signed up**{where} in {_period_text(f)}."
    return f"We have **{f['count']:,} registered customers**{where}."


def render_product_count(q: Question, r: Result) -> str:
    f = r.facts
    where = f" in {lexicon().category_names.get(f['category'])}" if f.get("category") else ""
    return f"The catalogue has **{f['count']:,} products**{where}, {f['active']:,} of them active."


def render_at_risk(q: Question, r: Result) -> str:
    f = r.facts
    items = f["items"]
    where = f" in {f['region']}" if f.get("region") else ""
    if not items:
        return f"The churn model finds no customer{where} with a churn probability of {f['minimum']:.0%} or more."
    lines = [
        f"**{len(items)} customers{where} most at risk of churning**, by value at risk "
        f"(churn probability x predicted 12-month value; demand-insights churn model):",
        "",
    ]
    for i in items:
        last = f", last order {i['recencyDays']} days ago" if i.get("recencyDays") is not None else ""
        lines.append(
            f"- {i.get('name') or i['customerId']} ({i['customerId']}): {i['churnProbability'] * 100:.0f}% "
            f"churn probability, {money(i['valueAtRisk'])} at risk{last}"
        )
    if f.get("total_value_at_risk") is not None:
        lines.append(f"\nIn all, {money(f['total_value_at_risk'])} of predicted value is at risk.")
    return "\n".join(lines)


RENDER = {
    "sales_summary": render_summary,
    "top_products": render_top_products,
    "sales_breakdown": render_breakdown,
    "top_customers": render_top_customers,
    "product_stock": render_stock,
    "low_stock": render_low_stock,
    "fraud_summary": render_fraud,
    "forecast_revenue": render_forecast,
    "recommend_products": render_recommend,
    "find_customer": render_customer,
    "find_order": render_order,
    "customer_count": render_customer_count,
    "product_count": render_product_count,
    "customers_at_risk": render_at_risk,
}


def suggest(q: Question, tool: str) -> list[str]:
    label = q.period.label if q.period else "the last 30 days"
    lex = lexicon()
    place = lex.country_names.get(q.country) if q.country else q.region
    out: list[str] = []
    if tool == "sales_summary":
        out = [
            "Break it down by category",
            f"Top 5 products {('in ' + label) if q.period else 'in the last 30 days'}",
        ]
        if not q.compare:
            out.append("Compare with the previous period")
        if place:
            out.append("And in France?" if q.country != "FR" else "And in Germany?")
    elif tool == "top_products":
        out = [
            "And by units?" if (q.metric or "revenue") == "revenue" else "And by revenue?",
            "Revenue by category in the same period",
            "Which items are low on stock?",
        ]
    elif tool == "sales_breakdown":
        other = "region" if q.dimension != "region" else "category"
        out = [f"And by {other}?", "Compare with the previous period", "Top 5 products in the same period"]
    elif tool == "top_customers":
        out = ["Which customers are at risk?", "Top 5 products in the same period"]
    elif tool in ("product_stock", "low_stock"):
        out = ["Which items are low on stock in WH-UK?", "Forecast revenue for the next 30 days"]
    elif tool == "fraud_summary":
        out = ["Fraud rate by payment method last month", "Fraud rate by country this year"]
    elif tool == "customers_at_risk":
        out = ["Which customers are at risk in Western Europe?", "Top 5 customers by spend this year"]
    elif tool == "forecast_revenue":
        out = ["Forecast revenue for the next quarter", "Monthly revenue this year"]
    else:
        out = EXAMPLES[:3]
    return out[:5]
