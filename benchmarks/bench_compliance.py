"""Latency of compliance-guardian's operations that the shared benchmark (bench_services.py,
one plain user) cannot call: the admin-only audit log and compliance report, and a case update
(it needs a case). Through the local gateway at scale 1.0, with an admin made by deploy.admin.

    .venv/bin/python benchmarks/bench_compliance.py [--requests 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_services import P95_BUDGET_MS, PASSWORD, WARMUP, Client, Figures, data_dir_for  # noqa: E402

from deploy import admin  # noqa: E402
from local import LocalPlatform  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    month = f"from={today - timedelta(days=29)}&to={today}"
    with tempfile.TemporaryDirectory(prefix="bench-compliance-") as home:
        log = open(Path(home) / "functions.log", "w")
        platform = LocalPlatform(
            port=0, moto_port=0, frontend_port=0, scale=1.0, seed=42, home=home, data_dir=data_dir_for(1.0),
            build_frontend=False, frontend_enabled=False, access_log=False, log_stream=log, workers_per_function=1,
        )  # fmt: skip
        platform.start()
        try:
            client = Client(platform.port)
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            client.call("POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "B"})
            admin.set_role(platform.clients.dynamodb, platform.names["users_table"], email, admin.ADMIN)
            _, _, raw, _ = client.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
            token = json.loads(raw)["accessToken"]
            # some history: cases and calls for the listings to read
            case_ids = []
            for i in range(30):
                _, _, raw, _ = client.call(
                    "POST", "/compliance/cases", {"title": f"case {i}", "severity": "high"}, token
                )
                case_ids.append(json.loads(raw)["caseId"])
            platform.audit.flush()
            requests = [
                ("GET", "/compliance/audit-log?limit=50", None),
                ("GET", f"/compliance/audit-log?limit=50&method=POST&{month}", None),
                ("GET", f"/compliance/compliance-report?{month}", None),
                ("GET", "/compliance/compliance-report?from=2026-04-01&to=2026-06-30", None),
                ("PATCH", f"/compliance/cases/{case_ids[0]}", {"severity": "critical"}),
            ]
            ok = True
            print(
                f"{args.requests} timed calls after {WARMUP} warm-up calls; budget p95 < {P95_BUDGET_MS:.0f} ms (scale 1)"
            )
            for method, url, body in requests:
                figures = Figures([], [], [], [])
                for i in range(WARMUP + args.requests):
                    status, _, raw, ms = client.call(method, url, body, token)
                    if status >= 300:
                        figures.failures.append(f"{status} {raw[:200]!r}")
                        break
                    if i >= WARMUP:
                        figures.ms.append(ms)
                if figures.failures:
                    ok = False
                    print(f"  {method} {url}: FAILED {figures.failures[0]}")
                    continue
                p50, p95 = figures.percentiles()
                verdict = "OK" if p95 < P95_BUDGET_MS else "OVER BUDGET"
                ok &= p95 < P95_BUDGET_MS
                print(f"  {method:5s} {url[:70]:70s} p50 {p50:6.0f}  p95 {p95:6.0f}  {verdict}")
            return 0 if ok else 1
        finally:
            platform.stop()
            log.close()


if __name__ == "__main__":
    sys.exit(main())
