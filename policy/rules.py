"""The platform's CrossGuard rules: what AWS accepts but an auditor (or checkov) would refuse.

Each rule names the checkov check it corresponds to (`CHECKOV`), or says that checkov has none.
Resource rules see one resource's inputs (camelCase, as the engine sends them); stack rules see
every resource with its property dependencies, which is how a bucket's separate versioning,
encryption, public access block and policy resources (pulumi-aws v7) are found for it.

The pack (`__main__.py`) serves these to `pulumi preview/up --policy-pack policy`; the tests
run the same validation functions over both stacks under mocks (`policy/local.py`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROJECT = "ecommerce-ai-platform"
SYSTEMS = frozenset({"Network", "Security", "Data", "Compute", "API", "Frontend", "CI/CD", "Audit"})
DEFAULT_TAGS = ("Project", "Environment", "ManagedBy")
# The one role allowed service-wide wildcards: the infrastructure build runs `pulumi up`
# (components/pipeline.py, `_infrastructure_statements`).
DEPLOY_ROLE_SUFFIX = "-infrastructure-build-"
# Async invokers of Lambda: a function any of them may invoke needs a failure destination.
ASYNC_INVOKERS = frozenset(
    {"events.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com", "scheduler.amazonaws.com"}
)
SSE_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse", "AES256"})

CHECKOV: dict[str, str] = {}


# ---- helpers -----------------------------------------------------------------------------------
def get(props: Any, dotted: str, default: Any = None) -> Any:
    value = props
    for part in dotted.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif _is_list(value) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return default
    return value


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::...` -> stack."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


@cache
def stack_settings(stack: str) -> Mapping[str, Any]:
    """The stack file's config (Pulumi.<stack>.yaml), as components.settings reads it."""
    from components.settings import stack_file_values

    try:
        return stack_file_values(stack)
    except Exception:
        return {}


def stack_setting(stack: str, key: str, default: Any = None) -> Any:
    return stack_settings(stack).get(f"{PROJECT}:{key}", default)


def statements_of(document: Any) -> list[Mapping[str, Any]]:
    """The statements of an IAM policy document given as JSON text or a mapping."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, Mapping):
        return []
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    return [s for s in statements if isinstance(s, Mapping)]


def _is_list(value: Any) -> bool:
    # The analyzer hands lists over as read-only Sequence proxies, not lists.
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if _is_list(value):
        return list(value)
    return [value]


def iam_documents(resource_type: str, props: Any) -> list[Any]:
    """The identity-based policy documents a resource carries (not key or bucket policies)."""
    if resource_type in (
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/policy:Policy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
    ):
        return [props.get("policy")]
    if resource_type == "aws:iam/role:Role":
        return [p.get("policy") for p in as_list(props.get("inlinePolicies")) if isinstance(p, Mapping)]
    return []


def allow_statements(resource_type: str, props: Any) -> Iterable[Mapping[str, Any]]:
    for document in iam_documents(resource_type, props):
        for statement in statements_of(document):
            if statement.get("Effect") == "Allow":
                yield statement


@cache
def accepts_tags(type_token: str) -> bool:
    """Whether the SDK class behind a type token takes `tags` (the resource is taggable)."""
    import importlib
    import inspect

    try:
        package, module_path, cls_name = type_token.split(":")
    except ValueError:
        return False
    if package not in ("aws", "awsx"):
        return False
    module = {"lambda": "lambda_"}.get(module_path.split("/")[0], module_path.split("/")[0])
    sdk = "pulumi_aws" if package == "aws" else "pulumi_awsx"
    try:
        cls = getattr(importlib.import_module(f"{sdk}.{module}"), cls_name, None)
    except ImportError:
        return False
    return cls is not None and "tags" in inspect.signature(cls._internal_init).parameters


def resource_policy(
    name: str,
    checkov: str,
    description: str,
    types: Iterable[str] | None,
    check: Callable[[ResourceValidationArgs], Iterable[str]],
) -> ResourceValidationPolicy:
    """A rule over single resources of `types` (None: every type); `check` yields messages."""
    wanted = frozenset(types) if types is not None else None
    CHECKOV[name] = checkov

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if wanted is not None and args.resource_type not in wanted:
            return
        for message in check(args):
            report(f"{args.name}: {message}", args.urn)

    return ResourceValidationPolicy(
        name=name,
        description=f"{description} [{checkov}]",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
    )


def stack_policy(
    name: str,
    checkov: str,
    description: str,
    check: Callable[[StackValidationArgs], Iterable[tuple[Any, str]]],
) -> StackValidationPolicy:
    """A rule over the whole stack; `check` yields (resource, message)."""
    CHECKOV[name] = checkov

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        for resource, message in check(args):
            report(f"{resource.name}: {message}", resource.urn)

    return StackValidationPolicy(
        name=name,
        description=f"{description} [{checkov}]",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
    )


def children_of(args: StackValidationArgs, parent: Any, child_type: str, prop: str = "bucket") -> list[Any]:
    """Resources of `child_type` whose `prop` input comes from `parent` (property dependency),
    or, when dependencies are not known, whose `prop` equals the parent's id."""
    found = []
    for r in args.resources:
        if r.resource_type != child_type:
            continue
        deps = r.property_dependencies.get(prop) or []
        if any(getattr(d, "urn", d) == parent.urn for d in deps):
            found.append(r)
        elif not deps and r.props.get(prop) in (parent.props.get("bucket"), parent.props.get("name")):
            found.append(r)
    return found


