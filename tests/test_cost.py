"""The cost estimate (cost/): each pricing rule on a hand-made resource list, with the figure
worked out by hand from the price file of 2026-12-01; the usage profile and its validation;
and the estimate of both stacks of the program (the session's `dev` / `prod` runs)."""

from __future__ import annotations

import io
import json
import math

import pytest

from components.settings import PROJECT, Settings, SettingsError, stack_file_values
from cost import estimate as est
from cost import pricebook, usage
from cost.rules import Context, Item, run_rules

PRICES = pricebook.load("us-east-2", pricebook.PRICES_DIR / "us-east-2-2026-12-01.json")


def priced(items: list[Item], **profile) -> tuple[dict[str, float], Context]:
    """label -> monthly USD for `items` under a usage profile (camelCase keys)."""
    ctx = Context(items=items, usage=usage.parse_usage(profile), prices=PRICES, settings={})
    lines, _ = run_rules(ctx)
    out: dict[str, float] = {}
    for ln in lines:
        out[ln.label] = out.get(ln.label, 0.0) + ln.monthly
    return out, ctx


def vpc(strategy: str, azs: int) -> Item:
    return Item(
        "awsx:ec2:Vpc",
        "vpc",
        {"natGateways": {"strategy": strategy}, "numberOfAvailabilityZones": azs},
        "network",
    )


API = Item("aws:apigateway/restApi:RestApi", "api", {"name": "api"}, "api")


def function(
    name: str, memory: int, *, handler: str = "svc.handler.lambda_handler", arch: str = "arm64"
) -> Item:
    return Item(
        "aws:lambda/function:Function",
        name,
        {"name": name, "memorySize": memory, "handler": handler, "architectures": [arch]},
        "services",
    )


# ---- network --------------------------------------------------------------------------------------
def test_nat_gateways_one_per_az_hours_addresses_and_data():
    got, _ = priced([vpc("OnePerAz", 3)], natGbPerMonth=20)
    assert got["NAT gateway hours"] == pytest.approx(98.55)  # 3 x 730 h x $0.045
    assert got["public IPv4 address hours"] == pytest.approx(10.95)  # 3 x 730 h x $0.005
    assert got["NAT data processed"] == pytest.approx(0.90)  # 20 GB x $0.045


def test_single_nat_and_none():
    assert priced([vpc("Single", 3)])[0]["NAT gateway hours"] == pytest.approx(32.85)  # 730 x 0.045
    assert "NAT gateway hours" not in priced([vpc("None", 3)])[0]


def test_nat_gateways_the_engine_registers_are_counted_instead_of_the_vpc_inputs():
    nats = [Item("aws:ec2/natGateway:NatGateway", f"nat{i}", {}, "network") for i in range(2)]
    got, _ = priced([vpc("OnePerAz", 3), *nats])
    assert got["NAT gateway hours"] == pytest.approx(65.70)  # 2 x 730 x 0.045, not 3


