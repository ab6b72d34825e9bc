"""One Lambda function in its own process: the local stand-in for the Lambda runtime.

    python -I local/worker.py <handler string> <function name>

Imports the handler (with `lambdas/` on sys.path, as the zip's root is in AWS: the cold start
happens here, once), then reads one JSON request per line on stdin and answers one JSON line
on stdout. Everything else the code prints or logs goes to stderr, which the parent prefixes
with the function's name. Stdlib only: nothing of the platform leaks into the function.

    in:  {"id": "...", "event": {...}, "timeoutMs": 29000}
    out: {"ready": true, "initMs": 812.3}                  (once, after the import)
         {"ready": false, "error": {...}}                  (the import failed; the process exits)
         {"id": "...", "response": <handler's return value>}
         {"id": "...", "error": {"errorType", "errorMessage", "stackTrace"}}
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback

# The platform passes the account for the context's ARN; it is not part of the function's env.
ACCOUNT_ID = os.environ.pop("LOCAL_ACCOUNT_ID", "123456789012")


class LambdaContext:
    """The attributes and method of the Python runtime's context object."""

    def __init__(self, request_id: str, timeout_ms: int) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        region = os.environ.get("AWS_REGION", "us-east-2")
        account = ACCOUNT_ID
        # API Gateway invokes the `live` alias.
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{self.function_name}:live"
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(exc: BaseException) -> dict:
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


def _load(handler: str):
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def main(argv: list[str]) -> int:
    handler_string = argv[1]
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root and task_root not in sys.path:
        sys.path.insert(0, task_root)

    # The protocol owns the real stdout; fd 1 (and so print, Powertools' logger, C code)
    # now writes to stderr.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    started = time.perf_counter()
    try:
        handler = _load(handler_string)
    except BaseException as exc:  # a failed init is reported, like Lambda does
        traceback.print_exc()
        send({"ready": False, "error": _error(exc)})
        return 1
    send({"ready": True, "initMs": round((time.perf_counter() - started) * 1000, 1)})

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        request_id = request.get("id", "")
        context = LambdaContext(request_id, int(request.get("timeoutMs", 29000)))
        try:
            response = handler(request.get("event"), context)
            try:
                send({"id": request_id, "response": response})
            except (TypeError, ValueError) as exc:  # not JSON-serialisable: Lambda fails too
                send({"id": request_id, "error": _error(exc)})
        except Exception as exc:  # an unhandled error is the invoke's result
            traceback.print_exc()
            send({"id": request_id, "error": _error(exc)})
        finally:
            sys.stderr.flush()
    return 0  # stdin closed: the platform is stopping


if __name__ == "__main__":
    sys.exit(main(sys.argv))
