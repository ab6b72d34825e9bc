"""The generated dataset: made once into .local/data (kept across restarts: it is deterministic
for a seed and scale), then uploaded into the data lake buckets at every start (moto keeps its
state in memory)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class DatasetUnavailableError(RuntimeError):
    """The dataset generator (datagen/) is not there yet."""


def read_manifest(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / MANIFEST
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def is_current(data_dir: Path, *, scale: float, seed: int) -> bool:
    """A finished dataset of the same seed and scale is there (the manifest is written last)."""
    manifest = read_manifest(data_dir)
    if not manifest:
        return False
    try:
        same = int(manifest.get("seed")) == int(seed) and float(manifest.get("scale")) == float(scale)
    except (TypeError, ValueError):
        return False
    if manifest.get("schema_hash") and _schema_hash() not in (None, manifest["schema_hash"]):
        return False  # the schema changed since: regenerate
    return same and any(data_dir.rglob("*.parquet"))


def _schema_hash() -> str | None:
    try:
        from datagen.schema import schema_hash
    except ImportError:
        return None
    return schema_hash()


def generate(
    data_dir: Path, *, scale: float, seed: int, progress: Callable[..., None] | None
) -> dict[str, Any]:
    try:
        from datagen.generate import generate as run
    except ImportError as exc:
        raise DatasetUnavailableError(f"the dataset generator is not available ({exc})") from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MANIFEST).unlink(missing_ok=True)  # a half-written dataset is never "current"
    run(data_dir, scale=scale, seed=seed, progress=progress)
    return read_manifest(data_dir) or {}


def upload(data_dir: Path, *, s3: Any, buckets: dict[str, str], progress: Any | None) -> int:
    """Put the dataset into the lake's buckets with the project's uploader (datagen.upload);
    returns the number of files. `progress` is a local.progress callback (shown as a bar)."""
    try:
        from datagen import upload as uploader
    except ImportError as exc:
        raise DatasetUnavailableError(f"the dataset uploader is not available ({exc})") from exc
    total = len(uploader.plan(data_dir, buckets["curated"], buckets.get("raw")))
    done = 0

    def on_message(message: str) -> None:
        nonlocal done
        if message.startswith("uploaded s3://"):
            done += 1
            if progress:
                progress(done, total, message.split("/", 3)[-1].split(" ")[0])

    result = uploader.upload(
        data_dir, buckets["curated"], buckets.get("raw"), s3_client=s3, progress=on_message
    )
    return len(result.uploaded) + len(result.skipped)