def test_interface_endpoints_per_az_and_free_gateway_endpoints():
    interface = [
        Item(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            f"ep{i}",
            {"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]},
            "network",
        )
        for i in range(2)
    ]
    gateway = Item(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "s3",
        {"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.us-east-2.s3"},
        "network",
    )
    got, _ = priced([*interface, gateway])
    assert got["interface endpoint hours"] == pytest.approx(43.80)  # 6 endpoint-AZs x 730 h x $0.01
    assert got["gateway endpoints"] == 0.0


# ---- encryption, secrets, monitoring ------------------------------------------------------------------
def test_kms_keys_and_requests():
    keys = [Item("aws:kms/key:Key", f"k{i}", {"enableKeyRotation": True}, "encryption") for i in range(2)]
    got, _ = priced(keys, kmsRequestsPerMonth=100_000)
    assert got["KMS keys"] == pytest.approx(2.00)
    assert got["KMS requests"] == pytest.approx(0.30)  # 100,000 x $0.03 / 10,000


def test_secrets_alarms_and_dashboards():
    items = [Item("aws:secretsmanager/secret:Secret", f"s{i}", {}, "services") for i in range(3)]
    items += [
        Item("aws:cloudwatch/metricAlarm:MetricAlarm", f"a{i}", {"period": 300}, "audit") for i in range(9)
    ]
    items += [Item("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", {"period": 10}, "audit")]
    items += [Item("aws:cloudwatch/dashboard:Dashboard", "d", {}, "audit")]
    got, _ = priced(items)
    assert got["secrets"] == pytest.approx(1.20)  # 3 x $0.40
    assert got["standard-resolution alarms"] == pytest.approx(0.90)  # 9 x $0.10
    assert got["high-resolution alarms"] == pytest.approx(0.30)
    assert got["dashboards"] == pytest.approx(3.00)


# ---- compute and API ---------------------------------------------------------------------------------
def test_lambda_requests_and_gb_seconds_by_memory_and_architecture():
    got, _ = priced(
        [API, function("svc", 1024)],
        apiRequestsPerMonth=1_000_000,
        analyticsShare=1,
        analyticsQueriesPerCall=0,
        functionMs=100,
    )
    # 1,000,000 invocations x 0.1 s x 1 GB = 100,000 GB-s x $0.0000133334
    assert got["Lambda compute (arm64)"] == pytest.approx(1.33334)
    assert got["Lambda requests (arm64)"] == pytest.approx(0.20)  # 1M x $0.20/M
    x86, _ = priced(
        [API, function("svc", 512, arch="x86_64")],
        apiRequestsPerMonth=1_000_000,
        analyticsShare=1,
        analyticsQueriesPerCall=0,
        functionMs=100,
    )
    assert x86["Lambda compute (x86_64)"] == pytest.approx(50_000 * 0.0000166667)  # 0.5 GB


def test_analytics_functions_wait_for_their_athena_queries():
    got, _ = priced(
        [API, function("svc", 1024), Item("aws:athena/workgroup:Workgroup", "wg", {}, "data")],
        apiRequestsPerMonth=100_000,
        analyticsShare=1,
        analyticsQueriesPerCall=2,
        athenaQuerySeconds=1.5,
        functionMs=100,
    )
    # 100,000 x (0.1 + 2 x 1.5) s x 1 GB = 310,000 GB-s
    assert got["Lambda compute (arm64)"] == pytest.approx(310_000 * 0.0000133334)


def test_the_authorizer_runs_once_per_session_and_cache_window():
    body = json.dumps(
        {
            "components": {
                "securitySchemes": {
                    "token": {"x-amazon-apigateway-authorizer": {"authorizerResultTtlInSeconds": 300}}
                }
            }
        }
    )
    api = Item("aws:apigateway/restApi:RestApi", "api", {"body": body}, "api")
    authorizer = function("authz", 1024, handler="auth_service.authorizer.lambda_handler")
    _, ctx = priced(
        [api, function("svc", 1024), authorizer],
        apiRequestsPerMonth=1_000_000,
        analyticsShare=0.5,
        monthlyActiveUsers=100,
        sessionsPerUser=10,
        sessionMinutes=12,
    )
    # 1,000 sessions x ceil(720 s / 300 s) = 3 windows = 3,000 runs (< 500,000 protected calls)
    assert ctx.traffic.authorizer_ttl == 300
    assert ctx.traffic.invocations["authz"] == 3_000
    assert ctx.traffic.invocations["svc"] == 500_000


def test_audit_deliveries_invoke_the_subscribed_function_in_batches():
    stage = Item(
        "aws:apigateway/stage:Stage",
        "stage",
        {"accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-2:1:log-group:/aws/apigateway/x"}},
        "api",
    )
    sub = Item(
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        "sub",
        {"logGroup": "/aws/apigateway/x", "destinationArn": "arn:aws:lambda:us-east-2:1:function:svc:live"},
        "audit",
    )
    _, ctx = priced(
        [API, stage, sub, function("svc", 512)],
        apiRequestsPerMonth=100_000,
        analyticsShare=1,
        auditEventsPerDelivery=10,
    )
    assert ctx.traffic.invocations["svc"] == 110_000  # 100,000 calls + 10,000 deliveries


def test_the_data_jobs_function_runs_once_per_upload_not_per_request():
    job = function("jobs", 2048, handler="data_jobs.handler.lambda_handler")
    got, ctx = priced(
        [API, function("svc", 512), job],
        apiRequestsPerMonth=100_000,
        analyticsShare=1,
        functionMs=100,
        analyticsQueriesPerCall=0,
        dataUploadsPerMonth=4,
        dataJobSeconds=60,
    )
    assert ctx.traffic.invocations == {"svc": 100_000, "jobs": 4}
    # 100,000 x 0.1 s x 0.5 GB + 4 x 60 s x 2 GB
    assert got["Lambda compute (arm64)"] == pytest.approx((5_000 + 480) * 0.0000133334)


