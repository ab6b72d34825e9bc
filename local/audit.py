"""The audit log's delivery on one machine: what CloudWatch Logs does in AWS.

In AWS, API Gateway writes an access-log line per request and a subscription filter delivers
batches of lines to compliance-guardian (components/audit_log.py), which writes the audit
table. Here the local gateway hands each answered request's access-log record to `AuditForwarder`
(after answering: a queue put, microseconds), and a background thread delivers batches to the
same function in the same event shape: `{"awslogs": {"data": base64(gzip(json))}}`.
"""

from __future__ import annotations

import base64
import gzip
import json
import queue
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

FUNCTION = "compliance-guardian"
BATCH = 200
LINGER_S = 0.25  # CloudWatch Logs delivers within seconds; locally a quarter of one
# CloudWatch Logs retries a subscription's failed Lambda delivery; locally the same batch is
# tried again after each of these pauses (~15 s: longer than the moto server's restart),
# then dropped and counted.
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)


class _Invoker(Protocol):
    def invoke(self, function: str, event: Mapping[str, Any]) -> Any: ...


def subscription_event(records: list[Mapping[str, Any]], log_group: str, owner: str) -> dict[str, Any]:
    """A CloudWatch Logs subscription delivery of access-log `records` (JSON lines)."""
    body = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": log_group,
        "logStream": "local",
        "subscriptionFilters": ["audit"],
        "logEvents": [
            {
                "id": str(i),
                "timestamp": int(r.get("requestTimeEpoch") or time.time() * 1000),
                "message": json.dumps(r, separators=(",", ":")),
            }
            for i, r in enumerate(records)
        ],
    }
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(body).encode())).decode()}}


class AuditForwarder:
    def __init__(self, invoker: _Invoker, *, log_group: str, owner: str, function: str = FUNCTION) -> None:
        self.invoker = invoker
        self.log_group = log_group
        self.owner = owner
        self.function = function
        self.delivered = 0
        self.dropped = 0
        self._queue: queue.Queue[Mapping[str, Any] | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, daemon=True, name="local-audit")
        self._thread.start()

    def __call__(self, record: Mapping[str, Any]) -> None:
        self._idle.clear()
        self._queue.put(record)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is delivered (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.empty() and self._idle.wait(0.05):
                return True
        return False

    def _deliver(self, batch: list[Mapping[str, Any]]) -> None:
        event = subscription_event(batch, self.log_group, self.owner)
        for pause in (*RETRY_DELAYS_S, None):
            try:
                self.invoker.invoke(self.function, event)
                self.delivered += len(batch)
                return
            except Exception as exc:  # like a failed delivery in AWS: retried, then reported
                error = exc
            if pause is not None:
                time.sleep(pause)
        self.dropped += len(batch)
        print(f"[audit] dropped {len(batch)} access record(s) after retries: {error!r}", file=sys.stderr)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + LINGER_S
            stop = False
            while len(batch) < BATCH:
                try:
                    record = self._queue.get(timeout=max(deadline - time.monotonic(), 0.0))
                except queue.Empty:
                    break
                if record is None:
                    stop = True
                    break
                batch.append(record)
            self._deliver(batch)
            if self._queue.empty():
                self._idle.set()
            if stop:
                return
