"""Benchmark of the local platform (`./dev bench`, or `python benchmarks/bench_local.py`).

Prints:
  (a) start -> ready on a warm install (the dataset already generated; generated first,
      untimed, if it is not), budget < 60 s;
  (b) p50/p95 of 200 requests each through the local gateway: GET /auth/me, POST /auth/refresh
      (rotation: each call uses the previous answer's refresh token), POST /auth/verify,
      GET /health; budget p95 < 50 ms;
  (c) POST /auth/register and /auth/login p50/p95 (password hashing on purpose; information).

Uses free ports and a throwaway state folder, so it runs beside a `./dev up`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from benchmarks.local_platform import prepared  # noqa: E402
from local import LocalPlatform  # noqa: E402

READY_BUDGET_S = 60.0
AUTH_P95_BUDGET_MS = 50.0
PASSWORD = "Correct-Horse-Battery-9"


class Client:
    """One keep-alive connection, like a browser tab."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(
        self, method: str, path: str, body: object = None, token: str | None = None
    ) -> tuple[int, dict, float]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        elapsed = (time.perf_counter() - started) * 1000
        return resp.status, (json.loads(raw) if raw else {}), elapsed


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def expect(status: int, wanted: int, what: str, body: dict) -> None:
    if status != wanted:
        raise SystemExit(f"{what}: expected {wanted}, got {status}: {body}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".local" / "data")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    args = parser.parse_args(argv)
    n = args.requests

    print("== local platform benchmark ==")
    with (
        tempfile.TemporaryDirectory(prefix="bench-local-") as home,
        prepared(home, args.data_dir, args.scale) as platform,
    ):
        started = time.perf_counter()
        platform.start()
        ready = time.perf_counter() - started
        try:
            rows = run(platform, n)
        finally:
            platform.stop()

    ok = ready < READY_BUDGET_S
    print(
        f"\n(a) start -> ready, warm install: {ready:.1f} s   budget < {READY_BUDGET_S:.0f} s   "
        f"{'OK' if ok else 'OVER BUDGET'}"
    )
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in platform.timings.items() if k != "ready")
    print(f"    steps: {steps}")
    print(f"\n(b) through the local gateway, {n} requests each (keep-alive connection)")
    print(f"    {'operation':<22}{'p50 ms':>9}{'p95 ms':>9}   budget p95 < {AUTH_P95_BUDGET_MS:.0f} ms")
    for name, samples, budgeted in rows:
        p50, p95 = percentiles(samples)
        verdict = ("OK" if p95 < AUTH_P95_BUDGET_MS else "OVER BUDGET") if budgeted else "(information)"
        ok = ok and (p95 < AUTH_P95_BUDGET_MS or not budgeted)
        print(f"    {name:<22}{p50:>9.1f}{p95:>9.1f}   {verdict}")
    print("\n(c) register/login above are password hashing by design (argon2), not budgeted")
    return 1 if args.strict and not ok else 0


def new_user(client: Client, prefix: str = "bench") -> dict:
    """Register a fresh user and sign in: its tokens."""
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    status, body, _ = client.call(
        "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": prefix.title()}
    )
    expect(status, 201, "register", body)
    status, tokens, _ = client.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    expect(status, 200, "login", tokens)
    return tokens


def run(platform: LocalPlatform, n: int) -> list[tuple[str, list[float], bool]]:
    client = Client(platform.port)
    tokens = new_user(client)
    access, refresh = tokens["accessToken"], tokens["refreshToken"]
    # Warm-up: the first calls pay the cold starts and fill the authorizer cache.
    for _ in range(5):
        client.call("GET", "/auth/me", token=access)
        client.call("GET", "/health")

    def measure(method: str, path: str, body=None, token=None, wanted=200) -> list[float]:
        samples = []
        for _ in range(n):
            status, answer, ms = client.call(method, path, body, token)
            expect(status, wanted, f"{method} {path}", answer)
            samples.append(ms)
        return samples

    rows = [("GET /auth/me", measure("GET", "/auth/me", token=access), True)]

    samples = []
    for _ in range(n):  # each refresh rotates: the next call uses the new token
        status, answer, ms = client.call("POST", "/auth/refresh", {"refreshToken": refresh})
        expect(status, 200, "POST /auth/refresh", answer)
        refresh, access = answer["refreshToken"], answer["accessToken"]
        samples.append(ms)
    rows.append(("POST /auth/refresh", samples, True))
    rows.append(("POST /auth/verify", measure("POST", "/auth/verify", {"token": access}, token=access), True))
    rows.append(("GET /health", measure("GET", "/health"), True))

    info_n = max(5, min(20, n // 10))
    register, login = [], []
    for _ in range(info_n):
        other = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        status, answer, ms = client.call(
            "POST", "/auth/register", {"email": other, "password": PASSWORD, "name": "B"}
        )
        expect(status, 201, "register", answer)
        register.append(ms)
        status, answer, ms = client.call("POST", "/auth/login", {"email": other, "password": PASSWORD})
        expect(status, 200, "login", answer)
        login.append(ms)
    rows.append((f"POST /auth/register x{info_n}", register, False))
    rows.append((f"POST /auth/login x{info_n}", login, False))
    return rows


if __name__ == "__main__":
    sys.exit(main())
