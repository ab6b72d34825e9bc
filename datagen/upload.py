"""Upload a generated dataset to the data lake buckets.

Each table's files go under its prefix in the bucket of its zone (key = `table.prefix` + the
file's path relative to the table's directory, e.g. `orders/year=2025/month=07/part-00000.parquet`);
`manifest.json` goes to `_meta/manifest.json` in the curated bucket (outside every table's
location, so Athena never reads it).

Idempotent: an object whose content is already there is skipped. S3 ETags equal the MD5 only for
single-part uploads without SSE-KMS, and the curated bucket uses a KMS key, so every upload also
records the MD5 in the object's metadata (`x-amz-meta-md5`); an object is unchanged when its
ETag or its recorded MD5 equals the local file's MD5.

Works against AWS and against the moto server: pass `endpoint_url` (or set AWS_ENDPOINT_URL, which
boto3 honours).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema import TABLES, Table

MANIFEST_KEY = "_meta/manifest.json"
MD5_META = "md5"


class UploadError(RuntimeError):
    """The dataset cannot be uploaded (missing files, missing bucket, access denied...)."""


@dataclass
class UploadResult:
    uploaded: list[str] = field(default_factory=list)  # "bucket/key"
    skipped: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return sorted(self.uploaded + self.skipped)


@dataclass(frozen=True)
class _Item:
    path: Path
    bucket: str
    key: str


def plan(
    data_dir: str | Path, bucket: str, raw_bucket: str | None = None, tables: Iterable[Table] = TABLES
) -> list[_Item]:
    """Which file goes to which bucket and key."""
    data = Path(data_dir)
    if not data.is_dir():
        raise UploadError(f"no dataset at {data}: run `python -m datagen generate --out {data}` first")
    items: list[_Item] = []
    for t in tables:
        target = bucket if t.zone == "curated" else raw_bucket
        base = data / t.name
        files = sorted(p for p in base.rglob("*.parquet") if p.is_file()) if base.is_dir() else []
        if not files:
            raise UploadError(f"table {t.name} has no Parquet files under {base}")
        if target is None:
            raise UploadError(f"table {t.name} belongs to the {t.zone} zone: pass --raw-bucket")
        items.extend(_Item(p, target, t.prefix + p.relative_to(base).as_posix()) for p in files)
    manifest = data / "manifest.json"
    if manifest.is_file():
        items.append(_Item(manifest, bucket, MANIFEST_KEY))
    return items


def upload(
    data_dir: str | Path,
    bucket: str,
    raw_bucket: str | None = None,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    kms_key_id: str | None = None,
    dry_run: bool = False,
    s3_client: Any = None,
    progress: Callable[[str], None] | None = None,
) -> UploadResult:
    """Upload the dataset; returns which objects were uploaded and which were already there."""
    say = progress or (lambda _m: None)
    items = plan(data_dir, bucket, raw_bucket)
    s3 = s3_client or _client(endpoint_url, region)
    existing = {b: _list(s3, b) for b in sorted({i.bucket for i in items})}
    result = UploadResult()
    for item in items:
        body = item.path.read_bytes()
        md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()  # a content fingerprint
        name = f"{item.bucket}/{item.key}"
        if _unchanged(s3, item, md5, existing[item.bucket]):
            result.skipped.append(name)
            continue
        if not dry_run:
            extra: dict[str, Any] = {
                "Metadata": {MD5_META: md5},
                "ContentMD5": base64.b64encode(bytes.fromhex(md5)).decode(),
            }
            if kms_key_id:
                extra.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key_id)
            content_type = (
                "application/json" if item.key.endswith(".json") else "application/vnd.apache.parquet"
            )
            try:
                s3.put_object(Bucket=item.bucket, Key=item.key, Body=body, ContentType=content_type, **extra)
            except Exception as exc:  # botocore ClientError and friends
                raise UploadError(f"cannot upload s3://{name}: {exc}") from exc
        result.uploaded.append(name)
        say(f"{'would upload' if dry_run else 'uploaded'} s3://{name} ({len(body):,} bytes)")
    say(f"{len(result.uploaded)} uploaded, {len(result.skipped)} unchanged")
    return result


def _client(endpoint_url: str | None, region: str | None):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region)


def _list(s3, bucket: str) -> dict[str, str]:
    """key -> ETag (without quotes) of every object in the bucket."""
    out: dict[str, str] = {}
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                out[obj["Key"]] = obj.get("ETag", "").strip('"')
    except Exception as exc:
        raise UploadError(f"cannot list bucket {bucket}: {exc}") from exc
    return out


def _unchanged(s3, item: _Item, md5: str, existing: dict[str, str]) -> bool:
    etag = existing.get(item.key)
    if etag is None:
        return False
    if etag == md5:
        return True
    try:  # SSE-KMS or multipart: the ETag is not the MD5, the metadata we wrote is
        head = s3.head_object(Bucket=item.bucket, Key=item.key)
    except Exception:
        return False
    return head.get("Metadata", {}).get(MD5_META) == md5
