"""The datasets, the shuffle and the split, pinned against docs/playground-rules.md §2.

Draw-order tests re-derive points by hand from a fresh seedrandom stream, following the
spec's step lists; shuffle tests use a reference Fisher–Yates written here.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from app.playground.datasets import DATASETS, PlaygroundRandom, RandomStream, generate, split

SEED = "0.12345"

# docs/playground-rules.md §2.2–2.7 headings (tooltips) and §2.1 point counts
EXPECTED_REGISTRY = {
    "circle": ("classification", "Circle", 500),
    "xor": ("classification", "Exclusive or", 500),
    "gauss": ("classification", "Gaussian", 500),
    "spiral": ("classification", "Spiral", 500),
    "reg-plane": ("regression", "Plane", 1200),
    "reg-gauss": ("regression", "Multi gaussian", 1200),
    # ours, beyond the playground: class indices 0..K-1
    "blobs3": ("multiclass", "Three blobs", 500),
    "spiral3": ("multiclass", "Three arms", 500),
    "quadrants4": ("multiclass", "Four quadrants", 500),
}
CLASSIFICATION = [k for k, v in EXPECTED_REGISTRY.items() if v[0] == "classification"]

# Draws per point at noise 0 (§2.2–2.7: noise draws happen even when noise = 0).
DRAWS_PER_POINT = {"circle": 4, "xor": 4, "spiral": 2, "reg-plane": 4, "reg-gauss": 4}


class StubStream(RandomStream):
    """Replays fixed values, to place a point exactly where a rule changes."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0)

    def get_state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        pass


def draws(seed: str, count: int) -> list[float]:
    rng = PlaygroundRandom(seed)
    return [rng.random() for _ in range(count)]


def test_registry_matches_the_spec() -> None:
    actual = {k: (d.problem, d.label, d.n_points) for k, d in DATASETS.items()}
    assert actual == EXPECTED_REGISTRY
    assert all(d.name == k for k, d in DATASETS.items())


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_generate_returns_float64_arrays_of_the_dataset_size(name: str, noise: float) -> None:
    X, y = generate(name, noise, PlaygroundRandom(SEED))
    n = EXPECTED_REGISTRY[name][2]
    assert X.shape == (n, 2)
    assert y.shape == (n,)
    assert X.dtype == np.float64
    assert y.dtype == np.float64
    assert np.isfinite(X).all()
    assert np.isfinite(y).all()


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_classification_labels_are_plus_minus_one_and_balanced(name: str, noise: float) -> None:
    _, y = generate(name, noise, PlaygroundRandom(SEED))
    assert set(np.unique(y)) <= {-1.0, 1.0}
    # Two groups of n/2 (§2.2, 2.4, 2.5); only circle's noise flips labels.
    if name in ("gauss", "spiral") or (name == "circle" and noise == 0):
        assert (y == 1).sum() == 250
        assert (y == -1).sum() == 250


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_gives_identical_data(name: str) -> None:
    X1, y1 = generate(name, 0.3, PlaygroundRandom("same"))
    X2, y2 = generate(name, 0.3, PlaygroundRandom("same"))
    assert np.array_equal(X1, X2)
    assert np.array_equal(y1, y2)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_different_seeds_give_different_data(name: str) -> None:
    X1, _ = generate(name, 0.3, PlaygroundRandom("one"))
    X2, _ = generate(name, 0.3, PlaygroundRandom("two"))
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("name", sorted(DRAWS_PER_POINT))
def test_generators_consume_a_fixed_number_of_draws_per_point_even_at_noise_0(
    name: str,
) -> None:
    n = 10
    rng = PlaygroundRandom(SEED)
    DATASETS[name].fn(n, 0.0, rng)
    assert rng.random() == draws(SEED, n * DRAWS_PER_POINT[name] + 1)[-1]


# ---- circle (§2.2) ----


def test_circle_first_points_follow_the_spec_draw_order() -> None:
    # Per point: ρ ~ U(0, 2.5), θ ~ U(0, 2π), nx, ny ~ U(−5, 5)·noise; label from the
    # noised point; stored point un-noised. Noise 0.5 so that nx, ny matter.
    noise = 0.5
    X, y = DATASETS["circle"].fn(500, noise, PlaygroundRandom(SEED))
    r = draws(SEED, 8)
    for p in range(2):
        rho = r[4 * p] * 2.5
        theta = r[4 * p + 1] * (2 * math.pi)
        x, yy = rho * math.sin(theta), rho * math.cos(theta)
        nx = (r[4 * p + 2] * 10 - 5) * noise
        ny = (r[4 * p + 3] * 10 - 5) * noise
        label = 1.0 if math.sqrt((x + nx) ** 2 + (yy + ny) ** 2) < 2.5 else -1.0
        assert (X[p, 0], X[p, 1], y[p]) == (x, yy, label)


