"""Shared fixtures: a real uvicorn on a free port, and Debian's Chromium through Playwright.

The server runs in a thread with a pre-bound socket (no port race) and per-message deflate
off, exactly as `nn-playground` runs it. Browser pages fail their test on any console
error, page error or HTTP error response, so every browser test also checks that.
"""

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.live_server import CHROMIUM_ARGS, LiveServer, chromium_path, start_live_server

_CLASSES = tempfile.TemporaryDirectory(prefix="nnp-classes-")  # removed at pytest_unconfigure


def pytest_configure(config: pytest.Config) -> None:
    """Classes made by tests live in a temporary data directory, never the user's own
    (servers started as subprocesses inherit it through the environment)."""
    os.environ.setdefault("NN_PLAYGROUND_DATA_DIR", _CLASSES.name)


def pytest_unconfigure(config: pytest.Config) -> None:
    _CLASSES.cleanup()


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
        page.on("requestfailed", self._request_failed)

    def _request_failed(self, request: Any) -> None:
        """A load the browser cancelled (net::ERR_ABORTED) is not a breakage: it is what a
        navigation or a closing page does to fetches still in flight, such as the links
        worker's modules when a test moves on right after the page connected. A refused,
        reset or empty answer is still a problem."""
        if request.failure == "net::ERR_ABORTED":
            return
        self.items.append(f"failed: {request.url} ({request.failure})")


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
