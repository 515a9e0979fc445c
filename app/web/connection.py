"""One websocket's life: a reader that applies messages beside a runner that trains.

What it is: `Connection`: the reader (rate limit, size limit, parse, dispatch through
handlers.HANDLERS, refusals) beside the runner; its state and phase live in state.py. The
reading loop and the refusals are `Reader`'s, which the digits socket shares
(app/web/digits/connection.py).
What it is not: message semantics (handlers.py), the training loop (runner.py) or admission
(server.py).
Trade-off: training runs on the event loop in slices (runner.py) rather than a thread pool:
NumPy on tiny matrices barely releases the GIL, so threads would add switching cost without
parallelism; slices keep every other connection responsive (docs/architecture.md).
"""

import time
from typing import Any, cast

import anyio
from fastapi import WebSocket

from app.protocol.caps import SMALL_CAP, check_size
from app.protocol.inbound import (
    ClientMessage,
    Credit,
    Export,
    Focus,
    Hello,
    Ping,
    ProtocolError,
    Upload,
    parse_client_message,
)
from app.web.budgets import COMMAND_CHARGE_CAP, charge, take_turn
from app.web.config import Settings
from app.web.handlers import HANDLERS, raw_hello
from app.web.limits import TokenBucket
from app.web.outbox import CLOSE_GOING_AWAY, Outbox
from app.web.runner import GONE, run_forever
from app.web.sessions import RawHello
from app.web.slots import CLOSE_RECLAIMED, RECLAIMED, Slot, longest_idle
from app.web.state import ConnectionState

CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013
STRIKES_BEFORE_CLOSE = 50
# Refusals of what a client sent (not of what it asked for): each is a strike (issue 20).
STRIKE_CODES = frozenset(
    {"rate_limited", "too_large", "invalid_upload", "invalid_json", "invalid_message"}
    | {"binary_not_accepted", "invalid_checkpoint", "invalid_import"}
)
SERVER_FULL = "server full: too many live sessions, try again later"
NO_HELLO = "no hello in time: a connection must say hello first"
# Messages that only keep a socket open or ask for frames: not activity (slots.py).
PASSIVE = (Ping, Credit, Focus)
SELF_CHARGED = (Hello, Upload, Export)  # they charge what they do off the loop (budgets.py)


class Reader:
    """The reading half every websocket of this server shares (the playground's and the
    digits workspace's): the idle timeout, the hello deadline, the rate and size limits,
    and refusals with their strikes. `receive_one` applies one frame."""

    ws: WebSocket
    settings: Settings
    registry: set[object]
    hello_deadline: float
    outbox: Outbox
    bucket: TokenBucket
    strikes: int
    wake: anyio.Event

    async def reader(self) -> None:
        while True:
            wait = self.settings.idle_timeout_seconds
            if self not in self.registry:  # no session yet: the hello deadline runs
                wait = min(wait, max(0.0, self.hello_deadline - time.monotonic()))
            with anyio.move_on_after(wait) as idle:
                message = await self.ws.receive()
            if idle.cancelled_caught:
                silent = self not in self.registry
                reason = NO_HELLO if silent else "closed after a long idle time"
                with anyio.move_on_after(self.settings.send_timeout_seconds):
                    await self.ws.close(CLOSE_POLICY if silent else CLOSE_GOING_AWAY, reason)
                return
            if message["type"] == "websocket.disconnect":
                return
            if not await self.receive_one(message.get("text"), message.get("bytes")):
                return
            # One message, then everyone else's turn: a client's burst arrives in one read,
            # and uvicorn queues all of it, so `receive` would hand it over without ever
            # suspending, and a hundred commands in a row would hold the loop (issue 20).
            await anyio.lowlevel.checkpoint()

    async def receive_one(self, text: str | None, data: bytes | None) -> bool:
        """Handle one frame from the client; False when the connection must end. The
        subclass says how a message is parsed, admitted and handled."""
        if self.closing:  # drained (drain.py): the final checkpoint is sent
            return True
        try:
            message = self.parse(self.checked(text, data))
            if not self.admitted(message):
                await self.ws.close(CLOSE_TRY_LATER, self.full_reason())
                return False
            await self.handle(message)
        except ProtocolError as exc:
            return await self.refuse(exc)
        except GONE:
            raise
        except Exception:
            await self.internal_error()
        self.wake.set()
        return True

    @property
    def closing(self) -> bool:
        raise NotImplementedError

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def admitted(self, msg: Any) -> bool:
        raise NotImplementedError

    def full_reason(self) -> str:
        return SERVER_FULL

    async def handle(self, msg: Any) -> None:
        raise NotImplementedError

    async def internal_error(self) -> None:
        raise NotImplementedError

    def checked(self, text: str | None, data: bytes | None) -> str:
        """The frame's text, if it is within the rate and size limits and is text at all;
        else ProtocolError (rate_limited, binary_not_accepted, too_large)."""
        if not self.bucket.take():
            raise ProtocolError("rate_limited", "too many messages; slow down")
        if text is None:
            size = len(data or b"")
            raise ProtocolError("binary_not_accepted", f"binary frame ({size} B) not accepted")
        if len(text) > self.settings.max_message_bytes:
            limit = self.settings.max_message_bytes
            raise ProtocolError("too_large", f"message over {limit} bytes")
        return text

    async def refuse(self, error: ProtocolError) -> bool:
        """Answer a bad message with a typed error; a flooding client is eventually closed."""
        await self.outbox.send_json(error.to_message())
        if error.code in STRIKE_CODES:
            self.strikes += 1
        if self.strikes > STRIKES_BEFORE_CLOSE:
            await self.ws.close(CLOSE_POLICY, "too many refused messages")
            return False
        return True


