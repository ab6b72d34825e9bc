"""The local audit delivery (local/audit.py) retries a failed delivery, as CloudWatch Logs
retries a subscription's Lambda: a moment of the AWS stand-in restarting loses no records."""

from __future__ import annotations

import threading

from local import audit
from local.audit import AuditForwarder


class FlakyInvoker:
    """Fails the first `failures` deliveries, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[dict] = []
        self.attempts = 0
        self.lock = threading.Lock()

    def invoke(self, function: str, event: dict) -> dict:
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.failures:
                raise RuntimeError("ServiceUnavailable: the AWS stand-in is restarting")
            self.delivered.append(event)
        return {}


def records(n: int) -> list[dict]:
    return [{"requestId": f"r{i}", "status": "200"} for i in range(n)]


def test_a_failed_delivery_is_retried_until_it_goes_through(monkeypatch):
    monkeypatch.setattr(audit, "RETRY_DELAYS_S", (0.01, 0.01, 0.01, 0.01))
    invoker = FlakyInvoker(failures=3)
    forwarder = AuditForwarder(invoker, log_group="/aws/apigateway/x", owner="123456789012")
    for record in records(3):
        forwarder(record)
    assert forwarder.flush(timeout=5)
    forwarder.stop()
    assert invoker.attempts == 4 and len(invoker.delivered) == 1
    assert forwarder.delivered == 3 and forwarder.dropped == 0


def test_a_delivery_that_keeps_failing_is_dropped_and_counted(monkeypatch, capsys):
    monkeypatch.setattr(audit, "RETRY_DELAYS_S", (0.01, 0.01))
    invoker = FlakyInvoker(failures=100)
    forwarder = AuditForwarder(invoker, log_group="/aws/apigateway/x", owner="123456789012")
    for record in records(2):
        forwarder(record)
    assert forwarder.flush(timeout=5)
    forwarder.stop()
    assert invoker.attempts == 3  # the first try and one per delay
    assert forwarder.delivered == 0 and forwarder.dropped == 2
    assert "dropped 2 access record(s)" in capsys.readouterr().err
