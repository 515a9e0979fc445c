"""Keras 3 optimizers in float64 NumPy, as a name -> class table.

What it is: SGD (momentum, Nesterov), RMSprop, Adagrad, Adadelta, Adam (AMSGrad), Adamax and
Nadam, each following spec/keras-optimizers.md §"Optimizers (Keras 3)" to the letter, plus the
legacy Keras 2 `decay=` as inverse-time decay lr_k = lr / (1 + decay * k) (§"Legacy decay").
What it is not: gradient clipping, `weight_decay`, other schedules, or the Keras 2 variants of
these formulas (eps outside sqrt, Adagrad accumulator at 0, Nadam 0.96^(0.004 t) cache).
Trade-off: updates are written as whole-array formulas that allocate temporaries, so each line
reads like the spec; in-place fused ops would be faster but hide the formula. The per-call
cost is cut the other way: given `FlatParams` (flat.py) for both params and grads, as the
trainer passes them, a rule runs once over the whole parameter vector instead of once per
array, with the same elementwise results. State slots are FlatParams too, shown per array.

Shapes: `apply(params, grads)` takes two equal-length lists of float64 arrays of any shapes
(Keras layout kernels (fan_in, fan_out) and biases (fan_out,)); every state slot mirrors them.
Hyperparameters are dataclass fields validated on every assignment (not on every `apply`), so
the live UI can change `learning_rate` (or anything else) between steps; state slots are
(re)created lazily to match.
"""

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from app.engine.flat import FlatParams, Shape
from app.engine.types import FloatArray

Slots = dict[str, FloatArray]

_RULES: dict[str, Callable[[float], bool]] = {
    ">= 0": lambda x: x >= 0,
    "> 0": lambda x: x > 0,
    "in [0, 1]": lambda x: 0 <= x <= 1,
    "in [0, 1)": lambda x: 0 <= x < 1,
}

# Hyperparameter name -> validation rule; the same name means the same range in every optimizer.
_FIELD_RULES: dict[str, str] = {
    "learning_rate": ">= 0",
    "decay": ">= 0",
    "initial_accumulator_value": ">= 0",
    "epsilon": "> 0",
    "momentum": "in [0, 1]",
    "rho": "in [0, 1)",
    "beta_1": "in [0, 1)",
    "beta_2": "in [0, 1)",
    "nesterov": "bool",
    "centered": "bool",
    "amsgrad": "bool",
}


