# ruff: noqa: F811  (the `auth` fixture is imported from test_auth_service)
"""Issue 10: what an attacker and a bad day could do to the auth service, each fixed and kept
fixed. Every test here failed on the code before the fix (see the commit messages)."""

from __future__ import annotations

import json
import threading
import time
import unicodedata

import pytest
from shared.testing import ORIGIN, call

from tests.test_auth_service import (  # noqa: F401  (the fixture)
    NEW_PASSWORD,
    PASSWORD,
    TABLE,
    assert_error,
    auth,
    change,
    forgot,
    items,
    login,
    mails,
    refresh,
    register,
    reset,
    signed_up,
)

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
WRONG = "Wrong-Password-1!"


def login_from(auth, ip, email="alice@example.com", password=PASSWORD):
    return call(
        auth.handler, "POST", "/auth/login", body={"email": email, "password": password}, source_ip=ip
    )


# --- 1. reset tokens die with a newer token, a reset or a password change ---------------------


def test_a_newer_reset_token_invalidates_the_older_one(auth):
    register(auth)
    forgot(auth, "alice@example.com")
    forgot(auth, "alice@example.com")
    t1, t2 = (m["resetToken"] for m in mails(auth)[-2:])
    assert_error(reset(auth, t1), 400, "INVALID_RESET_TOKEN")
    assert reset(auth, t2, NEW_PASSWORD).status == 200
    assert_error(reset(auth, t1, "Yet-Another-Pass#99"), 400, "INVALID_RESET_TOKEN")
    assert login(auth, password=NEW_PASSWORD).status == 200


def test_a_reset_invalidates_every_older_reset_token(auth):
    register(auth)
    forgot(auth, "alice@example.com")
    forgot(auth, "alice@example.com")
    t1, t2 = (m["resetToken"] for m in mails(auth)[-2:])
    assert reset(auth, t2, NEW_PASSWORD).status == 200
    assert_error(reset(auth, t1, "Yet-Another-Pass#99"), 400, "INVALID_RESET_TOKEN")
    assert login(auth, password=NEW_PASSWORD).status == 200


def test_a_password_change_invalidates_reset_tokens_issued_before_it(auth):
    _, _, ctx = signed_up(auth)
    forgot(auth, "alice@example.com")
    token = mails(auth)[-1]["resetToken"]
    assert change(auth, ctx, PASSWORD, NEW_PASSWORD).status == 204
    assert_error(reset(auth, token, "Yet-Another-Pass#99"), 400, "INVALID_RESET_TOKEN")
    assert login(auth, password=NEW_PASSWORD).status == 200


# --- 3. lockout is not a switch an attacker can hold ------------------------------------------


def test_an_attacker_failing_from_one_address_does_not_lock_out_the_real_user(auth):
    register(auth)
    auth.clock.frozen = time.time()
    statuses = [login_from(auth, "198.51.100.66", password=WRONG).status for _ in range(12)]
    assert 429 in statuses  # the attacker is stopped...
    auth.clock.offset += 61  # ...and the account waits at most a minute between attempts
    assert login_from(auth, "203.0.113.7").status == 200  # the real user, from their address


def test_the_attackers_address_is_limited_per_account_and_stays_limited(auth):
    register(auth)
    auth.clock.frozen = time.time()
    for _ in range(10):
        login_from(auth, "198.51.100.66", password=WRONG)
        auth.clock.offset += 61  # even slowly: at most 10 tries per 15 minutes from one address
    blocked = login_from(auth, "198.51.100.66")  # even with the right password
    assert_error(blocked, 429, "TOO_MANY_ATTEMPTS")
    assert int(blocked.headers["retry-after"]) <= 15 * 60


def test_a_caller_who_proves_the_session_is_never_refused_for_failed_sign_ins(auth):
    _, _, ctx = signed_up(auth)
    auth.clock.frozen = time.time()
    for _ in range(12):
        login(auth, password=WRONG)
    assert change(auth, ctx, PASSWORD, NEW_PASSWORD).status == 204


