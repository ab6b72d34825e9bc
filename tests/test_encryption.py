"""Encryption under mocks: the CMKs, their rotation, aliases and who their policies let in."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.encryption import Encryption, EncryptionArgs
from preview.harness import ProgramRun, Resource, run

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ACCOUNT = "123456789012"
REGION = "us-east-2"
STACKS = ("dev", "prod")


def encryption_run(settings_for, stack: str) -> ProgramRun:
    settings = settings_for(stack)

    def program() -> None:
        keys = Encryption("encryption", EncryptionArgs(settings=settings))
        pulumi.export("dataKeyArn", keys.data_key_arn)
        pulumi.export("dataKeyId", keys.data_key_id)
        pulumi.export("pipelineKeyArn", keys.pipeline_key_arn)
        pulumi.export("pipelineKeyId", keys.pipeline_key_id)

    return run(program, stack=stack)


@pytest.fixture(params=STACKS)
def enc(request, settings_for) -> ProgramRun:
    return encryption_run(settings_for, request.param)


def policy(key: Resource) -> dict[str, Any]:
    return json.loads(key.get("policy"))


def statements_for(key: Resource, service: str) -> list[dict[str, Any]]:
    found = []
    for st in policy(key)["Statement"]:
        services = st.get("Principal", {}).get("Service", [])
        if service in ([services] if isinstance(services, str) else services):
            found.append(st)
    return found


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


# ---- keys and aliases -------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "window"), [("dev", 7), ("prod", 30)])
def test_two_rotating_keys_with_deletion_window_per_stack(settings_for, stack, window):
    result = encryption_run(settings_for, stack)
    keys = result.of_type(KEY)
    assert sorted(k.name for k in keys) == ["encryption-data-key", "encryption-pipeline-key"]
    for key in keys:
        assert key.get("enableKeyRotation") is True
        assert key.get("deletionWindowInDays") == window
        # SNS, S3 and DynamoDB only take symmetric keys.
        assert key.get("customerMasterKeySpec") in (None, "SYMMETRIC_DEFAULT")


@pytest.mark.parametrize("part", ["data", "pipeline"])
def test_alias_names_and_targets_its_key(enc, part):
    key = enc.one(KEY, f"-{part}-key")
    alias = enc.one(ALIAS, f"-{part}-alias")
    assert alias.get("name") == f"alias/futureim-ecommerce-ai-platform-{part}-{enc.stack}"
    assert alias.get("targetKeyId") == key.outputs["keyId"]


def test_outputs_are_the_keys_arns_and_ids(enc):
    data, pipeline = enc.one(KEY, "-data-key"), enc.one(KEY, "-pipeline-key")
    assert enc.outputs["dataKeyArn"] == data.outputs["arn"]
    assert enc.outputs["dataKeyId"] == data.outputs["keyId"]
    assert enc.outputs["pipelineKeyArn"] == pipeline.outputs["arn"]
    assert enc.outputs["pipelineKeyId"] == pipeline.outputs["keyId"]
    assert enc.outputs["dataKeyArn"] != enc.outputs["pipelineKeyArn"]


# ---- key policies -----------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["data", "pipeline"])
def test_no_statement_opens_the_key_to_everyone(enc, part):
    for st in policy(enc.one(KEY, f"-{part}-key"))["Statement"]:
        principal = st["Principal"]
        assert principal != "*"
        assert "*" not in as_list(principal.get("AWS", []))
        assert "*" not in as_list(principal.get("Service", []))
        assert "NotPrincipal" not in st


@pytest.mark.parametrize("part", ["data", "pipeline"])
def test_account_root_administers_the_key_and_nobody_else_gets_kms_star(enc, part):
    statements = policy(enc.one(KEY, f"-{part}-key"))["Statement"]
    root = [st for st in statements if st["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}]
    assert len(root) == 1
    assert root[0]["Effect"] == "Allow" and root[0]["Action"] == "kms:*"
    others = [st for st in statements if st is not root[0]]
    assert all("kms:*" not in as_list(st["Action"]) for st in others)


@pytest.mark.parametrize("part", ["data", "pipeline"])
def test_cloudwatch_logs_may_use_the_key_for_this_accounts_log_groups_only(enc, part):
    (st,) = statements_for(enc.one(KEY, f"-{part}-key"), f"logs.{REGION}.amazonaws.com")
    assert set(st["Action"]) == {
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    }
    assert st["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}
    }


def test_data_key_lets_cloudtrail_encrypt_for_this_accounts_trails(enc):
    statements = statements_for(enc.one(KEY, "-data-key"), "cloudtrail.amazonaws.com")
    actions = {a for st in statements for a in as_list(st["Action"])}
    assert actions == {"kms:GenerateDataKey*", "kms:DescribeKey"}
    for st in statements:
        assert st["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/*"
    (encrypt,) = [st for st in statements if st["Action"] == "kms:GenerateDataKey*"]
    assert (
        encrypt["Condition"]["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"]
        == f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
    )


@pytest.mark.parametrize("service", ["cloudwatch.amazonaws.com", "sns.amazonaws.com"])
def test_data_key_lets_alarms_reach_the_encrypted_topic(enc, service):
    (st,) = statements_for(enc.one(KEY, "-data-key"), service)
    assert set(st["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_pipeline_key_trusts_only_root_and_cloudwatch_logs(enc):
    statements = policy(enc.one(KEY, "-pipeline-key"))["Statement"]
    principals = [st["Principal"] for st in statements]
    assert principals == [
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        {"Service": f"logs.{REGION}.amazonaws.com"},
    ]


# ---- tags, protection -------------------------------------------------------------------------


def test_keys_are_tagged_security(enc):
    for key in enc.of_type(KEY):
        assert key.get("tags") == {"System": "Security"}


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("prod", True)])
def test_keys_are_protected_in_protected_stacks(settings_for, stack, protected):
    settings = settings_for(stack)
    seen: dict[str, bool | None] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        seen[args.name] = args.opts.protect

    run(
        lambda: Encryption(
            "encryption",
            EncryptionArgs(settings=settings),
            opts=pulumi.ResourceOptions(transformations=[record]),
        ),
        stack=stack,
    )
    assert seen["encryption-data-key"] is protected
    assert seen["encryption-pipeline-key"] is protected
