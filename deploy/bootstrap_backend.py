"""Create (or find) the S3 bucket and KMS key that hold Pulumi's state, once per account.

    python -m deploy.bootstrap_backend --stack dev [--region us-east-2] \
        [--prefix futureim-ecommerce-ai-platform]

Idempotent: every property is read first and written only when it differs, so a second run
changes nothing. What it ensures:

- KMS key `alias/<prefix>-pulumi-state` (symmetric, rotation on): Pulumi's secrets provider
  (`awskms://...`) and the state bucket's default encryption;
- bucket `<prefix>-pulumi-state-<account id>`: versioned (every checkpoint can be restored),
  SSE-KMS with that key and an S3 bucket key (fewer KMS calls), all public access blocked,
  object ownership enforced (no ACLs), a TLS-only bucket policy, noncurrent versions expired
  after a while.

Then prints the `pulumi login` / `pulumi stack init` commands and the two lines of
`Pulumi.<stack>.yaml` that tell the pipeline's infrastructure build where the state is.
AWS_ENDPOINT_URL is honoured by boto3 itself, so this runs against the moto server too.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from deploy import DeployError

DEFAULT_PREFIX = "futureim-ecommerce-ai-platform"
DEFAULT_REGION = "us-east-2"
PROJECT = "ecommerce-ai-platform"
MAX_BUCKET_NAME = 63
TAGS = {"Project": "eCommerce-AI-Platform", "ManagedBy": "deploy.bootstrap_backend", "System": "CI/CD"}
TLS_SID = "DenyInsecureTransport"
LIFECYCLE_ID = "expire-noncurrent-state"
NONCURRENT_DAYS = 90
ABORT_MULTIPART_DAYS = 7


@dataclass
class Backend:
    bucket: str
    key_arn: str
    key_alias: str
    region: str
    changes: list[str] = field(default_factory=list)

    @property
    def backend_url(self) -> str:
        return f"s3://{self.bucket}"

    @property
    def secrets_provider(self) -> str:
        return f"awskms://{self.key_alias}?region={self.region}"


def names(prefix: str, account_id: str) -> tuple[str, str]:
    """(key alias, bucket name) for a prefix and account."""
    bucket = f"{prefix}-pulumi-state-{account_id}"
    if len(bucket) > MAX_BUCKET_NAME:
        raise DeployError(f"bucket name {bucket!r} is longer than {MAX_BUCKET_NAME}; use a shorter --prefix")
    return f"alias/{prefix}-pulumi-state", bucket


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


# ---- KMS ---------------------------------------------------------------------------------
def ensure_key(kms: Any, alias: str) -> tuple[str, list[str]]:
    """The key behind `alias`, created with rotation if missing. Returns (key arn, changes)."""
    changes: list[str] = []
    try:
        meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as exc:
        if _code(exc) != "NotFoundException":
            raise
        meta = kms.create_key(
            Description="Pulumi state and secrets of the eCommerce AI platform",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=[{"TagKey": k, "TagValue": v} for k, v in TAGS.items()],
        )["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
        changes.append(f"created KMS key {meta['Arn']} as {alias}")
    if meta.get("KeyState") != "Enabled":
        raise DeployError(
            f"KMS key {alias} ({meta['Arn']}) is {meta.get('KeyState')}; "
            "re-enable it (or cancel its deletion) before bootstrapping"
        )
    if not kms.get_key_rotation_status(KeyId=meta["KeyId"]).get("KeyRotationEnabled"):
        kms.enable_key_rotation(KeyId=meta["KeyId"])
        changes.append(f"enabled rotation of {alias}")
    return meta["Arn"], changes


# ---- S3 ----------------------------------------------------------------------------------
def _get(call: Any, missing_codes: tuple[str, ...], **kwargs: Any) -> dict[str, Any] | None:
    """A bucket sub-resource, or None when the bucket has none of it yet."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        if _code(exc) in missing_codes:
            return None
        raise


def tls_only_statement(bucket: str, partition: str = "aws") -> dict[str, Any]:
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def lifecycle_rule() -> dict[str, Any]:
    # Old checkpoints are the undo history of the state; keep them a quarter, not forever.
    return {
        "ID": LIFECYCLE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_MULTIPART_DAYS},
    }


