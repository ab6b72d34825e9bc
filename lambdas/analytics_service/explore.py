"""`POST /analytics/query`: the structured query of the request, run by the platform's query
engine (`shared.query`), answered as the contract's QueryResult."""

from __future__ import annotations

from typing import Any

from shared.errors import BadRequest
from shared.query import StructuredQuery, run_query
from shared.warehouse import Warehouse, WarehouseError

from analytics_service.sales import REUSE_MINUTES


def structured_query(doc: Any, wh: Warehouse) -> dict[str, Any]:
    query = StructuredQuery.from_dict(doc)
    try:
        result = run_query(query, wh, reuse_minutes=REUSE_MINUTES)
    except WarehouseError as exc:
        # In AWS the workgroup's bytes-scanned cutoff cancels a query that reads too much: the
        # caller can narrow it (a period, filters), so it is their 400, not our 500.
        if "scanned" in str(exc).lower() and "limit" in str(exc).lower():
            raise BadRequest(
                "The query reads more data than allowed: narrow it with from/to or filters",
                code="QUERY_TOO_LARGE",
            ) from None
        raise
    return result.to_dict()
