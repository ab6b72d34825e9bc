"""The API's firewall: an AWS WAF web ACL on the API stage.

Its rule: at most `authRateLimit` POSTs per client IP in any `authRateWindowSeconds` to the
public credential operations (register, login, forgot-password, reset-password), each of which
costs an argon2 hash or a mail. Past it, WAF answers 429 in the API's error model, with
`Retry-After` and the CORS header the web app needs to read the answer. The auth service's own
per-account limits (TOO_MANY_ATTEMPTS) stay behind it; this rule bounds the hashing load any one
client can cause, so a flood of sign-ins cannot take the Lambda concurrency that token checks and
`/auth/me` need. The local gateway applies the same limit (local/ratelimit.py), reading the same
constants and settings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings import Settings

# The contract paths of the public operations that hash a password or send a mail. A test
# checks this against the contract (every public auth-service POST but the token refresh).
CREDENTIAL_PATHS = ("/auth/register", "/auth/login", "/auth/forgot-password", "/auth/reset-password")
LIMITED_METHOD = "POST"
ERROR_CODE = "TOO_MANY_REQUESTS"
ERROR_MESSAGE = "Too many requests from this client to the sign-in operations; retry later"
BODY_KEY = "too-many-requests"


def credential_path_regex(stage: str) -> str:
    """The URI paths WAF counts, as API Gateway receives them (stage first; a trailing slash
    is the same resource). WAF matches after URL-decoding and normalising the path."""
    names = "|".join(re.escape(p.removeprefix("/auth/")) for p in CREDENTIAL_PATHS)
    return rf"^/{re.escape(stage)}/auth/({names})/?$"


def error_body(retry_after: int) -> str:
    """The 429 body, the same from WAF and from the local gateway."""
    return json.dumps(
        {"error": {"code": ERROR_CODE, "message": ERROR_MESSAGE, "details": {"retryAfter": retry_after}}},
        separators=(",", ":"),
    )


@dataclass
class ApiFirewallArgs:
    settings: Settings
    stage_arn: pulumi.Input[str]
    frontend_origin: pulumi.Input[str]


class ApiFirewall(pulumi.ComponentResource):
    web_acl_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ApiFirewallArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:security:ApiFirewall", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)
        acl_name = s.name("api-waf")
        window = s.auth_rate_window_seconds

        def visibility(metric: str) -> dict:
            return {
                "cloudwatch_metrics_enabled": True,
                "metric_name": metric,
                "sampled_requests_enabled": True,
            }

        uri_path = {"uri_path": {}}
        normalised = [{"priority": 0, "type": "URL_DECODE"}, {"priority": 1, "type": "NORMALIZE_PATH"}]
        credential_requests = {
            "and_statement": {
                "statements": [
                    {
                        "byte_match_statement": {
                            "field_to_match": {"method": {}},
                            "positional_constraint": "EXACTLY",
                            "search_string": LIMITED_METHOD,
                            "text_transformations": [{"priority": 0, "type": "NONE"}],
                        }
                    },
                    {
                        "regex_match_statement": {
                            "field_to_match": uri_path,
                            "regex_string": credential_path_regex(s.stack),
                            "text_transformations": normalised,
                        }
                    },
                ]
            }
        }
        web_acl = aws.wafv2.WebAcl(
            f"{name}-web-acl",
            name=acl_name,
            description="Rate limits on the API's public credential operations",
            scope="REGIONAL",
            default_action={"allow": {}},
            custom_response_bodies=[
                {"key": BODY_KEY, "content": error_body(window), "content_type": "APPLICATION_JSON"}
            ],
            rules=[
                {
                    "name": "credential-operations-per-ip",
                    "priority": 0,
                    "action": {
                        "block": {
                            "custom_response": {
                                "response_code": 429,
                                "custom_response_body_key": BODY_KEY,
                                "response_headers": [
                                    {"name": "Retry-After", "value": str(window)},
                                    {"name": "Access-Control-Allow-Origin", "value": args.frontend_origin},
                                ],
                            }
                        }
                    },
                    "statement": {
                        "rate_based_statement": {
                            "aggregate_key_type": "IP",
                            "limit": s.auth_rate_limit,
                            "evaluation_window_sec": window,
                            "scope_down_statement": credential_requests,
                        }
                    },
                    "visibility_config": visibility(f"{acl_name}-credentials"),
                }
            ],
            visibility_config=visibility(acl_name),
            tags=s.tags("API"),
            opts=child,
        )
        aws.wafv2.WebAclAssociation(
            f"{name}-stage-association", resource_arn=args.stage_arn, web_acl_arn=web_acl.arn, opts=child
        )
        self.web_acl_arn = web_acl.arn
        self.register_outputs({"webAclArn": self.web_acl_arn})
