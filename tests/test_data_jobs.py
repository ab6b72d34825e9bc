"""The data-jobs function (lambdas/data_jobs/): over a small generated dataset (DuckDB locally)
it writes every data-versioned artifact of the analytics services, a second run reuses them, a
new dataset gets new ones, and a failing step fails the invocation after the others ran."""

from __future__ import annotations

import pytest

SCALE, SEED = 0.1, 7


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from local import dataset

    out = tmp_path_factory.mktemp("data-jobs") / "data"
    dataset.generate(out, scale=SCALE, seed=SEED, progress=None)
    return out


@pytest.fixture()
def job(data_dir, tmp_path, monkeypatch):
    from shared import artifacts
    from shared.warehouse import set_warehouse

    for name in ("CURATED_BUCKET", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAREHOUSE", "duckdb")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    set_warehouse(None)
    artifacts.reset()
    from data_jobs import handler

    yield handler
    set_warehouse(None)
    artifacts.reset()


def _stored(root):
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*.json")}


def test_the_job_writes_every_artifact_then_reuses_them(job, tmp_path):
    from shared import artifacts

    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "curated"}, "object": {"key": "_meta/manifest.json"}},
    }
    first = job.lambda_handler(event, None)
    version = artifacts.data_version()
    assert first["dataVersion"] == version and first["failed"] == []
    steps = {(s["service"], s["step"]) for s in first["steps"]}
    assert {s for s, _ in steps} == {"analytics-service", "demand-insights", "compliance-guardian"}
    assert ("compliance-guardian", "fraud model") in steps
    assert all(s["seconds"] >= 0 for s in first["steps"])

    root = tmp_path / "artifacts"
    stored = _stored(root)
    for name in (
        "shared/daily-sales",
        "analytics/cohort-matrix-v1",
        "analytics/covered-days",
        "compliance/fraud-model",
    ):
        assert f"{name}/{version}.json" in stored, (name, sorted(stored))
    for name in ("customer-scores", "reorder-base", "segments-k4"):
        assert any(k.startswith(f"demand-insights/{name}") for k in stored), (name, sorted(stored))
    assert all(k.endswith(f"/{version}.json") for k in stored), sorted(stored)

    second = job.lambda_handler({}, None)
    assert second["dataVersion"] == version and second["failed"] == []
    assert _stored(root) == stored  # nothing recomputed nor rewritten
    assert len(second["steps"]) == len(first["steps"])


def test_a_new_dataset_gets_new_artifacts(job, data_dir, tmp_path, monkeypatch):
    import shutil

    first = job.lambda_handler({}, None)
    moved = tmp_path / "data"
    shutil.copytree(data_dir, moved)
    manifest = moved / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")  # a new upload: another manifest
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(moved))
    from shared.warehouse import set_warehouse

    set_warehouse(None)
    second = job.lambda_handler({}, None)
    assert second["dataVersion"] != first["dataVersion"]
    fraud = {p.stem for p in (tmp_path / "artifacts" / "compliance" / "fraud-model").glob("*.json")}
    assert fraud == {first["dataVersion"], second["dataVersion"]}


def test_a_failing_step_fails_the_invocation_after_the_others_ran(job, monkeypatch):
    from analytics_service import cohorts

    def broken(_wh):
        raise RuntimeError("warehouse unavailable")

    monkeypatch.setattr(cohorts, "matrix", broken)
    with pytest.raises(job.JobFailedError, match="cohort matrix"):
        job.lambda_handler({}, None)
    summary = job.run()
    assert [f["step"] for f in summary["failed"]] == ["cohort matrix"]
    assert ("compliance-guardian", "fraud model") in {(s["service"], s["step"]) for s in summary["steps"]}


def test_an_upload_writes_the_manifest_last(data_dir):
    """The rule starts the job on the manifest's creation: every table's file is there by then."""
    from components.data_jobs import MANIFEST_KEY as TRIGGER
    from datagen.upload import MANIFEST_KEY, plan

    items = plan(data_dir, "curated", "raw")
    assert MANIFEST_KEY == TRIGGER == "_meta/manifest.json"
    assert [i.key for i in items].index(MANIFEST_KEY) == len(items) - 1
    assert items[-1].bucket == "curated"
