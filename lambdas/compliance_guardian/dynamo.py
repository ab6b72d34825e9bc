"""DynamoDB attribute values <-> plain Python (str, int, float, bool, None, list, dict), and the
clock; small enough not to need boto3's TypeSerializer (which pulls boto3.dynamodb in)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def av(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {str(k): av(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [av(v) for v in value]}
    return {"S": str(value)}


def item(values: Mapping[str, Any]) -> dict[str, Any]:
    """An item from plain values (None-valued attributes are left out)."""
    return {k: av(v) for k, v in values.items() if v is not None}


def py(value: Mapping[str, Any]) -> Any:
    ((kind, raw),) = value.items()
    if kind == "S":
        return raw
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: py(v) for k, v in raw.items()}
    if kind == "L":
        return [py(v) for v in raw]
    if kind == "SS":
        return list(raw)
    raise ValueError(f"unsupported DynamoDB type {kind}")


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: py(v) for k, v in values.items()}


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, millisecond precision, `Z`: sorts as text in time order (sort keys rely on it)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
