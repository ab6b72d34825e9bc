"""The API contract (api/openapi.yaml): valid OpenAPI, the catalog's 66 operations with their
owners and their security, one error shape, and nothing API Gateway cannot import."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml
from openapi_spec_validator import validate

from components import catalog

METHODS = ("get", "put", "post", "delete", "patch", "head", "trace")

# The operations of /work/shared/api-catalog.md: method, path, owning service.
CATALOG = """
POST /auth/register auth-service
POST /auth/login auth-service
POST /auth/refresh auth-service
POST /auth/logout auth-service
POST /auth/forgot-password auth-service
POST /auth/reset-password auth-service
POST /auth/verify auth-service
GET /auth/me auth-service
PATCH /auth/me auth-service
POST /auth/change-password auth-service
GET /health auth-service
GET /analytics/kpis analytics-service
GET /analytics/sales-timeseries analytics-service
GET /analytics/top-products analytics-service
GET /analytics/category-performance analytics-service
GET /analytics/cohorts analytics-service
GET /analytics/datasets analytics-service
POST /analytics/query analytics-service
GET /analytics/insights analytics-service
POST /market-intelligence/forecast market-intelligence
POST /market-intelligence/compare-models market-intelligence
GET /market-intelligence/trends market-intelligence
GET /market-intelligence/competitive-pricing market-intelligence
GET /market-intelligence/price-position/{productId} market-intelligence
GET /market-intelligence/categories/{categoryId}/summary market-intelligence
GET /market-intelligence/anomalies market-intelligence
GET /demand-insights/segments demand-insights
GET /demand-insights/segments/{segmentId}/customers demand-insights
GET /demand-insights/customers/{customerId} demand-insights
POST /demand-insights/forecast demand-insights
POST /demand-insights/price-elasticity demand-insights
POST /demand-insights/price-optimization demand-insights
POST /demand-insights/clv demand-insights
POST /demand-insights/churn demand-insights
GET /demand-insights/at-risk-customers demand-insights
GET /demand-insights/reorder-recommendations demand-insights
POST /compliance/fraud-detection compliance-guardian
POST /compliance/risk-score compliance-guardian
GET /compliance/high-risk-transactions compliance-guardian
GET /compliance/fraud-statistics compliance-guardian
POST /compliance/pci-compliance compliance-guardian
POST /compliance/pii-scan compliance-guardian
GET /compliance/compliance-report compliance-guardian
GET /compliance/audit-log compliance-guardian
POST /compliance/cases compliance-guardian
GET /compliance/cases compliance-guardian
PATCH /compliance/cases/{caseId} compliance-guardian
POST /copilot/chat retail-copilot
GET /copilot/conversations retail-copilot
POST /copilot/conversations retail-copilot
GET /copilot/conversations/{conversationId} retail-copilot
DELETE /copilot/conversations/{conversationId} retail-copilot
GET /copilot/inventory retail-copilot
GET /copilot/orders retail-copilot
GET /copilot/customers retail-copilot
GET /copilot/sales-report retail-copilot
POST /copilot/recommendations retail-copilot
GET /global-market/trends global-market-pulse
GET /global-market/regional-prices global-market-pulse
GET /global-market/market-share global-market-pulse
GET /global-market/growth-rates global-market-pulse
POST /global-market/price-comparison global-market-pulse
POST /global-market/opportunities global-market-pulse
POST /global-market/competitor-analysis global-market-pulse
POST /global-market/trend-changes global-market-pulse
GET /global-market/currencies global-market-pulse
"""
EXPECTED = {(m.lower(), p): s for m, p, s in (line.split() for line in CATALOG.strip().splitlines())}
PUBLIC = {("post", "/auth/register"), ("post", "/auth/login"), ("post", "/auth/refresh"),
          ("post", "/auth/forgot-password"), ("post", "/auth/reset-password"), ("get", "/health")}

# Keywords API Gateway's importer rejects or drops (its models are JSON schema draft 4).
UNSUPPORTED_SCHEMA_KEYWORDS = {"oneOf", "anyOf", "additionalProperties", "discriminator", "example",
                               "readOnly", "exclusiveMinimum", "exclusiveMaximum", "nullable"}


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(catalog.OPENAPI_PATH.read_text())


def ops(spec):
    return [(method, path, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, path + (index,))


def test_is_a_valid_openapi_3_document(spec):
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_has_exactly_the_66_catalog_operations_and_no_options(spec):
    found = {(method, path) for method, path, _ in ops(spec)}
    assert len(ops(spec)) == 66
    assert found == set(EXPECTED)
    # CORS preflights are the gateway's business (components/api.py), not the contract's.
    assert not [p for p, item in spec["paths"].items() if "options" in item]


def test_every_operation_is_owned_by_its_catalog_service(spec):
    services = {fn.name for fn in catalog.SERVICES}
    for method, path, op in ops(spec):
        assert op.get("x-service") in services, (method, path)
        assert op["x-service"] == EXPECTED[(method, path)], (method, path)
        assert op["tags"] == [op["x-service"]], (method, path)
        assert op.get("summary"), (method, path)
    # every service has operations (the routers implement them)
    assert {op["x-service"] for _, _, op in ops(spec)} == services


def test_operation_ids_are_unique_camel_case(spec):
    ids = [op.get("operationId") for _, _, op in ops(spec)]
    assert all(i and re.fullmatch(r"[a-z][a-zA-Z0-9]*", i) for i in ids), ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_public_operations_are_exactly_the_catalogs(spec):
    public = {(method, path) for method, path, op in ops(spec) if op.get("security") == []}
    assert public == PUBLIC
    for method, path, op in ops(spec):
        if (method, path) not in PUBLIC:
            assert op.get("security") == [{"bearerAuth": []}], (method, path)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def test_errors_share_one_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    inner = error["properties"]["error"]
    assert set(inner["properties"]) == {"code", "message", "details"}
    assert {"code", "message"} <= set(inner["required"])
    for method, path, op in ops(spec):
        responses = op["responses"]
        assert "500" in responses, (method, path)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                schema = resolve(spec, response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        public = (method, path) in PUBLIC
        assert ("401" in responses) is not public, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if op.get("parameters") or op.get("requestBody") or "{" in path:
            assert "400" in responses, (method, path)


def test_path_parameters_are_declared(spec):
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method in METHODS:
            if method not in item:
                continue
            params = [resolve(spec, p) for p in item.get("parameters", []) + item[method].get("parameters", [])]
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == names, (method, path)
            assert all(p["required"] for p in params if p["in"] == "path")


def test_reads_take_query_parameters_and_writes_take_json_bodies(spec):
    for method, path, op in ops(spec):
        if method in ("get", "delete"):
            assert "requestBody" not in op, (method, path)
        body = op.get("requestBody")
        if body:
            assert body["required"] is True
            assert "application/json" in body["content"]
    kpis = spec["paths"]["/analytics/kpis"]["get"]
    assert {resolve(spec, p)["name"] for p in kpis["parameters"]} >= {"from", "to"}


def test_stays_within_what_api_gateway_imports(spec):
    for name in spec["components"]["schemas"]:
        assert re.fullmatch(r"[A-Za-z0-9]+", name), f"model name {name!r} must be alphanumeric"
    for path in spec["paths"]:
        for segment in path.strip("/").split("/"):
            assert re.fullmatch(r"[A-Za-z0-9.,-]+|\{[A-Za-z0-9]+\}", segment), path
    for where, node in walk(spec):
        if isinstance(node, dict) and ("type" in node or "properties" in node or "$ref" in node):
            bad = UNSUPPORTED_SCHEMA_KEYWORDS & set(node)
            assert not bad, f"{'/'.join(map(str, where))}: {bad}"
    parameters = list(spec["components"]["parameters"].values())
    for item in spec["paths"].values():
        parameters += item.get("parameters", [])
        parameters += [p for m in METHODS if m in item for p in item[m].get("parameters", [])]
    for parameter in parameters:
        assert set(parameter) <= {"name", "in", "required", "description", "schema", "$ref"}, parameter
