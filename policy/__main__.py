"""The policy pack `pulumi preview/up --policy-pack policy` runs (PulumiPolicy.yaml). Every rule
is advisory here; policy/config-<stack>.json sets the level per stack (mandatory in prod)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policy.rules import POLICIES

PolicyPack(
    name="ecommerce-ai-platform",
    description="What AWS accepts but the platform must not deploy (each rule names its checkov check)",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=POLICIES,
)
