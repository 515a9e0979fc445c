"""Keras's `fit()` for the digits model, cut into units of work of a few milliseconds.

What it is: `FitLoop`, which trains epoch after epoch exactly as `model.fit(x, y,
batch_size, shuffle, validation_split)` does (an update per batch, the last batch short,
the epoch's `loss` and `accuracy` the means over its batches at the weights before each
update, `val_loss` and `val_accuracy` on the validation rows after the epoch), then
evaluates the test set (our addition: what `model.evaluate(x_test, y_test)` would say,
kept for the confusion matrix and the gallery). `run(deadline, train)` does units until the
deadline: a chunk of a batch (kernel.py), a batch's update, a chunk of the validation or
test set. A batch whose work is cut between two calls continues exactly where it stopped.
What it is not: a clock or a scheduler (the caller hands it a deadline), nor the session's
commands (session.py).
Trade-off: units are sized from the model's arithmetic (CHUNK_MACS), not from a stopwatch,
so a run's numbers never depend on how busy the machine was; a unit therefore takes longer
on a slow machine (about 1-2 ms of float64 arithmetic here).
A batch whose loss or gradient is not finite, or an update that leaves a weight that is not,
rolls the network and the optimizer back to the start of the epoch (a copy kept there) and
stops with a `Diverged`: the weights are then the last finite ones at epoch granularity.

Shapes: images (n, 784) uint8 read-only views of the shared data (store.py), labels (n,).
"""

import math
import time
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.digits.kernel import Kernel, chunk_rows, loss_sum, macs_per_row, phase_breaks
from app.digits.model import DenseStack
from app.digits.results import (
    Costs,
    Diverged,
    EpochResult,
    Estimate,
    Evaluated,
    Event,
    Sums,
    estimate,
)
from app.engine.flat import FlatParams
from app.engine.optimizers import Optimizer

U8 = npt.NDArray[np.uint8]
# Multiply-adds per unit of work: ~3 ms of float64 products here (38 GFLOP/s on one core),
# so one batch of 100 through 512 units is two units (the forward pass, then the first
# layer's dW), with the arithmetic of one.
CHUNK_MACS = {"float64": 60_000_000, "float32": 120_000_000}


@dataclass(frozen=True, eq=False)
class FitData:
    """The rows a session trains, validates and tests on (views, never copies)."""

    x_train: U8
    y_train: U8
    x_val: U8
    y_val: U8
    x_test: U8
    y_test: U8


