"""Services under mocks: the catalog's 9 functions, each with its log group, its `live` alias
and a role that grants only what its service needs; the JWT signing key; the placeholders."""

from __future__ import annotations

import fnmatch
import importlib
import json
import re
import types

import pulumi
import pytest
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key

from components import catalog
from components.lambda_package import archive_entries
from components.services import Services, ServicesArgs
from components.settings import MAX_FUNCTION_NAME, MAX_ROLE_NAME
from preview import harness
from preview.harness import run

ACCOUNT = "123456789012"
REGION = "us-east-2"
SUBNETS = ["subnet-private-a", "subnet-private-b"]
SECURITY_GROUP = "sg-lambdas"
DATA_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/data-key"
SECRETS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/secrets-key"
ORIGIN = "https://d111111abcdef8.cloudfront.net"
USERS_TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/users-table"
RAW_ARN, CURATED_ARN = "arn:aws:s3:::raw-bucket", "arn:aws:s3:::curated-bucket"
RESULTS_ARN = "arn:aws:s3:::athena-results"
WORKGROUP_ARN = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/lake-workgroup"
SIX = [fn for fn in catalog.SERVICES if fn.package != "auth_service"]


def users_table():
    return types.SimpleNamespace(
        table_name="users-table", table_arn=USERS_TABLE_ARN, email_index_name="email-index"
    )


def data_lake():
    return types.SimpleNamespace(
        raw_bucket="raw-bucket",
        raw_bucket_arn=RAW_ARN,
        curated_bucket="curated-bucket",
        curated_bucket_arn=CURATED_ARN,
        athena_results_bucket="athena-results",
        athena_results_bucket_arn=RESULTS_ARN,
        glue_database_name="lake_db",
        athena_workgroup_name="lake-workgroup",
        athena_workgroup_arn=WORKGROUP_ARN,
    )


def services_args(settings) -> ServicesArgs:
    """Upstream components faked with plain values (the subnets as an Output, as awsx gives them)."""
    return ServicesArgs(
        settings=settings,
        private_subnet_ids=pulumi.Output.from_input(SUBNETS),
        security_group_id=SECURITY_GROUP,
        data_key_arn=DATA_KEY,
        secrets_key_arn=SECRETS_KEY,
        users_table=users_table(),
        data_lake=data_lake(),
        frontend_origin=ORIGIN,
    )


def run_services(settings, captured: dict | None = None):
    def program():
        services = Services("services", services_args(settings))
        if captured is not None:
            captured["services"] = services
            for attr in (
                "function_names",
                "function_arns",
                "alias_arns",
                "alias_invoke_arns",
                "log_group_names",
                "role_arns",
            ):
                pulumi.Output.all(**getattr(services, attr)).apply(
                    lambda v, a=attr: captured.__setitem__(a, v)
                )
            services.jwt_secret_arn.apply(lambda v: captured.__setitem__("jwt_secret_arn", v))

    return run(program, stack=settings.stack)


@pytest.fixture(params=["dev", "prod"])
def stack(request, settings_for):
    settings = settings_for(request.param)
    return settings, run_services(settings)


@pytest.fixture()
def dev(settings_for):
    settings = settings_for("dev")
    return settings, run_services(settings)


def function_of(result, fn):
    return result.one("aws:lambda/function:Function", f"services-{fn.name}")


def env_of(result, fn):
    return function_of(result, fn).get("environment.variables")


def statements_of(result, fn):
    policy = result.one("aws:iam/rolePolicy:RolePolicy", f"services-{fn.name}-policy")
    return json.loads(policy.inputs["policy"])["Statement"]


def _list(value):
    return value if isinstance(value, list) else [value]


def allows(statements, action, resource) -> bool:
    """Does any Allow statement grant `action` on `resource` (IAM wildcards, conditions aside)?"""
    for st in statements:
        if st["Effect"] != "Allow":
            continue
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _list(st["Action"])) and any(
            fnmatch.fnmatchcase(resource, r) for r in _list(st["Resource"])
        ):
            return True
    return False


