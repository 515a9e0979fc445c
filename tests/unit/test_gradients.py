"""Analytic gradients of (mean data loss + penalty) against central finite differences.

Covers every hidden activation × output activation × loss valid for that output ×
regularization, on a 2-3-2-K network, and the same without hidden layers. The training
kernel's summed gradients are checked against Network.backward over the same grid.
"""

import zlib

import numpy as np
import pytest

from app.engine.activations import HIDDEN_ACTIVATIONS
from app.engine.kernel import BatchKernel
from app.engine.losses import LOSSES
from app.engine.network import Network
from app.engine.regularizers import REGULARIZERS
from app.engine.training import Trainer

# output activation -> (outputs K, losses valid for it)
OUTPUTS = {
    "tanh": (2, ("playground", "mse")),
    "linear": (2, ("playground", "mse")),
    "sigmoid": (2, ("playground", "mse", "binary_crossentropy")),
    "softmax": (3, ("playground", "mse", "categorical_crossentropy")),
}
OUTPUT_LOSS = [(out, loss) for out, (_, losses) in OUTPUTS.items() for loss in losses]
H = 1e-6


def _targets(output: str, loss: str, n: int, rng: np.random.Generator) -> np.ndarray:
    k = OUTPUTS[output][0]
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n, k)).astype(float)
    if output == "linear":
        return rng.normal(size=(n, k))
    low = -1.0 if output == "tanh" else 0.0
    return rng.uniform(low, 1.0, (n, k))


def _inputs_away_from_kinks(net: Network, rng: np.random.Generator) -> np.ndarray:
    """Random inputs whose hidden pre-activations all stay clear of relu's kink at 0."""
    for _ in range(1000):
        F = rng.uniform(-2, 2, (6, net.layer_sizes[0]))
        zs, _ = net.forward(F)
        if all(np.abs(z).min() > 1e-3 for z in zs[:-1]):
            return F
    raise AssertionError("no kink-free inputs found")


def _numeric_gradient(tr: Trainer, F: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    def objective() -> float:
        return tr.keras_loss(F, y) + tr.penalty()

    grads = []
    for p in (q for W, b in zip(tr.net.W, tr.net.b, strict=True) for q in (W, b)):
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + H
            up = objective()
            p[idx] = old - H
            down = objective()
            p[idx] = old
            g[idx] = (up - down) / (2 * H)
        grads.append(g)
    return grads


def _check(hidden: list[int], activation: str, output: str, loss: str, reg: str) -> None:
    # A fixed seed per case (str hash() is salted per process, crc32 is not).
    rng = np.random.default_rng(zlib.crc32(f"{hidden}{activation}{output}{loss}{reg}".encode()))
    k = OUTPUTS[output][0]
    net = Network(2, hidden, activation=activation, output_activation=output, outputs=k, rng=rng)
    tr = Trainer(net, loss=loss, regularization=reg, regularization_rate=0.07)
    F = _inputs_away_from_kinks(net, rng)
    y = _targets(output, loss, len(F), rng)
    analytic = tr.gradients(F, y)
    numeric = _numeric_gradient(tr, F, y)
    assert [a.shape for a in analytic] == [p.shape for p in net.get_weights()]
    for a, n in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("reg", REGULARIZERS)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_gradient_matches_finite_differences(
    activation: str, output: str, loss: str, reg: str
) -> None:
    _check([3, 2], activation, output, loss, reg)


@pytest.mark.parametrize("reg", REGULARIZERS)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
def test_gradient_without_hidden_layers_matches_finite_differences(
    output: str, loss: str, reg: str
) -> None:
    _check([], "tanh", output, loss, reg)


def test_a_wrong_gradient_would_be_caught() -> None:
    # Guard on the harness itself: a deliberately perturbed analytic gradient must fail.
    rng = np.random.default_rng(5)
    net = Network(2, [3, 2], rng=rng)
    tr = Trainer(net, regularization="L2", regularization_rate=0.07)
    F, y = rng.uniform(-2, 2, (6, 2)), rng.uniform(-1, 1, (6, 1))
    analytic = tr.gradients(F, y)
    analytic[2][0, 0] *= 1.001
    with pytest.raises(AssertionError):
        for a, n in zip(analytic, _numeric_gradient(tr, F, y), strict=True):
            np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-8)


# ---- the training kernel (kernel.py) against Network.forward/backward ------------------------


def _reference_sums(net: Network, loss: str, F: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    zs, acts = net.forward(F)
    grad_W, grad_b = net.backward(zs, acts, LOSSES[loss].grad(acts[-1], y))
    return [acts[-1], *(g for pair in zip(grad_W, grad_b, strict=True) for g in pair)]


def _kernel_sums(kernel: BatchKernel, F: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    outputs = kernel.sums(kernel.columns(F, len(F))[0], y).copy()
    return [outputs, *(g.copy() for g in kernel.grads)]


def _assert_close(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert [g.shape for g in got] == [w.shape for w in want]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("hidden", [[3, 2], []], ids=["3-2", "no-hidden"])
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_the_training_kernel_sums_the_gradients_backward_sums(
    activation: str, output: str, loss: str, hidden: list[int]
) -> None:
    rng = np.random.default_rng(zlib.crc32(f"kernel{activation}{output}{loss}{hidden}".encode()))
    k = OUTPUTS[output][0]
    net = Network(2, hidden, activation=activation, output_activation=output, outputs=k, rng=rng)
    kernel = BatchKernel(net, LOSSES[loss])
    # Batch sizes in an order that reuses each size's buffers after another size ran.
    for n in (4, 1, 4, 7):
        F = rng.uniform(-2, 2, (n, 2))
        y = _targets(output, loss, n, rng)
        _assert_close(_kernel_sums(kernel, F, y), _reference_sums(net, loss, F, y))


def test_the_kernel_passes_no_gradient_through_relus_exactly_at_zero() -> None:
    # docs/playground-rules.md §4.3: relu′(0) = 0. Unit 0 of the hidden layer gets z = 0
    # exactly for every sample.
    net = Network(2, [3], activation="relu", output_activation="linear", init="zeros")
    net.set_weights(
        [np.array([[0.0, 1.0, -1.0], [0.0, 0.5, 2.0]]), np.zeros(3), np.ones((3, 1)), np.zeros(1)]
    )
    F, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([[3.0], [-2.0]])
    got = _kernel_sums(BatchKernel(net, LOSSES["playground"]), F, y)
    _assert_close(got, _reference_sums(net, "playground", F, y))
    assert not got[1][:, 0].any()  # dW into the unit at the kink


def test_the_kernel_handles_zero_inputs() -> None:
    net = Network(0, [3], rng=np.random.default_rng(1))
    F, y = np.zeros((5, 0)), np.linspace(-1, 1, 5)[:, None]
    kernel = BatchKernel(net, LOSSES["playground"])
    _assert_close(_kernel_sums(kernel, F, y), _reference_sums(net, "playground", F, y))