# ---- S3 -------------------------------------------------------------------------------------------
BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)


def buckets(args: StackValidationArgs) -> list[Any]:
    return [r for r in args.resources if r.resource_type == BUCKET]


def _s3_encryption(args: StackValidationArgs):
    for bucket in buckets(args):
        configs = [c for t in ENCRYPTION_TYPES for c in children_of(args, bucket, t)]
        inline = get(
            bucket.props, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault"
        )
        algorithms = {
            get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm")
            for c in configs
            for rule in as_list(c.props.get("rules"))
        } | ({get(inline, "sseAlgorithm")} if inline else set())
        if not algorithms & SSE_ALGORITHMS:
            yield bucket, "no default encryption (SSE-KMS or SSE-S3)"


def _s3_versioning(args: StackValidationArgs):
    for bucket in buckets(args):
        versioning = children_of(args, bucket, "aws:s3/bucketVersioning:BucketVersioning")
        statuses = {get(v.props, "versioningConfiguration.status") for v in versioning}
        if "Enabled" not in statuses and get(bucket.props, "versioning.enabled") is not True:
            yield bucket, "versioning is not enabled"


def _is_website(args: StackValidationArgs, bucket: Any) -> bool:
    return bool(children_of(args, bucket, "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"))


def _s3_public_access_block(args: StackValidationArgs):
    for bucket in buckets(args):
        blocks = children_of(args, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        if not blocks:
            yield bucket, "no public access block"
            continue
        block = blocks[0].props
        required = ["blockPublicAcls", "ignorePublicAcls"]
        # A static website bucket may be public through its policy only (never through ACLs).
        if not _is_website(args, bucket):
            required += ["blockPublicPolicy", "restrictPublicBuckets"]
        off = [k for k in required if block.get(k) is not True]
        if off:
            yield bucket, f"public access block leaves {', '.join(off)} off"


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    if statement.get("Effect") != "Deny" or statement.get("Principal") not in ("*", {"AWS": "*"}):
        return False
    condition = get(statement, "Condition.Bool.aws:SecureTransport")
    if str(condition).lower() != "false" and as_list(condition) != ["false"]:
        return False
    if "Action" in statement:
        return "s3:*" in as_list(statement["Action"]) or "*" in as_list(statement["Action"])
    # NotAction: everything but reads of objects (the dev website is HTTP-only by AWS's design).
    return set(as_list(statement.get("NotAction"))) <= {"s3:GetObject"}


def _s3_tls_only(args: StackValidationArgs):
    for bucket in buckets(args):
        policies = children_of(args, bucket, "aws:s3/bucketPolicy:BucketPolicy")
        statements = [s for p in policies for s in statements_of(p.props.get("policy"))]
        if not any(_denies_insecure_transport(s) for s in statements):
            yield bucket, "bucket policy does not deny requests without TLS (aws:SecureTransport)"


# ---- KMS, DynamoDB, Secrets Manager, CloudTrail -----------------------------------------------------
def _kms_rotation(args: ResourceValidationArgs):
    if args.props.get("enableKeyRotation") is not True:
        yield "key rotation is off"


def _dynamodb_pitr(args: ResourceValidationArgs):
    if get(args.props, "pointInTimeRecovery.enabled") is not True:
        yield "point-in-time recovery is off"


def _dynamodb_cmk(args: ResourceValidationArgs):
    sse = args.props.get("serverSideEncryption") or {}
    if sse.get("enabled") is not True or not sse.get("kmsKeyArn"):
        yield "not encrypted with a customer-managed KMS key"


def _secret_cmk(args: ResourceValidationArgs):
    if not args.props.get("kmsKeyId"):
        yield "encrypted with the AWS-managed key, not a customer-managed one"


def _trail_validation(args: ResourceValidationArgs):
    if args.props.get("enableLogFileValidation") is not True:
        yield "log file validation is off"


def _trail_encryption(args: ResourceValidationArgs):
    if not args.props.get("kmsKeyId"):
        yield "log files are not encrypted with a KMS key"


# ---- Lambda ------------------------------------------------------------------------------------------
FUNCTION = "aws:lambda/function:Function"


def _lambda_vpc(args: ResourceValidationArgs):
    if not as_list(get(args.props, "vpcConfig.subnetIds")) or not as_list(
        get(args.props, "vpcConfig.securityGroupIds")
    ):
        yield "not in a VPC (subnets and security groups)"


def _lambda_xray(args: ResourceValidationArgs):
    if get(args.props, "tracingConfig.mode") != "Active":
        yield "X-Ray active tracing is off"


def _lambda_env_cmk(args: ResourceValidationArgs):
    if get(args.props, "environment.variables") and not args.props.get("kmsKeyArn"):
        yield "environment variables are not encrypted with a customer-managed KMS key"


def _lambda_reserved_concurrency(args: ResourceValidationArgs):
    wanted = stack_setting(stack_of(args.urn), "lambdaReservedConcurrency")
    if not wanted:  # off by default: AWS refuses reservations leaving < 10 unreserved
        return
    reserved = args.props.get("reservedConcurrentExecutions")
    if reserved is None or int(reserved) < 0:
        yield f"no reserved concurrency although the stack sets lambdaReservedConcurrency={wanted}"


def _lambda_async_failure_destination(args: StackValidationArgs):
    functions = [r for r in args.resources if r.resource_type == FUNCTION]
    for fn in functions:
        permissions = children_of(args, fn, "aws:lambda/permission:Permission", prop="function")
        invokers = {p.props.get("principal") for p in permissions}
        configs = children_of(
            args, fn, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "functionName"
        )
        if not (invokers & ASYNC_INVOKERS or configs):
            continue  # invoked synchronously only (API Gateway)
        dead_letter = get(fn.props, "deadLetterConfig.targetArn")
        on_failure = any(get(c.props, "destinationConfig.onFailure.destination") for c in configs)
        if not (dead_letter or on_failure):
            yield fn, "invoked asynchronously without a dead-letter queue or on-failure destination"


# ---- API Gateway -------------------------------------------------------------------------------------
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"


def _stage_settings(args: StackValidationArgs, stage: Any) -> list[Mapping[str, Any]]:
    """The `*/*` method settings of a stage (matched by stage name and REST API)."""
    found = []
    for r in args.resources:
        if r.resource_type != METHOD_SETTINGS or r.props.get("methodPath") != "*/*":
            continue
        same_stage = r.props.get("stageName") == stage.props.get("stageName")
        same_api = r.props.get("restApi") == stage.props.get("restApi")
        if same_stage and same_api:
            found.append(r.props.get("settings") or {})
    return found


def _apigw_logging(args: StackValidationArgs):
    for stage in [r for r in args.resources if r.resource_type == STAGE]:
        if not get(stage.props, "accessLogSettings.destinationArn"):
            yield stage, "no access logging"
        levels = {s.get("loggingLevel") for s in _stage_settings(args, stage)}
        if not levels & {"INFO", "ERROR"}:
            yield stage, "no execution logging (method settings */* loggingLevel INFO or ERROR)"


def _apigw_xray(args: ResourceValidationArgs):
    if args.props.get("xrayTracingEnabled") is not True:
        yield "X-Ray tracing is off"


def _apigw_throttling(args: StackValidationArgs):
    for stage in [r for r in args.resources if r.resource_type == STAGE]:
        settings = _stage_settings(args, stage)
        if not any(
            (s.get("throttlingRateLimit") or 0) > 0 and (s.get("throttlingBurstLimit") or 0) > 0
            for s in settings
        ):
            yield stage, "no stage throttling (method settings */* rate and burst limits)"


WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


def _rate_limits_credentials(acl: Any) -> bool:
    """The web ACL blocks past a per-IP rate on some scope (components/waf.py)."""
    for rule in get(acl.props, "rules", []) or []:
        rate = get(rule, "statement.rateBasedStatement")
        if rate and (rate.get("limit") or 0) > 0 and get(rule, "action.block") is not None:
            return True
    return False


def _apigw_waf(args: StackValidationArgs):
    acls = {r.urn: r for r in args.resources if r.resource_type == WEB_ACL}
    for stage in [r for r in args.resources if r.resource_type == STAGE]:
        associated = [
            acls.get(getattr(d, "urn", d))
            for a in children_of(args, stage, WEB_ACL_ASSOCIATION, "resourceArn")
            for d in a.property_dependencies.get("webAclArn") or []
        ]
        if not any(acl is not None and _rate_limits_credentials(acl) for acl in associated):
            yield stage, "no WAF web ACL with a blocking rate-based rule is associated with the stage"


@cache
def contract_public_operations() -> frozenset[tuple[str, str]]:
    """(path, method) of the operations the contract declares public (`security: []`)."""
    import yaml

    spec = yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text())
    return frozenset(
        (path, method)
        for path, item in spec.get("paths", {}).items()
        for method, op in item.items()
        if isinstance(op, Mapping) and op.get("security") == []
    )


