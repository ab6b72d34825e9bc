"""AWS on one machine: the moto server, the resources the stack would create (same physical
names), and the persistence moto lacks (DynamoDB items and secrets survive a restart)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.config import Config

from components import mail_queue
from components.settings import Settings
from components.state_tables import STATE_TABLES, TTL_ATTRIBUTE
from components.users_table import TTL_ATTRIBUTE as USERS_TTL_ATTRIBUTE
from local.environment import DUMMY_CREDENTIALS, physical_names

# Runs moto's server, and ends it when the platform's process goes away (stdin closes) even if
# the platform was killed without a chance to stop it.
# local/moto_patches.py (argv[1]) keeps moto's per-request cost flat, as AWS's is.
_MOTO_BOOT = (
    "import os, runpy, sys, threading\n"
    "threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n"
    "runpy.run_path(sys.argv.pop(1))\n"
    "from moto.server import main\n"
    "main(sys.argv[1:])\n"
)
MOTO_PATCHES = Path(__file__).resolve().parent / "moto_patches.py"
SECRET_ALPHABET = string.ascii_letters + string.digits
MOTO_CUSTOM_ID_TAG = "_custom_id_"  # moto: a resource created with this tag gets this id
GATE_PATH = "/_local/gate"  # local/moto_patches.py
GATE_PASS_HEADER = "X-Local-Platform"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class MotoServer:
    """`python -m moto.server -H 127.0.0.1 -p PORT` as a child process."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", log_path: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30.0, *, append_log: bool = False, gate: str = "") -> None:
        """`gate`: the services whose callers get 503 until `set_gate()` opens it ("*": all);
        clients made with `clients(..., restoring=True)` pass (local/moto_patches.py)."""
        if port_in_use(self.port, self.host):
            raise RuntimeError(
                f"port {self.port} is taken: is another local platform or moto "
                f"running? (choose another with --moto-port)"
            )
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            # this run only (closed in stop()); a restart keeps the dead server's log above
            self._log = open(self.log_path, "ab" if append_log else "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _MOTO_BOOT, str(MOTO_PATCHES), "-H", self.host, "-p", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self._log else subprocess.DEVNULL,
            env={**os.environ, **DUMMY_CREDENTIALS, "LOCAL_MOTO_GATE": gate},
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the moto server exited (code {self.process.returncode}); "
                    f"see {self.log_path or 'its output'}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):  # noqa: S310 - loopback http
                    return
            except urllib.error.HTTPError:
                return  # it answers: that is all we wait for
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the moto server did not answer on {self.url} within {timeout:.0f} s")

    def set_gate(self, closed: str = "") -> None:
        """Close the gate for these services ("*": all, "s3", ...) or open it ("")."""
        query = urllib.parse.urlencode({"closed": closed})
        with urllib.request.urlopen(f"{self.url}{GATE_PATH}?{query}", timeout=5):  # noqa: S310 - loopback http
            pass

    def restart(self, timeout: float = 30.0, *, gate: str = "") -> None:
        """A new server on the same port after this one died (its log is kept, then appended)."""
        self.stop()
        if self.log_path and self.log_path.exists():
            with open(self.log_path, "ab") as log:
                log.write(f"\n---- moto server restarted at {time.strftime('%H:%M:%S')} ----\n".encode())
        deadline = time.monotonic() + 5
        while port_in_use(self.port, self.host) and time.monotonic() < deadline:
            time.sleep(0.05)  # the dead server's socket is going away
        self.start(timeout, append_log=True, gate=gate)

    def stop(self) -> None:
        if (
            self.process
            and self.process.stdin
            and not self.process.stdin.closed
            and self.process.poll() is not None
        ):
            self.process.stdin.close()  # died on its own: only the pipe to close
        if self.process and self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
            except OSError:
                pass
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()
            self._log = None


def clients(endpoint_url: str, region: str, *, restoring: bool = False) -> Clients:
    """boto3 clients on the moto server; `restoring`: they pass its gate (MotoServer.start)."""
    session = boto3.session.Session(
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
        aws_session_token="testing",  # noqa: S106
    )
    config = Config(retries={"max_attempts": 3, "mode": "standard"})

    def make(service: str) -> Any:
        made = session.client(service, endpoint_url=endpoint_url, config=config)
        if restoring:
            made.meta.events.register("before-send", _pass_the_gate)
        return made

    return Clients(
        dynamodb=make("dynamodb"),
        s3=make("s3"),
        secrets=make("secretsmanager"),
        kms=make("kms"),
        glue=make("glue"),
        athena=make("athena"),
        sqs=make("sqs"),
    )


def _pass_the_gate(request: Any, **_: Any) -> None:
    request.headers[GATE_PASS_HEADER] = "restore"


@dataclass
class Clients:
    dynamodb: Any
    s3: Any
    secrets: Any
    kms: Any
    glue: Any
    athena: Any
    sqs: Any = None


@dataclass(frozen=True)
class Provisioned:
    names: dict[str, str]
    jwt_secret_arn: str
    kms_key_arns: dict[str, str]


# ---- provisioning: what the stack creates, by the same names ------------------------------
def provision(
    c: Clients,
    settings: Settings,
    state_dir: Path,
    tables: tuple[Any, ...] = (),
    *,
    jwt_secret_arn: str | None = None,
) -> Provisioned:
    """`jwt_secret_arn`: re-create the secret under this ARN (a restarted moto server; the
    functions hold the ARN in their environment). Otherwise moto picks the ARN's suffix."""
    names = physical_names(settings)
    keys = {}
    for part in ("data", "pipeline"):
        key = c.kms.create_key(Description=f"{settings.name(part)} (local)")["KeyMetadata"]
        c.kms.create_alias(AliasName=f"alias/{settings.name(part)}", TargetKeyId=key["KeyId"])
        keys[part] = key["Arn"]

    create_users_table(c.dynamodb, names["users_table"])
    create_state_tables(c.dynamodb, settings)
    create_reset_queue(c.sqs, settings)

    for part in ("raw", "curated", "athena-results", "frontend"):
        bucket = settings.bucket_name(part)
        if settings.region == "us-east-1":
            c.s3.create_bucket(Bucket=bucket)
        else:
            c.s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.region}
            )

    secret_value = jwt_signing_key(state_dir)
    same_arn: dict[str, Any] = {}
    if jwt_secret_arn:  # moto's custom-id tag fixes the ARN's random suffix
        same_arn["Tags"] = [{"Key": MOTO_CUSTOM_ID_TAG, "Value": jwt_secret_arn.rsplit("-", 1)[-1]}]
    arn = c.secrets.create_secret(
        Name=names["jwt_secret"],
        SecretString=secret_value,
        KmsKeyId=keys["pipeline"],
        Description="JWT signing key (generated locally)",
        **same_arn,
    )["ARN"]
    if same_arn:
        c.secrets.untag_resource(SecretId=arn, TagKeys=[MOTO_CUSTOM_ID_TAG])

    c.glue.create_database(
        DatabaseInput={"Name": names["glue_database"], "Description": "the data lake (local)"}
    )
    for table in tables:
        bucket = settings.bucket_name(getattr(table, "zone", "curated"))
        c.glue.create_table(
            DatabaseName=names["glue_database"],
            TableInput={
                "Name": table.name,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": table.glue_parameters(),
                "PartitionKeys": [{"Name": k.name, "Type": k.type} for k in table.partition_keys],
                "StorageDescriptor": {
                    "Columns": [{"Name": col.name, "Type": col.type} for col in table.columns],
                    "Location": f"s3://{bucket}/{table.prefix}",
                    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    },
                },
            },
        )
    c.athena.create_work_group(
        Name=names["athena_workgroup"],
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{names['athena_results_bucket']}/results/"},
            "EnforceWorkGroupConfiguration": True,
            "BytesScannedCutoffPerQuery": settings.athena_bytes_scanned_cutoff_mb * 1024 * 1024,
        },
    )
    return Provisioned(names=names, jwt_secret_arn=arn, kms_key_arns=keys)


