"""auth-service end to end: API Gateway proxy events -> the real handler -> DynamoDB and
Secrets Manager (moto). Every flow, and the attacks the service must resist."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import boto3
import jwt
import pytest
import yaml
from moto import mock_aws
from shared import aws
from shared.testing import LAMBDA_ENV, call, create_jwt_secret, user

from local.aws import create_users_table

ROOT = Path(__file__).resolve().parent.parent
TABLE = LAMBDA_ENV["USERS_TABLE"]
PASSWORD = "Correct-Horse-9-Battery"
NEW_PASSWORD = "Another-Strong#Passw0rd"
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@pytest.fixture()
def auth(monkeypatch, tmp_path):
    for key, value in LAMBDA_ENV.items():
        monkeypatch.setenv(key, value)
    mailbox = tmp_path / "mailbox"
    monkeypatch.setenv("MAILBOX_DIR", str(mailbox))
    with mock_aws():
        aws.reset()
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        create_users_table(ddb, TABLE)
        arn = create_jwt_secret(boto3.client("secretsmanager", region_name="us-east-1"))
        monkeypatch.setenv("JWT_SECRET_ARN", arn)
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="reset-mail-test")["QueueUrl"]
        monkeypatch.setenv("RESET_QUEUE_URL", queue_url)
        from auth_service import handler, service, tokens

        tokens.forget_key()
        clock = SimpleNamespace(offset=0.0, frozen=None)  # set `frozen` to stop the clock
        monkeypatch.setattr(
            service, "now", lambda: (time.time() if clock.frozen is None else clock.frozen) + clock.offset
        )
        yield SimpleNamespace(
            handler=handler.lambda_handler,
            ddb=ddb,
            sqs=sqs,
            queue_url=queue_url,
            mailbox=mailbox,
            clock=clock,
            key=tokens.signing_key(),
        )
        tokens.forget_key()
        aws.reset()


def items(auth):
    return auth.ddb.scan(TableName=TABLE)["Items"]


def keys(auth):
    return sorted(i["userId"]["S"] for i in items(auth))


def register(auth, email="alice@example.com", password=PASSWORD, name="Alice"):
    return call(
        auth.handler, "POST", "/auth/register", body={"email": email, "password": password, "name": name}
    )


def login(auth, email="alice@example.com", password=PASSWORD):
    return call(auth.handler, "POST", "/auth/login", body={"email": email, "password": password})


def signed_up(auth, email="alice@example.com"):
    """Register and sign in; (profile, token pair, authorizer context)."""
    profile = register(auth, email).json
    pair = login(auth, email).json
    return profile, pair, user(profile["userId"], profile["email"], profile["role"])


def mails(auth):
    return (
        [json.loads(p.read_text()) for p in sorted(auth.mailbox.glob("*.json"))]
        if auth.mailbox.exists()
        else []
    )


def assert_error(res, status, code):
    assert res.status == status, res.text
    assert res.json["error"]["code"] == code, res.text
    assert set(res.json["error"]) == {"code", "message", "details"}
    return res.json["error"]


def without_request_id(res):
    body = res.json
    body.get("error", {}).get("details", {}).pop("requestId", None)
    return body


# --- contract -----------------------------------------------------------------------------------


def test_the_router_implements_exactly_the_contracts_auth_operations(auth):
    from auth_service.handler import app
    from shared.api import routes

    spec = yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text())
    expected = sorted(
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and op.get("x-service") == "auth-service"
    )
    assert routes(app) == expected
    assert len(expected) == 11


# --- register -----------------------------------------------------------------------------------


def test_register_creates_the_user_and_its_email_record(auth):
    res = register(auth, " Alice@Example.COM ")
    assert res.status == 201, res.text
    assert set(res.json) == {"userId", "email", "name", "role", "createdAt", "updatedAt"}
    assert res.json["email"] == "alice@example.com" and res.json["role"] == "user"
    user_id = res.json["userId"]
    assert keys(auth) == sorted([user_id, "EMAIL#alice@example.com"])
    stored = auth.ddb.get_item(TableName=TABLE, Key={"userId": {"S": user_id}})["Item"]
    assert stored["passwordHash"]["S"].startswith("$argon2id$")
    assert "expiresAt" not in stored  # a user item never carries an expiry attribute
    email_record = auth.ddb.get_item(TableName=TABLE, Key={"userId": {"S": "EMAIL#alice@example.com"}})[
        "Item"
    ]
    assert email_record["ownerId"]["S"] == user_id and "email" not in email_record  # not in the email-index


@pytest.mark.parametrize("variant", ["alice@example.com", "ALICE@example.com", "  alice@EXAMPLE.com\t"])
def test_a_taken_email_is_409_whatever_its_case_or_spaces(auth, variant):
    assert register(auth).status == 201
    assert_error(register(auth, variant), 409, "EMAIL_TAKEN")
    assert len(keys(auth)) == 2


class OneRequestAtATime:
    """DynamoDB applies each request atomically; moto does not under threads (a failed
    transaction restores a copy of the whole table, undoing other threads' writes). This wrapper
    gives moto DynamoDB's per-request atomicity and nothing more: requests of different threads
    still interleave, so a check-then-write registration would let two threads win."""

    def __init__(self, client):
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def locked(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)

        return locked


def test_concurrent_registrations_of_one_email_exactly_one_wins(auth, monkeypatch):
    from auth_service import passwords
    from auth_service.store import UserStore

    aws.override("dynamodb", OneRequestAtATime(aws.client("dynamodb")))
    # All four requests reach the store together (hashing would stagger them otherwise).
    fixed_hash = passwords.hash_password(PASSWORD)
    monkeypatch.setattr(passwords, "hash_password", lambda password: fixed_hash)
    at_the_store = threading.Barrier(4)
    real_create = UserStore.create_user

    def create_together(self, new_user):
        at_the_store.wait()
        return real_create(self, new_user)

    monkeypatch.setattr(UserStore, "create_user", create_together)
    results = []

    def attempt(i):
        results.append(register(auth, f" Race@Example.com{' ' * i}", name=f"Racer {i}").status)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409, 409, 409]
    users = [i for i in items(auth) if i["type"]["S"] == "USER"]
    assert len(users) == 1 and keys(auth).count("EMAIL#race@example.com") == 1


@pytest.mark.parametrize(
    "password,problem",
    [
        ("Short1!a", "at least 12"),
        ("alllowercase1!x", "upper-case"),
        ("ALLUPPERCASE1!X", "lower-case"),
        ("NoDigitsHere!!x", "digit"),
        ("NoSymbols12345x", "symbol"),
        ("Xalice-2024!!yz", "email"),
        ("Password123!", "too common"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_is_stored(auth, password, problem):
    err = assert_error(register(auth, password=password), 400, "WEAK_PASSWORD")
    assert any(problem in f["message"] for f in err["details"]["fields"]), err
    assert keys(auth) == []


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"email": "not-an-email", "password": PASSWORD, "name": "A"}, "email"),
        ({"email": "a@b", "password": PASSWORD, "name": "A"}, "email"),
        ({"password": PASSWORD, "name": "A"}, "email"),
        ({"email": "a@example.com", "password": PASSWORD, "name": ""}, "name"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "   "}, "name"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "x" * 101}, "name"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "Bad\u0000Name"}, "name"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "A", "role": "admin"}, "role"),
        ({"email": 42, "password": PASSWORD, "name": "A"}, "email"),
        ({"email": "a@example.com", "password": "x" * 129, "name": "A"}, "password"),
    ],
)
def test_invalid_registrations_are_400_and_change_nothing(auth, payload, field):
    res = call(auth.handler, "POST", "/auth/register", body=payload)
    err = assert_error(res, 400, "VALIDATION_ERROR")
    assert field in {f["field"] for f in err["details"]["fields"]}
    assert keys(auth) == []


@pytest.mark.parametrize("raw", ["{not json", "", "[]", "null", '"text"'])
def test_malformed_bodies_are_400_and_change_nothing(auth, raw):
    res = call(auth.handler, "POST", "/auth/register", raw_body=raw)
    assert res.status == 400 and res.json["error"]["code"] in ("MALFORMED_BODY", "VALIDATION_ERROR")
    assert keys(auth) == []


# --- login --------------------------------------------------------------------------------------


def test_login_issues_an_access_token_and_a_hashed_refresh_token(auth):
    profile = register(auth).json
    res = login(auth, "  ALICE@example.com ")
    assert res.status == 200, res.text
    pair = res.json
    assert pair["tokenType"] == "Bearer" and pair["expiresIn"] == 15 * 60
    assert pair["user"] == profile
    claims = jwt.decode(
        pair["accessToken"],
        auth.key,
        algorithms=["HS256"],
        audience="ecommerce-ai-platform/dev/api",
        issuer="ecommerce-ai-platform/dev/auth",
    )
    assert claims["sub"] == profile["userId"] and claims["email"] == "alice@example.com"
    assert (
        claims["role"] == "user" and claims["exp"] - claims["iat"] == 900 and claims["nbf"] == claims["iat"]
    )
    assert claims["jti"] and jwt.get_unverified_header(pair["accessToken"])["alg"] == "HS256"
    # The refresh token is stored only as its SHA-256.
    digest = hashlib.sha256(pair["refreshToken"].encode()).hexdigest()
    assert f"REFRESH#{digest}" in keys(auth)
    assert pair["refreshToken"] not in json.dumps(items(auth))


def test_access_token_lifetime_follows_the_setting(auth, monkeypatch):
    register(auth)
    monkeypatch.setenv("ACCESS_TOKEN_MINUTES", "5")
    assert login(auth).json["expiresIn"] == 300


def test_wrong_password_and_unknown_email_get_the_same_answer_and_the_same_work(auth, monkeypatch):
    from auth_service import passwords

    register(auth)
    verified = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: verified.append(h) or real_verify(h, p))

    wrong = login(auth, password="Wrong-Password-1!")
    unknown = login(auth, email="nobody@example.com")
    assert_error(wrong, 401, "INVALID_CREDENTIALS")
    assert_error(unknown, 401, "INVALID_CREDENTIALS")
    assert without_request_id(wrong) == without_request_id(unknown)
    # Each answer cost one argon2 verification: the unknown email against a dummy hash.
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)


def test_failures_slow_the_account_down_but_never_lock_it_for_long(auth):
    register(auth)
    auth.clock.frozen = time.time()
    for _ in range(5):
        assert_error(login(auth, password="Wrong-Password-1!"), 401, "INVALID_CREDENTIALS")
    # From the fifth failure on, each attempt waits 1, 2, 4 ... seconds (at most a minute).
    slowed = login(auth)
    err = assert_error(slowed, 429, "TOO_MANY_ATTEMPTS")
    assert int(slowed.headers["retry-after"]) == 1
    assert err["details"]["retryAfter"] == int(slowed.headers["retry-after"])
    auth.clock.offset += 2
    assert login(auth).status == 200  # the real password gets through after the delay
    # A success clears the count: four more failures do not slow anyone down.
    for _ in range(4):
        login(auth, password="Wrong-Password-1!")
    assert login(auth).status == 200


def test_unknown_emails_slow_down_too_so_a_delay_reveals_nothing(auth):
    auth.clock.frozen = time.time()
    for _ in range(5):
        login(auth, email="ghost@example.com")
    assert_error(login(auth, email="ghost@example.com"), 429, "TOO_MANY_ATTEMPTS")


def test_failures_outside_the_window_do_not_count(auth):
    register(auth)
    for _ in range(4):
        login(auth, password="Wrong-Password-1!")
    auth.clock.offset = 16 * 60
    login(auth, password="Wrong-Password-1!")
    assert login(auth).status == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "alice@example.com"},
        {"email": "alice@example.com", "password": ""},
        {"email": "alice@example.com", "password": 1},
        {},
    ],
)
def test_invalid_login_bodies_are_400_and_do_not_count_as_failures(auth, payload):
    register(auth)
    assert_error(call(auth.handler, "POST", "/auth/login", body=payload), 400, "VALIDATION_ERROR")
    assert not any(k.startswith("LOGINFAIL#") for k in keys(auth))


# --- refresh and logout -------------------------------------------------------------------------


def refresh(auth, token):
    return call(auth.handler, "POST", "/auth/refresh", body={"refreshToken": token})


def test_refresh_rotates_the_token(auth):
    _, pair, _ = signed_up(auth)
    res = refresh(auth, pair["refreshToken"])
    assert res.status == 200, res.text
    assert res.json["refreshToken"] != pair["refreshToken"]
    assert (
        jwt.decode(res.json["accessToken"], auth.key, algorithms=["HS256"], options={"verify_aud": False})[
            "sub"
        ]
        == pair["user"]["userId"]
    )
    assert refresh(auth, res.json["refreshToken"]).status == 200


def test_reusing_a_rotated_refresh_token_revokes_its_whole_family(auth):
    _, pair, _ = signed_up(auth)
    other_session = login(auth).json  # another device: another family
    rotated = refresh(auth, pair["refreshToken"]).json
    auth.clock.offset += 11  # past the grace window for lost answers
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")  # replay
    assert_error(refresh(auth, rotated["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")  # family revoked
    assert refresh(auth, other_session["refreshToken"]).status == 200


@pytest.mark.parametrize("token", ["garbage", "x" * 43, "", "a" * 5000])
def test_unknown_or_malformed_refresh_tokens_are_refused(auth, token):
    signed_up(auth)
    assert refresh(auth, token).status in (400, 401)


def test_refresh_tokens_expire_after_thirty_days(auth):
    _, pair, _ = signed_up(auth)
    auth.clock.offset = 30 * 24 * 3600 + 1
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")


def test_logout_revokes_the_session(auth):
    _, pair, ctx = signed_up(auth)
    res = call(auth.handler, "POST", "/auth/logout", body={"refreshToken": pair["refreshToken"]}, user=ctx)
    assert res.status == 204 and not res.text
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")


def test_logout_needs_a_caller_and_cannot_revoke_someone_elses_session(auth):
    _, alice, _ = signed_up(auth)
    _, _, bob_ctx = signed_up(auth, "bob@example.com")
    assert_error(
        call(auth.handler, "POST", "/auth/logout", body={"refreshToken": alice["refreshToken"]}),
        401,
        "UNAUTHORIZED",
    )
    res = call(
        auth.handler, "POST", "/auth/logout", body={"refreshToken": alice["refreshToken"]}, user=bob_ctx
    )
    assert res.status == 204
    assert refresh(auth, alice["refreshToken"]).status == 200


# --- forgot / reset password --------------------------------------------------------------------


def forgot(auth, email, deliver=True):
    """POST forgot-password, then (like the event source mapping) hand the queued request to
    the function, unless `deliver` is False."""
    res = call(auth.handler, "POST", "/auth/forgot-password", body={"email": email})
    if deliver:
        deliver_mail(auth)
    return res


def deliver_mail(auth):
    from local.queues import deliver

    while deliver(auth.sqs, auth.queue_url, lambda event: auth.handler(event, None), region="us-east-1"):
        pass


def reset(auth, token, password=NEW_PASSWORD):
    return call(auth.handler, "POST", "/auth/reset-password", body={"token": token, "newPassword": password})


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(auth):
    register(auth)
    known, unknown = forgot(auth, "Alice@example.com"), forgot(auth, "nobody@example.com")
    assert known.status == unknown.status == 202
    assert known.json == unknown.json and known.text == unknown.text
    assert {k: v for k, v in known.headers.items()} == {k: v for k, v in unknown.headers.items()}
    sent = mails(auth)
    assert len(sent) == 1 and sent[0]["to"] == "alice@example.com"
    assert sent[0]["resetUrl"].endswith("#token=" + sent[0]["resetToken"])
    # Stored hashed, expiring in 30 minutes.
    digest = hashlib.sha256(sent[0]["resetToken"].encode()).hexdigest()
    record = auth.ddb.get_item(TableName=TABLE, Key={"userId": {"S": f"RESET#{digest}"}})["Item"]
    assert 1790 <= int(record["expiresAt"]["N"]) - time.time() <= 1800


def test_reset_password_flow(auth):
    _, pair, _ = signed_up(auth)
    forgot(auth, "alice@example.com")
    token = mails(auth)[-1]["resetToken"]
    res = reset(auth, token)
    assert res.status == 200 and "message" in res.json
    assert_error(login(auth), 401, "INVALID_CREDENTIALS")
    assert login(auth, password=NEW_PASSWORD).status == 200
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")  # sessions revoked
    assert_error(reset(auth, token, "Yet-Another-Pass#99"), 400, "INVALID_RESET_TOKEN")  # single use
    assert login(auth, password=NEW_PASSWORD).status == 200
    assert any(i["type"]["S"] == "USER" for i in items(auth))  # the user is still there


def test_reset_tokens_expire_after_thirty_minutes(auth):
    register(auth)
    forgot(auth, "alice@example.com")
    token = mails(auth)[-1]["resetToken"]
    auth.clock.offset = 30 * 60 + 1
    assert_error(reset(auth, token), 400, "RESET_TOKEN_EXPIRED")
    assert login(auth).status == 200


def test_a_weak_new_password_does_not_spend_the_reset_token(auth):
    register(auth)
    forgot(auth, "alice@example.com")
    token = mails(auth)[-1]["resetToken"]
    assert_error(reset(auth, token, "weakpassword"), 400, "WEAK_PASSWORD")
    assert reset(auth, token).status == 200


@pytest.mark.parametrize("token", ["nope", "A" * 43, "../../etc/passwd"])
def test_unknown_reset_tokens_are_400(auth, token):
    register(auth)
    assert_error(reset(auth, token), 400, "INVALID_RESET_TOKEN")


def test_reset_clears_the_accounts_failures(auth):
    register(auth)
    for _ in range(5):
        login(auth, password="Wrong-Password-1!")
    forgot(auth, "alice@example.com")
    assert reset(auth, mails(auth)[-1]["resetToken"]).status == 200
    assert login(auth, password=NEW_PASSWORD).status == 200


def test_reset_mail_goes_through_ses_in_aws(auth, monkeypatch):
    monkeypatch.delenv("MAILBOX_DIR")
    monkeypatch.setenv("SES_SENDER", "no-reply@example.com")
    sent = []
    aws.override("ses", SimpleNamespace(send_email=lambda **kw: sent.append(kw) or {"MessageId": "1"}))
    register(auth)
    assert forgot(auth, "alice@example.com").status == 202
    assert len(sent) == 1 and sent[0]["Source"] == "no-reply@example.com"
    assert sent[0]["Destination"] == {"ToAddresses": ["alice@example.com"]}
    assert "#token=" in sent[0]["Message"]["Body"]["Text"]["Data"]


# --- change password ----------------------------------------------------------------------------


def change(auth, ctx, current, new):
    return call(
        auth.handler,
        "POST",
        "/auth/change-password",
        body={"currentPassword": current, "newPassword": new},
        user=ctx,
    )


def test_change_password(auth):
    _, pair, ctx = signed_up(auth)
    assert_error(change(auth, ctx, "Wrong-Password-1!", NEW_PASSWORD), 400, "INVALID_CURRENT_PASSWORD")
    assert_error(change(auth, ctx, PASSWORD, "weakweakweak"), 400, "WEAK_PASSWORD")
    assert_error(change(auth, ctx, PASSWORD, PASSWORD), 400, "WEAK_PASSWORD")
    assert login(auth).status == 200  # nothing changed so far
    res = change(auth, ctx, PASSWORD, NEW_PASSWORD)
    assert res.status == 204 and not res.text
    assert_error(refresh(auth, pair["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")
    assert login(auth, password=NEW_PASSWORD).status == 200
    assert_error(
        call(
            auth.handler,
            "POST",
            "/auth/change-password",
            body={"currentPassword": NEW_PASSWORD, "newPassword": PASSWORD},
        ),
        401,
        "UNAUTHORIZED",
    )


# --- me -----------------------------------------------------------------------------------------


def test_get_and_update_me(auth):
    profile, _, ctx = signed_up(auth)
    assert call(auth.handler, "GET", "/auth/me", user=ctx).json == profile
    res = call(auth.handler, "PATCH", "/auth/me", body={"name": "  Alice Liddell "}, user=ctx)
    assert res.status == 200 and res.json["name"] == "Alice Liddell"
    assert call(auth.handler, "GET", "/auth/me", user=ctx).json["name"] == "Alice Liddell"


@pytest.mark.parametrize(
    "payload",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"name": "a\nb"},
        {},
        {"name": "Eve", "role": "admin"},
        {"name": "Eve", "email": "e@example.com"},
    ],
)
def test_update_me_validates_and_never_changes_role_or_email(auth, payload):
    profile, _, ctx = signed_up(auth)
    assert_error(call(auth.handler, "PATCH", "/auth/me", body=payload, user=ctx), 400, "VALIDATION_ERROR")
    assert call(auth.handler, "GET", "/auth/me", user=ctx).json == profile


def test_me_needs_a_caller_and_an_existing_user(auth):
    assert_error(call(auth.handler, "GET", "/auth/me"), 401, "UNAUTHORIZED")
    assert_error(call(auth.handler, "GET", "/auth/me", user=user("no-such-user")), 404, "NOT_FOUND")
    assert_error(
        call(auth.handler, "PATCH", "/auth/me", body={"name": "X"}, user=user("no-such-user")),
        404,
        "NOT_FOUND",
    )
    # Internal records are not users, even when asked for by key.
    assert_error(
        call(auth.handler, "GET", "/auth/me", user=user("EMAIL#alice@example.com")), 404, "NOT_FOUND"
    )


# --- verify and health --------------------------------------------------------------------------


def test_verify_introspects_tokens(auth):
    profile, pair, ctx = signed_up(auth)
    res = call(auth.handler, "POST", "/auth/verify", body={"token": pair["accessToken"]}, user=ctx)
    assert res.status == 200
    assert res.json["active"] is True and res.json["sub"] == profile["userId"]
    assert res.json["email"] == "alice@example.com" and res.json["tokenType"] == "access"
    for bad in (pair["accessToken"][:-2] + "xx", pair["refreshToken"], "a.b.c"):
        assert call(auth.handler, "POST", "/auth/verify", body={"token": bad}, user=ctx).json == {
            "active": False
        }
    assert_error(
        call(auth.handler, "POST", "/auth/verify", body={"token": pair["accessToken"]}), 401, "UNAUTHORIZED"
    )
    assert_error(call(auth.handler, "POST", "/auth/verify", body={}, user=ctx), 400, "VALIDATION_ERROR")


def test_health(auth):
    res = call(auth.handler, "GET", "/health")
    assert res.status == 200
    assert res.json["status"] == "ok" and res.json["service"] == "auth-service" and res.json["stage"] == "dev"
    assert res.json["version"] and res.json["time"].endswith("Z")


def test_health_reports_an_unreachable_table(auth, monkeypatch):
    monkeypatch.setenv("USERS_TABLE", "no-such-table")
    assert_error(call(auth.handler, "GET", "/health"), 503, "SERVICE_UNAVAILABLE")


# --- nothing secret ever leaves -----------------------------------------------------------------


def test_no_response_ever_contains_a_hash(auth):
    texts = []
    texts.append(register(auth).text)
    pair = login(auth).json
    texts.append(json.dumps(pair))
    ctx = user(pair["user"]["userId"], "alice@example.com")
    texts.append(refresh(auth, pair["refreshToken"]).text)
    texts.append(call(auth.handler, "GET", "/auth/me", user=ctx).text)
    texts.append(call(auth.handler, "PATCH", "/auth/me", body={"name": "A"}, user=ctx).text)
    texts.append(forgot(auth, "alice@example.com").text)
    texts.append(
        call(auth.handler, "POST", "/auth/verify", body={"token": pair["accessToken"]}, user=ctx).text
    )
    texts.append(login(auth, password="Wrong-Password-1!").text)
    everything = "\n".join(texts)
    assert "argon2" not in everything and "passwordHash" not in everything
    stored = [
        i["userId"]["S"].split("#", 1)[1]
        for i in items(auth)
        if i["userId"]["S"].startswith(("REFRESH#", "RESET#", "FAMILY#"))
    ]
    assert stored and not any(s in everything for s in stored)
