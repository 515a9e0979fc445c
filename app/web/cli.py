"""The `nn-playground` command: start the supervisor and its workers the way this app must run.

Flags override `NN_PLAYGROUND_*` variables, which override the defaults. uvicorn's options
(per-message deflate off, the guarded protocols, proxy headers) live in serving.py.
"""

import argparse
import os
import secrets
import sys

from pydantic import ValidationError

from app import __version__
from app.playground.lessons import LessonError, load_lessons
from app.web.config import ENV_PREFIX, Settings
from app.web.digits.cli import data_main
from app.web.workers import supervise


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nn-playground",
        description="Serve NN Playground (TensorFlow Playground, trained on the server).",
        epilog=f"Every setting can also come from {ENV_PREFIX}<NAME> environment variables. "
        "`nn-playground data list` and `nn-playground data fetch mnist` manage the digits "
        "workspace's data.",
    )
    parser.add_argument("--host", help="bind address (default 127.0.0.1; 0.0.0.0 in Docker)")
    parser.add_argument("--port", type=int, help="TCP port (default 8000)")
    parser.add_argument("--workers", type=int, help="worker processes (default 1)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["data"]:  # `nn-playground data list|fetch`: the digits data (docs/digits.md)
        sys.exit(data_main(argv[1:]))
    args = parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port, workers=args.workers)
    except ValidationError as exc:
        sys.exit(f"nn-playground: invalid setting:\n{exc}")
    try:  # checked here once so the message is one line, not one traceback per worker
        load_lessons(settings.lessons_dir)
    except LessonError as exc:
        sys.exit(f"nn-playground: {exc}")
    print(f"NN Playground {__version__} on http://{settings.host}:{settings.port}", flush=True)
    # Workers build the app from the environment: hand them the flags too (the Host guard
    # must know the bind address the operator chose), and one key to sign browser cookies.
    os.environ[ENV_PREFIX + "HOST"] = settings.host
    os.environ[ENV_PREFIX + "PORT"] = str(settings.port)
    os.environ[ENV_PREFIX + "WORKERS"] = str(settings.workers)
    if not settings.secret_key:
        os.environ[ENV_PREFIX + "SECRET_KEY"] = secrets.token_urlsafe(32)
    # Always supervised, one worker too: the watchdog must be able to replace a stuck loop;
    # each worker drains on SIGTERM (drain.py).
    supervise(settings)


if __name__ == "__main__":
    main()
