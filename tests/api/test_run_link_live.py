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
