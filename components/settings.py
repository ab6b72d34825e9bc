"""Stack settings: one typed object, built once from the stack's config and passed to every
component. No component reads `pulumi.Config` itself.

`Settings.from_values` is pure (a mapping of config keys to values) so the local platform and
the deploy scripts can read `Pulumi.<stack>.yaml` the same way the program does.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cost.usage import UsageError, UsageProfile, parse_usage

PROJECT = "ecommerce-ai-platform"
ROOT = Path(__file__).resolve().parent.parent
NAT_STRATEGIES = ("single", "onePerAz")
# The Pulumi CLI the infrastructure build installs, and the SHA-256 of its release archive
# pulumi-v<version>-linux-x64.tar.gz (the build image is x86_64), which the build checks
# before unpacking it. Change both together (pulumiVersion and pulumiSha256 in the stack files).
# 3.267.0, not the SDK's 3.272.0: no published checksum of 3.272.0 could be found from here.
# This hash is the one nixpkgs recorded for this archive (pulumi-bin data.nix, nix base32
# 02p1b9vssqlqbkjklx5hw9v9908y48pl4mbdm4jqbcvcq7kiqz2j, in hex below); Pulumi publishes its
# own in pulumi-3.267.0-checksums.txt beside the release.
PULUMI_VERSION = "3.267.0"
PULUMI_SHA256 = "527c1ce7c16cb38525a96d55422f221e819476e2b0743ae55c9862ad775ae10a"
WAF_WINDOWS = (60, 120, 300, 600)  # the evaluation windows a WAF rate-based rule accepts

# AWS name limits this program must respect (checked in tests over the whole preview).
MAX_BUCKET_NAME = 63
MAX_ROLE_NAME = 64
MAX_FUNCTION_NAME = 64


class SettingsError(ValueError):
    """A stack setting is missing or invalid."""


@dataclass(frozen=True)
class GitHubSettings:
    owner: str
    repo: str
    branch: str
    connection_arn: str | None  # an existing CodeStar/CodeConnections connection, else one is created

    @property
    def full_repository_id(self) -> str:
        return f"{self.owner}/{self.repo}"


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    region: str
    account_id: str
    name_prefix: str
    vpc_cidr: str
    availability_zones: int
    nat_strategy: str
    log_retention_days: int
    artifact_retention_days: int
    github: GitHubSettings
    cdn_enabled: bool
    deletion_protection: bool
    alarm_email: str | None
    email_sender: str | None  # verified SES identity the auth service mails from (reset e-mails)
    lambda_memory_mb: int
    lambda_timeout_seconds: int
    api_throttle_rate_limit: float
    api_throttle_burst_limit: int
    athena_bytes_scanned_cutoff_mb: int
    access_token_minutes: int
    manage_api_gateway_account: bool  # this stack owns the region's API Gateway CloudWatch role
    # Reserved concurrency per function; 0 (the default) reserves none. AWS refuses any
    # reservation that leaves the account under 10 unreserved, and new accounts may have a
    # concurrency quota of 10, so it is off unless the stack asks for it.
    lambda_reserved_concurrency: int
    # This stack's trail records the account's management events (multi-region). One stack
    # per account should (prod by default); the others record only their own data events.
    manage_account_trail: bool
    # The users table the services use, when it is not the one this stack created: set to the
    # table `python -m deploy.restore users-table` restored into (README, Recovery).
    users_table_name: str | None
    pulumi_version: str
    pulumi_sha256: str  # of pulumi-v<pulumi_version>-linux-x64.tar.gz, lowercase hex
    state_backend_url: str | None
    secrets_provider: str | None
    default_tags: Mapping[str, str]
    # How long audit events and idle copilot conversations are kept (DynamoDB TTL).
    audit_retention_days: int = 365
    conversation_retention_days: int = 90
    # What the cost estimate assumes the stack does in a month (`./dev cost`, cost/usage.py), and
    # the most it may cost: the policy pack's cost-budget rule fails a prod deploy above it.
    usage: UsageProfile = field(default_factory=UsageProfile)
    monthly_budget_usd: float | None = None
    # The retail copilot's Bedrock model (e.g. anthropic.claude-3-5-haiku-20241022-v1:0 or an
    # inference profile id such as us.anthropic...); None: the copilot answers in local mode and
    # its role may invoke no model at all.
    bedrock_model_id: str | None = None
    # The WAF rate rule on the public credential operations (components/waf.py; the local
    # gateway applies the same): at most `auth_rate_limit` POSTs per client IP in any
    # `auth_rate_window_seconds` (WAF allows 60, 120, 300 or 600).
    auth_rate_limit: int = 100
    auth_rate_window_seconds: int = 300

    # ---- names: every physical name comes from here -------------------------------------
    def name(self, part: str) -> str:
        """`<prefix>-<part>-<stack>`, the seed's naming scheme."""
        return f"{self.name_prefix}-{part}-{self.stack}"

    def bucket_name(self, part: str) -> str:
        """Bucket names are global: the account id keeps two accounts' stacks apart."""
        name = f"{self.name_prefix}-{part}-{self.stack}-{self.account_id}"
        if len(name) > MAX_BUCKET_NAME:
            raise SettingsError(f"bucket name {name!r} is longer than {MAX_BUCKET_NAME}; shorten namePrefix")
        return name

    @property
    def glue_database_name(self) -> str:
        """Glue and Athena identifiers take underscores, not hyphens."""
        return self.name("lake").replace("-", "_")

    def function_name(self, service: str) -> str:
        return self.name(service)

    def log_group_for_function(self, service: str) -> str:
        return f"/aws/lambda/{self.function_name(service)}"

    def tags(self, system: str, **extra: str) -> dict[str, str]:
        """Resource tags. Project/Environment/ManagedBy come from `aws:defaultTags`;
        `System` names the part of the platform a resource belongs to."""
        return {"System": system, **extra}

    @property
    def is_production(self) -> bool:
        return self.stack == "prod"

    @property
    def nat_gateway_count(self) -> int:
        return 1 if self.nat_strategy == "single" else self.availability_zones

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def from_values(
        cls, values: Mapping[str, Any], *, stack: str, account_id: str, project: str = PROJECT
    ) -> Settings:
        """Build settings from config values keyed `<project>:<key>` and `aws:<key>`."""

        def get(key: str, default: Any = None, *, required: bool = False) -> Any:
            full = key if ":" in key else f"{project}:{key}"
            value = values.get(full, default)
            if required and value in (None, ""):
                raise SettingsError(f"missing required setting {full}")
            return value

        def as_bool(key: str, default: bool) -> bool:
            value = get(key, default)
            if isinstance(value, str):
                if value.lower() not in ("true", "false"):
                    raise SettingsError(f"{key} must be true or false, got {value!r}")
                return value.lower() == "true"
            return bool(value)

        def as_int(key: str, default: int, lo: int, hi: int) -> int:
            try:
                value = int(get(key, default))
            except (TypeError, ValueError) as exc:
                raise SettingsError(f"{key} must be an integer") from exc
            if not lo <= value <= hi:
                raise SettingsError(f"{key}={value} is outside {lo}..{hi}")
            return value

        cidr = get("vpcCidr", required=True)
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError as exc:
            raise SettingsError(f"vpcCidr {cidr!r} is not a CIDR block") from exc
        if not 16 <= network.prefixlen <= 20:
            raise SettingsError("vpcCidr must be between /16 and /20 to hold the subnets")

        nat = get("natStrategy", "single")
        if nat not in NAT_STRATEGIES:
            raise SettingsError(f"natStrategy must be one of {NAT_STRATEGIES}, got {nat!r}")

        default_tags = get("aws:defaultTags", {}) or {}
        if isinstance(default_tags, str):
            default_tags = yaml.safe_load(default_tags)
        tags = dict(default_tags.get("tags", {}))

        return cls(
            project=project,
            stack=stack,
            region=get("aws:region", required=True),
            account_id=account_id,
            name_prefix=get("namePrefix", "futureim-ecommerce-ai-platform"),
            vpc_cidr=str(network),
            availability_zones=as_int("availabilityZones", 2, 2, 6),
            nat_strategy=nat,
            log_retention_days=as_int("logRetentionDays", 30, 1, 3653),
            artifact_retention_days=as_int("artifactRetentionDays", 30, 1, 3650),
            github=GitHubSettings(
                owner=get("githubOwner", required=True),
                repo=get("githubRepo", required=True),
                branch=get("githubBranch", "master"),
                connection_arn=get("githubConnectionArn") or None,
            ),
            cdn_enabled=as_bool("cdnEnabled", False),
            deletion_protection=as_bool("deletionProtection", False),
            alarm_email=get("alarmEmail") or None,
            email_sender=get("emailSender") or get("alarmEmail") or None,
            lambda_memory_mb=as_int("lambdaMemoryMb", 512, 128, 10240),
            lambda_timeout_seconds=as_int("lambdaTimeoutSeconds", 29, 1, 900),
            api_throttle_rate_limit=float(get("apiThrottleRateLimit", 50)),
            api_throttle_burst_limit=as_int("apiThrottleBurstLimit", 100, 1, 100000),
            athena_bytes_scanned_cutoff_mb=as_int("athenaBytesScannedCutoffMb", 1024, 10, 10_000_000),
            access_token_minutes=as_int("accessTokenMinutes", 15, 5, 60),
            # prod owns the account's regional singletons by default (dev may share its account).
            manage_api_gateway_account=as_bool("manageApiGatewayAccount", stack == "prod"),
            lambda_reserved_concurrency=as_int("lambdaReservedConcurrency", 0, 0, 10000),
            manage_account_trail=as_bool("manageAccountTrail", stack == "prod"),
            users_table_name=get("usersTableName") or None,
            pulumi_version=str(get("pulumiVersion", PULUMI_VERSION)),
            pulumi_sha256=_pulumi_sha256(get("pulumiSha256"), str(get("pulumiVersion", PULUMI_VERSION))),
            state_backend_url=get("stateBackendUrl") or None,
            secrets_provider=get("secretsProvider") or None,
            default_tags=tags,
            audit_retention_days=as_int("auditRetentionDays", 365, 1, 3653),
            conversation_retention_days=as_int("conversationRetentionDays", 90, 1, 3653),
            usage=_usage(get("usage")),
            monthly_budget_usd=_budget(get("monthlyBudgetUsd")),
            bedrock_model_id=_model_id(get("bedrockModelId")),
            auth_rate_limit=as_int("authRateLimit", 100, 10, 2_000_000_000),  # WAF's own bounds
            auth_rate_window_seconds=_one_of(as_int("authRateWindowSeconds", 300, 60, 600), WAF_WINDOWS),
        )


