"""StateTables under mocks: conversations, cases and audit tables with their keys, indexes,
encryption, recovery, TTL where data expires, protection and tags."""

from __future__ import annotations

import pulumi
import pytest

from components.state_tables import STATE_TABLES, StateTables, StateTablesArgs
from preview.harness import ProgramRun, Resource, run

TABLE = "aws:dynamodb/table:Table"
KEY_ARN = "arn:aws:kms:us-east-2:123456789012:key/data-key-id"


def tables_run(settings_for, stack: str, transformations=None) -> ProgramRun:
    settings = settings_for(stack)

    def program() -> None:
        tables = StateTables(
            "state",
            StateTablesArgs(settings=settings, kms_key_arn=KEY_ARN),
            opts=pulumi.ResourceOptions(transformations=transformations or []),
        )
        pulumi.export("names", tables.table_names)
        pulumi.export("arns", tables.table_arns)
        pulumi.export("casesTable", tables.cases_table_name)

    return run(program, stack=stack)


def _settings(stack: str):
    from components.settings import from_stack_file

    return from_stack_file(stack)


@pytest.fixture(scope="module", params=("dev", "prod"))
def state(request) -> ProgramRun:
    return tables_run(lambda stack: _settings(stack), request.param)


def one(result: ProgramRun, part: str) -> Resource:
    (found,) = [r for r in result.of_type(TABLE) if r.get("name").endswith(f"-{part}-{result.stack}")]
    return found


def test_three_tables_named_by_the_scheme(state):
    names = sorted(r.get("name") for r in state.of_type(TABLE))
    assert names == sorted(
        f"futureim-ecommerce-ai-platform-{part}-{state.stack}" for part in ("audit", "cases", "conversations")
    )


def test_conversations_are_keyed_by_their_owner(state):
    t = one(state, "conversations")
    # The hash key is the owner's user id: a query cannot reach another user's conversations.
    assert (t.get("hashKey"), t.get("rangeKey")) == ("userId", "conversationId")
    (lsi,) = t.get("localSecondaryIndexes")
    assert (lsi["name"], lsi["rangeKey"], lsi["projectionType"]) == ("updated-index", "updatedAt", "ALL")
    assert {(a["name"], a["type"]) for a in t.get("attributes")} == {
        ("userId", "S"),
        ("conversationId", "S"),
        ("updatedAt", "S"),
    }


def test_cases_listing_index(state):
    t = one(state, "cases")
    assert t.get("hashKey") == "caseId" and t.get("rangeKey") is None
    (gsi,) = t.get("globalSecondaryIndexes")
    assert gsi["name"] == "updated-index"
    assert gsi["keySchemas"] == [
        {"attributeName": "kind", "keyType": "HASH"},
        {"attributeName": "updatedAt", "keyType": "RANGE"},
    ]


def test_audit_keys_and_user_index(state):
    t = one(state, "audit")
    assert (t.get("hashKey"), t.get("rangeKey")) == ("pk", "sk")
    (gsi,) = t.get("globalSecondaryIndexes")
    assert gsi["name"] == "user-index"
    assert [k["attributeName"] for k in gsi["keySchemas"]] == ["userId", "sk"]


def test_ttl_only_where_data_expires(state):
    assert one(state, "audit").get("ttl") == {"attributeName": "expiresAt", "enabled": True}
    assert one(state, "conversations").get("ttl") == {"attributeName": "expiresAt", "enabled": True}
    # Cases are records of an investigation: nothing may expire them.
    assert one(state, "cases").get("ttl.enabled") in (None, False)


def test_encrypted_with_the_data_key_on_demand_and_tagged(state):
    for t in state.of_type(TABLE):
        assert t.get("serverSideEncryption") == {"enabled": True, "kmsKeyArn": KEY_ARN}
        assert t.get("billingMode") == "PAY_PER_REQUEST"
        assert t.get("tags") == {"System": "Data"}
        assert t.parent == state.one("ecommerce:state_tables:StateTables").urn


def test_point_in_time_recovery_in_prod_only(state):
    for t in state.of_type(TABLE):
        assert t.get("pointInTimeRecovery.enabled") is (state.stack == "prod")


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("prod", True)])
def test_deletion_protection_per_stack(settings_for, stack, protected):
    seen: dict[str, tuple[bool | None, bool | None]] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        if args.type_ == TABLE:
            seen[args.name] = (args.opts.protect, args.opts.retain_on_delete)

    result = tables_run(settings_for, stack, transformations=[record])
    for t in result.of_type(TABLE):
        assert t.get("deletionProtectionEnabled") is protected
    assert set(seen) == {"state-conversations", "state-cases", "state-audit"}
    assert set(seen.values()) == {(protected, protected)}


def test_outputs_name_every_table(state):
    for key in STATE_TABLES:
        assert state.outputs["names"][key] == one(state, STATE_TABLES[key].part).get("name")
        assert state.outputs["arns"][key] == one(state, STATE_TABLES[key].part).outputs["arn"]
    assert state.outputs["casesTable"] == state.outputs["names"]["cases"]
