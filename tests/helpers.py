"""Helpers shared by test modules (fixtures stay in conftest.py and the modules)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def local_platform(home: Path, **overrides: Any) -> Iterator[Any]:
    """A started LocalPlatform on free ports with a tiny dataset; function logs go to a file
    in `home` (read it when a test fails). Stopped, and the log closed, on exit."""
    from local import LocalPlatform

    with open(home / "functions.log", "w", buffering=1) as log:
        options: dict[str, Any] = {
            "port": 0, "moto_port": 0, "frontend_port": 0, "scale": 0.02, "seed": 7,
            "home": home, "workers_per_function": 1, "log_stream": log,
            # the background data-jobs run only where a test asks for it (data_jobs=True)
            "data_jobs": False,
        }  # fmt: skip
        options.update(overrides)
        platform = LocalPlatform(**options)
        platform.start()
        try:
            yield platform
        finally:
            platform.stop()
