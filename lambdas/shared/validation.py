"""Validation at the edge: request bodies against JSON Schemas, query parameters by type.

JSON Schema, not pydantic: pydantic (+ pydantic-core) costs ~100 ms to import, which alone
would break the 150 ms import budget of a handler (benchmarks/bench_imports.py). fastjsonschema
generates a plain Python function per schema; each schema is compiled once per cold start, on
its first use (so importing a handler compiles nothing).

Every failure is a 400 VALIDATION_ERROR whose `details.fields` lists each failing field:
    {"error": {"code": "VALIDATION_ERROR", "message": "...",
               "details": {"fields": [{"field": "email", "message": "is required"}]}}}
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from shared.errors import BadRequest, PayloadTooLarge

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

Schema = Mapping[str, Any]
MAX_BODY_BYTES = 1024 * 1024
_INT = re.compile(r"-?\d{1,18}")
_FLOAT = re.compile(r"-?\d{1,18}(\.\d{1,18})?")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


# fastjsonschema's own "date" format accepts 2024-02-31; a real calendar check instead.
_FORMATS: dict[str, Any] = {"date": _is_date}
_compiled: dict[int, tuple[Schema, Callable[[Any], Any]]] = {}
_lock = threading.Lock()


def compile_schema(schema: Schema) -> Callable[[Any], Any]:
    """The compiled validator of `schema` (compiled on first use, then cached for the process).

    Validators fill in `default` values of the schema."""
    entry = _compiled.get(id(schema))
    if entry is None or entry[0] is not schema:
        import fastjsonschema  # ~15 ms: only paid by the first request that validates

        with _lock:
            entry = (schema, fastjsonschema.compile(dict(schema), formats=_FORMATS, use_default=True))
            _compiled[id(schema)] = entry  # the schema is kept alive with it: ids stay unique
    return entry[1]


def validate(data: Any, schema: Schema, *, what: str = "body") -> Any:
    """`data` checked against `schema` (defaults filled in), or BadRequest listing the fields."""
    import fastjsonschema

    try:
        return compile_schema(schema)(data)
    except fastjsonschema.JsonSchemaValueException as first:
        fields = _all_field_errors(data, schema) or [_field_error(first)]
        names = ", ".join(f["field"] for f in fields)
        raise BadRequest(f"Invalid {what}: {names}", details={"fields": fields}) from None


def _field_error(exc: Any, prefix: str = "") -> dict[str, str]:
    """`{"field", "message"}` of a fastjsonschema error; names like `lines[1].qty`."""
    message = exc.message
    if message.startswith(exc.name + " "):
        message = message[len(exc.name) + 1 :]
    rest = exc.name[len("data") :] if exc.name.startswith("data") else exc.name
    field = (prefix + rest) if prefix else rest.lstrip(".")
    if exc.rule == "required" and isinstance(exc.value, Mapping):
        missing = [k for k in exc.rule_definition if k not in exc.value]
        if missing:
            field, message = (f"{field}.{missing[0]}" if field else missing[0]), "is required"
    return {"field": field or "body", "message": message}


def _all_field_errors(data: Any, schema: Schema) -> list[dict[str, str]]:
    """Every failing top-level field, not only the first (fastjsonschema stops at the first).

    Runs only on the failure path: each property is checked against its own sub-schema."""
    import fastjsonschema

    if schema.get("type") != "object" or not isinstance(data, Mapping):
        return []
    errors: list[dict[str, str]] = []
    props: Mapping[str, Schema] = schema.get("properties", {})
    errors += [{"field": k, "message": "is required"} for k in schema.get("required", ()) if k not in data]
    if schema.get("additionalProperties") is False:
        errors += [{"field": str(k), "message": "is not allowed"} for k in data if k not in props]
    for key, value in data.items():
        if key not in props:
            continue
        try:
            compile_schema(props[key])(value)
        except fastjsonschema.JsonSchemaValueException as exc:
            errors.append(_field_error(exc, prefix=str(key)))
        except fastjsonschema.JsonSchemaDefinitionException:
            return []  # e.g. a $ref into the parent: fall back to the first error
    return errors


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not valid JSON")


def parse_json_body(
    raw: str | bytes | None, *, base64_encoded: bool = False, max_bytes: int = MAX_BODY_BYTES
) -> Any:
    """The JSON document of a request body; empty -> {}; malformed -> 400; too big -> 413."""
    if raw is None or raw == "":
        return {}
    if base64_encoded:
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("The request body is not valid base64", code="MALFORMED_BODY") from None
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"The request body is larger than {max_bytes} bytes")
    try:
        # NaN/Infinity are not JSON; Python would accept them.
        document = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        raise BadRequest(
            "The request body is not valid JSON",
            code="MALFORMED_BODY",
            details={"fields": [{"field": "body", "message": "is not valid JSON"}]},
        ) from None
    if _has_lone_surrogate(document):
        # `"\udfff"` is a valid JSON escape but not text: it cannot be encoded as UTF-8, so it
        # would fail deep inside hashing or DynamoDB. Refuse it here, once, for every service.
        raise BadRequest(
            "The request body contains text that is not valid Unicode",
            code="MALFORMED_BODY",
            details={"fields": [{"field": "body", "message": "has a lone UTF-16 surrogate"}]},
        )
    return document


def _has_lone_surrogate(document: Any) -> bool:
    """Whether any string (key or value) in a parsed JSON document holds a lone surrogate.
    Iterative, so a deeply nested document cannot exhaust the stack here."""
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def body(app: ApiGatewayResolver, schema: Schema | None = None, *, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body, validated against `schema` (defaults filled in).

    An empty body is `{}`, so a schema's `required` fields are reported as missing."""
    event = app.current_event
    data = parse_json_body(event.body, base64_encoded=bool(event.is_base64_encoded), max_bytes=max_bytes)
    return validate(data, schema) if schema is not None else data


