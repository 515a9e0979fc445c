"""Gang training: one epoch for several trainers of the same shape in one stacked pass.

What it is: `gang_key(trainer, rows)`, which says which trainers may train together, and
`train_together(kernel, starts, data)`, which runs one playground epoch for each member at
once and hands each its result (`Trained`), for the member's owner to commit.
Every array of `BatchKernel` (kernel.py) gains a leading member axis, and each NumPy call
does the work of all members: `np.matmul` on (S, m, k) stacks makes one BLAS call per
member with the same operands as `ndarray.dot`, and elementwise calls see the same
values. So each member's weights, loss and outputs are the ones its own Trainer would have
produced, to the bit; tests/unit/test_gang.py holds that against solo training.
What it is not: a scheduler (who trains together and when is app/playground/gangs.py's and
app/web's business) or a general trainer: only the common case gangs (plain SGD, no
penalty, no dead link, no carry, no gradient view, a hidden layer, one output, the
playground's loss). Anything else trains alone, as before.
Trade-off: a config-A epoch alone costs ~0.5 ms, mostly NumPy's ~1 µs per call over 25
minibatches; in a gang of 25 each member's epoch costs ~0.15–0.2 ms, the rest being the
float64 tanh itself (benchmarks/engine.py's gang table: 4–6x cheaper). The price is this
second statement of the kernel's order of operations, which must stay in step with
kernel.py's; tests/unit/test_gang.py fails on any difference in the last bit.

Shapes: S members; per member F (N, inputs), targets (N, 1); N a multiple of the batch size.
"""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from app.engine.activations import get_activation
from app.engine.kernel import batch_columns
from app.engine.losses import LOSSES
from app.engine.optimizer_base import inverse_time
from app.engine.optimizers import sgd_step
from app.engine.training import Trainer
from app.engine.types import FloatArray

LOSS = LOSSES["playground"]
BOUNDED = frozenset({"tanh", "sigmoid"})  # activations whose values lie in [−1, 1]
SAFE_REACH = 1e300  # |z| below this cannot overflow float64 (max ≈ 1.8e308)


class GangKey(NamedTuple):
    """What members of a gang share: the shapes of every stacked array."""

    sizes: tuple[int, ...]
    activation: str
    output: str
    batch: int
    rows: int


def gang_key(trainer: Trainer, rows: int) -> GangKey | None:
    """What trainers must share to train an epoch together, or None if this one can't."""
    net, B = trainer.net, trainer.batch_size
    if (
        trainer.remainder != "carry"
        or trainer.shuffle
        or trainer.loss_name != "playground"
        or trainer.regularizer.name != "none"
        or trainer.record_gradients
        or trainer.has_state_beyond_weights()
        or rows == 0
        or rows % B
        or len(net.layer_sizes) < 3
        or net.layer_sizes[-1] != 1
        or trainer.optimizer.flat_step(net.params.shapes) is None
    ):
        return None
    return GangKey(tuple(net.layer_sizes), net.activation, net.output_activation, B, rows)


