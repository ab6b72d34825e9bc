"""The four CodeBuild buildspecs: valid, calling deploy modules that exist with arguments they
accept, and wired so that what one stage writes is what the next stage reads."""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import importlib
import io
import json
import re
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from components.catalog import FUNCTIONS
from deploy import frontend, stack_outputs

ROOT = Path(__file__).resolve().parent.parent
BUILDSPECS = ROOT / "buildspecs"
NAMES = ("infrastructure", "auth-lambda", "python-lambdas", "frontend")
SECONDARY = "infrastructure_output"  # the infrastructure action's output artifact

# What the CodeBuild projects set (components/pipeline.py), per buildspec; optional ones must
# only be used as ${VAR:+...}.
PROJECT_ENV = {
    "infrastructure": {
        "STACK",
        "PULUMI_BACKEND_URL",
        "PULUMI_SECRETS_PROVIDER",
        "PULUMI_VERSION",
        "PULUMI_SHA256",
        "AWS_REGION",
        "PIPELINE_NAME",
    },
    "auth-lambda": {"STACK", "FUNCTION_PREFIX"},
    "python-lambdas": {"STACK", "FUNCTION_PREFIX"},
    "frontend": {"STACK", "SITE_BUCKET"},
}
OPTIONAL_ENV = {
    "auth-lambda": {"ARTIFACT_BUCKET"},
    "python-lambdas": {"ARTIFACT_BUCKET"},
    "frontend": {"DISTRIBUTION_ID"},
}
CODEBUILD_ENV = {
    "HOME",
    "PATH",
    "CODEBUILD_SRC_DIR",
    f"CODEBUILD_SRC_DIR_{SECONDARY}",
    "CODEBUILD_RESOLVED_SOURCE_VERSION",
}
FAKE_ENV = {
    "STACK": "dev",
    "FUNCTION_PREFIX": "futureim-ecommerce-ai-platform",
    "SITE_BUCKET": "site-bucket",
    "PIPELINE_NAME": "futureim-ecommerce-ai-platform-pipeline-dev",
    "CODEBUILD_SRC_DIR": "/codebuild/output/src1",
    f"CODEBUILD_SRC_DIR_{SECONDARY}": "/codebuild/output/src2",
    "PATH": "/usr/bin:/bin",
}


def load(name: str) -> dict:
    return yaml.safe_load((BUILDSPECS / f"{name}.yml").read_text())


def commands(spec: dict, phase: str | None = None) -> list[str]:
    phases = [phase] if phase else list(spec["phases"])
    return [c for p in phases for c in (spec["phases"].get(p) or {}).get("commands", [])]


def deploy_calls(name: str) -> list[tuple[str, str]]:
    """(module, argument text) for every `python -m deploy.<module> ...` command."""
    calls = []
    for command in commands(load(name)):
        match = re.search(r"python -m deploy\.(\w+)(.*)$", command)
        if match:
            calls.append((match.group(1), match.group(2)))
    return calls


def expand(argument_text: str, **extra_env: str) -> list[str]:
    """The argv a shell would pass, with the CodeBuild environment (as bash expands it)."""
    env = {**FAKE_ENV, **extra_env}
    result = subprocess.run(
        ["bash", "-c", f'printf "%s\\0" {argument_text}'], env=env, capture_output=True, check=True
    )
    return [a.decode() for a in result.stdout.split(b"\0")[:-1]]


def parse(module: str, argument_text: str, **extra_env: str):
    mod = importlib.import_module(f"deploy.{module}")
    return mod.build_parser().parse_args(expand(argument_text, **extra_env))


# ---- every buildspec ------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_valid_version_02_with_python_312(name):
    spec = load(name)
    assert str(spec["version"]) == "0.2"
    assert commands(spec, "build"), "a build phase with commands"
    assert str(spec["phases"]["install"]["runtime-versions"]["python"]) == "3.12"