def _apigw_authorizer(args: ResourceValidationArgs):
    if args.resource_type == "aws:apigateway/method:Method":
        if args.props.get("authorization") in (None, "NONE") and args.props.get("httpMethod") != "OPTIONS":
            yield f"{args.props.get('httpMethod')} method without an authorizer"
        return
    body = args.props.get("body")
    if not isinstance(body, str) or not body.strip():
        return
    try:
        spec = json.loads(body)
    except ValueError:
        import yaml

        spec = yaml.safe_load(body)
    schemes = get(spec, "components.securitySchemes") or spec.get("securityDefinitions") or {}
    authorizers = {
        name
        for name, s in schemes.items()
        if isinstance(s, Mapping) and "x-amazon-apigateway-authorizer" in s
    }
    default = spec.get("security")
    public = contract_public_operations()
    for path, item in (spec.get("paths") or {}).items():
        for method, op in item.items():
            if not isinstance(op, Mapping) or method in ("options", "parameters"):
                continue  # CORS preflight is answered by API Gateway's mock integration
            security = op.get("security", default)
            named = {
                name
                for requirement in as_list(security)
                if isinstance(requirement, Mapping)
                for name in requirement
            }
            if named & authorizers:
                continue
            if (path, method) not in public:
                yield f"{method.upper()} {path} has no authorizer and is not public in the contract"


