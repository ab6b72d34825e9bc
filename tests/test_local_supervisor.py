"""The AWS stand-in dies (issue 10 item 13): the platform says so, answers 503 with Retry-After
while it is down, restarts it on the same port and restores the saved state, so a user
registered a moment before can still sign in."""

from __future__ import annotations

import itertools
import json
import os
import signal
import threading
import time
import uuid
from types import SimpleNamespace

import pytest

from components.catalog import OPENAPI_PATH
from local import supervisor as supervision
from tests.helpers import local_platform
from tests.test_local_platform import PASSWORD, call


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    if not OPENAPI_PATH.exists():
        pytest.skip("api/openapi.yaml is not there yet")
    home = tmp_path_factory.mktemp("local-supervisor")
    with local_platform(home, build_frontend=False, frontend_enabled=False, auth_rate_limit=0) as p:
        yield p


def saved_emails(platform) -> str:
    path = platform.state_dir / f"dynamodb-{platform.names['users_table']}.json"
    return path.read_text() if path.exists() else ""


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.05)


def kill_moto(platform) -> int:
    process = platform.moto.process
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return process.pid


@pytest.mark.slow
def test_a_killed_moto_server_is_restarted_with_the_saved_state(platform, capfd):
    email = f"crash-{uuid.uuid4().hex[:8]}@example.com"
    reg = call(platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "Ada"})
    assert reg.status == 201, reg
    tokens = call(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD}).json()
    # the write is saved within a few seconds, without a stop
    wait_until(lambda: email in saved_emails(platform), 6, "the new user saved")
    port, secret_arn = platform.moto.port, platform.jwt_secret_arn

    with platform.supervisor.state_lock:  # hold the restore back: moto stays down meanwhile
        pid = kill_moto(platform)
        down = call(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD})
        assert down.status == 503, down
        assert down.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert down.headers["Retry-After"].isdigit() and int(down.headers["Retry-After"]) >= 1
        assert down.json()["error"]["details"]["retryAfter"] == int(down.headers["Retry-After"])

    # from the kill until it is back, a caller only ever gets 503 (never a 500, nor a 401 from a
    # half-restored table), then the user signs in: the user registered before the crash
    statuses = []
    deadline = time.monotonic() + 30
    while not statuses or statuses[-1] != 200:
        assert time.monotonic() < deadline, statuses[-5:]
        statuses.append(call(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD}).status)
        time.sleep(0.05)
    assert set(statuses) == {503, 200}, statuses
    recovery = platform.supervisor.wait_recovered(timeout=30)
    assert recovery.pid == pid and recovery.exit_code == -signal.SIGKILL
    assert platform.moto.alive and platform.moto.process.pid != pid and platform.moto.port == port
    assert recovery.restored[platform.names["users_table"]] >= 2  # the user and its email record
    assert recovery.saved_at is not None and recovery.saved_at <= recovery.died_at

    # the token issued before the crash still works
    me = call(platform, "GET", "/auth/me", token=tokens["accessToken"])
    assert me.status == 200 and me.json()["email"] == email, me
    # the signing secret came back under the ARN the functions hold, with the same key
    secret = platform.clients.secrets.get_secret_value(SecretId=secret_arn)["SecretString"]
    assert secret_arn == platform.jwt_secret_arn and secret
    assert secret.strip() == (platform.state_dir / "jwt-signing-key").read_text().strip()

    # said loudly: on stderr, with what was restored and from when
    err = capfd.readouterr().err
    assert f"the moto server (the AWS stand-in, pid {pid}) died (killed by SIGKILL)" in err, err
    assert "the moto server is back" in err and "saved at" in err and email not in err, err


