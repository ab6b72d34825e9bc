"""Train the fraud model and store its parameters as the data version's artifact.

    # locally, over a generated dataset (the local platform's is .local/data):
    python -m compliance_guardian.train --data .local/data --artifacts .local/artifacts
    # for a stack in AWS (Athena over the curated bucket; artifacts under _artifacts/ there):
    WAREHOUSE=athena GLUE_DATABASE=... ATHENA_WORKGROUP=... CURATED_BUCKET=... \\
        python -m compliance_guardian.train

Run from `lambdas/` (or with it on PYTHONPATH). Fits on the payments before `--cutoff`, evaluates
on the payments from it on, prints the evaluation, and writes the model where the function reads
it (`shared.artifacts`, name `compliance/fraud-model`, keyed by the data version). Without
`--force`, an existing model of this data version is kept and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m compliance_guardian.train", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data", help="a generated dataset (DuckDB over its Parquet files)")
    parser.add_argument(
        "--artifacts", help="where artifacts are stored (default: ARTIFACTS_DIR or the bucket)"
    )
    parser.add_argument("--cutoff", type=date.fromisoformat, help="first day of the held-out payments")
    parser.add_argument("--force", action="store_true", help="refit even if this data version has a model")
    args = parser.parse_args(argv)
    if args.data:
        os.environ["WAREHOUSE"] = "duckdb"
        os.environ["WAREHOUSE_DATA_DIR"] = os.path.abspath(args.data)
    if args.artifacts:
        os.environ["ARTIFACTS_DIR"] = os.path.abspath(args.artifacts)

    doc, kept = train_or_keep(args.cutoff, force=args.force)
    if kept:
        print(f"kept the model of data version {doc['dataVersion']} (use --force to refit)", file=sys.stderr)
    print(json.dumps(doc, indent=2))
    return 0


def train_or_keep(cutoff: date | None = None, *, force: bool = False) -> tuple[dict, bool]:
    """Fit the fraud model of the current data version and store it, unless one fitted with the
    same cutoff is stored already (and not `force`). Returns (summary, kept): the summary is the
    model's version, the data version and the evaluation. Also run by the data-jobs function."""
    from shared import artifacts
    from shared.warehouse import get_warehouse

    from compliance_guardian import fraud

    version = artifacts.data_version()
    cutoff = cutoff or fraud.CUTOFF
    store_key = f"{fraud.ARTIFACT}/{version}"
    existing = None if force else artifacts.load(store_key)
    kept = existing is not None and existing.get("cutoff") == cutoff.isoformat()
    if kept:
        doc = existing
    else:
        doc = fraud.train(get_warehouse(), version, cutoff)
        artifacts.save(store_key, doc)  # where artifacts.cached(ARTIFACT, ...) looks for it
    return {"version": doc["version"], "dataVersion": version, **doc["metrics"]}, kept


if __name__ == "__main__":
    sys.exit(main())
