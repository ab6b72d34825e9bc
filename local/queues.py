"""The local stand-in for a Lambda SQS event source mapping: poll a queue on the moto server and
hand each batch to the consuming function as the SQS event Lambda would send, deleting what it
processed and leaving what it reported as failed for a later receive (ReportBatchItemFailures).

Used for the password-reset mail queue (components/mail_queue.py): forgot-password enqueues,
the auth function sends, off the request path, exactly as in AWS.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class _Invoker(Protocol):
    def invoke(self, function: str, event: Mapping[str, Any]) -> Any: ...


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """Lambda's SQS event for messages as ReceiveMessage returns them."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes") or {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def deliver(sqs: Any, queue_url: str, consume: Any, *, region: str, wait_seconds: int = 0) -> int:
    """One receive-and-deliver round; the number of messages processed (and deleted)."""
    got = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds, AttributeNames=["All"]
    ).get("Messages", [])
    if not got:
        return 0
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    result = consume(sqs_event(got, arn, region)) or {}
    failed = {f.get("itemIdentifier") for f in result.get("batchItemFailures", [])}
    done = [m for m in got if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
        )
    return len(done)


class QueuePoller:
    """A thread that long-polls `queue_url` and feeds `function` through the invoker."""

    def __init__(self, sqs: Any, queue_url: str, invoker: _Invoker, function: str, *, region: str) -> None:
        self.sqs, self.queue_url, self.invoker, self.function, self.region = (
            sqs,
            queue_url,
            invoker,
            function,
            region,
        )
        self.delivered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"local-sqs-{function}")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.delivered += deliver(
                    self.sqs,
                    self.queue_url,
                    lambda event: self.invoker.invoke(self.function, event),
                    region=self.region,
                    wait_seconds=1,
                )
            except Exception as exc:  # moto restarting, a worker crash: log and poll again
                if not self._stop.is_set():
                    print(f"[queue] delivery to {self.function} failed: {exc}", file=sys.stderr)
                    self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
