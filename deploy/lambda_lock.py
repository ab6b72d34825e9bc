"""Regenerate the hashed locks the Lambda zips install (`./dev lock` runs this).

    ./dev lock            # every lock, with the .venv's versions (the tested ones) as constraints
    ./dev lock --check    # only check that every lock exists and pins what its requirements say

One lock per distinct set of requirement files a zip installs (deploy.lambdas.lock_file):
lambdas/requirements.lock for the six AI services, lambdas/auth_service/requirements.lock
for the auth service and its authorizer (shared + auth requirements). Each is resolved by
`uv pip compile --generate-hashes` for Lambda's platform (CPython 3.12, manylinux aarch64),
with every transitive dependency pinned and a sha256 for every file of that release on the
index (all wheels and the sdist), so pip can verify whichever file it picks.

`./dev lock` installs uv into a throwaway venv (never into the project's requirements) and
passes the .venv's `pip freeze` as constraints, so the zips carry the versions the tests ran.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from deploy import DeployError
from deploy import lambdas as dl

PYTHON_VERSION = dl.LAMBDA_PYTHON
# glibc 2.28 and aarch64: accepts the manylinux2014 and manylinux_2_28 wheels the build asks
# for (deploy.lambdas.PIP_TARGET); Lambda's python3.12 runtime (Amazon Linux 2023) runs both.
PYTHON_PLATFORM = "aarch64-manylinux_2_28"
# The infrastructure build (buildspecs/infrastructure.yml) runs `pulumi up` and the policy pack
# in a venv of CodeBuild's python 3.12 on x86_64 (Amazon Linux 2023, glibc 2.34): one more
# lock, requirements.lock at the root, for requirements.txt + policy/requirements.txt.
INFRASTRUCTURE_PLATFORM = "x86_64-manylinux_2_28"
INFRASTRUCTURE_LOCK = "requirements.lock"


def infrastructure_target(root: Path) -> tuple[Path, list[Path], str]:
    return (
        root / INFRASTRUCTURE_LOCK,
        [root / "requirements.txt", root / "policy" / "requirements.txt"],
        INFRASTRUCTURE_PLATFORM,
    )


def all_targets(lambdas_root: Path, root: Path) -> list[tuple[Path, list[Path], str]]:
    """(lock, requirement files, platform) of every lock: the zips' and the infrastructure's."""
    return [(lock, files, PYTHON_PLATFORM) for lock, files in targets(lambdas_root)] + [
        infrastructure_target(root)
    ]


COMPILE_COMMAND = "./dev lock"
CONSTRAINTS_NAME = "tested-versions.txt"  # how the constraints appear in the locks' comments


def targets(lambdas_root: Path) -> list[tuple[Path, list[Path]]]:
    """(lock, requirement files it resolves) for every distinct zip of the catalog."""
    from components.catalog import FUNCTIONS

    found: dict[Path, list[Path]] = {}
    for fn in FUNCTIONS:
        files = dl.dependency_files(lambdas_root, fn.package, fn.bundles)
        lock = dl.lock_file(lambdas_root, fn.package, fn.bundles)
        if files and found.setdefault(lock, files) != files:
            raise DeployError(f"{lock} would lock two different sets of requirements")
    return sorted(found.items())


def compile_command(
    uv: Path, lock: Path, inputs: list[Path], *, constraints: Path | None, platform: str = PYTHON_PLATFORM
) -> list[str]:
    command = [str(uv), "pip", "compile", *(str(p) for p in inputs)]
    if constraints is not None:
        command += ["--constraint", str(constraints)]
    return [
        *command,
        "--generate-hashes",
        "--python-version",
        PYTHON_VERSION,
        "--python-platform",
        platform,
        "--annotation-style",
        "line",
        "--custom-compile-command",
        COMPILE_COMMAND,
        "--quiet",
        "--output-file",
        str(lock),
    ]


def check(lambdas_root: Path, root: Path | None = None) -> list[str]:
    """Problems with the locks as they are (no network)."""
    problems = []
    root = root or lambdas_root.parent
    for lock, files, _ in all_targets(lambdas_root, root):
        try:
            dl.check_lock(lock, files)
        except DeployError as exc:
            problems.append(str(exc))
    return problems


def regenerate(uv: Path, lambdas_root: Path, root: Path, constraints: Path | None) -> None:
    for lock, files, platform in all_targets(lambdas_root, root):
        relative = [p.relative_to(root) for p in files]
        # Relative paths from the repository root keep the locks' comments machine-independent.
        with tempfile.TemporaryDirectory(prefix="lambda-lock-") as scratch:
            local = None
            if constraints is not None:
                local = Path(scratch) / CONSTRAINTS_NAME
                local.write_bytes(constraints.read_bytes())
            out = Path(scratch) / dl.LOCK_NAME
            command = compile_command(uv, out, relative, constraints=local, platform=platform)
            subprocess.run(command, check=True, cwd=root)
            text = out.read_text()
            if local is not None:
                text = text.replace(str(local), CONSTRAINTS_NAME)
        lock.write_text(text)
        print(f"locked     {lock.relative_to(root)}  ({len(dl.read_lock(lock))} distributions)")


def main(argv: list[str] | None = None) -> int:
    from components.catalog import LAMBDAS_DIR

    parser = argparse.ArgumentParser(
        prog="./dev lock", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="check the locks, change nothing")
    parser.add_argument("--uv", type=Path, default=None, help="the uv executable (./dev lock installs one)")
    parser.add_argument("--constraints", type=Path, default=None, help="versions to keep (pip freeze)")
    args = parser.parse_args(argv)
    root = LAMBDAS_DIR.parent
    if not args.check:
        if args.uv is None or not os.access(args.uv, os.X_OK):
            print("lock: error: --uv must name the uv executable (use ./dev lock)", file=sys.stderr)
            return 2
        regenerate(args.uv, LAMBDAS_DIR, root, args.constraints)
    problems = check(LAMBDAS_DIR, root)
    for problem in problems:
        print(f"lock: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
