"""Issue 12, even workers: `--workers 2` spreads sessions across both processes."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.bystander import connect_from, hello
from tests.support.live_server import free_port

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def two_workers() -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NN_PLAYGROUND_")}
    command = [sys.executable, "-m", "app", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(worker_views(port, 20)) < 2:
            assert time.monotonic() < deadline and server.poll() is None, "workers not up"
            time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0  # the supervisor stops its workers cleanly


def worker_views(port: int, tries: int) -> dict[int, int]:
    """{worker pid: its live sessions}, from /healthz answers of whichever worker answers."""
    seen: dict[int, int] = {}
    for _ in range(tries):
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as response:
                body = json.load(response)
            seen[body["pid"]] = body["sessions"]
        except OSError:
            time.sleep(0.1)
    return seen


def test_thirty_sessions_are_spread_over_both_workers(two_workers: int) -> None:
    url = f"ws://127.0.0.1:{two_workers}/ws"
    sockets = [connect_from(url) for _ in range(30)]
    try:
        assert all(hello(ws)["epoch"] == 0 for ws in sockets)
        views = worker_views(two_workers, 60)
        assert len(views) == 2 and sum(views.values()) == 30, views
        # Kernel hashing is random per connection: P(a worker outside 6..24 of 30) < 0.1%.
        assert min(views.values()) >= 6, views
    finally:
        for ws in sockets:
            ws.close()
