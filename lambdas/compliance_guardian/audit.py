"""The audit log: every API call of every service, from the API's access log, in the audit table.

Why from the access log, not written by each handler: API Gateway already writes one access-log
line per request (components/api.py, ACCESS_LOG_FORMAT): caller, method, path, status, latency,
source IP, request id. It covers what no handler sees (calls the authorizer refused with 401/403,
throttled calls, gateway errors) and costs the call nothing: the line is written after the
answer, and a CloudWatch Logs subscription filter (components/audit_log.py) hands batches of
lines to this function (`ingest`), which writes them here. A write from each handler would add a
DynamoDB round trip (or a fire-and-forget thread that Lambda freezes after the answer, losing
events) to every call of every service, and would need write access to the audit log in every
role. The local gateway hands the same record, in the same CloudWatch Logs event shape, to the
same `ingest` after answering (local/audit.py).

Items (table `AUDIT_TABLE`, components/state_tables.py):

    pk = access#<month> sk = <timestamp>#<requestId>   an API call (AuditEvent fields)
    pk = stats#<month>  sk = <day>                     that day's requests, denied, failedSignIns, users,
                                                       PCI/PII scans and findings (counts, never content)
    pk = delivery#<month> sk = <sha256 of request ids> a delivery already counted (exactly-once counters)

Month partitions (`2026-12`) keep a period's listing a few key-range queries, newest first
(a month of even the prod throttle's 200 requests/s stays far below a partition's write limit); the
`user-index` (userId + sk) answers "what did this user do". `expiresAt` = the event time plus
AUDIT_RETENTION_DAYS (the stack's `auditRetentionDays`): DynamoDB's TTL deletes it after that.
Event times are wall-clock UTC (the audit log records the platform's own use, not the dataset).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared import aws
from shared.env import env_int

from compliance_guardian.dynamo import iso, item, now, plain

USER_INDEX = "user-index"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CURSOR_SCHEMA = {
    "type": "object",
    "required": ["pk", "sk"],
    "properties": {
        "pk": {"type": "string", "pattern": "^access#[0-9]{4}-[0-9]{2}$"},
        "sk": {"type": "string", "maxLength": 200},
        "userId": {"type": "string", "maxLength": 128},
    },
    "additionalProperties": False,
}


def table() -> str:
    return os.environ["AUDIT_TABLE"]


def retention_days() -> int:
    return env_int("AUDIT_RETENTION_DAYS", 365, 1, 3653)


# ---- ingest: access-log lines -> audit items ----------------------------------------------------
def decode_subscription_event(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The log events of a CloudWatch Logs subscription delivery (`{"awslogs": {"data": ...}}`,
    base64 of gzipped JSON); control messages carry none."""
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if data.get("messageType") != "DATA_MESSAGE":
        return []
    return list(data.get("logEvents") or [])


def encode_subscription_event(records: Iterable[Mapping[str, Any]], log_group: str) -> dict[str, Any]:
    """A subscription delivery of access-log `records`, exactly as CloudWatch Logs sends one
    (the local gateway uses it; tests too)."""
    stamp = int(now().timestamp() * 1000)
    body = {
        "messageType": "DATA_MESSAGE",
        "owner": "000000000000",
        "logGroup": log_group,
        "logStream": "local",
        "subscriptionFilters": ["audit"],
        "logEvents": [
            {"id": str(i), "timestamp": int(r.get("requestTimeEpoch") or stamp), "message": json.dumps(r)}
            for i, r in enumerate(records)
        ],
    }
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(body).encode())).decode()}}


