"""Labels as the data stores them vs targets as each loss trains on them, and predictions.

What it is: the one place that knows a dataset label (+1/−1, a class index 0…K−1, or a real
number) becomes a training target (±1 for the playground's tanh output, 0/1 for binary
cross-entropy, one-hot for softmax), and how an output becomes a predicted label again.
What it is not: a loss or a metric (engine/losses.py, metrics.py).
Trade-off: targets are rebuilt from labels on every data or loss change (microseconds)
instead of being stored beside the data, so they can never disagree with it.
"""

import numpy as np
import numpy.typing as npt

from app.engine.types import FloatArray
from app.playground.settings import PlaygroundSettings

IntArray = npt.NDArray[np.int64]


def targets(settings: PlaygroundSettings, y: FloatArray) -> FloatArray:
    """(n,) labels -> (n, outputs) training targets for the settings' loss.

    Example: BCE: [-1, 1] -> [[0], [1]]; 3 classes: [2, 0] -> [[0, 0, 1], [1, 0, 0]].
    """
    if settings.classes > 2:
        return np.eye(settings.classes)[y.astype(np.int64)]
    if settings.loss == "binary_crossentropy":
        return ((y + 1) / 2)[:, None]
    return y[:, None]


def output_units(settings: PlaygroundSettings) -> int:
    return settings.classes if settings.classes > 2 else 1


def output_activation(settings: PlaygroundSettings) -> str:
    """tanh for the playground's classification, linear for regression
    (docs/playground-rules.md §4.3)."""
    if settings.classes > 2:
        return "softmax"
    if settings.problem == "regression":
        return "linear"
    return "sigmoid" if settings.loss == "binary_crossentropy" else "tanh"


def predicted_labels(settings: PlaygroundSettings, out: FloatArray) -> IntArray:
    """(n, outputs) outputs -> (n,) predicted class: a class index, or +1/−1 for binary."""
    if settings.classes > 2:
        classes: IntArray = np.argmax(out, axis=1)
        return classes
    return np.where(predicted_positive(settings, out), 1, -1)


def predicted_positive(settings: PlaygroundSettings, out: FloatArray) -> npt.NDArray[np.bool_]:
    """(n, 1) binary outputs -> (n,) True where the predicted label is +1 (at or above the
    threshold: 0.5 for a sigmoid's probability, 0 for the playground's tanh)."""
    threshold = 0.5 if settings.loss == "binary_crossentropy" else 0.0
    positive: npt.NDArray[np.bool_] = out[:, 0] >= threshold
    return positive


def class_labels(settings: PlaygroundSettings) -> list[int]:
    """The labels a confusion matrix is indexed by, in order."""
    return list(range(settings.classes)) if settings.classes > 2 else [-1, 1]
