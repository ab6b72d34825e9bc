"""Delivery pipeline: the seed's CodePipeline, which deploys the platform on every push.

Source (GitHub via a CodeStar connection) -> Infrastructure (`pulumi up`) -> BuildLambdas
(auth and AI services in parallel) -> BuildFrontend (reads the stack outputs from the
infrastructure artifact, builds, syncs to the site bucket, invalidates the CDN).

Each CodeBuild project has its own log group and its own role holding only what its
buildspec does; the infrastructure role is necessarily broad (it runs `pulumi up`) and is
scoped by service and by name prefix instead (see `_infrastructure_statements`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws

from components import catalog
from components.buckets import harden_bucket
from components.iam import policy_document, service_trust_policy
from components.settings import Settings

SYSTEM = "CI/CD"
BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"  # Node 20 + Python 3.12
MAX_CONNECTION_NAME = 32

# The four CodeBuild projects: short name -> (compute type, timeout in minutes).
BUILDS: dict[str, tuple[str, int]] = {
    "infrastructure": ("BUILD_GENERAL1_MEDIUM", 60),
    "auth-lambda": ("BUILD_GENERAL1_SMALL", 30),
    "python-lambdas": ("BUILD_GENERAL1_SMALL", 30),
    "frontend": ("BUILD_GENERAL1_SMALL", 30),
}

# Lambda deploy steps of the lambda builds: publish a version, move the `live` alias.
LAMBDA_DEPLOY_ACTIONS = [
    "lambda:UpdateFunctionCode",
    "lambda:PublishVersion",
    "lambda:UpdateAlias",
    "lambda:GetAlias",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:ListVersionsByFunction",
]

# Services the program manages. `pulumi up` creates, reads, updates and deletes resources of
# each of these, so the infrastructure build gets their service-scoped wildcards. IAM is NOT
# here: it is granted separately, on this project's name prefix only.
INFRASTRUCTURE_SERVICES = (
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
    "codestar-connections",
    "codeconnections",
    "cloudtrail",
    "cloudwatch",
    "sns",
    "sqs",
    "events",
    "xray",
    "wafv2",
)

IAM_ROLE_ACTIONS = [
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:PutRolePolicy",
    "iam:GetRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListRolePolicies",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:CreatePolicy",
    "iam:DeletePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:ListPolicyVersions",
    "iam:TagPolicy",
    "iam:UntagPolicy",
]

# Managed policies the infrastructure role may never attach, even to its own prefix's roles.
FORBIDDEN_MANAGED_POLICIES = [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
]

CONNECTION_HINT_NEW = (
    "Approve the GitHub connection once in the console: Developer Tools > Settings > Connections"
)
CONNECTION_HINT_EXISTING = "using existing connection"


@dataclass
class DeliveryPipelineArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]
    site: Any  # FrontendSite: bucket_name, bucket_arn, distribution_id, distribution_arn
    services: Any  # Services: function_names, function_arns, role_arns (by catalog short name)


def connection_name(settings: Settings) -> str:
    """A readable CodeStar connection name within AWS's 32 characters."""
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", settings.github.repo).strip("-")
    return f"{settings.stack}-github-{slug}"[:MAX_CONNECTION_NAME].rstrip("-")