def test_api_gateway_requests_data_transfer_waf_and_xray():
    acl = Item(
        "aws:wafv2/webAcl:WebAcl",
        "acl",
        {"scope": "REGIONAL", "rules": [{"name": "a"}, {"name": "b"}]},
        "api",
    )
    stage = Item("aws:apigateway/stage:Stage", "stage", {"xrayTracingEnabled": True}, "api")
    got, _ = priced([API, acl, stage], apiRequestsPerMonth=1_000_000, avgResponseKb=8)
    assert got["REST API requests"] == pytest.approx(3.50)  # 1M x $3.50/M
    assert got["API data transfer out"] == pytest.approx(8_000_000 / 1024 / 1024 * 0.09)  # 7.63 GB
    assert got["WAF web ACLs"] + got["WAF rules"] + got["WAF requests"] == pytest.approx(5 + 2 + 0.60)
    assert got["X-Ray traces"] == pytest.approx(5.00)  # under 1/s: every request traced, $5/M


def test_xray_samples_past_one_request_a_second():
    stage = Item("aws:apigateway/stage:Stage", "stage", {"xrayTracingEnabled": True}, "api")
    got, _ = priced([API, stage], apiRequestsPerMonth=5_000_000)
    # 2,628,000 seconds a month (1/s) + 5 % of the other 2,372,000 = 2,746,600 traces
    assert got["X-Ray traces"] == pytest.approx(2_746_600 * 0.000005)


# ---- data ---------------------------------------------------------------------------------------------
def test_dynamodb_on_demand_requests_storage_and_pitr():
    audit = Item(
        "aws:dynamodb/table:Table",
        "audit",
        {"name": "x-audit-prod", "billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": {"enabled": True}},
        "data",
    )
    users = Item(
        "aws:dynamodb/table:Table",
        "users",
        {"name": "x-users-prod", "billingMode": "PAY_PER_REQUEST"},
        "data",
    )
    items = [API, audit, users]
    ctx = Context(
        items=items,
        usage=usage.parse_usage(
            {
                "apiRequestsPerMonth": 1_000_000,
                "dynamoWritesPerRequest": 3,
                "dynamoReadsPerRequest": 1,
                "auditItemKb": 0.6,
                "dynamoOtherGb": 0.5,
            }
        ),
        prices=PRICES,
        settings={"auditRetentionDays": 365},
    )
    got = {ln.label: ln.monthly for ln in run_rules(ctx)[0]}
    assert got["DynamoDB writes (on-demand)"] == pytest.approx(1.875)  # 3M x $0.625/M
    assert got["DynamoDB reads (on-demand)"] == pytest.approx(0.125)
    # audit: 1M a month x 365 / (730/24) days x 0.6 KB x 2 = 14,400,000 KB = 13.733 GB
    audit_gb = 1_000_000 * 365 / (730 / 24) * 0.6 * 2 / 1024 / 1024
    assert audit_gb == pytest.approx(13.733, abs=1e-3)
    assert got["DynamoDB storage"] == pytest.approx((audit_gb + 0.5) * 0.25)
    assert got["DynamoDB point-in-time recovery"] == pytest.approx(audit_gb * 0.20)  # only the audit table


def test_athena_bills_at_least_10_mb_a_query():
    wg = Item("aws:athena/workgroup:Workgroup", "wg", {}, "data")
    small, _ = priced(
        [API, wg],
        apiRequestsPerMonth=1_000_000,
        analyticsShare=1,
        analyticsQueriesPerCall=1,
        athenaMbPerQuery=5,
    )
    # 1M queries x 10 MB (the minimum) = 10,000,000 MB = 9.537 TB x $5
    assert small["Athena data scanned"] == pytest.approx(10_000_000 / 1024 / 1024 * 5)
    large, _ = priced(
        [API, wg],
        apiRequestsPerMonth=1_000_000,
        analyticsShare=0.5,
        analyticsQueriesPerCall=2,
        athenaMbPerQuery=50,
    )
    # 500,000 calls x 2 queries x 50 MB = 50,000,000 MB = 47.68 TB x $5 = $238.42
    assert large["Athena data scanned"] == pytest.approx(238.42, abs=0.01)


