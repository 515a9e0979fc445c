"""One websocket's life: a reader that applies messages beside a runner that trains.

What it is: `Connection`: the reader (rate limit, size limit, parse, dispatch through
handlers.HANDLERS, refusals) beside the runner; its state and phase live in state.py.
What it is not: message semantics (handlers.py), the training loop (runner.py) or admission
(server.py).
Trade-off: training runs on the event loop in slices (runner.py) rather than a thread pool:
NumPy on tiny matrices barely releases the GIL, so threads would add switching cost without
parallelism; slices keep every other connection responsive (design.md §5).
"""

import anyio

from app.protocol.inbound import ProtocolError, parse_client_message
from app.web.handlers import HANDLERS
from app.web.outbox import CLOSE_GOING_AWAY
from app.web.phase import Phase
from app.web.runner import GONE, run_forever
from app.web.state import ConnectionState

CLOSE_POLICY = 1008
STRIKES_BEFORE_CLOSE = 50


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
            with anyio.move_on_after(self.limits.idle_timeout_seconds) as idle:
                message = await self.ws.receive()
            if idle.cancelled_caught:
                with anyio.move_on_after(self.limits.send_timeout_seconds):
                    await self.ws.close(CLOSE_GOING_AWAY, "closed after a long idle time")
                return
            if message["type"] == "websocket.disconnect":
                return
            if not await self.receive_one(message.get("text"), message.get("bytes")):
                return

    async def receive_one(self, text: str | None, data: bytes | None) -> bool:
        """Handle one frame from the client; False when the connection must end."""
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
            await HANDLERS[type(message)](self, message)
        except ProtocolError as exc:
            return await self.refuse(exc)
        except GONE:
            raise
        except Exception:
            await self.internal_error()
        self.wake.set()
        return True

    async def refuse(self, error: ProtocolError) -> bool:
        """Answer a bad message with a typed error; a flooding client is eventually closed."""
        await self.outbox.send_json(error.to_message())
        if error.code in ("rate_limited", "too_large"):
            self.strikes += 1
        if self.strikes > STRIKES_BEFORE_CLOSE:
            await self.ws.close(CLOSE_POLICY, "too many refused messages")
            return False
        return True
