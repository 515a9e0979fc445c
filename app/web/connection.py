"""One websocket's life: a reader that applies messages beside a runner that trains.

What it is: `Connection`: the reader (rate limit, size limit, parse, dispatch through
handlers.HANDLERS, refusals) beside the runner; its state and phase live in state.py.
What it is not: message semantics (handlers.py), the training loop (runner.py) or admission
(server.py).
Trade-off: training runs on the event loop in slices (runner.py) rather than a thread pool:
NumPy on tiny matrices barely releases the GIL, so threads would add switching cost without
parallelism; slices keep every other connection responsive (design.md §5).
"""

import time

import anyio

from app.protocol.inbound import ClientMessage, Credit, Ping, ProtocolError, parse_client_message
from app.web.handlers import HANDLERS
from app.web.outbox import CLOSE_GOING_AWAY
from app.web.phase import Phase
from app.web.runner import GONE, run_forever
from app.web.state import ConnectionState

CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013
STRIKES_BEFORE_CLOSE = 50
STRIKE_CODES = ("rate_limited", "too_large", "invalid_upload")
SERVER_FULL = "server full: too many live sessions, try again later"
NO_HELLO = "no hello in time: a connection must say hello first"


class Connection(ConnectionState):
    """A websocket's reader beside its runner, over the state in ConnectionState."""

    async def run(self) -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(run_forever, self)
            await self.reader()
            self.phase = Phase.CLOSING
            tg.cancel_scope.cancel()

    # -- reader -----------------------------------------------------------------------------

    async def reader(self) -> None:
        while True:
            wait = self.limits.idle_timeout_seconds
            if self not in self.registry:  # no session yet: the hello deadline runs
                wait = min(wait, max(0.0, self.hello_deadline - time.monotonic()))
            with anyio.move_on_after(wait) as idle:
                message = await self.ws.receive()
            if idle.cancelled_caught:
                silent = self not in self.registry
                reason = NO_HELLO if silent else "closed after a long idle time"
                with anyio.move_on_after(self.limits.send_timeout_seconds):
                    await self.ws.close(CLOSE_POLICY if silent else CLOSE_GOING_AWAY, reason)
                return
            if message["type"] == "websocket.disconnect":
                return
            if not await self.receive_one(message.get("text"), message.get("bytes")):
                return

    async def receive_one(self, text: str | None, data: bytes | None) -> bool:
        """Handle one frame from the client; False when the connection must end."""
        if self.phase is Phase.CLOSING:  # drained (drain.py): the final checkpoint is sent
            return True
        if not self.bucket.take():
            return await self.refuse(ProtocolError("rate_limited", "too many messages; slow down"))
        if text is None:
            size = len(data or b"")
            error = ProtocolError("binary_not_accepted", f"binary frame ({size} B) not accepted")
            return await self.refuse(error)
        if len(text) > self.limits.max_message_bytes:
            limit = self.limits.max_message_bytes
            return await self.refuse(ProtocolError("too_large", f"message over {limit} bytes"))
        try:
            message = parse_client_message(text)
            if not self.admitted(message):
                await self.ws.close(CLOSE_TRY_LATER, SERVER_FULL)
                return False
            await HANDLERS[type(message)](self, message)
        except ProtocolError as exc:
            return await self.refuse(exc)
        except GONE:
            raise
        except Exception:
            await self.internal_error()
        self.wake.set()
        return True

    def admitted(self, msg: ClientMessage) -> bool:
        """Count this connection toward max_sessions when it first asks for a session.

        Only a session costs training time, so only sessions fill the server: pings and
        credit before hello create nothing and take no slot (issue 12, item 3).
        """
        if self in self.registry or isinstance(msg, Ping | Credit):
            return True
        if len(self.registry) >= self.limits.max_sessions:
            return False
        self.registry.add(self)
        return True

    async def refuse(self, error: ProtocolError) -> bool:
        """Answer a bad message with a typed error; a flooding client is eventually closed."""
        await self.outbox.send_json(error.to_message())
        if error.code in STRIKE_CODES:
            self.strikes += 1
        if self.strikes > STRIKES_BEFORE_CLOSE:
            await self.ws.close(CLOSE_POLICY, "too many refused messages")
            return False
        return True
