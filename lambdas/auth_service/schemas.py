"""Request bodies of the auth operations (api/openapi.yaml), as JSON Schemas for shared.validation.

The shape is checked here (types, lengths, no unknown fields); the rules that need code (email
normalisation, the strong-password rule) are in service.py.
"""

from __future__ import annotations

_PASSWORD = {"type": "string", "minLength": 1, "maxLength": 128}
_NEW_PASSWORD = {"type": "string", "minLength": 8, "maxLength": 128}
_EMAIL = {"type": "string", "minLength": 3, "maxLength": 254}
_NAME = {"type": "string", "minLength": 1, "maxLength": 100}
_TOKEN = {"type": "string", "minLength": 1, "maxLength": 4096}


def _obj(required: list[str], **props: dict) -> dict:
    return {"type": "object", "required": required, "properties": props, "additionalProperties": False}


REGISTER = _obj(["email", "password", "name"], email=_EMAIL, password=_NEW_PASSWORD, name=_NAME)
LOGIN = _obj(["email", "password"], email=_EMAIL, password=_PASSWORD)
REFRESH = _obj(["refreshToken"], refreshToken=_TOKEN)
FORGOT = _obj(["email"], email=_EMAIL)
RESET = _obj(["token", "newPassword"], token=_TOKEN, newPassword=_NEW_PASSWORD)
VERIFY = _obj(["token"], token=_TOKEN)
UPDATE_ME = _obj(["name"], name=_NAME)
CHANGE_PASSWORD = _obj(
    ["currentPassword", "newPassword"], currentPassword=_PASSWORD, newPassword=_NEW_PASSWORD
)