@pytest.mark.parametrize("name", NAMES)
def test_deploy_commands_name_existing_modules_and_valid_arguments(name):
    calls = deploy_calls(name)
    assert calls, f"{name} calls a deploy module"
    for module, args in calls:
        assert (ROOT / "deploy" / f"{module}.py").is_file(), f"deploy/{module}.py"
        # With and without the optional variables, the module's CLI accepts the arguments.
        for optional in ({}, {v: "x" for v in OPTIONAL_ENV.get(name, ())}):
            parse(module, args, **optional)


@pytest.mark.parametrize("name", NAMES)
def test_uses_only_variables_its_project_or_codebuild_sets(name):
    text = "\n".join(commands(load(name)))
    used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))
    allowed = PROJECT_ENV[name] | OPTIONAL_ENV.get(name, set()) | CODEBUILD_ENV
    assert used <= allowed, f"unknown variables: {used - allowed}"
    for optional in OPTIONAL_ENV.get(name, ()):
        # An unset optional variable must vanish with its flag (`${VAR:+--flag "$VAR"}`),
        # not become an empty argument.
        outside = re.sub(rf"\$\{{{optional}:\+[^}}]*\}}", "", text)
        assert optional not in outside
    for _module, args in deploy_calls(name):
        assert "" not in expand(args)


def test_deploy_modules_need_only_boto3_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore", "deploy", "components", "__future__"}
    in_builds = {module for name in NAMES for module, _ in deploy_calls(name)} | {"__init__", "__main__"}
    for path in sorted((ROOT / "deploy").glob("*.py")):
        tree = ast.parse(path.read_text())
        # Operator tools (admin, restore) run from a checkout with the project's venv: they may
        # read a stack file through components.settings, but only inside a function, so
        # `--table`/`--bucket` use needs boto3 alone. What a build runs needs only the catalog.
        lazy = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.split(".")[0]]
                if roots == ["components"]:
                    operator_tool = path.stem not in in_builds and id(node) in lazy
                    allowed_here = {"components.catalog"} | (
                        {"components.settings"} if operator_tool else set()
                    )
                    assert node.module in allowed_here, f"{path.name}: {node.module}"
            else:
                continue
            assert set(roots) <= allowed, f"{path.name} imports {roots}"
    # The catalog itself is import-free, so `pip install boto3` is all a build needs.
    catalog = ast.parse((ROOT / "components" / "catalog.py").read_text())
    imported = {n.module or "" for n in ast.walk(catalog) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(catalog) if isinstance(n, ast.Import) for a in n.names}
    assert {m.split(".")[0] for m in imported} <= set(sys.stdlib_module_names) | {"__future__"}


# ---- infrastructure ---------------------------------------------------------------------------
PULUMI_ARCHIVE_URL = "https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz"


@pytest.mark.parametrize("name", NAMES)
def test_no_build_pipes_a_download_into_a_shell(name):
    for command in commands(load(name)):
        assert not re.search(r"\|\s*(sudo\s+)?(ba|z)?sh\b", command), command
        assert not re.search(r"\b(ba)?sh\s+<\(", command), command  # nor `sh <(curl ...)`


def test_pulumi_cli_pinned_by_variable_then_login_select_up_output():
    spec = load("infrastructure")
    install = " ".join(commands(spec, "install"))
    assert f'"{PULUMI_ARCHIVE_URL}"' in install  # the release archive of the stack's version
    assert "get.pulumi.com |" not in install and 'get.pulumi.com"' not in install  # not the script
    assert ".pulumi/bin" in install  # on PATH
    assert "--require-hashes -r requirements.lock" in install  # the program's and the pack's deps
    text = (BUILDSPECS / "infrastructure.yml").read_text()
    assert not re.search(r"\b\d+\.\d+\.\d+\b", text), (
        "the version is pinned in the stack config (pulumiVersion), not here"
    )
    assert not re.search(r"\b[0-9a-f]{64}\b", text), "the hash is pinned beside it (pulumiSha256)"
    # linux-x64 is the build image's architecture.
    assert (
        "x86_64"
        in (ROOT / "components" / "pipeline.py").read_text().split("BUILD_IMAGE =", 1)[1].split("\n")[0]
    )

    build = commands(spec, "build")
    order = [
        next(i for i, c in enumerate(build) if c.startswith(prefix))
        for prefix in (
            "pulumi login",
            "pulumi stack select",
            "pulumi up",
            "pulumi stack output",
            "python -m deploy.stack_outputs",
        )
    ]
    assert order == sorted(order)
    login = next(c for c in build if c.startswith("pulumi login"))
    assert '"$PULUMI_BACKEND_URL"' in login
    select = next(c for c in build if c.startswith("pulumi stack select"))
    assert "--create" in select and "$PULUMI_SECRETS_PROVIDER" in select and "$STACK" in select
    up = shlex.split(next(c for c in build if c.startswith("pulumi up")))
    assert {"--yes", "--diff"} <= set(up)
    assert up[up.index("--stack") + 1] == "$STACK"
    assert spec["phases"]["build"].get("on-failure") == "ABORT"


