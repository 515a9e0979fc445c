"""Sessions that train together in a gang end where each would have ended alone.

Four students play config A on one worker, each with its own seed (its own data and
weights), long enough for the server to train them in gangs (/healthz counts those epochs).
Each then pauses, and a fresh session with the same link trains alone to the same epoch
with `step` (which never gangs). Their checkpoints must agree exactly: every weight (JSON
floats round-trip float64 exactly), the optimizer's step count and the display losses.
"""

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.support.clients import CONFIGS, PAGE_SPEED
from tests.support.live_server import free_port
from tests.support.processes import launch

pytestmark = pytest.mark.timeout(120)
SEEDS = ["gang-a", "gang-b", "gang-c", "gang-d"]


@pytest.fixture
def port() -> Iterator[int]:
    port = free_port()
    process = launch(port)
    yield port
    process.terminate()
    process.wait(timeout=20)


def gang_epochs(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return int(json.load(response)["gang_member_epochs"])


async def hello(ws: ClientConnection, seed: str) -> None:
    settings = {**CONFIGS["A"], "speed": PAGE_SPEED, "seed": seed}
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
    await ws.send(json.dumps({"type": "credit", "frames": 8}))


async def checkpoint_after(ws: ClientConnection, answered: str) -> dict[str, Any]:
    """Read (granting a credit per frame) until a state that is not playing, then the
    checkpoint the server sends after that command."""
    settled = False
    async for raw in ws:
        if isinstance(raw, bytes):
            await ws.send(json.dumps({"type": "credit", "frames": 1}))
            continue
        message = json.loads(raw)
        if message["type"] == "state" and not message["playing"]:
            settled = settled or answered == "pause" or message["epoch"] > 0
        elif message["type"] == "checkpoint" and settled:
            checkpoint: dict[str, Any] = message["checkpoint"]
            return checkpoint
    raise AssertionError("the connection closed before a checkpoint")


async def play_for(url: str, seed: str, seconds: float) -> dict[str, Any]:
    async with connect(url, compression=None, max_size=2**24) as ws:
        await hello(ws, seed)
        await ws.send(json.dumps({"type": "play"}))
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            try:
                raw = await asyncio.wait_for(ws.recv(), end - loop.time())
            except TimeoutError:
                break
            if isinstance(raw, bytes):
                await ws.send(json.dumps({"type": "credit", "frames": 1}))
        await ws.send(json.dumps({"type": "pause"}))
        return await checkpoint_after(ws, "pause")


async def step_alone(url: str, seed: str, epochs: int) -> dict[str, Any]:
    async with connect(url, compression=None, max_size=2**24) as ws:
        await hello(ws, seed)
        await ws.send(json.dumps({"type": "step", "epochs": epochs}))
        return await checkpoint_after(ws, "step")


def test_students_trained_in_a_gang_match_fresh_pages_that_trained_alone(port: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws"
    players = asyncio.run(_gather([play_for(url, seed, 4.0) for seed in SEEDS]))
    assert gang_epochs(port) > 0, "the players never trained together"
    for seed, together in zip(SEEDS, players, strict=True):
        epoch = together["epoch"]
        assert 0 < epoch <= 1000, epoch
        alone = asyncio.run(step_alone(url, seed, epoch))
        assert alone["epoch"] == epoch
        assert alone["weights"] == together["weights"], seed
        assert alone["optimizer"]["iterations"] == together["optimizer"]["iterations"]
        # The weights differ between students: the comparison above is not vacuous.
    assert players[0]["weights"] != players[1]["weights"]


async def _gather(jobs: list[Any]) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*jobs))
