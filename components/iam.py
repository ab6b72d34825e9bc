"""IAM documents the components share: the policy wrapper and service trust policies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def policy_document(statements: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust_policy(service: str, account_id: str) -> str:
    """A role only `service` may assume, and only when acting for this account
    (aws:SourceAccount: confused-deputy protection for a service principal)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )
