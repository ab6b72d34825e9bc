"""State tables: what the services keep beyond users, in DynamoDB.

Three tables, not one single-table design: each has one owner and one access pattern, so each
function's role names exactly the table it touches (the copilot never sees cases or the audit
log; compliance-guardian never sees conversations).

| table | key | index | expires |
|---|---|---|---|
| conversations (retail-copilot) | `userId` + `conversationId` | `updated-index` (LSI on `updatedAt`): a user's conversations, latest first | `expiresAt`, `conversationRetentionDays` after the last message |
| cases (compliance-guardian) | `caseId` | `updated-index` (GSI `kind` + `updatedAt`): every case, latest first | never: cases are records |
| audit (compliance-guardian) | `pk` = `<kind>#<day>` + `sk` = `<timestamp>#<requestId>` | `user-index` (GSI `userId` + `sk`): one caller's events | `expiresAt`, `auditRetentionDays` after the event |

The conversation key starts with the owner's user id, so a query can only ever read the
caller's own conversations. On-demand billing, the data CMK, deletion protection in protected
stacks, point-in-time recovery in production. TTL deletes are free and need no job: the writer
sets `expiresAt` (epoch seconds) from the retention the stack config gives the function.

`STATE_TABLES` describes the tables as plain data: this component and the local platform
(`local/aws.py`) create them from it, so both always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.settings import Settings

SYSTEM = "Data"
TTL_ATTRIBUTE = "expiresAt"


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None
    local: bool = False  # an LSI (same hash key as the table) instead of a GSI


@dataclass(frozen=True)
class TableSpec:
    part: str  # physical name: settings.name(part)
    hash_key: str
    range_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl: bool = False
    attribute_types: dict[str, str] = field(default_factory=dict)  # key attributes not "S"

    def name(self, settings: Settings) -> str:
        return settings.name(self.part)

    @property
    def key_attributes(self) -> list[str]:
        """Every attribute a key of the table or an index names (DynamoDB declares only these)."""
        names = [self.hash_key] + ([self.range_key] if self.range_key else [])
        for index in self.indexes:
            names += [index.hash_key] + ([index.range_key] if index.range_key else [])
        return list(dict.fromkeys(names))

    def attribute_type(self, name: str) -> str:
        return self.attribute_types.get(name, "S")


CONVERSATIONS = TableSpec(
    "conversations",
    hash_key="userId",
    range_key="conversationId",
    indexes=(Index("updated-index", "userId", "updatedAt", local=True),),
    ttl=True,
)
CASES = TableSpec(
    "cases",
    hash_key="caseId",
    # `kind` is the constant "case": one index partition holds every case, newest first. Cases
    # are a few thousand at most, far below a partition's limits.
    indexes=(Index("updated-index", "kind", "updatedAt"),),
)
AUDIT = TableSpec(
    "audit",
    hash_key="pk",
    range_key="sk",
    indexes=(Index("user-index", "userId", "sk"),),
    ttl=True,
)
STATE_TABLES: dict[str, TableSpec] = {"conversations": CONVERSATIONS, "cases": CASES, "audit": AUDIT}


@dataclass
class StateTablesArgs:
    settings: Settings
    kms_key_arn: pulumi.Input[str]


class StateTables(pulumi.ComponentResource):
    """`table_names[k]` / `table_arns[k]` for k in conversations, cases, audit; also as
    attributes (`cases_table_name`, ...) for the Services component."""

    table_names: dict[str, pulumi.Output[str]]
    table_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: StateTablesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:state_tables:StateTables", name, None, opts)
        self.table_names, self.table_arns = {}, {}
        for key, spec in STATE_TABLES.items():
            table = self._table(name, key, spec, args)
            self.table_names[key] = table.name
            self.table_arns[key] = table.arn
        self.conversations_table_name = self.table_names["conversations"]
        self.conversations_table_arn = self.table_arns["conversations"]
        self.cases_table_name = self.table_names["cases"]
        self.cases_table_arn = self.table_arns["cases"]
        self.audit_table_name = self.table_names["audit"]
        self.audit_table_arn = self.table_arns["audit"]
        self.register_outputs({"tableNames": self.table_names, "tableArns": self.table_arns})

    def _table(self, name: str, key: str, spec: TableSpec, args: StateTablesArgs) -> aws.dynamodb.Table:
        s = args.settings
        gsis = [
            aws.dynamodb.TableGlobalSecondaryIndexArgs(
                name=index.name,
                key_schemas=_key_schema(index.hash_key, index.range_key),
                projection_type="ALL",  # listings read whole items: no second fetch per row
            )
            for index in spec.indexes
            if not index.local
        ]
        lsis = [
            aws.dynamodb.TableLocalSecondaryIndexArgs(
                name=index.name, range_key=index.range_key, projection_type="ALL"
            )
            for index in spec.indexes
            if index.local
        ]
        return aws.dynamodb.Table(
            f"{name}-{key}",
            name=spec.name(s),
            billing_mode="PAY_PER_REQUEST",
            hash_key=spec.hash_key,
            range_key=spec.range_key,
            attributes=[
                aws.dynamodb.TableAttributeArgs(name=attr, type=spec.attribute_type(attr))
                for attr in spec.key_attributes
            ],
            global_secondary_indexes=gsis or None,
            local_secondary_indexes=lsis or None,
            # Production keeps 35 days of restore points; dev data is disposable.
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=s.is_production),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args.kms_key_arn
            ),
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=TTL_ATTRIBUTE, enabled=True) if spec.ttl else None,
            deletion_protection_enabled=s.deletion_protection,
            tags=s.tags(SYSTEM),
            opts=pulumi.ResourceOptions(
                parent=self, protect=s.deletion_protection, retain_on_delete=s.deletion_protection
            ),
        )


def _key_schema(
    hash_key: str, range_key: str | None
) -> list[aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs]:
    schema = [aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=hash_key, key_type="HASH")]
    if range_key:
        schema.append(
            aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=range_key, key_type="RANGE")
        )
    return schema
