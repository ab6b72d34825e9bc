"""Request bodies of the copilot's operations (api/openapi.yaml), as JSON Schemas for
shared.validation; tests/test_copilot_api.py checks them against the contract."""

from __future__ import annotations

_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", "minLength": 1, "maxLength": 128}

CHAT = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "minLength": 1, "maxLength": 4000},
        "conversationId": _ID,
    },
    "additionalProperties": False,
}
CONVERSATION_CREATE = {
    "type": "object",
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200}},
    "additionalProperties": False,
}
RECOMMENDATIONS = {
    "type": "object",
    "properties": {
        "customerId": _ID,
        "productIds": {"type": "array", "items": _ID, "minItems": 1, "maxItems": 50, "uniqueItems": True},
        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        "excludePurchased": {"type": "boolean", "default": True},
    },
    "additionalProperties": False,
}
# The cursor of the warehouse listings (inventory, orders, customers): an offset.
OFFSET_CURSOR = {
    "type": "object",
    "required": ["offset"],
    "properties": {"offset": {"type": "integer", "minimum": 0, "maximum": 10_000_000}},
    "additionalProperties": False,
}
# The cursor of the conversation listing: DynamoDB's LastEvaluatedKey of the updated-index.
CONVERSATION_CURSOR = {
    "type": "object",
    "required": ["userId", "conversationId", "updatedAt"],
    "properties": {
        "userId": {"type": "string", "maxLength": 128},
        "conversationId": {"type": "string", "maxLength": 128},
        "updatedAt": {"type": "string", "maxLength": 40},
    },
    "additionalProperties": False,
}