def _artifact_statements(bucket_arn: str, key_arn: str) -> list[dict]:
    """What every build needs: read its inputs and write its outputs in the artifacts bucket."""
    return [
        {
            "Sid": "PipelineArtifacts",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": f"{bucket_arn}/*",
        },
        {
            "Sid": "PipelineArtifactsBucket",
            "Effect": "Allow",
            "Action": ["s3:GetBucketAcl", "s3:GetBucketLocation"],
            "Resource": bucket_arn,
        },
        {
            "Sid": "PipelineKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:DescribeKey"],
            "Resource": key_arn,
        },
    ]


def _log_statement(log_group_arn: str) -> dict:
    return {
        "Sid": "OwnBuildLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [log_group_arn, f"{log_group_arn}:*"],
    }


def state_backend_statements(settings: Settings) -> list[dict]:
    """The Pulumi state bucket and secrets key, when the stack uses a self-managed backend."""
    statements: list[dict] = []
    url = settings.state_backend_url
    if url and url.startswith("s3://"):
        bucket = urlparse(url).netloc
        arn = f"arn:aws:s3:::{bucket}"
        statements += [
            {
                "Sid": "StateBucket",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
                "Resource": arn,
            },
            {
                "Sid": "StateObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"{arn}/*",
            },
        ]
    provider = settings.secrets_provider
    if provider and provider.startswith("awskms://"):
        key = provider[len("awskms://") :].split("?", 1)[0].lstrip("/")
        actions = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        key_arns = f"arn:aws:kms:{settings.region}:{settings.account_id}:key/*"
        alias = None
        if key.startswith("alias/"):
            alias = key
        elif key.startswith("arn:") and ":alias/" in key:
            alias = key.split(":", 5)[5]
        if alias:
            # IAM cannot name a key by alias in Resource: match the key that carries it.
            statements.append(
                {
                    "Sid": "StateSecretsKey",
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": key_arns,
                    "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}},
                }
            )
        else:
            arn = (
                key
                if key.startswith("arn:")
                else (f"arn:aws:kms:{settings.region}:{settings.account_id}:key/{key}")
            )
            statements.append(
                {"Sid": "StateSecretsKey", "Effect": "Allow", "Action": actions, "Resource": arn}
            )
    return statements


def _infrastructure_statements(settings: Settings) -> list[dict]:
    """Why this role is broad, and how it is held in.

    The infrastructure build runs `pulumi up` for the whole stack, so it must create, update
    and delete every kind of resource the program declares (VPC, Lambdas, API Gateway,
    DynamoDB, buckets, keys, Glue/Athena, CloudFront, this very pipeline, CloudTrail, alarms).
    No per-resource list can stay correct as the program grows, so it gets:
    - service-scoped wildcards for exactly the services the program uses (never `*`, never
      AdministratorAccess);
    - IAM only on roles and policies named with this project's prefix, and iam:PassRole only
      for those roles, so it cannot touch or hand out any other role in the account;
    - an explicit deny on attaching the account-wide admin managed policies.
    Because the pipeline manages itself, this role can also edit its own inline policy; the
    real guard is review of the tracked branch (and, if the account uses one, a permissions
    boundary set outside this stack).
    """
    prefix = settings.name_prefix
    account = settings.account_id
    role_arns = f"arn:aws:iam::{account}:role/{prefix}-*"
    policy_arns = f"arn:aws:iam::{account}:policy/{prefix}-*"
    return [
        {
            "Sid": "ManageStackServices",
            "Effect": "Allow",
            "Action": [f"{svc}:*" for svc in INFRASTRUCTURE_SERVICES],
            "Resource": "*",
        },
        {
            "Sid": "ManageProjectRolesAndPolicies",
            "Effect": "Allow",
            "Action": IAM_ROLE_ACTIONS,
            "Resource": [role_arns, policy_arns],
        },
        {"Sid": "PassProjectRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arns},
        {
            "Sid": "NeverAttachAdminPolicies",
            "Effect": "Deny",
            "Action": ["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"],
            "Resource": "*",
            "Condition": {"ArnLike": {"iam:PolicyARN": FORBIDDEN_MANAGED_POLICIES}},
        },
        *state_backend_statements(settings),
    ]


class DeliveryPipeline(pulumi.ComponentResource):
    pipeline_name: pulumi.Output[str]
    pipeline_arn: pulumi.Output[str]
    connection_arn: pulumi.Output[str]
    connection_hint: pulumi.Output[str]
    artifacts_bucket: pulumi.Output[str]
    project_names: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: DeliveryPipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ecommerce:pipeline:DeliveryPipeline", name, None, opts)
        s = args.settings
        tags = s.tags(SYSTEM)
        child = pulumi.ResourceOptions(parent=self)
        key_arn = pulumi.Output.from_input(args.kms_key_arn)

        # ---- GitHub connection --------------------------------------------------------------
        if s.github.connection_arn:
            self.connection_arn = pulumi.Output.from_input(s.github.connection_arn)
            self.connection_hint = pulumi.Output.from_input(CONNECTION_HINT_EXISTING)
        else:
            # Created PENDING: AWS requires a one-time OAuth approval in the console.
            connection = aws.codestarconnections.Connection(
                f"{name}-github",
                name=connection_name(s),
                provider_type="GitHub",
                tags=tags,
                opts=child,
            )
            self.connection_arn = connection.arn
            self.connection_hint = pulumi.Output.from_input(CONNECTION_HINT_NEW)

        # ---- artifacts bucket ----------------------------------------------------------------
        bucket = aws.s3.Bucket(
            f"{name}-artifacts",
            bucket=s.bucket_name("artifacts"),
            force_destroy=not s.deletion_protection,
            tags=tags,
            opts=child,
        )
        retention = s.artifact_retention_days
        harden_bucket(
            f"{name}-artifacts",
            bucket,
            opts=child,
            kms_key_arn=key_arn,
            lifecycle_rules=[
                {
                    "id": "expire-artifacts",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": retention},
                    "noncurrent_version_expiration": {"noncurrent_days": retention},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
        )

        # ---- GitHub token secret (kept from the seed) ----------------------------------------
        aws.secretsmanager.Secret(
            f"{name}-github-token",
            name=s.name("github-token"),
            description=(
                "GitHub personal access token, kept from the seed. Its value is set "
                "outside the repo (aws secretsmanager put-secret-value); the pipeline "
                "itself authenticates through the CodeStar connection."
            ),
            kms_key_id=key_arn,
            recovery_window_in_days=30 if s.deletion_protection else 0,
            tags=tags,
            opts=child,
        )

        # ---- CodeBuild projects ----------------------------------------------------------------
        site = args.site
        services = args.services
        extra_env: dict[str, dict[str, pulumi.Input[str]]] = {
            "infrastructure": {
                "PULUMI_BACKEND_URL": s.state_backend_url or "",
                "PULUMI_SECRETS_PROVIDER": s.secrets_provider or "",
                "PULUMI_VERSION": s.pulumi_version,
                # The build refuses the CLI's release archive unless it has this SHA-256.
                "PULUMI_SHA256": s.pulumi_sha256,
                "AWS_REGION": s.region,
                # deploy/pipeline_rerun.py: re-run the pipeline when `pulumi up` changed it.
                "PIPELINE_NAME": s.name("pipeline"),
            },
            # Zips over Lambda's 50 MB direct-upload limit go through the artifacts bucket.
            "auth-lambda": {"FUNCTION_PREFIX": s.name_prefix, "ARTIFACT_BUCKET": bucket.bucket},
            "python-lambdas": {"FUNCTION_PREFIX": s.name_prefix, "ARTIFACT_BUCKET": bucket.bucket},
            "frontend": {"SITE_BUCKET": site.bucket_name},
        }
        if getattr(site, "distribution_id", None) is not None:
            extra_env["frontend"]["DISTRIBUTION_ID"] = site.distribution_id

        self.project_names: dict[str, pulumi.Output[str]] = {}
        project_arns: dict[str, pulumi.Output[str]] = {}
        for build, (compute, timeout) in BUILDS.items():
            project_name = s.name(build)
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-{build}-logs",
                name=f"/aws/codebuild/{project_name}",
                retention_in_days=s.log_retention_days,
                kms_key_id=key_arn,
                tags=tags,
                opts=child,
            )
            role = aws.iam.Role(
                f"{name}-{build}-role",
                name=s.name(f"{build}-build"),
                description=f"CodeBuild {project_name}: only what its buildspec does",
                assume_role_policy=service_trust_policy("codebuild.amazonaws.com", s.account_id),
                tags=tags,
                opts=child,
            )
            policy = aws.iam.RolePolicy(
                f"{name}-{build}-policy",
                role=role.id,
                policy=self._build_policy(build, s, bucket.arn, key_arn, log_group.arn, site, services),
                opts=child,
            )
            env = {"STACK": s.stack, **extra_env[build]}
            project = aws.codebuild.Project(
                f"{name}-{build}",
                name=project_name,
                description=f"Pipeline stage build: buildspecs/{build}.yml",
                service_role=role.arn,
                source={"type": "CODEPIPELINE", "buildspec": f"buildspecs/{build}.yml"},
                artifacts={"type": "CODEPIPELINE"},
                environment={
                    "type": "LINUX_CONTAINER",
                    "image": BUILD_IMAGE,
                    "compute_type": compute,
                    "image_pull_credentials_type": "CODEBUILD",
                    "environment_variables": [
                        {"name": k, "value": v, "type": "PLAINTEXT"} for k, v in env.items()
                    ],
                },
                encryption_key=key_arn,
                build_timeout=timeout,
                queued_timeout=60,
                logs_config={"cloudwatch_logs": {"status": "ENABLED", "group_name": log_group.name}},
                tags=tags,
                # The role's policy must exist before the first build tries to use it.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
            self.project_names[build] = project.name
            project_arns[build] = project.arn

        # ---- the pipeline's own role -----------------------------------------------------------
        pipeline_role = aws.iam.Role(
            f"{name}-role",
            name=s.name("pipeline-role"),
            description="CodePipeline: artifacts, the four builds, the GitHub connection",
            assume_role_policy=service_trust_policy("codepipeline.amazonaws.com", s.account_id),
            tags=tags,
            opts=child,
        )
        pipeline_policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=pipeline_role.id,
            policy=pulumi.Output.all(bucket.arn, key_arn, self.connection_arn, *project_arns.values()).apply(
                lambda a: policy_document(
                    [
                        {
                            "Sid": "PipelineArtifacts",
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                            "Resource": f"{a[0]}/*",
                        },
                        {
                            "Sid": "PipelineArtifactsBucket",
                            "Effect": "Allow",
                            "Action": ["s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"],
                            "Resource": a[0],
                        },
                        {
                            "Sid": "PipelineKey",
                            "Effect": "Allow",
                            "Action": [
                                "kms:Decrypt",
                                "kms:GenerateDataKey",
                                "kms:Encrypt",
                                "kms:DescribeKey",
                            ],
                            "Resource": a[1],
                        },
                        {
                            "Sid": "UseGitHubConnection",
                            "Effect": "Allow",
                            "Action": ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
                            "Resource": a[2],
                        },
                        {
                            "Sid": "RunStageBuilds",
                            "Effect": "Allow",
                            "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                            "Resource": list(a[3:]),
                        },
                    ]
                )
            ),
            opts=child,
        )

        # ---- the pipeline ---------------------------------------------------------------------
        names = self.project_names
        pipeline = aws.codepipeline.Pipeline(
            f"{name}-pipeline",
            name=s.name("pipeline"),
            role_arn=pipeline_role.arn,
            pipeline_type="V2",
            # QUEUED: every push is deployed, in order, one execution at a time. SUPERSEDED
            # would let a newer commit skip an older one's frontend deploy, and PARALLEL would
            # run two `pulumi up` on the same stack at once (the second fails on the lock).
            execution_mode="QUEUED",
            artifact_stores=[
                {
                    "type": "S3",
                    "location": bucket.bucket,
                    "encryption_key": {"type": "KMS", "id": key_arn},
                }
            ],
            stages=[
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Source",
                            "category": "Source",
                            "owner": "AWS",
                            "provider": "CodeStarSourceConnection",
                            "version": "1",
                            "run_order": 1,
                            "output_artifacts": ["source_output"],
                            "configuration": {
                                "ConnectionArn": self.connection_arn,
                                "FullRepositoryId": s.github.full_repository_id,
                                "BranchName": s.github.branch,
                                "OutputArtifactFormat": "CODE_ZIP",
                            },
                        }
                    ],
                },
                {
                    "name": "Infrastructure",
                    "actions": [
                        _codebuild_action(
                            "Infrastructure",
                            names["infrastructure"],
                            ["source_output"],
                            "infrastructure_output",
                        ),
                    ],
                },
                # Same run_order: the auth build and the AI services build run in parallel.
                {
                    "name": "BuildLambdas",
                    "actions": [
                        _codebuild_action(
                            "AuthLambda", names["auth-lambda"], ["source_output"], "auth_lambda_output"
                        ),
                        _codebuild_action(
                            "PythonLambdas",
                            names["python-lambdas"],
                            ["source_output"],
                            "python_lambdas_output",
                        ),
                    ],
                },
                # Two inputs: the repository (primary) and the stack outputs, which CodeBuild
                # mounts at $CODEBUILD_SRC_DIR_infrastructure_output.
                {
                    "name": "BuildFrontend",
                    "actions": [
                        _codebuild_action(
                            "Frontend",
                            names["frontend"],
                            ["source_output", "infrastructure_output"],
                            "frontend_output",
                            primary_source="source_output",
                        ),
                    ],
                },
            ],
            triggers=[
                {
                    "provider_type": "CodeStarSourceConnection",
                    "git_configuration": {
                        "source_action_name": "Source",
                        "pushes": [{"branches": {"includes": [s.github.branch]}}],
                    },
                }
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pipeline_policy]),
        )

        self.pipeline_name = pipeline.name
        self.pipeline_arn = pipeline.arn
        self.artifacts_bucket = bucket.bucket
        self.register_outputs(
            {
                "pipeline_name": self.pipeline_name,
                "pipeline_arn": self.pipeline_arn,
                "connection_arn": self.connection_arn,
                "connection_hint": self.connection_hint,
                "artifacts_bucket": self.artifacts_bucket,
                "project_names": self.project_names,
            }
        )

    @staticmethod
    def _build_policy(
        build: str,
        s: Settings,
        bucket_arn: pulumi.Output[str],
        key_arn: pulumi.Output[str],
        log_group_arn: pulumi.Output[str],
        site: Any,
        services: Any,
    ) -> pulumi.Output[str]:
        """The inline policy of one build project's role, as JSON."""
        common = pulumi.Output.all(bucket_arn, key_arn, log_group_arn).apply(
            lambda a: [_log_statement(a[2]), *_artifact_statements(a[0], a[1])]
        )

        if build == "infrastructure":
            specific = pulumi.Output.from_input(_infrastructure_statements(s))
        elif build in ("auth-lambda", "python-lambdas"):
            # Only the functions this build deploys (catalog `build`), bare and qualified.
            arns = [services.function_arns[fn.name] for fn in catalog.functions_for_build(build)]
            specific = pulumi.Output.all(*arns).apply(
                lambda fns: [
                    {
                        "Sid": "DeployOwnFunctions",
                        "Effect": "Allow",
                        "Action": LAMBDA_DEPLOY_ACTIONS,
                        "Resource": [r for arn in fns for r in (arn, f"{arn}:*")],
                    }
                ]
            )
        elif build == "frontend":
            dist_arn = getattr(site, "distribution_arn", None)
            specific = pulumi.Output.all(site.bucket_arn, dist_arn).apply(
                lambda a: [
                    {"Sid": "ListSiteBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": a[0]},
                    {
                        "Sid": "SyncSiteObjects",
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        "Resource": f"{a[0]}/*",
                    },
                    *(
                        [
                            {
                                "Sid": "InvalidateCdn",
                                "Effect": "Allow",
                                "Action": ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                                "Resource": a[1],
                            }
                        ]
                        if a[1]
                        else []
                    ),
                ]
            )
        else:  # pragma: no cover - BUILDS is closed
            raise ValueError(f"unknown build {build!r}")

        return pulumi.Output.all(common, specific).apply(lambda parts: policy_document(parts[0] + parts[1]))


def _codebuild_action(
    action: str,
    project_name: pulumi.Input[str],
    inputs: list[str],
    output: str,
    *,
    primary_source: str | None = None,
) -> dict:
    configuration: dict[str, pulumi.Input[str]] = {"ProjectName": project_name}
    if primary_source:
        configuration["PrimarySource"] = primary_source
    return {
        "name": action,
        "category": "Build",
        "owner": "AWS",
        "provider": "CodeBuild",
        "version": "1",
        "run_order": 1,
        "input_artifacts": inputs,
        "output_artifacts": [output],
        "configuration": configuration,
    }