def jwt_secret_arn(result):
    return result.one("aws:secretsmanager/secret:Secret").outputs["arn"]


# ---- functions ---------------------------------------------------------------------------------


def test_one_function_per_catalog_entry(dev):
    settings, result = dev
    functions = result.of_type("aws:lambda/function:Function")
    # seven services, the authorizer and the data-jobs function
    assert len(functions) == len(catalog.FUNCTIONS) == 9
    assert {f.inputs["name"] for f in functions} == {
        settings.function_name(fn.name) for fn in catalog.FUNCTIONS
    }
    assert all(len(f.inputs["name"]) <= MAX_FUNCTION_NAME for f in functions)


def test_functions_run_python_on_arm_in_the_private_subnets_with_tracing(stack):
    settings, result = stack
    for fn in catalog.FUNCTIONS:
        f = function_of(result, fn)
        assert f.inputs["runtime"] == "python3.12"
        assert f.inputs["architectures"] == ["arm64"]
        assert f.get("vpcConfig.subnetIds") == SUBNETS
        assert f.get("vpcConfig.securityGroupIds") == [SECURITY_GROUP]
        assert f.get("tracingConfig.mode") == "Active"
        assert f.inputs["kmsKeyArn"] == DATA_KEY  # environment encrypted with the CMK
        assert f.inputs["publish"] is True
        if fn.is_job:  # invoked by an event, not behind API Gateway's 29 s
            assert f.inputs["memorySize"] == max(settings.lambda_memory_mb, 2048)
            assert f.inputs["timeout"] == 900
        else:
            assert f.inputs["memorySize"] == settings.lambda_memory_mb
            assert f.inputs["timeout"] == (10 if fn.is_authorizer else settings.lambda_timeout_seconds)
        assert f.inputs["tags"]["System"] == "Compute"


def test_reserved_concurrency_only_when_the_stack_sets_it(settings_for):
    default = run_services(settings_for("dev"))
    # -1: Lambda's "no reservation"
    assert {function_of(default, fn).inputs["reservedConcurrentExecutions"] for fn in catalog.FUNCTIONS} == {
        -1
    }
    reserved = run_services(settings_for("prod", lambdaReservedConcurrency=5))
    assert {function_of(reserved, fn).inputs["reservedConcurrentExecutions"] for fn in catalog.FUNCTIONS} == {
        5
    }


def test_memory_follows_the_stack(settings_for):
    dev_mem = function_of(run_services(settings_for("dev")), catalog.SERVICES[1]).inputs["memorySize"]
    prod_mem = function_of(run_services(settings_for("prod")), catalog.SERVICES[1]).inputs["memorySize"]
    assert (dev_mem, prod_mem) == (512, 1024)


@pytest.mark.parametrize("fn", catalog.FUNCTIONS, ids=lambda fn: fn.name)
def test_handler_strings_match_the_catalog_and_point_at_code(dev, fn, monkeypatch):
    from shared.testing import LAMBDA_ENV

    for key, value in LAMBDA_ENV.items():  # handlers read their environment at import, as in Lambda
        monkeypatch.setenv(key, value)
    _, result = dev
    handler = function_of(result, fn).inputs["handler"]
    assert handler == fn.handler
    module, _, attribute = handler.rpartition(".")
    path = catalog.LAMBDAS_DIR / (module.replace(".", "/") + ".py")
    assert path.exists(), path
    assert callable(getattr(importlib.import_module(module), attribute))


