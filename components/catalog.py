"""The platform's services: one list that infrastructure, the API contract, the build
scripts and the local platform all read. No Pulumi import here (deploy scripts use it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = ROOT / "lambdas"
OPENAPI_PATH = ROOT / "api" / "openapi.yaml"

# What a service may touch; the Services component turns each into IAM statements and
# environment variables, so a role never grants more than its service's needs.
USERS_TABLE = "users-table"
JWT_SECRET = "jwt-secret"
SEND_EMAIL = "send-email"
DATA_LAKE_READ = "data-lake-read"
WAREHOUSE_QUERY = "warehouse-query"
BEDROCK = "bedrock"
# Send to and consume the password-reset mail queue (components/mail_queue.py).
RESET_QUEUE = "reset-queue"
# Read and write data-versioned fits under `_artifacts/` of the curated bucket (shared.artifacts).
ARTIFACTS = "artifacts"
# The state tables (components/state_tables.py): each function gets only the ones it uses.
CONVERSATIONS_TABLE = "conversations-table"
CASES_TABLE = "cases-table"
AUDIT_TABLE = "audit-table"


@dataclass(frozen=True)
class Function:
    """One Lambda function of the platform."""

    name: str  # short name; physical name is <prefix>-<name>-<stack>
    package: str  # folder under lambdas/ holding the code
    handler: str  # module.function inside the zip
    build: str  # CodeBuild project that deploys its code: "auth-lambda" | "python-lambdas"
    description: str
    needs: frozenset[str]
    is_authorizer: bool = False
    # Other service packages bundled into this function's zip, for code it imports from them
    # (the copilot answers with the other services' functions, in process, not over HTTP).
    bundles: tuple[str, ...] = ()
    # A job: invoked asynchronously by an event (not by API Gateway), no routes in the contract,
    # a job's timeout (components/services.py, JOB_TIMEOUT_SECONDS).
    is_job: bool = False

    @property
    def source_dir(self) -> Path:
        return LAMBDAS_DIR / self.package

    @property
    def packages(self) -> tuple[str, ...]:
        """Every service package in the zip: its own, then the bundled ones."""
        return (self.package, *self.bundles)


_ANALYTICS_NEEDS = frozenset({DATA_LAKE_READ, WAREHOUSE_QUERY, ARTIFACTS})

SERVICES: tuple[Function, ...] = (
    Function(
        "auth-service",
        "auth_service",
        "auth_service.handler.lambda_handler",
        "auth-lambda",
        "Accounts, passwords, tokens",
        frozenset({USERS_TABLE, JWT_SECRET, SEND_EMAIL, RESET_QUEUE}),
    ),
    Function(
        "analytics-service",
        "analytics_service",
        "analytics_service.handler.lambda_handler",
        "python-lambdas",
        "KPIs, time series, cohorts, structured queries",
        _ANALYTICS_NEEDS,
    ),
    Function(
        "market-intelligence",
        "market_intelligence",
        "market_intelligence.handler.lambda_handler",
        "python-lambdas",
        "Forecasts, trends, competitive pricing, anomalies",
        _ANALYTICS_NEEDS,
    ),
    Function(
        "demand-insights",
        "demand_insights",
        "demand_insights.handler.lambda_handler",
        "python-lambdas",
        "Segments, demand forecasts, elasticity, CLV, churn",
        _ANALYTICS_NEEDS,
    ),
    Function(
        "compliance-guardian",
        "compliance_guardian",
        "compliance_guardian.handler.lambda_handler",
        "python-lambdas",
        "Fraud scoring, PCI/PII scanning, cases, audit log",
        _ANALYTICS_NEEDS | {CASES_TABLE, AUDIT_TABLE},
    ),
    Function(
        "retail-copilot",
        "retail_copilot",
        "retail_copilot.handler.lambda_handler",
        "python-lambdas",
        "Question answering over the business data, recommendations",
        _ANALYTICS_NEEDS | {BEDROCK, CONVERSATIONS_TABLE},
        bundles=("analytics_service", "demand_insights", "market_intelligence", "compliance_guardian"),
    ),
    Function(
        "global-market-pulse",
        "global_market_pulse",
        "global_market_pulse.handler.lambda_handler",
        "python-lambdas",
        "Regional trends, prices, market share, opportunities",
        _ANALYTICS_NEEDS,
    ),
)

# The API Gateway Lambda authorizer: a second handler in the auth service's code.
AUTHORIZER = Function(
    "authorizer",
    "auth_service",
    "auth_service.authorizer.lambda_handler",
    "auth-lambda",
    "API Gateway token authorizer",
    frozenset({JWT_SECRET}),
    is_authorizer=True,
)

# The data-versioned artifacts (the shared daily sales cube, cohorts, segments, customer scores,
# the reorder base, the fraud model), built once after each dataset upload instead of inside the
# first API request that needs them (components/data_jobs.py triggers it; lambdas/data_jobs/).
DATA_JOBS = Function(
    "data-jobs",
    "data_jobs",
    "data_jobs.handler.lambda_handler",
    "python-lambdas",
    "Builds the data-versioned artifacts after a dataset upload",
    _ANALYTICS_NEEDS,
    bundles=("analytics_service", "demand_insights", "compliance_guardian"),
    is_job=True,
)
JOBS: tuple[Function, ...] = (DATA_JOBS,)

FUNCTIONS: tuple[Function, ...] = SERVICES + (AUTHORIZER,) + JOBS
# What API Gateway invokes: the services and the authorizer (never a job).
API_FUNCTIONS: tuple[Function, ...] = tuple(fn for fn in FUNCTIONS if not fn.is_job)

# Code shared by every function, bundled into each zip next to the service package.
SHARED_PACKAGE = "shared"


def service(name: str) -> Function:
    for fn in FUNCTIONS:
        if fn.name == name:
            return fn
    raise KeyError(f"unknown service {name!r}; known: {[f.name for f in FUNCTIONS]}")


def functions_for_build(build: str) -> list[Function]:
    return [fn for fn in FUNCTIONS if fn.build == build]
