"""Waiting, in synchronous test code, for a condition no DOM attribute or message expresses
(two values agreeing, a count on a server, a proxy's state).

Why one helper: the tests that poll say what they waited for when it never came, and poll at
one pace; a browser page's own waits use Playwright's `expect` or `Playground.until`.
"""

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], bool],
    what: str | Callable[[], str] = "the condition",
    seconds: float = 15.0,
) -> None:
    """Poll `condition` every 50 ms until it is true; fail naming `what` after `seconds`
    (a function giving the name is called on failure, so it can show the values seen)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        time.sleep(0.05)
