"""The data lake's tables, from its catalog: columns, row counts, covered days, freshness.

- In AWS (`WAREHOUSE=athena`): the tables and their columns are the Glue database's
  (`glue:GetTables`); the row counts are the dataset manifest's (`_meta/manifest.json` in the
  curated bucket, written by `python -m datagen upload`); a table's last update is the newest
  `LastModified` of its objects.
- Locally (`WAREHOUSE=duckdb`): the manifest beside the Parquet files the warehouse reads, the
  columns of `shared.lake_schema` (the Glue tables are made from the same schema), and the
  files' modification times.

Covered days (first and last day of each table's date column) come from one warehouse query,
computed once per data version (`shared.artifacts`).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from shared.lake_schema import TABLES
from shared.query import PERIOD_COLUMNS
from shared.warehouse import MANIFEST, MANIFEST_KEY, Warehouse

from analytics_service.sales import REUSE_MINUTES


def covered_days(wh: Warehouse) -> dict[str, tuple[str | None, str | None]]:
    """table -> (first day, last day) of its date column, for the tables the lake has."""
    present = set(wh.tables())
    selects = []
    for table, column in PERIOD_COLUMNS.items():
        if table in present:
            # names from the allow-list, not from a request
            selects.append(
                f"SELECT '{table}' AS name, CAST(MIN({column}) AS DATE) AS first_day, "  # noqa: S608
                f"CAST(MAX({column}) AS DATE) AS last_day FROM {table}"
            )
    if not selects:
        return {}
    rows = wh.query(" UNION ALL ".join(selects), reuse_minutes=REUSE_MINUTES)
    return {r["name"]: (_iso(r["first_day"]), _iso(r["last_day"])) for r in rows}


def _iso(day: Any) -> str | None:
    return day.isoformat() if isinstance(day, date) else None


def _entry(
    name: str,
    rows: int,
    columns: list[dict[str, str]],
    partition_keys: list[str],
    updated: datetime | None,
    days: tuple[str | None, str | None] | None,
    now: datetime,
) -> dict[str, Any]:
    description, zone, _, _ = TABLES.get(name, ("", "curated", (), ()))
    updated = updated or now
    item: dict[str, Any] = {
        "name": name,
        "description": description,
        "zone": zone,
        "rowCount": int(rows),
        "columns": columns,
        "partitionKeys": partition_keys,
        "lastUpdated": updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "freshnessHours": round(max(0.0, (now - updated).total_seconds() / 3600.0), 2),
    }
    if days and days[0] and days[1]:
        item["dataStart"], item["dataEnd"] = days
    return item


def local_datasets(data_dir: str | Path, days: dict, now: datetime | None = None) -> list[dict[str, Any]]:
    """From the manifest beside the Parquet files (the local platform)."""
    now = now or datetime.now(UTC)
    base = Path(data_dir)
    manifest = json.loads((base / MANIFEST).read_text())
    out = []
    for name, info in sorted(manifest.get("tables", {}).items()):
        if name not in TABLES:
            continue
        files = [base / f for f in info.get("files", [])]
        stamps = [f.stat().st_mtime for f in files if f.is_file()]
        updated = datetime.fromtimestamp(max(stamps), UTC) if stamps else None
        _, _, partitions, cols = TABLES[name]
        columns = [{"name": c, "type": t, "description": d} for c, t, d in cols if c not in partitions]
        out.append(_entry(name, info.get("rows", 0), columns, list(partitions), updated, days.get(name), now))
    return out


def glue_datasets(
    glue: Any, s3: Any, database: str, bucket: str, days: dict, now: datetime | None = None
) -> list[dict[str, Any]]:
    """From the Glue catalog and the curated bucket (AWS)."""
    now = now or datetime.now(UTC)
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read())
    rows = {name: info.get("rows", 0) for name, info in manifest.get("tables", {}).items()}
    out = []
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
        for table in page.get("TableList", []):
            name = table["Name"]
            if name not in TABLES:
                continue
            storage = table.get("StorageDescriptor", {})
            columns = [
                {
                    "name": c["Name"],
                    "type": c["Type"],
                    **({"description": c["Comment"]} if c.get("Comment") else {}),
                }
                for c in storage.get("Columns", [])
            ]
            updated = None
            for objects in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{name}/"):
                for obj in objects.get("Contents", []):
                    stamp = obj["LastModified"]
                    updated = stamp if updated is None or stamp > updated else updated
            partitions = [k["Name"] for k in table.get("PartitionKeys", [])]
            out.append(_entry(name, rows.get(name, 0), columns, partitions, updated, days.get(name), now))
    return sorted(out, key=lambda d: d["name"])


def datasets(wh: Warehouse) -> dict[str, Any]:
    """The contract's DatasetList for the warehouse in use."""
    from shared import artifacts

    days = {
        k: tuple(v) for k, v in artifacts.cached("analytics/covered-days", lambda: covered_days(wh)).items()
    }
    if wh.backend == "duckdb":
        items = local_datasets(wh.data_dir, days)
    else:
        from shared import aws

        items = glue_datasets(
            aws.client("glue"),
            aws.client("s3"),
            os.environ["GLUE_DATABASE"],
            os.environ["CURATED_BUCKET"],
            days,
        )
    return {"engine": wh.backend, "datasets": items}
