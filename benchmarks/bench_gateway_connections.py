"""Benchmark of the local gateway's connection handling (issue 10 item 9), no platform needed:

  (a) 60 clients connecting at the same moment, each GET /health on a new connection: p50/p95/max
      from the start to the answer, with the gateway's listen backlog and, for comparison, with
      socketserver's default of 5 (before); budget p95 < 250 ms;
  (b) 300 half-open requests (a head without its empty line): threads the gateway holds for them
      (budget 0: they wait in the reception, not in a thread each), whether a complete request
      is still answered meanwhile, and when the gateway has closed them all (header timeout).

`python benchmarks/bench_gateway_connections.py`
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from local.contract import Operation, Router  # noqa: E402
from local.gateway import HEADER_TIMEOUT_S, Gateway, GatewayServer, _Handler  # noqa: E402

REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class Health:
    def invoke(self, function: str, event: dict) -> dict:
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"status":"ok"}'}


def start(backlog: int | None = None) -> tuple[GatewayServer, tuple[str, int]]:
    gateway = Gateway(
        Router([Operation("GET", "/health", "auth-service", "health", True)]),
        Health(),
        stage="dev",
        region="us-east-2",
        allowed_origin="http://127.0.0.1:5173",
    )
    server_class = GatewayServer
    if backlog is not None:
        server_class = type("Backlog", (GatewayServer,), {"request_queue_size": backlog})
    server = server_class(("127.0.0.1", 0), type("H", (_Handler,), {"gateway": gateway}))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, server.server_address[:2]


def ask(address: tuple[str, int], timeout: float = 30) -> bytes:
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(REQUEST)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def burst(address: tuple[str, int], clients: int) -> list[float]:
    gate = threading.Barrier(clients + 1)
    took: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        gate.wait()
        started = time.perf_counter()
        answer = ask(address)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.startswith(b"HTTP/1.1 200"):
            with lock:
                took.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    gate.wait()
    for t in threads:
        t.join()
    return took


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--half-open", type=int, default=300)
    args = parser.parse_args()

    print(f"(a) {args.clients} clients connecting at once, GET /health each")
    ok = True
    for label, backlog in (
        (f"backlog {GatewayServer.request_queue_size} (now)", None),
        ("backlog 5 (before)", 5),
    ):
        server, address = start(backlog)
        try:
            took = burst(address, args.clients)
        finally:
            server.shutdown()
            server.server_close()
        print(f"    {label:24} {len(took)}/{args.clients} answered  {figures(took)}")
        if backlog is None:
            p95 = sorted(took)[max(0, round(0.95 * len(took)) - 1)]
            ok &= len(took) == args.clients and p95 < 250
    print("    budget: all answered, p95 < 250 ms with the gateway's backlog")

    print(f"\n(b) {args.half_open} half-open requests (no empty line after the head)")
    server, address = start()
    before = threading.active_count()
    socks = []
    try:
        for _ in range(args.half_open):
            sock = socket.create_connection(address, timeout=HEADER_TIMEOUT_S + 10)
            sock.sendall(b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(sock)
        opened = time.monotonic()
        time.sleep(0.5)
        held = threading.active_count() - before
        started = time.perf_counter()
        answered = ask(address).startswith(b"HTTP/1.1 200")
        meanwhile = (time.perf_counter() - started) * 1000
        closed_after = []
        for sock in socks:
            try:
                while sock.recv(65536):
                    pass
            except OSError:
                pass
            closed_after.append(time.monotonic() - opened)
    finally:
        for sock in socks:
            sock.close()
        server.shutdown()
        server.server_close()
    print(f"    threads held while they are open: {held} (budget 0)")
    print(
        f"    a complete request meanwhile: {'answered' if answered else 'NOT answered'} in {meanwhile:.1f} ms"
    )
    print(
        f"    all closed by the gateway {max(closed_after):.1f} s after they opened "
        f"(header timeout {HEADER_TIMEOUT_S:g} s)"
    )
    ok &= held <= 0 and answered and max(closed_after) < HEADER_TIMEOUT_S + 5
    print("\n" + ("within budget" if ok else "OVER BUDGET"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
