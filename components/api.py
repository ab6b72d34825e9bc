"""Api: the REST API, created from the OpenAPI contract (api/openapi.yaml) as one body.

The contract stays free of AWS details; this component adds them to a copy: per operation the
AWS_PROXY integration to the owning service's `live` alias and the Lambda authorizer, per
path a CORS preflight limited to the frontend's origin, CORS on the gateway's own errors and
request validation. There are no per-method Resource/Method/Integration resources: a change
to the contract is a change to the body, and a new Deployment follows from its hash.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

from components import catalog
from components.iam import service_trust_policy
from components.services import LIVE_ALIAS, Services
from components.settings import Settings

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
AUTHORIZER_SCHEME = "lambdaAuthorizer"
CONTRACT_SCHEME = "bearerAuth"
ALLOWED_HEADERS = "Authorization,Content-Type"
INTEGRATION_TIMEOUT_MS = 29000
AUTHORIZER_CACHE_SECONDS = 300
TOKEN_PATTERN = r"^Bearer [-0-9a-zA-Z._~+/]+=*$"
PUSH_TO_CLOUDWATCH_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"

# Access log line: who called what, how it went. `user` is the principal the authorizer returned.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "caller": "$context.identity.caller",
        "user": "$context.authorizer.principalId",
        "email": "$context.authorizer.email",
        "requestTime": "$context.requestTime",
        "requestTimeEpoch": "$context.requestTimeEpoch",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "path": "$context.path",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "latency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "errorType": "$context.error.responseType",
        "xrayTraceId": "$context.xrayTraceId",
    },
    separators=(",", ":"),
)

# The gateway's own errors (bad token, validation, throttling...) in the API's Error shape.
GATEWAY_ERROR_TEMPLATE = (
    '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,'
    '"details":{"requestId":"$context.requestId"}}}'
)

AUTHORIZER_RETRY_AFTER_SECONDS = 5
AUTHORIZER_UNAVAILABLE_TEMPLATE = (
    '{"error":{"code":"SERVICE_UNAVAILABLE","message":"The sign-in check is unavailable; retry later",'
    f'"details":{{"requestId":"$context.requestId","retryAfter":{AUTHORIZER_RETRY_AFTER_SECONDS}}}}}}}'
)

VALIDATORS = {
    "body-and-params": {"validateRequestBody": True, "validateRequestParameters": True},
    "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
}


@dataclass
class ApiArgs:
    settings: Settings
    spec_path: Path
    services: Services
    frontend_origin: pulumi.Input[str]
    log_kms_key_arn: pulumi.Input[str]


def load_spec(path: Path) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text())


def operations(spec: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation of the contract, OPTIONS excluded."""
    return [
        (path, method, op)
        for path, item in spec.get("paths", {}).items()
        for method, op in item.items()
        if method in HTTP_METHODS and method != "options"
    ]


