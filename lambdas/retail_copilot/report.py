"""The sales report of a period: headline figures vs the previous period of the same length,
breakdowns by region, category and channel, the top products and a short narrative.

The additive figures come from the data-versioned daily sales cube (cube.py: no scan of the
lake per request); two queries remain, run concurrently: the distinct active customers of both
periods (one UNION ALL statement) and the product ranking.
"""

from __future__ import annotations

from typing import Any

from shared.warehouse import get_warehouse

from retail_copilot import sales
from retail_copilot.cube import cube, figures
from retail_copilot.periods import Period, fmt

DIMENSIONS = ("region", "category", "channel")


def _breakdown(now: dict, before: dict, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Shares of the breakdown's own total: per category that is the goods revenue (shipping
    and tax belong to no category), per region or channel the whole revenue."""
    rows = {k: figures(v) for k, v in now.items()}
    previous = {k: figures(v)["revenue"] for k, v in before.items()}
    total = sum(r["revenue"] for r in rows.values())
    out = []
    for key, r in sorted(rows.items(), key=lambda kv: (-kv[1]["revenue"], kv[0])):
        if r["orders"] == 0 and r["revenue"] == 0:
            continue
        item: dict[str, Any] = {
            "key": key,
            "label": (labels or {}).get(key, key),
            "revenue": r["revenue"],
            "orders": r["orders"],
            "revenueSharePct": round(r["revenue"] / total * 100, 2) if total > 0 else 0.0,
        }
        if previous.get(key):
            item["growthPct"] = round((r["revenue"] - previous[key]) / previous[key] * 100, 2)
        out.append(item)
    return out


def active_customers(period: Period, previous: Period, filters: sales.Filters) -> tuple[int, int]:
    """Distinct customers with a completed order in each period (they do not add up by day):
    one statement, orders only unless a category filter needs the lines."""
    parts, params = [], []
    for label, p in (("current", period), ("previous", previous)):
        if filters.needs_lines:
            where, values = filters.where(p, lines=True)
            source = sales.LINE_FROM
        else:
            where, values = (
                "o.order_date BETWEEN ? AND ? AND o.year BETWEEN ? AND ?",
                [p.first, p.last, p.first.year, p.last.year],
            )
            for column, value in (
                ("o.region", filters.region),
                ("o.country", filters.country),
                ("o.channel", filters.channel),
            ):
                if value is not None:
                    where += f" AND {column} = ?"
                    values.append(value)
            source = "FROM orders o"
        parts.append(
            f"SELECT '{label}' AS period, COUNT(DISTINCT o.customer_id) AS customers {source} "
            f"WHERE {where} AND o.status = 'completed'"
        )
        params += values
    rows = {
        r["period"]: int(r["customers"] or 0)
        for r in get_warehouse().query(" UNION ALL ".join(parts), params)
    }
    return rows.get("current", 0), rows.get("previous", 0)


def sales_report(period: Period, filters: sales.Filters) -> dict[str, Any]:
    from retail_copilot.vocabulary import load

    previous = Period(period.first, period.last, period.label).previous()  # same number of days before
    top, (customers_now, customers_before) = sales.in_parallel(
        lambda: sales.top_products(period, filters, n=10),
        lambda: active_customers(period, previous, filters),
    )
    c = cube()
    if filters.category:  # the cube's line level has no channel: two queries for this case
        by_channel = [
            {r["key"]: [r["revenue"], r["orders"], r["units"], 0, 0] for r in rows}
            for rows in sales.in_parallel(
                lambda: sales.breakdown("channel", period, filters),
                lambda: sales.breakdown("channel", previous, filters),
            )
        ]
    else:
        by_channel = [c.by("channel", period, filters), c.by("channel", previous, filters)]
    cur, prev = figures(c.by(None, period, filters)[None]), figures(c.by(None, previous, filters)[None])
    names = dict(load()["categories"])
    total = sum(figures(v)["revenue"] for v in c.by("category", period, filters).values())
    for p in top:
        p["revenueSharePct"] = round(min(100.0, p["revenue"] / total * 100), 2) if total > 0 else 0.0
    summary = {
        "revenue": sales.change(cur["revenue"], prev["revenue"]),
        "orders": sales.change(cur["orders"], prev["orders"]),
        "units": sales.change(cur["units"], prev["units"]),
        "averageOrderValue": sales.change(cur["aov"], prev["aov"]),
        "activeCustomers": sales.change(customers_now, customers_before),
        "returnRate": cur["return_rate"],
    }
    report = {
        "period": period.as_dict(),
        "currency": "USD",
        "summary": summary,
        "byRegion": _breakdown(c.by("region", period, filters), c.by("region", previous, filters)),
        "byCategory": _breakdown(
            c.by("category", period, filters), c.by("category", previous, filters), names
        ),
        "byChannel": _breakdown(*by_channel),
        "topProducts": top,
    }
    report["narrative"] = narrative(period, report)
    return report


def narrative(period: Period, report: dict[str, Any]) -> str:
    s = report["summary"]
    rev = s["revenue"]
    parts = [f"From {fmt(period.first)} to {fmt(period.last)}, revenue was ${rev['value']:,.2f}"]
    if "changePct" in rev:
        direction = "up" if rev["change"] >= 0 else "down"
        parts[0] += f", {direction} {abs(rev['changePct']):.1f}% on the previous {period.days} days"
    parts[0] += f", from {s['orders']['value']:,} orders (average ${s['averageOrderValue']['value']:,.2f})."
    if report["byRegion"]:
        top = report["byRegion"][0]
        parts.append(f"{top['label']} led the regions with {top['revenueSharePct']:.1f}% of revenue.")
    if report["byCategory"]:
        growing = [c for c in report["byCategory"] if "growthPct" in c]
        if growing:
            best = max(growing, key=lambda c: c["growthPct"])
            parts.append(f"{best['label']} grew fastest ({best['growthPct']:+.1f}%).")
    if report["topProducts"]:
        p = report["topProducts"][0]
        parts.append(f"The best seller was {p['name']} (${p['revenue']:,.2f}).")
    parts.append(f"{s['returnRate'] * 100:.1f}% of the orders placed were returned.")
    return " ".join(parts)
