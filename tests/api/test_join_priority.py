"""A student joining is not held up by work another client priced (app/web/offload.py).

A hello's session is built off the event loop. With every build in one low-priority helper,
a class joining a loaded worker waited up to 13 s for its sessions (benchmarks/classroom.py,
110 students), and anyone's large import or checkpoint stood in front of them. Hellos now
have a helper of their own at the worker's priority; priced work keeps the lower one.
"""

import asyncio
import os
import threading
import time
from typing import Any

import pytest

from app.client import PlaygroundClient

pytestmark = pytest.mark.timeout(60)


def test_a_student_joins_while_priced_work_holds_its_helper(live_server: Any) -> None:
    builds = live_server.app.state.builds
    # What a large import or a 2 MB checkpoint does to the priced work's helper, for longer.
    busy = threading.Thread(target=asyncio.run, args=(builds.call(time.sleep, 3.0),))
    busy.start()
    try:
        time.sleep(0.2)  # the helper is under way
        with PlaygroundClient(live_server.ws_url, seed="joins") as student:
            joined_while_busy = busy.is_alive()
            assert student.step(2)["epoch"] == 2
    finally:
        busy.join()
    assert joined_while_busy


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
