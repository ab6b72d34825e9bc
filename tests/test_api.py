"""Api under mocks: one RestApi built from the contract's body, every operation wired to its
owner's live alias behind the authorizer, CORS limited to the frontend, a stage per stack with
logs, tracing and throttling, and Lambda permissions scoped to this API."""

from __future__ import annotations

import hashlib
import json
import re

import pulumi
import pytest
import yaml

from components import catalog
from components.api import Api, ApiArgs, build_body
from components.services import Services
from preview.harness import run
from tests.test_services import DATA_KEY, ORIGIN, services_args

PUBLIC = {
    ("post", "/auth/register"),
    ("post", "/auth/login"),
    ("post", "/auth/refresh"),
    ("post", "/auth/forgot-password"),
    ("post", "/auth/reset-password"),
    ("get", "/health"),
}
METHODS = ("get", "put", "post", "delete", "patch", "head")


def run_api(settings, *, origin=ORIGIN, spec_path=catalog.OPENAPI_PATH, captured=None):
    def program():
        services = Services("services", services_args(settings))
        api = Api(
            "api",
            ApiArgs(
                settings=settings,
                spec_path=spec_path,
                services=services,
                frontend_origin=origin,
                log_kms_key_arn=DATA_KEY,
            ),
        )
        if captured is not None:
            captured["api"] = api
            pulumi.Output.all(api.rest_api_id, api.execution_arn, api.url).apply(
                lambda v: captured.update(rest_api_id=v[0], execution_arn=v[1], url=v[2])
            )

    return run(program, stack=settings.stack)


@pytest.fixture(params=["dev", "prod"])
def stack(request, settings_for):
    settings = settings_for(request.param)
    return settings, run_api(settings)


@pytest.fixture()
def dev(settings_for):
    settings = settings_for("dev")
    return settings, run_api(settings)


def body_of(result):
    return json.loads(result.one("aws:apigateway/restApi:RestApi").inputs["body"])


