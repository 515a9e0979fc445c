"""Boundary grids (docs/playground-rules.md §7.1–7.2, docs/protocol.md §6): orientation, maps that
match per-point float64 forward passes, block-average thumbnails, quantising, frame focus."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import HIDDEN_ACTIVATIONS, Network
from app.playground.grid_space import (
    DOMAIN,
    GRID_SIZE,
    THUMB_SIZE,
    block_average,
    class_map_u8,
    grid_axes,
    grid_points,
    input_maps,
    input_thumbnails_u8,
    quantize,
)
from app.playground.grids import GridEvaluator

ORDER = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")  # the §3 table
SPEC_FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "xSquared": lambda x, y: x * x,
    "ySquared": lambda x, y: y * y,
    "xTimesY": lambda x, y: x * y,
    "sinX": lambda x, y: np.sin(x),
    "sinY": lambda x, y: np.sin(y),
}


def maps_of(grids: GridEvaluator, net: Network) -> list[np.ndarray]:
    """Every non-input layer's maps as (units, 100, 100) copies."""
    return [a.reshape(-1, GRID_SIZE, GRID_SIZE).copy() for a in grids.layer_maps(net)]


def spec_x(i: int) -> float:
    """§7.1, in plain Python floats: x_i = −6·(1 − i/99) + 6·(i/99)."""
    return -6 * (1 - i / 99) + 6 * (i / 99)


def spec_y(j: int) -> float:
    """§7.1: y_j = −6·(1 − t) + 6·t with t = (j − 99)/(−99)."""
    t = (j - 99) / -99
    return -6 * (1 - t) + 6 * t


def spec_quantize(v: float) -> int:
    """docs/protocol.md §6 on one scalar: round((clip(v, −1, 1) + 1) · 127.5)."""
    return round((min(max(v, -1.0), 1.0) + 1) * 127.5)


def naive_block_means(maps: np.ndarray) -> np.ndarray:
    """(m, 100, 100) -> (m, 10, 10) float64, one Python loop per block."""
    out = np.empty((maps.shape[0], 10, 10))
    for k in range(maps.shape[0]):
        for r in range(10):
            for c in range(10):
                out[k, r, c] = (
                    maps[k, 10 * r : 10 * r + 10, 10 * c : 10 * c + 10].astype(np.float64).sum()
                    / 100
                )
    return out


def small_net(features: list[str], hidden: list[int], seed: int = 3) -> Network:
    return Network(len(features), hidden, init="glorot_uniform", seed=seed)


# ---- the grid ----


def test_constants_are_the_spec_grid() -> None:
    assert (GRID_SIZE, THUMB_SIZE, DOMAIN) == (100, 10, (-6.0, 6.0))


def test_axes_are_bit_exact_d3_interpolations() -> None:
    x, y = grid_axes()
    assert x.tolist() == [spec_x(i) for i in range(100)]
    assert y.tolist() == [spec_y(j) for j in range(100)]


def test_corners_are_top_left_minus6_plus6_and_bottom_right_plus6_minus6() -> None:
    points = grid_points()
    assert points.shape == (10_000, 2)
    assert points[0].tolist() == [-6.0, 6.0]  # j = 0, i = 0: top left
    assert points[99].tolist() == [6.0, 6.0]  # top right
    assert points[9900].tolist() == [-6.0, -6.0]  # bottom left
    assert points[9999].tolist() == [6.0, -6.0]  # bottom right


def test_points_are_row_major_over_row_j_then_column_i() -> None:
    points = grid_points()
    for j, i in [(0, 1), (1, 0), (37, 81), (99, 98)]:
        assert points[100 * j + i].tolist() == [spec_x(i), spec_y(j)]


def test_no_grid_point_is_zero_the_nearest_are_pm_0_0606() -> None:
    x, y = grid_axes()
    assert not np.any(x == 0) and not np.any(y == 0)
    assert x[49] == pytest.approx(-6 / 99, abs=1e-15) and x[50] == pytest.approx(6 / 99)
    assert y[49] == pytest.approx(6 / 99, abs=1e-15) and y[50] == pytest.approx(-6 / 99)
    assert np.abs(x).min() == pytest.approx(0.0606, abs=1e-4)


def test_output_map_of_identity_net_shows_x_left_to_right_and_y_top_to_bottom() -> None:
    net = Network(2, [], output_activation="linear", outputs=2, init="zeros")
    net.set_weights([np.eye(2), np.zeros(2)])
    (maps,) = maps_of(GridEvaluator(["x", "y"]), net)
    assert maps.shape == (2, 100, 100) and maps.dtype == np.float32
    assert maps[0, 0, 0] == -6 and maps[0, 0, 99] == 6 and maps[0, 99, 0] == -6
    assert maps[1, 0, 0] == 6 and maps[1, 99, 0] == -6 and maps[1, 0, 99] == 6


