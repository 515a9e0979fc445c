"""Issue 12, items 8 and 9: DNS rebinding (Host validation) and clickjacking (framing)."""

import socket
from collections.abc import Iterator

import pytest

from app.web.hosts import host_allowed, host_name
from tests.support.bystander import connect_from, hello
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(60)

UPGRADE = (
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


def raw_request(server: LiveServer, path: str, host: str, extra: str = "") -> tuple[int, str]:
    """Send one HTTP/1.1 request with exactly this Host; the status and the head+body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        origin = f"Origin: http://{host}\r\n" if extra else ""
        tail = extra or "Connection: close\r\n"
        head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{origin}{tail}\r\n"
        sock.sendall(head.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if extra and b"\r\n\r\n" in data:
                break  # a websocket answer never ends by itself
    text = data.decode("latin-1")
    return int(text.split(" ", 2)[1]), text


@pytest.fixture(scope="module")
def public_server() -> Iterator[LiveServer]:
    """Bound to loopback for the test, but configured as a 0.0.0.0 deployment would be."""
    server = start_live_server(host="0.0.0.0")
    yield server
    server.stop()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example"])
def test_a_rebound_name_is_refused_on_a_loopback_server(live_server: LiveServer, host: str) -> None:
    status, text = raw_request(live_server, "/", host)
    assert status == 400 and "not allowed" in text
    status, _ = raw_request(live_server, "/ws", host, UPGRADE)  # Origin matches Host
    assert status == 403


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"])
def test_loopback_names_with_a_port_are_served(live_server: LiveServer, host: str) -> None:
    status, text = raw_request(live_server, "/", f"{host}:{live_server.port}")
    assert status == 200 and "<title>NN Playground" in text
    status, _ = raw_request(live_server, "/ws", f"{host}:{live_server.port}", UPGRADE)
    assert status == 101


def test_a_public_bind_serves_any_host(public_server: LiveServer) -> None:
    assert raw_request(public_server, "/", "class.school.example")[0] == 200
    assert raw_request(public_server, "/ws", "class.school.example", UPGRADE)[0] == 101


def test_a_listed_host_is_the_only_one_served() -> None:
    server = start_live_server(host="0.0.0.0", allowed_hosts="class.school.example, localhost")
    try:
        assert raw_request(server, "/healthz", "class.school.example:8000")[0] == 200
        assert raw_request(server, "/healthz", "other.example")[0] == 400
        assert raw_request(server, "/ws", "other.example", UPGRADE)[0] == 403
        assert hello(connect_from(server.ws_url.replace("127.0.0.1", "localhost")))
    finally:
        server.stop()


def test_the_page_may_not_be_framed(live_server: LiveServer) -> None:
    _, text = raw_request(live_server, "/", f"localhost:{live_server.port}")
    head = text.split("\r\n\r\n", 1)[0].lower()
    assert "frame-ancestors 'none'" in head and "x-frame-options: deny" in head


def test_host_rule() -> None:
    assert host_name("[::1]:8000") == "::1" and host_name("Example.ORG.:80") == "example.org"
    assert not host_allowed(None, "127.0.0.1", ())
    assert host_allowed("anything", "0.0.0.0", ()) and host_allowed("x", "192.168.1.5", ())
    assert not host_allowed("x", "0.0.0.0", ("y",)) and host_allowed("y:1", "::", ("y",))
    assert not host_allowed("127.0.0.2", "localhost", ())
