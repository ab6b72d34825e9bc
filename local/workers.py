"""The parent side of `local/worker.py`: a process per function instance, a small pool per
function (Lambda scales out the same way: a busy instance makes a new one, with a cold start).

Workers restart after a crash or a timeout, and recycle when the function's code changes, so an
edit under `lambdas/` takes effect on the next request.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from components.catalog import LAMBDAS_DIR, SHARED_PACKAGE, Function
from components.waf import CREDENTIAL_PATHS

WORKER_SCRIPT = Path(__file__).resolve().parent / "worker.py"
INIT_TIMEOUT_S = 60.0
INIT_RETRY_S = 5.0  # an init failure is reported for this long before the next cold start


class InvokeError(Exception):
    """An invoke that produced no proxy response. `kind`: init, crash, timeout, function."""

    def __init__(self, kind: str, message: str, detail: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = dict(detail or {})


class LogSink:
    """Where the functions' logs go, each line prefixed with the function's name."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def line(self, prefix: str, text: str) -> None:
        stream = self.stream or sys.stderr
        with self._lock:
            try:
                stream.write(f"[{prefix}] {text.rstrip()}\n")
                stream.flush()
            except ValueError:  # closed at shutdown
                pass


class Worker:
    """One instance of a function: a process that imported the handler once."""

    def __init__(
        self,
        fn: Function,
        env: Mapping[str, str],
        sink: LogSink,
        index: int,
        *,
        lane: str = "",
        niceness: int = 0,
    ) -> None:
        self.fn = fn
        name = f"{fn.name}/{lane}" if lane else fn.name
        self.label = name if index == 0 else f"{name}#{index}"
        self.started_at = time.time()
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER_SCRIPT), fn.handler, fn.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=str(LAMBDAS_DIR if LAMBDAS_DIR.exists() else Path.cwd()),
            # Ctrl-C in the terminal reaches the platform only; it stops the workers in order.
            start_new_session=True,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        if niceness:
            # After the start rather than in preexec_fn (not safe with threads); the process
            # is still importing its handler when this lands.
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        self.ready: bool | None = None
        self.init_ms: float | None = None
        self.init_error: dict[str, Any] | None = None
        threading.Thread(target=self._read_stdout, daemon=True, name=f"{self.label}-out").start()
        threading.Thread(
            target=self._read_stderr, args=(sink,), daemon=True, name=f"{self.label}-err"
        ).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self._messages.put(json.loads(line))
            except json.JSONDecodeError:
                continue
        self._messages.put(None)  # EOF: the process is gone

    def _read_stderr(self, sink: LogSink) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            sink.line(self.label, line)

    def wait_ready(self, timeout: float = INIT_TIMEOUT_S) -> bool:
        if self.ready is not None:
            return self.ready
        try:
            message = self._messages.get(timeout=timeout)
        except queue.Empty:
            self.ready = False
            self.init_error = {
                "errorType": "InitTimeout",
                "errorMessage": f"no answer after {timeout:.0f} s of init",
            }
            self.kill()
            return False
        if message is None:
            self.ready = False
            self.init_error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"exited during init (code {self.process.wait()})",
            }
        elif message.get("ready"):
            self.ready = True
            self.init_ms = message.get("initMs")
        else:
            self.ready = False
            self.init_error = message.get("error") or {}
        return self.ready

    def invoke(self, event: Mapping[str, Any], timeout: float) -> Any:
        if not self.wait_ready():
            raise InvokeError("init", _describe(self.init_error), self.init_error)
        request_id = str(uuid.uuid4())
        payload = json.dumps({"id": request_id, "event": event, "timeoutMs": int(timeout * 1000)})
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(payload + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise InvokeError("crash", f"{self.label} is not running ({exc})") from exc
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise InvokeError("timeout", f"{self.label} timed out after {timeout:.0f} s") from None
            if message is None:
                code = self.process.wait()
                raise InvokeError("crash", f"{self.label} exited (code {code}) during the request")
            if message.get("id") != request_id:
                continue  # a late answer to an earlier, abandoned request
            if "error" in message:
                raise InvokeError("function", _describe(message["error"]), message["error"])
            return message.get("response")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        try:
            if self.process.stdin:
                self.process.stdin.close()  # the worker's loop ends on EOF
        except OSError:
            pass
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def _describe(error: Mapping[str, Any] | None) -> str:
    error = error or {}
    return f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}".strip()


