"""The runner's sleep (app/web/runner.py `wait_for`): woken by its event or by the clock.

Real event loop, real clock; the times are generous so a busy machine cannot fail them.
Each test runs its loop in a thread of its own: Playwright's sync API, used by the browser
tests of the same pytest run, leaves a loop registered as running in the main thread.
"""

import asyncio
import time

import anyio

from app.web.runner import wait_for
from tests.support.loops import run_in_thread


def test_the_sleep_ends_by_the_clock_when_nothing_wakes_it() -> None:
    async def main() -> float:
        start = time.monotonic()
        await wait_for(anyio.Event(), 0.05)
        return time.monotonic() - start

    assert 0.045 <= run_in_thread(main()) < 2.0


def test_a_message_wakes_the_sleeper_long_before_its_clock() -> None:
    async def main() -> float:
        wake = anyio.Event()
        start = time.monotonic()
        asyncio.get_running_loop().call_later(0.02, wake.set)  # what a handler does
        await wait_for(wake, 3600.0)
        return time.monotonic() - start

    assert run_in_thread(main()) < 2.0


def test_a_cancelled_sleeper_stops_at_once_and_leaves_no_timer_behind() -> None:
    async def main() -> tuple[float, bool]:
        wake = anyio.Event()
        start = time.monotonic()
        with anyio.move_on_after(0.02):  # the connection closing cancels its runner
            await wait_for(wake, 0.3)
        elapsed = time.monotonic() - start
        await asyncio.sleep(0.5)  # past the sleeper's own clock
        return elapsed, wake.is_set()

    elapsed, woken_later = run_in_thread(main())
    assert elapsed < 0.25
    assert not woken_later  # the timer was cancelled with the sleep
