"""Shared fixtures: the whole program run once per stack under Pulumi mocks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "lambdas"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture(scope="session")
def dev():
    """`pulumi up --stack dev` as the engine would see it (under mocks)."""
    from preview.harness import run_program

    return run_program("dev")


@pytest.fixture(scope="session")
def prod():
    from preview.harness import run_program

    return run_program("prod")


@pytest.fixture(params=["dev", "prod"])
def stack_run(request):
    """Parametrised over both stacks."""
    return request.getfixturevalue(request.param)


@pytest.fixture()
def settings_for():
    """settings_for("dev", **overrides) -> Settings built from the stack file."""
    from components.settings import Settings, stack_file_values

    def make(stack: str = "dev", **overrides):
        values = stack_file_values(stack)
        values.update({f"ecommerce-ai-platform:{k}": v for k, v in overrides.items()})
        return Settings.from_values(values, stack=stack, account_id="123456789012")

    return make
