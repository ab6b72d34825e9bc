"""deploy.frontend: .env.production from the infrastructure artifact; S3 sync + CDN invalidation."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from deploy import DeployError
from deploy import frontend as fe
from deploy.stack_outputs import write_artifact

REGION = "us-east-2"
BUCKET = "futureim-ecommerce-ai-platform-frontend-dev-123456789012"
API_URL = "https://abc123.execute-api.us-east-2.amazonaws.com/dev"


# ---- write-env ---------------------------------------------------------------------------
@pytest.fixture()
def artifact(tmp_path):
    directory = tmp_path / "infrastructure_output"
    write_artifact({"apiUrl": API_URL + "/", "frontendBucket": BUCKET}, directory)
    return directory


def test_write_env_from_the_artifact(artifact, tmp_path, monkeypatch):
    monkeypatch.setenv("STACK", "dev")
    (tmp_path / "frontend").mkdir()
    assert (
        fe.main(["write-env", "--artifact-dir", str(artifact), "--frontend-dir", str(tmp_path / "frontend")])
        == 0
    )
    env = (tmp_path / "frontend" / ".env.production").read_text()
    assert env == f"VITE_API_URL={API_URL}\nVITE_STAGE=dev\n"


def test_stage_falls_back_to_the_url_and_can_be_forced(artifact, tmp_path, monkeypatch):
    monkeypatch.delenv("STACK", raising=False)
    frontend = tmp_path / "frontend"
    frontend.mkdir()
    fe.write_env(artifact, frontend)
    assert "VITE_STAGE=dev\n" in (frontend / ".env.production").read_text()
    fe.write_env(artifact, frontend, stage="prod")
    assert "VITE_STAGE=prod\n" in (frontend / ".env.production").read_text()


def test_write_env_fails_without_the_artifact(tmp_path, capsys):
    (tmp_path / "frontend").mkdir()
    code = fe.main(
        [
            "write-env",
            "--artifact-dir",
            str(tmp_path / "missing"),
            "--frontend-dir",
            str(tmp_path / "frontend"),
        ]
    )
    assert code == 1
    assert "infrastructure_output" in capsys.readouterr().err
    assert not (tmp_path / "frontend" / ".env.production").exists()


# ---- publish -----------------------------------------------------------------------------
def test_content_types_and_cache_rules():
    assert fe.content_type("index.html") == "text/html; charset=utf-8"
    assert fe.content_type("assets/index-4f2a.js") == "text/javascript; charset=utf-8"
    assert fe.content_type("assets/index-4f2a.css") == "text/css; charset=utf-8"
    assert fe.content_type("favicon.svg") == "image/svg+xml"
    assert fe.content_type("assets/font-1a.woff2") == "font/woff2"
    assert fe.content_type("blob.unknownext") == "application/octet-stream"
    assert fe.cache_control("index.html") == "no-cache"
    assert fe.cache_control("assets/index-4f2a.js") == "public, max-age=31536000, immutable"
    assert "immutable" not in fe.cache_control("favicon.svg")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture()
def dist(tmp_path):
    root = tmp_path / "dist"
    write(root / "index.html", "<script src='/assets/index-4f2a.js'></script>")
    write(root / "assets" / "index-4f2a.js", "console.log('app')")
    write(root / "assets" / "index-9c1e.css", "body{margin:0}")
    write(root / "favicon.svg", "<svg/>")
    return root


@pytest.fixture()
def aws(monkeypatch):
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "CODEBUILD_BUILD_SUCCEEDING"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        s3 = session.client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield s3, session.client("cloudfront")


def record(s3, operation):
    """Keys sent to an S3 operation, in order."""
    calls = []
    s3.meta.events.register(
        f"before-parameter-build.s3.{operation}",
        lambda params, **_: calls.append(params.get("Key") or params.get("Delete")),
    )
    return calls


def quiet(_line):
    pass


def test_first_publish_uploads_everything_with_headers(aws, dist):
    s3, _cf = aws
    puts = record(s3, "PutObject")
    result = fe.publish(s3, dist, BUCKET, out=quiet)
    assert sorted(result.uploaded) == [
        "assets/index-4f2a.js",
        "assets/index-9c1e.css",
        "favicon.svg",
        "index.html",
    ]
    assert puts[-1] == "index.html"  # last: it never references an asset not yet uploaded

    head = s3.head_object(Bucket=BUCKET, Key="index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["CacheControl"] == "no-cache"
    head = s3.head_object(Bucket=BUCKET, Key="assets/index-4f2a.js")
    assert head["ContentType"] == "text/javascript; charset=utf-8"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert s3.get_object(Bucket=BUCKET, Key="assets/index-9c1e.css")["Body"].read() == b"body{margin:0}"


def test_republish_touches_only_what_changed_and_deletes_stale(aws, dist):
    s3, _cf = aws
    fe.publish(s3, dist, BUCKET, out=quiet)
    s3.put_object(Bucket=BUCKET, Key="assets/index-0000.js", Body=b"old build")  # previous release
    before = {
        k: s3.head_object(Bucket=BUCKET, Key=k)["LastModified"]
        for k in ("assets/index-4f2a.js", "favicon.svg")
    }

    # A new build: a new hashed bundle, index.html pointing at it.
    (dist / "assets" / "index-4f2a.js").unlink()
    write(dist / "assets" / "index-7b3d.js", "console.log('app v2')")
    write(dist / "index.html", "<script src='/assets/index-7b3d.js'></script>")

    puts = record(s3, "PutObject")
    result = fe.publish(s3, dist, BUCKET, out=quiet)
    assert puts == ["assets/index-7b3d.js", "index.html"]
    assert sorted(result.deleted) == ["assets/index-0000.js", "assets/index-4f2a.js"]
    assert sorted(result.unchanged) == ["assets/index-9c1e.css", "favicon.svg"]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["assets/index-7b3d.js", "assets/index-9c1e.css", "favicon.svg", "index.html"]
    assert s3.head_object(Bucket=BUCKET, Key="favicon.svg")["LastModified"] == before["favicon.svg"]

    # And once more: nothing at all.
    puts.clear()
    result = fe.publish(s3, dist, BUCKET, out=quiet)
    assert puts == [] and result.deleted == [] and len(result.unchanged) == 4


def test_same_bytes_with_wrong_headers_are_reuploaded(aws, dist):
    s3, _cf = aws
    s3.put_object(Bucket=BUCKET, Key="favicon.svg", Body=b"<svg/>", ContentType="binary/octet-stream")
    fe.publish(s3, dist, BUCKET, out=quiet)
    head = s3.head_object(Bucket=BUCKET, Key="favicon.svg")
    assert head["ContentType"] == "image/svg+xml"


def test_dry_run_changes_nothing(aws, dist):
    s3, _cf = aws
    s3.put_object(Bucket=BUCKET, Key="stale.txt", Body=b"x")
    lines = []
    result = fe.publish(s3, dist, BUCKET, dry_run=True, out=lines.append)
    assert len(result.uploaded) == 4 and result.deleted == ["stale.txt"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["stale.txt"]
    assert "delete stale.txt" in lines


def test_refuses_a_build_without_index_or_a_failed_build(aws, dist, monkeypatch):
    s3, _cf = aws
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"live site")
    (dist / "index.html").unlink()
    with pytest.raises(DeployError, match=r"index\.html"):
        fe.publish(s3, dist, BUCKET, out=quiet)
    write(dist / "index.html", "<html/>")
    monkeypatch.setenv("CODEBUILD_BUILD_SUCCEEDING", "0")
    with pytest.raises(DeployError, match="build failed"):
        fe.publish(s3, dist, BUCKET, out=quiet)
    assert s3.get_object(Bucket=BUCKET, Key="index.html")["Body"].read() == b"live site"


def create_distribution(cloudfront):
    origin = f"{BUCKET}.s3.{REGION}.amazonaws.com"
    return cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "site",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {"Id": "site", "DomainName": origin, "S3OriginConfig": {"OriginAccessIdentity": ""}}
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
        }
    )["Distribution"]["Id"]


def test_invalidates_cloudfront_when_a_distribution_is_given(aws, dist):
    s3, cloudfront = aws
    distribution_id = create_distribution(cloudfront)
    result = fe.publish(s3, dist, BUCKET, cloudfront=cloudfront, distribution_id=distribution_id, out=quiet)
    (item,) = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]["Items"]
    assert item["Id"] == result.invalidation_id
    invalidation = cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
    assert invalidation["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]

    # Without a distribution id: no CloudFront call at all.
    assert fe.publish(s3, dist, BUCKET, out=quiet).invalidation_id is None


def test_publish_cli(aws, dist, capsys):
    assert fe.main(["publish", "--dist", str(dist), "--bucket", BUCKET, "--region", REGION]) == 0
    assert "uploaded 4, unchanged 0, deleted 0" in capsys.readouterr().out
    assert fe.main(["publish", "--dist", str(dist), "--bucket", "", "--region", REGION]) == 1
    assert "SITE_BUCKET" in capsys.readouterr().err
