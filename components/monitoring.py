"""Monitoring: the seed's operations view of one stack, and a page when delivery fails.

- a CloudWatch dashboard: pipeline executions (state, stage results, duration), each build's
  duration and failures, the API's latency / 4xx / 5xx, each function's errors, duration and
  throttles, and the bytes Athena scanned;
- EventBridge rules that send a failed pipeline execution or a failed build (FAILED, FAULT,
  TIMED_OUT) to the alarm topic, with a readable message;
- the pipeline's execution and stage events kept in an encrypted log group, which the
  dashboard queries (CodePipeline publishes no CloudWatch metrics of its own).

The alarm topic's policy lets CloudWatch alarms (this account) and only these rules publish.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import policy_document
from components.settings import Settings

SYSTEM = "Audit"
BUILD_FAILURES = ["FAILED", "FAULT", "TIMED_OUT"]
PERIOD = 300


@dataclass
class MonitoringArgs:
    settings: Settings
    alarm_topic_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]  # the pipeline events log group
    pipeline_name: pulumi.Input[str]
    project_names: dict[str, pulumi.Input[str]]  # build short name -> CodeBuild project name
    api_name: pulumi.Input[str]
    stage_name: str
    function_names: dict[str, pulumi.Input[str]]  # catalog short name -> function name
    athena_workgroup_name: pulumi.Input[str]


def pipeline_failure_pattern(pipeline_name: str) -> dict[str, Any]:
    return {
        "source": ["aws.codepipeline"],
        "detail-type": ["CodePipeline Pipeline Execution State Change"],
        "detail": {"state": ["FAILED"], "pipeline": [pipeline_name]},
    }


def build_failure_pattern(project_names: list[str]) -> dict[str, Any]:
    return {
        "source": ["aws.codebuild"],
        "detail-type": ["CodeBuild Build State Change"],
        "detail": {"build-status": BUILD_FAILURES, "project-name": sorted(project_names)},
    }


def pipeline_events_pattern(pipeline_name: str) -> dict[str, Any]:
    return {
        "source": ["aws.codepipeline"],
        "detail-type": [
            "CodePipeline Pipeline Execution State Change",
            "CodePipeline Stage Execution State Change",
        ],
        "detail": {"pipeline": [pipeline_name]},
    }


def dashboard_body(
    *,
    region: str,
    pipeline_log_group: str,
    project_names: dict[str, str],
    api_name: str,
    stage_name: str,
    function_names: dict[str, str],
    athena_workgroup: str,
) -> dict[str, Any]:
    """The dashboard as CloudWatch's JSON (https://docs.aws.amazon.com/AmazonCloudWatch/latest/
    APIReference/CloudWatch-Dashboard-Body-Structure.html), from plain names."""

    def metrics_widget(title: str, metrics: list[list[Any]], stat: str, **extra: Any) -> dict[str, Any]:
        return {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "metrics": metrics,
                "stat": stat,
                "period": PERIOD,
                "view": "timeSeries",
                **extra,
            },
        }

    def log_widget(title: str, query: str) -> dict[str, Any]:
        return {
            "type": "log",
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "query": f"SOURCE '{pipeline_log_group}' | {query}",
                "view": "table",
            },
        }

    projects = sorted(project_names.values())
    functions = [function_names[k] for k in sorted(function_names)]
    api = ["ApiName", api_name, "Stage", stage_name]
    widgets = [
        log_widget(
            "Pipeline executions: result and minutes",
            "filter `detail-type` = 'CodePipeline Pipeline Execution State Change' "
            "| stats latest(detail.state) as state, "
            "(max(@timestamp) - min(@timestamp)) / 60000 as minutes by detail.`execution-id` "
            "| sort minutes desc | limit 20",
        ),
        log_widget(
            "Pipeline stages: successes and failures",
            "filter `detail-type` = 'CodePipeline Stage Execution State Change' "
            "and detail.state in ['SUCCEEDED', 'FAILED'] "
            "| stats count(*) as executions by detail.stage, detail.state",
        ),
        metrics_widget(
            "Build duration per stage (s)",
            [["AWS/CodeBuild", "Duration", "ProjectName", p] for p in projects],
            "Average",
        ),
        metrics_widget(
            "Builds failed / succeeded",
            [["AWS/CodeBuild", "FailedBuilds", "ProjectName", p] for p in projects]
            + [["AWS/CodeBuild", "SucceededBuilds", "ProjectName", p] for p in projects],
            "Sum",
        ),
        metrics_widget(
            "API latency (ms)",
            [
                ["AWS/ApiGateway", "Latency", *api, {"stat": "p50"}],
                ["AWS/ApiGateway", "Latency", *api, {"stat": "p95"}],
                ["AWS/ApiGateway", "IntegrationLatency", *api, {"stat": "p95"}],
            ],
            "p95",
        ),
        metrics_widget(
            "API requests, 4xx, 5xx",
            [
                ["AWS/ApiGateway", "Count", *api],
                ["AWS/ApiGateway", "4XXError", *api],
                ["AWS/ApiGateway", "5XXError", *api],
            ],
            "Sum",
        ),
        metrics_widget(
            "Function errors", [["AWS/Lambda", "Errors", "FunctionName", f] for f in functions], "Sum"
        ),
        metrics_widget(
            "Function duration p95 (ms)",
            [["AWS/Lambda", "Duration", "FunctionName", f] for f in functions],
            "p95",
        ),
        metrics_widget(
            "Function throttles", [["AWS/Lambda", "Throttles", "FunctionName", f] for f in functions], "Sum"
        ),
        metrics_widget(
            "Athena bytes scanned",
            [["AWS/Athena", "ProcessedBytes", "WorkGroup", athena_workgroup]],
            "Sum",
        ),
    ]
    # Two columns, in order.
    for i, widget in enumerate(widgets):
        widget["x"], widget["y"] = (i % 2) * 12, (i // 2) * 6
    return {"widgets": widgets}


class Monitoring(pulumi.ComponentResource):
    dashboard_name: pulumi.Output[str]
    pipeline_events_log_group: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:monitoring:Monitoring", name, None, opts)
        s = args.settings
        tags = s.tags(SYSTEM)
        child = pulumi.ResourceOptions(parent=self)
        topic_arn = pulumi.Output.from_input(args.alarm_topic_arn)
        pipeline_name = pulumi.Output.from_input(args.pipeline_name)
        project_names = pulumi.Output.all(**args.project_names)

        # ---- failure notifications --------------------------------------------------------------
        pipeline_failed = aws.cloudwatch.EventRule(
            f"{name}-pipeline-failed",
            name=s.name("pipeline-failed"),
            description="A pipeline execution failed: page the alarm topic",
            event_pattern=pipeline_name.apply(lambda n: json.dumps(pipeline_failure_pattern(n))),
            tags=tags,
            opts=child,
        )
        build_failed = aws.cloudwatch.EventRule(
            f"{name}-build-failed",
            name=s.name("build-failed"),
            description="A pipeline build failed, faulted or timed out: page the alarm topic",
            event_pattern=project_names.apply(lambda p: json.dumps(build_failure_pattern(list(p.values())))),
            tags=tags,
            opts=child,
        )

        # The topic's policy: this account (its owner and CloudWatch alarms) and only these two
        # rules may publish. EventBridge also needs the topic's KMS key (the data key's policy).
        topic_policy = aws.sns.TopicPolicy(
            f"{name}-alarm-topic-policy",
            arn=topic_arn,
            policy=pulumi.Output.all(topic_arn, pipeline_failed.arn, build_failed.arn).apply(
                lambda a: policy_document(
                    [
                        {
                            "Sid": "AccountOwner",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{s.account_id}:root"},
                            "Action": [
                                "sns:Publish",
                                "sns:Subscribe",
                                "sns:GetTopicAttributes",
                                "sns:SetTopicAttributes",
                                "sns:ListSubscriptionsByTopic",
                            ],
                            "Resource": a[0],
                        },
                        {
                            "Sid": "CloudWatchAlarms",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": a[0],
                            "Condition": {"StringEquals": {"aws:SourceAccount": s.account_id}},
                        },
                        {
                            "Sid": "DeliveryFailureRules",
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": a[0],
                            "Condition": {"ArnEquals": {"aws:SourceArn": [a[1], a[2]]}},
                        },
                    ]
                )
            ),
            opts=child,
        )
        after_policy = pulumi.ResourceOptions(parent=self, depends_on=[topic_policy])
        aws.cloudwatch.EventTarget(
            f"{name}-pipeline-failed-to-topic",
            rule=pipeline_failed.name,
            arn=topic_arn,
            input_transformer={
                "input_paths": {
                    "pipeline": "$.detail.pipeline",
                    "execution": "$.detail.execution-id",
                    "time": "$.time",
                },
                "input_template": '"Pipeline <pipeline> execution <execution> FAILED at <time>. '
                'Runbook: README, Recovery, pipeline failure."',
            },
            opts=after_policy,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-build-failed-to-topic",
            rule=build_failed.name,
            arn=topic_arn,
            input_transformer={
                "input_paths": {
                    "project": "$.detail.project-name",
                    "status": "$.detail.build-status",
                    "build": "$.detail.build-id",
                },
                "input_template": '"Build <project> ended <status> (<build>). '
                'Runbook: README, Recovery, pipeline failure."',
            },
            opts=after_policy,
        )

        # ---- pipeline events, for the dashboard ----------------------------------------------------
        # EventBridge writes to a log group only under the /aws/events/ prefix, through a
        # CloudWatch Logs resource policy.
        events_group = aws.cloudwatch.LogGroup(
            f"{name}-pipeline-events",
            name=f"/aws/events/{s.name('pipeline')}",
            retention_in_days=max(s.log_retention_days, 90),
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        events_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-pipeline-events-policy",
            policy_name=s.name("pipeline-events"),
            policy_document=events_group.arn.apply(
                lambda arn: policy_document(
                    [
                        {
                            "Sid": "EventBridgeToPipelineEvents",
                            "Effect": "Allow",
                            "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"{arn}:*",
                        }
                    ]
                )
            ),
            opts=child,
        )
        pipeline_events = aws.cloudwatch.EventRule(
            f"{name}-pipeline-events",
            name=s.name("pipeline-events"),
            description="Every pipeline execution and stage state change, kept for the dashboard",
            event_pattern=pipeline_name.apply(lambda n: json.dumps(pipeline_events_pattern(n))),
            tags=tags,
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-pipeline-events-to-logs",
            rule=pipeline_events.name,
            arn=events_group.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[events_policy]),
        )

        # ---- dashboard ---------------------------------------------------------------------------
        names = pulumi.Output.all(
            group=events_group.name,
            projects=project_names,
            api=args.api_name,
            functions=pulumi.Output.all(**args.function_names),
            workgroup=args.athena_workgroup_name,
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=s.name("operations"),
            dashboard_body=names.apply(
                lambda n: json.dumps(
                    dashboard_body(
                        region=s.region,
                        pipeline_log_group=n["group"],
                        project_names=n["projects"],
                        api_name=n["api"],
                        stage_name=args.stage_name,
                        function_names=n["functions"],
                        athena_workgroup=n["workgroup"],
                    )
                )
            ),
            opts=child,
        )

        self.dashboard_name = dashboard.dashboard_name
        self.pipeline_events_log_group = events_group.name
        self.register_outputs(
            {
                "dashboard_name": self.dashboard_name,
                "pipeline_events_log_group": self.pipeline_events_log_group,
            }
        )
