"""Who is calling: the identity the API's token authorizer put into the request context.

API Gateway copies the authorizer's `context` ({userId, email, role}, strings) and its
`principalId` into `requestContext.authorizer` of every proxy event of a protected operation;
the local gateway does the same. Public operations have no authorizer context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

ADMIN = "admin"
USER = "user"


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def caller(app: ApiGatewayResolver) -> Caller:
    """The authenticated caller, or Unauthorized (401) when the request carries no identity."""
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    user_id = context.get("userId") or context.get("principalId")
    if not isinstance(user_id, str) or not user_id:
        raise Unauthorized()
    return Caller(
        user_id=user_id, email=str(context.get("email") or ""), role=str(context.get("role") or USER)
    )


def require_role(app: ApiGatewayResolver, *roles: str) -> Caller:
    """The caller, if their role is one of `roles`; Forbidden (403) otherwise."""
    who = caller(app)
    if who.role not in roles:
        raise Forbidden("This operation needs the role " + " or ".join(roles))
    return who
