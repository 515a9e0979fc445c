"""Network: initialisation (docs/playground-rules.md §4.2, docs/keras-rules.md §5),
forward pass, weight access and invariants."""

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.initializers import INITIALIZERS, TRUNCATED_STD
from app.engine.network import Network


class SequenceStream:
    """A stub for PlaygroundRandom: returns 0.00, 0.01, 0.02, ... and counts the draws."""

    def __init__(self) -> None:
        self.draws = 0

    def random(self) -> float:
        value = (self.draws % 100) / 100
        self.draws += 1
        return value


def test_playground_init_draws_layer_then_destination_then_source() -> None:
    stream = SequenceStream()
    net = Network(inputs=2, hidden=[3], outputs=1, init="playground", rng=stream)
    # Draw k is k/100; W[src, dst] gets draw number (offset + dst·fan_in + src), minus 0.5.
    expected_W1 = np.array([[0.00, 0.02, 0.04], [0.01, 0.03, 0.05]]) - 0.5
    expected_W2 = np.array([[0.06], [0.07], [0.08]]) - 0.5
    np.testing.assert_allclose(net.W[0], expected_W1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(net.W[1], expected_W2, rtol=0, atol=1e-15)
    assert stream.draws == 9


def test_playground_biases_are_the_constant_point_one() -> None:
    net = Network(inputs=3, hidden=[4, 2], init="playground", rng=SequenceStream())
    for b in net.b:
        np.testing.assert_array_equal(b, np.full(b.shape, 0.1))


def test_zeros_init_zeroes_everything_but_still_consumes_the_draws() -> None:
    stream = SequenceStream()
    net = Network(inputs=2, hidden=[4, 2], init="zeros", rng=stream)
    assert all(not p.any() for p in net.get_weights())
    assert stream.draws == 2 * 4 + 4 * 2 + 2 * 1
    # The next network continues the stream where a playground init would have left it.
    after = Network(inputs=1, hidden=[], init="playground", rng=stream)
    np.testing.assert_allclose(after.W[0], [[0.18 - 0.5]], atol=1e-15)


def test_zeros_init_without_a_stream_needs_no_randomness() -> None:
    net = Network(inputs=2, hidden=[3], init="zeros")
    assert all(not p.any() for p in net.get_weights())


# name -> ("uniform", limit) or ("normal", std, truncated?), for a (fan_in, fan_out) kernel.
FAN_IN, FAN_OUT = 400, 300
KERAS_EXPECTED = {
    "glorot_uniform": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "he_uniform": ("uniform", math.sqrt(6 / FAN_IN)),
    "lecun_uniform": ("uniform", math.sqrt(3 / FAN_IN)),
    "random_uniform": ("uniform", 0.05),
    "glorot_normal": ("truncated", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "he_normal": ("truncated", math.sqrt(2 / FAN_IN)),
    "lecun_normal": ("truncated", math.sqrt(1 / FAN_IN)),
    "random_normal": ("normal", 0.05),
}


def test_every_keras_initializer_has_an_expected_distribution() -> None:
    assert set(KERAS_EXPECTED) == set(INITIALIZERS) - {"playground", "zeros"}


@pytest.mark.parametrize("name", KERAS_EXPECTED)
def test_keras_kernel_matches_the_spec_distribution(name: str) -> None:
    kind, scale = KERAS_EXPECTED[name]
    net = Network(inputs=FAN_IN, hidden=[], outputs=FAN_OUT, init=name, seed=3)
    W = net.W[0]
    assert W.shape == (FAN_IN, FAN_OUT)
    assert abs(W.mean()) < 0.02 * W.std()
    if kind == "uniform":
        assert np.abs(W).max() <= scale
        assert np.abs(W).max() > 0.999 * scale
        assert W.std() == pytest.approx(scale / math.sqrt(3), rel=0.02)
    else:
        assert W.std() == pytest.approx(scale, rel=0.02)
        bound = 2 * scale / TRUNCATED_STD
        if kind == "truncated":
            assert np.abs(W).max() <= bound
            assert np.abs(W).max() > 0.99 * bound
        else:
            assert (np.abs(W) > 2 * scale).mean() > 0.03  # an untruncated tail exists
    np.testing.assert_array_equal(net.b[0], np.zeros(FAN_OUT))


def test_keras_init_is_reproducible_from_a_seed_or_a_stream() -> None:
    a = Network(inputs=3, hidden=[5], init="he_normal", seed=11)
    b = Network(inputs=3, hidden=[5], init="he_normal", seed=11)
    c = Network(inputs=3, hidden=[5], init="he_normal", seed=12)
    assert all(np.array_equal(p, q) for p, q in zip(a.get_weights(), b.get_weights(), strict=True))
    assert not np.array_equal(a.W[0], c.W[0])
    s1 = Network(inputs=3, hidden=[5], init="glorot_uniform", rng=SequenceStream())
    s2 = Network(inputs=3, hidden=[5], init="glorot_uniform", rng=SequenceStream())
    assert np.array_equal(s1.W[1], s2.W[1])


def _tiny_net() -> Network:
    net = Network(inputs=2, hidden=[2], activation="relu", output_activation="sigmoid")
    net.set_weights(
        [
            np.array([[1.0, -2.0], [0.5, 3.0]]),
            np.array([0.1, -0.2]),
            np.array([[2.0], [-1.0]]),
            np.array([0.3]),
        ]
    )
    return net


def test_forward_computes_bias_plus_weighted_sum_then_activation() -> None:
    net = _tiny_net()
    x = np.array([[1.0, 2.0]])
    h = [max(0.0, 0.1 + 1.0 * 1 + 0.5 * 2), max(0.0, -0.2 - 2.0 * 1 + 3.0 * 2)]
    o = 1 / (1 + math.exp(-(0.3 + 2.0 * h[0] - 1.0 * h[1])))
    zs, acts = net.forward(x)
    assert acts[0] is x
    np.testing.assert_allclose(acts[1], [h], rtol=1e-15)
    np.testing.assert_allclose(net.predict(x), [[o]], rtol=1e-15)
    assert [z.shape for z in zs] == [(1, 2), (1, 1)]


def test_zero_inputs_leave_only_the_biases() -> None:
    net = Network(inputs=0, hidden=[3], rng=SequenceStream())
    out = net.predict(np.zeros((4, 0)))
    assert out.shape == (4, 1)
    # W2 holds draws 0..2: 0.00, 0.01, 0.02 minus 0.5; the hidden layer is tanh(0.1) everywhere.
    expected = math.tanh(0.1 + math.tanh(0.1) * (0.0 + 0.01 + 0.02 - 1.5))
    np.testing.assert_allclose(out, np.full((4, 1), expected), rtol=1e-15)


def test_zero_hidden_layers_connect_inputs_straight_to_the_output() -> None:
    net = Network(inputs=2, hidden=[], output_activation="linear", rng=SequenceStream())
    assert net.layer_sizes == [2, 1]
    np.testing.assert_allclose(net.predict(np.array([[2.0, 4.0]])), [[0.1 - 1.0 - 1.96]])


def test_forward_rejects_the_wrong_number_of_features() -> None:
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        Network(inputs=2, hidden=[3]).predict(np.zeros((5, 3)))


def test_set_weight_and_set_bias_edit_one_entry() -> None:
    net = Network(inputs=2, hidden=[3], rng=SequenceStream())
    net.set_weight(0, 1, 2, 0.75)
    net.set_bias(1, 0, -0.25)
    assert net.W[0][1, 2] == 0.75
    assert net.b[1][0] == -0.25
    with pytest.raises(ValueError):
        net.set_weight(0, 2, 0, 1.0)
    with pytest.raises(ValueError):
        net.set_bias(2, 0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        net.set_weight(0, 0, 0, float("nan"))


def test_weights_and_biases_are_views_of_one_parameter_vector() -> None:
    net = Network(inputs=2, hidden=[3], rng=SequenceStream())
    flat = net.params.flat
    # Keras order: W1 (2, 3) at 0..5, b1 at 6..8, W2 (3, 1) at 9..11, b2 at 12.
    assert flat.shape == (13,) and net.n_params == 13
    new = [np.arange(6.0).reshape(2, 3), np.full(3, 7.0), np.full((3, 1), 8.0), np.array([9.0])]
    net.set_weights(new)
    np.testing.assert_array_equal(flat, np.concatenate([p.ravel() for p in new]))
    net.set_weight(0, 1, 2, 0.75)
    net.set_bias(1, 0, -0.25)
    assert flat[5] == 0.75 and flat[12] == -0.25
    flat[9] = 4.5  # and the other way round: the vector is the storage of W and b
    assert net.W[1][0, 0] == 4.5
    assert [p.shape for p in net.params] == [(2, 3), (3,), (3, 1), (1,)]
    keras_order = [net.W[0], net.b[0], net.W[1], net.b[1]]
    assert all(a is p for a, p in zip(net.params, keras_order, strict=True))


def test_repr_shows_the_shape_and_activations() -> None:
    text = repr(Network(inputs=2, hidden=[4, 2], activation="relu"))
    assert "2-4-2-1" in text and "'relu'" in text and "params=25" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activation": "softmax"}, "hidden activation"),
        ({"activation": "swish"}, "hidden activation"),
        ({"output_activation": "swish"}, "activation"),
        ({"init": "orthogonal"}, "init"),
        ({"hidden": [3, 0]}, "at least 1 unit"),
        ({"outputs": 0}, "outputs"),
        ({"inputs": -1}, "inputs"),
    ],
)
def test_invalid_construction_is_a_clear_value_error(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"inputs": 2, "hidden": [3]} | kwargs
    with pytest.raises(ValueError, match=message):
        Network(**args)


shapes = st.tuples(st.integers(0, 4), st.lists(st.integers(1, 5), max_size=3), st.integers(1, 3))


@settings(max_examples=40, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**32 - 1))
def test_set_weights_of_get_weights_round_trips(
    shape: tuple[int, list[int], int], seed: int
) -> None:
    inputs, hidden, outputs = shape
    source = Network(inputs, hidden, outputs=outputs, init="glorot_normal", seed=seed)
    target = Network(inputs, hidden, outputs=outputs, init="zeros")
    target.set_weights(source.get_weights())
    for p, q in zip(source.get_weights(), target.get_weights(), strict=True):
        assert p.dtype == np.float64 and np.array_equal(p, q)
    returned = source.get_weights()
    returned[0][...] = 123.0  # get_weights hands out copies
    assert not np.any(source.W[0] == 123.0)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30))
