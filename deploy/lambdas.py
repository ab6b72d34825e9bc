"""Package and deploy the Lambda functions of one pipeline build.

    python -m deploy.lambdas --build auth-lambda|python-lambdas --stack $STACK \
        --prefix $FUNCTION_PREFIX [--dist build] [--artifact-bucket BUCKET] [--skip-deps] \
        [--dry-run | --package-only] [--lambdas-root lambdas]

For every function of the build (components.catalog.functions_for_build):

1. zip `<package>/` and `shared/` from lambdas/ plus the dependencies of
   lambdas/requirements.txt (+ lambdas/<package>/requirements.txt), installed as arm64 /
   CPython 3.12 wheels from the hashed lock lambdas/requirements.lock (or
   lambdas/<package>/requirements.lock): `pip install --require-hashes --no-deps`, so a wheel
   whose bytes differ from the ones locked is refused. `./dev lock` regenerates the locks.
   The zip is deterministic (sorted entries, fixed timestamps and modes), so unchanged code
   has an unchanged hash. Functions sharing a package share the zip.
2. compare its base64 SHA-256 with the CodeSha256 of the version the `live` alias points to,
   and the configuration a version freezes (memory, timeout, environment, VPC, role...) of
   $LATEST with that of the `live` version;
3. only if either differs: update the code if it changed (inline, or from --artifact-bucket
   above 50 MB), wait for the update, publish a version pinned to that hash, wait until the
   version is active, and move `live` to it.

Pulumi owns each function's configuration; after the first `pulumi up` this step owns the
code and where `live` points. A configuration change by `pulumi up` (the infrastructure stage
runs just before) is frozen into a new version here, so it reaches traffic without waiting for
a code change. Prints one line per function and writes <dist>/manifest.json.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from deploy import DeployError

ALIAS = "live"
BUILDS = ("auth-lambda", "python-lambdas")
SHARED_PACKAGE = "shared"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build time leaks in
EXCLUDED_DIRS = frozenset({"tests", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
EXCLUDED_FILES = frozenset({".DS_Store"})
# Lambda takes at most 50 MB of zip in the request; larger zips go through S3.
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
LAMBDA_PYTHON = "3.12"  # the functions' runtime (components/services.py: python3.12, arm64)
# Both tags: pip treats each --platform as acceptable, so it picks the newest wheel of either.
# manylinux2014 alone silently resolves older releases (argon2-cffi-bindings 21.2) and finds
# nothing for projects that publish only manylinux_2_28 wheels (numpy 2.4). Lambda's
# python3.12 runtime (Amazon Linux 2023, glibc 2.34) runs both.
PIP_TARGET = (
    "--platform",
    "manylinux2014_aarch64",
    "--platform",
    "manylinux_2_28_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    LAMBDA_PYTHON,
    "--only-binary=:all:",
)
LOCK_NAME = "requirements.lock"


# ---- packaging ---------------------------------------------------------------------------
def code_sha256(data: bytes) -> str:
    """Base64 SHA-256, the form Lambda reports as CodeSha256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _included(relative: Path, *, own_code: bool) -> bool:
    # Bytecode never goes in (it embeds build times); a dependency's other files are never
    # second-guessed, but our own tests stay out.
    excluded_dirs = EXCLUDED_DIRS if own_code else {"__pycache__"}
    if any(part in excluded_dirs for part in relative.parts[:-1]):
        return False
    name = relative.name
    if name in EXCLUDED_FILES or name.endswith(EXCLUDED_SUFFIXES):
        return False
    return not (own_code and (name.startswith("test_") or name == "conftest.py"))


def collect(root: Path, arc_prefix: str = "", *, own_code: bool = True) -> dict[str, Path]:
    """Files under `root` keyed by their name inside the zip (posix), minus tests and bytecode."""
    entries: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and _included(relative, own_code=own_code):
            entries[f"{arc_prefix}{relative.as_posix()}"] = path
    return entries


def requirement_files(lambdas_root: Path, package: str) -> list[Path]:
    """The requirement files that exist for a package (shared first)."""
    candidates = [lambdas_root / "requirements.txt", lambdas_root / package / "requirements.txt"]
    return [p for p in candidates if p.is_file()]


