"""Users table: the auth service's accounts in DynamoDB.

On-demand, `userId` key, an `email` index for sign-in, point-in-time recovery, encryption with
the data CMK, a stream of every change (for audit and future consumers), and deletion
protection in protected stacks. TTL on `expiresAt`, which only the auth service's token records
carry (refresh tokens, sessions, reset tokens, sign-in counters): DynamoDB deletes them some
time after they expire. A user item never has `expiresAt` (lambdas/auth_service/store.py; a test
checks every item the service writes), so the TTL never removes a user.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings import Settings

SYSTEM = "Data"
EMAIL_INDEX = "email-index"
TTL_ATTRIBUTE = "expiresAt"  # epoch seconds, on token records only


@dataclass
class UsersTableArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]


class UsersTable(pulumi.ComponentResource):
    table_name: pulumi.Output[str]
    table_arn: pulumi.Output[str]
    stream_arn: pulumi.Output[str]
    email_index_name: str

    def __init__(self, name: str, args: UsersTableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:users_table:UsersTable", name, None, opts)
        settings = args.settings

        table = aws.dynamodb.Table(
            f"{name}-table",
            name=settings.name("users"),
            billing_mode="PAY_PER_REQUEST",
            hash_key="userId",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="userId", type="S"),
                aws.dynamodb.TableAttributeArgs(name="email", type="S"),
            ],
            global_secondary_indexes=[
                aws.dynamodb.TableGlobalSecondaryIndexArgs(
                    name=EMAIL_INDEX,
                    key_schemas=[
                        aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                            attribute_name="email", key_type="HASH"
                        )
                    ],
                    # ALL: sign-in reads the password hash and status through the index in one call.
                    projection_type="ALL",
                )
            ],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args.kms_key_arn
            ),
            stream_enabled=True,
            stream_view_type="NEW_AND_OLD_IMAGES",
            deletion_protection_enabled=settings.deletion_protection,
            # Without it every refresh, session and failed sign-in stays forever (thousands of
            # items after one test run); user items never carry the attribute.
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=TTL_ATTRIBUTE, enabled=True),
            tags=settings.tags(SYSTEM),
            # Protected stacks: Pulumi refuses to delete the table (protect), and if it is ever
            # removed from the program or replaced, the table and its users stay in AWS
            # (retain_on_delete) instead of being dropped with the stack.
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=settings.deletion_protection,
                retain_on_delete=settings.deletion_protection,
            ),
        )

        self.table_name = table.name
        self.table_arn = table.arn
        if settings.users_table_name:
            # After a point-in-time restore (deploy/restore.py) the services use the restored
            # table; the one above stays as it was (protected in prod) until someone retires it.
            self.table_name = pulumi.Output.from_input(settings.users_table_name)
            self.table_arn = pulumi.Output.from_input(
                f"arn:aws:dynamodb:{settings.region}:{settings.account_id}:table/{settings.users_table_name}"
            )
        self.stream_arn = table.stream_arn
        self.email_index_name = EMAIL_INDEX
        self.register_outputs(
            {
                "table_name": self.table_name,
                "table_arn": self.table_arn,
                "stream_arn": self.stream_arn,
                "email_index_name": self.email_index_name,
            }
        )
