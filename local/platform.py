"""The whole platform on one machine, as one object the CLI and the tests share:

    with LocalPlatform(scale=0.02, home=tmp) as p:
        urllib.request.urlopen(p.api_url + "/health")

start(): moto server -> the stack's resources by their physical names -> restore saved items
-> the dataset (generated once, uploaded each start) -> one worker per function -> the API
gateway -> the frontend; the data-jobs function runs once in the background after the upload
(as EventBridge starts it in AWS), so the first requests find the data-versioned artifacts. stop(): the reverse, saving the DynamoDB items first. Meanwhile the
items are saved ~2 s after each change, and a moto server that dies is restarted with them
(local/supervisor.py).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from components.catalog import API_FUNCTIONS, DATA_JOBS, OPENAPI_PATH, Function
from components.data_jobs import MANIFEST_KEY
from components.services import AUTHORIZER_TIMEOUT_SECONDS, JOB_TIMEOUT_SECONDS
from components.settings import ROOT, Settings, from_stack_file
from local import aws, dataset, frontend
from local.audit import AuditForwarder
from local.contract import Router, load_router, load_spec
from local.environment import LocalResources, function_environment, reset_queue_url, runtime_environment
from local.gateway import INTEGRATION_TIMEOUT_S, Gateway, GatewayServer, _Handler
from local.progress import Progress
from local.queues import QueuePoller
from local.ratelimit import Firewall
from local.supervisor import MotoSupervisor, NotifyingInvoker
from local.validation import RequestValidator
from local.workers import InvokeError, Invoker, LogSink, Worker

DEFAULT_HOME = ROOT / ".local"
SNAPSHOT_EVERY_S = 30.0  # and 2 s after any successful write through the API
SNAPSHOT_DEBOUNCE_S = 2.0
# A save scans every table: when that takes long (a big audit table), the next one waits at
# least this many times as long, so saving never takes more than a quarter of the time.
SNAPSHOT_SPACING = 3.0
# The data-jobs process yields the CPU to the API's workers and the frontend build.
DATA_JOBS_NICENESS = 10


class _Snapshots:
    """Saves the DynamoDB items soon after writes, so even a killed platform loses little."""

    def __init__(self, dump: Any) -> None:
        self._dump = dump
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="local-snapshots")
        self.last_dump_s = 0.0
        self._thread.start()

    def mark(self) -> None:
        self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(timeout=SNAPSHOT_EVERY_S):
                # debounce a burst of writes
                if self._stop.wait(max(SNAPSHOT_DEBOUNCE_S, SNAPSHOT_SPACING * self.last_dump_s)):
                    return
            self._dirty.clear()
            started = time.monotonic()
            try:
                self._dump()
            except Exception:  # noqa: S110 - moto going away at shutdown; the final dump reports
                pass
            self.last_dump_s = time.monotonic() - started

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()
        self._thread.join(timeout=5)


class LocalPlatform:
    def __init__(
        self,
        *,
        port: int = 0,
        moto_port: int = 0,
        frontend_port: int = 0,
        scale: float = 1.0,
        seed: int = 42,
        stack: str = "dev",
        home: str | Path | None = None,
        data_dir: str | Path | None = None,
        reset: bool = False,
        reset_dataset: bool = False,
        frontend_enabled: bool = True,
        build_frontend: bool = True,
        workers_per_function: int = 2,
        log_level: str = "INFO",
        progress: Progress | None = None,
        log_stream: IO[str] | None = None,
        access_log: bool = True,
        host: str = "127.0.0.1",
        auth_rate_limit: int | None = None,
        data_jobs: bool = True,
    ) -> None:
        self.host = host
        # The WAF rule's limit on credential POSTs per client IP (None: the stack file's
        # authRateLimit; 0: no firewall, for tests that sign in more often than a person would).
        self.auth_rate_limit = auth_rate_limit
        # Run the data-jobs function once after the upload (tests that do not need it skip it).
        self.data_jobs = data_jobs
        self.data_jobs_done = threading.Event()
        self.data_jobs_result: dict[str, Any] | None = None
        self._data_jobs_thread: threading.Thread | None = None
        self._data_jobs_worker: Worker | None = None
        self._resources: LocalResources | None = None
        self._uploaded = False
        self.port = port
        self.moto_port = moto_port
        self.frontend_port = frontend_port
        self.scale = scale
        self.seed = seed
        self.stack = stack
        self.home = Path(home) if home else DEFAULT_HOME
        self.data_dir = Path(data_dir) if data_dir else self.home / "data"
        self.state_dir = self.home / "state"
        self.mailbox_dir = self.home / "mailbox"
        self.logs_dir = self.home / "logs"
        self.reset = reset
        self.reset_dataset = reset_dataset
        self.frontend_enabled = frontend_enabled
        self.build_frontend = build_frontend
        self.workers_per_function = workers_per_function
        self.log_level = log_level
        self.progress = progress or Progress(enabled=False)
        self.sink = LogSink(log_stream)
        self.access_log = access_log
        self.settings: Settings = from_stack_file(stack)
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []
        self.names: dict[str, str] = {}
        self.jwt_secret_arn = ""
        self.router: Router | None = None
        self.moto: aws.MotoServer | None = None
        self.clients: aws.Clients | None = None
        self.invoker: Invoker | None = None
        self.gateway: Gateway | None = None
        self._api_server: GatewayServer | None = None
        self._api_thread: threading.Thread | None = None
        self.frontend: frontend.FrontendServer | None = None
        self._snapshots: _Snapshots | None = None
        # Held by every save and by the supervisor while it restores a restarted moto server.
        self._state_lock = threading.RLock()
        self.supervisor: MotoSupervisor | None = None
        self.audit: AuditForwarder | None = None
        self.reset_mail: QueuePoller | None = None
        self._started = False
        self._stopped = False

    # ---- URLs -----------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def stage_url(self) -> str:
        """The API URL in the deployed form (`.../<stage>`); both work locally."""
        return f"{self.api_url}/{self.stack}"

    @property
    def moto_url(self) -> str:
        return self.moto.url if self.moto else f"http://{self.host}:{self.moto_port}"

    @property
    def frontend_url(self) -> str:
        return f"http://{self.host}:{self.frontend_port}"

    # ---- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> LocalPlatform:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalPlatform:
        if self._started:
            return self
        self._started = True
        self._stopped = False
        started = time.perf_counter()
        try:
            self._start()
        except BaseException:
            self.stop(save=False)
            raise
        self.timings["ready"] = time.perf_counter() - started
        return self

    def _start(self) -> None:
        p = self.progress
        self._uploaded, self._data_jobs_worker, self.data_jobs_result = False, None, None
        self.data_jobs_done.clear()
        if self.reset:
            for folder in (self.state_dir, self.mailbox_dir):
                shutil.rmtree(folder, ignore_errors=True)
            p.say(f"==> reset: removed saved state and mailbox under {self.home}")
        if self.reset_dataset:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        for folder in (self.home, self.state_dir, self.mailbox_dir, self.logs_dir):
            folder.mkdir(parents=True, exist_ok=True)

        # Bind the ports first: the origin and the API URL go into the functions' environment.
        self.router = load_router(OPENAPI_PATH)
        handler = type("GatewayHandler", (_Handler,), {})
        self._api_server = GatewayServer((self.host, self.port), handler)
        self.port = self._api_server.server_address[1]
        if self.frontend_enabled:
            self.frontend = frontend.FrontendServer(
                None, config=self._frontend_config(), host=self.host, port=self.frontend_port
            )
            self.frontend_port = self.frontend.port
        elif not self.frontend_port:
            self.frontend_port = aws.free_port(self.host)

        with p.step(f"starting the moto server (AWS stand-in) on port {self.moto_port or 'auto'}") as info:
            t = time.perf_counter()
            self.moto = aws.MotoServer(self.moto_port, self.host, log_path=self.logs_dir / "moto.log")
            self.moto.start()
            self.moto_port = self.moto.port
            self.clients = aws.clients(self.moto.url, self.settings.region)
            self.timings["moto"] = time.perf_counter() - t
            info["result"] = self.moto.url

        with p.step("creating the stack's tables, buckets, secret and warehouse (same names as AWS)") as info:
            tables = _dataset_tables()
            made = aws.provision(self.clients, self.settings, self.state_dir, tables)
            self.names, self.jwt_secret_arn = made.names, made.jwt_secret_arn
            restored = aws.restore_tables(self.clients, self.state_dir)
            info["result"] = f"{self.names['users_table']}; restored " + (
                ", ".join(f"{n} item(s) of {t}" for t, n in restored.items()) or "nothing"
            )

        data_ready = dataset.is_current(self.data_dir, scale=self.scale, seed=self.seed)
        if data_ready:
            self._start_workers()
        else:
            self._generate_dataset()
        self._upload_dataset()
        if not data_ready:
            self._start_workers()

        with p.step("waiting for the functions' cold starts") as info:
            assert self.invoker is not None
            ready = self.invoker.wait_ready()
            failed = {
                name: pool
                for name, pool in self.invoker.pools.items()
                if not (ready.get(name) and ready[name].ready)
            }
            for name in failed:
                error = ready[name].init_error if ready.get(name) else {}
                self.warn(
                    f"{name} failed to initialise: {(error or {}).get('errorType')}: "
                    f"{(error or {}).get('errorMessage')} (its operations answer 502)"
                )
            inits = [w.init_ms for w in ready.values() if w.ready and w.init_ms is not None]
            total = len(self.invoker.pools)
            info["result"] = f"{total - len(failed)}/{total} ready" + (
                f", slowest init {max(inits):.0f} ms" if inits else ""
            )
        # After the cold starts (it would slow them), never waited for.
        self._start_data_jobs()

        # Lambda's event source mapping: queued reset requests -> the auth function.
        # The mail sender and the audit log write to moto outside the gateway: saved as soon.
        writes = NotifyingInvoker(self.invoker, self._snapshots.mark) if self._snapshots else self.invoker
        self.reset_mail = QueuePoller(
            self.clients.sqs,
            reset_queue_url(self.settings, self.moto_url),
            writes,
            "auth-service",
            region=self.settings.region,
        )
        spec = load_spec(OPENAPI_PATH)
        # The audit log: API Gateway's access log -> subscription -> compliance-guardian in AWS.
        self.audit = AuditForwarder(
            writes,
            log_group=f"/aws/apigateway/{self.settings.name('api')}",
            owner=self.settings.account_id,
        )
        self.gateway = Gateway(
            self.router,
            self.invoker,
            stage=self.stack,
            region=self.settings.region,
            allowed_origin=self.frontend_url,
            account_id=self.settings.account_id,
            access_log=self._access_log if self.access_log else None,
            on_write=self._snapshots.mark if self._snapshots else None,
            validator=RequestValidator(spec),
            audit=self.audit,
            firewall=self._firewall(),
        )
        self._api_server.RequestHandlerClass.gateway = self.gateway  # type: ignore[attr-defined]
        self._api_thread = threading.Thread(
            target=self._api_server.serve_forever,
            kwargs={"poll_interval": 0.2},
            daemon=True,
            name="local-api-gateway",
        )
        self._api_thread.start()

        if self.frontend is not None:
            root = None
            if self.build_frontend:
                with p.step("building the frontend for the local API") as info:
                    root = frontend.build(
                        self.home / "frontend", api_url=self.stage_url, stage=self.stack, log=self.warn
                    )
                    info["result"] = str(root) if root else "skipped (no frontend/node_modules)"
            if root is None and (frontend.FRONTEND_DIR / "dist" / "index.html").exists():
                root = frontend.FRONTEND_DIR / "dist"
            self.frontend.set_root(root)
            self.frontend.start()

        # From here on a dead moto server is restarted with the saved state (local/supervisor.py).
        self.supervisor = MotoSupervisor(self, self._state_lock)

    def _firewall(self) -> Firewall | None:
        """The stack's WAF rate rule in front of the gateway (components/waf.py)."""
        limit = self.settings.auth_rate_limit if self.auth_rate_limit is None else self.auth_rate_limit
        if not limit:
            return None
        return Firewall(self.stack, limit, self.settings.auth_rate_window_seconds, self.frontend_url)

    def _start_data_jobs(self) -> None:
        if not (self.data_jobs and self._uploaded and self._resources is not None):
            self.data_jobs_done.set()
            return
        self._data_jobs_thread = threading.Thread(
            target=self._run_data_jobs, args=(self._resources,), daemon=True, name="local-data-jobs"
        )
        self._data_jobs_thread.start()

    def _run_data_jobs(self, resources: LocalResources) -> None:
        """One asynchronous invocation of the data-jobs function, with the event EventBridge
        sends in AWS when the upload writes the manifest (components/data_jobs.py)."""
        event = {
            "version": "0",
            "source": "aws.s3",
            "detail-type": "Object Created",
            "account": self.settings.account_id,
            "region": self.settings.region,
            "detail": {
                "bucket": {"name": self.names.get("curated_bucket", "")},
                "object": {"key": MANIFEST_KEY},
            },
        }
        started = time.perf_counter()
        try:
            worker = Worker(
                DATA_JOBS,
                self.worker_environment(DATA_JOBS, resources),
                self.sink,
                0,
                niceness=DATA_JOBS_NICENESS,
            )
            self._data_jobs_worker = worker
            if self._stopped:
                return
            summary = worker.invoke(event, float(JOB_TIMEOUT_SECONDS))
            elapsed = time.perf_counter() - started
            self.data_jobs_result = summary
            self.timings["data_jobs"] = elapsed
            self.progress.say(
                f"==> data jobs: the artifacts of data version {summary.get('dataVersion')} are ready "
                f"({len(summary.get('steps', []))} steps in {elapsed:.1f} s, in the background)"
            )
        except (InvokeError, OSError) as exc:
            if not self._stopped:
                self.warn(f"the data-jobs function failed: {exc} (the first requests build the artifacts)")
        finally:
            if self._data_jobs_worker is not None:
                self._data_jobs_worker.stop()
            self.data_jobs_done.set()

    def _start_workers(self) -> None:
        with self.progress.step(f"starting {len(API_FUNCTIONS)} functions (one process each)"):
            resources = self._resources = LocalResources(
                endpoint_url=self.moto_url,
                jwt_secret_arn=self.jwt_secret_arn,
                allowed_origin=self.frontend_url,
                data_dir=str(self.data_dir.resolve()),
                mailbox_dir=str(self.mailbox_dir.resolve()),
                log_level=self.log_level,
            )
            timeouts = {
                fn.name: float(
                    min(
                        INTEGRATION_TIMEOUT_S,
                        AUTHORIZER_TIMEOUT_SECONDS
                        if fn.is_authorizer
                        else self.settings.lambda_timeout_seconds,
                    )
                )
                for fn in API_FUNCTIONS
            }
            self.invoker = Invoker.start(
                list(API_FUNCTIONS),
                lambda fn: self.worker_environment(fn, resources),
                self.sink,
                timeouts=timeouts,
                max_size=self.workers_per_function,
            )
            self._snapshots = _Snapshots(self.save_state)

    def worker_environment(self, fn: Function, resources: LocalResources) -> dict[str, str]:
        """A worker's whole environment: the runtime's variables, then the function's own."""
        import os

        env = runtime_environment(fn, self.settings)
        env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
        env["HOME"] = os.environ.get("HOME") or tempfile.gettempdir()
        env["LOCAL_ACCOUNT_ID"] = self.settings.account_id
        env.update(function_environment(fn, self.settings, resources))
        return env

    def _generate_dataset(self) -> None:
        with self.progress.step(
            f"generating the dataset (scale {self.scale}, seed {self.seed}) into {self.data_dir}"
        ) as info:
            t = time.perf_counter()
            try:
                manifest = dataset.generate(
                    self.data_dir,
                    scale=self.scale,
                    seed=self.seed,
                    progress=self.progress.callback("generating"),
                )
            except dataset.DatasetUnavailableError as exc:
                self.warn(f"no dataset: {exc}")
                info["result"] = "skipped"
                return
            self.timings["generate"] = time.perf_counter() - t
            info["result"] = _manifest_summary(manifest)

    def _upload_dataset(self) -> None:
        if not dataset.is_current(self.data_dir, scale=self.scale, seed=self.seed):
            return
        with self.progress.step(f"uploading the dataset to s3://{self.names['curated_bucket']}") as info:
            t = time.perf_counter()
            assert self.clients is not None
            try:
                count = dataset.upload(
                    self.data_dir,
                    s3=self.clients.s3,
                    buckets={"curated": self.names["curated_bucket"], "raw": self.names["raw_bucket"]},
                    progress=self.progress.callback("uploading"),
                )
            except dataset.DatasetUnavailableError as exc:
                self.warn(f"dataset not uploaded: {exc}")
                info["result"] = "skipped"
                return
            self.timings["upload"] = time.perf_counter() - t
            self._uploaded = True
            info["result"] = f"{count} file(s)"

    def save_state(self) -> dict[str, int]:
        with self._state_lock:  # never while the supervisor restores: moto's tables are empty then
            if (
                self.clients is None
                or self.moto is None
                or self.moto.process is None
                or self.moto.process.poll() is not None
            ):
                return {}
            return aws.dump_tables(self.clients, self.state_dir)

    def stop(self, save: bool = True) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.supervisor is not None:  # first: stopping moto below is not a crash
            self.supervisor.stop()
            self.supervisor = None
        if self._api_server is not None:
            if self._api_thread is not None and self._api_thread.is_alive():
                self._api_server.shutdown()
            self._api_server.server_close()
            self._api_server = self._api_thread = None
        if self.frontend is not None:
            try:
                if self.frontend._thread.is_alive():
                    self.frontend.stop()
                else:
                    self.frontend.server.server_close()
            except Exception:  # noqa: S110 - stopping must go on whatever fails
                pass
        if self.reset_mail is not None:
            self.reset_mail.stop()
        if self.audit is not None:
            self.audit.stop()
        if self._snapshots is not None:
            self._snapshots.stop()
        if self._data_jobs_worker is not None:  # a job still running is abandoned
            self._data_jobs_worker.kill()
        if save and self._started:
            try:
                counts = self.save_state()
                if counts:
                    self.progress.say(
                        "==> saved "
                        + ", ".join(f"{n} item(s) of {t}" for t, n in counts.items())
                        + f" to {self.state_dir}"
                    )
            except Exception as exc:  # never leave the processes behind
                self.warn(f"could not save the DynamoDB items: {exc}")
        if self.invoker is not None:
            self.invoker.stop()
        if self.moto is not None:
            self.moto.stop()
        self._started = False

    # ---- helpers --------------------------------------------------------------------------------
    def wait_for_mail(self, to: str, timeout: float = 15.0) -> dict[str, Any]:
        """The newest mail to `to` in the mailbox, waiting for the queue to deliver it."""
        import json

        deadline = time.monotonic() + timeout
        while True:
            for path in sorted(self.mailbox_dir.glob("*.json"), reverse=True):
                message = json.loads(path.read_text())
                if message.get("to") == to:
                    return message
            if time.monotonic() > deadline:
                raise TimeoutError(f"no mail to {to} within {timeout:.0f} s")
            time.sleep(0.05)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.progress.say(f"    warning: {message}")

    def _access_log(self, line: str) -> None:
        self.sink.line("api", line)

    def _frontend_config(self) -> dict[str, Any]:
        return {"apiUrl": self.stage_url, "stage": self.stack, "local": True}

    def _function_logs(self) -> str:
        name = getattr(self.sink.stream, "name", None)
        if self.sink.stream is None or not isinstance(name, str) or name.startswith("<"):
            return "functions and access log below, prefixed [function]/[api]"
        return f"functions and access log in {name}"

    def summary(self) -> str:
        lines = [
            "",
            f"  API          {self.api_url}   (also {self.stage_url}, as deployed)",
            f"  frontend     {self.frontend_url}" + ("" if self.frontend else "   (disabled)"),
            f"  moto (AWS)   {self.moto_url}   (AWS_ENDPOINT_URL; credentials: testing/testing)",
            f"  mailbox      {self.mailbox_dir}   (emails the auth service sends)",
            f"  state        {self.state_dir}   (users survive restarts; --reset wipes)",
            f"  dataset      {self.data_dir}   (scale {self.scale}, seed {self.seed})",
            f"  logs         {self._function_logs()}; moto: {self.logs_dir / 'moto.log'}",
            "",
            "  try:",
            f"    curl -s {self.api_url}/health",
            f"    curl -s -X POST {self.api_url}/auth/register -H 'Content-Type: application/json' \\",
            '         -d \'{"email":"ada@example.com","password":"Correct-Horse-9","name":"Ada"}\'',
            f"    TOKEN=$(curl -s -X POST {self.api_url}/auth/login -H 'Content-Type: application/json' \\",
            '         -d \'{"email":"ada@example.com","password":"Correct-Horse-9"}\' | python3 -c '
            "'import json,sys; print(json.load(sys.stdin)[\"accessToken\"])')",
            f'    curl -s {self.api_url}/auth/me -H "Authorization: Bearer $TOKEN"',
            "",
        ]
        if self.warnings:
            lines += ["  warnings:"] + [f"    - {w}" for w in self.warnings] + [""]
        return "\n".join(lines)


def _dataset_tables() -> tuple[Any, ...]:
    try:
        from datagen.schema import TABLES
    except ImportError:
        return ()
    return tuple(TABLES)


def _manifest_summary(manifest: dict[str, Any]) -> str:
    tables = manifest.get("tables")
    if isinstance(tables, dict):
        rows = sum(int(t.get("rows", 0)) if isinstance(t, dict) else 0 for t in tables.values())
        return f"{len(tables)} tables, {rows:,} rows"
    if isinstance(tables, list):
        return f"{len(tables)} tables"
    return "done"
