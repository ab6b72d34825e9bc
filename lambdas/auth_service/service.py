"""The auth service's logic: accounts, sign-in, token rotation, password reset.

Plain Python over a `UserStore` (DynamoDB) and a clock; raises the API's typed errors. The
handler only validates the request shape and calls these methods.
"""

from __future__ import annotations

import hashlib
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
from auth_service.store import MAILRATE, ConditionFailedError, EmailTakenError, UserStore

REFRESH_SECONDS = 30 * 24 * 3600
RESET_SECONDS = 30 * 60
# A retry of a refresh within this many seconds of its rotation (its response was lost) gets
# the same successor; later reuse of a rotated token revokes the whole family.
REFRESH_GRACE_SECONDS = 10
# Brute force is kept expensive without handing anyone a switch that locks the real user out:
# - per (account, client IP): at most CLIENT_ATTEMPTS sign-ins per window, counted atomically
#   before the password is checked (parallel requests cannot overrun it);
# - per account, from any client: after SLOW_AFTER failures in the window each attempt must
#   wait 1, 2, 4 ... seconds, never more than MAX_DELAY_SECONDS (a delay, not a lock);
# - a caller who proves the current session (change-password with a valid token) is never
#   refused because of failed sign-ins; its own wrong current passwords are limited per user.
FAILURE_WINDOW_SECONDS = 15 * 60
CLIENT_ATTEMPTS = 10
SLOW_AFTER = 5
MAX_DELAY_SECONDS = 60
# Reset mails to one address: at most this many per hour, whoever asks.
MAILS_PER_HOUR = 3
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


def client_key(source_ip: str | None) -> str:
    """A short, stable id of a client address (the address itself is not stored)."""
    return hashlib.sha256((source_ip or "unknown").encode()).hexdigest()[:16]


