"""Issue 20: a worker whose event loop stops beating is killed and replaced (the watchdog).

The server runs as deployed (`python -m app`, one worker, the default 10 s timeout); the
worker is frozen with SIGSTOP, as an endless computation on its loop would freeze it, and
new students must be served by a fresh worker within 15 s.
"""

import json
import os
import signal
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from tests.support.live_server import free_port
from tests.support.processes import launch

pytestmark = [pytest.mark.hostile, pytest.mark.timeout(120)]


def children(pid: int) -> list[int]:
    """The supervisor's workers: its children, less multiprocessing's resource tracker."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            if parent == pid and b"resource_tracker" not in command:
                found.append(int(entry.name))
    return found


def served_by(port: int) -> int | None:
    """The pid of the worker that greets a new student, or None if nobody does in time."""
    try:
        with connect(f"ws://127.0.0.1:{port}/ws", open_timeout=3, close_timeout=1) as ws:
            ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": {}}))
            while json.loads(ws.recv(timeout=3)).get("type") != "state":
                pass
        url = f"http://127.0.0.1:{port}/healthz"  # local: the details name the worker
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(json.load(response)["pid"])
    except (OSError, TimeoutError, ValueError, WebSocketException):
        return None


@pytest.fixture
def server() -> Iterator[tuple[int, int]]:
    port = free_port()
    process = launch(port)
    try:
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_frozen_worker_is_replaced_within_fifteen_seconds(server: tuple[int, int]) -> None:
    port, supervisor = server
    (worker,) = children(supervisor)
    assert served_by(port) == worker
    os.kill(worker, signal.SIGSTOP)
    frozen = time.monotonic()
    assert served_by(port) is None  # nobody answers while it is frozen
    fresh = None
    while fresh is None and time.monotonic() - frozen < 15:
        fresh = served_by(port)
    assert fresh is not None, "no worker served a new student within 15 s"
    assert fresh != worker and not Path(f"/proc/{worker}").exists()  # killed, not woken
    assert children(supervisor) == [fresh]
