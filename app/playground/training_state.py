"""Whether a session trains: paused, playing, or stepping through a number of epochs.

What it is: `Training`, the three states, and `TrainingState`, the one owner of which one
a session is in and of the epochs a step still owes. Only its named moves change it (play,
pause, step, took), as only `receive` and `send` move Starlette's WebSocketState;
asking to train while paused is a bug in the caller and raises.
What it is not: the connection's lifecycle (app/web/phase.py: hello, failed, closing) or
the pace of training (app/web/pacer.py).
Trade-off: the server's runner and frames, the state message and the gangs all read this
one answer instead of each keeping a flag, so a reset anywhere (a handler, a checkpoint,
a test) stops training at once: there is nothing else to bring into line.
"""

from enum import Enum


class Training(Enum):
    PAUSED = "paused"
    PLAYING = "playing"  # epochs as long as the user watches, at the session's speed
    STEPPING = "stepping"  # `steps_left` more epochs, then paused (docs/protocol.md §2)


class TrainingState:
    """One session's Training and the epochs its step still owes (0 unless stepping)."""

    def __init__(self) -> None:
        self.state = Training.PAUSED
        self.steps_left = 0

    def play(self) -> None:
        """Train on; a step under way gives way to playing."""
        self.state, self.steps_left = Training.PLAYING, 0

    def pause(self) -> None:
        """Stop, whatever was under way (pause, reset, a divergence, an epoch limit)."""
        self.state, self.steps_left = Training.PAUSED, 0

    def step(self, epochs: int) -> None:
        """`epochs` more epochs, then pause: added to a step under way, else instead of
        playing (docs/protocol.md §2)."""
        if epochs < 1:
            raise ValueError(f"a step trains at least 1 epoch, not {epochs}")
        owed = self.steps_left if self.state is Training.STEPPING else 0
        self.state, self.steps_left = Training.STEPPING, owed + epochs

    def allowed(self, epochs: int) -> int:
        """How many of `epochs` may train now: all while playing, what a step still owes.

        Raises RuntimeError while paused: whoever trains must have looked first, so a
        paused session that is asked to train is a bug to report, not to paper over.
        """
        if self.state is Training.PAUSED:
            raise RuntimeError("a paused session trains nothing: play or step first")
        return epochs if self.state is Training.PLAYING else min(epochs, self.steps_left)

    def took(self, epochs: int) -> None:
        """`epochs` were trained: a step counts them down and pauses when it is done."""
        if self.state is Training.STEPPING:
            self.steps_left -= epochs
            if self.steps_left <= 0:
                self.pause()
