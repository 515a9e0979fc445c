"""The seven input features (docs/playground-rules.md §3): order, labels, formulas, dtypes."""

import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app.playground.features import FEATURE_ORDER, FEATURES, feature_matrix

# docs/playground-rules.md §3 table: key -> (label shown, formula)
SPEC_TABLE: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x": ("X₁", lambda x, y: x),
    "y": ("X₂", lambda x, y: y),
    "xSquared": ("X₁²", lambda x, y: x**2),
    "ySquared": ("X₂²", lambda x, y: y**2),
    "xTimesY": ("X₁X₂", lambda x, y: x * y),
    "sinX": ("sin(X₁)", lambda x, y: np.sin(x)),
    "sinY": ("sin(X₂)", lambda x, y: np.sin(y)),
}

points = st.integers(0, 20).flatmap(
    lambda n: arrays(np.float64, (n, 2), elements=st.floats(-6, 6, allow_nan=False))
)
name_lists = st.lists(st.sampled_from(FEATURE_ORDER), max_size=12)


def test_canonical_order_is_the_spec_table_order() -> None:
    assert tuple(SPEC_TABLE) == FEATURE_ORDER
    assert tuple(FEATURES) == FEATURE_ORDER


@pytest.mark.parametrize("key", FEATURE_ORDER)
def test_each_feature_has_the_spec_label(key: str) -> None:
    assert FEATURES[key].key == key
    assert FEATURES[key].label == SPEC_TABLE[key][0]


@given(X=points, names=name_lists)
def test_feature_matrix_has_one_column_per_distinct_name_in_canonical_order(
    X: np.ndarray, names: list[str]
) -> None:
    F = feature_matrix(X, names)
    canonical = [k for k in SPEC_TABLE if k in names]
    assert F.shape == (len(X), len(set(names)))
    for column, key in enumerate(canonical):
        expected = SPEC_TABLE[key][1](X[:, 0], X[:, 1])
        assert np.array_equal(F[:, column], expected)


@given(X=points, names=name_lists, order=st.randoms(use_true_random=False))
def test_feature_matrix_ignores_the_order_of_names(
    X: np.ndarray, names: list[str], order: random.Random
) -> None:
    shuffled = list(names)
    order.shuffle(shuffled)
    assert np.array_equal(feature_matrix(X, names), feature_matrix(X, shuffled))


@pytest.mark.parametrize("key", FEATURE_ORDER)
def test_each_feature_fn_keeps_float32(key: str) -> None:
    x = np.array([-6.0, 0.5, 6.0], dtype=np.float32)
    y = np.array([1.5, -2.0, 3.0], dtype=np.float32)
    assert FEATURES[key].fn(x, y).dtype == np.float32


def test_feature_matrix_keeps_float32_for_the_grid() -> None:
    X = np.array([[-6.0, 6.0], [0.25, -1.5]], dtype=np.float32)
    F = feature_matrix(X, FEATURE_ORDER)
    assert F.dtype == np.float32
    assert F.shape == (2, 7)


def test_features_are_not_normalised() -> None:
    X = np.array([[6.0, -6.0]])
    assert feature_matrix(X, ["xSquared", "ySquared", "xTimesY"]).tolist() == [[36, 36, -36]]


def test_no_features_gives_zero_columns() -> None:
    assert feature_matrix(np.zeros((5, 2)), []).shape == (5, 0)


def test_unknown_feature_error_names_it_and_the_valid_keys() -> None:
    # cosX is a legacy URL key with no feature behind it (§3).
    with pytest.raises(ValueError, match=r"cosX.*x, y, xSquared, ySquared, xTimesY, sinX, sinY"):
        feature_matrix(np.zeros((1, 2)), ["x", "cosX"])


def test_a_single_string_is_not_a_list_of_names() -> None:
    with pytest.raises(TypeError):
        feature_matrix(np.zeros((1, 2)), "x")


@pytest.mark.parametrize("shape", [(3,), (3, 3), (3, 1)])
def test_points_must_be_n_by_2(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        feature_matrix(np.zeros(shape), ["x"])