# ---- CodeBuild, CodePipeline -------------------------------------------------------------------------
def _codebuild_privileged(args: ResourceValidationArgs):
    if get(args.props, "environment.privilegedMode") is True:
        yield "privileged mode (Docker daemon, root on the host) is on"


def _codebuild_encrypted(args: ResourceValidationArgs):
    if not args.props.get("encryptionKey"):
        yield "artifacts are not encrypted with a customer-managed KMS key"
    for artifacts in [args.props.get("artifacts"), *as_list(args.props.get("secondaryArtifacts"))]:
        if isinstance(artifacts, Mapping) and artifacts.get("encryptionDisabled") is True:
            yield "artifact encryption is disabled"


def _pipeline_artifacts_encrypted(args: ResourceValidationArgs):
    stores = as_list(args.props.get("artifactStores"))
    if not stores or any(not get(s, "encryptionKey.id") for s in stores):
        yield "an artifact store is not encrypted with a customer-managed KMS key"


# ---- IAM -----------------------------------------------------------------------------------------------
IAM_TYPES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/role:Role",
)


def _iam_no_star(args: ResourceValidationArgs):
    for statement in allow_statements(args.resource_type, args.props):
        if "*" in as_list(statement.get("Action")) or "NotAction" in statement:
            yield f"statement {statement.get('Sid', '')!r} allows every action"


def _is_deploy_role_policy(args: ResourceValidationArgs) -> bool:
    role = args.props.get("role") if args.resource_type == "aws:iam/rolePolicy:RolePolicy" else None
    if args.resource_type == "aws:iam/role:Role":
        role = args.props.get("name")
    return isinstance(role, str) and DEPLOY_ROLE_SUFFIX in role


def _iam_no_service_wildcards(args: ResourceValidationArgs):
    if _is_deploy_role_policy(args):
        return  # `pulumi up` for the whole stack: scoped by service list, see pipeline.py
    for statement in allow_statements(args.resource_type, args.props):
        wild = [a for a in as_list(statement.get("Action")) if isinstance(a, str) and a.endswith(":*")]
        if wild:
            yield f"statement {statement.get('Sid', '')!r} allows {', '.join(wild)}"


