"""Investigation cases, in the cases table (components/state_tables.py, `CASES_TABLE`).

One item per case, keyed `caseId`; `kind` = "case" and `updatedAt` put every case in the
`updated-index`, so a listing is one query, most recently updated first. Each case carries a
`version` (1 when opened, +1 per change): every change is a conditional write on the version it
was computed from, so of two edits made from the same version one wins and the other gets 409
(optimistic concurrency), whether the client names the version it saw (`version` in the body)
or two requests race between read and write.

Lifecycle (the contract's): open -> investigating -> resolved | dismissed. Resolving or
dismissing needs a `resolution`; a resolved or dismissed case only takes notes (409 for any
other change, reopening included). Its creator, its assignee or an admin may change a case;
others see only the cases they opened or are assigned to (admins see all).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any

from shared import aws
from shared.errors import BadRequest, Conflict, Forbidden, NotFound
from shared.identity import Caller

from compliance_guardian.dynamo import iso, item, now, plain

INDEX = "updated-index"
KIND = "case"
OPEN, INVESTIGATING, RESOLVED, DISMISSED = "open", "investigating", "resolved", "dismissed"
CLOSED = {RESOLVED, DISMISSED}
# status -> the statuses it may move to (staying put is always allowed)
TRANSITIONS = {
    OPEN: {INVESTIGATING, RESOLVED, DISMISSED},
    INVESTIGATING: {OPEN, RESOLVED, DISMISSED},
    RESOLVED: set(),
    DISMISSED: set(),
}
MAX_NOTES = 200
CURSOR_SCHEMA = {
    "type": "object",
    "required": ["caseId", "kind", "updatedAt"],
    "properties": {
        "caseId": {"type": "string", "maxLength": 128},
        "kind": {"const": KIND},
        "updatedAt": {"type": "string", "maxLength": 40},
    },
    "additionalProperties": False,
}
_PUBLIC = (
    "caseId",
    "title",
    "description",
    "severity",
    "status",
    "entityType",
    "entityId",
    "assignee",
    "tags",
    "resolution",
    "notes",
    "createdBy",
    "createdAt",
    "updatedAt",
    "resolvedAt",
    "version",
)


def table() -> str:
    return os.environ["CASES_TABLE"]


def public(case: Mapping[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in _PUBLIC if case.get(k) is not None}


def create(request: Mapping[str, Any], who: Caller) -> dict[str, Any]:
    stamp = iso(now())
    case = {
        "caseId": f"CASE-{uuid.uuid4().hex[:12].upper()}",
        "kind": KIND,
        "title": request["title"],
        "description": request.get("description"),
        "severity": request["severity"],
        "status": OPEN,
        "entityType": request.get("entityType"),
        "entityId": request.get("entityId"),
        "assignee": request.get("assignee"),
        "tags": list(request.get("tags") or []),
        "notes": [],
        "createdBy": who.user_id,
        "createdAt": stamp,
        "updatedAt": stamp,
        "version": 1,
    }
    aws.client("dynamodb").put_item(
        TableName=table(), Item=item(case), ConditionExpression="attribute_not_exists(caseId)"
    )
    return public(case)


def get(case_id: str) -> dict[str, Any] | None:
    found = aws.client("dynamodb").get_item(
        TableName=table(), Key={"caseId": {"S": case_id}}, ConsistentRead=True
    )
    return plain(found["Item"]) if "Item" in found else None


def may_see(case: Mapping[str, Any], who: Caller) -> bool:
    return who.is_admin or who.user_id in (case.get("createdBy"), case.get("assignee"))


def update(case_id: str, change: Mapping[str, Any], who: Caller) -> dict[str, Any]:
    """The case after `change` (a validated CaseUpdate), written only if nobody changed it since."""
    change = dict(change)
    expected = change.pop("version", None)
    if not change:
        raise BadRequest.fields({"body": "names nothing to change"})
    case = get(case_id)
    if case is None:
        raise NotFound(f"No case {case_id}")
    if not may_see(case, who):
        raise Forbidden("Only the case's creator, its assignee or an admin may change it")
    version = int(case.get("version", 1))
    if expected is not None and expected != version:
        raise Conflict(
            f"The case is at version {version}, not {expected}: reload it and apply the change again",
            code="VERSION_CONFLICT",
            details={"version": version},
        )
    status = case["status"]
    stamp = iso(now())
    if status in CLOSED and set(change) - {"note"}:
        raise Conflict(
            f"The case is {status}: it only takes notes",
            code="CASE_CLOSED",
            details={"status": status},
        )
    new_status = change.get("status", status)
    if new_status != status:
        if new_status not in TRANSITIONS[status]:
            raise Conflict(f"A case cannot go from {status} to {new_status}", code="INVALID_TRANSITION")
        if new_status in CLOSED:
            if not change.get("resolution"):
                raise BadRequest.fields({"resolution": f"is required to mark a case {new_status}"})
            case["resolvedAt"] = stamp
    elif change.get("resolution") and status not in CLOSED:
        raise BadRequest.fields({"resolution": "is only accepted when resolving or dismissing"})
    for field in ("status", "severity", "assignee", "resolution", "tags"):
        if field in change:
            case[field] = change[field]
    if change.get("note"):
        notes = list(case.get("notes") or [])
        if len(notes) >= MAX_NOTES:
            raise Conflict(f"The case has {MAX_NOTES} notes, the most it may hold", code="TOO_MANY_NOTES")
        notes.append({"author": who.user_id, "text": change["note"], "createdAt": stamp})
        case["notes"] = notes
    case["updatedAt"] = stamp
    case["version"] = version + 1
    dynamodb = aws.client("dynamodb")
    try:
        dynamodb.put_item(
            TableName=table(),
            Item=item(case),
            ConditionExpression="#v = :v",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":v": {"N": str(version)}},
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        raise Conflict(
            "The case was changed by someone else meanwhile: reload it and apply the change again",
            code="VERSION_CONFLICT",
        ) from None
    return public(case)


def list_cases(
    who: Caller,
    *,
    status: str | None = None,
    severity: str | None = None,
    assignee: str | None = None,
    limit: int = 20,
    cursor: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A page of the cases `who` may see, latest update first, and the position after it."""
    filters, values, names = [], {":kind": {"S": KIND}}, {"#kind": "kind"}
    for field, value in (("status", status), ("severity", severity), ("assignee", assignee)):
        if value is not None:
            names[f"#{field}"] = field
            values[f":{field}"] = {"S": value}
            filters.append(f"#{field} = :{field}")
    if not who.is_admin:
        names["#createdBy"], names["#assignee"] = "createdBy", "assignee"
        values[":me"] = {"S": who.user_id}
        filters.append("(#createdBy = :me OR #assignee = :me)")
    request: dict[str, Any] = {
        "TableName": table(),
        "IndexName": INDEX,
        "KeyConditionExpression": "#kind = :kind",
        "ExpressionAttributeValues": values,
        "ScanIndexForward": False,
    }
    request["ExpressionAttributeNames"] = names
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    start = {k: {"S": v} for k, v in cursor.items()} if cursor else None
    dynamodb = aws.client("dynamodb")
    out: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(
            **request,
            # one more than a page (to know whether there is a next one); more when filtering
            Limit=limit + 1 if not filters else max(2 * limit, 25),
            **({"ExclusiveStartKey": start} if start else {}),
        )
        for raw in page.get("Items", []):
            out.append(plain(raw))
            if len(out) == limit:
                last = out[-1]
                more = raw is not page["Items"][-1] or "LastEvaluatedKey" in page
                return [public(c) for c in out], (
                    {"caseId": last["caseId"], "kind": KIND, "updatedAt": last["updatedAt"]} if more else None
                )
        start = page.get("LastEvaluatedKey")
        if not start:
            return [public(c) for c in out], None


def all_cases() -> list[dict[str, Any]]:
    """Every case (the compliance report's counts)."""
    dynamodb = aws.client("dynamodb")
    request: dict[str, Any] = {
        "TableName": table(),
        "IndexName": INDEX,
        "KeyConditionExpression": "#kind = :kind",
        "ExpressionAttributeValues": {":kind": {"S": KIND}},
        "ProjectionExpression": "caseId, severity, #s, createdAt, resolvedAt, updatedAt",
        "ExpressionAttributeNames": {"#s": "status", "#kind": "kind"},
    }
    out: list[dict[str, Any]] = []
    while True:
        page = dynamodb.query(**request)
        out += [plain(i) for i in page.get("Items", [])]
        if not page.get("LastEvaluatedKey"):
            return out
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
