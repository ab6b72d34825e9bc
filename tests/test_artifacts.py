"""shared.artifacts: fits computed once per data version, kept on disk or in the curated bucket."""

from __future__ import annotations

import json

import boto3
import numpy as np
import pytest
from moto import mock_aws
from shared import artifacts, aws


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ("ARTIFACTS_DIR", "CURATED_BUCKET", "WAREHOUSE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    artifacts.reset()
    yield
    artifacts.reset()
    aws.reset()


@pytest.fixture()
def local(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text('{"seed": 42}')
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(data))
    monkeypatch.setenv("ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    return tmp_path


def test_cached_computes_once_per_data_version_and_stores_on_disk(local):
    calls = []

    def fit():
        calls.append(1)
        return {"centroids": np.array([[1.5, 2.0]]), "k": np.int64(1)}

    first = artifacts.cached("demand/segments", fit)
    assert first == {"centroids": [[1.5, 2.0]], "k": 1}  # plain JSON, numpy converted
    assert artifacts.cached("demand/segments", fit) == first
    assert len(calls) == 1
    stored = list((local / "artifacts" / "demand" / "segments").glob("*.json"))
    assert len(stored) == 1 and json.loads(stored[0].read_text()) == first

    # another process (a new Lambda container) reads the stored fit instead of computing
    artifacts.reset()
    assert artifacts.cached("demand/segments", fit) == first
    assert len(calls) == 1

    # a new dataset is a new version: computed again
    (local / "data" / "manifest.json").write_text('{"seed": 43}')
    artifacts.reset()
    artifacts.cached("demand/segments", fit)
    assert len(calls) == 2


def test_data_version_follows_the_manifest(local):
    v1 = artifacts.data_version()
    (local / "data" / "manifest.json").write_text('{"seed": 7}')
    assert artifacts.data_version() == v1  # looked up at most every VERSION_TTL_SECONDS
    artifacts.reset()
    assert artifacts.data_version() != v1


def test_save_and_load_explicit_artifacts(local):
    assert artifacts.load("compliance/fraud-model") is None
    artifacts.save("compliance/fraud-model", {"version": 3, "coef": np.arange(3.0)})
    assert artifacts.load("compliance/fraud-model") == {"version": 3, "coef": [0.0, 1.0, 2.0]}


@pytest.mark.parametrize("name", ["../etc/passwd", "/abs", "a/../b", "UPPER", "", "a//b", "x" * 201, None])
def test_names_that_could_escape_the_store_are_refused(local, name):
    with pytest.raises(artifacts.ArtifactError):
        artifacts.save(name, {})
    with pytest.raises(artifacts.ArtifactError):
        artifacts.cached(name, dict)


def test_without_a_store_fits_live_in_the_process_only():
    calls = []
    assert artifacts.cached("x/y", lambda: calls.append(1) or {"a": 1}) == {"a": 1}
    assert artifacts.cached("x/y", lambda: calls.append(1) or {"a": 1}) == {"a": 1}
    assert len(calls) == 1 and artifacts.data_version() == "unversioned"


def test_in_aws_fits_live_under_the_artifacts_prefix_of_the_curated_bucket(monkeypatch):
    with mock_aws():
        aws.reset()
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
        monkeypatch.setenv("CURATED_BUCKET", "curated")
        s3 = boto3.client("s3", region_name="us-east-2")
        s3.create_bucket(Bucket="curated", CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
        s3.put_object(Bucket="curated", Key="_meta/manifest.json", Body=b'{"seed": 42}')
        doc = artifacts.cached("demand/churn", lambda: {"coef": [0.5]})
        version = artifacts.data_version()
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="curated")["Contents"]]
        assert f"_artifacts/demand/churn/{version}.json" in keys
        artifacts.reset()
        assert artifacts.cached("demand/churn", lambda: {"coef": [9.9]}) == doc  # read, not recomputed
        # a new upload of the dataset changes the manifest's ETag, hence the version
        s3.put_object(Bucket="curated", Key="_meta/manifest.json", Body=b'{"seed": 43}')
        artifacts.reset()
        assert artifacts.data_version() != version
        assert artifacts.load("nothing/here") is None
