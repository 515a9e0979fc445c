"""A real uvicorn in a background thread, and how Chromium is launched: the harness every
API test, browser test and benchmark shares.

What it is: the server side of the test harness (a pre-bound socket, so no port race; per-message
deflate off, exactly as `nn-playground` runs) plus the browser's launch arguments.
What it is not: pytest fixtures (tests/conftest.py wraps these) or a benchmark.
Trade-off: the in-thread server shares the test's process (fast start, server state visible to
the test) at the price of sharing its GIL; benchmarks that measure the server's own CPU start
a subprocess instead (tests/support/processes.py).
"""

import os
import shutil
import socket
import threading
import time
from typing import Any

from app.web.drain import DrainingServer
from app.web.serving import uvicorn_config

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """`$CHROMIUM`, else Debian's /usr/bin/chromium, else None (Playwright's own build)."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )


class LiveServer:
    """A uvicorn server in a background thread; `url` is its http base."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        # The options `nn-playground` runs with (app/web/serving.py), guarded protocols included.
        config = uvicorn_config(app.state.settings, app, log_level="warning", lifespan="on")
        self.server = DrainingServer(config)  # drains on stop(), as nn-playground does
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def start_live_server(**settings: Any) -> LiveServer:
    from app.web.config import Settings
    from app.web.main import create_app

    return LiveServer(create_app(Settings.from_env(**settings))).start()


def free_port() -> int:
    """A TCP port nobody listens on right now (for servers started as subprocesses)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