def test_predict_does_not_depend_on_the_batch(
    shape: tuple[int, list[int], int], seed: int, n: int
) -> None:
    inputs, hidden, outputs = shape
    net = Network(inputs, hidden, activation="relu", outputs=outputs, init="he_uniform", seed=seed)
    F = np.random.default_rng(seed).normal(size=(n, inputs))
    rows = np.vstack([net.predict(F[i : i + 1]) for i in range(n)])
    # BLAS may sum a matrix product in a different order than a vector product.
    np.testing.assert_allclose(net.predict(F), rows, rtol=1e-12, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, which=st.integers(0, 100), delta=st.sampled_from([-1, 1]))
def test_set_weights_with_a_wrong_shape_is_a_value_error(
    shape: tuple[int, list[int], int], which: int, delta: int
) -> None:
    inputs, hidden, outputs = shape
    net = Network(inputs, hidden, outputs=outputs, init="zeros")
    weights = net.get_weights()
    i = which % len(weights)
    bad = list(weights[i].shape)
    bad[-1] = bad[-1] + delta if bad[-1] + delta >= 0 else bad[-1] + 1
    weights[i] = np.zeros(bad)
    with pytest.raises(ValueError, match="shape"):
        net.set_weights(weights)
    with pytest.raises(ValueError, match="expected"):
        net.set_weights(weights[:-1])
