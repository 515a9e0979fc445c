"""A fully connected feed-forward network stored as Keras-layout arrays.

What it is: the playground's network (docs/playground-rules.md §4.1): `inputs` features, any
number of hidden layers with one activation, and an output layer with its own activation. It
does the forward pass for a whole matrix of samples and the backward pass for summed
gradients.
What it is not: a trainer. Losses, batching, regularization and updates live in `training.py`.
Trade-off: weights are dense per-layer matrices W[l] of shape (fan_in, fan_out), which is
Keras's layout, instead of per-link objects. Link-level state (the playground's dead links)
therefore lives beside the network as boolean masks of the same shapes. All W[l] and b[l] are
views of one vector, `params.flat` (flat.py), so the trainer and optimizers update every
parameter in a few calls; the price is that W[l] and b[l] must be written in place, never
rebound. `forward`/`backward` here are the readable reference; training runs the same maths
through `kernel.py`, which a unit test pins to them.

Shapes: F (n, inputs); W[l] (layer_sizes[l], layer_sizes[l+1]); b[l] (layer_sizes[l+1],);
zs[l] and acts[l+1] (n, layer_sizes[l+1]); acts[0] is F itself.
"""

from collections.abc import Sequence
from typing import cast

import numpy as np

from app.engine.activations import HIDDEN_ACTIVATIONS, Activation, get_activation
from app.engine.flat import FlatParams, param_shapes
from app.engine.initializers import Draws, RandomStream, get_initializer
from app.engine.types import AnyFloatArray, FloatArray

Gradients = tuple[list[FloatArray], list[FloatArray]]
Layers64 = tuple[list[FloatArray], list[FloatArray]]


