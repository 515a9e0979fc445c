"""From settings to a network and a trainer: the one recipe the session and the exports share.

What it is: `new_network`, `new_trainer` and `optimizer_from`, which turn PlaygroundSettings
(plus the seeded streams) into engine objects: the playground's initializer draws from the
playground stream, Keras initializers and shuffling from the NumPy one (docs/architecture.md
§1); and `check_limits`, the server's bound on the network it builds.
What it is not: the session's lifecycle (session.py) or validation (settings.py).
Trade-off: playground vs Keras batching is decided here from `settings.mode`, so an export
replays a run with exactly the rules the live session used.
"""

from typing import Protocol

import numpy as np

from app.engine import Network, Trainer, make_optimizer
from app.engine.optimizers import Optimizer
from app.playground.errors import ProtocolError
from app.playground.labels import output_activation, output_units
from app.playground.settings import PlaygroundSettings


class Stream(Protocol):
    def random(self) -> float: ...


def new_network(
    settings: PlaygroundSettings, rng: Stream, keras_rng: np.random.Generator
) -> Network:
    """The network for `settings`; playground weights come from `rng`
    (docs/playground-rules.md §4.2), Keras ones from a seed drawn from `keras_rng`."""
    s = settings
    init = "zeros" if s.init_zero else s.initializer
    keras_init = s.initializer != "playground"
    return Network(
        len(s.features),
        list(s.network_shape),
        s.activation,
        output_activation(s),
        output_units(s),
        init,
        rng=None if keras_init else rng,
        seed=int(keras_rng.integers(2**63)) if keras_init else None,
    )


def new_trainer(
    settings: PlaygroundSettings, net: Network, keras_rng: np.random.Generator | None
) -> Trainer:
    """The trainer for `settings`: playground batching (carried remainder) in playground
    mode, Keras `fit` batching otherwise; `keras_rng` shuffles when `shuffle` is on."""
    s = settings
    return Trainer(
        net,
        optimizer_from(s),
        loss=s.loss,
        regularization=None if s.regularization == "none" else s.regularization,
        regularization_rate=s.regularization_rate,
        batch_size=s.batch_size,
        shuffle=s.shuffle,
        rng=keras_rng,
        remainder="carry" if s.mode == "playground" else "partial",
    )


def optimizer_from(settings: PlaygroundSettings) -> Optimizer:
    """The settings' optimizer (settings.py has checked its options)."""
    s = settings
    return make_optimizer(s.optimizer, learning_rate=s.learning_rate, **s.optimizer_options)


def check_limits(s: PlaygroundSettings, max_layers: int, max_neurons: int) -> None:
    """Refuse a network bigger than this server builds (its limits come from app/web/config)."""
    if len(s.network_shape) > max_layers or any(n > max_neurons for n in s.network_shape):
        message = (
            f"at most {max_layers} hidden layers of at most {max_neurons} neurons on this server"
        )
        raise ProtocolError("invalid_message", message, "settings.network_shape")
