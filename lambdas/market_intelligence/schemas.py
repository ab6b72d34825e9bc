"""Request bodies of the market-intelligence operations (api/openapi.yaml: ForecastRequest,
CompareModelsRequest), as JSON Schemas for shared.validation. The rules a schema cannot say
(scopeId required unless scope=all, from <= to, enough history) are checked in the logic."""

from __future__ import annotations

_METRIC = {"type": "string", "enum": ["revenue", "orders", "units"]}
_SCOPE = {"type": "string", "enum": ["all", "category", "product"], "default": "all"}
_SCOPE_ID = {
    "type": "string",
    "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
    "minLength": 1,
    "maxLength": 128,
}
_GRANULARITY = {"type": "string", "enum": ["day", "week", "month"], "default": "day"}
_MODEL_NAMES = ["holt_winters", "seasonal_naive", "linear_trend"]
_DATE = {"type": "string", "format": "date"}

FORECAST = {
    "type": "object",
    "required": ["metric"],
    "properties": {
        "metric": _METRIC,
        "scope": _SCOPE,
        "scopeId": _SCOPE_ID,
        "granularity": _GRANULARITY,
        "horizon": {"type": "integer", "minimum": 1, "maximum": 365, "default": 30},
        "model": {"type": "string", "enum": ["auto", *_MODEL_NAMES], "default": "auto"},
        "confidenceLevel": {"type": "number", "minimum": 0.5, "maximum": 0.99, "default": 0.95},
        "from": _DATE,
        "to": _DATE,
        "region": {"type": "string", "minLength": 1, "maxLength": 64},
    },
    "additionalProperties": False,
}

COMPARE_MODELS = {
    "type": "object",
    "required": ["metric"],
    "properties": {
        "metric": _METRIC,
        "scope": _SCOPE,
        "scopeId": _SCOPE_ID,
        "granularity": _GRANULARITY,
        "holdout": {"type": "integer", "minimum": 2, "maximum": 180, "default": 28},
        "models": {
            "type": "array",
            "items": {"type": "string", "enum": _MODEL_NAMES},
            "minItems": 1,
            "maxItems": 3,
            "uniqueItems": True,
        },
        "from": _DATE,
        "to": _DATE,
    },
    "additionalProperties": False,
}
