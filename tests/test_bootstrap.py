"""deploy.bootstrap_backend against moto: the state bucket and key, and idempotency."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from deploy import DeployError
from deploy import bootstrap_backend as bb

REGION = "us-east-2"
ACCOUNT = "123456789012"  # moto's default account
BUCKET = f"futureim-ecommerce-ai-platform-pulumi-state-{ACCOUNT}"
ALIAS = "alias/futureim-ecommerce-ai-platform-pulumi-state"


@pytest.fixture()
def aws(monkeypatch):
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        yield {name: session.client(name) for name in ("sts", "kms", "s3")}


def run(aws, region=REGION):
    return bb.bootstrap(sts=aws["sts"], kms=aws["kms"], s3=aws["s3"], region=region)


def allow_plain_http(s3):
    """moto applies Principal-"*" statements but ignores their conditions, so the TLS-only deny
    would refuse every object request; drop it where a test needs to write objects."""
    s3.delete_bucket_policy(Bucket=BUCKET)


def test_creates_key_with_rotation_and_alias(aws):
    backend = run(aws)
    meta = aws["kms"].describe_key(KeyId=ALIAS)["KeyMetadata"]
    assert backend.key_arn == meta["Arn"]
    assert meta["KeyState"] == "Enabled"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert aws["kms"].get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is True


def test_creates_bucket_with_every_protection(aws):
    backend = run(aws)
    s3 = aws["s3"]
    assert backend.bucket == BUCKET
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"

    (rule,) = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": backend.key_arn,
    }
    assert rule["BucketKeyEnabled"] is True

    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert sorted(deny["Resource"]) == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == bb.NONCURRENT_DAYS
    assert "Expiration" not in lifecycle  # the current state is never expired


def test_objects_written_are_encrypted_with_the_key(aws):
    backend = run(aws)
    allow_plain_http(aws["s3"])
    aws["s3"].put_object(Bucket=BUCKET, Key=".pulumi/stacks/p/dev.json", Body=b"{}")
    head = aws["s3"].head_object(Bucket=BUCKET, Key=".pulumi/stacks/p/dev.json")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == backend.key_arn


def test_second_run_is_a_no_op(aws):
    first = run(aws)
    assert first.changes  # it did create things
    second = run(aws)
    assert second.changes == []
    assert (second.bucket, second.key_arn) == (first.bucket, first.key_arn)
    assert len(aws["kms"].list_keys()["Keys"]) == 1
    assert [b["Name"] for b in aws["s3"].list_buckets()["Buckets"]] == [BUCKET]


def test_repairs_drift_and_keeps_foreign_policy_statements(aws):
    run(aws)
    s3 = aws["s3"]
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=BUCKET)
    other = {
        "Sid": "AuditorRead",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [other]}))

    changes = run(aws).changes
    assert any("versioning" in c for c in changes)
    assert any("public access" in c for c in changes)
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    sids = [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]]
    assert sorted(sids) == ["AuditorRead", bb.TLS_SID]
    assert run(aws).changes == []


def test_enables_rotation_on_an_existing_key(aws):
    key_id = aws["kms"].create_key()["KeyMetadata"]["KeyId"]
    aws["kms"].create_alias(AliasName=ALIAS, TargetKeyId=key_id)
    backend = run(aws)
    assert backend.key_arn.endswith(key_id)
    assert aws["kms"].get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_refuses_a_key_pending_deletion(aws):
    key_id = aws["kms"].create_key()["KeyMetadata"]["KeyId"]
    aws["kms"].create_alias(AliasName=ALIAS, TargetKeyId=key_id)
    aws["kms"].schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(DeployError, match="PendingDeletion"):
        run(aws)


def test_us_east_1_has_no_location_constraint(aws):
    session = boto3.session.Session(region_name="us-east-1")
    clients = {name: session.client(name) for name in ("sts", "kms", "s3")}
    backend = run(clients, region="us-east-1")
    assert clients["s3"].get_bucket_location(Bucket=backend.bucket)["LocationConstraint"] is None


def test_long_prefix_is_rejected():
    with pytest.raises(DeployError, match="shorter --prefix"):
        bb.names("x" * 40, ACCOUNT)


def test_next_steps_new_and_existing_stack(aws):
    backend = run(aws)
    provider = f"awskms://{ALIAS}?region={REGION}"

    assert not bb.stack_exists(aws["s3"], BUCKET, "dev")
    text = bb.next_steps(backend, "dev", exists=False)
    assert f"pulumi login s3://{BUCKET}" in text
    assert f'pulumi stack init dev --secrets-provider "{provider}"' in text
    assert f"ecommerce-ai-platform:stateBackendUrl: s3://{BUCKET}" in text
    assert f"ecommerce-ai-platform:secretsProvider: {provider}" in text
    assert "Pulumi.dev.yaml" in text

    allow_plain_http(aws["s3"])
    aws["s3"].put_object(Bucket=BUCKET, Key=".pulumi/stacks/ecommerce-ai-platform/dev.json", Body=b"{}")
    assert bb.stack_exists(aws["s3"], BUCKET, "dev")
    assert not bb.stack_exists(aws["s3"], BUCKET, "prod")
    text = bb.next_steps(backend, "dev", exists=True)
    assert f'pulumi stack change-secrets-provider --stack dev "{provider}"' in text
    assert "stack init" not in text

    text = bb.next_steps(backend, "dev", exists=None)  # may not list the bucket: offer both
    assert "pulumi stack init dev" in text and "change-secrets-provider" in text


def test_main_prints_commands_and_is_quiet_the_second_time(aws, capsys):
    assert bb.main(["--stack", "prod", "--region", REGION]) == 0
    first = capsys.readouterr().out
    assert "created bucket" in first and "pulumi stack init prod" in first
    assert bb.main(["--stack", "prod", "--region", REGION]) == 0
    second = capsys.readouterr().out
    assert "nothing to change" in second and "Pulumi.prod.yaml" in second
