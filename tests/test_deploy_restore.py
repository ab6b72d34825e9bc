"""The runbook's data restores, run as an operator runs them (`python -m deploy.restore ...` in
a separate process) against a real moto server. moto's point-in-time restore copies the items
as they are (it ignores the time), so this tests the plumbing around it: a new table with the
original's key, index, CMK, PITR, stream, TTL, deletion protection and tags, and the setting
that switches the stack to it."""

from __future__ import annotations

import boto3

from tests.test_deploy_e2e import REGION, cli, client, env, moto_server, session  # noqa: F401

TABLE = "futureim-ecommerce-ai-platform-users-dev"


def create_users_table(dynamodb, kms_key: str) -> str:
    arn = dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "userId", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "email-index",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        DeletionProtectionEnabled=True,
        Tags=[{"Key": "System", "Value": "Data"}],
    )["TableDescription"]["TableArn"]
    dynamodb.update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    dynamodb.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
    )
    return arn


def test_users_table_point_in_time_restore_into_a_new_table(env, session, moto_server):  # noqa: F811
    dynamodb = client(session, moto_server, "dynamodb")
    kms_key = client(session, moto_server, "kms").create_key()["KeyMetadata"]["Arn"]
    create_users_table(dynamodb, kms_key)
    dynamodb.put_item(TableName=TABLE, Item={"userId": {"S": "u1"}, "email": {"S": "ada@example.com"}})

    target = f"{TABLE}-restored-e2e"
    result = cli(
        env,
        "deploy.restore",
        "users-table",
        "--table",
        TABLE,
        "--at",
        "2026-11-30T12:00:00Z",
        "--target",
        target,
    )
    assert result.returncode == 0, result.stderr
    assert f"ecommerce-ai-platform:usersTableName: {target}" in result.stdout

    restored = dynamodb.describe_table(TableName=target)["Table"]
    assert restored["TableStatus"] == "ACTIVE"
    assert [i["IndexName"] for i in restored["GlobalSecondaryIndexes"]] == ["email-index"]
    # (The CMK: moto's restore ignores SSESpecificationOverride; see the in-process test below.)
    assert restored["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert restored["DeletionProtectionEnabled"] is True
    backups = dynamodb.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = dynamodb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"
    assert dynamodb.list_tags_of_resource(ResourceArn=restored["TableArn"])["Tags"] == [
        {"Key": "System", "Value": "Data"}
    ]
    item = dynamodb.get_item(TableName=target, Key={"userId": {"S": "u1"}})["Item"]
    assert item["email"] == {"S": "ada@example.com"}
    # The original is untouched, and a second restore into the same name is refused.
    assert dynamodb.describe_table(TableName=TABLE)["Table"]["TableStatus"] == "ACTIVE"
    again = cli(env, "deploy.restore", "users-table", "--table", TABLE, "--target", target)
    assert again.returncode == 1 and "restore" in again.stderr


def test_restore_an_objects_previous_version(env, session, moto_server):  # noqa: F811
    s3 = client(session, moto_server, "s3")
    bucket = "futureim-ecommerce-ai-platform-curated-dev-123456789012"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = "orders/year=2026/month=11/part-0.parquet"
    good = s3.put_object(Bucket=bucket, Key=key, Body=b"good data", CacheControl="max-age=60")["VersionId"]
    s3.put_object(Bucket=bucket, Key=key, Body=b"corrupted")

    result = cli(env, "deploy.restore", "object", "--bucket", bucket, "--key", key)
    assert result.returncode == 0, result.stderr
    assert f"version {good} is current again" in result.stdout
    current = s3.get_object(Bucket=bucket, Key=key)
    assert current["Body"].read() == b"good data" and current["CacheControl"] == "max-age=60"
    assert len(s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]) == 3  # history kept

    # A deleted object comes back the same way.
    s3.delete_object(Bucket=bucket, Key=key)
    result = cli(env, "deploy.restore", "object", "--bucket", bucket, "--key", key)
    assert result.returncode == 0, result.stderr
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"good data"

    # An explicit version, and a version that does not exist.
    result = cli(env, "deploy.restore", "object", "--bucket", bucket, "--key", key, "--version-id", good)
    assert result.returncode == 0, result.stderr
    missing = cli(env, "deploy.restore", "object", "--bucket", bucket, "--key", key, "--version-id", "nope")
    assert missing.returncode == 1 and "no version nope" in missing.stderr


def test_the_restore_request_keeps_the_tables_cmk(monkeypatch):
    from moto import mock_aws

    from deploy import restore

    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        kms_key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
        create_users_table(dynamodb, kms_key)
        requests = []

        class Recording:
            def __getattr__(self, name):
                method = getattr(dynamodb, name)
                if name != "restore_table_to_point_in_time":
                    return method

                def call(**kwargs):
                    requests.append(kwargs)
                    return method(**kwargs)

                return call

        target = restore.restore_users_table(Recording(), TABLE)
        assert target.startswith(f"{TABLE}-restored-")
        [request] = requests
        assert request["SSESpecificationOverride"] == {
            "Enabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": kms_key,
        }
        assert request["UseLatestRestorableTime"] is True and "RestoreDateTime" not in request
