"""CSV uploads parsed off the event loop (issue 12, item 1; issue 20).

What it is: one awaitable that runs the (capped) CSV parser in the build helper process
(offload.py), within the connection's work budgets.
What it is not: the parser's rules (playground/custom_data.py) or applying the rows (the
session does that on the event loop, where every other change to it happens).
Trade-off: the parse is pure Python and holds the GIL for up to ~30 ms; in the helper it
holds another process's, and the loop pays only for the pickles (the text, the report).
Small files are parsed in place, where they cost less than the round trip.
"""

from app.playground.custom_data import UploadReport, parse_csv
from app.playground.session import Session
from app.web.budgets import off_loop
from app.web.state import ConnectionState

# Small files are parsed in place: the round trip to the helper costs more than they do.
INLINE_BYTES = 4096


async def parse_upload(conn: ConnectionState, session: Session, content: str) -> UploadReport:
    """The session's CSV report for `content`, without blocking the event loop for long;
    a large file waits for, and is charged to, the connection's work budgets."""
    settings, limit = session.settings, session.max_points
    if len(content) <= INLINE_BYTES:
        return parse_csv(settings, content, limit)
    return await off_loop(conn.budgets(), conn.builds, parse_csv, settings, content, limit)
