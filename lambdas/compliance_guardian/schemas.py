"""Request bodies, as api/openapi.yaml declares them (tests/test_compliance_units.py checks they agree)."""

from typing import Any

FRAUD_CHECK: dict[str, Any] = {
    "type": "object",
    "required": ["amount", "currency", "paymentMethod"],
    "properties": {
        "transactionId": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
            "minLength": 1,
            "maxLength": 128,
        },
        "orderId": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
            "minLength": 1,
            "maxLength": 128,
        },
        "customerId": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
            "minLength": 1,
            "maxLength": 128,
        },
        "amount": {"type": "number", "minimum": 0, "maximum": 1000000000},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3, "maxLength": 3},
        "paymentMethod": {
            "type": "string",
            "enum": ["card", "apple_pay", "google_pay", "paypal", "bank_transfer", "bnpl", "gift_card"],
        },
        "cardBin": {"type": "string", "pattern": "^[0-9]{6}$", "minLength": 6, "maxLength": 6},
        "billingCountry": {"type": "string", "pattern": "^[A-Z]{2}$", "minLength": 2, "maxLength": 2},
        "shippingCountry": {"type": "string", "pattern": "^[A-Z]{2}$", "minLength": 2, "maxLength": 2},
        "ipCountry": {"type": "string", "pattern": "^[A-Z]{2}$", "minLength": 2, "maxLength": 2},
        "deviceId": {"type": "string", "minLength": 1, "maxLength": 128},
        "attempts": {"type": "integer", "minimum": 1, "maximum": 50, "default": 1},
        "timestamp": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}

RISK_SCORE: dict[str, Any] = {
    "type": "object",
    "required": ["entityType", "entityId"],
    "properties": {
        "entityType": {"type": "string", "enum": ["customer", "order"]},
        "entityId": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
            "minLength": 1,
            "maxLength": 128,
        },
    },
    "additionalProperties": False,
}

PCI_SCAN: dict[str, Any] = {
    "type": "object",
    "required": ["payload"],
    "properties": {"payload": {}, "keepLast": {"type": "integer", "minimum": 0, "maximum": 4, "default": 4}},
    "additionalProperties": False,
}

PII_SCAN: dict[str, Any] = {
    "type": "object",
    "required": ["payload"],
    "properties": {
        "payload": {},
        "types": {
            "type": "array",
            "items": {"type": "string", "enum": ["email", "phone", "national_id", "iban"]},
            "minItems": 1,
            "maxItems": 4,
            "uniqueItems": True,
        },
        "redaction": {"type": "string", "enum": ["mask", "remove", "hash"], "default": "mask"},
    },
    "additionalProperties": False,
}

CASE_CREATE: dict[str, Any] = {
    "type": "object",
    "required": ["title", "severity"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 4000},
        "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
        "entityType": {"type": "string", "enum": ["customer", "order", "transaction"]},
        "entityId": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
            "minLength": 1,
            "maxLength": 128,
        },
        "assignee": {"type": "string", "minLength": 1, "maxLength": 128},
        "tags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 50},
            "maxItems": 10,
            "uniqueItems": True,
        },
    },
    "additionalProperties": False,
}

CASE_UPDATE: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "status": {"type": "string", "enum": ["open", "investigating", "resolved", "dismissed"]},
        "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
        "assignee": {"type": "string", "minLength": 1, "maxLength": 128},
        "resolution": {"type": "string", "minLength": 1, "maxLength": 4000},
        "note": {"type": "string", "minLength": 1, "maxLength": 4000},
        "tags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 50},
            "maxItems": 10,
            "uniqueItems": True,
        },
    },
    "additionalProperties": False,
}

BY_NAME = {
    "FraudCheckRequest": FRAUD_CHECK,
    "RiskScoreRequest": RISK_SCORE,
    "PciScanRequest": PCI_SCAN,
    "PiiScanRequest": PII_SCAN,
    "CaseCreate": CASE_CREATE,
    "CaseUpdate": CASE_UPDATE,
}
