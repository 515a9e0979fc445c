"""Thousands of hostile messages on one live session: typed answers, no crash, no log.

benchmarks/fuzz.py runs the same generator 100,000 times and prints the tally.
"""

import json
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.client import PlaygroundClient
from tests.support.fuzz_messages import exchange, messages, tally_answer
from tests.support.live_server import LiveServer, start_live_server

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]
EXAMPLES = 2500
TYPED = {"state", "data", "pong", "checkpoint", "event", "error", "confusion", "export",
         "upload_report"}  # fmt: skip
DOCUMENTED_CLOSES = {1007, 1008, 1009}  # bad UTF-8, flooding, over uvicorn's size cap
MAX_MESSAGE_BYTES = 65_536
TRANSPORT_CAP = MAX_MESSAGE_BYTES + 1024  # uvicorn's frame limit (app/web/serving.py)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[tuple[LiveServer, ErrorLog]]:
    log = ErrorLog()
    logging.getLogger().addHandler(log)
    server = start_live_server(
        messages_per_second=10_000, message_burst=10_000, max_message_bytes=MAX_MESSAGE_BYTES
    )
    yield server, log
    server.stop()
    logging.getLogger().removeHandler(log)


class Peer:
    """The fuzzing connection; reopened after a documented close (1007, 1008, 1009)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws = self.open()

    def open(self) -> ClientConnection:
        # No keepalive pings: their thread draws from `random` while hypothesis generates.
        ws = connect(self.url, max_size=2**24, ping_interval=None).__enter__()
        ws.send(json.dumps({"type": "hello", "settings": {"seed": "fuzz"}}))
        return ws


@pytest.fixture(scope="module")
def peer(fuzz_server: tuple[LiveServer, ErrorLog]) -> Iterator[Peer]:
    peer = Peer(fuzz_server[0].ws_url)
    yield peer
    peer.ws.close()


TALLY: Counter[str] = Counter()


# The server under test runs in this process (a thread), and its websocket library draws
# keepalive payloads from the global `random`; hypothesis would blame that on the strategy.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(message=messages)
def test_every_hostile_message_gets_a_typed_answer(peer: Peer, message: Any) -> None:
    kind, payload = message
    try:
        answers = exchange(peer.ws, kind, payload, probe=sum(TALLY.values()))
    except ConnectionClosed as exc:
        if exc.rcvd is None:  # the kernel reset it: the server closed (1009) while it sent on
            assert len(payload) > TRANSPORT_CAP, exc
            TALLY["reset over the transport cap"] += 1
        else:
            assert exc.rcvd.code in DOCUMENTED_CLOSES, exc
            TALLY[f"closed {exc.rcvd.code}"] += 1
        peer.ws = peer.open()
        return
    assert all(a.get("type") in TYPED for a in answers), answers
    errors = [a for a in answers if a["type"] == "error"]
    assert all(e["code"] != "internal" for e in errors), errors
    assert all(isinstance(e["message"], str) and e["message"] for e in errors)
    tally_answer(TALLY, answers)


def test_after_the_fuzz_the_server_and_other_sessions_are_fine(
    fuzz_server: tuple[LiveServer, ErrorLog], peer: Peer
) -> None:
    socket = peer.ws
    server, log = fuzz_server
    assert sum(TALLY.values()) >= EXAMPLES
    assert any(key.startswith("invalid") for key in TALLY)  # the fuzz reached the validator
    socket.send(json.dumps({"type": "hello", "settings": {"seed": "after"}}))
    socket.send(json.dumps({"type": "step", "epochs": 3}))
    states = []
    while len(states) < 2:
        message = json.loads(raw) if isinstance(raw := socket.recv(timeout=10), str) else {}
        if message.get("type") == "state":
            states.append(message)
    assert states[-1]["epoch"] == 3  # the fuzzed session still answers correctly
    with PlaygroundClient(server.ws_url, seed="other") as other:
        assert other.step(2)["epoch"] == 2
    # the server logged nothing (the fuzzing client's own library logs the resets it met)
    assert [r.getMessage() for r in log.records if r.name != "websockets.client"] == []


def test_invalid_utf8_text_closes_with_1007_and_nothing_else(
    fuzz_server: tuple[LiveServer, ErrorLog],
) -> None:
    server, log = fuzz_server
    with connect(server.ws_url) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.send(b'{"type":"ping","id":"\xc3', text=True)
        while True:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    with PlaygroundClient(server.ws_url) as pc:
        assert pc.step()["epoch"] == 1
