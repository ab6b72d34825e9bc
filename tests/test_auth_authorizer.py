"""The API's TOKEN authorizer: only valid access tokens of this stage get a policy."""

from __future__ import annotations

import base64
import json
import time
from types import SimpleNamespace

import boto3
import jwt
import pytest
from moto import mock_aws
from shared import aws
from shared.testing import LAMBDA_ENV, FakeContext, create_jwt_secret, token_event

ISS, AUD = "ecommerce-ai-platform/dev/auth", "ecommerce-ai-platform/dev/api"
METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/compliance/cases/c-1"


@pytest.fixture()
def authz(monkeypatch):
    for key, value in LAMBDA_ENV.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        aws.reset()
        arn = create_jwt_secret(boto3.client("secretsmanager", region_name="us-east-1"))
        monkeypatch.setenv("JWT_SECRET_ARN", arn)
        from auth_service import authorizer, tokens

        tokens.forget_key()
        key = tokens.signing_key()
        yield SimpleNamespace(handler=authorizer.lambda_handler, key=key, tokens=tokens)
        tokens.forget_key()
        aws.reset()


def claims(**overrides):
    now = int(time.time())
    base = {
        "iss": ISS,
        "aud": AUD,
        "sub": "user-1",
        "email": "a@example.com",
        "role": "user",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "j-1",
        "token_use": "access",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(key, **overrides):
    return jwt.encode(claims(**overrides), key, algorithm="HS256")


def authorize(authz, header, method_arn=METHOD_ARN):
    return authz.handler(token_event(header, method_arn=method_arn), FakeContext())


def rejected(authz, header, method_arn=METHOD_ARN):
    with pytest.raises(Exception) as info:
        authorize(authz, header, method_arn)
    return str(info.value) == "Unauthorized"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_valid_token_gets_a_stage_wide_allow_and_the_callers_context(authz):
    token = sign(authz.key, role="admin")
    result = authorize(authz, "Bearer " + token)
    assert result["principalId"] == "user-1"
    assert result["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/*",
            }
        ],
    }
    exp = str(jwt.decode(token, options={"verify_signature": False})["exp"])
    assert result["context"] == {"userId": "user-1", "email": "a@example.com", "role": "admin", "exp": exp}
    assert all(isinstance(v, str) for v in result["context"].values())


def test_tokens_issued_by_the_service_are_accepted(authz):
    token, _ = authz.tokens.issue_access_token("u-9", "z@example.com", "user")
    assert authorize(authz, f"Bearer {token}")["context"]["userId"] == "u-9"
    assert authorize(authz, f"bearer {token}")["principalId"] == "u-9"  # the scheme is case-insensitive


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc.def.ghi",
        "Bearer not-a-jwt",
        "Bearer a.b",
        "Bearer a.b.c",
        "Bearer  x.y.z",
        "Bearer " + "a" * 5000 + ".b.c",
    ],
)
def test_missing_or_malformed_headers_are_unauthorized(authz, header):
    assert rejected(authz, header)


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": int(time.time()) - 10},  # expired
        {"nbf": int(time.time()) + 600},  # not yet valid
        {"iss": "someone-else"},  # another issuer
        {"aud": "ecommerce-ai-platform/prod/api"},  # another stage's audience
        {"aud": None},
        {"exp": None},
        {"jti": None},
        {"sub": None},
        {"iat": None},
        {"nbf": None},  # missing claims
        {"token_use": "refresh"},
        {"token_use": None},  # not an access token
    ],
)
def test_invalid_claims_are_unauthorized(authz, overrides):
    assert rejected(authz, "Bearer " + sign(authz.key, **overrides))


def test_a_tampered_token_is_unauthorized(authz):
    header, payload, signature = sign(authz.key).split(".")
    forged = b64(claims(role="admin"))
    assert rejected(authz, f"Bearer {header}.{forged}.{signature}")
    assert rejected(authz, f"Bearer {header}.{payload}.{signature[:-4]}AAAA")


def test_a_token_signed_with_another_key_is_unauthorized(authz):
    assert rejected(authz, "Bearer " + sign(b"another-key-that-is-long-enough-32b!"))


def test_alg_none_is_unauthorized(authz):
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    assert rejected(authz, f"Bearer {unsigned}")
    assert rejected(authz, "Bearer " + jwt.encode(claims(), None, algorithm="none"))


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hmac_algorithms_are_unauthorized(authz, alg):
    assert rejected(authz, "Bearer " + jwt.encode(claims(), authz.key, algorithm=alg))


def test_asymmetric_algorithms_are_unauthorized(authz):
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert rejected(authz, "Bearer " + jwt.encode(claims(), private, algorithm="RS256"))


def test_an_unexpected_method_arn_is_unauthorized(authz):
    assert rejected(authz, "Bearer " + sign(authz.key), method_arn="arn:aws:s3:::bucket")


def test_a_missing_signing_key_is_an_error_not_a_401(authz, monkeypatch):
    authz.tokens.forget_key()
    monkeypatch.setenv(
        "JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"
    )
    with pytest.raises(Exception) as info:
        authorize(authz, "Bearer " + sign(authz.key))
    assert str(info.value) != "Unauthorized"


def test_the_signing_key_is_cached_for_five_minutes(authz, monkeypatch):
    calls = []
    real = aws.client("secretsmanager")
    monkeypatch.setattr(real, "get_secret_value", lambda **kw: calls.append(kw) or {"SecretString": "k" * 64})
    authz.tokens.forget_key()
    start = time.monotonic()
    assert authz.tokens.signing_key(now=start) == b"k" * 64
    authz.tokens.signing_key(now=start + 299)
    assert len(calls) == 1
    authz.tokens.signing_key(now=start + 301)
    assert len(calls) == 2


def test_a_non_token_event_is_unauthorized(authz):
    with pytest.raises(Exception, match="Unauthorized"):
        authz.handler({"type": "REQUEST", "methodArn": METHOD_ARN}, FakeContext())