def _number(name: str, value: object, rule: str) -> float:
    """Validate one numeric value. Example: _number("rho", 0.9, "in [0, 1)") -> 0.9."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    x = float(value)
    if not (math.isfinite(x) and _RULES[rule](x)):
        raise ValueError(f"{name} must be a finite number {rule}, got {value!r}")
    return x


def _checked(name: str, value: object, rule: str) -> object:
    if rule != "bool":
        return _number(name, value, rule)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def _expect_keys(what: str, value: object, expected: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != expected:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise ValueError(f"{what} must have keys {sorted(expected)}, got {got}")
    return value


@dataclass(eq=False)
class Optimizer:
    """Shared bookkeeping: learning rate and decay, `iterations`, lazily created state slots.

    Subclasses declare their hyperparameters as fields, their slots (`_slot_inits`) and the
    per-tensor rule (`_update`); slots are created on the first `apply` with the params' shapes.
    """

    name: ClassVar[str] = ""
    SCALARS: ClassVar[dict[str, float]] = {}  # per-optimizer scalar state and its start value
    learning_rate: float = 0.001
    decay: float = field(default=0.0, kw_only=True)

    def __post_init__(self) -> None:
        self.reset()

    def __setattr__(self, name: str, value: object) -> None:
        rule = _FIELD_RULES.get(name)  # only hyperparameters are validated
        object.__setattr__(self, name, value if rule is None else _checked(name, value, rule))

    @property
    def is_plain_sgd(self) -> bool:
        """True when the playground's own update rule w -= lr * g applies (SGD, no momentum)."""
        return False

    @classmethod
    def hyperparameter_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def lr_at(self, k: int) -> float:
        """Rate for the update with k updates already applied (keras-optimizers.md, decay)."""
        return self.learning_rate / (1.0 + self.decay * k)

    def config(self) -> dict[str, Any]:
        """Name plus every hyperparameter; JSON-able, and `make_optimizer(**...)`-able."""
        return {"name": self.name, **dataclasses.asdict(self)}

    def reset(self) -> None:
        """Forget all state: the next `apply` behaves like the first one."""
        self.iterations = 0
        self._slots: dict[str, FlatParams] = {}
        self._scalars: dict[str, float] = dict(self.SCALARS)
        self._shapes: tuple[Shape, ...] | None = None

    def apply(self, params: Sequence[FloatArray], grads: Sequence[FloatArray]) -> None:
        """One update of every param IN PLACE with lr_k, k = iterations; then iterations += 1.

        If params and grads are both FlatParams, the rule runs once on their flat vectors.
        """
        shapes = self._check_shapes(params, grads)
        self._follow_hyperparameters(shapes)
        lr, t = self.lr_at(self.iterations), self.iterations + 1
        self._begin_step(t)
        if isinstance(params, FlatParams) and isinstance(grads, FlatParams):
            slots = {k: v.flat for k, v in self._slots.items()}
            self._update(params.flat, grads.flat, slots, lr, t)
        else:
            for i, (w, g) in enumerate(zip(params, grads, strict=True)):
                self._update(w, g, {k: v[i] for k, v in self._slots.items()}, lr, t)
        self.iterations += 1

    def _check_shapes(
        self, params: Sequence[FloatArray], grads: Sequence[FloatArray]
    ) -> tuple[Shape, ...]:
        shapes = _shapes(params)
        if shapes != _shapes(grads):
            raise ValueError(f"grads shapes {list(_shapes(grads))} != params shapes {list(shapes)}")
        if self._shapes is not None and self._shapes != shapes:
            raise ValueError(
                f"{self.name} state was built for shapes {list(self._shapes)}, got params "
                f"{list(shapes)}; call reset() after changing the network"
            )
        return shapes

    def _follow_hyperparameters(self, shapes: tuple[Shape, ...]) -> None:
        # Slots follow the current hyperparameters: an unused slot is dropped, a new one starts
        # at its initial value (e.g. momentum switched on mid-run starts from v = 0).
        inits = self._slot_inits()
        if self._shapes is None or inits.keys() != self._slots.keys():
            self._shapes = shapes
            self._slots = {
                slot: self._slots[slot] if slot in self._slots else FlatParams(shapes, fill=init)
                for slot, init in inits.items()
            }

    def get_state(self) -> dict[str, Any]:
        """{"name", "iterations", "scalars": {str: float}, "slots": {slot: [array copies]}}."""
        return {
            "name": self.name,
            "iterations": self.iterations,
            "scalars": dict(self._scalars),
            "slots": {slot: [a.copy() for a in arrays] for slot, arrays in self._slots.items()},
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a `get_state()` dict (arrays are copied); ValueError names what is wrong."""
        _expect_keys("state", state, {"name", "iterations", "scalars", "slots"})
        if state["name"] != self.name:
            raise ValueError(f"state is for optimizer {state['name']!r}, not {self.name!r}")
        k = state["iterations"]
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"state iterations must be an int >= 0, got {k!r}")
        raw = _expect_keys("state scalars", state["scalars"], set(self.SCALARS))
        scalars = {key: _number(f"state scalar {key}", v, ">= 0") for key, v in raw.items()}
        slots = self._checked_slots(state["slots"], fresh=k == 0)
        self.iterations, self._scalars, self._slots = k, scalars, slots
        self._shapes = next(iter(slots.values())).shapes if slots else None

    def _checked_slots(self, raw: object, fresh: bool) -> dict[str, FlatParams]:
        """Copy slot arrays to float64; before the first step an empty dict is also valid."""
        if fresh and raw == {}:
            return {}
        checked = _expect_keys("state slots", raw, set(self._slot_inits()))
        slots = {s: FlatParams.of(arrays) for s, arrays in checked.items()}
        reference = self._shapes or next((v.shapes for v in slots.values()), ())
        for slot, arrays in slots.items():
            if arrays.shapes != reference:
                raise ValueError(
                    f"state slot {slot!r} has shapes {list(arrays.shapes)}, "
                    f"expected {list(reference)}"
                )
        return slots

    def _slot_inits(self) -> dict[str, float]:
        """Slot name -> initial value of every element (keras-optimizers.md: 0 unless stated)."""
        return {}

    def _begin_step(self, t: int) -> None:
        """Per-step scalar bookkeeping, run once before the per-tensor updates."""

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        raise NotImplementedError


def _shapes(arrays: Sequence[FloatArray]) -> tuple[Shape, ...]:
    if isinstance(arrays, FlatParams):
        return arrays.shapes
    return tuple(a.shape for a in arrays)


@dataclass(eq=False)
class SGD(Optimizer):
    """keras-optimizers.md SGD. momentum 0: w -= lr*g. Otherwise v = mu*v - lr*g, then
    w += v, or with nesterov w += mu*v - lr*g using the new v."""

    name: ClassVar[str] = "sgd"
    learning_rate: float = 0.01
    momentum: float = 0.0
    nesterov: bool = False

    @property
    def is_plain_sgd(self) -> bool:
        return self.momentum == 0

    def apply(self, params: Sequence[FloatArray], grads: Sequence[FloatArray]) -> None:
        """As Optimizer.apply. Plain SGD on FlatParams it has seen before is one vector step,
        w -= lr*g, skipping the slot bookkeeping there is nothing to do for (the hot path)."""
        if (
            self.momentum == 0
            and not self._slots
            and isinstance(params, FlatParams)
            and isinstance(grads, FlatParams)
            and params.shapes == self._shapes == grads.shapes
        ):
            self._lr[()] = self.lr_at(self.iterations)  # a 0-d array multiplies ~2x faster
            params.flat -= np.multiply(grads.flat, self._lr)
            self.iterations += 1
            return
        super().apply(params, grads)

    def _slot_inits(self) -> dict[str, float]:
        return {} if self.momentum == 0 else {"v": 0.0}

    def reset(self) -> None:
        super().reset()
        self._lr = np.zeros(())

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        if self.momentum == 0:
            w -= lr * g
            return
        v, mu = s["v"], self.momentum
        v[...] = mu * v - lr * g
        w += (mu * v - lr * g) if self.nesterov else v


@dataclass(eq=False)
class RMSprop(Optimizer):
    """keras-optimizers.md RMSprop. s = rho*s + (1-rho)*g^2; centered: a = rho*a + (1-rho)*g,
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
    """keras-optimizers.md Adagrad. acc starts at initial_accumulator_value (0.1, not 0);
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
    """keras-optimizers.md Adadelta. Eg = rho*Eg + (1-rho)*g^2;
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
    """keras-optimizers.md Adam, epsilon-hat form. m += (g - m)*(1-b1); v += (g^2 - v)*(1-b2);
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
    """keras-optimizers.md Adamax. m = b1*m + (1-b1)*g; u = max(b2*u, |g|);
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
    """keras-optimizers.md Nadam, Keras 3 cache mu_t = b1*(1 - 0.5*0.96^t). The scalar
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
        # Keras 3 uses 0.96^t; Keras 2's 0.96^(0.004 t) ramps far more slowly (spec pitfall).
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
