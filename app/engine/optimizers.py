"""Keras 3 optimizers in float64 NumPy, as a name -> class table.

What it is: SGD (momentum, Nesterov), RMSprop, Adagrad, Adadelta, Adam (AMSGrad), Adamax and
Nadam, each following docs/keras-rules.md §3 to the letter, plus the legacy Keras 2 `decay=`
as inverse-time decay lr_k = lr / (1 + decay * k) (§2, in optimizer_base.py with the rest of
the shared bookkeeping).
What it is not: gradient clipping, `weight_decay`, other schedules, or the Keras 2 variants of
these formulas (eps outside sqrt, Adagrad accumulator at 0, Nadam 0.96^(0.004 t) cache).
Trade-off: updates are written as whole-array formulas that allocate temporaries, so each line
reads like the rule; in-place fused ops would be faster but hide the formula. The per-call
cost is cut the other way: the trainer passes FlatParams, so a rule runs once over the whole
parameter vector instead of once per array, with the same elementwise results.
"""

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from app.engine.flat import Shape
from app.engine.optimizer_base import FlatStep, Optimizer, Slots
from app.engine.types import FloatArray

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "make_optimizer",
    "sgd_step",
]


def sgd_step(
    w: FloatArray, g: FloatArray, lr: float | FloatArray, out: FloatArray | None = None
) -> None:
    """Plain SGD, the playground's update: w -= lr·g, in place (§3.1).

    The one statement of it: SGD's rule, its fused flat step, the gang's stacked step (lr a
    column of member rates) and the playground's L1 rule (update.py) all call this, so a
    change to the rule is one change. `out` may be g itself, which then holds lr·g after.
    """
    np.subtract(w, np.multiply(g, lr, out=out), out=w)


@dataclass(eq=False)
class SGD(Optimizer):
    """SGD, §3.1. momentum 0: w -= lr*g. Otherwise v = mu*v - lr*g, then
    w += v, or with nesterov w += mu*v - lr*g using the new v."""

    name: ClassVar[str] = "sgd"
    # Without momentum, Nesterov's look-ahead is the plain step too.
    PLAIN_WHEN: ClassVar[dict[str, tuple[object, ...]] | None] = {
        "momentum": (0.0,),
        "nesterov": (False, True),
    }
    learning_rate: float = 0.01
    momentum: float = 0.0
    nesterov: bool = False

    def flat_step(self, shapes: tuple[Shape, ...]) -> FlatStep | None:
        """Plain SGD on the shapes it was built for: the update as a bound method, so an
        epoch of 25 minibatches pays apply()'s checks and slot bookkeeping once, not 25
        times (a momentum slot left over from before waits for apply() to drop it)."""
        if self.is_plain_sgd and not self._slots and self._shapes == shapes:
            return self._plain_step
        return None

    def _plain_step(self, w: FloatArray, g: FloatArray) -> None:
        state = self.__dict__
        self._lr[()] = self.lr_at(state["iterations"])  # a 0-d array multiplies ~2x faster
        sgd_step(w, g, self._lr, out=g)
        # Not a hyperparameter: skipping __setattr__'s validation lookup saves ~1 µs a step.
        state["iterations"] += 1

    def _slot_inits(self) -> dict[str, float]:
        return {} if self.momentum == 0 else {"v": 0.0}

    def reset(self) -> None:
        super().reset()
        self._lr = np.zeros(())

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        if "v" not in s:  # momentum 0
            sgd_step(w, g, lr)
            return
        v, mu = s["v"], self.momentum
        v[...] = mu * v - lr * g
        w += (mu * v - lr * g) if self.nesterov else v


@dataclass(eq=False)
class RMSprop(Optimizer):
    """RMSprop, §3.2. s = rho*s + (1-rho)*g^2; centered: a = rho*a + (1-rho)*g,
    den = s - a^2 + eps, else den = s + eps; inc = lr*g / sqrt(den) (eps INSIDE the sqrt);
    momentum > 0: m = momentum*m + inc, w -= m (plain momentum); else w -= inc."""

    name: ClassVar[str] = "rmsprop"
    rho: float = 0.9
    momentum: float = 0.0
    epsilon: float = 1e-7
    centered: bool = False

    def _slot_inits(self) -> dict[str, float]:
        optional = {"a": self.centered, "m": self.momentum > 0}
        return {"s": 0.0} | {slot: 0.0 for slot, used in optional.items() if used}

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        rho, eps = self.rho, self.epsilon
        s["s"][...] = rho * s["s"] + (1 - rho) * g**2
        if self.centered:
            s["a"][...] = rho * s["a"] + (1 - rho) * g
            den = s["s"] - s["a"] ** 2 + eps
        else:
            den = s["s"] + eps
        inc = lr * g / np.sqrt(den)
        if self.momentum > 0:
            s["m"][...] = self.momentum * s["m"] + inc
            inc = s["m"]
        w -= inc


