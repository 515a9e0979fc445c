"""The runner never spins and never trains for nobody (issue 12, items 2, 4, 5 and 6).

Each test drives a real uvicorn (in a thread of this process) over real websockets, then
reads that thread's CPU time from /proc to show the server went back to idle. Idle means
under IDLE_CPU seconds of CPU in a QUIET-second window (an idle server measures 0.00 here);
a spinning runner burns a core, and still 0.3 s of that window on a machine loaded 10x.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.client import PlaygroundClient, PlaygroundError
from app.web.pacer import UNWATCHED_SECONDS
from tests.support.live_server import LiveServer, start_live_server
from tests.support.processes import thread_cpu_seconds

pytestmark = pytest.mark.timeout(90)

QUIET, IDLE_CPU = 2.0, 0.05  # seconds of wall time, seconds of CPU (5 clock ticks)
ALL = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
BIG = {"network_shape": [8] * 6, "features": ALL, "batch_size": 1}  # ~30 ms an epoch


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = start_live_server()
    yield live
    live.stop()


def server_cpu(server: LiveServer, seconds: float = QUIET) -> float:
    """CPU seconds the server's event-loop thread used while we waited `seconds`."""
    native_id = server.thread.native_id
    assert native_id is not None
    before = thread_cpu_seconds(native_id)
    time.sleep(seconds)
    used = thread_cpu_seconds(native_id) - before
    print(f"server thread CPU: {used:.2f} s in {seconds:.1f} s")
    return used


def connection(server: LiveServer, seed: str) -> Any:
    """The server's Connection whose session has this seed (for fault injection only)."""
    found = [c for c in server.app.state.sessions if c.session.settings.seed == seed]
    assert len(found) == 1
    return found[0]


def on_server_loop(server: LiveServer, action: Callable[[], object]) -> None:
    """Run `action` on the server's event loop, between two of its tasks' steps, as a
    handler would run (the loop is single-threaded; this keeps it so)."""

    async def run() -> None:
        action()

    loop = server.server.servers[0].get_loop()
    asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=10)


def test_a_reset_without_a_state_message_stops_training_and_frames_agree(
    server: LiveServer,
) -> None:
    """Issue 21, item 1: whether a session trains is the session's own answer. A reset
    that no handler follows up (no `changed`, no state message) used to leave the runner
    playing: it trained on while frames said "paused". Now the runner asks the session."""
    with PlaygroundClient(server.ws_url, seed="quiet-reset") as pc:
        pc.play()
        while pc.frame().epoch < 3:
            pass
        session = connection(server, "quiet-reset").session
        on_server_loop(server, session.reset)
        frame = pc.frame()  # the one frame the reset is due
        assert (frame.epoch, frame.playing) == (0, False)
        assert server_cpu(server) < IDLE_CPU  # asleep: nothing to train
        pc.send({"type": "credit", "frames": 1})
        with pytest.raises(TimeoutError):
            pc.expect_frame(timeout=1.0)  # nothing changed since: no frame
        assert session.epoch == 0 and not session.playing
        assert pc.step(2)["epoch"] == 2  # and it trains again when asked to


def test_a_failed_session_sleeps_until_reset_revives_it(server: LiveServer) -> None:
    with PlaygroundClient(server.ws_url, seed="fails") as pc:
        pc.frame()
        pc.play()
        pc.frame()
        session = connection(server, "fails").session

        def broken() -> None:
            raise RuntimeError("an injected bug in frame building")

        session.losses = broken  # the next frame fails, with credit outstanding
        pc.send({"type": "credit", "frames": 8})
        assert pc.expect("error", timeout=10)["code"] == "internal"
        assert server_cpu(server) < IDLE_CPU  # asleep, not retrying the frame in a loop
        with pytest.raises(PlaygroundError) as refused:
            pc.play()  # a failed session does not train again until it is revived
        assert refused.value.error["code"] == "session_failed"
        del session.losses
        assert pc.reset()["epoch"] == 0
        assert pc.frame().epoch == 0 and pc.step(2)["epoch"] == 2


def test_focus_on_a_node_the_network_lost_falls_back_to_the_output(server: LiveServer) -> None:
    with PlaygroundClient(server.ws_url, seed="shrinks", network_shape=[4, 2]) as pc:
        pc.focus(2, 1)  # the second node of the second hidden layer
        assert pc.frame().focus == (2, 1)
        state = pc.set(network_shape=[4])  # layer 2 is now the output, with one node
        assert state["layer_sizes"] == [2, 4, 1]
        frame = pc.frame()
        assert frame.focus == (0xFFFF, 0)  # the output, as the page shows by default
        pc.focus(1, 3)
        assert pc.frame().focus == (1, 3)  # focus still works afterwards
        assert pc.errors == []
        assert server_cpu(server) < IDLE_CPU


