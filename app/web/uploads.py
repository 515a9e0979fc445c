"""CSV uploads parsed off the event loop (issue 12, item 1).

What it is: one awaitable that runs the (capped) CSV parser in a worker thread.
What it is not: the parser's rules (playground/custom_data.py) or applying the rows (the
session does that on the event loop, where every other change to it happens).
Trade-off: the parse is pure Python and holds the GIL, so the thread gives no parallelism;
what it gives is preemption: the interpreter switches threads every few milliseconds, so
other connections keep getting answers while a 30 ms worst-case parse runs, instead of
waiting for all of it. The parser's caps bound the total; the thread bounds the stall.
"""

import anyio

from app.playground.custom_data import UploadReport, parse_csv
from app.playground.session import Session

# Small files are parsed in place: a thread hop (~50 µs) costs more than they do.
INLINE_BYTES = 4096


async def parse_upload(session: Session, content: str) -> UploadReport:
    """The session's CSV report for `content`, without blocking the event loop for long."""
    settings, limit = session.settings, session.max_points
    if len(content) <= INLINE_BYTES:
        return parse_csv(settings, content, limit)
    return await anyio.to_thread.run_sync(parse_csv, settings, content, limit)
