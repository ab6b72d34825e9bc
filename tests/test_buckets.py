"""harden_bucket under mocks: the children every bucket gets, and what callers pass in."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.buckets import harden_bucket, tls_only_statement
from preview.harness import ProgramRun, run

KEY_ARN = "arn:aws:kms:us-east-2:123456789012:key/data-key-id"
ARN = "arn:aws:s3:::my-bucket"
DIST = "arn:aws:cloudfront::123456789012:distribution/E1"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
RULE = {"id": "expire", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 30}}


class Owner(pulumi.ComponentResource):
    def __init__(self, **kwargs) -> None:
        super().__init__("test:index:Owner", "owner")
        bucket = aws.s3.Bucket("owner-b", bucket="my-bucket", opts=pulumi.ResourceOptions(parent=self))
        harden_bucket("owner-b", bucket, opts=pulumi.ResourceOptions(parent=self), **kwargs)
        self.register_outputs({})


def harden(**kwargs) -> ProgramRun:
    return run(lambda: Owner(**kwargs))


def statements(result: ProgramRun) -> list[dict]:
    return json.loads(result.one(POLICY).inputs["policy"])["Statement"]


def test_children_are_named_from_the_prefix_under_the_owner():
    result = harden(lifecycle_rules=[RULE])
    owner = result.one("test:index:Owner")
    children = {r.name: r.type for r in result.children(owner)}
    assert children == {
        "owner-b": "aws:s3/bucket:Bucket",
        "owner-b-ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "owner-b-versioning": "aws:s3/bucketVersioning:BucketVersioning",
        "owner-b-encryption": SSE,
        "owner-b-public-access": ACCESS_BLOCK,
        "owner-b-lifecycle": LIFECYCLE,
        "owner-b-policy": POLICY,
    }
    assert result.one(LIFECYCLE).inputs["rules"] == [
        {"id": "expire", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 30}}
    ]


def test_no_lifecycle_without_rules_and_policy_name_override():
    result = harden(policy_name="custom-policy-name")
    assert not result.of_type(LIFECYCLE)
    assert result.one(POLICY).name == "custom-policy-name"


def test_cmk_encryption_uses_a_bucket_key():
    rule = harden(kms_key_arn=KEY_ARN).one(SSE).get("rules.0")
    assert rule == {
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
        "bucketKeyEnabled": True,
    }


def test_no_key_means_sse_s3():
    rule = harden().one(SSE).get("rules.0")
    assert rule == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}


@pytest.mark.parametrize(("mode", "policy_blocked"), [("none", True), ("policy-only", False)])
def test_public_access_block(mode, policy_blocked):
    block = harden(public_access=mode).one(ACCESS_BLOCK).inputs
    assert block["blockPublicAcls"] is True and block["ignorePublicAcls"] is True
    assert block["blockPublicPolicy"] is policy_blocked
    assert block["restrictPublicBuckets"] is policy_blocked


def test_policy_is_only_the_tls_deny_by_default():
    assert statements(harden()) == [tls_only_statement(ARN)]
    deny = tls_only_statement(ARN)
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*"
    assert deny["Resource"] == [ARN, f"{ARN}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_extra_statements_come_first_and_may_be_outputs():
    allow = {"Sid": "X", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
    other = pulumi.Output.from_input(DIST)
    result = harden(
        policy_statements=lambda arn: other.apply(
            lambda d: [{**allow, "Resource": f"{arn}/*", "Condition": {"StringEquals": {"AWS:SourceArn": d}}}]
        )
    )
    first, deny = statements(result)
    assert first["Resource"] == f"{ARN}/*"
    assert first["Condition"] == {"StringEquals": {"AWS:SourceArn": DIST}}
    assert deny["Sid"] == "DenyInsecureTransport"


def test_tls_deny_exceptions_become_not_action():
    (deny,) = statements(harden(tls_except_actions=["s3:GetObject"]))
    assert "Action" not in deny
    assert deny["NotAction"] == ["s3:GetObject"]
