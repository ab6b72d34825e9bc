"""Pagination: `limit` + `offset` (the contract's `Limit`/`Offset` parameters and `ItemList`
answer) for computed lists, and `limit` + an opaque `cursor` for DynamoDB-style listings.

A cursor is base64url(JSON object) without padding. It is opaque to clients but not secret:
what comes back is decoded, checked to be an object and, when a schema is given, validated, so
a tampered cursor is a 400, never a 500 (or a read outside the caller's key range: services
must still scope their queries by the caller, whatever the cursor says).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.errors import BadRequest
from shared.validation import Schema, query_int, query_str, validate

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

DEFAULT_LIMIT = 20
MAX_LIMIT = 500  # the contract's Limit maximum
MAX_CURSOR_CHARS = 2048


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int = 0


@dataclass(frozen=True)
class CursorPage:
    limit: int
    cursor: dict[str, Any] | None  # the decoded cursor, None on the first page


def query_page(
    app: ApiGatewayResolver, *, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT
) -> Page:
    """`?limit=&offset=` validated (limit in [1, max_limit], offset >= 0)."""
    return Page(
        limit=query_int(app, "limit", default_limit, 1, max_limit),
        offset=query_int(app, "offset", 0, 0, 10_000_000),
    )


def page_of(items: Sequence[Any], page: Page, **extra: Any) -> dict[str, Any]:
    """The contract's ItemList for one page of an in-memory list:
    `{"items": [...], "count": <total>, "nextOffset": <int or null>, **extra}`."""
    window = list(items[page.offset : page.offset + page.limit])
    end = page.offset + len(window)
    return {"items": window, "count": len(items), "nextOffset": end if end < len(items) else None, **extra}


def encode_cursor(position: Mapping[str, Any] | None) -> str | None:
    """An opaque cursor for `position` (e.g. DynamoDB's LastEvaluatedKey); None -> None."""
    if not position:
        return None
    raw = json.dumps(dict(position), separators=(",", ":"), sort_keys=True, default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, schema: Schema | None = None, *, name: str = "cursor") -> dict[str, Any]:
    """The position in `cursor`, or BadRequest (400) when it was not made by `encode_cursor`
    or does not match `schema`."""
    invalid = BadRequest.fields({name: "is not a valid cursor"}, code="INVALID_CURSOR")
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_CHARS:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(position, dict) or not position:
        raise invalid
    if schema is not None:
        try:
            validate(position, schema, what=name)
        except BadRequest:
            raise invalid from None
    return position


def query_cursor(
    app: ApiGatewayResolver,
    *,
    schema: Schema | None = None,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
) -> CursorPage:
    """`?limit=&cursor=` validated; `cursor` decoded (and checked against `schema`)."""
    limit = query_int(app, "limit", default_limit, 1, max_limit)
    raw = query_str(app, "cursor", max_len=MAX_CURSOR_CHARS)
    return CursorPage(limit=limit, cursor=decode_cursor(raw, schema) if raw else None)


def cursor_page(
    items: Sequence[Any], next_position: Mapping[str, Any] | None, **extra: Any
) -> dict[str, Any]:
    """`{"items": [...], "count": <n on this page>, "nextCursor": <str or null>, **extra}`."""
    return {"items": list(items), "count": len(items), "nextCursor": encode_cursor(next_position), **extra}


@functools.cache
def offset_cursor_schema(minimum: int, maximum: int) -> Schema:
    """The schema of a cursor `{"offset": n}`, minimum <= n <= maximum (one object per bounds:
    compiled validators are cached per schema object)."""
    return {
        "type": "object",
        "required": ["offset"],
        "properties": {"offset": {"type": "integer", "minimum": minimum, "maximum": maximum}},
        "additionalProperties": False,
    }


def query_offset(
    app: ApiGatewayResolver,
    *,
    max_offset: int,
    min_offset: int = 0,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = 200,
) -> tuple[int, int]:
    """(limit, offset) of `?limit=&cursor=` over a computed list: the cursor is
    `encode_cursor({"offset": n})` (the previous page's `nextCursor`); absent, offset 0."""
    page = query_cursor(
        app,
        schema=offset_cursor_schema(min_offset, max_offset),
        default_limit=default_limit,
        max_limit=max_limit,
    )
    return page.limit, int(page.cursor["offset"]) if page.cursor else 0
