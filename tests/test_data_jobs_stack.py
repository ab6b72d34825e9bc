"""The data-jobs function in the stack (components/data_jobs.py, under Pulumi mocks): the upload's
manifest in the curated bucket -> EventBridge -> the function's live alias, asynchronously, with an
encrypted failure queue; a job's timeout and memory; least privilege; API Gateway cannot invoke it."""

from __future__ import annotations

import json

import pytest

from components import catalog
from components.settings import from_stack_file

RULE = "aws:cloudwatch/eventRule:EventRule"
PERMISSION = "aws:lambda/permission:Permission"
QUEUE = "aws:sqs/queue:Queue"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"


def job_of(run):
    s = from_stack_file(run.stack)
    name = s.function_name(catalog.DATA_JOBS.name)
    function = next(f for f in run.of_type("aws:lambda/function:Function") if f.inputs["name"] == name)
    alias = next(a for a in run.of_type("aws:lambda/alias:Alias") if a.inputs["functionName"] == name)
    return s, name, function, alias


def statements(run, role_name):
    role = next(r for r in run.of_type("aws:iam/role:Role") if r.inputs["name"] == role_name)
    return [
        st
        for p in run.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] in (role.id, role_name, role.outputs.get("name"))
        for st in json.loads(p.inputs["policy"])["Statement"]
    ]


def test_the_manifest_of_an_upload_in_the_curated_bucket_starts_the_live_alias(stack_run):
    s, _name, _function, alias = job_of(stack_run)
    curated = s.bucket_name("curated")
    rule = stack_run.one(RULE, "data-jobs-upload")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [curated]}, "object": {"key": ["_meta/manifest.json"]}},
    }
    targets = [
        t
        for t in stack_run.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == rule.inputs["name"]
    ]
    assert [t.inputs["arn"] for t in targets] == [alias.outputs["arn"]]
    assert alias.inputs["name"] == "live"
    # the bucket sends its object events to EventBridge
    notification = stack_run.one("aws:s3/bucketNotification:BucketNotification")
    assert notification.inputs["bucket"] == curated and notification.inputs["eventbridge"] is True


def test_only_the_rule_may_invoke_the_job_and_the_api_never(stack_run):
    s, name, _function, _alias = job_of(stack_run)
    rule = stack_run.one(RULE, "data-jobs-upload")
    permissions = [p for p in stack_run.of_type(PERMISSION) if p.inputs["function"] == name]
    assert len(permissions) == 1
    (permission,) = permissions
    assert permission.inputs["principal"] == "events.amazonaws.com"
    assert permission.inputs["sourceArn"] == rule.outputs["arn"]
    assert permission.inputs["qualifier"] == "live"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    api_invokers = {
        p.inputs["function"]
        for p in stack_run.of_type(PERMISSION)
        if p.inputs["principal"] == "apigateway.amazonaws.com"
    }
    assert name not in api_invokers
    assert api_invokers == {s.function_name(fn.name) for fn in catalog.API_FUNCTIONS}


def test_a_failed_run_lands_in_an_encrypted_queue(stack_run):
    s, name, _function, _alias = job_of(stack_run)
    config = stack_run.one(INVOKE_CONFIG)
    assert config.inputs["functionName"] == name and config.inputs["qualifier"] == "live"
    assert config.inputs["maximumRetryAttempts"] == 2
    queue = next(q for q in stack_run.of_type(QUEUE) if q.inputs["name"] == s.name("data-jobs-failures"))
    assert config.get("destinationConfig.onFailure.destination") == queue.outputs["arn"]
    data_key = stack_run.one("aws:sqs/queue:Queue", "reset-mail-queue").inputs["kmsMasterKeyId"]
    assert queue.inputs["kmsMasterKeyId"] == data_key and data_key.startswith("arn:aws:kms:")


def test_a_job_has_a_jobs_timeout_and_enough_memory(stack_run):
    s, _name, function, _alias = job_of(stack_run)
    assert function.inputs["timeout"] == 900
    assert function.inputs["memorySize"] == max(s.lambda_memory_mb, 2048)
    assert function.inputs["handler"] == "data_jobs.handler.lambda_handler"
    assert "Builds the data-versioned artifacts" in function.inputs["description"]


def test_the_jobs_role_has_the_analytics_needs_and_the_failure_queue_only(dev):
    s = from_stack_file("dev")
    job = {st["Sid"]: st for st in statements(dev, s.name("data-jobs-role"))}
    analytics = {st["Sid"]: st for st in statements(dev, s.name("analytics-service-role"))}
    # the analytics services' needs (read the lake, query Athena, read and write _artifacts/),
    # each statement the same but the one naming its own log group ...
    assert set(job) - {"FailureQueue", "FailureQueueKey"} == set(analytics)
    for sid, statement in analytics.items():
        if sid != "OwnLogGroup":
            assert job[sid] == statement, sid
    assert job["OwnLogGroup"]["Resource"].endswith(f"/aws/lambda/{s.function_name('data-jobs')}:*")
    # ... and sending a failed run to its queue
    queue = next(q for q in dev.of_type(QUEUE) if q.inputs["name"] == s.name("data-jobs-failures"))
    assert job["FailureQueue"]["Action"] == ["sqs:SendMessage"]
    assert job["FailureQueue"]["Resource"] == queue.outputs["arn"]
    assert job["FailureQueueKey"]["Resource"] == queue.inputs["kmsMasterKeyId"]
    assert job["FailureQueueKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"sqs.{s.region}.amazonaws.com"}
    }
    writes = {a for st in job.values() for a in st["Action"] if a.startswith(("s3:Put", "s3:Delete"))}
    assert writes == {"s3:PutObject"}
    assert {st["Resource"] for st in job.values() if "s3:PutObject" in st["Action"]} == {
        analytics["Artifacts"]["Resource"],
        analytics["AthenaResultsObjects"]["Resource"],
    }


@pytest.mark.parametrize("fn", catalog.JOBS, ids=lambda fn: fn.name)
def test_jobs_have_no_routes_and_are_not_api_functions(fn):
    assert fn.is_job and fn not in catalog.SERVICES and fn not in catalog.API_FUNCTIONS
    assert fn in catalog.FUNCTIONS


def test_the_policy_pack_sees_the_async_job_and_its_failure_destination(prod):
    """lambda-async-failure-destination (CKV_AWS_116) passes with the job's on-failure queue and
    fails on the same program without it (so the rule does look at the job)."""
    import copy

    from policy import local, rules

    rule = [p for p in rules.POLICIES if p.name == "lambda-async-failure-destination"]
    assert local.evaluate(prod, {"all": "advisory"}, rule) == []
    without = copy.deepcopy(prod)
    without.resources.remove(without.one(INVOKE_CONFIG))
    found = local.evaluate(without, {"all": "advisory"}, rule)
    assert len(found) == 1 and "data-jobs" in str(found[0]), found
