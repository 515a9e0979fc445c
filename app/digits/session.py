"""One digits experiment: settings, the shared data, the model, its fit loop, the drawing.

What it is: `DigitsSession`, what the server drives for one `/digits` page: `install` a run
(a model and its fit loop, built by `build_run`, which is slow enough for a worker thread),
`apply` settings (the rate, batch size, shuffling and precision live; anything else is a new
run), `play`/`pause`, `work` within a time budget, `draw` a digit and ask for its
`prediction`, pick which first-layer `neurons` the frames show.
What it is not: a websocket handler (app/web/digits), a validator (settings.py) or the maths
(fit.py, kernel.py); it trusts the settings it is given.
Trade-off: the data is never copied: the training, validation and test rows are views of
the process's shared arrays (store.py), so a session costs its model, not its data; a reset
therefore keeps the data and draws new weights from the seed's next generation.
"""

import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.digits.drawing import mnist_style
from app.digits.fit import FitData, FitLoop, quiet
from app.digits.model import DenseStack, optimizer_for, seed_for, summary
from app.digits.results import Diverged, EpochResult, Evaluated
from app.digits.settings import LIVE_KEYS, DigitsSettings, Limits
from app.digits.store import Dataset
from app.digits.views import PAGE_UNITS, weight_images
from app.engine.optimizers import Optimizer
from app.playground.errors import ProtocolError

Message = dict[str, Any]
_RUN_IDS = itertools.count(1)  # every installed run gets its own number (the page's charts)


@dataclass(eq=False)
class Run:
    """A model from its first weights on: built off the event loop, installed on it."""

    settings: DigitsSettings
    stack: DenseStack
    optimizer: Optimizer
    loop: FitLoop
    generation: int
    data: Dataset


def split(settings: DigitsSettings, data: Dataset, limits: Limits) -> FitData:
    """The rows a session uses: the first `train_images` of the training set (all, capped
    by the server), of which Keras's `validation_split` keeps the last fraction for
    validation (floor(n·(1 − split)) rows train); the test set up to the server's cap."""
    n = min(len(data.x_train), settings.train_images or limits.max_train_images)
    n = min(n, limits.max_train_images)
    cut = math.floor(n * (1.0 - settings.validation_split))
    m = min(len(data.x_test), limits.max_test_images)
    return FitData(
        data.x_train[:cut],
        data.y_train[:cut],
        data.x_train[cut:n],
        data.y_train[cut:n],
        data.x_test[:m],
        data.y_test[:m],
    )


def build_run(settings: DigitsSettings, data: Dataset, limits: Limits, generation: int) -> Run:
    """A fresh model for `settings` with the seed's `generation`-th weights and shuffles."""
    limits.check(settings)
    optimizer = optimizer_for(settings)
    stack = DenseStack.for_settings(settings, seed_for(settings.seed, generation, 0))
    fit_data = split(settings, data, limits)
    if len(fit_data.x_train) == 0:
        raise ProtocolError("invalid_message", "no training rows left", "settings")
    loop = FitLoop(
        stack,
        optimizer,
        fit_data,
        precision=settings.precision,
        batch_size=settings.batch_size,
        shuffle=settings.shuffle,
        shuffle_seed=seed_for(settings.seed, generation, 1),
    )
    return Run(settings, stack, optimizer, loop, generation, data)