def test_parallel_wrong_logins_are_checked_against_the_limit_atomically(auth, monkeypatch):
    from auth_service import passwords, service
    from auth_service.store import UserStore

    # DynamoDB applies each conditional UpdateItem atomically; in-process moto does not across
    # threads, so its updates are serialised here as the real service does per item.
    atomic = threading.Lock()
    real_update = UserStore._update

    def one_at_a_time(self, *args, **kwargs):
        with atomic:
            return real_update(self, *args, **kwargs)

    monkeypatch.setattr(UserStore, "_update", one_at_a_time)
    register(auth)
    auth.clock.frozen = time.time()
    verified = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: verified.append(1) or real_verify(h, p))
    barrier = threading.Barrier(30)
    statuses: list[int] = []

    def attempt():
        barrier.wait()
        statuses.append(login_from(auth, "198.51.100.66", password=WRONG).status)

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(verified) <= service.CLIENT_ATTEMPTS  # the password was checked at most the limit
    assert statuses.count(429) >= 30 - service.CLIENT_ATTEMPTS


def test_a_success_clears_the_failure_count(auth):
    # 4 failures, a success, 1 failure in the same window: the count is 1, nobody is slowed
    register(auth)
    auth.clock.frozen = time.time()
    for _ in range(4):
        login(auth, password=WRONG)
    assert login(auth).status == 200
    login(auth, password=WRONG)
    record = next(i for i in items(auth) if i["userId"]["S"] == "LOGINFAIL#alice@example.com")
    assert int(record["failures"]["N"]) == 1
    assert login(auth).status == 200


# --- 5. a lost refresh answer does not sign the user out --------------------------------------


def test_a_retried_refresh_within_the_grace_window_gets_the_same_successor(auth):
    _, pair, _ = signed_up(auth)
    auth.clock.frozen = time.time()
    first = refresh(auth, pair["refreshToken"]).json  # its answer is "lost"
    auth.clock.offset += 3
    retry = refresh(auth, pair["refreshToken"])
    assert retry.status == 200 and retry.json["refreshToken"] == first["refreshToken"]
    assert refresh(auth, first["refreshToken"]).status == 200  # the session goes on


