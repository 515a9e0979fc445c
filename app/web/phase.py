"""The explicit state of one connection, shared by the reader (connection.py, handlers.py)
and the runner (runner.py), so neither has to infer it from loose flags."""

from enum import Enum, auto


class Phase(Enum):
    """Where the connection is; the runner's whole decision is a look at this."""

    AWAITING_HELLO = auto()  # no session yet
    READY = auto()  # a session, not training: the runner sleeps until woken
    PLAYING = auto()  # training at the session's speed while credit flows
    STEPPING = auto()  # `step n` in slices: `steps_left` epochs to go
    FAILED = auto()  # an internal error: sleeps until reset, hello or import revives it
    CLOSING = auto()  # the reader ended; nothing more is sent
