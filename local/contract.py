"""The API contract as the local gateway routes it: operations from `api/openapi.yaml`, path
templates matched the way API Gateway does (a literal segment beats a `{param}`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PARAM = re.compile(r"^\{([^{}]+?)(\+?)\}$")


class ContractError(ValueError):
    """The contract cannot be routed (missing x-service, unknown service...)."""


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the template, e.g. /compliance/cases/{caseId}
    service: str  # catalog name of the owning function
    operation_id: str
    public: bool
    parameters: tuple[Mapping[str, Any], ...] = ()

    @property
    def path_params(self) -> list[str]:
        return [m.group(1) for seg in _segments(self.path) if (m := _PARAM.match(seg))]


@dataclass
class Template:
    """One path template and its operations by method."""

    path: str
    operations: dict[str, Operation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = []
        for seg in _segments(self.path):
            m = _PARAM.match(seg)
            if m and m.group(2):  # {proxy+}: the rest of the path
                parts.append(f"(?P<{_group(m.group(1))}>.+)")
            elif m:
                parts.append(f"(?P<{_group(m.group(1))}>[^/]+)")
            else:
                parts.append(re.escape(seg))
        self.regex = re.compile("^/" + "/".join(parts) + "$")
        self.names = {
            _group(m.group(1)): m.group(1) for seg in _segments(self.path) if (m := _PARAM.match(seg))
        }
        # API Gateway prefers the most specific resource: literal segments first, greedy last.
        self.rank = tuple(
            0 if not _PARAM.match(s) else (2 if s.endswith("+}") else 1) for s in _segments(self.path)
        )

    def match(self, path: str) -> dict[str, str] | None:
        """`path` as sent (still percent-encoded): segments are split on the raw `/`, so an
        encoded `/` or `?` stays inside its parameter, which is then decoded exactly once."""
        m = self.regex.match(path)
        if not m:
            return None
        return {self.names[k]: unquote(v) for k, v in m.groupdict().items()}


@dataclass(frozen=True)
class Match:
    template: Template
    path_parameters: dict[str, str]

    def operation(self, method: str) -> Operation | None:
        return self.template.operations.get(method.upper())

    @property
    def allowed_methods(self) -> list[str]:
        return sorted(self.template.operations)


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self.operations: list[Operation] = list(operations)
        templates: dict[str, Template] = {}
        for op in self.operations:
            templates.setdefault(op.path, Template(op.path)).operations[op.method] = op
        # Most specific first: shorter ranks of literals win at the first differing segment.
        self.templates = sorted(templates.values(), key=lambda t: (len(t.rank), t.rank))

    def match(self, path: str) -> Match | None:
        """The operation for a raw (still percent-encoded) path; never pass a decoded one."""
        path = normalise_path(path)
        best: tuple[tuple[int, ...], Template, dict[str, str]] | None = None
        for template in self.templates:
            params = template.match(path)
            if params is not None and (best is None or template.rank < best[0]):
                best = (template.rank, template, params)
        return Match(best[1], best[2]) if best else None

    @property
    def services(self) -> set[str]:
        return {op.service for op in self.operations}


def normalise_path(path: str) -> str:
    # A raw target's first `?` starts the query (an encoded one is `%3F`, not cut here).
    path = path.split("?", 1)[0] or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def _group(name: str) -> str:
    # Regex group names must be identifiers; keep a reversible mapping in Template.names.
    return "p_" + re.sub(r"\W", "_", name)


def operations_from_spec(spec: Mapping[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI 3 document (OPTIONS excluded: the gateway answers CORS
    preflights itself, like the API's mock integrations in AWS)."""
    global_security = spec.get("security")
    ops = []
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        path_service = item.get("x-service")
        path_params = tuple(item.get("parameters") or ())
        for method in HTTP_METHODS:
            op = item.get(method)
            if method == "options" or not isinstance(op, Mapping):
                continue
            service = op.get("x-service", path_service)
            if not service:
                raise ContractError(f"{method.upper()} {path} has no x-service")
            security = op.get("security", global_security)
            ops.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    service=str(service),
                    operation_id=str(op.get("operationId") or f"{method}{path}"),
                    public=not security or all(not req for req in security),
                    parameters=path_params + tuple(op.get("parameters") or ()),
                )
            )
    return ops


def load_spec(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


def load_router(path: Path) -> Router:
    if not path.exists():
        raise ContractError(f"no API contract at {path}")
    return Router(operations_from_spec(load_spec(path)))
