"""Latency of the analytics and AI services' operations through the local gateway, at two
dataset scales, with the warehouse queries and bytes scanned per call.

For each scale (default 1.0 and 5.0) it starts the local platform on that dataset (generated
first, untimed, when missing), registers a user, and for every request listed in
`benchmarks/requests/<service>.json` (a JSON list of `{"method", "path", "query"?, "body"?}`;
a service joins the benchmark by dropping its file there) sends warm-up calls (cold start,
artifacts computed once per data version) and then N timed calls on a keep-alive connection.
It prints per request p50/p95 ms at each scale, the warehouse queries and MB scanned per call
(the `X-Warehouse-Queries` / `X-Warehouse-Bytes` headers the local platform's functions add:
`WAREHOUSE_STATS_HEADERS=1`, never set in AWS), and the verdict against the budget
(p95 < 300 ms at scale 1.0; SERVICES.md). Then, per service, what a cold start costs: the
handler's import time in a fresh interpreter (`bench_imports.py`'s probe, budget 300 ms) and
the size of its zip as the pipeline builds it (`bench_zips.py`'s build, budget 20 MB; needs the
package index once, `--no-zip` skips it).

    .venv/bin/python benchmarks/bench_services.py                      # every service, 1.0 and 5.0
    .venv/bin/python benchmarks/bench_services.py --service analytics-service --requests 50
    .venv/bin/python benchmarks/bench_services.py --scales 1.0 --markdown   # a README table

In AWS each warehouse query is an Athena query (about a second, billed by the bytes scanned),
so the queries column is what a call would wait and the MB column what it would cost there.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from benchmarks.local_platform import prepared  # noqa: E402
from local import LocalPlatform  # noqa: E402

REQUESTS_DIR = Path(__file__).resolve().parent / "requests"
P95_BUDGET_MS = 300.0
IMPORT_BUDGET_MS = 300.0
ZIP_BUDGET_MB = 20.0
BUDGET_SCALE = 1.0
PASSWORD = "Correct-Horse-Battery-9"
WARMUP = 3


@dataclass
class Request:
    service: str
    method: str
    path: str
    query: dict = field(default_factory=dict)
    body: object = None
    index: int = 0  # position in its file: two requests may share a method and path

    @property
    def url(self) -> str:
        return self.path + ("?" + urllib.parse.urlencode(self.query) if self.query else "")

    @property
    def key(self) -> str:
        return f"{self.service}#{self.index}"

    @property
    def label(self) -> str:
        detail = self.query or (self.body if isinstance(self.body, dict) else {})
        return f"{self.method} {self.path}" + (f" ({_short(detail)})" if detail else "")


def _short(query: dict) -> str:
    text = ", ".join(f"{k}={v}" for k, v in query.items())
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass
class Figures:
    ms: list[float]
    queries: list[int]
    scanned: list[int]
    failures: list[str]

    def percentiles(self) -> tuple[float, float]:
        ordered = sorted(self.ms)
        p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
        return statistics.median(ordered), p95


def load_requests(services: list[str] | None) -> list[Request]:
    out = []
    for path in sorted(REQUESTS_DIR.glob("*.json")):
        service = path.stem
        if services and service not in services:
            continue
        for i, item in enumerate(json.loads(path.read_text())):
            method, query, body = item["method"].upper(), item.get("query") or {}, item.get("body")
            out.append(Request(service, method, item["path"], query, body, i))
    return out


class Client:
    """One keep-alive connection, like a browser tab."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, url: str, body: object = None, token: str | None = None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        try:
            self.conn.request(method, url, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (http.client.HTTPException, OSError):  # the server closed the connection: reopen
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, url, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        elapsed = (time.perf_counter() - started) * 1000
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw, elapsed


def data_dir_for(scale: float) -> Path:
    return ROOT / ".local" / ("data" if scale == 1.0 else f"data-scale-{scale:g}")


def bench_scale(scale: float, requests: list[Request], n: int) -> dict[str, Figures]:
    data_dir = data_dir_for(scale)
    with (
        tempfile.TemporaryDirectory(prefix="bench-services-") as home,
        prepared(home, data_dir, scale, frontend_enabled=False, workers_per_function=1) as platform,
    ):
        platform.start()
        try:
            return run(platform, requests, n)
        finally:
            platform.stop()


def run(platform: LocalPlatform, requests: list[Request], n: int) -> dict[str, Figures]:
    client = Client(platform.port)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    status, _, raw, _ = client.call(
        "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "B"}
    )
    if status != 201:
        raise SystemExit(f"register: {status} {raw[:300]!r}")
    status, _, raw, _ = client.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    token = json.loads(raw)["accessToken"]
    results: dict[str, Figures] = {}
    for req in requests:
        figures = Figures([], [], [], [])
        for i in range(WARMUP + n):
            status, headers, raw, ms = client.call(req.method, req.url, req.body, token)
            if status >= 300:
                figures.failures.append(f"{status} {raw[:200]!r}")
                break
            if i >= WARMUP:
                figures.ms.append(ms)
                figures.queries.append(int(headers.get("x-warehouse-queries", 0)))
                figures.scanned.append(int(headers.get("x-warehouse-bytes", 0)))
        results[req.key] = figures
    return results


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def report(
    requests: list[Request], by_scale: dict[float, dict[str, Figures]], n: int, markdown: bool
) -> bool:
    scales = list(by_scale)
    ok = True
    if markdown:
        head = " | ".join(f"p50 / p95 ms @{s:g}" for s in scales)
        cost = " | ".join(f"queries, MB @{s:g}" for s in scales)
        print(f"| service | operation | {head} | {cost} |")
        print("|---|---|" + "---|" * (2 * len(scales)))
    else:
        print(
            f"\n{n} timed calls per request after {WARMUP} warm-up calls; budget p95 < {P95_BUDGET_MS:.0f} ms "
            f"at scale {BUDGET_SCALE:g}"
        )
        cols = "".join(f"{'p50@' + format(s, 'g'):>10}{'p95@' + format(s, 'g'):>10}{'q@' + format(s, 'g'):>7}"
                       f"{'MB@' + format(s, 'g'):>9}" for s in scales)  # fmt: skip
        print(f"{'service':<22}{'operation':<62}{cols}   verdict")
    for req in requests:
        cells, costs, verdict = [], [], ""
        for s in scales:
            f = by_scale[s].get(req.key)
            if f is None or f.failures or not f.ms:
                cells.append("failed")
                costs.append(f.failures[0] if f and f.failures else "-")
                ok = False
                verdict = "FAILED"
                continue
            p50, p95 = f.percentiles()
            cells.append(f"{p50:.0f} / {p95:.0f}")
            costs.append(f"{_mean(f.queries):.1f}, {_mean(f.scanned) / 1e6:.2f}")
            if s == BUDGET_SCALE and not verdict:
                verdict = "OK" if p95 < P95_BUDGET_MS else "OVER BUDGET"
                ok = ok and p95 < P95_BUDGET_MS
        if markdown:
            print(
                f"| {req.service} | `{req.label}` | " + " | ".join(cells) + " | " + " | ".join(costs) + " |"
            )
        else:
            row = ""
            for cell, cost in zip(cells, costs, strict=True):
                if cell == "failed":
                    row += f"{'failed':>20}{'':>16}"
                    continue
                p50, p95 = cell.split(" / ")
                q, mb = cost.split(", ")
                row += f"{p50:>10}{p95:>10}{q:>7}{mb:>9}"
            print(f"{req.service:<22}{req.label[:61]:<62}{row}   {verdict}")
            for s in scales:
                f = by_scale[s].get(req.key)
                if f and f.failures:
                    print(f"    scale {s:g}: {f.failures[0]}")
    return ok


def packages(services: list[str], *, zips: bool, runs: int = 5) -> bool:
    """Print each service's handler import time and zip size; whether both are in budget."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_imports  # the same probe and environment as `bench_imports.py`

    from components import catalog

    ok = True
    print(
        f"\n{'service':<22}{'import wall ms (min)':>22}{'cpu ms':>9}{'zip MB':>9}   budget import {IMPORT_BUDGET_MS:.0f} ms, zip {ZIP_BUDGET_MB:.0f} MB"
    )
    scratch = tempfile.TemporaryDirectory(prefix="bench-services-zip-") if zips else None
    try:
        deps = None
        for name in services:
            fn = catalog.service(name)
            walls, cpus, _ = bench_imports.measure(
                f"{fn.package}.handler", runs, bench_imports.environment(False)
            )
            wall = statistics.median(walls)
            size = "-"
            if scratch is not None:
                from deploy import lambdas as dl

                deps = deps or dl.Dependencies(Path(scratch.name) / "deps")
                built = dl.build_package(
                    catalog.LAMBDAS_DIR,
                    fn.package,
                    Path(scratch.name) / "dist",
                    dependencies=deps,
                    bundles=fn.bundles,
                )
                mb = built.size / 2**20
                size = f"{mb:.1f}"
                ok = ok and mb <= ZIP_BUDGET_MB
            ok = ok and wall <= IMPORT_BUDGET_MS
            print(f"{name:<22}{wall:>15.0f} ({min(walls):.0f}){statistics.median(cpus):>9.0f}{size:>9}")
    finally:
        if scratch is not None:
            scratch.cleanup()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 5.0])
    parser.add_argument("--requests", type=int, default=40, help="timed calls per request")
    parser.add_argument("--service", action="append", help="only this service (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--no-zip", action="store_true", help="skip building the zips (needs the package index)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a budget is missed or a call fails"
    )
    args = parser.parse_args(argv)
    requests = load_requests(args.service)
    if not requests:
        raise SystemExit(f"no requests in {REQUESTS_DIR} for {args.service or 'any service'}")
    print(f"== services benchmark: {len(requests)} requests of "
          f"{len({r.service for r in requests})} service(s), scales {', '.join(f'{s:g}' for s in args.scales)} ==")  # fmt: skip
    by_scale = {}
    for scale in args.scales:
        started = time.perf_counter()
        by_scale[scale] = bench_scale(scale, requests, args.requests)
        print(f"scale {scale:g}: measured in {time.perf_counter() - started:.0f} s", flush=True)
    ok = report(requests, by_scale, args.requests, args.markdown)
    services = sorted({r.service for r in requests})
    ok = packages(services, zips=not args.no_zip) and ok
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