# ---- input maps ----


@pytest.mark.parametrize("u", range(7))
def test_input_maps_are_the_spec_features_for_all_seven(u: int) -> None:
    x, y = grid_axes()
    expected = SPEC_FEATURES[ORDER[u]](x[None, :], y[:, None]) * np.ones((100, 100))
    maps = input_maps()
    assert maps.shape == (7, 100, 100) and maps.dtype == np.float32
    np.testing.assert_array_equal(maps[u], expected.astype(np.float32))


def test_input_maps_cannot_be_modified_by_a_caller() -> None:
    with pytest.raises(ValueError, match="read-only"):
        input_maps()[0, 0, 0] = 1


def test_input_thumbnails_are_quantised_block_means_of_the_spec_features() -> None:
    x, y = grid_axes()
    maps = np.stack([SPEC_FEATURES[k](x[None, :], y[:, None]) * np.ones((100, 100)) for k in ORDER])
    expected = [[spec_quantize(v) for v in row.ravel()] for row in naive_block_means(maps)]
    got = input_thumbnails_u8()
    assert got.shape == (7, 10, 10) and got.dtype == np.uint8
    assert got.reshape(7, 100).tolist() == expected


@pytest.mark.parametrize("enabled", [[], ["y"], ["x", "y"], list(ORDER)])
@pytest.mark.parametrize("u", range(7))
def test_input_focus_gives_every_feature_whatever_is_enabled(enabled: list[str], u: int) -> None:
    net = small_net(enabled, [3])
    focus_map, _ = GridEvaluator(enabled).frame_maps(net, (0, u))
    x, y = grid_axes()
    values = SPEC_FEATURES[ORDER[u]](x[None, :], y[:, None]) * np.ones((100, 100))
    assert focus_map.shape == (100, 100) and focus_map.dtype == np.uint8
    assert focus_map.ravel().tolist() == [
        spec_quantize(float(np.float32(v))) for v in values.ravel()
    ]


# ---- network maps against per-point float64 forward passes ----


@st.composite
def nets(draw: st.DrawFn) -> tuple[list[str], Network]:
    features = draw(st.lists(st.sampled_from(ORDER), unique=True, max_size=7))
    hidden = draw(st.lists(st.integers(1, 4), max_size=3))
    outputs = draw(st.integers(1, 3))
    net = Network(
        len(features),
        hidden,
        activation=draw(st.sampled_from(HIDDEN_ACTIVATIONS)),
        output_activation=draw(st.sampled_from(["tanh", "linear", "sigmoid", "softmax"])),
        outputs=outputs,
        init="glorot_uniform",
        seed=draw(st.integers(0, 2**31)),
    )
    return features, net


def point_features(features: list[str], p: int) -> np.ndarray:
    """(1, k) float64 features of grid point p from the spec formulas, canonical order."""
    j, i = divmod(p, 100)
    x, y = np.float64(spec_x(i)), np.float64(spec_y(j))
    return np.array([[SPEC_FEATURES[k](x, y) for k in ORDER if k in features]]).reshape(1, -1)


@settings(max_examples=30, deadline=None)
@given(nets(), st.lists(st.integers(0, 9999), min_size=20, max_size=60))
def test_every_layer_map_equals_per_point_float64_forward(
    case: tuple[list[str], Network], sample: list[int]
) -> None:
    features, net = case
    maps = maps_of(GridEvaluator(features), net)
    assert [m.shape for m in maps] == [(n, 100, 100) for n in net.layer_sizes[1:]]
    assert all(m.dtype == np.float32 for m in maps)
    for p in [0, 99, 9900, 9999, *sample]:
        _, acts = net.forward(point_features(features, p))
        for m, ref in zip(maps, acts[1:], strict=True):
            got = m[:, p // 100, p % 100]
            scale = 1 + np.abs(ref).max()
            np.testing.assert_allclose(got, ref[0], rtol=1e-4, atol=1e-4 * scale)


@settings(max_examples=15, deadline=None)
@given(nets())
def test_output_map_equals_predict_on_the_whole_grid(case: tuple[list[str], Network]) -> None:
    features, net = case
    x, y = grid_points().T
    columns = [SPEC_FEATURES[k](x, y) for k in ORDER if k in features]
    F = np.column_stack(columns) if columns else np.empty((10_000, 0))
    ref = net.predict(F)  # (10,000, outputs), row-major over the grid
    got = maps_of(GridEvaluator(features), net)[-1].reshape(net.layer_sizes[-1], -1).T
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4 * (1 + np.abs(ref).max()))


