"""Services: the platform's seven Lambda functions, the API authorizer and the data-jobs function.

Each function of `catalog.FUNCTIONS` gets its own log group, its own role granting only what
its `needs` say, the function itself in the private subnets, and a `live` alias. Pulumi owns
each function's configuration; after the first deploy the delivery pipeline owns its code
(publish a version, move `live`), so code and alias version changes are ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components import catalog, mail_queue
from components.catalog import Function
from components.iam import service_trust_policy
from components.lambda_package import code_archive
from components.settings import MAX_FUNCTION_NAME, MAX_ROLE_NAME, Settings
from components.state_tables import STATE_TABLES

RUNTIME = "python3.12"
ARCHITECTURE = "arm64"
AUTHORIZER_TIMEOUT_SECONDS = 10  # API Gateway waits at most 10 s for an authorizer's answer
# A job (catalog.JOBS) is invoked by an event, not behind API Gateway's 29 s: Lambda's maximum.
JOB_TIMEOUT_SECONDS = 900
# A job's memory is at least this (or the stack's lambdaMemoryMb if larger): the data jobs hold
# whole query results for their fits (customer scores, reorder base, fraud model). Measured
# locally (DuckDB in process, so an upper bound): peak RSS 0.48 GB at scale 1.0 and 1.97 GB at
# scale 5.0, above dev's 512 MB; Lambda's CPU share also grows with memory.
JOB_MIN_MEMORY_MB = 2048
LIVE_ALIAS = "live"
WAREHOUSE = "athena"

# What Pulumi must not revert after the pipeline has deployed (engine names are derived from
# these Python names). The pipeline uploads new code and publishes versions; Pulumi keeps
# owning memory, timeout, environment, VPC, role...
FUNCTION_IGNORE_CHANGES = ["code", "source_code_hash", "code_sha256"]
ALIAS_IGNORE_CHANGES = ["function_version"]


class UsersTableRef(Protocol):
    table_name: pulumi.Input[str]
    table_arn: pulumi.Input[str]
    email_index_name: pulumi.Input[str]


class DataLakeRef(Protocol):
    raw_bucket: pulumi.Input[str]
    raw_bucket_arn: pulumi.Input[str]
    curated_bucket: pulumi.Input[str]
    curated_bucket_arn: pulumi.Input[str]
    athena_results_bucket: pulumi.Input[str]
    athena_results_bucket_arn: pulumi.Input[str]
    glue_database_name: pulumi.Input[str]
    athena_workgroup_name: pulumi.Input[str]
    athena_workgroup_arn: pulumi.Input[str]


@dataclass
class ServicesArgs:
    settings: Settings
    private_subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]  # logs, env vars, users table, data lake
    secrets_key_arn: pulumi.Input[str]  # the JWT signing secret
    users_table: UsersTableRef
    data_lake: DataLakeRef
    frontend_origin: pulumi.Input[str]  # the only origin CORS allows
    state_tables: StateTablesRef | None = None  # conversations, cases, audit (StateTables)


class StateTablesRef(Protocol):
    table_names: Mapping[str, pulumi.Input[str]]  # keys of state_tables.STATE_TABLES
    table_arns: Mapping[str, pulumi.Input[str]]


# need -> (state table, its environment variable, the actions its function may call)
STATE_TABLE_NEEDS: dict[str, tuple[str, str, list[str]]] = {
    catalog.CONVERSATIONS_TABLE: (
        "conversations",
        "CONVERSATIONS_TABLE",
        [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        ],
    ),
    # No DeleteItem: a case is closed, never deleted.
    catalog.CASES_TABLE: (
        "cases",
        "CASES_TABLE",
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    # No DeleteItem: events are written once (TTL expires them); UpdateItem adds to the per-day
    # counters the compliance report reads.
    catalog.AUDIT_TABLE: (
        "audit",
        "AUDIT_TABLE",
        ["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
}


def state_table_arn(settings: Settings, key: str) -> str:
    """A state table's ARN from its physical name (when no StateTables outputs are given)."""
    return (
        f"arn:aws:dynamodb:{settings.region}:{settings.account_id}:table/{STATE_TABLES[key].name(settings)}"
    )


