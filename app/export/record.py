"""What a reproduction of a run needs, and the engine's own re-run of it as the reference.

What it is: `RunRecord`, a frozen snapshot of one run from its last reset (settings, initial
weights, the data exactly as the trainer sees it, the number of epochs and the shuffle
generator's state), plus `engine_history`/`engine_losses`, which rebuild the Network and
Trainer the way app/playground/session.py does and replay the run to give the per-epoch
display losses that exported scripts must print. The caveat helpers say where Keras has no
equivalent.
What it is not: a checkpoint (no optimizer state, no carry, no random streams beyond the
shuffle). What the user did during the run (app/playground/run_log.py) arrives as a
`Replay`, built by app/export/replay.py; `engine_history` replays a record without events.
Trade-off: the record carries the data itself rather than the seed that generates it, so a
script needs nothing from this project to run; the price is a few tens of kB of numbers.

Shapes: initial_weights [W1 (k, h1), b1 (h1,), ..., Wn (h, K), bn (K,)] float64 (Keras
layout, K output units: 1, or the class count under softmax); Ftr (n, k), Fte (m, k) and
ytr (n, K), yte (m, K) float64.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine import Network, Trainer
from app.engine.flat import param_shapes
from app.engine.types import FloatArray
from app.playground.build import new_trainer, optimizer_from
from app.playground.labels import output_activation, output_units
from app.playground.settings import PlaygroundSettings

Data4 = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


@dataclass(frozen=True, eq=False)
class Replay:
    """What a replay applies between epochs: `events` are (e, event) pairs, applied after e
    epochs in order, each event ("learning_rate", v) | ("weight", layer, src, dst, v) |
    ("bias", layer, node, v) | ("regenerate", i) (the data becomes `datasets[i]`, as
    (F_train, T_train, F_test, T_test) without clicked rows) | ("add_point", f_row, t_row) |
    ("clear_points",) | ("diverged",); the last `n_added` rows of the first training set were
    clicked in; `notes` say where the replay stops short, and why."""

    events: tuple[tuple[int, tuple[Any, ...]], ...] = ()
    datasets: tuple[Data4, ...] = ()
    n_added: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class RunRecord:
    """One run from its initial weights; `ytr`/`yte` are the targets the trainer uses
    (app/playground/labels.py `targets`): ±1 (playground/mse classification), 0/1
    (binary_crossentropy), one-hot (categorical_crossentropy) or real (regression)."""

    settings: PlaygroundSettings
    initial_weights: list[FloatArray]
    Ftr: FloatArray
    ytr: FloatArray
    Fte: FloatArray
    yte: FloatArray
    epochs: int
    shuffle_state: dict[str, Any] | None
    caveats: tuple[str, ...] = ()
    replay: Replay = field(default_factory=Replay)

    def __post_init__(self) -> None:
        sizes = layer_sizes(self.settings)
        expected = param_shapes(sizes)
        got = [np.shape(w) for w in self.initial_weights]
        if got != expected:
            raise ValueError(f"initial_weights shapes {got} do not match the network {expected}")
        for name, F, y in (("train", self.Ftr, self.ytr), ("test", self.Fte, self.yte)):
            if F.ndim != 2 or F.shape[1] != sizes[0] or y.shape != (len(F), sizes[-1]):
                raise ValueError(f"{name} data must be F (n, {sizes[0]}) and y (n, {sizes[-1]})")
        if self.epochs < 0:
            raise ValueError(f"epochs must be >= 0, got {self.epochs}")
        if self.settings.shuffle and self.shuffle_state is None:
            raise ValueError("a shuffled run needs the shuffle generator's state")


# ---- the network and trainer the session builds (app/playground/session.py) ----


def layer_sizes(settings: PlaygroundSettings) -> list[int]:
    """[#features, *hidden, K] (docs/playground-rules.md §4.1), K output units
    (app/playground/labels.py)."""
    return [len(settings.features), *settings.network_shape, output_units(settings)]


def trainer_of(record: RunRecord) -> Trainer:
    """Network at the initial weights + the session's own Trainer recipe (playground/build.py)."""
    s = record.settings
    sizes = layer_sizes(s)
    net = Network(sizes[0], sizes[1:-1], s.activation, output_activation(s), sizes[-1], "zeros")
    net.set_weights(record.initial_weights)
    rng = None
    if record.shuffle_state is not None:
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = record.shuffle_state
    return new_trainer(s, net, rng)


def engine_history(record: RunRecord) -> list[tuple[float, float]]:
    """(train, test) display loss after each of the record's epochs, replayed by the engine.

    The display loss is what a frame shows: mean ½(o−t)² for loss "playground", otherwise
    the mean Keras loss; never the penalty. Raises DivergenceError if the replay diverges.
    """
    trainer = trainer_of(record)
    display = trainer.loss if record.settings.loss == "playground" else trainer.keras_loss
    history = []
    for _ in range(record.epochs):
        trainer.train_epoch(record.Ftr, record.ytr)
        history.append((display(record.Ftr, record.ytr), display(record.Fte, record.yte)))
    return history


def engine_losses(record: RunRecord) -> list[float]:
    """The per-epoch training display losses: the reference an exported script must print."""
    return [train for train, _ in engine_history(record)]


# ---- where a replay cannot follow the playground ----


def carries_over(record: RunRecord) -> bool:
    """Playground batching with N mod B != 0: samples carried into the next epoch (§4.5)."""
    s = record.settings
    return s.mode == "playground" and len(record.Ftr) % s.batch_size != 0


def kills_links(settings: PlaygroundSettings) -> bool:
    """L1 under plain SGD: weights crossing zero die (docs/playground-rules.md §4.5 step 4)."""
    l1 = settings.regularization == "L1" and settings.regularization_rate > 0
    return l1 and optimizer_from(settings).is_plain_sgd


NEVER_NOTE = (
    "The playground never updates the weights of this run: it has N = {n} training samples, "
    "fewer than one batch of {b}, and it only updates after a full batch (the page says so)."
)


def never_updates(record: RunRecord) -> list[str]:
    """The page's small-data rule, said in the script as the page says it (issue 11)."""
    n, b = len(record.Ftr), record.settings.batch_size
    return [NEVER_NOTE.format(n=n, b=b)] if carries_over(record) and n < b else []


def reproduction_caveats(record: RunRecord) -> list[str]:
    """Every known reason a replay's losses may differ from the page's, or stop short, plus
    the small-data rule, which the replay follows but a reader would not expect."""
    return [*never_updates(record), *record.replay.notes, *record.caveats]