def test_zero_input_network_maps_are_constant_bias_activations() -> None:
    net = Network(0, [2], init="zeros")  # §3: the first layer has only biases
    net.set_weights([np.zeros((0, 2)), np.array([0.3, -0.2]), np.array([[0.5], [1.5]]), [0.1]])
    hidden, output = maps_of(GridEvaluator([]), net)
    np.testing.assert_allclose(hidden[0], np.tanh(0.3), rtol=1e-6)
    np.testing.assert_allclose(hidden[1], np.tanh(-0.2), rtol=1e-6)
    expected = np.tanh(0.1 + 0.5 * np.tanh(0.3) + 1.5 * np.tanh(-0.2))
    np.testing.assert_allclose(output, expected, rtol=1e-6)


def test_network_with_other_input_count_is_refused() -> None:
    with pytest.raises(ValueError, match="3 inputs but the grid has 2 features"):
        maps_of(GridEvaluator(["x", "y"]), small_net(["x", "y", "sinX"], [2]))


def test_unknown_feature_is_refused() -> None:
    with pytest.raises(ValueError, match="cosX"):
        GridEvaluator(["x", "cosX"])


def test_feature_order_given_does_not_matter() -> None:
    net = small_net(["x", "sinY"], [3])
    a = maps_of(GridEvaluator(["sinY", "x"]), net)
    b = maps_of(GridEvaluator(["x", "sinY"]), net)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


# ---- thumbnails ----


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_average_equals_naive_block_means(dtype: type[np.floating[Any]]) -> None:
    maps = np.random.default_rng(5).uniform(-3, 3, (4, 100, 100)).astype(dtype)
    got = block_average(maps)
    assert got.shape == (4, 10, 10) and got.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(got, naive_block_means(maps), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(100, 100), (3, 100, 100), (2, 3, 100, 100)])
def test_block_average_keeps_leading_axes(shape: tuple[int, ...]) -> None:
    maps = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    got = block_average(maps)
    assert got.shape == (*shape[:-2], 10, 10)
    # block [r][c] of an arange over (100, 100) averages to its centre 100·(10r + 4.5) + 10c + 4.5
    assert got.reshape(-1, 10, 10)[0, 0, 0] == pytest.approx(454.5)
    assert got.reshape(-1, 10, 10)[0, 9, 9] == pytest.approx(9544.5)


# ---- quantising ----


@pytest.mark.parametrize(
    ("v", "q"),
    [(-1.0, 0), (0.0, 128), (1.0, 255), (-7.0, 0), (42.0, 255), (-np.inf, 0), (np.inf, 255)],
)
def test_quantize_endpoints_midpoint_and_clamping(v: float, q: int) -> None:
    for dtype in (np.float32, np.float64):
        assert quantize(np.array([v], dtype=dtype)).tolist() == [q]


def test_quantize_maps_nan_to_127_without_warning() -> None:
    assert quantize(np.array([np.nan, 0.5], dtype=np.float32)).tolist() == [127, 191]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quantize_inverts_its_documented_decoding_for_every_level(
    dtype: type[np.floating[Any]],
) -> None:
    levels = np.arange(256)
    got = quantize((levels / 127.5 - 1).astype(dtype))
    assert got.dtype == np.uint8 and got.tolist() == levels.tolist()


def test_quantize_matches_the_formula_on_many_values_and_keeps_shape() -> None:
    values = np.random.default_rng(1).uniform(-1.3, 1.3, (6, 7))
    got = quantize(values)
    assert got.shape == (6, 7)
    assert got.ravel().tolist() == [spec_quantize(v) for v in values.ravel()]


# ---- frame maps ----


def frame_reference(features: list[str], net: Network) -> tuple[list[np.ndarray], np.ndarray]:
    maps = maps_of(GridEvaluator(features), net)
    thumbs = naive_block_means(np.concatenate(maps))
    return maps, np.array([[spec_quantize(v) for v in t.ravel()] for t in thumbs])


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_frame_thumbnails_are_quantised_block_means_of_every_non_input_node(
    activation: str,
) -> None:
    features = ["x", "y", "xTimesY"]
    net = Network(3, [4, 2], activation=activation, init="glorot_uniform", seed=11)
    _, expected = frame_reference(features, net)
    _, thumbs = GridEvaluator(features).frame_maps(net)
    assert thumbs.shape == (4 + 2 + 1, 10, 10) and thumbs.dtype == np.uint8
    # float32 sums may sit on the other side of a rounding boundary: allow one level
    assert np.abs(thumbs.reshape(7, 100).astype(int) - expected).max() <= 1


@pytest.mark.parametrize(
    ("focus", "layer", "unit"), [(None, 3, 0), ((3, 0), 3, 0), ((1, 3), 1, 3), ((2, 1), 2, 1)]
)
def test_focus_map_is_the_full_map_of_that_node(
    focus: tuple[int, int] | None, layer: int, unit: int
) -> None:
    features = ["x", "y"]
    net = small_net(features, [4, 2], seed=2)
    maps, _ = frame_reference(features, net)
    focus_map, _ = GridEvaluator(features).frame_maps(net, focus)
    expected = [spec_quantize(v) for v in maps[layer - 1][unit].ravel().astype(np.float64)]
    assert focus_map.shape == (100, 100) and focus_map.ravel().tolist() == expected


