"""Per-process and per-connection limits: each refusal is typed and hurts no one else."""

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from app.client import PlaygroundClient
from app.web.limits import TokenBucket, origin_allowed
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def tight_server() -> Iterator[LiveServer]:
    server = start_live_server(
        max_sessions=2,
        messages_per_second=20,
        message_burst=10,
        max_message_bytes=4096,
        idle_timeout_seconds=1.5,
        max_layers=3,
        max_neurons=4,
        allowed_origins="http://teacher.example",
    )
    yield server
    server.stop()


def test_a_full_server_refuses_politely_and_keeps_its_sessions(tight_server: LiveServer) -> None:
    with PlaygroundClient(tight_server.ws_url) as a, PlaygroundClient(tight_server.ws_url) as b:
        with connect(tight_server.ws_url) as third, pytest.raises(ConnectionClosed) as closed:
            third.send(json.dumps({"type": "hello", "protocol": 1}))  # sessions count at hello
            third.recv(timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        assert "server full" in closed.value.rcvd.reason
        assert a.step()["epoch"] == 1 and b.step(2)["epoch"] == 2


def test_flooding_is_throttled_with_typed_errors(tight_server: LiveServer) -> None:
    with PlaygroundClient(tight_server.ws_url) as pc:
        for _ in range(40):
            pc.send({"type": "ping"})
        codes: list[str] = []
        while len(codes) < 40:  # one answer per ping: a pong or a typed refusal
            message = json.loads(pc.ws.recv(timeout=5))
            if message["type"] in ("pong", "error"):
                codes.append(message.get("code", message["type"]))
        assert "pong" in codes and "rate_limited" in codes
        time.sleep(1.0)  # the bucket refills: the session works again
        assert pc.step()["epoch"] == 1


def test_oversized_message_is_refused(tight_server: LiveServer) -> None:
    with PlaygroundClient(tight_server.ws_url) as pc:
        pc.send(json.dumps({"type": "ping", "id": "x" * 60}) + " " * 5000)
        assert pc.expect("error")["code"] == "too_large"
        assert pc.step()["epoch"] == 1


def test_network_size_is_capped_by_the_server_setting(tight_server: LiveServer) -> None:
    with PlaygroundClient(tight_server.ws_url) as pc:
        for shape in ([5], [1, 1, 1, 1]):
            pc.send({"type": "set", "settings": {"network_shape": shape}})
            error = pc.expect("error")
            assert error["field"] == "settings.network_shape"
            assert "at most 3 hidden layers of at most 4 neurons" in error["message"]
        assert pc.set(network_shape=[4, 4, 4])["layer_sizes"] == [2, 4, 4, 4, 1]


def test_idle_connection_is_closed_with_a_reason(tight_server: LiveServer) -> None:
    with connect(tight_server.ws_url) as ws:
        ws.send(json.dumps({"type": "hello", "protocol": 1}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [("http://evil.example", False), ("http://teacher.example", True), (None, True)],
)
def test_websocket_origin_is_checked(tight_server: LiveServer, origin: Any, accepted: bool) -> None:
    headers = {"Origin": origin} if origin else {}
    if accepted:
        with connect(tight_server.ws_url, additional_headers=headers) as ws:
            ws.send(json.dumps({"type": "ping", "id": 1}))
            assert json.loads(ws.recv(timeout=5))["type"] == "pong"
    else:
        with pytest.raises(InvalidStatus) as refused:
            connect(tight_server.ws_url, additional_headers=headers)
        assert refused.value.response.status_code == 403


def test_same_origin_is_allowed_and_other_ports_are_not() -> None:
    headers = {"origin": "http://127.0.0.1:8000", "host": "127.0.0.1:8000"}
    assert origin_allowed(headers, ())
    assert not origin_allowed({**headers, "origin": "http://127.0.0.1:9999"}, ())


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=10, burst=3)
    start = bucket.stamp
    assert [bucket.take(start) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(start + 0.15) and not bucket.take(start + 0.15)
