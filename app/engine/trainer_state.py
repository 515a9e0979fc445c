"""A Trainer's own state beyond the weights: export/import for checkpoints, and the rollback
that keeps NaN out of the weights when a step diverges.

What it is: `TrainerState`, the part of Trainer (training.py) that copies the carried
gradient sums, the carry count and the dead-link flags out and back in, validated; and
`DivergenceError`, raised after the rollback.
What it is not: the training loop or the update rule (training.py).
Trade-off: a mixin over the Trainer's flat buffers rather than a separate object, so the hot
path in training.py keeps reading plain attributes; the annotations below are the contract.
"""

from typing import Any, NamedTuple

import numpy as np

from app.engine.flat import FlatParams
from app.engine.network import Network
from app.engine.optimizers import Optimizer
from app.engine.regularizers import BoolArray
from app.engine.types import FloatArray


class DivergenceError(ArithmeticError):
    """Training made a weight or the loss inf/NaN; the trainer rolled back before raising."""


class Snapshot(NamedTuple):
    """What a diverged step rolls back to (flat copies; the optimizer's own state dict)."""

    params: FloatArray
    optimizer: dict[str, Any]
    carry: FloatArray
    carry_count: int
    dead: BoolArray


class TrainerState:
    """Checkpoint and rollback of the Trainer's carry and dead-link state (see training.py)."""

    net: Network
    optimizer: Optimizer
    dead: list[BoolArray]
    _carry: FlatParams
    _carry_count: int
    _dead: BoolArray
    _has_dead: bool

    def get_state(self) -> dict[str, Any]:
        """{"carry_W", "carry_b": [array copies], "carry_count": int, "dead": [bool arrays]}."""
        return {
            "carry_W": [a.copy() for a in self._carry[0::2]],
            "carry_b": [a.copy() for a in self._carry[1::2]],
            "carry_count": self._carry_count,
            "dead": [d.copy() for d in self.dead],
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a `get_state()` dict; shapes must match this network (ValueError otherwise)."""
        expected = {"carry_W", "carry_b", "carry_count", "dead"}
        if set(state) != expected:
            got = sorted(state)
            raise ValueError(f"trainer state must have keys {sorted(expected)}, got {got}")
        carry_W = _matching("carry_W", state["carry_W"], self.net.W, np.float64)
        carry_b = _matching("carry_b", state["carry_b"], self.net.b, np.float64)
        dead = _matching("dead", state["dead"], self.net.W, np.bool_)
        count = state["carry_count"]
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
            raise ValueError(f"carry_count must be an integer >= 0, got {count!r}")
        # Written in place: the per-array lists are views of the flat buffers.
        carries = self._carry[0::2] + self._carry[1::2]
        for target, source in zip(carries, carry_W + carry_b, strict=True):
            target[...] = source
        for mask, source in zip(self.dead, dead, strict=True):
            mask[...] = source
        self._carry_count = int(count)
        self._has_dead = bool(self._dead.any())

    def _snapshot(self) -> Snapshot:
        return Snapshot(
            self.net.params.flat.copy(),
            self.optimizer.get_state(),
            self._carry.flat.copy(),
            self._carry_count,
            self._dead.copy(),
        )

    def _check_finite(self, snapshot: Snapshot, value: float) -> None:
        if np.isfinite(value) and np.isfinite(self.net.params.flat).all():
            return
        self.net.params.flat[...] = snapshot.params
        self.optimizer.set_state(snapshot.optimizer)
        self._carry.flat[...] = snapshot.carry
        self._carry_count = snapshot.carry_count
        self._dead[...] = snapshot.dead
        self._has_dead = bool(snapshot.dead.any())
        raise DivergenceError(
            f"Training diverged (loss became inf/NaN) at learning rate "
            f"{self.optimizer.learning_rate:g} — the weights were restored to the last finite "
            "state. Try a smaller learning rate."
        )


def _matching(name: str, arrays: Any, like: list[FloatArray], dtype: type) -> list[Any]:
    """Copies of `arrays` as `dtype`, checked one-to-one against the shapes of `like`."""
    copies: list[Any] = [np.array(a, dtype=dtype) for a in arrays]
    shapes, expected = [c.shape for c in copies], [a.shape for a in like]
    if shapes != expected:
        raise ValueError(f"{name} shapes {shapes} do not match the network's {expected}")
    return copies
