"""The auth service's plain logic, without AWS: passwords, e-mails, tokens, the mailbox."""

from __future__ import annotations

import json

import pytest
from auth_service import mailer, passwords, service, store, tokens
from shared.errors import BadRequest


@pytest.mark.parametrize("password", ["Correct-Horse-9-Battery", "Tr0ub4dor&3xyz", "ÄÖÜäöü123!xyz"])
def test_strong_passwords_pass(password):
    assert passwords.strength_problems(password, "alice@example.com") == []


@pytest.mark.parametrize(
    "password,email,problem",
    [
        ("Aa1!", "", "at least 12"),
        ("aaaaaaaaaaa1!", "", "upper-case"),
        ("AAAAAAAAAAA1!", "", "lower-case"),
        ("Aaaaaaaaaaaa!", "", "digit"),
        ("Aaaaaaaaaaaa1", "", "symbol"),
        ("My-Johnsmith-99", "JohnSmith@example.com", "email"),
        ("Qwerty123456", "", "symbol"),
        ("Welcome123!", "", "at least 12"),
        ("QWERTY@12345", "", "lower-case"),
        ("Password2025!", "", "too common"),
        ("A1!" + "a" * 200, "", "at most 128"),
    ],
)
def test_weak_passwords_are_explained(password, email, problem):
    assert any(problem in p for p in passwords.strength_problems(password, email))


def test_short_local_parts_do_not_forbid_everything():
    assert passwords.strength_problems("Correct-Horse-9-Battery", "al@example.com") == []


def test_hash_and_verify():
    hashed = passwords.hash_password("Correct-Horse-9-Battery")
    assert hashed.startswith("$argon2id$") and "Correct" not in hashed
    assert passwords.verify_password(hashed, "Correct-Horse-9-Battery")
    assert not passwords.verify_password(hashed, "correct-horse-9-battery")
    assert not passwords.verify_password("not a hash", "x")
    assert not passwords.needs_rehash(hashed)  # library defaults


def test_hashes_made_with_weaker_parameters_are_upgraded():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("Correct-Horse-9-Battery")
    assert passwords.needs_rehash(weak)
    assert passwords.verify_password(weak, "Correct-Horse-9-Battery")


@pytest.mark.parametrize(
    "raw,expected",
    [
        (" Alice@Example.COM ", "alice@example.com"),
        ("bob+tag@sub.example.co.uk", "bob+tag@sub.example.co.uk"),
    ],
)
def test_emails_are_normalised(raw, expected):
    assert service.normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plain",
        "a@b",
        "a@@example.com",
        "a b@example.com",
        "a@-x.com",
        "a@example..com",
        None,
        42,
        "x" * 250 + "@example.com",
    ],
)
def test_bad_emails_are_400(raw):
    with pytest.raises(BadRequest):
        service.normalise_email(raw)


def test_profile_is_an_allow_list():
    user = {
        "userId": "u",
        "email": "e",
        "name": "n",
        "role": "user",
        "passwordHash": "$argon2id$...",
        "sessionVersion": 3,
        "createdAt": "t",
        "updatedAt": "t",
    }
    assert service.profile(user) == {
        "userId": "u",
        "email": "e",
        "name": "n",
        "role": "user",
        "createdAt": "t",
        "updatedAt": "t",
    }


def test_opaque_tokens():
    token = tokens.new_opaque_token()
    assert tokens.looks_opaque(token) and len(token) == 43
    assert tokens.token_hash(token) != token and len(tokens.token_hash(token)) == 64
    assert not tokens.looks_opaque("short") and not tokens.looks_opaque("x" * 43 + "!")
    assert tokens.new_opaque_token() != token


def test_signing_secret_formats():
    assert tokens._parse_secret("k" * 64) == b"k" * 64
    assert tokens._parse_secret(json.dumps({"signingKey": "s" * 40})) == b"s" * 40
    with pytest.raises(RuntimeError):
        tokens._parse_secret("too-short")


def test_issuer_and_audience_are_bound_to_the_stage(monkeypatch):
    monkeypatch.setenv("STAGE", "prod")
    assert tokens.issuer() == "ecommerce-ai-platform/prod/auth"
    assert tokens.audience() == "ecommerce-ai-platform/prod/api"


def test_access_token_minutes_are_bounded(monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN_MINUTES", "100000")
    assert tokens.access_token_seconds() == 3600
    monkeypatch.setenv("ACCESS_TOKEN_MINUTES", "junk")
    assert tokens.access_token_seconds() == 900


def test_attribute_values_round_trip():
    values = {"s": "x", "n": 3, "f": 1.5, "b": True, "none": None}
    assert store._plain(store._item(values)) == values


def test_the_mailbox_gets_a_readable_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILBOX_DIR", str(tmp_path))
    monkeypatch.setenv("ALLOWED_ORIGIN", "https://shop.example.com")
    message = mailer.reset_message("a@example.com", "tok123", 30)
    assert mailer.send(message) == "mailbox"
    (path,) = tmp_path.glob("*.json")
    mail = json.loads(path.read_text())
    assert mail["to"] == "a@example.com" and mail["resetToken"] == "tok123"
    assert mail["resetUrl"] == "https://shop.example.com/reset-password#token=tok123"
    assert "30 minutes" in mail["text"]


def test_without_a_transport_the_mail_is_dropped_and_not_logged(monkeypatch):
    monkeypatch.delenv("MAILBOX_DIR", raising=False)
    monkeypatch.delenv("SES_SENDER", raising=False)
    logged = []
    monkeypatch.setattr(mailer.logger, "warning", lambda *a, **k: logged.append((a, k)))
    assert mailer.send(mailer.reset_message("a@example.com", "secret-token", 30)) == "dropped"
    assert logged and "secret-token" not in repr(logged)