def test_code_archive_holds_the_package_and_shared_at_its_root(dev):
    _, result = dev
    for fn in SIX:
        code = function_of(result, fn).inputs["code"]
        assert isinstance(code, pulumi.AssetArchive)
        names = set(code.assets)
        assert f"{fn.package}/handler.py" in names
        assert all(n.startswith(tuple(f"{p}/" for p in (*fn.packages, "shared"))) for n in names), names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_copilot_zip_bundles_the_service_packages_it_imports(dev):
    # The copilot answers with the other services' functions in process; its zip must carry
    # every service package its code imports, and no function's zip a package it does not.

    copilot = catalog.service("retail-copilot")
    imported = set()
    for path in copilot.source_dir.rglob("*.py"):
        imported |= set(re.findall(r"^\s*(?:from|import) (\w+)", path.read_text(), re.M))
    services = {fn.package for fn in catalog.SERVICES}
    assert imported & services <= set(copilot.packages)
    _, result = dev
    names = set(function_of(result, copilot).inputs["code"].assets)
    for package in copilot.bundles:
        if (catalog.LAMBDAS_DIR / package / "__init__.py").exists():
            assert f"{package}/__init__.py" in names


def test_archive_skips_missing_folders_caches_and_tests(tmp_path):
    fn = catalog.service("analytics-service")
    package = tmp_path / fn.package
    (package / "__pycache__").mkdir(parents=True)
    (package / "tests").mkdir()
    (package / "handler.py").write_text("x = 1\n")
    (package / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"\0")
    (package / "tests" / "test_handler.py").write_text("")
    # no shared/ folder yet: skipped, not an error
    assert set(archive_entries(fn, tmp_path)) == {"analytics_service/handler.py"}
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "http.py").write_text("")
    assert set(archive_entries(fn, tmp_path)) == {"analytics_service/handler.py", "shared/http.py"}


def test_each_function_logs_to_its_own_encrypted_log_group_with_retention(stack):
    settings, result = stack
    groups = {g.inputs["name"]: g for g in result.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert len(groups) == 9
    for fn in catalog.FUNCTIONS:
        name = f"/aws/lambda/{settings.function_name(fn.name)}"
        group = groups[name]
        assert group.inputs["retentionInDays"] == settings.log_retention_days
        assert group.inputs["kmsKeyId"] == DATA_KEY
        assert group.inputs["tags"]["System"] == "Compute"
        f = function_of(result, fn)
        assert f.get("loggingConfig.logGroup") == name
        assert f.get("loggingConfig.logFormat") == "JSON"


def test_live_alias_per_function(dev):
    settings, result = dev
    aliases = result.of_type("aws:lambda/alias:Alias")
    assert len(aliases) == 9
    assert {a.inputs["name"] for a in aliases} == {"live"}
    assert {a.inputs["functionName"] for a in aliases} == {
        settings.function_name(fn.name) for fn in catalog.FUNCTIONS
    }
    assert all(a.inputs["functionVersion"] == "1" for a in aliases)  # the version published at creation


@pytest.fixture()
def ignored(monkeypatch):
    """ignoreChanges of every registration (the harness does not record resource options)."""
    seen: dict[tuple[str, str], list[str]] = {}
    original = harness.RecordingMonitor.RegisterResource

    def register(self, request):
        seen[(request.type, request.name)] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(harness.RecordingMonitor, "RegisterResource", register)
    return seen


def test_pipeline_owns_code_and_the_live_alias_version(settings_for, ignored):
    run_services(settings_for("dev"))
    for fn in catalog.FUNCTIONS:
        function = ignored[("aws:lambda/function:Function", f"services-{fn.name}")]
        assert {"code", "sourceCodeHash", "codeSha256"} <= set(function)
        # but Pulumi still owns the configuration
        assert not {"environment", "memorySize", "role", "vpcConfig", "timeout"} & set(function)
        assert ignored[("aws:lambda/alias:Alias", f"services-{fn.name}-live")] == ["functionVersion"]


# ---- roles -------------------------------------------------------------------------------------


def test_roles_trust_lambda_of_this_account_and_fit_the_name_limit(settings_for):
    for stack_name in ("dev", "prod"):
        settings = settings_for(stack_name)
        result = run_services(settings)
        roles = result.of_type("aws:iam/role:Role")
        assert len(roles) == 9
        for role in roles:
            assert len(role.inputs["name"]) <= MAX_ROLE_NAME, role.inputs["name"]
            trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
            assert trust == [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                }
            ]
        for fn in catalog.FUNCTIONS:
            role = result.one("aws:iam/role:Role", f"services-{fn.name}-role")
            assert role.inputs["name"] == settings.name(f"{fn.name}-role")
            assert function_of(result, fn).inputs["role"] == role.outputs["arn"]


