"""compliance-guardian: fraud scoring, risk, PCI/PII scanning, reports, the audit log, cases.

Routes only: the logic is in `fraud`, `risk`, `scanning`, `cases`, `audit` and `report`. The
same function also ingests the API's access log (a CloudWatch Logs subscription delivery, see
`audit.py`): `lambda_handler` tells the two events apart.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from shared.api import create_app, created, make_handler, ok
from shared.errors import BadRequest
from shared.identity import ADMIN, caller, require_role
from shared.lake_schema import DATA_END
from shared.observability import logger
from shared.pagination import cursor_page, query_cursor, query_offset
from shared.validation import (
    body,
    no_empty_parameters,
    path_param,
    query_enum,
    query_float,
    query_int,
    query_period,
    query_str,
)

from compliance_guardian import audit, cases, schemas

SERVICE = "compliance-guardian"
METHODS = ("card", "apple_pay", "google_pay", "paypal", "bank_transfer", "bnpl", "gift_card")
MAX_SCAN_BYTES = 256 * 1024
MAX_DAYS = 731  # the dataset's two years
MAX_AUDIT_DAYS = 366  # audit partitions are per day: a listing walks at most a year of them

app = create_app(SERVICE)


def _warehouse() -> Any:
    from shared.warehouse import get_warehouse

    return get_warehouse()


def _period(default_days: int = 30, today: date = DATA_END, max_days: int = MAX_DAYS) -> tuple[date, date]:
    return query_period(app, default_days=default_days, max_days=max_days, today=today)


def _page(items: list[Any], position: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    page = cursor_page(items, position, **extra)
    if page.get("nextCursor") is None:
        page.pop("nextCursor", None)  # the contract: absent on the last page
    return page


# ---- fraud and risk ------------------------------------------------------------------------------
@app.post("/compliance/fraud-detection")
def detect_fraud():
    from compliance_guardian import fraud

    request = body(app, schemas.FRAUD_CHECK)
    return ok(fraud.assess(_warehouse(), request, DATA_END))


@app.post("/compliance/risk-score")
def risk_score():
    from compliance_guardian import risk

    request = body(app, schemas.RISK_SCORE)
    if request["entityType"] == "customer":
        result = risk.customer_risk(_warehouse(), request["entityId"])
    else:
        result = risk.order_risk(_warehouse(), request["entityId"], DATA_END)
    from compliance_guardian.dynamo import iso, now

    return ok({**result, "assessedAt": iso(now())})


@app.get("/compliance/high-risk-transactions")
def high_risk_transactions():
    from compliance_guardian import risk

    no_empty_parameters(app)
    first, last = _period()
    min_score = query_float(app, "minScore", 0.7, 0.0, 1.0)
    method = query_enum(app, "paymentMethod", METHODS)
    country = query_str(app, "country", pattern=r"[A-Z]{2}")
    limit, offset = query_offset(app, min_offset=1, max_offset=10_000_000)
    found = risk.high_risk(_warehouse(), first, last, min_score=min_score, method=method, country=country)
    window = found[offset : offset + limit]
    end = offset + len(window)
    return ok(
        _page(
            window,
            {"offset": end} if end < len(found) else None,
            period={"from": first.isoformat(), "to": last.isoformat()},
        )
    )


@app.get("/compliance/fraud-statistics")
def fraud_statistics():
    from compliance_guardian import risk

    no_empty_parameters(app)
    first, last = _period()
    return ok(risk.fraud_statistics(_warehouse(), first, last))


# ---- data protection -----------------------------------------------------------------------------
def _scan_request(schema: dict[str, Any]) -> dict[str, Any]:
    """The validated body; an error never repeats card numbers or personal data it contains."""
    from compliance_guardian import scanning

    raw = app.current_event.body or ""
    if len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw) > MAX_SCAN_BYTES + 1024:
        raise BadRequest.fields({"payload": f"must be at most {MAX_SCAN_BYTES // 1024} KiB"})
    try:
        return body(app, schema)
    except BadRequest as exc:
        masked = scanning.scan_pii(scanning.scan_pci(exc.to_body(), 0)["masked"], redaction="remove")[
            "redacted"
        ]
        raise BadRequest(
            masked["error"]["message"], code=exc.code, details=masked["error"]["details"]
        ) from None


def _scan_size(payload: Any) -> None:
    if len(json.dumps(payload, separators=(",", ":"))) > MAX_SCAN_BYTES:
        raise BadRequest.fields({"payload": f"must be at most {MAX_SCAN_BYTES // 1024} KiB"})


def _record(kind: str, findings: int) -> None:
    who = caller(app)
    try:
        audit.record_scan(kind, findings, who.user_id, app.request_id())
    except Exception:  # the answer matters more than its statistic; the failure is logged
        logger.warning("could not record the scan in the audit table", exc_info=True)


@app.post("/compliance/pci-compliance")
def pci_compliance():
    from compliance_guardian import scanning

    request = _scan_request(schemas.PCI_SCAN)
    _scan_size(request["payload"])
    try:
        result = scanning.scan_pci(request["payload"], keep_last=request.get("keepLast", 4))
    except scanning.PayloadError as exc:
        raise BadRequest.fields({"payload": str(exc)}) from None
    _record("pci", result["findingCount"])
    return ok(result)


@app.post("/compliance/pii-scan")
def pii_scan():
    from compliance_guardian import scanning

    request = _scan_request(schemas.PII_SCAN)
    _scan_size(request["payload"])
    try:
        result = scanning.scan_pii(
            request["payload"],
            types=request.get("types") or scanning.PII_TYPES,
            redaction=request.get("redaction", "mask"),
        )
    except scanning.PayloadError as exc:
        raise BadRequest.fields({"payload": str(exc)}) from None
    _record("pii", result["findingCount"])
    return ok(result)


# ---- reports and the audit log (admins) ----------------------------------------------------------
@app.get("/compliance/compliance-report")
def compliance_report():
    from compliance_guardian import report

    no_empty_parameters(app)
    require_role(app, ADMIN)
    first, last = _period(max_days=MAX_AUDIT_DAYS)
    return ok(report.compliance_report(_warehouse(), first, last))


@app.get("/compliance/audit-log")
def audit_log():
    no_empty_parameters(app)
    require_role(app, ADMIN)
    # Audit events are the platform's own use, in wall-clock time: "today" is today here.
    first, last = _period(today=datetime.now(UTC).date(), max_days=MAX_AUDIT_DAYS)
    user_id = query_str(app, "userId", max_len=128)
    method = query_enum(app, "method", audit.METHODS)
    status = query_int(app, "status", None, 100, 599)
    page = query_cursor(app, schema=audit.CURSOR_SCHEMA, max_limit=200)
    if page.cursor and user_id and page.cursor.get("userId") != user_id:
        raise BadRequest.fields({"cursor": "belongs to another listing"}, code="INVALID_CURSOR")
    items, position = audit.list_events(
        first, last, user_id=user_id, method=method, status=status, limit=page.limit, cursor=page.cursor
    )
    return ok(_page(items, position, period={"from": first.isoformat(), "to": last.isoformat()}))


# ---- cases -----------------------------------------------------------------------------------------
@app.post("/compliance/cases")
def create_case():
    who = caller(app)
    return created(cases.create(body(app, schemas.CASE_CREATE), who))


@app.get("/compliance/cases")
def list_cases():
    no_empty_parameters(app)
    who = caller(app)
    status = query_enum(app, "status", ("open", "investigating", "resolved", "dismissed"))
    severity = query_enum(app, "severity", ("low", "medium", "high", "critical"))
    assignee = query_str(app, "assignee", max_len=128)
    page = query_cursor(app, schema=cases.CURSOR_SCHEMA, max_limit=200)
    items, position = cases.list_cases(
        who, status=status, severity=severity, assignee=assignee, limit=page.limit, cursor=page.cursor
    )
    return ok(_page(items, position))


@app.patch("/compliance/cases/<caseId>")
def update_case(caseId: str):  # noqa: N803 - the contract's parameter name
    who = caller(app)
    case_id = path_param(caseId, "caseId")
    return ok(cases.update(case_id, body(app, schemas.CASE_UPDATE), who))


_api_handler = make_handler(app)


def lambda_handler(event: dict[str, Any], context: Any = None) -> Any:
    """API Gateway proxy events go to the routes; CloudWatch Logs subscription deliveries (the
    API's access log) are written to the audit log."""
    if isinstance(event, dict) and "awslogs" in event:
        return audit.ingest(event)
    return _api_handler(event, context)


lambda_handler.app = app  # type: ignore[attr-defined]
