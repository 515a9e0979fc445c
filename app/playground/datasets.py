"""The playground's six datasets, three multi-class ones, the shuffle and the split.

What it is: the six generators of docs/playground-rules.md §2.2–2.7 with their exact draw order,
`generate` (generate, then Fisher–Yates shuffle with the same stream, §2.8) and `split`, so
that a playground seed yields the playground's points in the playground's order and leaves
the stream where the network's page-load weights start. The random streams live in
`app.playground.rng` and are re-exported here, as the public API names them.

Beyond the playground: `blobs3`, `spiral3` and `quadrants4` label points with a class index
0…K−1 (softmax + categorical cross-entropy), drawn from the same seeded stream so one seed
still fixes a run.

What it is not: a general or vectorised sampler, and not an I/O layer: arrays in, arrays out.

Trade-off: every point is drawn one scalar at a time in pure Python (2,000–6,000 draws per
dataset: about 10 ms for 500 points, a few tens for 1,200), because vectorising would
reorder the draws and lose reproduction of the playground's seeds.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.engine.types import FloatArray
from app.playground.rng import NumpyRandom, PlaygroundRandom, RandomStream, js_to_fixed

__all__ = [
    "CLASSIFICATION_POINTS",
    "DATASETS",
    "REGRESSION_POINTS",
    "Dataset",
    "NumpyRandom",
    "PlaygroundRandom",
    "RandomStream",
    "generate",
    "js_to_fixed",
    "split",
]

CLASSIFICATION_POINTS = 500  # docs/playground-rules.md §2.1: fixed by the UI
REGRESSION_POINTS = 1200


# ---- generators (§2.2–2.7): fn(n, noise, rng) -> X (n, 2) f64, y (n,) f64 ----

Point = tuple[float, float, float]
GeneratorFn = Callable[[int, float, RandomStream], tuple[FloatArray, FloatArray]]


def _to_arrays(points: list[Point]) -> tuple[FloatArray, FloatArray]:
    """[(x, y, label)] * n -> X (n, 2) float64, y (n,) float64."""
    table = np.array(points, dtype=np.float64).reshape(len(points), 3)
    return table[:, :2].copy(), table[:, 2].copy()


def _half(n: int) -> int:
    """n/2 for the two-group datasets; odd n would give JS's n+1 points, so refuse it."""
    if n % 2:
        raise ValueError(f"this dataset needs an even number of points, got {n}")
    return n // 2


def _dist(dx: float, dy: float) -> float:
    return math.sqrt(dx * dx + dy * dy)  # plain sqrt, not hypot (§2.1)


def _d3_linear(v: float, d0: float, d1: float, r0: float, r1: float, clamp: bool) -> float:
    """A d3 v3 linear scale [d0, d1] -> [r0, r1], evaluated in d3's form (§2.1)."""
    t = (v - d0) / (d1 - d0)
    if clamp:
        t = max(0.0, min(1.0, t))
    return r0 * (1 - t) + r1 * t


