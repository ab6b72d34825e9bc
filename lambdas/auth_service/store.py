"""The users table: accounts and the auth service's token records, in one table keyed by userId.

    userId=<uuid>              USER      email, name, role, passwordHash, sessionVersion, ...
    userId=EMAIL#<email>       EMAIL     ownerId   (email uniqueness; consistent sign-in lookup)
    userId=REFRESH#<sha256>    REFRESH   ownerId, familyId, expiresAt, usedAt (once rotated)
    userId=FAMILY#<id>         FAMILY    ownerId, sessionVersion, revoked, expiresAt
    userId=RESET#<sha256>      RESET     ownerId, serial, expiresAt
    userId=LOGINFAIL#<email>   LOGINFAIL failures, windowStart, lastAttemptAt, expiresAt (per account)
    userId=LOGINFAIL#<email>#<client>  LOGINFAIL attempts, windowStart, expiresAt (per account and client)
    userId=MAILRATE#<email>    MAILRATE  attempts, windowStart, expiresAt (reset mails per address)

Only user items have an `email` attribute, so the `email-index` holds users only. Only token
records have `expiresAt` (epoch seconds; checked on every read, and usable as a TTL attribute):
a user item never has it. The table's TTL deletes token records some time after `expiresAt`.
Revoking every session of a user is one atomic increment of its `sessionVersion`: a refresh
family is valid only while its version matches the user's. Likewise `resetSerial`: a reset
token is valid only while its serial is the user's, so a newer reset token, a reset and a
password change each invalidate every older reset token.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from shared import aws

USER, EMAIL, REFRESH, FAMILY, RESET, LOGINFAIL = "USER", "EMAIL", "REFRESH", "FAMILY", "RESET", "LOGINFAIL"
MAILRATE = "MAILRATE"


class EmailTakenError(Exception):
    pass


class ConditionFailedError(Exception):
    """A conditional write lost: the record changed or was consumed concurrently."""


# --- DynamoDB attribute values (the few types this table uses; no boto3 import needed) -------


def _av(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    return {"S": str(value)}


def _item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _av(v) for k, v in values.items()}


def _py(av: Mapping[str, Any]) -> Any:
    ((kind, value),) = av.items()
    if kind == "N":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "NULL":
        return None
    return value


def _plain(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if not item else {k: _py(v) for k, v in item.items()}


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def _cancel_reasons(exc: Exception) -> list[str]:
    reasons = getattr(exc, "response", {}).get("CancellationReasons") or []
    return [r.get("Code", "") for r in reasons]


class UserStore:
    def __init__(self, table: str, client: Any = None) -> None:
        self.table = table
        self._client = client

    @property
    def db(self) -> Any:
        return self._client or aws.client("dynamodb")

    def _key(self, key: str) -> dict[str, Any]:
        return {"userId": {"S": key}}

    def _get(self, key: str) -> dict[str, Any] | None:
        res = self.db.get_item(TableName=self.table, Key=self._key(key), ConsistentRead=True)
        return _plain(res.get("Item"))

    def _update(
        self,
        key: str,
        expression: str,
        values: Mapping[str, Any],
        *,
        condition: str,
        names: Mapping[str, str] | None = None,
        returns: str = "ALL_NEW",
    ) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "Key": self._key(key),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ReturnValues": returns,
        }
        if values:
            kwargs["ExpressionAttributeValues"] = _item(values)
        if names:
            kwargs["ExpressionAttributeNames"] = dict(names)
        try:
            return _plain(self.db.update_item(**kwargs).get("Attributes"))
        except Exception as exc:
            if _error_code(exc) == "ConditionalCheckFailedException":
                raise ConditionFailedError(key) from None
            raise

    def ping(self) -> None:
        """A cheap read (GetItem of a key that never exists): the table answers."""
        self.db.get_item(TableName=self.table, Key=self._key("HEALTH#probe"))

    # --- users ---------------------------------------------------------------------------------

    def get_user(self, user_id: str) -> dict[str, Any] | None:
        item = self._get(user_id)
        return item if item and item.get("type") == USER else None

    def user_id_for_email(self, email: str) -> str | None:
        item = self._get(f"EMAIL#{email}")
        return item.get("ownerId") if item else None

    def create_user(self, user: Mapping[str, Any]) -> None:
        """Write the user and its EMAIL# record in one transaction, each only if absent: of two
        concurrent registrations of one email exactly one succeeds (EmailTakenError for the other)."""
        writes = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _item({**user, "type": USER}),
                    "ConditionExpression": "attribute_not_exists(userId)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _item(
                        {
                            "userId": f"EMAIL#{user['email']}",
                            "type": EMAIL,
                            "ownerId": user["userId"],
                            "createdAt": user["createdAt"],
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(userId)",
                }
            },
        ]
        for attempt in range(4):
            try:
                self.db.transact_write_items(TransactItems=writes)
                return
            except Exception as exc:
                reasons = _cancel_reasons(exc)
                if "ConditionalCheckFailed" in reasons:
                    raise EmailTakenError(user["email"]) from None
                # Another transaction on the same items was in flight: once it settles,
                # the retry either wins or sees the email taken.
                if "TransactionConflict" in reasons or _error_code(exc) == "TransactionConflictException":
                    time.sleep(0.05 * (attempt + 1))
                    continue
                raise
        raise ConditionFailedError(user["email"])

    def update_name(self, user_id: str, name: str, now_iso: str) -> dict[str, Any]:
        return self._update(
            user_id,
            "SET #name = :name, updatedAt = :now",
            {":name": name, ":now": now_iso, ":user": USER},
            names={"#name": "name", "#type": "type"},
            condition="attribute_exists(userId) AND #type = :user",
        )

    def set_password(self, user_id: str, password_hash: str, now_iso: str) -> dict[str, Any]:
        """New password hash, and every refresh token of the user revoked (sessionVersion + 1)."""
        return self._update(
            user_id,
            "SET passwordHash = :hash, updatedAt = :now, passwordChangedAt = :now "
            "ADD sessionVersion :one, resetSerial :one",
            {":hash": password_hash, ":now": now_iso, ":one": 1, ":user": USER},
            names={"#type": "type"},
            condition="attribute_exists(userId) AND #type = :user",
        )

    def upgrade_hash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        """Same password, stronger parameters; only if the hash did not change meanwhile."""
        try:
            self._update(
                user_id,
                "SET passwordHash = :new",
                {":new": new_hash, ":old": old_hash},
                condition="passwordHash = :old",
                returns="NONE",
            )
        except ConditionFailedError:
            pass

    def revoke_sessions(self, user_id: str) -> None:
        self._update(
            user_id,
            "ADD sessionVersion :one",
            {":one": 1, ":user": USER},
            names={"#type": "type"},
            condition="attribute_exists(userId) AND #type = :user",
            returns="NONE",
        )

    # --- refresh tokens ------------------------------------------------------------------------

    def start_family(
        self, family_id: str, owner: str, session_version: int, token_hash: str, expires_at: int, now: int
    ) -> None:
        self.db.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table,
                        "ConditionExpression": "attribute_not_exists(userId)",
                        "Item": _item(
                            {
                                "userId": f"FAMILY#{family_id}",
                                "type": FAMILY,
                                "ownerId": owner,
                                "sessionVersion": session_version,
                                "revoked": False,
                                "createdAt": now,
                                "expiresAt": expires_at,
                            }
                        ),
                    }
                },
                {
                    "Put": {
                        "TableName": self.table,
                        "ConditionExpression": "attribute_not_exists(userId)",
                        "Item": _item(
                            {
                                "userId": f"REFRESH#{token_hash}",
                                "type": REFRESH,
                                "ownerId": owner,
                                "familyId": family_id,
                                "createdAt": now,
                                "expiresAt": expires_at,
                            }
                        ),
                    }
                },
            ]
        )

    def get_refresh(self, token_hash: str) -> dict[str, Any] | None:
        item = self._get(f"REFRESH#{token_hash}")
        return item if item and item.get("type") == REFRESH else None

    def get_family(self, family_id: str) -> dict[str, Any] | None:
        item = self._get(f"FAMILY#{family_id}")
        return item if item and item.get("type") == FAMILY else None

    def rotate_refresh(
        self, old_hash: str, new_hash: str, family_id: str, owner: str, expires_at: int, now: int
    ) -> None:
        """Consume the old token and store its successor, atomically: the old one must be
        unused and its family unrevoked. Conflict when another request consumed it first."""
        try:
            self.db.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": self._key(f"REFRESH#{old_hash}"),
                            "UpdateExpression": "SET usedAt = :now",
                            "ConditionExpression": (
                                "attribute_exists(userId) AND attribute_not_exists(usedAt)"
                            ),
                            "ExpressionAttributeValues": _item({":now": now}),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": self._key(f"FAMILY#{family_id}"),
                            "UpdateExpression": "SET expiresAt = :exp, lastRotatedAt = :now",
                            "ConditionExpression": "attribute_exists(userId) AND revoked = :no",
                            "ExpressionAttributeValues": _item(
                                {":exp": expires_at, ":now": now, ":no": False}
                            ),
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "ConditionExpression": "attribute_not_exists(userId)",
                            "Item": _item(
                                {
                                    "userId": f"REFRESH#{new_hash}",
                                    "type": REFRESH,
                                    "ownerId": owner,
                                    "familyId": family_id,
                                    "createdAt": now,
                                    "expiresAt": expires_at,
                                }
                            ),
                        }
                    },
                ]
            )
        except Exception as exc:
            if "ConditionalCheckFailed" in _cancel_reasons(exc) or "TransactionConflict" in _cancel_reasons(
                exc
            ):
                raise ConditionFailedError(old_hash) from None
            raise

    def revoke_family(self, family_id: str) -> None:
        try:
            self._update(
                f"FAMILY#{family_id}",
                "SET revoked = :yes",
                {":yes": True},
                condition="attribute_exists(userId)",
                returns="NONE",
            )
        except ConditionFailedError:
            pass

    # --- password reset tokens -----------------------------------------------------------------

    def put_reset(self, token_hash: str, owner: str, expires_at: int, now: int) -> None:
        """Store a reset token with the next `resetSerial` of its owner: from now on it is the
        only valid one (two concurrent requests get different serials; the higher wins)."""
        user = self._update(
            owner,
            "ADD resetSerial :one",
            {":one": 1, ":user": USER},
            names={"#type": "type"},
            condition="attribute_exists(userId) AND #type = :user",
            returns="UPDATED_NEW",
        )
        self.db.put_item(
            TableName=self.table,
            ConditionExpression="attribute_not_exists(userId)",
            Item=_item(
                {
                    "userId": f"RESET#{token_hash}",
                    "type": RESET,
                    "ownerId": owner,
                    "serial": int(user["resetSerial"]),
                    "createdAt": now,
                    "expiresAt": expires_at,
                }
            ),
        )

    def get_reset(self, token_hash: str) -> dict[str, Any] | None:
        item = self._get(f"RESET#{token_hash}")
        return item if item and item.get("type") == RESET else None

    def consume_reset(self, token_hash: str) -> bool:
        """Delete the reset token if it is still there; True for the one caller that did."""
        try:
            self.db.delete_item(
                TableName=self.table,
                Key=self._key(f"RESET#{token_hash}"),
                ConditionExpression="attribute_exists(userId)",
            )
            return True
        except Exception as exc:
            if _error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    # --- failed sign-ins (per email, whether or not an account exists) ------------------------

    def get_login_failures(self, email: str) -> dict[str, Any] | None:
        return self.get_counter(email)

    def get_counter(self, key: str, kind: str = LOGINFAIL) -> dict[str, Any] | None:
        return self._get(f"{kind}#{key}")

    def reserve_attempt(
        self, key: str, now: int, window: int, limit: int, kind: str = LOGINFAIL
    ) -> dict[str, Any] | None:
        """Count one attempt under `key` in the current window, atomically and before the work
        it limits (a password check, a mail): of any number of parallel requests at most `limit`
        per window get through. None when the limit is reached (the record, `get_counter`, says
        until when)."""
        key = f"{kind}#{key}"
        try:
            return self._update(
                key,
                "SET windowStart = if_not_exists(windowStart, :now), #type = :type, expiresAt = :exp "
                "ADD attempts :one",
                {
                    ":now": now,
                    ":one": 1,
                    ":cutoff": now - window,
                    ":limit": limit,
                    ":exp": now + window,
                    ":type": kind,
                },
                names={"#type": "type"},
                condition="attribute_not_exists(windowStart) OR (windowStart > :cutoff AND attempts < :limit)",
            )
        except ConditionFailedError:
            pass
        try:  # the window is over: start a new one (unless a parallel request just did)
            return self._update(
                key,
                "SET windowStart = :now, attempts = :one, expiresAt = :exp",
                {":now": now, ":one": 1, ":cutoff": now - window, ":exp": now + window},
                condition="windowStart <= :cutoff",
            )
        except ConditionFailedError:
            return None

    def claim_slow_attempt(self, email: str, now: int, earliest: int) -> bool:
        """Take the account's next attempt slot if none was taken since `earliest` (atomic)."""
        try:
            self._update(
                f"LOGINFAIL#{email}",
                "SET lastAttemptAt = :now",
                {":now": now, ":earliest": earliest},
                condition="attribute_exists(userId) AND lastAttemptAt <= :earliest",
                returns="NONE",
            )
            return True
        except ConditionFailedError:
            return False

    def record_login_failure(self, email: str, now: int, window: int) -> dict[str, Any]:
        """Count a failed sign-in of the account in the current window (a new window when the
        last one is over)."""
        key = f"LOGINFAIL#{email}"
        try:
            return self._update(
                key,
                "SET windowStart = if_not_exists(windowStart, :now), #type = :type, "
                "lastAttemptAt = :now, expiresAt = :exp ADD failures :one",
                {":now": now, ":one": 1, ":cutoff": now - window, ":exp": now + window, ":type": LOGINFAIL},
                names={"#type": "type"},
                condition="attribute_not_exists(windowStart) OR windowStart > :cutoff",
            )
        except ConditionFailedError:  # the previous window is over: start a new one
            item = {
                "userId": key,
                "type": LOGINFAIL,
                "failures": 1,
                "windowStart": now,
                "lastAttemptAt": now,
                "expiresAt": now + window,
            }
            self.db.put_item(TableName=self.table, Item=_item(item))
            return item

    def clear_login_failures(self, email: str, *clients: str) -> None:
        """Forget the account's failures (and those of the given clients of it)."""
        for key in (email, *(f"{email}#{c}" for c in clients)):
            self.db.delete_item(TableName=self.table, Key=self._key(f"LOGINFAIL#{key}"))
