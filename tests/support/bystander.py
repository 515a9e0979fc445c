"""Helpers for the hostile-client regression tests (issue 12): a bystander that measures
its ping round trips during an attack, connections from chosen loopback addresses, and a
check that the server's process went back to idle CPU afterwards.

The live server runs in this process's thread, so process CPU time is the server's (plus
the test's own, which sleeps while it is measured).
"""

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import ClientConnection, connect

WORST_PING_SECONDS = 0.25


def source_socket(ws_url: str, source: str) -> socket.socket:
    """A TCP connection to `ws_url`'s server from loopback address `source` (any 127.x.y.z
    works on Linux), so one test can play several client addresses."""
    parts = urlsplit(ws_url)
    return socket.create_connection((parts.hostname, parts.port), source_address=(source, 0))


def connect_from(ws_url: str, source: str = "127.0.0.1", **kwargs: Any) -> ClientConnection:
    """A websocket whose TCP source address is `source` (`source_socket`)."""
    sock = source_socket(ws_url, source)
    connection = connect(ws_url, sock=sock, open_timeout=10, compression=None, **kwargs)
    connection.__enter__()  # marks it used as intended; `with` on it again is harmless
    return connection


def hello(ws: ClientConnection, **settings: Any) -> dict[str, Any]:
    """Say hello and return the first `state` answer."""
    ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
    return expect(ws, "state")


def expect(ws: ClientConnection, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    """The next JSON message of type `kind`, skipping others (and binary frames)."""
    deadline = time.monotonic() + timeout
    while True:
        raw = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(raw, str):
            message: dict[str, Any] = json.loads(raw)
            if message["type"] == kind:
                return message


class Bystander:
    """A well-behaved student beside the attack: pings every 50 ms, keeps the worst RTT."""

    def __init__(self, ws_url: str, source: str = "127.0.0.1") -> None:
        self.ws = connect_from(ws_url, source)
        hello(self.ws)
        self.rtts: list[float] = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._ping_until_stopped()
        except Exception:
            self.rtts.append(float("inf"))  # no answer counts as the worst round trip

    def _ping_until_stopped(self) -> None:
        n = 0
        while self.running:
            n += 1
            start = time.perf_counter()
            self.ws.send(json.dumps({"type": "ping", "id": n}))
            while True:
                message = expect(self.ws, "pong", timeout=5.0)
                if message["id"] == n:
                    break
            self.rtts.append(time.perf_counter() - start)
            time.sleep(0.05)

    def stop(self) -> float:
        """Stop pinging (after at least 5 round trips); the worst one seen (seconds)."""
        deadline = time.monotonic() + 5
        while len(self.rtts) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.running = False
        self.thread.join(timeout=10)
        self.ws.close()
        assert len(self.rtts) >= 5, "the bystander hardly got any answers"
        return max(self.rtts)


def idle_cpu_fraction(seconds: float = 1.0) -> float:
    """CPU used by this process (the server's threads) per wall second, while the test sleeps."""
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(seconds)
    return (time.process_time() - cpu0) / (time.monotonic() - wall0)


def wait_until_idle(
    limit: float = 0.1, tries: int = 10, measure: Callable[[], float] | None = None
) -> float:
    """Wait for the server to go quiet (work in flight may finish); the last fraction.
    `measure` takes one window's CPU fraction: by default this process's (the in-thread
    server's) over half a second; a server in a subprocess passes its own."""
    fraction = 1.0
    for _ in range(tries):
        fraction = measure() if measure is not None else idle_cpu_fraction(0.5)
        if fraction <= limit:
            break
    return fraction
