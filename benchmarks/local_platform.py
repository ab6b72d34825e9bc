"""The local platform as the benchmarks start it: free ports, a throwaway home, no frontend
build, no access log, function logs in `<home>/functions.log`. The dataset is generated first,
untimed, when `data_dir` does not hold it yet, so start-up figures are those of a warm install."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from local import LocalPlatform
from local.dataset import is_current
from local.progress import Progress


@contextlib.contextmanager
def prepared(
    home: str | Path, data_dir: Path, scale: float, seed: int = 42, **overrides: Any
) -> Iterator[LocalPlatform]:
    """A LocalPlatform (not started) whose dataset is already in `data_dir`; its function log is
    closed on exit (stop the platform first)."""
    with open(Path(home) / "functions.log", "w") as log:
        options: dict[str, Any] = {
            "port": 0,
            "moto_port": 0,
            "frontend_port": 0,
            "scale": scale,
            "seed": seed,
            "home": home,
            "data_dir": data_dir,
            "build_frontend": False,
            "access_log": False,
            "log_stream": log,
            **overrides,
        }
        if not is_current(data_dir, scale=scale, seed=seed):
            print(f"(generating the scale {scale:g} dataset into {data_dir} first, untimed)", flush=True)
            with LocalPlatform(**options, progress=Progress(sys.stdout)):
                pass
        yield LocalPlatform(**options)