def lambda_uri(region: str, function_arn: str) -> str:
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def build_body(
    spec: Mapping[str, Any],
    *,
    region: str,
    alias_arns: Mapping[str, str],
    authorizer_alias_arn: str,
    frontend_origin: str,
) -> dict[str, Any]:
    """The API Gateway import document for `spec` (pure: plain values in, plain dict out)."""
    body = _inline_component_refs(copy.deepcopy(dict(spec)))
    body.pop("servers", None)  # the stage decides the base URL
    components = body.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    # API Gateway only imports apiKey schemes: the contract's bearer scheme becomes the
    # Lambda token authorizer, which checks the same "Authorization: Bearer <jwt>" header.
    schemes.pop(CONTRACT_SCHEME, None)
    schemes[AUTHORIZER_SCHEME] = {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "token",
            "authorizerUri": lambda_uri(region, authorizer_alias_arn),
            "authorizerResultTtlInSeconds": AUTHORIZER_CACHE_SECONDS,
            "identityValidationExpression": TOKEN_PATTERN,
        },
    }

    for path, item in body["paths"].items():
        methods = []
        for method, op in list(item.items()):
            if method not in HTTP_METHODS or method == "options":
                continue
            methods.append(method.upper())
            service = op.get("x-service")
            if service not in alias_arns:
                raise ValueError(
                    f"{method.upper()} {path}: x-service {service!r} is not a service "
                    f"of the catalog ({sorted(alias_arns)})"
                )
            op["x-amazon-apigateway-integration"] = {
                "type": "aws_proxy",
                "httpMethod": "POST",  # Lambda is always invoked with POST
                "uri": lambda_uri(region, alias_arns[service]),
                "passthroughBehavior": "when_no_match",
                "timeoutInMillis": INTEGRATION_TIMEOUT_MS,
            }
            if _is_protected(op, body):
                op["security"] = [{AUTHORIZER_SCHEME: []}]
            else:
                op["security"] = []
            op["x-amazon-apigateway-request-validator"] = (
                "body-and-params" if "requestBody" in op else "params-only"
            )
        item["options"] = _cors_preflight(methods, frontend_origin)

    body["x-amazon-apigateway-request-validators"] = copy.deepcopy(VALIDATORS)
    body["x-amazon-apigateway-gateway-responses"] = {
        kind: {
            "responseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": f"'{frontend_origin}'",
                "gatewayresponse.header.Access-Control-Allow-Headers": f"'{ALLOWED_HEADERS}'",
            },
            "responseTemplates": {"application/json": GATEWAY_ERROR_TEMPLATE},
        }
        for kind in ("DEFAULT_4XX", "DEFAULT_5XX")
    }
    # An authorizer that cannot answer (Secrets Manager unreachable at a cold start, a timeout)
    # is a dependency being unavailable: 503 with Retry-After, as the services answer it
    # (shared.errors), not a 500 that reads as a bug. API Gateway reports a failing Lambda
    # authorizer as either of these two.
    for kind in ("AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR"):
        body["x-amazon-apigateway-gateway-responses"][kind] = {
            "statusCode": "503",
            "responseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": f"'{frontend_origin}'",
                "gatewayresponse.header.Access-Control-Allow-Headers": f"'{ALLOWED_HEADERS}'",
                "gatewayresponse.header.Retry-After": f"'{AUTHORIZER_RETRY_AFTER_SECONDS}'",
            },
            "responseTemplates": {"application/json": AUTHORIZER_UNAVAILABLE_TEMPLATE},
        }
    return body


def body_hash(body_json: str) -> str:
    return hashlib.sha256(body_json.encode()).hexdigest()


def _is_protected(op: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
    security = op.get("security", spec.get("security", []))
    return any(
        CONTRACT_SCHEME in requirement or AUTHORIZER_SCHEME in requirement for requirement in security or []
    )


def _cors_preflight(methods: list[str], origin: str) -> dict[str, Any]:
    allow_methods = ",".join(sorted(set(methods)) + ["OPTIONS"])
    headers = ("Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers")
    return {
        "summary": "CORS preflight",
        "security": [],
        "responses": {
            "200": {
                "description": "CORS headers",
                "headers": {h: {"schema": {"type": "string"}} for h in headers},
            }
        },
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "responses": {
                "default": {
                    "statusCode": "200",
                    "responseParameters": {
                        "method.response.header.Access-Control-Allow-Origin": f"'{origin}'",
                        "method.response.header.Access-Control-Allow-Methods": f"'{allow_methods}'",
                        "method.response.header.Access-Control-Allow-Headers": f"'{ALLOWED_HEADERS}'",
                    },
                }
            },
        },
    }