def test_reuse_after_the_grace_window_still_revokes_the_family(auth):
    _, pair, _ = signed_up(auth)
    auth.clock.frozen = time.time()
    rotated = refresh(auth, pair["refreshToken"]).json
    auth.clock.offset += 11
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")
    assert_error(refresh(auth, rotated["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")


def test_reuse_after_the_successor_was_used_revokes_even_within_the_grace_window(auth):
    _, pair, _ = signed_up(auth)
    auth.clock.frozen = time.time()
    rotated = refresh(auth, pair["refreshToken"]).json
    newest = refresh(auth, rotated["refreshToken"]).json
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")
    assert_error(refresh(auth, newest["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")


# --- 6. passwords are compared in one Unicode form --------------------------------------------


def test_a_password_registered_in_nfc_signs_in_when_typed_in_nfd(auth):
    composed = unicodedata.normalize("NFC", "Crème-Brûlée-9-Àpres")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert register(auth, password=composed).status == 201
    assert login(auth, password=decomposed).status == 200
    assert register(auth, "bob@example.com", password=decomposed).status == 201
    assert login(auth, "bob@example.com", password=composed).status == 200


# --- tests the suite lacked -------------------------------------------------------------------


def test_fresh_hashes_are_argon2id_with_the_rfc_9106_parameters():
    from argon2 import Type, extract_parameters
    from auth_service import passwords

    params = extract_parameters(passwords.hash_password(PASSWORD))
    assert params.type is Type.ID
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 64 * 1024, 4)
    assert params.hash_len >= 32 and params.salt_len >= 16


def test_a_context_without_a_role_is_a_user_and_admin_operations_answer_403(monkeypatch):
    from shared.api import create_app, make_handler
    from shared.identity import ADMIN, caller, require_role

    monkeypatch.setenv("ALLOWED_ORIGIN", "https://app.example.com")
    app = create_app("test")

    @app.get("/who")
    def who():
        return {"role": caller(app).role}

    @app.get("/admin-only")
    def admin_only():
        require_role(app, ADMIN)
        return {"ok": True}

    handler = make_handler(app)
    context = {"userId": "u-1", "email": "u@example.com"}  # no role
    assert call(handler, "GET", "/who", user=context).json == {"role": "user"}
    assert call(handler, "GET", "/admin-only", user=context).status == 403
    assert call(handler, "GET", "/admin-only", user={**context, "role": "admin"}).status == 200


# --- 8. token records expire; users never do --------------------------------------------------


def test_every_record_but_users_and_emails_carries_the_ttl_attribute(auth):
    _, pair, ctx = signed_up(auth)
    refresh(auth, pair["refreshToken"])
    login(auth, password=WRONG)
    forgot(auth, "alice@example.com")
    change(auth, ctx, PASSWORD, NEW_PASSWORD)
    kinds = {}
    for item in items(auth):
        kinds.setdefault(item["type"]["S"], []).append("expiresAt" in item)
    assert {"USER", "EMAIL", "REFRESH", "FAMILY", "RESET", "LOGINFAIL"} <= set(kinds)
    for kind, flags in kinds.items():
        expected = kind not in ("USER", "EMAIL")
        assert all(flag is expected for flag in flags), kind


# --- 7. no cached allow outlives its token ----------------------------------------------------


def test_the_authorizer_context_carries_the_tokens_expiry(auth):
    from auth_service import authorizer, tokens

    token, _ = tokens.issue_access_token("u-1", "u@example.com", "user", int(time.time()))
    arn = "arn:aws:execute-api:us-east-2:123456789012:abc123defg/dev/GET/auth/me"
    answer = authorizer.lambda_handler(
        {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": arn}
    )
    assert int(answer["context"]["exp"]) == tokens.decode_access_token(token)["exp"]


def test_every_service_refuses_an_identity_whose_token_expired(monkeypatch):
    # API Gateway may hand a service a cached authorizer answer after the token expired.
    from shared.api import create_app, make_handler

    monkeypatch.setenv("ALLOWED_ORIGIN", ORIGIN)
    app = create_app("test")

    @app.get("/anything")
    def anything():  # a route that never looks at the caller
        return {"ok": True}

    handler = make_handler(app)
    now = int(time.time())
    fresh = {"userId": "u-1", "role": "user", "exp": str(now + 60)}
    stale = {**fresh, "exp": str(now - 1)}
    assert call(handler, "GET", "/anything", user=fresh).status == 200
    refused = call(handler, "GET", "/anything", user=stale)
    assert refused.status == 401 and refused.json["error"]["code"] == "UNAUTHORIZED"
    assert refused.headers.get("access-control-allow-origin") == ORIGIN  # the web app can read it
    assert call(handler, "GET", "/anything").status == 200  # public: no identity, no check


# --- 2. forgot-password: the same work either way, a rate limit, no registrant's text ---------


def aws_operations(auth, action):
    """The AWS operations `action()` makes, in order (botocore's before-call hook)."""
    from shared import aws

    seen: list[str] = []
    clients = [aws.client("dynamodb"), aws.client("sqs"), auth.ddb]

    def record(model, **_):
        seen.append(model.name)

    for client in clients:
        client.meta.events.register("before-call.*.*", record)
    try:
        action()
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.*.*", record)
    return seen


def test_forgot_password_does_the_same_work_for_known_and_unknown_emails(auth):
    register(auth)
    known = aws_operations(auth, lambda: forgot(auth, "alice@example.com", deliver=False))
    unknown = aws_operations(auth, lambda: forgot(auth, "nobody@example.com", deliver=False))
    assert known == unknown == ["SendMessage"]  # one enqueue; no lookup on the request path
    assert mails(auth) == []  # nothing sent until the queue is consumed
    from tests.test_auth_service import deliver_mail

    deliver_mail(auth)
    assert [m["to"] for m in mails(auth)] == ["alice@example.com"]


def test_reset_mails_to_one_address_are_rate_limited(auth):
    from auth_service import service

    register(auth)
    for _ in range(30):
        assert forgot(auth, "alice@example.com", deliver=False).status == 202
    from tests.test_auth_service import deliver_mail

    deliver_mail(auth)
    assert len(mails(auth)) == service.MAILS_PER_HOUR
    # the last one issued is the one that works (a newer token invalidates the older ones)
    assert reset(auth, mails(auth)[-1]["resetToken"]).status == 200


def test_the_reset_mail_carries_no_text_the_registrant_chose(auth):
    bait = "Urgent: call +1 555 0100 at evil.example"
    call(
        auth.handler,
        "POST",
        "/auth/register",
        body={"email": "victim@example.com", "password": PASSWORD, "name": bait},
    )
    forgot(auth, "victim@example.com")
    (mail,) = mails(auth)
    assert bait not in json.dumps(mail) and "evil.example" not in mail["text"]
