"""The local stand-in for the API's WAF web ACL (components/waf.py): the same rate rule, with the
same limit and window from the stack file, in front of the local gateway.

AWS WAF counts the requests of each client IP that match the rule's scope (POST to a public
credential operation) over a trailing window and blocks while the count is over the limit. This
counts each client's requests in a sliding window (exact, where WAF approximates) and answers
429 in the error model, with `Retry-After` set to when the oldest counted request leaves the
window. A blocked request never reaches the gateway: like WAF, it is not in the API's access log.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable

from components.waf import LIMITED_METHOD, credential_path_regex, error_body
from local import events
from local.events import HttpRequest, HttpResponse

_SLASHES = re.compile(r"/{2,}")


class SlidingWindowLimiter:
    """At most `limit` hits per key in any `window_s` seconds; thread-safe (one lock: the check
    and the count are one step, so parallel requests cannot all pass one free slot)."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit and window must be positive")
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, key: str) -> int | None:
        """Count a request of `key`: None when it may pass, else the whole seconds to wait."""
        now = self.clock()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:  # refused requests are not counted: they cost nothing
                return max(1, math.ceil(hits[0] + self.window_s - now))
            hits.append(now)
            return None

    def _sweep(self, now: float) -> None:
        # Forget clients with nothing in the window, so memory follows the active clients.
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window_s]:
            del self._hits[key]
        self._next_sweep = now + self.window_s


class Firewall:
    """The web ACL's rule for one stage: POSTs to the credential operations, per client IP."""

    def __init__(
        self, stage: str, limit: int, window_s: int, allowed_origin: str, **limiter_kw: object
    ) -> None:
        self.stage = stage
        self.window_s = window_s
        self.allowed_origin = allowed_origin
        self._scope = re.compile(credential_path_regex(stage))
        self.limiter = SlidingWindowLimiter(limit, window_s, **limiter_kw)  # type: ignore[arg-type]

    def in_scope(self, request: HttpRequest) -> bool:
        if request.method.upper() != LIMITED_METHOD:
            return False
        # What WAF's URL_DECODE and NORMALIZE_PATH make of the path; the stage prefix is
        # optional locally, so a path without it is the same resource.
        path = _SLASHES.sub("/", events.decode_path(request.raw_path))
        if not path.startswith(f"/{self.stage}/"):
            path = f"/{self.stage}{path}"
        return bool(self._scope.search(path))

    def check(self, request: HttpRequest) -> HttpResponse | None:
        """None when the request may go on; else WAF's block answer."""
        if not self.in_scope(request):
            return None
        retry_after = self.limiter.hit(request.source_ip or "-")
        if retry_after is None:
            return None
        headers = (
            ("Content-Type", "application/json"),
            ("Retry-After", str(retry_after)),
            ("Access-Control-Allow-Origin", self.allowed_origin),
        )
        return HttpResponse(429, headers, error_body(retry_after).encode())
