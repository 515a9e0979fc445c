"""The class store on one machine: SQLite in WAL mode, in the data directory.

What it is: `SqliteStore`, the default `ClassStore` (store.py). One database file serves
every worker process of the machine: WAL lets them read while one writes, and `BEGIN
IMMEDIATE` makes a join (name check, size check, insert) atomic between them. Changes of a
class's control document are found by polling its version twice a second.
What it is not: for several machines (a file on a network share does not lock reliably):
that is Redis (redis_store.py).
Trade-off: sqlite3 blocks, so every call runs on one thread of this store's own, never on
the event loop; one thread keeps the connection single-threaded and the calls in order, and
a store call is a fraction of a millisecond, so it never queues for long.
"""

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from app.web.classroom.identity import name_key, suffixed
from app.web.classroom.store import ClassFull, ClassRecord, Doc, Member, StoreDown

T = TypeVar("T")
POLL_SECONDS = 0.5
SWEEP_SECONDS = 60.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (code TEXT PRIMARY KEY, key_digest TEXT NOT NULL,
  secret TEXT NOT NULL, created REAL NOT NULL, touched REAL NOT NULL, version INTEGER NOT NULL,
  control TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (code TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
  name_key TEXT NOT NULL, joined REAL NOT NULL, start_version INTEGER NOT NULL,
  PRIMARY KEY (code, id), UNIQUE (code, name_key));
CREATE TABLE IF NOT EXISTS summaries (code TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (code, id));
CREATE TABLE IF NOT EXISTS results (code TEXT NOT NULL, challenge TEXT NOT NULL,
  id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (code, challenge, id));
CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, code TEXT NOT NULL, target TEXT NOT NULL);
"""
CLASS_TABLES = ("members", "summaries", "results", "links")


class SqliteStore:
    """ClassStore on a SQLite file (created with its directory on first use)."""

    def __init__(self, path: Path, idle_seconds: float) -> None:
        self.path, self.idle_seconds = path, idle_seconds
        self._db: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="class-store")
        self._swept = 0.0

    # -- plumbing ---------------------------------------------------------------------------

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(connection)` on the store's thread; any database error is StoreDown."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            if self._db is None:
                self._db = self._open()
            self._sweep(self._db)
            return fn(self._db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreDown(f"the class store ({self.path}) failed: {exc}") from None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
        db.executescript(SCHEMA)
        return db

    def _sweep(self, db: sqlite3.Connection) -> None:
        """Forget classes idle longer than idle_seconds (at most once a minute per process)."""
        now = time.time()
        if now - self._swept < SWEEP_SECONDS:
            return
        self._swept = now
        stale = [
            r[0]
            for r in db.execute(
                "SELECT code FROM classes WHERE touched < ?", (now - self.idle_seconds,)
            )
        ]
        for code in stale:
            _delete_class(db, code)

    # -- classes ----------------------------------------------------------------------------

    async def create(self, record: ClassRecord) -> bool:
        def create(db: sqlite3.Connection) -> bool:
            row = (
                record.code,
                record.key_digest,
                record.secret,
                record.created,
                record.created,
                int(record.control.get("version", 0)),
                json.dumps(record.control),
            )
            cursor = db.execute("INSERT OR IGNORE INTO classes VALUES (?,?,?,?,?,?,?)", row)
            return cursor.rowcount == 1

        return await self._run(create)

    async def get(self, code: str) -> ClassRecord | None:
        def get(db: sqlite3.Connection) -> ClassRecord | None:
            row = db.execute(
                "SELECT key_digest, secret, created, touched, control FROM classes WHERE code=?",
                (code,),
            ).fetchone()
            if row is None or row[3] < time.time() - self.idle_seconds:
                return None
            return ClassRecord(code, row[0], row[1], row[2], json.loads(row[4]))

        return await self._run(get)

    async def set_control(self, code: str, control: Doc) -> None:
        version, text = int(control.get("version", 0)), json.dumps(control)
        await self._run(
            lambda db: db.execute(
                "UPDATE classes SET control=?, version=?, touched=? WHERE code=?",
                (text, version, time.time(), code),
            )
        )

    # -- roster -----------------------------------------------------------------------------

    async def join(self, code: str, member_id: str, name: str, max_size: int) -> Member:
        def join(db: sqlite3.Connection) -> Member:
            db.execute("BEGIN IMMEDIATE")  # one joiner at a time, across processes
            try:
                member = _join(db, code, member_id, name, max_size)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return member

        return await self._run(join)

    async def members(self, code: str) -> list[Member]:
        rows = await self._run(
            lambda db: db.execute(
                "SELECT id, name, joined, start_version FROM members WHERE code=? ORDER BY joined",
                (code,),
            ).fetchall()
        )
        return [Member(*row) for row in rows]

    async def set_start_version(self, code: str, member_id: str, version: int) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE members SET start_version=? WHERE code=? AND id=?",
                (version, code, member_id),
            )
        )

    # -- live summaries and results ---------------------------------------------------------

    async def put_summaries(self, batch: dict[str, dict[str, Doc]]) -> None:
        rows = [
            (code, mid, json.dumps(doc))
            for code, docs in batch.items()
            for mid, doc in docs.items()
        ]
        now = time.time()

        def put(db: sqlite3.Connection) -> None:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO summaries VALUES (?,?,?)", rows)
            db.executemany(
                "UPDATE classes SET touched=? WHERE code=?", [(now, code) for code in batch]
            )
            db.execute("COMMIT")

        await self._run(put)

    async def summaries(self, code: str) -> dict[str, Doc]:
        rows = await self._run(
            lambda db: db.execute("SELECT id, doc FROM summaries WHERE code=?", (code,)).fetchall()
        )
        return {mid: json.loads(doc) for mid, doc in rows}

    async def put_result(self, code: str, challenge: str, member_id: str, result: Doc) -> None:
        row = (code, challenge, member_id, json.dumps(result))
        await self._run(
            lambda db: db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", row)
        )

    async def results(self, code: str, challenge: str) -> dict[str, Doc]:
        rows = await self._run(
            lambda db: db.execute(
                "SELECT id, doc FROM results WHERE code=? AND challenge=?", (code, challenge)
            ).fetchall()
        )
        return {mid: json.loads(doc) for mid, doc in rows}

    # -- short links ------------------------------------------------------------------------

    async def put_link(self, link_id: str, code: str, target: str) -> bool:
        cursor = await self._run(
            lambda db: db.execute(
                "INSERT OR IGNORE INTO links VALUES (?,?,?)", (link_id, code, target)
            )
        )
        return cursor.rowcount == 1

    async def get_link(self, link_id: str) -> str | None:
        def get(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT l.target FROM links l JOIN classes c ON c.code = l.code "
                "WHERE l.id=? AND c.touched >= ?",
                (link_id, time.time() - self.idle_seconds),
            ).fetchone()
            return None if row is None else str(row[0])

        return await self._run(get)

    # -- changes ----------------------------------------------------------------------------

    async def listen(self, codes: Callable[[], set[str]]) -> AsyncIterator[str]:
        """Poll the versions of the watched classes; yield each code first seen or moved.
        A failed poll is retried on the next tick (the hub keeps its classes as they were)."""
        seen: dict[str, int] = {}
        while True:
            watched = sorted(codes())
            if watched:
                try:
                    versions = await self._run(partial(_versions, codes=watched))
                except StoreDown:
                    versions = {}
                for code, version in versions.items():
                    if seen.get(code) != version:  # new to this listener, or changed:
                        seen[code] = version  # a change may have come between a join's
                        yield code  # read and this first poll, so report it either way
            await asyncio.sleep(POLL_SECONDS)

    async def close(self) -> None:
        def close(_: Any) -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, close, None)
        self._thread.shutdown(wait=False)


def _versions(db: sqlite3.Connection, codes: list[str]) -> dict[str, int]:
    marks = ",".join("?" * len(codes))
    query = f"SELECT code, version FROM classes WHERE code IN ({marks})"
    return dict(db.execute(query, codes).fetchall())


def _join(db: sqlite3.Connection, code: str, member_id: str, name: str, max_size: int) -> Member:
    """Inside a transaction: the existing member, or a new one under a free name."""
    query = "SELECT id, name, joined, start_version FROM members WHERE code=? AND id=?"
    row = db.execute(query, (code, member_id)).fetchone()
    if row is not None:
        return Member(*row)
    (count,) = db.execute("SELECT COUNT(*) FROM members WHERE code=?", (code,)).fetchone()
    if count >= max_size:
        raise ClassFull(f"this class is full ({max_size} students)")
    taken = {r[0] for r in db.execute("SELECT name_key FROM members WHERE code=?", (code,))}
    chosen, n = name, 1
    while name_key(chosen) in taken:
        n += 1
        chosen = suffixed(name, n)
    member = Member(member_id, chosen, time.time(), 0)
    db.execute(
        "INSERT INTO members VALUES (?,?,?,?,?,?)",
        (code, member_id, chosen, name_key(chosen), member.joined, 0),
    )
    return member


def _delete_class(db: sqlite3.Connection, code: str) -> None:
    for table in CLASS_TABLES:
        db.execute(f"DELETE FROM {table} WHERE code=?", (code,))
    db.execute("DELETE FROM classes WHERE code=?", (code,))
