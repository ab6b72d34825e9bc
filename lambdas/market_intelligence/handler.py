"""Placeholder for the market-intelligence: answers every operation 501 until the real service lands.

Standard library only, so the first `pulumi up` can ship it as the function's initial code
before the pipeline builds the real package.
"""

from __future__ import annotations

import json
import os
from typing import Any

SERVICE = "market-intelligence"


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway proxy event in, proxy response out: 501 in the API's error format."""
    method = (event or {}).get("httpMethod") or "?"
    resource = (event or {}).get("resource") or (event or {}).get("path") or "?"
    body = {
        "error": {
            "code": "NOT_IMPLEMENTED",
            "message": f"{SERVICE} does not implement {method} {resource} yet",
            "details": {},
        }
    }
    headers = {"Content-Type": "application/json"}
    origin = os.environ.get("ALLOWED_ORIGIN")
    if origin:  # CORS is limited to the frontend's origin; no origin configured, no header
        headers["Access-Control-Allow-Origin"] = origin
    return {"statusCode": 501, "headers": headers, "body": json.dumps(body)}
