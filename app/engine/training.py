"""The Trainer: minibatching, regularization, the update and divergence rollback.

What it is: one epoch of the playground's training loop (docs/playground-rules.md §4.5, §5),
done one minibatch matrix at a time, and Keras's `train_on_batch` (docs/keras-rules.md §1).
Both modes share one update: data gradient (summed per sample, divided by the accumulated
count) + λ·R′(w_old) on kernels, then the optimizer. With plain SGD that is the
playground's rule, and L1's zero crossings kill links. With any other optimizer it is Keras's.
What it is not: a data pipeline or a scheduler. The caller passes feature matrices and calls
once per epoch (the session's "step").
Trade-off: the playground's per-sample accumulation is replaced by the matrix form, which is
exact up to summation order (§4.5 "key equivalence"). The samples of an incomplete last
batch are kept as gradient SUMS and a count, not as rows to recompute, as nn.ts keeps them.
For speed, gradients, carry and dead masks are flat vectors in the layout of `net.params`
(flat.py) and minibatches go through `BatchKernel` (kernel.py): an update is a few
whole-vector calls. `carry_*` and `dead` are still shown per array, as views or copies.
Checkpointing that state and rolling it back after a divergence live in trainer_state.py.

Shapes: F (n, inputs) float64; y (n,) or (n, outputs), reshaped to (n, outputs).
"""

from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from app.engine.flat import FlatParams, views
from app.engine.kernel import BatchKernel
from app.engine.losses import LOSSES, get_loss, mean_or_nan
from app.engine.network import Network
from app.engine.optimizers import Optimizer, make_optimizer
from app.engine.regularizers import BoolArray, get_regularizer
from app.engine.trainer_state import DivergenceError, TrainerState
from app.engine.types import AnyFloatArray, FloatArray
from app.engine.update import Updates

Remainder = Literal["carry", "partial"]


# Overflow and NaN are detected after the fact (DivergenceError), so NumPy's warnings about
# them inside a training step are noise: silenced there, and only there.
def _quiet() -> np.errstate:
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


class Permuter(Protocol):
    """Source of shuffles: `permutation(n)` -> a permutation of range(n) (np.random.Generator)."""

    def permutation(self, x: int, /) -> npt.NDArray[np.integer[Any]]: ...


class Trainer(TrainerState, Updates):
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
        # The playground's defaults: plain SGD at learning rate 0.03 (docs/playground-rules.md §6).
        if optimizer is None:
            optimizer = make_optimizer("sgd", learning_rate=0.03)
        self.optimizer = optimizer
        optimizer.build(net.params.shapes)
        self.loss_name = loss
        self._loss = get_loss(loss)
        self.regularizer = get_regularizer(regularization)
        self.regularization_rate = float(regularization_rate)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.remainder: Remainder = remainder
        self.rng = rng
        self._kernel = BatchKernel(net, self._loss)
        self._init_flat_state(net)

    def _init_flat_state(self, net: Network) -> None:
        """Carry, dead flags and masks as vectors laid out like net.params (flat.py)."""
        shapes = net.params.shapes
        self._carry = FlatParams(shapes)
        self._carry_count = 0
        # One flag per parameter; bias entries stay False. `dead` shows the kernels' parts.
        self._dead = np.zeros(net.n_params, dtype=bool)
        self.dead: list[BoolArray] = views(self._dead, shapes)[0::2]
        self._has_dead = False
        # 1.0 on kernel entries, 0.0 on biases: regularization and L1 deaths skip biases.
        self._kernel_mask = FlatParams(shapes, fill=1.0)
        for b in self._kernel_mask[1::2]:
            b.fill(0.0)
        self._count = np.zeros(())
        # The gradient view (issue 6): the last update's total gradient, kept only on request.
        self.record_gradients = False
        self._last_grad = FlatParams(shapes)
        self.last_outputs: FloatArray | None = None  # see train_epoch

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
            outputs = self._kernel.predict(F64)
            value = mean_or_nan(LOSSES["playground"].value(outputs, t))
        # The outputs the loss was taken at, in the caller's row order, so a frame that
        # shows this state needs no second pass over the training set (session.py).
        self.last_outputs = None if self.shuffle else outputs
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
            o = self._kernel.sums(self._kernel.columns(F64, len(F64))[0], t)
            value = float(self._loss.value(o, t).mean()) + self.penalty()
            self._update(len(F64))
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
        with _quiet():
            self._kernel.sums(self._kernel.columns(F64, len(F64))[0], t)
        g = self._kernel.grads.flat / len(F64)
        if self.regularizer.name != "none":
            g += self._penalty_grad()
        return list(FlatParams(self.net.params.shapes, g))

    def last_gradients(self) -> list[FloatArray]:
        """∂L/∂W of the last update (mean data gradient + penalty; 0 on dead links), one
        array per kernel, Keras layout; zeros until an update ran with record_gradients on."""
        return [W.copy() for W in self._last_grad[0::2]]

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

    def predict(self, F: AnyFloatArray) -> FloatArray:
        """The network's outputs (n, outputs) on F, by the training kernel's forward pass."""
        with _quiet():
            return self._kernel.predict(np.asarray(F, dtype=np.float64))

    def _mean_loss(self, name: str, F: AnyFloatArray, y: AnyFloatArray) -> float:
        F64, t = self._prepare(F, y)
        with _quiet():
            return mean_or_nan(LOSSES[name].value(self._kernel.predict(F64), t))

    def _carry_epoch(self, F: FloatArray, t: FloatArray) -> None:
        # §4.5: an update after each epoch-local index i with (i+1) % B == 0; the carried
        # sums join the first of them, which then divides by B + (count carried).
        B, kernel, carry, update = self.batch_size, self._kernel, self._carry.flat, self._updater()
        full = len(F) - len(F) % B
        for X, start in zip(kernel.columns(F, B), range(0, full, B), strict=True):
            kernel.sums(X, t[start : start + B])
            n = B
            if self._carry_count:
                kernel.grads.flat += carry
                carry.fill(0.0)
                n += self._carry_count
                self._carry_count = 0
            update(n)
        if full < len(F):
            kernel.sums(kernel.columns(F[full:], len(F) - full)[0], t[full:])
            carry += kernel.grads.flat
            self._carry_count += len(F) - full

    def _partial_epoch(self, F: FloatArray, t: FloatArray) -> None:
        B, kernel, update = self.batch_size, self._kernel, self._updater()
        full = len(F) - len(F) % B
        for X, start in zip(kernel.columns(F, B), range(0, full, B), strict=True):
            kernel.sums(X, t[start : start + B])
            update(B)
        if full < len(F):
            kernel.sums(kernel.columns(F[full:], len(F) - full)[0], t[full:])
            self._update(len(F) - full)

    def has_state_beyond_weights(self) -> bool:
        """Carried gradient sums or dead links: an epoch then needs this Trainer's own loop."""
        return self._has_dead or self._carry_count != 0

    def commit_epoch(self, params: FloatArray, updates: int, outputs: FloatArray | None) -> None:
        """Take the result of an epoch trained elsewhere (gang.py): its weights, its plain
        SGD steps and the outputs its loss was taken at (None if no loss was taken), as
        train_epoch would leave them. The Trainer's owner calls this, on its own turn."""
        self.net.params.flat[...] = params
        self.optimizer.iterations += updates
        self.last_outputs = outputs

    def _permuter(self) -> Permuter:
        if self.rng is None:
            self.rng = np.random.default_rng()
        return self.rng


__all__ = ["DivergenceError", "Permuter", "Remainder", "Trainer"]
