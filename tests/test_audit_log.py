"""AuditLog under mocks (the access log's subscription to compliance-guardian), and the access-log
format carrying every field the audit ingest reads."""

from __future__ import annotations

import json

import pulumi

from components.api import ACCESS_LOG_FORMAT
from components.audit_log import AuditLog, AuditLogArgs
from components.settings import from_stack_file
from preview.harness import run

GROUP = "/aws/apigateway/futureim-ecommerce-ai-platform-api-dev"
GROUP_ARN = f"arn:aws:logs:us-east-2:123456789012:log-group:{GROUP}"
FUNCTION = "futureim-ecommerce-ai-platform-compliance-guardian-dev"
ALIAS = f"arn:aws:lambda:us-east-2:123456789012:function:{FUNCTION}:live"


def audit_run():
    settings = from_stack_file("dev")

    def program() -> None:
        made = AuditLog(
            "audit-log",
            AuditLogArgs(
                settings=settings,
                access_log_group_name=GROUP,
                access_log_group_arn=GROUP_ARN,
                function_name=FUNCTION,
                alias_arn=ALIAS,
            ),
        )
        pulumi.export("filter", made.subscription_filter_name)

    return run(program, stack="dev")


def test_every_access_log_line_goes_to_the_live_alias():
    result = audit_run()
    sub = result.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert sub.get("logGroup") == GROUP
    assert sub.get("filterPattern") == ""
    assert sub.get("destinationArn") == ALIAS
    assert sub.get("name") == "futureim-ecommerce-ai-platform-audit-log-dev"


def test_only_this_log_group_may_invoke_the_function():
    result = audit_run()
    permission = result.one("aws:lambda/permission:Permission")
    assert permission.get("principal") == "logs.amazonaws.com"
    assert permission.get("function") == FUNCTION and permission.get("qualifier") == "live"
    assert permission.get("sourceArn") == GROUP_ARN + ":*"
    assert permission.get("sourceAccount") == "123456789012"
    sub = result.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    component = result.one("ecommerce:audit_log:AuditLog")
    assert sub.parent == component.urn and permission.parent == component.urn


def test_access_log_format_carries_what_the_audit_log_records():
    fields = json.loads(ACCESS_LOG_FORMAT)
    assert fields["requestId"] == "$context.requestId"
    assert fields["user"] == "$context.authorizer.principalId"
    assert fields["email"] == "$context.authorizer.email"
    assert fields["ip"] == "$context.identity.sourceIp"
    assert fields["httpMethod"] == "$context.httpMethod"
    assert fields["path"] == "$context.path"
    assert fields["resourcePath"] == "$context.resourcePath"
    assert fields["status"] == "$context.status"
    assert fields["latency"] == "$context.responseLatency"
    assert fields["requestTimeEpoch"] == "$context.requestTimeEpoch"


def test_the_program_subscribes_the_api_access_log(dev):
    sub = dev.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    group = dev.one("aws:cloudwatch/logGroup:LogGroup", "api-access-logs")
    assert sub.get("logGroup") == group.get("name")
    alias = dev.one("aws:lambda/alias:Alias", "compliance-guardian")
    assert sub.get("destinationArn") == alias.outputs["arn"]
