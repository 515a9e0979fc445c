"""A student joining is not held up by work another client priced (app/web/offload.py).

A hello's session is built off the event loop. With every build in one low-priority helper,
a class joining a loaded worker waited up to 13 s for its sessions (benchmarks/classroom.py,
110 students), and anyone's large import or checkpoint stood in front of them. Hellos now
have a helper of their own at the worker's priority, up to a burst per address (a class
behind one NAT); priced work, and an address's hellos past that burst, keep the lower one.
"""

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from app.client import PlaygroundClient
from app.web.limits import PerAddress

pytestmark = pytest.mark.timeout(60)


def joins_while_priced_work_runs(live_server: Any, students: int) -> list[bool]:
    """For each of `students` joining one after another from this address: whether it was
    training while the priced work's helper was still held (3 s, as a large import or a
    2 MB checkpoint would hold it, for longer)."""
    builds = live_server.app.state.builds
    busy = threading.Thread(target=asyncio.run, args=(builds.call(time.sleep, 3.0),))
    busy.start()
    joined = []
    try:
        time.sleep(0.2)  # the helper is under way
        for n in range(students):
            with PlaygroundClient(live_server.ws_url, seed=f"joins-{n}") as student:
                assert student.step(2)["epoch"] == 2
                joined.append(busy.is_alive())
    finally:
        busy.join()
    return joined


@contextmanager
def joins_at_priority(live_server: Any, burst: int) -> Iterator[None]:
    """The server's joins at the worker's priority, `burst` of them for this address and no
    more: the suite's earlier joins from this address do not count (starlette's State is no
    place for monkeypatch, which deletes what it restores there)."""
    state = live_server.app.state
    kept = state.joins
    state.joins = PerAddress(0.0, burst)
    try:
        yield
    finally:
        state.joins = kept


def test_a_student_joins_while_priced_work_holds_its_helper(live_server: Any) -> None:
    with joins_at_priority(live_server, burst=2):
        assert joins_while_priced_work_runs(live_server, 2) == [True, True]


def test_an_address_past_its_burst_of_joins_waits_at_the_lower_priority(
    live_server: Any,
) -> None:
    """A client churning connections cannot take the worker's priority with it: past its
    burst its hellos are built with the priced work, behind it."""
    with joins_at_priority(live_server, burst=1):
        assert joins_while_priced_work_runs(live_server, 2) == [True, False]


def test_hellos_run_at_the_workers_priority_and_priced_work_below(live_server: Any) -> None:
    state = live_server.app.state
    worker = os.getpriority(os.PRIO_PROCESS, 0)  # the in-thread server's worker is this process
    niceness = {}
    for name in ("hellos", "builds", "exports"):
        helper = getattr(state, name)
        answered = threading.Thread(target=asyncio.run, args=(helper.call(len, ""),))
        answered.start()  # a helper sets its priority once started: wait for an answer
        answered.join()
        assert helper.process is not None
        niceness[name] = os.getpriority(os.PRIO_PROCESS, helper.process.pid)
    assert niceness["hellos"] == worker
    assert niceness["builds"] > worker and niceness["exports"] > worker
