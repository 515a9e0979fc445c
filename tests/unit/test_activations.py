"""Activations against closed forms (docs/playground-rules.md §4.3) and finite differences."""

import math
from collections.abc import Callable

import numpy as np
import pytest

from app.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation

Z = np.array([[-2.5, -0.7, 0.3, 1.9], [0.05, -1.3, 2.2, -0.4]])


def _closed_form(name: str, z: np.ndarray) -> np.ndarray:
    """The spec's f(z), written element by element with the math module."""
    if name == "softmax":
        rows = [[math.exp(v) for v in row] for row in z.tolist()]
        return np.array([[e / sum(row) for e in row] for row in rows])
    scalar: Callable[[float], float] = {
        "relu": lambda v: v if v > 0 else 0.0,
        "tanh": lambda v: (math.exp(v) - math.exp(-v)) / (math.exp(v) + math.exp(-v)),
        "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
        "linear": lambda v: v,
    }[name]
    return np.array([[scalar(v) for v in row] for row in z.tolist()])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_matches_the_closed_form(name: str) -> None:
    np.testing.assert_allclose(ACTIVATIONS[name].fn(Z), _closed_form(name, Z), rtol=1e-14)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backward_matches_central_differences(name: str) -> None:
    act = ACTIVATIONS[name]
    da = np.array([[0.3, -1.1, 0.8, 0.5], [-0.6, 0.2, 1.4, -0.9]])
    h = 1e-6
    numeric = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[idx] += h
        minus[idx] -= h
        # d/dz of Σ da·f(z): covers softmax's cross terms as well as elementwise functions.
        numeric[idx] = ((da * act.fn(plus)).sum() - (da * act.fn(minus)).sum()) / (2 * h)
    analytic = act.backward(Z, act.fn(Z), da)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_relu_derivative_at_zero_is_zero() -> None:
    z = np.array([[0.0, -0.0, 1e-300, -1e-300]])
    dz = ACTIVATIONS["relu"].backward(z, ACTIVATIONS["relu"].fn(z), np.ones_like(z))
    np.testing.assert_array_equal(dz, [[0.0, 0.0, 1.0, 0.0]])


def test_tanh_derivative_is_one_minus_tanh_squared() -> None:
    dz = ACTIVATIONS["tanh"].backward(Z, np.tanh(Z), np.ones_like(Z))
    np.testing.assert_allclose(dz, 1 - np.tanh(Z) ** 2, rtol=1e-15)


def test_sigmoid_derivative_is_s_times_one_minus_s() -> None:
    s = 1 / (1 + np.exp(-Z))
    dz = ACTIVATIONS["sigmoid"].backward(Z, s, np.ones_like(Z))
    np.testing.assert_allclose(dz, s * (1 - s), rtol=1e-15)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_float32_input_stays_float32(name: str) -> None:
    z32 = Z.astype(np.float32)
    a = ACTIVATIONS[name].fn(z32)
    assert a.dtype == np.float32
    assert ACTIVATIONS[name].backward(z32, a, np.ones_like(z32)).dtype == np.float32
    np.testing.assert_allclose(a, _closed_form(name, Z), rtol=1e-6, atol=1e-7)


def test_sigmoid_saturates_without_overflow_warnings() -> None:
    # pytest turns warnings into errors, so an overflow in exp() would fail here.
    s = ACTIVATIONS["sigmoid"].fn(np.array([[-1000.0, 1000.0, -745.0]]))
    np.testing.assert_array_equal(s[0, :2], [0.0, 1.0])
    assert 0.0 <= s[0, 2] < 1e-300


def test_softmax_rows_sum_to_one_even_for_huge_inputs() -> None:
    p = ACTIVATIONS["softmax"].fn(np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(p.sum(axis=1), [1.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0], atol=1e-300)


def test_hidden_activations_are_the_playground_menu_without_softmax() -> None:
    assert set(HIDDEN_ACTIVATIONS) == {"relu", "tanh", "sigmoid", "linear"}
    assert set(HIDDEN_ACTIVATIONS) < set(ACTIVATIONS)


def test_unknown_activation_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="relu, tanh, sigmoid, linear, softmax"):
        get_activation("swish")


def test_float32_tanh_for_the_grids_stays_within_2e7_of_the_exact_value() -> None:
    z = np.concatenate([np.linspace(-30, 30, 20001), [0.0, -0.0, 1e-8, 88.0, -88.0]])
    got = ACTIVATIONS["tanh"].fn(z.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.tanh(z), rtol=0, atol=2e-7)
    assert got[-2] == 1.0 and got[-1] == -1.0
