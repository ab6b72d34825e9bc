"""Lighthouse on the web app (`./dev bench`, or `python benchmarks/bench_lighthouse.py`).

Starts the local platform on free ports with a small dataset (it builds the web app for its own
API), then runs `benchmarks/lighthouse/run.mjs`: Lighthouse's default mobile profile (simulated
slow 4G, 4x CPU slowdown) on the sign-in page and on each of the six areas, signed in. Prints
performance, accessibility and best practices per page against the budgets (accessibility and
best practices 1.0, performance >= 0.9), with LCP, TBT and CLS.

Needs Debian's Chromium (/usr/bin/chromium, or CHROMIUM) and node; installs Lighthouse into
benchmarks/lighthouse/node_modules with `npm ci` the first time (kept apart from frontend/ so
the app's installs and its pipeline build stay small). Skips, saying why, when either is missing.
Performance is a timing under CPU throttling: on a machine busy with other work it reads lower.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from tests.helpers import local_platform  # noqa: E402

HERE = ROOT / "benchmarks" / "lighthouse"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
BUDGET = {"performance": 0.9, "accessibility": 1.0, "best-practices": 1.0}


def main() -> int:
    if not CHROMIUM.exists() or not shutil.which("node"):
        print(f"bench_lighthouse: skipped (needs {CHROMIUM} and node)")
        return 0
    if not (HERE / "node_modules" / "lighthouse").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as tmp:
        home = Path(tmp)
        with local_platform(home, access_log=False, scale=0.1) as platform:
            out = home / "lighthouse.json"
            subprocess.run(
                ["node", "run.mjs", platform.frontend_url, platform.stage_url, "--json", str(out)],
                cwd=HERE,
                env={**os.environ, "CHROMIUM": str(CHROMIUM)},
                check=True,
                timeout=900,
            )
            results = json.loads(out.read_text())
    print("\nLighthouse, mobile profile (budget: performance >= 0.9, accessibility and best practices 1.0)")
    print(
        f"{'page':22}{'performance':>12}{'accessibility':>15}{'best practices':>16}{'LCP ms':>8}{'TBT ms':>8}{'CLS':>7}"
    )
    missed = 0
    for r in results:
        marks = {k: "" if (r[k] or 0) >= v else " !" for k, v in BUDGET.items()}
        missed += sum(1 for m in marks.values() if m)
        print(
            f"{r['name']:22}{r['performance']:>10.2f}{marks['performance']:2}{r['accessibility']:>13.2f}"
            f"{marks['accessibility']:2}{r['best-practices']:>14.2f}{marks['best-practices']:2}"
            f"{r['lcpMs']:>8}{r['tbtMs']:>8}{r['cls']:>7.3f}"
        )
    print(f"{missed} figure(s) outside the budget (marked !)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
