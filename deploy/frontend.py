"""The frontend build's two steps around `npm run build`.

    python -m deploy.frontend write-env --artifact-dir "$CODEBUILD_SRC_DIR_infrastructure_output" \
        --frontend-dir frontend [--stage dev]
    python -m deploy.frontend publish --dist frontend/dist --bucket "$SITE_BUCKET" \
        [--distribution-id ID] [--dry-run]

write-env reads the infrastructure stage's artifact (api_gateway_url.txt, stack-outputs.json)
and writes frontend/.env.production with VITE_API_URL and VITE_STAGE, which Vite bakes into
the bundle.

publish syncs the built site to the bucket like `aws s3 sync --delete`, but decides by
content: a file is uploaded only when its MD5 (the ETag of a single-part upload), Content-Type
or Cache-Control differ from the object's, hashed files under assets/ are cached for a year,
HTML is revalidated on every load (`no-cache`), index.html goes last so it never points at an
asset not yet uploaded, and keys no longer in dist/ are deleted. With a distribution id it then
invalidates `/*` on CloudFront, every time, so a run that failed after uploading is healed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import mimetypes
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from deploy import DeployError
from deploy.stack_outputs import read_artifact

ENV_FILE = ".env.production"
INDEX = "index.html"
HASHED_ASSETS_PREFIX = "assets/"  # Vite's default assetsDir: every name there carries a content hash
CACHE_HTML = "no-cache"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_OTHER = "public, max-age=3600"
# Explicit types for what a Vite build emits: the platform's mime.types differs between machines.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
}


# ---- write-env ---------------------------------------------------------------------------
def env_lines(api_url: str, stage: str) -> str:
    return f"VITE_API_URL={api_url}\nVITE_STAGE={stage}\n"


def stage_from(api_url: str, explicit: str | None = None) -> str:
    """The API stage: explicit, else $STACK, else the URL's path (`.../<stage>`; stage = stack)."""
    if explicit:
        return explicit
    if os.environ.get("STACK"):
        return os.environ["STACK"]
    path = urlparse(api_url).path.strip("/")
    if not path:
        raise DeployError(f"cannot tell the stage from {api_url!r}; pass --stage")
    return path.split("/")[0]


def write_env(artifact_dir: str | Path, frontend_dir: Path, stage: str | None = None) -> Path:
    api_url, _outputs = read_artifact(artifact_dir)
    if not frontend_dir.is_dir():
        raise DeployError(f"frontend directory {frontend_dir} does not exist")
    path = frontend_dir / ENV_FILE
    path.write_text(env_lines(api_url, stage_from(api_url, stage)))
    return path


# ---- publish -----------------------------------------------------------------------------
def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


def cache_control(key: str) -> str:
    if key.endswith(".html"):
        return CACHE_HTML
    if key.startswith(HASHED_ASSETS_PREFIX):
        return CACHE_IMMUTABLE
    return CACHE_OTHER


@dataclass(frozen=True)
class LocalFile:
    key: str
    path: Path
    md5: str
    content_type: str
    cache_control: str


def local_files(dist: Path) -> dict[str, LocalFile]:
    files: dict[str, LocalFile] = {}
    for path in sorted(dist.rglob("*")):
        if path.is_file() and path.name != ".DS_Store":
            key = path.relative_to(dist).as_posix()
            files[key] = LocalFile(
                key,
                path,
                hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest(),
                content_type(key),
                cache_control(key),
            )
    return files


def remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            etags[obj["Key"]] = obj["ETag"].strip('"')
    return etags


def upload_order(key: str) -> tuple[int, str]:
    """Assets first, other HTML next, index.html last."""
    return (2 if key == INDEX else 1 if key.endswith(".html") else 0, key)


@dataclass
class SyncResult:
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidation_id: str | None = None

    def summary(self) -> str:
        text = f"uploaded {len(self.uploaded)}, unchanged {len(self.unchanged)}, deleted {len(self.deleted)}"
        if self.invalidation_id:
            text += f", CloudFront invalidation {self.invalidation_id}"
        return text


def _needs_upload(s3: Any, bucket: str, local: LocalFile, etag: str | None) -> bool:
    if etag != local.md5:  # also multipart ETags ("...-N"): not an MD5, re-upload to be sure
        return True
    head = s3.head_object(Bucket=bucket, Key=local.key)
    return head.get("ContentType") != local.content_type or head.get("CacheControl") != local.cache_control


