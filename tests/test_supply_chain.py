"""Supply chain (issue 10, item 14): every direct dependency is pinned to one version, and the
Lambda zips install only what a hashed lock names (`pip install --require-hashes`).

Reads the requirement files, every `pip install` in buildspecs/ and in ./dev, and the locks
under lambdas/; the hash check runs pip itself on a wheel made here (offline)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shlex
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from components.catalog import FUNCTIONS, LAMBDAS_DIR
from deploy import lambda_lock
from deploy import lambdas as dl

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = sorted(
    {
        ROOT / "requirements.txt",
        ROOT / "requirements-dev.txt",
        ROOT / "policy" / "requirements.txt",
        *ROOT.glob("lambdas/requirements*.txt"),
        *ROOT.glob("lambdas/*/requirements*.txt"),
    }
)
ZIP_LOCKS = sorted({*ROOT.glob("lambdas/requirements.lock"), *ROOT.glob("lambdas/*/requirements.lock")})
INFRASTRUCTURE_LOCK = ROOT / "requirements.lock"  # what the infrastructure build installs
LOCKS = [*ZIP_LOCKS, INFRASTRUCTURE_LOCK]
# pip options that take the next word as their value (the rest of the words are requirements).
PIP_OPTIONS_WITH_VALUE = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-t",
    "--target",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--prefix",
    "--root",
    "--only-binary",
    "--no-binary",
    "--cache-dir",
}


# ---- reading requirements as pip does --------------------------------------------------------
def logical_lines(path: Path) -> list[str]:
    """The file's requirement lines: comments dropped, `\\` continuations joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = []
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            lines.append(line)
    return lines


def requirements_in(path: Path) -> list[str]:
    """Requirement specifiers of a file, following `-r` includes (options left out)."""
    specs = []
    for line in logical_lines(path):
        words = shlex.split(line)
        if words[0] in ("-r", "--requirement"):
            specs += requirements_in(path.parent / words[1])
        elif not words[0].startswith("-"):
            # `name==1.0 --hash=sha256:...`: the requirement is what comes before the options.
            specs.append(" ".join(w for w in words if not w.startswith("--hash")).strip())
    return specs


def unpinned(spec: str) -> str | None:
    """Why `spec` is not pinned to exactly one version, or None when it is."""
    req = Requirement(spec)
    if req.url:
        return f"{spec}: a URL, not a version"
    specifiers = list(req.specifier)
    if len(specifiers) != 1 or specifiers[0].operator not in ("==", "===") or "*" in specifiers[0].version:
        return f"{spec}: not pinned with =="
    return None