def quiet() -> np.errstate:
    """Overflow is detected after the fact (a divergence), so NumPy's warnings about it are
    noise: silenced around the units, as the engine's trainer does."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


class FitLoop:
    """fit(), epoch after epoch, in units; see the module docstring."""

    def __init__(
        self,
        stack: DenseStack,
        optimizer: Optimizer,
        data: FitData,
        *,
        precision: str,
        batch_size: int,
        shuffle: bool,
        shuffle_seed: int,
    ) -> None:
        self.stack, self.optimizer, self.data = stack, optimizer, data
        self.precision, self.batch_size, self.shuffle = precision, batch_size, shuffle
        self.rng = np.random.default_rng(shuffle_seed)
        self.kernel = Kernel(stack, precision)
        self.g64 = FlatParams(stack.params.shapes)  # the float32 gradient's mean, in float64
        self.epoch = 0  # epochs completed (trained, validated and tested)
        self.phase = "test"  # the untrained network is evaluated first
        self.costs = Costs()
        self.points: list[tuple[float, float, float]] = []  # (epoch + fraction, loss, acc)
        self.test_probs = np.zeros((len(data.x_test), 10), dtype=np.float32)
        self._compute = 0.0  # seconds computed since the epoch (or the evaluation) began
        self.steps: Generator[None, None, tuple[float, int]] | None = None  # a chunk under way
        self.chunk_len = 0  # rows of the chunk under way
        self._unit_seconds = 0.0  # the chunk's units so far (its cost per row is noted at its end)
        self._begin_pass()
        self._epoch_open = False
        self.order: npt.NDArray[np.intp] | None = None
        self.epoch_sums = Sums()
        self.val_result: tuple[float, float] | None = None

    # -- where it stands ----------------------------------------------------------------------

    @property
    def n_train(self) -> int:
        return len(self.data.x_train)

    @property
    def progress(self) -> float:
        """The fraction of this epoch's training rows done (1 while evaluating)."""
        if self.phase == "train":
            return (self.pos + self.chunk_pos) / max(1, self.n_train)
        return 1.0 if self.phase in ("validate", "test") and self._epoch_open else 0.0

    @property
    def training_due(self) -> bool:
        """Only training is left to do (no evaluation is pending)."""
        return self.phase in ("ready", "train")

    def running(self) -> tuple[float, float]:
        """The epoch's loss and accuracy so far, as Keras's progress bar shows them."""
        return self.epoch_sums.mean()

    # -- work ---------------------------------------------------------------------------------

    def run(self, deadline: float, train: bool, to_epoch_end: bool = False) -> list[Event]:
        """Units until `deadline` (time.perf_counter seconds); training units only if
        `train`; with `to_epoch_end`, stop once an epoch is complete. Returns what ended."""
        events: list[Event] = []
        with quiet():
            while not (self.training_due and not train):
                start = time.perf_counter()
                event = self._unit()
                self._compute += time.perf_counter() - start
                if event is not None:
                    events.append(event)
                    if isinstance(event, Diverged) or (
                        to_epoch_end and isinstance(event, EpochResult)
                    ):
                        break
                if time.perf_counter() >= deadline:
                    break
        return events

    def _unit(self) -> Event | None:
        if self.phase == "ready":
            self._start_epoch()
        if self.phase == "train":
            return self._train_unit()
        if self.phase == "validate":
            return self._eval_unit(self.data.x_val, self.data.y_val, None)
        return self._eval_unit(self.data.x_test, self.data.y_test, self.test_probs)

    def _begin_pass(self) -> None:
        self.pos, self.chunk_pos, self.sums = 0, 0, Sums()
        self.steps, self._unit_seconds = None, 0.0

    def _start_epoch(self) -> None:
        n = self.n_train
        self.order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        self.epoch_batch = self.batch_size  # a change of batch size applies per epoch
        if self.kernel.precision != self.precision:
            self.kernel = Kernel(self.stack, self.precision)
        self.snapshot = (self.stack.params.flat.copy(), self.optimizer.get_state())
        self.epoch_sums, self.val_result = Sums(), None
        self._epoch_open, self._compute = True, 0.0
        self.epoch_started = time.perf_counter()
        self._begin_pass()
        self.phase = "train"

    def _train_unit(self) -> Event | None:
        """One phase group of one chunk of the batch under way (kernel.py); at the batch's
        end, its update."""
        start = time.perf_counter()
        size = min(self.epoch_batch, self.n_train - self.pos)
        if self.steps is None:
            self.steps = self._chunk_steps(size)
        try:
            next(self.steps)
            self._unit_seconds += time.perf_counter() - start
            return None
        except StopIteration as finished:
            loss, correct = finished.value
        self.steps, rows = None, self.chunk_len
        self.sums.add(rows, loss, correct)
        self.chunk_pos += rows
        event = self._end_batch(size) if self.chunk_pos == size else None
        seconds, self._unit_seconds = self._unit_seconds + time.perf_counter() - start, 0.0
        self.costs.note("train_row", seconds, rows)
        return event

    def _chunk_steps(self, size: int) -> Generator[None, None, tuple[float, int]]:
        assert self.order is not None
        sizes, budget = self.stack.sizes, CHUNK_MACS[self.kernel.precision]
        end = min(size, self.chunk_pos + chunk_rows(sizes, budget))
        index = self.order[self.pos + self.chunk_pos : self.pos + end]
        self.chunk_len = len(index)
        X = self.kernel.inputs(self.data.x_train[index])
        breaks = phase_breaks(sizes, len(index), budget)
        return self.kernel.train_steps(X, self.data.y_train[index], self.chunk_pos == 0, breaks)

    def _end_batch(self, size: int) -> Event | None:
        """The batch's update (Keras: the gradient of the batch's mean loss)."""
        if not math.isfinite(self.sums.loss):
            return self._diverged("the loss became inf or NaN")
        # Keras: the gradient of the batch's mean loss. In float64 the sums become the mean
        # in place (the next batch overwrites them); float32 sums go to float64 for the update.
        grads = self.kernel.grads
        mean = grads if grads.flat.dtype == np.float64 else self.g64
        np.divide(grads.flat, size, out=mean.flat, dtype=np.float64)
        params = self.stack.params
        step = self.optimizer.flat_step(params.shapes)  # plain SGD, in place, no temporary
        if step is None:
            self.optimizer.apply(params, mean)
        else:
            step(params.flat, mean.flat)
        # One check catches a gradient that was not finite too: it made the weights so. A sum
        # is inf or NaN if any term is (or if it overflows, which is divergence as well): one
        # pass and no temporary, where isfinite(...).all() makes a boolean array first.
        if not math.isfinite(float(np.sum(params.flat))):
            return self._diverged("a weight became inf or NaN")
        self.kernel.refresh()
        self.epoch_sums.add(size, self.sums.loss, self.sums.correct)
        self.pos += size
        batch_loss, batch_acc = self.sums.loss / size, self.sums.correct / size
        self.points.append((self.epoch + self.pos / self.n_train, batch_loss, batch_acc))
        self.chunk_pos, self.sums = 0, Sums()
        if self.pos == self.n_train:
            self.phase = "validate" if len(self.data.x_val) else "test"
            self.pos = 0
        return None

    def _eval_unit(self, x: U8, y: U8, keep: npt.NDArray[np.float32] | None) -> Event | None:
        start = time.perf_counter()
        rows = max(1, CHUNK_MACS[self.kernel.precision] // macs_per_row(self.stack.sizes))
        end = min(len(x), self.pos + rows)
        p = self.kernel.probabilities(self.kernel.inputs(x[self.pos : end]))
        labels = y[self.pos : end]
        loss = loss_sum(p, self.kernel.eye[labels])
        self.sums.add(end - self.pos, loss, int(np.count_nonzero(p.argmax(axis=1) == labels)))
        if keep is not None:
            keep[self.pos : end] = p
        self.costs.note("eval_row", time.perf_counter() - start, end - self.pos)
        self.pos = end
        if end < len(x):
            return None
        if keep is None:
            self._end_validation()
            return None
        return self._end_test()

    def _end_validation(self) -> None:
        self.val_result = self.sums.mean()
        self._begin_pass()
        self.phase = "test"

    def _end_test(self) -> Event:
        test_loss, test_acc = self.sums.mean()
        self._begin_pass()
        self.phase = "ready"
        if not self._epoch_open:
            return Evaluated(self.epoch)
        self.epoch += 1
        self._epoch_open = False
        loss, acc = self.epoch_sums.mean()
        val_loss, val_acc = self.val_result or (None, None)
        wall = time.perf_counter() - self.epoch_started
        self.costs.epoch_wall, self.costs.epoch_compute = wall, self._compute
        return EpochResult(
            self.epoch, loss, acc, val_loss, val_acc, test_loss, test_acc, wall, self._compute
        )

    def _diverged(self, why: str) -> Diverged:
        params, state = self.snapshot
        self.stack.params.flat[...] = params
        self.optimizer.set_state(state)
        self.kernel.refresh()
        self._epoch_open = False
        self._begin_pass()
        self.phase = "ready"
        epoch = self.epoch + 1
        message = (
            f"Training diverged in epoch {epoch}: {why}. The learning rate is probably too "
            f"high for this model; the network is back where epoch {epoch} started."
        )
        return Diverged(epoch, message)

    # -- what it shows ------------------------------------------------------------------------

    def estimate(self) -> Estimate:
        d = self.data
        return estimate(self.costs, len(d.x_train), len(d.x_val) + len(d.x_test))

    def take_points(self) -> list[tuple[float, float, float]]:
        """The batch points not handed out yet (each handed out once)."""
        points, self.points = self.points, []
        return points