def pulumi_install_commands() -> list[str]:
    """The install commands up to the one that unpacks the CLI (the rest set up Python)."""
    install = commands(load("infrastructure"), "install")
    end = next(i for i, c in enumerate(install) if re.search(r"\btar\b.*\s-\w*x", c))
    return install[: end + 1]


def fake_pulumi_archive() -> bytes:
    """A release archive shaped like Pulumi's: pulumi/pulumi and its language hosts."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ("pulumi", "pulumi-language-python"):
            data = f"#!/bin/sh\necho {name} v-test\n".encode()
            info = tarfile.TarInfo(f"pulumi/{name}")
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def run_pulumi_install(tmp_path: Path, archive: bytes, **env: str) -> tuple[int, str, Path]:
    """Run the install commands as CodeBuild does (each in bash, the first failure aborts), with
    a `curl` that serves `archive` and records the URL. Returns (exit code, stderr, home)."""
    home, bin_dir = tmp_path / "home", tmp_path / "bin"
    home.mkdir(parents=True)
    bin_dir.mkdir()
    (tmp_path / "served.tar.gz").write_bytes(archive)
    curl = bin_dir / "curl"
    curl.write_text(
        "#!/bin/bash\n"
        'out=""; url=""\n'
        'while [ $# -gt 0 ]; do case "$1" in -o|--output) out="$2"; shift 2;; --proto) shift 2;;'
        ' -*) shift;; *) url="$1"; shift;; esac; done\n'
        f'echo "$url" >> "{tmp_path}/urls"\n'
        f'cp "{tmp_path}/served.tar.gz" "$out"\n'
    )
    curl.chmod(0o755)
    full_env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), **env}
    for command in pulumi_install_commands():
        run = subprocess.run(["bash", "-c", command], env=full_env, capture_output=True, text=True)
        if run.returncode != 0:
            return run.returncode, run.stderr, home
    return 0, "", home


def test_pulumi_archive_is_checked_against_the_pinned_sha256_before_it_is_unpacked(tmp_path):
    archive = fake_pulumi_archive()
    good = hashlib.sha256(archive).hexdigest()
    code, err, home = run_pulumi_install(tmp_path / "ok", archive, PULUMI_VERSION="3.9.9", PULUMI_SHA256=good)
    assert code == 0, err
    cli = home / ".pulumi" / "bin" / "pulumi"
    assert cli.is_file() and cli.stat().st_mode & 0o111
    assert (tmp_path / "ok" / "urls").read_text().split() == [
        PULUMI_ARCHIVE_URL.replace("${PULUMI_VERSION}", "3.9.9")
    ]

    # Another archive under the same name (a compromised mirror or release): nothing unpacked.
    tampered = fake_pulumi_archive() + b"\0"
    code, _err, home = run_pulumi_install(
        tmp_path / "bad", tampered, PULUMI_VERSION="3.9.9", PULUMI_SHA256=good
    )
    assert code != 0
    assert not (home / ".pulumi").exists()

    # Fail closed: no hash on the project, or not a SHA-256, and nothing is downloaded at all.
    for value in ("", "abc123", good[:-1]):
        code, err, home = run_pulumi_install(
            tmp_path / f"unset{len(value)}", archive, PULUMI_VERSION="3.9.9", PULUMI_SHA256=value
        )
        assert code != 0 and not (home / ".pulumi").exists(), value
        if not value:
            assert "PULUMI_SHA256 is not set" in err and "pulumiSha256" in err
            assert not (tmp_path / "unset0" / "urls").exists()


def test_infrastructure_artifact_is_exactly_what_stack_outputs_writes():
    spec = load("infrastructure")
    build = commands(spec, "build")
    output_cmd = next(c for c in build if c.startswith("pulumi stack output"))
    assert "--json" in output_cmd
    written = output_cmd.split(">")[-1].strip()
    # The stack outputs step (pipeline_rerun also runs there, around `pulumi up`).
    ((_module, args),) = [c for c in deploy_calls("infrastructure") if c[0] == "stack_outputs"]
    parsed = parse("stack_outputs", args)
    assert parsed.source == written
    artifacts = spec["artifacts"]
    assert artifacts["base-directory"] == str(parsed.out_dir)
    assert artifacts["discard-paths"] is True
    assert sorted(artifacts["files"]) == sorted(stack_outputs.ARTIFACT_FILES)


def codebuild_artifact(base: Path, patterns: list[str], destination: Path, discard_paths: bool) -> None:
    """What CodeBuild uploads and CodePipeline hands to the next action, in one directory."""
    destination.mkdir(parents=True)
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base).as_posix()
        if path.is_file() and any(fnmatch.fnmatch(relative, p) for p in patterns):
            target = destination / (path.name if discard_paths else relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def test_what_infrastructure_writes_is_what_the_frontend_reads(tmp_path, monkeypatch):
    """Run both stages' deploy commands as written, with a CodePipeline hand-off between."""
    infra, front = load("infrastructure"), load("frontend")
    url = "https://abc123.execute-api.us-east-2.amazonaws.com/dev"

    # Infrastructure build, in its source directory.
    source1 = tmp_path / "src1"
    source1.mkdir()
    monkeypatch.chdir(source1)
    (source1 / "outputs.json").write_text(json.dumps({"apiUrl": url, "frontendBucket": "b"}))
    ((module, args),) = [c for c in deploy_calls("infrastructure") if c[0] == "stack_outputs"]
    assert importlib.import_module(f"deploy.{module}").main(expand(args)) == 0

    # The artifact, as the frontend action's secondary input sees it.
    secondary = tmp_path / "src2"
    artifacts = infra["artifacts"]
    codebuild_artifact(
        source1 / artifacts["base-directory"],
        artifacts["files"],
        secondary,
        bool(artifacts.get("discard-paths")),
    )

    # Frontend build's pre_build, in its own source directory.
    source = tmp_path / "src"
    (source / "frontend").mkdir(parents=True)
    monkeypatch.chdir(source)
    pre_build = [c for c in commands(front, "pre_build") if "deploy.frontend" in c]
    assert len(pre_build) == 1 and f'"$CODEBUILD_SRC_DIR_{SECONDARY}"' in pre_build[0]
    args = re.search(r"python -m deploy\.frontend(.*)$", pre_build[0]).group(1)
    env = {f"CODEBUILD_SRC_DIR_{SECONDARY}": str(secondary)}
    monkeypatch.setenv("STACK", "dev")
    assert frontend.main(expand(args, **env)) == 0
    assert (source / "frontend" / ".env.production").read_text() == f"VITE_API_URL={url}\nVITE_STAGE=dev\n"