@pytest.mark.slow
def test_saves_after_a_restore_keep_the_restored_items(platform):
    """A save after the restore holds what was restored and what came after (never the empty
    tables of the fresh server)."""
    before = json.loads(saved_emails(platform))["items"]
    email = f"after-{uuid.uuid4().hex[:8]}@example.com"
    reg = call(platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": "Bo"})
    assert reg.status == 201, reg
    wait_until(lambda: email in saved_emails(platform), 6, "the user registered after the restore saved")
    after = {item["userId"]["S"] for item in json.loads(saved_emails(platform))["items"]}
    assert {item["userId"]["S"] for item in before} <= after


@pytest.mark.slow
def test_stopping_the_platform_is_not_a_crash(platform, capfd):
    supervisor = platform.supervisor
    count = len(supervisor.recoveries)
    platform.stop()
    time.sleep(3 * supervisor.poll_s)
    assert len(supervisor.recoveries) == count and not supervisor._thread.is_alive()
    assert "died" not in capfd.readouterr().err


# --- without a platform -------------------------------------------------------------------------


class DeadMoto:
    """A moto server that died and cannot be started again."""

    port, url, log_path, alive = 4566, "http://127.0.0.1:4566", None, False

    def __init__(self) -> None:
        self.process = SimpleNamespace(pid=4242, returncode=-9, poll=lambda: -9)
        self.restarts = 0

    def restart(self, **_: object) -> None:
        self.restarts += 1
        raise RuntimeError("port 4566 is taken")


def test_a_supervisor_that_cannot_restart_moto_gives_up_loudly(monkeypatch, capsys):
    monkeypatch.setattr(supervision, "ATTEMPTS", 3)
    monkeypatch.setattr(supervision, "BACKOFF_S", 0.01)
    moto = DeadMoto()
    fake = SimpleNamespace(moto=moto, sink=None)
    watcher = supervision.MotoSupervisor(fake, threading.RLock(), poll_s=0.01)
    try:
        with pytest.raises(RuntimeError, match="could not be restarted after 3 attempts"):
            watcher.wait_recovered(timeout=10)
    finally:
        watcher.stop()
    assert moto.restarts == 3 and not watcher._thread.is_alive()
    err = capsys.readouterr().err
    assert "pid 4242) died (killed by SIGKILL)" in err and err.count("port 4566 is taken") == 3, err


def test_the_cli_stops_with_an_error_when_supervision_gives_up(monkeypatch):
    import local.__main__ as cli

    stopped = []

    class FakePlatform:
        def __init__(self, **_: object) -> None:
            self.timings = {"ready": 1.0}
            self.supervisor = SimpleNamespace(failed=None)

        def start(self) -> None:
            threading.Timer(0.3, lambda: setattr(self.supervisor, "failed", "gave up")).start()

        def summary(self) -> str:
            return ""

        def stop(self) -> None:
            stopped.append(True)

    monkeypatch.setattr(cli, "LocalPlatform", FakePlatform)
    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(cli.main(["--port", "0"])), daemon=True)
    runner.start()
    runner.join(timeout=10)  # (before the fix it ran until Ctrl-C)
    assert result == [1] and stopped == [True]


def test_the_saver_hears_of_writes_outside_the_gateway():
    marks = []
    invoker = SimpleNamespace(invoke=lambda fn, event: {"fn": fn}, pools={"x": 1})
    notifying = supervision.NotifyingInvoker(invoker, lambda: marks.append(1))
    assert notifying.invoke("auth-service", {}) == {"fn": "auth-service"} and marks == [1]
    assert notifying.pools == {"x": 1}  # everything else is the invoker's


@pytest.mark.parametrize(
    "code,text", [(-9, "killed by SIGKILL"), (1, "exit code 1"), (None, "exit code unknown")]
)
def test_how_a_death_is_described(code, text):
    assert supervision.describe_exit(code) == text


def test_a_gated_moto_server_answers_503_to_all_but_the_restoring_clients(tmp_path):
    from botocore.exceptions import ClientError

    from local import aws

    moto = aws.MotoServer(log_path=tmp_path / "moto.log")
    moto.start(gate="*")
    try:
        functions = aws.clients(moto.url, "us-east-1")
        platform = aws.clients(moto.url, "us-east-1", restoring=True)
        platform.s3.create_bucket(Bucket="lake")
        assert platform.dynamodb.list_tables()["TableNames"] == []
        with pytest.raises(ClientError) as refused:
            functions.dynamodb.list_tables()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert refused.value.response["Error"]["Code"] == "ServiceUnavailable"
        moto.set_gate("s3")  # the tables are back, the lake not yet
        assert functions.dynamodb.list_tables()["TableNames"] == []
        with pytest.raises(ClientError) as lake:
            functions.s3.list_objects_v2(Bucket="lake")
        assert lake.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        moto.set_gate("")
        assert functions.s3.list_objects_v2(Bucket="lake")["KeyCount"] == 0
    finally:
        moto.stop()


def test_the_saver_never_spends_more_than_a_quarter_of_its_time_saving(monkeypatch):
    """State is saved a debounce after a change, but a save that takes long (a big audit
    table) spaces the next ones out: the saver's share of the time stays bounded."""
    from local import platform as local_platform_module

    monkeypatch.setattr(local_platform_module, "SNAPSHOT_DEBOUNCE_S", 0.02)
    starts: list[float] = []

    def slow_dump() -> None:
        starts.append(time.monotonic())
        time.sleep(0.1)

    saver = local_platform_module._Snapshots(slow_dump)
    try:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:  # a change every 10 ms
            saver.mark()
            time.sleep(0.01)
    finally:
        saver.stop()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) >= 2, starts
    # each save waits at least 3x the last save's duration after it: >= 0.1 + 0.3 s apart
    assert min(gaps) >= 0.38, gaps
