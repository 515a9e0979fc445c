"""The training hot path: one minibatch's forward and backward pass in preallocated buffers.

What it is: `BatchKernel(net, loss)`. `columns(F, n)` lays a feature matrix out as batches of
n samples, each transposed with a row of ones appended; `sums(X, t)` runs one such batch and
writes the per-sample data-loss gradients, SUMMED over its samples, into `grads` (a
FlatParams laid out like `net.params`, overwritten by every call). It computes what
`Network.forward` + `Network.backward` compute; a unit test pins the two at rtol 1e-12.
What it is not: the readable reference (that is network.py), an optimizer or a batcher.
Trade-off: speed over directness. The arrays are tiny (≤ 8 units × ≤ 30 samples), so the
cost is NumPy's ~1 µs per call, not arithmetic, and this module spends readability to make
fewer calls, each without allocating:
- each layer's bias is the last row of a (fan_in + 1, fan_out) block [W; b] (flat.py), and
  every activation matrix has a last row of ones, so one `dot` gives z = Wᵀa + b and one
  gives both dW and db;
- activations are stored units × samples, so every result is contiguous and
  `ndarray.dot(out=)` (cheaper than `@` or `np.dot`) can write straight into the next layer's
  input;
- f′ of every hidden layer is computed from the activations in one call pair per batch
  (`Activation.slope`), not per layer; z is kept only for the output layer.
Buffers are built once per batch size and reused: an epoch needs at most two sizes (B and
N mod B); the cache keeps a few and starts over when a caller cycles through more.

Shapes: X (inputs + 1, n) float64 with X[-1] = 1; t (n, outputs); grads.flat (net.n_params,).
"""

from collections.abc import Callable
from typing import cast

import numpy as np

from app.engine.activations import Activation, get_activation
from app.engine.flat import FlatParams, layer_blocks, param_shapes, views
from app.engine.losses import Loss
from app.engine.network import Network
from app.engine.types import FloatArray

Slope = Callable[[FloatArray, FloatArray], None]
CACHED_SIZES = 6  # batch sizes whose buffers are kept (B, N mod B, train and test N, ...)
Step = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def batch_columns(F: FloatArray, n: int) -> FloatArray:
    """(N, inputs) -> (N // n, inputs + 1, n): batch i is rows i·n… transposed, plus ones.

    Rows past the last whole batch are left out. Example: F (25, 2), n 10 -> (2, 3, 10).
    The one statement of the kernel's input layout (`BatchKernel.columns`, and gang.py's
    stacks, which must be laid out the same to train to the same bits).
    """
    batches, inputs = len(F) // n, F.shape[1]
    X = np.empty((batches, inputs + 1, n))
    X[:, :inputs] = F[: batches * n].reshape(batches, n, inputs).transpose(0, 2, 1)
    X[:, inputs] = 1.0
    return X


class _Buffers:
    """Work arrays for batches of n samples: every layer's activations (hidden ones with a
    ones row), their f′ (`slopes`, same layout), the output's z, and dE/da per hidden layer;
    plus the loops' arrays zipped once: `forward` per hidden layer, `backward` top down."""

    def __init__(
        self, sizes: list[int], n: int, grads: list[FloatArray], W: list[FloatArray]
    ) -> None:
        hidden = sizes[1:-1]
        shapes = [(k + 1, n) for k in hidden] + [(sizes[-1], n)]
        self.acts = np.empty(sum(r * c for r, c in shapes))
        self.slopes = np.empty_like(self.acts)
        end = (sum(hidden) + len(hidden)) * n  # the hidden part, without the output block
        self.hidden_acts, self.hidden_slopes = self.acts[:end], self.slopes[:end]
        blocks, slopes = views(self.acts, shapes), views(self.slopes, shapes)
        self.A: list[FloatArray] = blocks[:-1]  # (k + 1, n): the next layer's input
        for A in self.A:
            A[-1] = 1.0
        self.H = [A[:-1] for A in self.A]  # (k, n): the activations themselves
        self.S = [S[:-1] for S in slopes[:-1]]  # (k, n): f′ of H
        self.out, self.S_out = blocks[-1], slopes[-1]  # (outputs, n)
        self.z_out = np.empty((sizes[-1], n))
        self.dE_da = [np.empty((k, n)) for k in hidden]
        self.forward = list(zip(self.A, self.H, strict=True))
        # Per layer above the first: its input A, its [dW; db] block, its W, then dE/da and f′
        # of the layer below it.
        layers = zip(self.A, grads[1:], W[1:], self.dE_da, self.S, strict=True)
        self.backward = cast(list[Step], list(layers)[::-1])