def dependency_files(lambdas_root: Path, package: str, bundles: Iterable[str] = ()) -> list[Path]:
    """The requirement files of a zip: the package's, then those of the packages it bundles."""
    files = requirement_files(lambdas_root, package)
    for name in bundles:
        files += [f for f in requirement_files(lambdas_root, name) if f not in files]
    return files


def lock_file(lambdas_root: Path, package: str, bundles: Iterable[str] = ()) -> Path:
    """The hashed lock a zip installs: `lambdas/<p>/requirements.lock` when one of its packages
    (`p`) has requirements of its own (it locks them with the shared ones), else the shared
    `lambdas/requirements.lock`. Each lock is the whole resolution for one zip, so the AI
    services' zips do not carry the auth service's argon2 and PyJWT."""
    own = [name for name in (package, *bundles) if (lambdas_root / name / "requirements.txt").is_file()]
    if len(own) > 1:
        raise DeployError(
            f"{package}: {', '.join(own)} each have requirements; one zip installs one lock "
            "(give the combination a lock of its own in deploy/lambda_lock.py)"
        )
    return lambdas_root / own[0] / LOCK_NAME if own else lambdas_root / LOCK_NAME


# A requirement line of a pip requirements file: `name[extras]==version ; marker`. The build
# installs only boto3, so the lock is read with this (tests/test_supply_chain.py checks it
# against `packaging` on every lock of the repository).
_PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;,]+)\s*(?:;.*)?$")


def _normalized_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def _requirement_lines(path: Path) -> list[str]:
    """Logical lines (continuations joined, comments and blank lines dropped)."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def read_lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{normalized name: (pinned version, sha256 hashes)} of a hashed requirements file.
    Raises DeployError on a line that is not `name==version --hash=sha256:...`."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in _requirement_lines(path):
        if line.startswith("-"):
            raise DeployError(f"{path}: options are not allowed in a lock: {line!r}")
        requirement, _, options = line.partition("--hash")
        match = _PINNED.match(requirement.strip())
        if not match:
            raise DeployError(f"{path}: {requirement.strip()!r} is not pinned with ==")
        hashes = re.findall(r"--hash[= ]sha256:([0-9a-f]{64})\b", f"--hash{options}")
        if not options or len(hashes) != f"--hash{options}".count("--hash"):
            raise DeployError(
                f"{path}: {requirement.strip()} needs --hash=sha256:<64 hex digits> on every hash"
            )
        entries[_normalized_name(match.group(1))] = (match.group(2), hashes)
    return entries


def check_lock(lock: Path, files: Iterable[Path]) -> None:
    """Refuse to build from a lock that is missing or does not pin what the requirement files
    ask for (a requirement changed without `./dev lock`)."""
    if not lock.is_file():
        raise DeployError(f"no lock file {lock}: run ./dev lock")
    locked = read_lock(lock)
    for path in files:
        for line in _requirement_lines(path):
            if line.startswith("-"):
                continue
            match = _PINNED.match(line)
            if not match:
                raise DeployError(f"{path}: {line!r} is not pinned with ==")
            name, version = _normalized_name(match.group(1)), match.group(2)
            if locked.get(name, ("",))[0] != version:
                have = f"{name}=={locked[name][0]}" if name in locked else f"no {name}"
                raise DeployError(
                    f"{lock} is stale: {path.name} pins {name}=={version}, the lock has {have}; run ./dev lock"
                )


def _has_requirements(files: Iterable[Path]) -> bool:
    for path in files:
        for line in path.read_text().splitlines():
            if line.strip() and not line.strip().startswith("#"):
                return True
    return False


def pip_command(target: Path, lock: Path) -> list[str]:
    """pip for the Lambda platform, from the lock only. --require-hashes: every file pip
    downloads must have a hash the lock lists. --no-deps: the lock already is the whole
    resolution for Lambda's Python; pip would evaluate dependency markers for the Python that
    runs it (3.11 on a laptop), not the --python-version target."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--require-hashes",
        "--no-deps",
        *PIP_TARGET,
        "--target",
        str(target),
        "-r",
        str(lock),
    ]


