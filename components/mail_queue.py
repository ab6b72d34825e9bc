"""The password-reset mail queue: forgot-password only enqueues; the auth function sends.

Why a queue: the answer to forgot-password must cost the same whether or not the account
exists (anything else tells an attacker which e-mails have accounts, by timing), and the mail
must be rate-limited per address. So the API call does one thing in every case, an SQS
SendMessage, and the auth function consumes the queue (an event source mapping on its `live`
alias): it looks the account up, applies the per-address limit, issues the reset token and sends
the mail. Failed batches are retried, then parked in a dead-letter queue.

Its name, URL and ARN follow from the stack's settings, so the Services component can grant and
configure the auth function without depending on this component (which depends on Services for
the consumer).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings import Settings

SYSTEM = "Security"
RETENTION_SECONDS = 4 * 3600  # a reset mail older than this is useless: the token lives 30 min
MAX_RECEIVES = 5
BATCH_SIZE = 10


def queue_name(settings: Settings, dead_letter: bool = False) -> str:
    return settings.name("reset-mail-dlq" if dead_letter else "reset-mail")


def queue_arn(settings: Settings, dead_letter: bool = False) -> str:
    return f"arn:aws:sqs:{settings.region}:{settings.account_id}:{queue_name(settings, dead_letter)}"


def queue_url(settings: Settings) -> str:
    return f"https://sqs.{settings.region}.amazonaws.com/{settings.account_id}/{queue_name(settings)}"


@dataclass
class ResetMailQueueArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]
    consumer_alias_arn: pulumi.Input[str]  # the auth-service function's `live` alias
    consumer_timeout_seconds: int = 30


class ResetMailQueue(pulumi.ComponentResource):
    queue_url: pulumi.Output[str]
    queue_arn: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ResetMailQueueArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ecommerce:mail_queue:ResetMailQueue", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)
        tags = s.tags(SYSTEM)
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=queue_name(s, dead_letter=True),
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=14 * 24 * 3600,  # time to look at what failed
            tags=tags,
            opts=child,
        )
        queue = aws.sqs.Queue(
            f"{name}-queue",
            name=queue_name(s),
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=RETENTION_SECONDS,
            # AWS's advice for a Lambda source: at least six times the function's timeout.
            visibility_timeout_seconds=6 * args.consumer_timeout_seconds,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": MAX_RECEIVES}
            ),
            tags=tags,
            opts=child,
        )
        aws.lambda_.EventSourceMapping(
            f"{name}-consumer",
            event_source_arn=queue.arn,
            function_name=args.consumer_alias_arn,
            batch_size=BATCH_SIZE,
            maximum_batching_window_in_seconds=1,
            # One failed message is retried alone, not with the whole batch.
            function_response_types=["ReportBatchItemFailures"],
            tags=tags,
            opts=child,
        )
        self.queue_url = queue.url
        self.queue_arn = queue.arn
        self.dead_letter_queue_arn = dlq.arn
        self.dead_letter_queue_name = dlq.name  # alarmed on (components/audit.py)
        self.register_outputs(
            {
                "queueUrl": self.queue_url,
                "queueArn": self.queue_arn,
                "deadLetterQueueArn": self.dead_letter_queue_arn,
            }
        )
