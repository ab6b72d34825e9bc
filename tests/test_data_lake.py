"""DataLake under mocks: private encrypted buckets, Glue tables over Parquet, a bounded Athena workgroup."""

from __future__ import annotations

import json
import re

import pulumi
import pytest

from components.data_lake import DataLake, DataLakeArgs
from components.settings import MAX_BUCKET_NAME
from datagen.schema import Column, Table
from preview.harness import ProgramRun, Resource, run, taggable

ACCOUNT = "123456789012"
KEY_ARN = "arn:aws:kms:us-east-2:123456789012:key/data-key-id"
BUCKET = "aws:s3/bucket:Bucket"
GLUE_DB = "aws:glue/catalogDatabase:CatalogDatabase"
GLUE_TABLE = "aws:glue/catalogTable:CatalogTable"
WORKGROUP = "aws:athena/workgroup:Workgroup"
PARTS = ("raw", "curated", "athena-results")
STACKS = ("dev", "prod")
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

ORDERS = Table(
    name="orders",
    description="One row per order",
    columns=(Column("order_id", "string", "Order id"), Column("total", "decimal(12,2)")),
    partition_keys=(Column("order_date", "date", "Partition by day"),),
    parameters={"projection.enabled": "true"},
)
CLICKS = Table(name="clickstream", columns=(Column("event_id", "string"),), zone="raw")


def lake_run(settings_for, stack: str, tables: tuple[Table, ...] = (ORDERS, CLICKS)) -> ProgramRun:
    settings = settings_for(stack)

    def program() -> None:
        lake = DataLake("data-lake", DataLakeArgs(settings=settings, kms_key_arn=KEY_ARN, tables=tables))
        for attr in (
            "raw_bucket",
            "raw_bucket_arn",
            "curated_bucket",
            "curated_bucket_arn",
            "athena_results_bucket",
            "athena_results_bucket_arn",
            "glue_database_name",
            "athena_workgroup_name",
            "athena_workgroup_arn",
        ):
            pulumi.export(attr, getattr(lake, attr))

    return run(program, stack=stack)


@pytest.fixture(params=STACKS)
def lake(request, settings_for) -> ProgramRun:
    return lake_run(settings_for, request.param)


def bucket_name(stack: str, part: str) -> str:
    return f"futureim-ecommerce-ai-platform-{part}-{stack}-{ACCOUNT}"


def config_of(result: ProgramRun, type_: str, part: str) -> Resource:
    """The one resource of `type_` configuring the `part` bucket."""
    name = bucket_name(result.stack, part)
    found = [r for r in result.of_type(type_) if r.get("bucket") == name]
    assert len(found) == 1, f"expected one {type_} for {name}, found {[r.name for r in found]}"
    return found[0]


# ---- buckets ----------------------------------------------------------------------------------


def test_three_buckets_named_per_stack_within_limits(lake):
    names = sorted(b.get("bucket") for b in lake.of_type(BUCKET))
    assert names == sorted(bucket_name(lake.stack, part) for part in PARTS)
    for name in names:
        assert len(name) <= MAX_BUCKET_NAME
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name)


@pytest.mark.parametrize("part", PARTS)
def test_bucket_encrypted_with_the_cmk_and_bucket_keys(lake, part):
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    (rule,) = config_of(lake, sse, part).get("rules")
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": KEY_ARN,
    }
    assert rule["bucketKeyEnabled"] is True


@pytest.mark.parametrize("part", PARTS)
def test_bucket_versioned(lake, part):
    versioning = config_of(lake, "aws:s3/bucketVersioning:BucketVersioning", part)
    assert versioning.get("versioningConfiguration.status") == "Enabled"