def _iam_no_passrole_star(args: ResourceValidationArgs):
    for statement in allow_statements(args.resource_type, args.props):
        actions = {a.lower() for a in as_list(statement.get("Action")) if isinstance(a, str)}
        passes = actions & {"iam:passrole", "iam:*", "iam:pass*", "*"}
        if passes and "*" in as_list(statement.get("Resource")):
            yield f"statement {statement.get('Sid', '')!r} allows iam:PassRole on every role"


# ---- tags ----------------------------------------------------------------------------------------------
def _required_tags(args: ResourceValidationArgs):
    if not accepts_tags(args.resource_type):
        return
    tags = dict(args.props.get("tags") or {})
    if args.provider is not None:
        provider_tags = get(args.provider.props, "defaultTags.tags")
        if isinstance(provider_tags, str):
            provider_tags = json.loads(provider_tags).get("tags")
        defaults = dict(provider_tags or {})
    else:  # under mocks there is no provider resource: the stack file's aws:defaultTags
        defaults = dict(get(stack_settings(stack_of(args.urn)), "aws:defaultTags.tags") or {})
    merged = {**defaults, **tags}
    missing = [k for k in (*DEFAULT_TAGS, "System") if not merged.get(k)]
    if missing:
        yield f"missing tags {', '.join(missing)}"
    elif tags.get("System") not in SYSTEMS:
        yield f"System tag {tags.get('System')!r} is not one of {sorted(SYSTEMS)}"


# ---- cost ----------------------------------------------------------------------------------------------
def _cost_budget(args: StackValidationArgs):
    """The stack's monthly estimate, by the same rules, prices and usage profile as `./dev cost`
    (cost/), stays within the stack file's monthlyBudgetUsd (no budget: nothing to check)."""
    if not args.resources:
        return
    from cost.estimate import budget_of, estimate, items_from_policy

    stack = stack_of(args.resources[0].urn)
    config = stack_settings(stack)
    budget = budget_of(config)
    if budget is None:
        return
    result = estimate(items_from_policy(args.resources), stack=stack, config=config)
    if result.total <= budget:
        return
    top = sorted(result.lines, key=lambda ln: -ln.monthly)[:3]
    culprit = next((r for r in args.resources if r.resource_type == top[0].type), args.resources[0])
    largest = "; ".join(f"{ln.label} ${ln.monthly:,.2f}" for ln in top)
    yield (
        culprit,
        (
            f"estimated ${result.total:,.2f}/month exceeds monthlyBudgetUsd ${budget:,.2f} "
            f"(largest: {largest}; see ./dev cost {stack})"
        ),
    )


