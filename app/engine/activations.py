"""Activation functions and their backward passes, as a name -> Activation table.

What it is: relu, tanh, sigmoid, linear (docs/playground-rules.md §4.3) and softmax (the Keras
output for categorical_crossentropy), each as a forward `fn(z)` and a `backward(z, a, da)`.
What it is not: a layer; weights and the chain rule across layers live in `network.py`.
Trade-off: `backward` takes both z and a = fn(z) so each function can use the form the spec
prescribes (relu′ from z, sigmoid′ and tanh′ from a) at the price of a wider signature. The
elementwise four also come as `into(z, out)` and `slope(a, out)`, two allocation-free forms
for the training kernel (kernel.py); they repeat the same formulas, so the same bits result,
in exchange for a second spelling of each.

Shapes: z, a, da, dz are all (n, units); every function keeps the dtype of its input, so the
float32 boundary grids are never upcast. `into` and `slope` take any shape but are float64
only: their constants are 0-d float64 arrays, which NumPy 2 combines with an array about
twice as fast as a Python number (no weak-scalar promotion), and which do not stay weak.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.types import AnyFloatArray

Forward = Callable[[AnyFloatArray], AnyFloatArray]
Backward = Callable[[AnyFloatArray, AnyFloatArray, AnyFloatArray], AnyFloatArray]
Into = Callable[[AnyFloatArray, AnyFloatArray], None]

_ZERO, _ONE = np.array(0.0), np.array(1.0)
_ZERO.flags.writeable = _ONE.flags.writeable = False


@dataclass(frozen=True)
class Activation:
    """A named activation: `fn(z) -> a` and `backward(z, a, da) -> dz` (elementwise chain rule).

    Elementwise ones also have `into(z, out)`: out[...] = fn(z), out may be z itself, with no
    errstate of its own (the trainer's covers it); and `slope(a, out)`: out[...] = f′(z)
    computed from a = fn(z), as backward's factor. Both are None for softmax.
    """

    name: str
    fn: Forward
    backward: Backward
    into: Into | None = None
    slope: Into | None = None


def _relu(z: AnyFloatArray) -> AnyFloatArray:
    result: AnyFloatArray = np.maximum(z, 0)
    return result


def _relu_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    # docs/playground-rules.md §4.3: relu′(z) = 0 for z ≤ 0, so the kink itself passes no gradient.
    result: AnyFloatArray = da * (z > 0)
    return result


def _relu_into(z: AnyFloatArray, out: AnyFloatArray) -> None:
    np.maximum(z, _ZERO, out=out)


def _relu_slope(a: AnyFloatArray, out: AnyFloatArray) -> None:
    # a = max(z, 0) is > 0 exactly where z > 0, else 0, so sign(a) is relu′(z) with
    # relu′(0) = 0 (§4.3); np.sign is ~3x cheaper than writing a > 0 into a float array.
    np.sign(a, out=out)


def _tanh(z: AnyFloatArray) -> AnyFloatArray:
    if z.dtype == np.float32:
        return _tanh32(z)
    result: AnyFloatArray = np.tanh(z)
    return result


_F32_TWO, _F32_ONE = np.float32(2), np.float32(1)


def _tanh32(z: AnyFloatArray) -> AnyFloatArray:
    """tanh = 1 − 2/(e^{2z} + 1) in float32, for the boundary grids only (training is float64).

    NumPy's float32 tanh is its slowest step of a grid frame (≈75% of it on a 6×8 net); this
    form is ~25% faster with an error under 2e-7, far below one uint8 shade (7.8e-3).
    For z > 44, e^{2z} overflows to inf and 2/inf = 0 gives exactly 1, the value tanh has
    in float32 from z ≈ 9 on; z → −∞ gives 1 − 2 = −1. So the overflow is silenced, not
    clipped away: a clip would be one more pass over every map.
    """
    with np.errstate(over="ignore"):
        z2 = np.multiply(z, _F32_TWO)
    return tanh32_of_doubled_into(z2, z2)


def tanh32_of_doubled_into(z2: AnyFloatArray, out: AnyFloatArray) -> AnyFloatArray:
    """tanh(z) from z2 = 2z, into `out` (which may be z2 itself); returns out.

    The boundary grids compute 2z directly, with doubled weights and biases: doubling is
    exact in floating point, so z2 is 2z to the bit and the map is _tanh32's, one pass
    over every map cheaper; in place, a 10,000-point map needs no temporary and no copy.
    """
    with np.errstate(over="ignore"):
        np.exp(z2, out=out)
    out += _F32_ONE
    np.divide(_F32_TWO, out, out=out)
    np.subtract(_F32_ONE, out, out=out)
    return out


def _tanh_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    # docs/playground-rules.md §4.3: 1 − tanh²(z). nn.ts recomputes tanh(z); a is that same value
    # (np.tanh is deterministic), so reusing it is bit-identical and saves a pass.
    d: AnyFloatArray = a * a
    np.subtract(1, d, out=d)
    d *= da
    return d


def _tanh_slope(a: AnyFloatArray, out: AnyFloatArray) -> None:
    np.multiply(a, a, out=out)
    np.subtract(_ONE, out, out=out)


def _sigmoid(z: AnyFloatArray) -> AnyFloatArray:
    # 1/(1+e^(−z)) exactly as the playground writes it; for z < −709 e^(−z) overflows to inf
    # and the quotient is the correct limit 0, so the overflow warning is silenced, not avoided.
    with np.errstate(over="ignore"):
        result: AnyFloatArray = 1 / (1 + np.exp(-z))
    return result


def _sigmoid_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    result: AnyFloatArray = da * a * (1 - a)
    return result


def _sigmoid_into(z: AnyFloatArray, out: AnyFloatArray) -> None:
    # The same operations as _sigmoid, in place: 1 / (1 + e^(−z)).
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(_ONE, out, out=out)
    np.divide(_ONE, out, out=out)


def _sigmoid_slope(a: AnyFloatArray, out: AnyFloatArray) -> None:
    np.subtract(_ONE, a, out=out)
    np.multiply(a, out, out=out)


def _linear(z: AnyFloatArray) -> AnyFloatArray:
    return z


def _linear_backward(z: AnyFloatArray, a: AnyFloatArray, da: AnyFloatArray) -> AnyFloatArray:
    return da


def _linear_into(z: AnyFloatArray, out: AnyFloatArray) -> None:
    if out is not z:
        np.copyto(out, z)


def _linear_slope(a: AnyFloatArray, out: AnyFloatArray) -> None:
    out.fill(1.0)


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
    "relu": Activation("relu", _relu, _relu_backward, _relu_into, _relu_slope),
    "tanh": Activation("tanh", _tanh, _tanh_backward, np.tanh, _tanh_slope),  # tanh(z, out)
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_backward, _sigmoid_into, _sigmoid_slope),
    "linear": Activation("linear", _linear, _linear_backward, _linear_into, _linear_slope),
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