class Network:
    """Weights `W`, biases `b` and activations of a dense network; see the module docstring."""

    def __init__(
        self,
        inputs: int,
        hidden: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "tanh",
        outputs: int = 1,
        init: str = "playground",
        rng: RandomStream | None = None,
        seed: int | None = None,
    ) -> None:
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"unknown hidden activation {activation!r}; "
                f"expected one of {', '.join(HIDDEN_ACTIVATIONS)}"
            )
        _check_sizes(inputs, hidden, outputs)
        self.layer_sizes: list[int] = [inputs, *hidden, outputs]
        self.activation = activation
        self.output_activation = output_activation
        self.init = init
        self._acts: list[Activation] = [get_activation(activation)] * len(hidden)
        self._acts.append(get_activation(output_activation))
        # Every W and b is a view of params.flat, in Keras order [W1, b1, W2, b2, ...].
        self.params = FlatParams(param_shapes(self.layer_sizes))
        self.W: list[FloatArray] = self.params[0::2]
        self.b: list[FloatArray] = self.params[1::2]
        # §4.2: weights are drawn layer by layer, so one pass over the layers in order.
        initializer = get_initializer(init)
        draws = Draws(rng, seed)
        for W, b in zip(self.W, self.b, strict=True):
            W[...] = initializer.kernel(W.shape[0], W.shape[1], draws)
            b[...] = initializer.bias

    @property
    def n_params(self) -> int:
        return self.params.flat.size

    def forward(self, F: FloatArray) -> tuple[list[FloatArray], list[FloatArray]]:
        """(n, inputs) float64 -> (zs, acts): pre-activations and activations per layer, float64.

        acts[0] is F itself. The readable reference, and what a frame's dead-ReLU check reads
        (app/protocol/frames.py); training runs the same maths through kernel.py, and the
        boundary grids through app/playground/grids.py, in float32.
        """
        return cast(Layers64, self._forward(F, self.W, self.b))

    def _forward(
        self, F: AnyFloatArray, Ws: Sequence[AnyFloatArray], bs: Sequence[AnyFloatArray]
    ) -> tuple[list[AnyFloatArray], list[AnyFloatArray]]:
        if F.ndim != 2 or F.shape[1] != self.layer_sizes[0]:
            expected = f"(n, {self.layer_sizes[0]})"
            raise ValueError(f"expected features of shape {expected}, got {F.shape}")
        zs: list[AnyFloatArray] = []
        acts: list[AnyFloatArray] = [F]
        a = F
        for W, b, act in zip(Ws, bs, self._acts, strict=True):
            z = a @ W
            z += b  # in place: one temporary fewer per layer
            a = act.fn(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def predict(self, F: AnyFloatArray) -> FloatArray:
        """(n, inputs) -> (n, outputs) float64 output activations (F is converted to float64)."""
        return self.forward(np.asarray(F, dtype=np.float64))[1][-1]

    def backward(
        self, zs: Sequence[FloatArray], acts: Sequence[FloatArray], dout: FloatArray
    ) -> Gradients:
        """Chain rule from dLoss/d(output activation) (n, outputs) back to every W and b.

        Returns (grad_W, grad_b) SUMMED over the n rows, shaped like W and b. Every link takes
        part, as in §4.5 step 5: dE/da uses the current weights, dead links included.
        """
        grad_W: list[FloatArray] = []
        grad_b: list[FloatArray] = []
        da = dout
        for layer in reversed(range(len(self.W))):
            delta = self._acts[layer].backward(zs[layer], acts[layer + 1], da)
            grad_W.append(acts[layer].T @ delta)
            grad_b.append(np.add.reduce(delta, axis=0))  # = delta.sum(0), minus the wrapper
            if layer > 0:
                da = delta @ self.W[layer].T
        return grad_W[::-1], grad_b[::-1]

    def get_weights(self) -> list[FloatArray]:
        """Copies in Keras order: [W1, b1, W2, b2, ...], float64."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights: Sequence[AnyFloatArray]) -> None:
        """Replace every weight from a [W1, b1, W2, b2, ...] list; shapes must match exactly."""
        current = self.params
        if len(weights) != len(current):
            raise ValueError(f"expected {len(current)} arrays [W1, b1, ...], got {len(weights)}")
        arrays = [np.asarray(w, dtype=np.float64) for w in weights]
        for i, (new, old) in enumerate(zip(arrays, current, strict=True)):
            kind = "W" if i % 2 == 0 else "b"
            if new.shape != old.shape:
                raise ValueError(f"{kind}{i // 2 + 1} must have shape {old.shape}, got {new.shape}")
            if not np.isfinite(new).all():
                raise ValueError(f"{kind}{i // 2 + 1} contains inf or NaN")
        # Written in place: W, b and params.flat are views of the same memory.
        for new, old in zip(arrays, current, strict=True):
            old[...] = new

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> None:
        """Set one link's weight, W[layer][src, dst] (layer is 0-based into W)."""
        _check_index("weight", layer, (src, dst), self.W)
        self.W[layer][src, dst] = _finite(value)

    def set_bias(self, layer: int, node: int, value: float) -> None:
        """Set one node's bias, b[layer][node] (layer is 0-based into b)."""
        _check_index("bias", layer, (node,), self.b)
        self.b[layer][node] = _finite(value)

    def __repr__(self) -> str:
        shape = "-".join(str(n) for n in self.layer_sizes)
        return (
            f"Network({shape}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, params={self.n_params})"
        )


def _check_sizes(inputs: int, hidden: Sequence[int], outputs: int) -> None:
    # §3 and §4.1: zero inputs and zero hidden layers are legal; an empty hidden layer
    # or a network without outputs is not.
    if inputs < 0:
        raise ValueError(f"inputs must be >= 0, got {inputs}")
    if any(h < 1 for h in hidden):
        raise ValueError(f"every hidden layer needs at least 1 unit, got {list(hidden)}")
    if outputs < 1:
        raise ValueError(f"outputs must be >= 1, got {outputs}")


def _check_index(
    what: str, layer: int, index: tuple[int, ...], arrays: Sequence[AnyFloatArray]
) -> None:
    if not 0 <= layer < len(arrays):
        raise ValueError(f"layer must be in 0..{len(arrays) - 1}, got {layer}")
    shape = arrays[layer].shape
    if not all(0 <= i < n for i, n in zip(index, shape, strict=True)):
        raise ValueError(f"{what} index {index} outside layer {layer} of shape {shape}")


def _finite(value: float) -> float:
    if not np.isfinite(value):
        raise ValueError(f"weights must be finite, got {value}")
    return float(value)