def jwt_signing_key(state_dir: Path) -> str:
    """The local JWT key: random, kept in .local/state (never in the repo) so tokens survive a
    restart; `--reset` makes a new one."""
    path = state_dir / "jwt-signing-key"
    if path.exists():
        value = path.read_text().strip()
        if len(value) >= 32:
            return value
    value = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(64))
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value


# ---- persistence: DynamoDB items, dumped on stop (and after writes), restored on start ----
def dump_tables(c: Clients, state_dir: Path) -> dict[str, int]:
    state_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in c.dynamodb.list_tables().get("TableNames", []):
        items: list[dict[str, Any]] = []
        for page in c.dynamodb.get_paginator("scan").paginate(TableName=table):
            items.extend(page.get("Items", []))
        path = state_dir / f"dynamodb-{table}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"table": table, "items": items}, default=_encode_binary))
        tmp.replace(path)  # atomic: a crash mid-dump never loses the previous state
        counts[table] = len(items)
    return counts


def restore_tables(c: Clients, state_dir: Path) -> dict[str, int]:
    """Put back the items of every table that exists now (a table of another stack is kept
    on disk but not loaded)."""
    existing = set(c.dynamodb.list_tables().get("TableNames", []))
    counts = {}
    for path in sorted(state_dir.glob("dynamodb-*.json")):
        data = json.loads(path.read_text(), object_hook=_decode_binary)
        table = data.get("table")
        if table not in existing:
            continue
        items = data.get("items", [])
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            pending = {table: requests}
            while pending:
                pending = c.dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
        counts[table] = len(items)
    return counts


