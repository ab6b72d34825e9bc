"""Run the pack's validation functions over a stack recorded under mocks, as the analyzer would.

    python -m policy.local dev|prod      # every violation, with the level the stack's config gives it

CrossGuard hands a resource policy one `ResourceValidationArgs` per resource (type, inputs
behind an unknown-checking proxy, URN, name, options, provider) and a stack policy one
`StackValidationArgs` with every resource as a `PolicyResource` whose parent and (property)
dependencies point at the other resources. `evaluate` builds exactly those from the resources
`preview/harness.py` recorded (their inputs and dependencies as the engine received them).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from policy.rules import POLICIES  # noqa: E402


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # advisory | mandatory
    urn: str
    message: str


def stack_config(stack: str) -> dict[str, Any]:
    """policy/config-<stack>.json, the file `--policy-pack-config` passes in the pipeline."""
    return json.loads((ROOT / "policy" / f"config-{stack}.json").read_text())


def level_of(policy_name: str, config: dict[str, Any]) -> EnforcementLevel:
    value = config.get(policy_name, config.get("all", "advisory"))
    if isinstance(value, dict):
        value = value.get("enforcementLevel", config.get("all", "advisory"))
    return EnforcementLevel(value)


def _options(resource: Any) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent,
    )


def evaluate(run: Any, config: dict[str, Any] | None = None, policies: list | None = None) -> list[Violation]:
    """Every violation the pack reports for `run` (a preview.harness.ProgramRun), with its level
    under `config` (default: every rule advisory). Disabled rules are not run."""
    config = config if config is not None else {"all": "advisory"}
    policies = POLICIES if policies is None else policies
    violations: list[Violation] = []

    # Stack view: every resource, with parents and dependencies resolved to PolicyResources.
    stack_resources = {
        r.urn: PolicyResource(
            r.type, unknown_checking_proxy(r.inputs), r.urn, r.name, _options(r), None, None, [], {}
        )
        for r in run.resources
    }
    for r in run.resources:
        resource = stack_resources[r.urn]
        resource.parent = stack_resources.get(r.parent) if r.parent else None
        resource.dependencies = [stack_resources[u] for u in r.dependencies if u in stack_resources]
        resource.property_dependencies = {
            k: [stack_resources[u] for u in urns if u in stack_resources]
            for k, urns in r.property_dependencies.items()
        }

    for policy in policies:
        level = level_of(policy.name, config)
        if level == EnforcementLevel.DISABLED:
            continue

        def report(message: str, urn: str | None = None, _policy=policy, _level=level) -> None:
            violations.append(Violation(_policy.name, _level.value, urn or "", message))

        if isinstance(policy, ResourceValidationPolicy):
            for r in run.resources:
                args = ResourceValidationArgs(
                    r.type, unknown_checking_proxy(r.inputs), r.urn, r.name, _options(r), None, {}, {}
                )
                policy.validate(args, report)
        elif isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(list(stack_resources.values()), {}, {}), report)
    return violations


def main(argv: list[str] | None = None) -> int:
    from preview.harness import run_program

    argv = sys.argv[1:] if argv is None else argv
    stack = argv[0] if argv else "dev"
    config = stack_config(stack)
    violations = evaluate(run_program(stack), config)
    for v in violations:
        print(f"{v.level:<9} {v.policy:<34} {v.message}")
    mandatory = [v for v in violations if v.level == "mandatory"]
    print(
        f"{stack}: {len(violations)} violations ({len(mandatory)} mandatory) under policy/config-{stack}.json"
    )
    return 1 if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
