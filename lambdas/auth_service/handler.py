"""auth-service: accounts, sign-in and tokens (api/openapi.yaml, x-service: auth-service).

Thin on purpose: the routes validate the request and call `AuthService` (service.py).
"""

from __future__ import annotations

import json
import time
from typing import Any

from shared.api import accepted, create_app, created, make_handler, no_content, ok
from shared.env import required, stage, version
from shared.errors import ServiceUnavailable
from shared.identity import caller
from shared.observability import local_context, logger
from shared.validation import body

from auth_service import schemas
from auth_service.service import AuthService
from auth_service.store import UserStore

SERVICE = "auth-service"
app = create_app(SERVICE)


def service() -> AuthService:
    """Cheap to build; built per request so the table name is read from the environment."""
    return AuthService(UserStore(required("USERS_TABLE")))


@app.post("/auth/register")
def register():
    data = body(app, schemas.REGISTER)
    return created(service().register(data["email"], data["password"], data["name"]))


@app.post("/auth/login")
def login():
    data = body(app, schemas.LOGIN)
    source_ip = app.current_event.request_context.identity.source_ip
    return ok(service().login(data["email"], data["password"], source_ip))


@app.post("/auth/refresh")
def refresh():
    data = body(app, schemas.REFRESH)
    return ok(service().refresh(data["refreshToken"]))


@app.post("/auth/logout")
def logout():
    who = caller(app)
    data = body(app, schemas.REFRESH)
    service().logout(who.user_id, data["refreshToken"])
    return no_content()


@app.post("/auth/forgot-password")
def forgot_password():
    data = body(app, schemas.FORGOT)
    return accepted(service().forgot_password(data["email"]))


@app.post("/auth/reset-password")
def reset_password():
    data = body(app, schemas.RESET)
    return ok(service().reset_password(data["token"], data["newPassword"]))


@app.post("/auth/verify")
def verify():
    caller(app)
    data = body(app, schemas.VERIFY)
    return ok(service().verify(data["token"]))


@app.get("/auth/me")
def get_me():
    return ok(service().me(caller(app).user_id))


@app.patch("/auth/me")
def update_me():
    who = caller(app)
    data = body(app, schemas.UPDATE_ME)
    return ok(service().update_me(who.user_id, data["name"]))


@app.post("/auth/change-password")
def change_password():
    who = caller(app)
    data = body(app, schemas.CHANGE_PASSWORD)
    service().change_password(who.user_id, data["currentPassword"], data["newPassword"])
    return no_content()


@app.get("/health")
def health():
    try:
        UserStore(required("USERS_TABLE")).ping()
    except Exception:
        logger.exception("health check: users table unavailable")
        raise ServiceUnavailable("The users table is unavailable") from None
    return ok(
        {
            "status": "ok",
            "service": SERVICE,
            "stage": stage(),
            "version": version(),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "checks": {"usersTable": "ok"},
        }
    )


api_handler = make_handler(app)


def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """API Gateway requests, and batches of queued reset requests (the SQS event source)."""
    if isinstance(event, dict) and event.get("Records"):
        return mail_queue_handler(event, context)
    return api_handler(event, context)


def mail_queue_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Send the queued reset mails; a failed message is reported alone and retried alone."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def record_handler(record: Any) -> str:
        return service().send_reset(json.loads(record.body)["email"])

    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context if context is not None else local_context(),
    )


lambda_handler.app = app  # type: ignore[attr-defined]
