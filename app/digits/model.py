"""The digits model: a `keras.Sequential` of Dense layers as engine arrays, and its optimizer.

What it is: `DenseStack`, the parameters of 784 -> hidden Dense layers -> Dense(10, softmax)
in Keras's layout and order ([W1, b1, W2, b2, ...], W of shape (fan_in, fan_out), all views
of one vector, app/engine/flat.py), initialized by the engine's Keras initializers with
their zero biases; `optimizer_for`, the engine optimizer the settings name; `summary`, the
rows of `model.summary()`.
What it is not: the forward and backward passes (kernel.py) or the training loop (fit.py).
Trade-off: each hidden layer keeps its own activation (the article's models mix them),
which the engine's Network, built for the playground's one-activation networks, does not
do; so this module reuses the engine's parts (flat parameters, initializers, optimizers)
rather than its Network.

Shapes: W[l] (sizes[l], sizes[l+1]), b[l] (sizes[l+1],), float64.
"""

from dataclasses import dataclass

import numpy as np

from app.digits.settings import DigitsSettings
from app.engine import make_optimizer
from app.engine.flat import FlatParams, param_shapes
from app.engine.initializers import Draws, get_initializer
from app.engine.optimizers import Optimizer
from app.engine.types import FloatArray
from app.playground.errors import ProtocolError


class DenseStack:
    """The weights of the digits model; every W and b is a view of `params.flat`."""

    def __init__(self, sizes: list[int], activations: list[str], init: str, seed: int) -> None:
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"{len(sizes) - 1} layers need as many activations")
        self.sizes, self.activations, self.init = sizes, activations, init
        self.params = FlatParams(param_shapes(sizes))
        self.W: list[FloatArray] = self.params[0::2]
        self.b: list[FloatArray] = self.params[1::2]
        initializer = get_initializer(init)
        draws = Draws(seed=seed)  # one generator for every kernel, drawn layer by layer
        for W, b in zip(self.W, self.b, strict=True):
            W[...] = initializer.kernel(W.shape[0], W.shape[1], draws)
            b[...] = initializer.bias

    @classmethod
    def for_settings(cls, s: DigitsSettings, seed: int) -> "DenseStack":
        return cls(s.layer_sizes, s.activations, s.initializer, seed)

    @property
    def n_params(self) -> int:
        return int(self.params.flat.size)

    def get_weights(self) -> list[FloatArray]:
        """Copies, in Keras's `model.get_weights()` order."""
        return [p.copy() for p in self.params]


def optimizer_for(s: DigitsSettings) -> Optimizer:
    """The settings' optimizer; bad keyword arguments are a typed error naming the field."""
    try:
        return make_optimizer(s.optimizer, learning_rate=s.learning_rate, **s.optimizer_options)
    except (TypeError, ValueError) as exc:
        raise ProtocolError("invalid_message", str(exc), "settings.optimizer_options") from None


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One row of `model.summary()`: Keras's default layer name, units, activation, params."""

    name: str
    units: int
    activation: str
    params: int


def summary(s: DigitsSettings) -> list[SummaryRow]:
    """The rows model.summary() prints for these settings (names dense, dense_1, ...)."""
    sizes = s.layer_sizes
    layers = zip(sizes[:-1], sizes[1:], s.activations, strict=True)
    return [
        SummaryRow("dense" if i == 0 else f"dense_{i}", units, act, (fan_in + 1) * units)
        for i, (fan_in, units, act) in enumerate(layers)
    ]


def seed_for(seed: int, generation: int, stream: int) -> int:
    """A reproducible 63-bit seed per (settings seed, reset number, stream): stream 0 draws
    the initial weights, stream 1 the shuffles. Example: seed_for(7, 0, 0) is fixed."""
    return int(np.random.default_rng([seed, generation, stream]).integers(2**63))
