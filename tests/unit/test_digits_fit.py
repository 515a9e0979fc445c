"""The digits fit loop against the engine's own Trainer, and its bounded units of work.

Keras itself is the reference in tests/export/test_digits_keras.py; here the engine's
Trainer (Keras-mode batching, pinned to the Keras formulas by tests/unit/test_training.py)
checks the loop without starting Keras, and the properties the server relies on are held:
a batch cut anywhere continues bit for bit, no unit does more than its share of arithmetic,
a divergence rolls back, live changes wait for the next epoch.
"""

import math

import numpy as np
import pytest

import app.digits.fit as fit_module
from app.digits.fit import FitData, FitLoop
from app.digits.kernel import chunk_rows, macs_per_row, phase_breaks, phase_macs
from app.digits.model import DenseStack
from app.digits.results import Diverged, EpochResult
from app.digits.sources import locate
from app.digits.store import Dataset, load
from app.engine import Network, Trainer, make_optimizer


@pytest.fixture(scope="module")
def sample() -> Dataset:
    located = locate("sample", None)
    assert located is not None
    return load(located)


def rows(data: Dataset, n: int, val: int = 0, test: int = 100) -> FitData:
    x, y = data.x_train, data.y_train
    return FitData(
        x[:n], y[:n], x[n : n + val], y[n : n + val], data.x_test[:test], data.y_test[:test]
    )


def loop_for(
    data: FitData,
    sizes: list[int],
    acts: list[str],
    optimizer: str = "sgd",
    lr: float = 0.05,
    batch: int = 64,
    shuffle: bool = False,
    precision: str = "float64",
) -> FitLoop:
    stack = DenseStack(sizes, acts, "glorot_uniform", seed=11)
    opt = make_optimizer(optimizer, learning_rate=lr)
    return FitLoop(
        stack, opt, data, precision=precision, batch_size=batch, shuffle=shuffle, shuffle_seed=3
    )


def epochs(loop: FitLoop, n: int) -> list[EpochResult]:
    done: list[EpochResult] = []
    while len(done) < n:
        events = loop.run(math.inf, train=True, to_epoch_end=True)
        done += [e for e in events if isinstance(e, EpochResult)]
    return done


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_two_epochs_equal_the_engines_keras_mode_trainer(sample: Dataset, optimizer: str) -> None:
    data = rows(sample, 300)  # 300 = 4 batches of 64 and a short one of 44
    loop = loop_for(data, [784, 24, 12, 10], ["tanh", "tanh", "softmax"], optimizer)
    net = Network(784, [24, 12], "tanh", "softmax", 10, "zeros")
    net.set_weights(loop.stack.get_weights())
    trainer = Trainer(
        net,
        make_optimizer(optimizer, learning_rate=0.05),
        loss="categorical_crossentropy",
        batch_size=64,
        remainder="partial",
    )
    X = data.x_train.astype(np.float64) / 255.0
    T = np.eye(10)[data.y_train]
    results = epochs(loop, 2)
    for result in results:
        # Keras's epoch loss: each batch's loss before its update, weighted by its size.
        total = sum(
            trainer.train_on_batch(X[i : i + 64], T[i : i + 64]) * len(X[i : i + 64])
            for i in range(0, 300, 64)
        )
        assert result.loss == pytest.approx(total / 300, rel=1e-12)
    for mine, theirs in zip(loop.stack.get_weights(), net.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-11)  # summation order
    assert [r.epoch for r in results] == [1, 2]
    assert results[1].test_loss == pytest.approx(
        trainer.keras_loss(data.x_test.astype(np.float64) / 255.0, np.eye(10)[data.y_test]),
        rel=1e-12,
    )