def operations(body):
    return [
        (method, path, op)
        for path, item in body["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def alias_arn(settings, service):
    return f"arn:aws:lambda:{settings.region}:123456789012:function:{settings.function_name(service)}:live"


# ---- the REST API is the body ------------------------------------------------------------------


def test_one_rest_api_from_the_body_and_no_per_method_resources(dev):
    settings, result = dev
    api = result.one("aws:apigateway/restApi:RestApi")
    assert api.inputs["name"] == settings.name("api")
    assert api.get("endpointConfiguration.types") == "REGIONAL"
    assert api.inputs["putRestApiMode"] == "overwrite"
    assert api.inputs["tags"] == {"System": "API"}
    for kind in (
        "method:Method",
        "integration:Integration",
        "resource:Resource",
        "authorizer:Authorizer",
        "methodResponse:MethodResponse",
        "integrationResponse:IntegrationResponse",
        "gatewayResponse:GatewayResponse",
    ):
        assert result.of_type(f"aws:apigateway/{kind}") == [], kind


def test_body_holds_every_contract_operation(dev):
    _, result = dev
    body = body_of(result)
    contract = yaml.safe_load(catalog.OPENAPI_PATH.read_text())
    assert len(operations(body)) == 66
    assert {(m, p) for m, p, _ in operations(body)} == {
        (m, p) for p, item in contract["paths"].items() for m in item if m in METHODS
    }
    # API Gateway imports neither http security schemes nor refs to shared responses/parameters
    assert "bearerAuth" not in body["components"]["securitySchemes"]
    text = json.dumps(body)
    assert "#/components/responses/" not in text and "#/components/parameters/" not in text
    assert "Error" in body["components"]["schemas"]


def test_protected_operations_use_the_authorizer_and_public_ones_nothing(dev):
    _, result = dev
    body = body_of(result)
    public = set()
    for method, path, op in operations(body):
        if op["security"] == []:
            public.add((method, path))
        else:
            assert op["security"] == [{"lambdaAuthorizer": []}], (method, path)
    assert public == PUBLIC


def test_the_authorizer_is_the_auth_services_token_authorizer_on_its_live_alias(dev):
    settings, result = dev
    scheme = body_of(result)["components"]["securitySchemes"]["lambdaAuthorizer"]
    assert (scheme["type"], scheme["name"], scheme["in"], scheme["x-amazon-apigateway-authtype"]) == (
        "apiKey",
        "Authorization",
        "header",
        "custom",
    )
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    assert authorizer["authorizerUri"] == (
        f"arn:aws:apigateway:{settings.region}:lambda:path/2015-03-31/functions/"
        f"{alias_arn(settings, 'authorizer')}/invocations"
    )
    assert authorizer["authorizerResultTtlInSeconds"] == 300
    pattern = re.compile(authorizer["identityValidationExpression"])
    assert pattern.match("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig-_x")
    assert not pattern.match("Basic dXNlcjpwYXNz")


def test_every_operation_targets_its_owners_live_alias(stack):
    settings, result = stack
    for method, path, op in operations(body_of(result)):
        integration = op["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy"
        assert integration["httpMethod"] == "POST"
        assert integration["passthroughBehavior"] == "when_no_match"
        assert integration["timeoutInMillis"] == 29000
        assert integration["uri"] == (
            f"arn:aws:apigateway:{settings.region}:lambda:path/2015-03-31/functions/"
            f"{alias_arn(settings, op['x-service'])}/invocations"
        ), (method, path)


def test_requests_are_validated(dev):
    _, result = dev
    body = body_of(result)
    validators = body["x-amazon-apigateway-request-validators"]
    for method, path, op in operations(body):
        name = op["x-amazon-apigateway-request-validator"]
        assert validators[name]["validateRequestParameters"] is True
        assert validators[name]["validateRequestBody"] is ("requestBody" in op), (method, path)


def test_cors_preflight_per_path_limited_to_the_frontend_origin(dev):
    _, result = dev
    body = body_of(result)
    for path, item in body["paths"].items():
        options = item["options"]
        assert options["security"] == []
        integration = options["x-amazon-apigateway-integration"]
        assert integration["type"] == "mock"
        headers = integration["responses"]["default"]["responseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{ORIGIN}'"
        methods = headers["method.response.header.Access-Control-Allow-Methods"].strip("'").split(",")
        assert set(methods) == {m.upper() for m in item if m in METHODS} | {"OPTIONS"}, path
        assert (
            headers["method.response.header.Access-Control-Allow-Headers"] == "'Authorization,Content-Type'"
        )
    assert "'*'" not in json.dumps(body)


def test_gateway_errors_carry_cors_and_the_error_shape(dev):
    _, result = dev
    responses = body_of(result)["x-amazon-apigateway-gateway-responses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        assert (
            responses[kind]["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
            == f"'{ORIGIN}'"
        )
        template = responses[kind]["responseTemplates"]["application/json"]
        rendered = (
            template.replace("$context.error.messageString", '"Unauthorized"')
            .replace("$context.error.responseType", "UNAUTHORIZED")
            .replace("$context.requestId", "req-1")
        )
        error = json.loads(rendered)["error"]
        assert (error["code"], error["message"]) == ("UNAUTHORIZED", "Unauthorized")
        assert isinstance(error["details"], dict)


def test_an_authorizer_that_fails_is_a_503_with_retry_after(dev):
    """The authorizer reads the signing key from Secrets Manager: when it cannot answer (an
    outage at a cold start, a timeout), the caller should retry, not report a bug."""
    _, result = dev
    responses = body_of(result)["x-amazon-apigateway-gateway-responses"]
    for kind in ("AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR"):
        response = responses[kind]
        assert response["statusCode"] == "503"
        parameters = response["responseParameters"]
        assert parameters["gatewayresponse.header.Retry-After"] == "'5'"
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{ORIGIN}'"
        rendered = response["responseTemplates"]["application/json"].replace("$context.requestId", "req-1")
        error = json.loads(rendered)["error"]
        assert error["code"] == "SERVICE_UNAVAILABLE" and error["details"]["retryAfter"] == 5


def test_build_body_rejects_an_operation_without_a_catalog_owner():
    spec = {
        "openapi": "3.0.3",
        "paths": {"/x": {"get": {"x-service": "nobody", "responses": {}}}},
        "components": {"securitySchemes": {}},
    }
    with pytest.raises(ValueError, match="nobody"):
        build_body(
            spec,
            region="us-east-2",
            alias_arns={"auth-service": "arn"},
            authorizer_alias_arn="arn",
            frontend_origin=ORIGIN,
        )


# ---- deployment and stage ----------------------------------------------------------------------


def test_deployment_is_triggered_by_the_body_hash(settings_for, tmp_path):
    settings = settings_for("dev")

    def trigger(result):
        api = result.one("aws:apigateway/restApi:RestApi")
        deployment = result.one("aws:apigateway/deployment:Deployment")
        assert deployment.inputs["restApi"] == api.id
        assert (
            deployment.inputs["triggers"]["bodyHash"]
            == hashlib.sha256(api.inputs["body"].encode()).hexdigest()
        )
        return deployment.inputs["triggers"]["bodyHash"]

    base = trigger(run_api(settings))
    assert trigger(run_api(settings)) == base  # stable: no redeploy without a change
    assert trigger(run_api(settings, origin="https://shop.example.com")) != base
    contract = yaml.safe_load(catalog.OPENAPI_PATH.read_text())
    contract["paths"]["/health"]["get"]["summary"] = "changed"
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(contract))
    assert trigger(run_api(settings, spec_path=changed)) != base


def test_stage_is_named_after_the_stack_traced_and_access_logged(stack):
    settings, result = stack
    api = result.one("aws:apigateway/restApi:RestApi")
    stage = result.one("aws:apigateway/stage:Stage")
    assert stage.inputs["stageName"] == settings.stack
    assert stage.inputs["restApi"] == api.id
    assert stage.inputs["deployment"] == result.one("aws:apigateway/deployment:Deployment").id
    assert stage.inputs["xrayTracingEnabled"] is True
    logs = result.one("aws:cloudwatch/logGroup:LogGroup", "api-access-logs")
    assert logs.inputs["name"] == f"/aws/apigateway/{settings.name('api')}"
    assert logs.inputs["kmsKeyId"] == DATA_KEY
    assert logs.inputs["retentionInDays"] == settings.log_retention_days
    assert stage.get("accessLogSettings.destinationArn") == logs.outputs["arn"]
    line = json.loads(stage.get("accessLogSettings.format"))
    assert line["requestId"] == "$context.requestId"
    assert line["ip"] == "$context.identity.sourceIp"
    assert line["caller"] == "$context.identity.caller"
    assert line["user"] == "$context.authorizer.principalId"
    assert line["status"] == "$context.status"
    assert line["latency"] == "$context.responseLatency"
    execution = result.one("aws:cloudwatch/logGroup:LogGroup", "api-execution-logs")
    assert execution.inputs["name"] == f"API-Gateway-Execution-Logs_{api.id}/{settings.stack}"
    assert execution.inputs["kmsKeyId"] == DATA_KEY
    assert execution.inputs["retentionInDays"] == settings.log_retention_days


@pytest.mark.parametrize(
    "stack_name,rate,burst,level", [("dev", 50, 100, "INFO"), ("prod", 200, 400, "ERROR")]
)
def test_method_settings_throttle_and_log_per_stack(settings_for, stack_name, rate, burst, level):
    settings = settings_for(stack_name)
    result = run_api(settings)
    method_settings = result.one("aws:apigateway/methodSettings:MethodSettings")
    assert method_settings.inputs["methodPath"] == "*/*"
    assert method_settings.inputs["stageName"] == stack_name
    assert method_settings.inputs["restApi"] == result.one("aws:apigateway/restApi:RestApi").id
    assert method_settings.inputs["settings"] == {
        "metricsEnabled": True,
        "loggingLevel": level,
        "dataTraceEnabled": False,
        "throttlingRateLimit": rate,
        "throttlingBurstLimit": burst,
    }


def test_account_logs_with_a_role_trusting_api_gateway(settings_for):
    settings = settings_for("prod")  # prod owns the account's API Gateway logging role
    result = run_api(settings)
    account = result.one("aws:apigateway/account:Account")
    role = result.one("aws:iam/role:Role", "api-cloudwatch-role")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [st["Principal"] for st in trust] == [{"Service": "apigateway.amazonaws.com"}]
    # Confused-deputy guard: only API Gateway acting for this account may assume it.
    assert [st.get("Condition") for st in trust] == [
        {"StringEquals": {"aws:SourceAccount": settings.account_id}}
    ]
    attachment = result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-cloudwatch")
    assert attachment.inputs["role"] == role.inputs["name"]
    assert (
        attachment.inputs["policyArn"]
        == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    )
    assert len(role.inputs["name"]) <= 64


# ---- who may invoke the functions --------------------------------------------------------------


def test_permissions_are_scoped_to_this_apis_execution_arn(dev):
    settings, result = dev
    execution_arn = result.one("aws:apigateway/restApi:RestApi").outputs["executionArn"]
    permissions = {p.inputs["function"]: p for p in result.of_type("aws:lambda/permission:Permission")}
    assert set(permissions) == {settings.function_name(fn.name) for fn in catalog.API_FUNCTIONS}
    # a job (the data-jobs function) is invoked by its event only, never through the API
    assert catalog.DATA_JOBS not in catalog.API_FUNCTIONS
    assert settings.function_name(catalog.DATA_JOBS.name) not in permissions
    for fn in catalog.API_FUNCTIONS:
        permission = permissions[settings.function_name(fn.name)]
        assert permission.inputs["principal"] == "apigateway.amazonaws.com"
        assert permission.inputs["action"] == "lambda:InvokeFunction"
        assert permission.inputs["qualifier"] == "live"
        expected = f"{execution_arn}/authorizers/*" if fn.is_authorizer else f"{execution_arn}/*/*/*"
        assert permission.inputs["sourceArn"] == expected


# ---- component ---------------------------------------------------------------------------------


def test_component_type_tags_and_attributes(settings_for):
    settings = settings_for("prod")
    captured: dict = {}
    result = run_api(settings, captured=captured)
    component = result.one("ecommerce:api:Api")
    children = result.children(component)
    assert children and all(r.parent == component.urn for r in children)
    for resource in children:
        if "tags" in resource.inputs:
            assert resource.inputs["tags"] == {"System": "API"}, resource.name
    api = captured["api"]
    assert api.operation_count == 66 and isinstance(api.operation_count, int)
    assert api.stage_name == "prod"
    assert api.api_name == settings.name("api")
    rest_api = result.one("aws:apigateway/restApi:RestApi")
    assert captured["rest_api_id"] == rest_api.id
    assert captured["execution_arn"] == rest_api.outputs["executionArn"]
    assert captured["url"] == f"https://{rest_api.id}.execute-api.{settings.region}.amazonaws.com/prod"


def test_prod_owns_the_accounts_logging_role_by_default(settings_for):
    # Both stacks may share an account: by default only prod creates the regional singleton.
    assert settings_for("prod").manage_api_gateway_account is True
    assert settings_for("dev").manage_api_gateway_account is False
    assert run_api(settings_for("prod")).of_type("aws:apigateway/account:Account")
    assert not run_api(settings_for("dev")).of_type("aws:apigateway/account:Account")


def test_a_stack_can_leave_the_accounts_logging_role_to_another(settings_for):
    result = run_api(settings_for("dev", manageApiGatewayAccount=False))
    assert not result.of_type("aws:apigateway/account:Account")
    assert not [r for r in result.of_type("aws:iam/role:Role") if "apigw-cloudwatch" in r.inputs["name"]]
    assert result.one("aws:apigateway/stage:Stage").get("accessLogSettings.destinationArn")