def most_members(key: GangKey, seconds: float) -> int:
    """How many members a gang of `key` may have for its epoch to take about `seconds`:
    an epoch holds the event loop, so a heavy configuration gangs in small groups or not
    at all (a 6x8 network at batch size 1 never does). The model per member-epoch is
    ~45 ns per row and unit (two float64 tanh passes: training and, unless skipped, the
    loss) plus ~2.4 µs per minibatch and layer (eight stacked calls of ~0.3 µs per member);
    it overestimates config A's measured 0.1–0.2 ms (benchmarks/engine.py), erring on the
    safe side."""
    units, layers = sum(key.sizes[1:]), len(key.sizes) - 1
    per_member = 45e-9 * key.rows * units + 2.4e-6 * (key.rows // key.batch) * layers
    return int(seconds / per_member)


def stacked(M: FloatArray, shapes: Sequence[tuple[int, int]]) -> list[FloatArray]:
    """(S, total) -> per shape (r, c) a view (S, r, c) of consecutive columns of M."""
    out, offset, step = [], 0, M.strides[1]
    for r, c in shapes:
        block = M[:, offset : offset + r * c]
        out.append(as_strided(block, (M.shape[0], r, c), (M.strides[0], c * step, step)))
        offset += r * c
    return out


class _Stack:
    """Buffers of one member count and one column count n (a batch, or all N rows)."""

    def __init__(self, sizes: list[int], S: int, n: int) -> None:
        hidden = sizes[1:-1]
        shapes = [(k + 1, n) for k in hidden] + [(sizes[-1], n)]
        total = sum(r * c for r, c in shapes)
        self.acts, self.slopes = np.empty((S, total)), np.empty((S, total))
        end = total - sizes[-1] * n  # the hidden part, without the output block
        self.hidden_acts, self.hidden_slopes = self.acts[:, :end], self.slopes[:, :end]
        blocks, slopes = stacked(self.acts, shapes), stacked(self.slopes, shapes)
        self.A = blocks[:-1]
        for A in self.A:
            A[:, -1] = 1.0
        self.H = [A[:, :-1] for A in self.A]
        self.S = [s[:, :-1] for s in slopes[:-1]]
        self.out, self.S_out = blocks[-1], slopes[-1]
        self.z_out = np.empty((S, sizes[-1], n))
        self.dE_da = [np.empty((S, k, n)) for k in hidden]


class GangKernel:
    """kernel.BatchKernel's forward and backward for S stacked members; see the module doc."""

    def __init__(self, sizes: list[int], activation: str, output: str, S: int, B: int) -> None:
        self.sizes, self.S, self.B = sizes, S, B
        act, self.out_act = get_activation(activation), get_activation(output)
        assert act.into and act.slope and self.out_act.into  # all elementwise (gang_key)
        self.into, self.slope, self.out_into = act.into, act.slope, self.out_act.into
        self.joint = output == activation
        self.bounded = activation in BOUNDED and output in BOUNDED
        block_shapes = [(n + 1, m) for n, m in zip(sizes[:-1], sizes[1:], strict=True)]
        P = sum(r * c for r, c in block_shapes)
        self.params, self.grads = np.empty((S, P)), np.empty((S, P))
        blocks = stacked(self.params, block_shapes)
        self.blocksT = [b.transpose(0, 2, 1) for b in blocks]
        self.W = [b[:, :-1] for b in blocks]
        self.grad_blocks = stacked(self.grads, block_shapes)
        self.batch = _Stack(sizes, S, B)
        self._full: _Stack | None = None
        self._data_refs: list[tuple[FloatArray, FloatArray]] = []
        self._data: tuple[FloatArray, FloatArray, FloatArray] = (np.empty(0),) * 3
        self._reach = np.empty(0)  # per member: how far its first layer's z can reach per |w|
        self.count = np.full((), float(B))

    def forward(self, X: FloatArray, buf: _Stack) -> FloatArray:
        """X (S, inputs + 1, n) -> outputs (S, n, 1), a view of buf; as BatchKernel._forward."""
        a = X
        for BT, A, h in zip(self.blocksT, buf.A, buf.H, strict=False):
            np.matmul(BT, a, out=h)
            self.into(h, h)
            a = A
        np.matmul(self.blocksT[-1], a, out=buf.z_out)
        self.out_into(buf.z_out, buf.out)
        return buf.out.transpose(0, 2, 1)

    def sums(self, X: FloatArray, t: FloatArray) -> None:
        """Every member's summed gradients of batch X into `grads`, as BatchKernel.sums."""
        buf = self.batch
        o = self.forward(X, buf)
        dE_do = LOSS.grad(o, t)
        if self.joint:  # f′ of every layer in one call pair, the output's included
            self.slope(buf.acts, buf.slopes)
            delta = np.multiply(dE_do, buf.S_out.transpose(0, 2, 1))
        else:
            self.slope(buf.hidden_acts, buf.hidden_slopes)
            delta = self.out_act.backward(buf.z_out.transpose(0, 2, 1), o, dE_do)
        layers = zip(buf.A, self.grad_blocks[1:], self.W[1:], buf.dE_da, buf.S, strict=True)
        for A, G, W, dE_da, S in list(layers)[::-1]:
            np.matmul(A, delta, out=G)
            np.matmul(W, delta.transpose(0, 2, 1), out=dE_da)
            np.multiply(dE_da, S, out=dE_da)
            delta = dE_da.transpose(0, 2, 1)
        np.matmul(X, delta, out=self.grad_blocks[0])

    def stacked_data(
        self, data: Sequence[tuple[FloatArray, FloatArray]]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """_stack_data, kept while the members' arrays are the same objects: a class playing
        on trains the same gang on the same data epoch after epoch. The references are
        held, so an array id cannot be reused by another while it is kept."""
        same = len(self._data_refs) == len(data) and all(
            F is F0 and y is y0 for (F, y), (F0, y0) in zip(data, self._data_refs, strict=True)
        )
        if not same:
            self._data_refs, self._data = list(data), _stack_data(data, self.B)
            Xf = self._data[2]  # its ones row counts for the bias
            self._reach = np.maximum(np.abs(Xf).sum(axis=1).max(axis=1), max(self.sizes) + 1)
        return self._data

    def cannot_overflow(self) -> bool:
        """True when no member's forward pass can overflow, so every output and loss is
        finite and the loss pass after the epoch would only confirm it.

        With tanh or sigmoid everywhere, every activation lies in [−1, 1], so a unit's z
        is at most (Σ|inputs| + 1)·max|w| in magnitude: bounded by `_reach`·max|w| (the
        first layer's rows of data, or the widest layer's fan-in + 1). Under 1e300 no z
        overflows; the outputs, in [−1, 1], and ½(o − t)² with |t| ≤ 1 are finite. A
        weight that is not finite fails the comparison, so that member is checked in full.
        """
        if not self.bounded:
            return False
        biggest = np.abs(self.params).max(axis=1)
        return bool(np.all(biggest * self._reach < SAFE_REACH))

    def predict(self, X: FloatArray) -> FloatArray:
        """X (S, inputs + 1, N) -> a fresh (S, N, 1) of outputs."""
        n = X.shape[2]
        if self._full is None or self._full.out.shape[2] != n:
            self._full = _Stack(self.sizes, self.S, n)
        return np.array(self.forward(X, self._full))


class Start(NamedTuple):
    """Where a member's epoch starts: its Trainer (read, never written), and the weights and
    optimizer step count to start from: the Trainer's own, or those of epochs a gang has
    trained for it that its owner has not committed yet (app/web/gangs.py)."""

    trainer: Trainer
    params: FloatArray
    iterations: int


def start_of(trainer: Trainer) -> Start:
    """A member that starts where its Trainer stands."""
    return Start(trainer, trainer.net.params.flat, trainer.optimizer.iterations)


class Trained(NamedTuple):
    """One member's epoch, for its owner to commit with Trainer.commit_epoch: the weights
    after it, the updates it made, the loss and the outputs it was taken at (None for both
    when no pass was needed to know it is finite: GangKernel.cannot_overflow)."""

    params: FloatArray
    updates: int
    loss: float | None
    outputs: FloatArray | None


Result = Trained | None  # None: not finite; the member's own Trainer should run that epoch


def train_together(
    kernel: GangKernel, starts: Sequence[Start], data: Sequence[tuple[FloatArray, FloatArray]]
) -> list[Result]:
    """One epoch for each member (all of one `gang_key`, as many as kernel.S) from its start
    on its (F, y). Nothing of any Trainer changes: each result is its owner's to commit.
    None for a member whose result is not finite: its own Trainer should run the epoch,
    which reports the divergence and rolls back.

    The loss pass over every member's rows after the epoch (a fifth of a gang's time) is
    skipped when it cannot find anything but finite numbers: a Trainer alone would pass
    its finiteness check with the same weights, and the loss is only shown in a frame,
    which then takes it itself (readouts.py), once per frame instead of once per epoch.
    """
    X, T, Xf = kernel.stacked_data(data)
    for row, start in zip(kernel.params, starts, strict=True):
        row[...] = start.params
    updates = X.shape[1]
    # As in Trainer.train_epoch, overflow is detected after the fact, not warned about.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _epoch(kernel, starts, X, T)
        after = kernel.params.copy()  # the results outlive the kernel's next epoch
        if kernel.cannot_overflow():
            return [Trained(row, updates, None, None) for row in after]
        outputs = kernel.predict(Xf)
        d = outputs - T
        # LOSS.value's ½Σ(o − t)² per row, then each member's mean over its rows: a row's
        # sum and mean over a contiguous axis add in the same order as on a member alone.
        values = (0.5 * (d * d).sum(axis=2)).mean(axis=1)
        finite = np.isfinite(values) & np.isfinite(after).all(axis=1)
    return [
        Trained(after[i], updates, float(values[i]), outputs[i]) if finite[i] else None
        for i in range(len(starts))
    ]


def _stack_data(
    data: Sequence[tuple[FloatArray, FloatArray]], B: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per member the minibatch columns (S, N/B, inputs + 1, B) as BatchKernel.columns lays
    them out, the targets (S, N, 1), and all rows as one column block (S, inputs + 1, N)."""
    S, (N, inputs) = len(data), np.shape(data[0][0])
    X, T = np.empty((S, N // B, inputs + 1, B)), np.empty((S, N, 1))
    Xf = np.empty((S, inputs + 1, N))
    for i, (F, y) in enumerate(data):
        F64 = np.asarray(F, dtype=np.float64)
        X[i], Xf[i] = batch_columns(F64, B), batch_columns(F64, N)[0]
        T[i] = np.asarray(y, dtype=np.float64).reshape(N, 1)
    return X, T, Xf


def _epoch(kernel: GangKernel, starts: Sequence[Start], X: FloatArray, T: FloatArray) -> None:
    """The minibatch loop: per batch the sums, then plain SGD (optimizers.sgd_step) at each
    member's own rate lr / (1 + decay·k) (optimizer_base.inverse_time) and step count k.
    The rates of every batch are computed up front, in one call instead of four per batch:
    the same operations on the same numbers (k is a whole number, exact in float64)."""
    B, params, grads = kernel.B, kernel.params, kernel.grads
    rates = np.array([[s.trainer.optimizer.learning_rate] for s in starts])
    decays = np.array([[s.trainer.optimizer.decay] for s in starts])
    steps = np.array([[float(s.iterations)] for s in starts]) + np.arange(float(X.shape[1]))
    lrs = inverse_time(rates, decays, steps)  # (S, batches)
    for b in range(X.shape[1]):
        kernel.sums(X[:, b], T[:, b * B : (b + 1) * B])
        np.divide(grads, kernel.count, out=grads)
        sgd_step(params, grads, lrs[:, b : b + 1], out=grads)
