"""Admins: give or take the `admin` role of a stack's user, directly in the users table.

    python -m deploy.admin grant  --stack dev ada@example.com       # AWS (your credentials)
    python -m deploy.admin revoke --stack dev ada@example.com
    python -m deploy.admin list   --stack dev
    ./dev admin grant ada@example.com                                # the local platform (moto)

Never through the public API: whoever can call the API must not be able to make an admin. The
role lives on the user's item (`role`); the auth service puts it into each access token it
issues, and the authorizer hands it to the services (`shared.identity`). A grant takes effect
at the user's next sign-in or token refresh (within the access token's lifetime); a revoke also
ends every session of the user at once (their `sessionVersion` moves on, so no refresh token of
theirs works any more).

Needs only boto3: the table name comes from `--table`, or from the stack's settings file.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from deploy import DeployError

ADMIN, USER = "admin", "user"
EMAIL_INDEX = "email-index"


def users_table_for(stack: str) -> str:
    from components.settings import from_stack_file

    return from_stack_file(stack).name("users")


def find_user(dynamodb: Any, table: str, email: str) -> dict[str, Any]:
    email = email.strip().lower()
    found = dynamodb.query(
        TableName=table,
        IndexName=EMAIL_INDEX,
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": email}},
    ).get("Items", [])
    users = [i for i in found if i.get("type", {}).get("S") == "USER"]
    if not users:
        raise DeployError(f"no user {email} in {table}: they must register first")
    return users[0]


def set_role(dynamodb: Any, table: str, email: str, role: str) -> dict[str, str]:
    """Give the user `email` the role `role`; {"userId", "email", "role", "previous"}."""
    user = find_user(dynamodb, table, email)
    user_id = user["userId"]["S"]
    previous = user.get("role", {}).get("S", USER)
    update = "SET #role = :role"
    values: dict[str, Any] = {":role": {"S": role}, ":user": {"S": "USER"}}
    if previous == ADMIN and role != ADMIN:
        update += " ADD sessionVersion :one"  # demoted: every session ends now
        values[":one"] = {"N": "1"}
    dynamodb.update_item(
        TableName=table,
        Key={"userId": {"S": user_id}},
        UpdateExpression=update,
        ConditionExpression="attribute_exists(userId) AND #type = :user",
        ExpressionAttributeNames={"#role": "role", "#type": "type"},
        ExpressionAttributeValues=values,
    )
    return {"userId": user_id, "email": user["email"]["S"], "role": role, "previous": previous}


def list_admins(dynamodb: Any, table: str) -> list[dict[str, str]]:
    admins = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="#role = :admin",
        ExpressionAttributeNames={"#role": "role"},
        ExpressionAttributeValues={":admin": {"S": ADMIN}},
        ProjectionExpression="userId, email",
    ):
        admins += [
            {"userId": i["userId"]["S"], "email": i.get("email", {}).get("S", "")} for i in page["Items"]
        ]
    return sorted(admins, key=lambda a: a["email"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.admin", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("grant", "revoke", "list"))
    parser.add_argument("email", nargs="?", help="the user's e-mail (grant, revoke)")
    parser.add_argument("--stack", default="dev", help="the stack whose users table to change")
    parser.add_argument("--table", help="the users table (default: from Pulumi.<stack>.yaml)")
    parser.add_argument("--region", help="AWS region (default: your AWS configuration)")
    parser.add_argument("--endpoint-url", help="another endpoint (the local platform's moto server)")
    return parser


def main(argv: list[str] | None = None, dynamodb: Any = None) -> int:
    args = build_parser().parse_args(argv)
    if args.action != "list" and not args.email:
        print("an e-mail is required", file=sys.stderr)
        return 2
    table = args.table or users_table_for(args.stack)
    if dynamodb is None:
        import boto3

        dynamodb = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    try:
        if args.action == "list":
            for admin in list_admins(dynamodb, table):
                print(f"{admin['email']}\t{admin['userId']}")
            return 0
        done = set_role(dynamodb, table, args.email, ADMIN if args.action == "grant" else USER)
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # no table, no credentials, moto not running...
        print(f"error: cannot change {table}: {exc}", file=sys.stderr)
        return 1
    print(f"{done['email']} ({done['userId']}): role {done['previous']} -> {done['role']} in {table}")
    if args.action == "grant":
        print("takes effect at their next sign-in or token refresh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
