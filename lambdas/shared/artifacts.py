"""Data-versioned artifacts: model fits and aggregates computed once per dataset version.

    from shared import artifacts
    segments = artifacts.cached("demand/segments-k5", lambda: fit_segments(...))   # a JSON doc
    artifacts.save("compliance/fraud-model", params)       # written by a training command
    params = artifacts.load("compliance/fraud-model")      # read at cold start (None if absent)

Fits that many requests reuse (segments, churn coefficients, co-purchase counts) must not be
recomputed per request (SERVICES.md rule 2), and must change when the data changes. `cached`
keys a document by `name` and the dataset's version, and keeps it in three places, fastest
first: this process (a Lambda container serves many requests), the artifact store, and only on a
miss in both, `compute()`.

The store:
- `ARTIFACTS_DIR` set (the local platform, tests): JSON files under that directory.
- else `CURATED_BUCKET` set (AWS): objects under `_artifacts/` in the curated bucket, encrypted
  by the bucket's default (the data CMK). The services' roles may read and write only that prefix.
- else: this process only (nothing persisted).

The data version is the hash of the dataset's manifest (`manifest.json` in `WAREHOUSE_DATA_DIR`
locally; in the bucket `_meta/manifest.json`'s ETag): `python -m datagen upload` rewrites it with
every new dataset. It is looked up at most every `VERSION_TTL_SECONDS` per process.

Documents are JSON (dicts of lists and numbers): numpy values are converted on save.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared import aws

PREFIX = "_artifacts/"
MANIFEST = "manifest.json"
MANIFEST_KEY = "_meta/manifest.json"
VERSION_TTL_SECONDS = 300.0
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-.]*)*$")

_memo: dict[tuple[str, str], Any] = {}
_locks: dict[str, threading.Lock] = {}
_lock = threading.Lock()
_version: tuple[float, str] | None = None


class ArtifactError(RuntimeError):
    """An artifact could not be read or written."""


def _check(name: str) -> str:
    if not isinstance(name, str) or len(name) > 200 or not _NAME.match(name) or ".." in name:
        raise ArtifactError(f"invalid artifact name {name!r}")
    return name


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _encode(doc: Any) -> bytes:
    return json.dumps(doc, default=_jsonable, separators=(",", ":"), allow_nan=False).encode()


# ---- the store -----------------------------------------------------------------------------
def _read(key: str) -> bytes | None:
    directory = os.environ.get("ARTIFACTS_DIR")
    if directory:
        path = Path(directory) / key
        return path.read_bytes() if path.is_file() else None
    bucket = os.environ.get("CURATED_BUCKET")
    if not bucket:
        return None
    s3 = aws.client("s3")
    try:
        return s3.get_object(Bucket=bucket, Key=PREFIX + key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    except Exception as exc:  # throttling, permissions: the caller decides whether to compute
        raise ArtifactError(f"cannot read artifact {key}: {exc}") from exc


def _write(key: str, data: bytes) -> None:
    directory = os.environ.get("ARTIFACTS_DIR")
    if directory:
        path = Path(directory) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename: a concurrent reader never sees half a document
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return
    bucket = os.environ.get("CURATED_BUCKET")
    if not bucket:
        return
    try:
        aws.client("s3").put_object(
            Bucket=bucket, Key=PREFIX + key, Body=data, ContentType="application/json"
        )
    except Exception as exc:
        raise ArtifactError(f"cannot write artifact {key}: {exc}") from exc


# ---- the data version ----------------------------------------------------------------------
def _current_version() -> str:
    data_dir = os.environ.get("WAREHOUSE_DATA_DIR")
    if data_dir:
        manifest = Path(data_dir) / MANIFEST
        if manifest.is_file():
            return hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    bucket = os.environ.get("CURATED_BUCKET")
    if bucket:
        try:
            etag = aws.client("s3").head_object(Bucket=bucket, Key=MANIFEST_KEY)["ETag"]
        except Exception as exc:
            raise ArtifactError(f"cannot read the dataset manifest of {bucket}: {exc}") from exc
        return hashlib.sha256(etag.strip('"').encode()).hexdigest()[:16]
    return "unversioned"


def data_version() -> str:
    """A short id of the dataset the warehouse reads; changes when the data is replaced."""
    global _version
    now = time.monotonic()
    found = _version
    if found is None or now - found[0] > VERSION_TTL_SECONDS:
        found = _version = (now, _current_version())
    return found[1]


# ---- the interface -------------------------------------------------------------------------
def load(name: str) -> Any | None:
    """The explicit artifact `name` (see `save`), or None when there is none."""
    data = _read(_check(name) + ".json")
    return None if data is None else json.loads(data)


def save(name: str, doc: Any) -> None:
    """Store `doc` as the artifact `name` (e.g. a trained model's parameters, with its version
    inside the document)."""
    _write(_check(name) + ".json", _encode(doc))


def cached(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`'s document for the current data version: from this process, else from the
    store, else computed once (one thread at a time per name) and stored."""
    _check(name)
    version = data_version()
    key = (name, version)
    if key in _memo:
        return _memo[key]
    with _lock:
        name_lock = _locks.setdefault(name, threading.Lock())
    with name_lock:
        if key in _memo:
            return _memo[key]
        store_key = f"{name}/{version}.json"
        data = _read(store_key)
        if data is None:
            data = _encode(compute())
            _write(store_key, data)
        doc = json.loads(data)  # the same plain-JSON document whether computed or read
        for old in [k for k in _memo if k[0] == name]:  # one version per name in memory
            del _memo[old]
        _memo[key] = doc
        return doc


def reset() -> None:
    """Forget what this process holds (tests; a new dataset)."""
    global _version
    with _lock:
        _memo.clear()
        _version = None
