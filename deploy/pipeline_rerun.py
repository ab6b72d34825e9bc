"""Re-run the pipeline when the infrastructure stage changed the pipeline itself.

    python -m deploy.pipeline_rerun snapshot --pipeline NAME --out pipeline-before.json
    pulumi up ...
    python -m deploy.pipeline_rerun restart-if-changed --pipeline NAME \
        --snapshot pipeline-before.json [--commit SHA]

The pipeline manages itself: the infrastructure stage's `pulumi up` may change its stages,
actions, role or trigger. CodePipeline lets the running action finish and then fails the
execution that was running on the old definition, so the Lambda and frontend builds of that
commit never run, and nothing re-runs them. The stage therefore records the pipeline's
definition before `pulumi up` and, when it differs afterwards, starts a new execution of the
same commit (QUEUED mode: it starts once the failing one has ended; its `pulumi up` finds
nothing to change in the pipeline, and every stage runs).

Why not a separate stack for the pipeline: it would fix this by never changing the pipeline
from inside it, but then a pipeline change needs someone to run `pulumi up` on a second stack
by hand, and the pipeline's projects read the platform's names and ARNs (site bucket,
functions, keys) across stacks. One stack plus this step keeps every change flowing through
one push.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from deploy import DeployError

SOURCE_ACTION = "Source"  # components/pipeline.py: the Source stage's action


def definition_digest(pipeline: dict[str, Any]) -> str:
    """SHA-256 of what defines the pipeline: everything GetPipeline returns under `pipeline`
    except the counter CodePipeline bumps on every update (`version`)."""
    body = {k: v for k, v in pipeline.items() if k != "version"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def current(client: Any, name: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        answer = client.get_pipeline(name=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "PipelineNotFoundException":
            return None
        raise
    return answer["pipeline"]


def snapshot(client: Any, name: str, out: Path) -> dict[str, Any]:
    pipeline = current(client, name)
    record = {
        "pipeline": name,
        "exists": pipeline is not None,
        "version": pipeline.get("version") if pipeline else None,
        "digest": definition_digest(pipeline) if pipeline else None,
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    return record


def restart_if_changed(client: Any, name: str, snapshot_path: Path, *, commit: str | None) -> str | None:
    """Start a new execution (of `commit` when given) if the pipeline's definition changed
    since `snapshot_path` was written. Returns the new execution id, or None."""
    before = json.loads(snapshot_path.read_text())
    if before.get("pipeline") != name:
        raise DeployError(f"{snapshot_path} is a snapshot of {before.get('pipeline')!r}, not {name!r}")
    if not before.get("exists"):
        return None  # created by this run: CodePipeline starts a new pipeline by itself
    after = current(client, name)
    if after is None:
        raise DeployError(f"pipeline {name} was deleted by this run")
    if definition_digest(after) == before["digest"]:
        return None
    request: dict[str, Any] = {
        "name": name,
        # The same token for the same change: a retried build command starts one execution.
        "clientRequestToken": hashlib.sha256(
            f"{name}:{after.get('version')}:{commit or ''}".encode()
        ).hexdigest()[:64],
    }
    if commit:
        request["sourceRevisions"] = [
            {"actionName": SOURCE_ACTION, "revisionType": "COMMIT_ID", "revisionValue": commit}
        ]
    return client.start_pipeline_execution(**request)["pipelineExecutionId"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.pipeline_rerun", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="record the pipeline's definition (before pulumi up)")
    snap.add_argument("--pipeline", required=True)
    snap.add_argument("--out", type=Path, required=True)
    restart = sub.add_parser("restart-if-changed", help="start a new execution if it changed")
    restart.add_argument("--pipeline", required=True)
    restart.add_argument("--snapshot", type=Path, required=True)
    restart.add_argument("--commit", default=None, help="commit to run (default: the branch head)")
    parser.add_argument("--region", default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import boto3

    client = boto3.session.Session(region_name=args.region or os.environ.get("AWS_REGION")).client(
        "codepipeline"
    )
    try:
        if args.command == "snapshot":
            record = snapshot(client, args.pipeline, args.out)
            print(f"pipeline {args.pipeline}: version {record['version']} recorded in {args.out}")
            return 0
        started = restart_if_changed(client, args.pipeline, args.snapshot, commit=args.commit or None)
    except DeployError as exc:
        print(f"pipeline_rerun: error: {exc}", file=sys.stderr)
        return 1
    if started:
        print(
            f"pipeline {args.pipeline} changed in this run: CodePipeline will fail this execution "
            f"when the stage ends; started execution {started} of the same commit to deploy it"
        )
    else:
        print(f"pipeline {args.pipeline} unchanged by this run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
