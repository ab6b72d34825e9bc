"""Issue 10 item 4, locally: the WAF rate rule in front of the local gateway (local/ratelimit.py)
and the credential lane that keeps argon2 away from token checks (local/workers.py)."""

from __future__ import annotations

import http.client
import json
import os
import threading
import uuid

import pytest

from local.events import HttpRequest
from local.ratelimit import Firewall, SlidingWindowLimiter
from local.workers import CREDENTIAL_LANE, LANE_NICENESS, lane_pool_name
from tests.helpers import local_platform


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides_and_refusals_are_not_counted():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 10, clock=clock)
    for at in (0.0, 1.0, 2.0):
        clock.now = 1000 + at
        assert limiter.hit("a") is None
    clock.now = 1003.2
    assert limiter.hit("a") == 7  # the first hit (t=0) leaves the window at t=10: 6.8 s, rounded up
    assert limiter.hit("b") is None  # another client has its own count
    clock.now = 1010.0  # t=0 has left the window; the refused hit at 3.2 did not count
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 1  # full again until t=11


def test_parallel_requests_cannot_share_one_free_slot():
    limiter = SlidingWindowLimiter(5, 60)
    passed = []
    barrier = threading.Barrier(30)

    def one() -> None:
        barrier.wait()
        if limiter.hit("203.0.113.9") is None:
            passed.append(1)

    threads = [threading.Thread(target=one) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(passed) == 5


def test_idle_clients_are_forgotten():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 10, clock=clock)
    for i in range(100):
        limiter.hit(f"client-{i}")
    clock.now += 25
    limiter.hit("late")
    assert set(limiter._hits) == {"late"}


def post(path: str, method: str = "POST") -> HttpRequest:
    return HttpRequest(method, path, (), b"{}", source_ip="198.51.100.7")


@pytest.mark.parametrize(
    ("request_", "counted"),
    [
        (post("/dev/auth/login"), True),
        (post("/auth/login"), True),  # the stage prefix is optional locally
        (post("/dev/auth//login"), True),  # NORMALIZE_PATH
        (post("/dev/auth/%6cogin"), True),  # URL_DECODE
        (post("/auth/register"), True),
        (post("/auth/forgot-password"), True),
        (post("/auth/reset-password?x=1"), True),
        (post("/auth/refresh"), False),
        (post("/auth/login", "OPTIONS"), False),  # a CORS preflight costs no hash
        (post("/auth/login", "GET"), False),
        (post("/auth/me", "GET"), False),
    ],
)
def test_the_rule_counts_what_the_web_acl_counts(request_, counted):
    assert Firewall("dev", 10, 300, "http://127.0.0.1:5173").in_scope(request_) is counted


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    # The rule as a stack would set it, with a small limit so the test reaches it quickly.
    with local_platform(tmp_path_factory.mktemp("firewall"), build_frontend=False, auth_rate_limit=10) as p:
        yield p


def call(port: int, method: str, path: str, body: object = None, token: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), json.loads(raw) if raw else None


def test_past_the_limit_sign_ins_get_429_and_everything_else_still_works(platform):
    email, password = f"fw-{uuid.uuid4().hex[:8]}@example.com", "Correct-Horse-Battery-9"
    status, _, _ = call(
        platform.port, "POST", "/auth/register", {"email": email, "password": password, "name": "F"}
    )
    assert status == 201
    status, _, tokens = call(platform.port, "POST", "/auth/login", {"email": email, "password": password})
    assert status == 200
    audited, original = [], platform.gateway.audit
    platform.gateway.audit = lambda record: (audited.append(record), original(record))
    for i in range(8):  # 2 used above; 8 more reach the limit of 10
        status, _, _ = call(
            platform.port, "POST", "/auth/login", {"email": f"x{i}@example.com", "password": "w" * 12}
        )
        assert status == 401
    status, headers, body = call(platform.port, "POST", "/auth/login", {"email": email, "password": password})
    assert status == 429
    assert body["error"]["code"] == "TOO_MANY_REQUESTS"
    retry_after = int(headers["Retry-After"])
    assert 1 <= retry_after <= 300 and body["error"]["details"]["retryAfter"] == retry_after
    assert headers["Access-Control-Allow-Origin"] == platform.frontend_url
    assert call(platform.port, "POST", "/dev/auth/register", {"email": "y@example.com"})[0] == 429
    # Token operations and the rest of the API are not behind the rule.
    assert call(platform.port, "GET", "/auth/me", token=tokens["accessToken"])[0] == 200
    status, _, _ = call(platform.port, "POST", "/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    assert status == 200
    assert call(platform.port, "GET", "/health")[0] == 200
    platform.gateway.audit = original
    # Blocked requests never reach the API's access log (nor the audit log fed from it).
    statuses = [r["status"] for r in audited]
    assert "429" not in statuses and statuses.count("401") == 8 and statuses[-1] == "200"


def test_credential_operations_run_in_their_own_lower_priority_lane(platform):
    invoker = platform.invoker
    lane = invoker.pools[lane_pool_name("auth-service", CREDENTIAL_LANE)]
    main = invoker.pools["auth-service"]
    for resource in ("/auth/login", "/auth/register", "/auth/reset-password", "/auth/change-password"):
        assert invoker.pool_for("auth-service", {"resource": resource}) is lane
    for resource in ("/auth/me", "/auth/refresh", "/auth/logout", "/auth/verify"):
        assert invoker.pool_for("auth-service", {"resource": resource}) is main
    assert invoker.pool_for("authorizer", {"type": "TOKEN"}) is invoker.pools["authorizer"]
    # The lane's processes hash at a lower CPU priority than the token checks.
    (worker, *_) = lane._idle + list(lane._busy)
    assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) >= LANE_NICENESS
    (main_worker, *_) = main._idle + list(main._busy)
    assert os.getpriority(os.PRIO_PROCESS, main_worker.process.pid) < LANE_NICENESS