def test_circle_without_noise_labels_by_radius() -> None:
    X, y = generate("circle", 0.0, PlaygroundRandom(SEED))
    radius = np.sqrt(X[:, 0] ** 2 + X[:, 1] ** 2)
    assert np.array_equal(y == 1, radius < 2.5)
    assert ((radius < 2.5) | ((radius >= 3.5 - 1e-12) & (radius <= 5 + 1e-12))).all()


def test_circle_noise_flips_labels_but_does_not_move_points() -> None:
    X, y = DATASETS["circle"].fn(500, 0.5, PlaygroundRandom(SEED))
    radius = np.sqrt(X[:, 0] ** 2 + X[:, 1] ** 2)
    assert (radius[:250] < 2.5).all()
    assert (radius[250:] > 3.5 - 1e-12).all()
    assert (y != np.where(radius < 2.5, 1.0, -1.0)).any()


# ---- xor (§2.3) ----


def test_xor_first_points_follow_the_spec_draw_order() -> None:
    noise = 0.5
    X, y = DATASETS["xor"].fn(500, noise, PlaygroundRandom(SEED))
    r = draws(SEED, 8)
    for p in range(2):
        x = r[4 * p] * 10 - 5
        x = x + 0.3 if x > 0 else x - 0.3
        yy = r[4 * p + 1] * 10 - 5
        yy = yy + 0.3 if yy > 0 else yy - 0.3
        nx = (r[4 * p + 2] * 10 - 5) * noise
        ny = (r[4 * p + 3] * 10 - 5) * noise
        label = 1.0 if (x + nx) * (yy + ny) >= 0 else -1.0
        assert (X[p, 0], X[p, 1], y[p]) == (x, yy, label)


def test_xor_without_noise_keeps_the_gap_and_labels_by_quadrant() -> None:
    X, y = generate("xor", 0.0, PlaygroundRandom(SEED))
    inside = ((X > 0.3) & (X <= 5.3)) | ((X <= -0.3) & (X >= -5.3))
    assert inside.all()
    assert np.array_equal(y, np.sign(X[:, 0] * X[:, 1]))


def test_xor_pads_an_exact_zero_towards_the_negative_side() -> None:
    # r = 0.5 gives U(−5, 5) = 0, which is not > 0, so 0.3 is subtracted (§2.3).
    X, y = DATASETS["xor"].fn(1, 0.0, StubStream([0.5] * 4))
    assert X.tolist() == [[-0.3, -0.3]]
    assert y.tolist() == [1.0]


# ---- gauss (§2.4) ----


def polar(r: list[float], at: int, mean: float, variance: float) -> tuple[float, int]:
    """Marsaglia polar by hand from raw draws r[at:], returning (sample, next index)."""
    while True:
        v1, v2 = 2 * r[at] - 1, 2 * r[at + 1] - 1
        at += 2
        s = v1 * v1 + v2 * v2
        if s <= 1:
            return mean + math.sqrt(variance) * (math.sqrt(-2 * math.log(s) / s) * v1), at


@pytest.mark.parametrize("percent", [0, 15, 20, 35, 50, 80])
def test_gauss_first_point_uses_the_d3_variance_scale(percent: int) -> None:
    # variance = 0.5·(1−t) + 4·t with t = noise/0.5, unclamped, in exactly this form: at
    # noise 15/100 it gives 1.5499999999999998 where 0.5 + 3.5·t would give 1.55.
    noise = percent / 100
    t = noise / 0.5
    variance = 0.5 * (1 - t) + 4 * t
    assert variance == pytest.approx(0.5 + 7 * noise, rel=1e-12)
    X, y = DATASETS["gauss"].fn(500, noise, PlaygroundRandom(SEED))
    r = draws(SEED, 40)
    x, at = polar(r, 0, 2.0, variance)
    yy, _ = polar(r, at, 2.0, variance)
    assert (X[0, 0], X[0, 1], y[0]) == (x, yy, 1.0)


def test_gauss_clusters_sit_at_plus_and_minus_two_with_labels_never_flipped() -> None:
    X, y = DATASETS["gauss"].fn(500, 0.5, PlaygroundRandom(SEED))
    assert (y[:250] == 1).all()
    assert (y[250:] == -1).all()
    assert np.allclose(X[:250].mean(axis=0), [2, 2], atol=0.4)  # σ of the mean: 2/√250
    assert np.allclose(X[250:].mean(axis=0), [-2, -2], atol=0.4)
    assert 3.0 < X[:250, 0].var() < 5.0  # variance 4 at noise 0.5


# ---- spiral (§2.5) ----


