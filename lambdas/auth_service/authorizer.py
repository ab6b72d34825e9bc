"""The API's Lambda TOKEN authorizer: `Authorization: Bearer <access JWT>` -> an IAM policy.

A valid token (HS256 with the stage's key, right iss/aud, within nbf..exp, all claims present)
gets Allow on every method of this API stage (`.../<apiId>/<stage>/*`): API Gateway caches the
policy per token for a few minutes, and a policy naming only the first route would deny the
token's next calls to other routes. The context gives the services the caller: userId, email,
role (strings; API Gateway accepts no objects there).

Anything else raises Exception("Unauthorized"), which API Gateway answers with a 401. A broken
configuration (no key) raises something else, which becomes a 500: an outage must not look
like bad tokens.
"""

from __future__ import annotations

import re
from typing import Any

from shared.observability import local_context, logger

from auth_service import tokens

UNAUTHORIZED = "Unauthorized"
BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9_.-]+)")
METHOD_ARN = re.compile(r"(arn:aws[\w-]*:execute-api:[\w-]+:\d{12}:[A-Za-z0-9]+/[^/]+)/.+")


def _deny(reason: str) -> Exception:
    logger.info("token rejected", extra={"reason": reason})
    return Exception(UNAUTHORIZED)


def policy(principal_id: str, method_arn: str, context: dict[str, str]) -> dict[str, Any]:
    match = METHOD_ARN.fullmatch(method_arn or "")
    if not match:
        raise _deny("unexpected methodArn")
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{match.group(1)}/*"}
            ],
        },
        "context": context,
    }


def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return _authorize(event, context if context is not None else local_context())


@logger.inject_lambda_context(clear_state=True)
def _authorize(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if (event or {}).get("type") != "TOKEN":
        raise _deny("not a TOKEN event")
    match = BEARER.fullmatch(event.get("authorizationToken") or "")
    if not match:
        raise _deny("missing or malformed Authorization header")
    try:
        claims = tokens.decode_access_token(match.group(1))
    except tokens.InvalidTokenError as exc:
        raise _deny(str(exc)) from None
    return policy(
        claims["sub"],
        event.get("methodArn", ""),
        {
            "userId": str(claims["sub"]),
            "email": str(claims.get("email", "")),
            "role": str(claims.get("role", "user")),
            # API Gateway caches this answer per token for the authorizer's TTL, which can
            # outlive the token: every service refuses a context past `exp` (shared.api).
            "exp": str(int(claims["exp"])),
        },
    )
