"""local/aws.py and local/moto_patches.py against a real moto server process: the resources
the stack would create, persistence of DynamoDB items and of the signing key, and the moto
patches (flat-cost transactions that still roll back, keep-alive connections)."""

from __future__ import annotations

import http.client
import json

import pytest

from components.settings import from_stack_file
from local import aws

SETTINGS = from_stack_file("dev")
TABLE = SETTINGS.name("users")


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = aws.MotoServer(0, log_path=tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provisioned(moto, tmp_path_factory):
    clients = aws.clients(moto.url, SETTINGS.region)
    made = aws.provision(clients, SETTINGS, tmp_path_factory.mktemp("state"))
    return clients, made


def test_provisioning_uses_the_stack_names(provisioned):
    c, made = provisioned
    assert made.names["users_table"] == "futureim-ecommerce-ai-platform-users-dev"
    assert made.jwt_secret_arn.startswith(
        "arn:aws:secretsmanager:us-east-2:123456789012:secret:futureim-ecommerce-ai-platform-jwt-signing-key-dev"
    )
    aliases = {a["AliasName"] for a in c.kms.list_aliases()["Aliases"]}
    assert {
        "alias/futureim-ecommerce-ai-platform-data-dev",
        "alias/futureim-ecommerce-ai-platform-pipeline-dev",
    } <= aliases
    assert c.glue.get_database(Name="futureim_ecommerce_ai_platform_lake_dev")
    workgroup = c.athena.get_work_group(WorkGroup="futureim-ecommerce-ai-platform-analytics-dev")
    assert workgroup["WorkGroup"]["Name"] == "futureim-ecommerce-ai-platform-analytics-dev"


def test_signing_key_is_random_private_and_kept(tmp_path):
    first = aws.jwt_signing_key(tmp_path)
    assert len(first) == 64 and first.isalnum()
    assert (tmp_path / "jwt-signing-key").stat().st_mode & 0o077 == 0
    assert aws.jwt_signing_key(tmp_path) == first
    assert aws.jwt_signing_key(tmp_path / "other") != first


def test_items_survive_a_dump_and_restore(provisioned, tmp_path):
    c, _ = provisioned
    items = [
        {
            "userId": {"S": f"u{i}"},
            "email": {"S": f"u{i}@example.com"},
            "n": {"N": str(i)},
            "tags": {"SS": ["a", "b"]},
            "blob": {"B": b"\x00\xff"},
        }
        for i in range(30)
    ]
    for item in items:
        c.dynamodb.put_item(TableName=TABLE, Item=item)
    counts = aws.dump_tables(c, tmp_path)
    assert counts[TABLE] >= 30
    for item in items:
        c.dynamodb.delete_item(TableName=TABLE, Key={"userId": item["userId"]})
    assert aws.restore_tables(c, tmp_path)[TABLE] >= 30
    back = c.dynamodb.get_item(TableName=TABLE, Key={"userId": {"S": "u7"}})["Item"]
    assert back["n"] == {"N": "7"} and back["blob"] == {"B": b"\x00\xff"}
    assert sorted(back["tags"]["SS"]) == ["a", "b"]
    by_email = c.dynamodb.query(
        TableName=TABLE,
        IndexName="email-index",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": "u7@example.com"}},
    )
    assert by_email["Count"] == 1


def test_failed_transaction_still_rolls_back(provisioned):
    c, _ = provisioned
    c.dynamodb.put_item(TableName=TABLE, Item={"userId": {"S": "tx-a"}, "v": {"N": "1"}})
    with pytest.raises(c.dynamodb.exceptions.TransactionCanceledException):
        c.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"userId": {"S": "tx-a"}},
                        "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {"Put": {"TableName": TABLE, "Item": {"userId": {"S": "tx-b"}}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"userId": {"S": "tx-missing"}},
                        "UpdateExpression": "SET v = :one",
                        "ConditionExpression": "attribute_exists(userId)",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    assert c.dynamodb.get_item(TableName=TABLE, Key={"userId": {"S": "tx-a"}})["Item"]["v"] == {"N": "1"}
    assert "Item" not in c.dynamodb.get_item(TableName=TABLE, Key={"userId": {"S": "tx-b"}})
    assert "Item" not in c.dynamodb.get_item(TableName=TABLE, Key={"userId": {"S": "tx-missing"}})
    # And a good one applies.
    c.dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"userId": {"S": "tx-b"}}}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"userId": {"S": "tx-a"}},
                    "UpdateExpression": "SET v = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                }
            },
        ]
    )
    assert c.dynamodb.get_item(TableName=TABLE, Key={"userId": {"S": "tx-a"}})["Item"]["v"] == {"N": "2"}


