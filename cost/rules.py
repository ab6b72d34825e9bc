"""Pricing rules: what each kind of resource costs a month, from its inputs and the usage profile.

A rule takes the stack's resources (`Item`: type, name, inputs as the engine sees them, and the
component it belongs to) and yields `Line`s: a resource kind, how many of them, the unit price
(from the price book, never from code), the quantity and the basis in words ("3 NAT gateways x
730 h x $0.045"). Fixed costs come from the resources alone; usage costs from the resources and
the usage profile (`cost/usage.py`).

Every resource type is either priced by a rule, known to cost nothing by itself (`FREE_TYPES`:
roles, aliases, bucket settings...), or reported as not priced, so a new kind of resource shows
up in the estimate instead of silently costing nothing.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cost.pricebook import Price, PriceBook, usd
from cost.usage import UsageProfile

HOURS_PER_MONTH = 730  # AWS's own month for hourly prices
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
KB_PER_GB = 1024 * 1024
MB_PER_TB = 1024 * 1024
# Lambda polls an SQS event source with 5 long-polling connections (20 s each) while idle:
# 5 x 3 a minute, every minute of the month, before any message arrives.
SQS_IDLE_POLLERS = 5
SQS_LONG_POLL_SECONDS = 20
# X-Ray's default sampling rule: the first request each second, then 5 % of the rest.
XRAY_RESERVOIR_PER_SECOND = 1
XRAY_FIXED_RATE = 0.05
PIPELINE_EVENT_KB = 1.0  # one CodePipeline state-change event kept in the events log group
PIPELINE_EVENTS_PER_RUN = 10  # execution + stage state changes of a 4-stage run
WAF_LOG_KB = 1.5  # one WAF log record (vended), when a web ACL logs to CloudWatch Logs

# Component modules -> the groups the estimate prints (the issue's: network, encryption, data,
# services, api, site, pipeline, audit).
GROUPS = {
    "network": "network",
    "encryption": "encryption",
    "users_table": "data",
    "state_tables": "data",
    "data_lake": "data",
    "services": "services",
    "mail_queue": "services",
    "api": "api",
    "security": "api",
    "waf": "api",
    "audit_log": "audit",
    "frontend": "site",
    "frontend_site": "site",
    "pipeline": "pipeline",
    "audit": "audit",
    "monitoring": "audit",
}
GROUP_ORDER = ("network", "encryption", "data", "services", "api", "site", "pipeline", "audit")

# Types that cost nothing by themselves (their cost, if any, is another resource's line).
FREE_TYPES = frozenset(
    {
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policy:Policy",
        "aws:kms/alias:Alias",
        "aws:lambda/alias:Alias",
        "aws:lambda/permission:Permission",
        "aws:lambda/eventSourceMapping:EventSourceMapping",  # its polling: the SQS line
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",  # its invocations: Lambda
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",  # its queue: the SQS line
        "aws:s3/bucketNotification:BucketNotification",  # S3's events to EventBridge are free
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",  # its traffic: the site line
        "aws:apigateway/deployment:Deployment",
        "aws:apigateway/stage:Stage",
        "aws:apigateway/methodSettings:MethodSettings",
        "aws:apigateway/account:Account",
        "aws:glue/catalogDatabase:CatalogDatabase",  # the catalog line
        "aws:glue/catalogTable:CatalogTable",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/flowLog:FlowLog",  # its records: the flow log group's ingestion
        "aws:ec2/eip:Eip",  # the NAT gateways' public IPv4 line
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/route:Route",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:sns/topic:Topic",  # alarm e-mails: well inside SNS's free 1,000 a month
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:codestarconnections/connection:Connection",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "random:index/randomPassword:RandomPassword",
    }
)


# ---- what the rules read and write --------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One resource as the estimate sees it."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    component: str = "other"

    def get(self, dotted: str, default: Any = None) -> Any:
        value: Any = self.inputs
        for part in dotted.split("."):
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return default
        return default if value is None else value

    @property
    def physical_name(self) -> str:
        return str(self.inputs.get("name") or self.name)


@dataclass(frozen=True)
class Line:
    component: str
    type: str  # the resource type it prices
    label: str  # what is billed ("NAT gateway hours")
    noun: str  # what `count` counts, singular ("NAT gateway")
    count: int
    price: Price | None  # None: free
    quantity: float
    basis: str

    @property
    def monthly(self) -> float:
        return 0.0 if self.price is None else self.price.usd * self.quantity

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.component, self.type, self.label)

    def unit_price(self) -> str:
        return "free" if self.price is None else self.price.display()


@dataclass
class Context:
    items: list[Item]
    usage: UsageProfile
    prices: PriceBook
    settings: Mapping[str, Any] = field(default_factory=dict)  # the stack's config (bare keys)
    notes: list[str] = field(default_factory=list)

    def of_type(self, *types: str) -> list[Item]:
        return [i for i in self.items if i.type in types]

    def setting(self, key: str, default: Any = None) -> Any:
        value = self.settings.get(key)
        return default if value in (None, "") else value

    @cached_property
    def traffic(self) -> Traffic:
        return Traffic.of(self)


# ---- the traffic model: who is invoked how often, for how long -----------------------------------
@dataclass(frozen=True)
class Function:
    item: Item
    role: str  # authorizer | auth | analytics
    memory_mb: float
    architecture: str


@dataclass
class Traffic:
    api_requests: float
    analytics_calls: float
    athena_queries: float
    site_sessions: float
    functions: list[Function]
    invocations: dict[str, float]  # function physical name -> invocations a month
    seconds: dict[str, float]  # function physical name -> billed seconds a month (all invocations)
    authorizer_ttl: int

    @classmethod
    def of(cls, ctx: Context) -> Traffic:
        u = ctx.usage
        apis = ctx.of_type("aws:apigateway/restApi:RestApi")
        requests = u.api_requests_per_month if apis else 0.0
        analytics = requests * u.analytics_share
        ttl = max((_authorizer_ttl(a) for a in apis), default=0)
        functions = [
            Function(
                item=f,
                role=_role(f),
                memory_mb=float(f.get("memorySize", 128)),
                architecture=str((f.get("architectures") or ["x86_64"])[0]),
            )
            for f in ctx.of_type("aws:lambda/function:Function")
        ]
        invocations: dict[str, float] = {}
        seconds: dict[str, float] = {}
        base = u.function_ms / 1000
        queries_per_call = u.queries_per_analytics_call()
        by_role = defaultdict(list)
        for fn in functions:
            by_role[fn.role].append(fn)
        for fn in by_role["analytics"]:
            calls = analytics / len(by_role["analytics"])
            invocations[fn.item.physical_name] = calls
            # It waits for each of its Athena queries, billed.
            seconds[fn.item.physical_name] = calls * (base + queries_per_call * u.athena_query_seconds)
        for fn in by_role["auth"]:
            calls = (requests - analytics) / len(by_role["auth"])
            invocations[fn.item.physical_name] = calls
            seconds[fn.item.physical_name] = calls * base
        for fn in by_role["authorizer"]:
            # A token authorizer's answer is cached per token for `ttl` seconds: it runs once
            # per session and cache window, never more often than the protected calls.
            windows = math.ceil(u.session_minutes * 60 / ttl) if ttl else math.inf
            runs = analytics if windows == math.inf else min(analytics, u.sessions * windows)
            invocations[fn.item.physical_name] = runs / len(by_role["authorizer"])
            seconds[fn.item.physical_name] = runs / len(by_role["authorizer"]) * base
        for fn in by_role["job"]:  # once per dataset upload (EventBridge), not per request
            runs = u.data_uploads_per_month / len(by_role["job"])
            invocations[fn.item.physical_name] = runs
            seconds[fn.item.physical_name] = runs * u.data_job_seconds
        # A log subscription filter on the API's access log invokes its function in batches.
        access_groups = {_log_group_name(s.get("accessLogSettings.destinationArn", "")) for s in _stages(ctx)}
        for sub in ctx.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"):
            target = _function_in_arn(str(sub.get("destinationArn", "")))
            if target in invocations and sub.get("logGroup") in access_groups:
                deliveries = requests / u.audit_events_per_delivery
                invocations[target] += deliveries
                seconds[target] += deliveries * base  # no query: it writes the batch to DynamoDB
        return cls(
            api_requests=requests,
            analytics_calls=analytics,
            athena_queries=analytics * queries_per_call
            if ctx.of_type("aws:athena/workgroup:Workgroup")
            else 0,
            site_sessions=u.sessions,
            functions=functions,
            invocations=invocations,
            seconds=seconds,
            authorizer_ttl=ttl,
        )


def _role(fn: Item) -> str:
    handler = str(fn.get("handler", ""))
    name = fn.physical_name
    if ".authorizer." in handler or "authorizer" in name:
        return "authorizer"
    if handler.startswith("auth_service.") or "auth-service" in name:
        return "auth"
    if handler.startswith("data_jobs.") or "data-jobs" in name:
        return "job"
    return "analytics"


def _authorizer_ttl(api: Item) -> int:
    body = api.get("body")
    try:
        spec = json.loads(body) if isinstance(body, str) else body or {}
    except ValueError:
        return 0
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    ttls = [
        int((s.get("x-amazon-apigateway-authorizer") or {}).get("authorizerResultTtlInSeconds", 300))
        for s in schemes.values()
        if isinstance(s, Mapping) and "x-amazon-apigateway-authorizer" in s
    ]
    return max(ttls, default=0)


def _stages(ctx: Context) -> list[Item]:
    return ctx.of_type("aws:apigateway/stage:Stage")


def _log_group_name(arn: str) -> str:
    """`arn:aws:logs:<region>:<account>:log-group:<name>[:*]` -> name."""
    if ":log-group:" not in arn:
        return arn
    return arn.split(":log-group:", 1)[1].removesuffix(":*")


def _function_in_arn(arn: str) -> str:
    """`arn:aws:lambda:...:function:<name>[:alias]` -> name."""
    if ":function:" not in arn:
        return arn
    return arn.split(":function:", 1)[1].split(":", 1)[0]


# ---- helpers -----------------------------------------------------------------------------------
def plural(n: float, noun: str) -> str:
    irregular = {"NAT gateway": "NAT gateways"}
    return noun if n == 1 else irregular.get(noun, noun + ("es" if noun.endswith(("s", "sh", "ch")) else "s"))


def num(value: float) -> str:
    """1,234,567 / 12.5 / 0.0123: figures in a basis."""
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def by_component(items: Iterable[Item]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        out[item.component].append(item)
    return dict(out)


TIMES = "\u00d7"


def times(text: str) -> str:
    """Bases are written with " x " in the code (ASCII source); they print with a times sign."""
    return text.replace(" x ", f" {TIMES} ")


def line(
    ctx: Context,
    component: str,
    type_: str,
    label: str,
    noun: str,
    count: int,
    price_key: str | None,
    quantity: float,
    basis: str,
) -> Line:
    price = None if price_key is None else ctx.prices[price_key]
    return Line(component, type_, label, noun, count, price, quantity, times(basis))


def p(ctx: Context, key: str) -> str:
    """A unit price for a basis: $0.045."""
    return usd(ctx.prices[key].usd, unit_price=True)


# ---- network -------------------------------------------------------------------------------------
VPC = "awsx:ec2:Vpc"
NAT = "aws:ec2/natGateway:NatGateway"


def nat_gateways(ctx: Context) -> Iterable[Line]:
    """NAT gateway hours, the public IPv4 address of each, and the data they process."""
    explicit = ctx.of_type(NAT)
    counts: dict[str, int] = defaultdict(int)
    if explicit:  # a real engine run: awsx registers its NAT gateways as resources
        for nat in explicit:
            counts[nat.component] += 1
    else:  # under mocks the awsx VPC is opaque: its inputs say how many it creates
        for vpc in ctx.of_type(VPC):
            counts[vpc.component] += nat_count(vpc)
    total = sum(counts.values())
    for component, n in counts.items():
        if not n:
            continue
        hours = n * HOURS_PER_MONTH
        yield line(
            ctx,
            component,
            NAT,
            "NAT gateway hours",
            "NAT gateway",
            n,
            "ec2.natGateway.hour",
            hours,
            f"{n} {plural(n, 'NAT gateway')} x {HOURS_PER_MONTH} h x {p(ctx, 'ec2.natGateway.hour')}",
        )
        yield line(
            ctx,
            component,
            "aws:ec2/eip:Eip",
            "public IPv4 address hours",
            "public IPv4 address",
            n,
            "vpc.publicIpv4.hour",
            hours,
            f"{n} Elastic {plural(n, 'IP')} (one per NAT gateway) x {HOURS_PER_MONTH} h x "
            f"{p(ctx, 'vpc.publicIpv4.hour')}",
        )
        gb = ctx.usage.nat_gb_per_month * n / total
        yield line(
            ctx,
            component,
            NAT,
            "NAT data processed",
            "NAT gateway",
            n,
            "ec2.natGateway.gb",
            gb,
            f"{num(gb)} GB through the NAT gateways (usage natGbPerMonth) x {p(ctx, 'ec2.natGateway.gb')}",
        )


def nat_count(vpc: Item) -> int:
    """How many NAT gateways an awsx VPC creates (awsx defaults: OnePerAz over 3 AZs)."""
    azs = int(vpc.get("numberOfAvailabilityZones", 3))
    strategy = str(vpc.get("natGateways.strategy", "OnePerAz")).lower()
    return {"none": 0, "single": 1, "oneperaz": azs}.get(strategy, azs)


def vpc_endpoints(ctx: Context) -> Iterable[Line]:
    interface: dict[str, list[Item]] = defaultdict(list)
    gateway: dict[str, list[Item]] = defaultdict(list)
    for ep in ctx.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        kind = str(ep.get("vpcEndpointType", "Gateway"))
        (interface if kind == "Interface" else gateway)[ep.component].append(ep)
    for component, eps in interface.items():
        azs = sum(max(1, len(ep.get("subnetIds", []) or [])) for ep in eps)
        yield line(
            ctx,
            component,
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "interface endpoint hours",
            "interface endpoint",
            len(eps),
            "vpc.interfaceEndpoint.hour",
            azs * HOURS_PER_MONTH,
            f"{len(eps)} interface {plural(len(eps), 'endpoint')} in {azs} endpoint-AZs x {HOURS_PER_MONTH} h x "
            f"{p(ctx, 'vpc.interfaceEndpoint.hour')}",
        )
    for component, eps in gateway.items():
        services = ", ".join(sorted(str(ep.get("serviceName", "")).rsplit(".", 1)[-1] for ep in eps))
        yield line(
            ctx,
            component,
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "gateway endpoints",
            "gateway endpoint",
            len(eps),
            None,
            len(eps),
            f"{len(eps)} gateway {plural(len(eps), 'endpoint')} ({services}): no hourly or data charge",
        )


# ---- encryption and secrets ----------------------------------------------------------------------
def kms_keys(ctx: Context) -> Iterable[Line]:
    keys = ctx.of_type("aws:kms/key:Key")
    for component, group in by_component(keys).items():
        n = len(group)
        rotating = sum(1 for k in group if k.get("enableKeyRotation"))
        yield line(
            ctx,
            component,
            "aws:kms/key:Key",
            "KMS keys",
            "KMS key",
            n,
            "kms.key.month",
            n,
            f"{n} customer-managed {plural(n, 'key')} x {p(ctx, 'kms.key.month')}/month"
            + (
                " (rotating: each of the first two rotations adds $1/month a key from year 2)"
                if rotating
                else ""
            ),
        )
    if keys:
        component = keys[0].component
        q = ctx.usage.kms_requests_per_month
        yield line(
            ctx,
            component,
            "aws:kms/key:Key",
            "KMS requests",
            "KMS key",
            len(keys),
            "kms.request",
            q,
            f"{num(q)} requests (usage kmsRequestsPerMonth) x {ctx.prices['kms.request'].display()}",
        )


def secrets(ctx: Context) -> Iterable[Line]:
    for component, group in by_component(ctx.of_type("aws:secretsmanager/secret:Secret")).items():
        n = len(group)
        yield line(
            ctx,
            component,
            "aws:secretsmanager/secret:Secret",
            "secrets",
            "secret",
            n,
            "secretsmanager.secret.month",
            n,
            f"{n} {plural(n, 'secret')} x {p(ctx, 'secretsmanager.secret.month')}/month (read once per cold start)",
        )


# ---- monitoring ------------------------------------------------------------------------------------
def alarms(ctx: Context) -> Iterable[Line]:
    for component, group in by_component(ctx.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")).items():
        high = [a for a in group if float(a.get("period", 60)) < 60]
        for subset, key, kind in ((
            [a for a in group if a not in high], "cloudwatch.alarm.month", "standard-resolution"),
            (high, "cloudwatch.highResolutionAlarm.month", "high-resolution"),
        ):  # fmt: skip
            if subset:
                n = len(subset)
                yield line(
                    ctx,
                    component,
                    "aws:cloudwatch/metricAlarm:MetricAlarm",
                    f"{kind} alarms",
                    "alarm",
                    n,
                    key,
                    n,
                    f"{n} {kind} {plural(n, 'alarm')} x {p(ctx, key)}/month",
                )


def dashboards(ctx: Context) -> Iterable[Line]:
    for component, group in by_component(ctx.of_type("aws:cloudwatch/dashboard:Dashboard")).items():
        n = len(group)
        yield line(
            ctx,
            component,
            "aws:cloudwatch/dashboard:Dashboard",
            "dashboards",
            "dashboard",
            n,
            "cloudwatch.dashboard.month",
            n,
            f"{n} {plural(n, 'dashboard')} x {p(ctx, 'cloudwatch.dashboard.month')}/month",
        )


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def log_groups(ctx: Context) -> Iterable[Line]:
    """Ingestion by what writes to each log group, and storage by its retention."""
    t = ctx.traffic
    u = ctx.usage
    access_groups = {_log_group_name(s.get("accessLogSettings.destinationArn", "")) for s in _stages(ctx)}
    flow_groups = {
        _log_group_name(str(f.get("logDestination", ""))) for f in ctx.of_type("aws:ec2/flowLog:FlowLog")
    }
    function_groups = {
        str(
            fn.item.get("loggingConfig.logGroup") or f"/aws/lambda/{fn.item.physical_name}"
        ): fn.item.physical_name
        for fn in t.functions
    }
    waf_requests = _waf_requests(ctx)
    per_component: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for group in ctx.of_type(LOG_GROUP):
        name = group.physical_name
        retention = float(group.get("retentionInDays", 0) or 0)
        vended = False
        if name in function_groups:
            gb = t.invocations.get(function_groups[name], 0) * u.log_kb_per_invocation / KB_PER_GB
            source = "function logs"
        elif name in access_groups:
            gb = t.api_requests * u.access_log_bytes_per_request / 1024 / KB_PER_GB
            source = "API access log lines"
        elif name.startswith("API-Gateway-Execution-Logs"):
            gb = 0.0  # logging level ERROR: only failed calls write here
            source = "execution logs at ERROR level (~0)"
        elif name in flow_groups or name.startswith("/aws/vpc/flow-logs"):
            gb, vended = u.flow_log_gb_per_month, True
            source = "VPC flow logs (vended)"
        elif name.startswith("/aws/codebuild/"):
            gb = u.pipeline_runs_per_month * u.build_log_mb_per_run / 1024
            source = "build logs"
        elif name.startswith("/aws/events/"):
            gb = u.pipeline_runs_per_month * PIPELINE_EVENTS_PER_RUN * PIPELINE_EVENT_KB / KB_PER_GB
            source = "pipeline events"
        elif name.startswith("aws-waf-logs-"):
            gb, vended = waf_requests * WAF_LOG_KB / KB_PER_GB, True
            source = "WAF logs (vended)"
        else:
            gb = 0.0
            source = "unknown writer (not estimated)"
            ctx.notes.append(
                f"log group {name}: no usage model for what writes to it; ingestion not estimated"
            )
        # Retention 0/unset is "never expire": count a year of it.
        days = retention or 365.0
        per_component[group.component]["vended" if vended else "standard"].append((gb, source))
        per_component[group.component]["stored"].append((gb * days / DAYS_PER_MONTH, days))
    for component, kinds in per_component.items():
        for kind, key in (("standard", "logs.ingestion.gb"), ("vended", "logs.vendedIngestion.gb")):
            entries = kinds.get(kind)
            if not entries:
                continue
            gb = sum(e[0] for e in entries)
            sources = sorted({e[1] for e in entries})
            n = len(entries)
            yield line(
                ctx,
                component,
                LOG_GROUP,
                "log ingestion" + (" (vended)" if kind == "vended" else ""),
                "log group",
                n,
                key,
                gb,
                f"{n} log {plural(n, 'group')} ({'; '.join(sources)}): {num(gb)} GB x {p(ctx, key)}/GB",
            )
        stored = kinds["stored"]
        gb = sum(e[0] for e in stored)
        days = sorted({int(e[1]) for e in stored})
        n = len(stored)
        yield line(
            ctx,
            component,
            LOG_GROUP,
            "log storage",
            "log group",
            n,
            "logs.storage.gbMonth",
            gb,
            f"{num(gb)} GB held: a month's ingestion x retention {'/'.join(map(str, days))} days / "
            f"{num(DAYS_PER_MONTH)} x {p(ctx, 'logs.storage.gbMonth')}/GB-month (as ingested: an upper bound)",
        )


def xray(ctx: Context) -> Iterable[Line]:
    stages = [s for s in _stages(ctx) if s.get("xrayTracingEnabled")]
    traced_functions = [
        fn for fn in ctx.traffic.functions if str(fn.item.get("tracingConfig.mode", "")).lower() == "active"
    ]
    if not stages and not traced_functions:
        return
    requests = ctx.traffic.api_requests
    traces = min(requests, XRAY_RESERVOIR_PER_SECOND * SECONDS_PER_MONTH) + XRAY_FIXED_RATE * max(
        0.0, requests - XRAY_RESERVOIR_PER_SECOND * SECONDS_PER_MONTH
    )
    component = stages[0].component if stages else traced_functions[0].item.component
    yield line(
        ctx,
        component,
        "aws:apigateway/stage:Stage" if stages else "aws:lambda/function:Function",
        "X-Ray traces",
        "traced stage" if stages else "traced function",
        len(stages) or len(traced_functions),
        "xray.trace",
        traces,
        f"{num(traces)} traces: the default sampling rule records the first request each second and 5 % "
        f"of the rest of {num(requests)} requests x {ctx.prices['xray.trace'].display()}",
    )


# ---- compute -----------------------------------------------------------------------------------------
def lambdas(ctx: Context) -> Iterable[Line]:
    t = ctx.traffic
    groups: dict[tuple[str, str], list[Function]] = defaultdict(list)
    for fn in t.functions:
        groups[(fn.item.component, fn.architecture)].append(fn)
    for (component, arch), fns in groups.items():
        arch_key = "arm64" if arch == "arm64" else "x86_64"
        n = len(fns)
        invocations = sum(t.invocations.get(f.item.physical_name, 0) for f in fns)
        busy = sum(t.seconds.get(f.item.physical_name, 0) for f in fns)
        gb_seconds = sum(t.seconds.get(f.item.physical_name, 0) * f.memory_mb / 1024 for f in fns)
        memories = sorted({int(f.memory_mb) for f in fns})
        mean_s = busy / invocations if invocations else 0.0
        req_key, gbs_key = f"lambda.{arch_key}.request", f"lambda.{arch_key}.gbSecond"
        yield line(
            ctx,
            component,
            "aws:lambda/function:Function",
            f"Lambda requests ({arch_key})",
            "function",
            n,
            req_key,
            invocations,
            f"{n} {plural(n, 'function')}: {num(invocations)} invocations x {ctx.prices[req_key].display()}",
        )
        yield line(
            ctx,
            component,
            "aws:lambda/function:Function",
            f"Lambda compute ({arch_key})",
            "function",
            n,
            gbs_key,
            gb_seconds,
            f"{num(invocations)} invocations x {mean_s:.3f} s mean x {'/'.join(map(str, memories))} MB "
            f"= {num(gb_seconds)} GB-s x {p(ctx, gbs_key)}",
        )


# ---- API ---------------------------------------------------------------------------------------------
def api_gateway(ctx: Context) -> Iterable[Line]:
    apis = ctx.of_type("aws:apigateway/restApi:RestApi")
    if not apis:
        return
    t = ctx.traffic
    component = apis[0].component
    yield line(
        ctx,
        component,
        "aws:apigateway/restApi:RestApi",
        "REST API requests",
        "REST API",
        len(apis),
        "apigateway.rest.request",
        t.api_requests,
        f"{num(t.api_requests)} requests (usage apiRequestsPerMonth) x {ctx.prices['apigateway.rest.request'].display()}",
    )
    gb = t.api_requests * ctx.usage.avg_response_kb / KB_PER_GB
    yield line(
        ctx,
        component,
        "aws:apigateway/restApi:RestApi",
        "API data transfer out",
        "REST API",
        len(apis),
        "dataTransfer.internetOut.gb",
        gb,
        f"{num(t.api_requests)} responses x {num(ctx.usage.avg_response_kb)} KB = {num(gb)} GB x "
        f"{p(ctx, 'dataTransfer.internetOut.gb')}/GB",
    )


WEB_ACL = "aws:wafv2/webAcl:WebAcl"


def _waf_requests(ctx: Context) -> float:
    total = 0.0
    for acl in ctx.of_type(WEB_ACL):
        total += (
            _site_requests(ctx)
            if str(acl.get("scope", "REGIONAL")) == "CLOUDFRONT"
            else ctx.traffic.api_requests
        )
    return total


def waf(ctx: Context) -> Iterable[Line]:
    for acl in ctx.of_type(WEB_ACL):
        rules = len(acl.get("rules", []) or [])
        cloudfront = str(acl.get("scope", "REGIONAL")) == "CLOUDFRONT"
        requests = _site_requests(ctx) if cloudfront else ctx.traffic.api_requests
        yield line(
            ctx,
            acl.component,
            WEB_ACL,
            "WAF web ACLs",
            "web ACL",
            1,
            "waf.webAcl.month",
            1,
            f"1 web ACL ({acl.physical_name}) x {p(ctx, 'waf.webAcl.month')}/month",
        )
        if rules:
            yield line(
                ctx,
                acl.component,
                WEB_ACL,
                "WAF rules",
                "rule",
                rules,
                "waf.rule.month",
                rules,
                f"{rules} {plural(rules, 'rule')} x {p(ctx, 'waf.rule.month')}/month",
            )
        yield line(
            ctx,
            acl.component,
            WEB_ACL,
            "WAF requests",
            "web ACL",
            1,
            "waf.request",
            requests,
            f"{num(requests)} {'site' if cloudfront else 'API'} requests inspected x {ctx.prices['waf.request'].display()}",
        )


# ---- data ----------------------------------------------------------------------------------------------
TABLE = "aws:dynamodb/table:Table"


def dynamodb(ctx: Context) -> Iterable[Line]:
    tables = ctx.of_type(TABLE)
    if not tables:
        return
    u = ctx.usage
    t = ctx.traffic
    on_demand = [x for x in tables if str(x.get("billingMode", "PROVISIONED")) == "PAY_PER_REQUEST"]
    for x in tables:
        if x not in on_demand:
            ctx.notes.append(f"table {x.physical_name}: provisioned capacity is not estimated")
    component = tables[0].component
    if on_demand:
        n = len(on_demand)
        writes = t.api_requests * u.dynamo_writes_per_request
        reads = t.api_requests * u.dynamo_reads_per_request
        yield line(
            ctx,
            component,
            TABLE,
            "DynamoDB writes (on-demand)",
            "table",
            n,
            "dynamodb.writeRequestUnit",
            writes,
            f"{num(t.api_requests)} requests x {num(u.dynamo_writes_per_request)} {plural(u.dynamo_writes_per_request, 'write unit')} x "
            f"{ctx.prices['dynamodb.writeRequestUnit'].display()}",
        )
        yield line(
            ctx,
            component,
            TABLE,
            "DynamoDB reads (on-demand)",
            "table",
            n,
            "dynamodb.readRequestUnit",
            reads,
            f"{num(t.api_requests)} requests x {num(u.dynamo_reads_per_request)} {plural(u.dynamo_reads_per_request, 'read unit')} x "
            f"{ctx.prices['dynamodb.readRequestUnit'].display()}",
        )
    # Storage: the audit table holds every call for auditRetentionDays (item + its index copy).
    retention = float(ctx.setting("auditRetentionDays", 365))
    audit = [x for x in tables if "audit" in x.physical_name]
    others = [x for x in tables if x not in audit]
    audit_gb = t.api_requests * retention / DAYS_PER_MONTH * u.audit_item_kb * 2 / KB_PER_GB if audit else 0.0
    sizes = {x.physical_name: audit_gb / len(audit) for x in audit}
    sizes.update({x.physical_name: u.dynamo_other_gb / len(others) for x in others})
    stored = sum(sizes.values())
    yield line(
        ctx,
        component,
        TABLE,
        "DynamoDB storage",
        "table",
        len(tables),
        "dynamodb.storage.gbMonth",
        stored,
        f"audit events {num(t.api_requests)}/month x {num(retention)} days kept x {num(u.audit_item_kb)} KB x 2 "
        f"(user index) = {num(audit_gb)} GB + {num(u.dynamo_other_gb)} GB in the other tables x "
        f"{p(ctx, 'dynamodb.storage.gbMonth')}/GB-month",
    )
    pitr = [x for x in tables if x.get("pointInTimeRecovery.enabled")]
    if pitr:
        gb = sum(sizes[x.physical_name] for x in pitr)
        yield line(
            ctx,
            component,
            TABLE,
            "DynamoDB point-in-time recovery",
            "table",
            len(pitr),
            "dynamodb.pitr.gbMonth",
            gb,
            f"{len(pitr)} {plural(len(pitr), 'table')} with PITR holding {num(gb)} GB x "
            f"{p(ctx, 'dynamodb.pitr.gbMonth')}/GB-month",
        )


def athena(ctx: Context) -> Iterable[Line]:
    groups = ctx.of_type("aws:athena/workgroup:Workgroup")
    if not groups:
        return
    u = ctx.usage
    t = ctx.traffic
    billed_mb = t.analytics_calls * u.billed_mb_per_analytics_call()
    tb = billed_mb / MB_PER_TB
    yield line(
        ctx,
        groups[0].component,
        "aws:athena/workgroup:Workgroup",
        "Athena data scanned",
        "workgroup",
        len(groups),
        "athena.scan.tb",
        tb,
        f"{num(t.analytics_calls)} analytics calls x {u.billed_mb_per_analytics_call():.2f} MB billed per call "
        f"({t.athena_queries / t.analytics_calls if t.analytics_calls else 0:.3f} queries, each at least 10 MB) "
        f"= {tb:.4f} TB x {p(ctx, 'athena.scan.tb')}/TB",
    )
    catalog = ctx.of_type("aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable")
    if catalog:
        yield line(
            ctx,
            catalog[0].component,
            "aws:glue/catalogTable:CatalogTable",
            "Glue Data Catalog",
            "catalog object",
            len(catalog),
            None,
            len(catalog),
            f"{len(catalog)} databases and tables: the first million objects and requests a month are free",
        )


BUCKET = "aws:s3/bucket:Bucket"


def s3(ctx: Context) -> Iterable[Line]:
    buckets = ctx.of_type(BUCKET)
    if not buckets:
        return
    u = ctx.usage
    lake = [b for b in buckets if any(part in _bucket(b) for part in ("-raw-", "-curated-"))]
    artifacts = [b for b in buckets if "-artifacts-" in _bucket(b)]
    others = [b for b in buckets if b not in lake and b not in artifacts]
    artifact_gb = u.pipeline_runs_per_month * u.artifact_mb_per_run / 1024 if artifacts else 0.0
    gb_of: dict[str, float] = {}
    for group, total in ((lake, u.lake_stored_gb), (artifacts, artifact_gb), (others, u.other_stored_gb)):
        for b in group:
            gb_of[_bucket(b)] = total / len(group)
    for component, group in by_component(buckets).items():
        gb = sum(gb_of[_bucket(b)] for b in group)
        parts = []
        if any(b in lake for b in group):
            parts.append(f"lake {num(u.lake_stored_gb)} GB (usage lakeStoredGb)")
        if any(b in artifacts for b in group):
            parts.append(
                f"artifacts {num(u.pipeline_runs_per_month)} runs x {num(u.artifact_mb_per_run)} MB kept a month"
            )
        if any(b in others for b in group):
            parts.append(
                f"{len([b for b in group if b in others])} of {len(others)} other buckets' {num(u.other_stored_gb)} GB"
            )
        yield line(
            ctx,
            component,
            BUCKET,
            "S3 storage",
            "bucket",
            len(group),
            "s3.standard.gbMonth",
            gb,
            f"{'; '.join(parts)} = {num(gb)} GB x {p(ctx, 's3.standard.gbMonth')}/GB-month (all Standard)",
        )
    t = ctx.traffic
    gets = t.athena_queries * u.s3_gets_per_query
    puts = u.lake_object_writes_per_month
    component = (lake or buckets)[0].component
    yield line(
        ctx,
        component,
        BUCKET,
        "S3 GET requests",
        "bucket",
        len(lake or buckets),
        "s3.tier2Request",
        gets,
        f"{num(t.athena_queries)} Athena queries x {num(u.s3_gets_per_query)} objects read x "
        f"{ctx.prices['s3.tier2Request'].display()}",
    )
    yield line(
        ctx,
        component,
        BUCKET,
        "S3 PUT requests",
        "bucket",
        len(lake or buckets),
        "s3.tier1Request",
        puts,
        f"{num(puts)} objects written to the lake (usage lakeObjectWritesPerMonth) x "
        f"{ctx.prices['s3.tier1Request'].display()}",
    )


def _bucket(b: Item) -> str:
    return str(b.get("bucket") or b.physical_name)


# ---- site ------------------------------------------------------------------------------------------------
def _site_requests(ctx: Context) -> float:
    return ctx.usage.sessions * ctx.usage.site_requests_per_session


def site(ctx: Context) -> Iterable[Line]:
    u = ctx.usage
    gb = u.sessions * u.site_kb_per_session / KB_PER_GB
    requests = _site_requests(ctx)
    who = f"{num(u.monthly_active_users)} users x {num(u.sessions_per_user)} sessions"
    for cdn in ctx.of_type("aws:cloudfront/distribution:Distribution"):
        yield line(
            ctx,
            cdn.component,
            "aws:cloudfront/distribution:Distribution",
            "CloudFront data transfer out",
            "distribution",
            1,
            "cloudfront.dataTransferOut.gb",
            gb,
            f"{who} x {num(u.site_kb_per_session)} KB = {num(gb)} GB x {p(ctx, 'cloudfront.dataTransferOut.gb')}/GB "
            f"({cdn.get('priceClass', 'PriceClass_All')})",
        )
        yield line(
            ctx,
            cdn.component,
            "aws:cloudfront/distribution:Distribution",
            "CloudFront HTTPS requests",
            "distribution",
            1,
            "cloudfront.httpsRequest",
            requests,
            f"{who} x {num(u.site_requests_per_session)} files x {ctx.prices['cloudfront.httpsRequest'].display()}",
        )
    for website in ctx.of_type("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"):
        yield line(
            ctx,
            website.component,
            "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
            "S3 website data transfer out",
            "website",
            1,
            "dataTransfer.internetOut.gb",
            gb,
            f"{who} x {num(u.site_kb_per_session)} KB = {num(gb)} GB x {p(ctx, 'dataTransfer.internetOut.gb')}/GB",
        )
        yield line(
            ctx,
            website.component,
            "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
            "S3 website GET requests",
            "website",
            1,
            "s3.tier2Request",
            requests,
            f"{who} x {num(u.site_requests_per_session)} files x {ctx.prices['s3.tier2Request'].display()}",
        )


# ---- pipeline ----------------------------------------------------------------------------------------------
PROJECT = "aws:codebuild/project:Project"
COMPUTE_TYPES = {
    "BUILD_GENERAL1_SMALL": "codebuild.general1.small.minute",
    "BUILD_GENERAL1_MEDIUM": "codebuild.general1.medium.minute",
    "BUILD_GENERAL1_LARGE": "codebuild.general1.large.minute",
}


def _build_minutes(ctx: Context, project: Item) -> float:
    minutes = ctx.usage.minutes_of_build(project.physical_name)
    if minutes is None:
        ctx.notes.append(f"build {project.physical_name}: no usage.buildMinutes entry, 5 minutes assumed")
        return 5.0
    return minutes


def codebuild(ctx: Context) -> Iterable[Line]:
    runs = ctx.usage.pipeline_runs_per_month
    by_type: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for project in ctx.of_type(PROJECT):
        compute = str(project.get("environment.computeType", "BUILD_GENERAL1_SMALL"))
        if (
            project.get("environment.type", "LINUX_CONTAINER") != "LINUX_CONTAINER"
            or compute not in COMPUTE_TYPES
        ):
            ctx.notes.append(
                f"build {project.physical_name}: {compute} on {project.get('environment.type')} not priced"
            )
            continue
        by_type[(project.component, compute)].append(project)
    for (component, compute), projects in by_type.items():
        key = COMPUTE_TYPES[compute]
        minutes = {p_.physical_name: _build_minutes(ctx, p_) for p_ in projects}
        total = runs * sum(math.ceil(m) for m in minutes.values())
        n = len(projects)
        each = " + ".join(f"{num(math.ceil(m))}" for m in minutes.values())
        yield line(
            ctx,
            component,
            PROJECT,
            f"CodeBuild minutes ({compute.removeprefix('BUILD_').lower().replace('_', '.')})",
            "build project",
            n,
            key,
            total,
            f"{num(runs)} runs x ({each}) min of {n} {plural(n, 'build')} (usage buildMinutes) x {p(ctx, key)}/min",
        )


def codepipeline(ctx: Context) -> Iterable[Line]:
    projects = {p_.physical_name: p_ for p_ in ctx.of_type(PROJECT)}
    runs = ctx.usage.pipeline_runs_per_month
    for pipe in ctx.of_type("aws:codepipeline/pipeline:Pipeline"):
        if str(pipe.get("pipelineType", "V1")) != "V2":
            yield line(
                ctx,
                pipe.component,
                "aws:codepipeline/pipeline:Pipeline",
                "CodePipeline V1 pipelines",
                "pipeline",
                1,
                "codepipeline.v1.activePipeline.month",
                1,
                f"1 active V1 pipeline x {p(ctx, 'codepipeline.v1.activePipeline.month')}/month",
            )
            continue
        per_run = 0
        actions = 0
        for stage in pipe.get("stages", []) or []:
            for action in stage.get("actions", []) or []:
                actions += 1
                project = (action.get("configuration") or {}).get("ProjectName")
                if action.get("provider") == "CodeBuild" and project in projects:
                    per_run += math.ceil(_build_minutes(ctx, projects[project]))
                elif action.get("category") == "Approval" or action.get("owner") == "Custom":
                    continue  # not charged
                else:
                    per_run += 1  # source and other quick actions: rounded up to a minute
        minutes = runs * per_run
        yield line(
            ctx,
            pipe.component,
            "aws:codepipeline/pipeline:Pipeline",
            "CodePipeline V2 action minutes",
            "pipeline",
            1,
            "codepipeline.v2.actionMinute",
            minutes,
            f"{num(runs)} runs x {per_run} action minutes ({actions} actions, each rounded up to a minute) x "
            f"{p(ctx, 'codepipeline.v2.actionMinute')}/min",
        )


# ---- messaging -------------------------------------------------------------------------------------------
def sqs(ctx: Context) -> Iterable[Line]:
    queues = ctx.of_type("aws:sqs/queue:Queue")
    if not queues:
        return
    polled = [
        m
        for m in ctx.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
        if ":sqs:" in str(m.get("eventSourceArn", ""))
    ]
    polls = len(polled) * SQS_IDLE_POLLERS * (60 / SQS_LONG_POLL_SECONDS) * 60 * HOURS_PER_MONTH
    n = len(queues)
    # The requests are the pollers': the line goes to the component of a polled queue. Chosen
    # by name, not by position: the preview's resource order is not stable between runs.
    polled_names = {str(m.get("eventSourceArn", "")).rsplit(":", 1)[-1] for m in polled}
    owners = sorted({q.component for q in queues if q.physical_name in polled_names})
    component = owners[0] if owners else sorted(q.component for q in queues)[0]
    yield line(
        ctx,
        component,
        "aws:sqs/queue:Queue",
        "SQS requests",
        "queue",
        n,
        "sqs.request",
        polls,
        f"{len(polled)} Lambda event source {plural(len(polled), 'mapping')} long-polling with "
        f"{SQS_IDLE_POLLERS} connections x {int(60 / SQS_LONG_POLL_SECONDS)} receives a minute x "
        f"{num(60 * HOURS_PER_MONTH)} min = {num(polls)} requests x {ctx.prices['sqs.request'].display()}",
    )


def eventbridge(ctx: Context) -> Iterable[Line]:
    rules = ctx.of_type("aws:cloudwatch/eventRule:EventRule")
    aws_sourced = [r for r in rules if _aws_source(r)]
    for r in rules:
        if r not in aws_sourced:
            ctx.notes.append(f"event rule {r.physical_name}: custom events are not estimated")
    for component, group in by_component(aws_sourced).items():
        n = len(group)
        yield line(
            ctx,
            component,
            "aws:cloudwatch/eventRule:EventRule",
            "EventBridge rules",
            "rule",
            n,
            None,
            n,
            f"{n} {plural(n, 'rule')} on AWS service events (default bus): delivered free",
        )


def _aws_source(rule: Item) -> bool:
    try:
        pattern = json.loads(rule.get("eventPattern") or "{}")
    except ValueError:
        return False
    sources = pattern.get("source") or []
    return bool(sources) and all(str(s).startswith("aws.") for s in sources)


# ---- audit -------------------------------------------------------------------------------------------------
def cloudtrail(ctx: Context) -> Iterable[Line]:
    u = ctx.usage
    management_seen = False
    for trail in ctx.of_type("aws:cloudtrail/trail:Trail"):
        selectors = trail.get("eventSelectors", []) or []
        records_management = not selectors or any(s.get("includeManagementEvents", True) for s in selectors)
        if records_management and not management_seen:
            management_seen = True
            yield line(
                ctx,
                trail.component,
                "aws:cloudtrail/trail:Trail",
                "CloudTrail management events",
                "trail",
                1,
                None,
                1,
                f"{trail.physical_name}: the account's first copy of management events is free"
                + (" (all regions)" if trail.get("isMultiRegionTrail") else ""),
            )
        elif records_management:
            q = u.management_events_per_month
            yield line(
                ctx,
                trail.component,
                "aws:cloudtrail/trail:Trail",
                "CloudTrail extra management copies",
                "trail",
                1,
                "cloudtrail.extraManagementEvent",
                q,
                f"{trail.physical_name} copies management events again: {num(q)} events x "
                f"{ctx.prices['cloudtrail.extraManagementEvent'].display()}",
            )
        writes = sum(
            1
            for s in selectors
            for r in s.get("dataResources", []) or []
            if r.get("type") == "AWS::S3::Object" and s.get("readWriteType", "All") in ("All", "WriteOnly")
        )
        reads = sum(
            1
            for s in selectors
            for r in s.get("dataResources", []) or []
            if r.get("type") == "AWS::S3::Object" and s.get("readWriteType", "All") in ("All", "ReadOnly")
        )
        if writes or reads:
            events = (u.lake_object_writes_per_month if writes else 0) + (
                ctx.traffic.athena_queries * u.s3_gets_per_query if reads else 0
            )
            yield line(
                ctx,
                trail.component,
                "aws:cloudtrail/trail:Trail",
                "CloudTrail data events",
                "trail",
                1,
                "cloudtrail.dataEvent",
                events,
                f"{trail.physical_name}: S3 object {'writes' if writes and not reads else 'reads and writes' if writes else 'reads'}"
                f" in the lake, {num(events)} events x {ctx.prices['cloudtrail.dataEvent'].display()}",
            )


RULES: tuple[Callable[[Context], Iterable[Line]], ...] = (
    nat_gateways,
    vpc_endpoints,
    kms_keys,
    secrets,
    dynamodb,
    athena,
    s3,
    lambdas,
    sqs,
    api_gateway,
    waf,
    xray,
    site,
    codebuild,
    codepipeline,
    alarms,
    dashboards,
    eventbridge,
    log_groups,
    cloudtrail,
)

PRICED_TYPES = frozenset(
    {
        VPC,
        NAT,
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
        TABLE,
        "aws:athena/workgroup:Workgroup",
        BUCKET,
        "aws:lambda/function:Function",
        "aws:sqs/queue:Queue",
        "aws:apigateway/restApi:RestApi",
        WEB_ACL,
        "aws:cloudfront/distribution:Distribution",
        PROJECT,
        "aws:codepipeline/pipeline:Pipeline",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/eventRule:EventRule",
        LOG_GROUP,
        "aws:cloudtrail/trail:Trail",
    }
)


def run_rules(ctx: Context) -> tuple[list[Line], list[str]]:
    """Every line of the estimate, and the resource types nothing prices (with their counts)."""
    lines = [ln for rule in RULES for ln in rule(ctx)]
    unpriced: dict[str, int] = defaultdict(int)
    for item in ctx.items:
        package = item.type.split(":", 1)[0]
        if item.type in PRICED_TYPES or item.type in FREE_TYPES or package not in ("aws", "awsx"):
            continue
        unpriced[item.type] += 1
    return lines, [f"{n} {t}" for t, n in sorted(unpriced.items())]