def test_a_batch_cut_at_every_unit_continues_bit_for_bit(
    sample: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 27 rows a chunk, cut into 3 units (forward; top layer's backward; first layer's dW)
    monkeypatch.setitem(fit_module.CHUNK_MACS, "float64", 27 * 7940)
    data = rows(sample, 200, val=40)
    whole = loop_for(data, [784, 10, 10], ["sigmoid", "softmax"], batch=50)
    cut = loop_for(data, [784, 10, 10], ["sigmoid", "softmax"], batch=50)
    expected = epochs(whole, 1)[0]
    units, results = 0, []
    while not results:  # a deadline already past: exactly one unit per call
        units += 1
        results = [e for e in cut.run(0.0, train=True) if isinstance(e, EpochResult)]
    assert units >= 4 * 2 * 3 + 2 + 4  # 4 batches of 2 chunks of 3 units, validation, test
    assert np.array_equal(cut.stack.params.flat, whole.stack.params.flat)
    assert (results[0].loss, results[0].val_loss) == (expected.loss, expected.val_loss)


def test_chunks_change_only_the_rounding(sample: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    data = rows(sample, 256)
    one = loop_for(data, [784, 32, 10], ["relu", "softmax"], batch=128)
    epochs(one, 1)
    monkeypatch.setitem(fit_module.CHUNK_MACS, "float64", 15 * macs_per_row([784, 32, 10]))
    many = loop_for(data, [784, 32, 10], ["relu", "softmax"], batch=128)
    units = 0
    while many.epoch < 1:
        many.run(0.0, train=True)
        units += 1
    assert units >= 2 * 9  # two batches of 128 rows, 15 rows a chunk
    np.testing.assert_allclose(many.stack.params.flat, one.stack.params.flat, rtol=1e-12)


def unit_costs(sizes: list[int], rows: int, budget: int) -> list[int]:
    """The multiply-adds of each unit a chunk of `rows` is cut into."""
    costs: list[int] = []
    breaks = phase_breaks(sizes, rows, budget)
    for k, macs in enumerate(phase_macs(sizes)):
        if k == 0 or k in breaks:
            costs.append(0)
        costs[-1] += macs * rows
    return costs


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize(
    "layers", [[1024], [512, 512], [10], [300, 100, 30]], ids=lambda x: "-".join(map(str, x))
)
def test_no_unit_exceeds_its_share_of_arithmetic(precision: str, layers: list[int]) -> None:
    budget = fit_module.CHUNK_MACS[precision]
    sizes = [784, *layers, 10]
    rows = chunk_rows(sizes, budget)
    for batch in (1, 100, 1024):
        chunk = min(batch, rows)
        assert max(unit_costs(sizes, chunk, budget)) <= budget
    assert fit_module.CHUNK_MACS["float64"] <= 60_000_000  # ~3 ms of products at 38 GFLOP/s


def test_the_articles_512_unit_batch_is_two_units_with_the_arithmetic_of_one() -> None:
    sizes, budget = [784, 512, 10], fit_module.CHUNK_MACS["float64"]
    assert chunk_rows(sizes, budget) >= 100  # one chunk: no sums to add up
    assert phase_breaks(sizes, 100, budget) == frozenset({2})  # forward; then dW of layer 1
    assert phase_macs([784, 10, 10]) == [7940, 200, 7840]


def test_a_divergence_rolls_back_to_the_epochs_start(sample: Dataset) -> None:
    data = rows(sample, 200)
    loop = loop_for(data, [784, 64, 10], ["relu", "softmax"], "sgd", lr=1.0, batch=20)
    epochs(loop, 1)
    start = loop.stack.params.flat.copy()
    loop.optimizer.learning_rate = 1e300  # the next update overflows a weight to inf
    events = loop.run(math.inf, train=True, to_epoch_end=True)
    assert [type(e) for e in events] == [Diverged]
    assert "epoch 2" in events[0].message and "learning rate" in events[0].message  # type: ignore[union-attr]
    assert np.array_equal(loop.stack.params.flat, start) and loop.epoch == 1
    assert loop.phase == "ready" and np.isfinite(loop.stack.params.flat).all()


def test_batch_size_and_shuffle_changes_wait_for_the_next_epoch(sample: Dataset) -> None:
    data = rows(sample, 200)
    loop = loop_for(data, [784, 10, 10], ["sigmoid", "softmax"], batch=50)
    loop.run(0.0, train=True)  # the first unit: the evaluation of the untrained network
    loop.run(0.0, train=True)  # the epoch is under way
    loop.batch_size = 100
    epochs(loop, 1)
    assert len(loop.take_points()) == 4  # 200 / 50: the epoch kept its batch size
    epochs(loop, 1)
    points = loop.take_points()
    assert len(points) == 2 and points[-1][0] == pytest.approx(2.0)


def test_float32_trains_like_float64_to_float32_precision(sample: Dataset) -> None:
    data = rows(sample, 300)
    exact = epochs(loop_for(data, [784, 32, 10], ["relu", "softmax"]), 2)
    fast_loop = loop_for(data, [784, 32, 10], ["relu", "softmax"], precision="float32")
    fast = epochs(fast_loop, 2)
    assert fast_loop.kernel.work.flat.dtype == np.float32
    assert fast_loop.stack.params.flat.dtype == np.float64  # the optimizer's weights
    for a, b in zip(exact, fast, strict=True):
        assert b.loss == pytest.approx(a.loss, rel=1e-4)
        assert b.test_loss == pytest.approx(a.test_loss, rel=1e-4)


def test_the_estimate_is_the_measured_cost_per_row_times_the_rows(sample: Dataset) -> None:
    data = rows(sample, 200, val=50)
    loop = loop_for(data, [784, 16, 10], ["relu", "softmax"])
    assert loop.estimate().compute is None  # nothing measured yet
    result = epochs(loop, 1)[0]
    guess, costs = loop.estimate(), loop.costs
    assert guess.measured and costs.train_row and costs.eval_row
    assert guess.compute == pytest.approx(200 * costs.train_row + 150 * costs.eval_row)
    assert guess.wall == pytest.approx(guess.compute * result.seconds / result.compute_seconds)
    assert 0 < result.compute_seconds <= result.seconds
