"""The Trainer: minibatching, regularization, the update and divergence rollback.

What it is: one epoch of the playground's training loop (spec/playground.md §4.5, §5), done one
minibatch matrix at a time, and Keras's `train_on_batch` (spec/keras-optimizers.md, "One
training step"). Both modes share one update: data gradient (summed per sample, divided by the
accumulated count) + λ·R′(w_old) on kernels, then the optimizer. With plain SGD that is the
playground's rule, and L1's zero crossings kill links. With any other optimizer it is Keras's.
What it is not: a data pipeline or a scheduler. The caller passes feature matrices and calls
once per epoch (the session's "step").
Trade-off: the playground's per-sample accumulation is replaced by the matrix form, which is
exact up to summation order (§4.5 "key equivalence"). The samples of an incomplete last
batch are kept as gradient SUMS and a count, not as rows to recompute, as nn.ts keeps them.

Shapes: F (n, inputs) float64; y (n,) or (n, outputs), reshaped to (n, outputs).
"""

from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from app.engine.losses import LOSSES, get_loss
from app.engine.network import Network
from app.engine.optimizers import Optimizer, make_optimizer
from app.engine.regularizers import BoolArray, get_regularizer, kill_zero_crossings
from app.engine.types import AnyFloatArray, FloatArray

Remainder = Literal["carry", "partial"]


# Overflow and NaN are detected after the fact (DivergenceError), so NumPy's warnings about
# them inside a training step are noise: silenced there, and only there.
def _quiet() -> np.errstate:
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


class DivergenceError(ArithmeticError):
    """Training made a weight or the loss inf/NaN; the trainer rolled back before raising."""


class Permuter(Protocol):
    """Source of shuffles: `permutation(n)` -> a permutation of range(n) (np.random.Generator)."""

    def permutation(self, x: int, /) -> npt.NDArray[np.integer[Any]]: ...


