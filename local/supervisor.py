"""Supervision of the AWS stand-in: when the moto server dies, the platform says so, restarts it
on the same port, provisions the stack's resources again and puts back the last saved state.

What moto holds, and how each comes back:
- DynamoDB items (users, sessions, conversations, cases, audit): the platform saves them to
  `<home>/state` within a few seconds of a change (platform._Snapshots) and restores them here;
  what changed after the last save is lost (the message says when that save was made);
- the JWT signing secret: its value is kept in `<home>/state/jwt-signing-key`, and it is
  re-created under the same ARN, the one the functions hold in their environment;
- the data lake's objects: uploaded again from the dataset on disk (artifacts the services
  cached there are recomputed on demand);
- tables, buckets, queue, KMS keys, Glue catalog, Athena workgroup: provisioned again. Messages
  waiting in the reset-mail queue when moto died are lost (the user asks for another mail).

While moto is down, the functions' AWS calls fail to connect and every operation that needs AWS
answers 503 SERVICE_UNAVAILABLE with Retry-After (lambdas/shared/api.py), as in AWS.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local import aws, dataset

POLL_S = 0.2  # how soon a death is noticed
ATTEMPTS = 5  # restarts tried in a row before giving up
BACKOFF_S = 2.0  # the wait after a failed restart, doubling (at most 10 s)


@dataclass
class Recovery:
    """One restart: when moto died, what came back, and how long it took."""

    pid: int
    exit_code: int | None
    died_at: float  # epoch seconds, when the death was noticed
    saved_at: float | None = None  # epoch seconds of the state restored (None: nothing saved)
    restored: dict[str, int] = field(default_factory=dict)
    restore_s: float = 0.0  # death noticed -> moto answering with the saved items back
    uploaded: int = 0  # dataset files uploaded again
    upload_s: float = 0.0


def describe_exit(code: int | None) -> str:
    if code is None:
        return "exit code unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def saved_at(state_dir: Path) -> float | None:
    """When the saved DynamoDB items were written (the oldest table file: all are written in
    one pass)."""
    times = [p.stat().st_mtime for p in state_dir.glob("dynamodb-*.json")]
    return min(times) if times else None


def clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


class MotoSupervisor:
    """A thread watching `platform.moto`; `state_lock` is held while it restores, and by every
    save, so a save never writes the empty tables of a fresh server over the saved state."""

    def __init__(self, platform: Any, state_lock: threading.RLock, *, poll_s: float = POLL_S) -> None:
        self.platform = platform
        self.state_lock = state_lock
        self.poll_s = poll_s
        self.recoveries: list[Recovery] = []
        self.failed: str | None = None  # set when it gave up
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="local-moto-supervisor")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=60)

    def wait_recovered(self, count: int = 1, timeout: float = 60.0) -> Recovery:
        """The `count`-th recovery once its saved state is back (tests)."""
        deadline = time.monotonic() + timeout
        while len(self.recoveries) < count or not self.recoveries[count - 1].restore_s:
            if self.failed:
                raise RuntimeError(self.failed)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the moto server was not restored within {timeout:.0f} s")
            time.sleep(0.05)
        return self.recoveries[count - 1]

    # ---- the watcher --------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            moto = self.platform.moto
            if moto is None or moto.process is None or moto.alive:
                continue
            try:
                self._recover(moto)
            except Exception as exc:  # never let the watcher die silently
                self._give_up(f"the moto server could not be recovered: {exc}")
            if self.failed:
                return

    def _recover(self, moto: aws.MotoServer) -> None:
        p = self.platform
        recovery = Recovery(pid=moto.process.pid, exit_code=moto.process.returncode, died_at=time.time())
        started = time.perf_counter()
        self.say(
            f"!!! the moto server (the AWS stand-in, pid {recovery.pid}) died ({describe_exit(recovery.exit_code)}) "
            f"at {clock(recovery.died_at)}; until it is back, operations that need AWS answer 503. "
            f"Restarting it on port {moto.port} (its log: {moto.log_path})"
        )
        self.recoveries.append(recovery)
        with self.state_lock:  # no save while the new server is empty
            for attempt in range(1, ATTEMPTS + 1):
                if self._stop.is_set():
                    return
                try:
                    # gated: the functions get 503 until their tables and items are back
                    moto.restart(gate="*")
                    restoring = aws.clients(moto.url, p.settings.region, restoring=True)
                    made = aws.provision(
                        restoring, p.settings, p.state_dir, _dataset_tables(), jwt_secret_arn=p.jwt_secret_arn
                    )
                    if made.jwt_secret_arn != p.jwt_secret_arn:
                        self.say(
                            f"!!! the JWT secret came back as {made.jwt_secret_arn}, not {p.jwt_secret_arn}: "
                            "functions started from now on cannot read it; restart the platform"
                        )
                    recovery.restored = aws.restore_tables(restoring, p.state_dir)
                    recovery.saved_at = saved_at(p.state_dir)
                    moto.set_gate("s3")  # all but the data lake, until its objects are back
                    break
                except Exception as exc:
                    self.say(
                        f"!!! restarting the moto server failed (attempt {attempt} of {ATTEMPTS}): {exc}"
                    )
                    if attempt == ATTEMPTS:
                        self._give_up(
                            f"the moto server could not be restarted after {ATTEMPTS} attempts; "
                            "stop the platform (Ctrl-C) and start it again"
                        )
                        return
                    self._stop.wait(min(BACKOFF_S * 2 ** (attempt - 1), 10.0))
        recovery.restore_s = time.perf_counter() - started
        items = ", ".join(f"{n} item(s) of {t}" for t, n in recovery.restored.items() if n) or "no items"
        if recovery.saved_at is None:
            when = "nothing had been saved yet"
        else:
            when = (
                f"saved at {clock(recovery.saved_at)}, "
                f"{max(recovery.died_at - recovery.saved_at, 0.0):.1f} s before it died"
            )
        self.say(
            f"==> the moto server is back on {moto.url} after {recovery.restore_s:.1f} s: restored {items} "
            f"({when}); changes after that save are lost"
        )
        self._upload_dataset(recovery, restoring)
        try:
            moto.set_gate("")
        except OSError as exc:  # died again meanwhile: the watcher sees it next
            self.say(f"!!! the moto server did not answer after the upload: {exc}")

    def _upload_dataset(self, recovery: Recovery, restoring: aws.Clients) -> None:
        p = self.platform
        if not dataset.is_current(p.data_dir, scale=p.scale, seed=p.seed):
            return
        started = time.perf_counter()
        try:
            recovery.uploaded = dataset.upload(
                p.data_dir,
                s3=restoring.s3,
                buckets={"curated": p.names["curated_bucket"], "raw": p.names["raw_bucket"]},
                progress=None,
            )
        except Exception as exc:
            self.say(f"!!! the dataset could not be uploaded again: {exc}")
            return
        recovery.upload_s = time.perf_counter() - started
        self.say(f"==> the dataset is back in s3://{p.names['curated_bucket']} ({recovery.upload_s:.1f} s)")

    def _give_up(self, message: str) -> None:
        self.failed = message
        self.say(f"!!! {message}")

    def say(self, text: str) -> None:
        """Loud: on stderr, and in the platform's log when that is a file."""
        print(text, file=sys.stderr, flush=True)
        sink = getattr(self.platform, "sink", None)
        if sink is not None and sink.stream is not None:
            sink.line("platform", text)


def _dataset_tables() -> tuple[Any, ...]:
    from local.platform import _dataset_tables as tables  # the platform imports this module

    return tables()


class NotifyingInvoker:
    """The invoker, calling `after()` once each invocation returned: for the platform's own
    event sources (reset-mail queue, audit log), whose functions write to moto, so the saver
    hears of those writes as it hears of the gateway's."""

    def __init__(self, invoker: Any, after: Any) -> None:
        self._invoker = invoker
        self._after = after

    def invoke(self, function: str, event: Any) -> Any:
        try:
            return self._invoker.invoke(function, event)
        finally:
            self._after()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._invoker, name)