def test_no_wildcard_actions_and_star_resources_only_where_aws_requires(dev):
    _, result = dev
    for fn in catalog.FUNCTIONS:
        for st in statements_of(result, fn):
            actions = _list(st["Action"])
            assert "*" not in actions and not [a for a in actions if a.endswith(":*")], st
            if "*" in _list(st["Resource"]):
                assert set(actions) <= {
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                }, st


def test_every_role_writes_only_its_own_log_group(dev):
    settings, result = dev

    def stream(fn):
        return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{settings.log_group_for_function(fn.name)}:log-stream:x"

    for fn in catalog.FUNCTIONS:
        statements = statements_of(result, fn)
        own = stream(fn)
        assert allows(statements, "logs:PutLogEvents", own)
        for other in catalog.FUNCTIONS:
            if other is not fn:
                assert not allows(statements, "logs:PutLogEvents", stream(other))
        assert not allows(statements, "logs:CreateLogGroup", own)
        assert allows(
            statements, "ec2:CreateNetworkInterface", f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{SUBNETS[0]}"
        )
        assert allows(statements, "xray:PutTraceSegments", "*")


def test_analytics_cannot_touch_the_users_table_or_the_jwt_secret(dev):
    _, result = dev
    statements = statements_of(result, catalog.service("analytics-service"))
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan"):
        assert not allows(statements, action, USERS_TABLE_ARN)
    assert not allows(statements, "secretsmanager:GetSecretValue", jwt_secret_arn(result))
    assert not allows(statements, "kms:Decrypt", SECRETS_KEY)
    assert not allows(statements, "ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/x")
    # what it does need: read the lake, query Athena
    assert allows(statements, "s3:GetObject", f"{CURATED_ARN}/orders/part-0.parquet")
    assert allows(statements, "athena:StartQueryExecution", WORKGROUP_ARN)
    assert allows(statements, "glue:GetTable", f"arn:aws:glue:{REGION}:{ACCOUNT}:table/lake_db/orders")
    assert allows(statements, "s3:PutObject", f"{RESULTS_ARN}/q/1.csv")
    assert not allows(statements, "s3:PutObject", f"{CURATED_ARN}/orders/x")  # the lake is read-only
    assert not allows(statements, "s3:DeleteObject", f"{RAW_ARN}/x")
    assert not allows(
        statements, "bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude"
    )


def test_auth_reads_the_secret_and_writes_users_but_not_the_lake(dev):
    _, result = dev
    statements = statements_of(result, catalog.service("auth-service"))
    assert allows(statements, "secretsmanager:GetSecretValue", jwt_secret_arn(result))
    assert not allows(statements, "secretsmanager:PutSecretValue", jwt_secret_arn(result))
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:DeleteItem"):
        assert allows(statements, action, USERS_TABLE_ARN)
    assert allows(statements, "dynamodb:Query", f"{USERS_TABLE_ARN}/index/email-index")
    assert not allows(statements, "dynamodb:DeleteTable", USERS_TABLE_ARN)
    # No sender configured in the dev stack file: no permission to mail at all.
    assert not allows(statements, "ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/example.com")
    for resource in (RAW_ARN, f"{RAW_ARN}/x", CURATED_ARN, f"{CURATED_ARN}/x", f"{RESULTS_ARN}/x"):
        assert not allows(statements, "s3:GetObject", resource)
        assert not allows(statements, "s3:ListBucket", resource)
    assert not [
        st
        for st in statements
        if any(a.startswith(("athena:", "glue:", "s3:", "bedrock:")) for a in _list(st["Action"]))
    ]


