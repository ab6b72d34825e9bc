"""The deploy CLIs end to end, as CodeBuild runs them: `python -m deploy.<module>` in separate
processes against a real moto server on loopback, reached through AWS_ENDPOINT_URL."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import boto3
import pytest

from components.catalog import functions_for_build

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-2"
PREFIX = "futureim-ecommerce-ai-platform"
ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture()
def env(moto_server):
    """The environment of a CodeBuild container, with moto standing in for AWS."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "CODEBUILD_")) and k not in ("STACK", "FUNCTION_PREFIX")
    }
    return {
        **base,
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "STACK": "dev",
    }


@pytest.fixture()
def session(moto_server):
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def client(session, moto_server, name):
    return session.client(name, endpoint_url=moto_server)


def cli(env, *args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


def test_bootstrap_cli_twice(env, session, moto_server):
    first = cli(env, "deploy.bootstrap_backend", "--stack", "dev", "--region", REGION)
    assert first.returncode == 0, first.stderr
    bucket = f"{PREFIX}-pulumi-state-{ACCOUNT}"
    assert f"pulumi login s3://{bucket}" in first.stdout
    assert "pulumi stack init dev --secrets-provider" in first.stdout

    second = cli(env, "deploy.bootstrap_backend", "--stack", "dev", "--region", REGION)
    assert second.returncode == 0, second.stderr
    assert "nothing to change" in second.stdout

    s3 = client(session, moto_server, "s3")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    kms = client(session, moto_server, "kms")
    assert len([a for a in kms.list_aliases()["Aliases"] if a["AliasName"].endswith("-pulumi-state")]) == 1


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_lambdas_cli_updates_then_leaves_unchanged(env, session, moto_server, tmp_path):
    lambdas_root = tmp_path / "lambdas"
    write(lambdas_root / "shared" / "__init__.py", "")
    write(lambdas_root / "auth_service" / "handler.py", "def lambda_handler(e, c):\n    return 1\n")
    write(lambdas_root / "auth_service" / "authorizer.py", "def lambda_handler(e, c):\n    return 2\n")

    iam, lambda_client = client(session, moto_server, "iam"), client(session, moto_server, "lambda")
    role = iam.create_role(RoleName="e2e-fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    stub = io.BytesIO()
    with zipfile.ZipFile(stub, "w") as zf:
        zf.writestr("README.txt", "stub")
    for fn in functions_for_build("auth-lambda"):
        name = f"{PREFIX}-{fn.name}-dev"
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler=fn.handler,
            Code={"ZipFile": stub.getvalue()},
            Publish=True,
        )
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")

    args = (
        "deploy.lambdas",
        "--build",
        "auth-lambda",
        "--stack",
        "dev",
        "--prefix",
        PREFIX,
        "--dist",
        str(tmp_path / "build"),
        "--lambdas-root",
        str(lambdas_root),
        "--skip-deps",
    )
    first = cli(env, *args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("updated") == 2 and "version 1 -> 2" in first.stdout
    second = cli(env, *args)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("unchanged") == 2
    alias = lambda_client.get_alias(FunctionName=f"{PREFIX}-authorizer-dev", Name="live")
    assert alias["FunctionVersion"] == "2"


def test_infrastructure_artifact_to_frontend_publish(env, session, moto_server, tmp_path):
    # Infrastructure stage: stack outputs -> artifact.
    url = "https://abc123.execute-api.us-east-2.amazonaws.com/dev"
    (tmp_path / "outputs.json").write_text(json.dumps({"apiUrl": url}))
    result = cli(
        env,
        "deploy.stack_outputs",
        "--from",
        str(tmp_path / "outputs.json"),
        "--out-dir",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr

    # Frontend stage: .env.production, then (after a "vite build") publish + invalidation.
    (tmp_path / "frontend").mkdir()
    result = cli(
        env,
        "deploy.frontend",
        "write-env",
        "--artifact-dir",
        str(tmp_path / "out"),
        "--frontend-dir",
        str(tmp_path / "frontend"),
    )
    assert result.returncode == 0, result.stderr
    assert f"VITE_API_URL={url}\n" in (tmp_path / "frontend" / ".env.production").read_text()

    write(tmp_path / "frontend" / "dist" / "index.html", "<html></html>")
    write(tmp_path / "frontend" / "dist" / "assets" / "index-1a2b.js", "console.log(1)")
    s3, cloudfront = client(session, moto_server, "s3"), client(session, moto_server, "cloudfront")
    bucket = f"{PREFIX}-frontend-dev-{ACCOUNT}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key="assets/old.js", Body=b"old")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "e2e",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "s3",
                        "DomainName": f"{bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "s3",
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
        }
    )["Distribution"]["Id"]

    publish = (
        "deploy.frontend",
        "publish",
        "--dist",
        str(tmp_path / "frontend" / "dist"),
        "--bucket",
        bucket,
        "--distribution-id",
        distribution,
    )
    first = cli(env, *publish)
    assert first.returncode == 0, first.stderr
    assert "uploaded 2, unchanged 0, deleted 1" in first.stdout
    second = cli(env, *publish)
    assert "uploaded 0, unchanged 2, deleted 0" in second.stdout
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["assets/index-1a2b.js", "index.html"]
    assert s3.head_object(Bucket=bucket, Key="index.html")["CacheControl"] == "no-cache"
    invalidations = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    assert invalidations["Quantity"] == 2  # every publish invalidates, even with nothing new


def test_lambdas_cli_moves_live_when_only_the_configuration_changed(env, session, moto_server, tmp_path):
    # What `pulumi up` does when cdnEnabled flips: only the environment of $LATEST changes.
    lambdas_root = tmp_path / "lambdas"
    write(lambdas_root / "shared" / "__init__.py", "")
    write(lambdas_root / "auth_service" / "handler.py", "def lambda_handler(e, c):\n    return 1\n")
    write(lambdas_root / "auth_service" / "authorizer.py", "def lambda_handler(e, c):\n    return 2\n")
    iam, lambda_client = client(session, moto_server, "iam"), client(session, moto_server, "lambda")
    role = iam.create_role(RoleName="e2e-config-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    prefix = "e2e-config"
    for fn in functions_for_build("auth-lambda"):
        lambda_client.create_function(
            FunctionName=f"{prefix}-{fn.name}-dev",
            Runtime="python3.12",
            Role=role,
            Handler=fn.handler,
            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
            Environment={"Variables": {"ALLOWED_ORIGIN": "http://site.s3-website.us-east-2.amazonaws.com"}},
            Publish=True,
        )
        lambda_client.create_alias(FunctionName=f"{prefix}-{fn.name}-dev", Name="live", FunctionVersion="1")
    args = ("deploy.lambdas", "--build", "auth-lambda", "--stack", "dev", "--prefix", prefix)
    args += ("--dist", str(tmp_path / "build"), "--lambdas-root", str(lambdas_root), "--skip-deps")
    first = cli(env, *args)
    assert first.returncode == 0, first.stderr

    name = f"{prefix}-auth-service-dev"
    cdn = {"Variables": {"ALLOWED_ORIGIN": "https://d111111abcdef8.cloudfront.net"}}
    lambda_client.update_function_configuration(FunctionName=name, Environment=cdn)
    second = cli(env, *args)
    assert second.returncode == 0, second.stderr
    live = lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"]
    assert live == "3", second.stdout
    assert lambda_client.get_function_configuration(FunctionName=name, Qualifier=live)["Environment"] == cdn
    authorizer = lambda_client.get_alias(FunctionName=f"{prefix}-authorizer-dev", Name="live")
    assert authorizer["FunctionVersion"] == "2"  # unchanged function, unchanged alias
