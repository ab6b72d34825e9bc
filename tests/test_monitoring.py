"""Monitoring under mocks, built alone with stand-ins: the dashboard per stack, the failure
notifications to the alarm topic, and the pipeline events the dashboard queries."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import catalog
from components.monitoring import Monitoring, MonitoringArgs
from preview.harness import ACCOUNT_ID, run, taggable

TOPIC_ARN = f"arn:aws:sns:us-east-2:{ACCOUNT_ID}:alarms"
KEY_ARN = f"arn:aws:kms:us-east-2:{ACCOUNT_ID}:key/data-key"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
BUILDS = ("infrastructure", "auth-lambda", "python-lambdas", "frontend")


def build(settings):
    def program():
        Monitoring(
            "monitoring",
            MonitoringArgs(
                settings=settings,
                alarm_topic_arn=TOPIC_ARN,
                kms_key_arn=KEY_ARN,
                pipeline_name=pulumi.Output.from_input(settings.name("pipeline")),
                project_names={b: pulumi.Output.from_input(settings.name(b)) for b in BUILDS},
                api_name=settings.name("api"),
                stage_name=settings.stack,
                function_names={f.name: settings.function_name(f.name) for f in catalog.FUNCTIONS},
                athena_workgroup_name=pulumi.Output.from_input(settings.name("analytics")),
            ),
        )

    return run(program, stack=settings.stack)


@pytest.fixture(params=["dev", "prod"])
def mon(request, settings_for):
    settings = settings_for(request.param)
    return settings, build(settings)


def rule(result, part):
    return result.one(RULE, part)


def target_of(result, rule_resource):
    [target] = [t for t in result.of_type(TARGET) if t.inputs["rule"] == rule_resource.inputs["name"]]
    return target


def test_a_failed_pipeline_execution_pages_the_alarm_topic(mon):
    settings, result = mon
    failed = rule(result, "pipeline-failed")
    pattern = json.loads(failed.inputs["eventPattern"])
    assert pattern["source"] == ["aws.codepipeline"]
    assert pattern["detail-type"] == ["CodePipeline Pipeline Execution State Change"]
    assert pattern["detail"] == {"state": ["FAILED"], "pipeline": [settings.name("pipeline")]}
    target = target_of(result, failed)
    assert target.inputs["arn"] == TOPIC_ARN
    assert "<execution>" in target.inputs["inputTransformer"]["inputTemplate"]


def test_a_failed_build_of_any_stage_pages_the_alarm_topic(mon):
    settings, result = mon
    failed = rule(result, "build-failed")
    pattern = json.loads(failed.inputs["eventPattern"])
    assert pattern["source"] == ["aws.codebuild"]
    assert set(pattern["detail"]["build-status"]) == {"FAILED", "FAULT", "TIMED_OUT"}
    assert set(pattern["detail"]["project-name"]) == {settings.name(b) for b in BUILDS}
    assert target_of(result, failed).inputs["arn"] == TOPIC_ARN


def test_topic_policy_lets_only_these_rules_and_the_accounts_alarms_publish(mon):
    _, result = mon
    policy = result.one("aws:sns/topicPolicy:TopicPolicy")
    assert policy.inputs["arn"] == TOPIC_ARN
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    events = statements["DeliveryFailureRules"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert sorted(events["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
        [rule(result, "pipeline-failed").outputs["arn"], rule(result, "build-failed").outputs["arn"]]
    )
    alarms = statements["CloudWatchAlarms"]
    assert alarms["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    assert all(s["Effect"] == "Allow" and s["Principal"] != "*" for s in statements.values())
    # The targets are created once the topic accepts them.
    for part in ("pipeline-failed", "build-failed"):
        assert policy.urn in target_of(result, rule(result, part)).dependencies


def test_pipeline_events_are_kept_encrypted_for_the_dashboard(mon):
    settings, result = mon
    group = result.one("aws:cloudwatch/logGroup:LogGroup", "pipeline-events")
    assert group.inputs["name"].startswith("/aws/events/")  # EventBridge's only allowed prefix
    assert group.inputs["kmsKeyId"] == KEY_ARN
    events = rule(result, "pipeline-events")
    assert json.loads(events.inputs["eventPattern"])["detail"] == {"pipeline": [settings.name("pipeline")]}
    assert target_of(result, events).inputs["arn"] == group.outputs["arn"]
    (statement,) = json.loads(
        result.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy").inputs["policyDocument"]
    )["Statement"]
    assert statement["Resource"] == f"{group.outputs['arn']}:*"


def test_dashboard_covers_pipeline_builds_api_functions_and_athena(mon):
    settings, result = mon
    dashboard = result.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == settings.name("operations")
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    metrics = [m for w in widgets if w["type"] == "metric" for m in w["properties"]["metrics"]]

    def series(namespace, metric):
        return [m for m in metrics if m[0] == namespace and m[1] == metric]

    for metric in ("Duration", "FailedBuilds", "SucceededBuilds"):
        assert {m[3] for m in series("AWS/CodeBuild", metric)} == {settings.name(b) for b in BUILDS}
    for metric in ("Latency", "4XXError", "5XXError"):
        assert series("AWS/ApiGateway", metric)
        assert all(
            m[2:6] == ["ApiName", settings.name("api"), "Stage", settings.stack]
            for m in series("AWS/ApiGateway", metric)
        )
    functions = {settings.function_name(f.name) for f in catalog.FUNCTIONS}
    for metric in ("Errors", "Duration", "Throttles"):
        assert {m[3] for m in series("AWS/Lambda", metric)} == functions
    assert series("AWS/Athena", "ProcessedBytes")[0][2:] == ["WorkGroup", settings.name("analytics")]
    logs = [w for w in widgets if w["type"] == "log"]
    group = result.one("aws:cloudwatch/logGroup:LogGroup", "pipeline-events").inputs["name"]
    assert logs and all(w["properties"]["query"].startswith(f"SOURCE '{group}'") for w in logs)
    assert all(w["properties"]["region"] == settings.region for w in widgets)
    positions = [(w["x"], w["y"]) for w in widgets]
    assert len(set(positions)) == len(positions)  # no two widgets on top of each other


def test_every_taggable_resource_is_tagged_audit(mon):
    _, result = mon
    for resource in taggable(result.resources):
        assert resource.inputs.get("tags", {}).get("System") == "Audit", resource.name


def test_the_program_has_one_dashboard_and_the_data_key_lets_eventbridge_publish(stack_run):
    assert len(stack_run.of_type("aws:cloudwatch/dashboard:Dashboard")) == 1
    key = stack_run.one("aws:kms/key:Key", "data-key")
    statements = json.loads(key.inputs["policy"])["Statement"]
    topic_key = next(s for s in statements if s.get("Sid") == "AllowAlarmsToEncryptedTopic")
    assert "events.amazonaws.com" in topic_key["Principal"]["Service"]
    topic = stack_run.one("aws:sns/topic:Topic", "alarms")
    assert stack_run.one("aws:sns/topicPolicy:TopicPolicy").inputs["arn"] == topic.outputs["arn"]