# Binary attributes (B, BS) come back from boto3 as bytes: kept as base64 in the JSON files.
def _encode_binary(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"__base64__": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _decode_binary(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "__base64__" in obj:
        return base64.b64decode(obj["__base64__"])
    return obj


def create_users_table(dynamodb: Any, name: str) -> None:
    """The users table as components/users_table.py declares it: key userId, the email-index
    GSI, TTL on token records' expiry (tests/test_local_aws.py checks the two agree). Also used by the auth service's tests."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "userId", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "email-index",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": USERS_TTL_ATTRIBUTE}
    )


def create_reset_queue(sqs: Any, settings: Settings) -> str:
    """The password-reset mail queue and its dead-letter queue, as components/mail_queue.py
    declares them (names, retention, redrive); the queue's URL on the moto server."""
    dlq = sqs.create_queue(QueueName=mail_queue.queue_name(settings, dead_letter=True))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": mail_queue.MAX_RECEIVES})
    return sqs.create_queue(
        QueueName=mail_queue.queue_name(settings),
        Attributes={
            "MessageRetentionPeriod": str(mail_queue.RETENTION_SECONDS),
            "RedrivePolicy": redrive,
        },
    )["QueueUrl"]


def create_state_tables(dynamodb: Any, settings: Settings) -> list[str]:
    """The conversations, cases and audit tables from the same description StateTables
    deploys (components/state_tables.py), TTL included (moto applies it on reads)."""
    made = []
    for spec in STATE_TABLES.values():
        name = spec.name(settings)
        keys = [{"AttributeName": spec.hash_key, "KeyType": "HASH"}]
        if spec.range_key:
            keys.append({"AttributeName": spec.range_key, "KeyType": "RANGE"})
        request: dict[str, Any] = {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": a, "AttributeType": spec.attribute_type(a)} for a in spec.key_attributes
            ],
            "KeySchema": keys,
        }
        for index in spec.indexes:
            index_keys = [{"AttributeName": index.hash_key, "KeyType": "HASH"}]
            if index.range_key:
                index_keys.append({"AttributeName": index.range_key, "KeyType": "RANGE"})
            kind = "LocalSecondaryIndexes" if index.local else "GlobalSecondaryIndexes"
            request.setdefault(kind, []).append(
                {"IndexName": index.name, "KeySchema": index_keys, "Projection": {"ProjectionType": "ALL"}}
            )
        dynamodb.create_table(**request)
        if spec.ttl:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
            )
        made.append(name)
    return made
