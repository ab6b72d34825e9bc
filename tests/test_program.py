"""The whole program under mocks, per stack: what holds across components."""

from __future__ import annotations

import json
import re

import pytest

from components.catalog import FUNCTIONS, SERVICES
from components.settings import MAX_BUCKET_NAME, MAX_FUNCTION_NAME, MAX_ROLE_NAME, from_stack_file
from preview.__main__ import count_operations, summary, to_json
from preview.harness import taggable


def test_every_taggable_resource_names_its_system(stack_run):
    untagged = [
        f"{r.type} {r.name}"
        for r in taggable(stack_run.resources)
        if not (r.inputs.get("tags") or {}).get("System")
    ]
    assert not untagged, f"resources without a System tag: {untagged}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_default_tags_in_stack_file(stack):
    tags = from_stack_file(stack).default_tags
    assert tags == {
        "Project": "eCommerce-AI-Platform",
        "Environment": stack,
        "ManagedBy": "Pulumi",
        "System": "eCommerce-AI-Platform",
    }


def test_pipeline_resources_are_tagged_ci_cd(stack_run):
    pipeline = stack_run.one("aws:codepipeline/pipeline:Pipeline")
    assert pipeline.inputs["tags"]["System"] == "CI/CD"


def test_physical_names_fit_aws_limits(stack_run):
    too_long = []
    for r in stack_run.of_type("aws:s3/bucket:Bucket"):
        name = r.inputs.get("bucket", "")
        if len(name) > MAX_BUCKET_NAME or not re.fullmatch(r"[a-z0-9][a-z0-9.-]+[a-z0-9]", name):
            too_long.append(name)
    for r in stack_run.of_type("aws:iam/role:Role"):
        if len(r.inputs.get("name", "")) > MAX_ROLE_NAME:
            too_long.append(r.inputs["name"])
    for r in stack_run.of_type("aws:lambda/function:Function"):
        if len(r.inputs.get("name", "")) > MAX_FUNCTION_NAME:
            too_long.append(r.inputs["name"])
    for r in stack_run.of_type("aws:codestarconnections/connection:Connection"):
        if len(r.inputs.get("name", "")) > 32:
            too_long.append(r.inputs["name"])
    assert not too_long


def test_seven_services_and_the_authorizer(stack_run):
    settings = from_stack_file(stack_run.stack)
    names = {r.inputs["name"] for r in stack_run.of_type("aws:lambda/function:Function")}
    assert names == {settings.function_name(fn.name) for fn in FUNCTIONS}
    assert summary(stack_run)["serviceFunctions"] == len(SERVICES) == 7


def test_api_is_one_rest_api_built_from_the_contract(stack_run):
    apis = stack_run.of_type("aws:apigateway/restApi:RestApi")
    assert len(apis) == 1
    assert count_operations(apis[0]) == 66  # OPTIONS preflights are not counted
    assert not stack_run.of_type("aws:apigateway/method:Method")
    assert not stack_run.of_type("aws:apigateway/integration:Integration")


def test_pipeline_has_four_stages_with_parallel_lambda_builds(stack_run):
    s = summary(stack_run)
    assert s["pipelineStages"] == ["Source", "Infrastructure", "BuildLambdas", "BuildFrontend"]
    assert s["parallelActions"] == {"BuildLambdas": 2}


@pytest.mark.parametrize("stack,cidr", [("dev", "10.0.0.0/16"), ("prod", "10.1.0.0/16")])
def test_vpc_cidr_per_stack(stack, cidr, request):
    run = request.getfixturevalue(stack)
    assert run.one("awsx:ec2:Vpc").inputs["cidrBlock"] == cidr


def test_outputs(dev, prod):
    required = {
        "apiUrl",
        "frontendUrl",
        "frontendBucket",
        "usersTable",
        "dataLakeBuckets",
        "pipelineName",
        "connectionArn",
        "connectionHint",
        "glueDatabase",
        "athenaWorkgroup",
    }
    assert required <= dev.outputs.keys()
    assert required | {"cdnDistributionId"} <= prod.outputs.keys()
    assert "cdnDistributionId" not in dev.outputs
    assert dev.outputs["apiUrl"].startswith("https://") and dev.outputs["apiUrl"].endswith("/dev")
    assert prod.outputs["apiUrl"].endswith("/prod")
    assert dev.outputs["frontendUrl"].startswith("http://") and "s3-website" in dev.outputs["frontendUrl"]
    assert (
        prod.outputs["frontendUrl"].startswith("https://") and "cloudfront.net" in prod.outputs["frontendUrl"]
    )
    assert dev.outputs["usersTable"] == "futureim-ecommerce-ai-platform-users-dev"
    assert dev.outputs["pipelineName"] == "futureim-ecommerce-ai-platform-pipeline-dev"
    assert "approve" in dev.outputs["connectionHint"].lower()