def test_authorizer_only_reads_the_signing_key(dev):
    _, result = dev
    statements = statements_of(result, catalog.AUTHORIZER)
    assert allows(statements, "secretsmanager:GetSecretValue", jwt_secret_arn(result))
    assert not allows(statements, "dynamodb:GetItem", USERS_TABLE_ARN)
    assert not allows(statements, "ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/x")
    assert not allows(statements, "s3:GetObject", f"{CURATED_ARN}/x")


def test_no_function_may_call_bedrock_without_a_configured_model(dev):
    # bedrockModelId is empty in Pulumi.dev.yaml: the copilot runs in local mode and no role
    # may invoke any model (tests/test_copilot_bedrock.py checks the configured case).
    _, result = dev
    model = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku"
    callers = {
        fn.name for fn in catalog.FUNCTIONS if allows(statements_of(result, fn), "bedrock:InvokeModel", model)
    }
    assert callers == set()


def test_kms_use_is_scoped_to_the_service_that_calls_kms(dev):
    _, result = dev
    for fn in catalog.FUNCTIONS:
        for st in statements_of(result, fn):
            if any(a.startswith("kms:") for a in _list(st["Action"])):
                assert st["Resource"] in (DATA_KEY, SECRETS_KEY), st
                assert "kms:ViaService" in st["Condition"]["StringEquals"], st
    secret_key_use = [
        st for st in statements_of(result, catalog.service("auth-service")) if st["Resource"] == SECRETS_KEY
    ]
    assert (
        secret_key_use[0]["Condition"]["StringEquals"]["kms:ViaService"]
        == f"secretsmanager.{REGION}.amazonaws.com"
    )


# ---- environment -------------------------------------------------------------------------------


def test_environment_per_need(stack):
    settings, result = stack
    secret_arn = jwt_secret_arn(result)
    for fn in catalog.FUNCTIONS:
        env = env_of(result, fn)
        assert env["STAGE"] == settings.stack
        assert env["POWERTOOLS_SERVICE_NAME"] == fn.name
        assert env["LOG_LEVEL"]
        assert env["ALLOWED_ORIGIN"] == ORIGIN
        assert ("USERS_TABLE" in env) is (catalog.USERS_TABLE in fn.needs)
        assert ("JWT_SECRET_ARN" in env) is (catalog.JWT_SECRET in fn.needs)
        lake = catalog.DATA_LAKE_READ in fn.needs
        assert ("RAW_BUCKET" in env, "CURATED_BUCKET" in env) == (lake, lake)
        warehouse = catalog.WAREHOUSE_QUERY in fn.needs
        for key in ("GLUE_DATABASE", "ATHENA_WORKGROUP", "ATHENA_RESULTS_BUCKET", "WAREHOUSE"):
            assert (key in env) is warehouse, (fn.name, key)
        assert "MAILBOX_DIR" not in env  # local platform only
        assert all(isinstance(v, str) and v for v in env.values()), env
    auth = env_of(result, catalog.service("auth-service"))
    assert auth["USERS_TABLE"] == "users-table"
    assert auth["JWT_SECRET_ARN"] == secret_arn
    assert auth["ACCESS_TOKEN_MINUTES"] == str(settings.access_token_minutes)
    assert env_of(result, catalog.AUTHORIZER)["JWT_SECRET_ARN"] == secret_arn
    analytics = env_of(result, catalog.service("analytics-service"))
    assert (
        analytics["RAW_BUCKET"],
        analytics["CURATED_BUCKET"],
        analytics["GLUE_DATABASE"],
        analytics["ATHENA_WORKGROUP"],
        analytics["ATHENA_RESULTS_BUCKET"],
        analytics["WAREHOUSE"],
    ) == ("raw-bucket", "curated-bucket", "lake_db", "lake-workgroup", "athena-results", "athena")
    assert "ACCESS_TOKEN_MINUTES" not in analytics


