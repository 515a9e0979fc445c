"""SIGTERM drains a worker: final checkpoints, then 1012, within the grace (app/web/drain.py).

Servers run as subprocesses started the README's way (`python -m app`), so the signal is real
and so is uvicorn's own shutdown after the drain. Clients are raw websockets that record
everything in order: the test reads exactly what a client got before the close.
"""

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.client import decode_header
from tests.support.crowd import Crowd
from tests.support.live_server import free_port
from tests.support.processes import backlog_settled, launch, start_server
from tests.support.replicas import listening

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

CREDIT = json.dumps({"type": "credit", "frames": 1})


class Recorder:
    """A websocket client that keeps every message it read, in order."""

    def __init__(self, port: int) -> None:
        # Entered by hand, as app/client.py does: the test reads on after the server closed.
        self.ws: ClientConnection = connect(
            f"ws://127.0.0.1:{port}/ws", compression=None
        ).__enter__()
        self.log: list[Any] = []  # ("frame", epoch) or the JSON message

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def read(self, credit: bool = False, timeout: float = 10.0) -> Any:
        raw = self.ws.recv(timeout=timeout)
        if isinstance(raw, bytes):
            item: Any = ("frame", decode_header(raw).epoch)
            if credit:  # once the server has closed, sending fails but reading goes on
                with contextlib.suppress(ConnectionClosed):
                    self.ws.send(CREDIT)
        else:
            item = json.loads(raw)
        self.log.append(item)
        return item

    def until_closed(self, credit: bool = False) -> tuple[int | None, str]:
        """Read until the server closes; the close code and reason."""
        try:
            while True:
                self.read(credit)
        except ConnectionClosed as closed:
            return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, "")

    def checkpoints(self) -> list[dict[str, Any]]:
        return [
            m["checkpoint"] for m in self.log if isinstance(m, dict) and m["type"] == "checkpoint"
        ]


GRACE = 4.0  # seconds; long enough that a loaded machine still sees the stuck client hold on


@pytest.fixture
def server() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    process = launch(port, {"NN_PLAYGROUND_SHUTDOWN_GRACE_SECONDS": str(GRACE)})
    yield port, process
    if process.poll() is None:
        process.kill()
    process.wait()


