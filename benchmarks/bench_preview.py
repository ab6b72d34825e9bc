"""Offline preview time per stack (budget: under 10 s each). Prints figures; asserts nothing."""

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 10.0


def main() -> None:
    for stack in ("dev", "prod"):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "preview", stack, "--json"],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(
            f"preview {stack}: median {median:.2f} s over {len(times)} runs "
            f"(min {min(times):.2f}, max {max(times):.2f}); budget {BUDGET_S:.0f} s: "
            f"{'OK' if median < BUDGET_S else 'OVER'}"
        )


if __name__ == "__main__":
    main()