def test_ses_sender_comes_from_the_alarm_email_or_stays_unset(settings_for):
    without = run_services(settings_for("dev"))
    assert not any("SES_SENDER" in env_of(without, fn) for fn in catalog.FUNCTIONS)
    with_email = run_services(settings_for("dev", alarmEmail="ops@shop.example.org"))
    senders = {fn.name: env_of(with_email, fn).get("SES_SENDER") for fn in catalog.FUNCTIONS}
    assert senders.pop("auth-service") == "ops@shop.example.org"
    assert set(senders.values()) == {None}


def test_email_sender_knob_wins_and_scopes_the_ses_permission(settings_for):
    settings = settings_for("dev", alarmEmail="ops@shop.example.org", emailSender="no-reply@shop.example.org")
    result = run_services(settings)
    assert env_of(result, catalog.service("auth-service"))["SES_SENDER"] == "no-reply@shop.example.org"
    statements = statements_of(result, catalog.service("auth-service"))
    identity = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/"
    assert allows(statements, "ses:SendEmail", identity + "no-reply@shop.example.org")
    assert allows(statements, "ses:SendRawEmail", identity + "shop.example.org")
    assert not allows(statements, "ses:SendEmail", identity + "other.example.com")
    (ses,) = [st for st in statements if st.get("Sid") == "SendEmail"]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": "no-reply@shop.example.org"}}
    for fn in catalog.FUNCTIONS:
        if fn.name != "auth-service":
            assert not allows(statements_of(result, fn), "ses:SendEmail", identity + "shop.example.org")


# ---- JWT signing key ---------------------------------------------------------------------------


def test_jwt_signing_key_is_generated_into_a_kms_encrypted_secret(settings_for):
    # 0 outside prod (deleted at once): a 7-day window blocks a dev destroy/recreate, since the
    # name stays taken until the window ends (as the pipeline's GitHub token secret does).
    for stack_name, window in (("dev", 0), ("prod", 30)):
        settings = settings_for(stack_name)
        result = run_services(settings)
        secret = result.one("aws:secretsmanager/secret:Secret")
        assert secret.inputs["name"] == settings.name("jwt-signing-key")
        assert secret.inputs["kmsKeyId"] == SECRETS_KEY
        assert secret.inputs["recoveryWindowInDays"] == window
        password = result.one("random:index/randomPassword:RandomPassword")
        assert password.inputs["length"] == 64 and password.inputs["special"] is False
        version = result.one("aws:secretsmanager/secretVersion:SecretVersion")
        value = version.inputs["secretString"]
        # a secret-marked Output from RandomPassword, never a literal from code or config
        assert isinstance(value, dict) and value.get(_special_sig_key) == _special_secret_sig
        assert value["value"] == password.outputs["result"]
        assert version.inputs["secretId"] == secret.id


# ---- component ---------------------------------------------------------------------------------


def test_component_type_parents_and_attributes(settings_for):
    captured: dict = {}
    settings = settings_for("dev")
    result = run_services(settings, captured)
    component = result.one("ecommerce:services:Services")
    assert all(r.parent == component.urn for r in result.resources if r is not component)
    names = {fn.name for fn in catalog.FUNCTIONS}
    services = captured["services"]
    assert set(services.functions) == set(services.aliases) == names
    for attr in (
        "function_names",
        "function_arns",
        "alias_arns",
        "alias_invoke_arns",
        "log_group_names",
        "role_arns",
    ):
        assert set(captured[attr]) == names, attr
    assert captured["function_names"]["authorizer"] == settings.function_name("authorizer")
    assert captured["alias_arns"]["retail-copilot"].endswith(
        f":function:{settings.function_name('retail-copilot')}:live"
    )
    assert captured["alias_invoke_arns"]["retail-copilot"].endswith(
        f"{captured['alias_arns']['retail-copilot']}/invocations"
    )
    assert captured["jwt_secret_arn"] == jwt_secret_arn(result)


# ---- placeholder handlers ----------------------------------------------------------------------