def test_spiral_without_noise_puts_point_i_at_radius_i_over_m_times_5() -> None:
    X, y = DATASETS["spiral"].fn(500, 0.0, PlaygroundRandom(SEED))
    m = 250
    expected = np.tile(np.arange(m) / m * 5, 2)
    assert np.allclose(np.sqrt(X[:, 0] ** 2 + X[:, 1] ** 2), expected, atol=1e-12)
    assert (y[:m] == 1).all()
    assert (y[m:] == -1).all()


def test_spiral_angles_are_evaluated_left_to_right() -> None:
    X, _ = DATASETS["spiral"].fn(500, 0.0, PlaygroundRandom(SEED))
    m = 250
    for arm, delta in enumerate((0.0, math.pi)):
        for i in (1, 77, 249):
            r = i / m * 5
            t = ((((1.75 * i) / m) * 2) * math.pi) + delta
            assert X[arm * m + i, 0] == r * math.sin(t)
            assert X[arm * m + i, 1] == r * math.cos(t)


def test_spiral_noise_moves_points_by_at_most_half_with_two_draws_each() -> None:
    clean, _ = DATASETS["spiral"].fn(500, 0.0, PlaygroundRandom(SEED))
    noisy, _ = DATASETS["spiral"].fn(500, 0.5, PlaygroundRandom(SEED))
    r = draws(SEED, 2)
    assert noisy[0, 0] == clean[0, 0] + (r[0] * 2 - 1) * 0.5
    assert noisy[0, 1] == clean[0, 1] + (r[1] * 2 - 1) * 0.5
    assert np.abs(noisy - clean).max() <= 0.5


# ---- regression (§2.6, §2.7) ----


def test_reg_plane_labels_follow_the_spec_draw_order_and_d3_form() -> None:
    # Per point x, y, nx, ny ~ U(−6, 6) (noises scaled); label = −1·(1−t) + 1·t with
    # t = (s + 10)/20 and s = (x+nx) + (y+ny), bit for bit.
    noise = 0.5
    X, y = DATASETS["reg-plane"].fn(1200, noise, PlaygroundRandom(SEED))
    r = np.array(draws(SEED, 4 * 1200)).reshape(1200, 4) * 12 - 6
    s = (r[:, 0] + r[:, 2] * noise) + (r[:, 1] + r[:, 3] * noise)
    t = (s + 10) / 20
    assert np.array_equal(X, r[:, :2])
    assert np.array_equal(y, -1 * (1 - t) + 1 * t)


def test_reg_plane_without_noise_is_x_plus_y_over_ten_and_unclamped() -> None:
    X, y = generate("reg-plane", 0.0, PlaygroundRandom(SEED))
    assert np.allclose(y, (X[:, 0] + X[:, 1]) / 10, rtol=0, atol=1e-12)
    assert np.abs(y).max() > 1.0  # |x + y| reaches past 10: the scale is not clamped
    assert np.abs(y).max() <= 1.2


