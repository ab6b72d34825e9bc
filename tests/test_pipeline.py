"""DeliveryPipeline under mocks, built alone with stand-ins for the site and the services:
the seed's four stages and their artifacts, the builds, and what each role may do."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pulumi
import pytest

from components import catalog
from components.pipeline import (
    BUILD_IMAGE,
    CONNECTION_HINT_EXISTING,
    CONNECTION_HINT_NEW,
    DeliveryPipeline,
    DeliveryPipelineArgs,
)
from preview.harness import ACCOUNT_ID, run, taggable

KEY_ARN = f"arn:aws:kms:us-east-2:{ACCOUNT_ID}:key/pipeline-key"
SITE_BUCKET = f"futureim-ecommerce-ai-platform-frontend-dev-{ACCOUNT_ID}"
DIST_ID = "E2PREVIEW"
DIST_ARN = f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{DIST_ID}"
EXISTING_CONNECTION = f"arn:aws:codeconnections:us-east-2:{ACCOUNT_ID}:connection/abcd-1234"
PREFIX = "futureim-ecommerce-ai-platform"

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
PROJECT = "aws:codebuild/project:Project"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CONNECTION = "aws:codestarconnections/connection:Connection"
BUILDS = ("infrastructure", "auth-lambda", "python-lambdas", "frontend")


def function_arn(settings, short: str) -> str:
    return f"arn:aws:lambda:us-east-2:{ACCOUNT_ID}:function:{settings.function_name(short)}"


def build_pipeline(settings, *, cdn: bool = False):
    """Run DeliveryPipeline alone; site and services are stand-ins with the real attributes."""

    def program():
        services = SimpleNamespace(
            function_names={
                f.name: pulumi.Output.from_input(settings.function_name(f.name)) for f in catalog.FUNCTIONS
            },
            function_arns={
                f.name: pulumi.Output.from_input(function_arn(settings, f.name)) for f in catalog.FUNCTIONS
            },
            role_arns={
                f.name: f"arn:aws:iam::{ACCOUNT_ID}:role/{settings.name(f.name)}" for f in catalog.FUNCTIONS
            },
        )
        site = SimpleNamespace(
            bucket_name=pulumi.Output.from_input(SITE_BUCKET),
            bucket_arn=pulumi.Output.from_input(f"arn:aws:s3:::{SITE_BUCKET}"),
            distribution_id=pulumi.Output.from_input(DIST_ID) if cdn else None,
            distribution_arn=pulumi.Output.from_input(DIST_ARN) if cdn else None,
        )
        p = DeliveryPipeline(
            "pipeline",
            DeliveryPipelineArgs(settings=settings, kms_key_arn=KEY_ARN, site=site, services=services),
        )
        pulumi.export("pipeline_name", p.pipeline_name)
        pulumi.export("pipeline_arn", p.pipeline_arn)
        pulumi.export("connection_arn", p.connection_arn)
        pulumi.export("connection_hint", p.connection_hint)
        pulumi.export("artifacts_bucket", p.artifacts_bucket)
        pulumi.export("project_names", p.project_names)

    return run(program, stack=settings.stack)


@pytest.fixture()
def dev_pipeline(settings_for):
    return build_pipeline(settings_for("dev"))


@pytest.fixture()
def prod_pipeline(settings_for):
    return build_pipeline(settings_for("prod"), cdn=True)


# ---- helpers ------------------------------------------------------------------------------
def doc(value) -> dict:
    return json.loads(value)


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def stages(run_) -> list[dict]:
    return run_.one(PIPELINE).inputs["stages"]


def stage(run_, name: str) -> dict:
    (found,) = [s for s in stages(run_) if s["name"] == name]
    return found


def project(run_, build: str):
    return run_.one(PROJECT, f"pipeline-{build}")


def role_policy(run_, build: str) -> list[dict]:
    """The statements of a build project's role, found through the project's service role."""
    role_arn = project(run_, build).inputs["serviceRole"]
    (role,) = [r for r in run_.of_type(ROLE) if r.outputs["arn"] == role_arn]
    (policy,) = [p for p in run_.of_type(ROLE_POLICY) if p.inputs["role"] == role.id]
    return doc(policy.inputs["policy"])["Statement"]


def allowed(statements: list[dict], action: str) -> list[str]:
    """Resources on which `action` is allowed (exact action names, no wildcard expansion)."""
    out: list[str] = []
    for st in statements:
        if st["Effect"] == "Allow" and action in as_list(st.get("Action", [])):
            out += as_list(st["Resource"])
    return out


def env(run_, build: str) -> dict[str, str]:
    return {v["name"]: v["value"] for v in project(run_, build).get("environment.environmentVariables")}


def all_policy_documents(run_) -> list[tuple[str, dict]]:
    docs = [(r.name, doc(r.inputs["policy"])) for r in run_.of_type(ROLE_POLICY)]
    docs += [(r.name, doc(r.inputs["assumeRolePolicy"])) for r in run_.of_type(ROLE)]
    docs += [(r.name, doc(r.inputs["policy"])) for r in run_.of_type("aws:s3/bucketPolicy:BucketPolicy")]
    return docs


# ---- the pipeline -------------------------------------------------------------------------
def test_stage_order_is_the_seeds(dev_pipeline):
    assert [s["name"] for s in stages(dev_pipeline)] == [
        "Source",
        "Infrastructure",
        "BuildLambdas",
        "BuildFrontend",
    ]


def test_pipeline_is_v2_queued_with_kms_artifact_store(dev_pipeline, settings_for):
    pipeline = dev_pipeline.one(PIPELINE)
    assert pipeline.inputs["name"] == "futureim-ecommerce-ai-platform-pipeline-dev"
    assert pipeline.inputs["pipelineType"] == "V2"
    assert pipeline.inputs["executionMode"] == "QUEUED"
    (store,) = pipeline.inputs["artifactStores"]
    assert store["type"] == "S3"
    assert store["location"] == dev_pipeline.outputs["artifacts_bucket"]
    assert store["encryptionKey"] == {"type": "KMS", "id": KEY_ARN}
    assert dev_pipeline.outputs["pipeline_name"] == pipeline.inputs["name"]


def test_source_reads_the_branch_through_the_connection(dev_pipeline):
    (action,) = stage(dev_pipeline, "Source")["actions"]
    assert action["provider"] == "CodeStarSourceConnection"
    assert action["outputArtifacts"] == ["source_output"]
    cfg = action["configuration"]
    assert cfg["ConnectionArn"] == dev_pipeline.one(CONNECTION).outputs["arn"]
    assert cfg["FullRepositoryId"] == "futureimadmin/hackathons"
    assert cfg["BranchName"] == "master"
    assert cfg["OutputArtifactFormat"] == "CODE_ZIP"


def test_push_trigger_on_master(dev_pipeline):
    (trigger,) = dev_pipeline.one(PIPELINE).inputs["triggers"]
    assert trigger["providerType"] == "CodeStarSourceConnection"
    git = trigger["gitConfiguration"]
    assert git["sourceActionName"] == "Source" == stage(dev_pipeline, "Source")["actions"][0]["name"]
    assert [p["branches"]["includes"] for p in git["pushes"]] == [["master"]]


def test_infrastructure_stage_outputs_infrastructure_output(dev_pipeline):
    (action,) = stage(dev_pipeline, "Infrastructure")["actions"]
    assert action["provider"] == "CodeBuild"
    assert action["configuration"]["ProjectName"] == dev_pipeline.outputs["project_names"]["infrastructure"]
    assert action["inputArtifacts"] == ["source_output"]
    assert action["outputArtifacts"] == ["infrastructure_output"]


def test_lambda_builds_run_in_parallel(dev_pipeline):
    actions = stage(dev_pipeline, "BuildLambdas")["actions"]
    assert len(actions) == 2
    assert actions[0]["runOrder"] == actions[1]["runOrder"]
    names = dev_pipeline.outputs["project_names"]
    by_project = {a["configuration"]["ProjectName"]: a for a in actions}
    assert set(by_project) == {names["auth-lambda"], names["python-lambdas"]}
    assert by_project[names["auth-lambda"]]["outputArtifacts"] == ["auth_lambda_output"]
    assert by_project[names["python-lambdas"]]["outputArtifacts"] == ["python_lambdas_output"]
    for a in actions:
        assert a["inputArtifacts"] == ["source_output"]


def test_frontend_reads_source_and_stack_outputs(dev_pipeline):
    (action,) = stage(dev_pipeline, "BuildFrontend")["actions"]
    assert action["configuration"]["ProjectName"] == dev_pipeline.outputs["project_names"]["frontend"]
    assert set(action["inputArtifacts"]) == {"source_output", "infrastructure_output"}
    assert action["configuration"]["PrimarySource"] == "source_output"
    assert action["outputArtifacts"] == ["frontend_output"]


def test_every_input_artifact_is_produced_by_an_earlier_stage(dev_pipeline):
    produced: set[str] = set()
    for s in stages(dev_pipeline):
        for a in s["actions"]:
            assert set(a.get("inputArtifacts") or []) <= produced, (s["name"], a["name"])
        for a in s["actions"]:
            produced |= set(a.get("outputArtifacts") or [])


# ---- build projects -----------------------------------------------------------------------
def test_four_projects_named_and_using_their_buildspec(dev_pipeline):
    projects = dev_pipeline.of_type(PROJECT)
    assert sorted(p.inputs["name"] for p in projects) == sorted(f"{PREFIX}-{b}-dev" for b in BUILDS)
    for build in BUILDS:
        p = project(dev_pipeline, build)
        assert p.inputs["name"] == f"{PREFIX}-{build}-dev"
        assert p.inputs["source"] == {"type": "CODEPIPELINE", "buildspec": f"buildspecs/{build}.yml"}
        assert p.inputs["artifacts"] == {"type": "CODEPIPELINE"}
        assert p.get("environment.image") == BUILD_IMAGE == "aws/codebuild/amazonlinux-x86_64-standard:5.0"
        assert p.inputs["encryptionKey"] == KEY_ARN
        assert env(dev_pipeline, build)["STACK"] == "dev"


def test_compute_and_timeouts(dev_pipeline):
    assert project(dev_pipeline, "infrastructure").get("environment.computeType") == "BUILD_GENERAL1_MEDIUM"
    assert project(dev_pipeline, "infrastructure").inputs["buildTimeout"] == 60
    for build in ("auth-lambda", "python-lambdas", "frontend"):
        assert project(dev_pipeline, build).get("environment.computeType") == "BUILD_GENERAL1_SMALL"
        assert project(dev_pipeline, build).inputs["buildTimeout"] == 30


def test_each_project_logs_to_its_own_encrypted_group(dev_pipeline, settings_for):
    groups = {g.inputs["name"]: g for g in dev_pipeline.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for build in BUILDS:
        name = f"/aws/codebuild/{PREFIX}-{build}-dev"
        assert project(dev_pipeline, build).get("logsConfig.cloudwatchLogs.groupName") == name
        assert groups[name].inputs["retentionInDays"] == settings_for("dev").log_retention_days
        assert groups[name].inputs["kmsKeyId"] == KEY_ARN
        # ... and its role writes only there.
        log_resources = allowed(role_policy(dev_pipeline, build), "logs:PutLogEvents")
        arn = groups[name].outputs["arn"]
        assert set(log_resources) == {arn, f"{arn}:*"}


def test_environment_variables_per_build(prod_pipeline, dev_pipeline, settings_for):
    infra = env(dev_pipeline, "infrastructure")
    assert infra["PULUMI_VERSION"] == settings_for("dev").pulumi_version
    assert infra["AWS_REGION"] == "us-east-2"
    assert infra["PULUMI_BACKEND_URL"] == ""  # not configured in the stack file
    assert "PULUMI_SECRETS_PROVIDER" in infra
    for build in ("auth-lambda", "python-lambdas"):
        assert env(dev_pipeline, build)["FUNCTION_PREFIX"] == PREFIX
    assert env(dev_pipeline, "frontend")["SITE_BUCKET"] == SITE_BUCKET
    assert "DISTRIBUTION_ID" not in env(dev_pipeline, "frontend")
    assert env(prod_pipeline, "frontend")["DISTRIBUTION_ID"] == DIST_ID
    assert env(prod_pipeline, "frontend")["STACK"] == "prod"


def test_the_pulumi_cli_version_and_its_sha256_reach_only_the_infrastructure_build(settings_for):
    # buildspecs/infrastructure.yml checks the release archive against PULUMI_SHA256 before use.
    settings = settings_for("dev", pulumiVersion="3.9.9", pulumiSha256="ab" * 32)
    run_ = build_pipeline(settings)
    infra = env(run_, "infrastructure")
    assert (infra["PULUMI_VERSION"], infra["PULUMI_SHA256"]) == ("3.9.9", "ab" * 32)
    assert (
        project(run_, "infrastructure")
        .get("environment.image")
        .startswith("aws/codebuild/amazonlinux-x86_64")
    )
    for build in ("auth-lambda", "python-lambdas", "frontend"):
        assert "PULUMI_SHA256" not in env(run_, build)
    for stack in ("dev", "prod"):  # the stack files pin both, together
        pinned = settings_for(stack)
        assert re.fullmatch(r"[0-9a-f]{64}", pinned.pulumi_sha256)
        assert env(build_pipeline(pinned), "infrastructure")["PULUMI_SHA256"] == pinned.pulumi_sha256


def test_state_backend_settings_reach_the_infrastructure_build(settings_for):
    settings = settings_for(
        "dev",
        stateBackendUrl="s3://acme-pulumi-state",
        secretsProvider="awskms://alias/acme-pulumi-state?region=us-east-2",
    )
    run_ = build_pipeline(settings)
    infra = env(run_, "infrastructure")
    assert infra["PULUMI_BACKEND_URL"] == "s3://acme-pulumi-state"
    assert infra["PULUMI_SECRETS_PROVIDER"].startswith("awskms://alias/acme-pulumi-state")
    statements = role_policy(run_, "infrastructure")
    by_sid = {st.get("Sid"): st for st in statements}
    assert by_sid["StateObjects"]["Resource"] == "arn:aws:s3:::acme-pulumi-state/*"
    assert "s3:PutObject" in by_sid["StateObjects"]["Action"]
    assert by_sid["StateBucket"]["Resource"] == "arn:aws:s3:::acme-pulumi-state"
    key = by_sid["StateSecretsKey"]
    assert {"kms:Encrypt", "kms:Decrypt"} <= set(key["Action"])
    assert key["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/acme-pulumi-state"}
    }


# ---- IAM: least privilege -------------------------------------------------------------------
@pytest.mark.parametrize("which", ["dev_pipeline", "prod_pipeline"])
def test_no_policy_allows_every_action_or_attaches_admin(which, request):
    run_ = request.getfixturevalue(which)
    for name, document in all_policy_documents(run_):
        for st in document["Statement"]:
            actions = as_list(st.get("Action", []))
            assert "*" not in actions, name
            if st["Effect"] == "Allow":
                assert "iam:*" not in actions, name
    for attachment in run_.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        assert not attachment.inputs["policyArn"].endswith(":policy/AdministratorAccess")
    for role in run_.of_type(ROLE):
        assert "arn:aws:iam::aws:policy/AdministratorAccess" not in (
            role.inputs.get("managedPolicyArns") or []
        )


def test_every_role_trusts_only_its_service_in_this_account(dev_pipeline):
    trusted = {}
    for role in dev_pipeline.of_type(ROLE):
        (st,) = doc(role.inputs["assumeRolePolicy"])["Statement"]
        assert st["Action"] == "sts:AssumeRole"
        assert st["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
        trusted[role.inputs["name"]] = st["Principal"]["Service"]
        assert len(role.inputs["name"]) <= 64
    assert trusted.pop(f"{PREFIX}-pipeline-role-dev") == "codepipeline.amazonaws.com"
    assert sorted(trusted) == sorted(f"{PREFIX}-{b}-build-dev" for b in BUILDS)
    assert set(trusted.values()) == {"codebuild.amazonaws.com"}


def test_every_build_reads_and_writes_artifacts_with_the_key(dev_pipeline):
    bucket = dev_pipeline.outputs["artifacts_bucket"]
    for build in BUILDS:
        statements = role_policy(dev_pipeline, build)
        assert f"arn:aws:s3:::{bucket}/*" in allowed(statements, "s3:GetObject")
        assert f"arn:aws:s3:::{bucket}/*" in allowed(statements, "s3:PutObject")
        for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"):
            assert allowed(statements, action) == [KEY_ARN], (build, action)


def lambda_resources(run_, build: str) -> set[str]:
    statements = role_policy(run_, build)
    resources = set(allowed(statements, "lambda:UpdateFunctionCode"))
    for action in (
        "lambda:PublishVersion",
        "lambda:UpdateAlias",
        "lambda:GetAlias",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:ListVersionsByFunction",
    ):
        assert set(allowed(statements, action)) == resources, action
    return resources


def test_auth_build_touches_only_auth_functions(dev_pipeline, settings_for):
    s = settings_for("dev")
    resources = lambda_resources(dev_pipeline, "auth-lambda")
    expected = {
        r for fn in ("auth-service", "authorizer") for r in (function_arn(s, fn), f"{function_arn(s, fn)}:*")
    }
    assert resources == expected
    assert function_arn(s, "analytics-service") not in resources


def test_python_build_touches_only_the_six_ai_functions_and_the_data_jobs(dev_pipeline, settings_for):
    s = settings_for("dev")
    resources = lambda_resources(dev_pipeline, "python-lambdas")
    six = [f.name for f in catalog.SERVICES if f.name != "auth-service"]
    assert len(six) == 6
    built = [*six, catalog.DATA_JOBS.name]
    assert resources == {r for fn in built for r in (function_arn(s, fn), f"{function_arn(s, fn)}:*")}
    for fn in ("auth-service", "authorizer"):
        assert not any(r.startswith(function_arn(s, fn)) for r in resources)


def test_only_lambda_builds_and_infrastructure_touch_lambda(dev_pipeline):
    for st in role_policy(dev_pipeline, "frontend"):
        assert not any(a.startswith("lambda:") for a in as_list(st.get("Action", [])))


def test_frontend_build_syncs_only_the_site_bucket(dev_pipeline, prod_pipeline):
    site_arn = f"arn:aws:s3:::{SITE_BUCKET}"
    dev = role_policy(dev_pipeline, "frontend")
    assert allowed(dev, "s3:ListBucket") == [site_arn]
    for action in ("s3:PutObject", "s3:DeleteObject"):
        site_resources = [r for r in allowed(dev, action) if SITE_BUCKET in r]
        assert site_resources == [f"{site_arn}/*"]
    assert allowed(dev, "s3:DeleteObject") == [f"{site_arn}/*"]  # never deletes artifacts
    assert not allowed(dev, "cloudfront:CreateInvalidation")
    prod = role_policy(prod_pipeline, "frontend")
    assert allowed(prod, "cloudfront:CreateInvalidation") == [DIST_ARN]
    assert allowed(prod, "cloudfront:GetInvalidation") == [DIST_ARN]


def test_infrastructure_role_is_broad_but_scoped(dev_pipeline):
    statements = role_policy(dev_pipeline, "infrastructure")
    wildcard_services = {
        a.split(":")[0]
        for st in statements
        if st["Effect"] == "Allow"
        for a in as_list(st.get("Action", []))
        if a.endswith(":*")
    }
    assert {
        "ec2",
        "lambda",
        "apigateway",
        "dynamodb",
        "s3",
        "kms",
        "logs",
        "secretsmanager",
        "glue",
        "athena",
        "cloudfront",
        "codebuild",
        "codepipeline",
        "cloudtrail",
        "cloudwatch",
        "sns",
    } <= wildcard_services
    assert "iam" not in wildcard_services
    project_roles = f"arn:aws:iam::{ACCOUNT_ID}:role/{PREFIX}-*"
    project_policies = f"arn:aws:iam::{ACCOUNT_ID}:policy/{PREFIX}-*"
    iam_statements = [
        st
        for st in statements
        if st["Effect"] == "Allow" and any(a.startswith("iam:") for a in as_list(st["Action"]))
    ]
    assert iam_statements
    for st in iam_statements:
        assert set(as_list(st["Resource"])) <= {project_roles, project_policies}, st
    assert allowed(statements, "iam:PassRole") == [project_roles]
    assert "iam:CreateRole" in [a for st in iam_statements for a in as_list(st["Action"])]
    (deny,) = [st for st in statements if st["Effect"] == "Deny"]
    assert "iam:AttachRolePolicy" in deny["Action"]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in deny["Condition"]["ArnLike"]["iam:PolicyARN"]


def test_pipeline_role(dev_pipeline):
    role = dev_pipeline.one(ROLE, "pipeline-role")
    assert dev_pipeline.one(PIPELINE).inputs["roleArn"] == role.outputs["arn"]
    (policy,) = [p for p in dev_pipeline.of_type(ROLE_POLICY) if p.inputs["role"] == role.id]
    statements = doc(policy.inputs["policy"])["Statement"]
    project_arns = sorted(project(dev_pipeline, b).outputs["arn"] for b in BUILDS)
    assert sorted(allowed(statements, "codebuild:StartBuild")) == project_arns
    assert sorted(allowed(statements, "codebuild:BatchGetBuilds")) == project_arns
    connection_arn = dev_pipeline.one(CONNECTION).outputs["arn"]
    assert allowed(statements, "codestar-connections:UseConnection") == [connection_arn]
    assert allowed(statements, "codeconnections:UseConnection") == [connection_arn]
    bucket = dev_pipeline.outputs["artifacts_bucket"]
    assert allowed(statements, "s3:PutObject") == [f"arn:aws:s3:::{bucket}/*"]
    assert allowed(statements, "kms:Decrypt") == [KEY_ARN]


# ---- connection -------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["dev_pipeline", "prod_pipeline"])
def test_connection_is_created_with_a_short_name(which, request):
    run_ = request.getfixturevalue(which)
    connection = run_.one(CONNECTION)
    assert connection.inputs["providerType"] == "GitHub"
    name = connection.inputs["name"]
    assert len(name) <= 32
    assert run_.stack in name and "github" in name
    assert run_.outputs["connection_arn"] == connection.outputs["arn"]
    assert run_.outputs["connection_hint"] == CONNECTION_HINT_NEW
    assert "Developer Tools > Settings > Connections" in CONNECTION_HINT_NEW


def test_connection_name_stays_short_for_a_long_repository(settings_for):
    run_ = build_pipeline(settings_for("prod", githubRepo="an-extremely-long-repository-name-indeed"))
    assert len(run_.one(CONNECTION).inputs["name"]) <= 32


def test_existing_connection_is_used_when_configured(settings_for):
    run_ = build_pipeline(settings_for("dev", githubConnectionArn=EXISTING_CONNECTION))
    assert not run_.of_type(CONNECTION)
    (action,) = stage(run_, "Source")["actions"]
    assert action["configuration"]["ConnectionArn"] == EXISTING_CONNECTION
    assert run_.outputs["connection_arn"] == EXISTING_CONNECTION
    assert run_.outputs["connection_hint"] == CONNECTION_HINT_EXISTING == "using existing connection"
    role = run_.one(ROLE, "pipeline-role")
    (policy,) = [p for p in run_.of_type(ROLE_POLICY) if p.inputs["role"] == role.id]
    assert allowed(doc(policy.inputs["policy"])["Statement"], "codestar-connections:UseConnection") == [
        EXISTING_CONNECTION
    ]


# ---- artifacts bucket and token secret --------------------------------------------------------
def test_artifacts_bucket(dev_pipeline):
    bucket = dev_pipeline.one("aws:s3/bucket:Bucket", "artifacts")
    assert bucket.inputs["bucket"] == f"{PREFIX}-artifacts-dev-{ACCOUNT_ID}"
    assert bucket.inputs["forceDestroy"] is True  # dev: no deletion protection
    sse = dev_pipeline.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert sse.get("rules.0.applyServerSideEncryptionByDefault") == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": KEY_ARN,
    }
    assert (
        dev_pipeline.one("aws:s3/bucketVersioning:BucketVersioning").get("versioningConfiguration.status")
        == "Enabled"
    )
    block = dev_pipeline.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for flag in ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"):
        assert block.inputs[flag] is True
    (deny,) = doc(dev_pipeline.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_prod_artifacts_bucket_survives_destroy(prod_pipeline):
    assert prod_pipeline.one("aws:s3/bucket:Bucket", "artifacts").inputs["forceDestroy"] is False


@pytest.mark.parametrize("days", [30, 45])
def test_artifacts_expire_after_the_retention_setting(settings_for, days):
    run_ = build_pipeline(settings_for("dev", artifactRetentionDays=days))
    (rule,) = run_.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["expiration"]["days"] == days
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == days


def test_github_token_secret_without_a_value(dev_pipeline):
    secret = dev_pipeline.one("aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == f"{PREFIX}-github-token-dev"
    assert secret.inputs["kmsKeyId"] == KEY_ARN
    assert "put-secret-value" in secret.inputs["description"]
    assert "connection" in secret.inputs["description"].lower()
    assert not dev_pipeline.of_type("aws:secretsmanager/secretVersion:SecretVersion")


# ---- tags ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["dev_pipeline", "prod_pipeline"])
def test_every_taggable_resource_is_tagged_cicd(which, request):
    run_ = request.getfixturevalue(which)
    tagged = taggable(run_.resources)
    assert {r.type for r in tagged} >= {
        PIPELINE,
        PROJECT,
        ROLE,
        CONNECTION,
        "aws:s3/bucket:Bucket",
        "aws:secretsmanager/secret:Secret",
        "aws:cloudwatch/logGroup:LogGroup",
    }
    for r in tagged:
        assert (r.inputs.get("tags") or {}).get("System") == "CI/CD", r.name
