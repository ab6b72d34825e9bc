"""API Gateway's request validators, locally: the Api component turns each operation's
`requestBody` schema into a model and validates body and parameters (`body-and-params`) or
parameters only (`params-only`) before the function is called. API Gateway checks that required
parameters are present and that a JSON body matches the model (JSON Schema draft 4)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

try:  # openapi-spec-validator brings it; without it bodies are not validated locally
    import jsonschema
except ImportError:  # pragma: no cover
    jsonschema = None


class InvalidRequestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def resolve(node: Any, spec: Mapping[str, Any], depth: int = 0) -> Any:
    """Inline local `$ref`s (the contract has no recursive schemas)."""
    if depth > 32:
        raise ValueError("schema references nest too deeply")
    if isinstance(node, Mapping):
        if "$ref" in node:
            target: Any = spec
            for part in str(node["$ref"]).lstrip("#/").split("/"):
                target = target[part]
            return resolve(target, spec, depth + 1)
        return {k: resolve(v, spec, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, spec, depth + 1) for v in node]
    return node


def to_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema draft 4 (`nullable` becomes a null type)."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    out = {
        k: to_json_schema(v)
        for k, v in schema.items()
        if k
        not in (
            "nullable",
            "readOnly",
            "writeOnly",
            "example",
            "xml",
            "externalDocs",
            "deprecated",
            "discriminator",
        )
        and not k.startswith("x-")
    }
    if "properties" in schema:  # property names are data, not keywords
        out["properties"] = {k: to_json_schema(v) for k, v in schema["properties"].items()}
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


class RequestValidator:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self._validators: dict[tuple[str, str], Any] = {}

    def _operation(self, path: str, method: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        item = (self.spec.get("paths") or {}).get(path) or {}
        op = item.get(method.lower()) or {}
        params = [
            resolve(p, self.spec) for p in (item.get("parameters") or []) + (op.get("parameters") or [])
        ]
        return op, params

    def validate(
        self,
        path: str,
        method: str,
        *,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        body: str | None,
        content_type: str | None,
    ) -> None:
        op, params = self._operation(path, method)
        lower_headers = {k.lower() for k in (headers or {})}
        missing = []
        for p in params:
            if not p.get("required"):
                continue
            where, name = p.get("in"), str(p.get("name"))
            if (where == "query" and name not in (query or {})) or (
                where == "header" and name.lower() not in lower_headers
            ):
                missing.append(name)
        if missing:
            raise InvalidRequestError(
                "BAD_REQUEST_PARAMETERS", f"Missing required request parameters: [{', '.join(missing)}]"
            )
        if "requestBody" in op:
            self._validate_body(path, method, op, body, content_type)

    def _validate_body(
        self, path: str, method: str, op: Mapping[str, Any], body: str | None, content_type: str | None
    ) -> None:
        media = (content_type or "application/json").split(";")[0].strip().lower()
        request_body = resolve(op["requestBody"], self.spec)
        content = request_body.get("content") or {}
        if media not in content or "schema" not in content[media] or jsonschema is None:
            return  # no model for this content type: passed through (when_no_match)
        key = (path, method.lower())
        if key not in self._validators:
            schema = to_json_schema(content[media]["schema"])
            self._validators[key] = jsonschema.Draft4Validator(schema)
        try:
            # RecursionError: JSON nested deeper than the parser goes (e.g. 100k `[`) is a bad
            # body too, not a gateway failure.
            document = json.loads(body) if body else None
        except (ValueError, TypeError, RecursionError) as exc:
            raise InvalidRequestError("BAD_REQUEST_BODY", "Invalid request body") from exc
        if document is None and not request_body.get("required"):
            return
        try:
            errors = sorted(self._validators[key].iter_errors(document), key=lambda e: list(e.path))
        except RecursionError as exc:  # a document nested deeper than the validator descends
            raise InvalidRequestError("BAD_REQUEST_BODY", "Invalid request body: nested too deeply") from exc
        if errors:
            first = errors[0]
            where = schema_location(first.absolute_schema_path)
            # The rule that failed and where, never the value: API Gateway's messageString does
            # not repeat the body either, and a body may hold card numbers (even as keys).
            raise InvalidRequestError(
                "BAD_REQUEST_BODY",
                f"Invalid request body: fails '{first.validator}'" + (f" at {where}" if where else ""),
            )


def schema_location(schema_path: Any) -> str:
    """Where a validation error is, named from the schema's path (`lines/[]/qty`), not the
    document's: a document path holds the body's own keys wherever the schema is a map
    (`additionalProperties: {...}`), and those are input, like values."""
    steps = list(schema_path)[:-1]  # the last step is the keyword that failed
    parts: list[str] = []
    i = 0
    while i < len(steps):
        keyword = steps[i]
        named = steps[i + 1] if i + 1 < len(steps) else None  # what follows a keyword taking a key
        if keyword == "properties" and named is not None:
            parts.append(str(named))  # a property the schema declares
        elif keyword in ("items", "additionalItems"):
            parts.append("[]")
            if not isinstance(named, int):  # `items: [...]` is followed by an index, else not
                i -= 1
        elif keyword in ("additionalProperties", "patternProperties"):
            parts.append("{}")
            if keyword == "additionalProperties":
                i -= 1
        elif keyword not in ("allOf", "anyOf", "oneOf", "dependencies"):
            i -= 1  # `not`: no key follows
        i += 2
    return "/".join(parts)