def sync(
    s3: Any, dist: Path, bucket: str, *, dry_run: bool = False, out: Callable[[str], None] = print
) -> SyncResult:
    """Make the bucket hold exactly dist/'s files, with the right headers."""
    if not dist.is_dir():
        raise DeployError(f"{dist} does not exist: run `npm run build` first")
    files = local_files(dist)
    if INDEX not in files:
        # An empty or broken build would otherwise delete the live site.
        raise DeployError(f"{dist} has no {INDEX}; refusing to sync (it would delete the site)")
    remote = remote_etags(s3, bucket)
    result = SyncResult()
    for key in sorted(files, key=upload_order):
        local = files[key]
        if not _needs_upload(s3, bucket, local, remote.get(key)):
            result.unchanged.append(key)
            continue
        out(f"upload {key} ({local.content_type}; {local.cache_control})")
        if not dry_run:
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=local.path.read_bytes(),
                ContentType=local.content_type,
                CacheControl=local.cache_control,
                ContentMD5=_b64_md5(local.md5),
            )
        result.uploaded.append(key)
    stale = sorted(set(remote) - set(files))
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1000 keys
        batch = stale[start : start + 1000]
        for key in batch:
            out(f"delete {key}")
        if not dry_run:
            response = s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )
            if response.get("Errors"):
                raise DeployError(f"could not delete: {response['Errors']}")
        result.deleted.extend(batch)
    return result


def _b64_md5(hex_md5: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_md5)).decode("ascii")


def invalidate(cloudfront: Any, distribution_id: str, paths: tuple[str, ...] = ("/*",)) -> str:
    response = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": f"deploy-frontend-{time.time_ns()}",
        },
    )
    return response["Invalidation"]["Id"]


def publish(
    s3: Any,
    dist: Path,
    bucket: str,
    *,
    cloudfront: Any = None,
    distribution_id: str | None = None,
    dry_run: bool = False,
    out: Callable[[str], None] = print,
) -> SyncResult:
    if os.environ.get("CODEBUILD_BUILD_SUCCEEDING") == "0":
        # post_build runs even when `npm run build` failed; never ship a failed build.
        raise DeployError("the build failed (CODEBUILD_BUILD_SUCCEEDING=0); not publishing")
    result = sync(s3, dist, bucket, dry_run=dry_run, out=out)
    if distribution_id and not dry_run:
        result.invalidation_id = invalidate(cloudfront, distribution_id)
    return result


# ---- CLI ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.frontend",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    env = commands.add_parser("write-env", help="write frontend/.env.production from the artifact")
    env.add_argument(
        "--artifact-dir",
        required=True,
        help="the infrastructure artifact ($CODEBUILD_SRC_DIR_infrastructure_output)",
    )
    env.add_argument("--frontend-dir", type=Path, default=Path("frontend"))
    env.add_argument("--stage", default=None, help="default: $STACK, else the API URL's stage")
    pub = commands.add_parser("publish", help="sync the built site to S3, invalidate CloudFront")
    pub.add_argument("--dist", type=Path, default=Path("frontend/dist"))
    pub.add_argument("--bucket", required=True)
    pub.add_argument("--distribution-id", default=None)
    pub.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    pub.add_argument("--region", default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    args = build_parser().parse_args(argv)
    try:
        if args.command == "write-env":
            path = write_env(args.artifact_dir, args.frontend_dir, args.stage)
            print(f"wrote {path}:\n{path.read_text()}", end="")
            return 0
        import boto3

        if not args.bucket:
            raise DeployError("--bucket is empty (is SITE_BUCKET set on the CodeBuild project?)")
        session = boto3.session.Session(region_name=args.region)
        cloudfront = session.client("cloudfront") if args.distribution_id else None
        result = publish(
            session.client("s3"),
            args.dist,
            args.bucket,
            cloudfront=cloudfront,
            distribution_id=args.distribution_id,
            dry_run=args.dry_run,
        )
        print(("dry run: " if args.dry_run else "") + result.summary())
        return 0
    except (DeployError, ClientError, BotoCoreError) as exc:
        print(f"frontend: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
