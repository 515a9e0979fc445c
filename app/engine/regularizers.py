"""Weight penalties with the playground's rate λ: none, L1 and L2 (docs/playground-rules.md §4.5).

What it is: for each name, the penalty λ·ΣR(w) over one kernel and its gradient λ·R′(w),
with R(w) = |w| (L1, R′(0) = 0) or ½w² (L2), and L1's rule that kills a link crossing zero.
What it is not: applied to biases (neither the playground nor Keras's kernel_regularizer does)
and not an optimizer step; the trainer adds the gradient to the data gradient.
Trade-off: the playground's λ is kept as the only rate. Its L2 is ½w², so it corresponds to
Keras `l2 = λ/2`; L1 is identical to Keras `l1 = λ`.

Shapes: W is one kernel (fan_in, fan_out) float64; grads have the same shape.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.engine.types import FloatArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Regularizer:
    """A named penalty: `penalty(W, rate) -> float`, `grad(W, rate) -> (fan_in, fan_out)`.

    `kills_links` marks L1, whose zero crossings kill links under plain SGD (§4.5 step 4).
    """

    name: str
    penalty: Callable[[FloatArray, float], float]
    grad: Callable[[FloatArray, float], FloatArray]
    kills_links: bool = False


def _none_penalty(W: FloatArray, rate: float) -> float:
    return 0.0


def _none_grad(W: FloatArray, rate: float) -> FloatArray:
    return np.zeros_like(W)


def _l1_penalty(W: FloatArray, rate: float) -> float:
    return rate * float(np.abs(W).sum())


def _l1_grad(W: FloatArray, rate: float) -> FloatArray:
    # np.sign(0) == 0, which is the spec's R′(0) = 0.
    result: FloatArray = rate * np.sign(W)
    return result


def _l2_penalty(W: FloatArray, rate: float) -> float:
    return rate * 0.5 * float((W * W).sum())


def _l2_grad(W: FloatArray, rate: float) -> FloatArray:
    return rate * W


REGULARIZERS: dict[str, Regularizer] = {
    "none": Regularizer("none", _none_penalty, _none_grad),
    "L1": Regularizer("L1", _l1_penalty, _l1_grad, kills_links=True),
    "L2": Regularizer("L2", _l2_penalty, _l2_grad),
}


def get_regularizer(name: str | None) -> Regularizer:
    """Look a regularizer up by name (None means "none"); unknown names raise ValueError."""
    key = "none" if name is None else name
    try:
        return REGULARIZERS[key]
    except KeyError:
        raise ValueError(
            f"unknown regularization {name!r}; expected None or one of {', '.join(REGULARIZERS)}"
        ) from None


def kill_zero_crossings(W: FloatArray, w_step: FloatArray, dead: BoolArray) -> bool:
    """Apply L1's dead-link rule to one kernel in place; True if any link died now.

    §4.5 step 4: where the data step alone gave w1 = `w_step` and the full update gave
    w2 = `W`, w1·w2 < 0 means the L1 step crossed zero: the weight becomes 0 and its link is
    marked in `dead` (bool, W's shape). Links already dead are left as they are.
    Example: W=[0.001, 0.5] → [0, 0.5] for w_step=[-0.002, 0.49], dead → [True, False].
    """
    crossed = (w_step * W < 0) & ~dead
    W[crossed] = 0.0
    dead |= crossed
    return bool(crossed.any())