class DigitsSession:
    """A live digits experiment; every public method leaves it consistent or raises."""

    def __init__(self, run: Run, limits: Limits) -> None:
        self.limits = limits
        self.playing = False
        self.version = 0  # bumped by every visible change: a frame is due
        self.drawing: np.ndarray | None = None  # the MNIST-style 28x28 of the last drawing
        self.drawings = 0  # how many drawings came: each needs its probabilities shown
        self.neuron_first = 0
        self.history: list[EpochResult] = []
        self.evaluated_epoch = -1  # the epoch whose test evaluation the page has (views.py)
        self.install(run)

    @property
    def settings(self) -> DigitsSettings:
        return self.run.settings

    @property
    def loop(self) -> FitLoop:
        return self.run.loop

    def install(self, run: Run) -> None:
        """A new run replaces the old: paused, epoch 0, history cleared."""
        self.run, self.data = run, run.data
        self.run_id = next(_RUN_IDS)
        self.playing = False
        self.history = []
        self.evaluated_epoch = -1
        self.neuron_first = min(self.neuron_first, self._first_units() - 1)
        self.neuron_first -= self.neuron_first % PAGE_UNITS
        self.touch()

    def next_generation(self) -> int:
        return self.run.generation + 1

    # -- commands ---------------------------------------------------------------------------

    def needs_new_run(self, new: DigitsSettings) -> bool:
        """Whether `new` needs another model (anything but the live settings changed)."""
        old = self.settings
        changed = {k for k in type(new).model_fields if getattr(old, k) != getattr(new, k)}
        return bool(changed - LIVE_KEYS)

    def apply_live(self, new: DigitsSettings) -> None:
        """The live settings: the rate from the next update, the rest from the next epoch."""
        self.limits.check(new)
        loop = self.loop
        self.run.optimizer.learning_rate = new.learning_rate
        loop.batch_size, loop.shuffle, loop.precision = new.batch_size, new.shuffle, new.precision
        self.run.settings = new
        self.touch()

    def play(self) -> None:
        self.playing = True
        self.touch()

    def pause(self) -> None:
        self.playing = False
        self.touch()

    def show_neurons(self, first: int) -> None:
        """Which first-layer units the frames picture: `first` … `first` + 63."""
        units = self._first_units()
        if not 0 <= first < units:
            raise ProtocolError("invalid_message", f"the first layer has {units} units", "first")
        self.neuron_first = first
        self.touch()

    def draw(self, pixels: bytes) -> None:
        """A 28x28 drawing (784 bytes, row by row, 0 = paper); all zero clears it."""
        grid = np.frombuffer(pixels, dtype=np.uint8).reshape(28, 28)
        self.drawing = mnist_style(grid) if grid.any() else None
        self.drawings += 1
        self.touch()

    # -- training ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Work is due: training (playing) or an evaluation still running."""
        return self.playing or not self.loop.training_due

    def work(self, budget: float, train: bool, to_epoch_end: bool = False) -> list[Message]:
        """Units within `budget` seconds (training only if `train`); the messages due."""
        events = self.loop.run(time.perf_counter() + budget, train, to_epoch_end)
        messages: list[Message] = []
        for event in events:
            if isinstance(event, EpochResult):
                self.history.append(event)
                self.evaluated_epoch = event.epoch  # its test pass is the evaluation
                messages.append(epoch_message(event))
            elif isinstance(event, Diverged):
                self.playing = False
                messages.append({"type": "event", "event": "diverged", "message": event.message})
            elif isinstance(event, Evaluated):
                self.evaluated_epoch = event.epoch
        self.touch()
        return messages

    # -- what the page shows ----------------------------------------------------------------

    def touch(self) -> None:
        self.version += 1

    def _first_units(self) -> int:
        return self.run.stack.sizes[1]

    def neuron_images(self) -> tuple[int, int, np.ndarray]:
        """(first unit, total units, (k, 784) uint8) for the frames."""
        total = self._first_units()
        first = self.neuron_first
        count = min(PAGE_UNITS, total - first)
        return first, total, weight_images(self.run.stack.W[0], first, count)

    def prediction(self) -> np.ndarray | None:
        """The ten probabilities for the drawing, with the weights as they are now."""
        if self.drawing is None:
            return None
        kernel = self.loop.kernel
        with quiet():
            p = kernel.probabilities(kernel.inputs(self.drawing.reshape(1, 784)))[0]
        return np.asarray(p, dtype=np.float64)

    def summary(self) -> list[tuple[str, int, str, int]]:
        """model.summary()'s rows: (name, units, activation, params)."""
        return [(r.name, r.units, r.activation, r.params) for r in summary(self.settings)]

    def history_rows(self) -> list[Message]:
        """Every finished epoch, as the `epoch` messages said it."""
        return [epoch_message(r) for r in self.history]

    def estimate(self) -> dict[str, Any]:
        e = self.loop.estimate()
        return {"compute_seconds": e.compute, "seconds": e.wall, "measured": e.measured}


def epoch_message(r: EpochResult) -> Message:
    """An epoch as fit()'s History records it (plus the test set), for the page."""
    return {
        "type": "epoch",
        "epoch": r.epoch,
        "loss": r.loss,
        "accuracy": r.accuracy,
        "val_loss": r.val_loss,
        "val_accuracy": r.val_accuracy,
        "test_loss": r.test_loss,
        "test_accuracy": r.test_accuracy,
        "seconds": r.seconds,
        "compute_seconds": r.compute_seconds,
    }