def test_secondary_artifact_name_matches_the_pipeline():
    pipeline = ROOT / "components" / "pipeline.py"
    if not pipeline.exists():
        pytest.skip("components/pipeline.py not written yet")
    text = pipeline.read_text()
    assert f'"{SECONDARY}"' in text
    assert "buildspecs/{build}.yml" in text or all(f"buildspecs/{n}.yml" in text for n in NAMES)


# ---- Lambda builds ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["auth-lambda", "python-lambdas"])
def test_lambda_build_deploys_its_catalog_build(name):
    ((module, args),) = deploy_calls(name)
    assert module == "lambdas"
    parsed = parse(module, args)
    assert parsed.build == name
    assert (parsed.stack, parsed.prefix) == ("dev", FAKE_ENV["FUNCTION_PREFIX"])
    assert parse(module, args, ARTIFACT_BUCKET="art").artifact_bucket == "art"
    artifacts = load(name)["artifacts"]
    assert artifacts["base-directory"] == str(parsed.dist)
    assert {"*.zip", "manifest.json"} <= set(artifacts["files"])
    install = " ".join(commands(load(name), "install"))
    assert "boto3" in install


def test_every_catalog_function_is_deployed_by_a_buildspec():
    builds = {parse(m, a).build for name in ("auth-lambda", "python-lambdas") for m, a in deploy_calls(name)}
    assert {fn.build for fn in FUNCTIONS} == builds


