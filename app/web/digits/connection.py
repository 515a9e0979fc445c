"""One digits websocket: its state, its reader, and the runner beside it.

What it is: `DigitsConnection`: the session, the Phase, the Pacer (credit and frame cadence),
the Outbox, the rate limit, what has been sent (frame version, weight pictures, drawing,
evaluation), and `receive_one`, which applies each message through handlers.HANDLERS while
runner.run_forever trains in slices. The reading loop is the playground's (Reader).
What it is not: message semantics (handlers.py), training (runner.py) or admission
(routes.py).
Trade-off: it shares the playground's Reader (idle timeout, hello deadline, rate and size
limits, strikes) but not its ConnectionState, whose fields belong to playground sessions.
"""

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
from fastapi import WebSocket

from app.digits.messages import DigitsMessage
from app.digits.messages import parse as parse_message
from app.digits.session import DigitsSession
from app.digits.settings import Limits
from app.protocol.inbound import Credit, Ping
from app.web.config import Settings
from app.web.connection import SERVER_FULL, Reader
from app.web.digits.phase import DigitsPhase as Phase
from app.web.limits import TokenBucket
from app.web.outbox import Outbox
from app.web.pacer import Pacer
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


class DigitsConnection(Reader):
    """A digits page's websocket: state, reader, and (runner.py) the training beside it."""

    def __init__(
        self, websocket: WebSocket, settings: Settings, handlers: Mapping[type, Handler]
    ) -> None:
        self.ws, self.settings, self.handlers = websocket, settings, handlers
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

    @property
    def closing(self) -> bool:
        return self.phase is Phase.CLOSING

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

    # -- reader (the loop, the limits and the refusals are Reader's) -----------------------

    def parse(self, text: str) -> DigitsMessage:
        return parse_message(text)

    async def handle(self, msg: DigitsMessage) -> None:
        await self.handlers[type(msg)](self, msg)

    def admitted(self, msg: DigitsMessage) -> bool:
        """Join the worker's sessions (and its digits sessions) at the first message that
        needs a session; ping and credit take no slot."""
        if self in self.registry or isinstance(msg, Ping | Credit):
            return True
        if len(self.registry) >= self.settings.max_sessions:
            return False
        if len(self.digits_registry) >= self.settings.digits_max_sessions:
            return False
        self.registry.add(self)
        self.digits_registry.add(self)
        return True

    def full_reason(self) -> str:
        if len(self.registry) >= self.settings.max_sessions:
            return SERVER_FULL
        if self.settings.digits_max_sessions == 0:
            return "the digits workspace is turned off on this server"
        return DIGITS_FULL


class Sent:
    """What the page has been sent about the current session (runner.py decides)."""

    def __init__(self) -> None:
        self.version = -1  # the session version the last frame showed
        self.pictures_at = -1.0  # monotonic time of the last weight pictures
        self.pictures_key: tuple[object, ...] | None = None  # (run, updates, first unit)
        self.drawing_key: tuple[object, ...] | None = None  # (run, updates, drawing)
        self.evaluated = -1  # the epoch whose evaluation went out
        self.evaluated_at = -1.0
