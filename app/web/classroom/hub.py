"""The classroom inside one worker process: its members, and the class's voice to them.

What it is: `ClassHub`, one per worker (app.state.classroom). It joins connections to their
class (a `join_class` message), refuses what a class's locks or pause forbid, signs the
checkpoints of trusted runs, and runs two tasks of its own: one listens for control changes
(store.listen) and applies them to this worker's members (a pushed start, pause, resume,
locks, a challenge), the other publishes every member's summary and challenge results once
a second (publisher.py).
What it is not: training or sending frames: it calls the same handlers a message would
(handlers.py), so a pushed start is exactly a `hello` with the start's settings and run.
Trade-off: nothing a student does waits on the store: joins resolve in a task of their
own, summaries go out in one batch per second per worker, and a store that is down leaves
members as they were (the teacher's view says it is down; training goes on).
"""

import asyncio
import contextlib
import logging
from typing import Any

from app.protocol.inbound import ClientMessage, Command, Hello, ProtocolError, SetSettings, Upload
from app.web.classroom.backends import open_store
from app.web.classroom.identity import clean_code, member_id, valid_token
from app.web.classroom.locks import refusal
from app.web.classroom.member import IMPORTED, PROOF_KEY, TYPED, Membership
from app.web.classroom.publisher import Publisher
from app.web.classroom.store import ClassStore, StoreDown
from app.web.classroom.teaching import class_message, control_of
from app.web.config import Settings
from app.web.handlers import HANDLERS, on_hello
from app.web.runner import GONE
from app.web.state import ConnectionState

logger = logging.getLogger("nn_playground")
RETRY_SECONDS, MAX_RETRY_SECONDS = 2.0, 10.0  # a join while the store is down retries


def left(code: str, reason: str, retry: bool) -> dict[str, Any]:
    """The `class` message of a page that is not (or not yet) in its class."""
    return {"type": "class", "code": code, "joined": False, "retry": retry, "reason": reason}


JOINS_PER_CONNECTION = 8  # a page joins once per connection; a script probing tokens stops here


