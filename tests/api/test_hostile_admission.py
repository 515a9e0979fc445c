"""Issue 12, item 3: admission. Silent sockets cannot take the session slots; per-address
caps bound one address but admit a class behind one NAT; X-Forwarded-For only on trust."""

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.bystander import (
    WORST_PING_SECONDS,
    Bystander,
    connect_from,
    hello,
    wait_until_idle,
)
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(120)


def close_code(ws: object, timeout: float) -> tuple[int, str]:
    """Wait for the server to close `ws`; its close code and reason."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=timeout)  # type: ignore[attr-defined]
    assert closed.value.rcvd is not None, "the server closed without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.fixture
def small_server() -> Iterator[LiveServer]:
    server = start_live_server(max_sessions=20, hello_timeout_seconds=1.5)
    yield server
    server.stop()


def test_silent_sockets_take_no_session_slot_and_are_closed(small_server: LiveServer) -> None:
    # More than the per-address cap (128) and than max_sessions (20), from a process of
    # their own (tests/support/silent_sockets.py says why).
    command = [sys.executable, "-m", "tests.support.silent_sockets", small_server.ws_url]
    with subprocess.Popen(
        [*command, "127.0.0.2", "250"], stdout=subprocess.PIPE, text=True
    ) as silent:
        try:
            assert silent.stdout is not None
            assert silent.stdout.readline().strip() == "opened"
            bystander = Bystander(small_server.ws_url)  # another address: a student arriving now
            others = []
            for _ in range(18):  # 19 sessions with the bystander: all slots stay usable
                others.append(connect_from(small_server.ws_url, "127.0.0.3"))
                assert hello(others[-1])["epoch"] == 0
            closes = json.loads(silent.stdout.readline())
        finally:
            silent.kill()
    codes = Counter(code for code, _ in closes)
    for code, reason in closes:
        assert ("hello" in reason) if code == 1008 else ("your address" in reason), reason
    assert set(codes) <= {1008, 1013} and sum(codes.values()) == 250
    # Both bounds worked: some waited out the hello deadline, the address cap refused others.
    assert codes[1008] > 0 and codes[1013] > 0, codes
    worst = bystander.stop()
    assert worst <= WORST_PING_SECONDS, f"a bystander's ping took {worst * 1000:.0f} ms"
    for ws in others:
        ws.close()
    assert wait_until_idle() <= 0.1


def test_a_class_behind_one_nat_is_admitted_at_once() -> None:
    # Default per-address caps; a long hello deadline only so that 60 hellos said one after
    # the other by this single test thread all count, however busy the machine is.
    server = start_live_server(hello_timeout_seconds=120)
    start = time.monotonic()
    sockets = [connect_from(server.ws_url, "127.0.0.4") for _ in range(60)]
    opened = time.monotonic() - start
    try:
        assert all(hello(ws)["epoch"] == 0 for ws in sockets), f"opened in {opened:.2f} s"
    finally:
        for ws in sockets:
            ws.close()
        server.stop()


@pytest.fixture(scope="module")
def capped_server() -> Iterator[LiveServer]:
    server = start_live_server(
        max_connections_per_address=3,
        connections_per_second_per_address=0.05,
        connection_burst_per_address=4,
    )
    yield server
    server.stop()


def test_one_address_is_capped_in_open_and_new_connections(capped_server: LiveServer) -> None:
    url = capped_server.ws_url
    first = [connect_from(url, "127.0.0.5") for _ in range(3)]
    code, reason = close_code(connect_from(url, "127.0.0.5"), timeout=5)
    assert code == 1013 and "too many open connections" in reason
    first.pop().close()
    time.sleep(0.2)  # the server notices the close
    fourth = connect_from(url, "127.0.0.5")  # a slot is free again: the 4th admitted arrival
    assert hello(fourth)["epoch"] == 0
    first.pop().close()
    time.sleep(0.2)
    code, reason = close_code(connect_from(url, "127.0.0.5"), timeout=5)
    assert code == 1013 and "too many new connections" in reason  # the burst is spent
    other = connect_from(url, "127.0.0.6")  # another address is not affected
    assert hello(other)["epoch"] == 0
    for ws in (*first, fourth, other):
        ws.close()


@pytest.mark.parametrize("trusted", [True, False])
def test_forwarded_for_counts_only_when_trusted(trusted: bool) -> None:
    server = start_live_server(
        max_connections_per_address=1, trust_forwarded_for=trusted, trusted_proxies="127.0.0.7"
    )
    try:

        def via_proxy(client: str) -> object:
            headers = {"X-Forwarded-For": f"203.0.113.9, {client}"}  # the proxy appended client
            return connect_from(server.ws_url, "127.0.0.7", additional_headers=headers)

        a = via_proxy("10.0.0.1")
        b = via_proxy("10.0.0.2")
        if trusted:  # two clients behind the proxy: one connection each is fine
            assert hello(b)["epoch"] == 0
            code, reason = close_code(via_proxy("10.0.0.1"), timeout=5)
        else:  # the header is ignored: both are the proxy's address, over its cap
            code, reason = close_code(b, timeout=5)
        assert code == 1013 and "too many open connections" in reason
        assert hello(a)["epoch"] == 0
    finally:
        server.stop()
