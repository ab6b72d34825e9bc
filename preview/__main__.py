"""Offline preview: `python -m preview [dev|prod] [--json]` (or `./dev preview dev`).

Runs the Pulumi program for a stack under mocks — no AWS account, no Pulumi CLI — and prints the
resource tree (type, name, the settings that matter) and the stack outputs. It is how a
reviewer sees an infrastructure change: diff the `--json` form of two commits.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.catalog import SERVICES  # noqa: E402
from components.settings import from_stack_file  # noqa: E402
from preview.harness import ProgramRun, Resource, run_program  # noqa: E402

# For each resource type, the inputs a reviewer wants to see (dotted paths into the inputs).
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "awsx:ec2:Vpc": ("cidrBlock", "numberOfAvailabilityZones", "natGateways.strategy"),
    "aws:ec2/flowLog:FlowLog": ("trafficType", "logDestinationType"),
    "aws:kms/key:Key": ("enableKeyRotation", "deletionWindowInDays"),
    "aws:kms/alias:Alias": ("name",),
    "aws:dynamodb/table:Table": (
        "name",
        "billingMode",
        "hashKey",
        "pointInTimeRecovery.enabled",
        "serverSideEncryption.enabled",
        "deletionProtectionEnabled",
        "streamViewType",
    ),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration.status",),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm",
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": ("name",),
    "aws:glue/catalogTable:CatalogTable": ("name", "storageDescriptor.location"),
    "aws:athena/workgroup:Workgroup": ("name", "configuration.bytesScannedCutoffPerQuery"),
    "aws:lambda/function:Function": ("name", "handler", "runtime", "memorySize", "timeout"),
    "aws:lambda/alias:Alias": ("name",),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "retentionInDays"),
    "aws:iam/role:Role": ("name",),
    "aws:apigateway/restApi:RestApi": ("name",),
    "aws:apigateway/stage:Stage": ("stageName", "xrayTracingEnabled"),
    "aws:apigateway/methodSettings:MethodSettings": (
        "settings.throttlingRateLimit",
        "settings.throttlingBurstLimit",
    ),
    "aws:cloudfront/distribution:Distribution": ("priceClass",),
    "aws:codestarconnections/connection:Connection": ("name", "providerType"),
    "aws:codebuild/project:Project": ("name", "source.buildspec", "environment.image"),
    "aws:codepipeline/pipeline:Pipeline": ("name", "pipelineType"),
    "aws:secretsmanager/secret:Secret": ("name",),
    "aws:cloudtrail/trail:Trail": ("name", "isMultiRegionTrail", "enableLogFileValidation"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", "metricName"),
    "aws:sns/topic:Topic": ("name",),
}


def _details(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in KEY_SETTINGS.get(resource.type, ()):
        value = resource.get(path)
        if value is not None:
            out[path] = value
    if resource.type == "aws:apigateway/restApi:RestApi":
        out["operations"] = count_operations(resource)
    if resource.type == "aws:codepipeline/pipeline:Pipeline":
        out["stages"] = [
            f"{s['name']}[{' | '.join(a['name'] for a in s.get('actions', []))}]"
            for s in resource.inputs.get("stages", [])
        ]
    return out


def count_operations(rest_api: Resource) -> int:
    body = rest_api.inputs.get("body")
    if not body:
        return 0
    spec = json.loads(body)
    methods = {"get", "put", "post", "delete", "patch", "head"}
    return sum(1 for ops in spec.get("paths", {}).values() for m in ops if m in methods)


def to_json(result: ProgramRun) -> dict[str, Any]:
    names = {r.urn: r.name for r in result.resources}
    return {
        "stack": result.stack,
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "parent": names.get(r.parent) if r.parent else None,
                "settings": _details(r),
            }
            for r in sorted(result.resources, key=lambda r: (names.get(r.parent or "", ""), r.type, r.name))
        ],
        "outputs": result.outputs,
        "summary": summary(result),
    }


def summary(result: ProgramRun) -> dict[str, Any]:
    settings = from_stack_file(result.stack)
    service_names = {settings.function_name(fn.name) for fn in SERVICES}
    functions = result.of_type("aws:lambda/function:Function")
    apis = result.of_type("aws:apigateway/restApi:RestApi")
    pipelines = result.of_type("aws:codepipeline/pipeline:Pipeline")
    stages = pipelines[0].inputs.get("stages", []) if pipelines else []
    return {
        "resources": len(result.resources),
        "lambdaFunctions": len(functions),
        "serviceFunctions": sum(1 for f in functions if f.inputs.get("name") in service_names),
        "apiOperations": sum(count_operations(a) for a in apis),
        "pipelineStages": [s["name"] for s in stages],
        "parallelActions": {
            s["name"]: len(s.get("actions", [])) for s in stages if len(s.get("actions", [])) > 1
        },
    }


def print_tree(result: ProgramRun, out=sys.stdout) -> None:
    children: dict[str | None, list[Resource]] = {}
    # Sorted so that two previews of the same program print the same tree (diffable).
    for r in sorted(result.resources, key=lambda r: (r.type, r.name)):
        children.setdefault(r.parent, []).append(r)

    def walk(parent: str | None, prefix: str) -> None:
        items = children.get(parent, [])
        for i, r in enumerate(items):
            last = i == len(items) - 1
            details = ", ".join(f"{k}={_fmt(v)}" for k, v in _details(r).items())
            print(
                f"{prefix}{'└─ ' if last else '├─ '}{r.type}  {r.name}"
                + (f"  ({details})" if details else ""),
                file=out,
            )
            walk(r.urn, prefix + ("   " if last else "│  "))

    print(f"Stack {result.stack}", file=out)
    walk(None, "")


def _fmt(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (list, dict)) else str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preview", description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="*", default=["dev"], help="stack(s) to preview (dev, prod)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    documents = []
    for stack in args.stacks:
        started = time.perf_counter()
        result = run_program(stack)
        elapsed = time.perf_counter() - started
        if args.json:
            documents.append(to_json(result))
            continue
        print_tree(result)
        print("\nOutputs:")
        for key, value in result.outputs.items():
            print(f"  {key}: {_fmt(value)}")
        s = summary(result)
        print(
            f"\nSummary: {s['resources']} resources, {s['serviceFunctions']} service functions "
            f"(+{s['lambdaFunctions'] - s['serviceFunctions']}: the authorizer and the data-jobs function), "
            f"{s['apiOperations']} API operations, "
            f"pipeline {' -> '.join(s['pipelineStages'])} (parallel: {s['parallelActions']}); "
            f"previewed in {elapsed:.1f} s\n"
        )
    if args.json:
        json.dump(documents[0] if len(documents) == 1 else documents, sys.stdout, indent=2, default=str)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