class Connection(ConnectionState, Reader):
    """A websocket's reader beside its runner, over the state in ConnectionState."""

    scope: anyio.CancelScope
    reclaimed = False

    async def run(self) -> None:
        async with anyio.create_task_group() as tg:
            self.scope = tg.cancel_scope
            tg.start_soon(run_forever, self)
            await self.reader()
            self.close()
            tg.cancel_scope.cancel()
        if self.reclaimed:  # its slot went to another student (slots.py)
            with anyio.move_on_after(self.settings.send_timeout_seconds):
                await self.ws.close(CLOSE_RECLAIMED, RECLAIMED)

    def reclaim(self) -> None:
        """Give the slot back: out of the registry now, closed by its own task (run)."""
        self.registry.discard(self)
        self.reclaimed = True
        self.close()
        self.scope.cancel()

    # -- reader (the loop, the limits and the refusals are Reader's) -----------------------

    def parse(self, text: str) -> ClientMessage | RawHello:
        """Its type's size cap first (caps.py). A large hello is left unparsed for the build
        helper (its checkpoint is ~20 ms of JSON); another large message (one long string: a
        file, ~1 ms a MB) is parsed here and charged to the work budgets."""
        if check_size(text, self.settings.max_message_bytes) == "hello" and len(text) > SMALL_CAP:
            return RawHello(text)
        if len(text) <= SMALL_CAP:
            return parse_client_message(text)
        start = time.perf_counter()
        try:
            return parse_client_message(text)
        finally:
            charge(time.perf_counter() - start, *self.budgets())

    async def handle(self, msg: ClientMessage | RawHello) -> None:
        if not isinstance(msg, PASSIVE):
            self.active_at = time.monotonic()  # slots.py: a command is activity
        classroom = self.ws.app.state.classroom  # app/web/classroom/hub.py
        classroom.before(self, cast(Any, msg))  # classroom hook: a lock or the pause may refuse it
        if isinstance(msg, RawHello):  # built and parsed in the helper; the hooks get its gist
            msg = await raw_hello(self, msg)
        else:
            await self.budgeted(msg)
        classroom.after(self, msg)  # classroom hook: where the run's weights came from

    async def budgeted(self, msg: ClientMessage) -> None:
        """Run its handler. A command waits while its budgets are in debt and is charged its
        time (budgets.py); passive messages cost nothing worth counting, and the costly
        ones (hello, uploads, exports) charge what they did off the loop themselves."""
        if isinstance(msg, PASSIVE + SELF_CHARGED):
            await HANDLERS[type(msg)](self, msg)
            return
        budgets = self.budgets()
        await take_turn(*budgets)  # out of debt, and one command of a group per loop turn
        start = time.perf_counter()
        try:
            await HANDLERS[type(msg)](self, msg)
        finally:
            elapsed = time.perf_counter() - start
            charge(min(elapsed, COMMAND_CHARGE_CAP), *budgets)

    def admitted(self, msg: ClientMessage | RawHello) -> bool:
        """Count this connection toward max_sessions when it first asks for a session.

        Only a session costs training time, so only sessions fill the server: pings and
        credit before hello create nothing and take no slot (issue 12, item 3).
        """
        if self in self.registry or isinstance(msg, Ping | Credit):
            return True
        if len(self.registry) >= self.settings.max_sessions:
            ours = [c for c in self.registry if isinstance(c, Connection)]  # not /digits/ws
            idle = longest_idle(cast(list[Slot], ours), self.settings.reclaim_idle_seconds)
            if not isinstance(idle, Connection):
                return False
            idle.reclaim()  # slots belong to students who train (slots.py)
        self.registry.add(self)
        return True
