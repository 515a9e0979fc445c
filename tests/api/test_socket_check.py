"""POST /socket-check: the page asks whether its websocket would be admitted (issue 23, item 1).

The answer must agree with the handshake itself: for each Origin and Host, the check says
"admitted" exactly when a real websocket handshake with the same headers is accepted.
"""

import http.client
import json
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    server = start_live_server(allowed_origins="https://playground.example.edu")
    yield server
    server.stop()


def check(server: LiveServer, headers: dict[str, str]) -> tuple[int, dict[str, object] | None]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("POST", "/socket-check", headers=headers)
        response = connection.getresponse()
        body = response.read()
        is_json = response.getheader("content-type", "").startswith("application/json")
        return response.status, json.loads(body) if is_json else None
    finally:
        connection.close()


def handshake_accepted(server: LiveServer, origin: str | None) -> bool:
    try:
        with connect(server.ws_url, origin=origin, open_timeout=5):
            return True
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


@pytest.mark.parametrize(
    ("origin", "admitted"),
    [
        (None, True),  # a script: no Origin, as the Python client
        ("same", True),  # the page at the server's own address
        ("https://playground.example.edu", True),  # listed
        ("https://evil.example", False),
        ("http://127.0.0.1:1", False),  # same host, another port: another origin
    ],
)
def test_the_check_agrees_with_the_handshake(
    server: LiveServer, origin: str | None, admitted: bool
) -> None:
    headers = {"Host": f"127.0.0.1:{server.port}"}
    if origin is not None:
        headers["Origin"] = f"http://127.0.0.1:{server.port}" if origin == "same" else origin
    status, body = check(server, headers)
    assert status == 200 and body is not None
    assert body["admitted"] is admitted
    if not admitted:
        assert "origin is not allowed" in str(body["message"])
    assert handshake_accepted(server, headers.get("Origin")) is admitted


def test_a_refused_host_name_is_a_400_from_the_host_guard(server: LiveServer) -> None:
    status, body = check(server, {"Host": "rebound.example", "Origin": "http://rebound.example"})
    assert status == 400 and body is None
