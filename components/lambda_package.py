"""The code a Lambda function is created with on the first `pulumi up`.

After creation the delivery pipeline owns each function's code (it builds the zip with the
dependencies, publishes a version and moves the `live` alias), and the Services component
ignores code changes. This initial archive only has to be a valid package with the same
layout as the pipeline's zip: `<package>/` and `shared/` at its root.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pulumi

from components.catalog import LAMBDAS_DIR, SHARED_PACKAGE, Function

# Never shipped: caches, tests and local artefacts.
_SKIP_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_SKIP_SUFFIXES = (".pyc", ".pyo")


def package_files(folder: Path) -> list[Path]:
    """The files of a code folder that belong in a zip, sorted (stable archives); [] if absent."""
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part in _SKIP_DIRS for part in relative.parts[:-1]) or path.is_dir():
            continue
        if path.name.startswith("test_") or path.name.endswith(_SKIP_SUFFIXES):
            continue
        files.append(path)
    return files


def archive_entries(fn: Function, lambdas_dir: Path = LAMBDAS_DIR) -> dict[str, Path]:
    """`{"<package>/<file>": path, "shared/<file>": path}`. A folder that does not exist yet
    (another engineer's package, or `shared/` before it lands) is skipped, not an error."""
    entries: dict[str, Path] = {}
    for package in _folders(fn):
        root = lambdas_dir / package
        for path in package_files(root):
            entries[f"{package}/{path.relative_to(root).as_posix()}"] = path
    return entries


def code_archive(fn: Function, lambdas_dir: Path = LAMBDAS_DIR) -> pulumi.AssetArchive:
    """The initial code of `fn` as an archive Pulumi zips at deploy time."""
    entries = archive_entries(fn, lambdas_dir)
    if not entries:
        # Lambda rejects an empty zip; a README keeps the function creatable and says why it
        # cannot run yet. The pipeline's first build replaces it.
        pulumi.log.warn(f"no code under {lambdas_dir / fn.package} yet; {fn.name} is created with a stub")
        return pulumi.AssetArchive(
            {
                "README.txt": pulumi.StringAsset(
                    f"{fn.name}: code not built yet; the delivery pipeline deploys it.\n"
                )
            }
        )
    return pulumi.AssetArchive({name: pulumi.FileAsset(str(path)) for name, path in entries.items()})


def _folders(fn: Function) -> Iterable[str]:
    return (*fn.packages, SHARED_PACKAGE)
