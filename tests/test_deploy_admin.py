"""deploy/admin.py against a real moto server: grant and revoke the admin role of a stack's user
by e-mail, the way `./dev admin` and `python -m deploy.admin` do, and what a revoke ends."""

from __future__ import annotations

import subprocess
import sys

import pytest

from components.catalog import ROOT
from components.settings import from_stack_file
from deploy import admin
from local import aws

SETTINGS = from_stack_file("dev")
TABLE = SETTINGS.name("users")


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = aws.MotoServer(0, log_path=tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    clients = aws.clients(server.url, SETTINGS.region)
    aws.create_users_table(clients.dynamodb, TABLE)
    for uid, email in (("u-1", "ada@example.com"), ("u-2", "bob@example.com")):
        clients.dynamodb.put_item(
            TableName=TABLE,
            Item={
                "userId": {"S": uid},
                "type": {"S": "USER"},
                "email": {"S": email},
                "role": {"S": "user"},
                "sessionVersion": {"N": "1"},
            },
        )
    # an e-mail uniqueness record is not a user, whatever it holds
    clients.dynamodb.put_item(TableName=TABLE, Item={"userId": {"S": "EMAIL#x"}, "type": {"S": "EMAIL"}})
    yield server, clients
    server.stop()


def role(clients, uid: str) -> tuple[str, int]:
    item = clients.dynamodb.get_item(TableName=TABLE, Key={"userId": {"S": uid}})["Item"]
    return item["role"]["S"], int(item["sessionVersion"]["N"])


def cli(server, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "deploy.admin",
            *args,
            "--stack",
            "dev",
            "--region",
            SETTINGS.region,
            "--endpoint-url",
            server.url,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_grant_and_revoke_through_the_command(moto):
    server, clients = moto
    done = cli(server, "grant", "  ADA@example.com ")
    assert done.returncode == 0, done.stderr
    assert "role user -> admin" in done.stdout
    assert role(clients, "u-1") == ("admin", 1)  # a grant keeps the sessions
    assert role(clients, "u-2") == ("user", 1)
    listed = cli(server, "list")
    assert listed.returncode == 0 and listed.stdout.split() == ["ada@example.com", "u-1"]
    revoked = cli(server, "revoke", "ada@example.com")
    assert revoked.returncode == 0 and role(clients, "u-1") == ("user", 2)  # every session ended


def test_unknown_user_changes_nothing(moto):
    server, clients = moto
    before = clients.dynamodb.scan(TableName=TABLE)["Items"]
    failed = cli(server, "grant", "nobody@example.com")
    assert failed.returncode == 1 and "no user nobody@example.com" in failed.stderr
    assert clients.dynamodb.scan(TableName=TABLE)["Items"] == before


def test_in_process_with_an_injected_client(moto):
    _, clients = moto
    assert admin.main(["grant", "bob@example.com", "--stack", "dev"], dynamodb=clients.dynamodb) == 0
    assert role(clients, "u-2")[0] == "admin"
    assert admin.main(["grant", "--stack", "dev"], dynamodb=clients.dynamodb) == 2  # no e-mail