def test_s3_storage_and_requests():
    buckets = [
        Item("aws:s3/bucket:Bucket", "raw", {"bucket": "p-raw-prod-1"}, "data"),
        Item("aws:s3/bucket:Bucket", "curated", {"bucket": "p-curated-prod-1"}, "data"),
        Item("aws:s3/bucket:Bucket", "artifacts", {"bucket": "p-artifacts-prod-1"}, "pipeline"),
        Item("aws:s3/bucket:Bucket", "site", {"bucket": "p-frontend-prod-1"}, "site"),
    ]
    got, _ = priced(
        buckets,
        lakeStoredGb=100,
        otherStoredGb=10,
        pipelineRunsPerMonth=30,
        artifactMbPerRun=1024,
        lakeObjectWritesPerMonth=10_000,
    )
    # lake 100 GB + artifacts 30 x 1 GB + other 10 GB = 140 GB x $0.023
    assert got["S3 storage"] == pytest.approx(140 * 0.023)
    assert got["S3 PUT requests"] == pytest.approx(10_000 * 0.000005)  # $0.005 per 1,000
    assert got["S3 GET requests"] == 0.0  # no Athena queries without a workgroup


# ---- site -------------------------------------------------------------------------------------------
def test_cloudfront_and_the_s3_website():
    cdn = Item("aws:cloudfront/distribution:Distribution", "cdn", {"priceClass": "PriceClass_100"}, "site")
    got, _ = priced(
        [cdn], monthlyActiveUsers=1_000, sessionsPerUser=10, siteKbPerSession=150, siteRequestsPerSession=12
    )
    # 10,000 sessions x 150 KB = 1.43 GB x $0.085; 120,000 requests x $0.01 / 10,000
    assert got["CloudFront data transfer out"] == pytest.approx(1_500_000 / 1024 / 1024 * 0.085)
    assert got["CloudFront HTTPS requests"] == pytest.approx(0.12)
    website = Item("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "web", {}, "site")
    got, _ = priced(
        [website],
        monthlyActiveUsers=1_000,
        sessionsPerUser=10,
        siteKbPerSession=150,
        siteRequestsPerSession=12,
    )
    assert got["S3 website data transfer out"] == pytest.approx(1_500_000 / 1024 / 1024 * 0.09)
    assert got["S3 website GET requests"] == pytest.approx(120_000 * 0.0000004)


# ---- pipeline -------------------------------------------------------------------------------------------
def test_codebuild_minutes_by_compute_type_and_codepipeline_v2_action_minutes():
    infra = Item(
        "aws:codebuild/project:Project",
        "infra",
        {
            "name": "p-infrastructure-prod",
            "environment": {"computeType": "BUILD_GENERAL1_MEDIUM", "type": "LINUX_CONTAINER"},
        },
        "pipeline",
    )
    site = Item(
        "aws:codebuild/project:Project",
        "fe",
        {
            "name": "p-frontend-prod",
            "environment": {"computeType": "BUILD_GENERAL1_SMALL", "type": "LINUX_CONTAINER"},
        },
        "pipeline",
    )
    stages = [
        {
            "name": "Source",
            "actions": [{"category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection"}],
        },
        {
            "name": "Infra",
            "actions": [
                {
                    "category": "Build",
                    "owner": "AWS",
                    "provider": "CodeBuild",
                    "configuration": {"ProjectName": "p-infrastructure-prod"},
                }
            ],
        },
        {
            "name": "Site",
            "actions": [
                {
                    "category": "Build",
                    "owner": "AWS",
                    "provider": "CodeBuild",
                    "configuration": {"ProjectName": "p-frontend-prod"},
                }
            ],
        },
        {"name": "Gate", "actions": [{"category": "Approval", "owner": "AWS", "provider": "Manual"}]},
    ]
    pipe = Item(
        "aws:codepipeline/pipeline:Pipeline", "pipe", {"pipelineType": "V2", "stages": stages}, "pipeline"
    )
    got, _ = priced(
        [infra, site, pipe], pipelineRunsPerMonth=30, buildMinutes={"infrastructure": 7.5, "frontend": 3}
    )
    assert got["CodeBuild minutes (general1.medium)"] == pytest.approx(30 * 8 * 0.01)  # 7.5 rounds up to 8
    assert got["CodeBuild minutes (general1.small)"] == pytest.approx(30 * 3 * 0.005)
    # per run: source 1 + 8 + 3 (approval free) = 12 action minutes x 30 runs x $0.002
    assert got["CodePipeline V2 action minutes"] == pytest.approx(0.72)


# ---- messaging and audit ----------------------------------------------------------------------------
def test_sqs_idle_polling_of_an_event_source_mapping():
    queue = Item("aws:sqs/queue:Queue", "q", {}, "services")
    mapping = Item(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "m",
        {"eventSourceArn": "arn:aws:sqs:us-east-2:1:q"},
        "services",
    )
    got, _ = priced([queue, mapping])
    # 5 connections x 3 receives a minute x 60 x 730 = 657,000 requests x $0.40/M
    assert got["SQS requests"] == pytest.approx(0.2628)


def test_the_polling_line_belongs_to_the_polled_queue_whatever_the_resource_order():
    # The preview's resource order is not stable between runs (it moved this line between
    # components, and --against reported a change that was none).
    parked = Item("aws:sqs/queue:Queue", "failures", {"name": "jobs-failures"}, "data")
    polled = Item("aws:sqs/queue:Queue", "mail", {"name": "reset-mail"}, "services")
    mapping = Item(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "m",
        {"eventSourceArn": "arn:aws:sqs:us-east-2:1:reset-mail"},
        "services",
    )
    for items in ([parked, polled, mapping], [polled, parked, mapping]):
        ctx = Context(items=items, usage=usage.parse_usage({}), prices=PRICES, settings={})
        (sqs_line,) = [ln for ln in run_rules(ctx)[0] if ln.label == "SQS requests"]
        assert sqs_line.component == "services" and sqs_line.count == 2


def test_cloudtrail_first_management_copy_free_the_second_billed_and_data_events():
    account = Item("aws:cloudtrail/trail:Trail", "t1", {"name": "t1", "isMultiRegionTrail": True}, "audit")
    copy = Item("aws:cloudtrail/trail:Trail", "t2", {"name": "t2"}, "audit")
    data = Item(
        "aws:cloudtrail/trail:Trail",
        "t3",
        {
            "name": "t3",
            "eventSelectors": [
                {
                    "includeManagementEvents": False,
                    "readWriteType": "WriteOnly",
                    "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::b/"]}],
                }
            ],
        },
        "audit",
    )
    got, _ = priced(
        [account, copy, data], managementEventsPerMonth=100_000, lakeObjectWritesPerMonth=2_000_000
    )
    assert got["CloudTrail management events"] == 0.0
    assert got["CloudTrail extra management copies"] == pytest.approx(2.00)  # 100,000 x $2/100,000
    assert got["CloudTrail data events"] == pytest.approx(2.00)  # 2M writes x $0.10/100,000


