"""What the fit loop reports: an epoch's results, its events, and what it has cost so far.

What it is: the events `FitLoop.run` returns (`EpochResult`, the History row of an epoch plus
the test set and its time; `Evaluated`; `Diverged`), the running sums a pass keeps (`Sums`),
the measured cost per row (`Costs`) and the estimate of an epoch's time made from them.
What it is not: the loop (fit.py) or how the page shows them (outbound.py, frames.py).
Trade-off: the estimate is measured, never guessed from a model's size: before anything has
run it is unknown, and the page says so; after an epoch its wall-clock part reflects this
session's share of a shared server, which no formula knows.
"""

import math
from dataclasses import dataclass

EMA = 0.2  # weight of the newest measurement in the per-row cost averages


@dataclass(frozen=True)
class EpochResult:
    """What Keras's History records for an epoch, plus the test set and the time taken."""

    epoch: int
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    test_loss: float
    test_accuracy: float
    seconds: float  # wall clock from the epoch's first unit to its last
    compute_seconds: float  # of which spent computing


@dataclass(frozen=True)
class Evaluated:
    """The test set was evaluated at `epoch` (0: the untrained network); see `test_probs`."""

    epoch: int


@dataclass(frozen=True)
class Diverged:
    epoch: int
    message: str


Event = EpochResult | Evaluated | Diverged


@dataclass
class Sums:
    """Running sums of a pass: rows seen, loss summed per sample, right answers."""

    rows: int = 0
    loss: float = 0.0
    correct: int = 0

    def add(self, rows: int, loss: float, correct: int) -> None:
        self.rows += rows
        self.loss += loss
        self.correct += correct

    def mean(self) -> tuple[float, float]:
        if not self.rows:
            return math.nan, math.nan
        return self.loss / self.rows, self.correct / self.rows


@dataclass
class Costs:
    """Measured seconds per row of training (update included) and of evaluation."""

    train_row: float | None = None
    eval_row: float | None = None
    epoch_wall: float | None = None  # the last epoch's wall clock
    epoch_compute: float | None = None

    def note(self, kind: str, seconds: float, rows: int) -> None:
        per_row = seconds / max(1, rows)
        old = getattr(self, kind)
        setattr(self, kind, per_row if old is None else (1 - EMA) * old + EMA * per_row)


@dataclass
class Estimate:
    """How long an epoch takes here: the measured compute, and the wall clock it becomes
    on this shared server (docs/digits.md)."""

    compute: float | None = None
    wall: float | None = None
    measured: bool = False


def estimate(c: Costs, trained: int, evaluated: int) -> Estimate:
    """An epoch of `trained` training rows and `evaluated` validation and test rows: compute
    from the measured per-row costs; wall clock from the last epoch's ratio of wall to
    compute (the share of the server this session got), else unknown."""
    if c.train_row is None and c.eval_row is None:
        return Estimate()
    eval_row = c.eval_row if c.eval_row is not None else (c.train_row or 0.0) / 3
    train_row = c.train_row if c.train_row is not None else 3 * eval_row
    compute = trained * train_row + evaluated * eval_row
    if c.epoch_wall is None or not c.epoch_compute:
        return Estimate(compute, None, c.epoch_wall is not None)
    return Estimate(compute, compute * c.epoch_wall / c.epoch_compute, True)
