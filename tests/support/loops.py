"""`asyncio.run` from synchronous test code, on a thread of its own.

Why: after the browser tests, Playwright's sync API leaves an event loop registered as
running in pytest's main thread, and `asyncio.run` / `anyio.run` refuse to start there.
"""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on a fresh event loop in another thread; its result."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
