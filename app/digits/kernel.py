"""Forward and backward passes of the digits model over a chunk of images.

What it is: `Kernel(stack, precision)`: `inputs` turns rows of uint8 images into the
network's input (pixel / 255, as `x_train.astype(...) / 255`), `train_chunk` adds a chunk's
per-sample gradient sums of the categorical cross-entropy to `grads` (or starts them) and
returns the chunk's loss sum and number of correct answers, `probabilities` is the forward
pass alone. The maths is the engine's: its activations, its softmax and its Keras
cross-entropy (app/engine/activations.py, losses.py), so the numbers are those a Keras model
of the same layers computes (tests/export/test_digits_keras.py holds them to 1e-9).
What it is not: a batcher, an optimizer or a clock (fit.py decides what a chunk is).
Trade-off: a batch may be computed in several chunks of rows whose gradient sums are added,
so no single call holds the event loop for long (a batch of 1,000 through 1024-unit layers
is ~17 GFLOP); the price is one extra addition per parameter and chunk, and a summation
order that differs from one big product by rounding (~1e-16 relative).
float32 runs the products in float32 on float32 copies of the float64 weights, refreshed
after every update; the optimizer still updates the float64 weights.

Shapes: images (n, 784) uint8; X (n, 784); labels (n,) ints; grads laid out like
stack.params; probabilities (n, 10).
"""

from collections.abc import Generator
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from app.digits.model import DenseStack
from app.engine.activations import get_activation
from app.engine.flat import FlatParams
from app.engine.losses import get_loss
from app.engine.types import AnyFloatArray, FloatArray

CCE = get_loss("categorical_crossentropy")
DTYPES: dict[str, type[np.floating[Any]]] = {"float64": np.float64, "float32": np.float32}


class Kernel:
    """One DenseStack's passes in one precision; see the module docstring."""

    def __init__(self, stack: DenseStack, precision: str) -> None:
        self.stack, self.precision = stack, precision
        self.dtype: type[np.floating[Any]] = DTYPES[precision]
        # x / 255 in the working precision, for every possible pixel value.
        self.lut = np.arange(256, dtype=self.dtype) / self.dtype(255)
        self.eye = np.eye(10, dtype=self.dtype)
        self.acts = [get_activation(name) for name in stack.activations]
        shapes = stack.params.shapes
        self.grads = FlatParams(shapes, np.zeros(stack.n_params, dtype=self.dtype))
        self.scratch: FlatParams | None = None  # for batches computed in several chunks
        if self.dtype is np.float64:
            self.work = stack.params  # the weights themselves
        else:
            self.work = FlatParams(shapes, stack.params.flat.astype(self.dtype))

    def refresh(self) -> None:
        """After an update of the float64 weights: the float32 copies follow."""
        if self.work is not self.stack.params:
            np.copyto(self.work.flat, self.stack.params.flat, casting="same_kind")

    def inputs(self, images: npt.NDArray[np.uint8]) -> AnyFloatArray:
        """(n, 784) uint8 -> (n, 784) pixel / 255 in the working precision."""
        return cast(AnyFloatArray, self.lut[images])

    def _forward(self, X: AnyFloatArray) -> tuple[list[AnyFloatArray], list[AnyFloatArray]]:
        """(zs, ins): pre-activations per layer and each layer's input (ins[0] is X);
        the last z is the output's, before softmax."""
        zs: list[AnyFloatArray] = []
        ins: list[AnyFloatArray] = [X]
        a = X
        Ws, bs = self.work[0::2], self.work[1::2]
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            z = a @ W
            z += b
            zs.append(z)
            if i < len(Ws) - 1:
                a = self.acts[i].fn(z)
                ins.append(a)
        return zs, ins

    def probabilities(self, X: AnyFloatArray) -> AnyFloatArray:
        """(n, 784) -> (n, 10) softmax outputs."""
        zs, _ = self._forward(X)
        return self.acts[-1].fn(zs[-1])

    def train_steps(
        self,
        X: AnyFloatArray,
        labels: npt.NDArray[np.integer[Any]],
        first: bool,
        breaks: frozenset[int] = frozenset(),
    ) -> Generator[None, None, tuple[float, int]]:
        """Write (first) or add the chunk's summed gradients into `grads`, in phases (the
        forward pass, then each layer's backward pass from the top), pausing after each phase
        in `breaks`; return the sum of the chunk's per-sample losses and how many it
        classifies right, both at the weights before the update. Pausing changes nothing in
        the arithmetic: a chunk stepped phase by phase gives the same bits as in one go."""
        zs, ins = self._forward(X)
        p = self.acts[-1].fn(zs[-1])
        T = self.eye[labels]
        correct = int(np.count_nonzero(np.argmax(p, axis=1) == labels))
        loss = loss_sum(p, T)
        dp = CCE.grad(cast(FloatArray, p), T)  # the formulas keep float32 as float32
        delta = np.asarray(self.acts[-1].backward(zs[-1], p, dp), dtype=self.dtype)
        gW, gb = self.grads[0::2], self.grads[1::2]
        for phase, layer in enumerate(reversed(range(len(zs))), start=1):
            if phase in breaks:  # phase 0 was the forward pass
                yield
            if first:
                np.dot(ins[layer].T, delta, out=gW[layer])
                np.sum(delta, axis=0, out=gb[layer])
            else:  # later chunks of a batch add to the sums, through a reused scratch
                scratch = self._scratch()[2 * layer]
                np.dot(ins[layer].T, delta, out=scratch)
                gW[layer] += scratch
                gb[layer] += delta.sum(axis=0)
            if layer > 0:
                da = delta @ self.work[2 * layer].T
                delta = self.acts[layer - 1].backward(zs[layer - 1], ins[layer], da)
        return loss, correct

    def _scratch(self) -> FlatParams:
        if self.scratch is None:
            self.scratch = FlatParams(self.grads.shapes, np.zeros_like(self.grads.flat))
        return self.scratch


