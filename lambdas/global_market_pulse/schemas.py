"""Request bodies of the global-market operations (api/openapi.yaml), as JSON Schemas for
`shared.validation` (descriptions left out; tests/test_global_market.py checks they equal the
contract's). Rules a schema cannot say (known regions, categories, currencies) are in the
handler and the logic."""

from __future__ import annotations

_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", "minLength": 1, "maxLength": 128}
_REGION = {"type": "string", "minLength": 1, "maxLength": 64}
_CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3, "maxLength": 3, "default": "USD"}
_DATE = {"type": "string", "format": "date"}


def _list(items: dict, max_items: int) -> dict:
    return {"type": "array", "items": items, "minItems": 1, "maxItems": max_items, "uniqueItems": True}


def _weight(default: float) -> dict:
    return {"type": "number", "minimum": 0, "maximum": 1, "default": default}


PRICE_COMPARISON = {
    "type": "object",
    "required": ["productIds"],
    "properties": {
        "productIds": _list(_ID, 50),
        "regions": _list(_REGION, 20),
        "currency": _CURRENCY,
        "date": _DATE,
    },
    "additionalProperties": False,
}

OPPORTUNITIES = {
    "type": "object",
    "properties": {
        "regions": _list(_REGION, 20),
        "categories": _list(_ID, 20),
        "weights": {
            "type": "object",
            "properties": {
                "growth": _weight(0.35),
                "size": _weight(0.25),
                "margin": _weight(0.2),
                "competition": _weight(0.2),
            },
            "additionalProperties": False,
        },
        "from": _DATE,
        "to": _DATE,
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
    "additionalProperties": False,
}

COMPETITOR_ANALYSIS = {
    "type": "object",
    "properties": {
        "categoryId": _ID,
        "region": _REGION,
        "productIds": _list(_ID, 50),
        "competitors": _list({"type": "string", "minLength": 1, "maxLength": 100}, 20),
        "from": _DATE,
        "to": _DATE,
    },
    "additionalProperties": False,
}

TREND_CHANGES = {
    "type": "object",
    "properties": {
        "metric": {"type": "string", "enum": ["revenue", "orders", "units"], "default": "revenue"},
        "region": _REGION,
        "categoryId": _ID,
        "granularity": {"type": "string", "enum": ["day", "week", "month"], "default": "week"},
        "from": _DATE,
        "to": _DATE,
        "series": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["date", "value"],
                "properties": {"date": _DATE, "value": {"type": "number"}},
            },
            "minItems": 8,
            "maxItems": 2000,
        },
        "method": {"type": "string", "enum": ["pelt", "binary_segmentation", "cusum"], "default": "pelt"},
        "minSegmentLength": {"type": "integer", "minimum": 2, "maximum": 90, "default": 4},
        "maxChangePoints": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
        "model": {"type": "string", "enum": ["mean", "linear"], "default": "mean"},
        "penalty": {"type": "number", "minimum": 0, "maximum": 1e30},
    },
    "additionalProperties": False,
}
