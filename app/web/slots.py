"""Slots belong to students who train (issue 20, item 6; docs/protocol.md §12).

What it is: `idle_for` (how long a connection has been idle: paused, unwatched, or silent
since its hello) and `longest_idle`, the session that gives its slot back when the server is
full and a new student says hello.
What it is not: the cap itself (Connection.admitted) or closing the connection it picks
(Connection.reclaim): this only chooses.
Trade-off: the one given back is the one idle longest, and only once it has been idle for
`reclaim_idle_seconds`, so two students cannot take a slot from each other in turn; its page
is told (close code 4001) and resumes from its checkpoint on the next click, so what it loses
is a reconnect. A tab that trains while someone watches is never chosen, whoever asks.
"""

import math
import time
from collections.abc import Iterable
from typing import Protocol

from app.playground.session import Session
from app.playground.training_state import Training
from app.web.pacer import Pacer
from app.web.phase import Phase

CLOSE_RECLAIMED = 4001  # "your slot went to another student: resume on the next click"
RECLAIMED = "the server was full and this tab was idle, so its place went to another student"


class Slot(Protocol):
    """What the choice needs of a connection (state.ConnectionState)."""

    phase: Phase
    pacer: Pacer
    session: Session | None
    active_at: float  # monotonic time of its last command, or of its last training turn


def training(conn: Slot, now: float) -> bool:
    """Stepping, or playing for someone who watches (credit flows); the session says which
    (app/playground/training_state.py)."""
    if conn.phase is not Phase.LIVE or conn.session is None:
        return False
    if conn.session.training is Training.PLAYING:
        return not conn.pacer.unwatched(now)
    return conn.session.training is Training.STEPPING


def idle_for(conn: Slot, now: float) -> float:
    """Seconds idle: 0 while it trains, else since it last trained or sent a command (a
    ping, credit or focus is not a command: they only keep a socket open)."""
    return 0.0 if training(conn, now) else max(0.0, now - conn.active_at)


def longest_idle(connections: Iterable[Slot], min_idle: float) -> Slot | None:
    """The connection idle longest, if that is at least `min_idle` seconds; else None."""
    now = time.monotonic()
    best, longest = None, -math.inf
    for conn in connections:
        idle = idle_for(conn, now)
        if idle >= min_idle and idle > longest:
            best, longest = conn, idle
    return best
