"""Run the Pulumi program (or any function that creates resources) under Pulumi mocks and
record what it registers: every resource with its inputs, outputs and parent, every invoke,
and the stack outputs. Used by the tests and by `python -m preview`.

The mocks answer like AWS would in shape: well-formed ARNs, ids and URLs derived from the
resource's name, and the outputs of the awsx remote components (opaque under mocks).
"""

from __future__ import annotations

import hashlib
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import settings as psettings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.settings import PROJECT, stack_file_values

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_ID = "123456789012"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    parent: str | None  # parent URN
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    # URNs this resource depends on (depends_on and every Output it takes), and per input
    # property the URNs whose outputs flow into it: what a policy pack's stack analysis sees.
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    def get(self, dotted: str, default: Any = None) -> Any:
        """`r.get("serverSideEncryption.enabled")` over the inputs (camelCase, as the engine sees them)."""
        value: Any = self.inputs
        for part in dotted.split("."):
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return default
        return value


@dataclass
class Invoke:
    token: str
    args: dict[str, Any]


@dataclass
class ProgramRun:
    stack: str
    resources: list[Resource]
    invokes: list[Invoke]
    outputs: dict[str, Any]

    def of_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    created = of_type  # STYLE: created("aws:s3/bucket:Bucket")

    def one(self, type_: str, name_contains: str = "") -> Resource:
        found = [r for r in self.of_type(type_) if name_contains in r.name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise AssertionError(f"expected one {type_} matching {name_contains!r}, found {names}")
        return found[0]

    def by_urn(self, urn: str) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None)

    def children(self, parent: Resource) -> list[Resource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def descendants(self, parent: Resource) -> list[Resource]:
        out: list[Resource] = []
        for child in self.children(parent):
            out.append(child)
            out.extend(self.descendants(child))
        return out

    def component_of(self, resource: Resource) -> Resource | None:
        """The nearest component (non-custom) ancestor below the stack."""
        current = self.by_urn(resource.parent) if resource.parent else None
        while current is not None and (current.custom or current.type == STACK_TYPE):
            current = self.by_urn(current.parent) if current.parent else None
        return current


def _arn(service: str, region: str, resource: str, *, global_: bool = False) -> str:
    return f"arn:aws:{service}:{'' if global_ else region}:{ACCOUNT_ID}:{resource}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


class RecordingMocks(pmocks.Mocks):
    def __init__(self, region: str = "us-east-2") -> None:
        self.region = region
        self.invokes: list[Invoke] = []
        self.outputs_by_name: dict[tuple[str, str], dict[str, Any]] = {}

    # -- invokes ------------------------------------------------------------------------------
    def call(self, args: pmocks.MockCallArgs):
        self.invokes.append(Invoke(args.token, dict(args.args)))
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": _arn("iam", "", "user/preview", global_=True),
                "userId": "AIDAPREVIEW",
                "id": ACCOUNT_ID,
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{s}" for s in "abc"]
            return {"names": names, "zoneIds": [f"use2-az{i}" for i in (1, 2, 3)], "id": self.region}, []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            import json

            statements = []
            for st in args.args.get("statements", []) or []:
                out = {"Effect": st.get("effect", "Allow")}
                if st.get("sid"):
                    out["Sid"] = st["sid"]
                for key, field_ in (
                    ("actions", "Action"),
                    ("resources", "Resource"),
                    ("notActions", "NotAction"),
                ):
                    if st.get(key):
                        out[field_] = st[key]
                for p in st.get("principals", []) or []:
                    out.setdefault("Principal", {})[p["type"]] = p["identifiers"]
                for c in st.get("conditions", []) or []:
                    out.setdefault("Condition", {}).setdefault(c["test"], {})[c["variable"]] = c["values"]
                statements.append(out)
            return {
                "json": json.dumps({"Version": "2012-10-17", "Statement": statements}),
                "id": "policy",
            }, []
        if token == "aws:ec2/getPrefixList:getPrefixList":
            return {"id": "pl-preview", "cidrBlocks": ["52.219.0.0/16"], "name": "s3"}, []
        return {}, []

    # -- resources ----------------------------------------------------------------------------
    def new_resource(self, args: pmocks.MockResourceArgs):
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        outputs = self._outputs(typ, name, inputs)
        resource_id = outputs.pop("__id", None) or f"{name}-{_short_hash(typ + name)}"
        self.outputs_by_name[(typ, name)] = outputs
        return resource_id, outputs

    def _outputs(self, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        region = self.region
        physical = inputs.get("name") or f"{name}-{_short_hash(name)}"
        out: dict[str, Any] = {}
        if typ.startswith("awsx:"):
            # Remote components are opaque under mocks: answer with their outputs only.
            if typ == "awsx:ec2:Vpc":
                azs = int(inputs.get("numberOfAvailabilityZones") or 2)
                return {
                    "vpcId": f"vpc-{_short_hash(name)}",
                    "publicSubnetIds": [f"subnet-pub{i}{_short_hash(name)[:4]}" for i in range(azs)],
                    "privateSubnetIds": [f"subnet-prv{i}{_short_hash(name)[:4]}" for i in range(azs)],
                    "isolatedSubnetIds": [],
                    # No resource-typed outputs (`vpc`, `routeTables`, `subnets`...): the SDK
                    # expects resource references there and rejects plain dicts, and the child
                    # resources they would point to are never registered under mocks.
                }
            return {}
        out.update(inputs)
        out["arn"] = inputs.get("arn") or self._arn_for(typ, physical, name)
        out.setdefault("name", physical)
        out.setdefault("tagsAll", inputs.get("tags") or {})
        if typ == "aws:s3/bucket:Bucket":
            bucket = inputs.get("bucket") or physical
            out.update(
                bucket=bucket,
                arn=f"arn:aws:s3:::{bucket}",
                __id=bucket,
                bucketDomainName=f"{bucket}.s3.amazonaws.com",
                bucketRegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com",
            )
        elif typ == "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration":
            out["websiteEndpoint"] = f"{inputs.get('bucket')}.s3-website.{region}.amazonaws.com"
            out["websiteDomain"] = f"s3-website.{region}.amazonaws.com"
        elif typ == "aws:kms/key:Key":
            key_id = f"mrk-{_short_hash(name)}"
            out.update(keyId=key_id, arn=_arn("kms", region, f"key/{key_id}"), __id=key_id)
        elif typ == "aws:lambda/function:Function":
            arn = _arn("lambda", region, f"function:{physical}")
            out.update(
                arn=arn,
                qualifiedArn=f"{arn}:1",
                version="1",
                invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
                __id=physical,
            )
        elif typ == "aws:lambda/alias:Alias":
            fn = inputs.get("functionName", "fn")
            fn_arn = fn if str(fn).startswith("arn:") else _arn("lambda", region, f"function:{fn}")
            arn = f"{fn_arn}:{inputs.get('name')}"
            out.update(
                arn=arn,
                invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
            )
        elif typ == "aws:apigateway/restApi:RestApi":
            api_id = f"api{_short_hash(name)}"
            out.update(
                __id=api_id,
                rootResourceId="root123",
                executionArn=f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}",
                arn=f"arn:aws:apigateway:{region}::/restapis/{api_id}",
            )
        elif typ == "aws:apigateway/stage:Stage":
            api_id = inputs.get("restApi")
            stage = inputs.get("stageName")
            out.update(
                invokeUrl=f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
                executionArn=f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}/{stage}",
                arn=f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage}",
            )
        elif typ == "aws:apigateway/deployment:Deployment":
            out["__id"] = f"dep{_short_hash(name)}"
        elif typ == "aws:cloudfront/distribution:Distribution":
            dist_id = f"E{_short_hash(name).upper()}"
            out.update(
                __id=dist_id,
                domainName=f"d{_short_hash(name)}.cloudfront.net",
                hostedZoneId="Z2FDTNDATAQYW2",
                arn=_arn("cloudfront", "", f"distribution/{dist_id}", global_=True),
            )
        elif typ == "aws:dynamodb/table:Table":
            out["streamArn"] = f"{out['arn']}/stream/2026-01-01T00:00:00.000"
            out["__id"] = physical
        elif typ == "aws:iam/role:Role":
            out["uniqueId"] = f"AROA{_short_hash(name).upper()}"
            out["__id"] = physical
        elif typ == "aws:ec2/securityGroup:SecurityGroup":
            out["__id"] = f"sg-{_short_hash(name)}"
        elif typ == "aws:codebuild/project:Project":
            out["__id"] = physical
        elif typ == "aws:glue/catalogDatabase:CatalogDatabase":
            out["__id"] = f"{ACCOUNT_ID}:{physical}"
        elif typ == "random:index/randomPassword:RandomPassword":
            out["result"] = "x" * int(inputs.get("length", 32))
            out["bcryptHash"] = "$2a$10$preview"
        elif typ == "aws:sns/topic:Topic":
            out["arn"] = f"arn:aws:sns:{region}:{ACCOUNT_ID}:{physical}"
            out["__id"] = out["arn"]
        return out

    @staticmethod
    def _arn_for(typ: str, physical: str, name: str) -> str:
        module = typ.split(":")[1].split("/")[0]
        service = {
            "lambda": "lambda",
            "cloudwatch": "logs",
            "iam": "iam",
            "s3": "s3",
            "codestarconnections": "codeconnections",
            "codepipeline": "codepipeline",
            "secretsmanager": "secretsmanager",
            "sns": "sns",
            "glue": "glue",
            "athena": "athena",
            "cloudtrail": "cloudtrail",
            "codebuild": "codebuild",
            "dynamodb": "dynamodb",
            "kms": "kms",
            "ec2": "ec2",
        }.get(module, module)
        kind = typ.split(":")[-1]
        if module == "iam":
            return f"arn:aws:iam::{ACCOUNT_ID}:{kind.lower()}/{physical}"
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return f"arn:aws:logs:us-east-2:{ACCOUNT_ID}:log-group:{physical}"
        if typ == "aws:dynamodb/table:Table":
            return f"arn:aws:dynamodb:us-east-2:{ACCOUNT_ID}:table/{physical}"
        if module == "s3":
            return f"arn:aws:s3:::{physical}"
        return f"arn:aws:{service}:us-east-2:{ACCOUNT_ID}:{kind.lower()}/{physical}"


