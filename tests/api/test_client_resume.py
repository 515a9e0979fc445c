"""The Python client resumes by itself when its server dies or restarts (issue 23, item 3).

Servers are real processes (tests/support/replicas.py `Replica`) killed with SIGKILL or stopped
with SIGTERM and started again on the same port, while a client in the test's thread goes on
calling `frame()` and `step()` as a notebook would. What the client shows afterwards is compared
with a client that never lost its server.
"""

import contextlib
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed

from app.client import PlaygroundClient, PlaygroundDisconnected, PlaygroundError
from tests.support.live_server import start_live_server
from tests.support.replicas import Replica

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SPEED = 60  # epochs/s, the default
CHECKPOINT_INTERVAL = 1.0  # seconds, the default


@pytest.fixture
def replica() -> Iterator[Replica]:
    server = Replica().start()
    yield server
    server.kill()


def restart_soon(replica: Replica, after: float = 0.5) -> threading.Thread:
    """Start the replica again on its port from another thread, while the client retries."""

    def later() -> None:
        time.sleep(after)
        replica.start()

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def same_weights(a: PlaygroundClient, b: PlaygroundClient) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.weights(), b.weights(), strict=True))


def test_a_playing_script_goes_on_after_a_kill_from_its_newest_checkpoint(
    replica: Replica,
) -> None:
    with PlaygroundClient(replica.ws_url, seed="player") as pc:
        pc.play()
        while pc.last_checkpoint is None or pc.last_checkpoint["epoch"] < SPEED:
            pc.frame()
        replica.kill()
        comeback = restart_soon(replica)
        frames = pc.frames(20)  # the call that meets the dead line simply takes longer
        comeback.join()
        [resume] = pc.resumes
        assert resume.close_code is None  # no close frame: the process died
        assert resume.epoch_before - resume.epoch_after <= SPEED * (CHECKPOINT_INTERVAL + 0.1)
        assert frames[-1].epoch > resume.epoch_after  # training again, on the new server
        assert pc.state["playing"]


def test_a_stepping_script_resumes_at_the_very_epoch_and_weights(replica: Replica) -> None:
    """Scripts that step without asking for frames are sent no checkpoint (the server sends
    them only to clients that read); the client redoes those steps: training is exact."""
    with PlaygroundClient(replica.ws_url, seed="stepper") as pc:
        pc.step(40)
        pc.checkpoint()  # epoch 40 is kept...
        pc.step(30)  # ...these 30 epochs are not
        replica.kill()
        comeback = restart_soon(replica)
        assert pc.step(5)["epoch"] == 75
        comeback.join()
        assert [(r.epoch_before, r.epoch_after) for r in pc.resumes] == [(70, 70)]
        with PlaygroundClient(replica.ws_url, seed="stepper") as reference:
            reference.step(75)
            assert same_weights(pc, reference)


def test_a_change_the_client_cannot_redo_resumes_at_the_checkpoint_with_the_live_setting(
    replica: Replica,
) -> None:
    with PlaygroundClient(replica.ws_url, seed="changed") as pc:
        pc.step(20)
        pc.checkpoint()
        pc.set(learning_rate=0.1)  # epochs after this used another rate than before it
        pc.step(10)
        replica.kill()
        comeback = restart_soon(replica)
        state = pc.step(1)
        comeback.join()
        assert (pc.resumes[0].epoch_before, pc.resumes[0].epoch_after) == (30, 20)
        assert state["epoch"] == 21 and state["settings"]["learning_rate"] == 0.1


def test_a_sigterm_costs_a_playing_script_nothing(replica: Replica) -> None:
    with PlaygroundClient(replica.ws_url, seed="rolling") as pc:
        pc.play()
        pc.frames(40)
        replica.terminate()  # the drain: a final checkpoint, then 1012
        assert replica.wait() != 0
        comeback = restart_soon(replica, after=0.0)
        pc.frames(20)
        comeback.join()
        [resume] = pc.resumes
        assert resume.close_code == 1012
        assert resume.epoch_after >= resume.epoch_before  # not one epoch shown was lost


def test_when_the_tries_run_out_the_error_says_what_happened(replica: Replica) -> None:
    with PlaygroundClient(replica.ws_url, seed="alone", tries=3) as pc:
        pc.step(3)
        replica.kill()  # and it never comes back
        started = time.monotonic()
        with pytest.raises(PlaygroundDisconnected) as gone:
            pc.step()
        elapsed = time.monotonic() - started
    message = str(gone.value)
    assert replica.ws_url in message and "could not resume" in message
    assert "ConnectionRefusedError" in message
    assert isinstance(gone.value.__cause__, ConnectionRefusedError)
    assert elapsed < 0.25 + 0.5 + 1.0 + 3.0  # three tries, each backoff at most doubling


def test_a_refusal_that_retrying_cannot_cure_is_not_retried() -> None:
    server = start_live_server(max_message_bytes=1024)
    try:
        with PlaygroundClient(server.ws_url, seed="flooder") as pc:
            for _ in range(60):  # too_large, 51 times: the server closes with 1008
                pc.send('{"type":"ping"}' + " " * 2000)
            with pytest.raises(PlaygroundDisconnected) as gone:
                for _ in range(100):  # each queued too_large error fails one call first
                    with contextlib.suppress(PlaygroundError):
                        pc.step()
            assert pc.resumes == [] and gone.value.seconds < 0.5  # no try, no backoff
            assert gone.value.dropped.rcvd is not None and gone.value.dropped.rcvd.code == 1008
    finally:
        server.stop()


def test_with_no_tries_a_drop_raises_as_before(replica: Replica) -> None:
    with PlaygroundClient(replica.ws_url, seed="plain", tries=0) as pc:
        pc.step()
        replica.kill()
        with pytest.raises(ConnectionClosed):
            pc.step()
