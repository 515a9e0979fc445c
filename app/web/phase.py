"""The lifecycle of one connection: waiting for hello, live, failed, closing.

What it is: `Phase` and `MOVES`, the only moves between phases (state.py makes them);
any other is a bug and raises, as Starlette's WebSocketState does on a `send` after close.
What it is not: whether the session trains. That is the session's own answer
(app/playground/training_state.py): a connection never keeps a copy of it, so a reset
from anywhere stops the training its frames report at once.
Trade-off: the runner looks at two things, the phase (may this connection do anything?)
and the session's training (what is there to do?), instead of one merged state that two
owners would have to keep in step.
"""

from enum import Enum, auto


class Phase(Enum):
    AWAITING_HELLO = auto()  # no session yet
    LIVE = auto()  # a session; the runner trains it as it says (playing, stepping, paused)
    FAILED = auto()  # an internal error: sleeps until reset, hello or import revives it
    CLOSING = auto()  # the reader ended; nothing more is sent


MOVES: dict[Phase, frozenset[Phase]] = {
    Phase.AWAITING_HELLO: frozenset({Phase.LIVE, Phase.FAILED, Phase.CLOSING}),
    Phase.LIVE: frozenset({Phase.LIVE, Phase.FAILED, Phase.CLOSING}),
    Phase.FAILED: frozenset({Phase.LIVE, Phase.FAILED, Phase.CLOSING}),
    Phase.CLOSING: frozenset({Phase.CLOSING}),
}


def moved(current: Phase, to: Phase) -> Phase:
    """`to`, if a connection in `current` may go there; RuntimeError otherwise."""
    if to not in MOVES[current]:
        raise RuntimeError(f"a connection cannot go from {current.name} to {to.name}")
    return to
