"""The caller's conversations, in the conversations table (components/state_tables.py).

One item per conversation, keyed `userId` + `conversationId`: every read and write names the
caller's user id as the partition key, so another user's conversation is simply not found
(404), whatever id is asked for. The item holds the summary (title, counts, times), the last
MAX_MESSAGES messages as a JSON document (an item is at most 400 KB), and the copilot's
context for follow-ups (the last question as understood). `expiresAt` (epoch seconds,
CONVERSATION_RETENTION_DAYS after the last message) lets DynamoDB's TTL remove idle ones.
Listings read the `updated-index` LSI, latest first, projecting the summary only.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from shared import aws
from shared.errors import BadRequest, NotFound

MAX_MESSAGES = 40
MAX_TITLE = 200
INDEX = "updated-index"
SUMMARY = "userId, conversationId, title, messageCount, createdAt, updatedAt"
_CURSOR_KEYS = {"userId", "conversationId", "updatedAt"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(int(value))}


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversationId": item["conversationId"]["S"],
        "title": item.get("title", {}).get("S", "New conversation"),
        "messageCount": int(item.get("messageCount", {}).get("N", "0")),
        "createdAt": item["createdAt"]["S"],
        "updatedAt": item["updatedAt"]["S"],
    }


class ConversationStore:
    def __init__(self, table: str | None = None, client: Any = None, retention_days: int | None = None):
        self._table = table
        self._client = client
        self._retention = retention_days

    @property
    def table(self) -> str:
        if self._table is None:
            name = os.environ.get("CONVERSATIONS_TABLE")
            if not name:
                raise RuntimeError("environment variable CONVERSATIONS_TABLE is not set")
            self._table = name
        return self._table

    @property
    def db(self) -> Any:
        return self._client or aws.client("dynamodb")

    def _expires(self) -> int:
        days = self._retention
        if days is None:
            try:
                days = int(os.environ.get("CONVERSATION_RETENTION_DAYS", "90"))
            except ValueError:
                days = 90
        return int(time.time()) + max(1, days) * 86400

    # ---- reads ---------------------------------------------------------------------------
    def _item(self, user_id: str, conversation_id: str) -> dict[str, Any]:
        item = self.db.get_item(
            TableName=self.table,
            Key={"userId": _s(user_id), "conversationId": _s(conversation_id)},
            ConsistentRead=True,
        ).get("Item")
        # an expired item may linger until TTL removes it: it is gone for the user already
        if not item or int(item.get("expiresAt", {}).get("N", "0") or 0) < time.time():
            raise NotFound(f"No conversation {conversation_id}")
        return item

    def get(self, user_id: str, conversation_id: str) -> dict[str, Any]:
        """The conversation with its messages (the caller's only; NotFound otherwise)."""
        item = self._item(user_id, conversation_id)
        return {**_summary(item), "messages": json.loads(item.get("messagesJson", {}).get("S", "[]"))}

    def state(self, user_id: str, conversation_id: str) -> dict[str, Any]:
        """What the copilot needs to continue one of the caller's conversations: its messages,
        the saved follow-up context and whether it has a title yet."""
        item = self._item(user_id, conversation_id)
        return {
            "context": json.loads(item.get("contextJson", {}).get("S", "{}")),
            "messages": json.loads(item.get("messagesJson", {}).get("S", "[]")),
            "titleSet": bool(item.get("titleSet", {}).get("BOOL")),
        }

    def list(self, user_id: str, limit: int, cursor: dict[str, Any] | None) -> tuple[list[dict], dict | None]:
        """A page of the caller's conversations, latest activity first, and the next position."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": INDEX,
            "KeyConditionExpression": "userId = :u",
            "FilterExpression": "expiresAt > :now",
            "ExpressionAttributeValues": {":u": _s(user_id), ":now": _n(int(time.time()))},
            "ProjectionExpression": SUMMARY + ", expiresAt",
            "ScanIndexForward": False,
        }
        if cursor is not None:
            if set(cursor) != _CURSOR_KEYS or cursor.get("userId") != user_id:
                raise BadRequest.fields({"cursor": "is not a valid cursor"}, code="INVALID_CURSOR")
            request["ExclusiveStartKey"] = {k: _s(str(v)) for k, v in cursor.items()}
        items: list[dict] = []
        last = None
        # a filter applies after Limit: keep reading until the page is full or the index ends
        while len(items) < limit:
            request["Limit"] = limit - len(items)
            page = self.db.query(**request)
            items += [_summary(i) for i in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if not last:
                break
            request["ExclusiveStartKey"] = last
        position = {k: v["S"] for k, v in last.items()} if last else None
        return items, position

    # ---- writes --------------------------------------------------------------------------
    def create(self, user_id: str, title: str | None = None) -> dict[str, Any]:
        stamp = now_iso()
        conversation = {
            "conversationId": new_id("conv"),
            "title": (title or "New conversation")[:MAX_TITLE],
            "messageCount": 0,
            "createdAt": stamp,
            "updatedAt": stamp,
            "messages": [],
        }
        self.db.put_item(
            TableName=self.table,
            Item={
                "userId": _s(user_id),
                "conversationId": _s(conversation["conversationId"]),
                "title": _s(conversation["title"]),
                "titleSet": {"BOOL": bool(title)},
                "messageCount": _n(0),
                "createdAt": _s(stamp),
                "updatedAt": _s(stamp),
                "messagesJson": _s("[]"),
                "contextJson": _s("{}"),
                "expiresAt": _n(self._expires()),
            },
            ConditionExpression="attribute_not_exists(conversationId)",
        )
        return conversation

    def append(
        self,
        user_id: str,
        conversation_id: str,
        messages: list[dict[str, Any]],
        new_messages: list[dict[str, Any]],
        context: dict[str, Any],
        title: str | None,
    ) -> None:
        """Add `new_messages` after `messages` (what the caller read), keep the last
        MAX_MESSAGES, save the context; the conversation must still exist and be the caller's."""
        kept = (messages + new_messages)[-MAX_MESSAGES:]
        names = {
            "#m": "messagesJson",
            "#c": "contextJson",
            "#u": "updatedAt",
            "#n": "messageCount",
            "#e": "expiresAt",
        }
        values: dict[str, Any] = {
            ":m": _s(json.dumps(kept, separators=(",", ":"))),
            ":c": _s(json.dumps(context, separators=(",", ":"))),
            ":u": _s(new_messages[-1]["createdAt"]),
            ":k": _n(len(new_messages)),
            ":e": _n(self._expires()),
        }
        update = "SET #m = :m, #c = :c, #u = :u, #e = :e ADD #n :k"
        if title:
            # the first question names a conversation created without a title
            names["#t"], names["#ts"] = "title", "titleSet"
            values[":t"], values[":true"] = _s(title[:MAX_TITLE]), {"BOOL": True}
            update = "SET #m = :m, #c = :c, #u = :u, #e = :e, #t = :t, #ts = :true ADD #n :k"
        try:
            self.db.update_item(
                TableName=self.table,
                Key={"userId": _s(user_id), "conversationId": _s(conversation_id)},
                UpdateExpression=update,
                ConditionExpression="attribute_exists(conversationId)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except self.db.exceptions.ConditionalCheckFailedException:
            raise NotFound(f"No conversation {conversation_id}") from None

    def delete(self, user_id: str, conversation_id: str) -> None:
        try:
            self.db.delete_item(
                TableName=self.table,
                Key={"userId": _s(user_id), "conversationId": _s(conversation_id)},
                ConditionExpression="attribute_exists(conversationId)",
            )
        except self.db.exceptions.ConditionalCheckFailedException:
            raise NotFound(f"No conversation {conversation_id}") from None