def test_event_rules_on_aws_events_are_free_and_custom_ones_are_noted():
    aws_rule = Item(
        "aws:cloudwatch/eventRule:EventRule",
        "r",
        {"eventPattern": json.dumps({"source": ["aws.codebuild"]})},
        "audit",
    )
    custom = Item(
        "aws:cloudwatch/eventRule:EventRule",
        "c",
        {"name": "c", "eventPattern": json.dumps({"source": ["shop"]})},
        "audit",
    )
    got, ctx = priced([aws_rule, custom])
    assert got["EventBridge rules"] == 0.0
    assert any("custom events" in n for n in ctx.notes)


def test_log_ingestion_by_writer_and_storage_by_retention():
    fn = function("svc", 512)
    logs = Item(
        "aws:cloudwatch/logGroup:LogGroup",
        "logs",
        {"name": "/aws/lambda/svc", "retentionInDays": 30},
        "services",
    )
    flow = Item(
        "aws:cloudwatch/logGroup:LogGroup",
        "flow",
        {"name": "/aws/vpc/flow-logs/x", "retentionInDays": 90},
        "network",
    )
    got, _ = priced(
        [API, fn, logs, flow],
        apiRequestsPerMonth=1_000_000,
        analyticsShare=1,
        logKbPerInvocation=1.5,
        flowLogGbPerMonth=2,
    )
    gb = 1_000_000 * 1.5 / 1024 / 1024  # 1.43 GB of function logs
    assert got["log ingestion"] == pytest.approx(gb * 0.50)
    assert got["log ingestion (vended)"] == pytest.approx(2 * 0.50)
    held = gb * 30 / (730 / 24) + 2 * 90 / (730 / 24)  # a month's worth x retention
    assert got["log storage"] == pytest.approx(held * 0.03)


