"""The function workers (local/worker.py and local/workers.py) with a throwaway handler package:
the line protocol, the Lambda context, stdout hygiene, errors, crashes, timeouts, restarts."""

from __future__ import annotations

import io
import os
import textwrap

import pytest

from components.catalog import Function
from local.workers import FunctionPool, InvokeError, LogSink, Worker

HANDLER = textwrap.dedent("""
    import os, sys, time
    print("printed at import")          # must not corrupt the protocol

    def lambda_handler(event, context):
        action = event.get("action")
        print("printed in the handler")
        if action == "context":
            return {"name": context.function_name, "arn": context.invoked_function_arn,
                    "requestId": context.aws_request_id, "memory": context.memory_limit_in_mb,
                    "remaining": context.get_remaining_time_in_millis(),
                    "env": os.environ.get("MY_SETTING"), "pid": os.getpid(),
                    "path0": sys.path[0]}
        if action == "raise":
            raise ValueError("bad input")
        if action == "exit":
            os._exit(3)
        if action == "sleep":
            time.sleep(event.get("seconds", 5))
        if action == "unserialisable":
            return {"x": object()}
        return {"statusCode": 200, "body": "ok"}
""")


@pytest.fixture()
def task_root(tmp_path):
    package = tmp_path / "fakefn"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(HANDLER)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "__init__.py").write_text("")
    (tmp_path / "broken" / "handler.py").write_text("raise RuntimeError('init failed')\n")
    return tmp_path


def env_for(task_root) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_LAMBDA_FUNCTION_NAME": "prefix-fake-dev",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_REGION": "us-east-2",
        "MY_SETTING": "on",
    }


FAKE = Function("fake", "fakefn", "fakefn.handler.lambda_handler", "python-lambdas", "test", frozenset())
BROKEN = Function("broken", "broken", "broken.handler.lambda_handler", "python-lambdas", "test", frozenset())


@pytest.fixture()
def sink():
    return LogSink(io.StringIO())


def test_worker_answers_with_a_lambda_context_and_keeps_stdout_for_the_protocol(task_root, sink):
    worker = Worker(FAKE, env_for(task_root), sink, 0)
    try:
        assert worker.wait_ready() and worker.init_ms is not None
        assert worker.invoke({}, 5) == {"statusCode": 200, "body": "ok"}
        ctx = worker.invoke({"action": "context"}, 5)
        assert ctx["name"] == "prefix-fake-dev"
        assert ctx["arn"] == "arn:aws:lambda:us-east-2:123456789012:function:prefix-fake-dev:live"
        assert ctx["memory"] == 512 and 0 < ctx["remaining"] <= 5000
        assert ctx["env"] == "on" and ctx["requestId"]
        assert ctx["path0"] == str(task_root)  # the code's root, as in the zip
        assert ctx["pid"] == worker.process.pid  # state lives in one process across invokes
    finally:
        worker.stop()
    logs = sink.stream.getvalue()
    assert "[fake] printed at import" in logs and "[fake] printed in the handler" in logs


def test_handler_errors_keep_the_worker(task_root, sink):
    worker = Worker(FAKE, env_for(task_root), sink, 0)
    try:
        with pytest.raises(InvokeError) as err:
            worker.invoke({"action": "raise"}, 5)
        assert err.value.kind == "function" and err.value.detail["errorType"] == "ValueError"
        with pytest.raises(InvokeError) as err:
            worker.invoke({"action": "unserialisable"}, 5)
        assert err.value.kind == "function"
        assert worker.invoke({}, 5)["statusCode"] == 200
    finally:
        worker.stop()


def test_init_failure_is_reported(task_root, sink):
    worker = Worker(BROKEN, env_for(task_root), sink, 0)
    assert worker.wait_ready() is False
    assert worker.init_error["errorType"] == "RuntimeError"
    with pytest.raises(InvokeError) as err:
        worker.invoke({}, 5)
    assert err.value.kind == "init"


def test_pool_replaces_a_crashed_or_timed_out_instance(task_root, sink):
    pool = FunctionPool(FAKE, env_for(task_root), sink, max_size=1, reload=False)
    pool.start()
    try:
        pool.wait_ready()
        first = pool.invoke({"action": "context"}, 5)["pid"]
        with pytest.raises(InvokeError) as err:
            pool.invoke({"action": "exit"}, 5)
        assert err.value.kind == "crash"
        second = pool.invoke({"action": "context"}, 5)["pid"]
        assert second != first  # a new instance (cold start) took over
        with pytest.raises(InvokeError) as err:
            pool.invoke({"action": "sleep"}, 0.5)
        assert err.value.kind == "timeout"
        assert pool.invoke({"action": "context"}, 5)["pid"] not in (first, second)
    finally:
        pool.stop()


def test_pool_scales_out_under_concurrency(task_root, sink):
    import threading

    pool = FunctionPool(FAKE, env_for(task_root), sink, max_size=2, reload=False)
    pool.start()
    pool.wait_ready()
    pids = []
    try:
        threads = [
            threading.Thread(target=lambda: pids.append(pool.invoke({"action": "sleep", "seconds": 1}, 10)))
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert pool.size == 2
    finally:
        pool.stop()
