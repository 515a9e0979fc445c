"""The watchdog: each worker's event loop beats a heartbeat, and the supervisor replaces a
worker whose loop stopped beating (issue 20; gunicorn's worker timeout does the same).

What it is: `BeatingServer`, a uvicorn Server whose main loop writes the time into a value
shared with the supervisor at every tick (uvicorn ticks every 0.1 s), and `Watchdog`, the
supervisor's side: one shared value per worker, and which workers are overdue.
What it is not: the supervisor's loop or how workers are spawned (workers.py).
Trade-off: the beat comes from uvicorn's own tick, on the event loop, so it proves exactly
what matters (the loop still turns) and costs one shared-memory write per tick; a loop that
is merely busy keeps beating, since the tick waits its turn like every other callback. A
worker frozen by a bug, an endless C call or SIGSTOP stops beating and is SIGKILLed
(SIGTERM would wait on the very loop that is stuck), then respawned.
"""

import ctypes
import multiprocessing
import os
import signal
import time
from multiprocessing.context import SpawnContext
from multiprocessing.sharedctypes import Synchronized

import uvicorn

from app.web.drain import DrainingServer

PR_SET_PDEATHSIG = 1  # linux/prctl.h
STARTUP_GRACE_SECONDS = 30.0  # a fresh worker imports NumPy and builds the app before beating


class BeatingServer(DrainingServer):
    """uvicorn's Server, draining on SIGTERM (drain.py), that proves its loop turns by writing
    the time into `beat`."""

    def __init__(self, config: uvicorn.Config, beat: "Synchronized[float] | None") -> None:
        super().__init__(config)
        self.beat = beat

    async def on_tick(self, counter: int) -> bool:
        if self.beat is not None:
            self.beat.value = time.monotonic()  # CLOCK_MONOTONIC: one clock for all processes
        return await super().on_tick(counter)


class Watchdog:
    """The supervisor's view of its workers' heartbeats, one shared value per worker slot."""

    def __init__(self, context: SpawnContext, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self.beats: list[Synchronized[float]] = [
            context.Value("d", 0.0, lock=False) for _ in range(workers)
        ]

    def starting(self, slot: int) -> "Synchronized[float]":
        """A worker is being spawned into `slot`: it has the start-up grace to beat first."""
        beat = self.beats[slot]
        beat.value = time.monotonic() + STARTUP_GRACE_SECONDS - self.timeout
        return beat

    def overdue(self, slot: int) -> bool:
        return time.monotonic() - self.beats[slot].value > self.timeout

    def kill_if_stuck(self, slot: int, pid: int | None) -> bool:
        """SIGKILL the worker in `slot` if it stopped beating; True if it was killed."""
        if pid is None or not self.overdue(slot):
            return False
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return False
        print(f"nn-playground: worker {pid} stopped beating; replacing it", flush=True)
        return True


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies, however it dies: a worker
    left behind would keep the port and serve on with nobody to replace it. (The signal
    comes when the parent *thread* ends: workers are started by the supervisor's only one.)"""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: an orphan then lives until stopped by hand


def spawn_context() -> SpawnContext:
    return multiprocessing.get_context("spawn")  # a clean interpreter per worker