def test_a_type_no_rule_knows_is_reported_not_silently_free():
    ctx = Context(
        items=[Item("aws:rds/instance:Instance", "db", {}, "data")], usage=usage.UsageProfile(), prices=PRICES
    )
    _, unpriced = run_rules(ctx)
    assert unpriced == ["1 aws:rds/instance:Instance"]


# ---- prices and the usage profile ---------------------------------------------------------------------
def test_every_price_names_its_aws_pricing_page_and_the_newest_file_is_used(tmp_path):
    for price in PRICES.prices.values():
        assert price.url.startswith("https://aws.amazon.com/") and "pricing" in price.url, price.key
        assert price.usd >= 0 and price.unit
    for name in ("us-east-2-2026-01-01.json", "us-east-2-2026-06-01.json", "eu-west-1-2027-01-01.json"):
        doc = json.loads((pricebook.PRICES_DIR / "us-east-2-2026-12-01.json").read_text())
        doc["asOf"], doc["region"] = name[-15:-5], name[:9]
        (tmp_path / name).write_text(json.dumps(doc))
    book = pricebook.load("us-east-2", directory=tmp_path)
    assert book.as_of.isoformat() == "2026-06-01"
    with pytest.raises(pricebook.PriceError):
        pricebook.load("ap-south-1", directory=tmp_path)


def test_unit_prices_print_per_the_unit_aws_states():
    assert PRICES["apigateway.rest.request"].display() == "$3.50/1M requests"
    assert PRICES["lambda.arm64.gbSecond"].display() == "$0.0000133334/GB-second"
    assert PRICES["ec2.natGateway.hour"].display() == "$0.045/NAT gateway-hour"


def test_usage_profile_rejects_unknown_keys_and_values_out_of_range():
    with pytest.raises(usage.UsageError, match="unknown usage key"):
        usage.parse_usage({"apiRequestPerMonth": 1})
    with pytest.raises(usage.UsageError, match="outside"):
        usage.parse_usage({"analyticsShare": 1.5})
    with pytest.raises(usage.UsageError, match="number"):
        usage.parse_usage({"avgResponseKb": True})
    assert (
        usage.parse_usage('{"apiRequestsPerMonth": 5}').api_requests_per_month == 5
    )  # JSON, as the engine sends it
    assert usage.parse_usage(None) == usage.UsageProfile()


def test_settings_carry_the_usage_profile_and_the_budget():
    values = stack_file_values("prod")
    s = Settings.from_values(values, stack="prod", account_id="123456789012")
    assert s.usage == usage.parse_usage(values[f"{PROJECT}:usage"])
    assert s.monthly_budget_usd == float(values[f"{PROJECT}:monthlyBudgetUsd"])
    for bad in ({"usage": {"nope": 1}}, {"monthlyBudgetUsd": -5}, {"monthlyBudgetUsd": "lots"}):
        broken = dict(values) | {f"{PROJECT}:{k}": v for k, v in bad.items()}
        with pytest.raises(SettingsError):
            Settings.from_values(broken, stack="prod", account_id="123456789012")


def test_athena_bytes_per_call_come_from_the_benchmark_file(tmp_path):
    ops = [
        {"service": "a", "operation": "GET /x", "queries": 1.0, "mbScanned": 25.0},
        {"service": "a", "operation": "GET /y", "queries": 2.0, "mbScanned": 4.0},
        {"service": "a", "operation": "GET /z", "queries": 0.0, "mbScanned": 0.0},
    ]
    (tmp_path / "warehouse-scan-2026-12-01.json").write_text(
        json.dumps({"measured": "2026-12-01", "source": "bench", "operations": ops})
    )
    bench = usage.benchmark.__wrapped__(tmp_path)
    assert bench.queries_per_call == pytest.approx(1.0)  # 3 queries over 3 operations
    # billed: 25 MB, then 2 queries of 2 MB each billed 10 MB, then none = 45 MB over 3 calls
    assert bench.billed_mb_per_call == pytest.approx(15.0)
    recorded = usage.benchmark()
    assert recorded.path.startswith("cost/data/warehouse-scan-") and recorded.operations >= 50


# ---- both stacks ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def estimates(dev, prod):
    return {
        run.stack: est.estimate(
            est.items_from_run(run), stack=run.stack, config=stack_file_values(run.stack), prices=PRICES
        )
        for run in (dev, prod)
    }


