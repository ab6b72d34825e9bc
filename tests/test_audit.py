"""Audit under mocks, built alone with stand-ins for the API and the services: the CloudTrail
trail and its bucket, the alarm topic, and an alarm per function plus the API's 5xx."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pulumi
import pytest

from components import catalog
from components.audit import Audit, AuditArgs
from preview.harness import ACCOUNT_ID, run, taggable

KEY_ARN = f"arn:aws:kms:us-east-2:{ACCOUNT_ID}:key/data-key"
PREFIX = "futureim-ecommerce-ai-platform"
TRAIL = "aws:cloudtrail/trail:Trail"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def build_audit(settings):
    def program():
        api = SimpleNamespace(
            api_name=pulumi.Output.from_input(settings.name("api")),
            stage_name=settings.stack,
            rest_api_id=pulumi.Output.from_input("a1b2c3"),
        )
        services = SimpleNamespace(
            function_names={
                f.name: pulumi.Output.from_input(settings.function_name(f.name)) for f in catalog.FUNCTIONS
            }
        )
        audit = Audit("audit", AuditArgs(settings=settings, kms_key_arn=KEY_ARN, api=api, services=services))
        pulumi.export("trail_arn", audit.trail_arn)
        pulumi.export("alarm_topic_arn", audit.alarm_topic_arn)
        pulumi.export("trail_bucket", audit.trail_bucket)

    return run(program, stack=settings.stack)


@pytest.fixture()
def dev_audit(settings_for):
    return build_audit(settings_for("dev"))


@pytest.fixture()
def prod_audit(settings_for):
    return build_audit(settings_for("prod"))


# ---- trail ----------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["dev_audit", "prod_audit"])
def test_trail_is_validated_and_encrypted(which, request):
    run_ = request.getfixturevalue(which)
    trail = run_.one(TRAIL)
    assert trail.inputs["name"] == f"{PREFIX}-trail-{run_.stack}"
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["kmsKeyId"] == KEY_ARN
    assert trail.inputs["s3BucketName"] == run_.outputs["trail_bucket"]
    assert run_.outputs["trail_arn"] == trail.outputs["arn"]


def test_the_account_trail_records_management_events_everywhere(prod_audit, settings_for):
    # prod owns the account's management-event trail by default (manageAccountTrail).
    for run_ in (prod_audit, build_audit(settings_for("dev", manageAccountTrail=True))):
        trail = run_.one(TRAIL)
        assert trail.inputs["isMultiRegionTrail"] is True
        assert trail.inputs["includeGlobalServiceEvents"] is True
        assert not trail.inputs.get("eventSelectors") and not trail.inputs.get("advancedEventSelectors")


def test_a_second_stack_in_the_account_records_only_its_data_events(dev_audit, settings_for):
    # Two trails with management events in one account pay for them twice (the first copy of
    # management events is free, every further trail's is billed).
    trail = dev_audit.one(TRAIL)
    assert trail.inputs.get("isMultiRegionTrail") is not True
    assert trail.inputs.get("includeGlobalServiceEvents") is False
    (selector,) = trail.inputs["eventSelectors"]
    assert selector["includeManagementEvents"] is False
    settings = settings_for("dev")
    (resources,) = selector["dataResources"]
    assert resources["type"] == "AWS::S3::Object"
    assert sorted(resources["values"]) == sorted(
        f"arn:aws:s3:::{settings.bucket_name(part)}/" for part in ("raw", "curated")
    )


def test_trail_bucket_encryption_is_what_cloudtrail_documents(dev_audit, prod_audit):
    # CloudTrail asks for kms:Decrypt when the bucket uses an S3 Bucket Key, and the bucket key
    # changes the encryption context the key policy conditions on: SSE-KMS without it.
    for run_ in (dev_audit, prod_audit):
        sse = run_.one(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        )
        (rule,) = sse.inputs["rules"]
        assert rule.get("bucketKeyEnabled") is not True
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        assert run_.one(TRAIL).inputs["kmsKeyId"] == KEY_ARN  # log files: the trail's own SSE-KMS


def test_trail_bucket_is_private_encrypted_and_archived(dev_audit):
    bucket = dev_audit.one("aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == f"{PREFIX}-cloudtrail-dev-{ACCOUNT_ID}"
    sse = dev_audit.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert sse.get("rules.0.applyServerSideEncryptionByDefault") == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": KEY_ARN,
    }
    assert (
        dev_audit.one("aws:s3/bucketVersioning:BucketVersioning").get("versioningConfiguration.status")
        == "Enabled"
    )
    block = dev_audit.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for flag in ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"):
        assert block.inputs[flag] is True
    (rule,) = dev_audit.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs[
        "rules"
    ]
    assert rule["status"] == "Enabled"
    assert rule["transitions"] == [{"days": 90, "storageClass": "GLACIER"}]
    assert "expiration" not in rule  # audit logs are archived, never deleted by lifecycle


def test_trail_bucket_policy_lets_only_this_trail_write(dev_audit):
    trail_arn = dev_audit.one(TRAIL).outputs["arn"]
    assert trail_arn == f"arn:aws:cloudtrail:us-east-2:{ACCOUNT_ID}:trail/{PREFIX}-trail-dev"
    bucket_arn = f"arn:aws:s3:::{dev_audit.outputs['trail_bucket']}"
    statements = json.loads(dev_audit.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])["Statement"]
    by_action = {(st["Effect"], st["Action"]): st for st in statements}

    acl = by_action[("Allow", "s3:GetBucketAcl")]
    assert acl["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert acl["Resource"] == bucket_arn
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": trail_arn}}

    write = by_action[("Allow", "s3:PutObject")]
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Resource"] == f"{bucket_arn}/AWSLogs/{ACCOUNT_ID}/*"
    assert write["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
    }

    tls = by_action[("Deny", "s3:*")]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(tls["Resource"]) == {bucket_arn, f"{bucket_arn}/*"}
    assert len(statements) == 3


def test_trail_bucket_kept_on_destroy_in_prod(dev_audit, prod_audit):
    assert dev_audit.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is True
    assert prod_audit.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is False


# ---- alarms ---------------------------------------------------------------------------------
def test_alarm_topic_is_encrypted(dev_audit):
    topic = dev_audit.one(TOPIC)
    assert topic.inputs["name"] == f"{PREFIX}-alarms-dev"
    assert topic.inputs["kmsMasterKeyId"] == KEY_ARN
    assert dev_audit.outputs["alarm_topic_arn"] == topic.outputs["arn"]


def test_api_5xx_alarm(dev_audit):
    (alarm,) = [a for a in dev_audit.of_type(ALARM) if a.inputs["namespace"] == "AWS/ApiGateway"]
    assert alarm.inputs["metricName"] == "5XXError"
    assert alarm.inputs["dimensions"] == {"ApiName": f"{PREFIX}-api-dev", "Stage": "dev"}
    assert alarm.inputs["statistic"] == "Sum"
    assert alarm.inputs["period"] == 300
    assert alarm.inputs["threshold"] == 5
    assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_an_errors_alarm_per_function(dev_audit, settings_for):
    s = settings_for("dev")
    alarms = [a for a in dev_audit.of_type(ALARM) if a.inputs["namespace"] == "AWS/Lambda"]
    watched = sorted(a.inputs["dimensions"]["FunctionName"] for a in alarms)
    assert watched == sorted(s.function_name(f.name) for f in catalog.FUNCTIONS)
    assert len(watched) == 9  # 7 services, the authorizer and the data-jobs function
    for a in alarms:
        assert a.inputs["metricName"] == "Errors"
        assert a.inputs["statistic"] == "Sum"
        assert a.inputs["period"] == 300
        assert a.inputs["threshold"] == 1
        assert a.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_every_alarm_notifies_the_topic_and_ignores_silence(dev_audit):
    topic_arn = dev_audit.one(TOPIC).outputs["arn"]
    alarms = dev_audit.of_type(ALARM)
    assert len(alarms) == 10
    names = [a.inputs["name"] for a in alarms]
    assert len(set(names)) == len(names)
    for a in alarms:
        assert a.inputs["alarmActions"] == [topic_arn]
        assert a.inputs["okActions"] == [topic_arn]
        assert a.inputs["treatMissingData"] == "notBreaching"
        assert a.inputs["evaluationPeriods"] == 1


def test_no_email_subscription_unless_configured(dev_audit):
    assert not dev_audit.of_type(SUBSCRIPTION)


def test_email_subscription_when_configured(settings_for):
    run_ = build_audit(settings_for("prod", alarmEmail="oncall@example.com"))
    (sub,) = run_.of_type(SUBSCRIPTION)
    assert sub.inputs["protocol"] == "email"
    assert sub.inputs["endpoint"] == "oncall@example.com"
    assert sub.inputs["topic"] == run_.one(TOPIC).outputs["arn"]


# ---- tags -------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["dev_audit", "prod_audit"])
def test_every_taggable_resource_is_tagged_audit(which, request):
    run_ = request.getfixturevalue(which)
    tagged = taggable(run_.resources)
    assert {r.type for r in tagged} >= {TRAIL, TOPIC, ALARM, "aws:s3/bucket:Bucket"}
    for r in tagged:
        assert (r.inputs.get("tags") or {}).get("System") == "Audit", r.name


def test_a_message_parked_in_a_dead_letter_queue_raises_an_alarm(stack_run):
    """Failed reset mails and failed data jobs end in a queue; nobody sees them without this."""
    queues = {q.inputs["name"]: q for q in stack_run.of_type("aws:sqs/queue:Queue")}
    alarms = [a for a in stack_run.of_type(ALARM) if a.inputs["namespace"] == "AWS/SQS"]
    watched = sorted(a.inputs["dimensions"]["QueueName"] for a in alarms)
    expected = sorted(
        n
        for n in queues
        if n.endswith(("-reset-mail-dlq-" + stack_run.stack, "-data-jobs-failures-" + stack_run.stack))
    )
    assert len(expected) == 2 and watched == expected
    topic = stack_run.one("aws:sns/topic:Topic", "audit-alarms")
    for alarm in alarms:
        assert alarm.inputs["metricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm.inputs["statistic"] == "Maximum" and alarm.inputs["threshold"] == 1
        assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]]