def test_focus_on_a_softmax_output_unit() -> None:
    net = Network(2, [3], output_activation="softmax", outputs=3, init="glorot_uniform", seed=4)
    maps = maps_of(GridEvaluator(["x", "y"]), net)
    np.testing.assert_allclose(maps[-1].sum(axis=0), 1, rtol=1e-6)
    focus_map, thumbs = GridEvaluator(["x", "y"]).frame_maps(net, (2, 2))
    assert focus_map.ravel().tolist() == [spec_quantize(v) for v in maps[-1][2].ravel()]
    assert thumbs.shape == (6, 10, 10)


@pytest.mark.parametrize("focus", [(0, 7), (0, -1), (1, 4), (2, 2), (3, 1), (4, 0), (-1, 0)])
def test_focus_outside_the_network_is_refused(focus: tuple[int, int]) -> None:
    net = small_net(["x", "y"], [4, 2])  # layers: 2 inputs, 4, 2, 1 output
    with pytest.raises(ValueError, match="focus"):
        GridEvaluator(["x", "y"]).frame_maps(net, focus)


def test_block_average_writes_row_sums_into_a_given_scratch_array() -> None:
    maps = np.random.default_rng(8).uniform(-1, 1, (3, 100, 100)).astype(np.float32)
    scratch = np.full((3, 10, 100), np.nan, dtype=np.float32)
    got = block_average(maps, scratch)
    np.testing.assert_allclose(got, naive_block_means(maps), rtol=1e-6, atol=1e-6)
    # block row 0 of map 1: its first 10 grid rows added column by column
    np.testing.assert_allclose(scratch[1, 0], maps[1, :10].sum(axis=0), atol=1e-5)


# ---- one evaluator, many calls ----


def test_frame_maps_survive_later_calls() -> None:
    """The work buffer is reused from call to call; what a frame carries is its own."""
    grids = GridEvaluator(["x", "y"])
    focus_map, thumbs = grids.frame_maps(small_net(["x", "y"], [4, 2], seed=1), (1, 2))
    kept = focus_map.copy(), thumbs.copy()
    grids.frame_maps(small_net(["x", "y"], [4, 2], seed=2), (1, 2))
    grids.layer_maps(small_net(["x", "y"], [4, 2], seed=3))
    assert np.array_equal(focus_map, kept[0]) and np.array_equal(thumbs, kept[1])


def test_one_evaluator_follows_networks_of_changing_shape() -> None:
    features = ["x", "y", "sinX"]
    grids = GridEvaluator(features)
    # [6] has as many nodes as [4, 2]: the same buffer size, split differently
    for seed, hidden in enumerate([[4, 2], [6], [3], [], [4, 2]]):
        net = small_net(features, hidden, seed=seed)
        focus = (1, 0) if hidden else None
        got = grids.frame_maps(net, focus)
        fresh = GridEvaluator(features).frame_maps(net, focus)
        assert got[1].shape == (sum(net.layer_sizes[1:]), 10, 10)
        assert np.array_equal(got[0], fresh[0]) and np.array_equal(got[1], fresh[1])


def test_class_map_encodes_winner_and_confidence() -> None:
    probs = np.zeros((3, 10_000), dtype=np.float32)
    probs[:, 0] = [1.0, 0.0, 0.0]  # certain class 0 -> level 63
    probs[:, 1] = [0.2, 0.1, 0.7]  # class 2 at p=0.7 -> round(63·(0.7−1/3)/(2/3)) = 35
    probs[:, 2:] = 1 / 3  # a three-way tie: class 0 (first), level 0
    q = class_map_u8(probs).ravel()
    assert (q[0], q[1], q[2]) == (63, 2 * 64 + 35, 0)


def test_frame_maps_class_map_replaces_only_the_output_focus_map() -> None:
    net = Network(2, [3], output_activation="softmax", outputs=3, init="glorot_uniform", seed=1)
    evaluator = GridEvaluator(["x", "y"])
    plain, thumbs = evaluator.frame_maps(net)
    classed, thumbs2 = evaluator.frame_maps(net, class_map=True)
    assert np.array_equal(thumbs, thumbs2)
    assert not np.array_equal(plain, classed)
    assert set(np.unique(classed // 64)) <= {0, 1, 2}
    hidden, _ = evaluator.frame_maps(net, (1, 0), class_map=True)
    assert np.array_equal(hidden, evaluator.frame_maps(net, (1, 0))[0])