def pip_install_commands() -> list[tuple[str, str]]:
    """(where, command) for every `pip install` in the buildspecs and in ./dev."""
    found = []
    for path in sorted((ROOT / "buildspecs").glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        for phase in spec["phases"].values():
            for command in (phase or {}).get("commands", []):
                if re.search(r"\bpip install\b", command):
                    found.append((path.name, command))
    for line in (ROOT / "dev").read_text().splitlines():
        if re.search(r"\bpip install\b", line) and not line.lstrip().startswith("#"):
            found.append(("dev", line.strip()))
    return found


def install_arguments(command: str) -> tuple[list[str], list[str]]:
    """(requirement specifiers, -r files) of one `pip install` command line."""
    words = shlex.split(command[command.index("pip install") :])[2:]
    specs, files = [], []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("&&", "||", ";", "|"):
            break
        if word in ("-r", "--requirement"):
            files.append(words[i + 1])
        if word in PIP_OPTIONS_WITH_VALUE:
            i += 2
            continue
        if not word.startswith("-"):
            specs.append(word)
        i += 1
    return specs, files


# ---- (a) every direct dependency pinned -------------------------------------------------------
def test_the_files_under_test_exist():
    names = {p.relative_to(ROOT).as_posix() for p in REQUIREMENT_FILES}
    assert {
        "requirements.txt",
        "requirements-dev.txt",
        "policy/requirements.txt",
        "lambdas/requirements.txt",
        "lambdas/auth_service/requirements.txt",
    } <= names
    assert len(pip_install_commands()) >= 6  # four buildspecs and ./dev


@pytest.mark.parametrize("path", REQUIREMENT_FILES + LOCKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_requirement_file_pins_every_requirement(path):
    specs = requirements_in(path)
    assert specs, f"{path.name} names no requirement"
    problems = [why for spec in specs if (why := unpinned(spec))]
    assert not problems, problems


def test_every_pip_install_in_the_builds_and_dev_is_pinned():
    problems = []
    for where, command in pip_install_commands():
        specs, files = install_arguments(command)
        assert specs or files, f"{where}: {command} installs nothing we can read"
        problems += [f"{where}: {why}" for spec in specs if (why := unpinned(spec))]
        for name in files:
            path = ROOT / name
            assert path.is_file(), f"{where}: {name} does not exist"
            problems += [
                f"{where} -r {name}: {why}" for spec in requirements_in(path) if (why := unpinned(spec))
            ]
    assert not problems, problems


def test_the_pinning_check_catches_what_it_must():
    for spec in (
        "boto3>=1.35",
        "PyYAML",
        "numpy~=2.4",
        "boto3==1.*",
        "boto3>=1,<2",
        "x @ https://e.org/x.whl",
    ):
        assert unpinned(spec), spec
    for spec in (
        "boto3==1.44.8",
        "aws-lambda-powertools[tracer]==3.37.0",
        'six==1.17.0; python_version < "4"',
    ):
        assert unpinned(spec) is None, spec
    specs, files = install_arguments(
        'python -m pip install --quiet --platform manylinux2014_aarch64 -r a.txt "boto3>=1.35" -t d'
    )
    assert (specs, files) == (["boto3>=1.35"], ["a.txt"])


def test_builds_install_the_boto3_the_tests_run_with():
    pinned = {canonicalize_name(Requirement(s).name): s for s in requirements_in(ROOT / "requirements.txt")}
    for where, command in pip_install_commands():
        for spec in install_arguments(command)[0]:
            name = canonicalize_name(Requirement(spec).name)
            if name in pinned:
                assert Requirement(spec).specifier == Requirement(pinned[name]).specifier, (where, spec)


# ---- (b) the hashed lock of the Lambda zips ---------------------------------------------------
def zip_dependency_sets() -> set[tuple[str, tuple[str, ...]]]:
    """(package, bundles) of every distinct zip the catalog builds."""
    return {(fn.package, tuple(fn.bundles)) for fn in FUNCTIONS}


def test_every_zip_has_a_lock_that_covers_its_requirements_at_their_pins():
    for package, bundles in sorted(zip_dependency_sets()):
        lock = dl.lock_file(LAMBDAS_DIR, package, bundles)
        assert lock.is_file(), f"{package}: no {lock.relative_to(ROOT)} (./dev lock)"
        locked = {canonicalize_name(Requirement(s).name): Requirement(s) for s in requirements_in(lock)}
        for source in dl.dependency_files(LAMBDAS_DIR, package, bundles):
            for spec in requirements_in(source):
                req = Requirement(spec)
                name = canonicalize_name(req.name)
                assert name in locked, f"{lock.name} lacks {req.name} ({source.relative_to(ROOT)})"
                assert locked[name].specifier == req.specifier, f"{lock.name}: {locked[name]} vs {spec}"
        dl.check_lock(lock, dl.dependency_files(LAMBDAS_DIR, package, bundles))  # the build's own check


def test_the_infrastructure_build_installs_only_its_hashed_lock():
    lock, files, _platform = lambda_lock.infrastructure_target(ROOT)
    dl.check_lock(lock, files)  # covers requirements.txt and policy/requirements.txt at their pins
    installs = [c for where, c in pip_install_commands() if where == "infrastructure.yml"]
    assert installs, "the infrastructure build installs nothing?"
    for command in installs:
        words = shlex.split(command)
        assert "--require-hashes" in words, command
        assert words[words.index("-r") + 1] == "requirements.lock", command
        assert words.count("-r") == 1 and "requirements.txt" not in command, command


def test_the_auth_lock_has_its_own_requirements_and_the_others_do_not():
    auth = dl.lock_file(LAMBDAS_DIR, "auth_service")
    shared = dl.lock_file(LAMBDAS_DIR, "analytics_service")
    assert auth != shared
    names = {p: {canonicalize_name(Requirement(s).name) for s in requirements_in(p)} for p in (auth, shared)}
    assert {"pyjwt", "argon2-cffi", "argon2-cffi-bindings"} <= names[auth]
    assert not {"pyjwt", "argon2-cffi"} & names[shared]  # the AI services' zips stay as they were
    assert names[shared] <= names[auth]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_locked_line_is_pinned_and_hashed(lock):
    entries = [line for line in logical_lines(lock) if not line.startswith("-")]
    assert entries
    for entry in entries:
        requirement = entry.partition(" --hash")[0]
        hashes = re.findall(r"--hash[= ]sha256:([0-9a-f]+)", entry)
        assert hashes, f"{lock.name}: {requirement} has no --hash"
        assert all(len(h) == 64 for h in hashes), f"{lock.name}: {requirement}"
        assert unpinned(requirement) is None


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_locked_versions_are_the_versions_the_tests_run(lock):
    # ./dev lock resolves with the .venv's versions as constraints: the zip carries what passed.
    differ = {}
    for spec in requirements_in(lock):
        req = Requirement(spec)
        try:
            installed = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if not req.specifier.contains(installed, prereleases=True):
            differ[req.name] = (str(req.specifier), installed)
    assert not differ, f"(lock, tests) differ: {differ}"


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_build_reads_a_lock_as_packaging_does(lock):
    # deploy/ needs only boto3 and the standard library (CodeBuild installs nothing else), so it
    # reads the lock with a small parser of its own: checked here against `packaging`.
    ours = dl.read_lock(lock)
    theirs = {}
    for spec in requirements_in(lock):
        req = Requirement(spec)
        theirs[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    assert {name: version for name, (version, _hashes) in ours.items()} == theirs
    raw_hashes = set(re.findall(r"sha256:([0-9a-f]{64})", lock.read_text()))
    assert {h for _v, hashes in ours.values() for h in hashes} == raw_hashes


def test_the_lock_tool_targets_lambdas_python_and_platform():
    # The resolution the lock was made for is the one pip installs for.
    target = list(dl.PIP_TARGET)
    assert target[target.index("--python-version") + 1] == dl.LAMBDA_PYTHON
    assert lambda_lock.PYTHON_VERSION == dl.LAMBDA_PYTHON
    assert lambda_lock.PYTHON_PLATFORM.startswith("aarch64-manylinux")
    targets = lambda_lock.targets(LAMBDAS_DIR)
    assert {lock for lock, _inputs in targets} == set(ZIP_LOCKS)
    every = lambda_lock.all_targets(LAMBDAS_DIR, ROOT)
    assert {lock for lock, _inputs, _platform in every} == set(LOCKS)
    (infrastructure,) = [t for t in every if t[0] == INFRASTRUCTURE_LOCK]
    assert infrastructure[2].startswith("x86_64-manylinux")  # CodeBuild's image, not Lambda's
    command = lambda_lock.compile_command(Path("uv"), *targets[0], constraints=Path("c.txt"))
    assert "--generate-hashes" in command
    assert command[command.index("--python-platform") + 1] == lambda_lock.PYTHON_PLATFORM
    assert command[command.index("--constraint") + 1] == "c.txt"
    assert command[command.index("--output-file") + 1] == str(targets[0][0])


def test_zip_build_command_installs_only_the_lock_with_hashes_required(tmp_path):
    lock = dl.lock_file(LAMBDAS_DIR, "auth_service")
    command = dl.pip_command(tmp_path / "t", lock)
    assert command[1:4] == ["-m", "pip", "install"]
    assert {"--require-hashes", "--no-deps", "--only-binary=:all:"} <= set(command)
    files = [command[i + 1] for i, arg in enumerate(command) if arg in ("-r", "--requirement")]
    assert files == [str(lock)]
    assert not [a for a in command if a.endswith("requirements.txt")]


# ---- pip really refuses a wheel that does not match the lock (offline) ------------------------
def make_wheel(folder: Path, body: str) -> Path:
    name = "lockprobe"
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    files = {
        f"{name}/__init__.py": body,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(wheel, "w") as zf:
        for n, text in files.items():
            zf.writestr(n, text)
    return wheel


def pip_install_lock(lock_text: str, tmp_path: Path, wheels: Path) -> subprocess.CompletedProcess:
    tmp_path.mkdir()
    lock = tmp_path / "requirements.lock"
    lock.write_text(lock_text)
    target = tmp_path / "target"
    # The build's own command, pointed at a local folder instead of the index.
    command = [*dl.pip_command(target, lock), "--no-index", "--find-links", str(wheels)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull  # this machine's pip.conf adds indexes and constraints
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_pip_installs_the_locked_wheel_and_refuses_a_tampered_one(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wheel = make_wheel(wheels, "GOOD = True\n")
    good = hashlib.sha256(wheel.read_bytes()).hexdigest()
    entry = "lockprobe==1.0 \\\n    --hash=sha256:{}\n"

    ok = pip_install_lock(entry.format(good), tmp_path / "ok", wheels)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok" / "target" / "lockprobe" / "__init__.py").read_text() == "GOOD = True\n"

    # Same name and version, other bytes (a compromised upload or mirror): refused, nothing installed.
    make_wheel(wheels, "GOOD = False  # swapped\n")
    swapped = pip_install_lock(entry.format(good), tmp_path / "swapped", wheels)
    assert swapped.returncode != 0
    assert "do not match the hashes" in swapped.stderr.lower()
    assert not (tmp_path / "swapped" / "target" / "lockprobe").exists()

    # A lock line without a hash is refused too (--require-hashes).
    bare = pip_install_lock("lockprobe==1.0\n", tmp_path / "bare", wheels)
    assert bare.returncode != 0 and "hash" in bare.stderr.lower()
