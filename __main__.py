"""eCommerce AI platform: the whole architecture of ../shared/seed/architecture.md for one stack.

Reads like the seed's diagram: settings -> network -> encryption -> data -> site -> services
-> api -> delivery pipeline -> audit -> outputs.
"""

import pulumi

from components import settings as stack_settings
from components.api import Api, ApiArgs
from components.audit import Audit, AuditArgs
from components.audit_log import AuditLog, AuditLogArgs
from components.catalog import OPENAPI_PATH
from components.data_jobs import DataJobs, DataJobsArgs
from components.data_lake import DataLake, DataLakeArgs
from components.encryption import Encryption, EncryptionArgs
from components.frontend_site import FrontendSite, FrontendSiteArgs
from components.mail_queue import ResetMailQueue, ResetMailQueueArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.network import Network, NetworkArgs
from components.pipeline import DeliveryPipeline, DeliveryPipelineArgs
from components.services import Services, ServicesArgs
from components.state_tables import StateTables, StateTablesArgs
from components.users_table import UsersTable, UsersTableArgs
from components.waf import ApiFirewall, ApiFirewallArgs
from datagen.schema import TABLES

settings = stack_settings.load()

# The keys first: the network's flow-log group is encrypted with the data key.
keys = Encryption("encryption", EncryptionArgs(settings=settings))
network = Network("network", NetworkArgs(settings=settings, log_kms_key_arn=keys.data_key_arn))

users = UsersTable("users", UsersTableArgs(settings=settings, kms_key_arn=keys.data_key_arn))
state = StateTables("state", StateTablesArgs(settings=settings, kms_key_arn=keys.data_key_arn))
lake = DataLake("data-lake", DataLakeArgs(settings=settings, kms_key_arn=keys.data_key_arn, tables=TABLES))

site = FrontendSite("frontend", FrontendSiteArgs(settings=settings))

services = Services(
    "services",
    ServicesArgs(
        settings=settings,
        private_subnet_ids=network.private_subnet_ids,
        security_group_id=network.lambda_security_group_id,
        data_key_arn=keys.data_key_arn,
        secrets_key_arn=keys.pipeline_key_arn,
        users_table=users,
        data_lake=lake,
        frontend_origin=site.origin,
        state_tables=state,
    ),
)

# A dataset upload (its manifest, written last) -> EventBridge -> the data-jobs function.
data_jobs = DataJobs(
    "data-jobs",
    DataJobsArgs(
        settings=settings,
        kms_key_arn=keys.data_key_arn,
        curated_bucket=lake.curated_bucket,
        function_name=services.function_names["data-jobs"],
        alias_arn=services.alias_arns["data-jobs"],
        role_name=services.role_names["data-jobs"],
    ),
)

reset_mail = ResetMailQueue(
    "reset-mail",
    ResetMailQueueArgs(
        settings=settings,
        kms_key_arn=keys.data_key_arn,
        consumer_alias_arn=services.alias_arns["auth-service"],
        consumer_timeout_seconds=settings.lambda_timeout_seconds,
    ),
)

api = Api(
    "api",
    ApiArgs(
        settings=settings,
        spec_path=OPENAPI_PATH,
        services=services,
        frontend_origin=site.origin,
        log_kms_key_arn=keys.data_key_arn,
    ),
)

# Rate limits on the public credential operations, in front of the API stage.
firewall = ApiFirewall(
    "api-firewall",
    ApiFirewallArgs(settings=settings, stage_arn=api.stage_arn, frontend_origin=site.origin),
)

# Every API call, from the access log, into the audit table (compliance-guardian ingests it).
audit_log = AuditLog(
    "audit-log",
    AuditLogArgs(
        settings=settings,
        access_log_group_name=api.access_log_group_name,
        access_log_group_arn=api.access_log_group_arn,
        function_name=services.function_names["compliance-guardian"],
        alias_arn=services.alias_arns["compliance-guardian"],
    ),
)

pipeline = DeliveryPipeline(
    "pipeline",
    DeliveryPipelineArgs(
        settings=settings,
        kms_key_arn=keys.pipeline_key_arn,
        site=site,
        services=services,
    ),
)

audit = Audit(
    "audit",
    AuditArgs(
        settings=settings,
        kms_key_arn=keys.data_key_arn,
        api=api,
        services=services,
        dead_letter_queues={
            "reset-mail-dlq": reset_mail.dead_letter_queue_name,
            "data-jobs-failures": data_jobs.failure_queue_name,
        },
    ),
)

monitoring = Monitoring(
    "monitoring",
    MonitoringArgs(
        settings=settings,
        alarm_topic_arn=audit.alarm_topic_arn,
        kms_key_arn=keys.data_key_arn,
        pipeline_name=pipeline.pipeline_name,
        project_names=pipeline.project_names,
        api_name=api.api_name,
        stage_name=api.stage_name,
        function_names=services.function_names,
        athena_workgroup_name=lake.athena_workgroup_name,
    ),
)

pulumi.export("apiUrl", api.url)
pulumi.export("frontendUrl", site.url)
pulumi.export("frontendBucket", site.bucket_name)
if settings.cdn_enabled:
    pulumi.export("cdnDistributionId", site.distribution_id)
pulumi.export("usersTable", users.table_name)
pulumi.export("stateTables", state.table_names)
pulumi.export(
    "dataLakeBuckets",
    {"raw": lake.raw_bucket, "curated": lake.curated_bucket, "athenaResults": lake.athena_results_bucket},
)
pulumi.export("glueDatabase", lake.glue_database_name)
pulumi.export("athenaWorkgroup", lake.athena_workgroup_name)  # for the data jobs (README)
pulumi.export("dataJobsFailureQueue", data_jobs.failure_queue_name)
pulumi.export("pipelineName", pipeline.pipeline_name)
pulumi.export("connectionArn", pipeline.connection_arn)
pulumi.export("connectionHint", pipeline.connection_hint)
pulumi.export("functionNames", services.function_names)
pulumi.export("alarmTopicArn", audit.alarm_topic_arn)
pulumi.export("dashboardName", monitoring.dashboard_name)