@dataclass(frozen=True)
class PolicyRefs:
    """Everything a role's statements point at (plain strings or Outputs)."""

    log_group_name: str
    data_key_arn: pulumi.Input[str]
    secrets_key_arn: pulumi.Input[str]
    jwt_secret_arn: pulumi.Input[str]
    users_table_arn: pulumi.Input[str]
    raw_bucket_arn: pulumi.Input[str]
    curated_bucket_arn: pulumi.Input[str]
    athena_results_bucket_arn: pulumi.Input[str]
    athena_workgroup_arn: pulumi.Input[str]
    glue_database_name: pulumi.Input[str]
    state_table_arns: Mapping[str, pulumi.Input[str]] | None = None  # default: from the names


def policy_statements(fn: Function, settings: Settings, refs: PolicyRefs) -> list[dict[str, Any]]:
    """The IAM statements of `fn`'s role: logging, VPC networking, tracing, then its needs."""
    region, account = settings.region, settings.account_id
    statements: list[dict[str, Any]] = [
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{region}:{account}:log-group:{refs.log_group_name}:*",
        },
        # Lambda creates the function's ENIs in the VPC with the execution role. AWS asks for
        # DeleteNetworkInterface on "a unique resource id or all of them" in the account.
        {
            "Sid": "VpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            "Resource": f"arn:aws:ec2:{region}:{account}:*/*",
        },
        # Describe* calls have no resource-level permissions: AWS only accepts "*" here.
        {
            "Sid": "VpcDescribe",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            "Resource": "*",
        },
        # X-Ray trace segments are not resources either: "*" is the only valid value.
        {
            "Sid": "XRay",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
    ]
    needs = fn.needs
    if catalog.USERS_TABLE in needs:
        statements += [
            {
                "Sid": "UsersTable",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                    "dynamodb:ConditionCheckItem",
                ],
                "Resource": [refs.users_table_arn, pulumi.Output.concat(refs.users_table_arn, "/index/*")],
            },
            {
                "Sid": "UsersTableKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": refs.data_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}},
            },
        ]
    if catalog.JWT_SECRET in needs:
        statements += [
            {
                "Sid": "JwtSecret",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": refs.jwt_secret_arn,
            },
            {
                "Sid": "JwtSecretKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": refs.secrets_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            },
        ]
    if catalog.SEND_EMAIL in needs and settings.email_sender:
        # Only from the configured sender: its address identity, or its domain if the domain is
        # what was verified in SES. Without a sender the service cannot mail at all.
        domain = settings.email_sender.rsplit("@", 1)[-1]
        statements.append(
            {
                "Sid": "SendEmail",
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": [
                    f"arn:aws:ses:{region}:{account}:identity/{settings.email_sender}",
                    f"arn:aws:ses:{region}:{account}:identity/{domain}",
                ],
                "Condition": {"StringEquals": {"ses:FromAddress": settings.email_sender}},
            }
        )
    if catalog.DATA_LAKE_READ in needs:
        lake = [refs.raw_bucket_arn, refs.curated_bucket_arn]
        statements += [
            {
                "Sid": "DataLakeList",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": lake,
            },
            {
                "Sid": "DataLakeRead",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [pulumi.Output.concat(arn, "/*") for arn in lake],
            },
            {
                "Sid": "DataLakeKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": refs.data_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ]
    if catalog.RESET_QUEUE in needs:
        # forgot-password enqueues; the same function consumes (its event source mapping).
        statements += [
            {
                "Sid": "ResetMailQueue",
                "Effect": "Allow",
                "Action": [
                    "sqs:SendMessage",
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                "Resource": mail_queue.queue_arn(settings),
            },
            {
                "Sid": "ResetMailQueueKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": refs.data_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}},
            },
        ]
    if catalog.ARTIFACTS in needs:
        # Fits computed once per data version (shared.artifacts): this prefix only.
        statements += [
            {
                "Sid": "Artifacts",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": pulumi.Output.concat(refs.curated_bucket_arn, "/_artifacts/*"),
            },
            {
                "Sid": "ArtifactsKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": refs.data_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ]
    if catalog.WAREHOUSE_QUERY in needs:
        glue = f"arn:aws:glue:{region}:{account}"
        results = refs.athena_results_bucket_arn
        statements += [
            {
                "Sid": "Athena",
                "Effect": "Allow",
                "Action": [
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:StopQueryExecution",
                    "athena:GetWorkGroup",
                ],
                "Resource": refs.athena_workgroup_arn,
            },
            {
                "Sid": "GlueCatalog",
                "Effect": "Allow",
                "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
                "Resource": [
                    f"{glue}:catalog",
                    pulumi.Output.concat(f"{glue}:database/", refs.glue_database_name),
                    pulumi.Output.concat(f"{glue}:table/", refs.glue_database_name, "/*"),
                ],
            },
            {
                "Sid": "AthenaResultsBucket",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": results,
            },
            {
                "Sid": "AthenaResultsObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                "Resource": pulumi.Output.concat(results, "/*"),
            },
            # Athena results are written SSE-KMS; S3 (or Athena) uses the key for the caller.
            {
                "Sid": "AthenaResultsKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": refs.data_key_arn,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": [f"s3.{region}.amazonaws.com", f"athena.{region}.amazonaws.com"]
                    }
                },
            },
        ]
    table_needs = [need for need in STATE_TABLE_NEEDS if need in needs]
    for need in table_needs:
        key, _, actions = STATE_TABLE_NEEDS[need]
        arn = (refs.state_table_arns or {}).get(key) or state_table_arn(settings, key)
        statements.append(
            {
                "Sid": f"{key.capitalize()}Table",
                "Effect": "Allow",
                "Action": actions,
                "Resource": [arn, pulumi.Output.concat(arn, "/index/*")],
            }
        )
    if table_needs and catalog.USERS_TABLE not in needs:
        statements.append(
            {
                "Sid": "StateTablesKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": refs.data_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}},
            }
        )
    if catalog.BEDROCK in needs and settings.bedrock_model_id:
        # The configured model only (Converse is authorised as InvokeModel); none when unset.
        statements.append(
            {
                "Sid": "Bedrock",
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel"],
                "Resource": bedrock_model_arns(settings),
            }
        )
    return statements


# Cross-region inference profile ids start with a geography: us.anthropic.claude-...
_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "ca.", "jp.", "au.", "global.")


def bedrock_model_arns(settings: Settings) -> list[str]:
    """The ARNs the copilot may invoke for `bedrockModelId`: a foundation model in the stack's
    region, or an inference profile and the foundation model it routes to (in any region of
    the profile), or the ARN given as is."""
    model = settings.bedrock_model_id or ""
    if model.startswith("arn:"):
        return [model]
    if model.startswith(_PROFILE_PREFIXES):
        base = model.split(".", 1)[1]
        return [
            f"arn:aws:bedrock:{settings.region}:{settings.account_id}:inference-profile/{model}",
            f"arn:aws:bedrock:*::foundation-model/{base}",
        ]
    return [f"arn:aws:bedrock:{settings.region}::foundation-model/{model}"]


def environment_for(
    fn: Function,
    settings: Settings,
    *,
    frontend_origin: pulumi.Input[str],
    jwt_secret_arn: pulumi.Input[str],
    users_table: UsersTableRef,
    data_lake: DataLakeRef,
    state_tables: StateTablesRef | None = None,
) -> dict[str, pulumi.Input[str]]:
    """The environment variables of docs/CONVENTIONS.md, each only where the function needs it."""
    env: dict[str, pulumi.Input[str]] = {
        "STAGE": settings.stack,
        "POWERTOOLS_SERVICE_NAME": fn.name,
        "LOG_LEVEL": "INFO",
        "ALLOWED_ORIGIN": frontend_origin,
    }
    if fn.package == catalog.service("auth-service").package:
        env["ACCESS_TOKEN_MINUTES"] = str(settings.access_token_minutes)
    if catalog.USERS_TABLE in fn.needs:
        env["USERS_TABLE"] = users_table.table_name
    if catalog.RESET_QUEUE in fn.needs:
        env["RESET_QUEUE_URL"] = mail_queue.queue_url(settings)
    if catalog.JWT_SECRET in fn.needs:
        env["JWT_SECRET_ARN"] = jwt_secret_arn
    if catalog.SEND_EMAIL in fn.needs and settings.email_sender:
        # The sender must be a verified SES identity (`emailSender`, else the alarm address,
        # which the owner can verify with one click). Without one, reset e-mails are dropped
        # with a warning: the link is a credential and is never logged.
        env["SES_SENDER"] = settings.email_sender
    if catalog.DATA_LAKE_READ in fn.needs:
        env["RAW_BUCKET"] = data_lake.raw_bucket
        env["CURATED_BUCKET"] = data_lake.curated_bucket
    if catalog.WAREHOUSE_QUERY in fn.needs:
        env["GLUE_DATABASE"] = data_lake.glue_database_name
        env["ATHENA_WORKGROUP"] = data_lake.athena_workgroup_name
        env["ATHENA_RESULTS_BUCKET"] = data_lake.athena_results_bucket
        env["WAREHOUSE"] = WAREHOUSE
    for need, (key, variable, _) in STATE_TABLE_NEEDS.items():
        if need in fn.needs:
            env[variable] = (
                (state_tables.table_names[key]) if state_tables else STATE_TABLES[key].name(settings)
            )
    if catalog.AUDIT_TABLE in fn.needs:
        env["AUDIT_RETENTION_DAYS"] = str(settings.audit_retention_days)
    if catalog.CONVERSATIONS_TABLE in fn.needs:
        env["CONVERSATION_RETENTION_DAYS"] = str(settings.conversation_retention_days)
    if catalog.BEDROCK in fn.needs and settings.bedrock_model_id:
        env["BEDROCK_MODEL_ID"] = settings.bedrock_model_id  # unset: the copilot's local mode
    return env


def timeout_for(fn: Function, settings: Settings) -> int:
    """The function's timeout: the authorizer's, a job's, or the stack's (behind API Gateway)."""
    if fn.is_authorizer:
        return AUTHORIZER_TIMEOUT_SECONDS
    if fn.is_job:
        return JOB_TIMEOUT_SECONDS
    return settings.lambda_timeout_seconds


def memory_for(fn: Function, settings: Settings) -> int:
    """The stack's lambdaMemoryMb; a job gets at least JOB_MIN_MEMORY_MB."""
    if fn.is_job:
        return max(settings.lambda_memory_mb, JOB_MIN_MEMORY_MB)
    return settings.lambda_memory_mb


class Services(pulumi.ComponentResource):
    functions: dict[str, aws.lambda_.Function]
    aliases: dict[str, aws.lambda_.Alias]
    function_names: dict[str, pulumi.Output[str]]
    function_arns: dict[str, pulumi.Output[str]]
    alias_arns: dict[str, pulumi.Output[str]]
    alias_invoke_arns: dict[str, pulumi.Output[str]]
    log_group_names: dict[str, pulumi.Output[str]]
    role_arns: dict[str, pulumi.Output[str]]
    role_names: dict[str, pulumi.Output[str]]
    jwt_secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ServicesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:services:Services", name, None, opts)
        s = args.settings
        tags = s.tags("Compute")
        child = pulumi.ResourceOptions(parent=self)

        # One signing key for the stack, generated by Pulumi into Secrets Manager: it is never
        # in the repository or the stack config.
        signing_key = random.RandomPassword(f"{name}-jwt-signing-key", length=64, special=False, opts=child)
        secret = aws.secretsmanager.Secret(
            f"{name}-jwt-signing-key",
            name=s.name("jwt-signing-key"),
            description="HMAC key the auth service signs access tokens with",
            kms_key_id=args.secrets_key_arn,
            # Deleted at once outside prod: a recovery window keeps the name taken, so a dev
            # destroy/recreate would fail (same rule as the pipeline's GitHub token secret).
            recovery_window_in_days=30 if s.is_production else 0,
            tags=tags,
            opts=child,
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-jwt-signing-key-value", secret_id=secret.id, secret_string=signing_key.result, opts=child
        )
        self.jwt_secret_arn = secret.arn

        self.functions, self.aliases, self.role_arns, self.log_group_names = {}, {}, {}, {}
        self.role_names = {}
        for fn in catalog.FUNCTIONS:
            function, alias, role, log_group = self._function(name, fn, args, secret.arn, tags)
            self.functions[fn.name] = function
            self.aliases[fn.name] = alias
            self.role_arns[fn.name] = role.arn
            self.role_names[fn.name] = role.name
            self.log_group_names[fn.name] = log_group.name

        self.function_names = {k: f.name for k, f in self.functions.items()}
        self.function_arns = {k: f.arn for k, f in self.functions.items()}
        self.alias_arns = {k: a.arn for k, a in self.aliases.items()}
        self.alias_invoke_arns = {k: a.invoke_arn for k, a in self.aliases.items()}

        self.register_outputs(
            {
                "functionNames": self.function_names,
                "functionArns": self.function_arns,
                "aliasArns": self.alias_arns,
                "logGroupNames": self.log_group_names,
                "roleArns": self.role_arns,
                "jwtSecretArn": self.jwt_secret_arn,
            }
        )

    def _function(
        self,
        name: str,
        fn: Function,
        args: ServicesArgs,
        secret_arn: pulumi.Output[str],
        tags: Mapping[str, str],
    ):
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)
        function_name = s.function_name(fn.name)
        role_name = s.name(f"{fn.name}-role")
        for kind, value, limit in (
            ("function", function_name, MAX_FUNCTION_NAME),
            ("role", role_name, MAX_ROLE_NAME),
        ):
            if len(value) > limit:
                raise ValueError(f"{kind} name {value!r} is longer than {limit}; shorten namePrefix")
        log_group_name = s.log_group_for_function(fn.name)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-{fn.name}-logs",
            name=log_group_name,
            retention_in_days=s.log_retention_days,
            kms_key_id=args.data_key_arn,
            tags=tags,
            opts=child,
        )

        role = aws.iam.Role(
            f"{name}-{fn.name}-role",
            name=role_name,
            description=f"Execution role of {function_name}: only what {fn.name} touches",
            assume_role_policy=service_trust_policy("lambda.amazonaws.com", s.account_id),
            tags=tags,
            opts=child,
        )
        lake = args.data_lake
        refs = PolicyRefs(
            log_group_name=log_group_name,
            data_key_arn=args.data_key_arn,
            secrets_key_arn=args.secrets_key_arn,
            jwt_secret_arn=secret_arn,
            users_table_arn=args.users_table.table_arn,
            raw_bucket_arn=lake.raw_bucket_arn,
            curated_bucket_arn=lake.curated_bucket_arn,
            athena_results_bucket_arn=lake.athena_results_bucket_arn,
            athena_workgroup_arn=lake.athena_workgroup_arn,
            glue_database_name=lake.glue_database_name,
            state_table_arns=args.state_tables.table_arns if args.state_tables else None,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-{fn.name}-policy",
            role=role.id,
            name=f"{fn.name}-least-privilege",
            policy=pulumi.Output.json_dumps(
                {"Version": "2012-10-17", "Statement": policy_statements(fn, s, refs)}
            ),
            opts=child,
        )

        function = aws.lambda_.Function(
            f"{name}-{fn.name}",
            name=function_name,
            description=fn.description,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=fn.handler,
            code=code_archive(fn),
            memory_size=memory_for(fn, s),
            timeout=timeout_for(fn, s),
            role=role.arn,
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=args.private_subnet_ids, security_group_ids=[args.security_group_id]
            ),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            kms_key_arn=args.data_key_arn,  # encrypts the environment variables at rest
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables=environment_for(
                    fn,
                    s,
                    frontend_origin=args.frontend_origin,
                    jwt_secret_arn=secret_arn,
                    users_table=args.users_table,
                    data_lake=lake,
                    state_tables=args.state_tables,
                )
            ),
            publish=True,
            # -1 is Lambda's "no reservation" (the default); a stack opts in with
            # lambdaReservedConcurrency (see Settings for why it is off by default).
            reserved_concurrent_executions=s.lambda_reserved_concurrency or -1,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # After creation the pipeline owns the code (it uploads the built zip and
                # publishes a version); Pulumi must not put the initial archive back.
                ignore_changes=FUNCTION_IGNORE_CHANGES,
                # The log group first (else Lambda creates an unencrypted one without
                # retention), and the policy: CreateFunction checks the role's ENI permissions.
                depends_on=[log_group, policy],
            ),
        )

        alias = aws.lambda_.Alias(
            f"{name}-{fn.name}-{LIVE_ALIAS}",
            name=LIVE_ALIAS,
            description="The version the API calls; the pipeline moves it after each build",
            function_name=function.name,
            function_version=function.version,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=ALIAS_IGNORE_CHANGES),
        )
        return function, alias, role, log_group
