"""Work a client prices, in helper processes with a time limit (issue 20, items 1, 3, 8).

What it is: `Helper`, one process per worker and kind of work (plain hellos, the other
session builds, exports) that runs a named function on pickled arguments, one call at a
time, and answers with its result and the CPU seconds it took; a call that runs past the
time limit kills the helper (a new one starts for the next call) and is answered with a
typed error.
What it is not: the work itself (app/web/sessions.py, app/protocol/downloads.py) or the
budgets that decide how much of it a client may ask for (budgets.py).
Trade-off: a process, not a thread. The work is pure Python that holds the GIL for tens of
milliseconds (a hello with a run link or a 1 MB checkpoint) up to seconds (a replay of 100
regenerated datasets); in a thread it would leave the event loop a share of the GIL in 5 ms
slices, and it cannot be stopped, so a forged or huge run could freeze the worker for good.
A helper costs ~1 s to start and ~60 MB, and each call a pickle each way (~1–5 ms); it runs
on the machine's other core, at a lower priority than the worker's loop unless its work is
bounded and waited for (plain hellos: LOW_PRIORITY, INTERACTIVE).
"""

import asyncio
import io
import json
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from app.playground.errors import ProtocolError
from app.playground.session import Session
from app.protocol.downloads import export_message

QUEUE_SECONDS = 30.0  # a call that cannot start within this is refused as busy
# The niceness of a helper for work a client prices (checkpoints, run links, imports, CSVs,
# exports): the worker's event loop comes first when they share a core, so a client who asks
# for much of it slows the class little. A plain hello's build is bounded (~15 ms, whatever
# the settings) and a student waits for it: its helper runs at the loop's priority
# (INTERACTIVE), or a class joining a loaded worker waited seconds for its sessions.
LOW_PRIORITY, INTERACTIVE = 10, 0
# How many hellos an address group may have built at INTERACTIVE priority: a class behind
# one NAT joining at once (as many as it may mint browser identities, identity.py), then a
# couple a second (reloads, reconnects). Past that its hellos are still built, at
# LOW_PRIORITY: a client churning connections cannot take the worker's priority with them.
INTERACTIVE_JOINS_BURST, INTERACTIVE_JOINS_PER_SECOND = 80, 2.0
BUILD_TIMEOUT_SECONDS = 10.0  # a session build: ~12 ms, up to ~0.2 s with a large checkpoint


def serve(pipe: Connection, nice: int) -> None:
    """The helper process: (function, arguments) in, (status, value, cpu seconds) out.

    Not tied to its parent by a death signal: Linux sends that when the *thread* that
    started the process ends, and helpers start in the worker's thread pool."""
    os.nice(nice)
    while True:
        try:
            request = pipe.recv_bytes()
        except (EOFError, OSError):
            return  # the worker is gone (however it died, its end of the pipe closed)
        work, args = loads(request)
        start = time.process_time()
        try:
            answer: tuple[Any, ...] = ("ok", work(*args))
        except ProtocolError as exc:
            answer = ("refused", (exc.code, exc.message, exc.field))
        except ValueError as exc:
            answer = ("failed", str(exc)[:300])
        pipe.send_bytes(dumps((*answer, time.process_time() - start)))


class _ViewPickler(pickle.Pickler):
    """Pickles a NumPy view as a view of its base, so views stay views.

    The engine keeps its parameters, gradients and optimizer slots as views of one vector
    (app/engine/flat.py), and a training kernel keeps transposed views of them. Plain pickle
    copies every view on its own, so an unpickled session would train one copy and draw
    another. Here the base array is pickled once (pickle's memo) and each view is rebuilt
    over it with its offset, shape and strides.
    """

    def reducer_override(self, obj: Any) -> Any:
        if not isinstance(obj, np.ndarray) or not isinstance(obj.base, np.ndarray):
            return NotImplemented
        base = obj.base
        while isinstance(base.base, np.ndarray):
            base = base.base
        if base.base is not None or not base.flags.c_contiguous:
            return NotImplemented  # memory owned by something else: copied, as pickle does
        offset = obj.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        return _view, (base, obj.dtype.str, obj.shape, obj.strides, offset)