def line_of(e: est.Estimate, label: str):
    found = [ln for ln in e.lines if ln.label == label]
    assert len(found) == 1, [ln.label for ln in e.lines]
    return found[0]


def test_prod_costs_more_for_the_reasons_the_table_shows(estimates):
    dev, prod = estimates["dev"], estimates["prod"]
    assert prod.total > dev.total
    assert not dev.not_priced and not prod.not_priced
    # NAT per AZ: 3 in prod, 1 in dev
    assert (line_of(dev, "NAT gateway hours").count, line_of(prod, "NAT gateway hours").count) == (1, 3)
    assert line_of(prod, "NAT gateway hours").monthly == pytest.approx(98.55)
    # the CDN: CloudFront in prod, the S3 website in dev
    assert any(ln.type == "aws:cloudfront/distribution:Distribution" for ln in prod.lines)
    assert not any(ln.type == "aws:cloudfront/distribution:Distribution" for ln in dev.lines)
    # larger functions: 1024 MB against 512 MB (the data-jobs function has 2048 MB in both)
    assert " 1024/2048 MB" in line_of(prod, "Lambda compute (arm64)").basis
    assert " 512/2048 MB" in line_of(dev, "Lambda compute (arm64)").basis
    for e in (dev, prod):
        assert e.total == pytest.approx(sum(ln.monthly for ln in e.lines))
        assert {ln.component for ln in e.lines} <= {
            "network",
            "encryption",
            "data",
            "services",
            "api",
            "site",
            "pipeline",
            "audit",
        }


def test_both_stacks_are_within_their_budget(estimates):
    for e in estimates.values():
        assert e.budget is not None and e.total <= e.budget


def test_cli_table_and_json(estimates, dev, monkeypatch):
    from cost import __main__ as cli

    monkeypatch.setattr(
        cli, "evaluate", lambda stack, stack_file=None: (est.items_from_run(dev), stack_file_values("dev"))
    )
    monkeypatch.setattr(cli.pricebook, "load", lambda region, path=None: PRICES)
    out = io.StringIO()
    assert cli.main(["dev", "--json"], out=out) == 0
    doc = json.loads(out.getvalue())
    assert doc["monthlyTotal"] == pytest.approx(round(estimates["dev"].total, 2))
    assert doc["pricesAsOf"] == "2026-12-01"
    assert {"component", "type", "count", "monthly", "basis"} <= set(doc["lines"][0])
    assert math.isclose(sum(ln["monthly"] for ln in doc["lines"]), doc["monthlyTotal"], abs_tol=0.05)
    out = io.StringIO()
    assert cli.main(["dev"], out=out) == 0
    text = out.getvalue()
    assert "1 NAT gateway \u00d7 730 h \u00d7 $0.045" in text
    assert "as of 2026-12-01 (" in text and "days old)" in text
    assert f"Stack dev (us-east-2): ${estimates['dev'].total:,.2f} a month" in text


def test_the_policy_pack_prices_the_stack_as_the_cli_does(prod, estimates, monkeypatch):
    from policy import rules as policy_rules
    from policy.local import evaluate

    total = round(estimates["prod"].total, 2)
    only = [p for p in policy_rules.POLICIES if p.name == "cost-budget"]
    for budget, violated in ((total - 0.01, True), (total + 0.01, False)):
        config = dict(stack_file_values("prod")) | {f"{PROJECT}:monthlyBudgetUsd": budget}
        monkeypatch.setattr(policy_rules, "stack_settings", lambda stack, config=config: config)
        found = evaluate(prod, {"all": "mandatory"}, only)
        assert bool(found) == violated
        if violated:
            assert (
                f"estimated ${total:,.2f}/month exceeds monthlyBudgetUsd ${budget:,.2f}" in found[0].message
            )
            assert found[0].level == "mandatory"


def test_unknown_values_of_a_preview_are_left_out_not_fatal():
    from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, unknown_checking_proxy

    class Resource:
        resource_type = "aws:lambda/function:Function"
        name = "fn"
        parent = None
        props = unknown_checking_proxy(
            {"name": "fn", "memorySize": UNKNOWN_NUMBER_VALUE, "architectures": ["arm64"]}
        )

    (item,) = est.items_from_policy([Resource()])
    assert item.inputs == {"name": "fn", "architectures": ["arm64"]}
