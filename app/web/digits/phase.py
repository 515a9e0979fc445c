"""Where a digits connection is: its lifecycle and whether its session trains.

What it is: `DigitsPhase`, the digits workspace's own six states: waiting for hello, ready,
playing, stepping to the end of an epoch, failed, closing.
What it is not: the playground's. There, whether a session trains is the session's own
answer (app/playground/training_state.py) and the connection keeps only its lifecycle
(app/web/phase.py); here the connection still keeps PLAYING and STEPPING beside the session's
`playing`, and `settle` brings them into line after each command.
Trade-off: kept as the workspace was built, so that folding it into the playground's model
(a DigitsSession that owns its training state) is one change of its own.
"""

from enum import Enum, auto


class DigitsPhase(Enum):
    AWAITING_HELLO = auto()  # no session yet
    READY = auto()  # a session, not training: the runner sleeps until woken
    PLAYING = auto()  # training while credit flows
    STEPPING = auto()  # training to the end of the current epoch, then READY
    FAILED = auto()  # an internal error: sleeps until reset or hello revives it
    CLOSING = auto()  # the reader ended; nothing more is sent