# --- query parameters -------------------------------------------------------------------------

_MISSING = object()


def _raw(app: ApiGatewayResolver, name: str) -> str | None:
    params = app.current_event.query_string_parameters or {}
    value = params.get(name)
    return None if value is None or value == "" else value


def _bad(name: str, message: str) -> BadRequest:
    return BadRequest.fields({name: message}, f"Invalid query parameter {name}: {message}")


def _absent(name: str, default: Any, required: bool) -> Any:
    if required:
        raise _bad(name, "is required")
    return default


def query_str(
    app: ApiGatewayResolver,
    name: str,
    default: str | None = None,
    *,
    required: bool = False,
    max_len: int = 200,
    pattern: str | None = None,
) -> str | None:
    raw = _raw(app, name)
    if raw is None:
        return _absent(name, default, required)
    raw = raw.strip()
    if len(raw) > max_len:
        raise _bad(name, f"must be at most {max_len} characters")
    if pattern is not None and not re.fullmatch(pattern, raw):
        raise _bad(name, "has an invalid format")
    return raw


def query_int(
    app: ApiGatewayResolver,
    name: str,
    default: int | None = None,
    lo: int | None = None,
    hi: int | None = None,
    *,
    required: bool = False,
) -> int | None:
    raw = _raw(app, name)
    if raw is None:
        return _absent(name, default, required)
    if not _INT.fullmatch(raw.strip()):
        raise _bad(name, "must be an integer")
    return _in_range(name, int(raw), lo, hi)


def query_float(
    app: ApiGatewayResolver,
    name: str,
    default: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    *,
    required: bool = False,
) -> float | None:
    raw = _raw(app, name)
    if raw is None:
        return _absent(name, default, required)
    if not _FLOAT.fullmatch(raw.strip()) or not math.isfinite(value := float(raw)):
        raise _bad(name, "must be a number")
    return _in_range(name, value, lo, hi)


def _in_range(name: str, value: Any, lo: Any, hi: Any) -> Any:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = (
            f"between {lo} and {hi}"
            if lo is not None and hi is not None
            else f">= {lo}"
            if lo is not None
            else f"<= {hi}"
        )
        raise _bad(name, f"must be {bounds}")
    return value


