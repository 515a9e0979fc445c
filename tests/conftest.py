"""Shared fixtures: a real uvicorn on a free port, and Debian's Chromium through Playwright.

The server runs in a thread with a pre-bound socket (no port race) and per-message deflate
off, exactly as `nn-playground` runs it. Browser pages fail their test on any console
error, page error or HTTP error response, so every browser test also checks that.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

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
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", ws_per_message_deflate=False
        )
        self.server = uvicorn.Server(config)
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


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = start_live_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class PageProblems:
    """Collects what a person would call 'broken': JS errors, console errors, HTTP errors."""

    def __init__(self, page: Any) -> None:
        self.items: list[str] = []
        page.on("pageerror", lambda exc: self.items.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda msg: self.items.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        page.on(
            "response",
            lambda r: self.items.append(f"http {r.status}: {r.url}") if r.status >= 400 else None,
        )
        page.on("requestfailed", lambda r: self.items.append(f"failed: {r.url}"))


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh 1280x800 page; the test fails if the page logged any error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems(page)
    page.problems = problems
    yield page
    context.close()
    allowed = getattr(request.node, "allowed_page_problems", ())
    unexpected = [p for p in problems.items if not any(a in p for a in allowed)]
    assert not unexpected, f"the page reported problems: {unexpected}"