def too_many(retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        "Too many sign-in attempts; try again later",
        code="TOO_MANY_ATTEMPTS",
        retry_after=max(1, int(retry_after)),
    )


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
        enqueue: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or (lambda: now())
        self.send_mail = send_mail or (lambda message: mailer.send(message))
        self.enqueue = enqueue or (lambda request: mailer.enqueue(request))

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

    def _slow_down(self, email: str, now: int) -> None:
        """The account's progressive delay: after SLOW_AFTER failures in the window, one
        attempt per 1, 2, 4 ... MAX_DELAY_SECONDS, taken atomically by whoever comes first."""
        record = self.store.get_login_failures(email)
        if not record or int(record.get("windowStart", 0)) <= now - FAILURE_WINDOW_SECONDS:
            return
        failures = int(record.get("failures", 0))
        if failures < SLOW_AFTER:
            return
        delay = min(2 ** (failures - SLOW_AFTER), MAX_DELAY_SECONDS)
        if not self.store.claim_slow_attempt(email, now, now - delay):
            last = int((self.store.get_login_failures(email) or {}).get("lastAttemptAt", now))
            raise too_many(last + delay - now)

    def _reserve(self, key: str, now: int) -> None:
        """One attempt of CLIENT_ATTEMPTS per window under `key`, or 429."""
        if self.store.reserve_attempt(key, now, FAILURE_WINDOW_SECONDS, CLIENT_ATTEMPTS) is None:
            record = self.store.get_login_failures(key) or {}
            raise too_many(int(record.get("windowStart", now)) + FAILURE_WINDOW_SECONDS - now)

    def login(self, email: str, password: str, source_ip: str | None = None) -> dict[str, Any]:
        email = normalise_email(email)
        now = int(self.clock())
        client = client_key(source_ip)
        self._slow_down(email, now)
        self._reserve(f"{email}#{client}", now)
        user_id = self.store.user_id_for_email(email)
        # The same work whether or not the account exists: one lookup, one argon2 verify.
        user = self.store.get_user(user_id or "USER#none")
        if user is None:
            passwords.burn_verify(password)
            ok = False
        else:
            ok = passwords.verify_password(user["passwordHash"], password)
        if not ok:
            self.store.record_login_failure(email, now, FAILURE_WINDOW_SECONDS)
            metrics.add_metric(name="FailedSignIns", unit="Count", value=1)
            logger.info("sign-in failed")
            raise InvalidCredentials()
        self.store.clear_login_failures(email, client)
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
        if "usedAt" in record:
            return self._retried_or_reused(record, refresh_token, now)
        user = self._session_user(record, now)
        # The successor is derived from the token (keyed with the signing key), so a retry of
        # this refresh whose answer was lost can be given the very same successor.
        new_refresh = tokens.successor_token(refresh_token)
        try:
            self.store.rotate_refresh(
                old_hash,
                tokens.token_hash(new_refresh),
                record["familyId"],
                user["userId"],
                now + REFRESH_SECONDS,
                now,
            )
        except ConditionFailedError:
            # Consumed by a concurrent request with the same token: a retry, or reuse.
            return self._retried_or_reused(self.store.get_refresh(old_hash) or record, refresh_token, now)
        return self._token_pair(user, new_refresh, now)

    def _session_user(self, record: dict[str, Any], now: int) -> dict[str, Any]:
        """The owner of a refresh record whose family is still a valid session."""
        family = self.store.get_family(record["familyId"])
        user = self.store.get_user(record["ownerId"])
        if (
            record.get("expiresAt", 0) <= now
            or family is None
            or family.get("revoked")
            or user is None
            or int(family.get("sessionVersion", -1)) != int(user.get("sessionVersion", 0))
        ):
            raise InvalidRefreshToken()
        return user

    def _retried_or_reused(self, record: dict[str, Any], refresh_token: str, now: int) -> dict[str, Any]:
        """A rotated token again: within the grace window and while its successor is unused,
        the same successor (the client lost the answer); otherwise the family is revoked."""
        used_at = record.get("usedAt")
        if used_at is not None and now - int(used_at) <= REFRESH_GRACE_SECONDS:
            successor = tokens.successor_token(refresh_token)
            following = self.store.get_refresh(tokens.token_hash(successor))
            if following and following.get("familyId") == record["familyId"] and "usedAt" not in following:
                return self._token_pair(self._session_user(following, now), successor, now)
        family_id = record["familyId"]
        self.store.revoke_family(family_id)
        logger.warning("refresh token reused: family revoked", extra={"familyId": family_id})
        metrics.add_metric(name="RefreshTokenReuse", unit="Count", value=1)
        raise InvalidRefreshToken()

    def logout(self, user_id: str, refresh_token: str) -> None:
        """Revoke the refresh token's family (the session), if it is the caller's."""
        if not tokens.looks_opaque(refresh_token):
            return
        record = self.store.get_refresh(tokens.token_hash(refresh_token))
        if record is not None and record.get("ownerId") == user_id:
            self.store.revoke_family(record["familyId"])

    # --- passwords -----------------------------------------------------------------------------

    def forgot_password(self, email: str) -> dict[str, str]:
        """Always the same answer after the same work, one enqueued request, whether or not the
        account exists: nothing here tells an attacker which e-mails have accounts, by content
        or by timing. The mail itself is sent by `send_reset`, off the request path."""
        email = normalise_email(email)
        self.enqueue({"email": email, "requestedAt": int(self.clock())})
        return {"message": FORGOT_MESSAGE}

    def send_reset(self, email: str) -> str:
        """Consume one queued reset request: a token and a mail when the account exists and the
        address has had fewer than MAILS_PER_HOUR mails this hour. Returns what happened."""
        email = normalise_email(email)
        now = int(self.clock())
        user = self.store.get_user(self.store.user_id_for_email(email) or "USER#none")
        if user is None:
            return "no-account"
        if self.store.reserve_attempt(email, now, 3600, MAILS_PER_HOUR, kind=MAILRATE) is None:
            logger.info("reset mail rate-limited")
            metrics.add_metric(name="ResetMailsRateLimited", unit="Count", value=1)
            return "rate-limited"
        token = tokens.new_opaque_token()
        self.store.put_reset(tokens.token_hash(token), user["userId"], now + RESET_SECONDS, now)
        # No greeting by name: anyone can register someone else's address with any name.
        self.send_mail(mailer.reset_message(user["email"], token, RESET_SECONDS // 60))
        return "sent"

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
        user = self._user(record["ownerId"])
        if record.get("serial") is None or int(record["serial"]) != int(user.get("resetSerial", 0)):
            # A newer reset token, a reset or a password change came after this token.
            self.store.consume_reset(token_hash)
            raise invalid
        if record.get("expiresAt", 0) <= now:
            self.store.consume_reset(token_hash)
            raise BadRequest(
                "The reset token has expired",
                code="RESET_TOKEN_EXPIRED",
                details={"fields": [{"field": "token", "message": "has expired"}]},
            )
        check_strength(new_password, user["email"], "newPassword")  # before the token is spent
        new_hash = passwords.hash_password(new_password)  # so is anything that can fail
        if not self.store.consume_reset(token_hash):
            raise invalid
        self.store.set_password(user["userId"], new_hash, _iso(now))
        self.store.clear_login_failures(user["email"])
        return {"message": "Your password has been reset. Sign in with the new password."}

    def change_password(self, user_id: str, current: str, new: str) -> None:
        """The caller proved the session: failed sign-ins never refuse it. Its own guesses of
        the current password are limited per user (a stolen access token cannot brute-force it)."""
        user = self._user(user_id)
        now = int(self.clock())
        session_key = f"{user['email']}#session:{user_id}"
        self._reserve(session_key, now)
        if not passwords.verify_password(user["passwordHash"], current):
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
        self.store.clear_login_failures(user["email"], f"session:{user_id}")

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
