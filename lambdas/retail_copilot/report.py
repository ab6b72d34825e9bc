"""The sales report of a period: headline figures vs the previous period of the same length,
breakdowns by region, category and channel, the top products and a short narrative.
Three warehouse queries: one GROUPING SETS query per period, one for the top products."""

from __future__ import annotations

from typing import Any

from retail_copilot import sales
from retail_copilot.periods import Period, fmt

DIMENSIONS = ("region", "category", "channel")


def _breakdown(rows: list[dict], previous: list[dict]) -> list[dict[str, Any]]:
    """Shares of the breakdown's own total: per category that is the goods revenue (shipping
    and tax belong to no category), per region or channel the whole revenue."""
    total = sum(r["revenue"] for r in rows)
    before = {r["key"]: r["revenue"] for r in previous}
    out = []
    for r in rows:
        item: dict[str, Any] = {
            "key": r["key"],
            "label": r["label"],
            "revenue": r["revenue"],
            "orders": r["orders"],
            "revenueSharePct": round(r["revenue"] / total * 100, 2) if total > 0 else 0.0,
        }
        if before.get(r["key"]):
            item["growthPct"] = round((r["revenue"] - before[r["key"]]) / before[r["key"]] * 100, 2)
        out.append(item)
    return out


def sales_report(period: Period, filters: sales.Filters) -> dict[str, Any]:
    previous = Period(*_previous_bounds(period), "previous")
    now, before, top = sales.in_parallel(
        lambda: sales.breakdowns(period, DIMENSIONS, filters),
        lambda: sales.breakdowns(previous, DIMENSIONS, filters),
        lambda: sales.top_products(period, filters, n=10),
    )
    cur, prev = now["total"][0], before["total"][0]
    total = sum(r["revenue"] for r in now["category"])  # goods revenue: what products earn
    for p in top:
        p["revenueSharePct"] = round(p["revenue"] / total * 100, 2) if total > 0 else 0.0
    summary = {
        "revenue": sales.change(cur["revenue"], prev["revenue"]),
        "orders": sales.change(cur["orders"], prev["orders"]),
        "units": sales.change(cur["units"], prev["units"]),
        "averageOrderValue": sales.change(cur["aov"], prev["aov"]),
        "activeCustomers": sales.change(cur["customers"], prev["customers"]),
        "returnRate": cur["return_rate"],
    }
    report = {
        "period": period.as_dict(),
        "currency": "USD",
        "summary": summary,
        "byRegion": _breakdown(now["region"], before["region"]),
        "byCategory": _breakdown(now["category"], before["category"]),
        "byChannel": _breakdown(now["channel"], before["channel"]),
        "topProducts": top,
    }
    report["narrative"] = narrative(period, report)
    return report


def _previous_bounds(period: Period):
    p = Period(period.first, period.last, period.label).previous()  # same number of days before
    return p.first, p.last


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