class RecordingMonitor(pmocks.MockMonitor):
    """MockMonitor that also records each resource's parent and the stack outputs."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[tuple[str, str, str, str, bool, dict]] = []
        self.stack_outputs: dict[str, Any] = {}
        self.stack_urn = ""
        self.dependencies: dict[str, tuple[list[str], dict[str, list[str]]]] = {}

    def RegisterResource(self, request):  # noqa: N802 (gRPC name)
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            self.stack_urn = response.urn
        else:
            from pulumi.runtime import rpc

            inputs = rpc.deserialize_properties(request.object)
            self.registrations.append(
                (response.urn, request.type, request.name, request.parent, bool(request.custom), inputs)
            )
            self.dependencies[response.urn] = (
                list(request.dependencies),
                {k: list(v.urns) for k, v in request.propertyDependencies.items()},
            )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        if request.urn == self.stack_urn or request.urn.endswith(
            f"::{STACK_TYPE}::{pulumi.get_project()}-{pulumi.get_stack()}"
        ):
            from pulumi.runtime import rpc

            self.stack_outputs = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Config for a stack as `pulumi up` would see it: the stack file plus overrides."""
    import json

    values = dict(stack_file_values(stack))
    values.update(overrides or {})
    # The engine hands structured config to the program as JSON strings.
    return {
        k: json.dumps(v) if isinstance(v, (dict, list)) else str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in values.items()
    }