def _model_id(value: Any) -> str | None:
    """A Bedrock model or inference profile id, or None when unset/empty."""
    text = str(value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/-]{2,200}", text):
        raise SettingsError(f"bedrockModelId {text!r} is not a Bedrock model id")
    return text


def _pulumi_sha256(value: Any, version: str) -> str:
    """The archive's SHA-256; the default only goes with the default version, so a stack that
    moves pulumiVersion without its hash fails here, not in the build."""
    text = str(value or "").strip().lower()
    if not text and version == PULUMI_VERSION:
        text = PULUMI_SHA256
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise SettingsError(
            f"pulumiSha256 must be the SHA-256 (64 hex digits) of pulumi-v{version}-linux-x64.tar.gz "
            f"as Pulumi publishes it (pulumi-{version}-checksums.txt), got {text!r}"
        )
    return text


def _usage(value: Any) -> UsageProfile:
    try:
        return parse_usage(value)
    except UsageError as exc:
        raise SettingsError(str(exc)) from exc


def _budget(value: Any) -> float | None:
    """monthlyBudgetUsd: a positive amount of USD, or None (no budget)."""
    if value in (None, ""):
        return None
    try:
        budget = float(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"monthlyBudgetUsd must be a number of USD, got {value!r}") from exc
    if not 0 < budget < 1e9:
        raise SettingsError(f"monthlyBudgetUsd={budget:g} must be above 0")
    return budget