class ClassHub:
    """This worker's class members and the tasks that keep them in step with their class."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        idle = settings.class_idle_hours * 3600
        self.store: ClassStore = open_store(settings.data_dir, settings.redis_url, idle)
        self.members: dict[ConnectionState, Membership] = {}
        self.buckets: dict[Any, Any] = {}  # joins and classes made per address (throttle.py)
        self.joins: dict[ConnectionState, int] = {}  # join_class per connection, bounded
        self.resumes: dict[ConnectionState, tuple[Any, str | None]] = {}  # before join_class
        self.tasks: list[asyncio.Task[None]] = []
        self.publisher = Publisher(self.store, self.members)

    # -- hooks the connection calls ---------------------------------------------------------

    def before(self, conn: ConnectionState, msg: ClientMessage) -> None:
        """Refuse what the class forbids this member now (a lock, the pause)."""
        member = self.members.get(conn)
        if member is None or not (member.locks or member.paused):
            return
        patch = msg.settings if isinstance(msg, SetSettings) else None
        session = conn.session
        why = refusal(
            member.locks,
            member.paused,
            msg.type,
            None if session is None else session.settings,
            patch,
        )
        if why is not None:
            raise ProtocolError("locked", why, "settings" if patch is not None else "type")

    def after(self, conn: ConnectionState, msg: ClientMessage) -> None:
        """Note where the run's weights now come from."""
        member, session = self.members.get(conn), conn.session
        if session is None:
            return
        if isinstance(msg, Hello):
            self._hello(conn, member, msg)
        elif member is None:
            return
        elif isinstance(msg, Upload) and msg.type == "import_json":
            member.tainted(session, IMPORTED)
        elif msg.type in ("set_weight", "set_bias"):
            member.tainted(session, TYPED)

    def _hello(self, conn: ConnectionState, member: Membership | None, msg: Hello) -> None:
        """A resumed checkpoint's proof is checked (now, or once the page has joined); a
        member's hello may bring back a locked setting, so the class is applied again."""
        session = conn.session
        if msg.checkpoint is not None and session is not None:
            proof = msg.checkpoint.get(PROOF_KEY)
            resume = (session.log, proof if isinstance(proof, str) else None)
            if member is None:  # the page says join_class after its hello: check it then
                self.resumes[conn] = resume
            else:
                member.resumed(session, resume[1])
        if member is not None and member.locks and member.resolved:
            self._spawn(self.refresh(member.code))

    def sign(self, conn: ConnectionState, payload: dict[str, Any]) -> None:
        member = self.members.get(conn)
        if member is not None and conn.session is not None:
            member.sign(conn.session, payload)

    async def join(self, conn: ConnectionState, code: str, token: str) -> None:
        """A page asked to be this class's student again: resolved off the message path."""
        clean = clean_code(code)
        if clean is None or not valid_token(token):
            raise ProtocolError("invalid_message", "not a class code and student token", "code")
        old = self.members.get(conn)
        if old is not None and old.code == clean and old.member_id == member_id(token):
            return
        tries = self.joins[conn] = self.joins.get(conn, 0) + 1
        if tries > JOINS_PER_CONNECTION:  # each one reads the store: a page needs one
            raise ProtocolError("rate_limited", "too many join_class on one connection")
        member = Membership(clean, member_id(token))
        member.pending_proof = self.resumes.pop(conn, None)
        self.members[conn] = member
        conn.outbox.watch = lambda frame: self._saw(conn, member, frame)
        self._start_tasks()
        self._spawn(self._resolve(conn, member))

    def _spawn(self, body: Any) -> None:
        task = asyncio.create_task(body)
        self.tasks.append(task)
        task.add_done_callback(self.tasks.remove)

    def leave(self, conn: ConnectionState) -> None:
        """The connection ended: its tile says offline at the next publish."""
        self.resumes.pop(conn, None)
        self.joins.pop(conn, None)
        member = self.members.pop(conn, None)
        if member is not None and member.resolved and conn.session is not None:
            self.publisher.gone(member, conn.session)

    def _saw(self, conn: ConnectionState, member: Membership, frame: bytes) -> None:
        if conn.session is not None:
            member.saw_frame(frame, conn.session)

    # -- from the store to the members ------------------------------------------------------

    async def _resolve(self, conn: ConnectionState, member: Membership) -> None:
        """Read the class and the member; tell the page; bring it up to the class's state.
        While the store is down the page is told so, and this retries by itself."""
        delay = RETRY_SECONDS
        while self.members.get(conn) is member:
            try:
                record = await self.store.get(member.code)
                found = None
                if record is not None:
                    roster = await self.store.members(member.code)
                    found = next((m for m in roster if m.id == member.member_id), None)
            except StoreDown as exc:
                logger.warning("class %s: %s", member.code, exc)
                await self._say(conn, left(member.code, "the class is not reachable now", True))
                await asyncio.sleep(delay)
                delay = min(MAX_RETRY_SECONDS, 2 * delay)
                continue
            if record is None or found is None:
                why = "this class has ended" if record is None else "you are not in this class"
                await self._say(conn, left(member.code, why, False))
                self._drop(conn)
                return
            member.name, member.secret, member.resolved = found.name, record.secret, True
            member.start_version = found.start_version
            self.publisher.boards.pop(member.code, None)  # a newcomer needs the board too
            if conn.session is not None:
                member.settle_proof(conn.session)
            await self._apply(conn, member, record.control, quiet=True)
            return

    def _drop(self, conn: ConnectionState) -> None:
        self.members.pop(conn, None)
        conn.outbox.watch = None

    async def refresh(self, code: str) -> None:
        """A class's control changed (or may have): apply it to this worker's members."""
        try:
            record = await self.store.get(code)
        except StoreDown:
            return
        if record is None:
            return
        for conn, member in list(self.members.items()):
            if member.code == code and member.resolved:
                await self._apply(conn, member, record.control, quiet=False)

    async def _apply(
        self, conn: ConnectionState, member: Membership, raw: dict[str, Any], quiet: bool
    ) -> None:
        """Bring one member in line with the control document: start, pause, locks."""
        control = control_of(raw)
        notice = None
        start = control.start
        member.locks = frozenset(start.locked) if start is not None else frozenset()
        member.goal = None if start is None else start.goal
        if member.challenge != control.challenge:
            member.challenge, member.best, member.unsaved = control.challenge, None, None
        session = conn.session
        strays = (
            start is not None
            and session is not None
            and bool(start.locked)
            and refusal(frozenset(start.locked), False, "set", session.settings, start.settings)
            is not None
        )  # a reload or an edited link brought back what the teacher locked
        if start is not None and (start.version > member.start_version or strays):
            await self._run(
                conn,
                on_hello,
                Hello(
                    type="hello",
                    settings=start.settings,
                    run=start.run,
                    run_events=start.run_events,
                ),
            )
            member.start_version = start.version
            self.publisher.started(member)
            notice = "Your teacher set a new start for everyone."
        if control.paused != member.paused:
            member.paused = control.paused
            command = Command(type="pause" if control.paused else "play")
            if not quiet or control.paused:
                await self._run(conn, HANDLERS[Command], command)
            notice = notice or (
                "Your teacher paused the class."
                if control.paused
                else "Your teacher resumed the class."
            )
        await self._say(conn, class_message(member, control, None if quiet else notice))

    async def _run(self, conn: ConnectionState, handler: Any, msg: ClientMessage) -> None:
        """A handler, as if the member had sent `msg`; errors go to the page as usual."""
        try:
            await handler(conn, msg)
        except ProtocolError as exc:
            await self._say(conn, exc.to_message())
        except GONE:
            return
        conn.wake.set()

    async def _say(self, conn: ConnectionState, message: dict[str, Any]) -> None:
        with contextlib.suppress(*GONE):
            await conn.outbox.send_json(message)

    # -- tasks ------------------------------------------------------------------------------

    def _start_tasks(self) -> None:
        if any(not t.done() for t in self.tasks if t.get_name().startswith("classroom-")):
            return
        for name, body in (("listen", self._listen()), ("publish", self.publisher.run())):
            task = asyncio.create_task(body, name=f"classroom-{name}")
            self.tasks.append(task)
            task.add_done_callback(self.tasks.remove)

    async def _listen(self) -> None:
        """Apply control changes as the store reports them; a bug here is logged and the
        listening starts over, so one bad document cannot leave a worker deaf."""
        while True:
            try:
                watched = self.store.listen(lambda: {m.code for m in self.members.values()})
                async for code in watched:
                    await self.refresh(code)
            except Exception:
                logger.exception("classroom: listening for class changes failed; again in 1 s")
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.store.close()