@dataclass(eq=False)
class Adagrad(Optimizer):
    """Adagrad, §3.3. acc starts at initial_accumulator_value (0.1, not 0);
    acc += g^2; w -= lr*g / sqrt(acc + eps) (eps INSIDE the sqrt)."""

    name: ClassVar[str] = "adagrad"
    initial_accumulator_value: float = 0.1
    epsilon: float = 1e-7

    def _slot_inits(self) -> dict[str, float]:
        return {"acc": self.initial_accumulator_value}

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        s["acc"] += g**2
        w -= lr * g / np.sqrt(s["acc"] + self.epsilon)


@dataclass(eq=False)
class Adadelta(Optimizer):
    """Adadelta, §3.4. Eg = rho*Eg + (1-rho)*g^2;
    d = -sqrt(Edx + eps) / sqrt(Eg + eps) * g (the new Eg, the OLD Edx);
    Edx = rho*Edx + (1-rho)*d^2; w += lr*d. Keras 3's default lr is 0.001, not 1.0."""

    name: ClassVar[str] = "adadelta"
    rho: float = 0.95
    epsilon: float = 1e-7

    def _slot_inits(self) -> dict[str, float]:
        return {"Eg": 0.0, "Edx": 0.0}

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        rho, eps = self.rho, self.epsilon
        s["Eg"][...] = rho * s["Eg"] + (1 - rho) * g**2
        d = -np.sqrt(s["Edx"] + eps) / np.sqrt(s["Eg"] + eps) * g
        s["Edx"][...] = rho * s["Edx"] + (1 - rho) * d**2
        w += lr * d


@dataclass(eq=False)
class Adam(Optimizer):
    """Adam, §3.5, epsilon-hat form. m += (g - m)*(1-b1); v += (g^2 - v)*(1-b2);
    alpha = lr*sqrt(1 - b2^t) / (1 - b1^t); amsgrad: vmax = max(vmax, v) replaces v below;
    w -= alpha*m / (sqrt(v) + eps)."""

    name: ClassVar[str] = "adam"
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7
    amsgrad: bool = False

    def _slot_inits(self) -> dict[str, float]:
        return {"m": 0.0, "v": 0.0} | ({"vmax": 0.0} if self.amsgrad else {})

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        b1, b2 = self.beta_1, self.beta_2
        s["m"] += (g - s["m"]) * (1 - b1)
        s["v"] += (g**2 - s["v"]) * (1 - b2)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        v = s["v"]
        if self.amsgrad:
            np.maximum(s["vmax"], v, out=s["vmax"])
            v = s["vmax"]
        w -= alpha * s["m"] / (np.sqrt(v) + self.epsilon)


@dataclass(eq=False)
class Adamax(Optimizer):
    """Adamax, §3.6. m = b1*m + (1-b1)*g; u = max(b2*u, |g|);
    w -= lr*m / ((1 - b1^t) * (u + eps)). Only m is bias-corrected; eps is added to u."""

    name: ClassVar[str] = "adamax"
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7

    def _slot_inits(self) -> dict[str, float]:
        return {"m": 0.0, "u": 0.0}

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        b1 = self.beta_1
        s["m"][...] = b1 * s["m"] + (1 - b1) * g
        s["u"][...] = np.maximum(self.beta_2 * s["u"], np.abs(g))
        w -= lr * s["m"] / ((1 - b1**t) * (s["u"] + self.epsilon))


@dataclass(eq=False)
class Nadam(Optimizer):
    """Nadam, §3.7, Keras 3 cache mu_t = b1*(1 - 0.5*0.96^t). The scalar
    P_t = P_{t-1}*mu_t (P_0 = 1) is stored once per step; P_{t+1} = P_t*mu_{t+1};
    m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; v_hat = v / (1 - b2^t);
    m_hat = mu_{t+1}*m / (1 - P_{t+1}) + (1 - mu_t)*g / (1 - P_t);
    w -= lr*m_hat / (sqrt(v_hat) + eps)."""

    name: ClassVar[str] = "nadam"
    SCALARS: ClassVar[dict[str, float]] = {"P": 1.0}
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7

    def _mu(self, t: int) -> float:
        # Keras 3 uses 0.96^t; Keras 2's 0.96^(0.004 t) ramps far more slowly (§4).
        return self.beta_1 * (1 - 0.5 * 0.96**t)

    def _slot_inits(self) -> dict[str, float]:
        return {"m": 0.0, "v": 0.0}

    def _begin_step(self, t: int) -> None:
        self._scalars["P"] *= self._mu(t)

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        b1, b2 = self.beta_1, self.beta_2
        mu_t, mu_next = self._mu(t), self._mu(t + 1)
        p_t = self._scalars["P"]
        p_next = p_t * mu_next
        s["m"][...] = b1 * s["m"] + (1 - b1) * g
        s["v"][...] = b2 * s["v"] + (1 - b2) * g**2
        m_hat = mu_next * s["m"] / (1 - p_next) + (1 - mu_t) * g / (1 - p_t)
        v_hat = s["v"] / (1 - b2**t)
        w -= lr * m_hat / (np.sqrt(v_hat) + self.epsilon)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam)
}


def make_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """Build an optimizer by Keras name with Keras argument names; errors name the culprit."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    accepted = cls.hyperparameter_names()
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(
            f"{name} got unexpected argument(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(accepted)}"
        )
    return cls(**kwargs)
