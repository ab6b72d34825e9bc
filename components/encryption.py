"""Encryption: the platform's two customer-managed KMS keys.

- data key: the users table, the data lake buckets, Athena results, log groups, CloudTrail
  and the alarm topic.
- pipeline key: the pipeline's artifacts, CodeBuild logs, and the secrets (GitHub token, JWT
  signing key) in Secrets Manager.

Both rotate yearly and have an alias. Key policies grant the account root (so IAM policies
decide who else may use a key) plus the AWS services that call KMS as themselves, each scoped
by a condition on this account's resources. No statement names `"*"` as principal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.settings import Settings

SYSTEM = "Security"

PolicyDocument = dict[str, Any]


@dataclass
class EncryptionArgs:
    settings: Settings


def _root_statement(settings: Settings) -> dict[str, Any]:
    # Without it the key would be manageable only through its policy; with it, IAM policies
    # (the Lambdas', CodeBuild's and CodePipeline's roles) grant use of the key.
    return {
        "Sid": "EnableIamPolicies",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{settings.account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def _logs_statement(settings: Settings) -> dict[str, Any]:
    # CloudWatch Logs calls KMS as its own service principal, for log groups of this account only.
    region, account = settings.region, settings.account_id
    return {
        "Sid": "AllowCloudWatchLogs",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{region}.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account}:log-group:*",
            }
        },
    }


def data_key_policy(settings: Settings) -> PolicyDocument:
    region, account = settings.region, settings.account_id
    trails = f"arn:aws:cloudtrail:{region}:{account}:trail/*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            _root_statement(settings),
            _logs_statement(settings),
            {
                # CloudTrail encrypts log files with this key, for this account's trails only.
                "Sid": "AllowCloudTrailEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*",
                    },
                    "ArnLike": {"aws:SourceArn": trails},
                },
            },
            {
                "Sid": "AllowCloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": trails}},
            },
            {
                # CloudWatch alarms, EventBridge (the delivery-failure rules of Monitoring) and SNS
                # itself, when delivering, publish to the alarm topic, which is encrypted with this
                # key. This is the statement AWS documents for encrypted topics, without
                # conditions: a condition key the services do not send would silently drop alarm
                # notifications. Decrypt/GenerateDataKey* only.
                "Sid": "AllowAlarmsToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {
                    "Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com"]
                },
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ],
    }


def pipeline_key_policy(settings: Settings) -> PolicyDocument:
    # CodePipeline and CodeBuild use the key through their service roles, so IAM (enabled by the
    # root statement) grants them; their roles and the secrets' readers scope it further with
    # kms:ViaService. The only service that calls KMS as itself here is CloudWatch Logs, for the
    # CodeBuild log groups.
    return {
        "Version": "2012-10-17",
        "Statement": [_root_statement(settings), _logs_statement(settings)],
    }


class Encryption(pulumi.ComponentResource):
    data_key_arn: pulumi.Output[str]
    data_key_id: pulumi.Output[str]
    pipeline_key_arn: pulumi.Output[str]
    pipeline_key_id: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:encryption:Encryption", name, None, opts)
        settings = args.settings

        data_key = self._key(
            name,
            "data",
            settings,
            data_key_policy(settings),
            "Platform data: users table, data lake, Athena results, logs, trail, alarms",
        )
        pipeline_key = self._key(
            name,
            "pipeline",
            settings,
            pipeline_key_policy(settings),
            "Delivery pipeline: artifacts, build logs, secrets",
        )

        self.data_key_arn = data_key.arn
        self.data_key_id = data_key.key_id
        self.pipeline_key_arn = pipeline_key.arn
        self.pipeline_key_id = pipeline_key.key_id
        self.register_outputs(
            {
                "data_key_arn": self.data_key_arn,
                "data_key_id": self.data_key_id,
                "pipeline_key_arn": self.pipeline_key_arn,
                "pipeline_key_id": self.pipeline_key_id,
            }
        )

    def _key(
        self, name: str, part: str, settings: Settings, policy: PolicyDocument, description: str
    ) -> aws.kms.Key:
        key = aws.kms.Key(
            f"{name}-{part}-key",
            description=f"{settings.name(part)}: {description}",
            enable_key_rotation=True,
            # A deleted key makes everything it encrypted unreadable: protected stacks get the
            # longest window AWS allows to notice and cancel a deletion.
            deletion_window_in_days=30 if settings.deletion_protection else 7,
            policy=json.dumps(policy),
            tags=settings.tags(SYSTEM),
            opts=pulumi.ResourceOptions(parent=self, protect=settings.deletion_protection),
        )
        aws.kms.Alias(
            f"{name}-{part}-alias",
            name=f"alias/{settings.name(part)}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key
