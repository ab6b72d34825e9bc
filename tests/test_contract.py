"""The API contract is the single source: the services route exactly its operations."""

from __future__ import annotations

import importlib
from collections import defaultdict

import pytest
import yaml

from components.catalog import OPENAPI_PATH, SERVICES

METHODS = {"get", "put", "post", "patch", "delete"}


def contract_operations() -> dict[str, set[tuple[str, str]]]:
    spec = yaml.safe_load(OPENAPI_PATH.read_text())
    by_service: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                by_service[op["x-service"]].add((method.upper(), path))
    return by_service


@pytest.fixture(scope="module")
def service_routes():
    """(METHOD, path) each service's resolver routes, read from the real handler modules."""
    from shared.api import routes
    from shared.testing import LAMBDA_ENV

    mp = pytest.MonkeyPatch()
    for key, value in LAMBDA_ENV.items():
        mp.setenv(key, value)
    try:
        return {
            fn.name: set(routes(importlib.import_module(fn.handler.rsplit(".", 1)[0]).app)) for fn in SERVICES
        }
    finally:
        mp.undo()


@pytest.mark.parametrize("fn", SERVICES, ids=lambda fn: fn.name)
def test_service_routes_exactly_its_contract_operations(fn, service_routes):
    routed, declared = service_routes[fn.name], contract_operations()[fn.name]
    assert not routed - declared, (
        f"{fn.name} routes operations the contract lacks: {sorted(routed - declared)}"
    )
    assert not declared - routed, (
        f"the contract has {fn.name} operations it does not route: {sorted(declared - routed)}"
    )


def test_every_contract_operation_belongs_to_a_known_service():
    assert set(contract_operations()) == {fn.name for fn in SERVICES}
    assert sum(len(ops) for ops in contract_operations().values()) == 66
