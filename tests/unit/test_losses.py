"""Losses against closed forms: docs/playground-rules.md §4.4, docs/keras-rules.md §1."""

import math

import numpy as np
import pytest

from app.engine.activations import ACTIVATIONS
from app.engine.losses import EPSILON, LOSSES, get_loss

# Probabilities strictly inside the clip range, rows of a 3-class problem.
OUT = np.array([[0.7, 0.2, 0.1], [0.25, 0.35, 0.4]])
T_ONE_HOT = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
T_SOFT = np.array([[0.9, 0.1, 0.3], [0.0, 1.0, 0.6]])


def test_playground_loss_is_half_the_summed_squared_error() -> None:
    o, t = np.array([[0.5, -0.2], [1.0, 1.0]]), np.array([[1.0, 1.0], [-1.0, 1.0]])
    expected = [0.5 * (0.5**2 + 1.2**2), 0.5 * 2.0**2]
    np.testing.assert_allclose(LOSSES["playground"].value(o, t), expected, rtol=1e-15)
    np.testing.assert_allclose(LOSSES["playground"].grad(o, t), o - t, rtol=1e-15)


def test_mse_is_the_mean_squared_error_over_outputs() -> None:
    o, t = np.array([[0.5, -0.2]]), np.array([[1.0, 1.0]])
    np.testing.assert_allclose(LOSSES["mse"].value(o, t), [(0.25 + 1.44) / 2], rtol=1e-15)
    np.testing.assert_allclose(LOSSES["mse"].grad(o, t), [[2 * -0.5 / 2, 2 * -1.2 / 2]])


def test_binary_crossentropy_is_the_mean_over_units() -> None:
    o, t = np.array([[0.8, 0.3]]), np.array([[1.0, 0.0]])
    expected = -(math.log(0.8) + math.log(0.7)) / 2
    np.testing.assert_allclose(LOSSES["binary_crossentropy"].value(o, t), [expected], rtol=1e-15)
    np.testing.assert_allclose(
        LOSSES["binary_crossentropy"].grad(o, t), [[-1 / 0.8 / 2, 1 / 0.7 / 2]], rtol=1e-14
    )


def test_categorical_crossentropy_renormalises_rows_before_the_log() -> None:
    cce = LOSSES["categorical_crossentropy"]
    np.testing.assert_allclose(cce.value(OUT, T_ONE_HOT), [-math.log(0.7), -math.log(0.4)])
    # Keras divides by the row sum first, so doubling the outputs changes nothing.
    np.testing.assert_allclose(cce.value(2 * OUT, T_ONE_HOT), cce.value(OUT, T_ONE_HOT), rtol=1e-15)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("targets", [T_ONE_HOT, T_SOFT], ids=["one-hot", "soft"])
def test_grad_is_the_derivative_of_the_per_sample_value(name: str, targets: np.ndarray) -> None:
    loss, h = LOSSES[name], 1e-7
    numeric = np.zeros_like(OUT)
    for idx in np.ndindex(OUT.shape):
        plus, minus = OUT.copy(), OUT.copy()
        plus[idx] += h
        minus[idx] -= h
        # Each row's loss depends only on its own outputs, so sum the per-sample values.
        numeric[idx] = (loss.value(plus, targets).sum() - loss.value(minus, targets).sum()) / (
            2 * h
        )
    np.testing.assert_allclose(loss.grad(OUT, targets), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", LOSSES)
def test_value_is_per_sample_and_grad_per_output(name: str) -> None:
    assert LOSSES[name].value(OUT, T_SOFT).shape == (2,)
    assert LOSSES[name].grad(OUT, T_SOFT).shape == (2, 3)


def test_binary_crossentropy_clips_and_blocks_the_gradient_outside_the_range() -> None:
    bce = LOSSES["binary_crossentropy"]
    o = np.array([[0.0, 1.0, 1e-9, 1 - 1e-9]])
    t = np.array([[1.0, 0.0, 0.0, 1.0]])
    big, small = -math.log(EPSILON), -math.log(1 - EPSILON)
    # 1 − (1 − ε) is not exactly ε in binary, hence the looser tolerance.
    np.testing.assert_allclose(bce.value(o, t), [(big + big + small + small) / 4], rtol=1e-9)
    np.testing.assert_array_equal(bce.grad(o, t), np.zeros((1, 4)))


def test_binary_crossentropy_passes_the_gradient_at_the_clip_bounds_themselves() -> None:
    o, t = np.array([[EPSILON]]), np.array([[1.0]])
    np.testing.assert_allclose(LOSSES["binary_crossentropy"].grad(o, t), [[-1 / EPSILON]])


def test_categorical_crossentropy_clips_a_zero_probability_and_blocks_its_gradient() -> None:
    cce = LOSSES["categorical_crossentropy"]
    o, t = np.array([[0.0, 0.5, 0.5]]), np.array([[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(cce.value(o, t), [-math.log(EPSILON)], rtol=1e-12)
    np.testing.assert_array_equal(cce.grad(o, t), np.zeros((1, 3)))


def test_sigmoid_with_binary_crossentropy_gives_p_minus_y_over_k() -> None:
    z, y = np.array([[0.3, -1.2], [2.0, 0.1]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    sig = ACTIVATIONS["sigmoid"]
    p = np.asarray(sig.fn(z), dtype=np.float64)
    dz = sig.backward(z, p, LOSSES["binary_crossentropy"].grad(p, y))
    np.testing.assert_allclose(dz, (p - y) / 2, rtol=1e-12)


def test_softmax_with_categorical_crossentropy_gives_p_minus_y() -> None:
    z = np.array([[0.3, -1.2, 0.5], [2.0, 0.1, -0.4]])
    sm = ACTIVATIONS["softmax"]
    p = np.asarray(sm.fn(z), dtype=np.float64)
    dz = sm.backward(z, p, LOSSES["categorical_crossentropy"].grad(p, T_ONE_HOT))
    np.testing.assert_allclose(dz, p - T_ONE_HOT, rtol=1e-12, atol=1e-15)


def test_unknown_loss_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="playground, mse, binary_crossentropy"):
        get_loss("hinge")
