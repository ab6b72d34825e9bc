"""Audit log delivery: the API's access log -> compliance-guardian -> the audit table.

API Gateway writes one access-log line per request (components/api.py, ACCESS_LOG_FORMAT) to its
access log group, after answering. A subscription filter on that group hands every line, in
batches, to compliance-guardian's `live` alias, whose handler writes each as an audit event
(lambdas/compliance_guardian/audit.py). The calls themselves wait for nothing: auditing costs
them no latency, and the gateway's own refusals (401/403 from the authorizer, throttling) are
audited too, which a write from each handler could not do. Retention of the events is the
stack's `auditRetentionDays` (DynamoDB TTL on the audit table).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.services import LIVE_ALIAS
from components.settings import Settings

FILTER_PATTERN = ""  # every line: each one is an API call


@dataclass
class AuditLogArgs:
    settings: Settings
    access_log_group_name: pulumi.Input[str]
    access_log_group_arn: pulumi.Input[str]
    function_name: pulumi.Input[str]  # compliance-guardian
    alias_arn: pulumi.Input[str]  # its `live` alias: what the pipeline deploys


class AuditLog(pulumi.ComponentResource):
    subscription_filter_name: pulumi.Output[str]

    def __init__(self, name: str, args: AuditLogArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:audit_log:AuditLog", name, None, opts)
        s = args.settings
        # CloudWatch Logs may invoke the alias only for this log group, in this account.
        permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function_name,
            qualifier=LIVE_ALIAS,
            principal="logs.amazonaws.com",
            source_arn=pulumi.Output.concat(args.access_log_group_arn, ":*"),
            source_account=s.account_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        subscription = aws.cloudwatch.LogSubscriptionFilter(
            f"{name}-subscription",
            name=s.name("audit-log"),
            log_group=args.access_log_group_name,
            filter_pattern=FILTER_PATTERN,
            destination_arn=args.alias_arn,
            distribution="ByLogStream",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
        self.subscription_filter_name = subscription.name
        self.register_outputs({"subscriptionFilterName": self.subscription_filter_name})
