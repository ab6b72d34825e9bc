"""What each function's process sees: the environment the Services component gives it in AWS,
with the local stand-ins (moto endpoint, DuckDB warehouse, mailbox folder) added.

Pure: no AWS call, no file access, so a test can compare it with the catalog's `needs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from components import catalog
from components.catalog import Function
from components.settings import Settings
from components.state_tables import STATE_TABLES

# moto accepts any credentials; these make sure no real ones are ever used by a local process.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}
METRICS_NAMESPACE = "EcommerceAI"  # the namespace lambdas/shared/observability.py uses


@dataclass(frozen=True)
class LocalResources:
    """Values only known once the local platform runs (ports, folders, moto's ARNs)."""

    endpoint_url: str  # the moto server, e.g. http://127.0.0.1:4566
    jwt_secret_arn: str
    allowed_origin: str  # the local frontend's origin (CORS)
    data_dir: str  # the generated dataset (Parquet), read by DuckDB
    mailbox_dir: str  # where the auth service "sends" its emails locally
    log_level: str = "INFO"
    artifacts_dir: str = ""  # data-versioned fits (shared.artifacts); default: beside data_dir

    @property
    def artifacts_path(self) -> str:
        return self.artifacts_dir or str(Path(self.data_dir).parent / "artifacts")


def physical_names(settings: Settings) -> dict[str, str]:
    """Every physical name the local platform provisions, as the stack names it."""
    return {
        "users_table": settings.name("users"),
        "jwt_secret": settings.name("jwt-signing-key"),
        "raw_bucket": settings.bucket_name("raw"),
        "curated_bucket": settings.bucket_name("curated"),
        "athena_results_bucket": settings.bucket_name("athena-results"),
        "frontend_bucket": settings.bucket_name("frontend"),
        "glue_database": settings.glue_database_name,
        "athena_workgroup": settings.name("analytics"),
        **{f"{key}_table": spec.name(settings) for key, spec in STATE_TABLES.items()},
    }


def reset_queue_url(settings: Settings, endpoint_url: str) -> str:
    """The reset mail queue's URL on the moto server (moto's `<endpoint>/<account>/<name>`)."""
    from components import mail_queue

    return f"{endpoint_url.rstrip('/')}/{settings.account_id}/{mail_queue.queue_name(settings)}"


def function_environment(fn: Function, settings: Settings, resources: LocalResources) -> dict[str, str]:
    """The function's environment variables: exactly what the Services component sets in AWS
    (`components.services.environment_for`, given the local values), plus the local stand-ins."""
    from components.services import environment_for  # pulumi_aws loads lazily: cheap

    names = physical_names(settings)
    users = SimpleNamespace(table_name=names["users_table"], email_index_name="email-index")
    lake = SimpleNamespace(
        raw_bucket=names["raw_bucket"],
        curated_bucket=names["curated_bucket"],
        athena_results_bucket=names["athena_results_bucket"],
        glue_database_name=names["glue_database"],
        athena_workgroup_name=names["athena_workgroup"],
    )
    aws_env = environment_for(
        fn,
        settings,
        frontend_origin=resources.allowed_origin,
        jwt_secret_arn=resources.jwt_secret_arn,
        users_table=users,
        data_lake=lake,
    )
    env = {key: str(value) for key, value in aws_env.items()}
    env["LOG_LEVEL"] = resources.log_level
    if "WAREHOUSE" in env:
        env["WAREHOUSE"] = "duckdb"  # "athena" in AWS: DuckDB reads the same Parquet here
        env["WAREHOUSE_DATA_DIR"] = resources.data_dir
        # queries and bytes scanned per answer, as headers for the benchmarks (never in AWS)
        env["WAREHOUSE_STATS_HEADERS"] = "1"
    if catalog.RESET_QUEUE in fn.needs:
        env["RESET_QUEUE_URL"] = reset_queue_url(settings, resources.endpoint_url)  # moto's form
    if catalog.ARTIFACTS in fn.needs:
        env["ARTIFACTS_DIR"] = resources.artifacts_path  # on disk here; the curated bucket in AWS
    if catalog.SEND_EMAIL in fn.needs:
        env["MAILBOX_DIR"] = resources.mailbox_dir  # emails land in files
    # No X-Ray daemon; metrics go to the log like EMF does; AWS is moto.
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    env["POWERTOOLS_METRICS_NAMESPACE"] = METRICS_NAMESPACE
    env["AWS_ENDPOINT_URL"] = resources.endpoint_url
    return env


def runtime_environment(fn: Function, settings: Settings) -> dict[str, str]:
    """What the Lambda runtime itself sets for every function (reserved variables)."""
    function_name = settings.function_name(fn.name)
    return {
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(settings.lambda_memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": settings.log_group_for_function(fn.name),
        "AWS_LAMBDA_LOG_STREAM_NAME": "local/[1]local",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",  # never called: the worker is the runtime
        "_HANDLER": fn.handler,
        "LAMBDA_TASK_ROOT": str(catalog.LAMBDAS_DIR),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        # Never read a developer's real AWS config or credentials.
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        **DUMMY_CREDENTIALS,
    }
