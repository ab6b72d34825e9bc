"""UsersTable under mocks: keys, index, recovery, encryption, streams, and nothing that deletes users."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.users_table import UsersTable, UsersTableArgs
from preview.harness import ProgramRun, Resource, run

TABLE = "aws:dynamodb/table:Table"
KEY_ARN = "arn:aws:kms:us-east-2:123456789012:key/data-key-id"
STACKS = ("dev", "prod")


def users_run(settings_for, stack: str, transformations=None) -> ProgramRun:
    settings = settings_for(stack)

    def program() -> None:
        users = UsersTable(
            "users",
            UsersTableArgs(settings=settings, kms_key_arn=KEY_ARN),
            opts=pulumi.ResourceOptions(transformations=transformations or []),
        )
        pulumi.export("tableName", users.table_name)
        pulumi.export("tableArn", users.table_arn)
        pulumi.export("streamArn", users.stream_arn)
        pulumi.export("emailIndexName", users.email_index_name)

    return run(program, stack=stack)


@pytest.fixture(params=STACKS)
def users(request, settings_for) -> ProgramRun:
    return users_run(settings_for, request.param)


def table(result: ProgramRun) -> Resource:
    return result.one(TABLE)


def test_physical_name_follows_the_naming_scheme(users):
    assert table(users).get("name") == f"futureim-ecommerce-ai-platform-users-{users.stack}"


def test_on_demand_with_user_id_key(users):
    t = table(users)
    assert t.get("billingMode") == "PAY_PER_REQUEST"
    assert t.get("hashKey") == "userId"
    assert t.get("rangeKey") is None
    assert t.get("readCapacity") is None and t.get("writeCapacity") is None
    # Only key attributes are declared (DynamoDB rejects unused ones), both strings.
    assert {(a["name"], a["type"]) for a in t.get("attributes")} == {("userId", "S"), ("email", "S")}


def test_email_index_projects_all_attributes(users):
    (index,) = table(users).get("globalSecondaryIndexes")
    assert index["name"] == "email-index"
    assert index["keySchemas"] == [{"attributeName": "email", "keyType": "HASH"}]
    assert index["projectionType"] == "ALL"


def test_point_in_time_recovery_is_on(users):
    assert table(users).get("pointInTimeRecovery.enabled") is True


def test_encrypted_with_the_given_cmk(users):
    t = table(users)
    assert t.get("serverSideEncryption.enabled") is True
    assert t.get("serverSideEncryption.kmsKeyArn") == KEY_ARN


def test_stream_carries_old_and_new_images(users):
    t = table(users)
    assert t.get("streamEnabled") is True
    assert t.get("streamViewType") == "NEW_AND_OLD_IMAGES"


def test_token_records_expire_by_ttl_on_an_attribute_users_never_carry(users):
    # Refresh tokens, sessions, reset tokens and sign-in counters carry `expiresAt`; user items
    # never do (tests/test_auth_hardening.py checks every item the service writes).
    t = table(users)
    assert t.get("ttl.enabled") is True
    assert t.get("ttl.attributeName") == "expiresAt"


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("prod", True)])
def test_deletion_protection_per_stack(settings_for, stack, protected):
    seen: dict[str, tuple[bool | None, bool | None]] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        seen[args.name] = (args.opts.protect, args.opts.retain_on_delete)

    result = users_run(settings_for, stack, transformations=[record])
    assert table(result).get("deletionProtectionEnabled") is protected
    # Pulumi-side too: prod refuses `pulumi destroy` and keeps the table if it is ever dropped.
    assert seen["users-table"] == (protected, protected)


def test_outputs(users):
    t = table(users)
    assert users.outputs["tableName"] == t.get("name")
    assert users.outputs["tableArn"] == t.outputs["arn"]
    assert users.outputs["streamArn"] == t.outputs["streamArn"]
    assert users.outputs["streamArn"].startswith(f"{t.outputs['arn']}/stream/")
    assert users.outputs["emailIndexName"] == "email-index"


def test_tagged_data_and_parented_to_the_component(users):
    t = table(users)
    assert t.get("tags") == {"System": "Data"}
    component = users.one("ecommerce:users_table:UsersTable")
    assert t.parent == component.urn
    assert len(t.get("name")) <= 255


def test_after_a_restore_the_services_switch_to_the_restored_table_by_config():
    # deploy.restore users-table prints this setting; the original table stays managed as it was.
    from preview.harness import run_program

    restored = "futureim-ecommerce-ai-platform-users-dev-restored-202611301200"
    result = run_program("dev", {"ecommerce-ai-platform:usersTableName": restored})
    assert result.one(TABLE, "users-table").get("name") == "futureim-ecommerce-ai-platform-users-dev"
    assert result.outputs["usersTable"] == restored
    auth = result.one("aws:lambda/function:Function", "services-auth-service")
    assert auth.get("environment.variables.USERS_TABLE") == restored
    policy = result.one("aws:iam/rolePolicy:RolePolicy", "services-auth-service-policy")
    [statement] = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Sid"] == "UsersTable"]
    arn = f"arn:aws:dynamodb:us-east-2:123456789012:table/{restored}"
    assert statement["Resource"] == [arn, f"{arn}/index/*"]