# The python3.12 runtime provides boto3 and botocore (and s3transfer). aws-xray-sdk, through
# Powertools' tracer, pulls botocore (~17 MB unpacked to ~30 MB) into every zip, where it would
# shadow the runtime's copy; the zips leave them out and use the runtime's.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _dist_info_name_version(metadata: str) -> tuple[str, str]:
    fields = {}
    for line in metadata.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return _normalized(fields.get("Name", "")), fields.get("Version", "")


def remove_runtime_provided(target: Path, names: frozenset[str] = RUNTIME_PROVIDED) -> list[str]:
    """Delete the installed distributions the Lambda runtime already has (every file their
    RECORD lists, then their dist-info). Returns the names removed."""
    removed = []
    for info in sorted(target.glob("*.dist-info")):
        metadata = info / "METADATA"
        if not metadata.is_file():
            continue
        name, _version = _dist_info_name_version(metadata.read_text(errors="replace"))
        if name not in names:
            continue
        record = info / "RECORD"
        if record.is_file():
            for line in record.read_text().splitlines():
                rel = line.split(",", 1)[0]
                path = (target / rel).resolve()
                if rel and path.is_file() and path.is_relative_to(target.resolve()):
                    path.unlink()
        for directory in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        if info.exists():
            for path in sorted(info.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            info.rmdir()
        removed.append(name)
    return removed


def packaged_versions(zip_path: Path) -> dict[str, str]:
    """{normalized distribution name: version} of the dependencies inside a zip."""
    versions = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            parts = name.split("/")
            if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                dist, version = _dist_info_name_version(zf.read(name).decode("utf-8", "replace"))
                versions[dist] = version
    return versions


def install_dependencies(
    target: Path, files: list[Path], lock: Path, runner: Callable[..., Any] = subprocess.run
) -> None:
    """pip-install the lock of the requirement files as Lambda (arm64, CPython 3.12) wheels
    into `target`, minus what the runtime provides."""
    target.mkdir(parents=True, exist_ok=True)
    if not _has_requirements(files):
        return
    check_lock(lock, files)
    runner(pip_command(target, lock), check=True)
    remove_runtime_provided(target)


def write_zip(entries: dict[str, Path], destination: Path) -> str:
    """Write a deterministic zip; returns its CodeSha256."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(entries):
            path = entries[name]
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # unix, so the mode bits below mean what they say
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return code_sha256(destination.read_bytes())


def package_entries(
    lambdas_root: Path, package: str, deps_dir: Path | None = None, bundles: tuple[str, ...] = ()
) -> dict[str, Path]:
    """Everything that goes into a package's zip: deps at the root, then the code on top
    (`shared/`, the bundled service packages, the package itself)."""
    source = lambdas_root / package
    for name in (package, *bundles):
        if not (lambdas_root / name).is_dir():
            raise DeployError(f"no code for package {name!r}: {lambdas_root / name} does not exist")
    shared = lambdas_root / SHARED_PACKAGE
    entries: dict[str, Path] = {}
    if deps_dir is not None and deps_dir.is_dir():
        # Console scripts (bin/) are useless in Lambda, and their shebang names the build
        # machine's Python: leaving them out keeps the hash stable across build images.
        entries.update(
            {
                name: path
                for name, path in collect(deps_dir, own_code=False).items()
                if not name.startswith("bin/")
            }
        )
    # The service's own code wins over a same-named file a dependency might bring.
    if shared.is_dir():
        entries.update(collect(shared, f"{SHARED_PACKAGE}/"))
    for name in bundles:
        entries.update(collect(lambdas_root / name, f"{name}/"))
    entries.update(collect(source, f"{package}/"))
    return entries


@dataclass(frozen=True)
class Package:
    package: str
    zip_path: Path
    sha256: str
    size: int


class Dependencies:
    """Installed dependencies per distinct lock (and requirement files), installed once per
    run: the six AI services share lambdas/requirements.lock, so pip runs once for all."""

    def __init__(self, work_dir: Path, runner: Callable[..., Any] = subprocess.run) -> None:
        self.work_dir = work_dir
        self.runner = runner
        self._dirs: dict[str, Path] = {}

    def dir_for(self, files: list[Path], lock: Path) -> Path:
        digest = hashlib.sha256()
        for path in [*files, lock]:
            digest.update(hashlib.sha256(path.read_bytes() if path.is_file() else b"").digest())
        key = digest.hexdigest()[:16]
        if key not in self._dirs:
            target = self.work_dir / f"deps-{key}"
            install_dependencies(target, files, lock, self.runner)
            self._dirs[key] = target
        return self._dirs[key]


def build_package(
    lambdas_root: Path,
    package: str,
    dist: Path,
    *,
    dependencies: Dependencies | None = None,
    bundles: tuple[str, ...] = (),
) -> Package:
    """Build `<dist>/<package>.zip`; without `dependencies` the zip holds only the code."""
    deps_dir = None
    if dependencies is not None:
        files = dependency_files(lambdas_root, package, bundles)
        deps_dir = dependencies.dir_for(files, lock_file(lambdas_root, package, bundles))
    entries = package_entries(lambdas_root, package, deps_dir, bundles)
    zip_path = dist / f"{package}.zip"
    sha = write_zip(entries, zip_path)
    return Package(package, zip_path, sha, zip_path.stat().st_size)


# ---- deploying ---------------------------------------------------------------------------
@dataclass
class Result:
    function: str
    function_name: str
    package: str
    code_sha256: str
    status: str  # unchanged | updated | would-update | packaged | failed
    version: str | None = None
    previous_version: str | None = None
    error: str | None = None
    changed: str = ""  # what differed from the live version: code, configuration or both

    def line(self) -> str:
        if self.status == "unchanged":
            return f"unchanged  {self.function_name}  {ALIAS}=version {self.version}"
        if self.status == "updated":
            return (
                f"updated    {self.function_name}  {ALIAS}: version {self.previous_version} -> {self.version}"
                f" ({self.changed})"
            )
        if self.status == "would-update":
            return (
                f"would update {self.function_name}  ({ALIAS} is version {self.previous_version};"
                f" {self.changed} changed)"
            )
        if self.status == "packaged":
            return f"packaged   {self.function_name}  {self.code_sha256}"
        return f"FAILED     {self.function_name}: {self.error}"


def function_name(prefix: str, short_name: str, stack: str) -> str:
    return f"{prefix}-{short_name}-{stack}"


# What a published version freezes besides the code (GetFunctionConfiguration's fields). A
# difference between $LATEST and the `live` version in any of these is a configuration change
# that `pulumi up` made and traffic does not see yet. Left out: per-version bookkeeping
# (Version, LastModified, CodeSha256/CodeSize, State, RevisionId, FunctionArn, Description).
VERSIONED_CONFIGURATION = (
    "Runtime",
    "Role",
    "Handler",
    "Timeout",
    "MemorySize",
    "Environment",
    "VpcConfig",
    "TracingConfig",
    "KMSKeyArn",
    "DeadLetterConfig",
    "Layers",
    "Architectures",
    "EphemeralStorage",
    "LoggingConfig",
    "FileSystemConfigs",
    "ImageConfigResponse",
)


def versioned_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """The part of a GetFunctionConfiguration answer a version freezes, normalized (lists of
    ids sorted, an absent block the same as an empty one)."""
    out: dict[str, Any] = {}
    for key in VERSIONED_CONFIGURATION:
        value = config.get(key)
        if key == "VpcConfig" and value:
            value = {
                "SubnetIds": sorted(value.get("SubnetIds") or []),
                "SecurityGroupIds": sorted(value.get("SecurityGroupIds") or []),
            }
            value = value if value["SubnetIds"] or value["SecurityGroupIds"] else None
        if key == "Environment" and value:
            value = value.get("Variables") or None
        if value in ({}, []):
            value = None
        out[key] = value
    return out


def live_configuration(lambda_client: Any, name: str, alias: str = ALIAS) -> tuple[str, dict[str, Any]]:
    """(version, GetFunctionConfiguration of that version) for the version `alias` points to."""
    from botocore.exceptions import ClientError

    try:
        version = lambda_client.get_alias(FunctionName=name, Name=alias)["FunctionVersion"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise DeployError(
                f"{name} or its {alias!r} alias does not exist; the infrastructure "
                "stage (pulumi up) creates both before this build runs"
            ) from exc
        raise
    return version, lambda_client.get_function_configuration(FunctionName=name, Qualifier=version)


def _wait_updated(lambda_client: Any, name: str) -> None:
    """Until LastUpdateStatus is Successful (polls GetFunction every second, up to 5 minutes)."""
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)


def deploy_code(
    lambda_client: Any,
    name: str,
    package: Package,
    *,
    s3_client: Any = None,
    artifact_bucket: str | None = None,
    alias: str = ALIAS,
    description: str = "",
    direct_upload_limit: int = DIRECT_UPLOAD_LIMIT,
    dry_run: bool = False,
) -> tuple[str, str, str, str]:
    """Bring `live` of function `name` to the package's code and the function's current
    configuration. Returns (status, live version, previous version, what changed)."""
    previous, live = live_configuration(lambda_client, name, alias)
    # A configuration update (pulumi up just ran) may still be in progress: code updates
    # during it fail with ResourceConflictException, and $LATEST's configuration is not final.
    if not dry_run:
        _wait_updated(lambda_client, name)
    latest = lambda_client.get_function_configuration(FunctionName=name)
    changed = [
        what
        for what, differs in (
            ("code", live["CodeSha256"] != package.sha256),
            ("configuration", versioned_configuration(latest) != versioned_configuration(live)),
        )
        if differs
    ]
    if not changed:
        return "unchanged", previous, previous, ""
    if dry_run:
        return "would-update", previous, previous, " and ".join(changed)

    if latest["CodeSha256"] != package.sha256:
        _upload_code(lambda_client, name, package, s3_client, artifact_bucket, direct_upload_limit)
        _wait_updated(lambda_client, name)

    # CodeSha256 makes Lambda refuse to publish if $LATEST is not the code we just uploaded
    # (another deploy raced us), instead of publishing someone else's code as ours. If
    # `pulumi up` already published $LATEST (publish=True), Lambda returns that version.
    publish: dict[str, Any] = {"FunctionName": name, "CodeSha256": package.sha256}
    if description:
        publish["Description"] = description[:256]
    version = lambda_client.publish_version(**publish)["Version"]
    # `live` must not point at a version that cannot serve yet (State Pending after a VPC or
    # runtime change): wait until the version itself is Active.
    lambda_client.get_waiter("published_version_active").wait(FunctionName=name, Qualifier=version)
    lambda_client.update_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    return "updated", version, previous, " and ".join(changed)


def _upload_code(
    lambda_client: Any,
    name: str,
    package: Package,
    s3_client: Any,
    artifact_bucket: str | None,
    direct_upload_limit: int,
) -> None:
    if package.size > direct_upload_limit:
        if not (artifact_bucket and s3_client):
            raise DeployError(
                f"{package.zip_path.name} is {package.size} bytes, over Lambda's direct "
                "upload limit; pass --artifact-bucket to upload it through S3"
            )
        hex_sha = base64.b64decode(package.sha256).hex()
        key = f"lambda-code/{package.package}/{hex_sha}.zip"
        s3_client.upload_file(str(package.zip_path), artifact_bucket, key)
        lambda_client.update_function_code(FunctionName=name, S3Bucket=artifact_bucket, S3Key=key)
    else:
        lambda_client.update_function_code(FunctionName=name, ZipFile=package.zip_path.read_bytes())


def deploy_build(
    build: str,
    *,
    stack: str,
    prefix: str,
    lambdas_root: Path,
    dist: Path,
    lambda_client: Any = None,
    s3_client: Any = None,
    artifact_bucket: str | None = None,
    skip_deps: bool = False,
    dry_run: bool = False,
    package_only: bool = False,
    description: str = "",
    direct_upload_limit: int = DIRECT_UPLOAD_LIMIT,
    runner: Callable[..., Any] = subprocess.run,
    out: Callable[[str], None] = print,
) -> list[Result]:
    """Package and deploy every function of `build`; one Result per function, in catalog order."""
    from components.catalog import functions_for_build

    functions = functions_for_build(build)
    if not functions:
        raise DeployError(f"no functions for build {build!r}; builds are {', '.join(BUILDS)}")
    dist.mkdir(parents=True, exist_ok=True)
    packages: dict[str, Package] = {}
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="lambda-deps-") as scratch:
        dependencies = None if skip_deps else Dependencies(Path(scratch), runner)
        for fn in functions:
            name = function_name(prefix, fn.name, stack)
            result = Result(fn.name, name, fn.package, "", "failed")
            try:
                if fn.package not in packages:  # auth-service and the authorizer share one zip
                    packages[fn.package] = build_package(
                        lambdas_root, fn.package, dist, dependencies=dependencies, bundles=fn.bundles
                    )
                package = packages[fn.package]
                result.code_sha256 = package.sha256
                if package_only:
                    result.status = "packaged"
                else:
                    result.status, result.version, result.previous_version, result.changed = deploy_code(
                        lambda_client,
                        name,
                        package,
                        s3_client=s3_client,
                        artifact_bucket=artifact_bucket,
                        description=description,
                        direct_upload_limit=direct_upload_limit,
                        dry_run=dry_run,
                    )
            except Exception as exc:
                result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
            results.append(result)
            out(result.line())
    write_manifest(dist, build, stack, results)
    return results


def write_manifest(dist: Path, build: str, stack: str, results: list[Result]) -> Path:
    path = dist / "manifest.json"
    rows = [{**asdict(r), "zip": f"{r.package}.zip"} for r in results]
    path.write_text(json.dumps({"build": build, "stack": stack, "functions": rows}, indent=2) + "\n")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.lambdas",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--build", required=True, choices=BUILDS)
    parser.add_argument("--stack", default=os.environ.get("STACK"), help="default: $STACK")
    parser.add_argument(
        "--prefix",
        default=os.environ.get("FUNCTION_PREFIX"),
        help="function name prefix (default: $FUNCTION_PREFIX)",
    )
    parser.add_argument("--dist", type=Path, default=Path("build"), help="where zips go (default build/)")
    parser.add_argument("--lambdas-root", type=Path, default=None, help="default: the repo's lambdas/")
    parser.add_argument(
        "--artifact-bucket",
        default=os.environ.get("ARTIFACT_BUCKET") or None,
        help="bucket for zips over 50 MB (default: $ARTIFACT_BUCKET)",
    )
    parser.add_argument("--skip-deps", action="store_true", help="do not pip-install requirements")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="package and compare, change nothing")
    mode.add_argument("--package-only", action="store_true", help="only build the zips (no AWS calls)")
    parser.add_argument("--region", default=None, help="default: the environment's AWS region")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.stack or not args.prefix:
        print(
            "lambdas: error: --stack and --prefix (or $STACK and $FUNCTION_PREFIX) are required",
            file=sys.stderr,
        )
        return 2
    if args.lambdas_root is None:
        from components.catalog import LAMBDAS_DIR

        args.lambdas_root = LAMBDAS_DIR
    lambda_client = s3_client = None
    if not args.package_only:
        import boto3

        session = boto3.session.Session(region_name=args.region)
        lambda_client = session.client("lambda")
        s3_client = session.client("s3") if args.artifact_bucket else None
    commit = os.environ.get("CODEBUILD_RESOLVED_SOURCE_VERSION", "")
    try:
        results = deploy_build(
            args.build,
            stack=args.stack,
            prefix=args.prefix,
            lambdas_root=args.lambdas_root,
            dist=args.dist,
            lambda_client=lambda_client,
            s3_client=s3_client,
            artifact_bucket=args.artifact_bucket,
            skip_deps=args.skip_deps,
            dry_run=args.dry_run,
            package_only=args.package_only,
            description=f"{args.build} build of commit {commit}" if commit else f"{args.build} build",
        )
    except DeployError as exc:  # per-function AWS errors are reported in the results
        print(f"lambdas: error: {exc}", file=sys.stderr)
        return 1
    failed = [r for r in results if r.status == "failed"]
    if failed:
        print(f"lambdas: {len(failed)} of {len(results)} functions failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
