"""Data jobs: the data-jobs function (catalog.DATA_JOBS) runs after every dataset upload.

`python -m datagen upload` writes the dataset's manifest (`_meta/manifest.json`) to the curated
bucket last, after every table's files. The bucket sends its object events to EventBridge
(components/data_lake.py); a rule for "Object Created" of that key invokes the function's `live`
alias asynchronously, so the analytics services' data-versioned artifacts (the shared daily sales
cube, cohorts, segments, customer scores, the reorder base, the fraud model) are built by the
job, not inside the first API request that needs them.

An asynchronous invocation that still fails after Lambda's retries goes to a failure queue
(SQS, encrypted with the data key): the policy pack's lambda-async-failure-destination
(CKV_AWS_116). Only the rule may invoke the function (a Permission scoped to the rule's ARN);
the function's role gets, besides its catalog needs, only SendMessage to that queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.catalog import DATA_JOBS
from components.services import LIVE_ALIAS
from components.settings import Settings

# The object whose creation means "a new dataset is complete" (datagen/upload.py writes it last).
MANIFEST_KEY = "_meta/manifest.json"
# Lambda's asynchronous retries (0-2) and how long an event may wait for them.
MAXIMUM_RETRY_ATTEMPTS = 2
MAXIMUM_EVENT_AGE_SECONDS = 6 * 3600
FAILURE_RETENTION_SECONDS = 14 * 24 * 3600  # time to look at what failed


def event_pattern(curated_bucket: str) -> str:
    """EventBridge pattern: the manifest of an upload, created in the curated bucket."""
    return json.dumps(
        {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [curated_bucket]}, "object": {"key": [MANIFEST_KEY]}},
        },
        sort_keys=True,
    )


def failure_queue_name(settings: Settings) -> str:
    return settings.name(f"{DATA_JOBS.name}-failures")


@dataclass
class DataJobsArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]  # the data key: encrypts the failure queue
    curated_bucket: pulumi.Input[str]
    function_name: pulumi.Input[str]  # the data-jobs function
    alias_arn: pulumi.Input[str]  # its live alias: what the rule invokes
    role_name: pulumi.Input[str]  # its execution role: sends failed events to the queue


class DataJobs(pulumi.ComponentResource):
    rule_name: pulumi.Output[str]
    rule_arn: pulumi.Output[str]
    failure_queue_arn: pulumi.Output[str]
    failure_queue_name: pulumi.Output[str]

    def __init__(self, name: str, args: DataJobsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:data:DataJobs", name, None, opts)
        s = args.settings
        tags = s.tags("Data")
        child = pulumi.ResourceOptions(parent=self)

        failures = aws.sqs.Queue(
            f"{name}-failures",
            name=failure_queue_name(s),
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=FAILURE_RETENTION_SECONDS,
            tags=tags,
            opts=child,
        )
        # Lambda sends a failed asynchronous invocation with the function's role.
        send_failures = aws.iam.RolePolicy(
            f"{name}-failure-destination",
            role=args.role_name,
            name=f"{DATA_JOBS.name}-failure-destination",
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "FailureQueue",
                            "Effect": "Allow",
                            "Action": ["sqs:SendMessage"],
                            "Resource": failures.arn,
                        },
                        {
                            "Sid": "FailureQueueKey",
                            "Effect": "Allow",
                            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                            "Resource": args.kms_key_arn,
                            "Condition": {
                                "StringEquals": {"kms:ViaService": f"sqs.{s.region}.amazonaws.com"}
                            },
                        },
                    ],
                }
            ),
            opts=child,
        )
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async",
            function_name=args.function_name,
            qualifier=LIVE_ALIAS,
            maximum_retry_attempts=MAXIMUM_RETRY_ATTEMPTS,
            maximum_event_age_in_seconds=MAXIMUM_EVENT_AGE_SECONDS,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                    destination=failures.arn
                ),
            ),
            # Lambda checks that the role may send to the destination.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[send_failures]),
        )

        rule = aws.cloudwatch.EventRule(
            f"{name}-upload",
            name=s.name(f"{DATA_JOBS.name}-upload"),
            description="A dataset upload completed (its manifest was written): build the artifacts",
            event_pattern=pulumi.Output.from_input(args.curated_bucket).apply(event_pattern),
            tags=tags,
            opts=child,
        )
        permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function_name,
            qualifier=LIVE_ALIAS,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=rule.name,
            arn=args.alias_arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )

        self.rule_name = rule.name
        self.rule_arn = rule.arn
        self.failure_queue_arn = failures.arn
        self.failure_queue_name = failures.name
        self.register_outputs(
            {
                "ruleName": self.rule_name,
                "ruleArn": self.rule_arn,
                "failureQueueArn": self.failure_queue_arn,
                "failureQueueName": self.failure_queue_name,
            }
        )
