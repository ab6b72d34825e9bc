"""The CrossGuard policy pack (policy/): each rule passes on both stacks of the program and
fails on a seeded bad resource, evaluated as the analyzer evaluates it (policy/local.py builds
the ResourceValidationArgs / StackValidationArgs from the resources recorded under mocks)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from policy import local, rules
from policy.local import evaluate, stack_config
from preview.harness import ROOT, ProgramRun, Resource


def only(name: str):
    return [p for p in rules.POLICIES if p.name == name]


def violations(run: ProgramRun, name: str) -> list[local.Violation]:
    return evaluate(run, {"all": "advisory"}, only(name))


def seeded(run: ProgramRun, mutate: Callable[[ProgramRun], None]) -> ProgramRun:
    bad = copy.deepcopy(run)
    mutate(bad)
    return bad


def one(run: ProgramRun, type_: str, name: str) -> Resource:
    return run.one(type_, name)


def drop(run: ProgramRun, type_: str, name: str) -> None:
    run.resources.remove(run.one(type_, name))


def set_input(type_: str, name: str, dotted: str, value) -> Callable[[ProgramRun], None]:
    def mutate(run: ProgramRun) -> None:
        target = run.one(type_, name).inputs
        *path, last = dotted.split(".")
        for part in path:
            target = target.setdefault(part, {}) if isinstance(target, dict) else target[int(part)]
        if value is DELETE:
            target.pop(last, None)
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


DELETE = object()
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def with_policy_statement(name: str, statement: dict) -> Callable[[ProgramRun], None]:
    def mutate(run: ProgramRun) -> None:
        policy = run.one(ROLE_POLICY, name)
        document = json.loads(policy.inputs["policy"])
        document["Statement"].append(statement)
        policy.inputs["policy"] = json.dumps(document)

    return mutate


def interface_endpoints_everywhere(run: ProgramRun) -> None:
    """An interface endpoint for 20 services in each of the 3 AZs: 60 endpoint-AZs x 730 h x
    $0.01 = $438 a month more, past prod's monthlyBudgetUsd."""
    gateway = run.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3-endpoint")
    for i in range(20):
        run.resources.append(
            Resource(
                urn=f"{gateway.urn}-seeded-{i}",
                type=gateway.type,
                name=f"seeded-interface-endpoint-{i}",
                parent=gateway.parent,
                custom=True,
                inputs={
                    "vpcEndpointType": "Interface",
                    "subnetIds": ["a", "b", "c"],
                    "serviceName": f"svc{i}",
                },
            )
        )


def tls_deny_removed(run: ProgramRun) -> None:
    policy = run.one(BUCKET_POLICY, "data-lake-raw-policy")
    document = json.loads(policy.inputs["policy"])
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "DenyInsecureTransport"]
    policy.inputs["policy"] = json.dumps(document)


def protected_operation_made_open(run: ProgramRun) -> None:
    api = run.of_type("aws:apigateway/restApi:RestApi")[0]
    body = json.loads(api.inputs["body"])
    body["paths"]["/auth/me"]["get"].pop("security")
    api.inputs["body"] = json.dumps(body)


def invoked_by_eventbridge(dead_letter: bool) -> Callable[[ProgramRun], None]:
    def mutate(run: ProgramRun) -> None:
        fn = run.one(FUNCTION, "services-analytics-service")
        run.resources.append(
            Resource(
                urn=fn.urn.replace("aws:lambda/function:Function", "aws:lambda/permission:Permission")
                + "-events",
                type="aws:lambda/permission:Permission",
                name="seeded-events-permission",
                parent=fn.parent,
                custom=True,
                inputs={
                    "action": "lambda:InvokeFunction",
                    "function": fn.inputs["name"],
                    "principal": "events.amazonaws.com",
                },
                property_dependencies={"function": [fn.urn]},
            )
        )
        if dead_letter:
            fn.inputs["deadLetterConfig"] = {"targetArn": "arn:aws:sqs:us-east-2:123456789012:dlq"}

    return mutate


