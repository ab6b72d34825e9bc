"""Environment of a function (docs/CONVENTIONS.md lists the variables), read at call time so
tests and the local platform can change it."""

from __future__ import annotations

import os


def stage() -> str:
    return os.environ.get("STAGE", "local")


def version() -> str:
    """The deployed code's version: APP_VERSION if the build sets it, else the Lambda version."""
    return os.environ.get("APP_VERSION") or os.environ.get("AWS_LAMBDA_FUNCTION_VERSION") or "dev"


def required(name: str) -> str:
    """A variable the function cannot work without; a missing one is a deployment bug (500)."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def env_int(name: str, default: int, lo: int, hi: int) -> int:
    """An integer setting, clamped to [lo, hi]; a malformed value falls back to the default."""
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return min(max(value, lo), hi)
