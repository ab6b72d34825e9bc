"""Access tokens (JWT, HS256) and opaque tokens (refresh, password reset).

The signing key is the secret JWT_SECRET_ARN names, read from Secrets Manager once and cached
for KEY_CACHE_SECONDS (so a rotated key is picked up within minutes). The secret is the key
itself (the Services component stores a random 64-character string); a JSON object with a
`signingKey` (or `key`) field is accepted too.

Access tokens carry iss/aud bound to the stage, so a token of one stage is useless on another.
Opaque tokens are 32 random bytes (urlsafe base64); only their SHA-256 is ever stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from typing import Any

from shared import aws
from shared.env import env_int, required, stage

ALGORITHM = "HS256"
TOKEN_USE = "access"
KEY_CACHE_SECONDS = 300
MIN_KEY_BYTES = 32
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "iss", "aud", "jti"]
OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,128}")
JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
MAX_JWT_CHARS = 4096


class InvalidTokenError(Exception):
    """The token is not an access token this stage issued, or it is no longer valid."""


def issuer() -> str:
    return f"ecommerce-ai-platform/{stage()}/auth"


def audience() -> str:
    return f"ecommerce-ai-platform/{stage()}/api"


def access_token_seconds() -> int:
    return 60 * env_int("ACCESS_TOKEN_MINUTES", 15, 1, 60)


# --- the signing key ---------------------------------------------------------------------------

_key: dict[str, Any] = {"value": None, "fetched": 0.0, "arn": None}
_key_lock = threading.Lock()


def signing_key(now: float | None = None) -> bytes:
    """The HMAC key (cached per cold start for KEY_CACHE_SECONDS)."""
    now = time.monotonic() if now is None else now
    arn = required("JWT_SECRET_ARN")
    if _key["value"] is not None and _key["arn"] == arn and now - _key["fetched"] < KEY_CACHE_SECONDS:
        return _key["value"]
    with _key_lock:
        try:
            secret = aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        except Exception:
            if _key["value"] is not None and _key["arn"] == arn:
                # Secrets Manager unreachable: keep signing with the key we have.
                _key["fetched"] = now
                return _key["value"]
            raise
        value = _parse_secret(secret)
        _key.update(value=value, fetched=now, arn=arn)
        return value


def _parse_secret(secret: str) -> bytes:
    text = secret
    if secret.lstrip().startswith("{"):
        data = json.loads(secret)
        text = data.get("signingKey") or data.get("key") or ""
    key = text.encode()
    if len(key) < MIN_KEY_BYTES:
        raise RuntimeError(f"the JWT signing key must be at least {MIN_KEY_BYTES} bytes")
    return key


def forget_key() -> None:
    """Drop the cached key (tests; a forced rotation)."""
    _key.update(value=None, fetched=0.0, arn=None)


# --- access tokens -----------------------------------------------------------------------------


def issue_access_token(user_id: str, email: str, role: str, now: float | None = None) -> tuple[str, int]:
    """(token, seconds until it expires)."""
    import jwt  # PyJWT, imported on first use (see benchmarks/bench_imports.py)

    now_s = int(time.time() if now is None else now)
    lifetime = access_token_seconds()
    claims = {
        "iss": issuer(),
        "aud": audience(),
        "sub": user_id,
        "email": email,
        "role": role,
        "iat": now_s,
        "nbf": now_s,
        "exp": now_s + lifetime,
        "jti": uuid.uuid4().hex,
        "token_use": TOKEN_USE,
    }
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM), lifetime


def decode_access_token(token: str) -> dict[str, Any]:
    """The claims of a valid access token; InvalidTokenError for anything else: malformed, bad
    signature, `alg` other than HS256 (including `none`), expired, not yet valid, another
    issuer or audience, a missing claim, or not an access token."""
    import jwt

    if not isinstance(token, str) or len(token) > MAX_JWT_CHARS or not JWT_SHAPE.fullmatch(token):
        raise InvalidTokenError("malformed token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("malformed token") from exc
    if header.get("alg") != ALGORITHM:  # belt and braces: decode() below only accepts HS256
        raise InvalidTokenError(f"algorithm {header.get('alg')!r} is not accepted")
    try:
        claims = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            audience=audience(),
            issuer=issuer(),
            options={"require": REQUIRED_CLAIMS, "verify_signature": True},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(type(exc).__name__) from exc
    if claims.get("token_use") != TOKEN_USE or not isinstance(claims.get("sub"), str):
        raise InvalidTokenError("not an access token")
    return claims


# --- opaque tokens -----------------------------------------------------------------------------


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_opaque(token: Any) -> bool:
    return isinstance(token, str) and bool(OPAQUE_TOKEN.fullmatch(token))


def successor_token(refresh_token: str) -> str:
    """The refresh token that rotation gives for `refresh_token`: HMAC-SHA256 of it under the
    signing key, so the same request always gets the same successor (the grace window for lost
    answers) and nobody without both the token and the key can compute it."""
    digest = hmac.new(signing_key(), b"refresh-successor\x00" + refresh_token.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