class BatchKernel:
    """Gradient sums of one minibatch for `net` under `loss`; see the module docstring."""

    def __init__(self, net: Network, loss: Loss) -> None:
        self.sizes = net.layer_sizes
        self.loss = loss
        hidden = get_activation(net.activation)
        self.into = cast(Slope, hidden.into)  # HIDDEN_ACTIVATIONS are all elementwise
        self.slope = cast(Slope, hidden.slope)
        self.out_act: Activation = get_activation(net.output_activation)
        # The output's f′ comes from the same slope pass when it is the hidden activation.
        self.joint = len(self.sizes) > 2 and net.output_activation == net.activation
        self.blocksT = [B.T for B in layer_blocks(net.params.flat, self.sizes)]
        self.grads = FlatParams(param_shapes(self.sizes))
        self._grad_blocks = layer_blocks(self.grads.flat, self.sizes)
        self._W = net.W
        self._buffers: dict[int, _Buffers] = {}

    columns = staticmethod(batch_columns)

    def sums(self, X: FloatArray, t: FloatArray) -> FloatArray:
        """Write the summed gradients of batch X (inputs + 1, n) into `grads`; return the
        output activations (n, outputs) the loss was taken at (valid until the next call)."""
        buf = self._buffers_for(X.shape[1])
        o = self._forward(X, buf)
        dE_do = self.loss.grad(o, t)
        if self.joint:  # f′ of every layer in one call pair, the output's included
            self.slope(buf.acts, buf.slopes)
            delta = np.multiply(dE_do, buf.S_out.T)
        else:
            self.slope(buf.hidden_acts, buf.hidden_slopes)
            delta = cast(FloatArray, self.out_act.backward(buf.z_out.T, o, dE_do))
        self._backward(X, buf, delta)
        return o

    def predict(self, F: FloatArray) -> FloatArray:
        """(N, inputs) -> (N, outputs) output activations, a fresh array: `sums`'s forward
        pass over all N rows as one batch. A display loss over the training set is then 2
        calls per layer instead of Network.forward's 3 and its temporaries."""
        if len(F) == 0:
            return np.empty((0, self.sizes[-1]))
        X = self.columns(F, len(F))[0]
        return np.array(self._forward(X, self._buffers_for(len(F))))

    def _buffers_for(self, n: int) -> _Buffers:
        buf = self._buffers.get(n)
        if buf is None:
            if len(self._buffers) >= CACHED_SIZES:
                self._buffers.clear()
            buf = self._buffers[n] = _Buffers(self.sizes, n, self._grad_blocks, self._W)
        return buf

    def _forward(self, X: FloatArray, buf: _Buffers) -> FloatArray:
        # ndarray.dot, not np.dot: the same BLAS call without the dispatch layer (~0.3 µs).
        into, a = self.into, X
        for BT, (A, h) in zip(self.blocksT, buf.forward, strict=False):
            BT.dot(a, out=h)  # z = Wᵀa + b, written where the next layer reads it
            into(h, h)
            a = A
        z = buf.z_out
        self.blocksT[-1].dot(a, out=z)
        out_into = self.out_act.into
        if out_into is None:
            return cast(FloatArray, self.out_act.fn(z.T))
        out_into(z, buf.out)
        return buf.out.T

    def _backward(self, X: FloatArray, buf: _Buffers, delta: FloatArray) -> None:
        # delta: dE/dz of the current layer as (n, units), from the output down.
        multiply = np.multiply
        for A, G, W, dE_da, S in buf.backward:
            A.dot(delta, out=G)
            W.dot(delta.T, out=dE_da)  # every link, dead ones too (§4.5 step 5)
            multiply(dE_da, S, out=dE_da)
            delta = dE_da.T
        X.dot(delta, out=self._grad_blocks[0])