@pytest.mark.parametrize("part", PARTS)
def test_bucket_blocks_all_public_access_and_acls(lake, part):
    block = config_of(lake, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", part)
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.get(flag) is True, flag
    ownership = config_of(lake, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", part)
    assert ownership.get("rule.objectOwnership") == "BucketOwnerEnforced"


@pytest.mark.parametrize("part", PARTS)
def test_bucket_policy_denies_requests_without_tls(lake, part):
    arn = f"arn:aws:s3:::{bucket_name(lake.stack, part)}"
    policy = json.loads(config_of(lake, "aws:s3/bucketPolicy:BucketPolicy", part).get("policy"))
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Action"] == "s3:*"
    assert set(statement["Resource"]) == {arn, f"{arn}/*"}
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # The only statement is a Deny: the policy grants nothing to anyone.
    assert all(st["Effect"] == "Deny" for st in policy["Statement"])


def lifecycle_rule(result: ProgramRun, part: str) -> dict:
    lifecycle = config_of(result, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", part)
    (rule,) = lifecycle.get("rules")
    assert rule["status"] == "Enabled"
    assert rule["filter"] == {"prefix": ""}  # the whole bucket
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    return rule


def test_raw_lifecycle_tiers_to_ia_then_glacier_ir(lake):
    rule = lifecycle_rule(lake, "raw")
    transitions = [(t["days"], t["storageClass"]) for t in rule["transitions"]]
    assert transitions == [(30, "STANDARD_IA"), (180, "GLACIER_IR")]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert "expiration" not in rule  # raw data is kept


def test_curated_lifecycle_uses_intelligent_tiering(lake):
    rule = lifecycle_rule(lake, "curated")
    assert [(t["days"], t["storageClass"]) for t in rule["transitions"]] == [(30, "INTELLIGENT_TIERING")]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert "expiration" not in rule


def test_athena_results_expire_after_30_days(lake):
    rule = lifecycle_rule(lake, "athena-results")
    assert rule["expiration"] == {"days": 30}
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] <= 30
    assert not rule.get("transitions")


@pytest.mark.parametrize(("stack", "force_destroy"), [("dev", True), ("prod", False)])
def test_force_destroy_only_in_unprotected_stacks(settings_for, stack, force_destroy):
    result = lake_run(settings_for, stack)
    for bucket in result.of_type(BUCKET):
        assert bucket.get("forceDestroy") is force_destroy, bucket.name
    assert result.one(WORKGROUP).get("forceDestroy") is force_destroy


# ---- Glue -------------------------------------------------------------------------------------


def test_glue_database_name_uses_underscores(lake):
    name = lake.one(GLUE_DB).get("name")
    assert name == f"futureim_ecommerce_ai_platform_lake_{lake.stack}"
    assert re.fullmatch(r"[a-z0-9_]{1,255}", name)


def test_one_glue_table_per_dataset_in_the_database(lake):
    tables = lake.of_type(GLUE_TABLE)
    assert sorted(t.get("name") for t in tables) == ["clickstream", "orders"]
    for table in tables:
        assert table.get("databaseName") == lake.one(GLUE_DB).get("name")
        assert table.get("tableType") == "EXTERNAL_TABLE"


def test_glue_tables_read_parquet_from_their_zone(lake):
    expected = {
        "orders": f"s3://{bucket_name(lake.stack, 'curated')}/orders/",
        "clickstream": f"s3://{bucket_name(lake.stack, 'raw')}/clickstream/",
    }
    for table in lake.of_type(GLUE_TABLE):
        sd = table.get("storageDescriptor")
        assert sd["location"] == expected[table.get("name")]
        assert sd["inputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
        assert sd["outputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
        assert sd["serDeInfo"]["serializationLibrary"] == PARQUET_SERDE


def test_glue_table_columns_partitions_and_parameters_come_from_the_schema(lake):
    orders = lake.one(GLUE_TABLE, "orders")
    assert [(c["name"], c["type"]) for c in orders.get("storageDescriptor.columns")] == [
        ("order_id", "string"),
        ("total", "decimal(12,2)"),
    ]
    assert orders.get("storageDescriptor.columns.0.comment") == "Order id"
    assert [(c["name"], c["type"]) for c in orders.get("partitionKeys")] == [("order_date", "date")]
    assert orders.get("parameters") == {
        "classification": "parquet",
        "EXTERNAL": "TRUE",
        "projection.enabled": "true",
    }
    assert lake.one(GLUE_TABLE, "clickstream").get("partitionKeys") == []


def test_no_glue_tables_without_datasets(settings_for):
    result = lake_run(settings_for, "dev", tables=())
    assert result.of_type(GLUE_TABLE) == []
    assert len(result.of_type(GLUE_DB)) == 1


def test_unknown_zone_is_rejected(settings_for):
    with pytest.raises(Exception, match="unknown zone"):
        lake_run(settings_for, "dev", tables=(Table("x", (Column("a", "string"),), zone="archive"),))


# ---- Athena -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "cutoff_mb"), [("dev", 1024), ("prod", 10240)])
def test_workgroup_caps_bytes_scanned_per_query(settings_for, stack, cutoff_mb):
    workgroup = lake_run(settings_for, stack).one(WORKGROUP)
    assert workgroup.get("configuration.bytesScannedCutoffPerQuery") == cutoff_mb * 1024 * 1024


def test_workgroup_enforces_encrypted_results_in_the_results_bucket(lake):
    workgroup = lake.one(WORKGROUP)
    assert workgroup.get("name") == f"futureim-ecommerce-ai-platform-analytics-{lake.stack}"
    config = workgroup.get("configuration")
    assert config["enforceWorkgroupConfiguration"] is True
    assert config["publishCloudwatchMetricsEnabled"] is True
    assert config["engineVersion"]["selectedEngineVersion"] == "AUTO"
    result = config["resultConfiguration"]
    assert result["outputLocation"] == f"s3://{bucket_name(lake.stack, 'athena-results')}/results/"
    assert result["encryptionConfiguration"] == {"encryptionOption": "SSE_KMS", "kmsKeyArn": KEY_ARN}


# ---- outputs, tags, tree ----------------------------------------------------------------------


def test_outputs(lake):
    for part, attr in (
        ("raw", "raw_bucket"),
        ("curated", "curated_bucket"),
        ("athena-results", "athena_results_bucket"),
    ):
        assert lake.outputs[attr] == bucket_name(lake.stack, part)
        assert lake.outputs[f"{attr}_arn"] == f"arn:aws:s3:::{bucket_name(lake.stack, part)}"
    assert lake.outputs["glue_database_name"] == lake.one(GLUE_DB).get("name")
    assert lake.outputs["athena_workgroup_name"] == lake.one(WORKGROUP).get("name")
    assert lake.outputs["athena_workgroup_arn"] == lake.one(WORKGROUP).outputs["arn"]


def test_every_taggable_resource_is_tagged_data(lake):
    tagged = taggable(lake.resources)
    assert {r.type for r in tagged} == {BUCKET, GLUE_DB, WORKGROUP}
    for resource in tagged:
        assert resource.get("tags") == {"System": "Data"}, resource.name


def test_children_are_parented_to_the_component(lake):
    component = lake.one("ecommerce:data_lake:DataLake")
    assert all(r.parent == component.urn for r in lake.resources if r.custom)
    # 3 buckets x (bucket + 6 configurations) + database + 2 tables + workgroup
    # + the curated bucket's EventBridge notification (the data-jobs trigger)
    assert len(lake.children(component)) == 3 * 7 + 1 + 2 + 1 + 1
    (notification,) = lake.of_type("aws:s3/bucketNotification:BucketNotification")
    assert notification.inputs["eventbridge"] is True
    assert notification.inputs["bucket"] == lake.one("aws:s3/bucket:Bucket", "curated").inputs["bucket"]
