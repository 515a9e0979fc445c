"""Trainer semantics: the playground's update rule (docs/playground-rules.md §4.5) against a
per-sample reference written here from those rules, Keras train_on_batch, checkpoints and
divergence."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from app.engine.network import Network
from app.engine.optimizers import SGD, make_optimizer
from app.engine.regularizers import REGULARIZERS, kill_zero_crossings
from app.engine.training import DivergenceError, Trainer
from app.engine.types import FloatArray

# ---------------------------------------------------------------------------------------
# Reference: nn.ts semantics as §4.5 describes them, one sample and one link at a time.

Scalar = Callable[[float], float]
SCALAR_ACTIVATIONS: dict[str, tuple[Scalar, Scalar]] = {  # §4.3: (f, f′ as implemented)
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 0.0 if z <= 0 else 1.0),
    "linear": (lambda z: z, lambda z: 1.0),
}


@dataclass
class Link:
    weight: float
    acc: float = 0.0
    count: int = 0
    dead: bool = False


@dataclass
class Node:
    bias: float
    links: list[Link]  # incoming, indexed by source node
    acc: float = 0.0
    count: int = 0
    z: float = 0.0
    a: float = 0.0
    dE_da: float = 0.0
    delta: float = 0.0


@dataclass
class Reference:
    layers: list[list[Node]]
    activations: list[str]
    lr: float
    reg: str
    rate: float
    batch: int

    @classmethod
    def of(cls, net: Network, lr: float, reg: str, rate: float, batch: int) -> "Reference":
        layers = [
            [
                Node(float(b[d]), [Link(float(W[s, d])) for s in range(W.shape[0])])
                for d in range(len(b))
            ]
            for W, b in zip(net.W, net.b, strict=True)
        ]
        acts = [net.activation] * (len(layers) - 1) + [net.output_activation]
        return cls(layers, acts, lr, reg, rate, batch)

    def epoch(self, F: np.ndarray, y: np.ndarray) -> None:
        for i, (x, t) in enumerate(zip(F.tolist(), y.tolist(), strict=True)):
            self.sample(x, t)
            if (i + 1) % self.batch == 0:  # epoch-local index, carry-over otherwise
                self.update()

    def sample(self, x: list[float], t: float) -> None:
        prev = x
        for layer, act in zip(self.layers, self.activations, strict=True):
            for node in layer:
                node.z = node.bias  # the sum starts from the bias, in link order (§4.3)
                for link, a_src in zip(node.links, prev, strict=True):
                    node.z += link.weight * a_src
                node.a = SCALAR_ACTIVATIONS[act][0](node.z)
            prev = [node.a for node in layer]
        self.layers[-1][0].dE_da = self.layers[-1][0].a - t
        for li in reversed(range(len(self.layers))):
            sources = [node.a for node in self.layers[li - 1]] if li > 0 else x
            for node in self.layers[li]:
                node.delta = node.dE_da * SCALAR_ACTIVATIONS[self.activations[li]][1](node.z)
                node.acc += node.delta
                node.count += 1
                for link, a_src in zip(node.links, sources, strict=True):
                    if not link.dead:
                        link.acc += node.delta * a_src
                        link.count += 1
            if li > 0:  # dE/da of the previous layer uses every link's current weight
                for s, src in enumerate(self.layers[li - 1]):
                    src.dE_da = sum(n.links[s].weight * n.delta for n in self.layers[li])

    def update(self) -> None:
        for layer in self.layers:
            for node in layer:
                node.bias -= self.lr * node.acc / node.count
                node.acc, node.count = 0.0, 0
                for link in node.links:
                    if not link.dead:
                        self.update_link(link)

    def update_link(self, link: Link) -> None:
        w_old = link.weight
        g = {"none": 0.0, "L1": float(np.sign(w_old)), "L2": w_old}[self.reg]
        w1 = w_old - (self.lr / link.count) * link.acc
        w2 = w1 - self.lr * self.rate * g  # separate regularization step, not divided by n
        if self.reg == "L1" and w1 * w2 < 0:
            link.weight, link.dead = 0.0, True
        else:
            link.weight = w2
        link.acc, link.count = 0.0, 0

    def weights(self) -> list[np.ndarray]:
        out = []
        for layer in self.layers:
            out.append(
                np.array([[n.links[s].weight for n in layer] for s in range(len(layer[0].links))])
            )
            out.append(np.array([n.bias for n in layer]))
        return out

    def dead(self) -> list[np.ndarray]:
        return [
            np.array([[n.links[s].dead for n in layer] for s in range(len(layer[0].links))])
            for layer in self.layers
        ]


# ---------------------------------------------------------------------------------------

LR, RATE = 0.1, 0.1


def _data(n: int, inputs: int, regression: bool, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    F = rng.uniform(-1.5, 1.5, (n, inputs))
    y = (
        0.8 * F.sum(axis=1) - 0.3
        if regression
        else np.where(F[:, 0] - 0.5 * F[:, -1] > 0.2, 1.0, -1.0)
    )
    return F, y


def _pair(
    hidden: list[int], act: str, out: str, reg: str, batch: int, rate: float = RATE
) -> tuple[Trainer, Reference]:
    net = Network(2, hidden, activation=act, output_activation=out, rng=np.random.default_rng(2))
    ref = Reference.of(net, LR, reg, rate, batch)
    opt = make_optimizer("sgd", learning_rate=LR)
    tr = Trainer(net, opt, regularization=reg, regularization_rate=rate, batch_size=batch)
    return tr, ref


def _identical(ours: list[Any], theirs: list[Any]) -> bool:
    """Bit-for-bit equality of two lists of arrays."""
    return len(ours) == len(theirs) and all(
        np.array_equal(p, q) for p, q in zip(ours, theirs, strict=True)
    )


def _assert_same(tr: Trainer, ref: Reference) -> None:
    for ours, theirs in zip(tr.net.get_weights(), ref.weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-13)
    for mask, expected in zip(tr.dead, ref.dead(), strict=True):
        np.testing.assert_array_equal(mask, expected)


# id -> (hidden, activation, output, regularization, λ, N, B); λ is chosen per case so that
# L1 kills some links but not all of them within the six epochs.
CASES = {
    "tanh-none": ([4, 2], "tanh", "tanh", "none", 0.1, 25, 10),
    "tanh-L1": ([4, 2], "tanh", "tanh", "L1", 0.1, 25, 10),
    "tanh-L2": ([4, 2], "tanh", "tanh", "L2", 0.1, 25, 10),
    "relu-none": ([4, 2], "relu", "tanh", "none", 0.1, 25, 10),
    "relu-L1": ([4, 2], "relu", "tanh", "L1", 0.1, 25, 10),
    "relu-L2": ([4, 2], "relu", "tanh", "L2", 0.3, 25, 10),
    "regression-relu-L2": ([4, 2], "relu", "linear", "L2", 0.1, 25, 10),
    "regression-tanh-L1": ([3], "tanh", "linear", "L1", 0.1, 25, 10),
    "no-hidden-L1": ([], "tanh", "tanh", "L1", 0.3, 25, 10),
    "no-hidden-regression": ([], "tanh", "linear", "none", 0.0, 25, 10),
    "batch-1-L1": ([4, 2], "tanh", "tanh", "L1", 0.02, 25, 1),
    "batch-divides": ([4, 2], "relu", "tanh", "L2", 0.1, 30, 10),
    "batch-7-carry-6": ([3, 3], "tanh", "tanh", "L1", 0.1, 27, 7),
}


@pytest.mark.parametrize(
    ("hidden", "act", "out", "reg", "rate", "n", "batch"), CASES.values(), ids=CASES
)
def test_train_epoch_matches_the_per_sample_playground_reference(
    hidden: list[int], act: str, out: str, reg: str, rate: float, n: int, batch: int
) -> None:
    tr, ref = _pair(hidden, act, out, reg, batch, rate)
    F, y = _data(n, 2, regression=out == "linear")
    for _ in range(6):
        tr.train_epoch(F, y)
        ref.epoch(F, y)
        _assert_same(tr, ref)
    if reg == "L1":
        dead = sum(int(d.sum()) for d in tr.dead)
        assert 0 < dead < sum(d.size for d in tr.dead), "λ should kill some links, not all"


def test_batch_size_changed_between_epochs_matches_the_reference() -> None:
    # The carry stays; the new B applies from the next epoch's first index (§4.5).
    tr, ref = _pair([3, 3], "tanh", "tanh", "L1", 10)
    F, y = _data(27, 2, regression=False)
    for batch in (10, 7, 1, 27, 10, 4):
        tr.batch_size = ref.batch = batch
        tr.train_epoch(F, y)
        ref.epoch(F, y)
        _assert_same(tr, ref)


def test_the_last_samples_carry_into_the_next_epochs_first_batch() -> None:
    tr, _ = _pair([4, 2], "tanh", "tanh", "none", 10)
    F, y = _data(25, 2, regression=False)
    tr.train_epoch(F, y)
    assert tr.get_state()["carry_count"] == 5
    assert tr.optimizer.iterations == 2
    tr.train_epoch(F, y)
    assert tr.get_state()["carry_count"] == 5
    assert tr.optimizer.iterations == 4


def test_fewer_samples_than_the_batch_size_never_update() -> None:
    tr, _ = _pair([4, 2], "tanh", "tanh", "L1", 10)
    before = tr.net.get_weights()
    F, y = _data(7, 2, regression=False)
    for epoch in range(1, 4):
        tr.train_epoch(F, y)
        assert tr.get_state()["carry_count"] == 7 * epoch
    assert _identical(before, tr.net.get_weights())
    assert tr.optimizer.iterations == 0


def test_a_dead_link_keeps_a_user_edit_and_still_feeds_the_forward_pass() -> None:
    tr, ref = _pair([4, 2], "tanh", "tanh", "L1", 10)
    F, y = _data(25, 2, regression=False)
    for _ in range(6):
        tr.train_epoch(F, y)
        ref.epoch(F, y)
    before = tr.net.predict(F)
    # Pick a dead link that still matters: one whose downstream path is not dead as well.
    for layer, src, dst in (
        (li, int(s), int(d)) for li, m in enumerate(tr.dead) for s, d in np.argwhere(m)
    ):
        assert tr.net.W[layer][src, dst] == 0.0
        tr.net.set_weight(layer, src, dst, 0.3)
        if not np.array_equal(tr.net.predict(F), before):
            break
        tr.net.set_weight(layer, src, dst, 0.0)
    else:
        pytest.fail("no dead link influences the output")
    ref.layers[layer][dst].links[src].weight = 0.3
    for _ in range(2):
        tr.train_epoch(F, y)
        ref.epoch(F, y)
        assert tr.net.W[layer][src, dst] == 0.3
        _assert_same(tr, ref)


class DriftingSGD(SGD):
    """Plain SGD that also nudges every parameter: only the trainer can keep dead links still."""

    def apply(self, params: Sequence[FloatArray], grads: Sequence[FloatArray]) -> None:
        super().apply(params, grads)
        for p in params:
            p += 1e-3


def test_dead_links_are_restored_whatever_the_optimizer_does_to_them() -> None:
    net = Network(2, [4, 2], rng=np.random.default_rng(2))
    tr = Trainer(net, DriftingSGD(learning_rate=LR), regularization="L1", regularization_rate=0.1)
    F, y = _data(25, 2, regression=False)
    for _ in range(6):
        tr.train_epoch(F, y)
    assert any(d.any() for d in tr.dead)
    for W, dead in zip(net.W, tr.dead, strict=True):
        np.testing.assert_array_equal(W[dead], 0.0)


@pytest.mark.parametrize(
    "optimizer",
    [
        {"name": "adam", "learning_rate": 0.05},
        {"name": "sgd", "learning_rate": 0.1, "momentum": 0.9},
    ],
    ids=["adam", "sgd-momentum"],
)
def test_keras_optimizers_have_no_dead_links(optimizer: dict[str, Any]) -> None:
    net = Network(2, [4, 2], rng=np.random.default_rng(2))
    start = net.get_weights()
    opt = make_optimizer(**optimizer)
    tr = Trainer(net, opt, regularization="L1", regularization_rate=RATE)
    F, y = _data(25, 2, regression=False)
    for _ in range(20):
        tr.train_epoch(F, y)
    crossed = sum(
        int((np.sign(a) * np.sign(b) < 0).sum()) for a, b in zip(start[::2], net.W, strict=True)
    )
    assert crossed > 0  # weights did cross zero, and nothing died
    assert not any(d.any() for d in tr.dead)


def test_train_on_batch_reports_the_loss_before_one_keras_sgd_step() -> None:
    net = Network(2, [3], output_activation="linear", outputs=2, rng=np.random.default_rng(4))
    tr = Trainer(
        net,
        make_optimizer("sgd", learning_rate=0.05),
        loss="mse",
        regularization="L2",
        regularization_rate=0.2,
    )
    F = np.random.default_rng(5).normal(size=(8, 2))
    y = np.random.default_rng(6).normal(size=(8, 2))
    W_before = net.get_weights()
    expected_loss = np.mean((net.predict(F) - y) ** 2) + 0.2 * sum(
        0.5 * (W**2).sum() for W in W_before[::2]
    )
    grads = tr.gradients(F, y)  # checked against finite differences in test_gradients.py
    assert tr.train_on_batch(F, y) == pytest.approx(expected_loss, rel=1e-14)
    for new, old, g in zip(net.get_weights(), W_before, grads, strict=True):
        np.testing.assert_allclose(new, old - 0.05 * g, rtol=1e-14, atol=1e-16)
    assert tr.optimizer.iterations == 1


def test_train_on_batch_leaves_the_carried_samples_alone() -> None:
    tr, _ = _pair([4, 2], "tanh", "tanh", "none", 10)
    F, y = _data(25, 2, regression=False)
    tr.train_epoch(F, y)
    carried = tr.get_state()
    tr.train_on_batch(F[:4], y[:4])
    after = tr.get_state()
    assert after["carry_count"] == carried["carry_count"] == 5
    assert _identical(after["carry_W"], carried["carry_W"])


def test_partial_remainder_is_keras_fit_one_update_per_slice() -> None:
    F, y = _data(25, 2, regression=False)
    fit = Trainer(Network(2, [4, 2], rng=np.random.default_rng(2)), remainder="partial")
    manual = Trainer(Network(2, [4, 2], rng=np.random.default_rng(2)))
    for _ in range(3):
        fit.train_epoch(F, y)
        for start in (0, 10, 20):
            manual.train_on_batch(F[start : start + 10], y[start : start + 10])
    assert fit.optimizer.iterations == manual.optimizer.iterations == 9
    assert _identical(fit.net.get_weights(), manual.net.get_weights())


def test_shuffle_permutes_every_epoch_with_the_given_generator() -> None:
    F, y = _data(25, 2, regression=False)
    shuffled = Trainer(
        Network(2, [4, 2], rng=np.random.default_rng(2)), shuffle=True, rng=np.random.default_rng(9)
    )
    plain = Trainer(Network(2, [4, 2], rng=np.random.default_rng(2)))
    orders = np.random.default_rng(9)
    for _ in range(3):
        shuffled.train_epoch(F, y)
        order = orders.permutation(25)
        plain.train_epoch(F[order], y[order])
    assert _identical(shuffled.net.get_weights(), plain.net.get_weights())


def test_shuffle_accepts_any_object_with_permutation() -> None:
    class Reverse:
        def permutation(self, n: int) -> np.ndarray:
            return np.arange(n)[::-1]

    F, y = _data(25, 2, regression=False)
    shuffled = Trainer(Network(2, [3], rng=np.random.default_rng(2)), shuffle=True, rng=Reverse())
    plain = Trainer(Network(2, [3], rng=np.random.default_rng(2)))
    shuffled.train_epoch(F, y)
    plain.train_epoch(F[::-1], y[::-1])
    assert _identical(shuffled.net.get_weights(), plain.net.get_weights())


@pytest.mark.parametrize(
    ("optimizer", "reg"),
    [
        ({"name": "sgd", "learning_rate": 0.1}, "L1"),
        ({"name": "adam", "learning_rate": 0.02}, "L2"),
        ({"name": "nadam", "learning_rate": 0.02, "decay": 0.01}, "L1"),
    ],
    ids=["sgd-L1", "adam-L2", "nadam-decay-L1"],
)
def test_a_checkpoint_continues_bit_identically(optimizer: dict[str, Any], reg: str) -> None:
    def fresh() -> Trainer:
        net = Network(2, [4, 2], rng=np.random.default_rng(2))
        opt = make_optimizer(**optimizer)
        return Trainer(net, opt, regularization=reg, regularization_rate=0.3)

    F, y = _data(25, 2, regression=False)
    original = fresh()
    for _ in range(3):
        original.train_epoch(F, y)
    checkpoint = (original.net.get_weights(), original.optimizer.get_state(), original.get_state())
    assert checkpoint[2]["carry_count"] == 5
    if optimizer["name"] == "sgd":
        assert any(d.any() for d in checkpoint[2]["dead"])
    for _ in range(2):
        original.train_epoch(F, y)
    restored = fresh()
    restored.net.set_weights(checkpoint[0])
    restored.optimizer.set_state(checkpoint[1])
    restored.set_state(checkpoint[2])
    for _ in range(2):
        restored.train_epoch(F, y)
    for p, q in zip(original.net.get_weights(), restored.net.get_weights(), strict=True):
        assert np.array_equal(p, q)
    assert _identical(original.dead, restored.dead)


def test_a_diverging_epoch_raises_and_restores_the_last_finite_weights() -> None:
    net = Network(
        2, [8, 8], activation="relu", output_activation="linear", rng=np.random.default_rng(3)
    )
    tr = Trainer(net, make_optimizer("sgd", learning_rate=10.0))
    F, _ = _data(50, 2, regression=True)
    y = 20 * F[:, 0] + 5
    with pytest.raises(DivergenceError, match="learning rate 10") as info:
        for _ in range(50):
            weights, opt_state, state = net.get_weights(), tr.optimizer.get_state(), tr.get_state()
            tr.train_epoch(F, y)
    assert isinstance(info.value, ArithmeticError)
    for p, q in zip(net.get_weights(), weights, strict=True):
        assert np.isfinite(p).all() and np.array_equal(p, q)
    assert tr.optimizer.iterations == opt_state["iterations"]
    assert tr.get_state()["carry_count"] == state["carry_count"]
    assert math.isfinite(tr.loss(F, y))


def test_a_diverging_train_on_batch_raises_and_restores() -> None:
    net = Network(
        2, [8, 8], activation="relu", output_activation="linear", rng=np.random.default_rng(3)
    )
    tr = Trainer(net, make_optimizer("sgd", learning_rate=10.0))
    F, _ = _data(50, 2, regression=True)
    y = 20 * F[:, 0] + 5
    with pytest.raises(DivergenceError):
        for _ in range(500):
            weights = net.get_weights()
            tr.train_on_batch(F, y)
    assert _identical(net.get_weights(), weights)


# ---------------------------------------------------------------------------------------


def test_the_default_optimizer_is_the_playgrounds_plain_sgd_at_0_03() -> None:
    tr = Trainer(Network(2, [3]))
    assert tr.optimizer.is_plain_sgd and tr.optimizer.learning_rate == 0.03
    assert tr.batch_size == 10 and tr.remainder == "carry"


def test_loss_is_the_mean_half_squared_error_and_nan_when_empty() -> None:
    tr, _ = _pair([4, 2], "tanh", "tanh", "L1", 10)
    F, y = _data(25, 2, regression=False)
    expected = np.mean(0.5 * (tr.net.predict(F)[:, 0] - y) ** 2)
    assert tr.loss(F, y) == pytest.approx(expected, rel=1e-14)
    assert tr.loss(F, y[:, None]) == tr.loss(F, y)
    assert math.isnan(tr.loss(F[:0], y[:0]))
    assert math.isnan(tr.train_epoch(F[:0], y[:0]))


def test_keras_loss_uses_the_trainers_loss_without_the_penalty() -> None:
    net = Network(2, [3], output_activation="sigmoid", rng=np.random.default_rng(2))
    tr = Trainer(net, loss="binary_crossentropy", regularization="L1", regularization_rate=0.5)
    F, _ = _data(25, 2, regression=False)
    y = (F[:, 0] > 0).astype(float)
    p = net.predict(F)[:, 0]
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert tr.keras_loss(F, y) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("name", REGULARIZERS)
def test_regularizers_match_their_closed_forms(name: str) -> None:
    W = np.array([[0.5, -2.0], [0.0, 3.0]])
    penalty = {"none": 0.0, "L1": 0.1 * 5.5, "L2": 0.1 * 0.5 * (0.25 + 4 + 9)}[name]
    grad = {"none": 0 * W, "L1": 0.1 * np.array([[1.0, -1.0], [0.0, 1.0]]), "L2": 0.1 * W}[name]
    assert REGULARIZERS[name].penalty(W, 0.1) == pytest.approx(penalty, rel=1e-15)
    np.testing.assert_allclose(REGULARIZERS[name].grad(W, 0.1), grad, rtol=1e-15)


def test_l1_zero_crossing_kills_only_links_whose_l1_step_crossed_zero() -> None:
    w_step = np.array([[0.002, -0.01], [0.3, 0.004]])  # after the data step alone
    W = np.array([[-0.001, -0.005], [0.29, 0.7]])  # after the whole update
    dead = np.array([[False, False], [False, True]])
    assert kill_zero_crossings(W, w_step, dead)
    np.testing.assert_array_equal(W, [[0.0, -0.005], [0.29, 0.7]])
    np.testing.assert_array_equal(dead, [[True, False], [False, True]])
    assert not kill_zero_crossings(W, w_step, dead)  # 0 · anything is not < 0


def test_the_penalty_covers_kernels_but_never_biases() -> None:
    net = Network(2, [3], rng=np.random.default_rng(2))
    tr = Trainer(net, regularization="L2", regularization_rate=0.1)
    before = tr.penalty()
    assert before == pytest.approx(0.1 * sum(0.5 * (W**2).sum() for W in net.W), rel=1e-15)
    net.set_bias(0, 0, 100.0)
    assert tr.penalty() == before


def test_batch_size_and_learning_rate_change_live_and_are_validated() -> None:
    tr = Trainer(Network(2, [3]))
    tr.batch_size = 3
    tr.learning_rate = 0.5
    assert tr.batch_size == 3 and tr.optimizer.learning_rate == 0.5
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError):
            tr.batch_size = bad  # type: ignore[assignment]
    with pytest.raises(ValueError):
        tr.learning_rate = -1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"regularization": "L3"},
        {"regularization_rate": -0.1},
        {"remainder": "drop"},
        {"loss": "hinge"},
        {"batch_size": 0},
    ],
)
def test_invalid_trainer_options_are_value_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Trainer(Network(2, [3]), **kwargs)


def test_labels_of_the_wrong_shape_are_rejected() -> None:
    tr = Trainer(Network(2, [3]))
    F, y = _data(10, 2, regression=False)
    with pytest.raises(ValueError, match="y"):
        tr.train_epoch(F, y[:9])
    with pytest.raises(ValueError, match="y"):
        tr.train_epoch(F, np.stack([y, y], axis=1))


def test_last_gradients_are_the_mean_gradient_of_the_last_update_when_recorded() -> None:
    rng = np.random.default_rng(3)
    net = Network(2, [3], rng=rng)
    F, y = rng.uniform(-1, 1, (8, 2)), rng.choice([-1.0, 1.0], 8)
    tr = Trainer(net, regularization="L2", regularization_rate=0.1, batch_size=8)
    assert all(not g.any() for g in tr.last_gradients())  # nothing recorded yet
    tr.record_gradients = True
    expected = tr.gradients(F, y)[0::2]  # the mean data gradient + penalty, before the update
    tr.train_epoch(F, y)  # one batch of 8: exactly one update
    for got, want in zip(tr.last_gradients(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
