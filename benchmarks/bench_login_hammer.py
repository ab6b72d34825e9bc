"""Login hammer (issue 10 item 4): 10 clients sign in to random e-mails as fast as they can
while one signed-in user calls GET /auth/me, all through the local gateway.

Prints /auth/me p50/p95/p99 alone and under the hammer (budget: p95 < 50 ms under it), and what
the hammering clients got (401 from the auth service after a hash, 429 from the WAF rule).
`--no-firewall` runs without the WAF rule, to show what the credential lane does on its own.

    python benchmarks/bench_login_hammer.py [--seconds 20] [--clients 10] [--no-firewall]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_local import Client, expect, new_user  # noqa: E402

from local import LocalPlatform  # noqa: E402

ME_P95_BUDGET_MS = 50.0


def quantiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]

    return q(0.50), q(0.95), q(0.99)


def probe_me(port: int, token: str, stop: threading.Event, every_s: float, out: list[float]) -> None:
    client = Client(port)
    while not stop.is_set():
        status, body, ms = client.call("GET", "/auth/me", token=token)
        expect(status, 200, "GET /auth/me", body)
        out.append(ms)
        stop.wait(every_s)


def hammer(port: int, stop: threading.Event, statuses: collections.Counter, lock: threading.Lock) -> None:
    client = Client(port)
    while not stop.is_set():
        email = f"nobody-{uuid.uuid4().hex[:10]}@example.com"
        status, _, _ = client.call("POST", "/auth/login", {"email": email, "password": "Wrong-Password-123"})
        with lock:
            statuses[status] += 1


def run(platform: LocalPlatform, seconds: float, clients: int, every_s: float) -> dict:
    client = Client(platform.port)
    token = new_user(client, "me")["accessToken"]
    for _ in range(10):  # warm: cold starts, the authorizer cache
        client.call("GET", "/auth/me", token=token)

    alone: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=probe_me, args=(platform.port, token, stop, every_s, alone))
    probe.start()
    time.sleep(min(5.0, seconds / 2))
    stop.set()
    probe.join()

    loaded: list[float] = []
    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    stop = threading.Event()
    threads = [
        threading.Thread(target=hammer, args=(platform.port, stop, statuses, lock)) for _ in range(clients)
    ]
    threads.append(threading.Thread(target=probe_me, args=(platform.port, token, stop, every_s, loaded)))
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return {"alone": alone, "loaded": loaded, "statuses": statuses, "elapsed": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--every-ms", type=float, default=20.0, help="pause between two /auth/me calls")
    parser.add_argument("--no-firewall", action="store_true", help="without the WAF rule (the lane alone)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the budget is missed")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-hammer-") as home:
        platform = LocalPlatform(
            port=0,
            moto_port=0,
            frontend_port=0,
            scale=0.02,
            seed=7,
            home=home,
            build_frontend=False,
            access_log=False,
            log_stream=open(Path(home) / "functions.log", "w"),
            auth_rate_limit=0 if args.no_firewall else None,
        )
        platform.start()
        try:
            firewall = platform.gateway.firewall if platform.gateway else None
            result = run(platform, args.seconds, args.clients, args.every_ms / 1000)
        finally:
            platform.stop()

    rule = (
        f"WAF rule {firewall.limiter.limit} per {firewall.window_s} s per client IP"
        if firewall
        else "no WAF rule (--no-firewall)"
    )
    print(f"== login hammer: {args.clients} clients on POST /auth/login for {args.seconds:.0f} s; {rule} ==")
    print(f"   {'GET /auth/me':<28}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, samples in (("alone", result["alone"]), ("under the hammer", result["loaded"])):
        p50, p95, p99 = quantiles(samples)
        print(f"   {name:<28}{len(samples):>6}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")
    statuses = result["statuses"]
    total = sum(statuses.values())
    answers = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    print(f"   hammering clients: {total} sign-ins in {result['elapsed']:.1f} s ({answers})")
    print(
        f"   hashed (answered by the auth service): {total - statuses.get(429, 0)}; refused by the rule: {statuses.get(429, 0)}"
    )
    p95 = quantiles(result["loaded"])[1]
    ok = p95 < ME_P95_BUDGET_MS
    print(
        f"   budget: /auth/me p95 under the hammer < {ME_P95_BUDGET_MS:.0f} ms: {'OK' if ok else 'OVER BUDGET'}"
    )
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
