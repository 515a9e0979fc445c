"""Slow and hostile clients against a real server process (docs/architecture.md §5).

A client that never reads costs the server one pending frame, never a queue: once the
kernel's socket buffers for it are full the server stops producing for it and its RSS
stays flat. A client that never grants credit is sent no frame at all. A flooder is refused
(`rate_limited`) and then closed (1008). Beside them, a normal browser-like client keeps
its pace.

Servers run as subprocesses (`python -m app`, the shipped default limits) so that the RSS
measured is the server's own; the hostile clients run in a process of their own
(tests/support/crowd.py `Crowd`) so their CPU does not slow the measuring client's event
loop. Their sessions play the "cheap" config (frames as big as config A's for a tenth of
the CPU), so what is measured is their misbehaviour, not the server's capacity. Pace
bounds are looser than the design's (>= 90% of frames/s and epochs/s) because CI machines
are shared and noisy: here a normal client must keep >= 70%. benchmarks/slow_client.py
prints the real ratios and a 60-second RSS table.
"""

import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.clients import measure
from tests.support.crowd import Crowd
from tests.support.live_server import free_port
from tests.support.processes import (
    backlog_settled,
    kernel_backlog,
    launch,
    live_sessions,
    process_tree,
    rss_bytes,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

KEEPS_PACE = 0.7  # CI bound; the design's is 0.9 (see the module docstring)
RSS_FLAT = 3 * 2**20  # bytes the server may grow by while its clients do not read
# A server that queued frames for the two never-readers below would grow by about
# 2 clients x 80 frames/s (their credit) x 10 kB = 1.6 MB every second, once the kernel's
# buffers for them (~3 MB each on loopback) are full.


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    port = free_port()
    process = launch(port)
    try:
        yield port
    finally:
        process.kill()
        process.wait()


class RssSampler:
    """The server's VmRSS every 0.2 s, in a thread, while the test does other things."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.monotonic(), rss_bytes(process_tree(self.pid))))
            self.done.wait(0.2)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def since(self, moment: float) -> list[int]:
        return [rss for t, rss in self.samples if t >= moment]


def assert_keeps_pace(pace: dict[str, float], alone: dict[str, float]) -> None:
    """Medians of a few short runs each, measured back to back so that the machine's own
    load is about the same for both."""
    assert alone["fps"] > 10 and alone["eps"] > 40, f"too slow even alone: {alone}"
    assert pace["fps"] >= KEEPS_PACE * alone["fps"], (pace, alone)
    assert pace["eps"] >= KEEPS_PACE * alone["eps"], (pace, alone)


def test_clients_that_never_read_cost_one_frame_not_a_queue() -> None:
    port = free_port()
    # Frames up to 240/s (speed 240): the never-readers outrun the kernel's buffers for
    # their sockets within a second or two, and from then on only the process could queue.
    process = launch(port, {"NN_PLAYGROUND_MAX_FRAMES_PER_SECOND": "240"})
    rss = RssSampler(process.pid)
    crowd = None
    try:
        # They keep granting credit: only the socket's back-pressure can stop the server.
        crowd = Crowd(port, never_reads=2, never_credits=2, config="cheap", speed=240)
        held = backlog_settled(port, crowd.reader_ports)  # the kernel takes no more
        full = time.monotonic()
        while time.monotonic() - full < 6:  # ~9 s of samples in all
            assert live_sessions(port) == 4
            time.sleep(0.5)
        held_after = kernel_backlog(port, crowd.reader_ports)
        tally = crowd.stop()
    finally:
        if crowd is not None:
            crowd.kill()
        rss.stop()
        process.kill()
        process.wait()
    after = rss.since(full)
    assert len(after) >= 25, "RSS was not sampled"
    assert max(after) - after[0] < RSS_FLAT, [f"{r / 2**20:.1f} MiB" for r in after]
    assert held_after == held > 1_000_000  # a full kernel buffer each, and nothing more
    assert tally["frames_received"] == 0, tally  # no credit, no frame
    assert tally["json_received"].get("state", 0) >= 4, tally  # yet they were answered


def test_clients_that_never_read_or_never_credit_do_not_slow_a_normal_client(
    server: int,
) -> None:
    alone = measure(server, 4.5, 3)
    crowd = Crowd(server, never_reads=3, never_credits=3, config="cheap")
    try:
        pace = measure(server, 4.5, 3)
        tally = crowd.stop()
    finally:
        crowd.kill()
    assert tally["frames_received"] == 0, tally
    assert_keeps_pace(pace, alone)


def test_a_flooder_is_refused_then_closed_and_others_keep_their_pace(server: int) -> None:
    alone = measure(server, 4.5, 3)
    crowd = Crowd(server, flooders=1)
    try:
        pace = measure(server, 4.5, 3)
        tally = crowd.stop()
    finally:
        crowd.kill()
    assert tally["json_received"].get("pong", 0) > 0  # the burst is served
    assert tally["refusals"].get("rate_limited", 0) > 0, tally  # then refused
    assert tally["closes"].get("1008", 0) >= 1, tally  # then closed
    assert_keeps_pace(pace, alone)


def test_a_client_that_stopped_reading_is_closed_when_idle_all_the_same() -> None:
    port = free_port()
    env = {
        "NN_PLAYGROUND_IDLE_TIMEOUT_SECONDS": "1",
        "NN_PLAYGROUND_SEND_TIMEOUT_SECONDS": "1",  # a send stuck on it gives up too
        "NN_PLAYGROUND_MAX_FRAMES_PER_SECOND": "240",
    }
    process = launch(port, env)
    crowd = None
    try:
        # Frames at 240/s, and regenerate commands whose answers (~15 kB of data each) it
        # never reads either: the server soon blocks in both its runner and its reader.
        crowd = Crowd(port, never_reads=1, config="cheap", speed=240, burst=120)
        backlog_settled(port, crowd.reader_ports)  # the server can send it nothing more
        crowd.quiet()  # silent from now on: idle 1 s later
        deadline = time.monotonic() + 1 + 4
        while live_sessions(port) > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert live_sessions(port) == 0, "the idle session of a non-reading client lives on"
    finally:
        if crowd is not None:
            crowd.kill()
        process.kill()
        process.wait()
