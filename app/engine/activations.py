"""Activation functions and their backward passes, as a name -> Activation table.

What it is: relu, tanh, sigmoid, linear (spec/playground.md §4.3) and softmax (the Keras
output for categorical_crossentropy), each as a forward `fn(z)` and a `backward(z, a, da)`.
What it is not: a layer; weights and the chain rule across layers live in `network.py`.
Trade-off: `backward` takes both z and a = fn(z) so each function can use the form the spec
prescribes (relu′ from z, sigmoid′ and tanh′ from a) at the price of a wider signature.

Shapes: z, a, da, dz are all (n, units); every function keeps the dtype of its input, so the
float32 boundary grids are never upcast.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.types import AnyFloatArray

Forward = Callable[[AnyFloatArray], AnyFloatArray]
Backward = Callable[[AnyFloatArray, AnyFloatArray, AnyFloatArray], AnyFloatArray]


@dataclass(frozen=True)
class Activation:
    """A named activation: `fn(z) -> a` and `backward(z, a, da) -> dz` (elementwise chain rule)."""

    name: str
    fn: Forward
    backward: Backward


def _relu(z: AnyFloatArray) -> AnyFloatArray:
    result: AnyFloatArray = np.maximum(z, 0)
    return result


def _relu_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    # spec/playground.md §4.3: relu′(z) = 0 for z ≤ 0, so the kink itself passes no gradient.
    result: AnyFloatArray = da * (z > 0)
    return result


def _tanh(z: AnyFloatArray) -> AnyFloatArray:
    result: AnyFloatArray = np.tanh(z)
    return result


def _tanh_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    # spec/playground.md §4.3: 1 − tanh²(z). nn.ts recomputes tanh(z); a is that same value
    # (np.tanh is deterministic), so reusing it is bit-identical and saves a pass.
    d: AnyFloatArray = a * a
    np.subtract(1, d, out=d)
    d *= da
    return d


def _sigmoid(z: AnyFloatArray) -> AnyFloatArray:
    # 1/(1+e^(−z)) exactly as the playground writes it; for z < −709 e^(−z) overflows to inf
    # and the quotient is the correct limit 0, so the overflow warning is silenced, not avoided.
    with np.errstate(over="ignore"):
        result: AnyFloatArray = 1 / (1 + np.exp(-z))
    return result


def _sigmoid_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    result: AnyFloatArray = da * a * (1 - a)
    return result


def _linear(z: AnyFloatArray) -> AnyFloatArray:
    return z


def _linear_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    return da


def _softmax(z: AnyFloatArray) -> AnyFloatArray:
    # Shifting by the row maximum leaves softmax unchanged and keeps exp() from overflowing.
    e: AnyFloatArray = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def _softmax_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    # Jacobian-vector product of softmax, row-wise: dz = a·(da − Σ_k da_k·a_k).
    result: AnyFloatArray = a * (da - (da * a).sum(axis=1, keepdims=True))
    return result


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_backward),
    "tanh": Activation("tanh", _tanh, _tanh_backward),
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_backward),
    "linear": Activation("linear", _linear, _linear_backward),
    "softmax": Activation("softmax", _softmax, _softmax_backward),
}

# The playground's activation dropdown; softmax only makes sense across an output layer.
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear")


def get_activation(name: str) -> Activation:
    """Look an activation up by name; unknown names raise ValueError listing the valid ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        ) from None
