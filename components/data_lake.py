"""Data lake: where the analytics services' data lives and how Athena queries it.

Three buckets (raw, curated, Athena results), each encrypted with the data CMK, versioned,
private, TLS-only and with a lifecycle; a Glue database with one table per dataset of
`datagen.schema` (Parquet); an Athena workgroup that enforces an encrypted results location
and a bytes-scanned limit per query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.buckets import harden_bucket
from components.settings import Settings
from datagen.schema import Column, Table

SYSTEM = "Data"

PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
ZONES = ("raw", "curated")

_Rule = aws.s3.BucketLifecycleConfigurationRuleArgs


@dataclass
class DataLakeArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]
    tables: Sequence[Table] = ()


def _abort_multipart() -> aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs:
    # Failed uploads leave invisible parts that are billed until aborted.
    return aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(days_after_initiation=7)


def _all_objects() -> aws.s3.BucketLifecycleConfigurationRuleFilterArgs:
    return aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")


def _noncurrent_expiry(days: int) -> aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs:
    return aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=days)


def _transition(days: int, storage_class: str) -> aws.s3.BucketLifecycleConfigurationRuleTransitionArgs:
    return aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=days, storage_class=storage_class)


# Raw data is re-read rarely after landing: infrequent access, then instant-retrieval Glacier.
RAW_LIFECYCLE = [
    _Rule(
        id="raw-tiering",
        status="Enabled",
        filter=_all_objects(),
        transitions=[_transition(30, "STANDARD_IA"), _transition(180, "GLACIER_IR")],
        noncurrent_version_expiration=_noncurrent_expiry(90),
        abort_incomplete_multipart_upload=_abort_multipart(),
    )
]
# Curated data is what Athena scans; access patterns vary by table, so let S3 tier it.
CURATED_LIFECYCLE = [
    _Rule(
        id="curated-tiering",
        status="Enabled",
        filter=_all_objects(),
        transitions=[_transition(30, "INTELLIGENT_TIERING")],
        noncurrent_version_expiration=_noncurrent_expiry(90),
        abort_incomplete_multipart_upload=_abort_multipart(),
    )
]
# Query results are disposable once read; old versions go soon after.
ATHENA_RESULTS_LIFECYCLE = [
    _Rule(
        id="results-expiry",
        status="Enabled",
        filter=_all_objects(),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=30),
        noncurrent_version_expiration=_noncurrent_expiry(7),
        abort_incomplete_multipart_upload=_abort_multipart(),
    )
]


def _glue_column(column: Column) -> aws.glue.CatalogTableStorageDescriptorColumnArgs:
    return aws.glue.CatalogTableStorageDescriptorColumnArgs(
        name=column.name, type=column.type, comment=column.description or None
    )


def _glue_partition_key(column: Column) -> aws.glue.CatalogTablePartitionKeyArgs:
    return aws.glue.CatalogTablePartitionKeyArgs(
        name=column.name, type=column.type, comment=column.description or None
    )


class DataLake(pulumi.ComponentResource):
    raw_bucket: pulumi.Output[str]
    raw_bucket_arn: pulumi.Output[str]
    curated_bucket: pulumi.Output[str]
    curated_bucket_arn: pulumi.Output[str]
    athena_results_bucket: pulumi.Output[str]
    athena_results_bucket_arn: pulumi.Output[str]
    glue_database_name: pulumi.Output[str]
    athena_workgroup_name: pulumi.Output[str]
    athena_workgroup_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:data_lake:DataLake", name, None, opts)
        self._settings = settings = args.settings
        self._kms_key_arn = args.kms_key_arn
        tags = settings.tags(SYSTEM)

        raw = self._bucket(name, "raw", RAW_LIFECYCLE)
        curated = self._bucket(name, "curated", CURATED_LIFECYCLE)
        results = self._bucket(name, "athena-results", ATHENA_RESULTS_LIFECYCLE)
        # The curated bucket's object events go to EventBridge: a dataset upload's manifest
        # starts the data-jobs function (components/data_jobs.py).
        aws.s3.BucketNotification(
            f"{name}-curated-events",
            bucket=curated.id,
            eventbridge=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

        database = aws.glue.CatalogDatabase(
            f"{name}-database",
            name=settings.glue_database_name,
            description=f"Data lake tables of {settings.project} ({settings.stack})",
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        buckets_by_zone = {"raw": raw, "curated": curated}
        for table in args.tables:
            if table.zone not in buckets_by_zone:
                raise ValueError(
                    f"table {table.name!r} has unknown zone {table.zone!r}; expected one of {ZONES}"
                )
            self._glue_table(name, database, table, buckets_by_zone[table.zone])

        workgroup = aws.athena.Workgroup(
            f"{name}-workgroup",
            name=settings.name("analytics"),
            description="Analytics services' queries over the data lake",
            configuration=aws.athena.WorkgroupConfigurationArgs(
                # Clients cannot override the results location, its encryption or the limit.
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                # Caps the cost of any one query (a runaway scan is cancelled, not billed on).
                bytes_scanned_cutoff_per_query=settings.athena_bytes_scanned_cutoff_mb * 1024 * 1024,
                engine_version=aws.athena.WorkgroupConfigurationEngineVersionArgs(
                    selected_engine_version="AUTO"
                ),
                result_configuration=aws.athena.WorkgroupConfigurationResultConfigurationArgs(
                    output_location=pulumi.Output.concat("s3://", results.bucket, "/results/"),
                    encryption_configuration=aws.athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgs(
                        encryption_option="SSE_KMS", kms_key_arn=args.kms_key_arn
                    ),
                ),
            ),
            # A workgroup holding saved queries can only be deleted with force_destroy.
            force_destroy=not settings.deletion_protection,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.raw_bucket = raw.bucket
        self.raw_bucket_arn = raw.arn
        self.curated_bucket = curated.bucket
        self.curated_bucket_arn = curated.arn
        self.athena_results_bucket = results.bucket
        self.athena_results_bucket_arn = results.arn
        self.glue_database_name = database.name
        self.athena_workgroup_name = workgroup.name
        self.athena_workgroup_arn = workgroup.arn
        self.register_outputs(
            {
                "raw_bucket": self.raw_bucket,
                "raw_bucket_arn": self.raw_bucket_arn,
                "curated_bucket": self.curated_bucket,
                "curated_bucket_arn": self.curated_bucket_arn,
                "athena_results_bucket": self.athena_results_bucket,
                "athena_results_bucket_arn": self.athena_results_bucket_arn,
                "glue_database_name": self.glue_database_name,
                "athena_workgroup_name": self.athena_workgroup_name,
                "athena_workgroup_arn": self.athena_workgroup_arn,
            }
        )

    def _bucket(
        self, name: str, part: str, lifecycle: Sequence[aws.s3.BucketLifecycleConfigurationRuleArgs]
    ) -> aws.s3.Bucket:
        """A private, CMK-encrypted, versioned, TLS-only bucket with a lifecycle."""
        settings = self._settings
        bucket = aws.s3.Bucket(
            f"{name}-{part}",
            bucket=settings.bucket_name(part),
            # Unprotected stacks can be torn down with their data; protected ones cannot.
            force_destroy=not settings.deletion_protection,
            tags=settings.tags(SYSTEM),
            opts=pulumi.ResourceOptions(parent=self, protect=settings.deletion_protection),
        )
        harden_bucket(
            f"{name}-{part}",
            bucket,
            opts=pulumi.ResourceOptions(parent=self),
            kms_key_arn=self._kms_key_arn,
            lifecycle_rules=lifecycle,
        )
        return bucket

    def _glue_table(
        self, name: str, database: aws.glue.CatalogDatabase, table: Table, bucket: aws.s3.Bucket
    ) -> aws.glue.CatalogTable:
        return aws.glue.CatalogTable(
            f"{name}-table-{table.name}",
            name=table.name,
            database_name=database.name,
            description=table.description or None,
            table_type="EXTERNAL_TABLE",
            parameters=table.glue_parameters(),
            partition_keys=[_glue_partition_key(c) for c in table.partition_keys],
            storage_descriptor=aws.glue.CatalogTableStorageDescriptorArgs(
                location=pulumi.Output.concat("s3://", bucket.bucket, "/", table.prefix),
                input_format=PARQUET_INPUT_FORMAT,
                output_format=PARQUET_OUTPUT_FORMAT,
                ser_de_info=aws.glue.CatalogTableStorageDescriptorSerDeInfoArgs(
                    name="parquet",
                    serialization_library=PARQUET_SERDE,
                    parameters={"serialization.format": "1"},
                ),
                columns=[_glue_column(c) for c in table.columns],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
