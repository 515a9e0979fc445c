"""The pace of one connection: credit, frame cadence, epoch debt, checkpoints, watching.

What it is: `Pacer`, plain arithmetic over times the caller passes in (`now`, monotonic
seconds). It decides whether a frame may go, how many epochs are owed at a given speed, how
long the runner may sleep, when a checkpoint is due and whether anybody still watches.
What it is not: a clock, a socket or a session: it never reads the time and never sends, so
it is unit-tested with made-up times (tests/unit/test_pacer.py).
Trade-off: the caller must hand `now` to every call; in exchange every rule of
docs/protocol.md §7 is a line here that a test can pin without a server.
"""

from app.playground.registry import MAX_CREDIT

UNWATCHED_SECONDS = 5.0  # a playing session that granted no credit this long stops
IDLE_SLEEP = 3600.0  # nothing to do: sleep until a message wakes the runner
# Checkpoints after commands: never closer than this many times their own encoding time,
# nor than 1 s per MB sent, so a connection's checkpoints take at most ~2% of the loop however
# large (issue 20, item 7), while a small one still goes at once (a pause, then a reload).
CHECKPOINT_COST_RATIO = 50.0
CHECKPOINT_BYTES_PER_SECOND = 1e6


class Pacer:
    """Credit and cadence of one connection; all times are monotonic seconds."""

    def __init__(self, frames_per_second: float, checkpoint_interval: float, now: float) -> None:
        self.frame_gap = 1.0 / frames_per_second
        self.checkpoint_interval = checkpoint_interval
        self.credit = 0
        self.next_frame = 0.0  # when the next frame may go: a fixed cadence
        self.epoch_debt = 0.0  # epochs owed at the session's speed, at most a frame's worth
        self.last_tick: float | None = None  # when epochs were last owed (None: not playing)
        self.starved_since = now  # when the credit last ran out (or play was pressed)
        self.last_checkpoint = now
        self.checkpoint_due = False  # a command changed the run since the last checkpoint
        self.checkpoint_gap = 0.0  # how long after the last checkpoint the next may go
        self.reading = False  # credit arrived since the last checkpoint: the client reads

    # -- credit -----------------------------------------------------------------------------

    def grant(self, frames: int) -> None:
        self.credit = min(MAX_CREDIT, self.credit + frames)
        self.reading = True

    def frame_due(self, now: float) -> bool:
        """Credit is there and the cadence allows a frame now (if anything changed)."""
        return self.credit > 0 and now >= self.next_frame

    def frame_sent(self, now: float) -> None:
        """A fixed cadence (not "a gap after the last send", which drifts by every overrun),
        never closer than half a gap after a late frame."""
        self.credit -= 1
        if self.credit == 0:
            self.starved_since = now
        self.next_frame = max(self.next_frame + self.frame_gap, now + self.frame_gap / 2)

    def unwatched(self, now: float) -> bool:
        """Nobody reads: the credit ran out UNWATCHED_SECONDS ago and none came since (a
        hidden tab draws nothing, so it grants nothing). Credit in hand means the client
        waits for a frame, however slow the speed."""
        return self.credit == 0 and now - self.starved_since >= UNWATCHED_SECONDS

    # -- training pace ----------------------------------------------------------------------

    def start_playing(self, now: float) -> None:
        """Play pressed: no debt from before, and the watch clock starts now."""
        self.epoch_debt, self.last_tick, self.starved_since = 0.0, None, now

    def owed(self, speed: float, now: float, waiting: int = 0) -> float:
        """Epochs owed at `speed` epochs/s by `now`, less the `waiting` ones gangs already
        trained that its runner has not taken yet, changing nothing (a gang's leader reads
        its mates' debts with it). At most one frame's worth is owed: an overloaded worker
        then trains slower than asked but keeps drawing, instead of training in silence.
        The cap comes after the waiting epochs are paid: capped first, a mate whose own
        turns come rarely (an overloaded worker) would stop being trained by gangs once a
        frame's worth waited for it, the gangs would shrink, and each epoch would cost more
        just when the worker has least to spare (80 students lost 40% of their epochs)."""
        elapsed = 0.0 if self.last_tick is None else now - self.last_tick
        frame_worth = speed * self.frame_gap
        return min(self.epoch_debt + speed * elapsed - waiting, max(1.0, frame_worth))

    def accrue(self, speed: float, now: float) -> int:
        """Bring the debt up to `now` (its own runner, once a turn); whole epochs owed."""
        self.epoch_debt, self.last_tick = self.owed(speed, now), now
        return int(self.epoch_debt)

    def trained(self, epochs: int) -> None:
        self.epoch_debt -= epochs

    def slice_budget(self, now: float, slice_seconds: float, min_slice: float) -> float:
        """Train until the next frame is due (at least a sliver), so frames keep their
        cadence; never longer than one slice."""
        return min(slice_seconds, max(min_slice, self.next_frame - now))

    def sleep_for(self, now: float, frame_pending: bool, speed: float | None, busy: bool) -> float:
        """How long the runner may sleep. `frame_pending`: a changed picture could go if the
        cadence allowed; `busy`: training is under way (playing or stepping) at `speed`
        (None = as fast as possible). Idle, paused or failed sessions sleep until woken."""
        delay = max(0.0, self.next_frame - now) if frame_pending else IDLE_SLEEP
        if busy:
            owed = 0.0 if speed is None else max(0.0, 1.0 - self.epoch_debt) / speed
            delay = min(delay, owed, self.frame_gap)
        return delay

    # -- checkpoints ------------------------------------------------------------------------

    def checkpoint_wanted(self, now: float, playing: bool) -> bool:
        """After a command, or every interval while playing; only to a client that reads
        (one that grants nothing is sent nothing unasked)."""
        since = now - self.last_checkpoint
        periodic = playing and since >= self.checkpoint_interval
        return (self.checkpoint_due or periodic) and self.reading and since >= self.checkpoint_gap

    def checkpoint_wait(self, now: float) -> float:
        """How long until a checkpoint a command asked for may go (IDLE_SLEEP: none asked)."""
        if not (self.checkpoint_due and self.reading):
            return IDLE_SLEEP
        return max(0.0, self.last_checkpoint + self.checkpoint_gap - now)

    def checkpoint_sent(self, now: float, cost: float = 0.0, size: int = 0) -> None:
        """One went out; its encoding time (`cost`, seconds) and `size` (bytes) space out
        the next."""
        self.last_checkpoint, self.checkpoint_due, self.reading = now, False, False
        by_size = size / CHECKPOINT_BYTES_PER_SECOND
        self.checkpoint_gap = max(CHECKPOINT_COST_RATIO * cost, by_size)
