"""'Link to this run' over a real uvicorn and websocket (docs/protocol.md §2 `hello.run`)."""

from typing import Any

import numpy as np
import pytest

from app.client import PlaygroundClient

pytestmark = pytest.mark.timeout(60)

SETTINGS = {"seed": "0.27182", "initializer": "he_uniform", "shuffle": True}


def test_hello_with_the_marker_of_a_state_replays_that_run(live_server: Any) -> None:
    with PlaygroundClient(live_server.ws_url, **SETTINGS) as teacher:
        teacher.step(2)
        teacher.set(network_shape=[5, 3])
        teacher.reset()
        teacher.set(network_shape=[2])
        marker = teacher.state["run"]["marker"]
        assert teacher.state["run"]["exact"] is True
        teacher.step(4)
        taught = teacher.frame()
        settings = teacher.state["settings"]
    with PlaygroundClient(live_server.ws_url, **settings) as plain:
        plain.step(4)
        unlinked = plain.frame()
    with PlaygroundClient(live_server.ws_url, **settings) as student:
        student.request({"type": "hello", "settings": settings, "run": marker}, "state")
        assert student.state["run"]["marker"] == marker
        student.step(4)
        learnt = student.frame()
    assert unlinked.train_loss != taught.train_loss  # a plain link is another run
    assert (learnt.epoch, learnt.train_loss, learnt.test_loss) == (
        taught.epoch,
        taught.train_loss,
        taught.test_loss,
    )
    for mine, theirs in zip(learnt.weights, taught.weights, strict=True):
        assert np.array_equal(mine, theirs)


@pytest.mark.parametrize(
    "run",
    ["not-a-marker", "1.2.3", "100001.1", "3.1"],
    ids=["garbage", "three-parts", "beyond-bound", "inside-the-data"],
)
def test_a_bad_marker_is_a_typed_error_and_the_session_stays(live_server: Any, run: str) -> None:
    with PlaygroundClient(live_server.ws_url, seed="0.5") as client:
        client.step(2)
        before = client.frame()
        client.send({"type": "hello", "settings": {"seed": "other"}, "run": run})
        error = client.expect("error")
        assert (error["code"], error["field"]) == ("invalid_run", "run")
        assert error["message"]
        assert client.step()["epoch"] == 3  # the old session, from where it was
        assert client.state["settings"]["seed"] == "0.5"
        assert client.frame().layer_sizes == before.layer_sizes


def test_a_run_link_with_its_events_replays_the_same_losses(live_server: Any) -> None:
    """Issue 24: the link carries what the user did, here a rate change and a bias typed in."""
    with PlaygroundClient(live_server.ws_url, seed="0.4142", network_shape=[3]) as teacher:
        teacher.step(3)
        teacher.set(learning_rate=0.3)
        teacher.request({"type": "set_bias", "layer": 0, "node": 1, "value": -0.5}, "state")
        teacher.step(4)
        taught = teacher.frame()
        run = teacher.state["run"]
        settings = {**teacher.state["settings"], "learning_rate": run["learning_rate"]}
    assert run["exact"] and run["events"] == "3:lr:0.3,3:b:0:1:-0.5", run
    assert run["learning_rate"] == 0.03
    hello = {"type": "hello", "settings": settings, "run": run["marker"]}
    with PlaygroundClient(live_server.ws_url, **settings) as student:
        student.request({**hello, "run_events": run["events"]}, "state")
        assert student.state["run"]["replaying"] == {"left": 2, "next_epoch": 3}
        student.step(7)
        learnt = student.frame()
        assert student.state["settings"]["learning_rate"] == 0.3
        assert "replaying" not in student.state["run"]
        assert student.state["run"]["events"] == run["events"]  # its own link is the same
    assert (learnt.epoch, learnt.train_loss, learnt.test_loss) == (
        taught.epoch,
        taught.train_loss,
        taught.test_loss,
    )


@pytest.mark.parametrize(
    ("events", "code", "field", "words"),
    [
        ("3:lr:nan", "invalid_run", "run_events", "numbers must be finite"),
        ("1:w:7:0:0:1.0", "invalid_run", "run_events", "layer 7 is not in the network"),
        ("2:lr:0.1,1:lr:0.2", "invalid_run", "run_events", "epoch order"),
        ("x" * 9000, "invalid_message", "hello.run_events", "at most 8000 characters"),
    ],
    ids=["nan", "no-such-layer", "out-of-order", "too-long"],
)
def test_bad_run_events_are_a_typed_error_and_the_session_stays(
    live_server: Any, events: str, code: str, field: str, words: str
) -> None:
    with PlaygroundClient(live_server.ws_url, seed="0.5") as client:
        marker = client.state["run"]["marker"]
        client.step(2)
        hello = {"type": "hello", "settings": {"seed": "0.5"}, "run": marker}
        client.send({**hello, "run_events": events})
        error = client.expect("error")
        assert (error["code"], error["field"]) == (code, field)
        assert words in error["message"]
        assert client.step()["epoch"] == 3  # the old session, from where it was
