"""Issue 12, fair scheduling: sessions sharing a worker get even CPU, whatever they ask."""

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from app.client import PlaygroundClient
from tests.support.bystander import WORST_PING_SECONDS, Bystander, wait_until_idle
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def server() -> Iterator[LiveServer]:
    server = start_live_server()
    yield server
    server.stop()


def health(server: LiveServer) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


def watch(server: LiveServer, settings: dict[str, Any], seconds: float, out: list[Any]) -> None:
    """A browser-like student: plays and grants one credit per frame for `seconds`."""
    with PlaygroundClient(server.ws_url, **settings) as pc:
        pc.play()
        frames, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            frames += 1
            last = pc.frame()
        pc.pause()
        out.append((settings, frames, last.epoch))


def test_heavy_and_light_sessions_get_even_cpu_and_others_stay_responsive(
    server: LiveServer,
) -> None:
    heavy = {"speed": None, "network_shape": [8] * 6, "batch_size": 1}
    light = {"speed": None}
    results: list[Any] = []
    threads = [
        threading.Thread(target=watch, args=(server, s, 4.0, results))
        for s in (heavy, heavy, light, light, light)
    ]
    bystander = Bystander(server.ws_url)
    for thread in threads:
        thread.start()
    time.sleep(3.0)
    during = health(server)
    for thread in threads:
        thread.join(timeout=30)
    worst = bystander.stop()
    assert len(results) == 5
    cpu = [c for c in during["session_cpu_seconds"] if c > 0.005]  # the bystander trains not
    assert len(cpu) == 5, (during, results)  # every player got CPU, accounted per session
    # Nobody starves, and a 6x8 network at batch size 1 (~100x the cost of a default epoch)
    # gets no more frames or epochs than the light sessions: the cost of its turns is its own.
    light = [(f, e) for s, f, e in results if "network_shape" not in s]
    heavy = [(f, e) for s, f, e in results if "network_shape" in s]
    assert min(f for f, _ in heavy) >= 5, results
    assert min(f for f, _ in light) >= max(f for f, _ in heavy), results
    assert min(e for _, e in light) > max(e for _, e in heavy), results
    assert worst <= WORST_PING_SECONDS, f"a bystander's ping took {worst * 1000:.0f} ms"
    assert during["pid"] > 0 and during["busy"] > 0
    assert wait_until_idle() <= 0.1