def _circle(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Spec §2.2. Per point: ρ, then θ, nx, ny; the stored point is the un-noised one.

    ρ is drawn first in each point (the spec lists it with its group; the playground draws
    it per point, before θ).
    """
    points: list[Point] = []
    for lo, hi in ((0.0, 2.5), (3.5, 5.0)):  # inside group, then outside group
        for _ in range(_half(n)):
            rho = rng.uniform(lo, hi)
            theta = rng.uniform(0.0, 2 * math.pi)
            x, y = rho * math.sin(theta), rho * math.cos(theta)
            nx = rng.uniform(-5.0, 5.0) * noise
            ny = rng.uniform(-5.0, 5.0) * noise
            points.append((x, y, 1.0 if _dist(x + nx, y + ny) < 2.5 else -1.0))
    return _to_arrays(points)


def _padded(rng: RandomStream) -> float:
    """U(−5, 5) pushed 0.3 away from 0 (§2.3); an exact 0 goes to −0.3."""
    v = rng.uniform(-5.0, 5.0)
    return v + 0.3 if v > 0 else v - 0.3


def _xor(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Spec §2.3. Per point: x, y (each padded 0.3 away from 0), nx, ny."""
    points: list[Point] = []
    for _ in range(n):
        x, y = _padded(rng), _padded(rng)
        nx = rng.uniform(-5.0, 5.0) * noise
        ny = rng.uniform(-5.0, 5.0) * noise
        points.append((x, y, 1.0 if (x + nx) * (y + ny) >= 0 else -1.0))
    return _to_arrays(points)


def _gauss(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Spec §2.4. Unclamped variance scale [0, 0.5] -> [0.5, 4]; +1 at (2, 2) first."""
    variance = _d3_linear(noise, 0.0, 0.5, 0.5, 4.0, clamp=False)
    points: list[Point] = []
    for centre, label in ((2.0, 1.0), (-2.0, -1.0)):
        for _ in range(_half(n)):
            x = rng.normal(centre, variance)
            points.append((x, rng.normal(centre, variance), label))
    return _to_arrays(points)


def _spiral(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Spec §2.5. Two arms (Δ = 0 labelled +1, then Δ = π labelled −1); noise moves points."""
    m = _half(n)
    points: list[Point] = []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        for i in range(m):
            r = i / m * 5
            t = 1.75 * i / m * 2 * math.pi + delta  # left to right, as the spec requires
            x = r * math.sin(t) + rng.uniform(-1.0, 1.0) * noise
            y = r * math.cos(t) + rng.uniform(-1.0, 1.0) * noise
            points.append((x, y, label))
    return _to_arrays(points)


def _regression(
    n: int, noise: float, rng: RandomStream, label_of: Callable[[float, float], float]
) -> tuple[FloatArray, FloatArray]:
    """Spec §2.6/§2.7 sampling: x, y, nx, ny from U(−6, 6); label of the noised point."""
    points: list[Point] = []
    for _ in range(n):
        x = rng.uniform(-6.0, 6.0)
        y = rng.uniform(-6.0, 6.0)
        nx = rng.uniform(-6.0, 6.0) * noise
        ny = rng.uniform(-6.0, 6.0) * noise
        points.append((x, y, label_of(x + nx, y + ny)))
    return _to_arrays(points)


def _plane_label(px: float, py: float) -> float:
    """Unclamped d3 scale [−10, 10] -> [−1, 1] of px + py (§2.6)."""
    return _d3_linear(px + py, -10.0, 10.0, -1.0, 1.0, clamp=False)


# (cx, cy, sign) in the spec's order, which decides ties (§2.7).
_GAUSS_CENTRES: tuple[Point, ...] = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)


def _multi_gauss_label(px: float, py: float) -> float:
    """The centre contribution of largest |v|; strictly larger wins, so ties keep the
    earlier centre (§2.7)."""
    label = 0.0
    for cx, cy, sign in _GAUSS_CENTRES:
        v = sign * _d3_linear(_dist(px - cx, py - cy), 0.0, 2.0, 1.0, 0.0, clamp=True)
        if abs(v) > abs(label):
            label = v
    return label


def _reg_plane(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    return _regression(n, noise, rng, _plane_label)


def _reg_gauss(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    return _regression(n, noise, rng, _multi_gauss_label)


# ---- multi-class datasets (ours, not the playground's): labels are class indices ----


def _class_sizes(n: int, k: int) -> list[int]:
    """n points over k classes as evenly as possible. Example: (500, 3) -> [167, 167, 166]."""
    return [n // k + (c < n % k) for c in range(k)]


def _blobs3(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Three gaussian blobs at radius 3.5, 120° apart; noise widens them as in gauss."""
    variance = _d3_linear(noise, 0.0, 0.5, 0.5, 4.0, clamp=False)
    points: list[Point] = []
    for c, size in enumerate(_class_sizes(n, 3)):
        angle = math.pi / 2 + c * 2 * math.pi / 3
        cx, cy = 3.5 * math.cos(angle), 3.5 * math.sin(angle)
        for _ in range(size):
            x = rng.normal(cx, variance)
            points.append((x, rng.normal(cy, variance), float(c)))
    return _to_arrays(points)


def _spiral3(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Three spiral arms 120° apart, drawn like the playground's spiral (§2.5)."""
    points: list[Point] = []
    for c, m in enumerate(_class_sizes(n, 3)):
        delta = c * 2 * math.pi / 3
        for i in range(m):
            r = i / m * 5
            t = 1.75 * i / m * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1.0, 1.0) * noise
            y = r * math.cos(t) + rng.uniform(-1.0, 1.0) * noise
            points.append((x, y, float(c)))
    return _to_arrays(points)


def _quadrants4(n: int, noise: float, rng: RandomStream) -> tuple[FloatArray, FloatArray]:
    """Points padded off the axes as in xor; the class is the noised point's quadrant
    (0: x>0,y>0; 1: x<0,y>0; 2: x<0,y<0; 3: x>0,y<0)."""
    points: list[Point] = []
    for _ in range(n):
        x, y = _padded(rng), _padded(rng)
        px = x + rng.uniform(-5.0, 5.0) * noise
        py = y + rng.uniform(-5.0, 5.0) * noise
        quadrant = (0 if px >= 0 else 1) if py >= 0 else (2 if px < 0 else 3)
        points.append((x, y, float(quadrant)))
    return _to_arrays(points)


@dataclass(frozen=True, slots=True)
class Dataset:
    """One dataset choice: registry key, problem type, tooltip, default size, generator,
    and the number of classes (2 for ±1 labels, K for class indices, 0 for regression)."""

    name: str
    problem: Literal["classification", "regression", "multiclass"]
    label: str
    n_points: int
    fn: GeneratorFn
    classes: int = 2


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("circle", "classification", "Circle", CLASSIFICATION_POINTS, _circle),
        Dataset("xor", "classification", "Exclusive or", CLASSIFICATION_POINTS, _xor),
        Dataset("gauss", "classification", "Gaussian", CLASSIFICATION_POINTS, _gauss),
        Dataset("spiral", "classification", "Spiral", CLASSIFICATION_POINTS, _spiral),
        Dataset("reg-plane", "regression", "Plane", REGRESSION_POINTS, _reg_plane, 0),
        Dataset("reg-gauss", "regression", "Multi gaussian", REGRESSION_POINTS, _reg_gauss, 0),
        Dataset("blobs3", "multiclass", "Three blobs", CLASSIFICATION_POINTS, _blobs3, 3),
        Dataset("spiral3", "multiclass", "Three arms", CLASSIFICATION_POINTS, _spiral3, 3),
        Dataset(
            "quadrants4", "multiclass", "Four quadrants", CLASSIFICATION_POINTS, _quadrants4, 4
        ),
    )
}


def generate(
    name: str, noise: float, rng: RandomStream, n: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """Draw dataset `name`, then Fisher–Yates shuffle it with the same stream (§2.8).

    `noise` is the fraction (UI percent / 100). Returns X (n, 2) float64, y (n,) float64
    in the playground's shuffled order; `n` defaults to the dataset's 500 or 1200.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(DATASETS)}")
    if not (math.isfinite(noise) and 0 <= noise <= 1):
        raise ValueError(f"noise is a fraction in [0, 1], got {noise}")
    dataset = DATASETS[name]
    count = dataset.n_points if n is None else n
    if count < 0:
        raise ValueError(f"n must be >= 0, got {count}")
    X, y = dataset.fn(count, float(noise), rng)
    order = list(range(count))
    rng.shuffle(order)  # the swaps depend on the stream only, so index order == row order
    return X[order], y[order]


def split(
    X: FloatArray, y: FloatArray, percent_train: float
) -> tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]:
    """((X[:k], y[:k]), (X[k:], y[k:])) with k = floor(N·p/100) (§2.8). Views."""
    if not (math.isfinite(percent_train) and 0 <= percent_train <= 100):
        raise ValueError(f"percent_train must be in [0, 100], got {percent_train}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    k = math.floor(len(X) * percent_train / 100)
    return (X[:k], y[:k]), (X[k:], y[k:])