def multi_gauss_reference(px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Spec §2.7 table: the contribution of largest |v|, earliest centre on a tie."""
    centres = np.array(
        [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
        dtype=np.float64,
    )
    dx, dy = px[:, None] - centres[:, 0], py[:, None] - centres[:, 1]
    d = np.sqrt(dx * dx + dy * dy)
    t = np.clip(d / 2, 0, 1)
    v = centres[:, 2] * (1 * (1 - t) + 0 * t)  # the clamped d3 scale [0, 2] -> [1, 0]
    best = np.argmax(np.abs(v), axis=1)  # argmax keeps the first of equal maxima
    return np.asarray(v[np.arange(len(px)), best], dtype=np.float64)


def test_reg_gauss_without_noise_matches_the_centre_table() -> None:
    X, y = generate("reg-gauss", 0.0, PlaygroundRandom(SEED))
    assert np.array_equal(y, multi_gauss_reference(X[:, 0], X[:, 1]))
    assert (np.abs(y) <= 1).all()
    assert (y > 0.5).any()
    assert (y < -0.5).any()


def test_reg_gauss_with_noise_labels_the_noised_point() -> None:
    noise = 0.5
    X, y = DATASETS["reg-gauss"].fn(1200, noise, PlaygroundRandom(SEED))
    r = np.array(draws(SEED, 4 * 1200)).reshape(1200, 4) * 12 - 6
    assert np.array_equal(X, r[:, :2])
    px, py = r[:, 0] + r[:, 2] * noise, r[:, 1] + r[:, 3] * noise
    assert np.array_equal(y, multi_gauss_reference(px, py))
    assert (np.abs(y) <= 1).all()


# ---- generate: shuffle and validation (§2.8) ----


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_generate_shuffles_with_fisher_yates_on_the_same_stream(name: str) -> None:
    reference = PlaygroundRandom(SEED)
    X0, y0 = DATASETS[name].fn(DATASETS[name].n_points, 0.25, reference)
    rows = [(tuple(X0[i]), y0[i]) for i in range(len(y0))]
    c = len(rows)
    while c > 0:  # §2.8: k = floor(r·c), c = c − 1, swap a[c] and a[k]
        k = math.floor(reference.random() * c)
        c -= 1
        rows[c], rows[k] = rows[k], rows[c]
    rng = PlaygroundRandom(SEED)
    X, y = generate(name, 0.25, rng)
    assert np.array_equal(X, np.array([p for p, _ in rows]))
    assert np.array_equal(y, np.array([label for _, label in rows]))
    assert rng.random() == reference.random()  # the network's weights start here


def test_generate_accepts_a_custom_size() -> None:
    X, y = generate("circle", 0.0, PlaygroundRandom(SEED), n=10)
    assert X.shape == (10, 2)
    assert (y == 1).sum() == 5


def test_two_group_datasets_refuse_an_odd_size() -> None:
    with pytest.raises(ValueError, match="even"):
        generate("spiral", 0.0, PlaygroundRandom(SEED), n=9)


def test_unknown_dataset_error_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match="circle.*reg-gauss"):
        generate("moons", 0.0, PlaygroundRandom(SEED))


@pytest.mark.parametrize("noise", [-0.1, 1.01, math.nan, math.inf])
def test_generate_rejects_noise_outside_zero_to_one(noise: float) -> None:
    with pytest.raises(ValueError, match="noise"):
        generate("circle", noise, PlaygroundRandom(SEED))


# ---- split (§2.8) ----


@pytest.mark.parametrize(
    ("n", "percent", "n_train"),
    [(500, 50, 250), (1200, 30, 360), (1200, 50, 600), (500, 0, 0), (500, 100, 500), (7, 50, 3)],
)
def test_split_puts_floor_n_p_over_100_rows_first(n: int, percent: float, n_train: int) -> None:
    X = np.arange(2 * n, dtype=np.float64).reshape(n, 2)
    y = np.arange(n, dtype=np.float64)
    (Xtr, ytr), (Xte, yte) = split(X, y, percent)
    assert (len(Xtr), len(ytr), len(Xte), len(yte)) == (n_train, n_train, n - n_train, n - n_train)
    assert np.array_equal(np.concatenate([Xtr, Xte]), X)
    assert np.array_equal(np.concatenate([ytr, yte]), y)


@pytest.mark.parametrize("percent", [-1, 100.5, math.nan])
def test_split_rejects_a_percentage_outside_0_to_100(percent: float) -> None:
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="percent_train"):
        split(X, y, percent)


def test_reg_gauss_far_from_every_centre_keeps_the_initial_positive_zero() -> None:
    # A −1 centre at distance >= 2 contributes −0.0; |−0| is not strictly greater than
    # |0|, so the label stays +0.0 (§2.7: replace only on a strictly larger |v|).
    _, y = generate("reg-gauss", 0.0, PlaygroundRandom(SEED))
    zeros = y[y == 0]
    assert len(zeros) > 0
    assert not np.signbit(zeros).any()


@pytest.mark.parametrize(("name", "k"), [("blobs3", 3), ("spiral3", 3), ("quadrants4", 4)])
def test_multiclass_labels_are_class_indices_in_near_equal_shares(name: str, k: int) -> None:
    _, y = generate(name, 0.0, PlaygroundRandom(SEED))
    counts = np.bincount(y.astype(int), minlength=k)
    assert set(np.unique(y)) == set(map(float, range(k)))
    assert DATASETS[name].classes == k
    if name != "quadrants4":  # fixed shares: 500 over 3 classes is 167, 167, 166
        assert counts.tolist() == [167, 167, 166]


def test_quadrants_label_is_the_quadrant_at_noise_zero() -> None:
    X, y = generate("quadrants4", 0.0, PlaygroundRandom(SEED))
    expected = np.where(X[:, 1] >= 0, np.where(X[:, 0] >= 0, 0, 1), np.where(X[:, 0] < 0, 2, 3))
    assert np.array_equal(y, expected)
    assert (np.abs(X) > 0.3).all()


def test_three_arm_spiral_radii_follow_the_playground_formula_at_noise_zero() -> None:
    X, y = DATASETS["spiral3"].fn(500, 0.0, PlaygroundRandom(SEED))
    arm0 = X[y == 0]
    radii = np.sqrt((arm0**2).sum(axis=1))
    np.testing.assert_allclose(radii, np.arange(167) / 167 * 5, atol=1e-12)


def test_three_blobs_centre_on_a_circle_of_radius_three_and_a_half() -> None:
    X, y = generate("blobs3", 0.0, PlaygroundRandom(SEED))
    centres = np.array([X[y == c].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(np.sqrt((centres**2).sum(axis=1)), 3.5, atol=0.3)