def query_enum(
    app: ApiGatewayResolver,
    name: str,
    choices: Iterable[str],
    default: str | None = None,
    *,
    required: bool = False,
) -> str | None:
    choices = tuple(choices)
    raw = _raw(app, name)
    if raw is None:
        return _absent(name, default, required)
    if raw not in choices:
        raise _bad(name, "must be one of " + ", ".join(choices))
    return raw


def query_bool(app: ApiGatewayResolver, name: str, default: bool = False) -> bool:
    raw = _raw(app, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise _bad(name, "must be true or false")


def query_date(
    app: ApiGatewayResolver, name: str, default: date | None = None, *, required: bool = False
) -> date | None:
    raw = _raw(app, name)
    if raw is None:
        return _absent(name, default, required)
    if not _is_date(raw):
        raise _bad(name, "must be a date (YYYY-MM-DD)")
    return date.fromisoformat(raw)


def query_list(
    app: ApiGatewayResolver,
    name: str,
    *,
    choices: Iterable[str] | None = None,
    max_items: int = 50,
    max_len: int = 100,
) -> list[str]:
    """A comma-separated list (`?ids=a,b`); repeated parameters are joined too."""
    multi = app.current_event.multi_value_query_string_parameters or {}
    values = multi.get(name) or ([v] if (v := _raw(app, name)) else [])
    items = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if len(items) > max_items:
        raise _bad(name, f"must have at most {max_items} items")
    allowed = tuple(choices) if choices is not None else None
    for item in items:
        if len(item) > max_len or (allowed is not None and item not in allowed):
            raise _bad(name, "has an invalid item" + (": one of " + ", ".join(allowed) if allowed else ""))
    return items


# The days a request may name at all (a period outside the data is answered, not refused).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def query_period(
    app: ApiGatewayResolver,
    *,
    start: str = "from",
    end: str = "to",
    default_days: int = 30,
    max_days: int | None = None,
    today: date | None = None,
    bounded: bool = False,
) -> tuple[date, date]:
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD` (both inclusive); missing ends default to the last
    `default_days` days up to `today`. from > to, or a span over `max_days`, is a 400; with
    `bounded`, so is an end outside [EARLIEST, LATEST] (checked first)."""
    last = query_date(app, end) or today or date.today()
    first = query_date(app, start) or last - timedelta(days=default_days - 1)
    for name, day in ((start, first), (end, last)) if bounded else ():
        if not EARLIEST <= day <= LATEST:
            raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})
    if first > last:
        raise BadRequest.fields({start: f"must not be after {end}"})
    if max_days is not None and (last - first).days + 1 > max_days:
        raise BadRequest.fields({start: f"the period must be at most {max_days} days"})
    return first, last


def no_empty_parameters(app: ApiGatewayResolver, *, repeated: bool = False) -> None:
    """`?to=` is not a missing `to`: where every query parameter of an operation has a format,
    an enum or a minimum length, an empty value is a 400 naming it (the readers above take it
    as absent). `repeated`: an empty earlier value of a repeated parameter too (`?to=&to=...`)."""
    event = app.current_event
    params = {k: [v] for k, v in (event.query_string_parameters or {}).items()}
    if repeated:
        params = event.multi_value_query_string_parameters or params
    empty = sorted(name for name, values in params.items() if any(v == "" for v in values or []))
    if empty:
        raise BadRequest.fields({name: "must not be empty" for name in empty})


def check_dates(data: Mapping[str, Any], names: Iterable[str] = ("from", "to")) -> None:
    """The ISO dates of a validated body (`from`, `to`) within [EARLIEST, LATEST], else a 400."""
    for name in names:
        if name in data and not EARLIEST <= date.fromisoformat(data[name]) <= LATEST:
            raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})


def path_param(value: str, name: str, *, pattern: re.Pattern[str] | str = _ID) -> str:
    """A path parameter (`/cases/<caseId>` gives the route `caseId=`) checked against an id
    pattern (letters, digits, `._:-`, at most 128); anything else is a 400."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    if not isinstance(value, str) or not regex.fullmatch(value):
        raise BadRequest.fields({name: "has an invalid format"})
    return value
