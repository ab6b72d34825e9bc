"""Data restores of the recovery runbook (README, "Recovery").

    python -m deploy.restore users-table --table NAME [--at 2026-11-30T12:00:00Z] [--target NAME]
    python -m deploy.restore object --bucket BUCKET --key KEY [--version-id ID]

users-table: DynamoDB point-in-time restore of the users table into a NEW table (a restore never
overwrites a table), at --at (UTC) or the latest restorable time. A restore copies the items,
key schema, indexes and billing mode, not the rest: this step then gives the new table what the
UsersTable component gives the original (the same KMS key, point-in-time recovery, the stream,
the TTL attribute, deletion protection, the tags). It prints the stack setting that switches the
services to it (`usersTableName`) for the next `pulumi up`.

object: bring back the previous version of an S3 object (or --version-id) in a versioned
bucket (data lake, site, artifacts, trail), by copying that version over the current one, so
the history keeps every step and the restore itself can be undone the same way. A deleted
object (current version a delete marker) comes back the same way.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from deploy import DeployError


# ---- DynamoDB ------------------------------------------------------------------------------------
def restored_name(source: str, at: datetime | None, now: datetime) -> str:
    stamp = (at or now).astimezone(UTC).strftime("%Y%m%d%H%M")
    return f"{source}-restored-{stamp}"


def restore_users_table(
    dynamodb: Any,
    source: str,
    *,
    at: datetime | None = None,
    target: str | None = None,
    now: datetime | None = None,
) -> str:
    """Restore `source` as of `at` (None: latest restorable time) into a new table; returns its name."""
    from botocore.exceptions import ClientError

    try:
        table = dynamodb.describe_table(TableName=source)["Table"]
    except ClientError as exc:
        raise DeployError(f"table {source} not found: {exc}") from exc
    target = target or restored_name(source, at, now or datetime.now(UTC))
    request: dict[str, Any] = {
        "SourceTableName": source,
        "TargetTableName": target,
        "BillingModeOverride": "PAY_PER_REQUEST",
    }
    if at is None:
        request["UseLatestRestorableTime"] = True
    else:
        request["RestoreDateTime"] = at
    key = (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")
    if key:  # else the restored table would be encrypted with an AWS-owned key
        request["SSESpecificationOverride"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
    try:
        dynamodb.restore_table_to_point_in_time(**request)
    except ClientError as exc:
        raise DeployError(f"restore of {source} failed: {exc}") from exc
    _wait_active(dynamodb, target)

    # What a restore does not carry over. DynamoDB takes one table update at a time: each is
    # followed by a wait until the table is ACTIVE again.
    restored_key = (dynamodb.describe_table(TableName=target)["Table"].get("SSEDescription") or {}).get(
        "KMSMasterKeyArn"
    )
    if key and restored_key != key:
        _update(dynamodb, target, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    dynamodb.update_continuous_backups(
        TableName=target, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    stream = table.get("StreamSpecification") or {}
    if stream.get("StreamEnabled"):
        _update(
            dynamodb,
            target,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]},
        )
    ttl = dynamodb.describe_time_to_live(TableName=source).get("TimeToLiveDescription") or {}
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName"):
        dynamodb.update_time_to_live(
            TableName=target, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    if table.get("DeletionProtectionEnabled"):
        _update(dynamodb, target, DeletionProtectionEnabled=True)
    tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags") or []
    if tags:
        target_arn = dynamodb.describe_table(TableName=target)["Table"]["TableArn"]
        dynamodb.tag_resource(ResourceArn=target_arn, Tags=tags)
    return target


def _wait_active(dynamodb: Any, table: str) -> None:
    # table_exists succeeds once TableStatus is ACTIVE (restores take minutes: up to 30 here).
    dynamodb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 5, "MaxAttempts": 360})


def _update(dynamodb: Any, table: str, **changes: Any) -> None:
    dynamodb.update_table(TableName=table, **changes)
    _wait_active(dynamodb, table)


# ---- S3 ------------------------------------------------------------------------------------------
def versions_of(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    """Every version and delete marker of exactly `key`, newest first."""
    found: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for kind, entries in (
            ("version", page.get("Versions", [])),
            ("delete-marker", page.get("DeleteMarkers", [])),
        ):
            found += [{**e, "Kind": kind} for e in entries if e["Key"] == key]
    return sorted(found, key=lambda e: (e["LastModified"], e.get("IsLatest", False)), reverse=True)


def restore_object(s3: Any, bucket: str, key: str, version_id: str | None = None) -> tuple[str, str]:
    """Make `version_id` (default: the newest version before the current one) current again.
    Returns (restored version id, new current version id)."""
    history = versions_of(s3, bucket, key)
    if not history:
        raise DeployError(f"s3://{bucket}/{key} has no versions")
    if version_id is None:
        current = (
            next(e for e in history if e.get("IsLatest"))
            if any(e.get("IsLatest") for e in history)
            else history[0]
        )
        older = [e for e in history if e["Kind"] == "version" and e is not current]
        if not older:
            raise DeployError(f"s3://{bucket}/{key} has no earlier version to restore")
        version_id = older[0]["VersionId"]
    elif not any(e["VersionId"] == version_id and e["Kind"] == "version" for e in history):
        raise DeployError(f"s3://{bucket}/{key} has no version {version_id}")
    copied = s3.copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": key, "VersionId": version_id},
        MetadataDirective="COPY",
    )
    return version_id, copied.get("VersionId", "")


# ---- CLI -------------------------------------------------------------------------------------------
def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.restore", description=__doc__.splitlines()[0])
    parser.add_argument("--region", default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    table = sub.add_parser("users-table", help="point-in-time restore into a new table")
    table.add_argument("--table", required=True, help="the users table (stack output usersTable)")
    table.add_argument(
        "--at", type=_utc, default=None, help="UTC time, ISO 8601 (default: latest restorable)"
    )
    table.add_argument("--target", default=None, help="new table name (default: <table>-restored-<time>)")
    obj = sub.add_parser("object", help="make an object's previous version current again")
    obj.add_argument("--bucket", required=True)
    obj.add_argument("--key", required=True)
    obj.add_argument("--version-id", default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import boto3

    session = boto3.session.Session(region_name=args.region)
    try:
        if args.command == "users-table":
            target = restore_users_table(
                session.client("dynamodb"), args.table, at=args.at, target=args.target
            )
            print(f"restored {args.table} into {target}")
            print("switch the services to it: in Pulumi.<stack>.yaml set")
            print(f"  ecommerce-ai-platform:usersTableName: {target}")
            print("then push (or pulumi up); the original table is kept untouched for comparison")
        else:
            restored, current = restore_object(session.client("s3"), args.bucket, args.key, args.version_id)
            print(
                f"s3://{args.bucket}/{args.key}: version {restored} is current again (as version {current})"
            )
    except DeployError as exc:
        print(f"restore: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
