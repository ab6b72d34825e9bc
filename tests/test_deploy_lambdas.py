"""deploy.lambdas: deterministic packaging, and deploy-if-changed against moto's Lambda."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from components.catalog import FUNCTIONS, functions_for_build
from deploy import lambdas as dl

REGION = "us-east-2"
PREFIX = "futureim-ecommerce-ai-platform"
STACK = "dev"


# ---- a lambdas/ tree of our own (never the other engineers' files) -----------------------------
def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lock_line(name: str, version: str) -> str:
    """One hashed lock entry (a made-up hash: these tests never let pip download)."""
    digest = hashlib.sha256(f"{name}=={version}".encode()).hexdigest()
    return f"{name}=={version} \\\n    --hash=sha256:{digest}\n"


@pytest.fixture()
def lambdas_root(tmp_path):
    root = tmp_path / "lambdas"
    write(root / "requirements.txt", "# shared by every zip\nfastjsonschema==2.22.3\n")
    write(root / "requirements.lock", lock_line("fastjsonschema", "2.22.3"))
    write(root / "shared" / "__init__.py", "")
    write(root / "shared" / "http.py", "def ok():\n    return 200\n")
    write(root / "shared" / "tests" / "test_http.py", "def test(): pass\n")
    for package in sorted({fn.package for fn in FUNCTIONS}):
        write(root / package / "__init__.py", "")
        write(root / package / "handler.py", f"def lambda_handler(event, context):\n    return {package!r}\n")
        write(root / package / "tests" / "test_handler.py", "def test(): pass\n")
        write(root / package / "test_inline.py", "def test(): pass\n")
        write(root / package / "__pycache__" / "handler.cpython-312.pyc", "bytecode")
        write(root / package / "stale.pyc", "bytecode")
    write(root / "auth_service" / "authorizer.py", "def lambda_handler(event, context):\n    return {}\n")
    return root


def names_in(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.namelist()


# ---- packaging -----------------------------------------------------------------------------
def test_zip_has_package_and_shared_and_no_tests_or_bytecode(lambdas_root, tmp_path):
    package = dl.build_package(lambdas_root, "auth_service", tmp_path / "dist")
    names = names_in(package.zip_path)
    assert "auth_service/handler.py" in names
    assert "auth_service/authorizer.py" in names
    assert "shared/http.py" in names
    assert not [
        n
        for n in names
        if "tests/" in n
        or "__pycache__" in n
        or n.endswith(".pyc")
        or n.rsplit("/", 1)[-1].startswith("test_")
    ]
    assert names == sorted(names)
    assert package.zip_path == tmp_path / "dist" / "auth_service.zip"


def test_bundled_packages_go_into_the_zip_and_a_missing_one_fails(lambdas_root, tmp_path):
    package = dl.build_package(
        lambdas_root, "retail_copilot", tmp_path / "dist", bundles=("analytics_service", "demand_insights")
    )
    names = names_in(package.zip_path)
    assert {"retail_copilot/handler.py", "analytics_service/handler.py", "demand_insights/handler.py"} <= set(
        names
    )
    assert "market_intelligence/handler.py" not in names
    with pytest.raises(dl.DeployError, match="no_such_service"):
        dl.build_package(lambdas_root, "retail_copilot", tmp_path / "dist", bundles=("no_such_service",))


def test_zip_is_deterministic(lambdas_root, tmp_path):
    first = dl.build_package(lambdas_root, "auth_service", tmp_path / "a")
    # Touch every file: a zip that recorded mtimes would change.
    for path in lambdas_root.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = dl.build_package(lambdas_root, "auth_service", tmp_path / "b")
    assert first.sha256 == second.sha256
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    with zipfile.ZipFile(first.zip_path) as zf:
        assert {info.date_time for info in zf.infolist()} == {dl.ZIP_EPOCH}


def test_hash_changes_with_code_and_is_lambdas_format(lambdas_root, tmp_path):
    before = dl.build_package(lambdas_root, "auth_service", tmp_path / "a")
    assert before.sha256 == dl.code_sha256(before.zip_path.read_bytes())
    assert len(before.sha256) == 44 and before.sha256.endswith("=")  # base64 of 32 bytes
    write(lambdas_root / "shared" / "http.py", "def ok():\n    return 204\n")
    after = dl.build_package(lambdas_root, "auth_service", tmp_path / "b")
    assert after.sha256 != before.sha256
    # A test-only change does not change what is deployed.
    write(lambdas_root / "auth_service" / "tests" / "test_handler.py", "def test(): assert 1\n")
    again = dl.build_package(lambdas_root, "auth_service", tmp_path / "c")
    assert again.sha256 == after.sha256


def test_pip_gets_lambda_platform_flags_and_installs_only_the_hashed_lock(lambdas_root, tmp_path):
    write(lambdas_root / "retail_copilot" / "requirements.txt", "jinja2==3.1.6\n")
    copilot_lock = "".join(
        lock_line(*entry)
        for entry in (("fastjsonschema", "2.22.3"), ("jinja2", "3.1.6"), ("markupsafe", "3.0.3"))
    )
    write(lambdas_root / "retail_copilot" / "requirements.lock", copilot_lock)
    calls = []

    def fake_pip(command, check):
        calls.append(command)
        target = Path(command[command.index("--target") + 1])
        write(target / "fastjsonschema" / "__init__.py", "VERSION = 'fake'\n")
        write(target / "fastjsonschema" / "__pycache__" / "x.pyc", "bytecode")
        write(target / "fastjsonschema-2.22.3.dist-info" / "METADATA", "Name: fastjsonschema\n")
        write(target / "bin" / "jsonschema-tool", "#!/build/machine/python3.12\n")

    deps = dl.Dependencies(tmp_path / "work", runner=fake_pip)
    copilot = dl.build_package(lambdas_root, "retail_copilot", tmp_path / "dist", dependencies=deps)
    command = calls[0]
    joined = " ".join(command)
    assert "-m pip install" in joined
    for flag in (
        "--platform manylinux2014_aarch64",
        "--implementation cp",
        "--python-version 3.12",
        "--only-binary=:all:",
        "--require-hashes",
        "--no-deps",
    ):
        assert flag in joined
    assert command[command.index("--target") + 1].startswith(str(tmp_path / "work"))
    # The package's own lock (its requirements with the shared ones), never a requirements.txt.
    files = [command[i + 1] for i, arg in enumerate(command) if arg == "-r"]
    assert files == [str(lambdas_root / "retail_copilot" / "requirements.lock")]
    names = names_in(copilot.zip_path)
    assert "fastjsonschema/__init__.py" in names  # dependencies at the zip's root
    assert "fastjsonschema-2.22.3.dist-info/METADATA" in names
    assert not [n for n in names if n.endswith(".pyc") or n.startswith("bin/")]

    # Packages with only the shared requirements share one installation.
    dl.build_package(lambdas_root, "analytics_service", tmp_path / "dist", dependencies=deps)
    dl.build_package(lambdas_root, "demand_insights", tmp_path / "dist", dependencies=deps)
    assert len(calls) == 2
    assert [calls[1][i + 1] for i, a in enumerate(calls[1]) if a == "-r"] == [
        str(lambdas_root / "requirements.lock")
    ]


def test_a_missing_or_stale_lock_stops_the_build_before_pip(lambdas_root, tmp_path):
    calls = []
    deps = dl.Dependencies(tmp_path / "work", runner=lambda command, check: calls.append(command))
    write(lambdas_root / "requirements.txt", "fastjsonschema==2.22.4\n")  # bumped, not relocked
    with pytest.raises(dl.DeployError, match=r"stale.*fastjsonschema==2\.22\.4.*\./dev lock"):
        dl.build_package(lambdas_root, "analytics_service", tmp_path / "dist", dependencies=deps)
    write(lambdas_root / "requirements.txt", "fastjsonschema==2.22.3\nnumpy==2.4.6\n")  # added
    with pytest.raises(dl.DeployError, match="no numpy"):
        dl.build_package(lambdas_root, "analytics_service", tmp_path / "dist", dependencies=deps)
    write(lambdas_root / "requirements.lock", "fastjsonschema==2.22.3\nnumpy==2.4.6\n")  # no hashes
    with pytest.raises(dl.DeployError, match="--hash"):
        dl.build_package(lambdas_root, "analytics_service", tmp_path / "dist", dependencies=deps)
    (lambdas_root / "requirements.lock").unlink()
    with pytest.raises(dl.DeployError, match="no lock file"):
        dl.build_package(lambdas_root, "analytics_service", tmp_path / "dist", dependencies=deps)
    assert calls == []


def test_no_pip_when_requirements_are_only_comments(lambdas_root, tmp_path):
    write(lambdas_root / "requirements.txt", "# nothing yet\n\n")
    calls = []
    deps = dl.Dependencies(tmp_path / "work", runner=lambda *a, **k: calls.append(a))
    dl.build_package(lambdas_root, "auth_service", tmp_path / "dist", dependencies=deps)
    assert calls == []


def test_package_only_cli_builds_one_zip_per_package(lambdas_root, tmp_path, capsys):
    dist = tmp_path / "build"
    code = dl.main(
        [
            "--build",
            "auth-lambda",
            "--stack",
            STACK,
            "--prefix",
            PREFIX,
            "--dist",
            str(dist),
            "--lambdas-root",
            str(lambdas_root),
            "--skip-deps",
            "--package-only",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in dist.iterdir()) == ["auth_service.zip", "manifest.json"]
    manifest = json.loads((dist / "manifest.json").read_text())
    assert [f["function"] for f in manifest["functions"]] == ["auth-service", "authorizer"]
    assert {f["zip"] for f in manifest["functions"]} == {"auth_service.zip"}
    assert capsys.readouterr().out.count("packaged") == 2


def test_missing_stack_or_prefix_is_an_error(monkeypatch, capsys):
    monkeypatch.delenv("STACK", raising=False)
    monkeypatch.delenv("FUNCTION_PREFIX", raising=False)
    assert dl.main(["--build", "auth-lambda", "--package-only"]) == 2
    assert "FUNCTION_PREFIX" in capsys.readouterr().err


# ---- deploying, against moto ---------------------------------------------------------------
@pytest.fixture()
def aws(monkeypatch):
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        yield session.client("lambda"), session.client("s3"), session.client("iam")


def stub_zip(text="placeholder") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("README.txt", text)
    return buffer.getvalue()


def create_functions(lambda_client, iam, build):
    """What `pulumi up` leaves behind: each function with stub code, version 1, alias live."""
    role = iam.create_role(
        RoleName="fn-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ],
            }
        ),
    )
    for fn in functions_for_build(build):
        name = dl.function_name(PREFIX, fn.name, STACK)
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Handler=fn.handler,
            Role=role["Role"]["Arn"],
            Code={"ZipFile": stub_zip()},
            Architectures=["arm64"],
            Publish=True,
        )
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")


def live(lambda_client, short_name):
    name = dl.function_name(PREFIX, short_name, STACK)
    version = lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"]
    sha = lambda_client.get_function_configuration(FunctionName=name, Qualifier=version)["CodeSha256"]
    return version, sha


def deploy(lambda_client, lambdas_root, dist, build="auth-lambda", **kwargs):
    lines = []
    results = dl.deploy_build(
        build,
        stack=STACK,
        prefix=PREFIX,
        lambdas_root=lambdas_root,
        dist=dist,
        lambda_client=lambda_client,
        skip_deps=True,
        out=lines.append,
        **kwargs,
    )
    return results, lines


def test_updates_publishes_and_moves_live_only_when_code_changes(aws, lambdas_root, tmp_path):
    lambda_client, _s3, iam = aws
    create_functions(lambda_client, iam, "auth-lambda")

    results, lines = deploy(lambda_client, lambdas_root, tmp_path / "d1")
    assert [r.status for r in results] == ["updated", "updated"]
    zip_sha = dl.code_sha256((tmp_path / "d1" / "auth_service.zip").read_bytes())
    for short in ("auth-service", "authorizer"):
        assert live(lambda_client, short) == ("2", zip_sha)
    assert lines[0].startswith("updated") and "version 1 -> 2" in lines[0]

    # Same code again: nothing is published, live stays.
    results, lines = deploy(lambda_client, lambdas_root, tmp_path / "d2")
    assert [r.status for r in results] == ["unchanged", "unchanged"]
    assert all(line.startswith("unchanged") for line in lines)
    name = dl.function_name(PREFIX, "authorizer", STACK)
    versions = [v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]

    # Changed code: a new version, live moves to it.
    write(lambdas_root / "auth_service" / "handler.py", "def lambda_handler(e, c):\n    return 'v2'\n")
    results, _ = deploy(lambda_client, lambdas_root, tmp_path / "d3")
    assert [(r.status, r.previous_version, r.version) for r in results] == [("updated", "2", "3")] * 2
    new_sha = dl.code_sha256((tmp_path / "d3" / "auth_service.zip").read_bytes())
    assert new_sha != zip_sha
    assert live(lambda_client, "auth-service") == ("3", new_sha)
    # The published version is exactly the zip we built (what `live` now serves).
    code = lambda_client.get_function(
        FunctionName=dl.function_name(PREFIX, "auth-service", STACK), Qualifier="3"
    )
    assert code["Configuration"]["CodeSha256"] == new_sha


def test_dry_run_changes_nothing(aws, lambdas_root, tmp_path):
    lambda_client, _s3, iam = aws
    create_functions(lambda_client, iam, "auth-lambda")
    before = live(lambda_client, "auth-service")
    results, _ = deploy(lambda_client, lambdas_root, tmp_path / "d", dry_run=True)
    assert [r.status for r in results] == ["would-update", "would-update"]
    assert live(lambda_client, "auth-service") == before


def test_large_zip_goes_through_the_artifact_bucket(aws, lambdas_root, tmp_path):
    lambda_client, s3, iam = aws
    create_functions(lambda_client, iam, "auth-lambda")
    s3.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})

    results, _ = deploy(lambda_client, lambdas_root, tmp_path / "d", direct_upload_limit=10)
    assert {r.status for r in results} == {"failed"}
    assert "--artifact-bucket" in results[0].error

    results, _ = deploy(
        lambda_client,
        lambdas_root,
        tmp_path / "d",
        direct_upload_limit=10,
        s3_client=s3,
        artifact_bucket="artifacts",
    )
    assert [r.status for r in results] == ["updated", "updated"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="artifacts")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("lambda-code/auth_service/")
    assert live(lambda_client, "auth-service")[1] == results[0].code_sha256


def test_a_missing_function_fails_alone_and_the_cli_exits_nonzero(aws, lambdas_root, tmp_path, capsys):
    lambda_client, _s3, iam = aws
    create_functions(lambda_client, iam, "python-lambdas")
    lambda_client.delete_function(FunctionName=dl.function_name(PREFIX, "retail-copilot", STACK))

    code = dl.main(
        [
            "--build",
            "python-lambdas",
            "--stack",
            STACK,
            "--prefix",
            PREFIX,
            "--skip-deps",
            "--dist",
            str(tmp_path / "d"),
            "--lambdas-root",
            str(lambdas_root),
            "--region",
            REGION,
        ]
    )
    out = capsys.readouterr()
    assert code == 1
    assert out.out.count("updated") == 6  # the other five services and the data-jobs function
    assert "FAILED" in out.out and "retail-copilot" in out.out and "pulumi up" in out.out
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert {f["function"]: f["status"] for f in manifest["functions"]}["retail-copilot"] == "failed"


# ---- real-deploy defects (issue 9) -----------------------------------------------------------
def test_pip_asks_for_both_aarch64_manylinux_tags(lambdas_root, tmp_path):
    # manylinux2014 alone gets old wheels (argon2-cffi-bindings 21.2 while tests run 25+) and
    # misses anything published only as manylinux_2_28.
    calls = []
    deps = dl.Dependencies(tmp_path / "work", runner=lambda command, check: calls.append(command))
    dl.build_package(lambdas_root, "auth_service", tmp_path / "dist", dependencies=deps)
    command = calls[0]
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert platforms == ["manylinux2014_aarch64", "manylinux_2_28_aarch64"]


def fake_distribution(target: Path, name: str, version: str, files: dict[str, str]) -> None:
    """What pip leaves for one distribution: its files and a dist-info whose RECORD lists them."""
    info = f"{name}-{version}.dist-info"
    for rel, text in files.items():
        write(target / rel, text)
    write(target / info / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    record = [*files, f"{info}/METADATA", f"{info}/RECORD"]
    write(target / info / "RECORD", "".join(f"{r},,\n" for r in record))


def test_runtime_provided_boto3_and_botocore_stay_out_of_the_zip(lambdas_root, tmp_path):
    def fake_pip(command, check):
        target = Path(command[command.index("--target") + 1])
        fake_distribution(
            target, "botocore", "1.44.8", {"botocore/__init__.py": "", "botocore/data/x.json": "{}"}
        )
        fake_distribution(target, "boto3", "1.44.8", {"boto3/__init__.py": ""})
        fake_distribution(target, "s3transfer", "0.16.0", {"s3transfer/__init__.py": ""})
        fake_distribution(target, "aws_xray_sdk", "2.15.0", {"aws_xray_sdk/__init__.py": ""})

    deps = dl.Dependencies(tmp_path / "work", runner=fake_pip)
    package = dl.build_package(lambdas_root, "analytics_service", tmp_path / "dist", dependencies=deps)
    names = names_in(package.zip_path)
    tops = {n.split("/", 1)[0] for n in names}
    assert not tops & {"botocore", "boto3", "s3transfer"}, sorted(tops)
    assert not [n for n in tops if n.startswith(("botocore-", "boto3-", "s3transfer-"))]
    assert "aws_xray_sdk/__init__.py" in names  # what the runtime lacks stays
    assert dl.packaged_versions(package.zip_path) == {"aws-xray-sdk": "2.15.0"}


class RecordingLambda:
    """A Lambda client that records the order of the calls deploy_code makes."""

    def __init__(self, client) -> None:
        self.client = client
        self.calls: list[str] = []

    def get_waiter(self, name):
        waiter = self.client.get_waiter(name)
        calls = self.calls

        class Waiter:
            def wait(self, **kwargs):
                calls.append(f"wait:{name}")
                return waiter.wait(**kwargs)

        return Waiter()

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(**kwargs):
            self.calls.append(name)
            return method(**kwargs)

        return call


def test_live_moves_only_after_the_published_version_is_active(aws, lambdas_root, tmp_path):
    lambda_client, _s3, iam = aws
    create_functions(lambda_client, iam, "auth-lambda")
    recorder = RecordingLambda(lambda_client)
    results, _ = deploy(recorder, lambdas_root, tmp_path / "d")
    assert [r.status for r in results] == ["updated", "updated"]
    calls = recorder.calls
    first_alias = calls.index("update_alias")
    assert calls[first_alias - 1] == "wait:published_version_active", calls
    assert calls.index("publish_version") < first_alias - 1


def test_a_configuration_change_alone_publishes_and_moves_live(aws, lambdas_root, tmp_path):
    # `pulumi up` changed only the environment (cdnEnabled -> new CORS origin): the code is the
    # same, but the version `live` points at froze the old environment.
    lambda_client, _s3, iam = aws
    create_functions(lambda_client, iam, "auth-lambda")
    deploy(lambda_client, lambdas_root, tmp_path / "d1")
    name = dl.function_name(PREFIX, "auth-service", STACK)
    origin = {"Variables": {"ALLOWED_ORIGIN": "https://d111.cloudfront.net"}}
    lambda_client.update_function_configuration(FunctionName=name, Environment=origin)

    results, lines = deploy(lambda_client, lambdas_root, tmp_path / "d2")
    by_fn = {r.function: r for r in results}
    assert (by_fn["auth-service"].status, by_fn["auth-service"].version) == ("updated", "3")
    assert by_fn["authorizer"].status == "unchanged"  # its configuration did not change
    assert "configuration" in lines[0]
    version = lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"]
    served = lambda_client.get_function_configuration(FunctionName=name, Qualifier=version)
    assert served["Environment"] == origin

    # And once live serves it, nothing more is published.
    results, _ = deploy(lambda_client, lambdas_root, tmp_path / "d3")
    assert [r.status for r in results] == ["unchanged", "unchanged"]
