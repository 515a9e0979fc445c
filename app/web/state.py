"""The state of one connection and its transitions, apart from any I/O loop.

What it is: `ConnectionState`: the session, the lifecycle `Phase` (phase.py), the `Pacer`,
the `Outbox`, the rate limit, and the moves between phases (install a new session, fail,
revive, close). Every field is declared in `__init__`.
What it is not: the reader (connection.py), the handlers (handlers.py) or the runner
(runner.py); they all act on this object, and it imports none of them. Nor whether the
session trains: the session says so itself (app/playground/training_state.py).
Trade-off: handlers and runner move the phase through these methods rather than each keeping
its own flags, so "what is this connection doing" has exactly one answer, and "is it
training" another, kept by the session.
"""

import logging
import time

import anyio
from fastapi import WebSocket

from app.playground.session import Session
from app.web.budgets import CONNECTION_BURST, CONNECTION_RATE, WorkBudget, WorkBudgets
from app.web.checkpoints import CheckpointText
from app.web.config import Settings
from app.web.gangs import GangBook
from app.web.limits import PerAddress, TokenBucket
from app.web.offload import Helper
from app.web.outbox import Outbox
from app.web.pacer import Pacer
from app.web.phase import Phase, moved
from app.web.scheduler import FairScheduler

logger = logging.getLogger("nn_playground")


class ConnectionState:
    """One websocket's session, phase, pace, outbox and rate limit."""

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.ws, self.settings = websocket, settings  # the server's (settings.py), all of them
        self.session: Session | None = None
        self.phase = Phase.AWAITING_HELLO
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
        # Work a client prices (issue 20): its share group (its browser, else its address:
        # server.py sets it), its own budget beside its group's (budgets.py), and the
        # worker's helper processes (offload.py).
        self.group = "unknown"
        self.address = "unknown"  # its address group (admission.py; server.py sets it)
        self.joins: PerAddress = app_state.joins
        self.budget = WorkBudget(CONNECTION_RATE, CONNECTION_BURST)
        self.work: WorkBudgets = app_state.budgets
        self.hellos: Helper = app_state.hellos
        self.builds: Helper = app_state.builds
        self.exports: Helper = app_state.exports
        self.checkpoints = CheckpointText()
        self.active_at = time.monotonic()  # last command or training turn (slots.py)

    def budgets(self) -> tuple[WorkBudget, WorkBudget]:
        """This connection's work budget and its share group's."""
        return self.budget, self.work.of(self.group)

    # -- session and phase (phase.py) -------------------------------------------------------

    def install(self, session: Session) -> None:
        """A new Session replaces the old one (and ends a failure): whatever was under way
        for the old one stops, and everything sent so far is forgotten (the page shows the
        new one at once)."""
        self.phase = moved(self.phase, Phase.LIVE)
        self.session = session
        self.outbox.forget()

    @property
    def live(self) -> bool:
        return self.phase is Phase.LIVE

    @property
    def failed(self) -> bool:
        return self.phase is Phase.FAILED

    @property
    def closing(self) -> bool:
        return self.phase is Phase.CLOSING

    def revive(self) -> None:
        """A reset ends a failure: the session it leaves is sound."""
        self.phase = moved(self.phase, Phase.LIVE)

    def close(self) -> None:
        self.phase = moved(self.phase, Phase.CLOSING)

    async def internal_error(self) -> None:
        """A bug inside this session: logged once, reported, training stopped; the runner
        then sleeps (never spins) until a command revives the session; others go on."""
        if self.phase is Phase.CLOSING:
            return  # nobody to tell
        if self.phase is not Phase.FAILED:
            logger.exception("session step failed; the session is paused")
        self.phase = moved(self.phase, Phase.FAILED)
        if self.session is not None:
            self.session.pause()
        message = "internal error in this session; it is paused (reset to continue)"
        await self.outbox.send_json(
            {"type": "error", "code": "internal", "field": None, "message": message}
        )
