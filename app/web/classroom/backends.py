"""Which class store a server uses: SQLite in the data directory, or Redis when configured.

What it is: `open_store`, the one place that turns the settings into a `ClassStore`
(store.py), and the store a request's worker uses.
What it is not: either implementation (sqlite_store.py, redis_store.py).
Trade-off: Redis is imported only when configured, so a one-machine server never loads it.
"""

from pathlib import Path

from fastapi import Request

from app.digits.sources import default_data_dir  # the data the digits use lives there too
from app.web.classroom.sqlite_store import SqliteStore
from app.web.classroom.store import ClassStore


def open_store(data_dir: Path | None, redis_url: str | None, idle_seconds: float) -> ClassStore:
    """The configured store; nothing is opened until its first call."""
    if redis_url:
        from app.web.classroom.redis_store import RedisStore

        return RedisStore(redis_url, idle_seconds)
    return SqliteStore((data_dir or default_data_dir()) / "classes.sqlite3", idle_seconds)


def request_store(request: Request) -> ClassStore:
    """The store of the worker answering `request` (its hub's, app.state.classroom)."""
    store: ClassStore = request.app.state.classroom.store
    return store
