"""The update: one optimizer step from a minibatch's gradient sums, with the playground's rules.

What it is: `Updates`, the part of Trainer (training.py) that turns the kernel's gradient
SUMS over n samples into a step: mean gradient, λ·R′(w_old) on kernels (step 1 of
docs/playground-rules.md §4.5), dead links frozen, the optimizer, then L1's zero crossings
killed (step 2). `_updater` picks, once per epoch, either that general step or the
optimizer's fused flat step.
What it is not: batching or the carry (training.py), or the optimizers' rules (optimizers.py).
Trade-off: a mixin over the Trainer's flat buffers, like TrainerState, so the minibatch loop
reads plain attributes; the annotations below are the contract.
"""

from collections.abc import Callable

import numpy as np

from app.engine.flat import FlatParams
from app.engine.kernel import BatchKernel
from app.engine.network import Network
from app.engine.optimizers import Optimizer, sgd_step
from app.engine.regularizers import BoolArray, Regularizer, kill_zero_crossings
from app.engine.types import FloatArray


class Updates:
    """One update per minibatch; see the module docstring."""

    net: Network
    optimizer: Optimizer
    regularizer: Regularizer
    regularization_rate: float
    record_gradients: bool
    _kernel: BatchKernel
    _kernel_mask: FlatParams
    _last_grad: FlatParams
    _dead: BoolArray
    _has_dead: bool
    _count: FloatArray

    def _penalty_grad(self) -> FloatArray:
        """λ·R′(w) over the flat parameters, 0 on biases (never regularized)."""
        theta = self.net.params.flat
        grad: FloatArray = self.regularizer.grad(theta, self.regularization_rate)
        grad *= self._kernel_mask.flat
        return grad

    def _updater(self) -> Callable[[int], None]:
        """This epoch's minibatch update: `_update`, or for plain SGD with no penalty, no
        dead link and no gradient view the optimizer's fused step: the same arithmetic
        without the per-step checks (4% fewer instructions per config-A epoch, callgrind).
        Chosen once per epoch: nothing can change those conditions between minibatches.
        tests/unit/test_update_paths.py holds every path equal to the optimizer's reference
        `apply`, for every optimizer and hyperparameter."""
        if self.regularizer.name != "none" or self._has_dead or self.record_gradients:
            return self._update
        step = self.optimizer.flat_step(self.net.params.shapes)
        if step is None:
            return self._update
        g, theta, count = self._kernel.grads.flat, self.net.params.flat, self._count

        def fused(n: int) -> None:
            count[()] = n
            np.divide(g, count, out=g)
            step(theta, g)

        return fused

    def _update(self, n: int) -> None:
        """One optimizer step from the kernel's gradient sums over n samples, with the
        dead-link rule. Sums become mean gradients in place, then get the penalty term."""
        g, theta, opt = self._kernel.grads.flat, self.net.params.flat, self.optimizer
        self._count[()] = n  # a 0-d array divides ~2x faster than a Python int
        np.divide(g, self._count, out=g)
        w_step = None
        if self.regularizer.name != "none":
            if self.regularizer.kills_links and opt.is_plain_sgd:
                # w1 of docs/playground-rules.md §4.5 step 2: the data-gradient step alone, at
                # this update's rate; 0 on biases, so they can never count as crossing zero.
                w_step = theta.copy()
                sgd_step(w_step, g, opt.lr_at(opt.iterations))
                w_step *= self._kernel_mask.flat
            # Regularization uses the weights before this update (§4.5 step 1).
            g += self._penalty_grad()
        kept = self._freeze_dead(g)
        if self.record_gradients:
            np.copyto(self._last_grad.flat, g)
        step = opt.flat_step(self.net.params.shapes)  # plain SGD: its one rule, fused
        if step is not None:
            step(theta, g)
        else:
            opt.apply(self.net.params, self._kernel.grads)
        if kept is not None:
            np.copyto(theta, kept, where=self._dead)
        if w_step is not None:
            self._has_dead |= kill_zero_crossings(theta, w_step, self._dead)

    def _freeze_dead(self, g: FloatArray) -> FloatArray | None:
        """Zero dead links' gradients; return the parameters to restore them from after apply.

        The value may be a user's edit, and momentum-like state could still move it, so it is
        restored rather than trusted to stay put. Returns None when no link is dead.
        """
        if not self._has_dead:
            return None
        g[self._dead] = 0.0
        return self.net.params.flat.copy()