def ensure_bucket(
    s3: Any, bucket: str, *, region: str, key_arn: str, account_id: str, partition: str = "aws"
) -> list[str]:
    """Create the state bucket if needed and bring every property to the desired value."""
    changes: list[str] = []
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account_id)
    except ClientError as exc:
        if _code(exc) in ("403", "AccessDenied", "Forbidden"):
            raise DeployError(f"bucket {bucket} exists but is not this account's (or not readable)") from exc
        if _code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        create: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**create)
        changes.append(f"created bucket {bucket}")

    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        changes.append("enabled versioning")

    wanted_sse = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    current = _get(
        s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=bucket
    )
    rules = (current or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    if not (
        len(rules) == 1
        and rules[0].get("ApplyServerSideEncryptionByDefault") == wanted_sse
        and rules[0].get("BucketKeyEnabled") is True
    ):
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": wanted_sse, "BucketKeyEnabled": True}]
            },
        )
        changes.append("set SSE-KMS default encryption with a bucket key")

    wanted_block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    current = _get(s3.get_public_access_block, ("NoSuchPublicAccessBlockConfiguration",), Bucket=bucket)
    if (current or {}).get("PublicAccessBlockConfiguration") != wanted_block:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=wanted_block)
        changes.append("blocked all public access")

    current = _get(s3.get_bucket_ownership_controls, ("OwnershipControlsNotFoundError",), Bucket=bucket)
    wanted_rules = [{"ObjectOwnership": "BucketOwnerEnforced"}]
    if (current or {}).get("OwnershipControls", {}).get("Rules") != wanted_rules:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": wanted_rules})
        changes.append("enforced bucket-owner object ownership")

    # Merge by Sid: statements someone else added to the policy are kept.
    current = _get(s3.get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=bucket)
    policy = json.loads(current["Policy"]) if current else {"Version": "2012-10-17", "Statement": []}
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else list(statements)
    wanted_statement = tls_only_statement(bucket, partition)
    if wanted_statement not in statements:
        policy["Statement"] = [s for s in statements if s.get("Sid") != TLS_SID] + [wanted_statement]
        policy.setdefault("Version", "2012-10-17")
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        changes.append("set the TLS-only bucket policy")

    current = _get(s3.get_bucket_lifecycle_configuration, ("NoSuchLifecycleConfiguration",), Bucket=bucket)
    existing = (current or {}).get("Rules", [])
    ours = next((r for r in existing if r.get("ID") == LIFECYCLE_ID), None)
    wanted_rule = lifecycle_rule()
    if ours is None or any(
        ours.get(k) != wanted_rule[k]
        for k in ("Status", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload")
    ):
        rules = [r for r in existing if r.get("ID") != LIFECYCLE_ID] + [wanted_rule]
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
        changes.append(f"expire noncurrent state versions after {NONCURRENT_DAYS} days")

    current = _get(s3.get_bucket_tagging, ("NoSuchTagSet", "NoSuchTagSetError"), Bucket=bucket)
    tags = {t["Key"]: t["Value"] for t in (current or {}).get("TagSet", [])}
    if any(tags.get(k) != v for k, v in TAGS.items()):
        tags.update(TAGS)
        s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}
        )
        changes.append("tagged the bucket")
    return changes


# ---- the whole step ----------------------------------------------------------------------
def bootstrap(*, sts: Any, kms: Any, s3: Any, region: str, prefix: str = DEFAULT_PREFIX) -> Backend:
    identity = sts.get_caller_identity()
    account_id = identity["Account"]
    partition = identity["Arn"].split(":")[1]
    alias, bucket = names(prefix, account_id)
    key_arn, changes = ensure_key(kms, alias)
    changes += ensure_bucket(
        s3, bucket, region=region, key_arn=key_arn, account_id=account_id, partition=partition
    )
    return Backend(bucket=bucket, key_arn=key_arn, key_alias=alias, region=region, changes=changes)


def stack_exists(s3: Any, bucket: str, stack: str, project: str = PROJECT) -> bool | None:
    """Whether the DIY backend in `bucket` already has the stack (project-scoped or legacy
    layout); None when the caller may not list the bucket."""
    try:
        for prefix in (f".pulumi/stacks/{project}/{stack}.json", f".pulumi/stacks/{stack}.json"):
            if s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0):
                return True
    except ClientError as exc:
        if _code(exc) in ("AccessDenied", "403", "Forbidden"):
            return None
        raise
    return False


def next_steps(backend: Backend, stack: str, *, exists: bool | None, project: str = PROJECT) -> str:
    init = f'pulumi stack init {stack} --secrets-provider "{backend.secrets_provider}"'
    change = f'pulumi stack change-secrets-provider --stack {stack} "{backend.secrets_provider}"'
    if exists is None:
        stack_lines = [f"  {init}", f"  (or, if the stack already exists: {change})"]
    else:
        stack_lines = [f"  {change if exists else init}"]
    return "\n".join(
        [
            f"State backend ready in {backend.region}:",
            (
                f"  bucket  {backend.bucket} (versioned, SSE-KMS + bucket key, public access blocked, "
                "owner enforced, TLS only)"
            ),
            f"  key     {backend.key_alias} -> {backend.key_arn} (rotation on)",
            "",
            f"Next (with AWS_REGION={backend.region} and this account's credentials):",
            f"  pulumi login {backend.backend_url}",
            *stack_lines,
            "",
            f"Then put these lines under `config:` in Pulumi.{stack}.yaml (the pipeline's infrastructure",
            "build logs in and selects the stack with them):",
            f"  {project}:stateBackendUrl: {backend.backend_url}",
            f"  {project}:secretsProvider: {backend.secrets_provider}",
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.bootstrap_backend",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stack", required=True, help="stack the printed commands are for (dev, prod)")
    parser.add_argument("--region", default=DEFAULT_REGION, help=f"AWS region (default {DEFAULT_REGION})")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"name prefix (default {DEFAULT_PREFIX})")
    parser.add_argument("--project", default=PROJECT, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    import boto3

    args = build_parser().parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    s3 = session.client("s3")
    try:
        backend = bootstrap(
            sts=session.client("sts"),
            kms=session.client("kms"),
            s3=s3,
            region=args.region,
            prefix=args.prefix,
        )
        exists = stack_exists(s3, backend.bucket, args.stack, args.project)
    except (DeployError, ClientError) as exc:
        print(f"bootstrap_backend: error: {exc}", file=sys.stderr)
        return 1
    for change in backend.changes or ["nothing to change: bucket and key already as wanted"]:
        print(f"- {change}")
    print()
    print(next_steps(backend, args.stack, exists=exists, project=args.project))
    return 0


if __name__ == "__main__":
    sys.exit(main())
