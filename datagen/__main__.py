"""Command line of the dataset.

python -m datagen generate --out .local/data [--scale 1.0] [--seed 42]
python -m datagen upload --data .local/data --bucket <curated bucket> [--raw-bucket <raw bucket>]
                         [--endpoint-url http://127.0.0.1:5000] [--kms-key-id <key>] [--dry-run]
python -m datagen schema            # the tables, columns and types as JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _print(msg: str) -> None:
    print(msg, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m datagen", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write the dataset as Parquet")
    gen.add_argument("--out", default=".local/data", type=Path)
    gen.add_argument("--scale", default=1.0, type=float, help="1.0 = ~10k customers, ~100k orders")
    gen.add_argument("--seed", default=42, type=int)

    up = sub.add_parser("upload", help="upload the Parquet tree to the data lake buckets")
    up.add_argument("--data", default=".local/data", type=Path)
    up.add_argument("--bucket", required=True, help="curated bucket")
    up.add_argument("--raw-bucket", default=None, help="raw bucket (tables of the raw zone)")
    up.add_argument(
        "--endpoint-url", default=None, help="S3 endpoint (moto server); AWS_ENDPOINT_URL works too"
    )
    up.add_argument("--region", default=None)
    up.add_argument("--kms-key-id", default=None, help="encrypt uploads with this KMS key (SSE-KMS)")
    up.add_argument("--dry-run", action="store_true", help="list what would be uploaded")

    sub.add_parser("schema", help="print the tables as JSON")

    args = parser.parse_args(argv)
    if args.command == "generate":
        from .generate import generate

        manifest = generate(args.out, scale=args.scale, seed=args.seed, progress=_print)
        total = sum(t.rows for t in manifest.tables.values())
        _print(
            f"{total:,} rows in {len(manifest.tables)} tables, seed={manifest.seed} scale={manifest.scale}"
        )
        return 0
    if args.command == "upload":
        from .upload import UploadError, upload

        try:
            result = upload(
                args.data,
                bucket=args.bucket,
                raw_bucket=args.raw_bucket,
                endpoint_url=args.endpoint_url,
                region=args.region,
                kms_key_id=args.kms_key_id,
                dry_run=args.dry_run,
                progress=_print,
            )
        except UploadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        _print(
            f"uploaded {len(result.uploaded)}, unchanged {len(result.skipped)}"
            + (" (dry run)" if args.dry_run else "")
        )
        return 0
    if args.command == "schema":
        from .schema import TABLES, schema_hash

        doc = {
            "schema_hash": schema_hash(),
            "tables": [
                {
                    "name": t.name,
                    "zone": t.zone,
                    "prefix": t.prefix,
                    "columns": [
                        {"name": c.name, "type": c.type, "description": c.description} for c in t.columns
                    ],
                    "partition_keys": [c.name for c in t.partition_keys],
                }
                for t in TABLES
            ],
        }
        _print(json.dumps(doc, indent=2))
        return 0
    return 1  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