# ---- frontend -----------------------------------------------------------------------------------
def test_frontend_build_node_20_then_publish_from_the_source_root():
    spec = load("frontend")
    assert str(spec["phases"]["install"]["runtime-versions"]["nodejs"]) == "20"
    build = commands(spec, "build")
    assert any("npm ci" in c and "npm run build" in c for c in build)
    # Phases share one shell: a bare `cd` would move post_build's relative paths.
    assert not [c for c in build if c.lstrip().startswith("cd ")]
    assert spec["phases"]["build"].get("on-failure") == "ABORT"

    (publish,) = [a for m, a in deploy_calls("frontend") if "publish" in a]
    parsed = parse("frontend", publish)
    assert parsed.command == "publish" and parsed.bucket == "site-bucket"
    assert parsed.distribution_id is None
    assert parse("frontend", publish, DISTRIBUTION_ID="E123").distribution_id == "E123"
    assert str(parsed.dist) == spec["artifacts"]["base-directory"] == "frontend/dist"
    assert any("publish" in c for c in commands(spec, "post_build"))


def infrastructure_guards_fail_early(spec: dict) -> dict[str, bool]:
    """Which required variables the build phase checks before `pulumi login`."""
    build = commands(spec, "build")
    login = next(i for i, c in enumerate(build) if c.startswith("pulumi login"))
    return {
        var: any(re.match(rf'test -n "\${var}" \|\| \{{ echo "{var} is not set', c) for c in build[:login])
        for var in ("PULUMI_BACKEND_URL", "PULUMI_SECRETS_PROVIDER")
    }


def test_infrastructure_fails_early_without_backend_or_secrets_provider(tmp_path):
    assert infrastructure_guards_fail_early(load("infrastructure")) == {
        "PULUMI_BACKEND_URL": True,
        "PULUMI_SECRETS_PROVIDER": True,
    }
    # And the check really stops the build with the message, run as CodeBuild runs it.
    build = commands(load("infrastructure"), "build")
    guard = next(c for c in build if "PULUMI_SECRETS_PROVIDER is not set" in c)
    run = subprocess.run(["bash", "-c", guard], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert run.returncode == 1 and "secretsProvider" in run.stderr
    select = next(c for c in build if c.startswith("pulumi stack select"))
    assert '--secrets-provider "$PULUMI_SECRETS_PROVIDER"' in select


def test_infrastructure_runs_pulumi_up_under_the_policy_pack_per_stack():
    build = commands(load("infrastructure"), "build")
    up = shlex.split(next(c for c in build if c.startswith("pulumi up")))
    assert up[up.index("--policy-pack") + 1] == "policy"
    assert up[up.index("--policy-pack-config") + 1] == "policy/config-$STACK.json"
    for stack, level in (("dev", "advisory"), ("prod", "mandatory")):
        config = json.loads((ROOT / "policy" / f"config-{stack}.json").read_text())
        assert config["all"] == level
    install = " ".join(commands(load("infrastructure"), "install"))
    assert "-r requirements.lock" in install  # locks policy/requirements.txt too (deploy/lambda_lock.py)
