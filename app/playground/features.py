"""The playground's seven input features (docs/playground-rules.md §3).

What it is: `FEATURE_ORDER` (the canonical order, which is also the order of the input
nodes), the `FEATURES` registry (key, label shown on the node, formula) and
`feature_matrix`, which turns points (n, 2) into the network's input matrix (n, k).

What it is not: normalisation (the playground has none, so x² reaches 36), and not the
legacy `cosX`/`cosY` URL keys, which have no feature behind them.

Trade-off: `feature_matrix` computes every column afresh on each call rather than caching;
training sets are small, and the grid keeps its own cached float32 matrix (`app.playground.grids`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from app.engine.types import AnyFloatArray

F = TypeVar("F", bound=np.floating[Any])

FEATURE_ORDER = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")


@dataclass(frozen=True, slots=True)
class Feature:
    """One input node: URL/node key, label shown, and fn(x, y) -> column.

    fn maps the point coordinates x (n,) and y (n,) to one column (n,) in their dtype.
    """

    key: str
    label: str
    fn: Callable[[AnyFloatArray, AnyFloatArray], AnyFloatArray]


FEATURES: dict[str, Feature] = {
    f.key: f
    for f in (
        Feature("x", "X₁", lambda x, y: x),
        Feature("y", "X₂", lambda x, y: y),
        Feature("xSquared", "X₁²", lambda x, y: x * x),
        Feature("ySquared", "X₂²", lambda x, y: y * y),
        Feature("xTimesY", "X₁X₂", lambda x, y: x * y),
        Feature("sinX", "sin(X₁)", lambda x, y: np.sin(x)),
        Feature("sinY", "sin(X₂)", lambda x, y: np.sin(y)),
    )
}


def feature_matrix(X: npt.NDArray[F], names: Iterable[str]) -> npt.NDArray[F]:
    """Points X (n, 2) -> features (n, k) in X's dtype (float32 grids stay float32).

    k is the number of distinct names; columns follow FEATURE_ORDER whatever the order of
    `names` (§3: the input vector holds the enabled features in canonical order).
    No names gives shape (n, 0): a network with 0 inputs. Example: names ["sinX", "x"]
    -> columns [x, sin x].
    """
    if isinstance(names, str):
        raise TypeError("names is a collection of feature keys, not one string")
    wanted = set(names)
    unknown = sorted(wanted - FEATURES.keys())
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; valid: {', '.join(FEATURE_ORDER)}")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"X must be a floating-point array, got {X.dtype}")
    keys = [key for key in FEATURE_ORDER if key in wanted]
    out = np.empty((X.shape[0], len(keys)), dtype=X.dtype)
    for column, key in enumerate(keys):
        out[:, column] = FEATURES[key].fn(X[:, 0], X[:, 1])
    return out
