"""A digits session on a shared worker (docs/digits.md, "A shared server"): a playground
student beside a training 512-unit digits model keeps its pace, and the data a worker holds
is read once, so its memory does not grow with the number of digits sessions.

Servers run as subprocesses (`python -m app`, the shipped limits), so the pace measured is
the server's scheduling and the RSS is the server's own. Pace bounds are the slow-client
tests' (>= 70% of the pace alone, on a shared CI machine); benchmarks/digits.py prints more.
"""

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_slow_clients import assert_keeps_pace
from tests.support.clients import measure
from tests.support.digits import STEMS, fake_arrays, write_idx
from tests.support.digits_client import DigitsClient, DigitsPlayer
from tests.support.live_server import free_port
from tests.support.processes import launch, process_tree, rss_bytes

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

WIDE = [{"units": 512, "activation": "relu"}]


def health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


def test_a_playground_student_keeps_its_pace_beside_a_512_unit_digits_model() -> None:
    port = free_port()
    process = launch(port)
    try:
        alone = measure(port, 4.5, 3)
        player = DigitsPlayer(f"http://127.0.0.1:{port}", layers=WIDE, seed=1)
        deadline = time.monotonic() + 30
        while player.progress() == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        start = player.progress()
        pace = measure(port, 4.5, 3)
        during = health(port)
        trained = player.stop() - start
    finally:
        process.kill()
        process.wait()
    assert trained > 0.05, "the digits model hardly trained meanwhile"
    # The digits session asked for all the CPU it could get and got the largest share...
    assert max(during["session_cpu_seconds"]) > 2.0, during
    # ... yet the playground student beside it kept its frames and its epochs.
    assert_keeps_pace(pace, alone)


def test_memory_does_not_grow_with_the_number_of_digits_sessions(tmp_path: Path) -> None:
    """Six sessions on 60,000 digits: each costs its model (a few MB), never a copy of the
    data (47 MB as bytes, 376 MB as the float64 a network reads)."""
    arrays = fake_arrays(n_train=60_000, n_test=10_000)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for stem, key in zip(STEMS.values(), arrays, strict=True):
        write_idx(folder / stem, arrays[key], gz=False)
    port = free_port()
    process = launch(port, {"NN_PLAYGROUND_DATA_DIR": str(tmp_path)})
    clients: list[DigitsClient] = []
    try:
        url = f"http://127.0.0.1:{port}"
        settings = {"data": "mnist", "layers": [{"units": 32, "activation": "relu"}]}
        clients.append(DigitsClient(url))
        clients[0].hello(**settings)
        clients[0].expect("evaluation")  # the data is loaded and the first session built
        one = rss_bytes(process_tree(process.pid))
        for _ in range(6):
            clients.append(DigitsClient(url))
            clients[-1].hello(**settings)
            clients[-1].expect("evaluation")
        seven = rss_bytes(process_tree(process.pid))
    finally:
        for c in clients:
            c.close()
        process.kill()
        process.wait()
    assert one > 47 * 2**20  # the data is in memory once
    assert seven - one < 30 * 2**20, f"{(seven - one) / 2**20:.1f} MiB for six more sessions"