def test_sigterm_sends_every_client_its_final_checkpoint_then_1012(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = server
    player, stepper, silent = Recorder(port), Recorder(port), Recorder(port)
    player.send({"type": "hello", "protocol": 1, "settings": {"seed": "player"}})
    player.send({"type": "credit", "frames": 2})
    player.send({"type": "play"})
    while not any(kind == "frame" and epoch >= 90 for kind, epoch in _frames(player.log)):
        player.read(credit=True)
    # A script that steps and never grants credit holds no checkpoint at all until the drain.
    stepper.send({"type": "hello", "protocol": 1, "settings": {"seed": "stepper"}})
    stepper.send({"type": "step", "epochs": 25})
    while not (isinstance(m := stepper.read(), dict) and m["type"] == "state" and m["epoch"]):
        pass
    assert stepper.checkpoints() == []

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, reason = player.until_closed(credit=True)
    assert (code, reason) == (1012, "server restarting: reconnect now")
    assert_final_checkpoint(player)
    assert stepper.until_closed() == (1012, "server restarting: reconnect now")
    assert [c["epoch"] for c in stepper.checkpoints()] == [25]
    assert silent.until_closed() == (1012, "server restarting: reconnect now")
    assert silent.log == []  # no hello, no session, no checkpoint
    assert process.wait(timeout=15) == -signal.SIGTERM  # uvicorn re-raises the signal it got
    print(f"\ndrain and exit: {time.monotonic() - started:.2f} s (load {_load()})")


def test_a_client_that_stopped_reading_cannot_hold_a_stopping_worker(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = server
    stuck = Crowd(port, never_reads=1, config="cheap", speed=240, burst=120)
    try:
        backlog_settled(port, stuck.reader_ports)  # a send to it now waits for good
        player = Recorder(port)
        player.send({"type": "hello", "protocol": 1, "settings": {"seed": "bystander"}})
        player.send({"type": "credit", "frames": 2})
        player.send({"type": "play"})
        while len(_frames(player.log)) < 10:
            player.read(credit=True)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert player.until_closed(credit=True)[0] == 1012
        closed_after = time.monotonic() - started
        assert player.checkpoints(), "the bystander got no final checkpoint"
        # Stopped admitting while the stuck client still holds the process open.
        assert process.poll() is None and not listening(port)
        assert process.wait(timeout=15) is not None
        exited_after = time.monotonic() - started
    finally:
        stuck.kill()
    # The grace bounds the drain, then what is left of it (at least 1 s) uvicorn's own close.
    assert closed_after < GRACE, closed_after
    assert exited_after < GRACE + 1 + 3, exited_after
    print(
        f"\nbystander closed after {closed_after:.2f} s, the worker exited after "
        f"{exited_after:.2f} s (grace {GRACE:g} s; load {_load()})"
    )


def assert_final_checkpoint(client: Recorder) -> None:
    """The last checkpoint before the close holds every epoch the client was shown: nothing
    was trained after it (a frame already on its way may still follow, showing no more)."""
    last = max(
        i for i, m in enumerate(client.log) if isinstance(m, dict) and m["type"] == "checkpoint"
    )
    final = client.log[last]["checkpoint"]["epoch"]
    shown = [epoch for _, epoch in _frames(client.log)]
    assert shown and final >= max(shown), (final, shown[-5:])
    assert all(not isinstance(m, dict) for m in client.log[last + 1 :]), client.log[last:]


def _frames(log: list[Any]) -> list[tuple[str, int]]:
    return [item for item in log if isinstance(item, tuple)]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def test_with_workers_the_supervisor_passes_sigterm_on_and_every_worker_drains() -> None:
    port = free_port()
    process = start_server(port, workers=2)
    try:
        players = [Recorder(port) for _ in range(4)]  # the kernel spreads them over both
        for i, player in enumerate(players):
            player.send({"type": "hello", "protocol": 1, "settings": {"seed": f"w{i}"}})
            player.send({"type": "credit", "frames": 2})
            player.send({"type": "play"})
        for player in players:
            while len(_frames(player.log)) < 5:
                player.read(credit=True)
        process.send_signal(signal.SIGTERM)
        for player in players:
            assert player.until_closed(credit=True)[0] == 1012
            assert_final_checkpoint(player)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_a_client_that_reads_late_still_gets_its_final_checkpoint_and_close(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    """The server keeps the TCP connection open until the client answers its close (or the
    grace runs out), as RFC 6455 §7.1.1 asks. Closing it at once, as uvicorn's shutdown does,
    let a client that was busy elsewhere, with the final checkpoint still unread in its
    socket, send a credit into a closed connection: the reset made its websocket library give
    the connection up, final checkpoint unread (a loaded run of the test above, now and then).
    Here the client's library reads at most two frames ahead (max_queue), so the checkpoint
    and the close wait in the socket while it sends, as they did on the loaded machine."""
    port, process = server
    ws = connect(f"ws://127.0.0.1:{port}/ws", compression=None, max_queue=2).__enter__()
    try:
        ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": {"seed": "late"}}))
        ws.send(json.dumps({"type": "credit", "frames": 8}))
        ws.send(json.dumps({"type": "play"}))
        time.sleep(1.0)  # its library's queue fills and it stops reading the socket
        process.send_signal(signal.SIGTERM)
        time.sleep(1.0)  # the final checkpoint and the close arrive, unread
        for _ in range(3):  # credits for frames it drew meanwhile
            with contextlib.suppress(ConnectionClosed):
                ws.send(CREDIT)
            time.sleep(0.2)
        log: list[Any] = []
        with contextlib.suppress(ConnectionClosed):
            while True:
                raw = ws.recv(timeout=10)
                log.append(
                    ("frame", decode_header(raw).epoch)
                    if isinstance(raw, bytes)
                    else json.loads(raw)
                )
    finally:
        ws.close()
    code = ws.protocol.close_rcvd.code if ws.protocol.close_rcvd else None
    finals = [
        m["checkpoint"]["epoch"] for m in log if isinstance(m, dict) and m["type"] == "checkpoint"
    ]
    shown = [epoch for _, epoch in _frames(log)]
    assert code == 1012, (code, log[-3:])
    assert finals and shown and finals[-1] >= max(shown), (finals, shown)
