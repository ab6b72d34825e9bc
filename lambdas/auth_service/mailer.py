"""Password-reset e-mail: queued by forgot-password, sent by the auth function from the queue
(components/mail_queue.py); SES in AWS, a folder of JSON files on one machine.

- MAILBOX_DIR set (local platform, tests): the message is written to
  `<MAILBOX_DIR>/<time>-<id>.json` ({to, from, subject, text, resetUrl, resetToken, sentAt})
  for the developer to open.
- SES_SENDER set: `ses.send_email` from that (verified) address.
- neither: the message is dropped with a warning. The reset link is a credential: it is never
  written to the logs.

The link points at the frontend (APP_URL, else ALLOWED_ORIGIN) with the token in the fragment
(`/reset-password#token=...`): a fragment is not sent to servers, so the token stays out of
CDN and access logs and Referer headers.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from shared import aws
from shared.env import required
from shared.observability import logger

SUBJECT = "Reset your eCommerce AI Platform password"


def reset_url(token: str) -> str:
    base = (os.environ.get("APP_URL") or os.environ.get("ALLOWED_ORIGIN") or "http://localhost:5173").rstrip(
        "/"
    )
    return f"{base}/reset-password#token={token}"


def reset_message(to: str, token: str, minutes: int) -> dict[str, Any]:
    """The reset mail. Only text we wrote: nothing a registrant chose (a name) goes into it."""
    url = reset_url(token)
    text = (
        "Hello,\n\nSomeone (hopefully you) asked to reset the password of your account.\n"
        f"Open this link within {minutes} minutes to choose a new password:\n\n{url}\n\n"
        "If you did not ask for this, ignore this e-mail: your password stays as it is.\n"
    )
    return {"to": to, "subject": SUBJECT, "text": text, "resetUrl": url, "resetToken": token}


def enqueue(request: dict[str, Any]) -> None:
    """Put a reset request on the queue (RESET_QUEUE_URL) for the auth function to send."""
    aws.client("sqs").send_message(QueueUrl=required("RESET_QUEUE_URL"), MessageBody=json.dumps(request))


def send(message: dict[str, Any]) -> str:
    """Deliver `message`; returns how: "mailbox", "ses" or "dropped"."""
    mailbox = os.environ.get("MAILBOX_DIR")
    sender = os.environ.get("SES_SENDER")
    if mailbox:
        folder = Path(mailbox)
        folder.mkdir(parents=True, exist_ok=True)
        stamped = {
            **message,
            "from": sender or "no-reply@localhost",
            "sentAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        path = folder / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stamped, indent=2))
        tmp.replace(path)  # a reader never sees half a file
        return "mailbox"
    if sender:
        aws.client("ses").send_email(
            Source=sender,
            Destination={"ToAddresses": [message["to"]]},
            Message={
                "Subject": {"Data": message["subject"], "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message["text"], "Charset": "UTF-8"}},
            },
        )
        return "ses"
    logger.warning("no mail transport configured (SES_SENDER / MAILBOX_DIR): reset e-mail dropped")
    return "dropped"
