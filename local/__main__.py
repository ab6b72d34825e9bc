"""`python -m local` (what `./dev up` runs): the whole platform on this machine.

    python -m local [--port 8080] [--moto-port 4566] [--frontend-port 5173]
                    [--scale 1.0] [--seed 42] [--stack dev]
                    [--reset] [--reset-dataset] [--no-frontend] [--no-frontend-build]
                    [--workers-per-function 2] [--log-level INFO] [--quiet-functions]

Ctrl-C (or SIGTERM) stops everything and saves the users for the next start. If the moto
server dies meanwhile, it is restarted with the saved state (local/supervisor.py); if that keeps
failing, the platform stops with exit code 1.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from pathlib import Path

from local.platform import DEFAULT_HOME, LocalPlatform
from local.progress import Progress


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8080, help="the API's port (0: any free one)")
    parser.add_argument("--moto-port", type=int, default=4566, help="the moto server's port")
    parser.add_argument("--frontend-port", type=int, default=5173, help="the frontend's port")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size (1.0 = the full set)")
    parser.add_argument("--seed", type=int, default=42, help="dataset seed")
    parser.add_argument("--stack", default="dev", help="names and settings from Pulumi.<stack>.yaml")
    parser.add_argument(
        "--home",
        type=Path,
        default=DEFAULT_HOME,
        help="where data, state, mailbox and logs live (default .local/)",
    )
    parser.add_argument(
        "--reset", action="store_true", help="forget saved users and mail (keeps the generated dataset)"
    )
    parser.add_argument(
        "--reset-dataset",
        action="store_true",
        help="regenerate the dataset (combine with --reset to start from scratch)",
    )
    parser.add_argument("--no-frontend", action="store_true", help="API only")
    parser.add_argument(
        "--no-frontend-build",
        action="store_true",
        help="serve frontend/dist as it is instead of building for the local API",
    )
    parser.add_argument(
        "--workers-per-function",
        type=int,
        default=2,
        help="concurrent instances per function (each a process)",
    )
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL of the functions")
    parser.add_argument(
        "--no-data-jobs",
        action="store_true",
        help="do not run the data-jobs function after the upload (the first requests build the artifacts)",
    )
    parser.add_argument(
        "--quiet-functions",
        action="store_true",
        help="send function and access logs to <home>/logs/functions.log",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    progress = Progress(sys.stdout)
    log_stream = None
    if args.quiet_functions:
        (args.home / "logs").mkdir(parents=True, exist_ok=True)
        log_stream = open(args.home / "logs" / "functions.log", "a", buffering=1)  # closed at exit
    platform = LocalPlatform(
        port=args.port,
        moto_port=args.moto_port,
        frontend_port=args.frontend_port,
        scale=args.scale,
        seed=args.seed,
        stack=args.stack,
        home=args.home,
        reset=args.reset,
        reset_dataset=args.reset_dataset,
        frontend_enabled=not args.no_frontend,
        build_frontend=not args.no_frontend_build,
        workers_per_function=args.workers_per_function,
        log_level=args.log_level,
        progress=progress,
        log_stream=log_stream,
        data_jobs=not args.no_data_jobs,
    )

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    try:
        platform.start()
    except KeyboardInterrupt:
        progress.say("interrupted")
        return 130
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            progress.say(
                f"error: a port is taken ({exc}); is the platform already running? "
                "Choose others with --port/--moto-port/--frontend-port (0 = any)."
            )
            return 1
        raise
    except Exception as exc:  # one clear line; the details are in the logs
        progress.say(f"error: the local platform did not start: {exc}")
        return 1

    signal.signal(signal.SIGINT, on_signal)
    progress.say(f"\nThe platform is up in {platform.timings['ready']:.1f} s.")
    progress.say(platform.summary())
    progress.say("Press Ctrl-C to stop.\n")
    failed = None
    try:
        while not stop.wait(0.5):
            failed = platform.supervisor.failed if platform.supervisor else None
            if failed:
                break
    except KeyboardInterrupt:
        pass
    progress.say("\n==> stopping" + (f" ({failed})" if failed else ""))
    platform.stop()
    progress.say("==> stopped")
    if log_stream:
        log_stream.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