def _field(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    value = str(value)
    return None if value in ("", "-") else value


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _without_stage(path: str) -> str:
    """`$context.path` starts with the stage (`/dev/auth/me`); the audit log keeps the API path."""
    prefix = "/" + os.environ.get("STAGE", "")
    if len(prefix) > 1 and (path == prefix or path.startswith(prefix + "/")):
        return path[len(prefix) :] or "/"
    return path


def audit_item(record: Mapping[str, Any], fallback_ms: int) -> dict[str, Any] | None:
    """The audit item of one access-log record (the keys of ACCESS_LOG_FORMAT), or None when it
    is not one (no request id or method)."""
    request_id, method = _field(record, "requestId"), _field(record, "httpMethod")
    if not request_id or not method:
        return None
    epoch_ms = _int(_field(record, "requestTimeEpoch")) or fallback_ms
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    stamp = iso(moment)
    return {
        "pk": f"access#{moment.date().isoformat()[:7]}",
        "sk": f"{stamp}#{request_id}",
        "kind": "access",
        "eventId": request_id,
        "timestamp": stamp,
        "userId": _field(record, "user"),
        "email": _field(record, "email"),
        "method": method.upper(),
        "path": _without_stage(_field(record, "path") or _field(record, "resourcePath") or "/"),
        "resourcePath": _field(record, "resourcePath"),
        "status": _int(_field(record, "status")) or 0,
        "sourceIp": _field(record, "ip"),
        "requestId": request_id,
        "latencyMs": _int(_field(record, "latency")),
        "errorType": _field(record, "errorType"),
        "expiresAt": int(moment.timestamp()) + retention_days() * 86400,
    }


def ingest(event: Mapping[str, Any]) -> dict[str, int]:
    """Write the access-log lines of a subscription delivery as audit items (idempotent: a
    redelivered line has the same key and overwrites itself)."""
    items = []
    for log_event in decode_subscription_event(event):
        try:
            record = json.loads(log_event.get("message") or "")
        except ValueError:
            continue
        if isinstance(record, dict) and (found := audit_item(record, int(log_event.get("timestamp") or 0))):
            items.append(found)
    # Listed: the calls of the contract's five methods. CORS preflights (OPTIONS) and probes
    # with other methods (answered 405 by the gateway) are counted in the day's figures only.
    write([i for i in items if i["method"] in METHODS])
    count(items)
    return {"received": len(items)}


def count(items: list[dict[str, Any]]) -> None:
    """Add a delivery's events to the per-day counters the compliance report reads (a report
    then reads one item per day, however busy the API was). Exactly once per delivery: the
    counters move in one transaction with a marker of the delivery's request ids, which a
    redelivery finds already there."""
    if not items:
        return
    days: dict[str, dict[str, Any]] = {}
    for event in items:
        day = days.setdefault(
            event["timestamp"][:10], {"requests": 0, "denied": 0, "failed": 0, "users": set()}
        )
        day["requests"] += 1
        day["denied"] += event["status"] in (401, 403)
        day["failed"] += (event["method"], event.get("resourcePath"), event["status"]) == (
            "POST",
            "/auth/login",
            401,
        )
        if event.get("userId"):
            day["users"].add(event["userId"])
    ids = sorted(event["requestId"] for event in items)
    marker = hashlib.sha256("\n".join(ids).encode()).hexdigest()
    expires = max(event["expiresAt"] for event in items)
    actions: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table(),
                "Item": item(
                    {"pk": f"delivery#{items[0]['timestamp'][:7]}", "sk": marker, "expiresAt": expires}
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    ]
    for day, c in days.items():
        update = "ADD requests :r, denied :d, failedSignIns :f SET expiresAt = :e"
        values: dict[str, Any] = {
            ":r": {"N": str(c["requests"])},
            ":d": {"N": str(c["denied"])},
            ":f": {"N": str(c["failed"])},
            ":e": {"N": str(expires)},
        }
        if c["users"]:
            update = "ADD requests :r, denied :d, failedSignIns :f, #users :u SET expiresAt = :e"
            values[":u"] = {"SS": sorted(c["users"])}
        actions.append(
            {
                "Update": {
                    "TableName": table(),
                    "Key": {"pk": {"S": f"stats#{day[:7]}"}, "sk": {"S": day}},
                    "UpdateExpression": update,
                    "ExpressionAttributeValues": values,
                    **({"ExpressionAttributeNames": {"#users": "users"}} if c["users"] else {}),
                }
            }
        )
    dynamodb = aws.client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=actions)
    except dynamodb.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return  # this delivery was counted before
        raise


def write(items: list[dict[str, Any]]) -> None:
    dynamodb = aws.client("dynamodb")
    for start in range(0, len(items), 25):
        pending = {table(): [{"PutRequest": {"Item": item(i)}} for i in items[start : start + 25]]}
        for _ in range(8):
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        else:
            raise RuntimeError("DynamoDB left audit items unprocessed after 8 attempts")


def record_scan(kind: str, findings: int, user_id: str | None, request_id: str | None) -> None:
    """Count a PCI/PII scan and how much it found (never what) in the day's counters."""
    moment = now()
    day = moment.date().isoformat()
    aws.client("dynamodb").update_item(
        TableName=table(),
        Key={"pk": {"S": f"stats#{day[:7]}"}, "sk": {"S": day}},
        UpdateExpression="ADD #scans :one, #found :n SET expiresAt = if_not_exists(expiresAt, :e)",
        ExpressionAttributeNames={"#scans": f"{kind}Scans", "#found": f"{kind}Findings"},
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":n": {"N": str(int(findings))},
            ":e": {"N": str(int(moment.timestamp()) + retention_days() * 86400)},
        },
    )