class FunctionPool:
    """The instances of one function. Requests take an idle instance; when all are busy and
    the pool is below `max_size`, a new one starts (a cold start), else the request waits."""

    def __init__(
        self,
        fn: Function,
        env: Mapping[str, str],
        sink: LogSink,
        *,
        max_size: int = 2,
        reload: bool = True,
        lane: str = "",
        niceness: int = 0,
    ) -> None:
        self.fn = fn
        self.lane, self.niceness = lane, niceness
        self.env = dict(env)
        self.sink = sink
        self.max_size = max(1, max_size)
        self.reload = reload
        self._lock = threading.Condition()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._count = 0  # instances started, for labels
        self._init_failure: tuple[float, dict[str, Any]] | None = None
        self._code_checked = 0.0
        self._code_mtime = _code_mtime(fn)
        self._closed = False

    def start(self) -> Worker:
        with self._lock:
            worker = self._spawn()
            self._idle.append(worker)
            return worker

    def _spawn(self) -> Worker:
        worker = Worker(self.fn, self.env, self.sink, self._count, lane=self.lane, niceness=self.niceness)
        self._count += 1
        return worker

    @property
    def size(self) -> int:
        return len(self._idle) + len(self._busy)

    def wait_ready(self, timeout: float = INIT_TIMEOUT_S) -> list[Worker]:
        with self._lock:
            workers = list(self._idle)
        for worker in workers:
            if not worker.wait_ready(timeout):
                with self._lock:
                    self._init_failure = (time.monotonic(), worker.init_error or {})
        return workers

    def _acquire(self) -> Worker:
        with self._lock:
            while True:
                if self._closed:
                    raise InvokeError("crash", f"{self.fn.name}: the platform is stopping")
                self._maybe_recycle()
                if self._init_failure and time.monotonic() - self._init_failure[0] < INIT_RETRY_S:
                    error = self._init_failure[1]
                    raise InvokeError("init", _describe(error), error)
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive or worker.ready is None:
                        self._busy.add(worker)
                        return worker
                if self.size < self.max_size:
                    worker = self._spawn()
                    self._busy.add(worker)
                    return worker
                self._lock.wait(timeout=1.0)

    def _release(self, worker: Worker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            if healthy and worker.alive and not self._closed:
                self._idle.append(worker)
            else:
                threading.Thread(target=worker.kill, daemon=True).start()
            self._lock.notify()

    def invoke(self, event: Mapping[str, Any], timeout: float) -> Any:
        worker = self._acquire()
        healthy = True
        try:
            result = worker.invoke(event, timeout)
            with self._lock:
                self._init_failure = None
            return result
        except InvokeError as exc:
            if exc.kind == "init":
                with self._lock:
                    self._init_failure = (time.monotonic(), exc.detail)
            healthy = exc.kind == "function"  # a handled-by-runtime error keeps the instance
            raise
        finally:
            self._release(worker, healthy)

    def _maybe_recycle(self) -> None:
        """Code changed on disk: retire the idle instances (busy ones finish first)."""
        if not self.reload or time.monotonic() - self._code_checked < 1.0:
            return
        self._code_checked = time.monotonic()
        mtime = _code_mtime(self.fn)
        if mtime <= self._code_mtime:
            return
        self._code_mtime = mtime
        self._init_failure = None
        stale, self._idle = self._idle, []
        for worker in stale:
            threading.Thread(target=worker.stop, daemon=True).start()
        self.sink.line(self.fn.name, "code changed: the next request cold-starts a new instance")

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            workers = self._idle + list(self._busy)
            self._idle, self._busy = [], set()
            self._lock.notify_all()
        threads = [threading.Thread(target=w.stop) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def _code_mtime(fn: Function) -> float:
    latest = 0.0
    for folder in (LAMBDAS_DIR / fn.package, LAMBDAS_DIR / SHARED_PACKAGE):
        if not folder.exists():
            continue
        # Source files only: the folder's own mtime moves when __pycache__ appears.
        for path in folder.rglob("*.py"):
            try:
                latest = max(latest, path.stat().st_mtime)
            except OSError:
                continue
    return latest


# Locally one worker process answers one request at a time and the machine has few cores, so
# a burst of argon2 hashes (sign-ins, registrations) would hold up token checks and /auth/me
# behind it. In AWS each concurrent request has its own execution environment (and the
# authorizer is a function of its own); here the credential operations get a lane: a separate
# pool of the same function, at a lower CPU priority, so the token checks never wait for a hash.
CREDENTIAL_LANE = "credentials"
LANES: dict[str, dict[str, frozenset[str]]] = {
    "auth-service": {CREDENTIAL_LANE: frozenset({*CREDENTIAL_PATHS, "/auth/change-password"})},
}
LANE_NICENESS = 10


def lane_pool_name(function: str, lane: str) -> str:
    return f"{function}/{lane}"


class Invoker:
    """All functions' pools, by catalog name (and `<name>/<lane>` for a lane's own pool)."""

    def __init__(
        self,
        pools: Mapping[str, FunctionPool],
        timeouts: Mapping[str, float],
        lanes: Mapping[str, Mapping[str, frozenset[str]]] | None = None,
    ) -> None:
        self.pools = dict(pools)
        self.timeouts = dict(timeouts)
        self.lanes = {fn: dict(by_lane) for fn, by_lane in (lanes or {}).items()}

    @classmethod
    def start(
        cls,
        functions: list[Function],
        env_for: Callable[[Function], Mapping[str, str]],
        sink: LogSink,
        *,
        timeouts: Mapping[str, float],
        max_size: int = 2,
        reload: bool = True,
        lanes: Mapping[str, Mapping[str, frozenset[str]]] | None = None,
    ) -> Invoker:
        lanes = LANES if lanes is None else lanes
        pools: dict[str, FunctionPool] = {}
        for fn in functions:
            env = env_for(fn)
            pools[fn.name] = FunctionPool(fn, env, sink, max_size=max_size, reload=reload)
            for lane in lanes.get(fn.name, {}):
                pools[lane_pool_name(fn.name, lane)] = FunctionPool(
                    fn, env, sink, max_size=max_size, reload=reload, lane=lane, niceness=LANE_NICENESS
                )
        for pool in pools.values():
            pool.start()  # all cold starts run in parallel
        return cls(pools, timeouts, {f: ls for f, ls in lanes.items() if f in pools})

    def wait_ready(self) -> dict[str, Worker]:
        ready = {}
        for name, pool in self.pools.items():
            workers = pool.wait_ready()
            if workers:
                ready[name] = workers[0]
        return ready

    def pool_for(self, function: str, event: Mapping[str, Any]) -> FunctionPool | None:
        resource = event.get("resource")
        for lane, resources in self.lanes.get(function, {}).items():
            if resource in resources:
                return self.pools.get(lane_pool_name(function, lane))
        return self.pools.get(function)

    def invoke(self, function: str, event: Mapping[str, Any]) -> Any:
        pool = self.pool_for(function, event)
        if pool is None:
            raise InvokeError("init", f"no function named {function!r} in the catalog")
        return pool.invoke(event, self.timeouts.get(function, 29.0))

    def stop(self) -> None:
        threads = [threading.Thread(target=p.stop) for p in self.pools.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
