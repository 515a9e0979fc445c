"""Per-sample loss functions and their gradients with respect to the network output.

What it is: the playground's ½Σ(o−t)² (docs/playground-rules.md §4.4) and the Keras losses mse,
binary_crossentropy and categorical_crossentropy (docs/keras-rules.md §1.3), each as
`value(o, t) -> (n,)` and `grad(o, t) -> (n, K)`.
What it is not: a reduction. Nothing here divides by the batch size; the trainer sums the
per-sample gradients and divides by its accumulated count, which is what lets the
playground's carried-over samples join the next batch (docs/playground-rules.md §4.5).
Trade-off: the cross-entropies take probabilities and clip them, as Keras does on its torch
and JAX backends, instead of fusing with the output activation into a logits form; this is
exact against Keras but blocks the gradient where the clip is active.

Shapes: o (output activations) and t (targets) are (n, K) float64.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.types import FloatArray

# Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 − EPSILON].
EPSILON = 1e-7


@dataclass(frozen=True)
class Loss:
    """A named loss: `value(o, t)` per-sample (n,), `grad(o, t)` = d(per-sample loss)/do (n, K)."""

    name: str
    value: Callable[[FloatArray, FloatArray], FloatArray]
    grad: Callable[[FloatArray, FloatArray], FloatArray]


def _square_value(o: FloatArray, t: FloatArray) -> FloatArray:
    d = o - t
    result: FloatArray = 0.5 * (d * d).sum(axis=1)
    return result


def _square_grad(o: FloatArray, t: FloatArray) -> FloatArray:
    # docs/playground-rules.md §4.4: dE/do = o − t.
    return o - t


def _mse_value(o: FloatArray, t: FloatArray) -> FloatArray:
    d = o - t
    result: FloatArray = (d * d).mean(axis=1)
    return result


def _mse_grad(o: FloatArray, t: FloatArray) -> FloatArray:
    # Keras: d mean_k (o−t)² / do = 2(o − t)/K (the 1/B comes later, from the trainer).
    result: FloatArray = 2.0 * (o - t) / o.shape[1]
    return result


def _inside_clip(p: FloatArray) -> FloatArray:
    # Where the clip is active its derivative is 0 (torch clamp passes the bounds themselves).
    inside: FloatArray = ((p >= EPSILON) & (p <= 1 - EPSILON)).astype(np.float64)
    return inside


def _bce_value(o: FloatArray, t: FloatArray) -> FloatArray:
    q = np.clip(o, EPSILON, 1 - EPSILON)
    result: FloatArray = -(t * np.log(q) + (1 - t) * np.log(1 - q)).mean(axis=1)
    return result


def _bce_grad(o: FloatArray, t: FloatArray) -> FloatArray:
    q = np.clip(o, EPSILON, 1 - EPSILON)
    result: FloatArray = (-t / q + (1 - t) / (1 - q)) * _inside_clip(o) / o.shape[1]
    return result


def _cce_value(o: FloatArray, t: FloatArray) -> FloatArray:
    # Keras renormalises the rows to sum 1 before clipping, then sums over classes.
    q = np.clip(o / o.sum(axis=1, keepdims=True), EPSILON, 1 - EPSILON)
    result: FloatArray = -(t * np.log(q)).sum(axis=1)
    return result


def _cce_grad(o: FloatArray, t: FloatArray) -> FloatArray:
    s = o.sum(axis=1, keepdims=True)
    p = o / s
    u = -t / np.clip(p, EPSILON, 1 - EPSILON) * _inside_clip(p)
    # Chain rule through p = o / Σo: dp_k/do_j = (δ_kj − p_k)/Σo.
    result: FloatArray = (u - (u * p).sum(axis=1, keepdims=True)) / s
    return result


LOSSES: dict[str, Loss] = {
    "playground": Loss("playground", _square_value, _square_grad),
    "mse": Loss("mse", _mse_value, _mse_grad),
    "binary_crossentropy": Loss("binary_crossentropy", _bce_value, _bce_grad),
    "categorical_crossentropy": Loss("categorical_crossentropy", _cce_value, _cce_grad),
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name; unknown names raise ValueError listing the valid ones."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}") from None


def mean_or_nan(values: FloatArray) -> float:
    """The mean of per-row loss values, or NaN for no rows (an empty test set)."""
    return float(values.mean()) if len(values) else float("nan")