def run(
    program: Callable[[], Any], *, stack: str = "dev", config: Mapping[str, Any] | None = None
) -> ProgramRun:
    """Run `program` under mocks as stack `stack` with `config` (default: the stack file)."""
    config_values = stack_config(stack) if config is None else dict(config)
    region = str(config_values.get("aws:region", "us-east-2"))
    mocks = RecordingMocks(region=region)
    monitor = RecordingMonitor(mocks)
    psettings.reset_options()
    pulumi.runtime.set_all_config(config_values)
    pmocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    stack_resource = psettings.get_root_resource()

    def body():
        program()

    _sync_await(run_pulumi_func(body))
    # Outputs of pulumi.export land on the root stack resource.
    outputs = dict(monitor.stack_outputs)
    if not outputs and stack_resource is not None:
        outputs = _sync_await(_resolve(getattr(stack_resource, "outputs", {})))
    resources: list[Resource] = []
    for urn, typ, name, parent, custom, inputs in monitor.registrations:
        reg = monitor.resources.get(urn)
        resources.append(
            Resource(
                urn=urn,
                type=typ,
                name=name,
                parent=None if not parent or parent == monitor.stack_urn else parent,
                custom=custom,
                inputs=inputs,
                outputs=dict(reg.state) if reg else {},
                id=reg.id if reg else "",
                dependencies=monitor.dependencies.get(urn, ([], {}))[0],
                property_dependencies=monitor.dependencies.get(urn, ([], {}))[1],
            )
        )
    return ProgramRun(stack=stack, resources=resources, invokes=list(mocks.invokes), outputs=outputs)


async def _resolve(outputs: Mapping[str, Any]) -> dict[str, Any]:
    resolved = {}
    for key, value in outputs.items():
        resolved[key] = await pulumi.Output.from_input(value).future()
    return resolved


def run_program(stack: str, config_overrides: Mapping[str, Any] | None = None) -> ProgramRun:
    """Run `__main__.py` for a stack, as `pulumi up --stack <stack>` would, under mocks."""
    config = stack_config(stack, config_overrides)
    return run(
        lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__pulumi_main__"),
        stack=stack,
        config=config,
    )


@cache
def accepts_tags(type_token: str) -> bool:
    """Whether the SDK class behind a type token takes `tags` (i.e. the resource is taggable)."""
    import importlib
    import inspect

    package, module_path, cls_name = type_token.split(":")
    if package not in ("aws", "awsx"):
        return False
    module = module_path.split("/")[0]
    module = {"lambda": "lambda_"}.get(module, module)
    sdk = "pulumi_aws" if package == "aws" else "pulumi_awsx"
    cls = getattr(importlib.import_module(f"{sdk}.{module}"), cls_name, None)
    return cls is not None and "tags" in inspect.signature(cls._internal_init).parameters


def taggable(resources: list[Resource]) -> list[Resource]:
    """The resources (custom or remote components such as awsx) whose type takes `tags`."""
    return [r for r in resources if (r.custom or r.type.startswith("awsx:")) and accepts_tags(r.type)]