def test_training_stops_when_nobody_grants_credit(server: LiveServer) -> None:
    with (
        PlaygroundClient(server.ws_url, seed="hidden", speed=None) as hidden,
        PlaygroundClient(server.ws_url, seed="watched", speed=60) as watched,
    ):
        hidden.play()  # at full speed, and never asks for a frame (a hidden tab)
        started = time.monotonic()
        watched.play()
        while time.monotonic() - started < UNWATCHED_SECONDS + 1.5:
            frame = watched.frame()  # a visible tab: one credit per frame drawn
        assert frame.playing, "a client that reads frames keeps playing"
        event = hidden.expect("event", timeout=5)
        assert event["event"] == "unwatched" and "hidden tab" in event["message"]
        state = hidden.expect("state", timeout=5)
        assert state["playing"] is False and state["epoch"] > 0
        watched.pause()
        assert server_cpu(server) < IDLE_CPU
        assert hidden.play()["playing"] is True  # the page resumes when it is visible again
        assert hidden.frame().playing


def test_a_long_step_can_be_paused_and_does_not_block_the_reader(server: LiveServer) -> None:
    with PlaygroundClient(server.ws_url, seed="stepper", **BIG) as pc:
        pc.send({"type": "step", "epochs": 900})  # about half a minute of training
        time.sleep(0.3)
        sent = time.monotonic()
        pc.send({"type": "ping", "id": "during"})
        assert pc.expect("pong", timeout=10)["id"] == "during"
        assert time.monotonic() - sent < 1.0, "the reader waited for the step"
        sent = time.monotonic()
        state = pc.pause()
        assert time.monotonic() - sent < 1.0
        assert 0 < state["epoch"] < 900 and state["playing"] is False
        assert server_cpu(server) < IDLE_CPU  # the rest of the step was dropped
        assert pc.step(1)["epoch"] == state["epoch"] + 1


def test_a_step_over_the_cost_cap_is_refused_and_changes_nothing(server: LiveServer) -> None:
    with PlaygroundClient(server.ws_url, seed="greedy", percent_train=90, **BIG) as pc:
        with pytest.raises(PlaygroundError) as refused:
            pc.step(1000)  # 1000 epochs x 450 points x 433 weights
        assert refused.value.error["code"] == "step_too_costly"
        assert refused.value.error["field"] == "epochs"
        assert pc.step(2)["epoch"] == 2


def test_an_import_on_a_new_connection_shows_the_run_at_once(server: LiveServer) -> None:
    settings = {"dataset": "xor", "network_shape": [4, 2], "activation": "relu"}
    with PlaygroundClient(server.ws_url, seed="exported", **settings) as source:
        assert source.step(40)["epoch"] == 40
        trained = source.frame()
        document = source.request({"type": "export", "format": "json"}, "export")["content"]
        xor_points = source.data["train"]
    with PlaygroundClient(server.ws_url) as target:
        first = target.frame()  # a default session, drawn once
        assert first.input_thumbnails is not None
        target.send({"type": "import_json", "content": document})
        state = target.expect("state")
        assert state["epoch"] == 40 and state["settings"]["dataset"] == "xor"
        assert target.expect("data", timeout=5)["train"] == xor_points
        frame = target.frame()  # no step needed
        assert frame.epoch == 40
        assert frame.train_loss == pytest.approx(trained.train_loss, rel=1e-12)
        assert frame.test_loss == pytest.approx(trained.test_loss, rel=1e-12)
        assert frame.input_thumbnails is not None  # a new session: sent again


def test_hello_again_sends_the_new_experiment_at_once(server: LiveServer) -> None:
    with PlaygroundClient(server.ws_url, seed="first") as pc:
        pc.frame()
        pc.send({"type": "hello", "settings": {"seed": "second", "dataset": "xor"}})
        state = pc.expect("state")
        assert state["settings"]["dataset"] == "xor"
        data = pc.expect("data", timeout=5)
        assert all((x * y > 0) == (label > 0) for x, y, label in data["train"][:50])
        assert pc.frame().input_thumbnails is not None
