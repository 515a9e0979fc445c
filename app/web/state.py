"""The state of one connection and its transitions, apart from any I/O loop.

What it is: `ConnectionState`: the session, the explicit `Phase`, the epochs a `step` still
owes, the `Pacer`, the `Outbox`, the rate limit, and the moves between phases (install a
new session, play, step, stop, fail, revive). Every field is declared in `__init__`.
What it is not: the reader (connection.py), the handlers (handlers.py) or the runner
(runner.py); they all act on this object, and it imports none of them.
Trade-off: handlers and runner set the phase through these methods rather than each keeping
its own flags, so "what is this connection doing" has exactly one answer.
"""

import logging
import time

import anyio
from fastapi import WebSocket

from app.playground.session import Session
from app.web.config import Settings
from app.web.gangs import GangBook
from app.web.limits import TokenBucket
from app.web.outbox import Outbox
from app.web.pacer import Pacer
from app.web.phase import Phase
from app.web.scheduler import FairScheduler

logger = logging.getLogger("nn_playground")


class ConnectionState:
    """One websocket's session, phase, pace, outbox and rate limit."""

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.ws, self.limits = websocket, settings
        self.session: Session | None = None
        self.phase = Phase.AWAITING_HELLO
        self.steps_left = 0
        self.pacer = Pacer(
            settings.max_frames_per_second, settings.checkpoint_interval_seconds, time.monotonic()
        )
        self.outbox = Outbox(websocket, settings.send_timeout_seconds)
        self.bucket = TokenBucket(settings.messages_per_second, settings.message_burst)
        self.strikes = 0
        self.wake = anyio.Event()
        # Admission and fair scheduling (issue 12): the worker's session registry (joined at
        # hello), the deadline for that hello, and the worker's scheduler.
        app_state = websocket.app.state
        self.registry: set[object] = app_state.sessions
        self.hello_deadline = time.monotonic() + settings.hello_timeout_seconds
        self.scheduler: FairScheduler = app_state.scheduler
        self.gangs: GangBook = app_state.gangs

    # -- session and phase ------------------------------------------------------------------

    def install(self, session: Session) -> None:
        """A new Session replaces the old one: whatever was under way for the old one stops,
        and everything sent so far is forgotten (the page shows the new one at once)."""
        self.session, self.steps_left = session, 0
        self.outbox.forget()
        self.settle()

    def settle(self) -> None:
        """Back to READY or PLAYING as the session says, unless failed or closing."""
        if self.phase in (Phase.FAILED, Phase.CLOSING) or self.session is None:
            return
        if self.phase is Phase.STEPPING and self.steps_left > 0:
            return
        self.steps_left = 0
        self.phase = Phase.PLAYING if self.session.playing else Phase.READY

    @property
    def failed(self) -> bool:
        return self.phase is Phase.FAILED

    def revive(self) -> None:
        """Reset, hello and import end a failure: the session they leave is sound."""
        if self.phase in (Phase.FAILED, Phase.AWAITING_HELLO):
            self.phase = Phase.READY

    def start_playing(self) -> None:
        if self.phase is Phase.CLOSING:  # drained: its final checkpoint is already taken
            return
        self.steps_left = 0
        self.phase = Phase.PLAYING
        self.pacer.start_playing(time.monotonic())

    def begin_steps(self, epochs: int) -> None:
        if self.phase is not Phase.CLOSING:
            self.steps_left, self.phase = epochs, Phase.STEPPING

    def interrupt_step(self) -> None:
        """A settings change ends a step under way (playing goes on)."""
        if self.phase is Phase.STEPPING:
            self.steps_left, self.phase = 0, Phase.READY
        self.settle()

    def stop_training(self) -> None:
        """Pause and drop any step under way (pause and reset do)."""
        if self.session is not None:
            self.session.pause()
        self.interrupt_step()

    async def internal_error(self) -> None:
        """A bug inside this session: logged once, reported, training stopped; the runner
        then sleeps (never spins) until a command revives the session; others go on."""
        if self.phase is not Phase.FAILED:
            logger.exception("session step failed; the session is paused")
        self.phase, self.steps_left = Phase.FAILED, 0
        if self.session is not None:
            self.session.pause()
        message = "internal error in this session; it is paused (reset to continue)"
        await self.outbox.send_json(
            {"type": "error", "code": "internal", "field": None, "message": message}
        )
