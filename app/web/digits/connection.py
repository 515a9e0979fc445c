"""One digits websocket: its state, its reader, and the runner beside it.

What it is: `DigitsConnection`: the session, the Phase, the Pacer (credit and frame cadence),
the Outbox, the rate limit, what has been sent (frame version, weight pictures, drawing,
evaluation), and the reader that applies each message through handlers.HANDLERS while
runner.run_forever trains in slices.
What it is not: message semantics (handlers.py), training (runner.py) or admission
(routes.py).
Trade-off: the same rules as the playground's reader (idle timeout, hello deadline, rate and
size limits, strikes) written for this connection's own state, not shared through the
playground's ConnectionState.
"""

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
from fastapi import WebSocket

from app.digits.messages import DigitsMessage, parse
from app.digits.session import DigitsSession
from app.digits.settings import Limits
from app.playground.errors import ProtocolError
from app.protocol.inbound import Credit, Ping
from app.web.config import Settings
from app.web.connection import (
    CLOSE_POLICY,
    CLOSE_TRY_LATER,
    NO_HELLO,
    STRIKE_CODES,
    STRIKES_BEFORE_CLOSE,
)
from app.web.limits import TokenBucket
from app.web.outbox import CLOSE_GOING_AWAY, Outbox
from app.web.pacer import Pacer
from app.web.phase import Phase
from app.web.runner import GONE
from app.web.scheduler import FairScheduler

logger = logging.getLogger("nn_playground")
Handler = Callable[[Any, Any], Awaitable[None]]
DIGITS_FULL = "the digits workspace is full on this server: try again later"


def digits_limits(settings: Settings) -> Limits:
    return Limits(
        max_units=settings.digits_max_units,
        max_params=settings.digits_max_params,
        max_train_images=settings.digits_max_train_images,
        max_test_images=settings.digits_max_test_images,
    )