# ---- reading -----------------------------------------------------------------------------------
def public(event: Mapping[str, Any]) -> dict[str, Any]:
    keys = (
        "eventId",
        "timestamp",
        "userId",
        "email",
        "method",
        "path",
        "status",
        "sourceIp",
        "requestId",
        "latencyMs",
    )
    return {k: event[k] for k in keys if event.get(k) is not None}


def _months(first: date, last: date) -> Iterator[str]:
    """`YYYY-MM` of each month from `last`'s back to `first`'s."""
    year, month = last.year, last.month
    while (year, month) >= (first.year, first.month):
        yield f"{year:04d}-{month:02d}"
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def list_events(
    first: date,
    last: date,
    *,
    user_id: str | None = None,
    method: str | None = None,
    status: int | None = None,
    limit: int = 50,
    cursor: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A page of access events of the period (both days inclusive), newest first."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    filters = []
    if method:
        names["#m"], values[":m"] = "method", {"S": method}
        filters.append("#m = :m")
    if status is not None:
        names["#st"], values[":st"] = "status", {"N": str(status)}
        filters.append("#st = :st")
    low, high = first.isoformat(), (last + timedelta(days=1)).isoformat()
    dynamodb = aws.client("dynamodb")
    out: list[dict[str, Any]] = []

    def run(request: dict[str, Any], start: dict[str, Any] | None) -> tuple[bool, dict[str, Any] | None]:
        """Query until the page is full; (page full, position after its last item)."""
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        while True:
            page = dynamodb.query(
                **request,
                Limit=limit + 1 if not filters else max(2 * limit, 25),
                **({"ExclusiveStartKey": start} if start else {}),
            )
            items = page.get("Items", [])
            for n, raw in enumerate(items):
                out.append(plain(raw))
                if len(out) == limit:
                    more = n < len(items) - 1 or "LastEvaluatedKey" in page
                    return True, (
                        {k: raw[k]["S"] for k in ("pk", "sk", "userId") if k in raw} if more else None
                    )
            start = page.get("LastEvaluatedKey")
            if not start:
                return False, None

    if user_id:
        # The user index holds the user's scan records too: access events only.
        names["#kind"], values[":access"] = "kind", {"S": "access"}
        filters.append("#kind = :access")
        request = {
            "TableName": table(),
            "IndexName": USER_INDEX,
            "KeyConditionExpression": "userId = :u AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                **values,
                ":u": {"S": user_id},
                ":lo": {"S": low},
                ":hi": {"S": high},
            },
            "ScanIndexForward": False,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        start = {k: {"S": v} for k, v in cursor.items()} if cursor else None
        full, position = run(request, start)
        return [public(e) for e in out], position if full else None

    start_month = cursor["pk"].split("#", 1)[1] if cursor else None
    months = list(_months(first, last))
    for n, month in enumerate(months):
        if start_month and month > start_month:
            continue
        request = {
            "TableName": table(),
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                **values,
                ":pk": {"S": f"access#{month}"},
                ":lo": {"S": low},
                ":hi": {"S": high},
            },
            "ScanIndexForward": False,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        start = None
        if cursor and month == start_month:
            start = {"pk": {"S": cursor["pk"]}, "sk": {"S": cursor["sk"]}}
        full, position = run(request, start)
        if full:
            if position is None and n < len(months) - 1:
                # The page ended with this month's last event: the next page goes on before it.
                last_item = out[-1]
                position = {"pk": last_item["pk"], "sk": last_item["sk"]}
            return [public(e) for e in out], position
    return [public(e) for e in out], None


COUNTERS = ("requests", "denied", "failedSignIns", "pciScans", "pciFindings", "piiScans", "piiFindings")


def daily_summary(first: date, last: date) -> dict[str, int]:
    """The period's access and scan figures from the per-day counters: one item per day."""
    dynamodb = aws.client("dynamodb")
    totals = dict.fromkeys(COUNTERS, 0)
    users: set[str] = set()
    for month in _months(first, last):
        request: dict[str, Any] = {
            "TableName": table(),
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"stats#{month}"},
                ":lo": {"S": first.isoformat()},
                ":hi": {"S": last.isoformat()},
            },
        }
        while True:
            page = dynamodb.query(**request)
            for raw in page.get("Items", []):
                day = plain(raw)
                for key in COUNTERS:
                    totals[key] += int(day.get(key) or 0)
                users.update(day.get("users") or [])
            if not page.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {**totals, "distinctUsers": len(users)}


def access_summary(first: date, last: date) -> dict[str, int]:
    figures = daily_summary(first, last)
    return {
        "requests": figures["requests"],
        "distinctUsers": figures["distinctUsers"],
        "deniedRequests": figures["denied"],
        "failedSignIns": figures["failedSignIns"],
    }