class Trainer:
    """Trains a Network; see the module docstring and docs/engine.md for the semantics.

    remainder="carry": the playground. Update after each B samples of the epoch. The last
    N mod B samples' gradient sums and count carry into the next epoch's first batch; if
    N < B nothing is ever applied. remainder="partial": Keras fit. The short last batch is
    its own update. shuffle=True permutes each epoch's order with `rng`, as Keras fit does.
    """

    def __init__(
        self,
        net: Network,
        optimizer: Optimizer | None = None,
        loss: str = "playground",
        regularization: str | None = None,
        regularization_rate: float = 0.0,
        batch_size: int = 10,
        shuffle: bool = False,
        remainder: Remainder = "carry",
        rng: Permuter | None = None,
    ) -> None:
        if remainder not in ("carry", "partial"):
            raise ValueError(f"remainder must be 'carry' or 'partial', got {remainder!r}")
        if not (np.isfinite(regularization_rate) and regularization_rate >= 0):
            raise ValueError(f"regularization_rate must be >= 0, got {regularization_rate}")
        self.net = net
        # The playground's defaults: plain SGD at learning rate 0.03 (spec §6).
        if optimizer is None:
            optimizer = make_optimizer("sgd", learning_rate=0.03)
        self.optimizer = optimizer
        self.loss_name = loss
        self._loss = get_loss(loss)
        self.regularizer = get_regularizer(regularization)
        self.regularization_rate = float(regularization_rate)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.remainder: Remainder = remainder
        self.rng = rng
        self._carry_W = [np.zeros_like(W) for W in net.W]
        self._carry_b = [np.zeros_like(b) for b in net.b]
        self._carry_count = 0
        self.dead: list[BoolArray] = [np.zeros(W.shape, dtype=bool) for W in net.W]
        self._has_dead = False

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {value!r}")
        self._batch_size = int(value)

    @property
    def learning_rate(self) -> float:
        """The optimizer's base rate; settable live, it applies from the next update on."""
        return self.optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.optimizer.learning_rate = value

    def train_epoch(self, F: AnyFloatArray, y: AnyFloatArray) -> float:
        """One pass over (F, y) per the batching rules; returns `loss(F, y)` afterwards."""
        F64, t = self._prepare(F, y)
        snapshot = self._snapshot()
        with _quiet():
            if self.shuffle:
                order = self._permuter().permutation(len(F64))
                F64, t = F64[order], t[order]
            if self.remainder == "carry":
                self._carry_epoch(F64, t)
            else:
                self._partial_epoch(F64, t)
            value = self.loss(F64, t)
        self._check_finite(snapshot, value if len(F64) else 0.0)
        return value

    def train_on_batch(self, F: AnyFloatArray, y: AnyFloatArray) -> float:
        """Keras train_on_batch: one update on all rows; returns data loss + penalty BEFORE it.

        The carried-over playground samples are left alone.
        """
        F64, t = self._prepare(F, y)
        if len(F64) == 0:
            raise ValueError("train_on_batch needs at least one sample")
        snapshot = self._snapshot()
        with _quiet():
            zs, acts = self.net.forward(F64)
            value = float(self._loss.value(acts[-1], t).mean()) + self.penalty()
            grad_W, grad_b = self.net.backward(zs, acts, self._loss.grad(acts[-1], t))
            self._update(grad_W, grad_b, len(F64))
        self._check_finite(snapshot, value)
        return value

    def loss(self, F: AnyFloatArray, y: AnyFloatArray) -> float:
        """The playground's display loss: mean over rows of ½Σ_k(o−t)² (§4.4); nan if empty."""
        return self._mean_loss("playground", F, y)

    def keras_loss(self, F: AnyFloatArray, y: AnyFloatArray) -> float:
        """Mean per-sample value of this Trainer's loss function, without the penalty."""
        return self._mean_loss(self.loss_name, F, y)

    def penalty(self) -> float:
        """λ·ΣR(w) over every kernel (biases are never regularized)."""
        if self.regularizer.name == "none":
            return 0.0
        return sum(self.regularizer.penalty(W, self.regularization_rate) for W in self.net.W)

    def gradients(self, F: AnyFloatArray, y: AnyFloatArray) -> list[FloatArray]:
        """d(mean data loss + penalty)/d(params) as [dW1, db1, dW2, db2, ...] (Keras order)."""
        F64, t = self._prepare(F, y)
        if len(F64) == 0:
            raise ValueError("gradients need at least one sample")
        zs, acts = self.net.forward(F64)
        grad_W, grad_b = self.net.backward(zs, acts, self._loss.grad(acts[-1], t))
        grads_W = self._total_grads([g / len(F64) for g in grad_W])
        return [g for gW, gb in zip(grads_W, grad_b, strict=True) for g in (gW, gb / len(F64))]

    def get_state(self) -> dict[str, Any]:
        """{"carry_W", "carry_b": [array copies], "carry_count": int, "dead": [bool arrays]}."""
        return {
            "carry_W": [a.copy() for a in self._carry_W],
            "carry_b": [a.copy() for a in self._carry_b],
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
        self._carry_W, self._carry_b, self.dead = carry_W, carry_b, dead
        self._carry_count = int(count)
        self._has_dead = any(bool(d.any()) for d in dead)

    def _prepare(self, F: AnyFloatArray, y: AnyFloatArray) -> tuple[FloatArray, FloatArray]:
        # Training runs in float64 whatever the caller's dtype; asarray is free for float64.
        F64 = np.asarray(F, dtype=np.float64)
        t = np.asarray(y, dtype=np.float64)
        if t.ndim == 1:
            t = t[:, None]
        outputs = self.net.layer_sizes[-1]
        if F64.ndim != 2 or t.shape != (len(F64), outputs):
            raise ValueError(
                f"expected F (n, {self.net.layer_sizes[0]}) and y (n,) or (n, {outputs}); "
                f"got F {F64.shape} and y {np.shape(y)}"
            )
        return F64, t

    def _mean_loss(self, name: str, F: AnyFloatArray, y: AnyFloatArray) -> float:
        F64, t = self._prepare(F, y)
        if len(F64) == 0:
            return float("nan")
        with _quiet():
            return float(LOSSES[name].value(self.net.predict(F64), t).mean())

    def _carry_epoch(self, F: FloatArray, t: FloatArray) -> None:
        # spec §4.5: an update after each epoch-local index i with (i+1) % B == 0; the carried
        # sums join the first of them, which then divides by B + (count carried).
        B = self.batch_size
        full = len(F) - len(F) % B
        for start in range(0, full, B):
            grad_W, grad_b = self._batch_sums(F[start : start + B], t[start : start + B])
            n = B
            if self._carry_count:
                for g, c in zip(grad_W + grad_b, self._carry_W + self._carry_b, strict=True):
                    g += c
                    c.fill(0.0)
                n += self._carry_count
                self._carry_count = 0
            self._update(grad_W, grad_b, n)
        if full < len(F):
            grad_W, grad_b = self._batch_sums(F[full:], t[full:])
            for g, c in zip(grad_W + grad_b, self._carry_W + self._carry_b, strict=True):
                c += g
            self._carry_count += len(F) - full

    def _partial_epoch(self, F: FloatArray, t: FloatArray) -> None:
        B = self.batch_size
        for start in range(0, len(F), B):
            grad_W, grad_b = self._batch_sums(F[start : start + B], t[start : start + B])
            self._update(grad_W, grad_b, min(B, len(F) - start))

    def _batch_sums(
        self, F: FloatArray, t: FloatArray
    ) -> tuple[list[FloatArray], list[FloatArray]]:
        """Per-sample data-loss gradients summed over the rows of one minibatch."""
        zs, acts = self.net.forward(F)
        return self.net.backward(zs, acts, self._loss.grad(acts[-1], t))

    def _total_grads(self, data_W: list[FloatArray]) -> list[FloatArray]:
        # Regularization uses the weights before this update (spec §4.5 step 1).
        if self.regularizer.name == "none":
            return data_W
        lam = self.regularization_rate
        return [g + self.regularizer.grad(W, lam) for g, W in zip(data_W, self.net.W, strict=True)]

    def _update(self, sum_W: list[FloatArray], sum_b: list[FloatArray], n: int) -> None:
        """One optimizer step from gradient sums over n samples, with the dead-link rule."""
        data_W = [s / n for s in sum_W]
        grads_W = self._total_grads(data_W)
        opt = self.optimizer
        kills = self.regularizer.kills_links and opt.is_plain_sgd
        # w1 of spec §4.5 step 2: the data-gradient step alone, at this update's rate.
        lr = opt.lr_at(opt.iterations)
        w_step = [W - lr * g for W, g in zip(self.net.W, data_W, strict=True)] if kills else []
        kept = self._freeze_dead(grads_W)
        opt.apply(
            [p for W, b in zip(self.net.W, self.net.b, strict=True) for p in (W, b)],
            [g for gW, sb in zip(grads_W, sum_b, strict=True) for g in (gW, sb / n)],
        )
        for W, d, k in zip(self.net.W, self.dead, kept, strict=False):
            W[d] = k
        for W, w1, d in zip(self.net.W, w_step, self.dead, strict=False):
            self._has_dead |= kill_zero_crossings(W, w1, d)

    def _freeze_dead(self, grads_W: list[FloatArray]) -> list[FloatArray]:
        """Zero dead links' gradients; return their current values to put back after apply.

        The value may be a user's edit, and momentum-like state could still move it, so it is
        restored rather than trusted to stay put. Returns [] when no link is dead.
        """
        if not self._has_dead:
            return []
        for g, d in zip(grads_W, self.dead, strict=True):
            g[d] = 0.0
        return [W[d] for W, d in zip(self.net.W, self.dead, strict=True)]

    def _permuter(self) -> Permuter:
        if self.rng is None:
            self.rng = np.random.default_rng()
        return self.rng

    def _snapshot(self) -> tuple[list[FloatArray], dict[str, Any], dict[str, Any]]:
        return self.net.get_weights(), self.optimizer.get_state(), self.get_state()

    def _check_finite(
        self, snapshot: tuple[list[FloatArray], dict[str, Any], dict[str, Any]], value: float
    ) -> None:
        weights = self.net.W + self.net.b
        if np.isfinite(value) and all(np.isfinite(p).all() for p in weights):
            return
        self.net.set_weights(snapshot[0])
        self.optimizer.set_state(snapshot[1])
        self.set_state(snapshot[2])
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