def test_cors_origin_is_the_frontend_not_a_wildcard(stack_run):
    origin = stack_run.outputs["frontendUrl"].rstrip("/")
    body = json.loads(stack_run.one("aws:apigateway/restApi:RestApi").inputs["body"])
    for path, ops in body["paths"].items():
        headers = ops["options"]["x-amazon-apigateway-integration"]["responses"]["default"][
            "responseParameters"
        ]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{origin}'", path
    for fn in stack_run.of_type("aws:lambda/function:Function"):
        assert fn.get("environment.variables.ALLOWED_ORIGIN") == origin


def test_preview_json_lists_parents(dev):
    doc = to_json(dev)
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["network"]["parent"] is None
    parented = [r for r in doc["resources"] if r["parent"]]
    assert len(parented) == len(doc["resources"]) - len([r for r in doc["resources"] if not r["parent"]])
    assert all(r["parent"] in by_name for r in parented)


def test_every_variable_a_buildspec_requires_is_set_by_its_project(stack_run):
    """What the pipeline component sets is what the buildspecs read (optional ones use ${VAR:+...})."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parent.parent
    builtin = {
        "CODEBUILD_SRC_DIR",
        "CODEBUILD_SRC_DIR_infrastructure_output",
        "CODEBUILD_BUILD_SUCCEEDING",
        "PATH",
        "HOME",
        "PWD",
        "CODEBUILD_RESOLVED_SOURCE_VERSION",
        "CODEBUILD_BUILD_ID",
    }
    projects = stack_run.of_type("aws:codebuild/project:Project")
    assert len(projects) == 4
    for project in projects:
        spec_path = root / project.get("source.buildspec")
        spec = yaml.safe_load(spec_path.read_text())
        commands = " ".join(
            str(c)
            for phase in spec.get("phases", {}).values()
            for c in (phase or {}).get("commands", []) or []
        )
        optional = set(re.findall(r"\$\{(\w+):\+", commands))
        used = set(re.findall(r"\$\{?(\w+)", commands)) - optional - builtin
        local = set(re.findall(r"\b(\w+)=", commands)) | set(
            (spec.get("env", {}) or {}).get("variables", {}) or {}
        )
        provided = {v["name"] for v in project.get("environment.environmentVariables", [])}
        missing = {v for v in used - local - provided if v.isupper()}
        assert not missing, f"{spec_path.name} reads {missing} that {project.inputs['name']} does not set"


# The IAM service prefix of each pulumi-aws module (and resource, where a module spans two).
IAM_PREFIX = {"aws:cloudwatch/logGroup:LogGroup": "logs", "aws:codestarconnections": "codestar-connections"}


def test_infrastructure_build_may_manage_every_service_the_program_uses(stack_run):
    """The pipeline's `pulumi up` must be able to create everything this program declares."""
    infra_role = next(
        r
        for r in stack_run.of_type("aws:iam/role:Role")
        if r.inputs["name"].endswith("-infrastructure-build-dev")
        or r.inputs["name"].endswith("-infrastructure-build-prod")
    )
    policies = [
        json.loads(p.inputs["policy"])
        for p in stack_run.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == infra_role.id
    ]
    allowed = {
        action.split(":")[0]
        for doc in policies
        for st in doc["Statement"]
        if st["Effect"] == "Allow"
        for action in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    }
    used = set()
    for r in stack_run.resources:
        if not r.custom or not r.type.startswith("aws:"):
            continue
        module = r.type.split(":")[1].split("/")[0]
        used.add(IAM_PREFIX.get(r.type) or IAM_PREFIX.get(f"aws:{module}") or module)
    assert used - allowed == set(), f"the infrastructure build cannot manage {sorted(used - allowed)}"