# rule -> (stack, mutation that makes one resource break it)
SEEDED: dict[str, tuple[str, Callable[[ProgramRun], None]]] = {
    "s3-encryption": (
        "prod",
        lambda r: drop(
            r,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "data-lake-raw-encryption",
        ),
    ),
    "s3-versioning": (
        "prod",
        set_input(
            "aws:s3/bucketVersioning:BucketVersioning",
            "data-lake-raw-versioning",
            "versioningConfiguration.status",
            "Suspended",
        ),
    ),
    "s3-public-access-block": (
        "prod",
        set_input(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "data-lake-raw-public-access",
            "blockPublicPolicy",
            False,
        ),
    ),
    "s3-tls-only": ("prod", tls_deny_removed),
    "kms-key-rotation": (
        "prod",
        set_input("aws:kms/key:Key", "encryption-data-key", "enableKeyRotation", False),
    ),
    "dynamodb-pitr": (
        "prod",
        set_input("aws:dynamodb/table:Table", "users-table", "pointInTimeRecovery.enabled", False),
    ),
    "dynamodb-cmk": (
        "prod",
        set_input("aws:dynamodb/table:Table", "users-table", "serverSideEncryption.kmsKeyArn", DELETE),
    ),
    "lambda-in-vpc": ("prod", set_input(FUNCTION, "services-auth-service", "vpcConfig", DELETE)),
    "lambda-async-failure-destination": ("prod", invoked_by_eventbridge(dead_letter=False)),
    "lambda-xray": ("prod", set_input(FUNCTION, "services-authorizer", "tracingConfig.mode", "PassThrough")),
    "lambda-env-cmk": ("prod", set_input(FUNCTION, "services-auth-service", "kmsKeyArn", DELETE)),
    "lambda-reserved-concurrency": ("prod", lambda r: None),  # the stack asks for it (below)
    "apigw-stage-logging": ("prod", set_input("aws:apigateway/stage:Stage", "", "accessLogSettings", DELETE)),
    "apigw-xray": ("prod", set_input("aws:apigateway/stage:Stage", "", "xrayTracingEnabled", False)),
    "apigw-throttling": (
        "prod",
        set_input("aws:apigateway/methodSettings:MethodSettings", "", "settings.throttlingRateLimit", DELETE),
    ),
    "apigw-waf": ("prod", lambda r: drop(r, "aws:wafv2/webAclAssociation:WebAclAssociation", "")),
    "apigw-authorizer": ("prod", protected_operation_made_open),
    "codebuild-not-privileged": (
        "prod",
        set_input("aws:codebuild/project:Project", "pipeline-frontend", "environment.privilegedMode", True),
    ),
    "codebuild-encrypted": (
        "prod",
        set_input("aws:codebuild/project:Project", "pipeline-frontend", "encryptionKey", DELETE),
    ),
    "pipeline-artifacts-encrypted": (
        "prod",
        set_input("aws:codepipeline/pipeline:Pipeline", "", "artifactStores.0.encryptionKey", DELETE),
    ),
    "secrets-cmk": (
        "prod",
        set_input("aws:secretsmanager/secret:Secret", "services-jwt-signing-key", "kmsKeyId", DELETE),
    ),
    "iam-no-star-action": (
        "prod",
        with_policy_statement(
            "services-auth-service-policy", {"Sid": "Oops", "Effect": "Allow", "Action": "*", "Resource": "*"}
        ),
    ),
    "iam-no-service-wildcards": (
        "prod",
        with_policy_statement(
            "services-analytics-service-policy",
            {"Sid": "AllOfS3", "Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::x/*"},
        ),
    ),
    "iam-no-passrole-star": (
        "prod",
        with_policy_statement(
            "pipeline-frontend-policy",
            {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        ),
    ),
    "cloudtrail-log-validation": (
        "prod",
        set_input("aws:cloudtrail/trail:Trail", "audit-trail", "enableLogFileValidation", False),
    ),
    "cloudtrail-encrypted": (
        "prod",
        set_input("aws:cloudtrail/trail:Trail", "audit-trail", "kmsKeyId", DELETE),
    ),
    "required-tags": ("prod", set_input("aws:s3/bucket:Bucket", "data-lake-raw", "tags", {})),
    "cost-budget": ("prod", interface_endpoints_everywhere),
}


@pytest.fixture(autouse=True)
def _no_reserved_concurrency_asked(monkeypatch):
    """The stack files leave lambdaReservedConcurrency unset; tests that want it set say so."""
    monkeypatch.setattr(rules, "stack_setting", lambda stack, key, default=None: default)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_program_passes_the_pack_under_its_stack_config(stack, request):
    run = request.getfixturevalue(stack)
    found = evaluate(run, stack_config(stack))
    assert not found, "\n".join(f"{v.policy}: {v.message}" for v in found)


def test_enforcement_is_mandatory_in_prod_and_advisory_in_dev():
    names = [p.name for p in rules.POLICIES]
    assert {local.level_of(n, stack_config("prod")).value for n in names} == {"mandatory"}
    # dev: advisory, and the state tables' PITR (prod only by design) is not asked for there.
    assert {local.level_of(n, stack_config("dev")).value for n in names} == {"advisory", "disabled"}
    assert [n for n in names if local.level_of(n, stack_config("dev")).value == "disabled"] == [
        "dynamodb-pitr"
    ]


def test_every_rule_names_its_checkov_check_and_has_a_seeded_case():
    assert {p.name for p in rules.POLICIES} == set(SEEDED)
    for policy in rules.POLICIES:
        assert rules.CHECKOV[policy.name] and f"[{rules.CHECKOV[policy.name]}]" in policy.description


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_rule_fails_on_a_seeded_bad_resource_and_passes_on_the_program(name, request, monkeypatch):
    stack, mutate = SEEDED[name]
    run = request.getfixturevalue(stack)
    assert violations(run, name) == [], f"{name} fails on the program's own {stack} stack"
    if name == "lambda-reserved-concurrency":
        monkeypatch.setattr(rules, "stack_setting", lambda s, key, default=None: 5)
    bad = violations(seeded(run, mutate), name)
    assert bad, f"{name} did not catch the seeded resource"
    assert all(v.policy == name and v.urn for v in bad)


def test_async_function_with_a_dead_letter_queue_passes(prod):
    assert (
        violations(seeded(prod, invoked_by_eventbridge(dead_letter=True)), "lambda-async-failure-destination")
        == []
    )


def test_reserved_concurrency_rule_passes_when_the_stack_reserves_it(monkeypatch):
    from preview.harness import run_program

    monkeypatch.setattr(rules, "stack_setting", lambda s, key, default=None: 5)
    run = run_program("dev", {"ecommerce-ai-platform:lambdaReservedConcurrency": 5})
    assert violations(run, "lambda-reserved-concurrency") == []


def test_the_dev_website_bucket_may_be_public_by_policy_only(dev):
    # The S3 website is public through its bucket policy; ACLs stay blocked.
    assert violations(dev, "s3-public-access-block") == []
    bad = seeded(
        dev,
        set_input(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "frontend-public-access",
            "blockPublicAcls",
            False,
        ),
    )
    assert violations(bad, "s3-public-access-block")


def test_the_pack_loads_and_serves_as_pulumi_runs_it():
    # `pulumi --policy-pack policy` runs policy/__main__.py, which prints the analyzer's port.
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "policy" / "__main__.py")],
        cwd=ROOT / "policy",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = process.stdout.readline().decode().strip()
        assert line.isdigit(), process.stderr.read().decode() if process.poll() is not None else line
    finally:
        process.terminate()
        process.wait(timeout=10)
