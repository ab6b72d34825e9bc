"""The hardening every S3 bucket of the platform gets, written once.

Not a component: the children stay under the component that owns the bucket (so the
preview tree and the logical names do not change). Each bucket gets ACLs off, versioning,
default encryption, a public access block, a bucket policy that denies requests made without
TLS and, when given rules, a lifecycle. What differs between buckets is passed in: the key
(or SSE-S3), whether the policy may grant public reads, the lifecycle rules, the policy's own
statements and the actions the TLS deny leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.iam import policy_document

# "none": nothing can make the bucket public. "policy-only": ACLs stay blocked, but the bucket
# policy may grant public access (the dev static website).
PublicAccess = Literal["none", "policy-only"]

# Statements the bucket policy holds besides the TLS deny, given the bucket's ARN.
PolicyStatements = Callable[[str], pulumi.Input[Sequence[dict[str, Any]]]]


def tls_only_statement(bucket_arn: str, *, except_actions: Sequence[str] = ()) -> dict[str, Any]:
    """Deny every request to the bucket and its objects that does not use TLS.
    `except_actions` leaves those actions out of the deny (NotAction)."""
    statement: dict[str, Any] = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*"}
    if except_actions:
        statement["NotAction"] = list(except_actions)
    else:
        statement["Action"] = "s3:*"
    statement["Resource"] = [bucket_arn, f"{bucket_arn}/*"]
    statement["Condition"] = {"Bool": {"aws:SecureTransport": "false"}}
    return statement


@dataclass(frozen=True)
class HardenedBucket:
    ownership: aws.s3.BucketOwnershipControls
    versioning: aws.s3.BucketVersioning
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    public_access: aws.s3.BucketPublicAccessBlock
    lifecycle: aws.s3.BucketLifecycleConfiguration | None
    policy: aws.s3.BucketPolicy


def harden_bucket(
    prefix: str,
    bucket: aws.s3.Bucket,
    *,
    opts: pulumi.ResourceOptions,
    kms_key_arn: pulumi.Input[str] | None = None,
    public_access: PublicAccess = "none",
    lifecycle_rules: Sequence[Any] | None = None,
    policy_statements: PolicyStatements | None = None,
    tls_except_actions: Sequence[str] = (),
    policy_name: str | None = None,
    bucket_key: bool = True,
) -> HardenedBucket:
    """Create the hardening children of `bucket`, named `f"{prefix}-<part>"` with `opts`
    (the owning component's `ResourceOptions(parent=self)`).

    `kms_key_arn` None means SSE-S3 (AES256); with a key, `bucket_key` turns the S3 Bucket
    Key on (one data key per bucket: far fewer KMS calls) unless a writer forbids it.
    The policy is `policy_statements(arn)` (a list
    or an Output of one) followed by the TLS deny; `policy_name` overrides `f"{prefix}-policy"`.
    """
    # ACLs off: the bucket owner owns every object, access is decided by policies only.
    ownership = aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts
    )
    versioning = aws.s3.BucketVersioning(
        f"{prefix}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=opts
    )
    if kms_key_arn is None:
        rule: dict[str, Any] = {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    else:
        rule = {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": kms_key_arn,
            },
            # One data key per bucket instead of one KMS call per object: far fewer KMS requests.
            "bucket_key_enabled": bucket_key,
        }
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{prefix}-encryption", bucket=bucket.id, rules=[rule], opts=opts
    )
    private = public_access == "none"
    access_block = aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=private,
        restrict_public_buckets=private,
        opts=opts,
    )
    lifecycle = None
    if lifecycle_rules:
        lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{prefix}-lifecycle",
            bucket=bucket.id,
            rules=list(lifecycle_rules),
            # Noncurrent-version rules need versioning switched on first.
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[versioning])),
        )

    def document(arn: str) -> pulumi.Output[str]:
        extra = policy_statements(arn) if policy_statements else []
        deny = tls_only_statement(arn, except_actions=tls_except_actions)
        return pulumi.Output.from_input(extra).apply(lambda st: policy_document([*st, deny]))

    policy = aws.s3.BucketPolicy(
        policy_name or f"{prefix}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(document),
        # S3 rejects concurrent policy and public-access-block changes on one bucket, and a
        # public policy is refused while the block still blocks it.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[access_block])),
    )
    return HardenedBucket(ownership, versioning, encryption, access_block, lifecycle, policy)
