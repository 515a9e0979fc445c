"""Once a second, what this worker's students did goes to the store, and the boards come back.

What it is: `Publisher`, a task of the worker's hub: every PUBLISH_SECONDS it builds the
summary of each member whose run changed (or whose last one is HEARTBEAT_SECONDS old, so
a paused student does not look offline), writes them in one batch, stores challenge
results that improved, and sends members the board of their class's challenge when it
changed. A member that left is published once more, as offline.
What it is not: the summary's content (summary.py) or the hub's joins and control changes.
Trade-off: one store round trip per second per worker, whatever the number of students:
the classroom's cost stays a small fixed share of the server (benchmarks/classroom.py
--class), at the price of a dashboard up to a second behind.
"""

import asyncio
import contextlib
import json
import logging
import time

from app.playground.session import Session
from app.web.classroom.challenge import board
from app.web.classroom.member import Membership
from app.web.classroom.store import ClassStore, Doc, StoreDown
from app.web.classroom.summary import summary
from app.web.runner import GONE
from app.web.state import ConnectionState

logger = logging.getLogger("nn_playground")
PUBLISH_SECONDS = 1.0
HEARTBEAT_SECONDS = 3.0
BOARD_SECONDS = 2.0


class Publisher:
    """The hub's publishing task and what it has not yet written."""

    def __init__(self, store: ClassStore, members: dict[ConnectionState, Membership]) -> None:
        self.store, self.members = store, members  # the hub's: its members as they change
        self.leaving: dict[str, dict[str, Doc]] = {}  # offline summaries of members that left
        self.starts: list[Membership] = []  # members whose start version must be stored
        self.down = False  # the last write failed (logged once per outage)
        self.boards: dict[str, str] = {}  # class code -> the board JSON its members have
        self.next_board = 0.0

    def gone(self, member: Membership, session: Session) -> None:
        facts, tile = member.facts()
        doc = summary(member.name, session, facts, tile, "offline", {})
        self.leaving.setdefault(member.code, {})[member.member_id] = doc

    def started(self, member: Membership) -> None:
        self.starts.append(member)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(PUBLISH_SECONDS)
            try:
                await self.publish_once(time.monotonic())
            except StoreDown as exc:
                if not self.down:
                    logger.warning("classroom: %s (students train on; retrying)", exc)
                self.down = True
            except Exception:  # a bug must not end publishing for the whole worker
                logger.exception("classroom: publishing summaries failed")
            else:
                self.down = False

    async def publish_once(self, now: float) -> None:
        store = self.store
        batch, results = self.leaving, []
        self.leaving = {}
        for conn, member in list(self.members.items()):
            session = conn.session
            if not member.resolved or session is None:
                continue
            if member.unsaved is not None:
                results.append((member, member.unsaved))
                member.unsaved = None
            # A new session (a pushed start, a reload) counts its versions from 0 again.
            fresh = (session, session.version) != member.published_state
            if fresh or now - member.published >= HEARTBEAT_SECONDS:
                batch.setdefault(member.code, {})[member.member_id] = self.doc(member, session)
                member.published, member.published_state = now, (session, session.version)
        if batch:
            await store.put_summaries(batch)
        for member, entry in results:
            await store.put_result(member.code, member.challenge_id(), member.member_id, entry)
        starts, self.starts = self.starts, []
        for member in starts:
            await store.set_start_version(member.code, member.member_id, member.start_version)
        if now >= self.next_board:
            self.next_board = now + BOARD_SECONDS
            await self.send_boards()

    def doc(self, member: Membership, session: Session) -> Doc:
        status = "active" if session.playing else "paused"
        facts, tile = member.facts()
        extra = {"goal_met": member.goal_met(facts), "provenance": member.provenance(session)}
        return summary(member.name, session, facts, tile, status, extra)

    async def send_boards(self) -> None:
        """Each class with a challenge and members here: its board, if it changed."""
        codes = {m.code for m in self.members.values() if m.resolved and m.challenge}
        for code in codes:
            members = [(c, m) for c, m in self.members.items() if m.code == code]
            challenge = members[0][1].challenge
            if challenge is None:
                continue
            entries = board(await self.store.results(code, challenge.id))
            text = json.dumps([challenge.describe(), entries])
            if self.boards.get(code) == text:
                continue
            self.boards[code] = text
            for conn, member in members:
                mine = [
                    {**e, "you": e.pop("id") == member.member_id}
                    for e in (dict(e) for e in entries)
                ]
                message = {
                    "type": "class_board",
                    "challenge": challenge.describe(),
                    "entries": mine,
                }
                with contextlib.suppress(*GONE):
                    await conn.outbox.send_json(message)