def test_connections_are_kept_alive(moto, provisioned):
    conn = http.client.HTTPConnection("127.0.0.1", moto.port, timeout=5)
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-2/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=x",
    }
    sockets = set()
    for _ in range(3):
        conn.request("POST", "/", body=b"{}", headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200 and TABLE in json.loads(resp.read())["TableNames"]
        assert resp.getheader("Connection") != "close"
        sockets.add(id(conn.sock))
    assert len(sockets) == 1
    conn.close()


def test_s3_uploads_of_real_sizes_work(provisioned):
    c, made = provisioned
    body = bytes(range(256)) * 20000  # ~5 MB: botocore sends Expect: 100-continue
    c.s3.put_object(Bucket=made.names["curated_bucket"], Key="big.bin", Body=body)
    assert c.s3.get_object(Bucket=made.names["curated_bucket"], Key="big.bin")["Body"].read() == body
    c.s3.put_object(Bucket=made.names["curated_bucket"], Key="empty", Body=b"")
    assert c.s3.head_object(Bucket=made.names["curated_bucket"], Key="empty")["ContentLength"] == 0


def test_local_users_table_matches_the_stacks(provisioned):
    """The table the local platform (and the auth tests) create is the one UsersTable declares."""
    from preview.harness import run_program

    declared = run_program("dev").one("aws:dynamodb/table:Table", "users")
    clients, _ = provisioned
    local = clients.dynamodb.describe_table(TableName=TABLE)["Table"]
    assert declared.inputs["name"] == TABLE
    assert [k["AttributeName"] for k in local["KeySchema"]] == [declared.inputs["hashKey"]]
    assert local["BillingModeSummary"]["BillingMode"] == declared.inputs["billingMode"]
    local_indexes = {
        i["IndexName"]: ([k["AttributeName"] for k in i["KeySchema"]], i["Projection"]["ProjectionType"])
        for i in local["GlobalSecondaryIndexes"]
    }
    declared_indexes = {
        i["name"]: ([k["attributeName"] for k in i["keySchemas"]], i["projectionType"])
        for i in declared.inputs["globalSecondaryIndexes"]
    }
    assert local_indexes == declared_indexes
    ttl = clients.dynamodb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == declared.get("ttl.attributeName")


def test_local_state_tables_match_the_stacks(provisioned):
    """The conversations, cases and audit tables of the local platform are the ones
    StateTables declares: names, keys, indexes, TTL."""
    from preview.harness import run_program

    clients, made = provisioned
    declared = {r.inputs["name"]: r for r in run_program("dev").of_type("aws:dynamodb/table:Table")}
    for key in ("conversations", "cases", "audit"):
        name = made.names[f"{key}_table"]
        assert name == f"futureim-ecommerce-ai-platform-{key}-dev"
        want, local = declared[name].inputs, clients.dynamodb.describe_table(TableName=name)["Table"]
        keys = [want["hashKey"]] + ([want["rangeKey"]] if want.get("rangeKey") else [])
        assert [k["AttributeName"] for k in local["KeySchema"]] == keys
        assert {(a["AttributeName"], a["AttributeType"]) for a in local["AttributeDefinitions"]} == {
            (a["name"], a["type"]) for a in want["attributes"]
        }
        local_gsis = {
            i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]]
            for i in local.get("GlobalSecondaryIndexes", [])
        }
        assert local_gsis == {
            i["name"]: [k["attributeName"] for k in i["keySchemas"]]
            for i in want.get("globalSecondaryIndexes") or []
        }
        local_lsis = {
            i["IndexName"]: i["KeySchema"][-1]["AttributeName"]
            for i in local.get("LocalSecondaryIndexes", [])
        }
        assert local_lsis == {i["name"]: i["rangeKey"] for i in want.get("localSecondaryIndexes") or []}
        ttl = clients.dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if (want.get("ttl") or {}).get("enabled"):
            assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == (
                "ENABLED",
                want["ttl"]["attributeName"],
            )
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED"
