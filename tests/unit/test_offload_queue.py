"""The helpers' queue (app/web/offload.py): calls run back to back in the helper process
whether or not the event loop is free, a caller who leaves takes its call off the queue,
and a call that cannot start in time is refused as busy without running.

Each test runs a real helper process; the work is `os.mkdir`, so whether a call ran is a
directory on disk, not something the code under test reports about itself.
"""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.playground.errors import ProtocolError
from app.web import offload
from app.web.offload import Helper
from tests.support.loops import run_in_thread

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def helper() -> Iterator[Helper]:
    helper = Helper("build", 10.0)
    helper.start()  # ~1 s: not inside the timings below
    yield helper
    helper.shutdown()


@pytest.fixture
def short_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call that cannot start within 0.3 s is refused (QUEUE_SECONDS, 30 s in the server)."""
    monkeypatch.setattr(offload, "QUEUE_SECONDS", 0.3)


def test_queued_calls_run_while_the_event_loop_is_busy(helper: Helper, tmp_path: Path) -> None:
    """A worker's loop under load takes ~0.1 s a turn; the calls must not wait for turns
    of it between them (55 students joining waited 13 s, benchmarks/classroom.py)."""
    dirs = [tmp_path / f"call-{i}" for i in range(3)]

    async def main() -> list[Any]:
        calls = [asyncio.create_task(helper.call(time.sleep, 0.2)) for _ in range(2)]
        calls += [asyncio.create_task(helper.call(os.mkdir, str(d))) for d in dirs]
        await asyncio.sleep(0)  # each task queues its call, then waits
        time.sleep(2.0)  # the loop is held, as a busy worker's is, for ten times their work
        done = [d.is_dir() for d in dirs]  # before the loop has run again
        await asyncio.gather(*calls)
        return done

    assert run_in_thread(main()) == [True, True, True]


async def while_busy(helper: Helper, seconds: float, action: Callable[[], Awaitable[Any]]) -> Any:
    """`action()` while the helper spends `seconds` on a call before it; once both are done,
    one more call shows the queue has moved past where `action` left it."""
    busy = asyncio.create_task(helper.call(time.sleep, seconds))
    await asyncio.sleep(0.05)  # the busy call is under way
    try:
        return await action()
    finally:
        await busy
        await helper.call(len, "after")


def test_a_caller_that_leaves_takes_its_call_off_the_queue(helper: Helper, tmp_path: Path) -> None:
    gone = tmp_path / "gone"

    async def leave() -> None:
        leaving = asyncio.create_task(helper.call(os.mkdir, str(gone)))
        await asyncio.sleep(0.05)
        leaving.cancel()  # its client disconnected while the helper was busy

    run_in_thread(while_busy(helper, 0.5, leave))
    assert not gone.exists()


@pytest.mark.usefixtures("short_queue")
def test_a_call_that_cannot_start_in_time_is_busy_and_never_runs(
    helper: Helper, tmp_path: Path
) -> None:
    late = tmp_path / "late"

    async def wait_in_vain() -> ProtocolError:
        with pytest.raises(ProtocolError) as refused:
            await helper.call(os.mkdir, str(late))
        return refused.value

    error = run_in_thread(while_busy(helper, 1.0, wait_in_vain))
    assert error.code == "build_busy"
    assert "busy" in error.message
    assert not late.exists()


@pytest.mark.usefixtures("short_queue")
def test_a_call_that_started_is_answered_even_past_the_queue_time(
    helper: Helper, tmp_path: Path
) -> None:
    """The queue time bounds the wait to start, not the work (the time limit does that)."""
    made = tmp_path / "made"

    async def main() -> Any:
        await helper.call(time.sleep, 0.6)  # started at once, ran past the queue time
        return await helper.call(os.mkdir, str(made))

    result, cpu = run_in_thread(main())
    assert result is None and cpu >= 0
    assert made.is_dir()
