"""The shared machinery of the Keras 3 optimizers: hyperparameter validation, learning-rate
decay, `iterations`, lazily created state slots, and state export/import.

What it is: `Optimizer`, the base class every rule in optimizers.py extends, and the checks
that keep a hyperparameter or a restored state valid on assignment.
What it is not: any update formula (optimizers.py holds the seven rules, one class each).
Trade-off: hyperparameters are validated on every assignment (not on every `apply`), so the
live UI can change `learning_rate` (or anything else) between steps; state slots are
(re)created lazily to match. Slots are FlatParams (flat.py): given FlatParams for params and
grads, as the trainer passes them, a rule runs once over the whole parameter vector.

Shapes: `apply(params, grads)` takes two equal-length lists of float64 arrays of any shapes
(Keras layout kernels (fan_in, fan_out) and biases (fan_out,)); every state slot mirrors them.
"""

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, TypeVar

import numpy as np

from app.engine.flat import FlatParams, Shape
from app.engine.types import FloatArray

FlatStep = Callable[[FloatArray, FloatArray], None]  # (w, g) -> None, see flat_step
Rate = TypeVar("Rate", float, FloatArray)

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


def inverse_time(learning_rate: Rate, decay: Rate, k: Rate) -> Rate:
    """Keras 2's legacy `decay=`: the rate of the update with k updates already applied,
    lr / (1 + decay·k) (docs/keras-rules.md §2). The one statement of it: `lr_at` calls it
    with numbers, the gang (gang.py) with one column per member; float64 gives both the
    same bits."""
    return learning_rate / (1.0 + decay * k)


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
    # The values of every hyperparameter but learning_rate and decay under which the rule
    # is plain SGD, w -= lr_k·g, the playground's own (None: never). A hyperparameter not
    # named here, such as one added later, rules the fast paths out: they know only this.
    PLAIN_WHEN: ClassVar[dict[str, tuple[object, ...]] | None] = None
    learning_rate: float = 0.001
    decay: float = field(default=0.0, kw_only=True)

    def __post_init__(self) -> None:
        self.reset()

    def __setattr__(self, name: str, value: object) -> None:
        rule = _FIELD_RULES.get(name)  # only hyperparameters are validated
        object.__setattr__(self, name, value if rule is None else _checked(name, value, rule))

    @property
    def is_plain_sgd(self) -> bool:
        """Whether this step is plain SGD, as PLAIN_WHEN declares: the one test that picks
        the fast paths (the fused flat step, gangs) and the playground's L1 rule."""
        plain = self.PLAIN_WHEN
        if plain is None:
            return False
        return all(
            name in plain and getattr(self, name) in plain[name] for name in self._shaping_names()
        )

    @classmethod
    @cache
    def hyperparameter_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    @cache
    def _shaping_names(cls) -> tuple[str, ...]:
        """The hyperparameters beyond the rate and its decay: what shapes the rule."""
        return tuple(n for n in cls.hyperparameter_names() if n not in ("learning_rate", "decay"))

    def lr_at(self, k: int) -> float:
        """Rate for the update with k updates already applied (inverse_time)."""
        return inverse_time(self.learning_rate, self.decay, k)

    def config(self) -> dict[str, Any]:
        """Name plus every hyperparameter; JSON-able, and `make_optimizer(**...)`-able."""
        return {"name": self.name, **dataclasses.asdict(self)}

    def reset(self) -> None:
        """Forget all state: the next `apply` behaves like the first one."""
        self.iterations = 0
        self._slots: dict[str, FlatParams] = {}
        self._scalars: dict[str, float] = dict(self.SCALARS)
        self._shapes: tuple[Shape, ...] | None = None

    def build(self, shapes: tuple[Shape, ...]) -> None:
        """Meet the parameters' shapes before the first step, as Keras's `optimizer.build`
        does: a fast path (flat_step) is then there from the first update on, so the first
        epoch after a reset trains as every later one does (in a gang, too)."""
        self._check_shapes_are(shapes)
        self._shapes = shapes

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

    def flat_step(self, shapes: tuple[Shape, ...]) -> FlatStep | None:
        """A step `(w, g) -> None` on flat vectors of `shapes` without apply()'s checks, for
        the Trainer's minibatch loop, or None where the rule needs them (the default). It may
        overwrite g. Only plain SGD (is_plain_sgd), whose whole state is the iteration
        count, offers one; asking changes nothing (a gang asks of other sessions)."""
        return None

    def _check_shapes(
        self, params: Sequence[FloatArray], grads: Sequence[FloatArray]
    ) -> tuple[Shape, ...]:
        shapes = _shapes(params)
        if shapes != _shapes(grads):
            raise ValueError(f"grads shapes {list(_shapes(grads))} != params shapes {list(shapes)}")
        self._check_shapes_are(shapes)
        return shapes

    def _check_shapes_are(self, shapes: tuple[Shape, ...]) -> None:
        if self._shapes is not None and self._shapes != shapes:
            raise ValueError(
                f"{self.name} state was built for shapes {list(self._shapes)}, got params "
                f"{list(shapes)}; call reset() after changing the network"
            )

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
        if slots:  # without any, the shapes `build` met stay
            self._shapes = next(iter(slots.values())).shapes

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
        """Slot name -> initial value of every element (docs/keras-rules.md §3: 0 unless stated)."""
        return {}

    def _begin_step(self, t: int) -> None:
        """Per-step scalar bookkeeping, run once before the per-tensor updates."""

    def _update(self, w: FloatArray, g: FloatArray, s: Slots, lr: float, t: int) -> None:
        raise NotImplementedError


def _shapes(arrays: Sequence[FloatArray]) -> tuple[Shape, ...]:
    if isinstance(arrays, FlatParams):
        return arrays.shapes
    return tuple(a.shape for a in arrays)
