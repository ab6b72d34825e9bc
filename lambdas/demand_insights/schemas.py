"""Request bodies of the demand-insights operations (api/openapi.yaml: DemandForecastRequest,
PriceElasticityRequest, PriceOptimizationRequest, ClvRequest, ChurnRequest) as JSON Schemas for
shared.validation. What a schema cannot say (from <= to, minPrice < maxPrice, enough history) is
checked in the logic."""

from __future__ import annotations

_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", "minLength": 1, "maxLength": 128}
_DATE = {"type": "string", "format": "date"}


def _ids(max_items: int) -> dict:
    return {"type": "array", "items": _ID, "minItems": 1, "maxItems": max_items, "uniqueItems": True}


FORECAST = {
    "type": "object",
    "required": ["productIds"],
    "properties": {
        "productIds": _ids(50),
        "horizonDays": {"type": "integer", "minimum": 1, "maximum": 180, "default": 30},
        "granularity": {"type": "string", "enum": ["day", "week"], "default": "day"},
        "model": {
            "type": "string",
            "enum": ["auto", "holt_winters", "seasonal_naive", "linear_trend"],
            "default": "auto",
        },
        "confidenceLevel": {"type": "number", "minimum": 0.5, "maximum": 0.99, "default": 0.95},
    },
    "additionalProperties": False,
}

PRICE_ELASTICITY = {
    "type": "object",
    "required": ["scopeId"],
    "properties": {
        "scope": {"type": "string", "enum": ["product", "category"], "default": "product"},
        "scopeId": _ID,
        "from": _DATE,
        "to": _DATE,
        "excludePromotions": {"type": "boolean", "default": False},
    },
    "additionalProperties": False,
}

PRICE_OPTIMIZATION = {
    "type": "object",
    "required": ["productId"],
    "properties": {
        "productId": _ID,
        "objective": {"type": "string", "enum": ["revenue", "margin"], "default": "revenue"},
        "minPrice": {"type": "number", "minimum": 0},
        "maxPrice": {"type": "number", "minimum": 0},
        "unitCost": {"type": "number", "minimum": 0},
        "elasticity": {"type": "number", "minimum": -20, "maximum": 0},
        "currency": {
            "type": "string",
            "pattern": "^[A-Z]{3}$",
            "minLength": 3,
            "maxLength": 3,
            "default": "USD",
        },
    },
    "additionalProperties": False,
}

CLV = {
    "type": "object",
    "required": ["customerIds"],
    "properties": {
        "customerIds": _ids(100),
        "horizonMonths": {"type": "integer", "minimum": 1, "maximum": 60, "default": 12},
        "discountRate": {"type": "number", "minimum": 0, "maximum": 0.5, "default": 0.1},
    },
    "additionalProperties": False,
}

CHURN = {
    "type": "object",
    "required": ["customerIds"],
    "properties": {
        "customerIds": _ids(100),
        "inactivityDays": {"type": "integer", "minimum": 30, "maximum": 365, "default": 90},
    },
    "additionalProperties": False,
}