# ---- the pack ------------------------------------------------------------------------------------------
POLICIES = [
    stack_policy(
        "s3-encryption", "CKV_AWS_19 (CKV_AWS_145 for KMS)", "S3 buckets encrypt by default", _s3_encryption
    ),
    stack_policy("s3-versioning", "CKV_AWS_21", "S3 buckets are versioned", _s3_versioning),
    stack_policy(
        "s3-public-access-block",
        "CKV2_AWS_6 (CKV_AWS_53-56)",
        "S3 buckets have a public access block (a website bucket may be public by policy only)",
        _s3_public_access_block,
    ),
    stack_policy(
        "s3-tls-only",
        "none in checkov (Prowler s3_bucket_secure_transport_policy, AWS Config s3-bucket-ssl-requests-only)",
        "S3 bucket policies deny requests without TLS",
        _s3_tls_only,
    ),
    resource_policy("kms-key-rotation", "CKV_AWS_7", "KMS keys rotate", ["aws:kms/key:Key"], _kms_rotation),
    resource_policy(
        "dynamodb-pitr",
        "CKV_AWS_28",
        "DynamoDB tables have point-in-time recovery",
        ["aws:dynamodb/table:Table"],
        _dynamodb_pitr,
    ),
    resource_policy(
        "dynamodb-cmk",
        "CKV_AWS_119",
        "DynamoDB tables are encrypted with a CMK",
        ["aws:dynamodb/table:Table"],
        _dynamodb_cmk,
    ),
    resource_policy("lambda-in-vpc", "CKV_AWS_117", "Lambda functions run in a VPC", [FUNCTION], _lambda_vpc),
    stack_policy(
        "lambda-async-failure-destination",
        "CKV_AWS_116",
        "Asynchronously invoked Lambda functions have a dead-letter queue or on-failure destination",
        _lambda_async_failure_destination,
    ),
    resource_policy(
        "lambda-xray", "CKV_AWS_50", "Lambda functions trace with X-Ray", [FUNCTION], _lambda_xray
    ),
    resource_policy(
        "lambda-env-cmk",
        "CKV_AWS_173",
        "Lambda environment variables are encrypted with a CMK",
        [FUNCTION],
        _lambda_env_cmk,
    ),
    resource_policy(
        "lambda-reserved-concurrency",
        "CKV_AWS_115",
        "Lambda functions reserve concurrency when the stack sets lambdaReservedConcurrency",
        [FUNCTION],
        _lambda_reserved_concurrency,
    ),
    stack_policy(
        "apigw-stage-logging",
        "CKV_AWS_76 (access logs), CKV2_AWS_4 (logging level)",
        "API Gateway stages log access and execution",
        _apigw_logging,
    ),
    resource_policy("apigw-xray", "CKV_AWS_73", "API Gateway stages trace with X-Ray", [STAGE], _apigw_xray),
    stack_policy(
        "apigw-throttling",
        "none in checkov (AWS Well-Architected REL05-BP02)",
        "API Gateway stages throttle requests",
        _apigw_throttling,
    ),
    stack_policy(
        "apigw-waf",
        "CKV2_AWS_29",
        "API Gateway stages are behind a WAF web ACL that rate-limits clients",
        _apigw_waf,
    ),
    resource_policy(
        "apigw-authorizer",
        "CKV_AWS_59",
        "Every API method has an authorizer unless the contract declares it public",
        ["aws:apigateway/restApi:RestApi", "aws:apigateway/method:Method"],
        _apigw_authorizer,
    ),
    resource_policy(
        "codebuild-not-privileged",
        "CKV_AWS_316",
        "CodeBuild projects do not run privileged",
        ["aws:codebuild/project:Project"],
        _codebuild_privileged,
    ),
    resource_policy(
        "codebuild-encrypted",
        "CKV_AWS_147 (CMK), CKV_AWS_78 (encryption not disabled)",
        "CodeBuild artifacts are encrypted with a CMK",
        ["aws:codebuild/project:Project"],
        _codebuild_encrypted,
    ),
    resource_policy(
        "pipeline-artifacts-encrypted",
        "CKV_AWS_219",
        "CodePipeline artifact stores are encrypted with a CMK",
        ["aws:codepipeline/pipeline:Pipeline"],
        _pipeline_artifacts_encrypted,
    ),
    resource_policy(
        "secrets-cmk",
        "CKV_AWS_149",
        "Secrets are encrypted with a CMK",
        ["aws:secretsmanager/secret:Secret"],
        _secret_cmk,
    ),
    resource_policy(
        "iam-no-star-action",
        "CKV_AWS_62, CKV_AWS_63",
        "No IAM policy allows every action",
        IAM_TYPES,
        _iam_no_star,
    ),
    resource_policy(
        "iam-no-service-wildcards",
        "stricter than CKV_AWS_63 (no checkov equivalent)",
        "No IAM policy allows a whole service (svc:*) outside the deploy role",
        IAM_TYPES,
        _iam_no_service_wildcards,
    ),
    resource_policy(
        "iam-no-passrole-star",
        "CKV_AWS_286 (privilege escalation)",
        "No IAM policy allows iam:PassRole on every role",
        IAM_TYPES,
        _iam_no_passrole_star,
    ),
    resource_policy(
        "cloudtrail-log-validation",
        "CKV_AWS_36",
        "CloudTrail validates log files",
        ["aws:cloudtrail/trail:Trail"],
        _trail_validation,
    ),
    resource_policy(
        "cloudtrail-encrypted",
        "CKV_AWS_35",
        "CloudTrail encrypts log files with KMS",
        ["aws:cloudtrail/trail:Trail"],
        _trail_encryption,
    ),
    stack_policy(
        "cost-budget",
        "none in checkov (Infracost's cost policies, for Terraform)",
        "The stack's estimated monthly cost (./dev cost) stays within its monthlyBudgetUsd",
        _cost_budget,
    ),
    resource_policy(
        "required-tags",
        "none in checkov (its tag checks are custom policies)",
        "Every taggable resource carries Project, Environment, ManagedBy and its System",
        None,
        _required_tags,
    ),
]
