"""The compliance report of a period: fraud from the payments (`risk.py`), cases from the cases
table, scans and API access from the audit table; every figure counted, none estimated."""

from __future__ import annotations

import statistics
from datetime import date, datetime
from typing import Any

from compliance_guardian import audit, cases, risk
from compliance_guardian.dynamo import iso, now

SEVERITIES = ("low", "medium", "high", "critical")


def _day(stamp: str | None) -> date | None:
    return date.fromisoformat(stamp[:10]) if stamp else None


def case_summary(all_cases: list[dict[str, Any]], first: date, last: date) -> dict[str, Any]:
    opened = [c for c in all_cases if first <= (_day(c.get("createdAt")) or date.min) <= last]
    closed_in = [c for c in all_cases if c.get("resolvedAt") and first <= _day(c["resolvedAt"]) <= last]  # type: ignore[operator]
    resolved = [c for c in closed_in if c.get("status") == cases.RESOLVED]
    dismissed = [c for c in closed_in if c.get("status") == cases.DISMISSED]
    still_open = [
        c
        for c in all_cases
        if (_day(c.get("createdAt")) or date.max) <= last
        and not (c.get("resolvedAt") and _day(c["resolvedAt"]) <= last)  # type: ignore[operator]
    ]
    hours = [
        (
            datetime.fromisoformat(c["resolvedAt"].replace("Z", "+00:00"))
            - datetime.fromisoformat(c["createdAt"].replace("Z", "+00:00"))
        ).total_seconds()
        / 3600
        for c in resolved
    ]
    out: dict[str, Any] = {
        "opened": len(opened),
        "resolved": len(resolved),
        "dismissed": len(dismissed),
        "open": len(still_open),
        "bySeverity": {s: sum(1 for c in opened if c.get("severity") == s) for s in SEVERITIES},
    }
    if hours:
        out["medianHoursToResolve"] = round(statistics.median(hours), 2)
    return out


def compliance_report(warehouse: Any, first: date, last: date) -> dict[str, Any]:
    stats = risk.fraud_statistics(warehouse, first, last)
    flagged = (
        sum(1 for p in risk.scored_period(warehouse, first, last) if p["score"] >= 0.5)
        if stats["transactions"]
        else 0
    )
    case_part = case_summary(cases.all_cases(), first, last)
    daily = audit.daily_summary(first, last)
    scans = {k: daily[k] for k in ("pciScans", "pciFindings", "piiScans", "piiFindings")}
    access = {
        "requests": daily["requests"],
        "distinctUsers": daily["distinctUsers"],
        "deniedRequests": daily["denied"],
        "failedSignIns": daily["failedSignIns"],
    }
    highlights = []
    if stats["transactions"]:
        highlights.append(
            f"{stats['fraudulent']} of {stats['transactions']} payments were confirmed fraud "
            f"({stats['fraudRate']:.2%}), USD {stats['fraudAmountUsd']:,.2f} in total; "
            f"the model flagged {flagged} for review or decline."
        )
        worst = max(stats["byMethod"], key=lambda b: b["fraudRate"], default=None)
        if worst and worst["fraudulent"]:
            highlights.append(
                f"The riskiest payment method was {worst['key']} ({worst['fraudRate']:.2%} fraud)."
            )
    else:
        highlights.append("No payments in the period.")
    if case_part["opened"]:
        highlights.append(
            f"{case_part['opened']} investigation case(s) opened, {case_part['resolved']} resolved, "
            f"{case_part['open']} still open at the end of the period."
        )
    if scans["pciFindings"]:
        highlights.append(
            f"PCI scans found card data {scans['pciFindings']} time(s) in {scans['pciScans']} scan(s)."
        )
    if access["deniedRequests"]:
        highlights.append(f"{access['deniedRequests']} API request(s) were refused (401/403).")
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "generatedAt": iso(now()),
        "fraud": {
            "transactions": stats["transactions"],
            "flagged": flagged,
            "fraudRate": stats["fraudRate"],
            "chargebackRate": stats["chargebackRate"],
            "fraudAmountUsd": stats["fraudAmountUsd"],
        },
        "cases": case_part,
        "dataProtection": scans,
        "access": access,
        "highlights": highlights,
    }
