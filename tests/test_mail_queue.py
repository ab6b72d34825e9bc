"""ResetMailQueue under mocks, and the auth role and environment that go with it."""

from __future__ import annotations

import json

import pytest

from components import catalog, mail_queue
from components.mail_queue import ResetMailQueue, ResetMailQueueArgs
from preview.harness import run

KEY_ARN = "arn:aws:kms:us-east-2:123456789012:key/data-key-id"
ALIAS_ARN = "arn:aws:lambda:us-east-2:123456789012:function:auth:live"
QUEUE = "aws:sqs/queue:Queue"


@pytest.fixture(params=["dev", "prod"])
def queue_run(request, settings_for):
    settings = settings_for(request.param)
    return settings, run(
        lambda: ResetMailQueue(
            "reset-mail",
            ResetMailQueueArgs(settings=settings, kms_key_arn=KEY_ARN, consumer_alias_arn=ALIAS_ARN),
        ),
        stack=request.param,
    )


def test_the_queue_and_its_dead_letter_queue_are_encrypted_with_the_data_key(queue_run):
    settings, result = queue_run
    queues = {q.inputs["name"]: q for q in result.of_type(QUEUE)}
    assert set(queues) == {mail_queue.queue_name(settings), mail_queue.queue_name(settings, dead_letter=True)}
    for q in queues.values():
        assert q.inputs["kmsMasterKeyId"] == KEY_ARN
        assert q.inputs["tags"]["System"] == "Security"
    main = queues[mail_queue.queue_name(settings)]
    redrive = json.loads(main.inputs["redrivePolicy"])
    assert redrive["maxReceiveCount"] == mail_queue.MAX_RECEIVES
    assert redrive["deadLetterTargetArn"].endswith(mail_queue.queue_name(settings, dead_letter=True))
    assert main.inputs["visibilityTimeoutSeconds"] >= 6 * 30


def test_the_auth_functions_live_alias_consumes_it_reporting_failures_one_by_one(queue_run):
    _, result = queue_run
    (mapping,) = result.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
    assert mapping.inputs["functionName"] == ALIAS_ARN
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]


def test_only_the_auth_role_may_use_it_and_only_that_queue(settings_for):
    from components.services import PolicyRefs, policy_statements

    settings = settings_for("dev")
    refs = PolicyRefs(*(["x"] * 10))
    for fn in catalog.FUNCTIONS:
        statements = policy_statements(fn, settings, refs)
        sqs = [st for st in statements if any(a.startswith("sqs:") for a in st["Action"])]
        if fn.name == "auth-service":
            assert [st["Resource"] for st in sqs] == [mail_queue.queue_arn(settings)]
            assert not any("*" in a for a in sqs[0]["Action"])
        else:
            assert sqs == []


def test_the_program_wires_the_queue_to_the_auth_function(dev, settings_for):
    (mapping,) = dev.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
    assert "ResetMailQueue" in mapping.parent
    env = dev.one("aws:lambda/function:Function", "auth-service").get("environment.variables")
    assert env["RESET_QUEUE_URL"] == mail_queue.queue_url(settings_for("dev"))