class DigitsConnection:
    """A digits page's websocket: state, reader, and (runner.py) the training beside it."""

    def __init__(
        self, websocket: WebSocket, settings: Settings, handlers: Mapping[type, Handler]
    ) -> None:
        self.ws, self.limits, self.handlers = websocket, settings, handlers
        self.digits_limits = digits_limits(settings)
        self.session: DigitsSession | None = None
        self.phase = Phase.AWAITING_HELLO
        self.pacer = Pacer(
            settings.max_frames_per_second, settings.checkpoint_interval_seconds, time.monotonic()
        )
        self.outbox = Outbox(websocket, settings.send_timeout_seconds)
        self.bucket = TokenBucket(settings.messages_per_second, settings.message_burst)
        self.strikes = 0
        self.wake = anyio.Event()
        state = websocket.app.state
        self.registry: set[object] = state.sessions
        self.digits_registry: set[object] = state.digits_sessions
        self.scheduler: FairScheduler = state.scheduler
        self.hello_deadline = time.monotonic() + settings.hello_timeout_seconds
        self.seq = 0  # frame sequence number: grows for the whole connection
        self.sent = Sent()

    # -- phase ------------------------------------------------------------------------------

    def install(self, session: DigitsSession) -> None:
        """A session (new, or a new run in it): nothing sent so far describes it."""
        self.session = session
        self.sent = Sent()
        if self.phase in (Phase.AWAITING_HELLO, Phase.FAILED, Phase.STEPPING, Phase.PLAYING):
            self.phase = Phase.READY

    def settle(self) -> None:
        """After a command: READY or PLAYING as the session says (a step goes on)."""
        if self.session is None or self.phase in (Phase.FAILED, Phase.CLOSING, Phase.STEPPING):
            return
        self.phase = Phase.PLAYING if self.session.playing else Phase.READY

    def stop(self) -> None:
        """Pause, and end a step under way."""
        if self.session is not None:
            self.session.pause()
        if self.phase in (Phase.PLAYING, Phase.STEPPING):
            self.phase = Phase.READY

    async def internal_error(self) -> None:
        """A bug in this session: logged once, reported, the session paused until reset."""
        if self.phase is not Phase.FAILED:
            logger.exception("digits session failed; it is paused")
        self.phase = Phase.FAILED
        if self.session is not None:
            self.session.pause()
        message = "internal error in this session; it is paused (reset to continue)"
        await self.outbox.send_json(
            {"type": "error", "code": "internal", "field": None, "message": message}
        )

    # -- reader -----------------------------------------------------------------------------

    async def read(self) -> None:
        """Messages until the client leaves, idles out or misses its hello deadline."""
        while True:
            admitted = self in self.registry
            wait = self.limits.idle_timeout_seconds
            if not admitted:
                wait = min(wait, max(0.0, self.hello_deadline - time.monotonic()))
            with anyio.move_on_after(wait) as idle:
                message = await self.ws.receive()
            if idle.cancelled_caught:
                code, reason = (
                    (CLOSE_GOING_AWAY, "closed after a long idle time")
                    if admitted
                    else (CLOSE_POLICY, NO_HELLO)
                )
                with anyio.move_on_after(self.limits.send_timeout_seconds):
                    await self.ws.close(code, reason)
                return
            if message["type"] == "websocket.disconnect":
                return
            if not await self.take(message.get("text"), message.get("bytes")):
                return

    async def take(self, text: str | None, data: bytes | None) -> bool:
        """Apply one client frame; False when the connection must end."""
        try:
            msg = self.check(text, data)
            if not self.admit(msg):
                await self.ws.close(CLOSE_TRY_LATER, self.full_reason())
                return False
            await self.handlers[type(msg)](self, msg)
        except ProtocolError as exc:
            return await self.refuse(exc)
        except GONE:
            raise
        except Exception:
            await self.internal_error()
        self.wake.set()
        return True

    def check(self, text: str | None, data: bytes | None) -> DigitsMessage:
        """Rate, kind and size of a frame, then its content (ProtocolError if refused)."""
        if not self.bucket.take():
            raise ProtocolError("rate_limited", "too many messages; slow down")
        if text is None:
            size = len(data or b"")
            raise ProtocolError("binary_not_accepted", f"binary frame ({size} B) not accepted")
        if len(text) > self.limits.max_message_bytes:
            limit = self.limits.max_message_bytes
            raise ProtocolError("too_large", f"message over {limit} bytes")
        return parse(text)

    def admit(self, msg: DigitsMessage) -> bool:
        """Join the worker's sessions (and its digits sessions) at the first message that
        needs a session; ping and credit take no slot."""
        if self in self.registry or isinstance(msg, Ping | Credit):
            return True
        if len(self.registry) >= self.limits.max_sessions:
            return False
        if len(self.digits_registry) >= self.limits.digits_max_sessions:
            return False
        self.registry.add(self)
        self.digits_registry.add(self)
        return True

    def full_reason(self) -> str:
        if len(self.registry) >= self.limits.max_sessions:
            return "server full: too many live sessions, try again later"
        return DIGITS_FULL

    async def refuse(self, error: ProtocolError) -> bool:
        await self.outbox.send_json(error.to_message())
        if error.code in STRIKE_CODES:
            self.strikes += 1
        if self.strikes > STRIKES_BEFORE_CLOSE:
            await self.ws.close(CLOSE_POLICY, "too many refused messages")
            return False
        return True


class Sent:
    """What the page has been sent about the current session (runner.py decides)."""

    def __init__(self) -> None:
        self.version = -1  # the session version the last frame showed
        self.pictures_at = -1.0  # monotonic time of the last weight pictures
        self.pictures_key: tuple[object, ...] | None = None  # (run, updates, first unit)
        self.drawing_key: tuple[object, ...] | None = None  # (run, updates, drawing)
        self.evaluated = -1  # the epoch whose evaluation went out
        self.evaluated_at = -1.0
