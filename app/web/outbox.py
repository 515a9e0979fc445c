"""What one connection sends, and what it has already sent.

What it is: `Outbox`, the only place that writes to the websocket: JSON messages, binary
frames, state and data, each with the bookkeeping that lets the runner send only what
changed (frame sequence, last session version drawn, last data version, input thumbnails).
What it is not: the decision of when to send (runner.py, pacer.py).
Trade-off: a send that cannot complete within the send timeout gives the connection up
(raises WebSocketDisconnect) rather than queueing: a peer that stopped reading costs one
frame of memory, never a queue (docs/architecture.md §5).
"""

import json
import logging
from collections.abc import Callable
from typing import Any

import anyio
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from app.playground.session import Session
from app.protocol.frames import build_frame
from app.protocol.outbound import data_message, state_message
from app.web.scheduler import Meter

CLOSE_GOING_AWAY = 1001
logger = logging.getLogger("nn_playground")


class Outbox:
    """Sends to one websocket and remembers what the client has been sent."""

    def __init__(self, websocket: WebSocket, send_timeout: float) -> None:
        self.ws, self.send_timeout = websocket, send_timeout
        self.seq = 0  # frame sequence number: grows for the whole connection
        self.sent_version = -1  # the session version the last frame showed
        self.sent_data_version = -1
        self.inputs_sent = False  # the input thumbnails (they never change) went out
        self.build_seconds = 0.0  # how long the last frame took to build (scheduler.py)
        # The classroom's hook (app/web/classroom/hub.py): sees each frame a member is sent.
        self.watch: Callable[[bytes], None] | None = None

    def forget(self) -> None:
        """A new Session replaced the old one: nothing sent so far describes it, so the
        next frame carries the input thumbnails and `state` and `data` go out again."""
        self.sent_version, self.sent_data_version, self.inputs_sent = -1, -1, False

    def frame_pending(self, session: Session) -> bool:
        return session.version != self.sent_version

    async def send_frame(self, session: Session) -> None:
        self.seq += 1
        self.sent_version = session.version
        with Meter() as meter:
            frame = build_frame(session, self.seq, with_inputs=not self.inputs_sent)
        self.build_seconds = meter.seconds  # the runner charges it to the session
        self.inputs_sent = True
        if self.watch is not None:
            self.watch(frame)
        await self.send_raw(frame)

    async def send_state(self, session: Session) -> None:
        await self.send_json(state_message(session))
        await self.send_data_if_changed(session)

    async def send_data_if_changed(self, session: Session) -> None:
        if session.data_version != self.sent_data_version:
            self.sent_data_version = session.data_version
            await self.send_json(data_message(session))

    async def send_json(self, payload: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(payload, allow_nan=False, separators=(",", ":")))

    async def send_raw(self, data: str | bytes) -> None:
        """Send, or give the connection up: uvicorn waits for a full write buffer to drain,
        so a peer that stopped reading would otherwise hold this task (and its session,
        which then never idles out) for as long as it keeps the socket open."""
        with anyio.move_on_after(self.send_timeout) as stuck:
            if isinstance(data, bytes):
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_text(data)
        if stuck.cancelled_caught:
            logger.info("closing a connection that stopped reading")
            raise WebSocketDisconnect(CLOSE_GOING_AWAY, "the client stopped reading")
