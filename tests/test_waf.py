"""The API's firewall (components/waf.py) under Pulumi mocks: a rate-based rule on the public
credential operations, attached to the API stage, limits from the stack's settings."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from components.catalog import OPENAPI_PATH
from components.settings import SettingsError
from components.waf import CREDENTIAL_PATHS, credential_path_regex, error_body

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


def the_rule(run) -> dict:
    (rule,) = run.one(WEB_ACL).inputs["rules"]
    return rule


def test_the_credential_paths_are_the_public_auth_operations_that_hash_or_mail():
    spec = yaml.safe_load(OPENAPI_PATH.read_text())
    public_auth_posts = {
        path
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method == "post" and op.get("x-service") == "auth-service" and op.get("security") == []
    }
    # Refreshing a token hashes nothing and sends nothing; every other public one does.
    assert set(CREDENTIAL_PATHS) == public_auth_posts - {"/auth/refresh"}


def test_one_regional_web_acl_is_attached_to_the_api_stage(stack_run):
    acl = stack_run.one(WEB_ACL)
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    association = stack_run.one(ASSOCIATION)
    stage = stack_run.one("aws:apigateway/stage:Stage")
    assert association.inputs["resourceArn"] == stage.outputs["arn"]
    assert association.inputs["webAclArn"] == acl.outputs["arn"]


def test_the_rule_counts_posts_per_client_ip_to_the_credential_operations(stack_run):
    rule = the_rule(stack_run)
    rate = rule["statement"]["rateBasedStatement"]
    assert rate["aggregateKeyType"] == "IP"
    assert rate["limit"] == 100 and rate["evaluationWindowSec"] == 300  # the stack files' values
    method, path = rate["scopeDownStatement"]["andStatement"]["statements"]
    assert method["byteMatchStatement"]["searchString"] == "POST"
    assert method["byteMatchStatement"]["positionalConstraint"] == "EXACTLY"
    regex = path["regexMatchStatement"]
    assert regex["regexString"] == credential_path_regex(stack_run.stack)
    # WAF decodes and normalises the path first: /dev/auth//%6cogin is /dev/auth/login.
    assert [t["type"] for t in sorted(regex["textTransformations"], key=lambda t: t["priority"])] == [
        "URL_DECODE",
        "NORMALIZE_PATH",
    ]
    assert rule["visibilityConfig"]["cloudwatchMetricsEnabled"] is True


def test_a_blocked_client_gets_429_in_the_error_model_with_retry_after_and_cors(stack_run):
    acl = stack_run.one(WEB_ACL)
    response = the_rule(stack_run)["action"]["block"]["customResponse"]
    assert response["responseCode"] == 429
    headers = {h["name"]: h["value"] for h in response["responseHeaders"]}
    assert headers["Retry-After"] == "300"
    site_origin = stack_run.outputs["frontendUrl"]
    assert headers["Access-Control-Allow-Origin"] == site_origin
    (body,) = [b for b in acl.inputs["customResponseBodies"] if b["key"] == response["customResponseBodyKey"]]
    assert body["contentType"] == "APPLICATION_JSON"
    error = json.loads(body["content"])["error"]
    assert error["code"] == "TOO_MANY_REQUESTS" and error["details"]["retryAfter"] == 300


@pytest.mark.parametrize(
    ("path", "counted"),
    [
        ("/dev/auth/login", True),
        ("/dev/auth/login/", True),
        ("/dev/auth/register", True),
        ("/dev/auth/forgot-password", True),
        ("/dev/auth/reset-password", True),
        ("/dev/auth/refresh", False),
        ("/dev/auth/me", False),
        ("/dev/auth/change-password", False),
        ("/dev/auth/loginx", False),
        ("/dev/auth/login/extra", False),
        ("/prod/auth/login", False),  # another stage's API is another web ACL's business
        ("/dev/analytics/kpis", False),
    ],
)
def test_the_path_pattern_matches_exactly_the_credential_operations(path, counted):
    assert bool(re.search(credential_path_regex("dev"), path)) is counted


def test_the_limits_come_from_the_stack_settings(settings_for):
    settings = settings_for("prod", authRateLimit=40, authRateWindowSeconds=60)
    assert (settings.auth_rate_limit, settings.auth_rate_window_seconds) == (40, 60)
    with pytest.raises(SettingsError, match="authRateWindowSeconds"):
        settings_for("dev", authRateWindowSeconds=90)  # WAF accepts 60, 120, 300 or 600 only
    with pytest.raises(SettingsError, match="authRateLimit"):
        settings_for("dev", authRateLimit=5)  # below WAF's minimum of 10


def test_a_changed_limit_reaches_the_web_acl():
    from preview.harness import run_program

    run = run_program(
        "dev", {"ecommerce-ai-platform:authRateLimit": 25, "ecommerce-ai-platform:authRateWindowSeconds": 120}
    )
    rate = the_rule(run)["statement"]["rateBasedStatement"]
    assert (rate["limit"], rate["evaluationWindowSec"]) == (25, 120)
    headers = {
        h["name"]: h["value"] for h in the_rule(run)["action"]["block"]["customResponse"]["responseHeaders"]
    }
    assert headers["Retry-After"] == "120"


def test_the_error_body_is_the_contract_error_shape():
    body = json.loads(error_body(60))
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    assert body["error"]["details"] == {"retryAfter": 60}
