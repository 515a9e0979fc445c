"""Issue 12, item 7: forged checkpoints are refused as `invalid_checkpoint`, all or nothing,
whatever they would raise inside; the connection's session goes on as before."""

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.client import PlaygroundClient
from tests.support.bystander import WORST_PING_SECONDS, Bystander, wait_until_idle
from tests.support.live_server import free_port
from tests.support.processes import cpu_fraction, launch

pytestmark = pytest.mark.timeout(120)

Forgery = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    """The server in a process of its own: the test's clients never share its GIL."""
    port = free_port()
    process = launch(port)
    yield f"ws://127.0.0.1:{port}/ws", process.pid
    process.terminate()
    process.wait(timeout=20)


def put(path: tuple[Any, ...], value: Any) -> Forgery:
    def forge(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return forge


FORGERIES: dict[str, Forgery] = {
    "optimizer is a list": put(("optimizer",), []),
    "optimizer iterations 10**4000": put(("optimizer", "iterations"), 10**4000),
    "carry_count 10**400": put(("trainer", "carry_count"), 10**400),
    "slot holds infinity": lambda d: d["optimizer"]["slots"]["m"][0][0].__setitem__(0, 1e999),
    "carry holds infinity": lambda d: d["trainer"]["carry_b"][0].__setitem__(0, 1e999),
    "scalar holds infinity": put(("optimizer", "scalars", "learning_rate"), 1e999),
    "run log is a list": put(("run_log",), []),
    "run log event of no known type": put(("run_log", "events"), [{"type": '"""; import os'}]),
    "run log events out of order": put(
        ("run_log", "events"),
        [
            {"type": "learning_rate", "epoch": 2, "value": 0.1},
            {"type": "learning_rate", "epoch": 1, "value": 0.1},
        ],
    ),
    "run log over its 10,000 events": put(
        ("run_log", "events"), [{"type": "learning_rate", "epoch": 1, "value": 0.1}] * 10_001
    ),
    "run log seed of 10**4 characters": put(("run_log", "seed"), "x" * 10**4),
    "trainer is a string": put(("trainer",), "x"),
    "checkpoint is a list": lambda d: d.clear(),
    "rng state is junk": put(("rng",), {"s": [1, 2]}),
    "history point too short": put(("history",), [[1]]),
    "weights are ragged": lambda d: d["weights"][0].append([1.0]),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_checkpoint_is_refused_and_the_session_goes_on(
    server: tuple[str, int], name: str
) -> None:
    url, pid = server
    bystander = Bystander(url)
    settings = {"optimizer": "adam", "batch_size": 7, "seed": "4"}
    with PlaygroundClient(url, **settings) as pc:
        assert pc.step(3)["epoch"] == 3
        good = pc.checkpoint()
        assert good["optimizer"]["iterations"] > 0  # the slots are in use
        forged = copy.deepcopy(good)
        FORGERIES[name](forged)
        if name == "checkpoint is a list":
            forged = []  # type: ignore[assignment]
        hello = {"type": "hello", "protocol": 1, "settings": settings, "checkpoint": forged}
        pc.send(json.dumps(hello).replace("Infinity", "1e999"))  # valid JSON, infinite value
        error = pc.expect("error")
        # Not even an object: the message's own schema refuses it before restore looks.
        codes = (
            {"invalid_checkpoint", "invalid_message"}
            if name == "checkpoint is a list"
            else {"invalid_checkpoint"}
        )
        assert error["code"] in codes, error
        assert pc.step()["epoch"] == 4  # the session from before the forged hello
        export = pc.request({"type": "export", "format": "keras"}, "export")
        compile(export["content"], "export.py", "exec")  # still a valid script
        pc.send({"type": "hello", "protocol": 1, "settings": settings, "checkpoint": good})
        assert pc.expect("state")["epoch"] == 3  # the genuine one is still accepted
        assert not [e for e in pc.errors if e["code"] == "internal"]
    worst = bystander.stop()
    assert worst <= WORST_PING_SECONDS, f"a bystander's ping took {worst * 1000:.0f} ms"
    # Back to idle: at most 0.1 s of CPU in a one-second window, once one is quiet.
    assert wait_until_idle(tries=5, measure=lambda: cpu_fraction(pid, 1.0)) <= 0.1