def loss_sum(p: AnyFloatArray, T: AnyFloatArray) -> float:
    """Σ over rows of the Keras categorical cross-entropy of probabilities p, one-hot T."""
    return float(np.sum(CCE.value(cast(FloatArray, p), cast(FloatArray, T))))


def macs_per_row(sizes: list[int]) -> int:
    """Multiply-adds of one image's forward pass. Example: [784, 10, 10] -> 7940."""
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def phase_macs(sizes: list[int]) -> list[int]:
    """Multiply-adds per row of each phase of a training pass: the forward pass, then each
    layer's backward pass from the top (dW and, below the first layer, dE/da: twice the
    layer's size). Example: [784, 10, 10] -> [7940, 200, 7840]."""
    layers = list(zip(sizes[:-1], sizes[1:], strict=True))
    backward = [(2 if i else 1) * a * b for i, (a, b) in reversed(list(enumerate(layers)))]
    return [macs_per_row(sizes), *backward]


def chunk_rows(sizes: list[int], budget: int) -> int:
    """Rows per chunk so that no phase of a chunk exceeds `budget` multiply-adds (at least
    one row). Example: [784, 512, 10] at 60 million -> 147."""
    return max(1, budget // max(phase_macs(sizes)))


def phase_breaks(sizes: list[int], rows: int, budget: int) -> frozenset[int]:
    """Where a chunk of `rows` pauses: before backward phase k (1-based after the forward
    pass) when the phases since the last pause would otherwise pass `budget`.
    Example: [784, 512, 10], 100 rows, 60 million -> {2}: forward and the top layer's
    backward in one unit, the first layer's dW in the next."""
    breaks, spent = set(), 0
    for k, macs in enumerate(phase_macs(sizes)):
        cost = macs * rows
        if spent and spent + cost > budget:
            breaks.add(k)
            spent = 0
        spent += cost
    return frozenset(breaks)