def stack_file_values(stack: str, root: Path = ROOT) -> dict[str, Any]:
    """The `config:` block of `Pulumi.<stack>.yaml` (secure values are left out)."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise SettingsError(f"no stack file {path.name}")
    config = (yaml.safe_load(path.read_text()) or {}).get("config", {}) or {}
    return {k: v for k, v in config.items() if not (isinstance(v, dict) and "secure" in v)}


def _one_of(value: int, allowed: tuple[int, ...]) -> int:
    if value not in allowed:
        raise SettingsError(f"authRateWindowSeconds must be one of {allowed}, got {value}")
    return value


def from_stack_file(stack: str, account_id: str = "123456789012") -> Settings:
    """Settings for a stack as its file declares them (local platform, deploy scripts)."""
    return Settings.from_values(stack_file_values(stack), stack=stack, account_id=account_id)


def load() -> Settings:
    """Settings of the running Pulumi program (reads config and the caller's account once)."""
    import pulumi
    import pulumi_aws as aws

    values: dict[str, Any] = {}
    for namespace in (PROJECT, "aws"):
        config = pulumi.Config(namespace)
        keys = ("region", "defaultTags") if namespace == "aws" else _PROJECT_KEYS
        for key in keys:
            value = config.get_object(key) if key in ("defaultTags", "usage") else config.get(key)
            if value is not None:
                values[f"{namespace}:{key}"] = value
    account_id = aws.get_caller_identity().account_id
    return Settings.from_values(
        values, stack=pulumi.get_stack(), account_id=account_id, project=pulumi.get_project()
    )


_PROJECT_KEYS = (
    "namePrefix",
    "vpcCidr",
    "availabilityZones",
    "natStrategy",
    "logRetentionDays",
    "artifactRetentionDays",
    "auditRetentionDays",
    "conversationRetentionDays",
    "bedrockModelId",
    "authRateLimit",
    "authRateWindowSeconds",
    "githubOwner",
    "githubRepo",
    "githubBranch",
    "githubConnectionArn",
    "cdnEnabled",
    "deletionProtection",
    "alarmEmail",
    "emailSender",
    "lambdaMemoryMb",
    "lambdaTimeoutSeconds",
    "apiThrottleRateLimit",
    "apiThrottleBurstLimit",
    "athenaBytesScannedCutoffMb",
    "usage",
    "monthlyBudgetUsd",
    "accessTokenMinutes",
    "manageApiGatewayAccount",
    "lambdaReservedConcurrency",
    "manageAccountTrail",
    "usersTableName",
    "pulumiVersion",
    "pulumiSha256",
    "stateBackendUrl",
    "secretsProvider",
)