def _inline_component_refs(doc: dict[str, Any]) -> dict[str, Any]:
    """API Gateway does not import `$ref`s to components.responses/parameters: inline them.
    Schema refs stay (they become the API's models)."""
    components = doc.get("components", {})
    pools = {f"#/components/{kind}/": components.get(kind, {}) for kind in ("responses", "parameters")}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                for prefix, pool in pools.items():
                    if ref.startswith(prefix):
                        return walk(copy.deepcopy(pool[ref[len(prefix) :]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    paths = walk(doc.get("paths", {}))
    doc["paths"] = paths
    components.pop("responses", None)
    components.pop("parameters", None)
    return doc


class Api(pulumi.ComponentResource):
    rest_api_id: pulumi.Output[str]
    execution_arn: pulumi.Output[str]
    stage_name: str
    url: pulumi.Output[str]
    operation_count: int
    api_name: str

    def __init__(self, name: str, args: ApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:api:Api", name, None, opts)
        s = args.settings
        tags = s.tags("API")
        child = pulumi.ResourceOptions(parent=self)
        services = args.services

        spec = load_spec(args.spec_path)
        self.operation_count = len(operations(spec))
        self.api_name = s.name("api")
        self.stage_name = s.stack

        service_names = [fn.name for fn in catalog.SERVICES]
        authorizer = catalog.AUTHORIZER.name
        body = pulumi.Output.all(
            origin=args.frontend_origin,
            authorizer=services.alias_arns[authorizer],
            aliases=pulumi.Output.all(**{n: services.alias_arns[n] for n in service_names}),
        ).apply(
            lambda v: json.dumps(
                build_body(
                    spec,
                    region=s.region,
                    alias_arns=v["aliases"],
                    authorizer_alias_arn=v["authorizer"],
                    frontend_origin=v["origin"],
                ),
                sort_keys=True,
                separators=(",", ":"),
            )
        )

        rest_api = aws.apigateway.RestApi(
            f"{name}-rest-api",
            name=self.api_name,
            description="eCommerce AI platform API, built from api/openapi.yaml",
            body=body,
            # The body is the whole API: an import replaces what is there, nothing is merged.
            put_rest_api_mode="overwrite",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            tags=tags,
            opts=child,
        )

        # Pulumi creates a replacement before deleting the old one (create-before-destroy), so
        # the stage always points at a live deployment while the new one rolls in.
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=rest_api.id,
            description="Deployment of the current contract",
            triggers={"bodyHash": body.apply(body_hash)},
            opts=child,
        )

        # Stage logging needs the account-level CloudWatch role; one stack per account/region
        # owns it (`manageApiGatewayAccount`), or destroying one stack breaks the other's logs.
        account = [self._cloudwatch_account(name, s, tags)] if s.manage_api_gateway_account else []

        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=f"/aws/apigateway/{self.api_name}",
            retention_in_days=s.log_retention_days,
            kms_key_id=args.log_kms_key_arn,
            tags=tags,
            opts=child,
        )
        # API Gateway writes execution logs to this fixed name and would create it itself,
        # unencrypted and kept forever; owning it gives it retention and the CMK.
        execution_logs = aws.cloudwatch.LogGroup(
            f"{name}-execution-logs",
            name=rest_api.id.apply(lambda api_id: f"API-Gateway-Execution-Logs_{api_id}/{s.stack}"),
            retention_in_days=s.log_retention_days,
            kms_key_id=args.log_kms_key_arn,
            tags=tags,
            opts=child,
        )

        stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=rest_api.id,
            deployment=deployment.id,
            stage_name=self.stage_name,
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*account, execution_logs]),
        )

        aws.apigateway.MethodSettings(
            f"{name}-method-settings",
            rest_api=rest_api.id,
            stage_name=stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True,
                logging_level="ERROR" if s.is_production else "INFO",
                data_trace_enabled=False,  # full request/response logging would log tokens
                throttling_rate_limit=s.api_throttle_rate_limit,
                throttling_burst_limit=s.api_throttle_burst_limit,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=account),
        )

        # Only this API (any stage, method and path) may invoke the services' live aliases;
        # the authorizer only through the API's authorizers; a job (catalog.JOBS) never.
        for fn in catalog.API_FUNCTIONS:
            source = "/authorizers/*" if fn.is_authorizer else "/*/*/*"
            aws.lambda_.Permission(
                f"{name}-invoke-{fn.name}",
                action="lambda:InvokeFunction",
                function=services.function_names[fn.name],
                qualifier=LIVE_ALIAS,
                principal="apigateway.amazonaws.com",
                source_arn=rest_api.execution_arn.apply(lambda arn, suffix=source: f"{arn}{suffix}"),
                opts=child,
            )

        self.rest_api_id = rest_api.id
        self.execution_arn = rest_api.execution_arn
        self.url = stage.invoke_url
        self.stage_arn = stage.arn  # the WAF web ACL attaches here (components/waf.py)
        self.body = body
        # The audit log reads the access log (components/audit_log.py).
        self.access_log_group_name = access_logs.name
        self.access_log_group_arn = access_logs.arn
        self.register_outputs(
            {
                "restApiId": self.rest_api_id,
                "executionArn": self.execution_arn,
                "stageName": self.stage_name,
                "url": self.url,
                "operationCount": self.operation_count,
            }
        )

    def _cloudwatch_account(self, name: str, s: Settings, tags: Mapping[str, str]) -> aws.apigateway.Account:
        """The role API Gateway logs to CloudWatch with. `aws.apigateway.Account` is a regional
        singleton of the AWS account: every API of the region shares it. When dev and prod share
        an account, set `manageApiGatewayAccount: false` in one of them."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-cloudwatch-role",
            name=s.name("apigw-cloudwatch"),
            description="Lets API Gateway write execution and access logs to CloudWatch Logs",
            # aws:SourceAccount: only API Gateway acting for this account (confused deputy).
            assume_role_policy=service_trust_policy("apigateway.amazonaws.com", s.account_id),
            tags=tags,
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-cloudwatch-role-policy", role=role.name, policy_arn=PUSH_TO_CLOUDWATCH_POLICY, opts=child
        )
        return aws.apigateway.Account(
            f"{name}-account",
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )
