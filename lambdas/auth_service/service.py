"""The auth service's logic: accounts, sign-in, token rotation, password reset.

Plain Python over a `UserStore` (DynamoDB) and a clock; raises the API's typed errors. The
handler only validates the request shape and calls these methods.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.errors import BadRequest, Conflict, NotFound, TooManyRequests, Unauthorized
from shared.identity import USER
from shared.observability import logger, metrics

from auth_service import mailer, passwords, tokens
from auth_service.store import ConditionFailedError, EmailTakenError, UserStore

REFRESH_SECONDS = 30 * 24 * 3600
RESET_SECONDS = 30 * 60
LOCK_AFTER_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
# The status of a failed sign-in. The brief asks 401; api/openapi.yaml (in progress) says 400
# INVALID_CREDENTIALS. One constant, so the decision is a one-line change.
LOGIN_FAILURE_STATUS = 401

EMAIL_RE = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
FORGOT_MESSAGE = "If an account exists for this email, a password reset link has been sent."


class InvalidCredentials(Unauthorized):
    code, default_message = "INVALID_CREDENTIALS", "Invalid email or password"
    status = LOGIN_FAILURE_STATUS


class InvalidRefreshToken(Unauthorized):
    code, default_message = "INVALID_REFRESH_TOKEN", "The refresh token is invalid or expired"


def normalise_email(raw: Any, field: str = "email") -> str:
    """Trimmed, lower-cased, checked e-mail address (BadRequest otherwise)."""
    email = raw.strip().lower() if isinstance(raw, str) else ""
    if len(email) > 254 or not EMAIL_RE.fullmatch(email):
        raise BadRequest.fields({field: "must be a valid email address"})
    return email


def clean_name(raw: Any) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not 1 <= len(name) <= 100 or CONTROL_CHARS.search(name):
        raise BadRequest.fields({"name": "must be 1 to 100 characters, without control characters"})
    return name


def check_strength(password: str, email: str, field: str = "password") -> None:
    problems = passwords.strength_problems(password, email)
    if problems:
        raise BadRequest.fields(
            [{"field": field, "message": p} for p in problems],
            "The password is too weak: " + "; ".join(problems),
            code="WEAK_PASSWORD",
        )


def profile(user: dict[str, Any]) -> dict[str, Any]:
    """What the API shows of a user: an allow-list, so hashes and counters never leak."""
    return {k: user[k] for k in ("userId", "email", "name", "role", "createdAt", "updatedAt") if k in user}


def now() -> float:
    """The service's clock (tests move it forward by patching this function)."""
    return time.time()


def _iso(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AuthService:
    def __init__(
        self,
        store: UserStore,
        clock: Callable[[], float] | None = None,
        send_mail: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or (lambda: now())
        self.send_mail = send_mail or (lambda message: mailer.send(message))

    # --- accounts ------------------------------------------------------------------------------

    def register(self, email: str, password: str, name: str) -> dict[str, Any]:
        email = normalise_email(email)
        name = clean_name(name)
        check_strength(password, email)
        now = _iso(self.clock())
        user = {
            "userId": str(uuid.uuid4()),
            "email": email,
            "name": name,
            "role": USER,
            "passwordHash": passwords.hash_password(password),
            "sessionVersion": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        try:
            self.store.create_user(user)
        except EmailTakenError:
            raise Conflict("An account with this email already exists", code="EMAIL_TAKEN") from None
        metrics.add_metric(name="UsersRegistered", unit="Count", value=1)
        return profile(user)

    def me(self, user_id: str) -> dict[str, Any]:
        return profile(self._user(user_id))

    def update_me(self, user_id: str, name: str) -> dict[str, Any]:
        name = clean_name(name)
        try:
            return profile(self.store.update_name(user_id, name, _iso(self.clock())))
        except ConditionFailedError:
            raise NotFound("No such user") from None

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.store.get_user(user_id)
        if user is None:
            raise NotFound("No such user")
        return user

    # --- sign-in -------------------------------------------------------------------------------

    def _check_lock(self, email: str, now: int) -> None:
        record = self.store.get_login_failures(email)
        locked_until = (record or {}).get("lockedUntil", 0)
        if locked_until > now:
            raise TooManyRequests(
                "Too many failed sign-ins; try again later",
                code="ACCOUNT_LOCKED",
                retry_after=locked_until - now,
            )

    def _failed(self, email: str, now: int) -> None:
        self.store.record_login_failure(email, now, FAILURE_WINDOW_SECONDS, LOCK_AFTER_FAILURES, LOCK_SECONDS)
        metrics.add_metric(name="FailedSignIns", unit="Count", value=1)

    def login(self, email: str, password: str) -> dict[str, Any]:
        email = normalise_email(email)
        now = int(self.clock())
        self._check_lock(email, now)
        user_id = self.store.user_id_for_email(email)
        # The same work whether or not the account exists: one lookup, one argon2 verify.
        user = self.store.get_user(user_id or "USER#none")
        if user is None:
            passwords.burn_verify(password)
            ok = False
        else:
            ok = passwords.verify_password(user["passwordHash"], password)
        if not ok:
            self._failed(email, now)
            logger.info("sign-in failed")
            raise InvalidCredentials()
        self.store.clear_login_failures(email)
        if passwords.needs_rehash(user["passwordHash"]):
            self.store.upgrade_hash(user["userId"], user["passwordHash"], passwords.hash_password(password))
        return self._new_session(user, now)

    def _new_session(self, user: dict[str, Any], now: int) -> dict[str, Any]:
        refresh = tokens.new_opaque_token()
        self.store.start_family(
            uuid.uuid4().hex,
            user["userId"],
            int(user.get("sessionVersion", 0)),
            tokens.token_hash(refresh),
            now + REFRESH_SECONDS,
            now,
        )
        return self._token_pair(user, refresh, now)

    def _token_pair(self, user: dict[str, Any], refresh: str, now: int) -> dict[str, Any]:
        access, lifetime = tokens.issue_access_token(
            user["userId"], user["email"], user.get("role", USER), now
        )
        return {
            "accessToken": access,
            "refreshToken": refresh,
            "tokenType": "Bearer",
            "expiresIn": lifetime,
            "refreshExpiresIn": REFRESH_SECONDS,
            "user": profile(user),
        }

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """A new token pair for a refresh token, which is consumed. Presenting a token that was
        already rotated means it leaked (or was replayed): its whole family is revoked."""
        now = int(self.clock())
        if not tokens.looks_opaque(refresh_token):
            raise InvalidRefreshToken()
        old_hash = tokens.token_hash(refresh_token)
        record = self.store.get_refresh(old_hash)
        if record is None:
            raise InvalidRefreshToken()
        family_id = record["familyId"]
        if "usedAt" in record:
            self.store.revoke_family(family_id)
            logger.warning("refresh token reused: family revoked", extra={"familyId": family_id})
            metrics.add_metric(name="RefreshTokenReuse", unit="Count", value=1)
            raise InvalidRefreshToken()
        family = self.store.get_family(family_id)
        user = self.store.get_user(record["ownerId"])
        if (
            record.get("expiresAt", 0) <= now
            or family is None
            or family.get("revoked")
            or user is None
            or int(family.get("sessionVersion", -1)) != int(user.get("sessionVersion", 0))
        ):
            raise InvalidRefreshToken()
        new_refresh = tokens.new_opaque_token()
        try:
            self.store.rotate_refresh(
                old_hash,
                tokens.token_hash(new_refresh),
                family_id,
                user["userId"],
                now + REFRESH_SECONDS,
                now,
            )
        except ConditionFailedError:
            # Consumed by a concurrent request with the same token: treat as reuse.
            self.store.revoke_family(family_id)
            raise InvalidRefreshToken() from None
        return self._token_pair(user, new_refresh, now)

    def logout(self, user_id: str, refresh_token: str) -> None:
        """Revoke the refresh token's family (the session), if it is the caller's."""
        if not tokens.looks_opaque(refresh_token):
            return
        record = self.store.get_refresh(tokens.token_hash(refresh_token))
        if record is not None and record.get("ownerId") == user_id:
            self.store.revoke_family(record["familyId"])

    # --- passwords -----------------------------------------------------------------------------

    def forgot_password(self, email: str) -> dict[str, str]:
        """Always the same answer; a reset e-mail only when the account exists."""
        email = normalise_email(email)
        now = int(self.clock())
        user = self.store.get_user(self.store.user_id_for_email(email) or "USER#none")
        if user is not None:
            token = tokens.new_opaque_token()
            self.store.put_reset(tokens.token_hash(token), user["userId"], now + RESET_SECONDS, now)
            self.send_mail(
                mailer.reset_message(user["email"], user.get("name", ""), token, RESET_SECONDS // 60)
            )
        return {"message": FORGOT_MESSAGE}

    def reset_password(self, token: str, new_password: str) -> dict[str, str]:
        invalid = BadRequest(
            "The reset token is invalid or has already been used",
            code="INVALID_RESET_TOKEN",
            details={"fields": [{"field": "token", "message": "is invalid"}]},
        )
        if not tokens.looks_opaque(token):
            raise invalid
        now = int(self.clock())
        token_hash = tokens.token_hash(token)
        record = self.store.get_reset(token_hash)
        if record is None:
            raise invalid
        if record.get("expiresAt", 0) <= now:
            self.store.consume_reset(token_hash)
            raise BadRequest(
                "The reset token has expired",
                code="RESET_TOKEN_EXPIRED",
                details={"fields": [{"field": "token", "message": "has expired"}]},
            )
        user = self._user(record["ownerId"])
        check_strength(new_password, user["email"], "newPassword")  # before the token is spent
        new_hash = passwords.hash_password(new_password)  # so is anything that can fail
        if not self.store.consume_reset(token_hash):
            raise invalid
        self.store.set_password(user["userId"], new_hash, _iso(now))
        self.store.clear_login_failures(user["email"])
        return {"message": "Your password has been reset. Sign in with the new password."}

    def change_password(self, user_id: str, current: str, new: str) -> None:
        user = self._user(user_id)
        now = int(self.clock())
        self._check_lock(user["email"], now)
        if not passwords.verify_password(user["passwordHash"], current):
            self._failed(user["email"], now)
            raise BadRequest(
                "The current password is incorrect",
                code="INVALID_CURRENT_PASSWORD",
                details={"fields": [{"field": "currentPassword", "message": "is incorrect"}]},
            )
        check_strength(new, user["email"], "newPassword")
        if new == current:
            raise BadRequest.fields(
                {"newPassword": "must differ from the current password"}, code="WEAK_PASSWORD"
            )
        self.store.set_password(user_id, passwords.hash_password(new), _iso(now))

    # --- tokens --------------------------------------------------------------------------------

    def verify(self, token: str) -> dict[str, Any]:
        """Introspection: whether `token` is a valid access token now, and its claims."""
        try:
            claims = tokens.decode_access_token(token)
        except tokens.InvalidTokenError:
            return {"active": False}
        return {
            "active": True,
            "tokenType": tokens.TOKEN_USE,
            "sub": claims["sub"],
            "email": claims.get("email"),
            "role": claims.get("role"),
            "iat": claims["iat"],
            "exp": claims["exp"],
            "iss": claims["iss"],
            "aud": claims["aud"],
            "jti": claims["jti"],
        }
