"""Size of every Lambda zip as the pipeline builds it, against the 20 MB budget.

Builds each distinct package of the catalog exactly as `deploy.lambdas` does in CodeBuild
(pip for arm64 / CPython 3.12 from the hashed lock, both manylinux tags, the runtime's
boto3/botocore left out, deterministic zip) and prints its size, its largest dependencies (unpacked) and whether the
packaged dependency versions equal the ones installed here (the ones the tests ran).

    .venv/bin/python benchmarks/bench_zips.py            # every package
    .venv/bin/python benchmarks/bench_zips.py --strict   # exit 1 over budget or on a version drift

Needs the package index (pip downloads the arm64 wheels once, then its cache serves them).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.catalog import FUNCTIONS, LAMBDAS_DIR  # noqa: E402
from deploy import lambdas as dl  # noqa: E402

BUDGET_MB = 20.0


def installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def top_entries(zip_path: Path, n: int = 4) -> list[tuple[str, float]]:
    sizes: Counter[str] = Counter()
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            sizes[info.filename.split("/", 1)[0]] += info.compress_size
    return [(name, size / 2**20) for name, size in sizes.most_common(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-zips-") as scratch:
        deps = dl.Dependencies(Path(scratch) / "deps")
        seen: set[str] = set()
        print(f"{'zip':<26} {'MB':>6}  {'budget':>6}  largest parts (compressed MB)")
        for fn in FUNCTIONS:
            if fn.package in seen:
                continue
            seen.add(fn.package)
            started = time.perf_counter()
            package = dl.build_package(
                LAMBDAS_DIR, fn.package, Path(scratch) / "dist", dependencies=deps, bundles=fn.bundles
            )
            mb = package.size / 2**20
            over = mb > BUDGET_MB
            versions = dl.packaged_versions(package.zip_path)
            drift = {k: (v, installed(k)) for k, v in versions.items() if installed(k) != v}
            sdk = sorted(k for k in versions if k in dl.RUNTIME_PROVIDED)
            failed |= over or bool(drift) or bool(sdk)
            parts = ", ".join(f"{name} {size:.1f}" for name, size in top_entries(package.zip_path))
            print(
                f"{fn.package + '.zip':<26} {mb:6.1f}  {'OVER' if over else 'ok':>6}  {parts}"
                f"  ({time.perf_counter() - started:.0f} s)"
            )
            if drift:
                print(f"    versions differ from the tested ones (zip, tests): {drift}")
            if sdk:
                print(f"    runtime-provided SDK packaged: {sdk}")
        print(f"budget {BUDGET_MB:.0f} MB per zip; dependency versions equal the tested ones: {not failed}")
    return 1 if (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
