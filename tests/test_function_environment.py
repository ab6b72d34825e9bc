"""Every environment variable a function insists on (`shared.env.required("X")` or
`os.environ["X"]` in the modules of its own package that its handler reaches) is set by the Services component in both stacks: a missing one would only show as a
500 in AWS, never in the local platform, which sets its own."""

from __future__ import annotations

import ast
from pathlib import Path

from components import catalog


def modules_reached(fn: catalog.Function) -> list[Path]:
    """The function's handler module and every module of its own package it imports (the
    authorizer shares the auth package but reaches only part of it)."""
    root = catalog.LAMBDAS_DIR
    start = root / (fn.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
    seen: list[Path] = []
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.append(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == fn.package:
                todo.append(root / (node.module.replace(".", "/") + ".py"))
                todo += [root / fn.package / f"{a.name}.py" for a in node.names if node.module == fn.package]
            elif isinstance(node, ast.ImportFrom) and node.level == 1:
                base = root / fn.package
                todo.append(base / f"{node.module}.py" if node.module else base)
                todo += [base / f"{a.name}.py" for a in node.names if not node.module]
    return seen


def required_names(fn: catalog.Function) -> set[str]:
    names = set()
    for path in modules_reached(fn):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "required"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
            elif (  # os.environ["X"]: as mandatory as required("X")
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "environ"
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(node.slice.value)
    return names


def test_the_scan_finds_what_it_looks_for():
    assert {"USERS_TABLE", "RESET_QUEUE_URL"} <= required_names(catalog.service("auth-service"))
    assert "USERS_TABLE" not in required_names(catalog.AUTHORIZER)
    assert {"CASES_TABLE", "AUDIT_TABLE"} <= required_names(catalog.service("compliance-guardian"))


def test_every_required_variable_is_set_for_its_function(stack_run):
    functions = {r.inputs["name"]: r for r in stack_run.of_type("aws:lambda/function:Function")}
    for fn in catalog.FUNCTIONS:
        (resource,) = [r for name, r in functions.items() if f"-{fn.name}-" in name]
        env = resource.get("environment.variables") or {}
        missing = required_names(fn) - set(env)
        assert not missing, f"{fn.name} requires {sorted(missing)}"
