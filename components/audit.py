"""Audit: the seed's CloudTrail audit trail, and alarms on what users would notice first
(API 5xx and Lambda errors), sent to an SNS topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import harden_bucket
from components.settings import Settings

SYSTEM = "Audit"
ALARM_PERIOD_SECONDS = 300
API_5XX_THRESHOLD = 5  # 5xx responses in 5 minutes: a few stray ones are not a page
LAMBDA_ERROR_THRESHOLD = 1  # any unhandled function error in 5 minutes
TRAIL_LOGS_TO_GLACIER_DAYS = 90


@dataclass
class AuditArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]
    api: Any  # Api: api_name (Output), stage_name (str), rest_api_id
    services: Any  # Services: function_names (catalog short name -> Output[str])
    # Queues where failed work is parked (short name -> queue name): a message there is work
    # that will not happen unless someone looks (a reset mail, a data job).
    dead_letter_queues: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class Audit(pulumi.ComponentResource):
    trail_arn: pulumi.Output[str]
    alarm_topic_arn: pulumi.Output[str]
    trail_bucket: pulumi.Output[str]

    def __init__(self, name: str, args: AuditArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:audit:Audit", name, None, opts)
        s = args.settings
        tags = s.tags(SYSTEM)
        child = pulumi.ResourceOptions(parent=self)
        key_arn = pulumi.Output.from_input(args.kms_key_arn)

        trail_name = s.name("trail")
        # Known before the trail exists, so the bucket policy can name it (aws:SourceArn)
        # without a dependency cycle.
        trail_arn = f"arn:aws:cloudtrail:{s.region}:{s.account_id}:trail/{trail_name}"

        # ---- trail bucket ------------------------------------------------------------------
        bucket = aws.s3.Bucket(
            f"{name}-trail-bucket",
            bucket=s.bucket_name("cloudtrail"),
            # Audit logs outlive a careless destroy in prod.
            force_destroy=not s.deletion_protection,
            tags=tags,
            opts=child,
        )

        # CloudTrail checks the bucket ACL, then writes under AWSLogs/<account>/; both only on
        # behalf of this trail (aws:SourceArn).
        def cloudtrail_statements(arn: str) -> list[dict]:
            return [
                {
                    "Sid": "AWSCloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": arn,
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                },
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{arn}/AWSLogs/{s.account_id}/*",
                    "Condition": {
                        "StringEquals": {
                            "s3:x-amz-acl": "bucket-owner-full-control",
                            "aws:SourceArn": trail_arn,
                        }
                    },
                },
            ]

        hardened = harden_bucket(
            f"{name}-trail",
            bucket,
            opts=child,
            kms_key_arn=key_arn,
            # No S3 Bucket Key on the trail bucket. CloudTrail documents that a bucket with an S3
            # Bucket Key needs kms:Decrypt for the trail to be created or updated with SSE-KMS,
            # and the bucket key makes S3 call KMS with the bucket's ARN as encryption context
            # instead of CloudTrail's `aws:cloudtrail:arn`, which the key policy conditions on:
            # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
            # The log files themselves are SSE-KMS with the trail's own key (kms_key_id below).
            bucket_key=False,
            lifecycle_rules=[
                {
                    "id": "archive-audit-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    # Kept, only moved to cheaper storage: nobody reads old trail logs daily.
                    "transitions": [{"days": TRAIL_LOGS_TO_GLACIER_DAYS, "storage_class": "GLACIER"}],
                    "noncurrent_version_transitions": [
                        {"noncurrent_days": TRAIL_LOGS_TO_GLACIER_DAYS, "storage_class": "GLACIER"}
                    ],
                }
            ],
            policy_statements=cloudtrail_statements,
            policy_name=f"{name}-trail-bucket-policy",
        )

        # ---- trail ------------------------------------------------------------------------
        # Management events are free for the first trail of an account and billed for every
        # other one: the stack that owns the account trail (manageAccountTrail, prod by
        # default) records them in every region; another stack in the same account records
        # only writes to its own data lake (data events), in its region.
        if s.manage_account_trail:
            scope: dict[str, Any] = {"is_multi_region_trail": True, "include_global_service_events": True}
        else:
            lake = [f"arn:aws:s3:::{s.bucket_name(part)}/" for part in ("raw", "curated")]
            scope = {
                "is_multi_region_trail": False,
                "include_global_service_events": False,
                "event_selectors": [
                    {
                        "read_write_type": "WriteOnly",
                        "include_management_events": False,
                        "data_resources": [{"type": "AWS::S3::Object", "values": lake}],
                    }
                ],
            }
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=bucket.id,
            **scope,
            enable_log_file_validation=True,
            enable_logging=True,
            # The key's policy must let cloudtrail.amazonaws.com GenerateDataKey* (Encryption).
            kms_key_id=key_arn,
            tags=tags,
            # CloudTrail checks it can write to the bucket when the trail is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hardened.policy]),
        )

        # ---- alarms -------------------------------------------------------------------------
        topic = aws.sns.Topic(
            f"{name}-alarms",
            name=s.name("alarms"),
            # CloudWatch must be allowed kms:Decrypt/GenerateDataKey* on this key to publish.
            kms_master_key_id=key_arn,
            tags=tags,
            opts=child,
        )
        if s.alarm_email:
            # Stays "pending confirmation" until the recipient clicks the link AWS sends.
            aws.sns.TopicSubscription(
                f"{name}-alarm-email",
                topic=topic.arn,
                protocol="email",
                endpoint=s.alarm_email,
                opts=child,
            )

        api = args.api
        common = dict(
            period=ALARM_PERIOD_SECONDS,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            statistic="Sum",
            comparison_operator="GreaterThanOrEqualToThreshold",
            # No traffic means no errors, not an unknown state.
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            tags=tags,
            opts=child,
        )
        aws.cloudwatch.MetricAlarm(
            f"{name}-api-5xx",
            name=s.name("api-5xx"),
            alarm_description=f"API stage {api.stage_name} answered {API_5XX_THRESHOLD}+ "
            f"server errors in 5 minutes",
            namespace="AWS/ApiGateway",
            metric_name="5XXError",
            dimensions={"ApiName": api.api_name, "Stage": api.stage_name},
            threshold=API_5XX_THRESHOLD,
            **common,
        )
        # Every function, the authorizer included: a failing authorizer fails every call.
        for short_name, function_name in args.services.function_names.items():
            aws.cloudwatch.MetricAlarm(
                f"{name}-{short_name}-errors",
                name=s.name(f"{short_name}-errors"),
                alarm_description=f"{short_name} raised an unhandled error",
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions={"FunctionName": function_name},
                threshold=LAMBDA_ERROR_THRESHOLD,
                **common,
            )

        for short_name, queue_name in args.dead_letter_queues.items():
            aws.cloudwatch.MetricAlarm(
                f"{name}-{short_name}-parked",
                name=s.name(f"{short_name}-parked"),
                alarm_description=f"a message is waiting in {short_name}: failed work to look at",
                namespace="AWS/SQS",
                metric_name="ApproximateNumberOfMessagesVisible",
                dimensions={"QueueName": queue_name},
                threshold=1,
                **{**common, "statistic": "Maximum"},
            )

        self.trail_arn = trail.arn
        self.alarm_topic_arn = topic.arn
        self.trail_bucket = bucket.bucket
        self.register_outputs(
            {
                "trail_arn": self.trail_arn,
                "alarm_topic_arn": self.alarm_topic_arn,
                "trail_bucket": self.trail_bucket,
            }
        )