def _view(base: np.ndarray[Any, Any], dtype: str, shape: Any, strides: Any, offset: int) -> Any:
    return np.ndarray(shape, np.dtype(dtype), buffer=base, offset=offset, strides=strides)


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _ViewPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)


class Helper:
    """One worker's helper for one kind of work; `await call(work, *args)`.

    Calls queue for one thread of the worker that talks to the helper process, one round trip
    after another. The queue is that thread's, not the event loop's: with a lock on the loop,
    each call had to wait for the loop to wake the next caller and hand it to a thread, a few
    loop turns of ~0.1 s each on a busy worker, so 55 students joining at once waited up to
    13 s for their sessions while the helper sat idle between calls (benchmarks/classroom.py).
    """

    def __init__(self, name: str, timeout: float, nice: int = LOW_PRIORITY) -> None:
        self.name, self.timeout, self.nice = name, timeout, nice
        self.queue = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-helper")
        self.process: BaseProcess | None = None
        self.pipe: Connection | None = None

    async def call(self, work: Callable[..., Any], *args: Any) -> tuple[Any, float]:
        """`work(*args)` in the helper: its result and CPU seconds. ProtocolError when the
        call cannot start within QUEUE_SECONDS or runs past the time limit, or as `work`
        raised it; `ValueError` from `work` comes back as ProtocolError "<name>_failed".
        A caller that goes away (cancelled) before its call started takes it off the queue."""
        queued = self.queue.submit(self._round_trip, work, args)
        waiting = asyncio.wrap_future(queued)
        try:
            return await asyncio.wait_for(asyncio.shield(waiting), QUEUE_SECONDS)
        except TimeoutError:
            if queued.cancel():  # it never started
                message = "the server is busy; try again in a moment"
                raise ProtocolError(f"{self.name}_busy", message) from None
            return await waiting  # started: it ends within the time limit
        finally:
            queued.cancel()  # a no-op once started; a cancelled caller's call never runs

    def _round_trip(self, work: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, float]:
        """In the queue's thread: send, wait up to the time limit, receive (or kill the
        helper)."""
        pipe = self.start()
        pipe.send_bytes(dumps((work, args)))
        if not pipe.poll(self.timeout):
            self.close()
            message = f"this took over {self.timeout:g} s of the server and was stopped"
            raise ProtocolError(f"{self.name}_too_costly", message)
        status, value, cpu = loads(pipe.recv_bytes())
        if status == "refused":
            raise ProtocolError(*value)
        if status == "failed":
            raise ProtocolError(f"{self.name}_failed", value)
        return value, cpu

    def start(self) -> Connection:
        """The helper's pipe, starting the helper first if there is none (or it died)."""
        if self.process is None or not self.process.is_alive() or self.pipe is None:
            self.close()
            context = multiprocessing.get_context("spawn")  # a clean interpreter
            ours, theirs = context.Pipe()
            self.process = context.Process(target=serve, args=(theirs, self.nice), daemon=True)
            self.process.start()
            theirs.close()
            self.pipe = ours
        return self.pipe

    def shutdown(self) -> None:
        """The worker is stopping: calls still queued are dropped, and the helper stopped
        (the call under way, if any, then ends at once with the helper's pipe)."""
        self.queue.shutdown(wait=False, cancel_futures=True)
        self.close()

    def close(self) -> None:
        """Stop the helper (SIGKILL: it may be deep in a call); the next call starts one."""
        if self.process is not None:
            self.process.kill()
            self.process.join(timeout=5)
        if self.pipe is not None:
            self.pipe.close()
        self.process, self.pipe = None, None


def export(session: Session, fmt: str) -> str:
    """The `export` message as JSON text, built in the helper from a copy of the session:
    encoding a replay of 100 regenerated datasets (~4 MB) is ~20 ms the loop need not pay."""
    answer = export_message(session, fmt)
    return json.dumps(answer, allow_nan=False, separators=(",", ":"))
