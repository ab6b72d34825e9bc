"""The real zips, built as the pipeline builds them (pip for Lambda's arm64 CPython 3.12, from
the hashed lock with --require-hashes):
the dependency versions packaged are the ones the tests ran against, the runtime's boto3 and
botocore are not shadowed, and each zip fits the 20 MB budget with numpy in it."""

from __future__ import annotations

import importlib.metadata
import zipfile

import pytest

from components.catalog import LAMBDAS_DIR
from deploy import lambdas as dl

BUDGET_BYTES = 20 * 1024 * 1024
# One zip per distinct set of requirement files: auth (shared + its own), and the AI services.
PACKAGES = ("auth_service", "analytics_service")


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    work = tmp_path_factory.mktemp("zips")
    deps = dl.Dependencies(work / "deps")
    return {p: dl.build_package(LAMBDAS_DIR, p, work / "dist", dependencies=deps) for p in PACKAGES}


def version_under_test(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@pytest.mark.parametrize("package", PACKAGES)
def test_packaged_versions_are_the_tested_versions(zips, package):
    packaged = dl.packaged_versions(zips[package].zip_path)
    assert "numpy" in packaged and "aws-lambda-powertools" in packaged
    if package == "auth_service":
        assert "argon2-cffi-bindings" in packaged
    differ = {
        name: (v, version_under_test(name)) for name, v in packaged.items() if version_under_test(name) != v
    }
    assert not differ, f"packaged (zip, tests) versions differ: {differ}"


@pytest.mark.parametrize("package", PACKAGES)
def test_zip_leaves_the_runtime_sdk_out_and_fits_the_budget(zips, package):
    with zipfile.ZipFile(zips[package].zip_path) as zf:
        tops = {name.split("/", 1)[0] for name in zf.namelist()}
    assert not {t for t in tops if t.split("-", 1)[0] in dl.RUNTIME_PROVIDED}, sorted(tops)
    assert zips[package].size <= BUDGET_BYTES, f"{package}.zip is {zips[package].size / 2**20:.1f} MB"


@pytest.mark.parametrize("package", PACKAGES)
def test_zip_holds_exactly_its_lock_minus_the_runtime_sdk(zips, package):
    locked = dl.read_lock(dl.lock_file(LAMBDAS_DIR, package))
    expected = {name: version for name, (version, _h) in locked.items() if name not in dl.RUNTIME_PROVIDED}
    assert dl.packaged_versions(zips[package].zip_path) == expected
