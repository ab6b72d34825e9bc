"""Import time of every Lambda handler against the 150 ms budget.

For each package under lambdas/ that has a handler.py (and the auth service's authorizer),
`import <package>.handler` runs in a fresh interpreter with a function's environment (dummy
values, tracing off as it is locally); the median of N runs is reported. A warm-up run first
writes the bytecode caches, as a built zip would ship them. Wall time is the budget; CPU time
is printed beside it because on a shared machine the wall time also measures the neighbours.

    .venv/bin/python benchmarks/bench_imports.py            # median of 5
    .venv/bin/python benchmarks/bench_imports.py --runs 9 --strict
    .venv/bin/python benchmarks/bench_imports.py --with-tracing   # as in AWS: X-Ray SDK loaded

Exit status 1 with --strict when a handler is over budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS = ROOT / "lambdas"
BUDGET_MS = 150.0

sys.path.insert(0, str(LAMBDAS))
from shared.testing import LAMBDA_ENV  # noqa: E402  (plain data: the functions' environment)

PROBE = (
    "import time, sys; t = time.perf_counter(); c = time.process_time(); import {module}; "
    "print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000); "
    "print(','.join(m for m in ('boto3', 'jwt', 'argon2', 'fastjsonschema', 'aws_xray_sdk.core') "
    "if m in sys.modules))"
)


def modules() -> list[str]:
    found = sorted(f"{p.parent.name}.handler" for p in LAMBDAS.glob("*/handler.py"))
    if (LAMBDAS / "auth_service" / "authorizer.py").exists():
        found.append("auth_service.authorizer")
    return found


def environment(with_tracing: bool) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(LAMBDAS), **LAMBDA_ENV}
    if with_tracing:
        env.pop("POWERTOOLS_TRACE_DISABLED")
        env["LAMBDA_TASK_ROOT"] = str(LAMBDAS)  # Powertools traces only inside Lambda
    return env


def measure(module: str, runs: int, env: dict[str, str]) -> tuple[list[float], list[float], str]:
    """(wall ms per run, CPU ms per run, heavy modules loaded by the import)."""

    def once() -> tuple[float, float, str]:
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)],
            env=env,
            cwd=LAMBDAS,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"import {module} failed:\n{out.stderr.strip()[-2000:]}")
        lines = out.stdout.split("\n")
        wall, cpu = (float(x) for x in lines[0].split())
        return wall, cpu, lines[1].strip() if len(lines) > 1 else ""

    once()  # warm-up: bytecode caches
    walls, cpus, loaded = [], [], ""
    for _ in range(runs):
        wall, cpu, loaded = once()
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus, loaded


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--with-tracing", action="store_true", help="as in AWS, with the X-Ray SDK")
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args()

    env = environment(args.with_tracing)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"import time, median of {args.runs} fresh interpreters (budget {BUDGET_MS:.0f} ms wall"
        f"{', tracing on' if args.with_tracing else ''}); Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load {load:.1f}"
    )
    print(f"  {'module':42s} {'wall':>9s}  {'(min-max)':11s} {'cpu':>8s}  verdict  loaded at import")
    over = 0
    for module in modules():
        try:
            walls, cpus, loaded = measure(module, args.runs, env)
        except RuntimeError as exc:
            print(f"  {module:42s}  ERROR  {exc}")
            over += 1
            continue
        median = statistics.median(walls)
        verdict = "ok" if median <= BUDGET_MS else "OVER"
        over += verdict == "OVER"
        spread = f"({min(walls):.0f}-{max(walls):.0f})"
        print(
            f"  {module:42s} {median:6.1f} ms  {spread:11s} {statistics.median(cpus):5.1f} ms  {verdict:7s}  "
            f"{loaded or '-'}"
        )
    return 1 if (over and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
