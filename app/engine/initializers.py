"""Weight initializers: the playground's seeded U[−0.5, 0.5) and the Keras 3 set.

What it is: `INITIALIZERS`, a name -> Initializer table. Each builds one kernel of shape
(fan_in, fan_out) float64 and names the constant its biases start at.
- playground: `rng.random() − 0.5` in the playground's draw order, biases 0.1
  (docs/playground-rules.md §4.2). zeros: the playground's `initZero`, whose draws are
  still consumed.
- glorot/he/lecun × uniform/normal, random_normal, random_uniform: the Keras 3 formulas
  (docs/keras-rules.md §5), biases 0.
What it is not: bit-compatible with Keras's own random streams. The Keras initializers
reproduce the distributions, not the particular draws.
Trade-off: the randomness comes through one `Draws` object. It hands the playground stream
to the playground initializers and a lazily built `np.random.Generator` to the Keras ones.
So a caller can pass the same seeded stream whatever the initializer, and a playground
initializer never loses a draw to a Generator it does not need.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.engine.types import FloatArray

# Standard deviation of a standard normal truncated to ±2; Keras divides by it so the
# truncated draw has exactly the requested std (docs/keras-rules.md §5).
TRUNCATED_STD = 0.87962566103423978


class RandomStream(Protocol):
    """Anything with `random() -> float` in [0, 1): PlaygroundRandom, np.random.Generator, ..."""

    def random(self) -> float: ...


class Draws:
    """The randomness an initializer may use: the caller's stream and/or an integer seed.

    `stream()` is `rng`, or else the generator. `generator()` is built on first use:
    from `seed` if given, else `rng` itself if it is a Generator, else seeded by one draw from
    `rng` (so a PlaygroundRandom also makes the Keras initializers reproducible), else fresh.
    """

    def __init__(self, rng: RandomStream | None = None, seed: int | None = None) -> None:
        self.rng = rng
        self.seed = seed
        self._generator: np.random.Generator | None = None

    def stream(self) -> RandomStream:
        return self.rng if self.rng is not None else self.generator()

    def generator(self) -> np.random.Generator:
        if self._generator is None:
            if self.seed is not None:
                self._generator = np.random.default_rng(self.seed)
            elif isinstance(self.rng, np.random.Generator):
                self._generator = self.rng
            elif self.rng is not None:
                self._generator = np.random.default_rng(int(self.rng.random() * 2**53))
            else:
                self._generator = np.random.default_rng()
        return self._generator


@dataclass(frozen=True)
class Initializer:
    """A named initializer: `kernel(fan_in, fan_out, draws) -> (fan_in, fan_out)` and `bias`."""

    name: str
    kernel: Callable[[int, int, Draws], FloatArray]
    bias: float = 0.0


def _playground(fan_in: int, fan_out: int, draws: Draws) -> FloatArray:
    # §4.2: draws go destination node by destination node, and within each by source
    # node; with the Keras layout W[src, dst] that is the transpose of a row-major fill.
    stream = draws.stream()
    flat = [stream.random() - 0.5 for _ in range(fan_in * fan_out)]
    return np.array(flat, dtype=np.float64).reshape(fan_out, fan_in).T.copy()


def _zeros(fan_in: int, fan_out: int, draws: Draws) -> FloatArray:
    # §4.2: initZero still consumes one draw per weight, keeping the stream in step.
    if draws.rng is not None:
        for _ in range(fan_in * fan_out):
            draws.rng.random()
    return np.zeros((fan_in, fan_out))


def _variance(scale: float, fan: float) -> float:
    return scale / max(1.0, fan)


def _uniform(limit: float, shape: tuple[int, int], draws: Draws) -> FloatArray:
    return draws.generator().uniform(-limit, limit, size=shape)


def _truncated_normal(std: float, shape: tuple[int, int], draws: Draws) -> FloatArray:
    # N(0, σ) cut to ±2σ by redrawing the entries that fall outside; σ = std / 0.8796 so that
    # the truncated distribution has standard deviation `std`.
    sigma = std / TRUNCATED_STD
    gen = draws.generator()
    W = gen.normal(0.0, sigma, size=shape)
    outside = np.abs(W) > 2 * sigma
    while outside.any():
        W[outside] = gen.normal(0.0, sigma, size=int(outside.sum()))
        outside = np.abs(W) > 2 * sigma
    return W


def _scaled(scale: float, mode: str, distribution: str) -> Callable[[int, int, Draws], FloatArray]:
    """A Keras VarianceScaling kernel: var = scale / max(1, fan), fan per `mode`."""

    def kernel(fan_in: int, fan_out: int, draws: Draws) -> FloatArray:
        fan = fan_in if mode == "fan_in" else (fan_in + fan_out) / 2
        var = _variance(scale, fan)
        if distribution == "uniform":
            return _uniform(math.sqrt(3 * var), (fan_in, fan_out), draws)
        return _truncated_normal(math.sqrt(var), (fan_in, fan_out), draws)

    return kernel


def _random_normal(fan_in: int, fan_out: int, draws: Draws) -> FloatArray:
    return draws.generator().normal(0.0, 0.05, size=(fan_in, fan_out))


def _random_uniform(fan_in: int, fan_out: int, draws: Draws) -> FloatArray:
    return _uniform(0.05, (fan_in, fan_out), draws)


INITIALIZERS: dict[str, Initializer] = {
    "playground": Initializer("playground", _playground, bias=0.1),
    "zeros": Initializer("zeros", _zeros),
    "glorot_uniform": Initializer("glorot_uniform", _scaled(1.0, "fan_avg", "uniform")),
    "glorot_normal": Initializer("glorot_normal", _scaled(1.0, "fan_avg", "normal")),
    "he_uniform": Initializer("he_uniform", _scaled(2.0, "fan_in", "uniform")),
    "he_normal": Initializer("he_normal", _scaled(2.0, "fan_in", "normal")),
    "lecun_uniform": Initializer("lecun_uniform", _scaled(1.0, "fan_in", "uniform")),
    "lecun_normal": Initializer("lecun_normal", _scaled(1.0, "fan_in", "normal")),
    "random_normal": Initializer("random_normal", _random_normal),
    "random_uniform": Initializer("random_uniform", _random_uniform),
}


def get_initializer(name: str) -> Initializer:
    """Look an initializer up by name; unknown names raise ValueError listing the valid ones."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(
            f"unknown init {name!r}; expected one of {', '.join(INITIALIZERS)}"
        ) from None
